"""Admin screens of the akiya bank link: the validation report (連携チェック), the
staff CSV export, 「今すぐ連携」, and token handling for feed consumers. Who sees
what is decided in ``cms.core.permissions``."""

import django_filters
from django import forms
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.views.generic import TemplateView, View
from wagtail.admin import messages
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.ui.tables import Column, TitleColumn
from wagtail.admin.views.generic import CreateView, EditView
from wagtail.admin.views.generic.base import BaseListingView, WagtailAdminTemplateMixin

from cms.core.models import Municipality
from cms.core.permissions import (
    can_manage_akiya_feed,
    can_view_akiya_report,
    municipality_ids_for_user,
)
from cms.listings.models import AkiyaListingPage, AkiyaStatus

from .rules import STATE_LABELS
from .staff_export import export_csv
from .sync import current_checks
from .tasks import sync_now

STATE_ORDER = {"invalid": 0, "held": 1, "sent": 2, "excluded": 3}
STATE_FILTERS = [
    ("problems", "修正が必要（送信されない・前回のまま）"),
    ("warnings", "注意点あり"),
    ("sent", STATE_LABELS["sent"]),
    ("excluded", STATE_LABELS["excluded"]),
]


def own_municipalities(request):
    return Municipality.objects.filter(pk__in=municipality_ids_for_user(request.user))


def scoped_listings(user):
    """The akiya listings ``user`` may see in these screens."""
    return AkiyaListingPage.objects.filter(
        municipality__in=municipality_ids_for_user(user)
    )


def matches_state(check, state: str) -> bool:
    if state == "problems":
        return check.state in ("invalid", "held")
    if state == "warnings":
        return check.qualifies and bool(check.warnings)
    return check.state == state


class ReportFilterSet(django_filters.FilterSet):
    municipality = django_filters.ModelChoiceFilter(
        label="市町村", queryset=own_municipalities
    )
    state = django_filters.ChoiceFilter(
        label="連携状況", choices=STATE_FILTERS, method="filter_in_python"
    )

    class Meta:
        model = AkiyaListingPage
        fields = []

    def filter_in_python(self, queryset, name, value):
        return queryset  # the state is known only after the checks (``get_queryset``)


def _state_badge(check) -> str:
    colour = {"sent": "success", "excluded": "secondary", "held": "warning"}.get(
        check.state, "critical"
    )
    return format_html(
        '<span class="w-status w-status--{}">{}</span>', colour, check.state_label
    )


def _reasons(check) -> str:
    if check.exclusion:
        return check.exclusion
    if not check.problems:
        return "—"
    return format_html(
        '<ul class="akiya-problems">{}</ul>',
        format_html_join(
            "",
            "<li>{}<strong>{}</strong>: {}</li>",
            (
                ("" if p.blocking else "（注意）", p.label, p.message)
                for p in check.problems
            ),
        ),
    )


