"""What asks for a build, and the debounce: a burst of publishes queues one task on
the "background" backend (the database queue `portal db_worker` reads), which
builds once when publishing has stopped for PORTAL_BUILD_DEBOUNCE_SECONDS."""

import datetime

import pytest
from django.test import override_settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from builders import search
from cms.publishing import tasks
from cms.publishing.models import BuildRun, PublishState
from tests import factories

BUILD_TASK = "cms.publishing.tasks.build_after_publish"


@pytest.fixture
def build_dirs(tmp_path):
    with override_settings(
        PORTAL_BUILD_DIR=tmp_path / "build",
        PORTAL_DEPLOY_FOLDER=tmp_path / "site",
        PORTAL_DEPLOY_TARGET="folder",
        PORTAL_BUILD_WORKERS=1,
    ):
        yield tmp_path


@pytest.fixture(autouse=True)
def empty_queue(db):
    """Setting up the shared test portal published pages, which queued a build."""
    DBTaskResult.objects.filter(task_path=BUILD_TASK).delete()
    PublishState.objects.all().delete()


def queued_builds():
    return DBTaskResult.objects.filter(task_path=BUILD_TASK, status="READY")


def test_a_burst_of_publishes_queues_one_build(
    portal, django_capture_on_commit_callbacks
):
    section = portal.section("mito")
    with django_capture_on_commit_callbacks(execute=True):
        listing = factories.add_akiya(
            section, title="一件目", registration_number="b-1"
        )
    first_due = PublishState.objects.get().build_due_at
    for number in range(2, 5):
        with django_capture_on_commit_callbacks(execute=True):
            factories.add_akiya(
                section, title=f"{number}件目", registration_number=f"b-{number}"
            )
    with django_capture_on_commit_callbacks(execute=True):
        listing.unpublish()

    assert queued_builds().count() == 1
    queued = queued_builds().get()
    # Its own queue, and first in line on a shared worker.
    assert (queued.queue_name, queued.priority) == ("publishing", 50)
    state = PublishState.objects.get()
    # Every publish moved the due time; the queued task wakes at the first one and
    # then waits for the last.
    assert state.build_due_at > first_due
    assert queued_builds().get().run_after == first_due


