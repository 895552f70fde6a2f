"""A resident books through the ``/reserve/`` pages and the JSON API over HTTP:
availability, the confirmation step, the mails with their .ics, cancelling within
the deadline, CSRF and authentication on every state change."""

import datetime as dt
import json

import pytest
from django.test import Client
from django.utils import timezone
from icalendar import Calendar

from cms.reservations import mail
from cms.reservations.models import Booking, BookingStatus
from cms.reservations.services import BookingDraft, place_booking

from .conftest import RESIDENT_PASSWORD, at

pytestmark = pytest.mark.django_db


def booking_form(gym, day, start=10, end=12, **extra):
    return {
        "unit": gym.half_a.pk,
        "start": f"{day:%Y-%m-%d}T{start:02d}:00",
        "end": at(day, end).isoformat(),
        "purpose": gym.volleyball.pk,
        "headcount": "12",
        "activity": "少年団の練習",
        f"equipment_{gym.nets.pk}": "1",
        "accept_rules": "on",
        **extra,
    }


def test_facility_page_shows_free_and_booked_slots_of_a_day(client, gym, resident, day):
    place_booking(
        BookingDraft.for_resident(
            resident,
            gym.whole,
            starts_at=at(day, 10),
            ends_at=at(day, 11),
            purpose=gym.volleyball,
            headcount=5,
            rules_accepted=True,
        )
    )
    url = f"/reserve/f/{gym.facility.slug}/?unit={gym.half_a.pk}&date={day:%Y-%m-%d}"
    html = client.get(url).content.decode()
    assert "予約済み" in html  # 10:00 is taken by the whole-court booking
    assert f"start={day:%Y-%m-%d}T11%3A00" in html  # 11:00 is free to book
    assert f"start={day:%Y-%m-%d}T10%3A00" not in html


def test_resident_confirms_before_booking_and_gets_a_mail_with_ics(
    resident_client, gym, resident, day, smtp_server, django_capture_on_commit_callbacks
):
    url = f"/reserve/f/{gym.facility.slug}/book/"
    form = resident_client.get(f"{url}?unit={gym.half_a.pk}&start={day:%Y-%m-%d}T10:00")
    assert form.status_code == 200
    assert "上履きを使うこと" in form.content.decode()  # the facility's rules

    confirm = resident_client.post(url, {**booking_form(gym, day), "step": "check"})
    html = confirm.content.decode()
    assert "予約内容の確認" in html
    assert "400円" in html  # A面 2 hours × 200円
    assert Booking.objects.count() == 0  # nothing is booked before confirming

    with django_capture_on_commit_callbacks(execute=True):
        done = resident_client.post(url, {**booking_form(gym, day), "step": "commit"})
    booking = Booking.objects.get()
    assert done.status_code == 302
    assert done["Location"] == f"/reserve/bookings/{booking.number}/?new=1"
    assert (booking.unit, booking.fee_yen, booking.headcount) == (gym.half_a, 400, 12)
    assert booking.equipment_lines.get().quantity == 1

    (message,) = smtp_server.parsed()
    assert booking.number in message["Subject"]
    body = message.get_body(("plain",)).get_content()
    assert "A面（片面）" in body
    assert "取消の期限" in body
    (attachment,) = list(message.iter_attachments())
    assert attachment.get_content_type() == "text/calendar"
    event = Calendar.from_ical(attachment.get_content()).walk("VEVENT")[0]
    assert event.decoded("dtstart") == at(day, 10)
    assert event.decoded("dtend") == at(day, 12)
    assert booking.number in str(event["description"])


def test_missing_rules_consent_is_reported_on_the_form(resident_client, gym, day):
    data = booking_form(gym, day, step="check")
    del data["accept_rules"]
    html = resident_client.post(
        f"/reserve/f/{gym.facility.slug}/book/", data
    ).content.decode()
    assert "遵守事項を確認し、同意してください" in html


def test_a_slot_taken_while_confirming_is_refused_with_a_clear_message(
    resident_client, gym, day
):
    from .conftest import make_resident

    url = f"/reserve/f/{gym.facility.slug}/book/"
    place_booking(
        BookingDraft.for_resident(
            make_resident("quick@example.jp"),
            gym.whole,
            starts_at=at(day, 11),
            ends_at=at(day, 12),
            purpose=gym.volleyball,
            headcount=3,
            rules_accepted=True,
        )
    )
    response = resident_client.post(url, {**booking_form(gym, day), "step": "commit"})
    assert response.status_code == 409
    assert "この時間はすでに予約が入っています" in response.content.decode()
    assert Booking.objects.count() == 1


