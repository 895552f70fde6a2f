"""Delivery by audience upload + narrowcast and LINE Insight's open rates, against
the Messaging API stand-in (tests/line/standin.py; the real API cannot be reached
here). The stand-in keeps audiences and narrowcasts, and tests move a narrowcast's
phase and set its Insight figures by hand, as LINE would over minutes and days."""

import datetime as dt
import io
import uuid

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from cms.line import delivery, narrowcast
from cms.line.models import (
    FriendSegment,
    LineMessage,
    MessageStatus,
    RunStatus,
    ScheduleKind,
    SendMethod,
)

from .conftest import make_friend, user_id

pytestmark = pytest.mark.django_db


def make_message(channel, **fields):
    fields.setdefault("title", "移住フェアのお知らせ")
    fields.setdefault("text", "移住フェアを開きます https://iju.example.jp/fair")
    fields.setdefault("schedule", ScheduleKind.NOW)
    return LineMessage.objects.create(channel=channel, **fields)


@pytest.fixture
def many_friends(channel):
    for n in range(1, 121):
        make_friend(channel, n)
    return channel


def test_choose_method_keeps_small_and_test_deliveries_on_multicast(settings):
    settings.LINE = {**settings.LINE, "NARROWCAST_MIN_RECIPIENTS": 100}
    choose = narrowcast.choose_method
    assert choose(SendMethod.AUTO, 99, False) == SendMethod.MULTICAST
    assert choose(SendMethod.AUTO, 100, False) == SendMethod.NARROWCAST
    assert choose(SendMethod.AUTO, 5000, True) == SendMethod.MULTICAST  # test send
    assert choose(SendMethod.NARROWCAST, 60, False) == SendMethod.NARROWCAST
    # LINE fails a narrowcast to an audience under 50 (errorCode 4).
    assert choose(SendMethod.NARROWCAST, 49, False) == SendMethod.MULTICAST
    assert choose(SendMethod.MULTICAST, 5000, False) == SendMethod.MULTICAST


def test_large_delivery_goes_by_audience_upload_and_narrowcast(many_friends, line_api):
    message = make_message(many_friends)
    run = delivery.send_now(message)
    assert not line_api.calls("multicast")
    (upload,) = line_api.calls(r"^/v2/bot/audienceGroup/upload$")
    assert sorted(a["id"] for a in upload.json["audiences"]) == sorted(
        user_id(n) for n in range(1, 121)
    )
    (cast,) = line_api.calls(r"^/v2/bot/message/narrowcast$")
    assert cast.json["recipient"] == {
        "type": "audience",
        "audienceGroupId": run.audience_group_id,
    }
    assert uuid.UUID(cast.headers["X-Line-Retry-Key"]) == run.retry_key
    # The link is tracked like a multicast's.
    assert "/line/r/" in cast.json["messages"][0]["text"]
    assert run.method == SendMethod.NARROWCAST and run.phase == "waiting"
    assert run.request_id in line_api.narrowcasts
    assert run.status == RunStatus.RUNNING and run.sent_count == 0

    narrowcast.update_runs()
    run.refresh_from_db()
    assert (run.phase, run.status) == ("succeeded", RunStatus.DONE)
    assert (run.target_count, run.sent_count, run.failed_count) == (120, 120, 0)
    # The audience is removed once used (LINE caps audiences per channel).
    assert line_api.audiences[run.audience_group_id]["status"] == "DELETED"
    message.refresh_from_db()
    assert message.status == MessageStatus.DONE


