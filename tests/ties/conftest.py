"""Members, host organisations with their users, program pages in 水戸市 and つくば市,
and clients for the ties tests. Background tasks (mails) run inline; uploads go
to a temporary MEDIA_ROOT."""

import datetime as dt
from types import SimpleNamespace

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from cms.community.members import username_for
from cms.core.permissions import sync_ties_staff_group
from cms.ties import members
from cms.ties.models import (
    HostOrganisation,
    MemberStatus,
    ProgramIndexPage,
    ProgramPage,
    ProgramStatus,
    TiesMember,
)
from tests import factories

IMMEDIATE = {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}
PASSWORD = "kasama-kuri-2026"


@pytest.fixture(autouse=True)
def ties_settings(settings, tmp_path):
    settings.TASKS = {**settings.TASKS, "background": IMMEDIATE}
    settings.MEDIA_ROOT = str(tmp_path / "media")
    cache.clear()
    yield
    cache.clear()


def make_member(name, email=None, regions=(), **fields):
    email = email or f"{name.lower()}@example.jp"
    user = get_user_model().objects.create_user(
        username=username_for(email), email=email, password=PASSWORD
    )
    fields.setdefault("prefecture", "東京都")
    member = TiesMember.objects.create(
        user=user,
        name=name,
        status=MemberStatus.ACTIVE,
        email_confirmed_at=timezone.now(),
        consent_at=timezone.now(),
        **fields,
    )
    member.regions.set(regions)
    members.sync_subscriber(member)
    return member


def make_program(host, title, publish=True, **fields):
    """A program page in the host's municipality folder, published unless
    ``publish`` is False (then a draft)."""
    today = timezone.localdate()
    fields.setdefault("summary", f"{title}の参加者を募集します。")
    fields.setdefault("purpose", "地域の担い手と一緒に課題に取り組みます。")
    fields.setdefault("starts_on", today + dt.timedelta(days=30))
    fields.setdefault("ends_on", today + dt.timedelta(days=32))
    fields.setdefault("deadline", today + dt.timedelta(days=20))
    fields.setdefault("status", ProgramStatus.OPEN)
    page = ProgramPage(host=host, title=title, live=False, **fields)
    ProgramIndexPage.ensure_for(host.municipality).add_child(instance=page)
    revision = page.save_revision()
    if publish:
        revision.publish()
        page.refresh_from_db()
    return page


@pytest.fixture
def ties(db, portal):
    mito = portal.mito
    tsukuba = portal.municipalities["tsukuba"]
    mito_host_user = factories.make_user("mito-farm")
    tsukuba_host_user = factories.make_user("tsukuba-lab")
    mito_host = HostOrganisation.objects.create(
        name="水戸のみらい農園", municipality=mito, contact_email="farm@example.jp"
    )
    mito_host.users.add(mito_host_user)
    tsukuba_host = HostOrganisation.objects.create(
        name="つくば科学まちづくり",
        municipality=tsukuba,
        contact_email="lab@example.jp",
    )
    tsukuba_host.users.add(tsukuba_host_user)
    farm = make_program(
        mito_host,
        "農園の収穫と直売所づくり",
        skills_wanted=["農業", "デザイン"],
        interests=["食"],
        involvements=["volunteer"],
    )
    lab = make_program(
        tsukuba_host,
        "子ども科学教室の企画",
        skills_wanted=["教育"],
        interests=["子育て"],
        involvements=["side_job"],
    )
    staff_group = sync_ties_staff_group()
    return SimpleNamespace(
        mito=mito,
        tsukuba=tsukuba,
        mito_host=mito_host,
        tsukuba_host=tsukuba_host,
        mito_host_user=mito_host_user,
        tsukuba_host_user=tsukuba_host_user,
        farm=farm,
        lab=lab,
        hanako=make_member(
            "Hanako",
            regions=[mito],
            skills=["農業", "写真"],
            interests=["食"],
            involvements=["volunteer", "event"],
        ),
        jiro=make_member("Jiro", regions=[tsukuba], skills=["教育"]),
        officer=factories.make_user("ties-officer", [staff_group]),
    )


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client
