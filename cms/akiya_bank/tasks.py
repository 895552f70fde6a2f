"""Background syncs on the "background" task backend.

Publishing an akiya page asks for a sync *soon*: the request is debounced, so an
editor publishing ten listings in a row causes one sync a few minutes after the
last, not ten. Failed deliveries are retried by a task enqueued for the target's
next attempt time. The daily (or weekly) full run comes from ``portal akiya sync``
started by cron or a systemd timer (docs/akiya-feed.md).
"""

import datetime
import logging

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from .models import FeedState, SyncTrigger

logger = logging.getLogger(__name__)


def _supports_defer(task_object) -> bool:
    return task_object.get_backend().supports_defer


def _enqueue_at(task_object, when, *args) -> None:
    if _supports_defer(task_object):
        task_object.using(run_after=when).enqueue(*args)
    else:  # the immediate backend (tests, simple setups) runs it now
        task_object.enqueue(*args)


@task(backend="background")
def sync_after_publish() -> None:
    """The debounced sync: wait while publishing goes on, then sync once."""
    from .sync import run_sync

    now = timezone.now()
    with transaction.atomic():
        state = FeedState.locked()
        due = state.sync_due_at
        if due and due > now and _supports_defer(sync_after_publish):
            # Published again since this task was queued: wait until things calm down.
            state.sync_queued_for = due
            state.save(update_fields=["sync_queued_for"])
            transaction.on_commit(lambda: _enqueue_at(sync_after_publish, due))
            return
        state.sync_due_at = None
        state.sync_queued_for = None
        state.save(update_fields=["sync_due_at", "sync_queued_for"])
    run_sync(SyncTrigger.PUBLISH, respect_backoff=True)


@task(backend="background")
def retry_deliveries() -> None:
    """Retry the targets whose backoff has run out (and sync any pending change)."""
    from .sync import run_sync

    run_sync(SyncTrigger.RETRY, respect_backoff=True)


@task(backend="background")
def sync_now(user_id: int | None = None) -> None:
    """「今すぐ連携」 from the admin."""
    from django.contrib.auth import get_user_model

    from .sync import run_sync

    user = get_user_model().objects.filter(pk=user_id).first() if user_id else None
    run_sync(SyncTrigger.MANUAL, user)


def request_sync() -> None:
    """Ask for a sync after a listing changed (publish, unpublish, delete, move).

    Pushes the due time ``SYNC_DEBOUNCE_SECONDS`` ahead and makes sure one task is
    queued; the task re-queues itself while the due time keeps moving."""
    delay = datetime.timedelta(seconds=settings.AKIYA_BANK["SYNC_DEBOUNCE_SECONDS"])
    now = timezone.now()
    due = now + delay
    with transaction.atomic():
        state = FeedState.locked()
        state.sync_due_at = due
        queued = state.sync_queued_for
        # A queued task is trusted for twice the delay; after that it is presumed
        # lost (worker stopped and its queue cleared) and a new one is queued.
        if queued is None or queued < now - delay:
            state.sync_queued_for = due
            transaction.on_commit(lambda: _enqueue_at(sync_after_publish, due))
        state.save(update_fields=["sync_due_at", "sync_queued_for"])


def schedule_retry(when) -> None:
    """Queue a retry for ``when``. A backend that cannot wait (the immediate one)
    would retry at once, in a loop while the target is down; there the next sync
    retries instead."""
    if _supports_defer(retry_deliveries):
        transaction.on_commit(lambda: _enqueue_at(retry_deliveries, when))
