"""The chatbot as a service any channel can use (the web widget's API today, a LINE
channel later): ``reply_to(question)`` picks a prepared answer, or suggestions and a
consultation desk when unsure, and ``record_turn`` writes the conversation log.

One ``KnowledgeBase`` per process keeps the ranking index. Each question first
reads the knowledge base's version number (one indexed row); when another process
or the admin changed an answer, the index is rebuilt from the database, reusing
the analyses of every unchanged answer, so an edit is answered at once without a
separate rebuild step.
"""

import html
import logging
import re
import threading
import time
from dataclasses import dataclass, field

import nh3
import numpy as np
from django.db import transaction
from django.utils import timezone
from django.utils.html import strip_tags

from .matching import AnalysisCache, Candidate, FaqEntry, FaqIndex
from .models import (
    AnswerEmbedding,
    ChatSettings,
    ChatTurn,
    Conversation,
    FaqAnswer,
    FaqSynonym,
    KnowledgeBaseState,
    TurnOutcome,
    split_lines,
)
from .semantic import get_backend, query_vectors
from .text import SynonymTable

logger = logging.getLogger(__name__)

# Suggestions below this confidence are noise, not 「もしかして」.
SUGGESTION_FLOOR = 0.25
FOLLOW_UP_COUNT = 3

ALLOWED_TAGS = {"p", "br", "strong", "b", "em", "ul", "ol", "li", "a"}
ALLOWED_ATTRIBUTES = {"a": {"href"}}
URL_SCHEMES = {"http", "https", "mailto", "tel"}


# --- Answer text ---------------------------------------------------------------


def answer_html(body: str) -> str:
    """The answer body as safe HTML for any channel: Wagtail's internal links
    resolved, then only plain formatting and links kept (staff type rich text,
    but a pasted ``<script>`` or ``onclick`` must never reach a visitor)."""
    from wagtail.rich_text import expand_db_html

    try:
        expanded = expand_db_html(body or "")
    except Exception:  # a link to a deleted page or document
        logger.exception("could not expand rich text links; showing them unlinked")
        expanded = body or ""
    return nh3.clean(
        expanded,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
    )


def plain_text(body: str) -> str:
    text = strip_tags(re.sub(r"</(p|li|h\d)>|<br\s*/?>", "\n", body or ""))
    return html.unescape(text).strip()


def text_to_rich_text(text: str) -> str:
    """Plain text from a CSV cell as paragraphs; cells that already hold HTML are
    kept (and sanitised when shown)."""
    text = (text or "").strip()
    if re.search(r"<(p|ul|ol|a|br|strong)\b", text, re.IGNORECASE):
        return text
    paragraphs = [
        p.strip() for p in re.split(r"\n\s*\n|\r\n\s*\r\n", text) if p.strip()
    ]
    return "".join(
        "<p>" + html.escape(p).replace("\n", "<br/>") + "</p>" for p in paragraphs
    )


# --- The per-process index -----------------------------------------------------


def entry_for(answer: FaqAnswer) -> FaqEntry:
    return FaqEntry(
        key=answer.key,
        question=answer.question,
        alternatives=tuple(split_lines(answer.alternatives)),
        body=plain_text(answer.body),
        category=answer.category.name if answer.category_id else "",
        municipality=answer.municipality.name if answer.municipality_id else "",
        revision=answer.updated_at.isoformat() if answer.updated_at else "",
    )


def load_synonyms() -> SynonymTable:
    return SynonymTable.build(
        (s.term, split_lines(s.variants))
        for s in FaqSynonym.objects.filter(active=True)
    )


