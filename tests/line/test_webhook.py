"""The webhook and the events, over real HTTP through Django's test client, with
replies sent to the Messaging API stand-in (tests/line/standin.py) because the real
API cannot be reached here. Event payloads follow LINE's documented examples."""

import json

import pytest

from cms.chat.models import ChatTurn, Conversation, FaqAnswer, FaqCategory, TurnOutcome
from cms.chat.service import text_to_rich_text
from cms.line.models import FriendStatus, LineEvent, LineFriend, Spot

from .conftest import (
    event,
    location_event,
    make_friend,
    postback_event,
    sign,
    text_event,
    user_id,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def lexical_chat(settings):
    settings.PORTAL_CHAT_EMBEDDINGS = "off"


def make_answer(key, question, body, alternatives=()):
    category, _ = FaqCategory.objects.get_or_create(name="一般")
    return FaqAnswer.objects.create(
        key=key,
        question=question,
        alternatives="\n".join(alternatives),
        body=text_to_rich_text(body),
        category=category,
    )


@pytest.fixture
def faq(db):
    return [
        make_answer(
            "shienkin",
            "移住支援金はいくらもらえますか",
            "世帯で移住する場合は最大100万円です。",
            ["引っ越しの補助金の金額"],
        ),
        make_answer(
            "akiya",
            "空き家バンクとは何ですか",
            "市町村が空き家の情報を紹介する仕組みです。",
        ),
        make_answer(
            "hoikuen", "保育園に入れますか", "待機児童のいない市町村も多くあります。"
        ),
    ]


def replies(line_api):
    """The replies the stand-in received; each must also be logged as sent."""
    logged = LineEvent.objects.filter(kind="reply")
    assert all(e.data["ok"] for e in logged), [e.data["error"] for e in logged]
    return [r.json for r in line_api.calls(r"^/v2/bot/message/reply$")]


# --- Signature ----------------------------------------------------------------------


def test_valid_signature_is_accepted_and_events_handled(
    channel, post_webhook, line_api
):
    response = post_webhook(channel, [event("follow", user_id(1))])
    assert response.status_code == 200
    assert LineFriend.objects.filter(channel=channel, user_id=user_id(1)).exists()


def test_invalid_signature_is_rejected_and_nothing_happens(
    channel, post_webhook, line_api
):
    response = post_webhook(
        channel, [event("follow", user_id(1))], secret="wrong-secret"
    )
    assert response.status_code == 401
    assert "署名" in response.json()["detail"]
    assert not LineFriend.objects.exists()
    assert not line_api.requests


def test_missing_signature_is_rejected(channel, post_webhook):
    response = post_webhook(channel, [event("follow", user_id(1))], signature=False)
    assert response.status_code == 401
    assert not LineFriend.objects.exists()


def test_signature_of_another_channel_is_rejected(channel, mito_channel, post_webhook):
    response = post_webhook(
        mito_channel, [event("follow", user_id(1))]
    )  # pref's secret
    assert response.status_code == 401


def test_tampered_body_fails_the_signature(channel, client):
    body = json.dumps({"events": [event("follow", user_id(1))]}).encode()
    signature = sign(body)
    tampered = body.replace(user_id(1).encode(), user_id(2).encode())
    response = client.post(
        f"/api/line/webhook/{channel.slug}",
        tampered,
        content_type="application/json",
        HTTP_X_LINE_SIGNATURE=signature,
    )
    assert response.status_code == 401


def test_unknown_channel_is_404(db, line_api, post_webhook):
    from cms.line.models import LineChannel

    ghost = LineChannel(slug="ghost")
    assert post_webhook(ghost, []).status_code == 404


def test_channel_without_configured_secret_answers_503(db, line_api, post_webhook):
    from cms.line.models import LineChannel

    bare = LineChannel.objects.create(name="未設定", slug="unconfigured")
    assert post_webhook(bare, [event("follow", user_id(1))]).status_code == 503


def test_verification_request_without_events_gets_200(channel, post_webhook, line_api):
    assert post_webhook(channel, []).status_code == 200
    assert not line_api.requests


# --- Follow / unfollow ----------------------------------------------------------------


def test_follow_creates_friend_with_profile_and_replies_with_form_link(
    channel, post_webhook, line_api
):
    post_webhook(channel, [event("follow", user_id(7))])
    friend = LineFriend.objects.get(channel=channel, user_id=user_id(7))
    assert friend.status == FriendStatus.FRIEND
    assert friend.display_name == "テスト太郎"  # from the profile endpoint
    assert line_api.calls(rf"^/v2/bot/profile/{user_id(7)}$", method="GET")
    (sent,) = replies(line_api)
    assert sent["replyToken"] == "nHuyWiB7yP5Zw52FIkcQobQuGDXCTA"
    texts = [m["text"] for m in sent["messages"]]
    assert "友だち追加ありがとうございます" in texts[0]
    assert "https://iju.example.jp/line/attributes/" in texts[1]
    assert (
        line_api.calls("reply")[0].headers["Authorization"]
        == "Bearer test-access-token"
    )


def test_unfollow_marks_friend_blocked_and_refollow_restores(
    channel, post_webhook, line_api
):
    make_friend(channel, 3)
    post_webhook(channel, [event("unfollow", user_id(3))])
    friend = LineFriend.objects.get(user_id=user_id(3))
    assert friend.status == FriendStatus.BLOCKED and friend.unfollowed_at
    post_webhook(channel, [event("follow", user_id(3))])
    friend.refresh_from_db()
    assert friend.status == FriendStatus.FRIEND and friend.unfollowed_at is None


def test_redelivered_event_is_handled_once(channel, post_webhook, line_api):
    follow = event("follow", user_id(4))
    post_webhook(channel, [follow])
    follow["deliveryContext"] = {"isRedelivery": True}
    post_webhook(channel, [follow])
    assert LineEvent.objects.filter(kind="follow").count() == 1
    assert len(replies(line_api)) == 1


# --- Chatbot ------------------------------------------------------------------------


def test_text_message_gets_the_chatbots_answer_and_is_logged_as_line(
    channel, faq, post_webhook, line_api
):
    make_friend(channel, 5)
    post_webhook(channel, [text_event(user_id(5), "移住支援金はいくらもらえますか")])
    (sent,) = replies(line_api)
    assert "最大100万円" in sent["messages"][0]["text"]
    turn = ChatTurn.objects.get()
    assert turn.outcome == TurnOutcome.ANSWERED and turn.answer_key == "shienkin"
    conversation = Conversation.objects.get()
    assert conversation.channel == "line"
    assert user_id(5) not in conversation.session_id  # the chat log holds no LINE ID


def test_low_confidence_offers_quick_replies_and_the_desk(
    channel, faq, post_webhook, line_api, portal
):
    from cms.chat.models import ChatSettings

    chat_settings = ChatSettings.load()
    chat_settings.confidence_threshold = 1.01  # nothing is confident enough
    chat_settings.save()
    make_friend(channel, 6)
    post_webhook(channel, [text_event(user_id(6), "空き家バンク")])
    (sent,) = replies(line_api)
    message = sent["messages"][0]
    assert ChatTurn.objects.get().outcome == TurnOutcome.SUGGESTED
    assert "もしかして" in message["text"]
    items = message["quickReply"]["items"]
    assert items[0]["action"] == {
        "type": "postback",
        "label": "空き家バンクとは何ですか",
        "data": "faq=akiya",
        "displayText": "空き家バンクとは何ですか",
    }


def test_no_match_points_to_the_consultation_desk(channel, faq, post_webhook, line_api):
    make_friend(channel, 6)
    post_webhook(channel, [text_event(user_id(6), "ぴよぴよ")])
    (sent,) = replies(line_api)
    assert "相談窓口" in sent["messages"][0]["text"]
    assert ChatTurn.objects.get().outcome == TurnOutcome.NO_MATCH


def test_quick_reply_postback_answers_the_chosen_question(
    channel, faq, post_webhook, line_api
):
    make_friend(channel, 8)
    post_webhook(channel, [postback_event(user_id(8), "faq=hoikuen")])
    (sent,) = replies(line_api)
    assert "待機児童" in sent["messages"][0]["text"]
    assert ChatTurn.objects.get().outcome == TurnOutcome.SELECTED


def test_rich_menu_tab_switch_postback_is_logged_as_a_menu_tap(
    channel, post_webhook, line_api
):
    post_webhook(channel, [postback_event(user_id(9), "tab=kurashi")])
    logged = LineEvent.objects.get(kind="postback")
    assert logged.text == "tab=kurashi"
    assert not replies(line_api)


# --- Spot guide ---------------------------------------------------------------------


@pytest.fixture
def spots(channel):
    return [
        Spot.objects.create(
            channel=channel,
            name="茨城県庁",
            latitude="36.341813",
            longitude="140.446793",
            description="県の移住相談窓口があります。",
            image_url="https://iju.example.jp/img/kencho.jpg",
            sort_order=2,
        ),
        Spot.objects.create(
            channel=channel,
            name="つくば市役所",
            latitude="36.083527",
            longitude="140.076495",
            keywords="つくば 研究学園",
            sort_order=1,
        ),
        Spot.objects.create(
            channel=channel,
            name="大子町役場",
            latitude="36.768133",
            longitude="140.352915",
            sort_order=3,
        ),
    ]


def test_location_message_returns_the_nearest_spots_as_a_flex_carousel(
    channel, spots, post_webhook, line_api
):
    post_webhook(
        channel, [location_event(user_id(1), 36.3709, 140.4763)]
    )  # Mito station
    (sent,) = replies(line_api)
    flex = sent["messages"][0]
    assert flex["type"] == "flex" and flex["contents"]["type"] == "carousel"
    names = [b["body"]["contents"][0]["text"] for b in flex["contents"]["contents"]]
    assert names == ["茨城県庁", "大子町役場", "つくば市役所"]
    first = flex["contents"]["contents"][0]
    assert first["hero"]["url"] == "https://iju.example.jp/img/kencho.jpg"
    assert "約4." in first["body"]["contents"][1]["text"]
    assert first["footer"]["contents"][0]["action"]["uri"].startswith(
        "https://www.google.com/maps/"
    )


def test_keyword_returns_the_named_spot(channel, spots, post_webhook, line_api):
    post_webhook(channel, [text_event(user_id(1), "研究学園の場所")])
    (sent,) = replies(line_api)
    bubbles = sent["messages"][0]["contents"]["contents"]
    assert [b["body"]["contents"][0]["text"] for b in bubbles] == ["つくば市役所"]


def test_spot_keyword_lists_spots_in_display_order(
    channel, spots, post_webhook, line_api
):
    post_webhook(channel, [text_event(user_id(1), "施設")])
    bubbles = replies(line_api)[0]["messages"][0]["contents"]["contents"]
    assert [b["body"]["contents"][0]["text"] for b in bubbles] == [
        "つくば市役所",
        "茨城県庁",
        "大子町役場",
    ]


def test_reservation_facility_spot_offers_booking(channel, post_webhook, line_api):
    from cms.reservations.models import Facility

    facility = Facility.objects.create(
        name="テスト体育館", slug="test-gym", is_public=True
    )
    Spot.objects.create(
        channel=channel,
        name="テスト体育館",
        latitude="36.0",
        longitude="140.0",
        facility=facility,
    )
    post_webhook(channel, [location_event(user_id(1), 36.0, 140.0)])
    bubble = replies(line_api)[0]["messages"][0]["contents"]["contents"][0]
    uris = [b["action"]["uri"] for b in bubble["footer"]["contents"]]
    assert "https://iju.example.jp/reserve/f/test-gym/" in uris
