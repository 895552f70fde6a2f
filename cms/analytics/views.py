"""Admin screens of site analytics: the dashboard, its CSV export, the monthly
report (HTML/PDF) and the import of Google Analytics 4 exports. Prefecture staff
only (``can_view_site_analytics``)."""

import csv
import io

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.views import View
from django.views.generic import FormView, TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from cms.core.permissions import can_view_site_analytics

from . import queries, svg
from .queries import Period, parse_month


class StaffOnlyMixin:
    def dispatch(self, request, *args, **kwargs):
        if not can_view_site_analytics(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class AnalyticsAdminPage(StaffOnlyMixin, WagtailAdminTemplateMixin):
    header_icon = "table"

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.page_title}]


def period_from(request) -> tuple[Period, str]:
    """?month=YYYY-MM, or this month; an invalid value falls back with a message."""
    value = request.GET.get("month", "")
    today = timezone.localdate()
    if value:
        try:
            year, month = parse_month(value)
            return Period.month(year, month), f"{year:04d}-{month:02d}"
        except ValueError as error:
            messages.error(request, str(error))
    return Period.month(today.year, today.month), f"{today:%Y-%m}"


class DashboardView(AnalyticsAdminPage, TemplateView):
    page_title = "アクセス解析"
    template_name = "analytics/admin/dashboard.html"

    def get_context_data(self, **kwargs):
        period, month = period_from(self.request)
        data = queries.dashboard(period)
        months = queries.per_month(13, period)
        context = super().get_context_data(**kwargs)
        context.update(
            data,
            period=period,
            month=month,
            months=months,
            days_chart=svg.line_chart(
                [f"{d['day'].day}" for d in data["days"]],
                [
                    ("ページビュー", [d["pageviews"] for d in data["days"]]),
                    ("セッション", [d["sessions"] for d in data["days"]]),
                    ("ユーザー", [d["visitors"] for d in data["days"]]),
                ],
                title="日別の推移",
            ),
            months_chart=svg.line_chart(
                [f"{m['month']:%y/%m}" for m in months],
                [
                    ("ページビュー", [m["pageviews"] for m in months]),
                    ("セッション", [m["sessions"] for m in months]),
                ],
                title="月別の推移（13か月）",
            ),
            devices_chart=svg.bar_chart(
                [(d["label"], d["sessions"]) for d in data["devices"]], title="端末"
            ),
            sources_chart=svg.bar_chart(
                [(s["source"], s["sessions"]) for s in data["sources"][:8]],
                title="参照元",
            ),
            csv_tables=CSV_TABLES,
        )
        return context


# --- CSV export ----------------------------------------------------------------

CSV_TABLES = {
    "days": (
        "日別",
        ["日付", "ページビュー", "ユーザー", "セッション", "問い合わせ"],
        lambda p: [
            (d["day"], d["pageviews"], d["visitors"], d["sessions"], d["inquiries"])
            for d in queries.per_day(p)
        ],
    ),
    "pages": (
        "ページ別",
        [
            "ページ",
            "タイトル",
            "種類",
            "ページビュー",
            "ユーザー",
            "入口",
            "問い合わせ",
        ],
        lambda p: [
            (
                r["path"],
                r["title"],
                r["page_type"],
                r["pageviews"],
                r["visitors"],
                r["entries"],
                r["inquiries"],
            )
            for r in queries.pages(p, limit=None)
        ],
    ),
    "sources": (
        "参照元別",
        ["参照元", "セッション", "ユーザー", "ページビュー"],
        lambda p: [
            (r["source"], r["sessions"], r["visitors"], r["pageviews"])
            for r in queries.sources(p, limit=None)
        ],
    ),
    "campaigns": (
        "キャンペーン別",
        [
            "キャンペーン",
            "参照元",
            "メディア",
            "セッション",
            "ユーザー",
            "ページビュー",
        ],
        lambda p: [
            (
                r["campaign"],
                r["source"],
                r["medium"],
                r["sessions"],
                r["visitors"],
                r["pageviews"],
            )
            for r in queries.campaigns(p, limit=None)
        ],
    ),
    "devices": (
        "端末別",
        ["端末", "セッション", "ユーザー", "ページビュー"],
        lambda p: [
            (r["label"], r["sessions"], r["visitors"], r["pageviews"])
            for r in queries.dimension(p, "device")
        ],
    ),
    "regions": (
        "地域別",
        ["地域", "セッション", "ユーザー", "ページビュー"],
        lambda p: [
            (r["label"], r["sessions"], r["visitors"], r["pageviews"])
            for r in queries.dimension(p, "region")
        ],
    ),
    "municipalities": (
        "市町村別",
        ["市町村", "団体コード", "ページビュー", "ユーザー", "問い合わせ"],
        lambda p: [
            (
                r["municipality__name"],
                r["municipality__code"],
                r["pageviews"],
                r["visitors"],
                r["inquiries"],
            )
            for r in queries.municipalities(p)
        ],
    ),
}


