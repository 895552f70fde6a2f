"""Placing, changing and cancelling bookings: the one place that writes bookings and
their occupied slots, each in one transaction.

Why a double booking cannot happen:

* On PostgreSQL the exclusion constraint on ``OccupiedSlot`` rejects a second row
  for a unit whose time range overlaps; the losing transaction gets an
  ``IntegrityError``, which becomes the refusal 「この時間はすでに予約が入っています」.
* On SQLite every transaction begins IMMEDIATE (cms.settings), so writers run one at
  a time and the overlap check inside the transaction sees every committed booking.

The rules themselves are in ``rules``; ``assess`` gathers what they need from the
database, so the confirmation screen and the API's quote show exactly what
``place_booking`` would decide.
"""

import datetime as dt
import logging
import random
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from . import oplog
from .models import (
    Booking,
    BookingEquipment,
    BookingKind,
    BookingStatus,
    BookingUnit,
    EntryStatus,
    Equipment,
    LotteryDraw,
    LotteryEntry,
    OccupiedSlot,
    PricingBasis,
    Resident,
    UsagePurpose,
    bump_availability,
    occupied_unit_ids,
)
from .rules import (
    APPLICATIONS,
    JST,
    EquipmentRequest,
    FacilityRules,
    Fee,
    Violation,
    check_cancel,
    check_category,
    check_limits,
    check_lottery,
    check_stock,
    check_times,
    check_window,
    compute_fee,
    lottery_period,
    lottery_phase,
    use_day,
)

logger = logging.getLogger(__name__)

EXCLUSION_CONSTRAINT = "reservations_no_double_booking"
TAKEN = Violation(
    "taken", "この時間はすでに予約が入っています。別の時間をお選びください。"
)


class BookingRefused(Exception):
    def __init__(self, violations: list[Violation]):
        self.violations = list(violations)
        super().__init__(" ".join(v.message for v in self.violations))

    @property
    def codes(self) -> list[str]:
        return [v.code for v in self.violations]


