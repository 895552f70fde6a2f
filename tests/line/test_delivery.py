"""Segments, scheduling, recurrence, reminders and sending, against the Messaging
API stand-in (tests/line/standin.py; the real API cannot be reached here). The
clock is a parameter (``now``), so schedules are tested at any moment."""

import datetime as dt
import uuid
from zoneinfo import ZoneInfo

import pytest

from cms.line import delivery, schedule
from cms.line import segments as friend_segments
from cms.line.client import TokenBucket
from cms.line.models import (
    Audience,
    DeliveryRun,
    FriendSegment,
    FriendStatus,
    LineMessage,
    MessageStatus,
    RunStatus,
    ScheduleKind,
    SendMethod,
)
from cms.mailing.models import AttributeDefinition, AttributeKind, Interest
from tests.commands import portal

from .conftest import make_friend, user_id

TOKYO = ZoneInfo("Asia/Tokyo")
pytestmark = pytest.mark.django_db


def at(*args):
    return dt.datetime(*args, tzinfo=TOKYO)


# --- Recurrence (pure) -------------------------------------------------------------


def test_first_monday_skips_a_holiday_first_monday():
    rule = {"freq": "nth_weekday", "nth": 1, "weekday": 0, "time": "09:00"}
    # 2027-05-03 is the first Monday of May and 憲法記念日.
    found = schedule.occurrences(rule, at(2027, 4, 1), limit=3)
    assert found == [at(2027, 4, 5, 9), at(2027, 6, 7, 9), at(2027, 7, 5, 9)]


def test_holiday_can_move_to_the_next_working_day():
    rule = {
        "freq": "nth_weekday",
        "nth": 1,
        "weekday": 0,
        "time": "09:00",
        "holiday_shift": "next",
    }
    found = schedule.occurrences(rule, at(2027, 4, 10), limit=1)
    # 5/3, 5/4, 5/5 are holidays: Thursday the 6th.
    assert found == [at(2027, 5, 6, 9)]


def test_weekly_with_exclusion_dates_and_until():
    rule = {
        "freq": "weekly",
        "weekdays": [2],
        "time": "18:30",
        "exclude": ["2026-12-02"],
        "until": "2026-12-20",
        "skip_holidays": False,
    }
    found = schedule.occurrences(rule, at(2026, 11, 22), limit=10)
    assert found == [
        at(2026, 11, 25, 18, 30),
        at(2026, 12, 9, 18, 30),
        at(2026, 12, 16, 18, 30),
    ]


def test_monthly_day_31_and_last_day():
    last = {"freq": "monthly", "day": -1, "time": "10:00", "skip_holidays": False}
    assert schedule.occurrences(last, at(2027, 1, 31, 11), limit=2) == [
        at(2027, 2, 28, 10),
        at(2027, 3, 31, 10),
    ]


def test_daily_skips_holidays_by_default():
    rule = {"freq": "daily", "time": "07:00"}
    found = schedule.occurrences(rule, at(2027, 1, 10, 8), limit=2)
    assert found == [at(2027, 1, 12, 7), at(2027, 1, 13, 7)]  # 1/11 is 成人の日


def test_invalid_rules_are_explained_in_japanese():
    problems = schedule.validate_rule(
        {"freq": "nth_weekday", "nth": 7, "weekday": 9, "time": "9時"}
    )
    assert any("第n週" in p for p in problems)
    assert any("曜日" in p for p in problems)
    assert any("09:00" in p for p in problems)


def test_describe_rule():
    rule = {"freq": "nth_weekday", "nth": 1, "weekday": 0, "time": "09:00"}
    assert schedule.describe_rule(rule) == "毎月第1月曜日 09:00（祝日は休み）"


# --- Segments with the mail tool's engine -------------------------------------------


@pytest.fixture
def friends(channel, portal):
    farming, _ = Interest.objects.get_or_create(name="就農")
    kids, _ = Interest.objects.get_or_create(name="子育て")
    AttributeDefinition.objects.create(
        key="move_when",
        label="移住希望時期",
        kind=AttributeKind.CHOICE,
        choices="1年以内\n未定",
    )
    a = make_friend(
        channel,
        1,
        age_band="30s",
        gender="female",
        residence=portal.mito,
        attributes={"move_when": "1年以内"},
        children_birth_dates=["2022-04-01"],
    )
    a.interests.set([kids])
    b = make_friend(
        channel,
        2,
        birth_date=dt.date(1990, 5, 1),
        gender="male",
        residence_outside="東京都",
    )
    b.interests.set([farming])
    c = make_friend(
        channel, 3, age_band="60s", residence=portal.tsukuba, is_tester=True
    )
    make_friend(channel, 4, age_band="30s", status=FriendStatus.BLOCKED)
    return a, b, c


