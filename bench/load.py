"""``portal bench load``: sustained requests per second of the public endpoints
visitors hit most, the chatbot (``POST /api/chat/``) and the availability calendar
(``GET /api/reservations/facilities/<slug>/availability``), on loopback.

Builds a fresh portal (SQLite in a temporary folder, or ``--postgres``), loads the
chatbot's demo FAQ and the 17 demo facilities, serves it with gunicorn, then runs
closed-loop clients at rising concurrency, ``--seconds`` per level, half chat
questions and half availability reads (a random facility and week). Each request
comes from one of a thousand loopback addresses (127.0.1.x–127.0.4.x), so the
per-address rate limits see many visitors, as in production, instead of refusing
everything from 127.0.0.1. Bounded: at most levels × seconds of traffic, only to
127.0.0.0/8, then the server is stopped.

Reports, per level, requests/s and latency percentiles per endpoint, and the best
sustained rate whose p95 stays under ``--p95-target-ms`` (200). Last line: JSON.
"""

import http.client
import json
import os
import random
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

from bench._server import run_step, start_gunicorn

ROOT = Path(__file__).resolve().parents[1]

SEED = """
import django, json
django.setup()
from collections import Counter
from cms.chat.demo import load_demo_faq
from cms.chat.models import FaqAnswer
from cms.reservations.demo import load_reservation_demo
from cms.reservations.models import Facility
load_demo_faq(Counter())
load_reservation_demo(Counter())
print(json.dumps({
    "questions": list(FaqAnswer.objects.values_list("question", flat=True)[:200]),
    "facilities": list(Facility.objects.values_list("slug", flat=True)),
}, ensure_ascii=False))
"""


def add_arguments(parser):
    parser.add_argument("--levels", default="2,4,8,16", help="concurrent clients")
    parser.add_argument("--seconds", type=float, default=15, help="per level")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--threads", type=int, default=4, help="threads per worker")
    parser.add_argument("--p95-target-ms", type=float, default=200)
    parser.add_argument(
        "--postgres", help="PostgreSQL URL of an empty database (default: SQLite)"
    )


def percentiles(values: list[float]) -> dict:
    if len(values) < 2:
        return {"count": len(values)}
    cuts = statistics.quantiles(sorted(values), n=100, method="inclusive")
    return {
        "count": len(values),
        "p50_ms": round(cuts[49], 1),
        "p95_ms": round(cuts[94], 1),
        "p99_ms": round(cuts[98], 1),
        "max_ms": round(max(values), 1),
    }


def _start_server(env, args, workdir: Path):
    def ready(port: int) -> bool:
        return _request(port, "GET", "/healthz", None, "127.0.0.1")[0] == 200

    return start_gunicorn(
        env,
        workdir,
        workers=args.workers,
        threads=args.threads,
        ready=ready,
        backlog=1024,
        wait_seconds=120,
    )


def _request(port, method, path, body, source_ip):
    connection = http.client.HTTPConnection(
        "127.0.0.1", port, timeout=30, source_address=(source_ip, 0)
    )
    try:
        headers = {"Content-Type": "application/json"} if body else {}
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        response.read()
        return response.status, None
    finally:
        connection.close()


def _level(port, clients, seconds, data, seed) -> dict:
    results = {"chat": [], "availability": []}
    errors = {"chat": 0, "availability": 0}
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds
    # Weeks ahead of today, as residents browse them.
    import datetime as dt

    today = dt.date.today()
    starts = [(today + dt.timedelta(days=7 * w)).isoformat() for w in range(6)]

    def client(n):
        local = random.Random(seed * 1000 + n)
        while time.monotonic() < stop_at:
            source = f"127.0.{local.randint(1, 4)}.{local.randint(1, 250)}"
            if local.random() < 0.5:
                kind = "chat"
                body = json.dumps(
                    {"message": local.choice(data["questions"])}, ensure_ascii=False
                ).encode()
                call = ("POST", "/api/chat/", body)
            else:
                kind = "availability"
                slug = local.choice(data["facilities"])
                path = (
                    f"/api/reservations/facilities/{slug}/availability"
                    f"?start={local.choice(starts)}&days=7"
                )
                call = ("GET", path, None)
            started = time.perf_counter()
            try:
                status, _ = _request(port, *call, source)
            except OSError:
                status = 0
            elapsed = (time.perf_counter() - started) * 1000
            with lock:
                if status == 200:
                    results[kind].append(elapsed)
                else:
                    errors[kind] += 1

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    began = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    duration = time.monotonic() - began
    everything = results["chat"] + results["availability"]
    return {
        "clients": clients,
        "seconds": round(duration, 1),
        "requests_per_second": round(len(everything) / duration, 1),
        "all": percentiles(everything),
        "chat": percentiles(results["chat"]),
        "availability": percentiles(results["availability"]),
        "errors": errors,
    }


def run(args) -> dict:
    rng = random.Random(2026)
    workdir = Path(tempfile.mkdtemp(prefix="bench-load-"))
    database_url = args.postgres or f"sqlite:///{workdir / 'portal.sqlite3'}"
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "cms.settings",
        "PORTAL_ENV": "development",
        "DEBUG": "0",
        "PORTAL_VAR_DIR": str(workdir / "var"),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "PORTAL_TASKS_BACKEND": "django_tasks.backends.dummy.DummyBackend",
        "PORTAL_CHAT_EMBEDDINGS": os.environ.get("PORTAL_CHAT_EMBEDDINGS", "auto"),
        "LOG_LEVEL": "WARNING",
        "PYTHONPATH": os.pathsep.join(
            filter(None, [str(ROOT), os.environ.get("PYTHONPATH", "")])
        ),
    }
    run_step(env, [sys.executable, "-m", "cms.cli", "migrate", "--noinput"], "migrate")
    output = run_step(env, [sys.executable, "-c", SEED], "demo FAQ and facilities")
    data = json.loads(output.strip().splitlines()[-1])
    server, port = _start_server(env, args, workdir)
    levels = []
    try:
        # Warm-up (not measured): every worker loads the matcher and the routers.
        _level(port, 4, 5, data, rng.randint(0, 10**6))
        for clients in (int(n) for n in args.levels.split(",")):
            level = _level(port, clients, args.seconds, data, rng.randint(0, 10**6))
            levels.append(level)
            print(
                f"  {clients:>3} clients: {level['requests_per_second']:>7} req/s, "
                f"p95 {level['all'].get('p95_ms')} ms "
                f"(chat {level['chat'].get('p95_ms')}, "
                f"availability {level['availability'].get('p95_ms')}), "
                f"errors {level['errors']}",
                flush=True,
            )
    finally:
        server.terminate()
        server.wait(timeout=30)
    within = [lv for lv in levels if lv["all"].get("p95_ms", 1e9) < args.p95_target_ms]
    best = max(within, key=lambda lv: lv["requests_per_second"], default=None)
    return {
        "benchmark": "load",
        "database": "postgresql" if args.postgres else "sqlite",
        "server": f"gunicorn {args.workers} workers × {args.threads} threads",
        "p95_target_ms": args.p95_target_ms,
        "sustained_requests_per_second": best["requests_per_second"] if best else 0,
        "at_clients": best["clients"] if best else None,
        "p95_ms_at_best": best["all"]["p95_ms"] if best else None,
        "levels": levels,
    }
