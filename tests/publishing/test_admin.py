"""The admin's 「サイトの公開」 over HTTP: prefecture staff see the deploy target and
the build history and start a full rebuild, which the real task worker builds and
deploys to a folder; municipality editors see the history but may not rebuild;
anonymous visitors are sent to the login page."""

import datetime
import re

import pytest
from django.contrib.auth.models import AnonymousUser, Permission
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from cms.core.permissions import can_rebuild_site, can_view_site_builds
from cms.publishing.models import BuildRun, PublishState
from tests.factories import make_user

pytestmark = pytest.mark.django_db

INDEX = "/admin/publishing/"
REBUILD = "/admin/publishing/rebuild/"
DATABASE_QUEUE = {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": []}


@pytest.fixture
def publishing(settings, tmp_path):
    """The folder deploy target under tmp_path and the database task queue,
    emptied of the builds the session's portal queued while it was published."""
    settings.TASKS = {**settings.TASKS, "background": DATABASE_QUEUE}
    settings.PORTAL_DEPLOY_TARGET = "folder"
    settings.PORTAL_BUILD_DIR = tmp_path / "build"
    settings.PORTAL_DEPLOY_FOLDER = tmp_path / "site"
    settings.PORTAL_BUILD_WORKERS = 1  # no forked workers inside a test
    DBTaskResult.objects.all().delete()
    BuildRun.objects.all().delete()
    PublishState.objects.update(build_due_at=None, build_queued_for=None)
    return settings


def run_worker(monkeypatch):
    """Run the queued tasks with the real worker, as ``portal db_worker`` does.
    The worker and the build close "old" connections between steps; inside a
    test's transaction that would end the test's own connection."""
    monkeypatch.setattr(
        "django_tasks_db.management.commands.db_worker.close_old_connections",
        lambda: None,
    )
    monkeypatch.setattr("cms.publishing.runs.close_old_connections", lambda: None)
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


def page_text(response) -> str:
    """The HTML with runs of whitespace squeezed (table cells are indented)."""
    return re.sub(r"\s+", " ", response.content.decode())


def messages_of(response) -> list[str]:
    return [str(m).strip() for m in response.context["messages"]]


def failed_run(**fields):
    now = timezone.now()
    return BuildRun.objects.create(
        trigger=BuildRun.Trigger.PUBLISH,
        status=BuildRun.Status.FAILED,
        deploy_target="folder",
        started_at=now - datetime.timedelta(seconds=9),
        finished_at=now,
        log="構築: 12 ページを描画\nリンク切れがあるため公開しませんでした。",
        errors="/towns/mito/index.html → /towns/nowhere/ が見つかりません",
        summary={"seconds": 8.5, "broken_links": ["/towns/nowhere/"]},
        **fields,
    )


# --- Who decides ---------------------------------------------------------------------


def test_only_prefecture_staff_may_rebuild_and_editors_may_only_view(portal):
    staff, editor = portal.users["pref-admin"], portal.users["mito-editor"]
    assert can_rebuild_site(staff) and can_view_site_builds(staff)
    assert not can_rebuild_site(editor) and can_view_site_builds(editor)
    assert not can_rebuild_site(AnonymousUser())
    assert not can_view_site_builds(AnonymousUser())


# --- Prefecture staff ----------------------------------------------------------------


def test_staff_sees_deploy_target_last_success_pending_build_and_history(
    publishing, login, portal
):
    staff = portal.users["pref-admin"]
    earlier = timezone.now() - datetime.timedelta(hours=1)
    succeeded = BuildRun.objects.create(
        trigger=BuildRun.Trigger.MANUAL,
        user=staff,
        full=True,
        status=BuildRun.Status.SUCCEEDED,
        created_at=earlier,
        started_at=earlier,
        finished_at=earlier + datetime.timedelta(seconds=42),
        pages_rendered=120,
        pages_total=130,
        files_written=140,
        files_unchanged=7,
        files_deleted=3,
        files_uploaded=143,
    )
    failed = failed_run()
    PublishState.objects.update_or_create(
        pk=1, defaults={"build_due_at": timezone.now() + datetime.timedelta(seconds=3)}
    )

    response = login("pref-admin").get(INDEX)
    assert response.status_code == 200
    html = page_text(response)
    assert "サイトの公開" in html
    assert 'data-deploy-target="folder"' in html
    assert str(publishing.PORTAL_DEPLOY_FOLDER) in html
    assert f"（構築 #{succeeded.pk}）" in html  # the last successful build
    assert "予定あり" in html  # a publish-triggered build is due
    assert "管理画面から再構築（県 職員）" in html  # trigger with the user
    assert "> 42.0 秒 <" in html and "> 120 / 130 <" in html and "> 143 <" in html
    assert "w-status--primary" in html and "失敗" in html  # status badges
    # Newest first: the failed run (just now) above the successful one.
    table = html[html.index('<table class="listing') :]
    assert table.index(f"/admin/publishing/{failed.pk}/") < table.index(
        f"/admin/publishing/{succeeded.pk}/"
    )
    assert 'action="/admin/publishing/rebuild/"' in html
    assert 'http-equiv="refresh"' not in html  # nothing running


@pytest.mark.parametrize(
    ("target", "config", "shown", "secret"),
    [
        (
            "netlify",
            {"NETLIFY_SITE_ID": "site-1234", "NETLIFY_AUTH_TOKEN": "nf-token-secret"},
            ["Netlify", "site-1234"],
            "nf-token-secret",
        ),
        (
            "netlify-hook",
            {"NETLIFY_BUILD_HOOK": "https://api.netlify.com/build_hooks/hook-secret"},
            ["Netlify（ビルドフック）", "設定済み"],
            "hook-secret",
        ),
        (
            "s3",
            {
                "AWS_S3_BUCKET": "ibaraki-iju",
                "AWS_S3_PREFIX": "site",
                "AWS_CLOUDFRONT_DISTRIBUTION_ID": "E2EXAMPLE",
            },
            ["S3 + CloudFront", "s3://ibaraki-iju/site", "E2EXAMPLE"],
            None,
        ),
    ],
)
def test_deploy_target_shows_where_but_no_secrets(
    publishing, login, target, config, shown, secret
):
    publishing.PORTAL_DEPLOY_TARGET = target
    for setting, value in config.items():
        setattr(publishing, setting, value)
    html = login("pref-admin").get(INDEX).content.decode()
    assert f'data-deploy-target="{target}"' in html
    for text in shown:
        assert text in html
    if secret:
        assert secret not in html


def test_a_run_waiting_for_minutes_points_at_the_worker(publishing, login):
    BuildRun.objects.create(
        trigger=BuildRun.Trigger.PUBLISH,
        created_at=timezone.now() - datetime.timedelta(minutes=5),
    )
    html = login("pref-admin").get(INDEX).content.decode()
    assert "portal db_worker" in html
    assert '<meta http-equiv="refresh" content="5">' in html


def test_history_is_paginated(publishing, login):
    BuildRun.objects.bulk_create(
        BuildRun(trigger=BuildRun.Trigger.PUBLISH, status=BuildRun.Status.SUCCEEDED)
        for _ in range(31)
    )
    client = login("pref-admin")
    first = client.get(INDEX)
    assert len(first.context["object_list"]) == 30
    second = client.get(INDEX + "?p=2")
    assert len(second.context["object_list"]) == 1


def test_staff_rebuild_queues_a_full_manual_run_that_the_worker_builds_and_deploys(
    publishing, login, portal, monkeypatch
):
    staff = portal.users["pref-admin"]
    client = login("pref-admin")

    response = client.post(REBUILD, follow=True)
    assert response.redirect_chain[-1] == (INDEX, 302)
    run = BuildRun.objects.get()
    assert (run.trigger, run.user, run.full, run.status) == (
        BuildRun.Trigger.MANUAL,
        staff,
        True,
        BuildRun.Status.QUEUED,
    )
    assert messages_of(response) == [
        f"サイトの再構築を受け付けました（構築 #{run.pk}）。"
        "進み具合と結果はこの一覧に表示されます。"
    ]
    task = DBTaskResult.objects.get()
    assert task.task_path == "cms.publishing.tasks.build_now"
    assert task.args_kwargs["args"] == [run.pk]
    # While it waits the page refreshes itself and offers no second rebuild.
    html = response.content.decode()
    assert '<meta http-equiv="refresh" content="5">' in html
    assert re.search(r"<button[^>]*disabled", html)

    run_worker(monkeypatch)

    run.refresh_from_db()
    assert run.status == BuildRun.Status.SUCCEEDED, run.errors
    assert run.deploy_target == "folder"
    assert run.pages_rendered > 0 and run.files_uploaded > 0
    assert (publishing.PORTAL_DEPLOY_FOLDER / "index.html").exists()
    assert "公開（フォルダ）" in run.log
    html = client.get(INDEX).content.decode()
    assert f"（構築 #{run.pk}）" in html
    assert 'http-equiv="refresh"' not in html


def test_second_rebuild_while_one_is_queued_is_refused(publishing, login):
    client = login("pref-admin")
    client.post(REBUILD, follow=True)
    response = client.post(REBUILD, follow=True)
    assert BuildRun.objects.count() == 1
    assert DBTaskResult.objects.count() == 1
    assert messages_of(response) == [
        "構築が待機中か実行中のため、再構築を受け付けませんでした。"
        "終わってからもう一度押してください。"
    ]


def test_a_publish_build_running_also_blocks_a_rebuild(publishing, login):
    BuildRun.objects.create(
        trigger=BuildRun.Trigger.PUBLISH,
        status=BuildRun.Status.RUNNING,
        started_at=timezone.now(),
    )
    login("pref-admin").post(REBUILD)
    assert not BuildRun.objects.filter(trigger=BuildRun.Trigger.MANUAL).exists()


def test_a_run_left_running_for_hours_no_longer_blocks_a_rebuild(publishing, login):
    lost = timezone.now() - datetime.timedelta(hours=3)
    BuildRun.objects.create(
        trigger=BuildRun.Trigger.PUBLISH,
        status=BuildRun.Status.RUNNING,
        created_at=lost,
        started_at=lost,
    )
    login("pref-admin").post(REBUILD)
    assert BuildRun.objects.filter(trigger=BuildRun.Trigger.MANUAL).count() == 1


def test_detail_page_shows_log_errors_and_summary_of_a_failed_run(publishing, login):
    run = failed_run()
    response = login("pref-admin").get(f"/admin/publishing/{run.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert re.search(r'<pre class="build-errors"[^>]*>/towns/mito/index.html', html)
    assert "/towns/nowhere/ が見つかりません" in html
    assert "構築: 12 ページを描画\nリンク切れがあるため公開しませんでした。" in html
    assert "pre-wrap" in html
    text = page_text(response)
    assert "> 公開・非公開の操作 <" in text and "> 9.0 秒 <" in text
    assert "<dt>リンク切れ</dt>" in text and "8.5 秒" in text  # the summary


def test_there_are_no_add_edit_or_delete_pages(publishing, login):
    run = failed_run()
    client = login("pref-admin")
    for url in (
        "/admin/publishing/new/",
        f"/admin/publishing/edit/{run.pk}/",
        f"/admin/publishing/delete/{run.pk}/",
    ):
        assert client.get(url).status_code == 404
    assert client.get(REBUILD).status_code == 405  # a button, never a link


def test_rebuild_without_csrf_token_is_refused(publishing, portal):
    client = Client(enforce_csrf_checks=True)
    client.force_login(portal.users["pref-admin"])
    assert client.post(REBUILD).status_code == 403
    assert not BuildRun.objects.exists()


# --- Municipality editors and anonymous visitors ---------------------------------------


def test_editor_sees_history_and_detail_without_the_rebuild_button(publishing, login):
    run = failed_run()
    client = login("mito-editor")
    assert INDEX in client.get("/admin/").content.decode()  # the menu item
    response = client.get(INDEX)
    assert response.status_code == 200
    html = response.content.decode()
    assert f"/admin/publishing/{run.pk}/" in html
    assert "/admin/publishing/rebuild/" not in html
    assert "サイトを再構築" not in html
    detail = client.get(f"/admin/publishing/{run.pk}/")
    assert detail.status_code == 200
    assert "/towns/nowhere/ が見つかりません" in detail.content.decode()


def test_editor_rebuild_is_forbidden_and_queues_nothing(publishing, login):
    response = login("daigo-editor").post(REBUILD)
    assert response.status_code == 403
    assert not BuildRun.objects.exists()
    assert not DBTaskResult.objects.exists()


@pytest.mark.parametrize("method", ["get", "post"])
def test_anonymous_visitor_is_sent_to_login(publishing, client, method):
    url = INDEX if method == "get" else REBUILD
    response = getattr(client, method)(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
    assert not BuildRun.objects.exists()


def test_admin_user_of_another_role_neither_sees_nor_rebuilds(publishing, client):
    """A user with admin access but no content role (e.g. mail staff) is refused."""
    user = make_user("mail-contractor")
    user.user_permissions.add(
        Permission.objects.get(
            content_type__app_label="wagtailadmin", codename="access_admin"
        )
    )
    client.force_login(user)
    response = client.get(INDEX)
    assert (response.status_code, response["Location"]) == (302, "/admin/")
    assert INDEX not in client.get("/admin/").content.decode()  # no menu item
    assert client.post(REBUILD).status_code == 403
    assert not BuildRun.objects.exists()
