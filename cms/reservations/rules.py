"""The booking rules as pure functions: opening hours and the slot grid, closed days
(休館日, 年末年始, public holidays), the booking window and deadlines, per-resident
limits, fees by user category and equipment stock.

Nothing here touches the database: ``services`` gathers what the rules need into the
plain values below and turns the ``Violation``s into refusals. Every message is
Japanese and says what the person can do instead.
"""

import datetime as dt
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

import jpholiday
from django.db import models

from cms.core.japanese import WEEKDAYS

JST = ZoneInfo("Asia/Tokyo")


class UserCategory(models.TextChoices):
    """利用者区分: fees and who may book depend on it (spec 表3 No.11, 25)."""

    RESIDENT = "resident", "町内在住"
    WORKER = "worker", "町内在勤"
    STUDENT = "student", "町内在学"
    OUTSIDE = "outside", "町外"


ALL_CATEGORIES = frozenset(UserCategory.values)


@dataclass(frozen=True)
class Violation:
    """One broken rule. ``staff_may_override``: the counter (窓口受付) may book anyway
    (window, deadline, limits), as staff decide case by case; hours, closures and
    overlaps hold for everyone."""

    code: str
    message: str
    staff_may_override: bool = False


# --- Opening days and the slot grid ----------------------------------------------


@dataclass(frozen=True)
class DayHours:
    """Opening hours of one day. ``closes`` at or before ``opens`` means the next day
    (a campsite open 14:00 to 10:00 the next morning)."""

    opens: dt.time
    closes: dt.time

    def span(self, day: dt.date) -> tuple[dt.datetime, dt.datetime]:
        start = dt.datetime.combine(day, self.opens, JST)
        end = dt.datetime.combine(day, self.closes, JST)
        if end <= start:
            end += dt.timedelta(days=1)
        return start, end


@dataclass(frozen=True)
class FacilityRules:
    """What a facility allows, as plain values (built by ``Facility.rules()``)."""

    slot_minutes: int = 60
    # 0 = Monday … 6 = Sunday; a weekday missing from the map is a regular closed day.
    weekly_hours: Mapping[int, DayHours] = field(default_factory=dict)
    # The opening calendar (CSV import): a date maps to its hours, or None when closed.
    # It overrides everything else, so a holiday can be opened explicitly.
    calendar: Mapping[dt.date, DayHours | None] = field(default_factory=dict)
    closed_on_holidays: bool = False
    closed_year_end: bool = True  # 12月29日〜1月3日
    booking_opens_days: int = 60  # online booking opens this many days ahead
    booking_closes_hours: int = 24  # … and closes this many hours before the start
    change_deadline_days: int = 3  # cancel/change until this many days before the day
    residents_may_cancel: bool = True
    max_active_bookings: int = 0  # upcoming bookings per resident; 0 = no limit
    max_hours_per_day: int = 0  # per resident and day at this facility; 0 = no limit
    allowed_categories: frozenset[str] = ALL_CATEGORIES
    lottery: "LotteryRules | None" = None  # monthly lottery, then first come


def is_public_holiday(day: dt.date) -> bool:
    return jpholiday.is_holiday(day)


def holiday_name(day: dt.date) -> str:
    return jpholiday.is_holiday_name(day) or ""


def is_year_end(day: dt.date) -> bool:
    return (day.month == 12 and day.day >= 29) or (day.month == 1 and day.day <= 3)


@dataclass(frozen=True)
class OpeningDay:
    day: dt.date
    hours: DayHours | None
    closed_reason: str = ""  # why there are no hours: 休館日, 祝日（元日）…

    @property
    def is_open(self) -> bool:
        return self.hours is not None


def opening_day(rules: FacilityRules, day: dt.date) -> OpeningDay:
    """The hours a facility keeps on ``day``, or why it is closed."""
    if day in rules.calendar:
        hours = rules.calendar[day]
        return OpeningDay(day, hours, "" if hours else "休館日（開館カレンダー）")
    if rules.closed_year_end and is_year_end(day):
        return OpeningDay(day, None, "年末年始の休館日")
    if rules.closed_on_holidays and is_public_holiday(day):
        return OpeningDay(day, None, f"祝日（{holiday_name(day)}）の休館日")
    hours = rules.weekly_hours.get(day.weekday())
    if hours is None:
        return OpeningDay(day, None, f"定休日（{WEEKDAYS[day.weekday()]}曜日）")
    return OpeningDay(day, hours)


