"""Hosts create and edit their own programs on /ties/host/ (never another
host's); staff edit programs in the admin with words typed as 「農業、デザイン」;
the subsidy review records who reviewed."""

import datetime as dt

import pytest
from django.utils import timezone

from cms.ties.models import Program, ProgramStatus, SubsidyApplication

from .conftest import client_for

pytestmark = pytest.mark.django_db


def program_data(**overrides):
    today = timezone.localdate()
    data = {
        "title": "古民家カフェの改修",
        "purpose": "空き家を交流の場にします。",
        "local_issue": "空き家の増加",
        "starts_on": (today + dt.timedelta(days=40)).isoformat(),
        "ends_on": (today + dt.timedelta(days=41)).isoformat(),
        "capacity": "10",
        "skills_wanted": "大工、デザイン",
        "interests": "空き家",
        "involvements": ["volunteer", "workation"],
        "costs_covered": "宿泊費（1泊）",
        "deadline": (today + dt.timedelta(days=30)).isoformat(),
        "status": ProgramStatus.OPEN,
    }
    data.update(overrides)
    return data


def test_a_host_creates_and_edits_its_own_program(ties):
    host = client_for(ties.mito_host_user)
    response = host.post("/ties/host/programs/new/", program_data())
    program = Program.objects.get(title="古民家カフェの改修")
    assert response["Location"] == f"/ties/host/programs/{program.pk}/"
    assert program.host == ties.mito_host and program.municipality == ties.mito
    assert program.skills_wanted == ["大工", "デザイン"]
    assert program.involvements == ["volunteer", "workation"]
    assert program.opened_at is not None  # counts for the weekly digest

    host.post(f"/ties/host/programs/{program.pk}/edit/", program_data(capacity="12"))
    program.refresh_from_db()
    assert program.capacity == 12
    assert (
        "古民家カフェの改修"
        in client_for(ties.hanako.user).get("/ties/").content.decode()
    )


def test_program_form_errors_name_the_field(ties):
    host = client_for(ties.mito_host_user)
    today = timezone.localdate()
    html = host.post(
        "/ties/host/programs/new/",
        program_data(
            title="",
            ends_on=today.isoformat(),
            deadline=(today + dt.timedelta(days=50)).isoformat(),
        ),
    ).content.decode()
    assert "プログラム名を入力してください。" in html
    assert "終了日: 開始日より後の日付にしてください。" in html
    assert "申込締切: 開始日までの日付にしてください。" in html


def test_a_host_cannot_edit_another_hosts_program(ties):
    host = client_for(ties.mito_host_user)
    assert host.get(f"/ties/host/programs/{ties.lab.pk}/edit/").status_code == 403
    response = host.post(
        f"/ties/host/programs/{ties.lab.pk}/edit/", program_data(title="乗っ取り")
    )
    assert response.status_code == 403
    ties.lab.refresh_from_db()
    assert ties.lab.title == "子ども科学教室の企画"
    member = client_for(ties.hanako.user)
    assert member.get("/ties/host/programs/new/").status_code == 403


def test_staff_edit_programs_in_the_admin_with_plain_words(ties):
    officer = client_for(ties.officer)
    data = program_data(skills_wanted="農業、写真")
    data.update(host=ties.mito_host.pk, municipality=ties.mito.pk)
    response = officer.post(f"/admin/ties_programs/edit/{ties.farm.pk}/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    ties.farm.refresh_from_db()
    assert ties.farm.skills_wanted == ["農業", "写真"]


def test_subsidy_review_in_the_admin_records_the_reviewer(ties):
    subsidy = SubsidyApplication.objects.create(
        member=ties.hanako,
        trip_date=timezone.localdate(),
        origin="東京都",
        cost_yen=8000,
        amount_yen=4000,
    )
    officer = client_for(ties.officer)
    response = officer.post(
        f"/admin/ties_subsidies/edit/{subsidy.pk}/",
        {"status": "approved", "amount_yen": "4000", "review_note": "領収書確認"},
    )
    assert response.status_code == 302
    subsidy.refresh_from_db()
    assert subsidy.status == "approved" and subsidy.reviewed_by == ties.officer
    assert subsidy.reviewed_at is not None


def test_guests_read_programs_and_are_invited_to_register(client, ties):
    for url in ("/ties/", "/ties/join/", "/ties/subsidy/"):
        assert client.get(url).status_code == 200, url
    page = client.get(f"/ties/programs/{ties.farm.pk}/").content.decode()
    assert "農園の収穫と直売所づくり" in page and "受入支援" not in page
    assert "関係人口登録をして申し込む" in page
    assert client.post(f"/ties/programs/{ties.farm.pk}/apply/").status_code == 302


def test_staff_pausing_a_member_in_the_admin_takes_them_out_of_the_segment(ties):
    from cms.mailing.models import Segment

    officer = client_for(ties.officer)
    hanako = ties.hanako
    response = officer.post(
        f"/admin/ties_members/edit/{hanako.pk}/",
        {
            "name": hanako.name,
            "prefecture": hanako.prefecture,
            "skills": "農業",
            "interests": "食",
            "regions": [ties.mito.pk],
            "involvements": ["volunteer"],
            "availability": "",
            "status": "paused",
        },
    )
    assert response.status_code == 302, response.content.decode()[:1500]
    emails = {s.email for s in Segment.objects.get(name="関係人口").subscribers()}
    assert "hanako@example.jp" not in emails and "jiro@example.jp" in emails
