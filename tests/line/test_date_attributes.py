"""Date-type custom attributes (shared by the mail tool and LINE): entered in the
LINE attribute form, imported from the mail CSV, used in segments, and as the
anchor of LINE reminders (n days after the date). Sending goes to the Messaging
API stand-in (tests/line/standin.py; the real API cannot be reached here)."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from cms.line import delivery
from cms.line import segments as friend_segments
from cms.line.attributes import make_token
from cms.line.models import LineMessage, ScheduleKind
from cms.mailing import csv_io
from cms.mailing.models import AttributeDefinition, AttributeKind

from .conftest import make_friend, message_form, user_id

TOKYO = ZoneInfo("Asia/Tokyo")
pytestmark = pytest.mark.django_db


@pytest.fixture
def move_in(db):
    return AttributeDefinition.objects.create(
        key="move_in", label="転入日", kind=AttributeKind.DATE
    )


def test_line_form_takes_a_date_attribute_and_stores_it_as_iso(
    client, channel, move_in
):
    friend = make_friend(channel, 1)
    url = f"/line/attributes/{make_token(channel, friend.user_id)}/"
    body = client.get(url).content.decode()
    assert 'type="date" name="attr_move_in"' in body
    client.post(url, {"attr_move_in": "2027-04-01"})
    friend.refresh_from_db()
    assert friend.attributes == {"move_in": "2027-04-01"}
    response = client.post(url, {"attr_move_in": "2027-13-01"})
    assert "日付を正しく入力してください。" in response.content.decode()


def test_mail_csv_import_reads_a_date_attribute(move_in):
    errors = []
    row = csv_io._clean_row(
        {"email": "a@example.jp", "attr:move_in": "2027/4/1"},
        2,
        csv_io.attribute_fields(),
        errors,
    )
    assert errors == [] and row["attributes"] == {"move_in": "2027-04-01"}
    csv_io._clean_row(
        {"email": "b@example.jp", "attr:move_in": "来年の春"},
        3,
        csv_io.attribute_fields(),
        errors,
    )
    assert errors[0].message == "「来年の春」は日付（例: 2027-04-01）ではありません。"


def test_segment_on_a_date_attribute(channel, move_in):
    make_friend(channel, 1, attributes={"move_in": "2027-03-15"})
    make_friend(channel, 2, attributes={"move_in": "2026-10-01"})
    make_friend(channel, 3)
    after = {
        "op": "and",
        "rules": [{"field": "attr:move_in", "lookup": "gte", "value": "2027-01-01"}],
    }
    found = friend_segments.friends_matching(channel, after)
    assert [f.user_id for f in found] == [user_id(1)]
    unset = {"op": "and", "rules": [{"field": "attr:move_in", "lookup": "empty"}]}
    assert [f.user_id for f in friend_segments.friends_matching(channel, unset)] == [
        user_id(3)
    ]
    bad = {"op": "and", "rules": [{**after["rules"][0], "value": "春"}]}
    assert friend_segments.validate(bad) == [
        "「転入日」には日付（例: 2027-04-01）を入れてください。"
    ]


def test_reminder_thirty_days_after_a_custom_date(channel, move_in, line_api):
    make_friend(channel, 1, attributes={"move_in": "2026-10-24"})
    make_friend(channel, 2, attributes={"move_in": "2026-10-25"})
    make_friend(channel, 3, birth_date=dt.date(1990, 10, 24))
    message = LineMessage.objects.create(
        channel=channel,
        title="転入1か月",
        text="転入から1か月、暮らしはいかがですか",
        schedule=ScheduleKind.REMINDER,
        reminder_date="attr:move_in",
        reminder_offset_days=30,
        recurrence={"time": "10:00"},
    )
    assert delivery.check(message) == []
    delivery.schedule_message(message, now=dt.datetime(2026, 11, 22, 12, tzinfo=TOKYO))
    delivery.process_due(now=dt.datetime(2026, 11, 23, 10, tzinfo=TOKYO))
    assert line_api.calls("multicast")[0].json["to"] == [user_id(1)]
    delivery.process_due(now=dt.datetime(2026, 11, 24, 10, tzinfo=TOKYO))
    assert line_api.calls("multicast")[1].json["to"] == [user_id(2)]


def test_reminder_on_an_attribute_that_is_not_a_date_is_refused(channel, db):
    AttributeDefinition.objects.create(key="job", label="職業")
    message = LineMessage(
        channel=channel,
        title="x",
        text="x",
        schedule=ScheduleKind.REMINDER,
        reminder_date="attr:job",
    )
    assert delivery.check(message) == [
        "リマインドの基準日「attr:job」は日付の属性ではありません。"
    ]


def test_message_form_offers_date_attributes_as_reminder_anchors(
    login, channel, move_in
):
    client = login("pref-admin")
    body = client.get(reverse("line_messages:add")).content.decode()
    assert 'value="attr:move_in"' in body and "転入日（独自属性）" in body
    response = client.post(
        reverse("line_messages:add"),
        message_form(
            channel,
            title="転入1か月",
            text="いかがですか",
            schedule="reminder",
            send_at="",
            reminder_date="attr:move_in",
            reminder_offset_days=30,
        ),
    )
    assert response.status_code == 302
    message = LineMessage.objects.get(title="転入1か月")
    assert message.reminder_date == "attr:move_in"
    page = client.get(reverse("line_message_actions", args=[message.pk]))
    assert "転入日（独自属性）の30日後" in page.content.decode()
