"""Demo traffic: a few months of synthetic daily aggregates for the demo portal's
published pages (the 44 municipalities' pages and their listings), so the
dashboard and the monthly report have something to show. The same generator
fills the benchmark's month of 1,000,000 page views.

No raw events are made: the numbers are drawn directly at the aggregate level,
consistent with each other (page views of pages add up to the site's, entries
to sessions, users stay below page views). Weekends and the first weeks after
New Year and Golden Week are busier, and traffic grows slowly month by month.
"""

import datetime
import random
from collections import Counter

from django.db import transaction
from django.utils import timezone
from wagtail.models import Page, Site

from .models import (
    DailyDimensionStat,
    DailyPageStat,
    DailySiteStat,
    DailySourceStat,
    Origin,
)
from .rollup import resolve_pages

SOURCES = [  # (source, medium, campaign, share of sessions)
    ("google.co.jp", "referral", "", 0.34),
    ("(direct)", "", "", 0.22),
    ("yahoo.co.jp", "referral", "", 0.12),
    ("instagram.com", "referral", "", 0.08),
    ("t.co", "referral", "", 0.05),
    ("furusato-kaiki.net", "referral", "", 0.04),
    ("line", "social", "iju-fair", 0.05),
    ("newsletter", "email", "monthly", 0.06),
    ("pref.ibaraki.jp", "referral", "", 0.04),
]
DEVICES = [("mobile", 0.68), ("desktop", 0.27), ("tablet", 0.05)]
REGIONS = [
    ("JP-13", 0.31),
    ("JP-08", 0.22),
    ("JP-11", 0.12),
    ("JP-14", 0.11),
    ("JP-12", 0.09),
    ("JP-09", 0.04),
    ("JP-07", 0.03),
    ("JP-27", 0.03),
    ("JP", 0.03),
    ("US", 0.01),
    ("TW", 0.01),
]


def demo_paths() -> list[str]:
    """Site paths of the published pages (url_path below the site root)."""
    site = Site.objects.filter(is_default_site=True).select_related("root_page").first()
    if site is None:
        return ["/"]
    root = site.root_page.url_path
    return [
        "/" + url_path[len(root) :]
        for url_path in Page.objects.live()
        .descendant_of(site.root_page, inclusive=True)
        .values_list("url_path", flat=True)
    ]


def _weight(path: str, rng: random.Random) -> float:
    depth = path.strip("/").count("/") + (path != "/")
    base = {0: 60, 1: 12, 2: 5}.get(depth, 1.5)
    if "/akiya/" in path:
        base *= 1.6  # vacant houses are what visitors come for
    return base * rng.lognormvariate(0, 0.6)


def _split(total: int, shares, rng: random.Random) -> list[int]:
    """``total`` split by ``shares`` with noise, adding up exactly."""
    noisy = [share * rng.uniform(0.8, 1.2) for share in shares]
    scale = total / (sum(noisy) or 1)
    parts = [int(value * scale) for value in noisy]
    for index in range(total - sum(parts)):
        parts[index % len(parts)] += 1
    return parts


def _inquiries(views: int, rng: random.Random) -> int:
    """1–4 % of a listing's views end in a call or mail (drawn per view when
    there are few, so small pages still get some)."""
    rate = rng.uniform(0.01, 0.04)
    if views > 50:
        return round(views * rate)
    return sum(rng.random() < rate for _ in range(views))


def daily_volume(day: datetime.date, base: int, start: datetime.date) -> float:
    months = (day - start).days / 30
    weekend = 1.35 if day.weekday() >= 5 else 1.0
    season = (
        1.3
        if (day.month == 1 and day.day < 15) or (day.month == 5 and day.day < 10)
        else 1.0
    )
    return base * (1 + 0.03 * months) * weekend * season


