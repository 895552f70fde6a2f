"""``/api/chat/``: the chatbot's public JSON endpoints, called by the chat widget.

* ``GET  /api/chat/config``          greeting, category buttons, attribute questions
* ``POST /api/chat/``                a question (``message``) or a chosen answer
                                      (``answer_id``, from a suggestion or a button)
* ``GET  /api/chat/categories/{id}`` the questions of one category
* ``POST /api/chat/feedback``        👍/👎 on one turn
* ``POST /api/chat/attributes``      the optional questions, with consent

Every request is rate limited per IP and per session; questions are limited in
length; answer bodies are sanitised (``service.answer_html``). The bot only ever
returns prepared answers.
"""

import contextlib
import re
import secrets
import time

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Field, Router, Schema, Status

from cms.core.ratelimit import client_ip, hit

from .models import (
    ATTRIBUTE_CHOICES,
    QUERY_MAX_LENGTH,
    ChatSettings,
    ChatTurn,
    Conversation,
    FaqAnswer,
    FaqCategory,
    TurnOutcome,
)
from .service import Decision, answer_html, conversation_for, record_turn, reply_to

PREFIX = "chat"
router = Router(tags=["チャットボット"])

# Per IP (a household or office shares one) and per chat session, per minute.
IP_LIMIT, SESSION_LIMIT, WINDOW = 60, 20, 60
SESSION_PATTERN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


# --- Schemas ---------------------------------------------------------------------


class Desk(Schema):
    name: str
    department: str = ""
    phone: str = ""
    email: str = ""
    opening_hours: str = ""
    url: str = ""


class AnswerRef(Schema):
    id: str
    question: str


class Answer(Schema):
    id: str
    question: str
    html: str
    url: str = ""
    category: str = ""
    desk: Desk | None = None


class ChatIn(Schema):
    message: str = Field("", description=f"訪問者の質問（{QUERY_MAX_LENGTH}文字まで）")
    answer_id: str = Field("", description="候補やボタンから選んだ回答のID")
    session_id: str = Field("", description="前の応答で受け取ったセッションID")


class ChatOut(Schema):
    session_id: str
    turn_id: int
    outcome: str = Field(description="answered / suggested / no_match / selected")
    message: str
    answer: Answer | None = None
    suggestions: list[AnswerRef] = []
    follow_ups: list[AnswerRef] = []
    desk: Desk | None = None
    faq_url: str = ""


class Problem(Schema):
    detail: str


class Category(Schema):
    id: int
    label: str


class AttributeQuestion(Schema):
    name: str
    label: str
    choices: list[list[str]]


class ConfigOut(Schema):
    greeting: str
    categories: list[Category]
    ask_attributes: bool
    consent_text: str
    attribute_questions: list[AttributeQuestion]
    faq_url: str
    desk: Desk | None = None
    max_length: int


class CategoryOut(Schema):
    id: int
    label: str
    questions: list[AnswerRef]


class FeedbackIn(Schema):
    session_id: str
    turn_id: int
    helpful: bool


class AttributesIn(Schema):
    session_id: str
    consent: bool
    age_band: str = ""
    current_area: str = ""
    household: str = ""
    move_timing: str = ""


class Ok(Schema):
    ok: bool = True


# --- Helpers ---------------------------------------------------------------------

ATTRIBUTE_LABELS = {
    "age_band": "年代",
    "current_area": "今お住まいの地域",
    "household": "一緒に移住する方",
    "move_timing": "移住の予定時期",
}


def _limited(request: HttpRequest, session_id: str):
    """A 429 answer when this IP or session asked too often, else None."""
    for scope, key, limit in (
        ("chat-ip", client_ip(request), IP_LIMIT),
        ("chat-session", session_id, SESSION_LIMIT),
    ):
        if not key:
            continue
        result = hit(scope, key, limit, WINDOW)
        if not result.allowed:
            return result
    return None


def _too_many(response: HttpResponse, result):
    response["Retry-After"] = str(result.retry_after)
    return Status(
        429,
        {
            "detail": f"短い時間に多くの質問が送られました。{result.retry_after}秒ほど待ってからもう一度お試しください。"
        },
    )


