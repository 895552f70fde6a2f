"""Per-function LINE roles over HTTP, allow and deny: 「LINE閲覧のみ」 sees but
changes nothing, 「LINE作成担当」 writes and test-sends but reaches no public
audience, 「LINE配信担当」 also sends and publishes; the channel scope still
applies. Sends go to the Messaging API stand-in (tests/line/standin.py)."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from cms.core.permissions import (
    LINE_EDIT_GROUP,
    LINE_SEND_GROUP,
    LINE_VIEW_GROUP,
    PREFECTURE_STAFF_GROUP,
)
from cms.line.models import LineMessage, MessageStatus, RichMenu
from tests import factories

from .conftest import make_friend, message_form

pytestmark = pytest.mark.django_db


@pytest.fixture
def role_users(portal):
    staff = Group.objects.get(name=PREFECTURE_STAFF_GROUP)
    factories.make_user("line-viewer", [staff, Group.objects.get(name=LINE_VIEW_GROUP)])
    factories.make_user("line-writer", [staff, Group.objects.get(name=LINE_EDIT_GROUP)])
    factories.make_user(
        "mito-sender",
        [portal.mito.editor_group, Group.objects.get(name=LINE_SEND_GROUP)],
    )


@pytest.fixture
def message(channel, line_api):
    make_friend(channel.test_channel, 900)
    make_friend(channel, 1)
    return LineMessage.objects.create(
        channel=channel, title="お知らせ", text="移住フェアです", schedule="now"
    )


def actions(client, message, action):
    return client.post(
        reverse("line_message_actions", args=[message.pk]), {"action": action}
    )


def new_message(client, channel, title):
    return client.post(
        reverse("line_messages:add"),
        message_form(channel, title=title, text="本文"),
    )


def test_role_groups_exist_after_migrate():
    names = set(Group.objects.values_list("name", flat=True))
    assert {LINE_VIEW_GROUP, LINE_EDIT_GROUP, LINE_SEND_GROUP} <= names


def test_viewer_sees_statistics_and_previews_but_changes_nothing(
    login, role_users, channel, message, line_api
):
    client = login("line-viewer")
    assert client.get(reverse("line_stats:index")).status_code == 200
    assert client.get(reverse("line_messages:index")).status_code == 200
    page = client.get(reverse("line_message_actions", args=[message.pk]))
    assert page.status_code == 200
    body = page.content.decode()
    assert "テスト送信" not in body and "今すぐ配信" not in body
    runs = client.get(
        reverse("line_stats:index"), {"channel": channel.pk, "download": "runs"}
    )
    assert runs.status_code == 200
    # Denied: test send, sending, writing, personal data, publishing.
    assert actions(client, message, "test").status_code in (302, 403)
    assert actions(client, message, "schedule").status_code in (302, 403)
    assert not line_api.calls("multicast")
    assert new_message(client, channel, "閲覧者の下書き").status_code in (302, 403)
    assert not LineMessage.objects.filter(title="閲覧者の下書き").exists()
    edit = client.get(reverse("line_messages:edit", args=[message.pk]))
    assert edit.status_code in (302, 403)
    friends = client.get(
        reverse("line_stats:index"), {"channel": channel.pk, "download": "friends"}
    )
    assert friends.status_code in (302, 403)
    publish = client.post(reverse("line_publish_menus", args=[channel.pk]))
    assert publish.status_code in (302, 403) and not line_api.calls("richmenu")


def test_writer_writes_and_test_sends_but_does_not_send(
    login, role_users, channel, message, line_api
):
    client = login("line-writer")
    assert new_message(client, channel, "作成者の下書き").status_code == 302
    assert LineMessage.objects.filter(title="作成者の下書き").exists()
    assert actions(client, message, "test").status_code == 302
    (call,) = line_api.calls("multicast")
    assert call.headers["Authorization"] == "Bearer test-access-token-t"  # test account
    body = client.get(
        reverse("line_message_actions", args=[message.pk])
    ).content.decode()
    assert "テスト送信" in body and "今すぐ配信" not in body
    assert actions(client, message, "schedule").status_code in (302, 403)
    message.refresh_from_db()
    assert message.status == MessageStatus.DRAFT
    assert len(line_api.calls("multicast")) == 1
    friends = client.get(
        reverse("line_stats:index"), {"channel": channel.pk, "download": "friends"}
    )
    assert friends.status_code == 200
    RichMenu.objects.create(channel=channel, name="タブ", areas=[])
    publish = client.post(reverse("line_publish_menus", args=[channel.pk]))
    assert publish.status_code in (302, 403) and not line_api.calls("richmenu")
    imported = client.get(reverse("line_recurrence_import:index"))
    assert imported.status_code in (302, 403)


def test_sender_sends_on_own_municipalitys_channel_only(
    login, role_users, channel, mito_channel, message, line_api
):
    own = LineMessage.objects.create(
        channel=mito_channel,
        title="水戸のお知らせ",
        text="本文",
        schedule="at",
        send_at="2030-03-01T09:00+09:00",
    )
    client = login("mito-sender")
    assert actions(client, own, "schedule").status_code == 302
    own.refresh_from_db()
    assert own.status == MessageStatus.SCHEDULED
    assert actions(client, message, "schedule").status_code in (302, 403, 404)
    message.refresh_from_db()
    assert message.status == MessageStatus.DRAFT


def test_user_without_a_role_keeps_every_function(login, channel, message, line_api):
    client = login("pref-admin")
    assert actions(client, message, "schedule").status_code == 302
    message.refresh_from_db()
    assert message.status in (MessageStatus.SCHEDULED, MessageStatus.DONE)


def test_writer_changing_a_scheduled_message_puts_it_back_to_draft(
    login, role_users, channel, line_api
):
    scheduled = LineMessage.objects.create(
        channel=channel,
        title="予約済み",
        text="元の本文",
        schedule="at",
        send_at="2030-03-01T09:00+09:00",
        status=MessageStatus.SCHEDULED,
        next_run_at="2030-03-01T09:00+09:00",
    )
    client = login("line-writer")
    response = client.post(
        reverse("line_messages:edit", args=[scheduled.pk]),
        message_form(channel, title="予約済み", text="書き換えた本文"),
    )
    assert response.status_code == 302
    scheduled.refresh_from_db()
    assert scheduled.text == "書き換えた本文"
    assert scheduled.status == MessageStatus.DRAFT and scheduled.next_run_at is None


def test_only_senders_let_relayed_mail_go_out_without_review(
    login, role_users, channel
):
    from cms.line.models import MailRelayRule

    data = {
        "channel": channel.pk,
        "name": "防災メール",
        "sender_contains": "@pref.ibaraki.lg.jp",
        "subject_contains": "",
        "segment": "",
        "rewrites": "[]",
        "header": "",
        "footer": "",
        "include_subject": "on",
        "send_without_review": "on",
        "is_active": "on",
    }
    writer = login("line-writer")
    response = writer.post(reverse("line_mail_relay:add"), data)
    assert "配信担当だけが設定できます" in response.content.decode()
    assert not MailRelayRule.objects.exists()
    writer.post(reverse("line_mail_relay:add"), {**data, "send_without_review": ""})
    assert MailRelayRule.objects.get().send_without_review is False
    sender = login("pref-admin")
    sender.post(reverse("line_mail_relay:add"), {**data, "name": "即時"})
    assert MailRelayRule.objects.get(name="即時").send_without_review is True


def test_recurring_import_menu_item_only_for_senders(login, role_users, channel):
    writer_page = login("line-writer").get(reverse("line_stats:index")).content
    assert reverse("line_recurrence_import:index").encode() not in writer_page
    admin_page = login("pref-admin").get(reverse("line_stats:index")).content
    assert reverse("line_recurrence_import:index").encode() in admin_page
