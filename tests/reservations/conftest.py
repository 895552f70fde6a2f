"""Facilities, residents and staff for the reservation tests, and the live portal
server for the races and the browser test.

``gym`` is a small facility built for the tests: a court bookable whole (全面) or
by half (A面/B面), open 9:00–21:00 every day, with nets (stock 2) and lighting
(per hour). Dates are a week ahead, inside the booking window whatever today is.
"""

import datetime as dt
from types import SimpleNamespace

import pytest
from django.utils import timezone

from cms.core.permissions import sync_reservation_staff_group
from cms.reservations.models import (
    BookingUnit,
    Equipment,
    Facility,
    OpeningHours,
    PricingBasis,
    Resident,
    UsagePurpose,
)
from cms.reservations.rules import JST
from tests import factories

from .live import start_portal

IMMEDIATE = {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}
RESIDENT_PASSWORD = "resident-pass-2026"


@pytest.fixture(autouse=True)
def run_background_tasks_inline(settings):
    settings.TASKS = {**settings.TASKS, "background": IMMEDIATE}


@pytest.fixture(autouse=True)
def fresh_cache():
    """Cached availability and rate-limit counts never leak between tests (ids are
    reused after a rollback on SQLite)."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


def make_gym(slug="test-gym", **overrides) -> SimpleNamespace:
    fields = {
        "name": f"テスト体育館 {slug}",
        "slug": slug,
        "group": "社会体育等施設",
        "rules_text": "上履きを使うこと。",
        "slot_minutes": 60,
        "closed_year_end": False,
        "booking_opens_days": 60,
        "booking_closes_hours": 24,
        "change_deadline_days": 3,
        "max_active_bookings": 0,
        "max_hours_per_day": 0,
        "address": "宮崎県東諸県郡国富町",
    }
    fields.update(overrides)
    facility = Facility.objects.create(**fields)
    for weekday in range(7):
        OpeningHours.objects.create(
            facility=facility, weekday=weekday, opens=dt.time(9), closes=dt.time(21)
        )
    volleyball, _ = UsagePurpose.objects.get_or_create(name="バレーボール")
    whole = BookingUnit.objects.create(
        facility=facility,
        name="全面",
        fee_resident=400,
        fee_worker=400,
        fee_student=200,
        fee_outside=800,
        capacity=40,
    )
    half_a = BookingUnit.objects.create(
        facility=facility,
        name="A面（片面）",
        part_of=whole,
        fee_resident=200,
        fee_worker=200,
        fee_student=100,
        fee_outside=400,
        sort_order=1,
    )
    half_b = BookingUnit.objects.create(
        facility=facility,
        name="B面（片面）",
        part_of=whole,
        fee_resident=200,
        fee_worker=200,
        fee_student=100,
        fee_outside=400,
        sort_order=2,
    )
    for unit in (whole, half_a, half_b):
        unit.purposes.add(volleyball)
    nets = Equipment.objects.create(
        facility=facility, name="バレーボールネット", stock=2, price_yen=0
    )
    lights = Equipment.objects.create(
        facility=facility,
        name="夜間照明",
        stock=1,
        price_yen=300,
        pricing=PricingBasis.PER_HOUR,
        counter="式",
    )
    return SimpleNamespace(
        facility=facility,
        whole=whole,
        half_a=half_a,
        half_b=half_b,
        nets=nets,
        lights=lights,
        volleyball=volleyball,
    )


@pytest.fixture
def gym(db):
    return make_gym()


def make_resident(email="hanako@example.jp", category="resident", confirmed=True):
    resident = Resident(
        email=email,
        name="国富 花子",
        name_kana="くにとみ はなこ",
        phone="0985-75-1234",
        category=category,
        email_confirmed_at=timezone.now() if confirmed else None,
    )
    resident.set_password(RESIDENT_PASSWORD)
    resident.save()
    return resident


@pytest.fixture
def resident(db):
    return make_resident()


@pytest.fixture
def day():
    """A day a week ahead (always inside the window, never within 24 hours)."""
    return timezone.localdate() + dt.timedelta(days=7)


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), JST)


@pytest.fixture
def resident_client(client, resident):
    response = client.post(
        "/reserve/account/login/",
        {"email": resident.email, "password": RESIDENT_PASSWORD},
    )
    assert response.status_code == 302
    return client


@pytest.fixture
def reservation_staff(db):
    group = sync_reservation_staff_group()
    return factories.make_user("kunitomi-counter", [group])


@pytest.fixture
def staff_client(client, reservation_staff):
    client.login(username=reservation_staff.username, password=factories.PASSWORD)
    return client


@pytest.fixture(scope="session")
def live_portal(django_db_setup, django_db_blocker, tmp_path_factory):
    """The portal served by gunicorn on a seeded copy of the test database."""
    from django.db import connection

    with django_db_blocker.unblock():
        yield from start_portal(connection, tmp_path_factory.mktemp("live-portal"))
