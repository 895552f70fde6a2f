"""The pull endpoint /api/akiya/feed/<format>: a token per consumer (401 without,
403 wrong or disabled), ETag and If-Modified-Since answered with 304 until the
feed changes, changes since a version, and the published JSON Schema."""

import datetime
import io
import json
import zipfile

import jsonschema
import pytest
from django.db.models import F

from cms.akiya_bank.canonical import json_schema
from cms.akiya_bank.models import FeedConsumer, FeedState
from cms.akiya_bank.sync import refresh_feed
from cms.akiya_bank.writers.lifull import read_rows

from .conftest import republish

pytestmark = pytest.mark.django_db

URL = "/api/akiya/feed/{}"


def get(client, fmt="canonical-json", token=None, **headers):
    extra = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items()}
    if token:
        extra["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    return client.get(URL.format(fmt), **extra)


def test_feed_without_a_token_is_401_with_a_bearer_challenge(client):
    response = get(client)
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert "トークンが必要です" in response.json()["detail"]


def test_feed_with_a_wrong_token_is_403(client, consumer):
    response = get(client, token="akiya_not-a-real-token")
    assert response.status_code == 403
    assert "無効" in response.json()["detail"]


def test_disabled_consumer_is_403(client, consumer):
    record, token = consumer
    FeedConsumer.objects.filter(pk=record.pk).update(is_active=False)
    assert get(client, token=token).status_code == 403


def test_token_is_stored_only_as_a_hash(consumer):
    record, token = consumer
    stored = FeedConsumer.objects.get(pk=record.pk)
    assert token not in (stored.token_hash, stored.token_hint)
    assert stored.token_hash == FeedConsumer.hash_token(token)
    assert token.startswith(stored.token_hint)


def test_consumer_gets_the_synced_feed_and_its_use_is_counted(
    client, consumer, add_listing
):
    record, token = consumer
    page = add_listing()
    refresh_feed("cli")
    response = get(client, token=token)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    document = json.loads(response.content)
    jsonschema.validate(document, json_schema())
    assert [r["id"] for r in document["listings"]] == [f"akiya-{page.pk}"]
    assert response["X-Akiya-Feed-Version"] == "1"
    record.refresh_from_db()
    assert record.request_count == 1 and record.last_used_at is not None


def test_token_may_also_be_a_query_parameter(client, consumer, add_listing):
    _, token = consumer
    response = client.get(URL.format("canonical-csv"), {"token": token})
    assert response.status_code == 200
    assert response.content.startswith(b"id,feed_action,")


def test_etag_and_if_modified_since_answer_304_until_the_feed_changes(
    client, consumer, add_listing
):
    _, token = consumer
    page = add_listing()
    refresh_feed("cli")
    # HTTP dates count whole seconds: let the first sync lie minutes back, as
    # syncs do, so the change below is in a later second.
    FeedState.objects.update(changed_at=F("changed_at") - datetime.timedelta(minutes=5))
    first = get(client, token=token)
    etag, modified = first["ETag"], first["Last-Modified"]

    assert get(client, token=token, if_none_match=etag).status_code == 304
    assert get(client, token=token, if_modified_since=modified).status_code == 304
    # A sync with no change keeps the ETag.
    refresh_feed("cli")
    again = get(client, token=token, if_none_match=etag)
    assert again.status_code == 304 and again["ETag"] == etag

    republish(page, price_yen=1_000_000)
    refresh_feed("cli")
    changed = get(client, token=token, if_none_match=etag)
    assert changed.status_code == 200
    assert changed["ETag"] != etag
    assert json.loads(changed.content)["listings"][0]["price_yen"] == 1_000_000
    assert get(client, token=token, if_modified_since=modified).status_code == 200


def test_each_format_has_its_own_etag(client, consumer, add_listing):
    _, token = consumer
    add_listing()
    refresh_feed("cli")
    tags = {
        get(client, fmt, token=token)["ETag"]
        for fmt in ("canonical-json", "canonical-csv", "lifull-csv")
    }
    assert len(tags) == 3


def test_lifull_csv_is_served_as_shift_jis(client, consumer, add_listing):
    _, token = consumer
    add_listing(title="髙橋邸")
    refresh_feed("cli")
    response = get(client, "lifull-csv", token=token)
    assert response["Content-Type"] == "text/csv; charset=Shift_JIS"
    rows = read_rows(response.content)
    assert rows[0][0] == "header" and rows[1][10] == "高橋邸"


def test_lifull_package_with_photos_as_zip(client, consumer, add_listing):
    _, token = consumer
    page = add_listing(photos=2)
    refresh_feed("cli")
    response = client.get(
        URL.format("lifull-csv"),
        {"package": "zip"},
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert response["Content-Type"] == "application/zip"
    names = zipfile.ZipFile(io.BytesIO(response.content)).namelist()
    assert any(name.startswith(f"images/akiya-{page.pk}_02_") for name in names)
    assert "sent" in names


def test_changes_since_a_version_include_deletions(client, consumer, add_listing):
    _, token = consumer
    page = add_listing()
    refresh_feed("cli")
    republish(page, status="withdrawn")
    refresh_feed("cli")
    response = client.get(
        URL.format("canonical-json"), {"since": 1}, HTTP_AUTHORIZATION=f"Bearer {token}"
    )
    document = json.loads(response.content)
    assert document["mode"] == "changes"
    assert document["listings"] == []
    assert [d["id"] for d in document["deleted"]] == [f"akiya-{page.pk}"]


def test_unknown_format_is_rejected(client, consumer):
    _, token = consumer
    assert get(client, "xml", token=token).status_code == 422


def test_schema_is_published_without_a_token(client):
    response = client.get("/api/akiya/schema.json")
    assert response.status_code == 200
    assert json.loads(response.content) == json_schema()


def test_feed_endpoint_is_described_in_the_openapi_document(client):
    paths = client.get("/api/openapi.json").json()["paths"]
    operation = paths["/api/akiya/feed/{feed_format}"]["get"]
    assert {"200", "304", "401", "403"} <= set(operation["responses"])
