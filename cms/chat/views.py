"""Admin screens of the chatbot beyond the snippet lists: CSV import and export,
the analytics page (with one-click 「言い換えとして追加」), the log's CSV export and
the monthly report. Staff only (``can_run_chatbot``)."""

import datetime

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views import View
from django.views.generic import FormView, TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from cms.core.permissions import can_run_chatbot

from . import analytics, csv_io
from .analytics import Period
from .models import ChatSettings, FaqAnswer, split_lines
from .report import build_monthly_report, parse_month


class StaffOnlyMixin:
    def dispatch(self, request, *args, **kwargs):
        if not can_run_chatbot(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class ChatAdminPage(StaffOnlyMixin, WagtailAdminTemplateMixin):
    header_icon = "comment"

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.page_title}]


# --- Import and export -----------------------------------------------------------


class FaqImportForm(forms.Form):
    file = forms.FileField(
        label="CSVファイル",
        help_text="UTF-8、見出しは id,question,alternatives,answer,category,url（言い換えは | 区切り）",
    )
    replace = forms.BooleanField(label="CSVにない回答を削除する", required=False)
    dry_run = forms.BooleanField(
        label="確認だけする（保存しない）", required=False, initial=True
    )


class FaqImportView(ChatAdminPage, FormView):
    page_title = "FAQの取り込み（CSV）"
    template_name = "chat/admin/import.html"
    form_class = FaqImportForm

    def form_valid(self, form):
        upload = form.cleaned_data["file"]
        if upload.size > 20 * 1024 * 1024:
            form.add_error("file", "ファイルは20MBまでにしてください。")
            return self.form_invalid(form)
        try:
            text = csv_io.decode(upload.read())
        except UnicodeDecodeError:
            form.add_error(
                "file", "文字コードを読み取れません。UTF-8で保存してください。"
            )
            return self.form_invalid(form)
        report = csv_io.parse_faq_csv(text, csv_io.municipality_lookup())
        if report.ok:
            csv_io.apply_faq_rows(
                report,
                replace=form.cleaned_data["replace"],
                dry_run=form.cleaned_data["dry_run"],
            )
        return self.render_to_response(
            self.get_context_data(
                form=form,
                report=report,
                counts=[(k, v) for k, v in report.counts.items() if v],
                dry_run=form.cleaned_data["dry_run"],
            )
        )


class FaqExportView(StaffOnlyMixin, View):
    def get(self, request):
        text = csv_io.export_faq_csv(
            FaqAnswer.objects.filter(active=True)
            .select_related("category")
            .order_by("key")
        )
        response = HttpResponse(text, content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="faq.csv"'
        return response


# --- Analytics ---------------------------------------------------------------------


def _period_from(request) -> Period:
    try:
        start = datetime.date.fromisoformat(request.GET.get("from", ""))
        end = datetime.date.fromisoformat(request.GET.get("to", ""))
        if start <= end:
            return Period(start, end)
    except ValueError:
        pass
    return Period.last_days(30)


class AnalyticsView(ChatAdminPage, TemplateView):
    page_title = "チャットボットの分析"
    template_name = "chat/admin/analytics.html"

    def get_context_data(self, **kwargs):
        period = _period_from(self.request)
        threshold = ChatSettings.load().confidence_threshold
        groups = analytics.unanswered_groups(period, threshold)
        likely = {
            a.key: a
            for a in FaqAnswer.objects.filter(
                key__in=[g.likely_answer for g in groups if g.likely_answer]
            )
        }
        days = analytics.per_day(period)
        peak = max([d["turns"] for d in days] + [1])
        return super().get_context_data(
            period=period,
            totals=analytics.summary(period),
            days=[{**d, "width": round(100 * d["turns"] / peak)} for d in days],
            months=analytics.per_month(12),
            hits=analytics.hits_per_answer(period),
            questions=analytics.top_questions(period),
            groups=[(g, likely.get(g.likely_answer)) for g in groups],
            attributes=analytics.attribute_breakdown(period),
            this_month=datetime.date.today().strftime("%Y-%m"),
            **kwargs,
        )


class AnalyticsCsvView(StaffOnlyMixin, View):
    def get(self, request):
        period = _period_from(request)
        response = HttpResponse(
            analytics.turns_csv(period), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = (
            f'attachment; filename="chat-log-{period.start}-{period.end}.csv"'
        )
        return response


class AddPhrasingView(StaffOnlyMixin, View):
    """One click from the analytics page: an unanswered question becomes another
    phrasing of an answer, and is answered from then on."""

    def post(self, request):
        answer = get_object_or_404(FaqAnswer, key=request.POST.get("answer", ""))
        phrase = " ".join(request.POST.get("phrase", "").split())[:200]
        if not phrase:
            messages.error(request, "追加する質問が空です。")
        elif phrase in answer.phrasings:
            messages.info(
                request, f"「{phrase}」はすでに「{answer.question}」の言い換えです。"
            )
        else:
            answer.alternatives = "\n".join([*split_lines(answer.alternatives), phrase])
            answer.save(update_fields=["alternatives", "updated_at"])
            messages.success(
                request,
                f"「{phrase}」を「{answer.question}」の言い換えに追加しました。",
            )
        return redirect(request.POST.get("next") or reverse("chat_analytics"))


class MonthlyReportView(StaffOnlyMixin, View):
    def get(self, request, month: str, fmt: str):
        try:
            year, number = parse_month(month)
        except ValueError as error:
            return HttpResponse(
                str(error), status=400, content_type="text/plain; charset=utf-8"
            )
        report = build_monthly_report(year, number)
        if fmt == "pdf":
            response = HttpResponse(report.pdf(), content_type="application/pdf")
            response["Content-Disposition"] = (
                f'inline; filename="chat-report-{month}.pdf"'
            )
            return response
        return HttpResponse(report.html())
