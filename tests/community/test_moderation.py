"""Moderation over HTTP with real mail: the NG-word hold, report → hide → the
author told why (in the site and by mail), blocks, the 炎上 alert, and every
action in the operation log."""

import pytest
from django.test import Client
from wagtail.models import ModelLogEntry

from cms.community import services
from cms.community.models import (
    Comment,
    FlameAlert,
    NgWord,
    Notification,
    NotificationKind,
    Post,
    Report,
    Status,
)

from .conftest import FETCH, client_for, make_member

pytestmark = pytest.mark.django_db


def logged(action) -> list[ModelLogEntry]:
    return list(ModelLogEntry.objects.filter(action=action))


def test_an_ng_word_holds_the_post_for_review_instead_of_publishing(community):
    NgWord.objects.create(word="ばか")
    client = client_for(community.hanako)
    response = client.post(
        "/community/r/lounge/post/", {"title": "ひどい話", "body": "そんなのﾊﾞｶげてる"}
    )
    assert response.status_code == 302
    post = Post.objects.get(title="ひどい話")
    assert post.status == Status.HELD and post.held_words == "ばか"
    assert "ひどい話" not in Client().get("/community/r/lounge/").content.decode()
    assert Client().get(f"/community/p/{post.pk}/").status_code == 404
    mine = client.get("/community/me/posts/").content.decode()
    assert "ひどい話" in mine and "確認待ち" in mine
    assert Notification.objects.filter(
        recipient=community.manager, kind=NotificationKind.HELD
    ).exists()
    assert [e.object_id for e in logged("community.held")] == [str(post.pk)]

    manager = client_for(community.manager)
    queue = manager.get("/community/moderation/").content.decode()
    assert "ひどい話" in queue
    manager.post(
        f"/community/p/{post.pk}/moderate/", {"action": "approve", "reason": ""}
    )
    post.refresh_from_db()
    assert post.status == Status.PUBLISHED
    assert "ひどい話" in Client().get("/community/r/lounge/").content.decode()


def test_an_ng_word_in_a_comment_holds_only_that_comment(community):
    NgWord.objects.create(word="詐欺")
    post = services.create_post(
        community.lounge, community.taro, title="物件", body="安い"
    )
    response = client_for(community.hanako).post(
        f"/community/p/{post.pk}/comment/", {"body": "これ詐欺では"}, **FETCH
    )
    assert "運営が内容を確認してから公開します" in response.json()["message"]
    comment = Comment.objects.get(post=post)
    assert comment.status == Status.HELD
    post.refresh_from_db()
    assert post.comment_count == 0
    assert (
        "これ詐欺では" not in Client().get(f"/community/p/{post.pk}/").content.decode()
    )


def test_approving_held_content_sends_the_notices_it_held_back(community):
    """Mentions and comment notices of a held post or comment go out when a
    manager approves it, not before (and never for what stays hidden)."""
    NgWord.objects.create(word="詐欺")
    post = services.create_post(
        community.lounge,
        community.taro,
        title="詐欺に注意",
        body="@hanako さんも気をつけて",
    )
    comment = services.create_comment(
        services.create_post(community.lounge, community.taro, title="物件", body="…"),
        community.hanako,
        body="詐欺かも？",
    )
    assert not Notification.objects.filter(
        kind__in=[NotificationKind.MENTION, NotificationKind.COMMENT]
    ).exists()
    manager = client_for(community.manager)
    manager.post(f"/community/p/{post.pk}/moderate/", {"action": "approve"})
    manager.post(f"/community/c/{comment.pk}/moderate/", {"action": "approve"})
    assert Notification.objects.filter(
        recipient=community.hanako, kind=NotificationKind.MENTION
    ).exists()
    assert Notification.objects.filter(
        recipient=community.taro,
        kind=NotificationKind.COMMENT,
        message="hanakoさんが「物件」にコメントしました",
    ).exists()
    # Approving again (restore) tells no one twice.
    manager.post(f"/community/p/{post.pk}/moderate/", {"action": "restore"})
    assert (
        Notification.objects.filter(
            recipient=community.hanako, kind=NotificationKind.MENTION
        ).count()
        == 1
    )


def test_report_then_hide_tells_the_author_why(
    community, smtp_server, django_capture_on_commit_callbacks
):
    post = services.create_post(
        community.lounge, community.taro, title="宣伝です", body="うちの店に来て"
    )
    hanako = client_for(community.hanako)
    form = hanako.get(f"/community/p/{post.pk}/report/")
    assert "通報の理由" in form.content.decode()
    response = hanako.post(
        f"/community/p/{post.pk}/report/", {"reason": "spam", "note": "店の宣伝"}
    )
    assert response.status_code == 302
    hanako.post(f"/community/p/{post.pk}/report/", {"reason": "spam"})  # counted once
    post.refresh_from_db()
    assert post.report_count == 1
    assert [e.object_id for e in logged("community.report")] == [str(post.pk)]

    manager = client_for(community.manager)
    assert "宣伝です" in manager.get("/community/moderation/").content.decode()
    refused = manager.post(f"/community/p/{post.pk}/moderate/", {"action": "hide"})
    assert "理由を入力してください" in refused.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = manager.post(
            f"/community/p/{post.pk}/moderate/",
            {"action": "hide", "reason": "営業目的の書き込みは規約2条で禁止です"},
        )
    assert response.status_code == 302
    post.refresh_from_db()
    assert post.status == Status.HIDDEN and post.moderated_by == community.manager
    assert Report.objects.get(post=post).resolved_at is not None
    assert Client().get(f"/community/p/{post.pk}/").status_code == 404
    assert hanako.get(f"/community/p/{post.pk}/").status_code == 404

    # The author sees the reason in the site …
    taro = client_for(community.taro)
    notice = Notification.objects.get(
        recipient=community.taro, kind=NotificationKind.MODERATION
    )
    assert "規約2条" in notice.message
    mine = taro.get("/community/me/posts/").content.decode()
    assert "非表示" in mine and "営業目的の書き込みは規約2条で禁止です" in mine
    assert taro.get(f"/community/p/{post.pk}/").status_code == 200
    # … and by mail.
    (message,) = smtp_server.parsed()
    assert message["To"] == "taro@example.jp"
    body = message.get_body(("plain",)).get_content()
    assert "宣伝です" in body and "営業目的の書き込みは規約2条で禁止です" in body
    (entry,) = logged("community.hide")
    assert entry.user_id == community.manager.pk
    assert entry.data["reason"] == "営業目的の書き込みは規約2条で禁止です"


