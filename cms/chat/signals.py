"""Keep every process's index in step with the knowledge base: any change to an
answer, synonym or category raises the version number, and a changed answer gets
its embedding recomputed in the background once the change is committed."""

import threading
from contextlib import contextmanager

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from cms.core.models import Municipality
from cms.core.permissions import sync_chat_permissions

from .models import FaqAnswer, FaqCategory, FaqSynonym, KnowledgeBaseState

_state = threading.local()


@contextmanager
def deferred_index_updates():
    """For imports: one version bump and one embedding job at the end instead of
    one per row."""
    _state.deferred = getattr(_state, "deferred", 0) + 1
    try:
        yield
    finally:
        _state.deferred -= 1
    if not _state.deferred:
        knowledge_base_changed(embed=True)


def knowledge_base_changed(embed: bool = False) -> None:
    if getattr(_state, "deferred", 0):
        return
    # The bump is part of the editor's transaction: other processes see the new
    # version exactly when they can see the new text, and a rollback undoes both.
    KnowledgeBaseState.bump()
    if embed:
        from .tasks import schedule_embeddings

        transaction.on_commit(schedule_embeddings)


@receiver(post_save, sender=FaqAnswer)
@receiver(post_delete, sender=FaqAnswer)
def answer_changed(sender, raw=False, **kwargs):
    if not raw:
        knowledge_base_changed(embed=kwargs.get("signal") is post_save)


@receiver(post_save, sender=FaqSynonym)
@receiver(post_delete, sender=FaqSynonym)
@receiver(post_save, sender=FaqCategory)
@receiver(post_delete, sender=FaqCategory)
def vocabulary_changed(sender, raw=False, **kwargs):
    if not raw:
        knowledge_base_changed()


@receiver(post_save, sender=Municipality)
def municipality_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        sync_chat_permissions(instance)
