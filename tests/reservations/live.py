"""A real portal server for the reservation tests that need one (the races and the
browser): a copy of the test database, seeded with the demo facilities and
residents, served by gunicorn in a separate process.

A separate process with its own copy of the database means real concurrency (each
request thread has its own database connection; on SQLite the IMMEDIATE
transactions really queue) and leaves the session's shared test portal untouched:
``live_server`` would flush it at teardown.
"""

import os
import shutil
import sqlite3
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import requests

from tests.real_parts import free_port

PASSWORD = "live-password-123"
RESIDENTS = 80
SEED = f"""
import datetime as dt, django
django.setup()
from django.utils import timezone
from cms.reservations.demo import load_reservation_demo
from cms.reservations.models import Facility, OpeningHours, Resident
load_reservation_demo(with_bookings=False, password={PASSWORD!r})
for facility in Facility.objects.all():
    # Every day open and no year-end closure: the tests pick days a week ahead.
    facility.closed_year_end = False
    facility.max_active_bookings = 0
    facility.max_hours_per_day = 0
    facility.save()
    hours = facility.opening_hours.first()
    for weekday in range(7):
        OpeningHours.objects.get_or_create(
            facility=facility, weekday=weekday,
            defaults={{"opens": hours.opens, "closes": hours.closes}},
        )
residents = []
for n in range({RESIDENTS}):
    r = Resident(email=f"live{{n}}@example.jp", name=f"利用者{{n}}", phone="0985-75-0000",
                 category="resident", email_confirmed_at=timezone.now())
    r.set_password({PASSWORD!r})
    residents.append(r)
Resident.objects.bulk_create(residents)
print("seeded")
"""


@dataclass
class LivePortal:
    url: str
    database_url: str
    vendor: str
    sqlite_path: Path | None = None

    def query(self, sql: str, params=()) -> list[tuple]:
        """Read the server's database directly (``%s`` placeholders)."""
        if self.vendor == "sqlite":
            with sqlite3.connect(self.sqlite_path) as connection:
                return connection.execute(sql.replace("%s", "?"), params).fetchall()
        import psycopg

        with psycopg.connect(_psycopg_dsn(self.database_url)) as connection:
            return connection.execute(sql, params).fetchall()

    def unit_id(self, facility_slug: str, unit_name: str) -> int:
        rows = self.query(
            "SELECT u.id FROM reservations_bookingunit u JOIN reservations_facility f "
            "ON f.id = u.facility_id WHERE f.slug = %s AND u.name = %s",
            (facility_slug, unit_name),
        )
        return rows[0][0]

    def purpose_id(self, name: str) -> int:
        return self.query(
            "SELECT id FROM reservations_usagepurpose WHERE name = %s", (name,)
        )[0][0]

    def overlapping_rows(self) -> int:
        """Pairs of occupied slots of one unit that overlap: a double booking."""
        return self.query(
            "SELECT count(*) FROM reservations_occupiedslot a "
            "JOIN reservations_occupiedslot b ON a.unit_id = b.unit_id AND a.id < b.id "
            "AND a.starts_at < b.ends_at AND b.starts_at < a.ends_at"
        )[0][0]

    def resident_session(self, n: int) -> requests.Session:
        """A logged-in resident ``live{n}@example.jp`` with a CSRF token header."""
        session = requests.Session()
        # No idle pooled connection to go stale before the race: every request of
        # the session opens its own.
        session.headers["Connection"] = "close"
        token = session.get(f"{self.url}/api/reservations/csrf", timeout=30).json()[
            "csrf_token"
        ]
        response = session.post(
            f"{self.url}/reserve/account/login/",
            data={
                "email": f"live{n}@example.jp",
                "password": PASSWORD,
                "csrfmiddlewaretoken": token,
            },
            allow_redirects=False,
            timeout=30,
        )
        assert response.status_code == 302, response.text[:500]
        session.headers["X-CSRFToken"] = session.cookies["csrftoken"]
        return session


def _psycopg_dsn(url: str) -> str:
    return url.replace("postgres://", "postgresql://", 1)


def copy_test_database(connection, workdir: Path) -> tuple[str, str, Path | None]:
    """Copy the session's test database (already migrated) for the server."""
    vendor = connection.vendor
    name = str(connection.settings_dict["NAME"])
    if not (name.startswith("test_") or "memory" in name):
        # Only ever copy a test database (the tests must carry the django_db mark).
        raise RuntimeError(f"refusing to copy {name!r}: not a test database")
    if vendor == "sqlite":
        path = workdir / "live.sqlite3"
        connection.ensure_connection()
        target = sqlite3.connect(path)
        connection.connection.backup(target)
        target.close()
        return vendor, f"sqlite:///{path}", path
    settings = connection.settings_dict
    source = settings["NAME"]
    name = f"{source}_live_{uuid.uuid4().hex[:8]}"
    from django.db import connections

    connections.close_all()  # a template database must have no other sessions
    import psycopg

    admin = psycopg.connect(
        host=settings["HOST"],
        port=settings["PORT"] or 5432,
        user=settings["USER"],
        password=settings["PASSWORD"] or None,
        dbname="postgres",
        autocommit=True,
    )
    with admin:
        # close_all() closes only this thread's connections; one left open by an
        # earlier test's server thread in this worker would block the copy.
        admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = %s AND pid <> pg_backend_pid()",
            [source],
        )
        admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{source}"')
    password = f":{settings['PASSWORD']}" if settings["PASSWORD"] else ""
    url = (
        f"postgres://{settings['USER']}{password}@{settings['HOST']}:"
        f"{settings['PORT'] or 5432}/{name}"
    )
    return vendor, url, None


def drop_database(portal: LivePortal) -> None:
    if portal.vendor == "sqlite":
        return
    import psycopg

    name = portal.database_url.rsplit("/", 1)[1]
    base = portal.database_url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(_psycopg_dsn(base), autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def start_portal(
    connection,
    workdir: Path,
    extra_env: dict | None = None,
    seed: str = SEED,
    ready_path: str = "/reserve/",
):
    """Seed a copy of the test database with the ``seed`` script and serve it
    until ``ready_path`` answers; yields a ``LivePortal``. ``extra_env`` goes to
    the server only (never into this process's environment, where it would reach
    every server a later test starts)."""
    vendor, database_url, sqlite_path = copy_test_database(connection, workdir)
    root = Path(__file__).resolve().parents[2]
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "cms.settings",
        "PORTAL_ENV": "test",
        "PORTAL_VAR_DIR": str(workdir / "var"),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "PYTHONPATH": str(root),
        **(extra_env or {}),
    }
    seeded = subprocess.run(
        [sys.executable, "-c", seed],
        env=env,
        cwd=root,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert seeded.returncode == 0, seeded.stderr[-3000:]
    port = free_port()
    log = (workdir / "gunicorn.log").open("w")
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "cms.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--worker-class",
            "gthread",
            "--threads",
            "16",
            "--timeout",
            "120",
        ],
        env=env,
        cwd=root,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    portal = LivePortal(f"http://127.0.0.1:{port}", database_url, vendor, sqlite_path)
    try:
        deadline = time.monotonic() + 180
        while True:
            try:
                if (
                    requests.get(f"{portal.url}{ready_path}", timeout=30).status_code
                    == 200
                ):
                    break
            except requests.RequestException:  # not listening, or still loading
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(
                    "the portal server did not start: "
                    + (workdir / "gunicorn.log").read_text()[-3000:]
                )
            time.sleep(0.3)
        yield portal
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()
        drop_database(portal)
        shutil.rmtree(workdir / "var", ignore_errors=True)
