"""Publishing an akiya page queues one debounced sync on the "background" task
backend (the database queue), run by the real worker; more publishes in the
meantime push the sync back instead of queueing more; the cron command syncs."""

import datetime

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from cms.akiya_bank.models import FeedState, SyncRun

from .conftest import republish

pytestmark = pytest.mark.django_db

DATABASE_QUEUE = {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": []}


@pytest.fixture
def database_queue(settings, monkeypatch):
    settings.TASKS = {**settings.TASKS, "background": DATABASE_QUEUE}
    settings.AKIYA_BANK = {**settings.AKIYA_BANK, "SYNC_DEBOUNCE_SECONDS": 300}
    # The worker closes "old" connections between tasks; inside a test's
    # transaction that would end the test's own connection.
    monkeypatch.setattr(
        "django_tasks_db.management.commands.db_worker.close_old_connections",
        lambda: None,
    )
    # Start with an empty queue (the session's portal was published, too).
    DBTaskResult.objects.all().delete()
    FeedState.objects.update(sync_due_at=None, sync_queued_for=None)


def queued_syncs():
    return list(
        DBTaskResult.objects.filter(
            task_path__endswith="sync_after_publish", status="READY"
        )
    )


def run_worker():
    call_command(
        "db_worker",
        "--batch",
        "--backend",
        "background",
        "--queue-name",
        "*",
        "--no-startup-delay",
        "--no-reload",
        verbosity=0,
    )


def make_due(*tasks):
    past = timezone.now() - datetime.timedelta(seconds=1)
    DBTaskResult.objects.filter(pk__in=[t.pk for t in tasks]).update(run_after=past)


def test_publishing_queues_one_sync_a_few_minutes_later(
    database_queue, add_listing, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        page = add_listing()
    (task,) = queued_syncs()
    wait = task.run_after - timezone.now()
    assert datetime.timedelta(seconds=250) < wait <= datetime.timedelta(seconds=300)
    # Nothing synced yet: the editor may publish more.
    assert SyncRun.objects.count() == 0

    with django_capture_on_commit_callbacks(execute=True):
        republish(page, price_yen=3_000_000)
        add_listing()
    assert len(queued_syncs()) == 1
    assert FeedState.current().sync_due_at > task.run_after


def test_worker_waits_while_publishing_goes_on_then_syncs_once(
    database_queue, add_listing, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        add_listing()
        add_listing()
    (task,) = queued_syncs()
    make_due(task)  # the task's time came, but a later publish moved the due time
    with django_capture_on_commit_callbacks(execute=True):
        run_worker()
    assert SyncRun.objects.count() == 0
    (requeued,) = queued_syncs()
    assert requeued.pk != task.pk
    assert requeued.run_after == FeedState.current().sync_due_at

    FeedState.objects.update(sync_due_at=timezone.now() - datetime.timedelta(seconds=1))
    make_due(requeued)
    with django_capture_on_commit_callbacks(execute=True):
        run_worker()
    run = SyncRun.objects.get()
    assert (run.trigger, run.added) == ("publish", 2)
    assert queued_syncs() == []
    state = FeedState.current()
    assert (state.sync_due_at, state.sync_queued_for) == (None, None)


def test_unpublishing_also_queues_a_sync(
    database_queue, add_listing, django_capture_on_commit_callbacks
):
    page = add_listing()  # its publish was not committed: nothing queued
    FeedState.objects.update(sync_due_at=None, sync_queued_for=None)
    with django_capture_on_commit_callbacks(execute=True):
        page.unpublish()
    assert len(queued_syncs()) == 1


def test_failed_delivery_queues_a_retry_at_its_backoff_time(
    database_queue, add_listing, http_target, django_capture_on_commit_callbacks
):
    from cms.akiya_bank.models import PushTarget
    from cms.akiya_bank.sync import run_sync

    target = PushTarget.objects.create(
        name="落ちている",
        protocol="https",
        format="canonical-json",
        url=http_target.url,
    )
    http_target.status = 503
    add_listing()
    DBTaskResult.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        run_sync("cli")
    target.refresh_from_db()
    (retry,) = DBTaskResult.objects.filter(task_path__endswith="retry_deliveries")
    assert retry.run_after == target.next_attempt_at

    http_target.status = 200
    make_due(retry)
    PushTarget.objects.filter(pk=target.pk).update(next_attempt_at=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        run_worker()
    target.refresh_from_db()
    assert target.failure_count == 0
    assert SyncRun.objects.filter(trigger="retry", status="success").exists()
    assert len(http_target.requests) == 1


def test_cron_command_runs_a_scheduled_sync(add_listing, capsys):
    add_listing()
    call_command("akiya", "sync")
    run = SyncRun.objects.get()
    assert (run.trigger, run.added) == ("schedule", 1)
    assert "追加 1" in capsys.readouterr().out
