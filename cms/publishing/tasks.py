"""Builds on the "background" task backend (``portal db_worker``).

A publish asks for a build *soon* (``request_build``): the due time moves
``PORTAL_BUILD_DEBOUNCE_SECONDS`` ahead with every publish and one task waits for
it, so ten publishes in a row make one build a few seconds after the last. Staff
start a full rebuild from the admin (``build_now``).
"""

import datetime
import logging

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from builders.build import BuildOptions

from .models import BuildRun, PublishState

logger = logging.getLogger(__name__)


def _supports_defer(task_object) -> bool:
    return task_object.get_backend().supports_defer


def _enqueue_at(task_object, when, *args) -> None:
    if _supports_defer(task_object):
        task_object.using(run_after=when).enqueue(*args)
    else:  # the immediate backend (tests, simple setups) runs it now
        task_object.enqueue(*args)


def request_build() -> None:
    """Ask for an incremental build after content changed."""
    delay = datetime.timedelta(seconds=settings.PORTAL_BUILD_DEBOUNCE_SECONDS)
    now = timezone.now()
    due = now + delay
    with transaction.atomic():
        state = PublishState.locked()
        state.build_due_at = due
        queued = state.build_queued_for
        # A queued task is trusted for a minute past its time; after that it is
        # presumed lost (worker stopped, queue cleared) and a new one is queued.
        if queued is None or queued < now - max(delay, datetime.timedelta(minutes=1)):
            state.build_queued_for = due
            transaction.on_commit(lambda: _enqueue_at(build_after_publish, due))
        state.save(update_fields=["build_due_at", "build_queued_for"])


#: Builds have their own queue (``make serve`` gives it a worker of its own) and go
#: first on a shared worker: a publish must not wait behind mail or akiya syncs.
QUEUE = "publishing"
PRIORITY = 50


@task(backend="background", queue_name=QUEUE, priority=PRIORITY)
def build_after_publish() -> None:
    """The debounced build: wait while publishing goes on, then build once."""
    from .runs import run_build

    now = timezone.now()
    with transaction.atomic():
        state = PublishState.locked()
        due = state.build_due_at
        if due and due > now and _supports_defer(build_after_publish):
            state.build_queued_for = due
            state.save(update_fields=["build_queued_for"])
            transaction.on_commit(lambda: _enqueue_at(build_after_publish, due))
            return
        state.build_due_at = None
        state.build_queued_for = None
        state.save(update_fields=["build_due_at", "build_queued_for"])
    run = run_build(
        BuildRun.objects.create(trigger=BuildRun.Trigger.PUBLISH),
        BuildOptions(defer_search=True),
    )
    if run.summary.get("search_deferred"):
        when = timezone.now() + datetime.timedelta(
            seconds=settings.PORTAL_SEARCH_REFRESH_SECONDS
        )
        transaction.on_commit(lambda: _enqueue_at(refresh_search, when))


@task(backend="background", queue_name=QUEUE)
def refresh_search() -> None:
    """Bring the search index up to date after publish builds kept the old one:
    an incremental build with nothing else to render, then a deploy. Skipped while
    another publish build is due (that one queues its own refresh)."""
    from .runs import run_build

    state = PublishState.objects.filter(pk=1).first()
    if state and state.build_due_at:
        return
    run_build(BuildRun.objects.create(trigger=BuildRun.Trigger.PUBLISH))


@task(backend="background", queue_name=QUEUE, priority=PRIORITY)
def build_now(run_id: int) -> None:
    """「サイトを再構築」 from the admin: a full build of a queued run."""
    from .runs import run_build

    run = BuildRun.objects.filter(pk=run_id, status=BuildRun.Status.QUEUED).first()
    if run is not None:
        run_build(run)
