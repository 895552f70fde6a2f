"""Availability of a facility's units over a range of days: which slots are free,
booked, blocked or closed. Four queries (facility, units, calendar, occupied slots)
and then pure computation (``day_states``), so the public endpoint stays fast.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.utils import timezone

from .models import (
    Booking,
    BookingKind,
    BookingUnit,
    Facility,
    OccupiedSlot,
    Visibility,
)
from .rules import (
    APPLICATIONS,
    FIRST_COME,
    JST,
    FacilityRules,
    Slot,
    booking_window,
    day_slots,
    lottery_phase,
    opening_day,
)

MAX_DAYS = 31

FREE = "free"  # bookable
BOOKED = "booked"
BLOCKED = "blocked"  # 利用不可 set by staff
UNAVAILABLE = "unavailable"  # past, or outside the online booking window
LOTTERY = "lottery"  # free, taking applications for the monthly lottery


@dataclass(frozen=True)
class SlotState:
    start: dt.datetime
    end: dt.datetime
    state: str
    start_text: str  # ISO 8601, as the JSON API sends it
    end_text: str


@dataclass(frozen=True)
class DayState:
    day: dt.date
    closed_reason: str
    slots: list[SlotState]

    @property
    def free_count(self) -> int:
        return sum(1 for slot in self.slots if slot.state == FREE)

    @property
    def mark(self) -> str:
        """○ many free, △ few free, × none, 休 closed (as town booking sites show)."""
        if self.closed_reason:
            return "休"
        if not self.slots or not self.free_count:
            return "×"
        return "○" if self.free_count * 2 >= len(self.slots) else "△"


@dataclass(frozen=True)
class DayGrid:
    """A day's slots, the same for every unit of the facility: computed once per day
    (with timestamps and ISO texts) rather than once per unit and day."""

    day: dt.date
    closed_reason: str
    slots: list[Slot]
    times: list[tuple[float, float]]
    texts: list[tuple[str, str]]

    @classmethod
    def of(cls, rules: FacilityRules, day: dt.date) -> "DayGrid":
        opening = opening_day(rules, day)
        slots = day_slots(rules, day) if opening.is_open else []
        return cls(
            day,
            opening.closed_reason,
            slots,
            [(s.start.timestamp(), s.end.timestamp()) for s in slots],
            [(s.start.isoformat(), s.end.isoformat()) for s in slots],
        )


def day_states(
    grid: DayGrid,
    taken: list[tuple[float, float, bool]],
    now: dt.datetime,
    window: tuple[dt.datetime, dt.date],
    *,
    respect_window: bool = True,
    lottery: str = FIRST_COME,
) -> DayState:
    """The states of one unit's slots on one day. ``taken``: (start, end, is_block)
    of the rows occupying the unit or any of its parts, as POSIX timestamps
    (comparing floats is many times faster than comparing aware datetimes, and this
    runs for every slot of every unit). ``window``: from ``booking_window``."""
    if grid.closed_reason or not grid.slots:
        return DayState(grid.day, grid.closed_reason, [])
    earliest, latest_day = window
    span_start, span_end = grid.times[0][0], grid.times[-1][1]
    today = [row for row in taken if row[0] < span_end and span_start < row[1]]
    now_ts, earliest_ts = now.timestamp(), earliest.timestamp()
    beyond_window = respect_window and grid.day > latest_day
    states = []
    for slot, (start, end), (start_text, end_text) in zip(
        grid.slots, grid.times, grid.texts, strict=True
    ):
        hits = [block for s, e, block in today if s < end and start < e]
        if hits:
            state = BLOCKED if all(hits) else BOOKED
        elif start <= now_ts:
            state = UNAVAILABLE
        elif lottery == APPLICATIONS:
            state = LOTTERY
        elif lottery != FIRST_COME:
            state = UNAVAILABLE  # before the lottery, or waiting for its draw
        elif respect_window and (start < earliest_ts or beyond_window):
            state = UNAVAILABLE
        else:
            state = FREE
        states.append(SlotState(slot.start, slot.end, state, start_text, end_text))
    return DayState(grid.day, "", states)


@dataclass
class UnitAvailability:
    unit: BookingUnit
    bookable_online: bool
    days: list[DayState]


def facility_availability(
    facility: Facility,
    first_day: dt.date,
    days: int,
    *,
    now: dt.datetime | None = None,
    include_hidden: bool = False,
    respect_window: bool = True,
) -> list[UnitAvailability]:
    """Availability of each unit the public may see (all units for staff) for
    ``days`` days from ``first_day``."""
    now = now or timezone.now()
    days = max(1, min(days, MAX_DAYS))
    last_day = first_day + dt.timedelta(days=days - 1)
    units = list(facility.units.order_by("sort_order", "pk"))
    parts = defaultdict(list)
    for unit in units:
        if unit.part_of_id:
            parts[unit.part_of_id].append(unit.pk)
    shown = [
        unit for unit in units if include_hidden or unit.visibility != Visibility.HIDDEN
    ]
    calendar = facility.calendar_days.filter(
        date__range=(first_day - dt.timedelta(days=1), last_day)
    )
    rules = facility.rules(calendar=calendar)
    range_start = dt.datetime.combine(first_day, dt.time(0), JST)
    range_end = dt.datetime.combine(last_day + dt.timedelta(days=2), dt.time(0), JST)
    rows = OccupiedSlot.objects.filter(
        unit__facility=facility, starts_at__lt=range_end, ends_at__gt=range_start
    ).values_list("unit_id", "starts_at", "ends_at", "booking__kind")
    by_unit = defaultdict(list)
    for unit_id, start, end, kind in rows:
        by_unit[unit_id].append(
            (start.timestamp(), end.timestamp(), kind == BookingKind.BLOCK)
        )
    window = booking_window(rules, now)
    grids = [
        DayGrid.of(rules, first_day + dt.timedelta(days=offset))
        for offset in range(days)
    ]
    phases = {grid.day: FIRST_COME for grid in grids}
    if rules.lottery is not None and respect_window:
        drawn = set(
            facility.draws.filter(
                month__range=(first_day.replace(day=1), last_day)
            ).values_list("month", flat=True)
        )
        today = now.astimezone(JST).date()
        for day in phases:
            phases[day] = lottery_phase(
                rules.lottery, day, today, day.replace(day=1) in drawn
            )

    result = []
    for unit in shown:
        # A unit is taken by rows on itself (its own bookings, and those of any
        # larger unit containing it) and by rows on its parts (their own bookings).
        taken = list(by_unit[unit.pk])
        pending = list(parts[unit.pk])
        while pending:
            part = pending.pop()
            taken += by_unit[part]
            pending += parts[part]
        result.append(
            UnitAvailability(
                unit=unit,
                bookable_online=facility.is_public
                and unit.visibility == Visibility.PUBLIC,
                days=[
                    day_states(
                        grid,
                        taken,
                        now,
                        window,
                        respect_window=respect_window,
                        lottery=phases[grid.day],
                    )
                    for grid in grids
                ],
            )
        )
    return result


def bookings_on(facility: Facility, day: dt.date):
    """The facility's active bookings and blocks starting on ``day`` (for staff)."""
    start = dt.datetime.combine(day, dt.time(0), JST)
    return (
        Booking.objects.filter(
            facility=facility,
            status="confirmed",
            starts_at__lt=start + dt.timedelta(days=1),
            ends_at__gt=start,
        )
        .select_related("unit", "purpose", "resident")
        .order_by("starts_at", "unit__sort_order")
    )
