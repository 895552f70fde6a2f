"""Importing Google Analytics 4 report exports (CSV, Japanese or English UI) for
the months before the portal's own measurement, into the same daily tables with
``origin="ga4"``.

A GA4 CSV starts with ``#`` comment lines (property, date range), then one header
row and data rows, sometimes a grand-total row. Which table it fills follows from
its columns: a page path → pages, a session source → sources, else (with a date)
→ site totals. Importing the same days again replaces them. Nothing is saved
when any row is wrong; every error names its row and column.
"""

import csv
import datetime
import re
from collections import defaultdict
from dataclasses import dataclass

from django.db import transaction

from .models import DailyPageStat, DailySiteStat, DailySourceStat, Origin
from .rollup import resolve_pages

# Column names as GA4 writes them (spaces removed, lower-cased) → our field.
ALIASES = {
    "day": ["日付", "date"],
    "path": [
        "ページパスとスクリーンクラス",
        "ページパス",
        "pagepathandscreenclass",
        "pagepath",
        "ページパス+クエリ文字列",
        "pagepath+querystring",
    ],
    "title": [
        "ページタイトルとスクリーンクラス",
        "ページタイトル",
        "pagetitleandscreenclass",
        "pagetitle",
    ],
    "source": [
        "セッションの参照元",
        "参照元",
        "sessionsource",
        "source",
        "セッションの参照元/メディア",
        "sessionsource/medium",
    ],
    "medium": ["セッションのメディア", "メディア", "sessionmedium", "medium"],
    "campaign": [
        "セッションのキャンペーン",
        "キャンペーン",
        "sessioncampaign",
        "campaign",
    ],
    "pageviews": ["表示回数", "views", "screenpageviews", "ページビュー数"],
    "visitors": [
        "アクティブユーザー",
        "アクティブユーザー数",
        "activeusers",
        "ユーザー",
        "ユーザー数",
        "totalusers",
        "総ユーザー数",
        "users",
    ],
    "sessions": ["セッション", "セッション数", "sessions"],
    "entries": ["エントランス数", "entrances"],
    "bounce_rate": ["直帰率", "bouncerate"],
    "average_seconds": ["平均セッション継続時間", "averagesessionduration"],
}
LABELS = {
    "day": "日付",
    "path": "ページパス",
    "pageviews": "表示回数",
    "visitors": "アクティブ ユーザー",
    "sessions": "セッション",
    "source": "参照元",
}


class Ga4ImportError(ValueError):
    def __init__(self, messages: list[str]):
        super().__init__("\n".join(messages))
        self.messages = messages


@dataclass
class Ga4ImportResult:
    kind: str
    rows: int
    first: datetime.date
    last: datetime.date
    dry_run: bool

    @property
    def kind_label(self) -> str:
        return {
            "site": "日別の集計",
            "pages": "ページ別の集計",
            "sources": "参照元別の集計",
        }[self.kind]


def _key(name: str) -> str:
    return re.sub(r"\s+", "", name).lower()


def _number(text: str) -> float:
    text = text.strip().replace(",", "")
    if text.endswith("%"):
        return float(text[:-1]) / 100
    return float(text) if text else 0.0


def _date(text: str) -> datetime.date:
    digits = re.sub(r"\D", "", text)
    return datetime.datetime.strptime(digits, "%Y%m%d").date()