def test_insight_gives_the_open_rate_on_the_stats_page_and_csv(
    login, many_friends, line_api
):
    run = delivery.send_now(make_message(many_friends))
    now = timezone.now()
    narrowcast.update_runs(now)  # succeeded; Insight fetched: nobody opened yet
    run.refresh_from_db()
    assert (run.delivered_count, run.open_count) == (120, None)
    assert narrowcast.open_rate(run) == "—"

    line_api.insight[run.request_id] = {"uniqueImpression": 60, "uniqueClick": 24}
    narrowcast.update_runs(now + dt.timedelta(minutes=30))
    run.refresh_from_db()
    assert run.open_count is None  # fetched at most once an hour
    narrowcast.update_runs(now + dt.timedelta(minutes=61))
    run.refresh_from_db()
    assert (run.open_count, run.unique_click_count) == (60, 24)
    assert narrowcast.open_rate(run) == "50.0%"
    assert len(line_api.calls(r"^/v2/bot/insight/message/event", "GET")) == 2

    client = login("pref-admin")
    page = client.get(reverse("line_stats:index"), {"channel": many_friends.pk})
    assert "50.0%" in page.content.decode()
    csv_text = client.get(
        reverse("line_stats:index"), {"channel": many_friends.pk, "download": "runs"}
    ).content.decode("utf-8-sig")
    header, row = csv_text.splitlines()[:2]
    assert "開封率" in header.split(",") and "開封者数" in header.split(",")
    columns = dict(zip(header.split(","), row.split(","), strict=True))
    assert columns["開封率"] == "50.0%" and columns["配信方法"] == "ナローキャスト"


def test_insight_stops_after_the_configured_days(many_friends, line_api, settings):
    settings.LINE = {**settings.LINE, "INSIGHT_DAYS": 14}
    run = delivery.send_now(make_message(many_friends))
    narrowcast.update_runs()
    calls = len(line_api.calls(r"insight", "GET"))
    narrowcast.update_runs(timezone.now() + dt.timedelta(days=15))
    assert len(line_api.calls(r"insight", "GET")) == calls
    run.refresh_from_db()
    assert run.delivered_count == 120


def test_narrowcast_waits_while_line_prepares_the_audience(many_friends, line_api):
    line_api.new_audience_status = "IN_PROGRESS"
    run = delivery.send_now(make_message(many_friends))
    assert run.phase == "audience" and not line_api.calls("narrowcast")
    narrowcast.update_runs()
    assert not line_api.calls("narrowcast")
    line_api.audiences[run.audience_group_id]["status"] = "READY"
    line_api.new_narrowcast_phase = "sending"
    narrowcast.update_runs()
    run.refresh_from_db()
    assert run.phase == "waiting" and len(line_api.calls("narrowcast")) == 1
    narrowcast.update_runs()
    run.refresh_from_db()
    assert run.phase == "sending" and run.status == RunStatus.RUNNING
    line_api.narrowcasts[run.request_id]["phase"] = "succeeded"
    out = io.StringIO()
    call_command("line_send_due", stdout=out)
    assert "ナローキャスト1件の進み具合" in out.getvalue()
    run.refresh_from_db()
    assert run.status == RunStatus.DONE and run.sent_count == 120


def test_narrowcast_rate_limit_is_retried_with_the_same_retry_key(
    many_friends, line_api
):
    line_api.fail_next("narrowcast", 429, times=1, headers={"Retry-After": "0"})
    waits = []
    run = delivery.send_now(make_message(many_friends), sleep=waits.append)
    calls = line_api.calls("narrowcast")
    assert len(calls) == 2 and waits == [1.0]
    assert len({c.headers["X-Line-Retry-Key"] for c in calls}) == 1
    assert len(line_api.narrowcasts) == 1 and run.phase == "waiting"


def test_retry_after_an_accepted_narrowcast_keeps_lines_request_id(
    many_friends, line_api
):
    run = delivery.send_now(make_message(many_friends))
    first = run.request_id
    # As if the answer was lost: the same retry key again gets 409 naming the
    # accepted request, and nothing is sent twice.
    narrowcast._narrowcast(run, many_friends)
    assert run.request_id == first and len(line_api.narrowcasts) == 1


def test_audience_over_10000_ids_is_uploaded_in_parts(channel, line_api):
    message = make_message(channel, send_method=SendMethod.NARROWCAST)
    ids = [user_id(n) for n in range(1, 10051)]
    run = delivery.send_run(message, ids)
    (create,) = line_api.calls(r"^/v2/bot/audienceGroup/upload$")
    (add,) = line_api.calls(r"^/v2/bot/audienceGroup/upload$", "PUT")
    assert len(create.json["audiences"]) == 10000 and len(add.json["audiences"]) == 50
    assert len(line_api.audiences[run.audience_group_id]["user_ids"]) == 10050


