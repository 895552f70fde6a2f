"""Placing, changing, cancelling and blocking through ``services``, on the real
database: whole and half courts, stock, limits, the counter's overrides."""

import datetime as dt

import pytest
from django.db import IntegrityError, connection, transaction

from cms.reservations.models import (
    Booking,
    BookingKind,
    BookingStatus,
    OccupiedSlot,
)
from cms.reservations.services import (
    BookingDraft,
    BookingRefused,
    assess,
    block_times,
    cancel_booking,
    change_booking,
    place_booking,
)

from .conftest import at, make_resident

pytestmark = pytest.mark.django_db


def book(gym, resident, unit, day, start, end, **fields):
    fields.setdefault("purpose", gym.volleyball)
    fields.setdefault("headcount", 10)
    fields.setdefault("rules_accepted", True)
    return place_booking(
        BookingDraft.for_resident(
            resident, unit, starts_at=at(day, start), ends_at=at(day, end), **fields
        )
    )


def refused_codes(callable_, *args, **kwargs):
    with pytest.raises(BookingRefused) as refused:
        callable_(*args, **kwargs)
    return refused.value.codes


def test_whole_court_booking_blocks_both_halves(gym, resident, day):
    booking = book(gym, resident, gym.whole, day, 10, 12)
    assert sorted(booking.occupied.values_list("unit_id", flat=True)) == sorted(
        [gym.whole.pk, gym.half_a.pk, gym.half_b.pk]
    )
    other = make_resident("other@example.jp")
    assert refused_codes(book, gym, other, gym.half_a, day, 11, 12) == ["taken"]
    assert refused_codes(book, gym, other, gym.half_b, day, 10, 11) == ["taken"]


def test_half_court_booking_blocks_the_whole_but_not_the_other_half(gym, resident, day):
    book(gym, resident, gym.half_a, day, 10, 12)
    other = make_resident("other@example.jp")
    assert refused_codes(book, gym, other, gym.whole, day, 11, 13) == ["taken"]
    assert book(gym, other, gym.half_b, day, 10, 12).is_active


def test_adjacent_bookings_of_one_unit_are_both_accepted(gym, resident, day):
    book(gym, resident, gym.whole, day, 10, 12)
    assert book(gym, resident, gym.whole, day, 12, 13).is_active


def test_cancelling_frees_the_slot(gym, resident, day):
    booking = book(gym, resident, gym.whole, day, 10, 12)
    cancel_booking(booking, resident=resident)
    assert booking.status == BookingStatus.CANCELLED
    assert not OccupiedSlot.objects.filter(booking=booking).exists()
    assert book(gym, make_resident("x@example.jp"), gym.half_a, day, 10, 11).is_active


def test_fee_is_stored_with_its_lines(gym, day):
    outsider = make_resident("outside@example.jp", category="outside")
    booking = book(gym, outsider, gym.whole, day, 18, 20, equipment={gym.lights.pk: 1})
    assert booking.fee_yen == 800 * 2 + 300 * 2
    assert booking.fee_lines == [
        ["全面（町外・2時間）", 1600],
        ["夜間照明 ×1（2時間）", 600],
    ]


def test_equipment_stock_is_shared_between_overlapping_bookings(gym, resident, day):
    book(gym, resident, gym.half_a, day, 10, 12, equipment={gym.nets.pk: 2})
    other = make_resident("other@example.jp")
    assert refused_codes(
        book, gym, other, gym.half_b, day, 11, 12, equipment={gym.nets.pk: 1}
    ) == ["stock"]
    assert book(gym, other, gym.half_b, day, 12, 13, equipment={gym.nets.pk: 2})


def test_per_user_limit_refuses_the_booking_over_the_limit(gym, resident, day):
    gym.facility.max_active_bookings = 2
    gym.facility.save()
    book(gym, resident, gym.half_a, day, 9, 10)
    book(gym, resident, gym.half_a, day, 10, 11)
    assert refused_codes(book, gym, resident, gym.half_a, day, 11, 12) == [
        "limit_active"
    ]


def test_online_booking_needs_the_rules_accepted_and_an_allowed_purpose(
    gym, resident, day
):
    from cms.reservations.models import UsagePurpose

    tennis, _ = UsagePurpose.objects.get_or_create(name="テニス")
    codes = refused_codes(
        book, gym, resident, gym.whole, day, 9, 10, rules_accepted=False, purpose=tennis
    )
    assert sorted(codes) == ["purpose", "rules"]