def matching(channel, tree, today=dt.date(2026, 11, 22)):
    return sorted(
        f.user_id[-1] for f in friend_segments.friends_matching(channel, tree, today)
    )


def test_segment_and_or_not(channel, friends):
    thirties = {"field": "age_band", "lookup": "eq", "value": "30s"}
    tokyo = {"field": "residence_outside", "lookup": "eq", "value": "東京都"}
    assert matching(channel, {"op": "and", "rules": [thirties]}) == [
        "1",
        "2",
    ]  # b by birth date
    assert matching(channel, {"op": "and", "rules": [thirties, tokyo]}) == ["2"]
    assert matching(
        channel,
        {
            "op": "or",
            "rules": [
                {"field": "residence", "lookup": "eq", "value": "つくば市"},
                tokyo,
            ],
        },
    ) == ["2", "3"]
    assert matching(channel, {"op": "and", "not": True, "rules": [thirties]}) == ["3"]


def test_segment_on_shared_custom_attribute_interest_and_children(channel, friends):
    assert matching(
        channel,
        {
            "op": "and",
            "rules": [{"field": "attr:move_when", "lookup": "eq", "value": "1年以内"}],
        },
    ) == ["1"]
    assert matching(
        channel,
        {
            "op": "and",
            "rules": [{"field": "interest", "lookup": "eq", "value": "就農"}],
        },
    ) == ["2"]
    assert matching(
        channel,
        {"op": "and", "rules": [{"field": "child_age", "lookup": "lte", "value": 5}]},
    ) == ["1"]


def test_blocked_friends_are_never_in_a_segment(channel, friends):
    assert "4" not in matching(channel, {"op": "and", "rules": []})


def test_invalid_segment_rule_explained(channel):
    problems = friend_segments.validate({"op": "xor", "rules": [{"field": "nope"}]})
    assert any("項目「nope」" in p for p in problems)


# --- Sending ------------------------------------------------------------------------


def make_message(channel, **fields):
    fields.setdefault("title", "お知らせ")
    fields.setdefault("text", "移住フェアを開きます $")
    fields.setdefault(
        "emojis",
        [{"index": 11, "productId": "5ac1bfd5040ab15980c9b435", "emojiId": "001"}],
    )
    return LineMessage.objects.create(channel=channel, **fields)


def test_send_to_everyone_multicasts_in_batches_of_500(channel, line_api):
    for n in range(1, 1203):
        make_friend(channel, n)
    message = make_message(
        channel, schedule=ScheduleKind.NOW, send_method=SendMethod.MULTICAST
    )
    run = delivery.send_now(message)
    calls = line_api.calls(r"^/v2/bot/message/multicast$")
    assert [len(c.json["to"]) for c in calls] == [500, 500, 202]
    assert calls[0].json["messages"][0]["emojis"][0]["index"] == 11
    keys = {c.headers["X-Line-Retry-Key"] for c in calls}
    assert len(keys) == 3 and all(uuid.UUID(k) for k in keys)
    assert (run.target_count, run.sent_count, run.failed_count) == (1202, 1202, 0)
    message.refresh_from_db()
    assert message.status == MessageStatus.DONE


def test_segment_delivery_reaches_only_the_segment(channel, friends, line_api):
    segment = FriendSegment.objects.create(
        channel=channel,
        name="30代",
        rules={
            "op": "and",
            "rules": [{"field": "age_band", "lookup": "eq", "value": "30s"}],
        },
    )
    message = make_message(channel, audience=Audience.SEGMENT, segment=segment)
    run = delivery.send_now(message, now=at(2026, 11, 22, 10))
    (call,) = line_api.calls("multicast")
    assert sorted(call.json["to"]) == [user_id(1), user_id(2)]
    assert run.segment_name == "30代"


def test_rate_limit_is_retried_with_the_same_retry_key(channel, line_api):
    make_friend(channel, 1)
    line_api.fail_next("multicast", 429, times=2, headers={"Retry-After": "0"})
    waits = []
    run = delivery.send_now(make_message(channel), sleep=waits.append)
    calls = line_api.calls("multicast")
    assert len(calls) == 3
    assert len({c.headers["X-Line-Retry-Key"] for c in calls}) == 1
    assert waits == [1.0, 2.0]  # exponential backoff
    assert run.sent_count == 1 and run.status == RunStatus.DONE


