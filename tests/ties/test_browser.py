"""A member finds a program, applies, the host accepts, and the member sees the
acceptance — on phones (Chromium, 390×844) against a live portal (gunicorn on
a copy of the test database) with real mail (aiosmtpd); axe-core checks every
page visited."""

import re
import time

import pytest

from tests.real_parts import PHONE, axe_violations, fits_the_screen, running_smtp
from tests.reservations.live import start_portal

pytestmark = pytest.mark.django_db

PASSWORD = "kasama-kuri-2026"
SEED = f"""
import datetime as dt, django
django.setup()
from django.contrib.auth import get_user_model
from django.utils import timezone
from cms.community.members import username_for
from cms.core.models import Municipality
from cms.ties import members
from cms.ties.models import (
    HostOrganisation, MemberStatus, ProgramIndexPage, ProgramPage, TiesMember,
)
User = get_user_model()
mito = Municipality.objects.get(slug="mito")
today = timezone.localdate()
staff = User.objects.create_user(
    username=username_for("farm-staff@example.jp"),
    email="farm-staff@example.jp",
    password={PASSWORD!r},
)
host = HostOrganisation.objects.create(
    name="水戸のみらい農園", municipality=mito, contact_email="farm@example.jp"
)
host.users.add(staff)
program = ProgramPage(
    title="農園の収穫と直売所づくり",
    slug="farm",
    host=host,
    summary="週末に収穫と直売所の準備を手伝ってくれる人を募集します。",
    purpose="地域の担い手と一緒に、直売所を立ち上げます。",
    starts_on=today + dt.timedelta(days=30),
    ends_on=today + dt.timedelta(days=31),
    deadline=today + dt.timedelta(days=20),
    skills_wanted=["農業", "デザイン"],
    interests=["食"],
    involvements=["volunteer"],
)
ProgramIndexPage.ensure_for(mito).add_child(instance=program)
program.save_revision().publish()
user = User.objects.create_user(
    username=username_for("aoi@example.jp"), email="aoi@example.jp", password={PASSWORD!r}
)
member = TiesMember.objects.create(
    user=user, name="青井 あおい", prefecture="東京都", skills=["農業"],
    interests=["食"], involvements=["volunteer"], status=MemberStatus.ACTIVE,
    email_confirmed_at=timezone.now(), consent_at=timezone.now(),
)
member.regions.set([mito])
members.sync_subscriber(member)
print("seeded")
"""


@pytest.fixture(scope="module")
def smtp():
    """The live portal's mail goes here (its settings come from the environment)."""
    with running_smtp() as record:
        yield record


@pytest.fixture(scope="module")
def live_ties(django_db_setup, django_db_blocker, tmp_path_factory, smtp):
    from django.db import connection

    workdir = tmp_path_factory.mktemp("live-ties")
    server_env = {
        "PORTAL_MEDIA_ROOT": str(workdir / "media"),
        "PORTAL_SERVE_STATIC": "1",  # community.css (the ties pages' layout)
        "PORTAL_TASKS_BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
        "EMAIL_HOST": smtp.host,
        "EMAIL_PORT": str(smtp.port),
        "EMAIL_USE_TLS": "0",
    }
    with django_db_blocker.unblock():
        yield from start_portal(
            connection, workdir, extra_env=server_env, seed=SEED, ready_path="/ties/"
        )


def log_in(page, url, email, next_path):
    page.goto(f"{url}/community/login/?next={next_path}")
    page.get_by_label("メールアドレス").fill(email)
    page.get_by_label("パスワード").fill(PASSWORD)
    page.get_by_role("button", name="ログイン").click()
    page.wait_for_url(f"**{next_path}")


def wait_for_mail(smtp, to, subject_part, seconds=20):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        for message in smtp.parsed():
            if message["To"] == to and subject_part in message["Subject"]:
                return message
        time.sleep(0.1)
    raise AssertionError(f"no mail to {to} about {subject_part}")


def test_member_finds_applies_host_accepts_member_sees_it_on_phones(
    live_ties, smtp, browser, phone_page, axe_source
):
    url = live_ties.url
    seen = {}  # page → axe-core's serious and critical findings
    member = phone_page

    def check(page, name):
        assert fits_the_screen(page), name
        seen[name] = axe_violations(page, axe_source)

    # Finding: the list of programs, then the program with what they share.
    member.goto(f"{url}/community/login/?next=/ties/")
    check(member, "login")
    log_in(member, url, "aoi@example.jp", "/ties/")
    check(member, "programs")
    member.get_by_role("link", name="農園の収穫と直売所づくり").click()
    member.wait_for_url("**/ties/programs/*/")
    assert member.get_by_text("あなたとの共通点: スキル: 農業").is_visible()
    check(member, "program")

    # Applying, with a message.
    member.get_by_label("受入団体へのメッセージ").fill(
        "週末に収穫を手伝えます。直売所のポップも描けます。"
    )
    member.get_by_role("button", name="申し込む").click()
    member.wait_for_url("**/ties/applications/*/")
    assert member.get_by_text("申込済み").first.is_visible()
    check(member, "application")
    application_url = member.url
    mail = wait_for_mail(smtp, "farm-staff@example.jp", "新しい申込み")
    host_link = re.search(
        r"http://\S+/ties/host/applications/\d+/",
        mail.get_body(("plain",)).get_content(),
    ).group(0)

    # The host, on their own phone, opens the mail's link and accepts.
    context = browser.new_context(
        viewport=PHONE, locale="ja-JP", timezone_id="Asia/Tokyo"
    )
    host = context.new_page()
    host.set_default_timeout(10_000)
    try:
        log_in(host, url, "farm-staff@example.jp", "/ties/host/")
        check(host, "host home")
        assert host.get_by_role("link", name="農園の収穫と直売所づくり").is_visible()
        host.goto(url + "/" + host_link.split("/", 3)[3])
        assert host.get_by_text("週末に収穫を手伝えます。").is_visible()
        check(host, "host application")
        host.get_by_role("button", name="受け入れる").click()
        host.get_by_text("申込みの状態を更新しました。").wait_for()
        assert host.get_by_text("受入決定").first.is_visible()
    finally:
        context.close()

    # The member is told by mail and sees the acceptance on their page.
    wait_for_mail(smtp, "aoi@example.jp", "受入が決まりました")
    member.goto(application_url)
    assert member.get_by_text("受入決定").first.is_visible()
    check(member, "accepted")
    member.goto(f"{url}/ties/me/")
    assert member.get_by_text("農園の収穫と直売所づくり（受入決定）").is_visible()
    check(member, "my page")

    rows = live_ties.query(
        "SELECT a.status FROM ties_application a "
        "JOIN ties_tiesmember m ON m.id = a.member_id WHERE m.name = %s",
        ("青井 あおい",),
    )
    assert rows == [("accepted",)]
    assert {name: found for name, found in seen.items() if found} == {}
