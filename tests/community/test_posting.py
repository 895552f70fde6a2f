"""Rooms, posts, comments and stamps over HTTP: members-only rooms are hidden from
guests; posting, commenting (one level of replies) and reacting work as plain
forms and, with ``X-Requested-With: fetch``, answer with the HTML to insert;
mentions and comments notify."""

import pytest
from django.test import Client

from cms.community import services
from cms.community.models import (
    Comment,
    Notification,
    NotificationKind,
    Post,
    Reaction,
    Status,
)

from .conftest import FETCH, client_for

pytestmark = pytest.mark.django_db


def test_members_only_rooms_do_not_exist_for_guests(community):
    secret = services.create_post(
        community.inner, community.taro, title="移住2年目の本音", body="ここだけの話"
    )
    guest = Client()
    rooms = guest.get("/community/").content.decode()
    assert "移住の相談ひろば" in rooms
    assert "移住者だけの部屋" not in rooms
    assert guest.get("/community/r/inner/").status_code == 404
    assert guest.get(f"/community/p/{secret.pk}/").status_code == 404
    # Posting into it as a guest leads to the log-in page, never to the room.
    response = guest.post("/community/r/inner/post/", {"title": "x", "body": "y"})
    assert response.status_code == 302 and "/community/login/" in response["Location"]

    member = client_for(community.hanako)
    assert "移住者だけの部屋" in member.get("/community/").content.decode()
    page = member.get("/community/r/inner/")
    assert page.status_code == 200 and "移住2年目の本音" in page.content.decode()
    assert member.get(f"/community/p/{secret.pk}/").status_code == 200


def test_a_guest_reads_a_public_room_but_sees_no_forms(community):
    post = services.create_post(
        community.lounge, community.taro, title="水戸の梅まつり", body="行きました"
    )
    html = Client().get(f"/community/p/{post.pk}/").content.decode()
    assert "水戸の梅まつり" in html
    assert 'action="/community/p/' not in html  # no comment or stamp forms
    assert "ログイン</a>するとコメントやリアクションができます" in html


def test_member_posts_comments_replies_and_reacts_without_javascript(community):
    hanako, taro = client_for(community.hanako), client_for(community.taro)
    response = hanako.post(
        "/community/r/lounge/post/",
        {
            "title": "笠間で子育て",
            "body": "保育園の情報を教えてください https://example.jp/hoiku",
            "link_url": "https://www.city.kasama.lg.jp/",
            "municipalities": [community.mito.pk],
        },
    )
    post = Post.objects.get(title="笠間で子育て")
    assert (
        response.status_code == 302
        and response["Location"] == f"/community/p/{post.pk}/"
    )
    assert post.status == Status.PUBLISHED and list(post.municipalities.all()) == [
        community.mito
    ]
    page = hanako.get(f"/community/p/{post.pk}/").content.decode()
    assert 'href="https://example.jp/hoiku" rel="nofollow ugc noopener"' in page
    assert 'href="/towns/mito/"' in page

    response = taro.post(
        f"/community/p/{post.pk}/comment/", {"body": "うちは2園見学しました"}
    )
    assert response.status_code == 302
    comment = Comment.objects.get(post=post)
    response = hanako.post(
        f"/community/p/{post.pk}/comment/",
        {"body": "ありがとう！", "parent": comment.pk},
    )
    reply = Comment.objects.get(parent=comment)
    # A reply to a reply joins the same thread (one level only).
    taro.post(
        f"/community/p/{post.pk}/comment/",
        {"body": "どういたしまして", "parent": reply.pk},
    )
    assert Comment.objects.filter(parent=comment).count() == 2
    assert not Comment.objects.filter(parent=reply).exists()

    taro.post(f"/community/p/{post.pk}/react/", {"stamp": community.like.pk})
    taro.post(f"/community/p/{post.pk}/react/", {"stamp": community.want.pk})
    hanako.post(f"/community/p/{post.pk}/react/", {"stamp": community.like.pk})
    taro.post(f"/community/p/{post.pk}/react/", {"stamp": community.want.pk})  # undo
    post.refresh_from_db()
    assert (post.comment_count, post.reaction_count) == (3, 2)
    assert Reaction.objects.filter(post=post, stamp=community.like).count() == 2

    def kinds(user):
        return set(
            Notification.objects.filter(recipient=user).values_list("kind", flat=True)
        )

    assert kinds(community.hanako) == {NotificationKind.COMMENT}  # on her post
    assert kinds(community.taro) == {NotificationKind.REPLY}  # hanako answered him
    room = Client().get("/community/r/lounge/").content.decode()
    assert "笠間で子育て" in room and "コメント 3" in room and "リアクション 2" in room


