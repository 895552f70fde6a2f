"""The public endpoints' guards: an overall rate limit per IP and per session
(429 with Retry-After), a request size limit (413), CORS for the public site's
origin only, and the security headers (CSP, nosniff, referrer policy)."""

import json

import pytest

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def one_window(monkeypatch):
    """The limits count per fixed minute: keep the clock still, so a slow run does
    not cross into the next minute and start counting again."""
    import time
    from types import SimpleNamespace

    still = time.time()
    monkeypatch.setattr("cms.core.ratelimit.time", SimpleNamespace(time=lambda: still))


def test_too_many_requests_from_one_address_get_429(settings, client):
    settings.PORTAL_PUBLIC_RATE_LIMIT_PER_IP = 3
    codes = [
        client.get("/api/chat/config", REMOTE_ADDR="198.51.100.1").status_code
        for _ in range(4)
    ]
    assert codes == [200, 200, 200, 429]
    refused = client.get("/api/chat/config", REMOTE_ADDR="198.51.100.1")
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) >= 1
    assert "秒ほど待って" in refused.json()["detail"]
    other = client.get("/api/chat/config", REMOTE_ADDR="198.51.100.2")
    assert other.status_code == 200


def test_one_session_is_limited_across_addresses(settings, client):
    settings.PORTAL_PUBLIC_RATE_LIMIT_PER_SESSION = 2
    client.cookies[settings.SESSION_COOKIE_NAME] = "s" * 32
    codes = [
        client.get("/api/chat/config", REMOTE_ADDR=f"198.51.100.{n}").status_code
        for n in range(10, 13)
    ]
    assert codes == [200, 200, 429]


def test_signed_machine_callbacks_are_not_limited_per_address(settings, client):
    """LINE's webhook comes from few addresses: a per-IP limit would lose events
    (the signature check refuses what LINE did not send)."""
    settings.PORTAL_PUBLIC_RATE_LIMIT_PER_IP = 1
    codes = {
        client.post(
            "/api/line/webhook/no-such-channel",
            "{}",
            content_type="application/json",
            REMOTE_ADDR="203.0.113.9",
        ).status_code
        for _ in range(3)
    }
    assert 429 not in codes
    assert client.get("/api/chat/config", REMOTE_ADDR="203.0.113.9").status_code == 200
    assert client.get("/api/chat/config", REMOTE_ADDR="203.0.113.9").status_code == 429


def test_resident_pages_are_limited_with_a_japanese_page(settings, client):
    settings.PORTAL_PUBLIC_RATE_LIMIT_PER_IP = 1
    assert client.get("/reserve/").status_code == 200
    refused = client.get("/reserve/")
    assert refused.status_code == 429
    assert "アクセスが集中しました" in refused.content.decode()


def test_chat_endpoint_keeps_its_own_stricter_limit(client):
    from cms.chat.public_api import IP_LIMIT

    body = json.dumps({"message": "移住支援金"})
    codes = [
        client.post(
            "/api/chat/",
            body,
            content_type="application/json",
            REMOTE_ADDR="192.0.2.50",
        ).status_code
        for _ in range(IP_LIMIT + 1)
    ]
    assert codes[-1] == 429 and set(codes[:-1]) == {200}


def test_oversized_bodies_are_refused_before_parsing(settings, client):
    settings.PORTAL_PUBLIC_MAX_BODY_BYTES = 1024
    body = json.dumps({"message": "あ" * 2000})
    response = client.post("/api/chat/", body, content_type="application/json")
    assert response.status_code == 413
    assert "大きすぎます" in response.json()["detail"]


def test_admin_uploads_are_not_bound_by_the_public_limit(settings, login):
    settings.PORTAL_PUBLIC_MAX_BODY_BYTES = 10
    client = login("pref-admin")
    response = client.post("/admin/pages/search/", {"q": "x" * 100})
    assert response.status_code != 413


def test_cors_allows_the_public_site_only(settings, client):
    origin = settings.PORTAL_SITE_URL
    allowed = client.get("/api/chat/config", HTTP_ORIGIN=origin)
    assert allowed["Access-Control-Allow-Origin"] == origin
    assert allowed["Access-Control-Allow-Credentials"] == "true"
    other = client.get("/api/chat/config", HTTP_ORIGIN="https://evil.example")
    assert "Access-Control-Allow-Origin" not in other
    preflight = client.options(
        "/api/chat/",
        HTTP_ORIGIN=origin,
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="content-type",
    )
    assert preflight.status_code == 200
    assert "POST" in preflight["Access-Control-Allow-Methods"]
    graphql = client.get("/api/graphql/", HTTP_ORIGIN=origin)
    assert "Access-Control-Allow-Origin" not in graphql


def test_security_headers_on_public_and_admin_responses(client):
    public = client.get("/api/chat/config")
    policy = public["Content-Security-Policy-Report-Only"]  # report-only in tests
    assert (
        "script-src 'self'" in policy
        and "'unsafe-inline'" not in policy.split("script-src")[1].split(";")[0]
    )
    assert "frame-ancestors 'self'" in policy
    assert public["X-Content-Type-Options"] == "nosniff"
    assert public["Referrer-Policy"] == "strict-origin-when-cross-origin"
    admin = client.get("/admin/login/")
    admin_policy = admin["Content-Security-Policy-Report-Only"]
    assert "'unsafe-inline'" in admin_policy.split("script-src")[1].split(";")[0]


def test_password_policy_asks_for_three_kinds_of_characters():
    from django.core.exceptions import ValidationError

    from cms.ops.passwords import CharacterClassValidator, character_classes

    assert character_classes("abcdefgh") == 1
    assert character_classes("Abcdefg1") == 3
    assert character_classes("いじゅうPortal2026") == 4
    with pytest.raises(ValidationError, match="3種類以上"):
        CharacterClassValidator().validate("onlylowercaseletters")
    CharacterClassValidator().validate("Kunitomi-2026")


def test_json_log_lines(caplog):
    import logging

    from cms.ops.logs import JsonFormatter

    record = logging.LogRecord(
        "cms.x", logging.WARNING, "f.py", 1, "予約 %s", ("R1",), None
    )
    record.booking = "R1"
    line = json.loads(JsonFormatter().format(record))
    assert line["message"] == "予約 R1" and line["booking"] == "R1"
    assert line["level"] == "WARNING"