def test_retry_after_an_accepted_request_is_not_sent_twice(channel, line_api):
    """A timeout after LINE accepted the call: the retry gets 409 and counts as sent."""
    make_friend(channel, 1)
    message = make_message(channel)
    run = delivery.send_now(message)
    batch = run.batches.get()
    # Send the same batch again, as a retry would.
    delivery._send_batch(
        channel, batch, delivery.build_messages(message), TokenBucket(0), {}
    )
    batch.refresh_from_db()
    assert batch.sent
    assert line_api.calls("multicast")[-1].headers["X-Line-Retry-Key"] == str(
        batch.retry_key
    )


def test_persistent_failure_is_recorded_not_dropped(channel, line_api):
    make_friend(channel, 1)
    line_api.fail_next("multicast", 500, times=5)
    run = delivery.send_now(make_message(channel), sleep=lambda s: None)
    assert run.status == RunStatus.FAILED and run.failed_count == 1
    assert "HTTP 500" in run.error


def test_test_send_goes_to_the_test_account_only(channel, friends, line_api):
    from cms.line.models import LineFriend

    LineFriend.objects.create(channel=channel.test_channel, user_id=user_id(99))
    run = delivery.send_test(make_message(channel))
    (call,) = line_api.calls("multicast")
    assert call.json["to"] == [user_id(99)]
    assert call.headers["Authorization"] == "Bearer test-access-token-t"
    assert run.is_test


def test_test_send_without_test_account_goes_to_marked_testers(
    channel, friends, line_api
):
    channel.test_channel = None
    channel.save()
    delivery.send_test(make_message(channel))
    (call,) = line_api.calls("multicast")
    assert call.json["to"] == [user_id(3)]


def test_token_bucket_paces_calls():
    now = [0.0]
    slept = []

    def sleep(s):
        slept.append(s)
        now[0] += s

    bucket = TokenBucket(rate=10, capacity=2, clock=lambda: now[0], sleep=sleep)
    for _ in range(12):
        bucket.take()
    assert len(slept) == 10
    assert now[0] == pytest.approx(1.0)  # 12 calls at 10/s with a burst of 2


def test_message_checks():
    problems = delivery.validate_messages(
        [
            {"type": "text", "text": "x", "emojis": [{"index": 0}]},
            {
                "type": "image",
                "originalContentUrl": "http://x",
                "previewImageUrl": "https://x",
            },
            {"type": "flex", "contents": {}},
            {"type": "nope"},
            {"type": "text", "text": "a"},
            {"type": "text", "text": "b"},
        ]
    )
    assert any("5件まで" in p for p in problems)
    assert any("LINE絵文字" in p for p in problems)
    assert any("https" in p for p in problems)
    assert any("altText" in p for p in problems)
    assert any("種類" in p for p in problems)


# --- Schedule, change, cancel, reminders ---------------------------------------------


def test_scheduled_message_is_sent_when_due_and_can_be_changed_or_cancelled(
    channel, line_api
):
    make_friend(channel, 1)
    message = make_message(
        channel, schedule=ScheduleKind.AT, send_at=at(2026, 12, 1, 9)
    )
    delivery.schedule_message(message, now=at(2026, 11, 22, 12))
    assert delivery.process_due(now=at(2026, 11, 30, 9)) == []
    message.send_at = at(2026, 12, 2, 9)  # changed
    delivery.schedule_message(message, now=at(2026, 11, 30, 9))
    assert delivery.process_due(now=at(2026, 12, 1, 9, 5)) == []
    (run,) = delivery.process_due(now=at(2026, 12, 2, 9, 1))
    assert run.sent_count == 1
    message.refresh_from_db()
    assert message.status == MessageStatus.DONE
    assert delivery.process_due(now=at(2026, 12, 3)) == []

    other = make_message(channel, schedule=ScheduleKind.AT, send_at=at(2026, 12, 5, 9))
    delivery.schedule_message(other, now=at(2026, 11, 22))
    delivery.cancel(other)
    assert delivery.process_due(now=at(2026, 12, 6)) == []
    assert len(line_api.calls("multicast")) == 1


