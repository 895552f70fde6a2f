"""A newcomer joins the community on a phone (Chromium, 390×844) against a live
portal with real mail (aiosmtpd): registers and accepts the rules, opens the
confirmation link, posts in a room, comments and presses a stamp; posting,
commenting and reacting happen without a page reload (community.js). A member
with JavaScript switched off does the same, and shares a portal event, through
plain forms and page loads."""

import os
import re
import time

import pytest

from tests.real_parts import (
    admin_sign_in,
    axe_violations,
    fits_the_screen,
    running_smtp,
)
from tests.reservations.live import start_portal

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

# A community manager's morning (test_a_community_managers_day): a post held for
# an NG word, an advert reported three times (a 炎上 alert, mailed), a question.
from cms.community import services
from cms.community.models import NgWord
from cms.core.permissions import sync_community_manager_group

manager = get_user_model().objects.create_user(
    "community-manager", email="cm@example.jp", password="%s",
    last_name="小林", first_name="彩",
)
manager.groups.add(sync_community_manager_group())
people = {}
for nickname, email in [("けんた", "kenta@example.jp"), ("さくら", "sakura@example.jp"),
                        ("ひろし", "hiroshi@example.jp"), ("みどり", "midori@example.jp")]:
    person = get_user_model().objects.create_user(email, email=email, password="x-" + email)
    MemberProfile.objects.create(user=person, nickname=nickname, email_confirmed_at=timezone.now())
    members.accept_rules(person)
    people[nickname] = person
room = Room.objects.get(slug="lounge")
NgWord.objects.create(word="詐欺")
services.create_post(room, people["けんた"], title="この業者は詐欺です",
                     body="○○不動産の対応がひどかった。みなさんも気をつけて。")
advert = services.create_post(room, people["けんた"], title="格安の別荘、紹介します",
                              body="今だけ半額。連絡は https://example.com/besso まで。")
for nickname in ("さくら", "ひろし", "みどり"):
    services.report(people[nickname], advert, "spam", "宣伝だと思います")
winter = services.create_post(room, people["さくら"], title="冬の暖房、みなさんどうしていますか",
                              body="県北への移住を考えています。冬の光熱費が心配です。")
services.create_comment(winter, people["ひろし"], body="うちは薪ストーブと灯油ストーブの併用です。")
print("seeded")
"""
NO_SCRIPT_PASSWORD = "kasama-pottery-2026"
MANAGER_PASSWORD = "hitachi-manager-2026"
SEED = SEED % (NO_SCRIPT_PASSWORD, MANAGER_PASSWORD)


@pytest.fixture(scope="module")
def smtp():
    """The live portal's mail goes here (its settings come from the environment)."""
    with running_smtp() as record:
        yield record


