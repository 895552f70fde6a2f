"""``portal analytics_report --month 2026-10``: the monthly report (HTML and PDF)
of one month, written to files, or e-mailed with ``--email``.

portal analytics_report --month 2026-10                 # monthly-report-2026-10.pdf/.html
portal analytics_report --month 2026-10 --pdf r.pdf --html r.html
portal analytics_report --month 2026-10 --email a@pref.example.jp
portal analytics_report --send-due                       # daily from cron: last month, once
"""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from cms.analytics.mail import send_due_report, send_report
from cms.analytics.queries import parse_month
from cms.analytics.report import ReportFontMissing, build_report


class Command(BaseCommand):
    help = (
        "アクセス解析・チャットボット・メール・空き家・施設予約の月次報告を作ります。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--month", help="対象月（YYYY-MM）")
        parser.add_argument("--pdf", help="PDFの保存先")
        parser.add_argument("--html", help="HTMLの保存先")
        parser.add_argument("--email", nargs="+", help="メールで送る宛先")
        parser.add_argument(
            "--send-due",
            action="store_true",
            help="前月分を未送信なら設定された宛先に送る（cron 用）",
        )

    def handle(
        self,
        *args,
        month=None,
        pdf=None,
        html=None,
        email=None,
        send_due=False,
        **options,
    ):
        if send_due:
            self.stdout.write(send_due_report())
            return
        if not month:
            raise CommandError("--month 2026-10 のように対象月を指定してください。")
        try:
            year, number = parse_month(month)
        except ValueError as error:
            raise CommandError(str(error)) from None
        report = build_report(year, number)
        try:
            if email:
                send_report(report, email)
                self.stdout.write(f"{report.title}を{len(email)}人に送信しました。")
            else:
                name = f"monthly-report-{year:04d}-{number:02d}"
                pdf_path = Path(pdf or f"{name}.pdf")
                html_path = Path(html or f"{name}.html")
                pdf_path.write_bytes(report.pdf())
                html_path.write_text(report.html(), encoding="utf-8")
                self.stdout.write(f"{html_path} と {pdf_path} を作成しました。")
        except ReportFontMissing as error:
            raise CommandError(str(error)) from None
        for key, message in report.failures:
            self.stderr.write(f"「{key}」の集計に失敗しました: {message}")
        self.stdout.write(json.dumps(report.summary(), ensure_ascii=False))