@dataclass(frozen=True)
class Slot:
    start: dt.datetime
    end: dt.datetime


def day_slots(rules: FacilityRules, day: dt.date) -> list[Slot]:
    """The bookable slots of ``day`` (empty when closed). A remainder shorter than a
    slot at closing time is not offered."""
    opening = opening_day(rules, day)
    if not opening.is_open:
        return []
    start, end = opening.hours.span(day)
    step = dt.timedelta(minutes=rules.slot_minutes)
    slots = []
    while start + step <= end:
        slots.append(Slot(start, start + step))
        start += step
    return slots


def use_day(rules: FacilityRules, start: dt.datetime) -> dt.date:
    """The opening day a booking starting at ``start`` belongs to: its own date, or
    the day before when the previous evening's hours run past midnight."""
    local = start.astimezone(JST)
    day = local.date()
    previous = opening_day(rules, day - dt.timedelta(days=1))
    if previous.is_open:
        prev_start, prev_end = previous.hours.span(previous.day)
        if prev_start <= local < prev_end:
            return previous.day
    return day


def check_times(
    rules: FacilityRules, start: dt.datetime, end: dt.datetime
) -> list[Violation]:
    """The booking lies inside opening hours and on the slot grid."""
    if end <= start:
        return [Violation("order", "終了時刻は開始時刻より後にしてください。")]
    day = use_day(rules, start)
    opening = opening_day(rules, day)
    if not opening.is_open:
        label = f"{day.month}月{day.day}日"
        return [Violation("closed", f"{label}は{opening.closed_reason}です。")]
    open_at, close_at = opening.hours.span(day)
    problems = []
    if start < open_at or end > close_at:
        problems.append(
            Violation(
                "hours",
                f"利用できる時間は{open_at:%H:%M}〜{close_at:%H:%M}です。",
            )
        )
    step = rules.slot_minutes * 60
    if (start - open_at).total_seconds() % step or (end - start).total_seconds() % step:
        problems.append(
            Violation(
                "grid",
                f"この施設は{open_at:%H:%M}から{rules.slot_minutes}分単位で予約できます。",
            )
        )
    return problems


# --- Window, deadlines, categories, limits ---------------------------------------


def booking_window(
    rules: FacilityRules, now: dt.datetime
) -> tuple[dt.datetime, dt.date]:
    """Online booking is open for starts after the first value and on days up to the
    second (inclusive)."""
    local_now = now.astimezone(JST)
    earliest = local_now + dt.timedelta(hours=rules.booking_closes_hours)
    latest_day = local_now.date() + dt.timedelta(days=rules.booking_opens_days)
    return earliest, latest_day


def check_window(
    rules: FacilityRules, start: dt.datetime, now: dt.datetime
) -> list[Violation]:
    if start <= now:
        return [Violation("past", "過ぎた時間は予約できません。")]
    earliest, latest_day = booking_window(rules, now)
    day = use_day(rules, start)
    if day > latest_day:
        opens_on = day - dt.timedelta(days=rules.booking_opens_days)
        return [
            Violation(
                "too_early",
                f"この日の予約受付は{opens_on.month}月{opens_on.day}日からです"
                f"（利用日の{rules.booking_opens_days}日前から）。",
                staff_may_override=True,
            )
        ]
    if start < earliest:
        return [
            Violation(
                "too_late",
                f"インターネットでの予約は利用開始の{rules.booking_closes_hours}時間前までです。"
                "窓口または電話でご相談ください。",
                staff_may_override=True,
            )
        ]
    return []


def check_category(rules: FacilityRules, category: str) -> list[Violation]:
    if category in rules.allowed_categories:
        return []
    allowed = "・".join(
        label
        for value, label in UserCategory.choices
        if value in rules.allowed_categories
    )
    return [
        Violation(
            "category",
            f"この施設を予約できるのは{allowed}の方です。",
            staff_may_override=True,
        )
    ]


