"""Listings for the builder: filters by municipality, type, status, price, date and
change time, and paging with total counts."""

import datetime

import pytest
from django.utils import timezone
from wagtail.models import Page

from tests import factories

from .builders import add_recruitment, add_trial_stay, event_section, in_days
from .conftest import titles

pytestmark = pytest.mark.django_db

LISTINGS = """
query Listings($filter: ListingFilter, $offset: Int! = 0, $limit: Int! = 50, $order: ListingOrder! = NEWEST) {
  listings(filter: $filter, offset: $offset, limit: $limit, order: $order) {
    totalCount offset limit hasNextPage
    items { __typename id title municipality { slug } }
  }
}
"""


def listings(gql, **filter_):
    return gql(LISTINGS, {"filter": filter_})["data"]["listings"]


@pytest.fixture
def variety(portal):
    """Listings of every type in 水戸市 and つくば市 with known prices and dates."""
    mito, tsukuba = portal.section("mito"), portal.section("tsukuba")
    factories.add_akiya(
        mito, title="水戸の安い家", registration_number="v1", price_yen=500_000
    )
    factories.add_akiya(
        mito,
        title="水戸の商談中の家",
        registration_number="v2",
        price_yen=2_000_000,
        status="negotiating",
    )
    factories.add_akiya(
        tsukuba,
        title="つくばの貸家",
        registration_number="v3",
        transaction_type="rent",
        price_yen=None,
        rent_yen=45_000,
        registered_on=datetime.date(2025, 1, 10),
    )
    add_trial_stay(
        "mito",
        title="水戸のお試し住宅",
        fee_per_night_yen=1500,
        available_from=datetime.date(2026, 5, 1),
        available_until=datetime.date(2026, 9, 30),
    )
    add_recruitment(
        "tsukuba",
        title="つくばの協力隊",
        monthly_pay_yen=250_000,
        application_start=datetime.date(2026, 4, 1),
        application_end=datetime.date(2026, 4, 30),
    )
    start = timezone.make_aware(datetime.datetime(2026, 7, 4, 13, 0))
    factories.add_event(
        event_section("mito"),
        title="水戸の夏祭り",
        start_at=start,
        end_at=start + datetime.timedelta(hours=5),
        fee_yen=0,
    )


def test_filter_by_municipality_slug_and_code(gql, variety):
    mito = listings(gql, municipality=["mito"])
    assert {item["municipality"]["slug"] for item in mito["items"]} == {"mito"}
    assert "水戸の安い家" in titles(mito["items"])
    by_code = listings(gql, municipalityCode=["082015"])
    assert titles(by_code["items"]) == titles(mito["items"])
    by_code5 = listings(gql, municipalityCode=["08201"])
    assert titles(by_code5["items"]) == titles(mito["items"])
    both = listings(gql, municipality=["mito", "tsukuba"])
    assert (
        both["totalCount"]
        == mito["totalCount"] + listings(gql, municipality=["tsukuba"])["totalCount"]
    )


def test_filter_by_unknown_municipality_finds_nothing(gql, variety):
    assert listings(gql, municipality=["atlantis"])["totalCount"] == 0


def test_a_malformed_municipality_code_is_a_clear_error(gql, variety):
    body = gql(LISTINGS, {"filter": {"municipalityCode": ["0820"]}}, expect_errors=True)
    assert "団体コードは6桁" in body["errors"][0]["message"]


def test_filter_by_type(gql, variety):
    result = listings(gql, types=["TRIAL_STAY", "RECRUITMENT"])
    assert {i["__typename"] for i in result["items"]} == {
        "TrialStayPage",
        "RecruitmentPage",
    }
    assert titles(result["items"]) == {"水戸のお試し住宅", "つくばの協力隊"}


def test_filter_by_akiya_status_leaves_other_types_out(gql, variety):
    result = listings(gql, status=["NEGOTIATING"])
    assert titles(result["items"]) == {"水戸の商談中の家"}


def test_filter_by_price_range_uses_each_types_amount(gql, variety):
    cheap = listings(gql, priceMax=1_000_000)
    assert "水戸の安い家" in titles(cheap["items"])
    assert "水戸の商談中の家" not in titles(cheap["items"])
    assert "水戸のお試し住宅" in titles(cheap["items"])  # 1,500 yen a night
    assert "水戸の夏祭り" in titles(cheap["items"])  # free
    assert "つくばの協力隊" in titles(cheap["items"])  # 250,000 yen a month
    assert "つくばの貸家" not in titles(cheap["items"])  # rent only: no sale price
    rent = listings(gql, rentMin=40_000, rentMax=50_000)
    assert titles(rent["items"]) == {"つくばの貸家"}