def test_resident_cancels_within_the_deadline_but_not_after(
    resident_client, gym, resident, day
):
    booking = place_booking(
        BookingDraft.for_resident(
            resident,
            gym.whole,
            starts_at=at(day, 10),
            ends_at=at(day, 11),
            purpose=gym.volleyball,
            headcount=5,
            rules_accepted=True,
        )
    )
    soon = timezone.localdate() + dt.timedelta(days=2)  # inside the 3-day deadline
    late = Booking.objects.create(
        facility=gym.facility,
        unit=gym.half_b,
        starts_at=at(soon, 10),
        ends_at=at(soon, 11),
        resident=resident,
        applicant_name=resident.name,
    )
    response = resident_client.post(f"/reserve/bookings/{booking.number}/cancel/")
    assert response.status_code == 302
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED

    resident_client.post(f"/reserve/bookings/{late.number}/cancel/")
    late.refresh_from_db()
    assert late.status == BookingStatus.CONFIRMED
    page = resident_client.get(f"/reserve/bookings/{late.number}/").content.decode()
    assert "取消の期限" in page


def test_someone_elses_booking_is_not_found(client, gym, resident, day):
    from .conftest import make_resident

    booking = place_booking(
        BookingDraft.for_resident(
            resident,
            gym.whole,
            starts_at=at(day, 10),
            ends_at=at(day, 11),
            purpose=gym.volleyball,
            headcount=5,
            rules_accepted=True,
        )
    )
    other = make_resident("other@example.jp")
    client.post(
        "/reserve/account/login/", {"email": other.email, "password": RESIDENT_PASSWORD}
    )
    assert client.get(f"/reserve/bookings/{booking.number}/").status_code == 404
    assert client.post(f"/reserve/bookings/{booking.number}/cancel/").status_code == 404


def test_pages_refuse_a_post_without_the_csrf_token(resident, gym, day):
    browser = Client(enforce_csrf_checks=True)
    browser.get("/reserve/account/login/")
    response = browser.post(
        "/reserve/account/login/",
        {"email": resident.email, "password": RESIDENT_PASSWORD},
    )
    assert response.status_code == 403


# --- JSON API ------------------------------------------------------------------------


def api_booking(gym, day, unit=None, start=10, end=12):
    return {
        "unit": (unit or gym.half_a).pk,
        "start": at(day, start).isoformat(),
        "end": at(day, end).isoformat(),
        "purpose": gym.volleyball.pk,
        "headcount": 6,
        "accept_rules": True,
    }


def test_availability_json_marks_whole_and_halves(client, gym, resident, day):
    place_booking(
        BookingDraft.for_resident(
            resident,
            gym.half_a,
            starts_at=at(day, 10),
            ends_at=at(day, 12),
            purpose=gym.volleyball,
            headcount=5,
            rules_accepted=True,
        )
    )
    response = client.get(
        f"/api/reservations/facilities/{gym.facility.slug}/availability",
        {"start": f"{day:%Y-%m-%d}", "days": 2},
    )
    assert response.status_code == 200
    data = response.json()
    units = {unit["name"]: unit for unit in data["units"]}
    assert set(units) == {"全面", "A面（片面）", "B面（片面）"}

    def state(name, hour):
        slots = units[name]["days"][0]["slots"]
        return next(
            s["state"] for s in slots if s["start"].startswith(f"{day}T{hour:02d}")
        )

    assert (state("全面", 10), state("A面（片面）", 11), state("B面（片面）", 10)) == (
        "booked",
        "booked",
        "free",
    )
    assert state("全面", 12) == "free"
    assert len(units["全面"]["days"]) == 2


def test_cached_availability_changes_as_soon_as_something_changes(
    client, gym, resident, day
):
    url = f"/api/reservations/facilities/{gym.facility.slug}/availability"
    params = {"start": f"{day:%Y-%m-%d}", "days": 1}

    def whole_at(hour):
        (whole,) = [
            u for u in client.get(url, params).json()["units"] if u["name"] == "全面"
        ]
        slots = whole["days"][0]["slots"]
        return next(
            s["state"] for s in slots if s["start"].startswith(f"{day}T{hour:02d}")
        )

    assert whole_at(10) == "free"
    place_booking(
        BookingDraft.for_resident(
            resident,
            gym.half_b,
            starts_at=at(day, 10),
            ends_at=at(day, 11),
            purpose=gym.volleyball,
            headcount=5,
            rules_accepted=True,
        )
    )
    assert whole_at(10) == "booked"  # not the cached answer of a moment ago
    hours = gym.facility.opening_hours.get(weekday=day.weekday())
    hours.opens = dt.time(10)
    hours.save()
    response = client.get(url, params).json()
    first = response["units"][0]["days"][0]["slots"][0]["start"]
    assert first.startswith(f"{day}T10:00")


