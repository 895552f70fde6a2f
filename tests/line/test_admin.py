"""The admin's LINE menu over HTTP: prefecture staff manage every channel, a
municipality's editors only their own, others nothing; previews, test sends,
scheduling, publishing menus and exports go to the Messaging API stand-in
(tests/line/standin.py) because the real API cannot be reached here."""

import pytest
from django.urls import reverse
from wagtail.models import ModelLogEntry

from cms.line.models import (
    FriendSegment,
    LineFriend,
    LineMessage,
    MessageStatus,
    RichMenu,
    Spot,
)
from cms.line.richmenus import tab_menu_areas

from .conftest import make_friend, message_form

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_channels(channel, mito_channel):
    make_friend(channel, 1, display_name="県の友だち", is_tester=True)
    make_friend(mito_channel, 2, display_name="水戸の友だち", is_tester=True)
    return channel, mito_channel


def test_prefecture_staff_sees_every_channels_friends(login, two_channels):
    client = login("pref-admin")
    response = client.get(reverse("line_friends:index"))
    assert response.status_code == 200
    assert (
        "県の友だち" in response.content.decode()
        and "水戸の友だち" in response.content.decode()
    )


def test_municipality_editor_sees_only_own_channel(login, two_channels):
    client = login("mito-editor")
    body = client.get(reverse("line_friends:index")).content.decode()
    assert "水戸の友だち" in body and "県の友だち" not in body


def test_municipality_editor_cannot_edit_other_channels_friend(login, two_channels):
    pref_friend = LineFriend.objects.get(display_name="県の友だち")
    client = login("mito-editor")
    response = client.get(reverse("line_friends:edit", args=[pref_friend.pk]))
    assert response.status_code in (302, 403, 404)
    own = LineFriend.objects.get(display_name="水戸の友だち")
    assert client.get(reverse("line_friends:edit", args=[own.pk])).status_code == 200


def test_editor_of_a_municipality_without_channel_has_no_line_menu(login, two_channels):
    client = login("tsukuba-editor")
    assert client.get(reverse("line_stats:index")).status_code in (302, 403)
    assert client.get(reverse("line_friends:index")).status_code in (302, 403)


def test_only_prefecture_staff_add_channels(login, two_channels):
    assert login("mito-editor").get(reverse("line_channels:add")).status_code in (
        302,
        403,
    )
    assert login("pref-admin").get(reverse("line_channels:add")).status_code == 200


