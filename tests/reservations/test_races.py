"""No double booking under real concurrency: many residents ask for the same slot
at the same moment, over HTTP, against the portal served by gunicorn (two worker
processes, 16 threads each) on this suite's database — SQLite in one run of the
suite, PostgreSQL in the other."""

import datetime as dt
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.utils import timezone

from cms.reservations.rules import JST

# The tests themselves only talk HTTP; the mark makes pytest-django set up the test
# database that the live portal copies.
pytestmark = pytest.mark.django_db


def at(day, hour, minute=0):
    return dt.datetime.combine(day, dt.time(hour, minute), JST).isoformat()


def race(sessions, payloads, url):
    """Send one request per session, all released at the same instant."""
    barrier = threading.Barrier(len(sessions))

    def send(pair):
        session, payload = pair
        barrier.wait()
        return session.post(url, json=payload, timeout=120)

    with ThreadPoolExecutor(max_workers=len(sessions)) as pool:
        return list(pool.map(send, zip(sessions, payloads, strict=True)))


def bookings_of(live_portal, unit_ids, day) -> int:
    placeholders = ",".join(["%s"] * len(unit_ids))
    start = dt.datetime.combine(day, dt.time(0), JST).astimezone(dt.UTC)
    end = start + dt.timedelta(days=1)
    return live_portal.query(
        "SELECT count(*) FROM reservations_booking WHERE status = 'confirmed' "
        f"AND unit_id IN ({placeholders}) AND starts_at >= %s AND starts_at < %s",
        (
            *unit_ids,
            start.strftime("%Y-%m-%d %H:%M:%S"),
            end.strftime("%Y-%m-%d %H:%M:%S"),
        ),
    )[0][0]


def test_fifty_parallel_requests_for_one_slot_give_exactly_one_booking(live_portal):
    day = timezone.localdate() + dt.timedelta(days=7)
    unit = live_portal.unit_id("arena", "メインアリーナ 全面")
    sessions = [live_portal.resident_session(n) for n in range(50)]
    payload = {
        "unit": unit,
        "start": at(day, 10, 30),  # the arena opens at 8:30, hourly slots
        "end": at(day, 12, 30),
        "purpose": live_portal.purpose_id("バドミントン"),
        "headcount": 20,
        "accept_rules": True,
    }
    responses = race(
        sessions, [payload] * 50, f"{live_portal.url}/api/reservations/bookings"
    )
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [201] + [409] * 49, [
        r.text[:200] for r in responses if r.status_code not in (201, 409)
    ]
    assert bookings_of(live_portal, [unit], day) == 1
    assert live_portal.overlapping_rows() == 0


def test_whole_and_half_court_racing_give_one_booking_each_time(live_portal):
    day = timezone.localdate() + dt.timedelta(days=8)
    whole = live_portal.unit_id("yukiki-gym", "全面")
    half = live_portal.unit_id("yukiki-gym", "A面（片面）")
    url = f"{live_portal.url}/api/reservations/bookings"
    volleyball = live_portal.purpose_id("バレーボール")
    won = {whole: 0, half: 0}
    for round_, hour in enumerate(range(9, 21)):  # twelve races, one per hour
        sessions = [
            live_portal.resident_session(50 + 2 * round_),
            live_portal.resident_session(51 + 2 * round_),
        ]
        units = [whole, half] if round_ % 2 == 0 else [half, whole]
        payloads = [
            {
                "unit": unit,
                "start": at(day, hour),
                "end": at(day, hour + 1),
                "purpose": volleyball,
                "headcount": 6,
                "accept_rules": True,
            }
            for unit in units
        ]
        responses = race(sessions, payloads, url)
        assert sorted(r.status_code for r in responses) == [201, 409], [
            r.text[:200] for r in responses
        ]
        for unit, response in zip(units, responses, strict=True):
            won[unit] += response.status_code == 201
    assert bookings_of(live_portal, [whole, half], day) == 12
    assert live_portal.overlapping_rows() == 0