def test_an_inverted_range_is_a_clear_error(gql, variety):
    body = gql(
        LISTINGS, {"filter": {"priceMin": 10, "priceMax": 5}}, expect_errors=True
    )
    assert "priceMin/priceMax" in body["errors"][0]["message"]


def test_filter_by_date_range_uses_each_types_dates(gql, variety):
    july = listings(gql, dateFrom="2026-07-01", dateTo="2026-07-31")
    assert "水戸の夏祭り" in titles(july["items"])
    assert "水戸のお試し住宅" in titles(july["items"])  # available May–September
    assert "つくばの協力隊" not in titles(july["items"])  # applications in April
    assert "つくばの貸家" not in titles(july["items"])  # registered January 2025
    april = listings(gql, dateFrom="2026-04-15", dateTo="2026-04-15")
    assert "つくばの協力隊" in titles(april["items"])
    assert "水戸の夏祭り" not in titles(april["items"])


def test_updated_since_returns_what_was_published_after(gql, variety, portal):
    cutoff = timezone.now()
    assert listings(gql, updatedSince=cutoff.isoformat())["totalCount"] == 0
    page = factories.add_akiya(
        portal.section("daigo"), title="新着の家", registration_number="v9"
    )
    result = listings(gql, updatedSince=cutoff.isoformat())
    assert titles(result["items"]) == {"新着の家"}
    # A page going live on schedule counts as updated although nobody published it.
    Page.objects.filter(title="水戸の安い家").update(
        go_live_at=timezone.now(), last_published_at=in_days(-30)
    )
    result = listings(gql, updatedSince=cutoff.isoformat())
    assert titles(result["items"]) == {"新着の家", "水戸の安い家"}
    assert page.live


def test_paging_reports_totals_and_walks_every_listing_once(gql, variety):
    everything = listings(gql)
    total = everything["totalCount"]
    assert total >= 9
    seen = []
    offset = 0
    while True:
        page = gql(LISTINGS, {"offset": offset, "limit": 4, "order": "TITLE"})["data"][
            "listings"
        ]
        assert (
            page["totalCount"] == total
            and page["limit"] == 4
            and page["offset"] == offset
        )
        seen += [item["id"] for item in page["items"]]
        if not page["hasNextPage"]:
            break
        offset += 4
    assert len(seen) == total == len(set(seen))


def test_page_size_above_the_maximum_is_refused(gql, settings):
    body = gql(
        LISTINGS, {"limit": settings.PORTAL_API_MAX_PAGE_SIZE + 1}, expect_errors=True
    )
    assert body["data"] is None or body["data"]["listings"] is None
    assert f"1〜{settings.PORTAL_API_MAX_PAGE_SIZE}" in body["errors"][0]["message"]
    body = gql(LISTINGS, {"offset": -1}, expect_errors=True)
    assert "offset" in body["errors"][0]["message"]


def test_pages_can_be_filtered_by_municipality_type_and_path(gql, variety):
    query = """query($filter: PageFilter) { pages(filter: $filter, limit: 200) {
        totalCount items { path pageType } } }"""
    mito = gql(query, {"filter": {"municipality": ["mito"]}})["data"]["pages"]["items"]
    assert mito and all(item["path"].startswith("/towns/mito/") for item in mito)
    sections = gql(query, {"filter": {"types": ["AKIYA_INDEX"]}})["data"]["pages"][
        "items"
    ]
    assert {item["path"] for item in sections} == {
        "/towns/mito/akiya/",
        "/towns/tsukuba/akiya/",
        "/towns/daigo/akiya/",
    }
    under = gql(query, {"filter": {"pathPrefix": "/towns/tsukuba/akiya/"}})["data"][
        "pages"
    ]["items"]
    assert {item["pageType"] for item in under} == {"AKIYA_INDEX", "AKIYA"}


def test_a_listing_fetched_as_json_over_http_like_curl(client, portal, settings):
    """What `curl 'http://…/api/graphql/?query=…'` returns against the demo."""
    query = (
        '{ listings(filter: {types: [AKIYA], municipality: ["mito"]}, limit: 1) '
        "{ items { title url ... on AkiyaListingPage { priceYen priceLabel status { label } } } } }"
    )
    response = client.get(
        "/api/graphql/", {"query": query}, HTTP_ACCEPT="application/json"
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    item = response.json()["data"]["listings"]["items"][0]
    assert item["title"] == "水戸市の公開物件"
    assert item["priceLabel"] == "売買 3,800,000円"
    assert item["status"] == {"label": "公開中"}
    assert item["url"].startswith(settings.PORTAL_SITE_URL + "/towns/mito/akiya/")
