"""``/healthz``: what a load balancer or monitor asks. 200 while the database
answers ("ok", or "degraded" when a job queue is stuck, the last build or feed
sync failed, or LINE deliveries or replies failed in the last day, with the
reason); 503 when the database does not. No personal data."""

import logging

from django.apps import apps
from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache

logger = logging.getLogger(__name__)

MAX_TASK_WAIT_SECONDS = 15 * 60


def _iso(value):
    return timezone.localtime(value).isoformat() if value else None


def database_check() -> dict:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return {"ok": True, "vendor": connection.vendor}


def task_check(now) -> dict:
    from django_tasks_db.models import DBTaskResult

    waiting = DBTaskResult.objects.ready()
    oldest = waiting.order_by("enqueued_at").values_list("enqueued_at", flat=True)
    oldest = oldest.first()
    wait = int((now - oldest).total_seconds()) if oldest else 0
    failed = DBTaskResult.objects.failed().filter(
        finished_at__gte=now - timezone.timedelta(days=1)
    )
    return {
        "ok": wait <= MAX_TASK_WAIT_SECONDS,
        "waiting": waiting.count(),
        "oldest_wait_seconds": wait,
        "failed_last_24h": failed.count(),
    }


def _last_run(label: str, finished_field: str, failed_statuses: set[str]) -> dict:
    try:
        model = apps.get_model(label)
    except LookupError:
        return {"ok": True, "configured": False}
    run = model.objects.exclude(**{f"{finished_field}__isnull": True})
    run = run.order_by(f"-{finished_field}").first()
    if run is None:
        return {"ok": True, "last": None}
    return {
        "ok": run.status not in failed_statuses,
        "last": _iso(getattr(run, finished_field)),
        "status": run.status,
    }


def _line_check(now) -> dict:
    if not apps.is_installed("cms.line"):
        return {"ok": True, "configured": False}
    from cms.line.health import delivery_check

    return delivery_check(now)


@never_cache
def healthz(request):
    now = timezone.now()
    report = {"time": _iso(now), "checks": {}}
    try:
        report["checks"]["database"] = database_check()
    except Exception as error:
        logger.exception("health check: database unreachable")
        report.update(status="error", checks={"database": {"ok": False}})
        report["detail"] = error.__class__.__name__
        return JsonResponse(report, status=503)
    for name, check in (
        ("tasks", lambda: task_check(now)),
        ("build", lambda: _last_run("publishing.BuildRun", "finished_at", {"failed"})),
        (
            "akiya_feed",
            lambda: _last_run("akiya_bank.SyncRun", "finished_at", {"failed"}),
        ),
        ("line", lambda: _line_check(now)),
    ):
        try:
            report["checks"][name] = check()
        except Exception:
            logger.exception("health check %s failed", name)
            report["checks"][name] = {"ok": False, "detail": "check failed"}
    healthy = all(check.get("ok") for check in report["checks"].values())
    report["status"] = "ok" if healthy else "degraded"
    report["version"] = getattr(settings, "PORTAL_VERSION", "")
    return JsonResponse(report, status=200)
