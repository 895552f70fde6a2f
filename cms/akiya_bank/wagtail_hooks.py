"""The 「全国版空き家バンク」 admin menu: 連携チェック and CSV出力 for editors (their
own municipalities) and staff; 連携履歴, 送信先 and フィード利用者 for staff."""

import datetime

from django.urls import path
from django.utils import timezone
from django.utils.html import format_html
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel, ObjectList
from wagtail.admin.ui.components import Component
from wagtail.admin.ui.tables import Column, DateColumn, TitleColumn
from wagtail.admin.views.generic import InspectView
from wagtail.admin.viewsets.base import ViewSet, ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet

from cms.core.permissions import can_manage_akiya_feed, can_view_akiya_report

from .models import FeedConsumer, PushTarget, SyncRun
from .views import (
    FeedConsumerCreateView,
    FeedConsumerEditView,
    FeedConsumerForm,
    StaffExportView,
    SyncNowView,
    ValidationReportView,
)


class ReportMenuItem(MenuItem):
    def is_shown(self, request):
        return can_view_akiya_report(request.user)


class ValidationReportViewSet(ViewSet):
    name = "akiya_report"
    icon = "tasks"
    menu_label = "連携チェック"
    menu_item_class = ReportMenuItem

    def get_urlpatterns(self):
        view = ValidationReportView.as_view()
        results = ValidationReportView.as_view(results_only=True)
        return [
            path("", view, name="index"),
            path("results/", results, name="index_results"),
        ]


class StaffExportViewSet(ViewSet):
    name = "akiya_export"
    icon = "download"
    menu_label = "CSV出力"
    menu_item_class = ReportMenuItem

    def get_urlpatterns(self):
        return [path("", StaffExportView.as_view(), name="index")]


SYNC_RUN_FIELDS = [
    "started_at",
    "finished_at",
    "trigger",
    "status",
    "requested_by",
    "feed_version",
    "added",
    "updated",
    "removed",
    "unchanged",
    "held",
    "invalid",
    "error",
    "listing_changes",
    "delivery_results",
]


class SyncRunInspectView(InspectView):
    """A run in full: its counts, the listings it added, updated, removed or held
    back, and how each delivery went."""

    def get_field_label(self, field_name, field):
        labels = {"listing_changes": "物件", "delivery_results": "送信"}
        return labels.get(field_name) or super().get_field_label(field_name, field)

    def get_field_display_value(self, field_name, field):
        if field_name == "listing_changes":
            return _listing_details(self.object.details)
        if field_name == "delivery_results":
            return _delivery_details(self.object)
        value = getattr(self.object, field_name)
        if isinstance(value, datetime.datetime):
            return timezone.localtime(value).strftime("%Y-%m-%d %H:%M:%S")
        if value is None:
            return "—"
        return super().get_field_display_value(field_name, field)


DETAIL_HEADINGS = {
    "added": "追加",
    "updated": "更新",
    "removed": "削除",
    "held": "保留（前回の内容のまま）",
    "invalid": "送信不可",
}


def _listing_details(details: dict):
    parts = []
    for key, heading in DETAIL_HEADINGS.items():
        for item in details.get(key, []):
            notes = "／".join(
                filter(None, [item.get("reason"), *item.get("problems", [])])
            )
            parts.append(
                format_html(
                    "<li>{}: {} {}{}</li>",
                    heading,
                    item.get("municipality", ""),
                    item.get("title", ""),
                    f"（{notes}）" if notes else "",
                )
            )
    if not parts:
        return "—"
    return format_html("<ul>{}</ul>", format_html("".join(["{}"] * len(parts)), *parts))


def _delivery_details(run: SyncRun):
    rows = [
        format_html(
            "<li>{}: {}（物件 {}件・削除 {}件・{} バイト）{}</li>",
            delivery.target,
            delivery.get_status_display(),
            delivery.listings,
            delivery.deletions,
            delivery.bytes,
            f" {delivery.error}" if delivery.error else "",
        )
        for delivery in run.deliveries.select_related("target")
    ]
    if not rows:
        return "送信なし（どの送信先にも未送信の変更がありません）"
    return format_html("<ul>{}</ul>", format_html("".join(["{}"] * len(rows)), *rows))


