"""A newcomer joins the community on a phone (Chromium, 390×844) against a live
portal with real mail (aiosmtpd): registers and accepts the rules, opens the
confirmation link, posts in a room, comments and presses a stamp; posting,
commenting and reacting happen without a page reload (community.js). A member
with JavaScript switched off does the same, and shares a portal event, through
plain forms and page loads."""

import os
import re
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from tests.real_parts import SmtpServer, _Collector, axe_violations
from tests.reservations.live import LivePortal, copy_test_database, drop_database

pytestmark = pytest.mark.django_db

SEED = """
import django
django.setup()
from django.contrib.auth import get_user_model
from django.utils import timezone
from cms.community import members
from cms.community.models import MemberProfile, Room
Room.objects.create(name="移住の相談ひろば", slug="lounge", description="なんでも相談")
user = get_user_model().objects.create_user(
    username="minami@example.jp", email="minami@example.jp", password="%s"
)
MemberProfile.objects.create(
    user=user, nickname="みなみ", email_confirmed_at=timezone.now()
)
members.accept_rules(user)
print("seeded")
"""
NO_SCRIPT_PASSWORD = "kasama-pottery-2026"
SEED = SEED % NO_SCRIPT_PASSWORD


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def smtp():
    from aiosmtpd.controller import Controller

    record = SmtpServer(host="127.0.0.1", port=_free_port())
    controller = Controller(_Collector(record), hostname="127.0.0.1", port=record.port)
    controller.start()
    yield record
    controller.stop()


@pytest.fixture(scope="module")
def live_community(django_db_setup, django_db_blocker, tmp_path_factory, smtp):
    from django.db import connection

    workdir = tmp_path_factory.mktemp("live-community")
    with django_db_blocker.unblock():
        vendor, database_url, sqlite_path = copy_test_database(connection, workdir)
    root = Path(__file__).resolve().parents[2]
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "cms.settings",
        "PORTAL_ENV": "test",
        "PORTAL_VAR_DIR": str(workdir / "var"),
        "PORTAL_MEDIA_ROOT": str(workdir / "media"),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "PYTHONPATH": str(root),
        "PORTAL_SERVE_STATIC": "1",  # community.css and community.js
        "PORTAL_TASKS_BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
        "EMAIL_HOST": smtp.host,
        "EMAIL_PORT": str(smtp.port),
        "EMAIL_USE_TLS": "0",
    }
    seeded = subprocess.run(
        [sys.executable, "-c", SEED], env=env, cwd=root, capture_output=True, text=True
    )
    assert seeded.returncode == 0, seeded.stderr[-3000:]
    port = _free_port()
    log = (workdir / "gunicorn.log").open("w")
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "cms.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
            "--threads",
            "4",
            "--timeout",
            "120",
        ],
        env=env,
        cwd=root,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    portal = LivePortal(f"http://127.0.0.1:{port}", database_url, vendor, sqlite_path)
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if requests.get(f"{portal.url}/community/", timeout=30).ok:
                    break
            except requests.RequestException:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError((workdir / "gunicorn.log").read_text()[-3000:])
            time.sleep(0.3)
        yield portal
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()
        drop_database(portal)
        shutil.rmtree(workdir / "var", ignore_errors=True)


def fits_the_screen(page) -> bool:
    return page.evaluate(
        "document.documentElement.scrollWidth <= window.innerWidth + 1"
    )


def no_reload_since_marked(page) -> bool:
    return page.evaluate("window.__sameDocument === true")


