"""The message builder: image, video and imagemap messages built from what staff
upload (a Wagtail image, an MP4 document), the files served to LINE at signed
URLs (an imagemap at the five widths LINE asks for), Flex JSON checked with the
SDK's own models and shown as readable text. Test sends go to the Messaging API
stand-in (tests/line/standin.py; the real API cannot be reached here), which
receives what LINE would."""

import io
from urllib.parse import urlsplit

import pytest
from django.core.files.base import ContentFile
from django.core.files.images import ImageFile
from django.urls import reverse
from PIL import Image as PILImage
from wagtail.models import Collection

from cms.core.models import PortalDocument, PortalImage
from cms.line import delivery, media
from cms.line.models import LineMessage, MediaKind

from .conftest import make_friend, message_form

pytestmark = pytest.mark.django_db


def make_image(size=(1300, 650), title="移住フェア"):
    buffer = io.BytesIO()
    PILImage.new("RGB", size, (40, 120, 200)).save(buffer, "PNG")
    return PortalImage.objects.create(
        title=title,
        description="テスト用の画像",
        collection=Collection.get_first_root_node(),
        file=ImageFile(io.BytesIO(buffer.getvalue()), name=f"{title}.png"),
    )


MP4 = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\x00" * 64


def make_video():
    return PortalDocument.objects.create(
        title="町の紹介動画",
        collection=Collection.get_first_root_node(),
        file=ContentFile(MP4, name="town.mp4"),
    )


@pytest.fixture
def tester(channel):
    return make_friend(channel.test_channel, 900)


def sent_object(line_api, index=-1):
    (call,) = line_api.calls("multicast")
    return call.json["messages"][index]


def fetch(client, url):
    return client.get(urlsplit(url).path)


def jpeg_size(response):
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    return PILImage.open(io.BytesIO(b"".join(response))).size


def test_image_message_is_built_from_a_wagtail_image_and_test_sent(
    client, channel, tester, line_api
):
    message = LineMessage.objects.create(
        channel=channel,
        title="フェア",
        text="写真です",
        media_kind=MediaKind.IMAGE,
        image=make_image((3000, 1500)),
    )
    delivery.send_test(message)
    image = sent_object(line_api)
    assert image["type"] == "image"
    assert image["originalContentUrl"].startswith(
        "https://iju.example.jp/line/media/image/"
    )
    original = jpeg_size(fetch(client, image["originalContentUrl"]))
    preview = jpeg_size(fetch(client, image["previewImageUrl"]))
    assert original == (2048, 1024) and max(preview) <= 240


def test_video_message_from_an_mp4_document(client, channel, tester, line_api):
    message = LineMessage.objects.create(
        channel=channel,
        title="動画",
        media_kind=MediaKind.VIDEO,
        image=make_image((640, 360)),
        video=make_video(),
    )
    delivery.send_test(message)
    video = sent_object(line_api)
    assert video["type"] == "video"
    response = fetch(client, video["originalContentUrl"])
    assert response["Content-Type"] == "video/mp4"
    assert b"".join(response.streaming_content) == MP4
    assert max(jpeg_size(fetch(client, video["previewImageUrl"]))) <= 240


def test_video_must_be_an_mp4_with_a_thumbnail(channel):
    pdf = PortalDocument.objects.create(
        title="資料",
        collection=Collection.get_first_root_node(),
        file=ContentFile(b"%PDF-1.4", name="a.pdf"),
    )
    message = LineMessage(channel=channel, title="動画", media_kind=MediaKind.VIDEO)
    assert "「動画のサムネイル画像」を選んでください。" in media.problems(message)
    message.video = pdf
    assert "動画はMP4ファイルにしてください。" in media.problems(message)


AREAS = [
    {
        "bounds": {"x": 0, "y": 0, "width": 520, "height": 520},
        "action": {"type": "uri", "uri": "https://iju.example.jp/fair"},
        "label": "フェア",
    },
    {
        "bounds": {"x": 520, "y": 0, "width": 520, "height": 520},
        "action": {"type": "message", "text": "相談したい"},
    },
]


