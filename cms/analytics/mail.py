"""E-mailing the monthly report to the configured staff: a short text with the
figures and the analysis, the PDF and the HTML attached. ``send_due_report`` runs
daily from cron and sends last month's report once, on the first run of a month
(the 1st), never twice."""

import datetime
import logging

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone

from .conf import conf
from .models import ReportDelivery
from .report import MonthlyReport, build_report

logger = logging.getLogger(__name__)


def report_text(report: MonthlyReport) -> str:
    lines = [f"{report.title}をお送りします（PDFとHTMLを添付）。", ""]
    for section in report.sections:
        lines.append(f"■ {section.title}")
        lines += [f"  {label}: {value}" for label, value in section.summary]
        lines += [f"  {line}" for line in section.analysis]
        lines.append("")
    for key, message in report.failures:
        lines.append(f"※「{key}」の集計に失敗しました: {message}")
    lines.append(f"管理画面: {settings.WAGTAILADMIN_BASE_URL}/admin/analytics/")
    return "\n".join(lines)


def send_report(report: MonthlyReport, recipients: list[str]) -> None:
    month = f"{report.period.start:%Y-%m}"
    message = EmailMessage(
        subject=f"【{settings.WAGTAIL_SITE_NAME}】{report.title}",
        body=report_text(report),
        to=recipients,
    )
    message.attach(f"monthly-report-{month}.pdf", report.pdf(), "application/pdf")
    message.attach(f"monthly-report-{month}.html", report.html(), "text/html")
    message.send()


def previous_month(today: datetime.date) -> tuple[int, int]:
    last = today.replace(day=1) - datetime.timedelta(days=1)
    return last.year, last.month


def send_due_report(today: datetime.date | None = None) -> str:
    """Send last month's report unless it was sent already; says what it did."""
    today = today or timezone.localdate()
    year, month = previous_month(today)
    recipients = list(conf("REPORT_RECIPIENTS"))
    if not recipients:
        return "宛先（PORTAL_ANALYTICS_REPORT_RECIPIENTS）が設定されていないため送信しません。"
    first = datetime.date(year, month, 1)
    with transaction.atomic():
        # The row is the lock: a second cron run waits here, then finds it sent.
        delivery, created = ReportDelivery.objects.select_for_update().get_or_create(
            month=first, defaults={"recipients": ", ".join(recipients)}
        )
        if not created:
            return f"{year}年{month}月の月次報告は送信済みです（{delivery.sent_at:%Y-%m-%d}）。"
        send_report(build_report(year, month), recipients)
    logger.info("monthly report %s-%02d sent to %s", year, month, recipients)
    return f"{year}年{month}月の月次報告を{len(recipients)}人に送信しました。"