def _desk(desk) -> dict | None:
    if desk is None:
        return None
    return {
        "name": str(desk),
        "department": desk.department,
        "phone": desk.phone,
        "email": desk.email,
        "opening_hours": desk.opening_hours,
        "url": desk.url,
    }


def _default_desk():
    from wagtail.models import Site

    from cms.core.models import PortalSettings

    site = Site.objects.filter(is_default_site=True).first()
    if site is None:
        return None
    return PortalSettings.for_site(site).default_desk


def answer_url(answer: FaqAnswer) -> str:
    if answer.link_url:
        return answer.link_url
    if answer.related_page_id and answer.related_page.live:
        return answer.related_page.url or ""
    return ""


def _answer_payload(answer: FaqAnswer) -> dict:
    desk = answer.desk
    if desk is None and answer.municipality_id:
        desk = answer.municipality.primary_desk()
    return {
        "id": answer.key,
        "question": answer.question,
        "html": answer_html(answer.body),
        "url": answer_url(answer),
        "category": answer.category.name if answer.category_id else "",
        "desk": _desk(desk),
    }


def _refs(keys: list[str]) -> list[dict]:
    found = {
        a.key: a.question
        for a in FaqAnswer.objects.filter(key__in=keys, active=True).only(
            "key", "question"
        )
    }
    return [{"id": k, "question": found[k]} for k in keys if k in found]


def _session(session_id: str) -> str:
    return (
        session_id
        if SESSION_PATTERN.match(session_id or "")
        else secrets.token_urlsafe(18)
    )


def _purge_daily() -> None:
    """Enforce the log retention at most once a day, from live traffic, so a
    portal without a scheduler still forgets old conversations."""
    if cache.add(f"chat:purge:{timezone.localdate()}", 1, timeout=26 * 3600):
        from .tasks import purge_conversations

        # Without the task tables the CLI `portal chat purge` remains.
        with contextlib.suppress(Exception):
            purge_conversations.enqueue()


# --- Endpoints -------------------------------------------------------------------


@router.get("/config", response=ConfigOut, summary="チャットの初期表示")
def config(request):
    settings = ChatSettings.load()
    categories = [
        {"id": c.pk, "label": c.label}
        for c in FaqCategory.objects.filter(show_button=True, answers__active=True)
        .distinct()
        .order_by("sort_order", "name")
    ]
    questions = [
        {
            "name": name,
            "label": ATTRIBUTE_LABELS[name],
            "choices": [[value, str(label)] for value, label in choices.choices],
        }
        for name, choices in ATTRIBUTE_CHOICES.items()
    ]
    return {
        "greeting": settings.greeting,
        "categories": categories,
        "ask_attributes": settings.ask_attributes,
        "consent_text": settings.consent_text,
        "attribute_questions": questions if settings.ask_attributes else [],
        "faq_url": settings.faq_page_url,
        "desk": _desk(_default_desk()),
        "max_length": QUERY_MAX_LENGTH,
    }


@router.get(
    "/categories/{category_id}",
    response={200: CategoryOut, 404: Problem},
    summary="カテゴリの質問一覧",
)
def category_questions(request, category_id: int):
    category = FaqCategory.objects.filter(pk=category_id).first()
    if category is None:
        return Status(404, {"detail": "このカテゴリは見つかりません。"})
    answers = category.answers.filter(active=True).order_by("key")[:30]
    return {
        "id": category.pk,
        "label": category.label,
        "questions": [{"id": a.key, "question": a.question} for a in answers],
    }


