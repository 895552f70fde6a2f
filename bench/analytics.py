"""``portal bench analytics``: page-view ingest over loopback and the monthly
report for a month of 1,000,000 page views.

A fresh database (the embedded SQLite by default, ``--postgres`` for PostgreSQL)
is migrated and given the 44 Ibaraki municipalities. Then:

1. **Ingest**: gunicorn serves the app; ``--clients`` threads with keep-alive
   connections POST ``--events`` page views to ``/api/collect/`` as collect.js
   does (varied pages, referrers, UTM tags, devices). Reports events/s (target
   ≥ 500) and checks every event was stored. The per-IP limits are raised for
   the run: every request comes from 127.0.0.1, unlike real visitors.
2. **Rollup**: one day of ``--rollup-events`` raw events (a 1,000,000-page-view
   month is ~33,000 a day) aggregated into the daily tables.
3. **Report**: a month of ``--pageviews`` page views over ``--pages`` pages of the
   44 municipalities, synthesised at the aggregate level (``cms.analytics.demo``),
   and the monthly report built from it with all sections, as HTML and as PDF
   (target ≤ 10 s).

The last line printed is the JSON summary.
"""

import http.client
import json
import os
import random
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from bench._server import run_step, start_gunicorn

ROOT = Path(__file__).resolve().parents[1]
DATABASE = "portal_bench_analytics"
TOWNS = ROOT / "cms" / "core" / "demo" / "data" / "ibaraki_municipalities.tsv"
INGEST_TARGET = 500
REPORT_TARGET_SECONDS = 10

WORK = """
import datetime, json, random, time, django
django.setup()
from django.db.models import Sum
from cms.analytics.models import PageEvent, DailySiteStat
from cms.analytics.rollup import rollup, rollup_day
from cms.analytics.demo import synthesize
from cms.analytics.report import build_report
from cms.core.models import Municipality

out = {"stored_events": PageEvent.objects.count()}
started = time.perf_counter()
rollup()
out["rollup_ingested_seconds"] = round(time.perf_counter() - started, 3)

# One busy day of raw events: visitors with 1-6 page views, some after a pause.
rng = random.Random(7)
day = datetime.date(2026, 9, 30)
base = datetime.datetime(2026, 9, 30, 0, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=9)))
slugs = list(Municipality.objects.values_list("slug", flat=True))
events, n = [], 0
while len(events) < ROLLUP_EVENTS:
    n += 1
    moment = base + datetime.timedelta(seconds=rng.randint(0, 86000))
    for _ in range(rng.randint(1, 6)):
        moment += datetime.timedelta(seconds=rng.choice([20, 60, 120, 2400]))
        events.append(PageEvent(created_at=moment, day=day, visitor=f"{n:016x}",
            path=f"/towns/{rng.choice(slugs)}/akiya/{rng.randint(1, 30)}/",
            referrer_host=rng.choice(["", "", "google.co.jp", "yahoo.co.jp"]),
            device=rng.choice(["mobile", "mobile", "desktop"]), region="JP-13"))
PageEvent.objects.bulk_create(events[:ROLLUP_EVENTS], batch_size=5000)
started = time.perf_counter()
result = rollup_day(day)
out["rollup_day_events"] = ROLLUP_EVENTS
out["rollup_day_seconds"] = round(time.perf_counter() - started, 3)

# A month of PAGEVIEWS page views over PAGES pages of the 44 municipalities.
paths = ["/", "/towns/"] + [f"/towns/{s}/" for s in slugs]
kinds = ["akiya", "events", "trial-stay", "recruitment"]
while len(paths) < PAGES:
    paths.append(f"/towns/{rng.choice(slugs)}/{rng.choice(kinds)}/{len(paths)}/")
month = [datetime.date(2026, 10, 1) + datetime.timedelta(days=i) for i in range(31)]
started = time.perf_counter()
synthesize(month, paths, base_pageviews=PAGEVIEWS // 31)
out["synthesize_seconds"] = round(time.perf_counter() - started, 1)
out["month_pageviews"] = DailySiteStat.objects.filter(day__month=10).aggregate(s=Sum("pageviews"))["s"]
from cms.analytics.models import DailyPageStat
out["month_page_rows"] = DailyPageStat.objects.filter(day__month=10).count()

started = time.perf_counter()
report = build_report(2026, 10)
built = time.perf_counter()
html = report.html()
html_done = time.perf_counter()
pdf = report.pdf()
done = time.perf_counter()
out.update(
    report_sections=[s.key for s in report.sections],
    report_failures=report.failures,
    report_build_seconds=round(built - started, 2),
    report_html_seconds=round(html_done - built, 2),
    report_pdf_seconds=round(done - html_done, 2),
    report_total_seconds=round(done - started, 2),
    report_pdf_bytes=len(pdf),
    report_html_bytes=len(html),
)
open(PDF_PATH, "wb").write(pdf)
print(json.dumps(out))
"""

