"""Who may do what, over HTTP, allow and deny: guests, members, community managers,
prefecture staff and municipality editors, on the public pages and in the admin."""

import pytest
from django.test import Client

from cms.community import services
from cms.community.models import (
    FlameAlert,
    MemberBlock,
    Post,
    Room,
    RulesVersion,
    Status,
    Voice,
)
from cms.core.models import Municipality

from .conftest import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def post(community):
    return services.create_post(
        community.lounge, community.taro, title="話題", body="本文"
    )


def test_guests_and_members_cannot_moderate(community, post):
    guest = Client()
    response = guest.get("/community/moderation/")
    assert response.status_code == 302 and "/community/login/" in response["Location"]
    member = client_for(community.hanako)
    for path in (
        "/community/moderation/",
        f"/community/p/{post.pk}/moderate/",
        f"/community/moderation/members/{community.taro.pk}/",
    ):
        assert member.get(path).status_code == 403, path
    response = member.post(
        f"/community/p/{post.pk}/moderate/",
        {"action": "hide", "reason": "気に入らない"},
    )
    assert response.status_code == 403
    post.refresh_from_db()
    assert post.status == Status.PUBLISHED
    page = member.get(f"/community/p/{post.pk}/").content.decode()
    assert "対応する" not in page and "対応待ち" not in page


@pytest.mark.parametrize("who", ["manager", "staff"])
def test_managers_and_staff_moderate(community, post, who):
    client = client_for(getattr(community, who))
    assert client.get("/community/moderation/").status_code == 200
    page = client.get(f"/community/p/{post.pk}/").content.decode()
    assert "対応する" in page and "投稿者を利用停止" in page
    client.post(
        f"/community/p/{post.pk}/moderate/", {"action": "delete", "reason": "重複"}
    )
    post.refresh_from_db()
    assert post.status == Status.DELETED


def test_managers_cannot_block_each_other(community):
    response = client_for(community.manager).post(
        f"/community/moderation/members/{community.staff.pk}/", {"reason": "x"}
    )
    assert response.status_code == 403


def test_municipality_editor_posts_as_their_municipality_only(community):
    editor = client_for(community.mito_editor)
    form = editor.get("/community/r/lounge/").content.decode()
    assert "投稿の名義" in form and "水戸市" in form
    editor.post(
        "/community/r/lounge/post/",
        {
            "title": "水戸市からのお知らせ",
            "body": "移住相談会を開きます",
            "voice": f"municipality:{community.mito.pk}",
        },
    )
    post = Post.objects.get(title="水戸市からのお知らせ")
    assert (post.voice, post.as_municipality) == (Voice.MUNICIPALITY, community.mito)
    page = Client().get(f"/community/p/{post.pk}/").content.decode()
    assert '<span class="author">水戸市</span>' in page
    assert 'tag--official">市町村' in page

    tsukuba = Municipality.objects.get(slug="tsukuba")
    refused = editor.post(
        "/community/r/lounge/post/",
        {"title": "なりすまし", "body": "x", "voice": f"municipality:{tsukuba.pk}"},
    )
    assert refused.status_code == 400
    assert not Post.objects.filter(title="なりすまし").exists()
    # Editors read members-only rooms but do not moderate.
    assert editor.get("/community/r/inner/").status_code == 200
    assert editor.get("/community/moderation/").status_code == 403


def test_a_member_cannot_post_as_the_prefecture_or_the_manager(community):
    member = client_for(community.hanako)
    assert "投稿の名義" not in member.get("/community/r/lounge/").content.decode()
    for voice in ("prefecture", "manager", f"municipality:{community.mito.pk}"):
        member.post(
            "/community/r/lounge/post/",
            {"title": f"名義{voice}", "body": "x", "voice": voice},
        )
        made = Post.objects.get(title=f"名義{voice}")
        assert (made.voice, made.as_municipality) == (Voice.MEMBER, None)


def test_the_manager_posts_as_the_manager_and_pins_the_topic(community):
    services.create_post(community.lounge, community.taro, title="新しい話", body="…")
    manager = client_for(community.manager)
    assert "ピン留め" in manager.get("/community/r/lounge/").content.decode()
    manager.post(
        "/community/r/lounge/post/",
        {
            "title": "今月のテーマ",
            "body": "冬の暮らし",
            "voice": "manager",
            "is_pinned": "on",
        },
    )
    post = Post.objects.get(title="今月のテーマ")
    assert post.voice == Voice.MANAGER and post.status == Status.PUBLISHED
    assert post.is_pinned
    services.create_post(community.lounge, community.taro, title="その後の話", body="…")
    room = Client().get("/community/r/lounge/").content.decode()
    # Pinned first, though two topics are newer.
    assert (
        room.index("今月のテーマ") < room.index("その後の話") < room.index("新しい話")
    )


def test_members_and_editors_cannot_pin(community):
    for who in (community.hanako, community.mito_editor):
        client = client_for(who)
        assert "ピン留め" not in client.get("/community/r/lounge/").content.decode()
        client.post(
            "/community/r/lounge/post/",
            {"title": f"固定したい{who.pk}", "body": "x", "is_pinned": "on"},
        )
        assert not Post.objects.get(title=f"固定したい{who.pk}").is_pinned