def test_recurring_message_runs_each_occurrence(channel, line_api):
    make_friend(channel, 1)
    message = make_message(
        channel,
        schedule=ScheduleKind.RECURRING,
        recurrence={"freq": "nth_weekday", "nth": 1, "weekday": 0, "time": "09:00"},
    )
    delivery.schedule_message(message, now=at(2027, 4, 1))
    assert message.next_run_at == at(2027, 4, 5, 9)
    delivery.process_due(now=at(2027, 4, 5, 9, 1))
    message.refresh_from_db()
    assert message.status == MessageStatus.SCHEDULED
    assert message.next_run_at == at(2027, 6, 7, 9)  # May's first Monday is a holiday
    assert DeliveryRun.objects.filter(message=message).count() == 1


def test_reminder_the_day_before_a_childs_birthday_anchor(channel, line_api):
    """A reminder n days after a registered date: here 3 days after a child's birth date."""
    make_friend(channel, 1, children_birth_dates=["2026-11-20"])
    make_friend(channel, 2, children_birth_dates=["2026-11-21"])
    make_friend(channel, 3, birth_date=dt.date(1990, 1, 1))
    message = make_message(
        channel,
        schedule=ScheduleKind.REMINDER,
        reminder_date="children_birth_dates",
        reminder_offset_days=3,
        recurrence={"time": "10:00"},
    )
    delivery.schedule_message(message, now=at(2026, 11, 22, 12))
    assert message.next_run_at == at(2026, 11, 23, 10)
    assert len(delivery.process_due(now=at(2026, 11, 23, 10))) == 1
    assert line_api.calls("multicast")[0].json["to"] == [user_id(1)]
    (_run,) = delivery.process_due(now=at(2026, 11, 24, 10))
    assert line_api.calls("multicast")[1].json["to"] == [user_id(2)]
    message.refresh_from_db()
    assert message.status == MessageStatus.SCHEDULED


def test_reminder_with_nobody_due_records_an_empty_run_without_calling_line(
    channel, line_api
):
    message = make_message(
        channel,
        schedule=ScheduleKind.REMINDER,
        reminder_date="birth_date",
        reminder_offset_days=0,
    )
    delivery.schedule_message(message, now=at(2026, 11, 22, 12))
    (run,) = delivery.process_due(now=at(2026, 11, 23, 9))
    assert run.target_count == 0 and run.status == RunStatus.DONE
    assert not line_api.calls("multicast")


def test_schedule_refuses_an_incomplete_message(channel):
    message = make_message(channel, text="", emojis=[], schedule=ScheduleKind.AT)
    with pytest.raises(delivery.DeliveryError, match="配信日時"):
        delivery.schedule_message(message)


def test_links_are_tracked_and_clicks_counted(channel, line_api, client):
    from cms.line.models import LinkClick
    from cms.line.stats import click_rate, delivery_rows

    make_friend(channel, 1)
    text = "詳しくは https://iju.example.jp/fair/ へ $"
    message = make_message(
        channel,
        text=text,
        emojis=[
            {
                "index": text.index("$"),
                "productId": "5ac1bfd5040ab15980c9b435",
                "emojiId": "001",
            }
        ],
    )
    delivery.send_now(message)
    sent = line_api.calls("multicast")[0].json["messages"][0]
    assert "https://iju.example.jp/line/r/" in sent["text"]
    assert sent["text"][sent["emojis"][0]["index"]] == "$"  # emoji moved with the text
    tracked = sent["text"].split()[1]
    response = client.get(tracked.removeprefix("https://iju.example.jp"))
    assert response.status_code == 302
    assert response["Location"] == "https://iju.example.jp/fair/"
    assert LinkClick.objects.count() == 1
    (run,) = delivery_rows(channel)
    assert click_rate(run) == "100.0%"
    forged = tracked.removeprefix("https://iju.example.jp")[:-3] + "xx/"
    assert client.get(forged).status_code == 404


RELAY_MAIL = """From: =?utf-8?b?6Ziy54G944Gu44GK55+l44KJ44Gb?= <bousai@pref.ibaraki.lg.jp>
To: relay@iju.example.jp
Subject: =?utf-8?b?5aSn6Zuo5rOo5oSP5aCx?=
Content-Type: text/plain; charset=utf-8

関係各位

県北地域に大雨注意報が出ています。

--
茨城県 防災・危機管理課
""".encode()


