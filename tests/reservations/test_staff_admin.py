"""Staff screens in the Wagtail admin over HTTP: who gets in (allow and deny),
counter booking, change, cancel, blocked times, the calendar, CSV import and export,
printed lists, yearly counts and the operation log."""

import csv
import io
import json
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from wagtail.models import ModelLogEntry

from cms.reservations import oplog
from cms.reservations.models import Booking, BookingKind, BookingStatus, CalendarDay
from cms.reservations.services import BookingDraft, place_booking
from tests.admin_forms import denied

from .conftest import at

pytestmark = pytest.mark.django_db

STAFF_URLS = [
    "/admin/reservations_calendar/",
    "/admin/reservations_counter/",
    "/admin/reservations_bookings/",
    "/admin/reservations_block/",
    "/admin/reservations_print/",
    "/admin/reservations_counts/",
    "/admin/reservations_export/",
    "/admin/reservations_calendar_import/",
    "/admin/reservations_oplog/",
    "/admin/reservations_facilities/",
    "/admin/reservations_units/",
    "/admin/reservations_residents/",
]


def parse_csv(response) -> list[list[str]]:
    content = (
        b"".join(response.streaming_content) if response.streaming else response.content
    )
    assert content.startswith("\ufeff".encode())  # Excel reads the BOM as UTF-8
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def resident_booking(gym, resident, day, unit=None, start=10, end=12):
    return place_booking(
        BookingDraft.for_resident(
            resident,
            unit or gym.whole,
            starts_at=at(day, start),
            ends_at=at(day, end),
            purpose=gym.volleyball,
            headcount=8,
            rules_accepted=True,
        )
    )


# --- Who gets in -------------------------------------------------------------------


@pytest.mark.parametrize("url", STAFF_URLS)
def test_reservation_staff_open_every_reservations_screen(staff_client, gym, url):
    assert staff_client.get(url).status_code == 200


@pytest.mark.parametrize("username", ["mito-editor", "pref-admin"])
@pytest.mark.parametrize("url", STAFF_URLS)
def test_editors_and_prefecture_staff_are_kept_out(login, gym, username, url):
    assert denied(login(username).get(url))


def admin_menu(client) -> str:
    """The labels of the admin's sidebar menu (drawn from JSON by JavaScript)."""
    html = client.get("/admin/").content.decode()
    props = re.search(
        r'<script id="wagtail-sidebar-props" type="application/json">(.*?)</script>',
        html,
        re.S,
    )
    return json.dumps(json.loads(props.group(1)), ensure_ascii=False)


def test_menu_shows_reservations_only_to_reservation_staff(staff_client, login, gym):
    assert "予約カレンダー" in admin_menu(staff_client)
    assert "予約カレンダー" not in admin_menu(login("pref-admin"))


def test_others_cannot_cancel_a_booking_by_url(login, gym, resident, day):
    booking = resident_booking(gym, resident, day)
    client = login("pref-admin")
    response = client.post(
        f"/admin/reservations/booking-actions/{booking.pk}/cancel/", {"reason": "x"}
    )
    assert denied(response)
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED


