"""Importing a facility's opening calendar (施設利用日のカレンダー, spec 表3 No.5) from
CSV: one row per day, open with its hours or closed. Parsing is a pure function that
reports every bad row and column in Japanese; applying writes all rows or none.

Columns (a header row is optional): 日付, 区分（開館／休館）, 開館時刻, 閉館時刻, 備考.
UTF-8 (with or without BOM) or Shift_JIS, as Excel saves it.
"""

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass, field

from django.db import transaction

from cms.core.japanese import normalize_width

HEADER_WORDS = {"日付", "date", "区分", "kind"}
OPEN_WORDS = {"開館", "open", "開", "○"}
CLOSED_WORDS = {"休館", "closed", "休", "×"}


@dataclass(frozen=True)
class CalendarRow:
    line: int
    date: dt.date
    is_closed: bool
    opens: dt.time | None
    closes: dt.time | None
    note: str


@dataclass
class CalendarImport:
    rows: list[CalendarRow] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors and bool(self.rows)


def decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "cp932"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ValueError(
        "文字コードを読み取れません。UTF-8 または Shift_JIS で保存してください。"
    )


def _parse_date(text: str) -> dt.date:
    text = normalize_width(text)
    match = re.fullmatch(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?", text)
    if not match:
        raise ValueError("日付は 2026-04-01 または 2026/4/1 の形で入力してください")
    return dt.date(*(int(part) for part in match.groups()))


def _parse_time(text: str) -> dt.time:
    text = normalize_width(text).replace("：", ":")
    match = re.fullmatch(r"(\d{1,2}):(\d{2})", text)
    if not match:
        raise ValueError("時刻は 9:00 のように入力してください")
    hour, minute = int(match[1]), int(match[2])
    if hour == 24 and minute == 0:
        return dt.time(0)
    return dt.time(hour, minute)


def parse_calendar(text: str) -> CalendarImport:
    report = CalendarImport()
    seen: dict[dt.date, int] = {}
    reader = csv.reader(io.StringIO(text))
    for line, cells in enumerate(reader, start=1):
        cells = [cell.strip() for cell in cells]
        if not any(cells):
            continue
        if line == 1 and normalize_width(cells[0]).lower() in HEADER_WORDS:
            continue
        cells += [""] * (5 - len(cells))
        date_text, kind_text, opens_text, closes_text, note = cells[:5]
        problems = []
        day = opens = closes = None
        try:
            day = _parse_date(date_text)
        except ValueError as error:
            problems.append(f"「日付」{error}（{date_text or '空欄'}）")
        kind = normalize_width(kind_text).lower()
        if kind in CLOSED_WORDS:
            is_closed = True
        elif kind in OPEN_WORDS or (not kind and opens_text):
            is_closed = False
        else:
            is_closed = False
            problems.append(
                f"「区分」は 開館 か 休館 と入力してください（{kind_text or '空欄'}）"
            )
        if not is_closed and not problems:
            for label, text, target in (
                ("開館時刻", opens_text, "opens"),
                ("閉館時刻", closes_text, "closes"),
            ):
                try:
                    value = _parse_time(text)
                except ValueError as error:
                    problems.append(f"「{label}」{error}（{text or '空欄'}）")
                    continue
                if target == "opens":
                    opens = value
                else:
                    closes = value
        if day is not None and day in seen:
            problems.append(f"「日付」{day:%Y-%m-%d} は{seen[day]}行目と重複しています")
        if problems:
            report.errors += [f"{line}行目: {problem}" for problem in problems]
            continue
        seen[day] = line
        report.rows.append(CalendarRow(line, day, is_closed, opens, closes, note[:100]))
    if not report.rows and not report.errors:
        report.errors.append("取り込む行がありません。")
    return report


@transaction.atomic
def apply_calendar(facility, report: CalendarImport) -> tuple[int, int]:
    """Write the rows (create or replace the day). Returns (created, updated)."""
    from .models import CalendarDay

    created = updated = 0
    for row in report.rows:
        _, was_created = CalendarDay.objects.update_or_create(
            facility=facility,
            date=row.date,
            defaults={
                "is_closed": row.is_closed,
                "opens": row.opens,
                "closes": row.closes,
                "note": row.note,
            },
        )
        created += was_created
        updated += not was_created
    return created, updated
