"""Rich menus after publishing, over HTTP against the Messaging API stand-in
(tests/line/standin.py; the real API cannot be reached here): deleting a menu in
the admin removes it and its alias from LINE (or keeps it when LINE refuses),
and taps on link areas are counted as menu taps through our signed redirect."""

from urllib.parse import urlsplit

import pytest
from django.urls import reverse
from wagtail.models import ModelLogEntry

from cms.line import stats
from cms.line.models import RichMenu
from cms.line.richmenus import publish_channel_menus, tab_menu_areas

pytestmark = pytest.mark.django_db

TABS = [("a", "暮らし"), ("b", "仕事")]


@pytest.fixture
def published(channel, line_api):
    for n, (alias, _) in enumerate(TABS):
        RichMenu.objects.create(
            channel=channel,
            name=alias,
            alias_id=alias,
            sort_order=n,
            is_default=n == 0,
            areas=tab_menu_areas(
                TABS,
                alias,
                [
                    {
                        "label": "移住ガイド",
                        "action": {
                            "type": "uri",
                            "label": "移住ガイド",
                            "uri": "https://iju.example.jp/guide",
                        },
                    }
                ],
            ),
        )
    publish_channel_menus(channel)
    return RichMenu.objects.get(alias_id="a")


def delete(client, menu):
    return client.post(reverse("line_richmenus:delete", args=[menu.pk]))


def test_deleting_a_published_menu_removes_it_and_its_alias_from_line(
    login, published, line_api
):
    line_id = published.line_rich_menu_id
    assert line_api.default_menu == line_id and "a" in line_api.aliases
    response = delete(login("pref-admin"), published)
    assert response.status_code == 302
    assert "a" not in line_api.aliases and "b" in line_api.aliases
    assert line_id not in line_api.menus and line_api.default_menu == ""
    assert not RichMenu.objects.filter(alias_id="a").exists()
    assert ModelLogEntry.objects.filter(action="line.menu_delete").exists()


def test_menu_is_kept_when_line_refuses_the_delete(login, published, line_api):
    line_api.fail_next(r"/v2/bot/richmenu/alias/a$", 500)
    response = delete(login("pref-admin"), published)
    assert response.status_code == 302
    assert RichMenu.objects.filter(alias_id="a").exists()
    assert published.line_rich_menu_id in line_api.menus
    page = login("pref-admin").get(reverse("line_richmenus:index")).content.decode()
    assert "削除を中止しました" in page


def test_unpublished_menu_is_deleted_without_calling_line(login, channel, line_api):
    menu = RichMenu.objects.create(channel=channel, name="下書き", areas=[])
    delete(login("pref-admin"), menu)
    assert not RichMenu.objects.filter(pk=menu.pk).exists()
    assert not [r for r in line_api.requests if r.method == "DELETE"]


def test_editor_cannot_delete_another_accounts_menu(
    login, published, mito_channel, line_api
):
    response = delete(login("mito-editor"), published)
    assert response.status_code in (302, 403, 404)
    assert RichMenu.objects.filter(pk=published.pk).exists()
    assert "a" in line_api.aliases


def test_link_area_taps_are_counted_as_menu_taps(login, client, published, line_api):
    created = line_api.menus[published.line_rich_menu_id]["request"]
    (link,) = [a for a in created["areas"] if a["action"]["type"] == "uri"]
    tracked = link["action"]["uri"]
    assert tracked.startswith("https://iju.example.jp/line/m/")
    response = client.get(urlsplit(tracked).path)
    assert response.status_code == 302
    assert response["Location"] == "https://iju.example.jp/guide"
    assert ("リンク: 移住ガイド", 1) in stats.menu_taps(published.channel)
    tampered = urlsplit(tracked).path.replace("/m/", "/m/x")
    assert client.get(tampered).status_code == 404
    page = login("pref-admin").get(reverse("line_stats:index")).content.decode()
    assert "リンク: 移住ガイド" in page


def test_friend_who_joins_or_leaves_a_segment_gets_its_menu(client, channel, line_api):
    from cms.line.attributes import make_token
    from cms.line.models import FriendSegment

    from .conftest import make_friend, user_id

    thirties = FriendSegment.objects.create(
        channel=channel,
        name="30代",
        rules={
            "op": "and",
            "rules": [{"field": "age_band", "lookup": "eq", "value": "30s"}],
        },
    )
    friend = make_friend(channel, 1, age_band="60s")
    menu = RichMenu.objects.create(
        channel=channel,
        name="30代向け",
        segment=thirties,
        areas=tab_menu_areas(
            [("x", "X")],
            "x",
            [{"label": "a", "action": {"type": "message", "text": "a"}}],
        ),
    )
    publish_channel_menus(channel)
    menu.refresh_from_db()
    assert user_id(1) not in line_api.user_menus
    url = f"/line/attributes/{make_token(channel, user_id(1))}/"
    client.post(url, {"age_band": "30s"})  # joins the segment
    assert line_api.user_menus[user_id(1)] == menu.line_rich_menu_id
    friend.refresh_from_db()
    assert friend.rich_menu == menu
    client.post(url, {"age_band": "40s"})  # leaves it: back to the default menu
    assert user_id(1) not in line_api.user_menus
    friend.refresh_from_db()
    assert friend.rich_menu is None
    calls = len(line_api.requests)
    client.post(url, {"age_band": "50s"})  # no segment menu either way: no call
    assert not [r for r in line_api.requests[calls:] if "/v2/bot/user/" in r.path]
