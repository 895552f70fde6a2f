"""The admin's community screens beyond the viewsets: 「月次レポート」 (the month's
members, activity, engaged topics and KPI progress, the same numbers as the
portal's monthly report) for community managers and staff, and a survey's
results with charts and CSV for prefecture staff."""

import base64

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from cms.core.permissions import can_edit_community_rules, is_community_manager

from . import report, surveys
from .models import Survey


class ManagerView(WagtailAdminTemplateMixin, TemplateView):
    header_icon = "group"

    def get_breadcrumbs_items(self):
        # Without its own item the header showed 「ホーム」, not the page's title.
        return [*self.breadcrumbs_items, {"url": "", "label": self.get_page_title()}]

    def dispatch(self, request, *args, **kwargs):
        if not is_community_manager(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


def _month_from(value: str | None) -> tuple[int, int]:
    today = timezone.localdate()
    try:
        year, month = (int(part) for part in (value or "").split("-", 1))
        if 1 <= month <= 12 and 2000 <= year <= 2100:
            return year, month
    except ValueError:
        pass
    return today.year, today.month


class MonthlyReportView(ManagerView):
    page_title = "コミュニティの月次レポート"
    template_name = "community/admin/report.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        year, month = _month_from(self.request.GET.get("month"))
        data = report.build(year, month)
        chart = (
            report.trend_chart(data)
            if any(
                row["posts"] or row["comments"] or row["reactions"]
                for row in data.trend
            )
            else None
        )
        context.update(
            report=data,
            month_value=f"{year:04d}-{month:02d}",
            chart=base64.b64encode(chart).decode() if chart else "",
        )
        return context


class SurveyResultsView(ManagerView):
    """Results of one survey: counts and a bar chart per choice question, the
    average rating, free answers; CSV export. Prefecture staff only."""

    page_title = "アンケートの結果"
    template_name = "community/admin/survey_results.html"

    def dispatch(self, request, *args, **kwargs):
        if not can_edit_community_rules(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, *args, **kwargs):
        survey = get_object_or_404(Survey, pk=kwargs["pk"])
        if request.GET.get("format") == "csv":
            response = HttpResponse(
                surveys.export_csv(survey), content_type="text/csv; charset=utf-8"
            )
            response["Content-Disposition"] = (
                f'attachment; filename="survey-{survey.pk}.csv"'
            )
            return response
        rows = surveys.results(survey)
        for row in rows:
            if row.get("tally") and row["answers"]:
                png = bar_chart(row["tally"])
                row["chart"] = base64.b64encode(png).decode() if png else ""
        return self.render_to_response(
            self.get_context_data(
                survey=survey,
                rows=rows,
                responses=survey.responses.count(),
            )
        )


def bar_chart(tally) -> bytes | None:
    try:
        from cms.analytics.report import figure_png
    except ImportError:
        return None
    labels = [label for label, _ in tally]
    counts = [count for _, count in tally]

    def draw(axes):
        axes.barh(labels[::-1], counts[::-1], color="#1f5fa8")
        axes.set_xlabel("回答数")

    return figure_png(draw, size=(6.4, 0.5 + 0.35 * len(labels)))
