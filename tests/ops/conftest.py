"""Parts shared by the operations tests: a clean cache (rate-limit counts), TOTP
codes computed the way an authenticator app does, and a WSGI caller that keeps the
test's database connection."""

from contextlib import contextmanager

import pytest
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django_otp.oath import totp

from tests import factories


@pytest.fixture(autouse=True)
def fresh_cache():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


def code_for(device, steps_ahead: int = 0) -> str:
    """The six digits the authenticator app shows now (or ``steps_ahead`` 30-second
    steps later, which the server's tolerance of one step accepts)."""
    value = totp(
        device.bin_key,
        step=device.step,
        t0=device.t0,
        digits=device.digits,
        drift=device.drift + steps_ahead,
    )
    return str(value).zfill(device.digits)


def admin_login(client, username, password=factories.PASSWORD, ip="127.0.0.1"):
    """Sign in through Wagtail's login form, as a person does."""
    return client.post(
        "/admin/login/",
        {"username": username, "password": password, "next": "/admin/"},
        REMOTE_ADDR=ip,
    )


@contextmanager
def database_connection_kept():
    """Django closes the connection after each WSGI request (conn_max_age=0),
    which would end the test's transaction on PostgreSQL; the test client avoids
    that the same way."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