def test_newcomer_joins_posts_comments_and_reacts_on_a_phone(
    live_community, smtp, phone_page, axe_source
):
    page = phone_page
    url = live_community.url
    seen = {}  # page → axe-core's serious and critical findings

    def check_accessibility(name):
        seen[name] = axe_violations(page, axe_source)

    page.goto(f"{url}/community/join/")
    assert fits_the_screen(page)
    check_accessibility("join")
    page.get_by_label("メールアドレス").fill("aoi@example.jp")
    page.get_by_label("ニックネーム").fill("あおい")
    page.locator("#id_password1").fill("hitachi-sea-2026")
    page.get_by_label("パスワード（確認）").fill("hitachi-sea-2026")
    page.get_by_label("地域との関わり").select_option(label="移住を検討中")
    page.get_by_label("コミュニティ利用規約に同意します").check()
    page.get_by_role("button", name="登録する").click()
    assert page.get_by_role("heading", name="確認メールを送りました").is_visible()

    deadline = time.monotonic() + 20
    while not smtp.messages and time.monotonic() < deadline:
        time.sleep(0.1)
    (message,) = [m for m in smtp.parsed() if m["To"] == "aoi@example.jp"]
    body = message.get_body(("plain",)).get_content()
    link = re.search(r"http://\S+/community/join/confirm/\S+", body).group(0)
    page.goto(url + "/" + link.split("/", 3)[3])
    assert page.get_by_text("登録が完了しました").is_visible()

    check_accessibility("rooms")
    page.get_by_role("link", name=re.compile("移住の相談ひろば")).click()
    page.wait_for_url("**/community/r/lounge/")
    check_accessibility("room")
    page.evaluate("window.__sameDocument = true")
    page.get_by_text("この部屋に投稿する").click()
    page.get_by_label("タイトル").fill("ひたちなかの海の近くに住みたい")
    page.get_by_label("本文").fill(
        "海の近くで子育てしている方、暮らしぶりを教えてください。"
    )
    assert fits_the_screen(page)
    page.get_by_role("button", name="投稿する").click()
    card = page.locator("#post-list .post-card").first
    card.get_by_role("link", name="ひたちなかの海の近くに住みたい").wait_for()
    assert no_reload_since_marked(page)  # posted without a page reload

    card.get_by_role("link", name="ひたちなかの海の近くに住みたい").click()
    page.wait_for_url("**/community/p/**")
    check_accessibility("post")
    page.evaluate("window.__sameDocument = true")
    page.get_by_role("textbox", name="コメント").fill(
        "補足です。保育園の空きも気になります。"
    )
    page.get_by_role("button", name="コメントする").click()
    page.locator(
        "#comment-list .comment", has_text="保育園の空きも気になります"
    ).wait_for()
    assert no_reload_since_marked(page)

    like = page.get_by_role("button", name=re.compile("^いいね 0件"))
    like.click()
    pressed = page.get_by_role("button", name=re.compile("^いいね 1件"))
    pressed.wait_for()
    assert pressed.get_attribute("aria-pressed") == "true"
    assert no_reload_since_marked(page)
    assert fits_the_screen(page)

    # What the phone did is in the database.
    rows = live_community.query(
        "SELECT p.title, p.comment_count, p.reaction_count, p.status "
        "FROM community_post p JOIN community_memberprofile m ON m.user_id = p.author_id "
        "WHERE m.nickname = %s",
        ("あおい",),
    )
    assert rows == [("ひたちなかの海の近くに住みたい", 1, 1, "published")]

    # Reloading shows the same state, rendered by the server.
    page.reload()
    assert page.get_by_role("button", name=re.compile("^いいね 1件")).is_visible()
    assert page.get_by_text("保育園の空きも気になります").is_visible()

    for path in ("/community/me/", "/community/login/", "/community/password/"):
        page.goto(url + path)
        check_accessibility(path)
    assert {name: found for name, found in seen.items() if found} == {}


def test_with_javascript_off_a_member_shares_an_event_comments_and_reacts(
    live_community, browser, axe_source
):
    """Every community action is a plain form: nothing depends on community.js."""
    context = browser.new_context(
        viewport={"width": 390, "height": 844},
        locale="ja-JP",
        timezone_id="Asia/Tokyo",
        java_script_enabled=False,
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    url = live_community.url
    try:
        page.goto(f"{url}/community/login/?next=/community/r/lounge/")
        page.get_by_label("メールアドレス").fill("minami@example.jp")
        page.locator("#id_password").fill(NO_SCRIPT_PASSWORD)
        page.get_by_role("button", name="ログイン").click()
        page.wait_for_url("**/community/r/lounge/")

        page.get_by_text("この部屋に投稿する").click()  # <details>: no script needed
        page.get_by_label("タイトル").fill("水戸の相談会、一緒に行きませんか")
        page.get_by_label("本文").fill("初めてなので心細くて。")
        page.get_by_label("紹介するイベント・記事").fill("水戸市 相談会")
        page.get_by_role("button", name="投稿する").click()
        page.wait_for_url("**/community/p/**")
        assert page.get_by_text("投稿しました。").is_visible()
        card = page.locator(".share-card")
        assert card.get_by_role("link", name="水戸市の移住相談会").is_visible()
        assert card.get_by_text("2026年12月5日（土） 22:00").is_visible()
        assert fits_the_screen(page)

        page.get_by_role("textbox", name="コメント").fill("当日は駅で待ち合わせでも。")
        page.get_by_role("button", name="コメントする").click()
        page.wait_for_url("**/community/p/**#comment-*")
        assert page.get_by_text("当日は駅で待ち合わせでも。").is_visible()

        page.get_by_role("button", name=re.compile("^いいね 0件")).click()
        page.wait_for_url("**#reactions")
        pressed = page.get_by_role("button", name=re.compile("^いいね 1件"))
        assert pressed.get_attribute("aria-pressed") == "true"
        post_url = page.url.split("#")[0]
    finally:
        context.close()

    # axe-core is a script: the page with the card is checked in a tab with it.
    context = browser.new_context(viewport={"width": 390, "height": 844})
    try:
        page = context.new_page()
        page.goto(post_url)
        assert page.locator(".share-card").is_visible()
        assert axe_violations(page, axe_source) == []
    finally:
        context.close()

    rows = live_community.query(
        "SELECT p.title, p.comment_count, p.reaction_count, e.title "
        "FROM community_post p JOIN wagtailcore_page e ON e.id = p.shared_page_id "
        "WHERE p.title = %s",
        ("水戸の相談会、一緒に行きませんか",),
    )
    assert rows == [("水戸の相談会、一緒に行きませんか", 1, 1, "水戸市の移住相談会")]
