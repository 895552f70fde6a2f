"""What the account does with each webhook event: follow/unfollow keep the friend
record, a text message gets the chatbot's answer (the same ``reply_to`` and
conversation log as the web widget, with channel "line"), a location or a spot
keyword gets the spot guide, postbacks come from rich menus and quick replies.
Runs inside a task (tasks.handle_webhook); replies go out through the reply API.
"""

import datetime as dt
import hashlib
import logging
import time

from django.db import IntegrityError, transaction

from cms.chat.models import ChatSettings, FaqAnswer, TurnOutcome
from cms.chat.service import (
    Decision,
    conversation_for,
    plain_text,
    record_turn,
    reply_to,
)

from . import spots
from .client import call_with_retry, messaging_api
from .models import EventKind, FriendStatus, LineEvent, LineFriend

logger = logging.getLogger(__name__)

TEXT_MAX = 5000
QUICK_REPLY_LABEL_MAX = 20


# --- Building replies (pure) ------------------------------------------------------


def _label(text: str, limit: int = QUICK_REPLY_LABEL_MAX) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def answer_messages(
    question: str, body_text: str, url: str, related: list
) -> list[dict]:
    text = f"{body_text}"
    if url:
        text += f"\n\n詳しくはこちら: {url}"
    message = {"type": "text", "text": text[:TEXT_MAX]}
    if related:
        message["quickReply"] = {
            "items": [_faq_item(key, q) for key, q in related[:13]]
        }
    return [message]


def _faq_item(key: str, question: str) -> dict:
    return {
        "type": "action",
        "action": {
            "type": "postback",
            "label": _label(question),
            "data": f"faq={key}",
            "displayText": question[:300],
        },
    }


def unsure_messages(suggestions: list, desk_text: str) -> list[dict]:
    """Low confidence: the likely questions as quick replies, and the desk."""
    if suggestions:
        text = "ぴったりの回答が見つかりませんでした。もしかして、次のご質問ですか？"
    else:
        text = (
            "申し訳ありません。お答えできる回答が見つかりませんでした。"
            "言葉を変えて質問するか、相談窓口にお問い合わせください。"
        )
    if desk_text:
        text += "\n\n" + desk_text
    message = {"type": "text", "text": text[:TEXT_MAX]}
    if suggestions:
        message["quickReply"] = {
            "items": [_faq_item(key, q) for key, q in suggestions[:13]]
        }
    return [message]


def desk_text(desk) -> str:
    if desk is None:
        return ""
    lines = [f"相談窓口: {desk}"]
    if desk.phone:
        lines.append(f"電話: {desk.phone}")
    if desk.opening_hours:
        lines.append(f"受付: {desk.opening_hours}")
    if desk.url:
        lines.append(desk.url)
    return "\n".join(lines)


# --- I/O --------------------------------------------------------------------------


def session_id_for(channel, user_id: str) -> str:
    """The chat log's session for one LINE user: a hash, so the chat log holds no
    LINE user ID."""
    digest = hashlib.sha256(f"{channel.pk}:{user_id}".encode()).hexdigest()
    return f"line-{digest[:40]}"


def reply(channel, reply_token: str, messages: list[dict], user_id: str = "") -> bool:
    from linebot.v3.messaging import ReplyMessageRequest

    if not reply_token or not messages:
        return False
    request = ReplyMessageRequest.from_dict(
        {"replyToken": reply_token, "messages": messages[:5]}
    )

    def call():
        with messaging_api(channel) as api:
            api.reply_message(request)

    # A reply token is valid once and briefly: one retry for a 5xx at most.
    ok, _, error = call_with_retry(call, attempts=2, base_delay=0.2)
    LineEvent.objects.create(
        channel=channel,
        user_id=user_id,
        kind=EventKind.REPLY,
        text=" / ".join(m.get("text", m.get("altText", m["type"])) for m in messages)[
            :2000
        ],
        data={"ok": ok, "error": error, "messages": messages},
    )
    if not ok:
        logger.error("LINE reply failed on %s: %s", channel.slug, error)
    return ok


