"""``portal bench reservations``: booking under contention against a real server.

Creates the PostgreSQL database ``portal_bench_reservations`` (dropped first, and at
the end unless ``--keep``), migrates it, loads the reservations demo (17 facilities,
a few weeks of bookings) and logs in residents, then serves it with gunicorn. Then:

1. ``--clients`` concurrent residents (200) each send ``--attempts`` booking requests
   for overlapping slots (whole courts and their halves, 1–3 hours, one day at a few
   gymnasiums), all released together;
2. the availability endpoint is read ``--availability-requests`` times (7 days of a
   facility, facilities in turn): once for the coming week, as residents browse
   (answers are cached until a booking or a change), once with a different week
   every request (every answer computed from the database).

Reports bookings made, conflicts refused, other answers, double bookings found in
the database (must be 0: pairs of overlapping occupied rows of one unit), and
latency percentiles. The last line printed by ``portal bench`` is the JSON summary.
"""

import datetime as dt
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

from bench._server import run_step, start_gunicorn

ROOT = Path(__file__).resolve().parents[1]
DATABASE = "portal_bench_reservations"
FACILITIES = ["yukiki-gym", "honjo-tobu-gym", "kitamata-gym"]
AVAILABILITY_TARGET_MS = 50

SEED = """
import json, django
django.setup()
from django.contrib.sessions.backends.db import SessionStore
from django.utils import timezone
from cms.reservations import accounts
from cms.reservations.demo import load_reservation_demo
from cms.reservations.models import Facility, Resident
load_reservation_demo()
Facility.objects.update(max_active_bookings=0, max_hours_per_day=0)
residents = [
    Resident(email=f"bench{n}@example.jp", name=f"ベンチ{n}", phone="0985-75-0000",
             category="resident", email_confirmed_at=timezone.now(), password="!")
    for n in range(COUNT)
]
Resident.objects.bulk_create(residents)
keys = []
for resident in Resident.objects.filter(email__startswith="bench"):
    session = SessionStore()
    session[accounts.SESSION_KEY] = resident.pk
    session[accounts.SESSION_HASH_KEY] = resident.session_hash()
    session.create()
    keys.append(session.session_key)
units = {}
for facility in Facility.objects.filter(slug__in=FACILITIES):
    units[facility.slug] = [
        {"id": u.pk, "purpose": u.purposes.first().pk}
        for u in facility.units.order_by("sort_order")
    ]
print(json.dumps({"sessions": keys, "units": units}))
"""


def add_arguments(parser):
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--attempts", type=int, default=5, help="requests per client")
    parser.add_argument("--availability-requests", type=int, default=300)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    parser.add_argument("--threads", type=int, default=8, help="threads per worker")
    parser.add_argument(
        "--postgres",
        default=os.environ.get(
            "PORTAL_BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432"
        ),
        help="PostgreSQL server (without database name)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the database")
    parser.add_argument(
        "--settings",
        default="cms.settings",
        help="settings module the server runs with (e.g. production-like settings)",
    )


def percentiles(values_ms: list[float]) -> dict:
    if not values_ms:
        return {}
    ordered = sorted(values_ms)
    cuts = statistics.quantiles(ordered, n=100, method="inclusive")
    return {
        "p50_ms": round(cuts[49], 1),
        "p95_ms": round(cuts[94], 1),
        "p99_ms": round(cuts[98], 1),
        "max_ms": round(ordered[-1], 1),
    }


def _admin(server: str):
    import psycopg

    return psycopg.connect(
        server.replace("postgres://", "postgresql://", 1) + "/postgres", autocommit=True
    )


def _start_server(env, args, workdir: Path):
    def ready(port: int) -> bool:
        try:
            return requests.get(f"http://127.0.0.1:{port}/reserve/", timeout=30).ok
        except requests.RequestException:
            return False

    server, port = start_gunicorn(
        env, workdir, workers=args.workers, threads=args.threads, ready=ready
    )
    return server, f"http://127.0.0.1:{port}"


def _client(url: str, session_key: str) -> requests.Session:
    session = requests.Session()
    session.headers["Connection"] = "close"
    session.cookies.set("sessionid", session_key)
    token = session.get(f"{url}/api/reservations/csrf", timeout=60).json()["csrf_token"]
    session.headers["X-CSRFToken"] = token
    return session


def _requests_for(rng, units, day, attempts):
    """Overlapping asks: whole courts and halves, 1–3 hours from 9:00 to 20:00."""
    asks = []
    for _ in range(attempts):
        slug = rng.choice(FACILITIES)
        unit = rng.choice(units[slug])
        length = rng.choice([1, 1, 2, 3])
        hour = rng.randint(9, 21 - length)
        start = dt.datetime.combine(
            day, dt.time(hour), dt.timezone(dt.timedelta(hours=9))
        )
        asks.append(
            {
                "unit": unit["id"],
                "start": start.isoformat(),
                "end": (start + dt.timedelta(hours=length)).isoformat(),
                "purpose": unit["purpose"],
                "headcount": 10,
                "accept_rules": True,
            }
        )
    return asks


