"""When deliveries go out: scheduled, recurring (daily, weekly, monthly, nth
weekday, with exclusion dates and Japanese public holidays skipped or moved to the
next working day) and reminders relative to a friend's date attribute. Pure
functions of a rule and a moment, so tests drive them with any clock.

A recurrence rule is JSON::

    {"freq": "nth_weekday", "nth": 1, "weekday": 0, "time": "09:00",
     "skip_holidays": true, "holiday_shift": "skip", "exclude": ["2027-01-04"],
     "start": "2026-04-01", "until": "2027-03-31"}

``freq`` is daily | weekly (``weekdays``: 0=月 … 6=日) | monthly (``day``, -1 for
the last day) | nth_weekday (``nth`` 1–5 or -1 for the last, ``weekday``).
"""

import calendar
import datetime as dt
from zoneinfo import ZoneInfo

import jpholiday

from cms.core.japanese import WEEKDAYS

TOKYO = ZoneInfo("Asia/Tokyo")
FREQUENCIES = {
    "daily": "毎日",
    "weekly": "毎週",
    "monthly": "毎月",
    "nth_weekday": "毎月第n曜日",
}
HORIZON_DAYS = 800  # look this far ahead for the next occurrence


class RuleError(ValueError):
    """A recurrence rule that cannot be used (message in Japanese)."""


def is_holiday(day: dt.date) -> bool:
    return jpholiday.is_holiday(day)


def _time(rule) -> dt.time:
    try:
        hour, minute = str(rule.get("time", "09:00")).split(":")
        return dt.time(int(hour), int(minute))
    except (ValueError, TypeError):
        raise RuleError("配信時刻は「09:00」の形で入れてください。") from None


def _date(value, name) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise RuleError(f"{name}は「2026-04-01」の形で入れてください。") from None


def validate_rule(rule: dict) -> list[str]:
    problems = []
    freq = rule.get("freq")
    if freq not in FREQUENCIES:
        problems.append(
            "繰り返しの種類は daily / weekly / monthly / nth_weekday のいずれかです。"
        )
    try:
        _time(rule)
        _date(rule.get("start"), "開始日")
        _date(rule.get("until"), "終了日")
        for value in rule.get("exclude", []):
            _date(value, "除外日")
    except RuleError as error:
        problems.append(str(error))
    if freq == "weekly":
        weekdays = rule.get("weekdays") or []
        if not weekdays or any(
            not isinstance(w, int) or not 0 <= w <= 6 for w in weekdays
        ):
            problems.append("毎週の曜日（0=月〜6=日）を1つ以上選んでください。")
    if freq == "monthly":
        day = rule.get("day")
        if not isinstance(day, int) or not (day == -1 or 1 <= day <= 31):
            problems.append("毎月の日付は1〜31（月末は-1）で入れてください。")
    if freq == "nth_weekday":
        if rule.get("nth") not in (1, 2, 3, 4, 5, -1):
            problems.append("第n週は1〜5（最終週は-1）で入れてください。")
        if rule.get("weekday") not in range(7):
            problems.append("曜日は0=月〜6=日で入れてください。")
    if rule.get("holiday_shift", "skip") not in ("skip", "next"):
        problems.append("祝日の扱いは skip（配信しない）か next（翌営業日）です。")
    return problems


def _nth_weekday(year: int, month: int, nth: int, weekday: int) -> dt.date | None:
    days = [
        dt.date(year, month, d)
        for d in range(1, calendar.monthrange(year, month)[1] + 1)
        if dt.date(year, month, d).weekday() == weekday
    ]
    if nth == -1:
        return days[-1]
    return days[nth - 1] if nth <= len(days) else None


def _matches(rule: dict, day: dt.date) -> bool:
    freq = rule["freq"]
    if freq == "daily":
        return True
    if freq == "weekly":
        return day.weekday() in rule.get("weekdays", [])
    if freq == "monthly":
        wanted = rule["day"]
        last = calendar.monthrange(day.year, day.month)[1]
        if wanted == -1:
            return day.day == last
        return day.day == min(wanted, last) if wanted > last else day.day == wanted
    if freq == "nth_weekday":
        return _nth_weekday(day.year, day.month, rule["nth"], rule["weekday"]) == day
    return False


def _working_day_on_or_after(day: dt.date, excluded: set) -> dt.date:
    while is_holiday(day) or day.weekday() >= 5 or day in excluded:
        day += dt.timedelta(days=1)
    return day


def occurrences(rule: dict, after: dt.datetime, limit: int = 1) -> list[dt.datetime]:
    """The next ``limit`` delivery moments strictly after ``after`` (aware,
    Asia/Tokyo)."""
    problems = validate_rule(rule)
    if problems:
        raise RuleError(" ".join(problems))
    at = _time(rule)
    start = _date(rule.get("start"), "開始日")
    until = _date(rule.get("until"), "終了日")
    excluded = {_date(v, "除外日") for v in rule.get("exclude", [])}
    skip_holidays = rule.get("skip_holidays", True)
    shift = rule.get("holiday_shift", "skip")
    after_local = after.astimezone(TOKYO)
    day = after_local.date()
    if start and start > day:
        day = start
    found: list[dt.datetime] = []
    for _ in range(HORIZON_DAYS):
        if until and day > until:
            break
        if _matches(rule, day):
            send_day = day
            if day in excluded:
                send_day = None
            elif skip_holidays and is_holiday(day):
                send_day = (
                    _working_day_on_or_after(day, excluded) if shift == "next" else None
                )
            if send_day is not None:
                moment = dt.datetime.combine(send_day, at, tzinfo=TOKYO)
                if moment > after and (not found or moment > found[-1]):
                    found.append(moment)
                    if len(found) >= limit:
                        break
        day += dt.timedelta(days=1)
    return found


def next_occurrence(rule: dict, after: dt.datetime) -> dt.datetime | None:
    found = occurrences(rule, after, 1)
    return found[0] if found else None


def describe_rule(rule: dict) -> str:
    freq = rule.get("freq")
    if freq == "daily":
        text = "毎日"
    elif freq == "weekly":
        text = (
            "毎週" + "・".join(WEEKDAYS[w] for w in rule.get("weekdays", [])) + "曜日"
        )
    elif freq == "monthly":
        text = "毎月末日" if rule.get("day") == -1 else f"毎月{rule.get('day')}日"
    elif freq == "nth_weekday":
        nth = "最終" if rule.get("nth") == -1 else f"第{rule.get('nth')}"
        text = f"毎月{nth}{WEEKDAYS[rule.get('weekday', 0)]}曜日"
    else:
        return "（設定なし）"
    text += f" {rule.get('time', '09:00')}"
    if rule.get("skip_holidays", True):
        text += (
            "（祝日は翌営業日）"
            if rule.get("holiday_shift") == "next"
            else "（祝日は休み）"
        )
    return text


def reminder_due(anchor: dt.date, offset_days: int, today: dt.date) -> bool:
    """A reminder ``offset_days`` after ``anchor`` is due ``today``."""
    return anchor + dt.timedelta(days=offset_days) == today


def anchors_for_today(offset_days: int, today: dt.date) -> dt.date:
    """The anchor date whose reminder is due today."""
    return today - dt.timedelta(days=offset_days)