def test_drafts_do_not_ask_for_a_build(portal, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        factories.add_akiya(
            portal.section("daigo"),
            publish=False,
            title="下書き",
            registration_number="d-9",
        )
    assert not queued_builds().exists()


def test_site_data_changes_ask_for_a_build(portal, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        portal.tsukuba.save()
    assert queued_builds().count() == 1


def test_the_task_waits_while_publishing_goes_on(
    portal, build_dirs, django_capture_on_commit_callbacks
):
    later = timezone.now() + datetime.timedelta(seconds=30)
    PublishState.objects.update_or_create(
        pk=1, defaults={"build_due_at": later, "build_queued_for": later}
    )
    with django_capture_on_commit_callbacks(execute=True):
        tasks.build_after_publish.call()
    assert not BuildRun.objects.exists()
    assert queued_builds().get().run_after == later


def test_the_task_builds_once_publishing_has_stopped(
    portal, build_dirs, django_capture_on_commit_callbacks
):
    earlier = timezone.now() - datetime.timedelta(seconds=1)
    PublishState.objects.update_or_create(
        pk=1, defaults={"build_due_at": earlier, "build_queued_for": earlier}
    )
    with django_capture_on_commit_callbacks(execute=True):
        tasks.build_after_publish.call()

    run = BuildRun.objects.get()
    assert run.trigger == BuildRun.Trigger.PUBLISH
    assert run.status == BuildRun.Status.SUCCEEDED, run.errors
    assert run.pages_rendered > 10 and run.duration_seconds is not None
    assert (build_dirs / "site" / "index.html").is_file()
    state = PublishState.objects.get()
    assert state.build_due_at is None and state.build_queued_for is None


def test_a_lost_task_is_queued_again(portal, django_capture_on_commit_callbacks):
    """A task queued long ago that never ran (worker stopped, queue cleared) does
    not block publishing: the next publish queues a new one."""
    long_ago = timezone.now() - datetime.timedelta(minutes=10)
    PublishState.objects.update_or_create(
        pk=1, defaults={"build_due_at": long_ago, "build_queued_for": long_ago}
    )
    with django_capture_on_commit_callbacks(execute=True):
        factories.add_akiya(
            portal.section("mito"), title="再開", registration_number="r-1"
        )
    assert queued_builds().count() == 1


def test_a_publish_build_defers_the_search_index_to_a_refresh(
    portal, build_dirs, django_capture_on_commit_callbacks, monkeypatch
):
    from cms.publishing.runs import run_build

    monkeypatch.setenv("PORTAL_SEARCH", "1")

    run_build(BuildRun.objects.create(trigger=BuildRun.Trigger.COMMAND))
    output = build_dirs / "build" / "output"

    def entries():
        return {
            shard: (
                output / search.shard_folder(shard) / "pagefind-entry.json"
            ).read_bytes()
            for shard in range(search.SHARDS)
        }

    first_index = entries()
    with django_capture_on_commit_callbacks(execute=True):
        page = factories.add_akiya(
            portal.section("mito"), title="索引待ちの古民家", registration_number="s-1"
        )
    DBTaskResult.objects.filter(task_path=BUILD_TASK).delete()
    PublishState.objects.update(build_due_at=timezone.now() - datetime.timedelta(1))

    with django_capture_on_commit_callbacks(execute=True):
        tasks.build_after_publish.call()
    publish_run = BuildRun.objects.get(trigger=BuildRun.Trigger.PUBLISH)
    assert publish_run.status == BuildRun.Status.SUCCEEDED, publish_run.errors
    assert publish_run.summary["search_deferred"] is True
    assert entries() == first_index  # the old index, still complete
    refresh = DBTaskResult.objects.get(task_path="cms.publishing.tasks.refresh_search")
    assert refresh.run_after > timezone.now()

    tasks.refresh_search.call()
    latest = BuildRun.objects.latest("pk")
    assert latest.status == BuildRun.Status.SUCCEEDED, latest.errors
    assert latest.summary["search_deferred"] is False
    assert latest.pages_rendered == 0
    # Shards none of whose pages the publish wrote are left as they were; the new
    # page's shard now counts it.
    written = publish_run.summary["written_paths"]
    changed = {search.shard_of(p) for p in written if search.is_indexed(p)}
    (own_path,) = [p for p in written if f"/{page.slug}/" in p]
    own = search.shard_of(own_path)
    after = entries()
    assert after[own] != first_index[own]
    for shard in set(range(search.SHARDS)) - changed:
        assert after[shard] == first_index[shard], shard


def test_faq_edits_ask_for_a_build(portal, django_capture_on_commit_callbacks):
    from tests.chat.conftest import make_answer

    with django_capture_on_commit_callbacks(execute=True):
        make_answer("kosodate", "子育ての支援はありますか")
    assert queued_builds().count() == 1


def test_a_build_in_the_task_worker_ends_its_worker_processes():
    """The publishing task worker (django-tasks' db_worker) catches SIGTERM to
    finish its task first. A build's forked pool workers inherited that handler,
    ignored ``Pool.terminate()``, and the build (a publish after a bulk import,
    a full rebuild) waited for them for ever. That includes a pool left before
    its workers have started: the signal must not reach them while they still
    have the inherited handler."""
    import multiprocessing
    import signal
    import threading

    from builders.workers import fork_pool

    finished = threading.Event()

    def build_like():
        with fork_pool(2) as pool:
            assert pool.map(abs, [-1, -2, -3]) == [1, 2, 3]
        for _ in range(20):  # left at once: terminated while the workers start
            with fork_pool(2):
                pass
        finished.set()

    caught = []
    previous = signal.signal(signal.SIGTERM, lambda signum, frame: caught.append(1))
    try:
        thread = threading.Thread(target=build_like, daemon=True)
        thread.start()
        thread.join(timeout=60)
    finally:
        signal.signal(signal.SIGTERM, previous)
        if not finished.is_set():  # do not leave the stuck workers to hang the run
            for child in multiprocessing.active_children():
                child.kill()
    assert finished.is_set(), "the pool's workers ignored SIGTERM"
    assert caught == []  # the signal went to the workers, not to this process
