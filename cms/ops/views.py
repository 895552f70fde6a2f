"""操作ログ: the whole audit log for prefecture staff and auditors, built on
Wagtail's own site-history report (the same filters, paging and CSV/Excel export)
with three differences: every entry is shown (not only those about objects the
viewer may edit), a free-text search, and the entry's details in the export.
Booking entries keep their details to reservation staff (residents' data)."""

import json

import django_filters
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db.models import IntegerField, Q, Value
from wagtail.admin.filters import ContentTypeFilter
from wagtail.admin.views.reports.audit_logging import (
    LogEntriesView,
    SiteHistoryReportFilterSet,
)
from wagtail.log_actions import registry as log_action_registry

from cms.core.permissions import can_manage_reservations, can_view_operation_log

REDACTED = "（施設予約担当のみ閲覧できます）"
PERSONAL_ACTION_PREFIXES = ("reservations.",)


def _all_entries(log_model):
    return log_model.objects.all()


def _user_choices(request):
    user_ids = set()
    for model in log_action_registry.get_log_entry_models():
        user_ids.update(
            model.objects.exclude(user_id=None).values_list("user_id", flat=True)
        )
    users = get_user_model()
    return users.objects.filter(pk__in=user_ids).order_by(users.USERNAME_FIELD)


def _content_types(request):
    ids = set()
    for model in log_action_registry.get_log_entry_models():
        ids.update(model.objects.values_list("content_type_id", flat=True).distinct())
    return ContentType.objects.filter(pk__in=ids).order_by("model")


class OperationLogFilterSet(SiteHistoryReportFilterSet):
    q = django_filters.CharFilter(label="検索（対象・内容）", method="filter_text")
    object_type = ContentTypeFilter(
        label="種類", method="filter_object_type", queryset=_content_types
    )

    def filter_text(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(label__icontains=value) | Q(data__icontains=value))

    def get_action_choices(self):
        return log_action_registry.get_choices()

    def get_user_choices(self):
        return _user_choices(self.request)

    def get_users_queryset(self):
        return _user_choices(self.request)


class OperationLogView(LogEntriesView):
    page_title = "操作ログ"
    header_icon = "history"
    filterset_class = OperationLogFilterSet
    index_url_name = "ops_oplog"
    index_results_url_name = "ops_oplog_results"
    export_headings = {
        "timestamp": "日時",
        "user_display_name": "操作者",
        "action": "操作",
        "action_code": "操作コード",
        "content_type": "種類",
        "object_id": "対象ID",
        "label": "対象",
        "data": "内容",
    }
    list_export = list(export_headings)

    def dispatch(self, request, *args, **kwargs):
        if not can_view_operation_log(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        for fmt in (self.FORMAT_CSV, self.FORMAT_XLSX):
            self.custom_field_preprocess.setdefault("data", {})[fmt] = _data_text

    def get_filename(self):
        return super().get_filename().replace("audit-log", "operation-log")

    def get_filtered_queryset(self):
        # As Wagtail's, over every entry rather than those viewable_by_user.
        self.log_models = list(log_action_registry.get_log_entry_models())
        queryset = None
        for index, log_model in enumerate(self.log_models):
            sub = (
                _all_entries(log_model)
                .values("pk", "timestamp")
                .annotate(log_model_index=Value(index, output_field=IntegerField()))
            )
            sub = self.filter_queryset(sub).order_by()
            queryset = sub if queryset is None else queryset.union(sub, all=True)
        return queryset.order_by("-timestamp")

    def decorate_paginated_queryset(self, queryset):
        entries = super().decorate_paginated_queryset(queryset)
        sees_personal = can_manage_reservations(self.request.user)
        for entry in entries:
            entry.action_code = entry.action
            if not sees_personal and entry.action.startswith(PERSONAL_ACTION_PREFIXES):
                entry.label = REDACTED
                entry.data = {}
                entry.edit_url = None
        return entries


def _data_text(data) -> str:
    if not data:
        return ""
    return json.dumps(data, ensure_ascii=False, sort_keys=True, default=str)
