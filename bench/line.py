"""`portal bench line`: the LINE account's pure hot paths, no database or network.

* Webhook signature check (HMAC-SHA256 over the raw body) for a typical 1 KB body
  and a 100-event body: p50/p99 in microseconds.
* Recurrence: the next occurrence of 500 recurring patterns (the CSV bulk
  registration's scale) and a year of occurrences of each, with holidays skipped.
* Rich menus: drawing one 2500×1686 tab image with pillow (ms, bytes vs LINE's 1 MB)
  and checking it against LINE's constraints.

Last line of output is JSON.
"""

import base64
import datetime as dt
import hashlib
import hmac
import json
import random
import statistics
import time
from zoneinfo import ZoneInfo


def add_arguments(parser):
    parser.add_argument("--patterns", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=2000)


def _percentiles(samples):
    samples = sorted(samples)
    return (
        round(statistics.median(samples), 1),
        round(samples[int(len(samples) * 0.99) - 1], 1),
    )


def run(args) -> dict:
    from cms.line import richmenus, schedule
    from cms.line.client import signature_is_valid
    from cms.line.models import RichMenu

    secret = "bench-secret"
    result = {}
    for name, events in (("1kb", 2), ("100_events", 100)):
        body = json.dumps(
            {
                "events": [{"type": "message", "message": {"text": "移住" * 100}}]
                * events
            }
        ).encode()
        signature = base64.b64encode(
            hmac.new(secret.encode(), body, hashlib.sha256).digest()
        ).decode()
        samples = []
        for _ in range(args.repeat):
            started = time.perf_counter()
            assert signature_is_valid(secret, body, signature)
            samples.append((time.perf_counter() - started) * 1e6)
        p50, p99 = _percentiles(samples)
        result[f"signature_{name}_bytes"] = len(body)
        result[f"signature_{name}_p50_us"] = p50
        result[f"signature_{name}_p99_us"] = p99

    rng = random.Random(3)
    rules = []
    for _ in range(args.patterns):
        kind = rng.choice(["daily", "weekly", "monthly", "nth_weekday"])
        rule = {"freq": kind, "time": f"{rng.randint(6, 20):02d}:00"}
        if kind == "weekly":
            rule["weekdays"] = sorted(rng.sample(range(7), rng.randint(1, 3)))
        if kind == "monthly":
            rule["day"] = rng.choice([1, 10, 15, 25, -1])
        if kind == "nth_weekday":
            rule.update(nth=rng.choice([1, 2, 3, 4, -1]), weekday=rng.randint(0, 6))
        rules.append(rule)
    now = dt.datetime(2026, 11, 22, 8, tzinfo=ZoneInfo("Asia/Tokyo"))
    started = time.perf_counter()
    for rule in rules:
        schedule.next_occurrence(rule, now)
    result["recurrence_next_500_ms"] = round((time.perf_counter() - started) * 1000, 1)
    started = time.perf_counter()
    total = sum(len(schedule.occurrences(r, now, limit=366)) for r in rules[:50])
    result["recurrence_year_50_patterns_ms"] = round(
        (time.perf_counter() - started) * 1000, 1
    )
    result["recurrence_year_50_patterns_occurrences"] = total

    tabs = [("kurashi", "暮らし"), ("shigoto", "仕事"), ("sumai", "住まい")]
    items = [
        {"label": f"項目{i}", "action": {"type": "message", "text": f"項目{i}"}}
        for i in range(6)
    ]
    menu = RichMenu(
        name="bench",
        alias_id="kurashi",
        areas=richmenus.tab_menu_areas(tabs, "kurashi", items),
    )
    started = time.perf_counter()
    image = richmenus.draw_menu_image(menu)
    result["menu_image_ms"] = round((time.perf_counter() - started) * 1000, 1)
    result["menu_image_bytes"] = len(image)
    result["menu_image_under_1mb"] = len(image) < richmenus.IMAGE_MAX_BYTES
    result["menu_valid"] = (
        richmenus.validate_rich_menu(richmenus.menu_request(menu)) == []
    )
    return result