def test_booking_api_needs_a_logged_in_resident_and_the_csrf_token(resident, gym, day):
    browser = Client(enforce_csrf_checks=True)
    payload = json.dumps(api_booking(gym, day))
    anonymous = browser.post(
        "/api/reservations/bookings", payload, content_type="application/json"
    )
    assert anonymous.status_code in (401, 403)
    token = browser.get("/api/reservations/csrf").json()["csrf_token"]
    browser.post(
        "/reserve/account/login/",
        {
            "email": resident.email,
            "password": RESIDENT_PASSWORD,
            "csrfmiddlewaretoken": token,
        },
    )
    no_token = browser.post(
        "/api/reservations/bookings", payload, content_type="application/json"
    )
    assert no_token.status_code == 403
    assert Booking.objects.count() == 0
    created = browser.post(
        "/api/reservations/bookings",
        payload,
        content_type="application/json",
        headers={"X-CSRFToken": browser.cookies["csrftoken"].value},
    )
    assert created.status_code == 201, created.content
    assert created.json()["fee_yen"] == 400


def test_booking_api_answers_409_for_a_taken_slot_and_422_for_other_rules(
    resident_client, gym, day
):
    def post(payload):
        return resident_client.post(
            "/api/reservations/bookings",
            json.dumps(payload),
            content_type="application/json",
        )

    assert post(api_booking(gym, day, gym.whole)).status_code == 201
    taken = post(api_booking(gym, day, gym.half_b, 11, 12))
    assert taken.status_code == 409
    assert taken.json()["problems"][0]["code"] == "taken"
    closed_hours = post(api_booking(gym, day, gym.half_b, 20, 22))
    assert closed_hours.status_code == 422
    assert closed_hours.json()["problems"][0]["code"] == "hours"


def test_quote_reports_fee_and_problems_without_booking(resident_client, gym, day):
    response = resident_client.post(
        "/api/reservations/quote",
        json.dumps({**api_booking(gym, day, gym.whole), "accept_rules": False}),
        content_type="application/json",
    )
    data = response.json()
    assert (data["ok"], data["fee_yen"]) == (False, 800)
    assert [p["code"] for p in data["problems"]] == ["rules"]
    assert Booking.objects.count() == 0


def test_booking_api_cancel_and_list(resident_client, gym, day):
    created = resident_client.post(
        "/api/reservations/bookings",
        json.dumps(api_booking(gym, day)),
        content_type="application/json",
    ).json()
    mine = resident_client.get("/api/reservations/bookings").json()
    assert [b["number"] for b in mine] == [created["number"]]
    assert mine[0]["can_cancel"]
    cancelled = resident_client.post(
        f"/api/reservations/bookings/{created['number']}/cancel"
    )
    assert cancelled.json()["status"] == "cancelled"
    assert resident_client.get("/api/reservations/bookings").json() == []


def test_unconfirmed_resident_cannot_book(client, gym, day):
    from .conftest import make_resident

    unconfirmed = make_resident("new@example.jp", confirmed=False)
    client.post(
        "/reserve/account/login/",
        {"email": unconfirmed.email, "password": RESIDENT_PASSWORD},
    )
    response = client.post(
        "/api/reservations/bookings",
        json.dumps(api_booking(gym, day)),
        content_type="application/json",
    )
    assert response.status_code == 403
    assert "メールアドレスの確認" in response.json()["detail"]


# --- Reminders -------------------------------------------------------------------------


def test_reminder_mail_goes_out_once_the_day_before_with_ics(
    gym, resident, smtp_server
):
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    booking = Booking.objects.create(
        facility=gym.facility,
        unit=gym.whole,
        starts_at=at(tomorrow, 18),
        ends_at=at(tomorrow, 20),
        resident=resident,
        applicant_name=resident.name,
        applicant_email=resident.email,
        fee_yen=800,
    )
    Booking.objects.create(  # a staff block is never reminded
        facility=gym.facility,
        unit=gym.half_a,
        starts_at=at(tomorrow, 9),
        ends_at=at(tomorrow, 10),
        kind="block",
        applicant_email="staff@example.jp",
    )
    assert mail.send_reminders() == 1
    assert mail.send_reminders() == 0
    (message,) = smtp_server.parsed()
    assert "明日のご利用予定" in message["Subject"]
    assert booking.number in message["Subject"]
    (attachment,) = list(message.iter_attachments())
    assert attachment.get_filename() == f"yoyaku-{booking.number}.ics"
