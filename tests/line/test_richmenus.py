"""Rich menus with tabs: the layout, LINE's constraints, the drawn image, and
publishing (menu, image upload, alias, default) to the Messaging API stand-in
(tests/line/standin.py; the real API cannot be reached here)."""

import io

import pytest
from PIL import Image

from cms.line import richmenus
from cms.line.models import RichMenu

pytestmark = pytest.mark.django_db

TABS = [("kurashi", "暮らし"), ("shigoto", "仕事"), ("sumai", "住まい")]


def items(prefix, n=6):
    return [
        {
            "label": f"{prefix}{i}",
            "action": {
                "type": "postback",
                "data": f"ask={prefix}{i}",
                "label": f"{prefix}{i}",
            },
        }
        for i in range(n)
    ]


def test_three_tabs_by_six_icons_fit_lines_constraints():
    for alias, _ in TABS:
        areas = richmenus.tab_menu_areas(TABS, alias, items(alias))
        assert len(areas) == 9
        request = {
            "size": {"width": 2500, "height": 1686},
            "selected": True,
            "name": alias,
            "chatBarText": "メニュー",
            "areas": areas,
        }
        assert richmenus.validate_rich_menu(request) == []
        switches = [
            a["action"] for a in areas if a["action"]["type"] == "richmenuswitch"
        ]
        assert [s["richMenuAliasId"] for s in switches] == [
            "kurashi",
            "shigoto",
            "sumai",
        ]
        # Areas tile the whole image without overlap.
        assert (
            sum(a["bounds"]["width"] * a["bounds"]["height"] for a in areas)
            == 2500 * 1686
        )


def test_constraints_are_reported():
    areas = [
        {
            "bounds": {"x": 2400, "y": 0, "width": 200, "height": 100},
            "action": {"type": "uri", "uri": "javascript:alert(1)", "label": "x" * 21},
        }
    ]
    areas += [
        {
            "bounds": {"x": 0, "y": 0, "width": 10, "height": 10},
            "action": {"type": "postback", "data": "x" * 301},
        }
    ] * 20
    problems = richmenus.validate_rich_menu(
        {
            "size": {"width": 2500, "height": 2000},
            "name": "m",
            "chatBarText": "十五文字のメニューバーです。。",
            "areas": areas,
        }
    )
    text = " ".join(problems)
    for expected in (
        "縦横比",
        "1〜14文字",
        "20個まで",
        "はみ出して",
        "20文字まで",
        "http(s)/line/tel",
        "1〜300文字",
    ):
        assert expected in text, expected
    assert richmenus.validate_alias("Bad Alias!") != []
    assert richmenus.validate_alias("kurashi") == []


def test_drawn_image_has_the_menu_size_and_is_under_1mb(channel):
    menu = RichMenu(
        channel=channel,
        name="暮らし",
        alias_id="kurashi",
        areas=richmenus.tab_menu_areas(TABS, "kurashi", items("k")),
    )
    data = richmenus.draw_menu_image(menu)
    assert len(data) < richmenus.IMAGE_MAX_BYTES
    assert Image.open(io.BytesIO(data)).size == (2500, 1686)


def test_publishing_tabs_creates_menus_images_aliases_and_default(channel, line_api):
    for n, (alias, label) in enumerate(TABS):
        RichMenu.objects.create(
            channel=channel,
            name=label,
            alias_id=alias,
            tab_label=label,
            sort_order=n,
            is_default=n == 0,
            areas=richmenus.tab_menu_areas(TABS, alias, items(alias)),
        )
    ids = richmenus.publish_channel_menus(channel)
    assert len(ids) == 3
    assert set(line_api.aliases) == {"kurashi", "shigoto", "sumai"}
    assert all(
        menu["image"][:8] == b"\x89PNG\r\n\x1a\n" for menu in line_api.menus.values()
    )
    default = RichMenu.objects.get(is_default=True)
    assert line_api.default_menu == default.line_rich_menu_id
    created = line_api.calls(r"^/v2/bot/richmenu$")[0].json
    assert "label" not in created["areas"][0]  # only LINE's own keys are sent
    uploads = line_api.calls(r"/content$")
    assert uploads[0].headers["Content-Type"] == "image/png"

    # Publishing again replaces the menus and moves the aliases; old menus go.
    old = set(line_api.menus)
    richmenus.publish_channel_menus(channel)
    assert not old & set(line_api.menus)
    assert set(line_api.aliases.values()) <= set(line_api.menus)


def test_invalid_menu_is_not_published(channel, line_api):
    menu = RichMenu.objects.create(
        channel=channel, name="壊れた", chat_bar_text="", areas=[]
    )
    with pytest.raises(richmenus.PublishError, match="1〜14文字"):
        richmenus.publish_menu(menu)
    assert not line_api.requests


def test_segment_menu_is_linked_to_the_segments_friends(channel, line_api):
    from cms.line.models import FriendSegment

    from .conftest import make_friend, user_id

    make_friend(channel, 1, age_band="30s")
    make_friend(channel, 2, age_band="60s")
    segment = FriendSegment.objects.create(
        channel=channel,
        name="30代",
        rules={
            "op": "and",
            "rules": [{"field": "age_band", "lookup": "eq", "value": "30s"}],
        },
    )
    menu = RichMenu.objects.create(
        channel=channel,
        name="30代向け",
        segment=segment,
        areas=richmenus.tab_menu_areas([("x", "X")], "x", items("x")),
    )
    new_id = richmenus.publish_menu(menu)
    (link,) = line_api.calls(r"^/v2/bot/richmenu/bulk/link$")
    assert link.json == {"richMenuId": new_id, "userIds": [user_id(1)]}
    assert not line_api.calls(r"^/v2/bot/user/all/richmenu/")  # not the default