def test_anonymous_visitors_are_sent_to_the_login(client, gym):
    response = client.get("/admin/reservations_calendar/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


# --- Counter, change, cancel, block ------------------------------------------------------


def counter_form(gym, day, **extra):
    return {
        "facility": gym.facility.pk,
        "unit": gym.half_b.pk,
        "starts_at": f"{day:%Y-%m-%d}T18:00",
        "ends_at": f"{day:%Y-%m-%d}T20:00",
        "purpose": gym.volleyball.pk,
        "headcount": "15",
        "activity": "町民大会の練習",
        "applicant_name": "木脇 次郎",
        "applicant_phone": "0985-75-7777",
        "organisation": "木脇ママさんバレー",
        "category": "outside",
        f"equipment_{gym.lights.pk}": "1",
        **extra,
    }


def test_staff_book_at_the_counter_after_confirming(
    staff_client, reservation_staff, gym, day
):
    url = "/admin/reservations_counter/"
    check = staff_client.post(url, counter_form(gym, day, step="check"))
    html = check.content.decode()
    assert "この内容で受け付ける" in html
    assert "1400円" in html  # B面 町外 400円×2時間 + 照明 300円×2時間
    assert Booking.objects.count() == 0

    done = staff_client.post(url, counter_form(gym, day, step="commit"))
    assert done.status_code == 302
    booking = Booking.objects.get()
    assert booking.kind == BookingKind.COUNTER
    assert booking.created_by == reservation_staff
    assert (booking.organisation, booking.category, booking.fee_yen) == (
        "木脇ママさんバレー",
        "outside",
        1400,
    )
    entry = ModelLogEntry.objects.get(action=oplog.BOOKED_AT_COUNTER)
    assert entry.user == reservation_staff
    assert entry.object_id == str(booking.pk)


def test_counter_booking_over_an_existing_one_names_the_problem(
    staff_client, gym, resident, day
):
    resident_booking(gym, resident, day, gym.whole, 18, 19)
    response = staff_client.post(
        "/admin/reservations_counter/", counter_form(gym, day, step="commit")
    )
    assert "この時間はすでに予約が入っています" in response.content.decode()
    assert Booking.objects.count() == 1


def test_counter_booking_links_a_registered_resident(staff_client, gym, resident, day):
    staff_client.post(
        "/admin/reservations_counter/",
        counter_form(
            gym, day, step="commit", resident_email=resident.email, applicant_name=""
        ),
    )
    booking = Booking.objects.get()
    assert booking.resident == resident
    assert booking.applicant_email == resident.email


def test_staff_change_a_booking_to_another_time(
    staff_client, reservation_staff, gym, resident, day
):
    booking = resident_booking(gym, resident, day)
    response = staff_client.post(
        f"/admin/reservations/booking-actions/{booking.pk}/change/",
        {
            "unit": gym.half_a.pk,
            "starts_at": f"{day:%Y-%m-%d}T15:00",
            "ends_at": f"{day:%Y-%m-%d}T16:00",
            "purpose": gym.volleyball.pk,
            "headcount": "8",
            "activity": "",
            "note": "電話で時間変更の依頼",
        },
    )
    assert response.status_code == 302
    booking.refresh_from_db()
    assert (booking.unit, booking.starts_at, booking.note) == (
        gym.half_a,
        at(day, 15),
        "電話で時間変更の依頼",
    )
    entry = ModelLogEntry.objects.get(action=oplog.CHANGED)
    assert entry.user == reservation_staff
    assert entry.data["before"]["starts_at"].startswith(f"{day:%Y-%m-%d}T10:00")


def test_staff_cancel_any_booking_even_after_the_residents_deadline(
    staff_client, gym, resident
):
    import datetime as dt

    from django.utils import timezone

    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    booking = Booking.objects.create(
        facility=gym.facility,
        unit=gym.whole,
        starts_at=at(tomorrow, 10),
        ends_at=at(tomorrow, 11),
        resident=resident,
    )
    response = staff_client.post(
        f"/admin/reservations/booking-actions/{booking.pk}/cancel/",
        {"reason": "雨天のため"},
    )
    assert response.status_code == 302
    booking.refresh_from_db()
    assert (booking.status, booking.cancel_reason) == (
        BookingStatus.CANCELLED,
        "雨天のため",
    )
    assert ModelLogEntry.objects.filter(action=oplog.CANCELLED).exists()


def test_staff_block_times_and_the_calendar_shows_them(
    staff_client, gym, resident, day
):
    resident_booking(gym, resident, day, gym.half_a, 10, 11)
    refused = staff_client.post(
        "/admin/reservations_block/",
        {
            "facility": gym.facility.pk,
            "units": [gym.whole.pk],
            "starts_at": f"{day:%Y-%m-%d}T09:00",
            "ends_at": f"{day:%Y-%m-%d}T12:00",
            "reason": "床の補修",
        },
    )
    assert "と重なっています" in refused.content.decode()
    done = staff_client.post(
        "/admin/reservations_block/",
        {
            "facility": gym.facility.pk,
            "units": [gym.whole.pk],
            "starts_at": f"{day:%Y-%m-%d}T13:00",
            "ends_at": f"{day:%Y-%m-%d}T17:00",
            "reason": "床の補修",
        },
    )
    assert done.status_code == 302
    calendar = staff_client.get(
        f"/admin/reservations_calendar/?facility={gym.facility.pk}&date={day:%Y-%m-%d}"
    ).content.decode()
    assert "床の補修" in calendar
    assert "国富 花子" in calendar
    assert ModelLogEntry.objects.filter(action=oplog.BLOCKED).count() == 1


# --- Opening calendar import ----------------------------------------------------------


def upload(text: str, encoding="utf-8"):
    return SimpleUploadedFile("calendar.csv", text.encode(encoding), "text/csv")


def test_calendar_import_reports_every_bad_row_and_saves_nothing(staff_client, gym):
    text = (
        "日付,区分,開館時刻,閉館時刻,備考\n"
        "2026-04-29,休館,,,床の補修\n"
        "2026-13-01,開館,9:00,21:00,\n"
        "2026-05-03,営業,9:00,21:00,\n"
        "2026-05-04,開館,9時,21:00,\n"
    )
    response = staff_client.post(
        "/admin/reservations_calendar_import/",
        {"facility": gym.facility.pk, "file": upload(text)},
    )
    html = response.content.decode()
    assert "3行目: 「日付」" in html
    assert "4行目: 「区分」は 開館 か 休館 と入力してください（営業）" in html
    assert "5行目: 「開館時刻」時刻は 9:00 のように入力してください（9時）" in html
    assert not CalendarDay.objects.exists()


def test_calendar_import_dry_run_then_apply_from_shift_jis(
    staff_client, reservation_staff, gym
):
    text = "2026-04-29,休館,,,床の補修\n2026/5/3,開館,8:00,22:00,大会\n"
    dry = staff_client.post(
        "/admin/reservations_calendar_import/",
        {"facility": gym.facility.pk, "file": upload(text, "cp932"), "dry_run": "on"},
    )
    assert "確認のみ・未保存" in dry.content.decode()
    assert not CalendarDay.objects.exists()
    staff_client.post(
        "/admin/reservations_calendar_import/",
        {"facility": gym.facility.pk, "file": upload(text, "cp932")},
    )
    days = {
        d.date.isoformat(): d for d in CalendarDay.objects.filter(facility=gym.facility)
    }
    assert days["2026-04-29"].is_closed
    assert (days["2026-05-03"].opens.hour, days["2026-05-03"].closes.hour) == (8, 22)
    entry = ModelLogEntry.objects.get(action=oplog.CALENDAR_IMPORTED)
    assert entry.user == reservation_staff
    assert entry.data["created"] == 2


# --- Exports, lists, counts, log ------------------------------------------------------


def test_csv_export_of_facilities_lists_each_unit_with_its_fees(staff_client, gym):
    rows = parse_csv(
        staff_client.get("/admin/reservations_export/?download=facilities")
    )
    header, *body = rows
    assert header[:2] == ["施設区分", "施設名"]
    mine = [row for row in body if row[1] == gym.facility.name]
    assert [(row[13], row[14], row[17], row[20]) for row in mine] == [
        ("全面", "", "400", "800"),
        ("A面（片面）", "全面", "200", "400"),
        ("B面（片面）", "全面", "200", "400"),
    ]


def test_csv_export_of_bookings_for_a_period(
    staff_client, reservation_staff, gym, resident, day
):
    booking = resident_booking(gym, resident, day)
    response = staff_client.get(
        f"/admin/reservations_export/?download=bookings&from={day:%Y-%m-%d}"
        f"&to={day:%Y-%m-%d}&facility={gym.facility.pk}"
    )
    header, *body = parse_csv(response)
    assert header[0] == "予約番号"
    (row,) = body
    assert row[0] == booking.number
    assert row[4:8] == ["全面", f"{day:%Y-%m-%d}", "10:00", "12:00"]
    assert row[8] == "国富 花子"
    outside = staff_client.get(
        "/admin/reservations_export/?download=bookings&from=2020-01-01&to=2020-01-31"
    )
    assert len(parse_csv(outside)) == 1  # header only
    exports = ModelLogEntry.objects.filter(
        action=oplog.EXPORTED, user=reservation_staff
    )
    assert exports.count() == 2


def test_daily_and_monthly_lists_print_the_bookings(staff_client, gym, resident, day):
    booking = resident_booking(gym, resident, day)
    daily = staff_client.get(
        f"/admin/reservations_print/?format=day&date={day:%Y-%m-%d}"
    ).content.decode()
    assert booking.number in daily
    assert "@media print" in daily
    assert "日別予約一覧" in daily
    monthly = staff_client.get(
        f"/admin/reservations_print/?format=month&date={day:%Y-%m-%d}&facility={gym.facility.pk}"
    ).content.decode()
    assert "月間予約一覧" in monthly
    assert booking.number in monthly
    assert "使用料計 800円" in monthly


def test_yearly_counts_by_condition(staff_client, gym, resident, day):
    from .conftest import make_resident

    resident_booking(gym, resident, day, gym.half_a, 9, 10)
    resident_booking(
        gym, make_resident("o@example.jp", category="outside"), day, gym.half_b, 9, 10
    )
    from cms.reservations.reports import fiscal_year_of

    year = fiscal_year_of(day)
    everyone = staff_client.get(f"/admin/reservations_counts/?year={year}")
    assert everyone.context["counts"]["total"] == 2
    outsiders = staff_client.get(
        f"/admin/reservations_counts/?year={year}&category=outside"
    )
    counts = outsiders.context["counts"]
    assert counts["total"] == 1
    assert dict(counts["categories"])["町外"] == 1
    assert "合計 1件" in outsiders.content.decode()


def test_operation_log_lists_and_exports_every_action(
    staff_client, reservation_staff, gym, resident, day
):
    booking = resident_booking(gym, resident, day)  # by the resident, online
    staff_client.post(
        f"/admin/reservations/booking-actions/{booking.pk}/cancel/", {"reason": "重複"}
    )
    page = staff_client.get("/admin/reservations_oplog/").content.decode()
    assert "インターネット予約" in page
    assert "予約取消" in page
    assert "利用者: 国富 花子" in page
    header, *rows = parse_csv(
        staff_client.get("/admin/reservations_oplog/?download=csv")
    )
    assert header == ["日時", "操作", "操作者", "対象", "対象ID", "内容"]
    actions = [(row[1], row[2]) for row in rows]
    assert ("予約取消", reservation_staff.username) in actions
    assert ("インターネット予約", "利用者: 国富 花子") in actions
    only_cancel = staff_client.get(
        f"/admin/reservations_oplog/?download=csv&action={oplog.CANCELLED}"
    )
    assert [row[1] for row in parse_csv(only_cancel)[1:]] == ["予約取消"]
