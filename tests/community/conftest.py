"""Rooms, members, a community manager and clients for the community tests.
Background tasks (mails) run inline; the cache (rate limits) is cleared per test."""

from types import SimpleNamespace

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from cms.community import members
from cms.community.models import (
    MemberProfile,
    Relation,
    Room,
    Stamp,
    Visibility,
)
from cms.core.permissions import sync_community_manager_group
from tests import factories

IMMEDIATE = {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}
MEMBER_PASSWORD = "ibaraki-member-2026"


@pytest.fixture(autouse=True)
def run_background_tasks_inline(settings):
    settings.TASKS = {**settings.TASKS, "background": IMMEDIATE}


@pytest.fixture(autouse=True)
def fresh_cache():
    cache.clear()
    yield
    cache.clear()


def make_member(nickname, email=None, relation=Relation.CONSIDERING, **profile):
    email = email or f"{nickname.lower()}@example.jp"
    user = get_user_model().objects.create_user(
        username=members.username_for(email), email=email, password=MEMBER_PASSWORD
    )
    MemberProfile.objects.create(
        user=user,
        nickname=nickname,
        relation=relation,
        email_confirmed_at=timezone.now(),
        **profile,
    )
    members.accept_rules(user)
    return user


@pytest.fixture
def community(db, portal):
    manager_group = sync_community_manager_group()
    manager = factories.make_user("community-manager", [manager_group])
    return SimpleNamespace(
        lounge=Room.objects.create(
            name="移住の相談ひろば", slug="lounge", description="なんでも相談"
        ),
        inner=Room.objects.create(
            name="移住者だけの部屋",
            slug="inner",
            description="メンバー限定",
            visibility=Visibility.MEMBERS,
        ),
        hanako=make_member("hanako"),
        taro=make_member("taro", relation=Relation.MOVED),
        manager=manager,
        staff=portal.users["pref-admin"],
        mito_editor=portal.users["mito-editor"],
        mito=portal.mito,
        like=Stamp.objects.get(label="いいね"),
        want=Stamp.objects.get(label="行ってみたい"),
    )


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


FETCH = {"HTTP_X_REQUESTED_WITH": "fetch"}