def test_failed_narrowcast_is_recorded_and_the_message_marked_failed(
    many_friends, line_api
):
    line_api.new_narrowcast_phase = "failed"
    message = make_message(many_friends)
    run = delivery.send_now(message)
    narrowcast.update_runs()
    run.refresh_from_db()
    message.refresh_from_db()
    assert run.status == RunStatus.FAILED and "errorCode 4" in run.error
    assert run.failed_count == 120
    assert message.status == MessageStatus.FAILED


def test_audience_upload_refused_fails_the_run_without_narrowcast(
    many_friends, line_api
):
    line_api.fail_next("audienceGroup/upload", 400)
    run = delivery.send_now(make_message(many_friends))
    assert run.status == RunStatus.FAILED and "オーディエンス" in run.error
    assert not line_api.calls("narrowcast")


def test_segment_delivery_above_the_threshold_narrowcasts_only_the_segment(
    channel, line_api
):
    for n in range(1, 131):
        make_friend(channel, n, gender="female" if n <= 110 else "male")
    segment = FriendSegment.objects.create(
        channel=channel,
        name="女性",
        rules={
            "op": "and",
            "rules": [{"field": "gender", "lookup": "eq", "value": "female"}],
        },
    )
    run = delivery.send_now(make_message(channel, audience="segment", segment=segment))
    (upload,) = line_api.calls(r"^/v2/bot/audienceGroup/upload$")
    assert len(upload.json["audiences"]) == 110 and run.segment_name == "女性"


def test_test_send_of_a_narrowcast_message_is_a_multicast(many_friends, line_api):
    make_friend(many_friends.test_channel, 500)
    message = make_message(many_friends, send_method=SendMethod.NARROWCAST)
    run = delivery.send_test(message)
    assert run.method == SendMethod.MULTICAST
    assert line_api.calls("multicast") and not line_api.calls("narrowcast")


def test_broadcast_reaches_friends_we_never_recorded_and_gets_insight(
    channel, line_api
):
    """Friends who added the account before the webhook was connected are unknown
    to us; a broadcast still reaches them, and Insight counts them."""
    for n in range(1, 4):
        make_friend(channel, n)
    line_api.follower_count = 250  # LINE knows 250 friends, we recorded 3
    message = make_message(channel, send_method=SendMethod.BROADCAST)
    assert delivery.check(message) == []
    run = delivery.send_now(message)
    assert not line_api.calls("multicast") and not line_api.calls("narrowcast")
    (call,) = line_api.calls(r"^/v2/bot/message/broadcast$")
    assert uuid.UUID(call.headers["X-Line-Retry-Key"]) == run.retry_key
    assert (run.method, run.status) == (SendMethod.BROADCAST, RunStatus.DONE)
    line_api.insight[run.request_id] = {"uniqueImpression": 100}
    narrowcast.update_runs()
    run.refresh_from_db()
    assert (run.delivered_count, run.open_count) == (250, 100)
    assert narrowcast.open_rate(run) == "40.0%"


def test_broadcast_only_for_everyone_and_never_for_test_sends(channel, line_api):
    segment = FriendSegment.objects.create(
        channel=channel, name="女性", rules={"op": "and", "rules": []}
    )
    wrong = make_message(
        channel,
        send_method=SendMethod.BROADCAST,
        audience="segment",
        segment=segment,
    )
    assert (
        "ブロードキャストは友だち全員への配信（リマインド以外）にだけ使えます。"
        in delivery.check(wrong)
    )
    make_friend(channel.test_channel, 900)
    right = make_message(channel, send_method=SendMethod.BROADCAST)
    run = delivery.send_test(right)
    assert run.method == SendMethod.MULTICAST and not line_api.calls("broadcast")