class ValidationReportView(BaseListingView):
    """連携チェック: which listings go to the national bank, and what keeps the rest
    back, per form field. Editors see their own municipalities, staff all."""

    page_title = "全国版空き家バンク 連携チェック"
    header_icon = "tasks"
    template_name = "akiya_bank/report.html"
    results_template_name = "akiya_bank/report_results.html"
    index_url_name = "akiya_report:index"
    index_results_url_name = "akiya_report:index_results"
    filterset_class = ReportFilterSet
    is_searchable = True
    search_fields = ["title", "registration_number"]
    search_backend_name = None  # plain substring search, as for Japanese titles
    paginate_by = 50
    verbose_name = "物件"
    verbose_name_plural = "物件"
    columns = [
        TitleColumn(
            "title",
            label="物件",
            accessor=lambda c: c.listing.title,
            get_url=lambda c: reverse("wagtailadmin_pages:edit", args=[c.listing.pk]),
        ),
        Column(
            "municipality", label="市町村", accessor=lambda c: c.listing.municipality
        ),
        Column(
            "registration_number",
            label="登録番号",
            accessor=lambda c: c.listing.registration_number,
        ),
        Column(
            "status", label="状況", accessor=lambda c: c.listing.get_status_display()
        ),
        Column("state", label="全国版バンク", accessor=_state_badge),
        Column("reasons", label="理由・修正点", accessor=_reasons),
    ]

    def dispatch(self, request, *args, **kwargs):
        if not can_view_akiya_report(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_base_queryset(self):
        return scoped_listings(self.request.user)

    def get_queryset(self):
        queryset = self.search_queryset(self.filter_queryset(self.get_base_queryset()))
        checks = current_checks(queryset)
        state = (
            self.filters.form.cleaned_data.get("state")
            if self.filters and self.filters.is_valid()
            else None
        )
        if state:
            checks = [c for c in checks if matches_state(c, state)]
        checks.sort(key=lambda c: STATE_ORDER[c.state])
        self.summary = _summary(checks) if not state else None
        return checks

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["summary"] = getattr(self, "summary", None)
        context["export_url"] = reverse("akiya_export:index")
        return context


def _summary(checks) -> list[tuple[str, int]]:
    counts = {key: 0 for key in STATE_LABELS}
    for check in checks:
        counts[check.state] += 1
    return [
        (STATE_LABELS[key], counts[key])
        for key in ("sent", "invalid", "held", "excluded")
    ]


# --- CSV export ------------------------------------------------------------------


class ExportForm(forms.Form):
    municipality = forms.ModelChoiceField(
        label="市町村",
        queryset=Municipality.objects.none(),
        required=False,
        empty_label="すべて",
    )
    status = forms.ChoiceField(
        label="状況", choices=[("", "すべて"), *AkiyaStatus.choices], required=False
    )
    state = forms.ChoiceField(
        label="連携状況", choices=[("", "すべて"), *STATE_FILTERS], required=False
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["municipality"].queryset = Municipality.objects.filter(
            pk__in=municipality_ids_for_user(user)
        )


class StaffExportView(WagtailAdminTemplateMixin, TemplateView):
    """Listings as a CSV that Excel opens correctly, filtered by municipality,
    status and link status."""

    page_title = "空き家物件のCSV出力"
    header_icon = "download"
    template_name = "akiya_bank/export.html"

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.page_title}]

    def dispatch(self, request, *args, **kwargs):
        if not can_view_akiya_report(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, *args, **kwargs):
        requested = request.GET.get("municipality")
        if (
            requested
            and requested.isdigit()
            and not can_view_akiya_report(request.user, int(requested))
        ):
            raise PermissionDenied  # another municipality's listings
        form = ExportForm(request.GET or None, user=request.user)
        if "download" in request.GET and form.is_valid():
            return self.download(form.cleaned_data)
        return self.render_to_response(self.get_context_data(form=form))

    def download(self, filters) -> HttpResponse:
        listings = scoped_listings(self.request.user)
        if filters["municipality"]:
            listings = listings.filter(municipality=filters["municipality"])
        if filters["status"]:
            listings = listings.filter(status=filters["status"])
        checks = current_checks(listings)
        if filters["state"]:
            checks = [c for c in checks if matches_state(c, filters["state"])]
        response = HttpResponse(
            export_csv(checks), content_type="text/csv; charset=utf-8"
        )
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        response["Content-Disposition"] = f'attachment; filename="akiya-{stamp}.csv"'
        return response


# --- Sync now -------------------------------------------------------------------


class SyncNowView(View):
    """「今すぐ連携」: queue a full sync (refresh and deliver to every target)."""

    def post(self, request):
        if not can_manage_akiya_feed(request.user):
            raise PermissionDenied
        sync_now.enqueue(request.user.pk)
        messages.success(
            request,
            "連携を開始しました。結果はこの一覧に表示されます"
            "（バックグラウンドで実行されます。しばらくしてから再読み込みしてください）。",
        )
        return redirect("akiya_sync_runs:index")


# --- Feed consumers: tokens shown once ---------------------------------------------


class FeedConsumerForm(WagtailAdminModelForm):
    reissue_token = forms.BooleanField(
        label="トークンを再発行する",
        required=False,
        help_text="今のトークンは使えなくなります。新しいトークンは保存後に一度だけ表示されます。",
    )


class _IssuesToken:
    success_message = "%(object)s を保存しました。"

    def issue_if_asked(self, instance, always: bool):
        self.issued_token = None
        if always or self.form.cleaned_data.get("reissue_token"):
            self.issued_token = instance.issue_token()

    def get_success_message(self, *args):
        message = super().get_success_message(*args)
        if self.issued_token:
            message += (
                f" トークン: {self.issued_token} "
                "（この画面を離れると二度と表示されません。利用者に安全な方法で伝えてください）"
            )
        return message


class FeedConsumerCreateView(_IssuesToken, CreateView):
    def save_instance(self):
        instance = self.form.save(commit=False)
        self.issue_if_asked(instance, always=True)
        instance.save()
        return instance


class FeedConsumerEditView(_IssuesToken, EditView):
    def save_instance(self):
        instance = self.form.save(commit=False)
        self.issue_if_asked(instance, always=False)
        instance.save()
        return instance