class SyncRunViewSet(ModelViewSet):
    model = SyncRun
    name = "akiya_sync_runs"
    icon = "history"
    menu_label = "連携履歴"
    inspect_view_enabled = True
    inspect_view_class = SyncRunInspectView
    inspect_view_fields = SYNC_RUN_FIELDS
    copy_view_enabled = False
    list_display = [
        TitleColumn(
            "started_at",
            label="開始日時",
            url_name="akiya_sync_runs:inspect",
            accessor=lambda run: timezone.localtime(run.started_at).strftime(
                "%Y-%m-%d %H:%M"
            ),
        ),
        Column("trigger", label="きっかけ", accessor="get_trigger_display"),
        Column("status", label="結果", accessor="get_status_display"),
        "added",
        "updated",
        "removed",
        "held",
        "invalid",
        Column("error", label="エラー"),
    ]
    list_filter = ["status", "trigger"]
    form_fields = []

    index_template_name = "akiya_bank/sync_run_index.html"

    def get_urlpatterns(self):
        return [
            *super().get_urlpatterns(),
            path("sync-now/", SyncNowView.as_view(), name="sync_now"),
        ]


class PushTargetViewSet(ModelViewSet):
    model = PushTarget
    name = "akiya_targets"
    icon = "upload"
    menu_label = "送信先"
    copy_view_enabled = False
    list_display = [
        "name",
        Column("protocol", label="方式", accessor="get_protocol_display"),
        Column("format", label="形式", accessor="get_format_display"),
        Column("state_label", label="状態"),
        DateColumn("last_success_at", label="最終成功"),
        DateColumn("next_attempt_at", label="次の再送"),
        Column("last_error", label="直近のエラー"),
    ]
    panels = [
        FieldRowPanel([FieldPanel("name"), FieldPanel("is_active")]),
        FieldRowPanel(
            [FieldPanel("protocol"), FieldPanel("format"), FieldPanel("mode")]
        ),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("host"), FieldPanel("port")]),
                FieldRowPanel([FieldPanel("username"), FieldPanel("remote_dir")]),
                FieldPanel("host_key"),
                FieldPanel("private_key"),
            ],
            heading="SFTP",
        ),
        MultiFieldPanel([FieldPanel("url")], heading="HTTPS"),
        FieldPanel("secret"),
    ]


class FeedConsumerViewSet(ModelViewSet):
    model = FeedConsumer
    name = "akiya_consumers"
    icon = "key"
    menu_label = "フィード利用者"
    copy_view_enabled = False
    add_view_class = FeedConsumerCreateView
    edit_view_class = FeedConsumerEditView
    list_display = [
        "name",
        "contact",
        Column("is_active", label="利用を許可"),
        Column("token_hint", label="トークンの先頭"),
        DateColumn("last_used_at", label="最終利用"),
        "request_count",
    ]
    edit_handler = ObjectList(
        [
            FieldPanel("name"),
            FieldPanel("contact"),
            FieldPanel("is_active"),
            FieldPanel("reissue_token"),
        ],
        base_form_class=FeedConsumerForm,
    )


class AkiyaBankGroup(ViewSetGroup):
    menu_label = "全国版空き家バンク"
    menu_icon = "globe"
    menu_order = 160
    items = (
        ValidationReportViewSet,
        StaffExportViewSet,
        SyncRunViewSet,
        PushTargetViewSet,
        FeedConsumerViewSet,
    )


@hooks.register("register_admin_viewset")
def register_akiya_bank_viewsets():
    return AkiyaBankGroup()


class FailingTargetsPanel(Component):
    """Dashboard warning for staff while a push target keeps failing."""

    name = "akiya_failing_targets"
    order = 40
    template_name = "akiya_bank/panels/failing_targets.html"

    def __init__(self, targets):
        self.targets = targets

    def get_context_data(self, parent_context):
        return {"targets": self.targets}


@hooks.register("construct_homepage_panels")
def add_failing_targets_panel(request, panels):
    if not can_manage_akiya_feed(request.user):
        return
    failing = list(PushTarget.objects.filter(is_active=True, failure_count__gt=0))
    if failing:
        panels.append(FailingTargetsPanel(failing))