def csv_bytes(header, rows) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")  # Excel-ready


class CsvExportView(StaffOnlyMixin, View):
    def get(self, request, table: str):
        if table not in CSV_TABLES:
            return HttpResponse(
                "表の名前が正しくありません。",
                status=404,
                content_type="text/plain; charset=utf-8",
            )
        period, month = period_from(request)
        _, header, rows = CSV_TABLES[table]
        response = HttpResponse(
            csv_bytes(header, rows(period)), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = (
            f'attachment; filename="analytics-{table}-{month}.csv"'
        )
        return response


# --- Monthly report ----------------------------------------------------------------


class MonthlyReportView(StaffOnlyMixin, View):
    """The admin button: the month's report as HTML or PDF."""

    def get(self, request, month: str, fmt: str):
        from .report import ReportFontMissing, build_report

        try:
            year, number = parse_month(month)
        except ValueError as error:
            return HttpResponse(
                str(error), status=400, content_type="text/plain; charset=utf-8"
            )
        report = build_report(year, number)
        if fmt == "pdf":
            try:
                body = report.pdf()
            except ReportFontMissing as error:
                return HttpResponse(
                    str(error), status=500, content_type="text/plain; charset=utf-8"
                )
            response = HttpResponse(body, content_type="application/pdf")
            response["Content-Disposition"] = (
                f'inline; filename="monthly-report-{month}.pdf"'
            )
            return response
        if fmt != "html":
            return HttpResponse(
                "形式は html か pdf です。",
                status=404,
                content_type="text/plain; charset=utf-8",
            )
        return HttpResponse(report.html())


# --- GA4 import ------------------------------------------------------------------


class Ga4ImportForm(forms.Form):
    file = forms.FileField(
        label="GA4のCSVファイル",
        help_text="GA4の「レポート」から書き出したCSV（日別、ページ別、参照元別）。"
        "同じ日の取り込み済みの値は置き換えます。",
    )
    dry_run = forms.BooleanField(label="確認だけする（保存しない）", required=False)


class Ga4ImportView(AnalyticsAdminPage, FormView):
    page_title = "Google Analytics 4 の取り込み"
    template_name = "analytics/admin/ga4_import.html"
    form_class = Ga4ImportForm

    def form_valid(self, form):
        from .ga4 import Ga4ImportError, import_ga4_csv

        upload = form.cleaned_data["file"]
        if upload.size > 50 * 1024 * 1024:
            form.add_error("file", "ファイルが大きすぎます（50MBまで）。")
            return self.form_invalid(form)
        try:
            result = import_ga4_csv(upload.read(), dry_run=form.cleaned_data["dry_run"])
        except Ga4ImportError as error:
            for message in error.messages:
                form.add_error("file", message)
            return self.form_invalid(form)
        verb = (
            "確認しました（保存していません）" if result.dry_run else "取り込みました"
        )
        messages.success(
            self.request,
            f"{result.kind_label}を{verb}: {result.first}〜{result.last}、"
            f"{result.rows}行。",
        )
        return redirect("analytics_ga4_import")