@router.post(
    "/",
    response={200: ChatOut, 400: Problem, 404: Problem, 429: Problem},
    summary="質問に答える",
)
def chat(request, response: HttpResponse, payload: ChatIn):
    started = time.perf_counter()
    session_id = _session(payload.session_id)
    limited = _limited(request, session_id)
    if limited:
        return _too_many(response, limited)
    message = " ".join((payload.message or "").split())
    if not message and not payload.answer_id:
        return Status(400, {"detail": "質問を入力してください。"})
    if len(message) > QUERY_MAX_LENGTH:
        return Status(
            400,
            {
                "detail": f"質問は{QUERY_MAX_LENGTH}文字以内で入力してください（今は{len(message)}文字です）。"
            },
        )
    settings = ChatSettings.load()
    answer = None
    if payload.answer_id:
        answer = (
            FaqAnswer.objects.filter(key=payload.answer_id, active=True)
            .select_related("category", "municipality", "desk", "related_page")
            .first()
        )
        if answer is None:
            return Status(
                404,
                {
                    "detail": "この回答は見つかりません（公開が終わった可能性があります）。"
                },
            )
        decision = Decision(TurnOutcome.SELECTED, answer.key, 1.0, 0.0, [])
        message = message or answer.question
    else:
        decision = reply_to(message, settings)
        if decision.answer_key:
            answer = (
                FaqAnswer.objects.filter(key=decision.answer_key)
                .select_related("category", "municipality", "desk", "related_page")
                .first()
            )
    conversation = conversation_for(session_id)
    elapsed = int((time.perf_counter() - started) * 1000)
    turn = record_turn(conversation, message, decision, answer, elapsed)
    _purge_daily()

    if answer is not None:
        follow_ups = list(
            answer.follow_ups.filter(active=True).values_list("key", flat=True)[:3]
        )
        return {
            "session_id": session_id,
            "turn_id": turn.pk,
            "outcome": decision.outcome,
            "message": "こちらの回答をご覧ください。",
            "answer": _answer_payload(answer),
            "suggestions": _refs(decision.suggestions),
            "follow_ups": _refs(follow_ups),
            "desk": None,
            "faq_url": settings.faq_page_url,
        }
    if decision.outcome == TurnOutcome.SUGGESTED:
        text = "ぴったりの回答が見つかりませんでした。もしかして、次のご質問ですか？"
    else:
        text = "申し訳ありません。お答えできる回答が見つかりませんでした。言葉を変えて質問するか、相談窓口にお問い合わせください。"
    return {
        "session_id": session_id,
        "turn_id": turn.pk,
        "outcome": decision.outcome,
        "message": text,
        "answer": None,
        "suggestions": _refs(decision.suggestions),
        "follow_ups": [],
        "desk": _desk(_default_desk()),
        "faq_url": settings.faq_page_url,
    }


@router.post(
    "/feedback",
    response={200: Ok, 404: Problem, 429: Problem},
    summary="回答の評価（👍/👎）",
)
def feedback(request, response: HttpResponse, payload: FeedbackIn):
    limited = _limited(request, payload.session_id)
    if limited:
        return _too_many(response, limited)
    updated = ChatTurn.objects.filter(
        pk=payload.turn_id, conversation__session_id=payload.session_id
    ).update(feedback=1 if payload.helpful else -1, feedback_at=timezone.now())
    if not updated:
        return Status(404, {"detail": "評価する会話が見つかりません。"})
    return {"ok": True}


@router.post(
    "/attributes",
    response={200: Ok, 400: Problem, 404: Problem, 429: Problem},
    summary="任意の属性（同意のうえ）",
)
def attributes(request, response: HttpResponse, payload: AttributesIn):
    limited = _limited(request, payload.session_id)
    if limited:
        return _too_many(response, limited)
    if not payload.consent:
        return Status(400, {"detail": "同意していただいた場合のみ回答を記録します。"})
    conversation = Conversation.objects.filter(session_id=payload.session_id).first()
    if conversation is None:
        return Status(
            404, {"detail": "会話が見つかりません。先に質問を送ってください。"}
        )
    values = {}
    for name, choices in ATTRIBUTE_CHOICES.items():
        value = getattr(payload, name)
        if value and value not in choices.values:
            return Status(
                400, {"detail": f"{ATTRIBUTE_LABELS[name]}の選択肢が正しくありません。"}
            )
        values[name] = value
    Conversation.objects.filter(pk=conversation.pk).update(
        consented_at=timezone.now(), **values
    )
    return {"ok": True}
