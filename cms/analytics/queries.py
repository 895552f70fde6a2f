"""Reading the daily tables for a period: totals and their trend, days, pages,
entry pages, sources, campaigns, devices, regions, municipalities and akiya
listings. The dashboard, the CSV export and the monthly report all read these.

Collected and GA4-imported rows are added together, so a period that spans the
switch from Google Analytics reads as one series. "Users" of a period longer than
a day are the sum of daily users: visitor hashes change every day by design, so
the same person on two days counts twice (as in Plausible's cookieless mode).
"""

import datetime
from dataclasses import dataclass

from django.db.models import Max, Sum

from .counting import DEVICE_LABELS, region_label
from .models import (
    DailyDimensionStat,
    DailyPageStat,
    DailySiteStat,
    DailySourceStat,
)

AKIYA_PAGE_TYPE = "akiyalistingpage"


@dataclass(frozen=True)
class Period:
    start: datetime.date
    end: datetime.date  # inclusive

    @classmethod
    def month(cls, year: int, month: int) -> "Period":
        start = datetime.date(year, month, 1)
        following = (start + datetime.timedelta(days=32)).replace(day=1)
        return cls(start, following - datetime.timedelta(days=1))

    def previous_month(self) -> "Period":
        before = self.start - datetime.timedelta(days=1)
        return Period.month(before.year, before.month)

    def year_before(self) -> "Period":
        def shift(day):
            try:
                return day.replace(year=day.year - 1)
            except ValueError:  # 29 February
                return day.replace(year=day.year - 1, day=28)

        return Period(shift(self.start), shift(self.end))

    def days(self) -> list[datetime.date]:
        count = (self.end - self.start).days + 1
        return [self.start + datetime.timedelta(days=i) for i in range(count)]

    def label(self) -> str:
        if self.start.day == 1 and self == Period.month(
            self.start.year, self.start.month
        ):
            return f"{self.start.year}年{self.start.month}月"
        return f"{self.start:%Y年%m月%d日}〜{self.end:%Y年%m月%d日}"

    def filter(self) -> dict:
        return {"day__gte": self.start, "day__lte": self.end}


def parse_month(value: str) -> tuple[int, int]:
    try:
        year, month = (int(part) for part in (value or "").strip().split("-"))
        datetime.date(year, month, 1)
    except ValueError:
        raise ValueError(
            f"月は 2026-10 のように YYYY-MM で指定してください（{value!r}）。"
        ) from None
    return year, month


SITE_FIELDS = (
    "pageviews",
    "visitors",
    "sessions",
    "bounces",
    "duration_seconds",
    "inquiries",
)


def totals(period: Period) -> dict:
    sums = DailySiteStat.objects.filter(**period.filter()).aggregate(
        **{name: Sum(name) for name in SITE_FIELDS}
    )
    result = {name: sums[name] or 0 for name in SITE_FIELDS}
    sessions = result["sessions"]
    result["bounce_rate"] = result["bounces"] / sessions if sessions else None
    result["pages_per_session"] = result["pageviews"] / sessions if sessions else None
    result["average_seconds"] = (
        result["duration_seconds"] / sessions if sessions else None
    )
    return result


def change(current, before) -> float | None:
    """Relative change, None when there is nothing to compare with."""
    if not before:
        return None
    return (current - before) / before


def trend(period: Period) -> dict:
    """This period, the month before and the same period a year before."""
    now = totals(period)
    previous = totals(period.previous_month())
    last_year = totals(period.year_before())
    return {
        "current": now,
        "previous": previous,
        "last_year": last_year,
        "vs_previous": {
            name: change(now[name], previous[name])
            for name in ("pageviews", "visitors", "sessions", "inquiries")
        },
        "vs_last_year": {
            name: change(now[name], last_year[name])
            for name in ("pageviews", "visitors", "sessions", "inquiries")
        },
    }


