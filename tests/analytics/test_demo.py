"""The demo traffic: consistent aggregates for the portal's pages, idempotent."""

import datetime
from collections import Counter

import pytest
from django.db.models import Sum

from cms.analytics import queries
from cms.analytics.demo import load_analytics_demo
from cms.analytics.models import DailyPageStat, DailySiteStat

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 10)


def test_demo_traffic_is_consistent_and_idempotent(portal):
    created = load_analytics_demo(Counter(), today=TODAY, months=2)
    days = DailySiteStat.objects.count()
    assert days == created["アクセス解析（日別集計）"] == 31 + 9  # Oct 1 – Nov 9
    for site in DailySiteStat.objects.all()[:10]:
        pages = DailyPageStat.objects.filter(day=site.day).aggregate(
            pv=Sum("pageviews"), entries=Sum("entries")
        )
        assert pages["pv"] == site.pageviews
        assert pages["entries"] == site.sessions
        assert site.visitors <= site.sessions <= site.pageviews
    october = queries.Period.month(2026, 10)
    assert queries.municipalities(october)[0]["pageviews"] > 0
    assert {row["value"] for row in queries.dimension(october, "device")} == {
        "mobile",
        "desktop",
        "tablet",
    }
    assert load_analytics_demo(Counter(), today=TODAY, months=2) == Counter()
    assert DailySiteStat.objects.count() == days