def _default_desk():
    from cms.chat.public_api import _default_desk as chat_default_desk

    return chat_default_desk()


def chatbot_reply(channel, user_id: str, text: str, answer_key: str = "") -> list[dict]:
    """The chatbot's answer as LINE messages, logged like the web widget's turns."""
    started = time.perf_counter()
    settings = ChatSettings.load()
    answer = None
    if answer_key:
        answer = FaqAnswer.objects.filter(key=answer_key, active=True).first()
        if answer is not None:
            decision = Decision(TurnOutcome.SELECTED, answer.key, 1.0, 0.0, [])
            text = text or answer.question
    if answer is None:
        decision = reply_to(text, settings)
        if decision.answer_key:
            answer = (
                FaqAnswer.objects.filter(key=decision.answer_key)
                .select_related("municipality", "desk", "related_page")
                .first()
            )
    conversation = conversation_for(session_id_for(channel, user_id), channel="line")
    record_turn(
        conversation,
        text,
        decision,
        answer,
        int((time.perf_counter() - started) * 1000),
    )
    questions = dict(
        FaqAnswer.objects.filter(key__in=decision.suggestions, active=True).values_list(
            "key", "question"
        )
    )
    refs = [(k, questions[k]) for k in decision.suggestions if k in questions]
    if answer is not None:
        from cms.chat.public_api import answer_url

        return answer_messages(
            answer.question, plain_text(answer.body), answer_url(answer), refs
        )
    desk = _default_desk()
    return unsure_messages(refs, desk_text(desk))


def _profile(channel, user_id: str) -> dict:
    try:
        with messaging_api(channel) as api:
            profile = api.get_profile(user_id)
        return {
            "display_name": profile.display_name or "",
            "picture_url": profile.picture_url or "",
        }
    except Exception:  # the profile is nice to have; the friend record is not
        logger.warning("LINE profile of %s not available", user_id, exc_info=True)
        return {}


def on_follow(channel, user_id: str, at) -> LineFriend:
    friend, created = LineFriend.objects.get_or_create(
        channel=channel, user_id=user_id, defaults={"followed_at": at}
    )
    if not created:
        friend.status = FriendStatus.FRIEND
        friend.followed_at = at
        friend.unfollowed_at = None
        friend.imported_at = None  # the follow date is known from now on
    for name, value in _profile(channel, user_id).items():
        setattr(friend, name, value)
    friend.save()
    return friend


def on_unfollow(channel, user_id: str, at) -> None:
    LineFriend.objects.filter(channel=channel, user_id=user_id).update(
        status=FriendStatus.BLOCKED, unfollowed_at=at
    )


def attribute_form_message(channel, user_id: str, named=None) -> dict:
    from .attributes import signed_form_url

    title = f"「{named.name}」" if named else "属性の登録・変更"
    return {
        "type": "text",
        "text": f"{title}はこちらから（7日間有効のリンクです）:\n"
        + signed_form_url(channel, user_id, named.pk if named else None),
    }


def named_form_reply(channel, user_id: str, named) -> dict:
    """The link of a named form, or why it cannot be opened."""
    from .attributes import form_may_open

    friend = LineFriend.objects.filter(channel=channel, user_id=user_id).first()
    if friend is None or not form_may_open(named, friend):
        return {"type": "text", "text": f"「{named.name}」は今はご利用いただけません。"}
    return attribute_form_message(channel, user_id, named)