def check_limits(
    rules: FacilityRules,
    *,
    active_bookings: int,
    booked_minutes_that_day: int,
    requested_minutes: int,
) -> list[Violation]:
    """Per-resident limits: upcoming bookings in all, and hours per day here."""
    problems = []
    if rules.max_active_bookings and active_bookings >= rules.max_active_bookings:
        problems.append(
            Violation(
                "limit_active",
                f"予約できるのは同時に{rules.max_active_bookings}件までです。"
                "利用が終わるか取り消すと、次の予約ができます。",
                staff_may_override=True,
            )
        )
    limit = rules.max_hours_per_day * 60
    if limit and booked_minutes_that_day + requested_minutes > limit:
        left = max(0, limit - booked_minutes_that_day)
        problems.append(
            Violation(
                "limit_hours",
                f"この施設は1日{rules.max_hours_per_day}時間まで予約できます"
                f"（この日はあと{_hours_text(left)}）。",
                staff_may_override=True,
            )
        )
    return problems


def change_deadline(rules: FacilityRules, start: dt.datetime) -> dt.datetime:
    """Until when a resident may cancel or change: the end of the day
    ``change_deadline_days`` before the day of use (「利用日の3日前まで」), never
    after the start."""
    day = start.astimezone(JST).date()
    last_day = day - dt.timedelta(days=rules.change_deadline_days)
    deadline = dt.datetime.combine(last_day + dt.timedelta(days=1), dt.time(0), JST)
    return min(deadline, start)


def check_cancel(
    rules: FacilityRules, start: dt.datetime, now: dt.datetime
) -> list[Violation]:
    """May a resident cancel their own booking now? (Staff always may.)"""
    if not rules.residents_may_cancel:
        return [
            Violation(
                "no_cancel",
                "この施設の予約はインターネットでは取り消せません。窓口へご連絡ください。",
            )
        ]
    if now >= start:
        return [Violation("started", "利用開始後は取り消せません。")]
    deadline = change_deadline(rules, start)
    if now >= deadline:
        last = deadline - dt.timedelta(seconds=1)
        return [
            Violation(
                "cancel_deadline",
                f"取消の期限（{last.astimezone(JST):%m月%d日 %H:%M}）を過ぎています。"
                "窓口へご連絡ください。",
            )
        ]
    return []


# --- Monthly lottery (抽選) ---------------------------------------------------------


@dataclass(frozen=True)
class LotteryRules:
    """A facility whose popular slots are drawn by lot: the slots of a month take
    applications from ``opens_day`` to ``closes_day`` of the month before; the draw
    runs the day after, and what is left is then booked first come, first served."""

    opens_day: int = 1
    closes_day: int = 10


@dataclass(frozen=True)
class LotteryPeriod:
    month: dt.date  # first day of the month whose slots are drawn
    opens: dt.date
    closes: dt.date
    draw_day: dt.date


def lottery_period(lottery: LotteryRules, day: dt.date) -> LotteryPeriod:
    month = day.replace(day=1)
    before = (month - dt.timedelta(days=1)).replace(day=1)
    closes = before.replace(day=lottery.closes_day)
    return LotteryPeriod(
        month,
        before.replace(day=lottery.opens_day),
        closes,
        closes + dt.timedelta(days=1),
    )


BEFORE_LOTTERY = "before"
APPLICATIONS = "applications"
AWAITING_DRAW = "awaiting_draw"
FIRST_COME = "first_come"


def lottery_phase(
    lottery: LotteryRules | None, day: dt.date, today: dt.date, drawn: bool
) -> str:
    """Where booking the slots of ``day`` stands on ``today``."""
    if lottery is None:
        return FIRST_COME
    period = lottery_period(lottery, day)
    if today < period.opens:
        return BEFORE_LOTTERY
    if today <= period.closes:
        return APPLICATIONS
    return FIRST_COME if drawn else AWAITING_DRAW


