"""``/healthz`` reports LINE delivery trouble of the last day (failed or partly
failed deliveries, refused replies, narrowcasts stuck for hours) over HTTP, as
counts a monitor can alert on. Sends go to the Messaging API stand-in
(tests/line/standin.py; the real API cannot be reached here)."""

import datetime as dt

import pytest
from django.utils import timezone

from cms.line import delivery
from cms.line.models import DeliveryRun, LineMessage, RunStatus, SendMethod

from .conftest import make_friend, text_event, user_id

pytestmark = pytest.mark.django_db


def line_report(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    return response.json()["status"], response.json()["checks"]["line"]


def test_healthz_is_ok_after_good_deliveries(client, channel, line_api):
    make_friend(channel, 1)
    delivery.send_now(LineMessage.objects.create(channel=channel, title="a", text="a"))
    _, line = line_report(client)
    assert line["ok"] is True and line["runs_last_24h"] == 1


def test_healthz_is_degraded_by_a_failed_delivery(client, channel, line_api):
    make_friend(channel, 1)
    line_api.fail_next("multicast", 400)
    delivery.send_now(LineMessage.objects.create(channel=channel, title="a", text="a"))
    status, line = line_report(client)
    assert status == "degraded" and line["ok"] is False
    assert line["failed_runs_last_24h"] == 1
    assert line["failed_recipients_last_24h"] == 1


def test_old_failures_no_longer_count(client, channel, line_api):
    make_friend(channel, 1)
    line_api.fail_next("multicast", 400)
    run = delivery.send_now(
        LineMessage.objects.create(channel=channel, title="a", text="a")
    )
    DeliveryRun.objects.filter(pk=run.pk).update(
        started_at=timezone.now() - dt.timedelta(days=2)
    )
    assert line_report(client)[1]["ok"] is True


def test_healthz_counts_refused_replies(client, channel, post_webhook, line_api):
    make_friend(channel, 1)
    line_api.fail_next("reply", 400)
    post_webhook(channel, [text_event(user_id(1), "属性")])
    status, line = line_report(client)
    assert status == "degraded" and line["failed_replies_last_24h"] == 1


def test_healthz_reports_a_stuck_narrowcast(client, channel, line_api):
    message = LineMessage.objects.create(channel=channel, title="a", text="a")
    DeliveryRun.objects.create(
        message=message,
        method=SendMethod.NARROWCAST,
        phase="sending",
        status=RunStatus.RUNNING,
        started_at=timezone.now() - dt.timedelta(hours=7),
    )
    assert line_report(client)[1]["stuck_narrowcasts"] == 1