@dataclass
class BookingDraft:
    """A booking as asked for, before it is checked and written."""

    unit: BookingUnit
    starts_at: dt.datetime
    ends_at: dt.datetime
    category: str = ""
    purpose: UsagePurpose | None = None
    headcount: int | None = None
    activity: str = ""
    equipment: dict[int, int] = field(default_factory=dict)  # equipment id → quantity
    resident: Resident | None = None
    applicant_name: str = ""
    applicant_phone: str = ""
    applicant_email: str = ""
    organisation: str = ""
    kind: str = BookingKind.ONLINE
    staff: object = None  # the staff user for counter bookings, changes and blocks
    note: str = ""
    block_reason: str = ""
    rules_accepted: bool = False
    replacing: Booking | None = None  # a booking being changed (its slots don't count)

    @classmethod
    def for_resident(cls, resident: Resident, unit: BookingUnit, **fields):
        return cls(
            unit=unit,
            resident=resident,
            category=resident.category,
            applicant_name=resident.name,
            applicant_phone=resident.phone,
            applicant_email=resident.email,
            organisation=resident.organisation,
            kind=BookingKind.ONLINE,
            **fields,
        )

    @property
    def minutes(self) -> int:
        return int((self.ends_at - self.starts_at).total_seconds() // 60)


@dataclass
class Assessment:
    violations: list[Violation]
    fee: Fee
    warnings: list[Violation] = field(default_factory=list)  # overridden at the counter

    @property
    def ok(self) -> bool:
        return not self.violations


def unit_parts_map(facility_id: int) -> dict[int, list[int]]:
    parts = defaultdict(list)
    for unit_id, parent_id in BookingUnit.objects.filter(
        facility_id=facility_id, part_of__isnull=False
    ).values_list("pk", "part_of_id"):
        parts[parent_id].append(unit_id)
    return parts


def rules_around(facility, start: dt.datetime) -> FacilityRules:
    """The facility's rules with the opening calendar of the days around ``start``
    (enough for overnight hours)."""
    day = start.astimezone(JST).date()
    calendar = facility.calendar_days.filter(
        date__range=(day - dt.timedelta(days=1), day + dt.timedelta(days=1))
    )
    return facility.rules(calendar=calendar)


def conflicting_bookings(unit_ids, start, end, exclude_booking=None):
    rows = OccupiedSlot.objects.filter(
        unit_id__in=unit_ids, starts_at__lt=end, ends_at__gt=start
    )
    if exclude_booking is not None and exclude_booking.pk:
        rows = rows.exclude(booking=exclude_booking)
    return Booking.objects.filter(pk__in=rows.values("booking_id")).select_related(
        "unit"
    )


def _equipment_violations(draft: BookingDraft, occupied_ids, online: bool):
    if not draft.equipment:
        return [], []
    problems, requests = [], []
    items = Equipment.objects.in_bulk(list(draft.equipment))
    for equipment_id, quantity in draft.equipment.items():
        item = items.get(equipment_id)
        if item is None or item.facility_id != draft.unit.facility_id:
            problems.append(Violation("equipment", "選べない備品が含まれています。"))
            continue
        if item.unit_id and item.unit_id not in occupied_ids:
            problems.append(
                Violation("equipment", f"{item.name}はこの室場・面では使えません。")
            )
            continue
        if online and not item.is_public:
            problems.append(
                Violation("equipment", f"{item.name}は窓口でお申し込みください。")
            )
            continue
        uses = BookingEquipment.objects.filter(
            equipment=item,
            booking__status=BookingStatus.CONFIRMED,
            booking__starts_at__lt=draft.ends_at,
            booking__ends_at__gt=draft.starts_at,
        )
        if draft.replacing is not None and draft.replacing.pk:
            uses = uses.exclude(booking=draft.replacing)
        problems += check_stock(
            item.name,
            item.stock,
            quantity,
            uses.values_list("booking__starts_at", "booking__ends_at", "quantity"),
            draft.starts_at,
            draft.ends_at,
        )
        requests.append(
            EquipmentRequest(
                item.name,
                quantity,
                item.price_yen,
                item.pricing == PricingBasis.PER_HOUR,
            )
        )
    return problems, requests


def is_drawn(facility_id: int, day: dt.date) -> bool:
    return LotteryDraw.objects.filter(
        facility_id=facility_id, month=day.replace(day=1)
    ).exists()


def _window_violations(draft, rules, now, applying: bool) -> list[Violation]:
    """The booking window, or for a lottery application its application period. A
    booking placed by the draw was checked when it was applied for."""
    if draft.kind == BookingKind.LOTTERY:
        return []
    day = use_day(rules, draft.starts_at)
    today = now.astimezone(JST).date()
    drawn = rules.lottery is not None and is_drawn(draft.unit.facility_id, day)
    if applying:
        if draft.starts_at <= now:
            return [Violation("past", "過ぎた時間は申し込めません。")]
        if lottery_phase(rules.lottery, day, today, drawn) != APPLICATIONS:
            return [Violation("lottery", "この日は抽選の申込期間ではありません。")]
        return []
    return check_window(rules, draft.starts_at, now) + check_lottery(
        rules.lottery, day, today, drawn
    )


def assess(
    draft: BookingDraft, now: dt.datetime | None = None, *, applying: bool = False
) -> Assessment:
    """Every rule the draft breaks, and its fee. Reads the database, writes nothing.
    ``applying``: the draft is an application to the monthly lottery."""
    now = now or timezone.now()
    unit = draft.unit
    facility = unit.facility
    rules = rules_around(facility, draft.starts_at)
    occupied_ids = occupied_unit_ids(unit.pk, unit_parts_map(facility.pk))
    online = draft.kind in (BookingKind.ONLINE, BookingKind.LOTTERY)
    problems: list[Violation] = []
    requests: list[EquipmentRequest] = []

    if draft.ends_at <= draft.starts_at:
        problems.append(Violation("order", "終了時刻は開始時刻より後にしてください。"))
    elif draft.kind != BookingKind.BLOCK:
        if online and not unit.bookable_online:
            problems.append(
                Violation(
                    "not_online",
                    "この室場・面はインターネットでは予約できません。窓口へお申し込みください。",
                )
            )
        problems += check_times(rules, draft.starts_at, draft.ends_at)
        problems += _window_violations(draft, rules, now, applying)
        problems += check_category(rules, draft.category)
        problems += _purpose_violations(draft)
        if online and facility.rules_text and not draft.rules_accepted:
            problems.append(Violation("rules", "遵守事項を確認し、同意してください。"))
        if unit.capacity and draft.headcount and draft.headcount > unit.capacity:
            problems.append(
                Violation("capacity", f"利用人数は定員（{unit.capacity}人）までです。")
            )
        if draft.resident is not None and not applying:
            problems += _limit_violations(draft, rules, now)
        equipment_problems, requests = _equipment_violations(
            draft, occupied_ids, online
        )
        problems += equipment_problems

    if (
        draft.ends_at > draft.starts_at
        and conflicting_bookings(
            occupied_ids, draft.starts_at, draft.ends_at, draft.replacing
        ).exists()
    ):
        problems.append(TAKEN)

    fee = Fee(())
    if (
        draft.kind != BookingKind.BLOCK
        and draft.category
        and draft.ends_at > draft.starts_at
    ):
        fee = compute_fee(
            unit.hourly_rates,
            draft.category,
            unit.name,
            draft.starts_at,
            draft.ends_at,
            requests,
        )
    if draft.staff is not None:
        warnings = [v for v in problems if v.staff_may_override]
        problems = [v for v in problems if not v.staff_may_override]
        return Assessment(problems, fee, warnings)
    return Assessment(problems, fee)


def _purpose_violations(draft: BookingDraft) -> list[Violation]:
    allowed = list(draft.unit.purposes.all())
    if not allowed:
        return []
    if draft.purpose is None:
        return [Violation("purpose", "利用目的を選んでください。")]
    if draft.purpose not in allowed:
        return [
            Violation(
                "purpose",
                f"{draft.unit.name}は「{draft.purpose.name}」では予約できません。",
            )
        ]
    return []


def _limit_violations(
    draft: BookingDraft, rules: FacilityRules, now
) -> list[Violation]:
    mine = Booking.objects.filter(
        resident=draft.resident,
        facility_id=draft.unit.facility_id,
        status=BookingStatus.CONFIRMED,
    )
    if draft.replacing is not None and draft.replacing.pk:
        mine = mine.exclude(pk=draft.replacing.pk)
    day = use_day(rules, draft.starts_at)
    day_start = dt.datetime.combine(day, dt.time(0), JST)
    minutes_that_day = sum(
        int((end - start).total_seconds() // 60)
        for start, end in mine.filter(
            starts_at__gte=day_start, starts_at__lt=day_start + dt.timedelta(days=1)
        ).values_list("starts_at", "ends_at")
    )
    return check_limits(
        rules,
        active_bookings=mine.filter(ends_at__gt=now).count(),
        booked_minutes_that_day=minutes_that_day,
        requested_minutes=draft.minutes,
    )


def _is_double_booking(error: IntegrityError) -> bool:
    return EXCLUSION_CONSTRAINT in str(error)


def _write_slots(booking: Booking) -> None:
    occupied_ids = occupied_unit_ids(
        booking.unit_id, unit_parts_map(booking.facility_id)
    )
    OccupiedSlot.objects.bulk_create(
        OccupiedSlot(
            booking=booking,
            unit_id=unit_id,
            starts_at=booking.starts_at,
            ends_at=booking.ends_at,
        )
        for unit_id in occupied_ids
    )


def _lock_for(draft: BookingDraft) -> None:
    """Serialise what the exclusion constraint does not cover: one resident's limits
    and an item's stock. (No-ops on SQLite, where the whole transaction is.) The
    facility's availability version is bumped first, so cached availability is
    never served after this booking commits."""
    bump_availability(draft.unit.facility_id)
    if draft.resident is not None:
        list(Resident.objects.select_for_update().filter(pk=draft.resident.pk))
    if draft.equipment:
        list(
            Equipment.objects.select_for_update()
            .filter(pk__in=list(draft.equipment))
            .order_by("pk")
        )


def place_booking(
    draft: BookingDraft, now: dt.datetime | None = None, *, notify: bool = True
) -> Booking:
    """Check and write a booking in one transaction, or raise ``BookingRefused``.
    ``notify``: mail the confirmation (the demo loader says no)."""
    now = now or timezone.now()
    try:
        with transaction.atomic():
            _lock_for(draft)
            assessment = assess(draft, now)
            if not assessment.ok:
                raise BookingRefused(assessment.violations)
            booking = Booking.objects.create(
                facility_id=draft.unit.facility_id,
                unit=draft.unit,
                starts_at=draft.starts_at,
                ends_at=draft.ends_at,
                kind=draft.kind,
                resident=draft.resident,
                applicant_name=draft.applicant_name,
                applicant_phone=draft.applicant_phone,
                applicant_email=draft.applicant_email,
                organisation=draft.organisation,
                category=draft.category,
                purpose=draft.purpose,
                headcount=draft.headcount,
                activity=draft.activity,
                fee_yen=assessment.fee.total,
                fee_lines=[[line.label, line.amount] for line in assessment.fee.lines],
                note=draft.note,
                block_reason=draft.block_reason,
                rules_accepted_at=now if draft.rules_accepted else None,
                created_by=draft.staff,
            )
            BookingEquipment.objects.bulk_create(
                BookingEquipment(booking=booking, equipment_id=item, quantity=quantity)
                for item, quantity in draft.equipment.items()
                if quantity > 0
            )
            _write_slots(booking)
            oplog.record(
                booking,
                {
                    BookingKind.ONLINE: oplog.BOOKED_ONLINE,
                    BookingKind.LOTTERY: oplog.LOTTERY_WON,
                    BookingKind.COUNTER: oplog.BOOKED_AT_COUNTER,
                    BookingKind.BLOCK: oplog.BLOCKED,
                }[draft.kind],
                user=draft.staff,
                resident=draft.resident,
                data={"overridden": [v.message for v in assessment.warnings]},
            )
    except IntegrityError as error:
        if _is_double_booking(error):
            raise BookingRefused([TAKEN]) from error
        raise
    if notify:
        _after_commit_mail(booking, "confirmed")
    return booking


def block_times(
    units, starts_at: dt.datetime, ends_at: dt.datetime, reason: str, staff
) -> list[Booking]:
    """Block units for a period (maintenance, town events): one block per unit, all
    or none. Refused, naming the bookings in the way, when any unit is taken."""
    blocks = []
    try:
        with transaction.atomic():
            for unit in units:
                draft = BookingDraft(
                    unit=unit,
                    starts_at=starts_at,
                    ends_at=ends_at,
                    kind=BookingKind.BLOCK,
                    staff=staff,
                    block_reason=reason,
                    applicant_name=getattr(staff, "get_full_name", lambda: "")(),
                )
                occupied_ids = occupied_unit_ids(
                    unit.pk, unit_parts_map(unit.facility_id)
                )
                in_the_way = list(
                    conflicting_bookings(occupied_ids, starts_at, ends_at)
                )
                if in_the_way:
                    raise BookingRefused(
                        [
                            Violation(
                                "taken",
                                f"{unit.name}: 予約 {b.number}（{b.period_label}・{b.who}）"
                                "と重なっています。先に変更・取消してください。",
                            )
                            for b in in_the_way
                        ]
                    )
                blocks.append(place_booking(draft))
    except IntegrityError as error:
        if _is_double_booking(error):
            raise BookingRefused([TAKEN]) from error
        raise
    return blocks


def change_booking(
    booking: Booking,
    *,
    staff,
    unit: BookingUnit | None = None,
    starts_at: dt.datetime | None = None,
    ends_at: dt.datetime | None = None,
    headcount: int | None = None,
    activity: str | None = None,
    purpose: UsagePurpose | None = None,
    note: str | None = None,
    now: dt.datetime | None = None,
) -> Booking:
    """Staff move or amend a booking (unit, time, details). The old slots are freed
    and the new ones taken in one transaction, so a failed move leaves the booking
    as it was."""
    now = now or timezone.now()
    if not booking.is_active:
        raise BookingRefused(
            [Violation("cancelled", "取り消された予約は変更できません。")]
        )
    before = _snapshot(booking)
    draft = BookingDraft(
        unit=unit or booking.unit,
        starts_at=starts_at or booking.starts_at,
        ends_at=ends_at or booking.ends_at,
        category=booking.category,
        purpose=purpose if purpose is not None else booking.purpose,
        headcount=headcount if headcount is not None else booking.headcount,
        activity=activity if activity is not None else booking.activity,
        equipment={
            line.equipment_id: line.quantity for line in booking.equipment_lines.all()
        },
        resident=booking.resident,
        kind=booking.kind,
        staff=staff,
        replacing=booking,
        rules_accepted=True,
    )
    try:
        with transaction.atomic():
            _lock_for(draft)
            assessment = assess(draft, now)
            if not assessment.ok:
                raise BookingRefused(assessment.violations)
            booking.occupied.all().delete()
            booking.unit = draft.unit
            booking.starts_at, booking.ends_at = draft.starts_at, draft.ends_at
            booking.purpose = draft.purpose
            booking.headcount = draft.headcount
            booking.activity = draft.activity
            if note is not None:
                booking.note = note
            if not booking.is_block:
                booking.fee_yen = assessment.fee.total
                booking.fee_lines = [[x.label, x.amount] for x in assessment.fee.lines]
            booking.reminder_sent_at = None
            booking.save()
            _write_slots(booking)
            oplog.record(
                booking,
                oplog.CHANGED,
                user=staff,
                data={"before": before, "after": _snapshot(booking)},
            )
    except IntegrityError as error:
        if _is_double_booking(error):
            raise BookingRefused([TAKEN]) from error
        raise
    if not booking.is_block:
        _after_commit_mail(booking, "changed")
    return booking


def cancel_booking(
    booking: Booking,
    *,
    staff=None,
    resident: Resident | None = None,
    reason: str = "",
    now: dt.datetime | None = None,
    enforce_deadline: bool = True,
) -> Booking:
    """Cancel a booking. A resident may cancel only their own, within the facility's
    deadline; staff may cancel any."""
    now = now or timezone.now()
    if not booking.is_active:
        raise BookingRefused(
            [Violation("cancelled", "この予約はすでに取り消されています。")]
        )
    if staff is None and (resident is None or booking.resident_id != resident.pk):
        raise BookingRefused([Violation("not_yours", "この予約は取り消せません。")])
    if staff is None and enforce_deadline:
        problems = check_cancel(
            rules_around(booking.facility, booking.starts_at), booking.starts_at, now
        )
        if problems:
            raise BookingRefused(problems)
    with transaction.atomic():
        booking.status = BookingStatus.CANCELLED
        booking.cancelled_at = now
        booking.cancelled_by = staff
        booking.cancel_reason = reason
        booking.save(
            update_fields=["status", "cancelled_at", "cancelled_by", "cancel_reason"]
        )
        booking.occupied.all().delete()
        bump_availability(booking.facility_id)
        oplog.record(
            booking,
            oplog.UNBLOCKED if booking.is_block else oplog.CANCELLED,
            user=staff,
            resident=resident,
            data={"reason": reason},
        )
    if not booking.is_block:
        _after_commit_mail(booking, "cancelled")
    return booking


def delete_resident(resident: Resident, *, staff=None, now=None) -> None:
    """Erase a resident (登録情報の抹消): upcoming bookings are cancelled, past ones
    keep only what the statistics need (category, purpose, headcount)."""
    now = now or timezone.now()
    with transaction.atomic():
        for booking in resident.bookings.filter(
            status=BookingStatus.CONFIRMED, ends_at__gt=now
        ):
            # Leaving cancels everything ahead, whatever the deadlines.
            cancel_booking(
                booking,
                staff=staff,
                resident=resident,
                reason="利用者登録の抹消",
                now=now,
                enforce_deadline=False,
            )
        resident.bookings.update(
            applicant_name="（抹消済みの利用者）",
            applicant_phone="",
            applicant_email="",
            organisation="",
        )
        oplog.record(
            resident,
            oplog.RESIDENT_DELETED,
            user=staff,
            data={"resident": resident.pk},
            label=f"利用者 #{resident.pk}",
        )
        resident.delete()


def _snapshot(booking: Booking) -> dict:
    return {
        "unit": str(booking.unit),
        "starts_at": timezone.localtime(booking.starts_at).isoformat(),
        "ends_at": timezone.localtime(booking.ends_at).isoformat(),
        "headcount": booking.headcount,
        "activity": booking.activity,
        "purpose": str(booking.purpose or ""),
        "fee_yen": booking.fee_yen,
    }


def _after_commit_mail(booking: Booking, event: str) -> None:
    if not (booking.applicant_email or (booking.resident and booking.resident.email)):
        return

    def enqueue():
        from .tasks import send_booking_mail

        try:
            send_booking_mail.enqueue(booking.pk, event)
        except Exception:  # the booking stands; staff see the failure in the log
            logger.exception(
                "could not queue the %s mail of booking %s", event, booking.pk
            )

    transaction.on_commit(enqueue)


def upcoming_bookings(resident: Resident, now=None):
    now = now or timezone.now()
    return (
        Booking.objects.filter(resident=resident, status=BookingStatus.CONFIRMED)
        .filter(Q(ends_at__gt=now))
        .select_related("facility", "unit", "purpose")
        .order_by("starts_at")
    )


# --- Monthly lottery ------------------------------------------------------------------


def apply_for_lottery(
    draft: BookingDraft, now: dt.datetime | None = None
) -> LotteryEntry:
    """Record a resident's application for a lottery slot (nothing is held yet)."""
    now = now or timezone.now()
    try:
        with transaction.atomic():
            _lock_for(draft)
            assessment = assess(draft, now, applying=True)
            if not assessment.ok:
                raise BookingRefused(assessment.violations)
            entry = LotteryEntry.objects.create(
                facility_id=draft.unit.facility_id,
                unit=draft.unit,
                starts_at=draft.starts_at,
                ends_at=draft.ends_at,
                resident=draft.resident,
                purpose=draft.purpose,
                headcount=draft.headcount,
                activity=draft.activity,
                equipment={str(k): v for k, v in draft.equipment.items()},
            )
            oplog.record(entry, oplog.LOTTERY_APPLIED, resident=draft.resident)
    except IntegrityError as error:
        raise BookingRefused(
            [Violation("duplicate", "この時間にはすでに抽選を申し込んでいます。")]
        ) from error
    return entry


def draw_lottery(facility, month: dt.date, *, staff=None, seed: str | None = None):
    """Draw one facility's month: applications in random order each try to become a
    booking through ``place_booking``, so a won slot is held exactly like any other
    booking (and a whole court and its half can never both win). Runs once per
    facility and month; the seed is kept, so a draw can be explained afterwards."""
    import secrets

    month = month.replace(day=1)
    seed = seed or secrets.token_hex(8)
    next_month = (month + dt.timedelta(days=32)).replace(day=1)
    with transaction.atomic():
        draw = LotteryDraw.objects.create(
            facility=facility, month=month, drawn_by=staff, seed=seed
        )
        entries = list(
            LotteryEntry.objects.filter(
                facility=facility,
                status=EntryStatus.APPLIED,
                starts_at__gte=dt.datetime.combine(month, dt.time(0), JST),
                starts_at__lt=dt.datetime.combine(next_month, dt.time(0), JST),
            )
            .select_related("resident", "unit__facility", "purpose")
            .order_by("pk")
        )
        random.Random(seed).shuffle(entries)
        won = 0
        for entry in entries:
            draft = BookingDraft.for_resident(
                entry.resident,
                entry.unit,
                starts_at=entry.starts_at,
                ends_at=entry.ends_at,
                purpose=entry.purpose,
                headcount=entry.headcount,
                activity=entry.activity,
                equipment={int(k): v for k, v in entry.equipment.items()},
                rules_accepted=True,
            )
            draft.kind = BookingKind.LOTTERY
            try:
                with transaction.atomic():
                    entry.booking = place_booking(draft)
                entry.status = EntryStatus.WON
                won += 1
            except BookingRefused:
                entry.status = EntryStatus.LOST
            entry.save(update_fields=["status", "booking"])
            if entry.status == EntryStatus.LOST:
                _after_commit_lottery_mail(entry)
        draw.entries, draw.won = len(entries), won
        draw.save(update_fields=["entries", "won"])
        oplog.record(
            draw,
            oplog.LOTTERY_DRAWN,
            user=staff,
            data={"seed": seed, "entries": len(entries), "won": won},
        )
    return draw


def due_draws(today: dt.date):
    """(facility, month) pairs whose application period has closed and that have
    not been drawn yet."""
    from .models import Facility

    next_month = (today.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
    for facility in Facility.objects.filter(lottery_enabled=True):
        rules = facility.rules(calendar=[])
        period = lottery_period(rules.lottery, next_month)
        if today >= period.draw_day and not is_drawn(facility.pk, next_month):
            yield facility, next_month


def _after_commit_lottery_mail(entry: LotteryEntry) -> None:
    def enqueue():
        from .tasks import send_lottery_mail

        try:
            send_lottery_mail.enqueue(entry.pk)
        except Exception:
            logger.exception("could not queue the lottery mail of entry %s", entry.pk)

    transaction.on_commit(enqueue)
