"""The admin screens of the mail tool that are more than a model list: a campaign's
page (preview, test send, send/schedule/cancel/pause/resume, progress), its report
with CSV, the subscriber CSV import (upload → column mapping and dry run → import)
and export, the segment live count, the deliverability check and the monthly
summary."""

import csv
import datetime as dt
import io
import json
import uuid
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from cms.core.permissions import can_manage_mailing

from . import csv_io, deliverability, oplog, reports, sending
from .forms import CampaignActionForm, ImportUploadForm, TestSendForm
from .models import Campaign, CampaignStatus, ConsentMethod
from .rendering import PIXEL_OMITTED_NOTE, CampaignRenderer, too_short_for_pixel
from .segments import SegmentError, describe, subscriber_fields, subscribers_matching
from .segments import validate as validate_rules


class MailingView(WagtailAdminTemplateMixin, TemplateView):
    header_icon = "mail"

    def dispatch(self, request, *args, **kwargs):
        if not can_manage_mailing(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


def _csv_response(rows, filename: str, encoding: str = "utf-8-sig") -> HttpResponse:
    buffer = io.StringIO()
    csv_io.write_csv(rows, buffer, encoding)
    response = HttpResponse(
        buffer.getvalue().encode(encoding, "replace"),
        content_type=f"text/csv; charset={'shift_jis' if encoding == 'cp932' else 'utf-8'}",
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# --- Campaigns ---------------------------------------------------------------------


class CampaignDetailView(MailingView):
    template_name = "mailing/admin/campaign.html"

    def get_page_title(self):
        return f"キャンペーン: {self.campaign.name}"

    def dispatch(self, request, *args, pk, **kwargs):
        self.campaign = get_object_or_404(
            Campaign.objects.select_related("segment", "template"), pk=pk
        )
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        campaign = self.campaign
        context = super().get_context_data(**kwargs)
        recipients = (
            campaign.deliveries.count()
            if campaign.prepared_at
            else campaign.recipients().count()
        )
        context.update(
            campaign=campaign,
            recipients=recipients,
            segment_text=campaign.segment.describe()
            if campaign.segment
            else "配信中の全員",
            progress=sending.progress(campaign),
            warnings=deliverability.sending_warnings() + self._pixel_warning(),
            problems=sending.check_sendable(campaign),
            action_form=kwargs.get("action_form") or CampaignActionForm(),
            test_form=kwargs.get("test_form")
            or TestSendForm(initial={"addresses": self.request.user.email}),
            refresh=campaign.status == CampaignStatus.SENDING,
            statuses=CampaignStatus,
        )
        return context

    def _pixel_warning(self) -> list[str]:
        campaign = self.campaign
        if not (campaign.track_opens and campaign.is_editable):
            return []
        preview = CampaignRenderer(campaign, track=False, sign=False)
        return (
            [PIXEL_OMITTED_NOTE] if too_short_for_pixel(preview.html_template) else []
        )

    def post(self, request, *args, **kwargs):
        campaign = self.campaign
        action = request.POST.get("action")
        try:
            if action == "test":
                form = TestSendForm(request.POST)
                if not form.is_valid():
                    return self.render_to_response(
                        self.get_context_data(test_form=form)
                    )
                count = sending.send_test(campaign, form.cleaned_data["addresses"])
                oplog.record(
                    campaign,
                    oplog.TEST_SENT,
                    user=request.user,
                    data={"to": form.cleaned_data["addresses"]},
                )
                messages.success(request, f"テストメールを{count}通送りました。")
            elif action == "send":
                form = CampaignActionForm(request.POST)
                if not form.is_valid():
                    return self.render_to_response(
                        self.get_context_data(action_form=form)
                    )
                when = form.cleaned_data["scheduled_at"]
                sending.start(campaign, when, request.user)
                oplog.record(
                    campaign,
                    oplog.SCHEDULED,
                    user=request.user,
                    data={"at": campaign.scheduled_at.isoformat()},
                )
                if when and when > timezone.now():
                    messages.success(
                        request,
                        f"{timezone.localtime(when):%Y-%m-%d %H:%M} に送信するよう予約しました。",
                    )
                else:
                    messages.success(
                        request,
                        "送信を開始しました。進み具合はこの画面に表示されます。",
                    )
            elif action == "cancel":
                sending.cancel(campaign)
                oplog.record(campaign, oplog.CANCELLED, user=request.user)
                messages.success(request, "キャンペーンを中止しました。")
            elif action == "unschedule":
                if campaign.status != CampaignStatus.SCHEDULED:
                    raise sending.CampaignNotSendable(
                        "予約中のキャンペーンではありません。"
                    )
                campaign.status = CampaignStatus.DRAFT
                campaign.save(update_fields=["status", "updated_at"])
                messages.success(
                    request,
                    "予約を取り消し、下書きに戻しました（日時を変えて予約し直せます）。",
                )
            elif action == "pause":
                sending.pause(campaign)
                messages.success(request, "送信を一時停止しました。")
            elif action == "resume":
                sending.resume(campaign)
                oplog.record(campaign, oplog.RESUMED, user=request.user)
                messages.success(request, "送信を再開しました。")
        except sending.CampaignNotSendable as error:
            messages.error(request, str(error))
        return redirect("mailing_campaign_detail", pk=campaign.pk)


class CampaignPreviewView(MailingView):
    """The message as a recipient sees it (HTML, or ?part=text)."""

    def get(self, request, pk):
        campaign = get_object_or_404(Campaign, pk=pk)
        message = CampaignRenderer(campaign, track=False, sign=False).message(
            email="preview@example.jp",
            fields={
                "name": "見本 花子",
                "email": "preview@example.jp",
                "prefecture": "東京都",
                "municipality": "世田谷区",
            },
            subscriber_id=None,
            delivery_id=None,
        )
        if request.GET.get("part") == "text":
            return HttpResponse(
                f"件名: {message.subject}\n\n{message.body}",
                content_type="text/plain; charset=utf-8",
            )
        response = HttpResponse(message.alternatives[0][0])
        response["Content-Security-Policy"] = "script-src 'none'"
        return response


class CampaignProgressView(MailingView):
    def get(self, request, pk):
        campaign = get_object_or_404(Campaign, pk=pk)
        return JsonResponse({"status": campaign.status, **sending.progress(campaign)})


class CampaignReportView(MailingView):
    template_name = "mailing/admin/report.html"

    def get(self, request, pk):
        campaign = get_object_or_404(Campaign, pk=pk)
        report = reports.campaign_report(campaign)
        if request.GET.get("download") == "csv":
            oplog.record(
                campaign, oplog.EXPORTED, user=request.user, data={"what": "report"}
            )
            return _csv_response(
                reports.campaign_csv_rows(report), f"campaign-{campaign.pk}-report.csv"
            )
        self.page_title = f"レポート: {campaign.name}"
        peak = max([report.sent, 1])
        bars = [
            (label, value, round(100 * value / peak))
            for label, value in (
                ("送信済み", report.sent),
                ("到達", report.delivered),
                ("開封", report.unique_opens),
                ("クリック", report.unique_clicks),
                ("不達", report.bounced),
                ("配信停止", report.unsubscribes),
            )
        ]
        return self.render_to_response(
            self.get_context_data(campaign=campaign, report=report, bars=bars)
        )


# --- Segments -------------------------------------------------------------------------


class SegmentCountView(MailingView):
    """The live count for the rule builder: POST {"rules": …} → count and words."""

    def post(self, request):
        try:
            rules = json.loads(request.body or b"{}").get("rules") or {
                "op": "and",
                "rules": [],
            }
        except ValueError:
            return JsonResponse(
                {"errors": ["条件の形式が正しくありません。"]}, status=400
            )
        problems = validate_rules(rules, subscriber_fields())
        if problems:
            return JsonResponse({"errors": problems}, status=400)
        try:
            matching = subscribers_matching(rules)
        except SegmentError as error:
            return JsonResponse({"errors": [str(error)]}, status=400)
        from .models import SubscriberStatus

        return JsonResponse(
            {
                "count": matching.filter(status=SubscriberStatus.ACTIVE).count(),
                "all": matching.count(),
                "description": describe(rules),
            }
        )


# --- Import and export -----------------------------------------------------------------


def _upload_dir() -> Path:
    path = Path(settings.VAR_DIR) / "mailing-imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


class ImportView(MailingView):
    page_title = "配信先のCSV取込"
    template_name = "mailing/admin/import.html"

    def get(self, request):
        return self.render_to_response(self.get_context_data(form=ImportUploadForm()))

    def post(self, request):
        step = request.POST.get("step", "upload")
        if step == "upload":
            form = ImportUploadForm(request.POST, request.FILES)
            if not form.is_valid():
                return self.render_to_response(self.get_context_data(form=form))
            upload_id = uuid.uuid4().hex
            (_upload_dir() / f"{upload_id}.csv").write_bytes(
                form.cleaned_data["file"].read()
            )
            return self._preview(
                request, upload_id, form.cleaned_data["consent_note"], None
            )
        upload_id = request.POST.get("upload", "")
        if not upload_id.isalnum():
            raise PermissionDenied
        mapping = request.POST.getlist("mapping")
        consent_note = request.POST.get("consent_note", "")
        if step == "preview":
            return self._preview(request, upload_id, consent_note, mapping)
        # step == "import"
        path = _upload_dir() / f"{upload_id}.csv"
        try:
            report = csv_io.import_subscribers(
                path.read_bytes(),
                mapping=mapping,
                dry_run=False,
                update_existing=request.POST.get("update_existing") == "on",
                consent_method=ConsentMethod.IMPORT,
                consent_note=f"{consent_note}（{request.user.get_username()} がCSV取込）",
            )
        except (csv_io.ImportFileError, FileNotFoundError) as error:
            messages.error(
                request,
                str(error)
                if isinstance(error, csv_io.ImportFileError)
                else "アップロードしたファイルが見つかりません。もう一度アップロードしてください。",
            )
            return redirect("mailing_import:index")
        path.unlink(missing_ok=True)
        oplog.record_user(
            request.user,
            oplog.IMPORTED,
            data={
                "created": report.created,
                "updated": report.updated,
                "errors": len(report.errors),
            },
        )
        return self.render_to_response(self.get_context_data(report=report, done=True))

    def _preview(self, request, upload_id, consent_note, mapping):
        path = _upload_dir() / f"{upload_id}.csv"
        try:
            data = path.read_bytes()
            parsed = csv_io.read_file(data)
            report = csv_io.import_subscribers(
                data, mapping=mapping or parsed.mapping, dry_run=True
            )
        except (csv_io.ImportFileError, FileNotFoundError) as error:
            messages.error(
                request,
                str(error)
                if isinstance(error, csv_io.ImportFileError)
                else "アップロードしたファイルが見つかりません。",
            )
            return redirect("mailing_import:index")
        mapping = mapping or parsed.mapping
        return self.render_to_response(
            self.get_context_data(
                upload=upload_id,
                consent_note=consent_note,
                columns=[
                    {
                        "header": header,
                        "field": mapping[i] if i < len(mapping) else "",
                        "samples": [row[i] for row in parsed.rows[:3] if i < len(row)],
                    }
                    for i, header in enumerate(parsed.header)
                ],
                choices=csv_io.field_choices(),
                report=report,
                errors=report.errors[:200],
            )
        )


class ExportView(MailingView):
    page_title = "配信先のCSV出力"
    template_name = "mailing/admin/export.html"

    def get(self, request):
        encoding = request.GET.get("encoding")
        if encoding in {"utf-8-sig", "cp932"}:
            oplog.record_user(
                request.user, oplog.EXPORTED, data={"what": "subscribers"}
            )
            return _streaming_csv(csv_io.export_rows(), "subscribers.csv", encoding)
        return self.render_to_response(self.get_context_data())


class _Echo:
    def write(self, value):
        return value


def _streaming_csv(rows, filename, encoding):
    writer = csv.writer(_Echo())

    def lines():
        if encoding == "utf-8-sig":
            yield "\ufeff".encode()
        for row in rows:
            yield writer.writerow(row).encode(
                "cp932" if encoding == "cp932" else "utf-8", "replace"
            )

    response = StreamingHttpResponse(
        lines(),
        content_type=f"text/csv; charset={'shift_jis' if encoding == 'cp932' else 'utf-8'}",
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# --- Checks and summaries ---------------------------------------------------------------


class DeliverabilityView(MailingView):
    page_title = "到達性チェック（SPF・DKIM・DMARC）"
    template_name = "mailing/admin/deliverability.html"

    def get(self, request):
        from . import conf

        domain = request.GET.get("domain") or conf.from_domain()
        checks = deliverability.check_domain(domain) if request.GET.get("run") else []
        return self.render_to_response(
            self.get_context_data(domain=domain, checks=checks, ran=bool(checks))
        )


class MonthlySummaryView(MailingView):
    page_title = "月次集計"
    template_name = "mailing/admin/monthly.html"

    def get(self, request):
        today = timezone.localdate()
        months = []
        month = today.replace(day=1)
        for _ in range(12):
            months.append(reports.monthly_summary(month))
            month = (month - dt.timedelta(days=1)).replace(day=1)
        if request.GET.get("download") == "csv":
            rows = [
                [
                    "月",
                    "キャンペーン数",
                    "送信",
                    "到達",
                    "開封",
                    "開封率(%)",
                    "クリック",
                    "クリック率(%)",
                    "不達",
                    "配信停止",
                    "迷惑メール報告",
                    "新規登録",
                    "月末の配信中",
                ]
            ]
            rows += [
                [
                    f"{m.month:%Y-%m}",
                    m.campaigns,
                    m.sent,
                    m.delivered,
                    m.unique_opens,
                    m.open_rate,
                    m.unique_clicks,
                    m.click_rate,
                    m.bounced,
                    m.unsubscribes,
                    m.complaints,
                    m.new_subscribers,
                    m.active_at_end,
                ]
                for m in months
            ]
            return _csv_response(rows, "mail-monthly.csv")
        return self.render_to_response(self.get_context_data(months=months))


def campaign_url(campaign) -> str:
    return reverse("mailing_campaign_detail", args=[campaign.pk])
