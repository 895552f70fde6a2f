"""The counting rules against hand-computed fixtures: sessions (30 minutes of
inactivity), users per day, bounces, entry pages, sources, devices, and the
daily tables written by ``rollup``."""

import datetime

import pytest
from django.utils import timezone

from cms.analytics import counting
from cms.analytics.counting import Event, aggregate, sessionise
from cms.analytics.models import (
    DailyDimensionStat,
    DailyPageStat,
    DailySiteStat,
    DailySourceStat,
    PageEvent,
)
from cms.analytics.rollup import rollup

DAY = datetime.date(2026, 10, 5)
JST = datetime.timezone(datetime.timedelta(hours=9))


def at(hh, mm, ss=0):
    return datetime.datetime(2026, 10, 5, hh, mm, ss, tzinfo=JST)


def ev(visitor, hh, mm, path, kind="pageview", **fields):
    return Event(created_at=at(hh, mm), visitor=visitor, kind=kind, path=path, **fields)


# A day of three visitors, counted by hand:
# A: 09:00 /, 09:10 /towns/mito/, 09:40 /towns/mito/akiya/1/  (gap 30 min: same)
#    10:11 /  (gap 31 min: second session, one page: a bounce)
# B: 12:00 /towns/mito/ from google (mobile), inquiry click at 12:05
# C: 23:50 /?utm_source=newsletter&utm_campaign=oct, 23:55 /towns/daigo/
FIXTURE = [
    ev("A", 9, 0, "/", device="desktop"),
    ev("A", 9, 10, "/towns/mito/", device="desktop"),
    ev("A", 9, 40, "/towns/mito/akiya/1/", device="desktop"),
    ev("A", 10, 11, "/", device="desktop"),
    ev(
        "B",
        12,
        0,
        "/towns/mito/",
        referrer_host="google.co.jp",
        device="mobile",
        region="JP-13",
    ),
    ev("B", 12, 5, "/towns/mito/", kind="inquiry", device="mobile", region="JP-13"),
    ev(
        "C",
        23,
        50,
        "/",
        utm_source="newsletter",
        utm_medium="email",
        utm_campaign="oct",
        device="mobile",
        region="JP-08",
    ),
    ev("C", 23, 55, "/towns/daigo/", device="mobile", region="JP-08"),
]


def test_thirty_minutes_of_inactivity_ends_a_session():
    sessions = sessionise(FIXTURE, gap_minutes=30)
    by_visitor = sorted((s.visitor, len(s.events)) for s in sessions)
    assert by_visitor == [("A", 1), ("A", 3), ("B", 2), ("C", 2)]


def test_exactly_thirty_minutes_is_still_the_same_session():
    events = [ev("A", 9, 0, "/"), ev("A", 9, 30, "/x/"), ev("A", 10, 0, "/y/")]
    assert len(sessionise(events)) == 1
    events.append(ev("A", 10, 31, "/z/"))
    assert len(sessionise(events)) == 2


def test_day_aggregate_matches_hand_count():
    day = aggregate(FIXTURE)
    assert day.pageviews == 7
    assert day.visitors == 3
    assert day.sessions == 4
    assert day.bounces == 2  # A's second visit and B (one page view + a click)
    assert day.inquiries == 1
    # A: 40 min + 0; B: 5 min (the click is activity); C: 5 min
    assert day.duration_seconds == (40 + 0 + 5 + 5) * 60
    home = day.pages["/"]
    assert (home.pageviews, len(home.visitors), home.entries) == (3, 2, 3)
    mito = day.pages["/towns/mito/"]
    assert (mito.pageviews, len(mito.visitors), mito.entries, mito.inquiries) == (
        2,
        2,
        1,
        1,
    )
    assert day.pages["/towns/daigo/"].entries == 0
    sources = {
        key: (c.sessions, len(c.visitors), c.pageviews)
        for key, c in day.sources.items()
    }
    assert sources == {
        ("(direct)", "", ""): (2, 1, 4),
        ("google.co.jp", "referral", ""): (1, 1, 1),
        ("newsletter", "email", "oct"): (1, 1, 2),
    }
    devices = {
        key[1]: c.sessions for key, c in day.dimensions.items() if key[0] == "device"
    }
    assert devices == {"desktop": 2, "mobile": 2}


def test_device_class_and_location_rules():
    assert (
        counting.device_class("Mozilla/5.0 (iPad; CPU OS 17_0 like Mac OS X)")
        == "tablet"
    )
    assert (
        counting.device_class("Mozilla/5.0 (Linux; Android 14; Pixel 8) Mobile")
        == "mobile"
    )
    assert counting.device_class("Mozilla/5.0 (Linux; Android 14; SM-X200)") == "tablet"
    assert (
        counting.device_class("Mozilla/5.0 (Macintosh; Intel Mac OS X)", 820)
        == "tablet"
    )
    headers = (
        ["HTTP_CLOUDFRONT_VIEWER_COUNTRY"],
        ["HTTP_CLOUDFRONT_VIEWER_COUNTRY_REGION"],
    )
    assert (
        counting.location(
            {
                "HTTP_CLOUDFRONT_VIEWER_COUNTRY": "jp",
                "HTTP_CLOUDFRONT_VIEWER_COUNTRY_REGION": "8",
            },
            *headers,
        )
        == "JP-08"
    )
    assert counting.location({"HTTP_CLOUDFRONT_VIEWER_COUNTRY": "US"}, *headers) == "US"
    assert counting.region_label("JP-08") == "茨城県"
    assert counting.region_label("JP-13") == "東京都"


@pytest.mark.django_db
def test_rollup_writes_the_daily_tables_and_prunes_raw_events(portal):
    for event in FIXTURE:
        PageEvent.objects.create(
            day=DAY,
            **{
                k: getattr(event, k)
                for k in (
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
                )
            },
        )
    rollup(today=DAY)
    site = DailySiteStat.objects.get(day=DAY)
    assert (site.pageviews, site.visitors, site.sessions, site.bounces) == (7, 3, 4, 2)
    mito = DailyPageStat.objects.get(day=DAY, path="/towns/mito/")
    assert (mito.pageviews, mito.visitors, mito.entries, mito.inquiries) == (2, 2, 1, 1)
    assert mito.municipality == portal.mito
    assert mito.title == "水戸市" and mito.page_type == "municipalitypage"
    assert DailySourceStat.objects.get(day=DAY, source="newsletter").campaign == "oct"
    assert (
        DailyDimensionStat.objects.get(
            day=DAY, dimension="region", value="JP-08"
        ).sessions
        == 1
    )

    rollup(today=DAY)  # idempotent
    assert DailySiteStat.objects.filter(day=DAY).count() == 1
    assert DailyPageStat.objects.filter(day=DAY).count() == 4

    rollup(today=DAY + datetime.timedelta(days=1))  # yesterday's events are kept
    assert PageEvent.objects.count() == len(FIXTURE)
    rollup(today=DAY + datetime.timedelta(days=2))
    assert not PageEvent.objects.exists()
    # The aggregates stay after the raw events are gone.
    assert DailySiteStat.objects.get(day=DAY).pageviews == 7


@pytest.mark.django_db
def test_unique_visitors_per_day_over_http(send):
    """Two browsers, three page views each, on one day: 2 users, 6 page views."""
    from .conftest import PHONE_UA

    for path in ("/", "/a/", "/b/"):
        send(path)
        send(path, ua=PHONE_UA)
    rollup()
    site = DailySiteStat.objects.get(day=timezone.localdate())
    assert (site.pageviews, site.visitors, site.sessions) == (6, 2, 2)
