"""From raw events to the daily tables, then forgetting: ``rollup()`` (re)computes
every day that still has raw events, deletes events past their retention and the
salts of past days. Idempotent; run it every few minutes for a live dashboard
(``portal analytics rollup`` from cron, or the task ``rollup_task``)."""

import datetime
import logging
import re

from django.db import transaction
from django.utils import timezone
from wagtail.models import Page, Site

from cms.core.models import Municipality

from .conf import conf
from .counting import Event, aggregate
from .ingest import forget_salts
from .models import (
    DailyDimensionStat,
    DailyPageStat,
    DailySalt,
    DailySiteStat,
    DailySourceStat,
    Origin,
    PageEvent,
)

logger = logging.getLogger(__name__)

TOWN_PATH = re.compile(r"^/towns/([^/]+)/")
EVENT_FIELDS = [
    "created_at",
    "visitor",
    "kind",
    "path",
    "referrer_host",
    "utm_source",
    "utm_medium",
    "utm_campaign",
    "device",
    "region",
]


def resolve_pages(paths) -> dict[str, tuple[str, str, int | None]]:
    """path → (title, page type, municipality id) from the CMS pages the static
    site was built from (site path = the page's url_path below the site root)."""
    site = Site.objects.filter(is_default_site=True).select_related("root_page").first()
    root = site.root_page.url_path.rstrip("/") if site else ""
    paths = list(paths)
    url_paths = {root + path: path for path in paths if path.endswith("/")}
    found = {}
    for start in range(0, len(url_paths), 500):
        chunk = list(url_paths)[start : start + 500]
        for url_path, title, model in Page.objects.filter(
            url_path__in=chunk
        ).values_list("url_path", "title", "content_type__model"):
            found[url_paths[url_path]] = (title[:255], model)
    towns = dict(Municipality.objects.values_list("slug", "pk"))
    resolved = {}
    for path in paths:
        match = TOWN_PATH.match(path)
        title, model = found.get(path, ("", ""))
        resolved[path] = (title, model, towns.get(match.group(1)) if match else None)
    return resolved


def events_of(day: datetime.date) -> list[Event]:
    rows = PageEvent.objects.filter(day=day).values_list(*EVENT_FIELDS)
    return [Event(*row) for row in rows.iterator(chunk_size=5000)]


@transaction.atomic
def store_day(day: datetime.date, result) -> None:
    """Replace the day's collected aggregates (imported GA4 rows stay)."""
    own = {"day": day, "origin": Origin.COLLECT}
    for model in (DailySiteStat, DailyPageStat, DailySourceStat, DailyDimensionStat):
        model.objects.filter(**own).delete()
    if not result.sessions and not result.inquiries:
        return
    DailySiteStat.objects.create(
        **own,
        pageviews=result.pageviews,
        visitors=result.visitors,
        sessions=result.sessions,
        bounces=result.bounces,
        duration_seconds=result.duration_seconds,
        inquiries=result.inquiries,
    )
    pages = resolve_pages(result.pages)
    DailyPageStat.objects.bulk_create(
        [
            DailyPageStat(
                **own,
                path=path,
                title=pages[path][0],
                page_type=pages[path][1],
                municipality_id=pages[path][2],
                pageviews=counts.pageviews,
                visitors=len(counts.visitors),
                entries=counts.entries,
                inquiries=counts.inquiries,
            )
            for path, counts in result.pages.items()
        ],
        batch_size=1000,
    )
    DailySourceStat.objects.bulk_create(
        [
            DailySourceStat(
                **own,
                source=source,
                medium=medium,
                campaign=campaign,
                sessions=counts.sessions,
                visitors=len(counts.visitors),
                pageviews=counts.pageviews,
            )
            for (source, medium, campaign), counts in result.sources.items()
        ],
        batch_size=1000,
    )
    DailyDimensionStat.objects.bulk_create(
        [
            DailyDimensionStat(
                **own,
                dimension=dimension,
                value=value,
                sessions=counts.sessions,
                visitors=len(counts.visitors),
                pageviews=counts.pageviews,
            )
            for (dimension, value), counts in result.dimensions.items()
        ],
        batch_size=1000,
    )


def rollup_day(day: datetime.date):
    result = aggregate(events_of(day), conf("SESSION_MINUTES"))
    store_day(day, result)
    return result


def rollup(today: datetime.date | None = None, progress=None) -> dict:
    """Aggregate every day with raw events, then prune. Returns what it did."""
    today = today or timezone.localdate()
    days = sorted(set(PageEvent.objects.values_list("day", flat=True).distinct()))
    for day in days:
        rollup_day(day)
        if progress:
            progress(day)
    keep_from = today - datetime.timedelta(days=conf("RAW_RETENTION_DAYS") - 1)
    pruned, _ = PageEvent.objects.filter(day__lt=keep_from).delete()
    # A past day's salt is no longer needed once it cannot receive events.
    salts, _ = DailySalt.objects.filter(day__lt=today).delete()
    if salts:
        forget_salts()
    return {"days": days, "pruned_events": pruned, "deleted_salts": salts}
