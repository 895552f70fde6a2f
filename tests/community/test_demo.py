"""The community's demo data loads once and again without duplicates, and the demo
community manager can log in on the public side and reach the moderation queue."""

from collections import Counter

import pytest

from cms.community.demo import load_community_demo
from cms.community.models import Post, Room

pytestmark = pytest.mark.django_db


def test_demo_community_loads_idempotently(client, settings):
    created = Counter()
    load_community_demo(created)
    assert created["コミュニティの部屋"] == 4 and created["コミュニティの投稿"] == 3
    posts = Post.objects.count()
    again = Counter()
    load_community_demo(again)
    assert not again and Post.objects.count() == posts
    assert Room.objects.get(slug="ijusha").visibility == "members"

    response = client.post(
        "/community/login/",
        {"email": "community-manager@example.jp", "password": "x"},
    )
    assert "メールアドレスまたはパスワードが違います" in response.content.decode()
    response = client.post(
        "/community/login/",
        {"email": "member1@example.jp", "password": settings.PORTAL_DEMO_PASSWORD},
    )
    assert response.status_code == 302
    assert client.get("/community/r/ijusha/").status_code == 200
    client.post("/community/logout/")
    # The manager logs in with the address on their staff account.
    client.post(
        "/community/login/",
        {
            "email": "community-manager@example.jp",
            "password": settings.PORTAL_DEMO_PASSWORD,
        },
    )
    assert client.get("/community/moderation/").status_code == 200