@dataclass
class KnowledgeBase:
    """The ranking index of this process, refreshed when the version changes."""

    index: FaqIndex | None = None
    version: tuple | None = None
    cache: AnalysisCache = field(default_factory=AnalysisCache)
    lock: threading.Lock = field(default_factory=threading.Lock)
    semantic: bool = True

    def current(self) -> FaqIndex:
        version = self._stored_version()
        if self.index is None or version != self.version:
            with self.lock:
                if self.index is None or version != self.version:
                    self.index = self._build()
                    self.version = version
        return self.index

    def _stored_version(self) -> tuple:
        # changed_at is part of the stamp: a rolled-back transaction can bring a
        # version number back, never the same instant.
        row = (
            KnowledgeBaseState.objects.filter(pk=1)
            .values_list("version", "vectors_version", "changed_at")
            .first()
        )
        return tuple(row) if row else (0, 0, None)

    def _build(self) -> FaqIndex:
        started = time.perf_counter()
        answers = (
            FaqAnswer.objects.filter(active=True)
            .select_related("category", "municipality")
            .order_by("pk")
        )
        synonyms = load_synonyms()
        index = FaqIndex(
            [entry_for(a) for a in answers],
            synonyms=synonyms,
            cache=self.cache,
            synonyms_id=tuple(sorted(synonyms.terms.items())),
        )
        backend = get_backend() if self.semantic else None
        if backend is not None:
            vectors = {
                key: np.frombuffer(vector, dtype=np.float32)
                for key, vector in AnswerEmbedding.objects.filter(
                    answer__active=True, model=backend.name
                ).values_list("answer__key", "vector")
            }
            if vectors:
                index.attach_vectors(vectors, len(next(iter(vectors.values()))))
        logger.info(
            "chat index built: %d answers in %.0f ms",
            len(index),
            (time.perf_counter() - started) * 1000,
        )
        return index

    def rank(self, question: str, top: int = 5) -> list[Candidate]:
        index = self.current()
        vector = None
        if self.semantic and index.semantic is not None:
            backend = get_backend()
            if backend is not None:
                vector = query_vectors.vector(backend, question)
        return index.rank(question, top=top, query_vector=vector)


knowledge_base = KnowledgeBase()


# --- Deciding what to show -----------------------------------------------------


@dataclass(frozen=True)
class Decision:
    outcome: str
    answer_key: str | None
    confidence: float
    score: float
    suggestions: list[str]  # keys, best first


def decide(candidates: list[Candidate], threshold: float, count: int) -> Decision:
    """Answer when the best candidate is confident enough; otherwise offer the
    likely ones (「もしかして」); with nothing plausible, say so and point to a desk."""
    if not candidates:
        return Decision(TurnOutcome.NO_MATCH, None, 0.0, 0.0, [])
    top = candidates[0]
    if top.confidence >= threshold:
        related = [c.key for c in candidates[1:] if c.confidence >= threshold][
            : max(0, count - 1)
        ]
        return Decision(
            TurnOutcome.ANSWERED, top.key, top.confidence, top.score, related
        )
    plausible = [c.key for c in candidates if c.confidence >= SUGGESTION_FLOOR][:count]
    outcome = TurnOutcome.SUGGESTED if plausible else TurnOutcome.NO_MATCH
    return Decision(outcome, None, top.confidence, top.score, plausible)


def reply_to(question: str, chat_settings: ChatSettings | None = None) -> Decision:
    chat_settings = chat_settings or ChatSettings.load()
    count = max(1, chat_settings.suggestion_count)
    candidates = knowledge_base.rank(question, top=max(5, count + 1))
    return decide(candidates, chat_settings.confidence_threshold, count)


# --- The conversation log ------------------------------------------------------


def conversation_for(session_id: str, channel: str = "web") -> Conversation:
    conversation, created = Conversation.objects.get_or_create(
        session_id=session_id, defaults={"channel": channel}
    )
    if not created:
        Conversation.objects.filter(pk=conversation.pk).update(
            last_seen_at=timezone.now()
        )
    return conversation


def record_turn(
    conversation: Conversation,
    query: str,
    decision: Decision,
    answer: FaqAnswer | None,
    response_ms: int,
) -> ChatTurn:
    return ChatTurn.objects.create(
        conversation=conversation,
        query=query[: ChatTurn._meta.get_field("query").max_length],
        outcome=decision.outcome,
        answer=answer,
        answer_key=answer.key if answer else "",
        score=decision.score,
        confidence=decision.confidence,
        suggestions=decision.suggestions,
        response_ms=response_ms,
    )


@transaction.atomic
def purge_old_conversations(days: int, now=None) -> int:
    """Delete conversations (with their turns) not used for ``days`` days."""
    now = now or timezone.now()
    cutoff = now - timezone.timedelta(days=days)
    old = Conversation.objects.filter(last_seen_at__lt=cutoff)
    turns = ChatTurn.objects.filter(conversation__in=old).count()
    old.delete()
    return turns