def test_a_manager_pins_an_existing_topic_in_the_admin(community, post):
    response = client_for(community.manager).post(
        f"/admin/community_posts/edit/{post.pk}/",
        {"status": "published", "moderation_reason": "", "is_pinned": "on"},
    )
    assert response.status_code == 302
    post.refresh_from_db()
    assert post.is_pinned and post.status == Status.PUBLISHED
    assert "ピン留め" in Client().get("/community/r/lounge/").content.decode()


# --- The admin ------------------------------------------------------------------------


def test_admin_community_screens_allow_managers_and_staff_only(community, post):
    manager, staff = client_for(community.manager), client_for(community.staff)
    for path in (
        "/admin/community_rooms/",
        "/admin/community_posts/",
        "/admin/community_ngwords/",
        "/admin/community_reports/",
        "/admin/community_report/",
    ):
        assert manager.get(path).status_code == 200, path
        assert staff.get(path).status_code == 200, path
        assert client_for(community.hanako).get(path).status_code == 302, path
        assert client_for(community.mito_editor).get(path).status_code in (302, 403), (
            path
        )
    # Stamps and the rules are the prefecture's.
    for path in ("/admin/community_stamps/", "/admin/community_rules/"):
        assert staff.get(path).status_code == 200, path
        assert manager.get(path).status_code in (302, 403), path


def test_manager_creates_a_room_in_the_admin(community):
    manager = client_for(community.manager)
    response = manager.post(
        "/admin/community_rooms/new/",
        {
            "name": "農業を始めたい",
            "slug": "farming",
            "description": "就農の話",
            "visibility": "public",
            "is_open": "on",
            "sort_order": 5,
        },
    )
    assert response.status_code == 302
    room = Room.objects.get(slug="farming")
    assert room.created_by == community.manager


def test_staff_revise_the_rules_as_a_new_version(community):
    first = RulesVersion.objects.get()
    staff = client_for(community.staff)
    response = staff.post(
        f"/admin/community_rules/edit/{first.pk}/",
        {"title": "コミュニティ利用規約", "body": "第2版の本文"},
    )
    assert response.status_code == 302
    assert RulesVersion.objects.count() == 2
    first.refresh_from_db()
    assert first.body != "第2版の本文"  # what members accepted stays as it was
    response = client_for(community.hanako).post(
        "/community/r/lounge/post/", {"title": "x", "body": "y"}
    )
    assert response["Location"].startswith("/community/rules/")
    manager_attempt = client_for(community.manager).post(
        f"/admin/community_rules/edit/{first.pk}/", {"title": "勝手に", "body": "改定"}
    )
    assert manager_attempt.status_code in (302, 403)
    assert RulesVersion.objects.count() == 2


def test_hiding_a_post_in_the_admin_is_a_moderation_action(community, post):
    from wagtail.models import ModelLogEntry

    response = client_for(community.manager).post(
        f"/admin/community_posts/edit/{post.pk}/",
        {"status": "hidden", "moderation_reason": "個人情報が含まれていたため"},
    )
    assert response.status_code == 302
    post.refresh_from_db()
    assert post.status == Status.HIDDEN
    assert post.moderation_reason == "個人情報が含まれていたため"
    assert ModelLogEntry.objects.filter(action="community.hide").exists()
    assert community.taro.community_notifications.filter(
        message__contains="個人情報が含まれていたため"
    ).exists()


@pytest.mark.parametrize(
    "screen",
    [
        "community_posts",
        "community_comments",
        "community_reports",
        "community_blocks",
        "community_alerts",
        "community_members",
    ],
)
def test_the_admin_never_creates_what_the_community_pages_make(community, screen):
    """Posts, comments, reports, blocks, alerts and members come from the public
    pages; the admin offers no 「追加」 for them (a block made there had no member)."""
    for who in (community.manager, community.staff):
        client = client_for(who)
        assert client.get(f"/admin/{screen}/").status_code == 200
        assert client.get(f"/admin/{screen}/new/").status_code in (302, 403)
        assert client.post(f"/admin/{screen}/new/", {"reason": "x"}).status_code in (
            302,
            403,
        )
    assert not MemberBlock.objects.exists()


def test_lifting_a_block_or_acknowledging_an_alert_in_the_admin_is_logged(
    community, post
):
    from wagtail.models import ModelLogEntry

    block = services.block(community.hanako, "連続投稿", community.manager)
    manager = client_for(community.manager)
    members = manager.get("/admin/community_members/").content.decode()
    assert f"/community/moderation/members/{community.hanako.pk}/" in members
    response = manager.post(
        f"/admin/community_blocks/edit/{block.pk}/",
        {"reason": "連続投稿（解除）", "lifted_at": "2026-12-01 10:00"},
    )
    assert response.status_code == 302
    block.refresh_from_db()
    assert block.lifted_at is not None and block.reason == "連続投稿（解除）"
    assert ModelLogEntry.objects.filter(
        action="community.unblock", user=community.manager
    ).exists()

    alert = FlameAlert.objects.create(post=post, cause="通報が3件")
    response = manager.post(
        f"/admin/community_alerts/edit/{alert.pk}/",
        {"acknowledged_at": "2026-12-01 10:00"},
    )
    assert response.status_code == 302
    alert.refresh_from_db()
    assert alert.acknowledged_by == community.manager
    assert ModelLogEntry.objects.filter(
        action="community.alert_ack", user=community.manager
    ).exists()