def run(args) -> dict:
    workdir = Path(tempfile.mkdtemp(prefix="bench-reservations-"))
    database_url = f"{args.postgres}/{DATABASE}"
    with _admin(args.postgres) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{DATABASE}"')
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": args.settings,
        "PORTAL_ENV": "development",
        "DEBUG": "0",
        "PORTAL_VAR_DIR": str(workdir / "var"),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "PORTAL_TASKS_BACKEND": "django_tasks.backends.dummy.DummyBackend",
        "LOG_LEVEL": "WARNING",
        # All 200 clients come from 127.0.0.1: lift the public side's overall per-IP
        # limit (cms.ops), which would otherwise refuse most of them; the endpoint's
        # own per-user limits stay.
        "PORTAL_PUBLIC_RATE_LIMIT_PER_IP": "100000000",
        "PORTAL_PUBLIC_RATE_LIMIT_PER_SESSION": "100000000",
        "PYTHONPATH": os.pathsep.join(
            filter(None, [str(ROOT), os.environ.get("PYTHONPATH", "")])
        ),
    }
    server = None
    try:
        run_step(
            env, [sys.executable, "-m", "cms.cli", "migrate", "--noinput"], "migrate"
        )
        seed = SEED.replace("COUNT", str(args.clients)).replace(
            "FACILITIES", repr(FACILITIES)
        )
        data = json.loads(
            run_step(env, [sys.executable, "-c", seed], "demo data and residents")
            .strip()
            .splitlines()[-1]
        )
        server, url = _start_server(env, args, workdir)
        print(f"… server {url} ({args.workers}×{args.threads} threads)", flush=True)

        # Five days ahead: inside the booking window, past the 24-hour cut-off.
        day = dt.date.today() + dt.timedelta(days=5)
        while day.weekday() == 0:  # the gymnasiums close on Mondays
            day += dt.timedelta(days=1)
        rng = random.Random(20250)
        with ThreadPoolExecutor(max_workers=32) as pool:
            clients = list(
                pool.map(
                    lambda key: _client(url, key), data["sessions"][: args.clients]
                )
            )
        plans = [_requests_for(rng, data["units"], day, args.attempts) for _ in clients]
        results: list[tuple[int, float]] = []
        lock = threading.Lock()
        barrier = threading.Barrier(len(clients))

        def book(pair):
            session, asks = pair
            barrier.wait()
            for ask in asks:
                started = time.perf_counter()
                try:
                    status = session.post(
                        f"{url}/api/reservations/bookings", json=ask, timeout=120
                    ).status_code
                except requests.RequestException:
                    status = 0
                with lock:
                    results.append((status, (time.perf_counter() - started) * 1000))

        print(
            f"… {len(clients)} clients × {args.attempts} booking requests, "
            f"{day:%Y-%m-%d} at {', '.join(FACILITIES)}",
            flush=True,
        )
        started = time.monotonic()
        with ThreadPoolExecutor(max_workers=len(clients)) as pool:
            list(pool.map(book, zip(clients, plans, strict=True)))
        elapsed = time.monotonic() - started

        statuses = [status for status, _ in results]
        made = statuses.count(201)
        refused = statuses.count(409)
        import psycopg

        with psycopg.connect(
            database_url.replace("postgres://", "postgresql://", 1)
        ) as connection:
            double = connection.execute(
                "SELECT count(*) FROM reservations_occupiedslot a "
                "JOIN reservations_occupiedslot b ON a.unit_id = b.unit_id "
                "AND a.id < b.id AND a.starts_at < b.ends_at AND b.starts_at < a.ends_at"
            ).fetchone()[0]
            stored = connection.execute(
                "SELECT count(*) FROM reservations_booking b "
                "JOIN reservations_resident r ON r.id = b.resident_id "
                "WHERE r.email LIKE 'bench%%' AND b.status = 'confirmed'"
            ).fetchone()[0]
        print(
            f"  bookings made {made}, conflicts refused {refused}, "
            f"other {len(statuses) - made - refused}, double bookings {double}",
            flush=True,
        )

        print(f"… availability × {args.availability_requests}", flush=True)
        slugs = [
            f["slug"]
            for f in requests.get(
                f"{url}/api/reservations/facilities", timeout=30
            ).json()
        ]
        session = requests.Session()
        # Warm-up, not measured: each gunicorn worker imports the API's routers on
        # its first /api/ request.
        for n in range(4 * args.workers):
            session.get(
                f"{url}/api/reservations/facilities/{slugs[n % len(slugs)]}/availability",
                timeout=60,
            )

        def measure(start_for) -> dict:
            latencies = []
            for n in range(args.availability_requests):
                slug = slugs[n % len(slugs)]
                started_one = time.perf_counter()
                response = session.get(
                    f"{url}/api/reservations/facilities/{slug}/availability",
                    params={"start": f"{start_for(n):%Y-%m-%d}", "days": 7},
                    timeout=30,
                )
                latencies.append((time.perf_counter() - started_one) * 1000)
                assert response.status_code == 200, response.text[:300]
            return percentiles(latencies)

        # As residents browse: the coming weeks, answers cached per facility until
        # something changes (or the minute turns).
        availability = measure(lambda n: day)
        print(f"  availability, the coming week {availability}", flush=True)
        # Every request a different week: each one computed from the database.
        uncached = measure(lambda n: day + dt.timedelta(days=n + 1))
        print(f"  availability, every request a new week {uncached}", flush=True)

        return {
            "database": "postgresql",
            "clients": len(clients),
            "booking_requests": len(statuses),
            "bookings_made": made,
            "conflicts_refused": refused,
            "other_answers": {
                str(s): statuses.count(s)
                for s in sorted(set(statuses))
                if s not in (201, 409)
            },
            "bookings_in_database": stored,
            "double_bookings": double,
            "booking_latency": percentiles([ms for _, ms in results]),
            "booking_seconds": round(elapsed, 2),
            "booking_requests_per_second": round(len(statuses) / elapsed, 1),
            "availability_latency": availability,
            "availability_p95_ok": availability.get("p95_ms", 1e9)
            <= AVAILABILITY_TARGET_MS,
            "server": f"gunicorn {args.workers} workers × {args.threads} threads",
        }
    finally:
        if server is not None:
            server.terminate()
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()
        if not args.keep:
            with _admin(args.postgres) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
