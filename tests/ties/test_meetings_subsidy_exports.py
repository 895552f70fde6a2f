"""Exchange-meeting capacity, the transport subsidy (eligibility check and an
application with a receipt upload, staff review), the KPI page, the CSV/JSON
handover exports (staff only) and the weekly digest of new matching programs."""

import csv
import datetime as dt
import io
import json

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from cms.ties import kpis, notify, services
from cms.ties.models import (
    Application,
    ApplicationStatus,
    ExchangeMeeting,
    MeetingRegistration,
    SnsFollowerCount,
    SubsidyApplication,
    SubsidyStatus,
)

from .conftest import client_for, make_member, make_program

pytestmark = pytest.mark.django_db


def test_meeting_registration_stops_at_capacity(ties):
    meeting = ExchangeMeeting.objects.create(
        title="オンライン交流会",
        starts_at=timezone.now() + dt.timedelta(days=10),
        online=True,
        capacity=1,
    )
    hanako = client_for(ties.hanako.user)
    index = hanako.get("/ties/").content.decode()
    assert "オンライン交流会" in index and "定員1人（申込み0人）" in index
    hanako.post(f"/ties/meetings/{meeting.pk}/register/")
    hanako.post(f"/ties/meetings/{meeting.pk}/register/")  # twice: still one seat
    response = client_for(ties.jiro.user).post(
        f"/ties/meetings/{meeting.pk}/register/", follow=True
    )
    assert "「オンライン交流会」は定員に達しました。" in response.content.decode()
    assert list(meeting.registrations.values_list("member__name", flat=True)) == [
        "Hanako"
    ]
    past = ExchangeMeeting.objects.create(
        title="終わった会", starts_at=timezone.now() - dt.timedelta(days=1)
    )
    ok, message = services.register_for_meeting(ties.jiro, past)
    assert not ok and "受け付けていません" in message


def accepted(ties):
    return Application.objects.create(
        program=ties.farm,
        member=ties.hanako,
        message="参加します",
        status=ApplicationStatus.ACCEPTED,
    )


def test_eligibility_check_explains_without_logging_in(client, ties):
    html = client.get("/ties/subsidy/", {"prefecture": "東京都", "cost_yen": "8000"})
    html = html.content.decode()
    assert "いまは対象になりません" in html
    assert "関係人口登録（活動中）の方が対象です。" in html
    bad = client.get("/ties/subsidy/", {"prefecture": "", "cost_yen": "abc"})
    html = bad.content.decode()
    assert "お住まいの都道府県を選んでください。" in html
    assert "往復の交通費（円）は数字で入力してください。" in html


def test_subsidy_application_with_a_receipt_and_staff_review(ties, settings):
    hanako = client_for(ties.hanako.user)
    html = hanako.get("/ties/subsidy/", {"prefecture": "東京都", "cost_yen": "8000"})
    assert "受入決定または参加済みのプログラム" in html.content.decode()
    application = accepted(ties)
    html = hanako.get("/ties/subsidy/", {"prefecture": "東京都", "cost_yen": "8000"})
    assert "補助額の見込み: 4,000円" in html.content.decode()

    form = {
        "application": application.pk,
        "trip_date": "2027-01-20",
        "origin": "東京都",
        "cost_yen": "8000",
    }
    wrong = hanako.post(
        "/ties/subsidy/apply/",
        {**form, "receipts": SimpleUploadedFile("r.exe", b"MZ", "application/x")},
    )
    assert "領収書: PDF・JPEG・PNG・HEICのファイルを選んでください。" in (
        wrong.content.decode()
    )
    missing = hanako.post("/ties/subsidy/apply/", form)
    assert "領収書のファイルを選んでください。" in missing.content.decode()
    local = hanako.post(
        "/ties/subsidy/apply/",
        {
            **form,
            "origin": "茨城県",
            "receipts": SimpleUploadedFile("r.pdf", b"%PDF-1.4", "application/pdf"),
        },
    )
    assert "茨城県外にお住まいの方が対象です。" in local.content.decode()
    assert not SubsidyApplication.objects.exists()

    response = hanako.post(
        "/ties/subsidy/apply/",
        {
            **form,
            "receipts": SimpleUploadedFile(
                "receipt.pdf", b"%PDF-1.4 JR", "application/pdf"
            ),
        },
    )
    assert response.status_code == 302
    subsidy = SubsidyApplication.objects.get()
    assert subsidy.amount_yen == 4_000 and subsidy.status == SubsidyStatus.SUBMITTED
    (receipt,) = subsidy.receipts.all()
    assert receipt.file.read() == b"%PDF-1.4 JR"
    assert receipt.file.path.startswith(settings.MEDIA_ROOT)

    services.review_subsidy(subsidy, SubsidyStatus.APPROVED, ties.officer, "確認済み")
    page = hanako.get("/ties/me/").content.decode()
    assert "8000円 → 交付決定" in page


