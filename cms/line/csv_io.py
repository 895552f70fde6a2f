"""Bulk registration of recurring deliveries from CSV (繰り返し配信の一括登録; the
spec expects 500+ patterns). Parsing is pure and reports every problem with its
row and column; nothing is saved unless the whole file is valid."""

import csv
import io
from dataclasses import dataclass, field

from . import schedule

COLUMNS = [
    "アカウント",
    "タイトル",
    "本文",
    "セグメント",
    "繰り返し",
    "曜日",
    "日",
    "第n",
    "時刻",
    "祝日",
    "除外日",
    "開始日",
    "終了日",
]
FREQ_WORDS = {
    "毎日": "daily",
    "毎週": "weekly",
    "毎月": "monthly",
    "毎月第n曜日": "nth_weekday",
    "daily": "daily",
    "weekly": "weekly",
    "monthly": "monthly",
    "nth_weekday": "nth_weekday",
}
HOLIDAY_WORDS = {
    "": ("skip", True),
    "休み": ("skip", True),
    "翌営業日": ("next", True),
    "配信する": ("skip", False),
}


@dataclass
class ParsedRow:
    line: int
    channel_slug: str
    title: str
    text: str
    segment_name: str
    rule: dict


@dataclass
class ParseResult:
    rows: list[ParsedRow] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def _weekdays(text: str) -> list[int]:
    return sorted({schedule.WEEKDAYS.index(c) for c in text if c in schedule.WEEKDAYS})


def parse(data: bytes | str) -> ParseResult:
    if isinstance(data, bytes):
        for encoding in ("utf-8-sig", "cp932"):
            try:
                data = data.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:
            return ParseResult(
                errors=[
                    "文字コードを読めません（UTF-8かShift_JISで保存してください）。"
                ]
            )
    result = ParseResult()
    reader = csv.DictReader(io.StringIO(data))
    missing = [c for c in [*COLUMNS[:5], "時刻"] if c not in (reader.fieldnames or [])]
    if missing:
        return ParseResult(
            errors=[f"1行目に列「{'」「'.join(missing)}」がありません。"]
        )
    for n, row in enumerate(reader, start=2):
        cell = {k: (v or "").strip() for k, v in row.items() if k}
        freq = FREQ_WORDS.get(cell.get("繰り返し", ""))
        if freq is None:
            result.errors.append(
                f"{n}行目「繰り返し」: 毎日・毎週・毎月・毎月第n曜日のいずれかです。"
            )
            continue
        shift, skip = HOLIDAY_WORDS.get(cell.get("祝日", ""), (None, None))
        if shift is None:
            result.errors.append(
                f"{n}行目「祝日」: 空欄・休み・翌営業日・配信する のいずれかです。"
            )
            continue
        rule = {
            "freq": freq,
            "time": cell.get("時刻") or "09:00",
            "skip_holidays": skip,
            "holiday_shift": shift,
        }
        try:
            if freq == "weekly":
                rule["weekdays"] = _weekdays(cell.get("曜日", ""))
            if freq == "monthly":
                rule["day"] = int(cell.get("日") or 0)
            if freq == "nth_weekday":
                rule["nth"] = (
                    -1
                    if cell.get("第n") in ("最終", "-1")
                    else int(cell.get("第n") or 0)
                )
                days = _weekdays(cell.get("曜日", ""))
                rule["weekday"] = days[0] if days else -1
        except ValueError:
            result.errors.append(f"{n}行目「日」「第n」: 数字で入れてください。")
            continue
        if cell.get("除外日"):
            rule["exclude"] = [
                d.strip()
                for d in cell["除外日"].replace("、", ";").split(";")
                if d.strip()
            ]
        for key, column in (("start", "開始日"), ("until", "終了日")):
            if cell.get(column):
                rule[key] = cell[column]
        problems = schedule.validate_rule(rule)
        if not cell.get("タイトル"):
            problems.append("タイトルを入れてください。")
        if not cell.get("本文"):
            problems.append("本文を入れてください。")
        if problems:
            result.errors.extend(f"{n}行目: {p}" for p in problems)
            continue
        result.rows.append(
            ParsedRow(
                n,
                cell["アカウント"],
                cell["タイトル"][:100],
                cell["本文"],
                cell.get("セグメント", ""),
                rule,
            )
        )
    return result


def import_rows(result: ParseResult, allowed_channels, user=None, now=None) -> list:
    """Create and schedule the parsed rows (all or nothing)."""
    from django.db import transaction

    from .delivery import schedule_message
    from .models import Audience, FriendSegment, LineMessage, ScheduleKind

    channels = {c.slug: c for c in allowed_channels}
    errors = []
    for row in result.rows:
        if row.channel_slug not in channels:
            errors.append(
                f"{row.line}行目「アカウント」: 「{row.channel_slug}」は管理できるアカウントにありません。"
            )
        elif (
            row.segment_name
            and not FriendSegment.objects.filter(
                channel=channels[row.channel_slug], name=row.segment_name
            ).exists()
        ):
            errors.append(
                f"{row.line}行目「セグメント」: 「{row.segment_name}」はありません。"
            )
    if errors:
        result.errors.extend(errors)
        return []
    created = []
    with transaction.atomic():
        for row in result.rows:
            channel = channels[row.channel_slug]
            segment = (
                FriendSegment.objects.get(channel=channel, name=row.segment_name)
                if row.segment_name
                else None
            )
            message = LineMessage.objects.create(
                channel=channel,
                title=row.title,
                text=row.text,
                audience=Audience.SEGMENT if segment else Audience.ALL,
                segment=segment,
                schedule=ScheduleKind.RECURRING,
                recurrence=row.rule,
                created_by=user,
            )
            created.append(schedule_message(message, now=now))
    return created