def per_day(period: Period) -> list[dict]:
    rows = {
        row["day"]: row
        for row in DailySiteStat.objects.filter(**period.filter())
        .values("day")
        .annotate(
            pageviews=Sum("pageviews"),
            visitors=Sum("visitors"),
            sessions=Sum("sessions"),
            inquiries=Sum("inquiries"),
        )
    }
    empty = {"pageviews": 0, "visitors": 0, "sessions": 0, "inquiries": 0}
    return [{**empty, **rows.get(day, {}), "day": day} for day in period.days()]


def per_month(months: int, last: Period) -> list[dict]:
    """The ``months`` calendar months up to and including ``last``."""
    periods = [last]
    while len(periods) < months:
        periods.insert(0, periods[0].previous_month())
    return [{"month": p.start, **totals(p)} for p in periods]


def pages(
    period: Period, limit: int | None = 20, order: str = "pageviews", **filters
) -> list[dict]:
    rows = (
        DailyPageStat.objects.filter(**period.filter(), **filters)
        .values("path")
        .annotate(
            title=Max("title"),
            page_type=Max("page_type"),
            pageviews=Sum("pageviews"),
            visitors=Sum("visitors"),
            entries=Sum("entries"),
            inquiries=Sum("inquiries"),
        )
        .order_by(f"-{order}", "path")
    )
    if order == "entries":
        rows = rows.filter(entries__gt=0)
    return list(rows[:limit] if limit else rows)


def sources(period: Period, limit: int | None = 20) -> list[dict]:
    rows = (
        DailySourceStat.objects.filter(**period.filter())
        .values("source")
        .annotate(
            sessions=Sum("sessions"),
            visitors=Sum("visitors"),
            pageviews=Sum("pageviews"),
        )
        .order_by("-sessions", "source")
    )
    return list(rows[:limit] if limit else rows)


def campaigns(period: Period, limit: int | None = 20) -> list[dict]:
    rows = (
        DailySourceStat.objects.filter(**period.filter())
        .exclude(campaign="")
        .values("campaign", "source", "medium")
        .annotate(
            sessions=Sum("sessions"),
            visitors=Sum("visitors"),
            pageviews=Sum("pageviews"),
        )
        .order_by("-sessions", "campaign")
    )
    return list(rows[:limit] if limit else rows)


def dimension(period: Period, name: str) -> list[dict]:
    rows = (
        DailyDimensionStat.objects.filter(**period.filter(), dimension=name)
        .values("value")
        .annotate(
            sessions=Sum("sessions"),
            visitors=Sum("visitors"),
            pageviews=Sum("pageviews"),
        )
        .order_by("-sessions", "value")
    )
    label = DEVICE_LABELS.get if name == "device" else None
    result = []
    for row in rows:
        text = (
            label(row["value"], row["value"]) if label else region_label(row["value"])
        )
        result.append({**row, "label": text})
    return result


def municipalities(period: Period) -> list[dict]:
    """Page views of each municipality's pages (its page and everything below)."""
    return list(
        DailyPageStat.objects.filter(**period.filter(), municipality__isnull=False)
        .values("municipality__name", "municipality__code")
        .annotate(
            pageviews=Sum("pageviews"),
            visitors=Sum("visitors"),
            inquiries=Sum("inquiries"),
        )
        .order_by("-pageviews", "municipality__code")
    )


def akiya(period: Period, limit: int | None = 20) -> dict:
    """Akiya listing pages: their views and inquiry clicks."""
    listings = DailyPageStat.objects.filter(
        **period.filter(), page_type=AKIYA_PAGE_TYPE
    )
    sums = listings.aggregate(pageviews=Sum("pageviews"), inquiries=Sum("inquiries"))
    return {
        "pageviews": sums["pageviews"] or 0,
        "inquiries": sums["inquiries"] or 0,
        "top": pages(period, limit, page_type=AKIYA_PAGE_TYPE),
    }


def dashboard(period: Period) -> dict:
    return {
        "trend": trend(period),
        "days": per_day(period),
        "pages": pages(period),
        "entries": pages(period, order="entries"),
        "sources": sources(period),
        "campaigns": campaigns(period),
        "devices": dimension(period, "device"),
        "regions": dimension(period, "region")[:15],
        "municipalities": municipalities(period),
        "akiya": akiya(period, 10),
    }