def synthesize_day(day, paths, weights, pageviews, rng, pages_info) -> dict:
    """Model rows (not saved) of one day with about ``pageviews`` page views."""
    collect = {"day": day, "origin": Origin.COLLECT}
    page_views = _split(pageviews, weights, rng)
    sessions = max(1, round(pageviews / rng.uniform(2.2, 2.8)))
    visitors = max(1, round(sessions * rng.uniform(0.8, 0.9)))
    entry_weights = [
        w * (3 if p.count("/") <= 3 else 1) for p, w in zip(paths, weights, strict=True)
    ]
    entries = _split(sessions, entry_weights, rng)
    page_rows, inquiries = [], 0
    for path, views, entered in zip(paths, page_views, entries, strict=True):
        if not views and not entered:
            continue
        title, page_type, town = pages_info.get(path, ("", "", None))
        asked = _inquiries(views, rng) if "/akiya/" in path else 0
        inquiries += asked
        page_rows.append(
            DailyPageStat(
                **collect,
                path=path,
                title=title,
                page_type=page_type,
                municipality_id=town,
                pageviews=max(views, entered),
                visitors=max(1, round(max(views, entered) * rng.uniform(0.6, 0.85))),
                entries=entered,
                inquiries=asked,
            )
        )
    total_views = sum(row.pageviews for row in page_rows)
    site = DailySiteStat(
        **collect,
        pageviews=total_views,
        visitors=visitors,
        sessions=sessions,
        bounces=round(sessions * rng.uniform(0.38, 0.5)),
        duration_seconds=round(sessions * rng.uniform(80, 150)),
        inquiries=inquiries,
    )

    def split_rows(model, items, **fixed):
        counts = _split(sessions, [share for *_, share in items], rng)
        views = _split(total_views, [share for *_, share in items], rng)
        rows = []
        for item, n, v in zip(items, counts, views, strict=True):
            if n:
                rows.append(
                    model(
                        **collect,
                        **fixed,
                        **item_fields(model, item),
                        sessions=n,
                        pageviews=max(v, n),
                        visitors=max(1, round(n * 0.88)),
                    )
                )
        return rows

    def item_fields(model, item):
        if model is DailySourceStat:
            return {"source": item[0], "medium": item[1], "campaign": item[2]}
        return {"value": item[0]}

    return {
        "site": [site],
        "pages": page_rows,
        "sources": split_rows(DailySourceStat, SOURCES),
        "dimensions": split_rows(DailyDimensionStat, DEVICES, dimension="device")
        + split_rows(DailyDimensionStat, REGIONS, dimension="region"),
    }


def synthesize(days, paths, base_pageviews, seed=12, progress=None) -> int:
    """Save synthetic aggregates for ``days`` (skipping days that have collected
    rows); returns how many days were added."""
    rng = random.Random(seed)
    weights = [_weight(path, rng) for path in paths]
    pages_info = resolve_pages(paths)
    existing = set(
        DailySiteStat.objects.filter(day__in=days, origin=Origin.COLLECT).values_list(
            "day", flat=True
        )
    )
    added = 0
    for day in days:
        if day in existing:
            continue
        volume = round(
            daily_volume(day, base_pageviews, days[0]) * rng.uniform(0.85, 1.15)
        )
        rows = synthesize_day(day, paths, weights, volume, rng, pages_info)
        with transaction.atomic():
            DailySiteStat.objects.bulk_create(rows["site"])
            DailyPageStat.objects.bulk_create(rows["pages"], batch_size=2000)
            DailySourceStat.objects.bulk_create(rows["sources"])
            DailyDimensionStat.objects.bulk_create(rows["dimensions"])
        added += 1
        if progress:
            progress(day)
    return added


def load_analytics_demo(
    created: Counter | None = None, today=None, months: int = 6
) -> Counter:
    """About 2,000 page views a day over the last ``months`` months (to yesterday)."""
    created = created if created is not None else Counter()
    today = today or timezone.localdate()
    first = (today.replace(day=1) - datetime.timedelta(days=31 * (months - 1))).replace(
        day=1
    )
    days = [first + datetime.timedelta(days=n) for n in range((today - first).days)]
    added = synthesize(days, demo_paths(), base_pageviews=2000)
    if added:
        created["アクセス解析（日別集計）"] += added
    return created