def parse_ga4_csv(data: bytes) -> tuple[str, list[dict]]:
    """(kind, rows) or Ga4ImportError with every problem found."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError:
            raise Ga4ImportError(
                [
                    "文字コードを読み取れません。GA4 から書き出した CSV（UTF-8）を選んでください。"
                ]
            ) from None
    lines = [
        (number, line)
        for number, line in enumerate(text.splitlines(), start=1)
        if line.strip() and not line.lstrip().startswith("#")
    ]
    if not lines:
        raise Ga4ImportError(["データの行がありません。"])
    header_number, header_line = lines[0]
    header = next(csv.reader([header_line]))
    lookup = {_key(alias): field for field, names in ALIASES.items() for alias in names}
    columns = {}
    for index, name in enumerate(header):
        field = lookup.get(_key(name))
        if field and field not in columns:
            columns[field] = index
    if "day" not in columns:
        raise Ga4ImportError(
            [
                f"{header_number}行目: 列「日付」（Date）がありません。GA4 のレポートで"
                "ディメンションに「日付」を追加して書き出してください。"
            ]
        )
    kind = (
        "pages" if "path" in columns else "sources" if "source" in columns else "site"
    )
    needed = {
        "pages": ["pageviews"],
        "sources": ["sessions"],
        "site": ["pageviews", "sessions"],
    }[kind]
    missing = [LABELS[f] for f in needed if f not in columns]
    if missing:
        raise Ga4ImportError(
            [f"{header_number}行目: 列「{'」「'.join(missing)}」がありません。"]
        )

    rows, errors = [], []
    for number, line in lines[1:]:
        values = next(csv.reader([line]))
        first = values[0].strip() if values else ""
        if first.lower() in {"grand total", "総計", "合計"} or not first:
            continue
        row = {}
        for field, index in columns.items():
            value = values[index] if index < len(values) else ""
            try:
                if field == "day":
                    row[field] = _date(value)
                elif field in {"path", "title", "source", "medium", "campaign"}:
                    row[field] = value.strip()
                else:
                    row[field] = _number(value)
            except ValueError:
                errors.append(
                    f"{number}行目「{header[index]}」: 読み取れません（{value!r}）。"
                )
        if kind == "pages" and "path" in row and not row["path"].startswith("/"):
            errors.append(
                f"{number}行目「{header[columns['path']]}」: "
                f"/ で始まるパスではありません（{row['path']!r}）。"
            )
        rows.append(row)
    if errors:
        raise Ga4ImportError(errors[:50])
    if not rows:
        raise Ga4ImportError(["データの行がありません。"])
    return kind, rows


def import_ga4_csv(data: bytes, dry_run: bool = False) -> Ga4ImportResult:
    kind, rows = parse_ga4_csv(data)
    days = sorted({row["day"] for row in rows})
    result = Ga4ImportResult(kind, len(rows), days[0], days[-1], dry_run)
    if dry_run:
        return result
    ga4 = {"origin": Origin.GA4}
    with transaction.atomic():
        if kind == "site":
            DailySiteStat.objects.filter(day__in=days, **ga4).delete()
            DailySiteStat.objects.bulk_create([_site(row) for row in rows])
        elif kind == "pages":
            DailyPageStat.objects.filter(day__in=days, **ga4).delete()
            merged = defaultdict(lambda: defaultdict(float))
            titles = {}
            for row in rows:
                path = row["path"].split("?")[0][:300]
                for field in ("pageviews", "visitors", "entries"):
                    merged[(row["day"], path)][field] += row.get(field, 0)
                titles.setdefault(path, row.get("title", ""))
            pages = resolve_pages({path for _, path in merged})
            DailyPageStat.objects.bulk_create(
                [
                    DailyPageStat(
                        day=day,
                        path=path,
                        **ga4,
                        title=(pages[path][0] or titles[path])[:255],
                        page_type=pages[path][1],
                        municipality_id=pages[path][2],
                        pageviews=round(counts["pageviews"]),
                        visitors=round(counts["visitors"]),
                        entries=round(counts["entries"]),
                    )
                    for (day, path), counts in merged.items()
                ],
                batch_size=1000,
            )
        else:
            DailySourceStat.objects.filter(day__in=days, **ga4).delete()
            merged = defaultdict(lambda: defaultdict(float))
            for row in rows:
                source, medium = row["source"], row.get("medium", "")
                if " / " in source and not medium:  # 「参照元 / メディア」
                    source, medium = (part.strip() for part in source.split(" / ", 1))
                if source in {"(direct)", ""}:
                    source, medium = "(direct)", ""
                campaign = row.get("campaign", "")
                if campaign in {"(not set)", "(direct)", "(organic)", "(referral)"}:
                    campaign = ""
                key = (row["day"], source[:120], medium[:80], campaign[:80])
                for field in ("sessions", "visitors", "pageviews"):
                    merged[key][field] += row.get(field, 0)
            DailySourceStat.objects.bulk_create(
                [
                    DailySourceStat(
                        day=day,
                        source=source,
                        medium=medium,
                        campaign=campaign,
                        **ga4,
                        sessions=round(c["sessions"]),
                        visitors=round(c["visitors"]),
                        pageviews=round(c["pageviews"]),
                    )
                    for (day, source, medium, campaign), c in merged.items()
                ],
                batch_size=1000,
            )
    return result


def _site(row: dict) -> DailySiteStat:
    sessions = round(row.get("sessions", 0))
    return DailySiteStat(
        day=row["day"],
        origin=Origin.GA4,
        pageviews=round(row.get("pageviews", 0)),
        visitors=round(row.get("visitors", 0)),
        sessions=sessions,
        bounces=round(sessions * row.get("bounce_rate", 0)),
        duration_seconds=round(sessions * row.get("average_seconds", 0)),
    )
