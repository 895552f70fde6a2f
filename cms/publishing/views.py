"""The admin's 「サイトの公開」: the build history, the deploy target in use and
「サイトを再構築」. ``wagtail_hooks`` puts them in the menu; who may see or start
what is decided in ``cms.core.permissions``."""

import datetime
import logging
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.http import HttpResponseForbidden
from django.shortcuts import redirect
from django.utils import timezone
from django.views import View
from wagtail.admin import messages
from wagtail.admin.ui.tables import StatusTagColumn
from wagtail.admin.views.generic import IndexView, InspectView

from cms.core.permissions import can_rebuild_site

from . import tasks
from .deploy import TARGETS
from .models import BuildRun, PublishState

logger = logging.getLogger(__name__)

PAGE_TITLE = "サイトの公開"
#: A run queued or running longer than this is presumed lost (the worker stopped
#: mid-build): it no longer blocks a rebuild or keeps the page refreshing.
STALE_AFTER = datetime.timedelta(hours=2)
#: A run still queued after this long points at a worker that is not running.
WORKER_SUSPECT_AFTER = datetime.timedelta(minutes=2)
REFRESH_SECONDS = 5
ACTIVE_STATUSES = (BuildRun.Status.QUEUED, BuildRun.Status.RUNNING)
#: What the detail page lists above the errors, log and summary.
INSPECT_FIELDS = [
    "trigger",
    "user",
    "full",
    "status",
    "deploy_target",
    "created_at",
    "started_at",
    "finished_at",
    "duration",
    "pages_rendered",
    "pages_total",
    "files_written",
    "files_unchanged",
    "files_deleted",
    "files_uploaded",
]


# --- What the page shows ----------------------------------------------------------


@dataclass(frozen=True)
class DeployTargetInfo:
    name: str
    label: str
    destination: list[tuple[str, str]]  # (what, where); never a token or password


def describe_deploy_target(config=settings) -> DeployTargetInfo:
    """The deploy target in use and where it publishes, from the settings."""
    name = config.PORTAL_DEPLOY_TARGET
    target_class = TARGETS.get(name)
    if target_class is None:
        return DeployTargetInfo(
            name,
            f"不明な公開先「{name}」",
            [("設定", "PORTAL_DEPLOY_TARGET を直してください")],
        )
    unset = "未設定"
    if name == "folder":
        destination = [("コピー先フォルダ", str(config.PORTAL_DEPLOY_FOLDER))]
    elif name == "netlify":
        destination = [("Netlify のサイト ID", config.NETLIFY_SITE_ID or unset)]
    elif name == "netlify-hook":
        # The hook URL itself is a credential: anyone holding it can trigger builds.
        hook = "設定済み（URL は表示しません）" if config.NETLIFY_BUILD_HOOK else unset
        destination = [("Netlify のビルドフック", hook)]
    else:  # s3
        bucket = config.AWS_S3_BUCKET
        prefix = (config.AWS_S3_PREFIX or "").strip("/")
        where = f"s3://{bucket}/{prefix}" if bucket else unset
        destination = [
            ("S3 バケット", where),
            ("リージョン", config.AWS_S3_REGION),
            (
                "CloudFront ディストリビューション",
                config.AWS_CLOUDFRONT_DISTRIBUTION_ID or "なし（無効化しない）",
            ),
        ]
    return DeployTargetInfo(name, target_class.label, destination)


def active_runs(now=None):
    """Runs queued or running, leaving out those presumed lost (``STALE_AFTER``)."""
    now = now or timezone.now()
    return BuildRun.objects.filter(
        status__in=ACTIVE_STATUSES, created_at__gte=now - STALE_AFTER
    )


def worker_seems_stopped(runs, now) -> bool:
    """A run still waiting well after it was queued: the worker is not running."""
    return any(
        run.status == BuildRun.Status.QUEUED
        and now - run.created_at > WORKER_SUSPECT_AFTER
        for run in runs
    )


def publishing_overview(user) -> dict:
    """The box above the history: target, last success, what is pending."""
    now = timezone.now()
    active = list(active_runs(now).order_by("created_at"))
    state = PublishState.objects.filter(pk=1).first()
    return {
        "deploy_target": describe_deploy_target(),
        "last_success": BuildRun.objects.filter(status=BuildRun.Status.SUCCEEDED)
        .order_by("-finished_at")
        .first(),
        "publish_build_due_at": state.build_due_at if state else None,
        "active_runs": active,
        "worker_seems_stopped": worker_seems_stopped(active, now),
        "can_rebuild": can_rebuild_site(user),
        "refresh_seconds": REFRESH_SECONDS if active else None,
    }


