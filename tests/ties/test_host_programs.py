"""Programs are pages: a host's user writes, saves as draft and publishes their
own organisation's programs in the Wagtail admin (never another's, nor
anything else); staff and the town's editors edit any program there, with words
typed as 「農業、デザイン」; the subsidy review records who reviewed."""

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from cms.ties.models import (
    HostOrganisation,
    ProgramIndexPage,
    ProgramPage,
    ProgramStatus,
    SubsidyApplication,
)
from tests.admin_forms import add_url, denied, edit_url, field_errors, page_form

from .conftest import client_for, make_program

pytestmark = pytest.mark.django_db


def program_form(client, url, **overrides):
    today = timezone.localdate()
    data = {
        "title": "古民家カフェの改修",
        "slug": "kominka-cafe",
        "summary": "空き家を交流の場に変える3日間です。",
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
    # As a dict of lists: the test client posts only the last value of a
    # QueryDict's key, and 関わり方 is a list of checkboxes.
    return dict(page_form(client, url, stream_fields=(), **data).lists())


def test_a_host_writes_a_program_in_the_cms_and_publishes_it(ties):
    host = client_for(ties.mito_host_user)
    folder = ProgramIndexPage.for_municipality(ties.mito)
    home = host.get("/ties/host/").content.decode()
    assert add_url(ProgramPage, folder) in home  # 「水戸市でプログラムを作成する」

    url = add_url(ProgramPage, folder)
    data = program_form(host, url, host=ties.mito_host.pk)
    data["action-publish"] = "1"
    response = host.post(url, data)
    assert response.status_code == 302, field_errors(response, "host")
    program = ProgramPage.objects.get(title="古民家カフェの改修")
    assert program.live and program.host == ties.mito_host
    assert program.municipality == ties.mito
    assert program.url_path.endswith("/towns/mito/ties/kominka-cafe/")
    assert program.skills_wanted == ["大工", "デザイン"]
    assert program.involvements == ["volunteer", "workation"]
    assert program.opened_at is not None  # counts for the weekly digest
    assert program.revisions.count() == 1

    data = program_form(host, edit_url(program), capacity="12")
    assert host.post(edit_url(program), data).status_code == 302  # a draft revision
    program.refresh_from_db()
    assert program.capacity == 10 and program.has_unpublished_changes
    assert (
        "古民家カフェの改修"
        in client_for(ties.hanako.user).get("/ties/").content.decode()
    )


def test_a_hosts_draft_stays_off_the_public_pages(ties):
    host = client_for(ties.mito_host_user)
    url = add_url(ProgramPage, ProgramIndexPage.for_municipality(ties.mito))
    response = host.post(url, program_form(host, url, host=ties.mito_host.pk))
    assert response.status_code == 302
    draft = ProgramPage.objects.get(title="古民家カフェの改修")
    assert not draft.live and draft.opened_at is None
    assert "古民家カフェの改修" not in Client().get("/ties/").content.decode()
    assert Client().get(f"/ties/programs/{draft.pk}/").status_code == 404
    # Published later: new for the weekly digest from then on.
    draft.get_latest_revision().publish()
    draft.refresh_from_db()
    assert draft.live and draft.opened_at is not None
    assert Client().get(f"/ties/programs/{draft.pk}/").status_code == 200


def test_program_form_errors_name_the_field(ties):
    host = client_for(ties.mito_host_user)
    url = add_url(ProgramPage, ProgramIndexPage.for_municipality(ties.mito))
    today = timezone.localdate()
    data = program_form(
        host,
        url,
        host=ties.mito_host.pk,
        ends_on=today.isoformat(),
        deadline=(today + dt.timedelta(days=50)).isoformat(),
    )
    response = host.post(url, data)
    assert response.status_code == 200
    assert field_errors(response, "ends_on") == [
        "終了日: 開始日より後の日付にしてください。"
    ]
    assert field_errors(response, "deadline") == [
        "申込締切: 開始日までの日付にしてください。"
    ]


def test_a_host_cannot_edit_another_hosts_program(ties):
    host = client_for(ties.mito_host_user)
    assert denied(host.get(edit_url(ties.lab)))
    data = program_form(client_for(ties.officer), edit_url(ties.lab), title="乗っ取り")
    data["action-publish"] = "1"
    assert denied(host.post(edit_url(ties.lab), data))
    ties.lab.refresh_from_db()
    assert ties.lab.title == "子ども科学教室の企画"
    # Nor add programs in another municipality's folder, nor touch the folder.
    tsukuba = ProgramIndexPage.for_municipality(ties.tsukuba)
    assert denied(host.get(add_url(ProgramPage, tsukuba)))
    assert denied(host.get(edit_url(ProgramIndexPage.for_municipality(ties.mito))))
    # Nor name another organisation as the host of a new program.
    url = add_url(ProgramPage, ProgramIndexPage.for_municipality(ties.mito))
    html = host.get(url).content.decode()
    assert "水戸のみらい農園" in html and "つくば科学まちづくり" not in html
    data = program_form(host, url, host=ties.tsukuba_host.pk, slug="other")
    assert host.post(url, data).status_code == 200
    assert not ProgramPage.objects.filter(slug="other").exists()
    # Nothing else of the site: another listing, the admin lists of staff.
    assert denied(host.get(edit_url(portal_akiya(ties.mito))))
    assert host.get("/admin/ties_members/").status_code in (302, 403)
    # Members (no host) get no admin at all.
    member = client_for(ties.hanako.user)
    assert member.get(edit_url(ties.farm)).status_code == 302
    assert member.get("/ties/host/").status_code == 403


def test_a_host_lists_and_explores_only_its_own_programs(ties):
    other = make_program(ties.mito_host, "農園の草刈り", publish=False)
    neighbour = make_program(
        HostOrganisation.objects.create(
            name="水戸の商店会", municipality=ties.mito, contact_email="s@example.jp"
        ),
        "商店街の空き店舗活用",
        publish=False,
    )
    host = client_for(ties.mito_host_user)
    listing = host.get("/admin/ties_programs/").content.decode()
    assert "農園の収穫と直売所づくり" in listing and "農園の草刈り" in listing
    assert "商店街の空き店舗活用" not in listing and "子ども科学教室" not in listing
    assert f'href="{edit_url(other)}"' in listing  # the title opens the editor
    folder = ProgramIndexPage.for_municipality(ties.mito)
    explorer = host.get(f"/admin/pages/{folder.pk}/").content.decode()
    assert other.title in explorer and neighbour.title not in explorer
    assert denied(host.get(edit_url(neighbour)))


def test_staff_and_the_towns_editor_edit_any_program_there(ties, portal):
    for client in (client_for(ties.officer), client_for(portal.users["mito-editor"])):
        data = program_form(client, edit_url(ties.farm), skills_wanted="農業、写真")
        data["action-publish"] = "1"
        response = client.post(edit_url(ties.farm), data)
        assert response.status_code == 302, field_errors(response, "host")
        ties.farm.refresh_from_db()
        assert ties.farm.skills_wanted == ["農業", "写真"]
    # The town's editor has no rights on another town's programs.
    editor = client_for(portal.users["mito-editor"])
    assert denied(editor.get(edit_url(ties.lab)))


def portal_akiya(municipality):
    from cms.listings.models import AkiyaListingPage

    return AkiyaListingPage.objects.filter(municipality=municipality).first()


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


def test_a_towns_editor_who_also_works_for_a_host_gets_no_more_elsewhere(ties, portal):
    """つくば市's editor also staffs a 水戸 organisation: they edit つくば's
    programs (their town) and that organisation's, but not 大子町's."""
    editor = portal.users["tsukuba-editor"]
    ties.mito_host.users.add(editor)
    daigo_host = HostOrganisation.objects.create(
        name="大子の観光研究会",
        municipality=portal.municipalities["daigo"],
        contact_email="d@example.jp",
    )
    daigo = make_program(daigo_host, "まち歩きマップづくり")
    client = client_for(editor)
    assert client.get(edit_url(ties.lab)).status_code == 200
    assert client.get(edit_url(ties.farm)).status_code == 200
    assert denied(client.get(edit_url(daigo)))
    folder = ProgramIndexPage.for_municipality(portal.municipalities["daigo"])
    assert denied(client.get(add_url(ProgramPage, folder)))


def test_a_host_deletes_an_unused_program_but_not_one_people_applied_to(ties):
    from cms.ties.models import Application

    host = client_for(ties.mito_host_user)
    spare = make_program(ties.mito_host, "農園の草刈り", publish=False)
    Application.objects.create(program=ties.farm, member=ties.hanako, message="参加")
    assert denied(host.get(f"/admin/pages/{ties.farm.pk}/delete/"))
    assert denied(host.post(f"/admin/pages/{ties.farm.pk}/delete/"))
    assert ProgramPage.objects.filter(pk=ties.farm.pk).exists()
    assert Application.objects.filter(program=ties.farm).exists()
    # Unpublishing takes it off the site and keeps the applications.
    response = host.post(f"/admin/pages/{ties.farm.pk}/unpublish/")
    assert response.status_code == 302
    ties.farm.refresh_from_db()
    assert not ties.farm.live and ties.farm.applications.count() == 1
    assert host.post(f"/admin/pages/{spare.pk}/delete/").status_code == 302
    assert not ProgramPage.objects.filter(pk=spare.pk).exists()