def handle_event(channel, event: dict) -> str:
    """Handle one webhook event; returns what was done (for logs and tests)."""
    kind = event.get("type", "")
    source = event.get("source") or {}
    user_id = source.get("userId", "")
    at = dt.datetime.fromtimestamp(
        int(event.get("timestamp", time.time() * 1000)) / 1000, tz=dt.UTC
    )
    message = event.get("message") or {}
    logged_kind = {
        "follow": EventKind.FOLLOW,
        "unfollow": EventKind.UNFOLLOW,
        "postback": EventKind.POSTBACK,
    }.get(kind, EventKind.OTHER)
    text = ""
    if kind == "message":
        logged_kind = (
            EventKind.LOCATION
            if message.get("type") == "location"
            else EventKind.MESSAGE
        )
        text = message.get("text", "")
    elif kind == "postback":
        text = (event.get("postback") or {}).get("data", "")
    event_id = event.get("webhookEventId", "")
    try:
        with transaction.atomic():
            LineEvent.objects.create(
                channel=channel,
                user_id=user_id,
                kind=logged_kind,
                text=text[:5000],
                data=event,
                webhook_event_id=event_id,
                occurred_at=at,
            )
    except IntegrityError:
        return "duplicate"  # LINE redelivered an event we already handled
    token = event.get("replyToken", "")

    if kind == "follow":
        on_follow(channel, user_id, at)
        messages = []
        if channel.follow_message:
            messages.append({"type": "text", "text": channel.follow_message})
        messages.append(attribute_form_message(channel, user_id))
        reply(channel, token, messages, user_id)
        return "follow"
    if kind == "unfollow":
        on_unfollow(channel, user_id, at)
        return "unfollow"
    if kind == "postback":
        return _on_postback(channel, user_id, token, text)
    if kind == "message" and message.get("type") == "location":
        ranked = spots.nearest_spots(
            channel, float(message["latitude"]), float(message["longitude"])
        )
        if not ranked:
            reply(
                channel,
                token,
                [{"type": "text", "text": "案内できるスポットがありません。"}],
                user_id,
            )
            return "location-none"
        reply(channel, token, [spots.spot_carousel(ranked)], user_id)
        return "spots"
    if kind == "message" and message.get("type") == "text":
        return _on_text(channel, user_id, token, text)
    return "ignored"


ATTRIBUTE_WORDS = ("属性", "登録内容", "プロフィール")


def _on_text(channel, user_id, token, text):
    stripped = " ".join(text.split())
    named = channel.attribute_forms.filter(keyword=stripped).exclude(keyword="").first()
    if named is not None:
        reply(channel, token, [named_form_reply(channel, user_id, named)], user_id)
        return "form"
    if any(word in stripped for word in ATTRIBUTE_WORDS) and len(stripped) <= 12:
        reply(channel, token, [attribute_form_message(channel, user_id)], user_id)
        return "attributes"
    found = spots.spots_for_keyword(channel, stripped)
    if found:
        reply(channel, token, [spots.spot_carousel(found)], user_id)
        return "spots"
    reply(channel, token, chatbot_reply(channel, user_id, stripped[:200]), user_id)
    return "chatbot"


def parse_postback(data: str) -> dict:
    """``a=1&b=2`` as a dict (LINE postback data is free text up to 300 chars)."""
    from urllib.parse import parse_qsl

    return dict(parse_qsl(data, keep_blank_values=True))


def _on_postback(channel, user_id, token, data):
    values = parse_postback(data)
    if "faq" in values:
        reply(
            channel, token, chatbot_reply(channel, user_id, "", values["faq"]), user_id
        )
        return "faq"
    if values.get("action") == "spots":
        found = spots.spots_for_keyword(channel, channel.spot_keywords)
        if found:
            reply(channel, token, [spots.spot_carousel(found)], user_id)
        return "spots"
    if values.get("action") == "form" and values.get("form", "").isdigit():
        named = channel.attribute_forms.filter(pk=int(values["form"])).first()
        if named is not None:
            reply(channel, token, [named_form_reply(channel, user_id, named)], user_id)
            return "form"
    if values.get("action") == "attributes":
        reply(channel, token, [attribute_form_message(channel, user_id)], user_id)
        return "attributes"
    if "ask" in values:
        reply(
            channel,
            token,
            chatbot_reply(channel, user_id, values["ask"][:200]),
            user_id,
        )
        return "chatbot"
    # Tab switches (richmenuswitch) arrive as postbacks too: logged as menu taps.
    return "menu"
