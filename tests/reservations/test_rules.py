"""The booking rules as pure functions: no database, no server."""

import datetime as dt

from cms.reservations.models import occupied_unit_ids
from cms.reservations.rules import (
    JST,
    DayHours,
    EquipmentRequest,
    FacilityRules,
    LotteryRules,
    UserCategory,
    change_deadline,
    check_cancel,
    check_category,
    check_limits,
    check_lottery,
    check_stock,
    check_times,
    check_window,
    compute_fee,
    day_slots,
    lottery_period,
    lottery_phase,
    opening_day,
    overlaps,
    peak_usage,
    use_day,
)

NINE_TO_NINE = DayHours(dt.time(9), dt.time(21))
WEEKDAYS_ONLY = FacilityRules(
    slot_minutes=60,
    weekly_hours={weekday: NINE_TO_NINE for weekday in range(6)},  # closed Sundays
    closed_on_holidays=True,
)


def at(day, hour, minute=0):
    return dt.datetime.combine(day, dt.time(hour, minute), JST)


# --- Hours, closed days and holidays ---------------------------------------------


def test_regular_closed_weekday_has_no_slots():
    sunday = dt.date(2026, 6, 7)
    assert opening_day(WEEKDAYS_ONLY, sunday).closed_reason == "定休日（日曜日）"
    assert day_slots(WEEKDAYS_ONLY, sunday) == []


def test_public_holiday_closes_a_facility_that_closes_on_holidays():
    marine_day = dt.date(2026, 7, 20)  # 海の日, a Monday
    opening = opening_day(WEEKDAYS_ONLY, marine_day)
    assert not opening.is_open
    assert "海の日" in opening.closed_reason


def test_public_holiday_is_an_ordinary_day_when_the_facility_opens_on_holidays():
    rules = FacilityRules(weekly_hours={0: NINE_TO_NINE}, closed_on_holidays=False)
    assert opening_day(rules, dt.date(2026, 7, 20)).is_open


def test_year_end_closure_from_29_december_to_3_january():
    rules = FacilityRules(weekly_hours={d: NINE_TO_NINE for d in range(7)})
    assert not opening_day(rules, dt.date(2026, 12, 29)).is_open
    assert not opening_day(rules, dt.date(2027, 1, 3)).is_open
    assert opening_day(rules, dt.date(2027, 1, 4)).is_open
    no_closure = FacilityRules(
        weekly_hours={d: NINE_TO_NINE for d in range(7)}, closed_year_end=False
    )
    assert opening_day(no_closure, dt.date(2026, 12, 31)).is_open


def test_opening_calendar_overrides_weekday_and_holiday():
    holiday = dt.date(2026, 7, 20)
    maintenance = dt.date(2026, 7, 21)
    rules = FacilityRules(
        weekly_hours=WEEKDAYS_ONLY.weekly_hours,
        closed_on_holidays=True,
        calendar={
            holiday: DayHours(dt.time(8), dt.time(12)),  # opened for a tournament
            maintenance: None,
        },
    )
    assert [s.start.hour for s in day_slots(rules, holiday)] == [8, 9, 10, 11]
    assert opening_day(rules, maintenance).closed_reason == "休館日（開館カレンダー）"


def test_slots_follow_the_slot_length_and_drop_a_short_remainder():
    rules = FacilityRules(
        slot_minutes=120, weekly_hours={2: DayHours(dt.time(8), dt.time(21))}
    )
    slots = day_slots(rules, dt.date(2026, 6, 3))
    assert [(s.start.hour, s.end.hour) for s in slots] == [
        (8, 10),
        (10, 12),
        (12, 14),
        (14, 16),
        (16, 18),
        (18, 20),
    ]


def test_overnight_hours_give_one_campsite_night():
    rules = FacilityRules(
        slot_minutes=1200,
        weekly_hours={d: DayHours(dt.time(14), dt.time(10)) for d in range(7)},
        closed_year_end=False,
    )
    day = dt.date(2026, 8, 1)
    (night,) = day_slots(rules, day)
    assert night.start == at(day, 14)
    assert night.end == at(day + dt.timedelta(days=1), 10)
    # Early the next morning still belongs to the night that began the day before.
    assert use_day(rules, at(day + dt.timedelta(days=1), 6)) == day


def test_booking_outside_hours_is_refused():
    day = dt.date(2026, 6, 3)
    codes = [v.code for v in check_times(WEEKDAYS_ONLY, at(day, 20), at(day, 22))]
    assert codes == ["hours"]


