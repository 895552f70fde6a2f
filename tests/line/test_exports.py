"""CSV exports of an account's friends (with attributes), segments, messages and
rich menus, for taking the data to the next system, over HTTP: each account's
staff get their own account's rows only, and the export is logged."""

import csv
import io

import pytest
from django.urls import reverse
from wagtail.models import ModelLogEntry

from cms.line.models import FriendSegment, FriendStatus, LineMessage, RichMenu
from cms.line.richmenus import tab_menu_areas
from cms.mailing.models import AttributeDefinition, AttributeKind, Interest

from .conftest import make_friend, user_id

pytestmark = pytest.mark.django_db


def table(client, channel, name):
    response = client.get(
        reverse("line_stats:index"), {"channel": channel.pk, "download": name}
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_friends_export_has_every_attribute(login, channel, portal):
    AttributeDefinition.objects.create(
        key="move_in", label="転入日", kind=AttributeKind.DATE
    )
    kids, _ = Interest.objects.get_or_create(name="子育て")
    friend = make_friend(
        channel,
        1,
        display_name="花子",
        age_band="30s",
        gender="female",
        residence=portal.mito,
        children_birth_dates=["2019-02-10", "2021-06-01"],
        attributes={"move_in": "2027-04-01"},
    )
    friend.interests.add(kids)
    make_friend(channel, 2, status=FriendStatus.BLOCKED)
    rows = table(login("pref-admin"), channel, "friends")
    assert len(rows) == 2
    hanako = next(r for r in rows if r["LINEユーザーID"] == user_id(1))
    assert hanako["表示名"] == "花子" and hanako["年代"] == "30代"
    assert hanako["お住まいの市町村"] == "水戸市" and hanako["関心"] == "子育て"
    assert hanako["お子さまの生年月日"] == "2019-02-10・2021-06-01"
    assert hanako["転入日"] == "2027-04-01"
    assert ModelLogEntry.objects.filter(
        action="line.export", data__table="friends"
    ).exists()


def test_segments_messages_and_menus_exports(login, channel):
    rules = {
        "op": "and",
        "rules": [{"field": "gender", "lookup": "eq", "value": "female"}],
    }
    segment = FriendSegment.objects.create(channel=channel, name="女性", rules=rules)
    make_friend(channel, 1, gender="female")
    LineMessage.objects.create(
        channel=channel,
        title="フェア",
        text="3月です",
        segment=segment,
        audience="segment",
    )
    RichMenu.objects.create(
        channel=channel,
        name="暮らし",
        alias_id="kurashi",
        areas=tab_menu_areas(
            [("kurashi", "暮らし")],
            "kurashi",
            [{"label": "ごみ", "action": {"type": "message", "text": "ごみ"}}],
        ),
    )
    client = login("pref-admin")
    (seg,) = table(client, channel, "segments")
    assert seg["セグメント名"] == "女性" and seg["現在の人数"] == "1"
    assert "性別" in seg["条件"] and '"female"' in seg["条件（JSON）"]
    (message,) = table(client, channel, "messages")
    assert message["タイトル"] == "フェア" and message["配信先"] == "女性"
    assert message["本文"] == "3月です"
    (menu,) = table(client, channel, "richmenus")
    assert (
        menu["タブの識別名"] == "kurashi" and '"bounds"' in menu["タップ領域（JSON）"]
    )


def test_municipality_editor_exports_only_own_account(login, channel, mito_channel):
    make_friend(channel, 1, display_name="県の友だち")
    make_friend(mito_channel, 2, display_name="水戸の友だち")
    client = login("mito-editor")
    # Asking for the prefecture's account falls back to the editor's own.
    response = client.get(
        reverse("line_stats:index"), {"channel": channel.pk, "download": "friends"}
    )
    body = response.content.decode("utf-8-sig")
    assert "水戸の友だち" in body and "県の友だち" not in body