USER_AGENTS = [
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko)"
    " Chrome/131.0.0.0 Mobile Safari/537.36",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko)"
    " Chrome/131.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like "
    "Gecko) Version/17.5 Safari/605.1.15",
]


def add_arguments(parser):
    parser.add_argument("--events", type=int, default=6000, help="page views sent")
    parser.add_argument("--clients", type=int, default=16, help="sending threads")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument(
        "--threads", type=int, default=8, help="threads per worker (0: sync workers)"
    )
    parser.add_argument("--rollup-events", type=int, default=33_000)
    parser.add_argument("--pageviews", type=int, default=1_000_000)
    parser.add_argument("--pages", type=int, default=3000)
    parser.add_argument(
        "--postgres",
        nargs="?",
        const=os.environ.get(
            "PORTAL_BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432"
        ),
        help="use PostgreSQL (server URL without database) instead of SQLite",
    )
    parser.add_argument("--keep", action="store_true", help="keep the work folder")
    parser.add_argument(
        "--settings",
        default="cms.settings",
        help="settings module the server runs with (e.g. persistent DB connections)",
    )


def _start_server(env, args, workdir: Path):
    def ready(port: int) -> bool:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        connection.request("GET", "/api/collect/pixel.gif")
        return connection.getresponse().status == 200

    return start_gunicorn(
        env, workdir, workers=args.workers, threads=args.threads, ready=ready
    )


def _events(count: int, seed: int) -> list[tuple[bytes, str]]:
    rng = random.Random(seed)
    out = []
    for n in range(count):
        path = rng.choice(
            [
                "/",
                "/towns/",
                "/towns/mito/",
                "/towns/daigo/akiya/12/",
                f"/towns/kasama/events/{n % 50}/",
            ]
        )
        if rng.random() < 0.1:
            path += "?utm_source=newsletter&utm_medium=email&utm_campaign=nov"
        body = json.dumps(
            {
                "e": "pageview",
                "u": path,
                "w": rng.choice([390, 1280, 820]),
                "r": rng.choice(
                    ["", "", "https://www.google.co.jp/", "https://t.co/x"]
                ),
            }
        ).encode()
        # A few hundred distinct browsers (the hash mixes in the user agent).
        ua = f"{rng.choice(USER_AGENTS)} portal-visitor/{rng.randint(1, 400)}"
        out.append((body, ua))
    return out


def _send(port: int, batch, latencies: list, lock) -> int:
    # A new connection per event, as browsers' beacons from different visitors
    # arrive (keep-alive would also meet Nagle/delayed-ACK stalls on loopback).
    ok, own = 0, []
    for body, ua in batch:
        started = time.perf_counter()
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        connection.request(
            "POST",
            "/api/collect/",
            body=body,
            headers={
                "Content-Type": "text/plain;charset=UTF-8",
                "User-Agent": ua,
                "Host": "127.0.0.1",
            },
        )
        response = connection.getresponse()
        response.read()
        connection.close()
        own.append((time.perf_counter() - started) * 1000)
        ok += response.status == 204
    with lock:
        latencies.extend(own)
    return ok