def test_units_shown_for_availability_only_are_booked_at_the_counter_only(
    gym, resident, reservation_staff, day
):
    gym.half_b.visibility = "availability"
    gym.half_b.save()
    assert refused_codes(book, gym, resident, gym.half_b, day, 9, 10) == ["not_online"]
    draft = BookingDraft(
        unit=gym.half_b,
        starts_at=at(day, 9),
        ends_at=at(day, 10),
        category="resident",
        purpose=gym.volleyball,
        applicant_name="窓口 太郎",
        kind=BookingKind.COUNTER,
        staff=reservation_staff,
    )
    assert place_booking(draft).kind == BookingKind.COUNTER


def test_counter_may_book_beyond_the_window_but_never_over_a_booking(
    gym, resident, reservation_staff
):
    far = dt.date.today() + dt.timedelta(days=120)
    draft = BookingDraft(
        unit=gym.whole,
        starts_at=at(far, 9),
        ends_at=at(far, 11),
        category="outside",
        purpose=gym.volleyball,
        applicant_name="国富町バレーボール協会",
        kind=BookingKind.COUNTER,
        staff=reservation_staff,
    )
    assessment = assess(draft)
    assert assessment.ok
    assert [w.code for w in assessment.warnings] == ["too_early"]
    booking = place_booking(draft)
    assert booking.created_by == reservation_staff
    draft.unit = gym.half_a
    assert refused_codes(place_booking, draft) == ["taken"]


def test_block_refuses_when_booked_and_blocks_the_halves_when_free(
    gym, resident, reservation_staff, day
):
    booking = book(gym, resident, gym.half_a, day, 10, 11)
    codes = refused_codes(
        block_times, [gym.whole], at(day, 9), at(day, 12), "床の補修", reservation_staff
    )
    assert codes == ["taken"]
    (block,) = block_times(
        [gym.whole], at(day, 13), at(day, 17), "床の補修", reservation_staff
    )
    assert block.kind == BookingKind.BLOCK
    assert refused_codes(book, gym, resident, gym.half_b, day, 14, 15) == ["taken"]
    assert booking.is_active


def test_staff_change_moves_a_booking_and_frees_the_old_time(
    gym, resident, reservation_staff, day
):
    booking = book(gym, resident, gym.whole, day, 10, 12)
    change_booking(
        booking,
        staff=reservation_staff,
        unit=gym.half_a,
        starts_at=at(day, 14),
        ends_at=at(day, 15),
    )
    booking.refresh_from_db()
    assert (booking.unit, booking.starts_at) == (gym.half_a, at(day, 14))
    assert booking.fee_yen == 200
    assert book(gym, make_resident("y@example.jp"), gym.whole, day, 10, 12)


def test_failed_change_leaves_the_booking_as_it_was(
    gym, resident, reservation_staff, day
):
    booking = book(gym, resident, gym.half_a, day, 10, 11)
    book(gym, make_resident("z@example.jp"), gym.half_b, day, 10, 11)
    assert refused_codes(
        change_booking, booking, staff=reservation_staff, unit=gym.whole
    ) == ["taken"]
    booking.refresh_from_db()
    assert booking.unit == gym.half_a
    assert booking.occupied.count() == 1


def test_resident_cannot_cancel_someone_elses_booking(gym, resident, day):
    booking = book(gym, resident, gym.whole, day, 10, 12)
    other = make_resident("other@example.jp")
    assert refused_codes(cancel_booking, booking, resident=other) == ["not_yours"]


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the exclusion constraint is PostgreSQL's"
)
def test_postgresql_refuses_overlapping_rows_even_without_the_application(
    gym, resident, day
):
    booking = book(gym, resident, gym.half_a, day, 10, 12)
    other = Booking.objects.create(
        facility=gym.facility,
        unit=gym.half_a,
        starts_at=at(day, 11),
        ends_at=at(day, 13),
    )
    with (
        pytest.raises(IntegrityError, match="reservations_no_double_booking"),
        transaction.atomic(),
    ):
        OccupiedSlot.objects.create(
            booking=other,
            unit=gym.half_a,
            starts_at=at(day, 11),
            ends_at=at(day, 13),
        )
    # Touching ranges are fine.
    OccupiedSlot.objects.create(
        booking=other, unit=gym.half_a, starts_at=at(day, 12), ends_at=at(day, 13)
    )
    assert booking.occupied.count() == 1