def test_booking_off_the_slot_grid_is_refused():
    day = dt.date(2026, 6, 3)
    (violation,) = check_times(WEEKDAYS_ONLY, at(day, 10, 30), at(day, 11, 30))
    assert violation.code == "grid"
    assert "60分単位" in violation.message


def test_booking_on_a_closed_day_is_refused_with_the_reason():
    sunday = dt.date(2026, 6, 7)
    (violation,) = check_times(WEEKDAYS_ONLY, at(sunday, 10), at(sunday, 11))
    assert violation.code == "closed"
    assert "定休日" in violation.message


def test_booking_inside_hours_on_the_grid_passes():
    day = dt.date(2026, 6, 3)
    assert check_times(WEEKDAYS_ONLY, at(day, 9), at(day, 21)) == []


# --- Window, deadline, categories, limits ------------------------------------------


def test_booking_window_opens_days_ahead_and_closes_hours_before():
    rules = FacilityRules(booking_opens_days=60, booking_closes_hours=24)
    now = at(dt.date(2026, 6, 1), 12)
    assert check_window(rules, at(dt.date(2026, 6, 2), 13), now) == []
    assert [v.code for v in check_window(rules, at(dt.date(2026, 6, 2), 11), now)] == [
        "too_late"
    ]
    assert check_window(rules, at(dt.date(2026, 7, 31), 9), now) == []
    (too_early,) = check_window(rules, at(dt.date(2026, 8, 1), 9), now)
    assert too_early.code == "too_early"
    assert "6月2日から" in too_early.message
    assert too_early.staff_may_override


def test_past_times_cannot_be_booked_even_at_the_counter():
    now = at(dt.date(2026, 6, 1), 12)
    (violation,) = check_window(FacilityRules(), at(dt.date(2026, 6, 1), 9), now)
    assert violation.code == "past"
    assert not violation.staff_may_override


def test_cancel_deadline_is_the_end_of_the_day_n_days_before_use():
    rules = FacilityRules(change_deadline_days=3)
    start = at(dt.date(2026, 6, 10), 10)
    assert change_deadline(rules, start) == at(dt.date(2026, 6, 8), 0)
    assert check_cancel(rules, start, at(dt.date(2026, 6, 7), 23, 59)) == []
    (late,) = check_cancel(rules, start, at(dt.date(2026, 6, 8), 0, 0))
    assert late.code == "cancel_deadline"
    assert "06月07日 23:59" in late.message


def test_same_day_deadline_allows_cancelling_until_the_start():
    rules = FacilityRules(change_deadline_days=0)
    start = at(dt.date(2026, 6, 10), 10)
    assert check_cancel(rules, start, at(dt.date(2026, 6, 10), 9, 59)) == []
    assert check_cancel(rules, start, at(dt.date(2026, 6, 10), 10))[0].code == "started"


def test_facility_may_forbid_online_cancelling():
    rules = FacilityRules(residents_may_cancel=False)
    start = at(dt.date(2026, 6, 10), 10)
    assert check_cancel(rules, start, at(dt.date(2026, 6, 1), 9))[0].code == "no_cancel"


def test_only_allowed_user_categories_may_book():
    rules = FacilityRules(
        allowed_categories=frozenset({UserCategory.RESIDENT, UserCategory.STUDENT})
    )
    assert check_category(rules, UserCategory.RESIDENT) == []
    (violation,) = check_category(rules, UserCategory.OUTSIDE)
    assert violation.message == "この施設を予約できるのは町内在住・町内在学の方です。"


def test_per_user_limit_on_upcoming_bookings():
    rules = FacilityRules(max_active_bookings=2)
    ok = check_limits(
        rules, active_bookings=1, booked_minutes_that_day=0, requested_minutes=60
    )
    assert ok == []
    (violation,) = check_limits(
        rules, active_bookings=2, booked_minutes_that_day=0, requested_minutes=60
    )
    assert violation.code == "limit_active"


def test_per_user_limit_on_hours_per_day():
    rules = FacilityRules(max_hours_per_day=3)
    assert (
        check_limits(
            rules, active_bookings=0, booked_minutes_that_day=120, requested_minutes=60
        )
        == []
    )
    (violation,) = check_limits(
        rules, active_bookings=0, booked_minutes_that_day=120, requested_minutes=120
    )
    assert violation.code == "limit_hours"
    assert "あと1時間" in violation.message


# --- Fees ------------------------------------------------------------------------


RATES = {"resident": 400, "worker": 400, "student": 200, "outside": 800}