def test_staff_edit_of_friend_attributes_is_logged(login, two_channels, portal):
    friend = LineFriend.objects.get(display_name="水戸の友だち")
    client = login("mito-editor")
    response = client.post(
        reverse("line_friends:edit", args=[friend.pk]),
        {
            "is_tester": "on",
            "age_band": "40s",
            "gender": "female",
            "birth_date": "",
            "residence": portal.mito.pk,
            "residence_outside": "",
            "children_birth_dates": "[]",
            "attributes": "{}",
            "subscriber": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    friend.refresh_from_db()
    assert friend.age_band == "40s"
    assert ModelLogEntry.objects.filter(action="line.friend_change").exists()


def test_segment_form_rejects_an_invalid_rule(login, channel):
    client = login("pref-admin")
    response = client.post(
        reverse("line_segments:add"),
        {
            "channel": channel.pk,
            "name": "壊れた",
            "description": "",
            "rules": '{"op": "and", "rules": [{"field": "nope", "lookup": "eq", "value": 1}]}',
        },
    )
    assert response.status_code == 200
    assert "項目「nope」はありません" in response.content.decode()
    assert not FriendSegment.objects.exists()


def test_preview_test_send_schedule_and_cancel(login, two_channels, line_api):
    channel, _ = two_channels
    channel.test_channel = None
    channel.save()
    message = LineMessage.objects.create(
        channel=channel,
        title="冬の移住相談会",
        text="12月に相談会を開きます。",
        schedule="at",
        send_at="2030-12-01T09:00+09:00",
    )
    client = login("pref-admin")
    url = reverse("line_message_actions", args=[message.pk])
    body = client.get(url).content.decode()
    assert "12月に相談会を開きます。" in body and "現在 1人" in body

    client.post(url, {"action": "test"})
    (call,) = line_api.calls("multicast")
    assert call.json["to"] == [
        LineFriend.objects.get(display_name="県の友だち").user_id
    ]

    client.post(url, {"action": "schedule"})
    message.refresh_from_db()
    assert message.status == MessageStatus.SCHEDULED
    client.post(url, {"action": "cancel"})
    message.refresh_from_db()
    assert message.status == MessageStatus.CANCELLED
    actions = set(ModelLogEntry.objects.values_list("action", flat=True))
    assert {
        "line.message_test",
        "line.message_schedule",
        "line.message_cancel",
    } <= actions


def test_editor_cannot_send_another_channels_message(login, two_channels, line_api):
    channel, _ = two_channels
    message = LineMessage.objects.create(channel=channel, title="県", text="県から")
    response = login("mito-editor").post(
        reverse("line_message_actions", args=[message.pk]), {"action": "test"}
    )
    assert response.status_code in (302, 403)  # Wagtail turns 403 into a redirect
    assert response.status_code == 403 or response.url == "/admin/"
    assert not line_api.calls("multicast")


def test_menu_preview_and_publish_from_the_admin(login, channel, line_api):
    tabs = [("a", "A"), ("b", "B"), ("c", "C")]
    for n, (alias, _) in enumerate(tabs):
        RichMenu.objects.create(
            channel=channel,
            name=alias,
            alias_id=alias,
            sort_order=n,
            is_default=n == 0,
            areas=tab_menu_areas(
                tabs,
                alias,
                [{"label": "相談", "action": {"type": "message", "text": "相談"}}],
            ),
        )
    menu = RichMenu.objects.get(alias_id="a")
    client = login("pref-admin")
    assert client.get(reverse("line_menu_preview", args=[menu.pk])).status_code == 200
    image = client.get(reverse("line_menu_image", args=[menu.pk]))
    assert image["Content-Type"] == "image/png"
    response = client.post(reverse("line_publish_menus", args=[channel.pk]))
    assert response.status_code == 302
    assert set(line_api.aliases) == {"a", "b", "c"}


def test_stats_page_and_csv_exports(login, channel, post_webhook, line_api):
    from .conftest import event, user_id

    post_webhook(channel, [event("follow", user_id(5)), event("unfollow", user_id(6))])
    client = login("pref-admin")
    assert "友だち 1人" in client.get(reverse("line_stats:index")).content.decode()
    for table, header in (
        ("daily", "日付,友だち追加,ブロック"),
        ("talk", "日時,種類"),
        ("runs", "配信日時,タイトル"),
        ("oplog", "日時,操作"),
    ):
        response = client.get(
            reverse("line_stats:index"), {"channel": channel.pk, "download": table}
        )
        assert response.status_code == 200
        assert response.content.decode("utf-8-sig").startswith(header)


def test_recurrence_csv_import(login, channel):
    from django.core.files.uploadedfile import SimpleUploadedFile

    rows = [
        "アカウント,タイトル,本文,セグメント,繰り返し,曜日,日,第n,時刻,祝日,除外日,開始日,終了日"
    ]
    rows += [f"pref,ごみ{n},収集日です,,毎週,月木,,,07:00,,,," for n in range(520)]
    client = login("pref-admin")
    response = client.post(
        reverse("line_recurrence_import:index"),
        {"file": SimpleUploadedFile("p.csv", "\n".join(rows).encode("cp932"))},
    )
    assert "520件の繰り返し配信を登録しました" in response.content.decode()
    assert LineMessage.objects.filter(status="scheduled").count() == 520

    bad = [*rows[:1], "pref,x,y,,毎週,,,,25:00,,,,", "nope,x,y,,毎日,,,,07:00,,,,"]
    response = client.post(
        reverse("line_recurrence_import:index"),
        {"file": SimpleUploadedFile("p.csv", "\n".join(bad).encode())},
    )
    body = response.content.decode()
    assert "2行目" in body and LineMessage.objects.count() == 520


def test_spot_admin_create(login, channel):
    client = login("pref-admin")
    response = client.post(
        reverse("line_spots:add"),
        {
            "channel": channel.pk,
            "name": "偕楽園",
            "description": "",
            "image": "",
            "image_url": "",
            "latitude": "36.3735",
            "longitude": "140.4528",
            "address": "",
            "url": "",
            "keywords": "梅",
            "facility": "",
            "sort_order": 0,
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    assert Spot.objects.filter(name="偕楽園").exists()


def test_rich_menu_form_has_the_area_editor_and_checks_lines_limits(login, channel):
    client = login("pref-admin")
    page = client.get(reverse("line_richmenus:add")).content.decode()
    assert "data-line-menu-editor" in page and "line/menu_editor.js" in page
    outside = '[{"bounds": {"x": 2400, "y": 0, "width": 500, "height": 100}, "action": {"type": "message", "text": "a"}}]'
    response = client.post(
        reverse("line_richmenus:add"),
        {
            "channel": channel.pk,
            "name": "はみ出し",
            "alias_id": "",
            "tab_label": "",
            "chat_bar_text": "メニュー",
            "size": "2500x1686",
            "areas": outside,
            "sort_order": 0,
        },
    )
    assert response.status_code == 200
    assert "はみ出しています" in response.content.decode()
    assert not RichMenu.objects.exists()


def test_municipality_editor_cannot_change_channel_settings(login, two_channels):
    _, mito = two_channels
    client = login("mito-editor")
    response = client.get(reverse("line_channels:edit", args=[mito.pk]))
    assert response.status_code in (302, 403)
    assert (
        login("pref-admin")
        .get(reverse("line_channels:edit", args=[mito.pk]))
        .status_code
        == 200
    )


def test_message_created_in_the_admin_opens_its_preview(login, channel):
    client = login("pref-admin")
    response = client.post(
        reverse("line_messages:add"),
        message_form(channel, title="春の移住フェア", text="3月に開きます。"),
    )
    message = LineMessage.objects.get(title="春の移住フェア")
    assert response.status_code == 302
    assert response["Location"] == reverse("line_message_actions", args=[message.pk])
    assert message.created_by.username == "pref-admin"
    # In the operation log like any other admin change.
    from wagtail.models import ModelLogEntry

    assert ModelLogEntry.objects.filter(
        action="wagtail.create", object_id=str(message.pk)
    ).exists()


def test_operation_log_export_keeps_to_the_chosen_account(login, two_channels):
    from cms.line import oplog

    pref, mito = two_channels
    pref_friend = LineFriend.objects.get(display_name="県の友だち")
    mito_friend = LineFriend.objects.get(display_name="水戸の友だち")
    oplog.record(pref_friend, oplog.FRIEND_CHANGED)
    oplog.record(mito_friend, oplog.FRIEND_CHANGED)

    def exported(username, channel):
        response = login(username).get(
            reverse("line_stats:index"), {"channel": channel.pk, "download": "oplog"}
        )
        return response.content.decode("utf-8-sig")

    mito_log = exported("mito-editor", mito)
    assert "水戸の友だち" in mito_log and "県の友だち" not in mito_log
    # Asking for the prefecture's account gives a Mito editor their own again.
    assert "県の友だち" not in exported("mito-editor", pref)
    assert "県の友だち" in exported("pref-admin", pref)


def test_staff_edit_children_and_custom_attributes_as_inputs(login, two_channels):
    from cms.mailing.models import AttributeDefinition, AttributeKind

    AttributeDefinition.objects.create(
        key="move_in", label="転入日", kind=AttributeKind.DATE
    )
    AttributeDefinition.objects.create(
        key="job", label="職業", kind=AttributeKind.CHOICE, choices="会社員\n自営業"
    )
    AttributeDefinition.objects.create(
        key="size", label="世帯人数", kind=AttributeKind.NUMBER
    )
    friend = LineFriend.objects.get(display_name="水戸の友だち")
    friend.attributes = {"legacy": "残す"}
    friend.save()
    client = login("mito-editor")
    page = client.get(reverse("line_friends:edit", args=[friend.pk])).content.decode()
    assert 'type="date" name="children_birth_dates_1"' in page
    assert 'name="attributes__move_in"' in page and "転入日" in page
    base = {
        "age_band": "",
        "gender": "",
        "birth_date": "",
        "residence": "",
        "residence_outside": "",
        "subscriber": "",
        "attributes__stored": '{"legacy": "残す"}',
    }
    response = client.post(
        reverse("line_friends:edit", args=[friend.pk]),
        {
            **base,
            "children_birth_dates_1": "2021-06-01",
            "children_birth_dates_2": "2019-02-10",
            "attributes__move_in": "2027-04-01",
            "attributes__job": "自営業",
            "attributes__size": "3",
        },
    )
    assert response.status_code == 302, response.content.decode()[:1500]
    friend.refresh_from_db()
    assert friend.children_birth_dates == ["2019-02-10", "2021-06-01"]
    assert friend.attributes == {
        "legacy": "残す",
        "move_in": "2027-04-01",
        "job": "自営業",
        "size": 3,
    }
    response = client.post(
        reverse("line_friends:edit", args=[friend.pk]),
        {**base, "children_birth_dates_1": "2999-01-01", "attributes__size": "三"},
    )
    body = response.content.decode()
    assert "1人目の生年月日が未来の日付です。" in body
    assert "「世帯人数」には数値を入れてください。" in body