AUTHENTICATED = (
    b"Authentication-Results: mx.iju.example.jp; spf=pass "
    b"smtp.mailfrom=pref.ibaraki.lg.jp; dkim=pass header.d=pref.ibaraki.lg.jp; "
    b"dmarc=pass header.from=pref.ibaraki.lg.jp\n"
)


def test_mail_relay_rewrites_and_redelivers_to_a_segment(
    channel, friends, line_api, settings
):
    from cms.line.mail_relay import relay_message
    from cms.line.models import MailRelayRule

    settings.LINE = {**settings.LINE, "RELAY_AUTHSERV_ID": "mx.iju.example.jp"}
    segment = FriendSegment.objects.create(
        channel=channel,
        name="水戸市在住",
        rules={
            "op": "and",
            "rules": [{"field": "residence", "lookup": "eq", "value": "水戸市"}],
        },
    )
    MailRelayRule.objects.create(
        channel=channel,
        name="防災メール",
        sender_contains="@pref.ibaraki.lg.jp",
        segment=segment,
        header="県からのお知らせです。",
        rewrites=[
            {"find": "関係各位\n", "replace": ""},
            {"find": r"(?s)\n--\n.*", "replace": "", "regex": True},
        ],
        send_without_review=True,
    )
    MailRelayRule.objects.create(
        channel=channel, name="別の差出人", sender_contains="@example.com"
    )
    (relayed,) = relay_message(AUTHENTICATED + RELAY_MAIL)
    (call,) = line_api.calls("multicast")
    assert call.json["to"] == [user_id(1)]
    assert call.json["messages"][0]["text"] == (
        "県からのお知らせです。\n【大雨注意報】\n県北地域に大雨注意報が出ています。"
    )
    assert relayed.run.sent_count == 1


@pytest.mark.parametrize(
    "headers",
    [
        b"",  # no authentication at all: anyone can write this From:
        # Another server's verdict (or one the sender wrote himself).
        AUTHENTICATED.replace(b"mx.iju.example.jp", b"mx.attacker.example"),
        # Our server, but DMARC failed for the claimed domain.
        AUTHENTICATED.replace(b"dmarc=pass", b"dmarc=fail"),
    ],
)
def test_mail_relay_keeps_unauthenticated_mail_as_a_draft(
    channel, friends, line_api, settings, headers
):
    from cms.line.mail_relay import relay_message
    from cms.line.models import MailRelayRule

    settings.LINE = {**settings.LINE, "RELAY_AUTHSERV_ID": "mx.iju.example.jp"}
    MailRelayRule.objects.create(
        channel=channel, name="防災メール", send_without_review=True
    )
    (relayed,) = relay_message(headers + RELAY_MAIL)
    assert relayed.run is None and not line_api.calls("multicast")
    assert relayed.message.status == "draft"
    assert "県北地域に大雨注意報" in relayed.message.text


def test_mail_relay_rule_waits_for_review_by_default(channel, friends, line_api):
    from cms.line.mail_relay import relay_message
    from cms.line.models import MailRelayRule

    MailRelayRule.objects.create(channel=channel, name="すべて")
    (relayed,) = relay_message(AUTHENTICATED + RELAY_MAIL)
    assert relayed.run is None and not line_api.calls("multicast")
    assert relayed.message.status == "draft"


def test_mail_relay_command_reads_stdin(channel, line_api, monkeypatch):
    import io
    import sys

    from django.core.management import call_command

    from cms.line.models import MailRelayRule

    make_friend(channel, 1)
    MailRelayRule.objects.create(channel=channel, name="すべて")
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(RELAY_MAIL)))
    out = io.StringIO()
    call_command("line_relay_mail", mailbox="", stdout=out)
    assert "0件の配信を行いました。1件は下書きにしました" in out.getvalue()
    assert "大雨注意報" in LineMessage.objects.get().text


def test_processes_that_do_not_talk_to_line_do_not_load_its_sdk(tmp_path):
    """line-bot-sdk (with aiohttp, 37 MB of a process) is imported where LINE is
    called: not by Django's start (admin hooks), the URLs or the site build."""
    code = (
        "import sys; from django.urls import get_resolver; get_resolver().url_patterns;"
        "import builders.build, builders.pelican_plugin, cms.api.schema;"
        "print(sorted(m for m in ('linebot', 'aiohttp') if m in sys.modules))"
    )
    result = portal("shell", "-v", "0", "-c", code, env_overrides={}, tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
