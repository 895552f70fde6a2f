"""The LINE part of ``/healthz`` (cms/ops/health.py): deliveries that failed in
whole or in part, replies LINE refused, and narrowcasts stuck for hours, over the
last day. Counts only, no personal data; a monitor alerts on "degraded"."""

import datetime as dt

from .models import DeliveryRun, EventKind, LineEvent, RunStatus, SendMethod

STUCK_AFTER = dt.timedelta(hours=6)  # a narrowcast normally finishes in minutes


def delivery_check(now: dt.datetime) -> dict:
    since = now - dt.timedelta(days=1)
    runs = DeliveryRun.objects.filter(is_test=False, started_at__gte=since)
    failed = runs.filter(status__in=[RunStatus.FAILED, RunStatus.PARTIAL])
    stuck = DeliveryRun.objects.filter(
        method=SendMethod.NARROWCAST,
        status=RunStatus.RUNNING,
        started_at__lt=now - STUCK_AFTER,
        started_at__gte=now - dt.timedelta(days=7),
    )
    failed_replies = LineEvent.objects.filter(
        kind=EventKind.REPLY, occurred_at__gte=since, data__ok=False
    )
    report = {
        "runs_last_24h": runs.count(),
        "failed_runs_last_24h": failed.count(),
        "failed_recipients_last_24h": sum(
            failed.values_list("failed_count", flat=True)
        ),
        "failed_replies_last_24h": failed_replies.count(),
        "stuck_narrowcasts": stuck.count(),
    }
    report["ok"] = not (
        report["failed_runs_last_24h"]
        or report["failed_replies_last_24h"]
        or report["stuck_narrowcasts"]
    )
    return report
