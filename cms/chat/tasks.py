"""Background jobs of the chatbot (run by ``portal db_worker``): embedding answers
whose text changed, and deleting conversation logs past their retention."""

import logging

import numpy as np
from django.db import transaction
from django_tasks import task

from .models import AnswerEmbedding, ChatSettings, FaqAnswer, KnowledgeBaseState
from .semantic import EmbeddingUnavailable, get_backend, passage_text

logger = logging.getLogger(__name__)

BATCH = 16


def answers_needing_embeddings(backend) -> list[tuple[FaqAnswer, str, str]]:
    """(answer, passage text, hash) for active answers whose stored vector is
    missing or was made from other text or by another model."""
    from .service import plain_text

    stored = dict(
        AnswerEmbedding.objects.filter(model=backend.name).values_list(
            "answer_id", "text_hash"
        )
    )
    todo = []
    for answer in FaqAnswer.objects.filter(active=True).order_by("pk"):
        text = passage_text(
            answer.question, answer.phrasings[1:], plain_text(answer.body)
        )
        digest = AnswerEmbedding.hash_text(backend.name, text)
        if stored.get(answer.pk) != digest:
            todo.append((answer, text, digest))
    return todo


def embed_answers(backend=None, progress=None) -> int:
    """Compute the missing or stale answer embeddings; returns how many."""
    backend = backend or get_backend()
    if backend is None:
        return 0
    todo = answers_needing_embeddings(backend)
    done = 0
    for start in range(0, len(todo), BATCH):
        batch = todo[start : start + BATCH]
        try:
            vectors = backend.embed_passages([text for _, text, _ in batch])
        except EmbeddingUnavailable as error:
            logger.warning("answer embeddings postponed: %s", error)
            break
        with transaction.atomic():
            for (answer, _, digest), vector in zip(batch, vectors, strict=True):
                AnswerEmbedding.objects.update_or_create(
                    answer=answer,
                    defaults={
                        "model": backend.name,
                        "text_hash": digest,
                        "vector": np.asarray(vector, dtype=np.float32).tobytes(),
                    },
                )
        done += len(batch)
        if progress:
            progress(len(batch))
    if done:
        KnowledgeBaseState.bump("vectors_version")
    return done


@task(backend="background")
def embed_changed_answers() -> int:
    return embed_answers()


def schedule_embeddings() -> None:
    if get_backend() is None:
        return
    try:
        embed_changed_answers.enqueue()
    except Exception:  # no task table yet (migrations), or the backend is down
        logger.exception("could not schedule answer embeddings")


@task(backend="background")
def purge_conversations() -> int:
    from .service import purge_old_conversations

    return purge_old_conversations(ChatSettings.load().log_retention_days)
