"""The monthly lottery (抽選): applications in the month before, one draw per
facility and month through the same no-double-booking path as every booking, then
first come, first served."""

import datetime as dt

import pytest
from django.db import IntegrityError
from django.utils import timezone

from cms.reservations.models import Booking, BookingKind, EntryStatus, LotteryEntry
from cms.reservations.rules import JST, LotteryRules, lottery_period
from cms.reservations.services import (
    BookingDraft,
    BookingRefused,
    apply_for_lottery,
    draw_lottery,
    due_draws,
    place_booking,
)

from .conftest import RESIDENT_PASSWORD, at, make_resident

pytestmark = pytest.mark.django_db


@pytest.fixture
def lottery_gym(gym):
    gym.facility.lottery_enabled = True
    gym.facility.lottery_opens_day = 1
    gym.facility.lottery_closes_day = 10
    gym.facility.save()
    return gym


@pytest.fixture
def month():
    """A month far enough ahead that its slots are in the future."""
    return (timezone.localdate() + dt.timedelta(days=45)).replace(day=1)


def period_of(month):
    return lottery_period(LotteryRules(1, 10), month)


def noon(day):
    return dt.datetime.combine(day, dt.time(12), JST)


def draft(gym, resident, unit, day, start, end):
    return BookingDraft.for_resident(
        resident,
        unit,
        starts_at=at(day, start),
        ends_at=at(day, end),
        purpose=gym.volleyball,
        headcount=8,
        rules_accepted=True,
    )


def test_during_applications_residents_apply_and_cannot_book_first_come(
    lottery_gym, resident, month
):
    gym, day = lottery_gym, month.replace(day=15)
    now = noon(period_of(month).opens + dt.timedelta(days=2))
    entry = apply_for_lottery(draft(gym, resident, gym.whole, day, 10, 12), now=now)
    assert entry.status == EntryStatus.APPLIED
    with pytest.raises(BookingRefused) as refused:
        place_booking(draft(gym, resident, gym.half_a, day, 14, 15), now=now)
    assert refused.value.codes == ["lottery"]
    with pytest.raises(BookingRefused) as twice:
        apply_for_lottery(draft(gym, resident, gym.whole, day, 10, 12), now=now)
    assert twice.value.codes == ["duplicate"]


def test_applications_outside_the_period_are_refused(lottery_gym, resident, month):
    gym, day = lottery_gym, month.replace(day=15)
    after = noon(period_of(month).draw_day)
    with pytest.raises(BookingRefused) as refused:
        apply_for_lottery(draft(gym, resident, gym.whole, day, 10, 12), now=after)
    assert refused.value.codes == ["lottery"]


def test_draw_makes_one_booking_per_contested_court_and_tells_the_others(
    lottery_gym, month, smtp_server, django_capture_on_commit_callbacks
):
    gym, day = lottery_gym, month.replace(day=15)
    now = noon(period_of(month).opens + dt.timedelta(days=1))
    people = [make_resident(f"team{n}@example.jp") for n in range(5)]
    for person in people[:3]:  # three teams want the whole court
        apply_for_lottery(draft(gym, person, gym.whole, day, 10, 12), now=now)
    apply_for_lottery(draft(gym, people[3], gym.half_a, day, 11, 12), now=now)
    apply_for_lottery(draft(gym, people[4], gym.half_b, day, 14, 15), now=now)

    with django_capture_on_commit_callbacks(execute=True):
        result = draw_lottery(gym.facility, month, seed="fixed-seed")

    assert (result.entries, result.won) == (5, 2)
    contested = Booking.objects.filter(starts_at__lt=at(day, 13), status="confirmed")
    assert contested.count() == 1  # the whole court and its half never both win
    assert Booking.objects.filter(unit=gym.half_b).get().kind == BookingKind.LOTTERY
    statuses = sorted(LotteryEntry.objects.values_list("status", flat=True))
    assert statuses == ["lost", "lost", "lost", "won", "won"]
    subjects = [m["Subject"] for m in smtp_server.parsed()]
    assert sum("抽選の結果（落選）" in s for s in subjects) == 3
    assert sum("予約を受け付けました" in s for s in subjects) == 2


def test_a_month_is_drawn_only_once(lottery_gym, month):
    draw_lottery(lottery_gym.facility, month)
    with pytest.raises(IntegrityError):
        draw_lottery(lottery_gym.facility, month)


def test_after_the_draw_the_rest_is_first_come(lottery_gym, resident, month):
    gym, day = lottery_gym, month.replace(day=15)
    draw_day = period_of(month).draw_day
    with pytest.raises(BookingRefused) as waiting:
        place_booking(draft(gym, resident, gym.half_b, day, 16, 17), now=noon(draw_day))
    assert waiting.value.codes == ["lottery"]
    assert list(due_draws(draw_day)) == [(gym.facility, month)]
    draw_lottery(gym.facility, month)
    assert list(due_draws(draw_day)) == []
    booking = place_booking(
        draft(gym, resident, gym.half_b, day, 16, 17), now=noon(draw_day)
    )
    assert booking.kind == BookingKind.ONLINE


def test_resident_applies_through_the_pages(client, lottery_gym, resident):
    today = timezone.localdate()
    if today.day > 27:
        pytest.skip("applications close by the 27th at the latest")
    gym = lottery_gym
    gym.facility.lottery_closes_day = max(today.day, 1)
    gym.facility.save()
    day = (today.replace(day=1) + dt.timedelta(days=32)).replace(day=15)
    client.post(
        "/reserve/account/login/",
        {"email": resident.email, "password": RESIDENT_PASSWORD},
    )
    page = client.get(
        f"/reserve/f/{gym.facility.slug}/?unit={gym.whole.pk}&date={day:%Y-%m-%d}"
    ).content.decode()
    assert "抽選に申し込む" in page
    form = {
        "unit": gym.whole.pk,
        "start": f"{day:%Y-%m-%d}T10:00",
        "end": at(day, 12).isoformat(),
        "purpose": gym.volleyball.pk,
        "headcount": "12",
        "accept_rules": "on",
    }
    url = f"/reserve/f/{gym.facility.slug}/book/"
    confirm = client.post(url, {**form, "step": "check"}).content.decode()
    assert "抽選の申込内容の確認" in confirm
    done = client.post(url, {**form, "step": "commit"})
    assert done.status_code == 302
    entry = LotteryEntry.objects.get()
    assert (entry.unit, entry.resident, entry.headcount) == (gym.whole, resident, 12)
    assert not Booking.objects.exists()
    assert "抽選待ち" in client.get("/reserve/mypage/").content.decode()
