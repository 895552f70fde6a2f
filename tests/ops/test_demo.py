"""The demo's staff accounts: five kinds of staff with distinct rights, checked
through the admin over HTTP."""

from collections import Counter

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client

from cms.ops.demo import load_ops_demo

pytestmark = pytest.mark.django_db


def signed_in(username) -> Client:
    client = Client()
    assert client.login(username=username, password=settings.PORTAL_DEMO_PASSWORD)
    return client


def test_demo_staff_accounts_have_distinct_rights():
    created = Counter()
    load_ops_demo(created)
    load_ops_demo(created)  # idempotent
    users = get_user_model().objects
    assert (
        users.filter(
            username__in=["pref-sysadmin", "pref-auditor", "pref-mail"]
        ).count()
        == 3
    )

    sysadmin = signed_in("pref-sysadmin")
    assert sysadmin.get("/admin/users/").status_code == 200
    assert sysadmin.get("/admin/operation-log/").status_code == 200

    auditor = signed_in("pref-auditor")
    assert auditor.get("/admin/operation-log/").status_code == 200
    assert auditor.get("/admin/users/").status_code == 302  # refused
    assert auditor.get("/admin/pages/").status_code in (302, 403)

    mail = signed_in("pref-mail")
    assert mail.get("/admin/operation-log/").status_code == 302
    assert mail.get("/admin/users/").status_code == 302