def test_imagemap_is_served_at_the_widths_line_asks_for_and_test_sent(
    client, channel, tester, line_api
):
    message = LineMessage.objects.create(
        channel=channel,
        title="イベント案内",
        alt_text="イベントのご案内",
        media_kind=MediaKind.IMAGEMAP,
        image=make_image((1300, 650)),
        imagemap_areas=AREAS,
    )
    run = delivery.send_test(message)
    imagemap = sent_object(line_api, 0)
    assert imagemap["type"] == "imagemap" and imagemap["altText"] == "イベントのご案内"
    assert imagemap["baseSize"] == {"width": 1040, "height": 520}
    link, text = imagemap["actions"]
    assert link["area"] == {"x": 0, "y": 0, "width": 520, "height": 520}
    assert "/line/r/" in link["linkUri"]  # the tap is counted, then redirected
    assert text == {
        "type": "message",
        "text": "相談したい",
        "area": {"x": 520, "y": 0, "width": 520, "height": 520},
    }
    for width in media.IMAGEMAP_WIDTHS:
        response = fetch(client, f"{imagemap['baseUrl']}/{width}")
        assert jpeg_size(response) == (width, width // 2)
    assert fetch(client, f"{imagemap['baseUrl']}/800").status_code == 404
    response = client.get(urlsplit(link["linkUri"]).path)
    assert response.status_code == 302 and run.clicks.count() == 1


def test_imagemap_checks_width_bounds_and_actions(channel):
    message = LineMessage(
        channel=channel,
        title="地図",
        media_kind=MediaKind.IMAGEMAP,
        image=make_image((800, 400)),
        imagemap_areas=[
            {
                "bounds": {"x": 900, "y": 0, "width": 300, "height": 100},
                "action": {"type": "postback", "data": "x"},
            },
        ],
    )
    found = media.problems(message)
    assert "イメージマップの画像は幅1040px以上にしてください（今は800px）。" in found
    assert "領域1: 画像（1040×520）の内側に収めてください。" in found
    assert any("uri（リンク）か message だけ" in p for p in found)


def test_media_links_are_signed(client, channel, settings):
    image = make_image((400, 300))
    original, _ = media.image_urls(image)
    path = urlsplit(original).path
    assert client.get(path).status_code == 200
    token = path.split("/")[-2]
    assert client.get(path.replace(token, token[:-2] + "xx")).status_code == 404
    video_token = media._token("video", image.pk)
    assert client.get(path.replace(token, video_token)).status_code == 404
    settings.LINE = {**settings.LINE, "MEDIA_LINK_MAX_AGE": -1}
    assert client.get(path).status_code == 404  # expired


FLEX = {
    "type": "flex",
    "altText": "空き家見学会",
    "contents": {
        "type": "bubble",
        "body": {
            "type": "box",
            "layout": "vertical",
            "contents": [
                {"type": "text", "text": "空き家見学会", "weight": "bold"},
                {"type": "text", "text": "3月9日（土）10時から"},
            ],
        },
        "footer": {
            "type": "box",
            "layout": "vertical",
            "contents": [
                {
                    "type": "button",
                    "action": {
                        "type": "uri",
                        "label": "申し込む",
                        "uri": "https://iju.example.jp/akiya",
                    },
                }
            ],
        },
    },
}


def test_flex_json_is_checked_with_lines_own_models():
    broken = {
        **FLEX,
        "contents": {"type": "bubble", "body": {"type": "box", "contents": []}},
    }
    (problem,) = delivery.validate_messages([broken])
    assert problem.startswith("1件目: LINEの形式に合いません（") and "layout" in problem
    carousel = {
        **FLEX,
        "contents": {"type": "carousel", "contents": [FLEX["contents"]] * 13},
    }
    assert "1件目: カルーセルのバブルは1〜12個です（今は13個）。" in (
        delivery.validate_messages([carousel])
    )
    assert delivery.validate_messages([FLEX]) == []


def test_flex_preview_is_readable_and_test_send_works(login, channel, tester, line_api):
    message = LineMessage.objects.create(
        channel=channel, title="見学会", messages_json=[FLEX]
    )
    client = login("pref-admin")
    page = client.get(reverse("line_message_actions", args=[message.pk]))
    body = page.content.decode()
    assert "［Flex］空き家見学会" in body
    assert "3月9日（土）10時から" in body and "［ボタン］申し込む" in body
    client.post(reverse("line_message_actions", args=[message.pk]), {"action": "test"})
    assert sent_object(line_api)["contents"]["type"] == "bubble"


def test_staff_build_an_imagemap_in_the_admin(login, channel):
    import json

    image = make_image((1300, 650))
    client = login("pref-admin")
    response = client.post(
        reverse("line_messages:add"),
        message_form(channel, media_kind="imagemap", image=image.pk),
    )
    assert response.status_code == 302  # the areas are drawn after this first save
    message = LineMessage.objects.get(title="イベント案内")
    edit = client.get(reverse("line_messages:edit", args=[message.pk])).content.decode()
    assert 'data-size="1040x520"' in edit and 'data-max="50"' in edit
    outside = [{**AREAS[0], "bounds": {"x": 0, "y": 400, "width": 100, "height": 200}}]
    response = client.post(
        reverse("line_messages:edit", args=[message.pk]),
        message_form(
            channel,
            media_kind="imagemap",
            image=image.pk,
            imagemap_areas=json.dumps(outside),
        ),
    )
    assert (
        "領域1: 画像（1040×520）の内側に収めてください。" in response.content.decode()
    )
    client.post(
        reverse("line_messages:edit", args=[message.pk]),
        message_form(
            channel,
            media_kind="imagemap",
            image=image.pk,
            imagemap_areas=json.dumps(AREAS),
        ),
    )
    message.refresh_from_db()
    assert len(message.imagemap_areas) == 2
    page = client.get(
        reverse("line_message_actions", args=[message.pk])
    ).content.decode()
    assert "イメージマップ" in page and "相談したい" in page and "<img" in page


def test_admin_form_refuses_broken_flex_json(login, channel):
    import json

    client = login("pref-admin")
    broken = {
        **FLEX,
        "contents": {"type": "bubble", "body": {"type": "box", "contents": []}},
    }
    response = client.post(
        reverse("line_messages:add"),
        message_form(channel, messages_json=json.dumps([broken])),
    )
    assert response.status_code == 200
    assert "LINEの形式に合いません" in response.content.decode()
    assert not LineMessage.objects.exists()


def test_preview_marks_line_emoji_positions(channel):
    message = LineMessage(
        channel=channel,
        title="絵文字",
        text="$ フェアです $5",
        emojis=[
            {"index": 0, "productId": "5ac1bfd5040ab15980c9b435", "emojiId": "001"}
        ],
    )
    (item,) = delivery.preview_items(message)
    assert item["text"] == "［絵文字］ フェアです $5"  # a plain "$" stays


def test_lines_fetches_of_media_are_not_limited_per_address(client, settings):
    """LINE's servers fetch delivery images from few addresses: the per-IP limit
    of the public side must not refuse them (the URLs are signed)."""
    from django.core.cache import cache

    cache.clear()
    settings.PORTAL_PUBLIC_RATE_LIMIT_PER_IP = 1
    original, _ = media.image_urls(make_image((400, 300)))
    codes = {
        client.get(urlsplit(original).path, REMOTE_ADDR="203.0.113.7").status_code
        for _ in range(3)
    }
    assert codes == {200}
    client.get("/api/chat/config", REMOTE_ADDR="203.0.113.7")
    limited = client.get("/api/chat/config", REMOTE_ADDR="203.0.113.7")
    assert limited.status_code == 429  # other public paths still are