def _ingest(port: int, args) -> dict:
    warm = _events(200, 1)
    _send(port, warm, [], threading.Lock())
    events = _events(args.events, 2)
    batches = [events[i :: args.clients] for i in range(args.clients)]
    latencies, lock = [], threading.Lock()
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=args.clients) as pool:
        accepted = sum(pool.map(lambda b: _send(port, b, latencies, lock), batches))
    seconds = time.perf_counter() - started
    latencies.sort()
    return {
        "ingest_events": args.events,
        "ingest_accepted": accepted,
        "ingest_seconds": round(seconds, 2),
        "ingest_events_per_second": round(args.events / seconds),
        "ingest_p50_ms": round(latencies[len(latencies) // 2], 1),
        "ingest_p99_ms": round(latencies[int(len(latencies) * 0.99)], 1),
    }


def run(args) -> dict:
    workdir = Path(tempfile.mkdtemp(prefix="bench-analytics-"))
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": args.settings,
        "PORTAL_ENV": "development",
        "DEBUG": "0",
        "PORTAL_VAR_DIR": str(workdir / "var"),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "PORTAL_TASKS_BACKEND": "django_tasks.backends.dummy.DummyBackend",
        "LOG_LEVEL": "WARNING",
        # Persistent connections, as production has them (cms/settings.py).
        "DB_CONN_MAX_AGE": "60",
        # Every request of the benchmark comes from 127.0.0.1.
        "PORTAL_ANALYTICS_RATE_LIMIT": "100000000",
        "PORTAL_PUBLIC_RATE_LIMIT_PER_IP": "100000000",
        "PYTHONPATH": os.pathsep.join(
            filter(None, [str(ROOT), os.environ.get("PYTHONPATH", "")])
        ),
    }
    env.pop("DATABASE_URL", None)
    database = "sqlite"
    if args.postgres:
        import psycopg

        admin_url = args.postgres.replace("postgres://", "postgresql://", 1)
        with psycopg.connect(admin_url + "/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
            admin.execute(f'CREATE DATABASE "{DATABASE}"')
        env["DATABASE_URL"] = f"{args.postgres}/{DATABASE}"
        database = "postgresql"
    server = None
    summary = {"database": database, "cores": os.cpu_count()}
    try:
        portal = [sys.executable, "-m", "cms.cli"]
        run_step(env, [*portal, "migrate", "--noinput"], "migrate")
        run_step(env, [*portal, "setup_site"], "site structure")
        run_step(env, [*portal, "load_municipalities", str(TOWNS)], "44 municipalities")
        server, port = _start_server(env, args, workdir)
        print(
            f"… server 127.0.0.1:{port} ({args.workers}×{args.threads} threads)",
            flush=True,
        )
        load_before = os.getloadavg()[0]
        summary.update(_ingest(port, args))
        # Other work on the machine shares its cores: say how busy it was.
        summary["load_average_1min"] = [
            round(load_before, 2),
            round(os.getloadavg()[0], 2),
        ]
        print(f"  ingest: {summary['ingest_events_per_second']} events/s", flush=True)
        server.terminate()
        server.wait(timeout=30)
        server = None
        pdf_path = workdir / "report-2026-10.pdf"
        script = (
            WORK.replace("ROLLUP_EVENTS", str(args.rollup_events))
            .replace("PAGEVIEWS", str(args.pageviews))
            .replace("PAGES", str(args.pages))
            .replace("PDF_PATH", repr(str(pdf_path)))
        )
        work = json.loads(
            run_step(env, [sys.executable, "-c", script], "rollup and report")
            .strip()
            .splitlines()[-1]
        )
        summary.update(work)
        summary["stored_all"] = (
            work["stored_events"] == summary["ingest_accepted"] + 200
        )
        summary["ingest_target_met"] = (
            summary["ingest_events_per_second"] >= INGEST_TARGET
        )
        summary["report_target_met"] = (
            work["report_total_seconds"] <= REPORT_TARGET_SECONDS
        )
        if args.keep:
            summary["pdf"] = str(pdf_path)
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        if args.postgres and not args.keep:
            import psycopg

            admin_url = args.postgres.replace("postgres://", "postgresql://", 1)
            with psycopg.connect(admin_url + "/postgres", autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
    return summary