def check_lottery(
    lottery: LotteryRules | None, day: dt.date, today: dt.date, drawn: bool
) -> list[Violation]:
    """First-come booking of a lottery month opens only after its draw."""
    phase = lottery_phase(lottery, day, today, drawn)
    if phase == FIRST_COME:
        return []
    period = lottery_period(lottery, day)
    when = f"{period.opens.month}月{period.opens.day}日〜{period.closes.month}月{period.closes.day}日"
    messages = {
        BEFORE_LOTTERY: f"{period.month.month}月分は抽選です。{when}に抽選へお申し込みください。",
        APPLICATIONS: f"{period.month.month}月分は抽選の申込期間中です（{when}）。抽選にお申し込みください。",
        AWAITING_DRAW: f"{period.month.month}月分は抽選の結果が出てから先着順で受け付けます。",
    }
    return [Violation("lottery", messages[phase], staff_may_override=True)]


# --- Fees --------------------------------------------------------------------


@dataclass(frozen=True)
class EquipmentRequest:
    name: str
    quantity: int
    unit_price: int  # 円
    per_hour: bool  # price per hour (lighting) or per use (a set of nets)


@dataclass(frozen=True)
class FeeLine:
    label: str
    amount: int


@dataclass(frozen=True)
class Fee:
    lines: tuple[FeeLine, ...]

    @property
    def total(self) -> int:
        return sum(line.amount for line in self.lines)


def compute_fee(
    hourly_rates: Mapping[str, int],
    category: str,
    unit_name: str,
    start: dt.datetime,
    end: dt.datetime,
    equipment: Iterable[EquipmentRequest] = (),
) -> Fee:
    """The fee: the unit's hourly rate for the user category, plus equipment. Parts
    of an hour are charged pro rata and rounded up to the yen."""
    minutes = int((end - start).total_seconds() // 60)
    rate = hourly_rates.get(category, 0)
    label = f"{unit_name}（{UserCategory(category).label}・{_hours_text(minutes)}）"
    lines = [FeeLine(label, math.ceil(rate * minutes / 60))]
    for item in equipment:
        if item.quantity <= 0:
            continue
        if item.per_hour:
            amount = math.ceil(item.unit_price * item.quantity * minutes / 60)
            label = f"{item.name} ×{item.quantity}（{_hours_text(minutes)}）"
        else:
            amount = item.unit_price * item.quantity
            label = f"{item.name} ×{item.quantity}"
        lines.append(FeeLine(label, amount))
    return Fee(tuple(lines))


# --- Equipment stock ---------------------------------------------------------------


def peak_usage(
    uses: Iterable[tuple[dt.datetime, dt.datetime, int]],
    start: dt.datetime,
    end: dt.datetime,
) -> int:
    """The most items in use at any moment of [start, end) by ``uses`` (other
    bookings' start, end and quantity). Bookings that only touch the edges don't
    count."""
    events = []
    for use_start, use_end, quantity in uses:
        lo, hi = max(use_start, start), min(use_end, end)
        if lo < hi:
            events.append((lo, quantity))
            events.append((hi, -quantity))
    # At the same instant, returns come before new uses.
    events.sort(key=lambda event: (event[0], event[1]))
    peak = current = 0
    for _, change in events:
        current += change
        peak = max(peak, current)
    return peak


def check_stock(
    name: str,
    stock: int,
    requested: int,
    uses: Iterable[tuple[dt.datetime, dt.datetime, int]],
    start: dt.datetime,
    end: dt.datetime,
) -> list[Violation]:
    if requested <= 0:
        return []
    free = stock - peak_usage(uses, start, end)
    if requested <= free:
        return []
    return [
        Violation(
            "stock",
            f"{name}はこの時間、残り{max(free, 0)}までです（{requested}を希望）。",
        )
    ]


# --- Overlaps ----------------------------------------------------------------------


def overlaps(
    a_start: dt.datetime, a_end: dt.datetime, b_start: dt.datetime, b_end: dt.datetime
) -> bool:
    """Half-open intervals: a booking ending at 10:00 and one starting at 10:00 do not
    overlap (the same rule as the database's ``tstzrange(…, '[)')``)."""
    return a_start < b_end and b_start < a_end


def _hours_text(minutes: int) -> str:
    hours, rest = divmod(minutes, 60)
    if not rest:
        return f"{hours}時間"
    return f"{hours}時間{rest}分" if hours else f"{rest}分"
