"""Helpers for the analytics tests: browser-like requests to /api/collect/ and
hand-made raw events."""

import datetime
import json

import pytest
from django.core.cache import cache

from cms.analytics.ingest import forget_salts
from cms.analytics.models import (
    DailyDimensionStat,
    DailyPageStat,
    DailySiteStat,
    DailySourceStat,
)

PHONE_UA = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"
)
DESKTOP_UA = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like "
    "Gecko) Chrome/131.0.0.0 Safari/537.36"
)


@pytest.fixture(autouse=True)
def fresh_state():
    cache.clear()  # rate-limit counters
    forget_salts()  # a salt cached by an earlier, rolled-back test
    yield
    cache.clear()
    forget_salts()


@pytest.fixture
def send(client):
    """POST one event as collect.js does (text/plain JSON)."""

    def send_event(
        path="/",
        referrer="",
        kind="pageview",
        ua=DESKTOP_UA,
        ip="203.0.113.5",
        width=1280,
        **headers,
    ):
        body = json.dumps({"u": path, "r": referrer, "e": kind, "w": width})
        return client.post(
            "/api/collect/",
            data=body,
            content_type="text/plain;charset=UTF-8",
            HTTP_USER_AGENT=ua,
            REMOTE_ADDR=ip,
            **headers,
        )

    return send_event


OCT = datetime.date(2026, 10, 1)


@pytest.fixture
def october(portal):
    """Hand-made aggregates for October 2026 and September 2026 (for the trend)."""
    for day, pv, users, sessions in (
        (OCT, 100, 40, 50),
        (OCT.replace(day=2), 60, 20, 30),
    ):
        DailySiteStat.objects.create(
            day=day,
            pageviews=pv,
            visitors=users,
            sessions=sessions,
            bounces=10,
            duration_seconds=sessions * 90,
            inquiries=2,
        )
    DailySiteStat.objects.create(
        day=datetime.date(2026, 9, 15), pageviews=80, visitors=30, sessions=40
    )
    DailyPageStat.objects.create(
        day=OCT,
        path="/towns/mito/",
        title="水戸市",
        page_type="municipalitypage",
        municipality=portal.mito,
        pageviews=70,
        visitors=30,
        entries=20,
    )
    DailyPageStat.objects.create(
        day=OCT.replace(day=2),
        path="/towns/mito/",
        title="水戸市",
        municipality=portal.mito,
        pageviews=5,
        visitors=5,
        entries=1,
    )
    DailyPageStat.objects.create(
        day=OCT,
        path="/towns/daigo/akiya/kominka/",
        title="大子町の古民家",
        page_type="akiyalistingpage",
        municipality=portal.daigo,
        pageviews=30,
        visitors=12,
        inquiries=3,
    )
    DailySourceStat.objects.create(
        day=OCT,
        source="google.co.jp",
        medium="referral",
        sessions=25,
        visitors=20,
        pageviews=60,
    )
    DailySourceStat.objects.create(
        day=OCT,
        source="newsletter",
        medium="email",
        campaign="oct",
        sessions=5,
        visitors=5,
        pageviews=9,
    )
    DailyDimensionStat.objects.create(
        day=OCT,
        dimension="device",
        value="mobile",
        sessions=35,
        visitors=30,
        pageviews=70,
    )
