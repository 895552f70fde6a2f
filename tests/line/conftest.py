"""Shared parts of the LINE tests: the Messaging API stand-in (tests/line/standin.py,
because the real API cannot be reached here) with the SDK's hosts pointed at it,
a channel with known credentials, webhook signing, and a few spots and answers."""

import base64
import hashlib
import hmac
import json
import uuid

import pytest
from django.core.cache import cache

from cms.line.models import ChannelRole, LineChannel, LineFriend

from . import standin

SECRET = "test-channel-secret"
TOKEN = "test-access-token"
IMMEDIATE = {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}


@pytest.fixture(scope="session")
def line_server():
    state, server = standin.start()
    yield state
    server.shutdown()


@pytest.fixture
def line_api(line_server, settings):
    """The stand-in, emptied, with the SDK and channel credentials pointed at it."""
    line_server.requests.clear()
    line_server.failures.clear()
    line_server.aliases.clear()
    line_server.menus.clear()
    line_server.accepted_retry_keys.clear()
    line_server.default_menu = ""
    line_server.audiences.clear()
    line_server.narrowcasts.clear()
    line_server.insight.clear()
    line_server.new_audience_status = "READY"
    line_server.new_narrowcast_phase = "succeeded"
    line_server.follower_count = 0
    line_server.user_menus.clear()
    line_server.followers = []
    line_server.followers_page = 1000
    line_server.followers_forbidden = False
    settings.TASKS = {**settings.TASKS, "background": IMMEDIATE}
    settings.LINE = {
        **settings.LINE,
        "API_BASE_URL": line_server.url,
        "DATA_API_BASE_URL": line_server.url,
        "PUBLIC_URL": "https://iju.example.jp",
        "CHANNELS": {
            "pref": {"secret": SECRET, "token": TOKEN},
            "pref-test": {"secret": SECRET + "-t", "token": TOKEN + "-t"},
            "mito": {"secret": SECRET + "-m", "token": TOKEN + "-m"},
        },
        "MAX_CALLS_PER_SECOND": 0,
    }
    cache.clear()
    return line_server


@pytest.fixture
def channel(db, line_api):
    test = LineChannel.objects.create(
        name="県テスト", slug="pref-test", role=ChannelRole.TEST
    )
    return LineChannel.objects.create(
        name="いばらき移住", slug="pref", test_channel=test
    )


@pytest.fixture
def mito_channel(db, line_api, portal):
    return LineChannel.objects.create(
        name="水戸市LINE", slug="mito", municipality=portal.mito
    )


def user_id(n: int) -> str:
    return "U" + f"{n:032x}"


def make_friend(channel, n, **fields) -> LineFriend:
    return LineFriend.objects.create(channel=channel, user_id=user_id(n), **fields)


def sign(body: bytes, secret: str = SECRET) -> str:
    return base64.b64encode(
        hmac.new(secret.encode(), body, hashlib.sha256).digest()
    ).decode()


def event(kind: str, uid: str, **extra) -> dict:
    """An event shaped like LINE's documented webhook examples."""
    base = {
        "type": kind,
        "mode": "active",
        "timestamp": 1462629479859,
        "source": {"type": "user", "userId": uid},
        "webhookEventId": str(uuid.uuid4()).upper().replace("-", "")[:26],
        "deliveryContext": {"isRedelivery": False},
    }
    if kind not in ("unfollow",):
        base["replyToken"] = "nHuyWiB7yP5Zw52FIkcQobQuGDXCTA"
    base.update(extra)
    return base


def text_event(uid: str, text: str) -> dict:
    return event(
        "message",
        uid,
        message={
            "id": "325708",
            "type": "text",
            "text": text,
            "quoteToken": "q3Plxr4AgKd...",
        },
    )


def location_event(uid: str, lat: float, lng: float) -> dict:
    return event(
        "message",
        uid,
        message={
            "id": "325709",
            "type": "location",
            "title": "my location",
            "address": "茨城県水戸市",
            "latitude": lat,
            "longitude": lng,
        },
    )


def postback_event(uid: str, data: str) -> dict:
    return event("postback", uid, postback={"data": data})


@pytest.fixture
def post_webhook(client):
    def post(channel, events, secret=SECRET, signature=None):
        body = json.dumps({"destination": "Uxxxxxxxx", "events": events}).encode()
        headers = {}
        if signature is not False:
            headers["HTTP_X_LINE_SIGNATURE"] = signature or sign(body, secret)
        return client.post(
            f"/api/line/webhook/{channel.slug}",
            body,
            content_type="application/json",
            **headers,
        )

    return post


def message_form(channel, **fields) -> dict:
    """The message editor's fields as the browser posts them (a text message to
    every friend at a set time), with ``fields`` changed."""
    data = {
        "channel": channel.pk,
        "title": "イベント案内",
        "text": "",
        "emojis": "[]",
        "media_kind": "",
        "image": "",
        "video": "",
        "alt_text": "",
        "imagemap_areas": "[]",
        "messages_json": "[]",
        "audience": "all",
        "segment": "",
        "send_method": "auto",
        "schedule": "at",
        "send_at": "2030-03-01 09:00",
        "recurrence": "{}",
        "reminder_date": "",
        "reminder_offset_days": 0,
    }
    data.update(fields)
    return data
