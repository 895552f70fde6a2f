"""The operation log: one screen over Wagtail's audit log with every kind of admin
action (bookings, mail, chatbot answers, site builds, feed syncs, downloads,
logins), searchable and exportable as CSV by prefecture staff and auditors only;
booking details stay with reservation staff. Retention keeps 24 months at least."""

import csv
import datetime as dt
import io

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone
from wagtail.models import ModelLogEntry, PageLogEntry

from cms.core.permissions import AUDITOR_GROUP, RESERVATION_STAFF_GROUP
from cms.ops import oplog
from cms.ops.retention import months_before, purge_operation_log, retention_cutoff
from tests import factories
from tests.chat.conftest import make_answer
from tests.chat.test_admin import edit_url, snippet_form
from tests.reservations.conftest import at, make_gym, make_resident

from .conftest import admin_login

pytestmark = pytest.mark.django_db

URL = "/admin/operation-log/"


def export_rows(client, **query) -> list[dict]:
    response = client.get(URL, {"export": "csv", **query})
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def do_every_kind_of_action(portal, client):
    """As pref-admin (logged in on ``client``) and the system, one of each."""
    from cms.akiya_bank.models import SyncRun
    from cms.mailing import oplog as mailing_oplog
    from cms.publishing.models import BuildRun
    from cms.reservations.services import BookingDraft, place_booking

    staff = portal.users["pref-admin"]
    # A chatbot answer edited in the admin (Wagtail logs snippet edits itself).
    answer = make_answer("ops-log", "移住支援金の申請方法")
    data = snippet_form(client, edit_url(answer), question="移住支援金の申請の流れ")
    assert client.post(edit_url(answer), data).status_code == 302
    # A booking (cms.reservations logs it).
    gym = make_gym("oplog-gym")
    day = timezone.localdate() + dt.timedelta(days=7)
    place_booking(
        BookingDraft.for_resident(
            make_resident("oplog@example.jp"),
            gym.whole,
            starts_at=at(day, 10),
            ends_at=at(day, 12),
            purpose=gym.volleyball,
            headcount=5,
            rules_accepted=True,
        )
    )
    # Mail (cms.mailing logs its own actions).
    mailing_oplog.record_user(staff, mailing_oplog.EXPORTED, data={"rows": 3})
    # A site build requested by staff, then finished.
    run = BuildRun.objects.create(trigger=BuildRun.Trigger.MANUAL, user=staff)
    run.status = BuildRun.Status.SUCCEEDED
    run.finished_at = timezone.now()
    run.save()
    # A feed sync.
    sync = SyncRun.objects.create(trigger="manual", requested_by=staff)
    sync.status = "success"
    sync.finished_at = timezone.now()
    sync.added = 2
    sync.save()
    # A page published by an editor (PageLogEntry).
    event = factories.add_event(
        portal.section("mito", _event_index()), title="ログ確認会"
    )
    assert PageLogEntry.objects.filter(page=event).exists()


def _event_index():
    from cms.listings.models import EventIndexPage

    return EventIndexPage


def test_every_kind_of_action_is_in_the_log_and_the_csv(portal, client):
    admin_login(client, "pref-admin")
    do_every_kind_of_action(portal, client)
    response = client.get(URL)
    assert response.status_code == 200

    rows = export_rows(client)
    actions = {row["操作コード"] for row in rows}
    assert {
        "ops.login",
        "wagtail.edit",
        "reservations.book_online",
        "mailing.export",
        "ops.build_requested",
        "ops.build_finished",
        "ops.feed_sync",
        "wagtail.publish",
    } <= actions, actions
    build = next(r for r in rows if r["操作コード"] == "ops.build_finished")
    assert build["操作"] == "サイト構築の終了"
    assert "succeeded" in build["内容"]
    assert build["操作者"]
    # The first export is itself in the log, with the file's name.
    download = ModelLogEntry.objects.filter(action=oplog.DOWNLOAD).latest("timestamp")
    assert download.data["file"].startswith("operation-log-")


def test_booking_details_are_hidden_from_staff_who_do_not_handle_bookings(
    portal, client
):
    admin_login(client, "pref-admin")
    do_every_kind_of_action(portal, client)
    booking = next(
        r for r in export_rows(client) if r["操作コード"] == "reservations.book_online"
    )
    assert booking["対象"] == "（施設予約担当のみ閲覧できます）"
    assert booking["内容"] == ""

    portal.users["pref-admin"].groups.add(
        Group.objects.get(name=RESERVATION_STAFF_GROUP)
    )
    booking = next(
        r for r in export_rows(client) if r["操作コード"] == "reservations.book_online"
    )
    assert "テスト体育館" in booking["対象"] or booking["内容"]


def test_search_and_filters_narrow_the_log(portal, client):
    admin_login(client, "pref-admin")
    do_every_kind_of_action(portal, client)
    found = export_rows(client, q="ログ確認会")
    assert found and all("ログ確認会" in r["対象"] for r in found)
    builds = export_rows(client, action="ops.build_requested")
    assert {r["操作コード"] for r in builds} == {"ops.build_requested"}
    page = client.get(URL, {"q": "ログ確認会"})
    assert "ログ確認会" in page.content.decode()


def test_only_staff_and_auditors_open_the_log(portal, client, login):
    editor = login("mito-editor")
    assert editor.get(URL).status_code == 302  # Wagtail's "no permission" redirect
    assert editor.get(URL, {"export": "csv"}).status_code == 302
    auditor = factories.make_user(
        "ops-auditor", [Group.objects.get(name=AUDITOR_GROUP)]
    )
    assert auditor
    client.logout()
    client.login(username="ops-auditor", password=factories.PASSWORD)
    assert client.get(URL).status_code == 200
    assert client.get("/admin/pages/").status_code in (302, 403)  # no content rights


def test_reports_menu_shows_the_log_to_staff_only(login, client):
    staff = login("pref-admin")
    assert URL in staff.get("/admin/").content.decode()
    client.logout()
    editor = login("mito-editor")
    assert URL not in editor.get("/admin/").content.decode()


# --- Retention -------------------------------------------------------------------


def test_months_before_handles_month_ends():
    moment = dt.datetime(2026, 3, 31, 12, tzinfo=dt.UTC)
    assert months_before(moment, 1) == dt.datetime(2026, 2, 28, 12, tzinfo=dt.UTC)
    assert months_before(moment, 24) == dt.datetime(2024, 3, 31, 12, tzinfo=dt.UTC)
    assert months_before(moment, 25) == dt.datetime(2024, 2, 29, 12, tzinfo=dt.UTC)


def test_retention_refuses_less_than_24_months():
    with pytest.raises(ValueError):
        retention_cutoff(months=23)


def test_purge_keeps_24_months_and_removes_older_entries(portal):
    user = portal.users["pref-admin"]
    now = timezone.now()
    ages = {"old": 26, "keep": 23}
    for label, months in ages.items():
        oplog.record(user, oplog.LOGIN, user=user, label=f"retention-{label}")
        ModelLogEntry.objects.filter(label=f"retention-{label}").update(
            timestamp=months_before(now, months)
        )
    counts = purge_operation_log(now=now, months=25, dry_run=True)
    assert counts["wagtailcore.ModelLogEntry"] >= 1
    assert ModelLogEntry.objects.filter(label="retention-old").exists()

    purge_operation_log(now=now, months=25)
    assert not ModelLogEntry.objects.filter(label="retention-old").exists()
    assert ModelLogEntry.objects.filter(label="retention-keep").exists()
    assert ModelLogEntry.objects.filter(action=oplog.LOG_PURGED).exists()