def test_staff_export_everything_as_csv_and_json_and_see_kpis(ties):
    accepted(ties)
    SnsFollowerCount.objects.create(
        month=dt.date(2026, 11, 1), platform="Instagram", followers=1234
    )
    officer = client_for(ties.officer)
    response = officer.get("/admin/ties_kpis/export/members.csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert {r["name"] for r in rows} == {"Hanako", "Jiro"}
    hanako = next(r for r in rows if r["name"] == "Hanako")
    assert hanako["skills"] == "農業、写真" and hanako["regions"] == "水戸市"

    everything = json.loads(officer.get("/admin/ties_kpis/export/all.json").content)
    assert set(everything) >= {"members", "programs", "applications", "subsidies"}
    assert everything["applications"][0]["status_label"] == "受入決定"
    assert {p["title"] for p in everything["programs"]} == {
        "農園の収穫と直売所づくり",
        "子ども科学教室の企画",
    }
    assert officer.get("/admin/ties_kpis/export/nothing.csv").status_code == 404

    page = officer.get("/admin/ties_kpis/").content.decode()
    assert "関係人口のKPI" in page and "Instagram" in page and "1234" in page
    data = kpis.build()
    assert data["members_total"] == 2 and data["matches"] == 1
    assert data["registrations"] == 2 and data["sns"][0][:2] == ("Instagram", 1234)

    # Hosts and members do not reach the exports.
    for user in (ties.mito_host_user, ties.hanako.user):
        response = client_for(user).get("/admin/ties_kpis/export/members.csv")
        assert response.status_code in (302, 403)
        assert "hanako@example.jp" not in response.content.decode()


def test_admin_screens_are_for_ties_staff(ties):
    officer = client_for(ties.officer)
    for url in (
        "/admin/ties_programs/",
        "/admin/ties_members/",
        "/admin/ties_subsidies/",
        "/admin/ties_sns/",
    ):
        assert officer.get(url).status_code == 200, url
    # A host's user has the program list (their own programs) and nothing else.
    host = client_for(ties.mito_host_user)
    assert host.get("/admin/ties_programs/").status_code == 200
    assert host.get("/admin/ties_members/").status_code in (302, 403)
    assert client_for(ties.hanako.user).get("/admin/ties_programs/").status_code == 302


def test_weekly_digest_mails_new_matching_programs_once(ties):
    now = timezone.now()
    make_program(
        ties.mito_host, "新しい農業体験", skills_wanted=["農業"], interests=["食"]
    )
    make_member("Taro", skills=["漁業"])  # nothing matches: no mail
    mail.outbox.clear()
    # Hanako (農業) and Jiro (教育, つくば市) each get the programs that match.
    assert notify.send_weekly_digests(now + dt.timedelta(seconds=1)) == 2
    by_address = {m.to[0]: m for m in mail.outbox}
    assert set(by_address) == {"hanako@example.jp", "jiro@example.jp"}
    assert "子ども科学教室の企画" in by_address["jiro@example.jp"].body
    message = by_address["hanako@example.jp"]
    assert "子ども科学教室の企画" not in message.body
    assert (
        "新しい農業体験" in message.body
        and "おすすめの理由: スキル: 農業" in message.body
    )
    assert "農園の収穫と直売所づくり" in message.body  # also new this week
    mail.outbox.clear()
    assert notify.send_weekly_digests(now + dt.timedelta(seconds=2)) == 0


def test_meeting_attendance_counts_in_the_kpis(ties):
    meeting = ExchangeMeeting.objects.create(
        title="笠間の交流会", starts_at=timezone.now() + dt.timedelta(days=1)
    )
    MeetingRegistration.objects.create(
        meeting=meeting, member=ties.hanako, attended=True
    )
    assert kpis.build()["meeting_attendance"] == 1


def test_the_monthly_report_has_a_ties_section(ties):
    from cms.ties.report import monthly_section

    today = timezone.localdate()
    section = monthly_section(today.year, today.month)
    assert section["title"] == "関係人口"
    summary = dict(section["summary"])
    assert summary["今月の新規登録"] == "2" and summary["活動中のメンバー"] == "2"
    assert "年間目標50人の4%" in section["analysis"][0]
