"""The monthly report: sections from every app, the PDF and HTML, the command,
the admin button, and the e-mail to staff on the 1st (real SMTP)."""

import datetime
import importlib.machinery
import io
import sys
import types

import pytest
from django.core.management import call_command
from pypdf import PdfReader

from cms.analytics.mail import send_due_report
from cms.analytics.models import ReportDelivery
from cms.analytics.report import ReportSection, build_report, section_providers

pytestmark = pytest.mark.django_db

EXPECTED_SECTIONS = [
    "サイトのアクセス",
    "チャットボット",
    "メール配信",
    "空き家バンク",
    "施設予約",
]


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_report_has_every_section_with_figures_and_analysis(october):
    report = build_report(2026, 10)
    assert [s.title for s in report.sections] == EXPECTED_SECTIONS
    assert not report.failures
    site = report.section("site")
    assert ("ページビュー", "160") in site.summary
    assert ("ページビュー前月比", "+100.0%") in site.summary
    assert any("前年同月比" in line for line in site.analysis)
    assert any("水戸市" in line for line in site.analysis)
    assert len(site.charts) == 4 and site.charts[0].png.startswith(b"\x89PNG")
    akiya = report.section("listings")
    assert any(label == "全国版への連携" for label, _ in akiya.summary)


def test_pdf_contains_the_expected_sections_in_japanese(october):
    data = build_report(2026, 10).pdf()
    assert data.startswith(b"%PDF")
    text = pdf_text(data)
    assert "月次報告 2026年10月" in text
    for title in EXPECTED_SECTIONS:
        assert title in text
    assert "大子町の古民家" in text
    assert "google.co.jp" in text


def test_html_report_embeds_charts_and_sections(october):
    html = build_report(2026, 10).html()
    for key in ("site", "chat", "mailing", "listings", "reservations"):
        assert f'data-section="{key}"' in html
    assert "data:image/png;base64," in html


def test_report_of_an_empty_month_says_so():
    report = build_report(2025, 1)
    assert report.section("site").analysis == [
        "2025年1月のアクセスの記録はありません。"
    ]
    assert pdf_text(report.pdf()).count("サイトのアクセス") >= 1


def test_an_app_report_module_with_monthly_section_adds_its_section(monkeypatch):
    """A stand-in ``report`` module for an installed app (the mail app being
    built in parallel offers the same function); returned as a plain dict."""
    name = "cms.reservations.report"
    module = types.ModuleType(name)
    module.__spec__ = importlib.machinery.ModuleSpec(name, None)
    module.monthly_section = lambda year, month: {
        "title": "施設予約（アプリ提供）",
        "summary": [("件数", "3")],
        "tables": [{"caption": "表", "header": ["a"], "rows": [["1"]]}],
    }
    monkeypatch.setitem(sys.modules, name, module)
    report = build_report(2026, 10)
    section = report.section("reservations")
    assert isinstance(section, ReportSection)
    assert section.title == "施設予約（アプリ提供）"


def test_mail_section_comes_from_the_mail_apps_monthly_summary(october):
    section = build_report(2026, 10).section("mailing")
    assert section.title == "メール配信"
    assert ("送信数", "0") in section.summary
    assert section.analysis[0].startswith("この月の配信はありませんでした")


def test_no_mail_section_without_the_mail_app_or_its_report(monkeypatch):
    from django.apps import apps

    import cms.mailing.reports

    monkeypatch.delattr(cms.mailing.reports, "monthly_summary")
    assert "mailing" not in dict(section_providers())
    monkeypatch.undo()
    assert "mailing" in dict(section_providers())
    installed = [c for c in apps.get_app_configs() if c.label != "mailing"]
    monkeypatch.setattr(apps, "get_app_configs", lambda: installed)
    assert "mailing" not in dict(section_providers())


def test_a_failing_section_is_reported_not_fatal(monkeypatch, october):
    from cms.analytics import sections

    def broken(year, month):
        raise RuntimeError("データベースに接続できません")

    broken.requires = None
    monkeypatch.setitem(sections.ADAPTERS, "reservations", broken)
    report = build_report(2026, 10)
    assert report.failures == [
        ("reservations", "RuntimeError: データベースに接続できません")
    ]
    assert "集計に失敗しました" in report.html()


def test_command_writes_pdf_and_html(tmp_path, october, capsys):
    pdf, html = tmp_path / "r.pdf", tmp_path / "r.html"
    call_command(
        "analytics_report", "--month", "2026-10", "--pdf", str(pdf), "--html", str(html)
    )
    assert pdf.read_bytes().startswith(b"%PDF")
    assert "サイトのアクセス" in html.read_text(encoding="utf-8")
    assert '"site.ページビュー": "160"' in capsys.readouterr().out


def test_admin_button_serves_pdf_and_html_to_staff(login, october):
    browser = login("pref-admin")
    response = browser.get("/admin/analytics/report/2026-10.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "施設予約" in pdf_text(response.content)
    assert browser.get("/admin/analytics/report/2026-10.html").status_code == 200
    assert browser.get("/admin/analytics/report/2026-1x.html").status_code == 400


def test_report_is_emailed_once_on_the_first(smtp_server, settings, october):
    settings.PORTAL_ANALYTICS = {
        **settings.PORTAL_ANALYTICS,
        "REPORT_RECIPIENTS": ["kikaku@pref.example.jp", "iju@pref.example.jp"],
    }
    first_of_november = datetime.date(2026, 11, 1)
    assert "送信しました" in send_due_report(first_of_november)
    assert "送信済み" in send_due_report(first_of_november)
    assert "送信済み" in send_due_report(datetime.date(2026, 11, 2))
    assert len(smtp_server.messages) == 1
    message = smtp_server.parsed()[0]
    assert "2026年10月" in message["Subject"]
    assert message["To"] == "kikaku@pref.example.jp, iju@pref.example.jp"
    body = message.get_body(("plain",)).get_content()
    assert "ページビュー: 160" in body
    attachments = {part.get_filename(): part for part in message.iter_attachments()}
    assert set(attachments) == {
        "monthly-report-2026-10.pdf",
        "monthly-report-2026-10.html",
    }
    assert attachments["monthly-report-2026-10.pdf"].get_content().startswith(b"%PDF")
    assert ReportDelivery.objects.get().month == datetime.date(2026, 10, 1)


def test_no_recipients_configured_sends_nothing(smtp_server, settings):
    settings.PORTAL_ANALYTICS = {**settings.PORTAL_ANALYTICS, "REPORT_RECIPIENTS": []}
    assert "設定されていない" in send_due_report(datetime.date(2026, 11, 1))
    assert not smtp_server.messages
    assert not ReportDelivery.objects.exists()