def test_a_hidden_comment_disappears_and_the_count_follows(community):
    post = services.create_post(
        community.lounge, community.taro, title="話題", body="本文"
    )
    comment = services.create_comment(post, community.hanako, body="失礼なコメント")
    services.moderate(comment, "delete", "攻撃的な表現のため", community.manager)
    post.refresh_from_db()
    assert post.comment_count == 0
    assert (
        "失礼なコメント"
        not in Client().get(f"/community/p/{post.pk}/").content.decode()
    )
    assert logged("community.delete")


def test_a_blocked_member_reads_but_cannot_post_comment_or_react(community):
    post = services.create_post(
        community.lounge, community.taro, title="話題", body="本文"
    )
    manager = client_for(community.manager)
    response = manager.post(
        f"/community/moderation/members/{community.hanako.pk}/",
        {"reason": "度重なる誹謗中傷のため"},
    )
    assert response.status_code == 302
    assert logged("community.block")

    hanako = client_for(community.hanako)
    assert hanako.get(f"/community/p/{post.pk}/").status_code == 200
    response = hanako.post(
        "/community/r/lounge/post/", {"title": "新しい話", "body": "x"}
    )
    assert response.status_code == 302
    assert not Post.objects.filter(title="新しい話").exists()
    refused = hanako.post(f"/community/p/{post.pk}/comment/", {"body": "x"}, **FETCH)
    assert (
        refused.status_code == 403
        and "度重なる誹謗中傷のため" in refused.json()["error"]
    )
    refused = hanako.post(
        f"/community/p/{post.pk}/react/", {"stamp": community.like.pk}, **FETCH
    )
    assert refused.status_code == 403

    manager.post(f"/community/moderation/members/{community.hanako.pk}/", {"lift": "1"})
    assert logged("community.unblock")
    # A new request: the block is looked up afresh.
    hanako = client_for(community.hanako)
    hanako.post("/community/r/lounge/post/", {"title": "新しい話", "body": "x"})
    assert Post.objects.filter(title="新しい話").exists()


def test_a_spike_of_reports_raises_one_flame_alert_for_the_managers(
    community, settings, smtp_server, django_capture_on_commit_callbacks
):
    settings.COMMUNITY = {**settings.COMMUNITY, "ALERT_REPORTS": 2}
    post = services.create_post(
        community.lounge, community.taro, title="炎上しそう", body="…"
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.report(community.hanako, post, "abuse")
        assert not FlameAlert.objects.exists()
        for name in ("jiro", "saburo"):
            services.report(make_member(name), post, "abuse")
    (alert,) = FlameAlert.objects.all()
    assert alert.cause == "60分間に通報が2件"  # the third report adds no second alert
    assert Notification.objects.filter(
        recipient=community.manager, kind=NotificationKind.ALERT
    ).exists()
    recipients = {m["To"] for m in smtp_server.parsed()}
    assert "community-manager@example.jp" in recipients
    assert logged("community.alert")

    manager = client_for(community.manager)
    page = manager.get(f"/community/p/{post.pk}/").content.decode()
    assert "炎上アラート" in page
    manager.post(f"/community/moderation/alerts/{alert.pk}/ack/")
    alert.refresh_from_db()
    assert alert.acknowledged_by == community.manager


def test_a_burst_of_comments_raises_an_alert(community, settings):
    settings.COMMUNITY = {**settings.COMMUNITY, "ALERT_COMMENTS": 5}
    post = services.create_post(
        community.lounge, community.taro, title="議論", body="…"
    )
    for n in range(5):
        services.create_comment(post, community.hanako, body=f"反論{n}")
    assert FlameAlert.objects.get(post=post).cause == "60分間にコメントが5件"


def test_notification_settings_silence_news_but_not_decisions(
    community, smtp_server, django_capture_on_commit_callbacks
):
    """A member who switches off in-site notices and moderation mails on their
    profile gets no comment notice and no mail, but still sees the decision about
    their own post in the site."""
    taro = client_for(community.taro)
    response = taro.post(
        "/community/me/",
        {"nickname": "taro", "relation": "moved"},  # every box unticked
    )
    assert response.status_code == 302
    post = services.create_post(
        community.lounge, community.taro, title="静かに", body="…"
    )
    client_for(community.hanako).post(
        f"/community/p/{post.pk}/comment/", {"body": "こんにちは"}
    )
    assert not Notification.objects.filter(
        recipient=community.taro, kind=NotificationKind.COMMENT
    ).exists()
    with django_capture_on_commit_callbacks(execute=True):
        client_for(community.manager).post(
            f"/community/p/{post.pk}/moderate/",
            {"action": "hide", "reason": "重複した投稿のため"},
        )
    assert Notification.objects.filter(
        recipient=community.taro, kind=NotificationKind.MODERATION
    ).exists()
    assert smtp_server.parsed() == []