def local_time(value) -> str:
    if value is None:
        return "—"
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M:%S")


def user_name(user) -> str:
    return (user.get_full_name().strip() or user.get_username()) if user else "—"


def trigger_with_user(run: BuildRun) -> str:
    text = run.get_trigger_display()
    if run.user is not None:
        text += f"（{user_name(run.user)}）"
    return text


def duration_text(run: BuildRun) -> str:
    seconds = run.duration_seconds
    if seconds is not None:
        return f"{seconds} 秒"
    return run.get_status_display() if run.status in ACTIVE_STATUSES else "—"


class BuildStatusColumn(StatusTagColumn):
    """The status as Wagtail's badge, highlighted when the build succeeded."""

    def __init__(self, **kwargs):
        super().__init__(
            "status",
            label="状態",
            accessor="get_status_display",
            primary=lambda run: run.status == BuildRun.Status.SUCCEEDED,
            **kwargs,
        )


# --- Views -------------------------------------------------------------------------


class BuildRunIndexView(IndexView):
    """The history, newest first, under the deploy target and the rebuild button."""

    page_title = PAGE_TITLE

    def get_base_queryset(self):
        return super().get_base_queryset().select_related("user")

    def get_context_data(self, *args, **kwargs):
        context = super().get_context_data(*args, **kwargs)
        if not self.results_only:
            context.update(publishing_overview(self.request.user))
        return context


class BuildRunInspectView(InspectView):
    """One run: counts and times, then its errors, log and summary in full."""

    page_title = "構築の詳細"

    def get_breadcrumbs_items(self):
        items = super().get_breadcrumbs_items()
        if items and self.index_url_name:
            items[-2]["label"] = PAGE_TITLE
        return items

    def get_field_label(self, field_name, field):
        if field_name == "duration":
            return "所要時間"
        return super().get_field_label(field_name, field)

    def get_field_display_value(self, field_name, field):
        run = self.object
        if field_name == "duration":
            return duration_text(run)
        if field_name == "user":
            return user_name(run.user)
        if field_name == "full":
            return "全体" if run.full else "変更分のみ"
        if field_name == "deploy_target":
            target = TARGETS.get(run.deploy_target)
            return target.label if target else (run.deploy_target or "—")
        if field_name.endswith("_at"):
            return local_time(getattr(run, field_name))
        return super().get_field_display_value(field_name, field)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        summary = self.object.summary or {}
        context.update(
            {
                "summary": summary,
                "phases": sorted((summary.get("phases") or {}).items()),
                "refresh_seconds": (
                    REFRESH_SECONDS
                    if active_runs().filter(pk=self.object.pk).exists()
                    else None
                ),
            }
        )
        return context


def queue_rebuild(user) -> BuildRun | None:
    """Queue a full build by ``user``; None while another run is queued or running."""
    with transaction.atomic():
        # PublishState's single row doubles as the lock that keeps two clicks at
        # the same moment from queueing two runs.
        PublishState.locked()
        if active_runs().exists():
            return None
        run = BuildRun.objects.create(
            trigger=BuildRun.Trigger.MANUAL, user=user, full=True
        )
    try:
        tasks.build_now.enqueue(run.pk)
    except Exception as error:  # the queue itself failed: say so on the run
        logger.exception("Could not queue build %s", run.pk)
        run.status = BuildRun.Status.FAILED
        run.finished_at = timezone.now()
        run.errors = f"キューに入れられませんでした: {type(error).__name__}: {error}"
        run.save(update_fields=["status", "finished_at", "errors"])
    return run


class RebuildSiteView(View):
    """「サイトを再構築」 (POST only)."""

    http_method_names = ["post"]
    index_url_name = "publishing:index"

    def post(self, request):
        if not can_rebuild_site(request.user):
            # A plain 403, not Wagtail's redirect to the dashboard: there is no
            # page to go back to for a form the user was never shown.
            return HttpResponseForbidden(
                "サイトの再構築は県職員だけが行えます。",
                content_type="text/plain; charset=utf-8",
            )
        run = queue_rebuild(request.user)
        if run is None:
            messages.warning(
                request,
                "構築が待機中か実行中のため、再構築を受け付けませんでした。"
                "終わってからもう一度押してください。",
            )
            return redirect(self.index_url_name)
        run.refresh_from_db()
        if run.status == BuildRun.Status.FAILED:
            messages.error(
                request,
                f"構築 #{run.pk} は失敗しました。履歴の詳細でエラーを確認してください。",
            )
        else:
            messages.success(
                request,
                f"サイトの再構築を受け付けました（構築 #{run.pk}）。"
                "進み具合と結果はこの一覧に表示されます。",
            )
        return redirect(self.index_url_name)
