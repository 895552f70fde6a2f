"""Two-factor authentication over HTTP: required for prefecture staff when
PORTAL_2FA_REQUIRED is on (production's default), a choice for editors, asked
for in every new session once set up, and reset by a superuser."""

import time

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice
from wagtail.models import ModelLogEntry

from tests import factories

from .conftest import admin_login, code_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def required(settings):
    settings.PORTAL_2FA_REQUIRED = True


def set_up_device(client, username) -> TOTPDevice:
    page = client.get("/admin/two-factor/")
    assert page.status_code == 200
    assert "<svg" in page.content.decode()  # the QR code
    device = TOTPDevice.objects.get(user__username=username, confirmed=False)
    done = client.post(
        "/admin/two-factor/", {"code": code_for(device), "next": "/admin/"}
    )
    assert done.status_code == 302, done.content.decode()[:500]
    device.refresh_from_db()
    assert device.confirmed
    return device


def test_staff_without_a_device_must_set_one_up_before_using_the_admin(
    required, client
):
    admin_login(client, "pref-admin")
    response = client.get("/admin/pages/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/two-factor/?next=")
    assert client.get("/admin/two-factor/").status_code == 200  # the way out is open

    set_up_device(client, "pref-admin")
    assert client.get("/admin/pages/").status_code == 200
    assert ModelLogEntry.objects.filter(action="ops.2fa_enabled").exists()


def test_a_new_session_asks_for_the_code(required, client):
    admin_login(client, "pref-admin")
    device = set_up_device(client, "pref-admin")

    other = Client()
    admin_login(other, "pref-admin")
    response = other.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/two-factor/verify/")

    wrong = other.post("/admin/two-factor/verify/", {"code": "000000"})
    assert wrong.status_code == 200
    assert "コードが正しくありません" in wrong.content.decode()
    assert other.get("/admin/").status_code == 302

    time.sleep(1.1)  # django-otp throttles: 1 s after one wrong code, doubling
    right = other.post(
        "/admin/two-factor/verify/",
        {"code": code_for(device, steps_ahead=1), "next": "/admin/pages/"},
    )
    assert right.status_code == 302
    assert right["Location"] == "/admin/pages/"
    assert other.get("/admin/").status_code == 200


def test_verify_page_never_redirects_off_site(required, client):
    admin_login(client, "pref-admin")
    device = set_up_device(client, "pref-admin")
    other = Client()
    admin_login(other, "pref-admin")
    response = other.post(
        "/admin/two-factor/verify/",
        {"code": code_for(device, steps_ahead=1), "next": "https://evil.example/"},
    )
    assert response["Location"] == "/admin/"


def test_editor_may_use_the_admin_without_two_factor(required, client):
    admin_login(client, "mito-editor")
    assert client.get("/admin/").status_code == 200


def test_editor_who_chose_two_factor_is_asked_and_may_turn_it_off(required, client):
    admin_login(client, "mito-editor")
    set_up_device(client, "mito-editor")
    other = Client()
    admin_login(other, "mito-editor")
    assert other.get("/admin/").status_code == 302

    client.post("/admin/two-factor/", {"action": "disable"})
    assert not TOTPDevice.objects.filter(user__username="mito-editor").exists()
    assert other.get("/admin/").status_code == 200


def test_staff_cannot_turn_two_factor_off(required, client):
    admin_login(client, "pref-admin")
    set_up_device(client, "pref-admin")
    client.post("/admin/two-factor/", {"action": "disable"})
    assert TOTPDevice.objects.filter(
        user__username="pref-admin", confirmed=True
    ).exists()


def test_without_the_requirement_staff_log_in_with_a_password_only(settings, client):
    settings.PORTAL_2FA_REQUIRED = False  # the demo's default
    admin_login(client, "pref-admin")
    assert client.get("/admin/").status_code == 200


def test_superuser_resets_a_lost_device_and_others_cannot(required, client):
    admin_login(client, "pref-admin")
    set_up_device(client, "pref-admin")
    target = get_user_model().objects.get(username="pref-admin")

    editor = Client()
    admin_login(editor, "mito-editor")
    url = f"/admin/two-factor/reset/{target.pk}/"
    refused = editor.post(url)
    assert refused.status_code == 302 and refused["Location"] == "/admin/"
    assert TOTPDevice.objects.filter(user=target).exists()

    boss = factories.make_user("ops-superuser", [])
    boss.is_superuser = True
    boss.save()
    root = Client()
    admin_login(root, "ops-superuser")
    set_up_device(root, "ops-superuser")
    assert root.get(url).status_code == 200
    assert root.post(url).status_code == 302
    assert not TOTPDevice.objects.filter(user=target).exists()
    entry = ModelLogEntry.objects.get(action="ops.2fa_reset", object_id=str(target.pk))
    assert entry.user == boss


def test_community_manager_must_set_up_two_factor_for_the_admin(required, client):
    from cms.core.permissions import sync_community_manager_group

    factories.make_user("moderator", [sync_community_manager_group()])
    admin_login(client, "moderator")
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/two-factor/?next=")