@pytest.fixture(scope="module")
def live_community(django_db_setup, django_db_blocker, tmp_path_factory, smtp):
    from django.db import connection

    workdir = tmp_path_factory.mktemp("live-community")
    server_env = {
        "PORTAL_MEDIA_ROOT": str(workdir / "media"),
        "PORTAL_SERVE_STATIC": "1",  # community.css and community.js
        "PORTAL_TASKS_BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
        "EMAIL_HOST": smtp.host,
        "EMAIL_PORT": str(smtp.port),
        "EMAIL_USE_TLS": "0",
    }
    with django_db_blocker.unblock():
        yield from start_portal(
            connection,
            workdir,
            extra_env=server_env,
            seed=SEED,
            ready_path="/community/",
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


@pytest.fixture
def screens(shots):
    """The manager's day's screens, in ``shots`` (docs/manual/images/ with
    PORTAL_UPDATE_MANUAL_SCREENSHOTS=1). Pictures for the manual are reduced to
    96 colours."""
    from PIL import Image

    update = bool(os.environ.get("PORTAL_UPDATE_MANUAL_SCREENSHOTS"))

    def take(page, name, full_page=True):
        path = shots / f"community-{name}.png"
        page.screenshot(path=str(path), full_page=full_page)
        if update:
            Image.open(path).convert("RGB").quantize(colors=96).save(
                path, optimize=True
            )
        return path

    return take


def test_a_community_managers_day(live_community, smtp, browser, axe_source, screens):
    """docs/community-manager-day.md, step by step, in Chromium: the alert mail, the
    queue on a phone, approving a held post, hiding an advert and blocking its
    author, acknowledging the alert, seeding a pinned topic from a portal event,
    answering a member, and the monthly report in the admin; every step in the
    operation log, no serious axe finding."""
    from cms.community import sharing
    from cms.listings.models import EventPage

    url = live_community.url
    event_path = sharing.public_path(EventPage.objects.get(title="水戸市の移住相談会"))
    alerts = [m for m in smtp.parsed() if m["To"] == "cm@example.jp"]
    assert any("炎上アラート" in m["Subject"] for m in alerts)

    phone = browser.new_context(
        viewport={"width": 390, "height": 844}, locale="ja-JP", timezone_id="Asia/Tokyo"
    )
    page = phone.new_page()
    page.set_default_timeout(10_000)
    found = {}
    try:
        page.goto(f"{url}/community/login/?next=/community/moderation/")
        page.get_by_label("メールアドレス").fill("cm@example.jp")
        page.locator("#id_password").fill(MANAGER_PASSWORD)
        page.get_by_role("button", name="ログイン").click()
        page.wait_for_url("**/community/moderation/")
        assert page.get_by_text("60分間に通報が3件").is_visible()
        found["queue"] = axe_violations(page, axe_source)
        screens(page, "01-queue")

        # 1. The held post is a fair warning: publish it, with a word to the author.
        page.get_by_role("link", name="この業者は詐欺です").click()
        page.locator("#id_action").select_option("approve")
        page.get_by_label("理由（投稿者に伝わります）").fill(
            "業者名を伏せていただければ問題のない内容のため、公開します。"
        )
        screens(page, "02-held")
        page.get_by_role("button", name="記録して投稿者に知らせる").click()
        page.wait_for_url("**/community/moderation/")

        # 2. The advert: hide it with the rule it breaks, then block its author.
        page.get_by_role("link", name="格安の別荘、紹介します").first.click()
        assert page.get_by_text("炎上アラート: 60分間に通報が3件").is_visible()
        screens(page, "03-alert")
        post_url = page.url
        page.get_by_role("link", name="対応する").click()
        page.locator("#id_action").select_option("hide")
        page.get_by_label("理由（投稿者に伝わります）").fill(
            "営業・勧誘を目的とした書き込みは規約2条で禁止されています。"
        )
        page.get_by_role("button", name="記録して投稿者に知らせる").click()
        page.wait_for_url("**/community/p/**")
        page.goto(post_url)
        page.get_by_role("button", name="確認済みにする").click()
        page.get_by_role("link", name="投稿者を利用停止").click()
        page.get_by_label(re.compile("利用停止の理由")).fill(
            "宣伝の書き込みが続いたため、投稿・コメントを停止します。"
        )
        screens(page, "04-block")
        page.get_by_role("button", name="利用停止にする").click()
        page.wait_for_url("**/community/moderation/")
        assert page.get_by_text("ありません。").count() == 4  # the queue is empty

        # 3. The fortnight's topic, from the portal's event page (its button).
        page.goto(f"{url}/community/share/?url={event_path}")
        found["share"] = axe_violations(page, axe_source)
        screens(page, "05-share")
        page.get_by_role("link", name="移住の相談ひろば").click()
        page.get_by_label("本文").fill(
            "相談会には先輩移住者も来ます。聞いてみたいことがあれば、ここにどうぞ。"
        )
        page.get_by_label("投稿の名義").select_option(label="コミュニティマネージャー")
        page.get_by_label("部屋の一番上に固定する（ピン留め）").check()
        screens(page, "06-compose")
        page.get_by_role("button", name="投稿する").click()  # community.js: no reload
        card = page.locator("#post-list .post-card", has_text="ピン留め").first
        card.get_by_role("link", name="水戸市の移住相談会").first.click()
        page.wait_for_url("**/community/p/**")
        screens(page, "07-topic")

        # 4. Answer a member's question, as the manager, and press a stamp.
        page.goto(f"{url}/community/r/lounge/")
        page.get_by_role("link", name="冬の暖房、みなさんどうしていますか").click()
        page.get_by_role("textbox", name="コメント").fill(
            "灯油の配達をしてくれるお店は、市町村の移住相談窓口でも教えてもらえますよ。"
        )
        page.get_by_label("投稿の名義").select_option(label="コミュニティマネージャー")
        page.get_by_role("button", name="コメントする").click()
        page.locator("#comment-list .comment", has_text="灯油の配達").wait_for()
        page.get_by_role("button", name=re.compile("^いいね 0件")).click()
        page.get_by_role("button", name=re.compile("^いいね 1件")).wait_for()
        found["post"] = axe_violations(page, axe_source)
        screens(page, "08-reply")
    finally:
        phone.close()

    # 5. The month in the admin: KPIs against the seed's targets.
    desk = browser.new_context(
        viewport={"width": 1280, "height": 900},
        locale="ja-JP",
        timezone_id="Asia/Tokyo",
    )
    try:
        page = desk.new_page()
        admin_sign_in(page, url, "community-manager", MANAGER_PASSWORD)
        page.goto(f"{url}/admin/community_report/")
        topics = page.get_by_role("row", name=re.compile("運営の話題提供"))
        assert re.search(r"\b1\s+2\s+50%", topics.inner_text().replace("\t", " "))
        screens(page, "09-monthly-report")
    finally:
        desk.close()

    assert {name: v for name, v in found.items() if v} == {}
    logged = {
        action
        for (action,) in live_community.query(
            "SELECT e.action FROM wagtailcore_modellogentry e "
            "JOIN auth_user u ON u.id = e.user_id WHERE u.username = %s",
            ("community-manager",),
        )
    }
    assert {
        "community.approve",
        "community.hide",
        "community.block",
        "community.alert_ack",
    } <= logged
    held, advert = live_community.query(
        "SELECT status FROM community_post WHERE title IN (%s, %s) ORDER BY id",
        ("この業者は詐欺です", "格安の別荘、紹介します"),
    )
    assert (held, advert) == (("published",), ("hidden",))