def test_fetch_requests_get_fragments_to_insert(community):
    client = client_for(community.hanako)
    response = client.post(
        "/community/r/lounge/post/",
        {"title": "大子の紅葉", "body": "見頃です"},
        **FETCH,
    )
    data = response.json()
    assert response.status_code == 200
    assert data["message"] == "投稿しました。"
    assert '<li class="card post-card"' in data["html"] and "大子の紅葉" in data["html"]
    assert 'data-enhance="post"' in data["form"]
    post = Post.objects.get(title="大子の紅葉")

    response = client.post(
        f"/community/p/{post.pk}/comment/", {"body": "行きたい！"}, **FETCH
    )
    assert response.json()["html"].startswith('<li class="comment"')
    response = client.post(
        f"/community/p/{post.pk}/react/", {"stamp": community.like.pk}, **FETCH
    )
    assert 'aria-pressed="true"' in response.json()["html"]

    invalid = client.post("/community/r/lounge/post/", {"title": ""}, **FETCH)
    assert (
        invalid.status_code == 400
        and "入力内容を確認してください" in invalid.json()["error"]
    )
    guest = Client().post(f"/community/p/{post.pk}/react/", {"stamp": 1}, **FETCH)
    assert guest.status_code == 401 and "/community/login/" in guest.json()["login"]


def test_mentions_notify_the_member_named(community):
    client = client_for(community.taro)
    client.post(
        "/community/r/lounge/post/",
        {"title": "先輩に質問", "body": "@Hanako さん、冬の暖房どうしてますか"},
    )
    notice = Notification.objects.get(recipient=community.hanako)
    assert notice.kind == NotificationKind.MENTION
    page = client_for(community.hanako).get("/community/me/notifications/")
    assert (
        "taroさんが投稿「先輩に質問」であなたについて書きました"
        in page.content.decode()
    )


def test_room_pages_are_paginated(community, settings):
    settings.COMMUNITY = {**settings.COMMUNITY, "POSTS_PER_PAGE": 3}
    for n in range(7):
        services.create_post(
            community.lounge, community.taro, title=f"話題{n}", body="本文"
        )
    first = Client().get("/community/r/lounge/").content.decode()
    assert "話題6" in first and "話題3" not in first
    assert 'aria-current="page">1<' in first and 'href="?page=3"' in first
    third = Client().get("/community/r/lounge/?page=3").content.decode()
    assert "話題0" in third


def test_a_closed_room_takes_no_member_posts(community):
    community.lounge.is_open = False
    community.lounge.save()
    response = client_for(community.hanako).post(
        "/community/r/lounge/post/", {"title": "投稿", "body": "本文"}
    )
    assert response.status_code == 400
    assert "投稿を受け付けていません" in response.content.decode()


def test_comments_are_rate_limited_per_member(community, settings):
    settings.COMMUNITY = {**settings.COMMUNITY, "COMMENTS_PER_HOUR": 2}
    post = services.create_post(
        community.lounge, community.taro, title="話題", body="本文"
    )
    hanako = client_for(community.hanako)
    for n in range(2):
        hanako.post(f"/community/p/{post.pk}/comment/", {"body": f"コメント{n}"})
    refused = hanako.post(
        f"/community/p/{post.pk}/comment/", {"body": "もうひとつ"}, **FETCH
    )
    assert refused.status_code == 400
    assert "短い時間にコメントが続いています" in refused.json()["error"]
    page = hanako.post(
        f"/community/p/{post.pk}/comment/", {"body": "もうひとつ"}, follow=True
    )
    assert "短い時間にコメントが続いています" in page.content.decode()
    assert Comment.objects.filter(post=post).count() == 2
    # Another member has their own allowance.
    client_for(community.taro).post(
        f"/community/p/{post.pk}/comment/", {"body": "返します"}
    )
    assert Comment.objects.filter(post=post).count() == 3


def test_community_pages_wear_the_portals_colours(community):
    """The colours staff choose in the portal's settings (checked for contrast
    there) apply to the community pages as to the static site."""
    from wagtail.models import Site

    from cms.core.models import PortalSettings

    brand = PortalSettings.for_site(Site.objects.get(is_default_site=True))
    brand.primary_colour, brand.accent_colour = "#2d6a2e", "#a3360c"
    brand.save()
    html = Client().get("/community/").content.decode()
    assert "--primary: #2d6a2e; --accent: #a3360c;" in html
    assert '<meta name="theme-color" content="#2d6a2e">' in html