def test_fee_depends_on_the_user_category():
    day = dt.date(2026, 6, 3)
    fees = {
        category: compute_fee(RATES, category, "全面", at(day, 9), at(day, 11)).total
        for category in UserCategory.values
    }
    assert fees == {"resident": 800, "worker": 800, "student": 400, "outside": 1600}


def test_fee_for_part_of_an_hour_is_pro_rata_rounded_up():
    day = dt.date(2026, 6, 3)
    fee = compute_fee(
        {"resident": 250}, "resident", "和室", at(day, 9), at(day, 10, 30)
    )
    assert fee.total == 375
    fee = compute_fee({"resident": 101}, "resident", "和室", at(day, 9), at(day, 9, 30))
    assert fee.total == 51


def test_equipment_priced_per_hour_or_per_use():
    day = dt.date(2026, 6, 3)
    fee = compute_fee(
        RATES,
        "outside",
        "全面",
        at(day, 18),
        at(day, 21),
        [
            EquipmentRequest("夜間照明", 1, 300, per_hour=True),
            EquipmentRequest("卓球台", 3, 100, per_hour=False),
            EquipmentRequest("得点板", 0, 500, per_hour=False),
        ],
    )
    assert [(line.label, line.amount) for line in fee.lines] == [
        ("全面（町外・3時間）", 2400),
        ("夜間照明 ×1（3時間）", 900),
        ("卓球台 ×3", 300),
    ]
    assert fee.total == 3600


# --- Equipment stock and overlaps -------------------------------------------------


def test_stock_counts_the_peak_of_overlapping_uses_not_their_sum():
    day = dt.date(2026, 6, 3)
    uses = [
        (at(day, 9), at(day, 11), 1),
        (at(day, 11), at(day, 13), 1),  # follows the first: never at the same time
        (at(day, 10), at(day, 12), 1),
    ]
    assert peak_usage(uses, at(day, 9), at(day, 13)) == 2
    assert check_stock("ネット", 3, 1, uses, at(day, 9), at(day, 13)) == []
    (violation,) = check_stock("ネット", 3, 2, uses, at(day, 9), at(day, 13))
    assert violation.message == "ネットはこの時間、残り1までです（2を希望）。"


def test_uses_outside_the_requested_time_leave_the_stock_free():
    day = dt.date(2026, 6, 3)
    uses = [(at(day, 9), at(day, 10), 2)]
    assert check_stock("ネット", 2, 2, uses, at(day, 10), at(day, 11)) == []


def test_adjacent_bookings_do_not_overlap():
    day = dt.date(2026, 6, 3)
    assert not overlaps(at(day, 9), at(day, 10), at(day, 10), at(day, 11))
    assert overlaps(at(day, 9), at(day, 10, 1), at(day, 10), at(day, 11))


def test_whole_court_occupies_its_halves_and_a_half_only_itself():
    parts = {1: [2, 3]}  # 全面 1 has halves 2 and 3
    assert sorted(occupied_unit_ids(1, parts)) == [1, 2, 3]
    assert occupied_unit_ids(2, parts) == [2]


# --- Monthly lottery -----------------------------------------------------------------


def test_lottery_takes_applications_in_the_month_before_then_first_come():
    lottery = LotteryRules(opens_day=1, closes_day=10)
    july_day = dt.date(2026, 7, 18)
    period = lottery_period(lottery, july_day)
    assert (period.opens, period.closes, period.draw_day) == (
        dt.date(2026, 6, 1),
        dt.date(2026, 6, 10),
        dt.date(2026, 6, 11),
    )
    phase = lambda today, drawn=False: lottery_phase(lottery, july_day, today, drawn)  # noqa: E731
    assert phase(dt.date(2026, 5, 31)) == "before"
    assert phase(dt.date(2026, 6, 1)) == "applications"
    assert phase(dt.date(2026, 6, 10)) == "applications"
    assert phase(dt.date(2026, 6, 11)) == "awaiting_draw"
    assert phase(dt.date(2026, 6, 11), drawn=True) == "first_come"
    assert lottery_phase(None, july_day, dt.date(2026, 5, 1), False) == "first_come"


def test_first_come_booking_of_a_lottery_month_waits_for_the_draw():
    lottery = LotteryRules(opens_day=1, closes_day=10)
    january = dt.date(2027, 1, 20)  # applications in December 2026
    (violation,) = check_lottery(lottery, january, dt.date(2026, 12, 5), False)
    assert "抽選の申込期間中です（12月1日〜12月10日）" in violation.message
    (waiting,) = check_lottery(lottery, january, dt.date(2026, 12, 11), False)
    assert "抽選の結果が出てから" in waiting.message
    assert check_lottery(lottery, january, dt.date(2026, 12, 11), True) == []
