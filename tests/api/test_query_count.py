"""No N+1: a page of the builder's snapshot costs the same number of SQL queries
whether it holds 3 listings or 30."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cms.api.queries import query_text

from .builders import add_photo_akiya
from .conftest import post_graphql

pytestmark = pytest.mark.django_db


def snapshot_queries(client, query: str, variables: dict) -> int:
    # The first run creates the renditions (one write per new image and filter);
    # what the builder pays on every later build is the second run.
    assert "errors" not in post_graphql(client, query, variables).json()
    with CaptureQueriesContext(connection) as captured:
        response = post_graphql(client, query, variables)
    body = response.json()
    assert "errors" not in body, body.get("errors")
    return len(captured), body


def test_snapshot_query_count_does_not_grow_with_listings(client, portal):
    for number in range(3):
        add_photo_akiya("mito", number)
    query = query_text("snapshot")
    variables = {"offset": 0, "limit": 200}
    few, body = snapshot_queries(client, query, variables)
    total_few = body["data"]["pages"]["totalCount"]
    for number in range(3, 30):
        add_photo_akiya("tsukuba" if number % 2 else "daigo", number)
    many, body = snapshot_queries(client, query, variables)
    assert body["data"]["pages"]["totalCount"] == total_few + 27
    assert many == few, f"{few} queries for 3 listings, {many} for 30"


def test_listings_query_count_does_not_grow_with_listings(client, portal):
    query = query_text("listings")
    variables = {"offset": 0, "limit": 100, "filter": {"types": ["AKIYA"]}}
    for number in range(3):
        add_photo_akiya("mito", number)
    few, _ = snapshot_queries(client, query, variables)
    for number in range(3, 30):
        add_photo_akiya("mito", number)
    many, body = snapshot_queries(client, query, variables)
    assert len(body["data"]["listings"]["items"]) == 33
    assert many == few, f"{few} queries for 3 listings, {many} for 30"
