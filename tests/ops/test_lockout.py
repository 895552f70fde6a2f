"""Login throttling (django-axes): five wrong passwords for one account from one
address lock that pair out, with a page in Japanese; another address is not
affected; the failures and the lockout are in the operation log."""

import pytest
from django.test import Client
from wagtail.models import ModelLogEntry

from .conftest import admin_login

pytestmark = pytest.mark.django_db


def test_five_failures_lock_the_account_from_that_address(client):
    for _ in range(4):
        response = admin_login(client, "mito-editor", password="wrong", ip="192.0.2.10")
        assert response.status_code == 200  # the login form again, with an error
    fifth = admin_login(client, "mito-editor", password="wrong", ip="192.0.2.10")
    assert fifth.status_code == 429
    assert "ログインを一時停止しました" in fifth.content.decode()
    locked = admin_login(client, "mito-editor", ip="192.0.2.10")  # right password
    assert locked.status_code == 429
    assert client.get("/admin/").status_code == 302  # not logged in

    elsewhere = Client()
    response = admin_login(elsewhere, "mito-editor", ip="192.0.2.99")
    assert response.status_code == 302
    assert elsewhere.get("/admin/").status_code == 200

    actions = list(
        ModelLogEntry.objects.filter(label="mito-editor").values_list(
            "action", flat=True
        )
    )
    assert actions.count("ops.login_failed") >= 5
    assert "ops.locked_out" in actions
    assert "ops.login" in actions


def test_a_success_resets_the_count(client):
    for _ in range(4):
        admin_login(client, "daigo-editor", password="wrong", ip="192.0.2.20")
    assert admin_login(client, "daigo-editor", ip="192.0.2.20").status_code == 302
    client.logout()
    for _ in range(4):
        admin_login(client, "daigo-editor", password="wrong", ip="192.0.2.20")
    assert admin_login(client, "daigo-editor", ip="192.0.2.20").status_code == 302
