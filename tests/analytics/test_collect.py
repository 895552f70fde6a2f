"""Collection over real HTTP: what /api/collect/ stores, what it refuses (bots,
Do Not Track, Global Privacy Control, foreign pages) and that nothing personal
reaches the database."""

import datetime

import pytest
from django.db import connection
from django.utils import timezone

from cms.analytics.models import DailySalt, PageEvent
from cms.analytics.snippet import script_source, tracking_snippet

from .conftest import DESKTOP_UA, PHONE_UA

pytestmark = pytest.mark.django_db


def test_page_view_is_stored_with_path_source_campaign_and_device(send):
    response = send(
        "/towns/mito/?utm_source=Newsletter&utm_medium=email&utm_campaign=oct&q=me@x.jp",
        referrer="https://www.google.co.jp/search?q=%E7%A7%BB%E4%BD%8F",
        ua=PHONE_UA,
        width=390,
        HTTP_CLOUDFRONT_VIEWER_COUNTRY="JP",
        HTTP_CLOUDFRONT_VIEWER_COUNTRY_REGION="13",
    )
    assert response.status_code == 204
    event = PageEvent.objects.get()
    assert event.path == "/towns/mito/"
    assert (event.utm_source, event.utm_medium, event.utm_campaign) == (
        "newsletter",
        "email",
        "oct",
    )
    assert event.referrer_host == "google.co.jp"
    assert event.device == "mobile"
    assert event.region == "JP-13"
    assert event.day == timezone.localdate()
    assert len(event.visitor) == 16


def test_same_browser_same_day_is_one_visitor_other_browser_another(send):
    send("/a/")
    send("/b/")
    send("/a/", ua=PHONE_UA)
    send("/a/", ip="198.51.100.7")
    hashes = list(PageEvent.objects.order_by("pk").values_list("visitor", flat=True))
    assert hashes[0] == hashes[1]
    assert len(set(hashes)) == 3


def test_visitor_hash_changes_with_the_daily_salt(send):
    send("/a/")
    first = PageEvent.objects.get().visitor
    salt = DailySalt.objects.get(day=timezone.localdate())
    salt.salt = DailySalt.new_salt()
    salt.save()
    from cms.analytics.ingest import forget_salts

    forget_salts()
    send("/a/")
    second = PageEvent.objects.exclude(visitor=first).get().visitor
    assert second != first


@pytest.mark.parametrize(
    "ua",
    [
        "",
        "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
        "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "HeadlessChrome/120.0.0.0 Safari/537.36",
        "curl/8.5.0",
        "python-requests/2.32",
        "facebookexternalhit/1.1",
    ],
)
def test_bots_are_not_counted(send, ua):
    assert send("/", ua=ua).status_code == 204
    assert not PageEvent.objects.exists()


@pytest.mark.parametrize("header", ["HTTP_DNT", "HTTP_SEC_GPC"])
def test_do_not_track_and_global_privacy_control_are_respected(send, header):
    assert send("/", **{header: "1"}).status_code == 204
    assert not PageEvent.objects.exists()
    send("/", **{header: "0"})
    assert PageEvent.objects.count() == 1


def test_pixel_counts_visitors_without_javascript_and_respects_dnt(client):
    response = client.get(
        "/api/collect/pixel.gif",
        HTTP_REFERER="http://testserver/towns/daigo/",
        HTTP_USER_AGENT=DESKTOP_UA,
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "image/gif"
    assert response["Cache-Control"] == "no-store"
    assert PageEvent.objects.get().path == "/towns/daigo/"
    client.get(
        "/api/collect/pixel.gif",
        HTTP_REFERER="http://testserver/towns/daigo/",
        HTTP_USER_AGENT=DESKTOP_UA,
        HTTP_DNT="1",
    )
    assert PageEvent.objects.count() == 1


def test_pages_of_other_sites_and_bad_input_are_ignored(send, client):
    send("https://evil.example/phish/")
    send("not a path")
    send("/ok/", kind="purchase")
    for body in ("{", "[]", '"x"', "x" * 5000):
        response = client.post(
            "/api/collect/",
            data=body,
            content_type="text/plain",
            HTTP_USER_AGENT=DESKTOP_UA,
        )
        assert response.status_code == 204
    assert not PageEvent.objects.exists()


def test_own_site_referrer_is_navigation_not_a_source(send, settings):
    send("/b/", referrer=f"{settings.PORTAL_SITE_URL}/a/")
    assert PageEvent.objects.get().referrer_host == ""


def test_rate_limit_per_ip(send, settings):
    settings.PORTAL_ANALYTICS = {
        **settings.PORTAL_ANALYTICS,
        "RATE_LIMIT_PER_MINUTE": 3,
    }
    for _ in range(5):
        send("/")
    assert PageEvent.objects.count() == 3


def test_collection_can_be_switched_off(send, settings):
    settings.PORTAL_ANALYTICS = {**settings.PORTAL_ANALYTICS, "ENABLED": False}
    send("/")
    assert not PageEvent.objects.exists()


def test_no_personal_data_in_any_analytics_table(send):
    """Inspect every column of every analytics table after real requests: no IP,
    no user agent, no query string, no full referrer URL."""
    from cms.analytics.rollup import rollup

    ip, secret_query = "203.0.113.99", "mail=taro@example.jp"
    send(
        f"/towns/mito/?{secret_query}",
        referrer="https://social.example/u/taro",
        ip=ip,
        ua=PHONE_UA,
    )
    rollup(today=timezone.localdate())
    dumped = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            if not table.startswith("analytics_"):
                continue
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            dumped.extend(str(value) for row in cursor.fetchall() for value in row)
    text = " ".join(dumped)
    assert "/towns/mito/" in text  # the test looked at the right rows
    for personal in (ip, "iPhone", "Mozilla", "taro", secret_query, "social.example/u"):
        assert personal not in text


def test_past_salts_are_deleted_so_hashes_cannot_be_recomputed(send):
    from cms.analytics.rollup import rollup

    send("/")
    today = timezone.localdate()
    DailySalt.objects.create(day=today - datetime.timedelta(days=1), salt="old")
    rollup(today=today)
    assert list(DailySalt.objects.values_list("day", flat=True)) == [today]
    rollup(today=today + datetime.timedelta(days=1))
    assert not DailySalt.objects.exists()


def test_script_is_small_and_respects_dnt_and_gpc():
    source = script_source()
    assert len(source.encode()) <= 1024
    assert "doNotTrack" in source and "globalPrivacyControl" in source
    assert "cookie" not in source.lower() and "localStorage" not in source


def test_snippet_points_at_the_public_api():
    html = tracking_snippet("https://iju.example.jp/")
    assert 'data-api="https://iju.example.jp/api/collect/"' in html
    assert '<noscript><img src="https://iju.example.jp/api/collect/pixel.gif"' in html
    external = tracking_snippet("", src="/assets/collect.js")
    assert (
        '<script defer src="/assets/collect.js" data-api="/api/collect/">' in external
    )


def test_percent_encoded_paths_are_stored_readable(send):
    send("/towns/mito/%E7%A9%BA%E3%81%8D%E5%AE%B6/")
    assert PageEvent.objects.get().path == "/towns/mito/空き家/"
