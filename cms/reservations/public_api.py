"""The reservations JSON API (``/api/reservations/…``) the static site's booking
pages call: facilities, availability for a date range, the logged-in resident's
bookings, a quote (the confirmation step: fee and every rule broken, nothing
written), booking and cancelling.

Residents authenticate with their session cookie (log in at ``/reserve/account/
login/``); every POST needs the CSRF token (``X-CSRFToken`` header, from
``GET /api/reservations/csrf`` or the ``csrftoken`` cookie).
"""

import datetime as dt
import json
from typing import Literal

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from ninja import Field, Router, Schema, Status
from ninja.security import APIKeyCookie

from . import accounts
from .availability import MAX_DAYS, facility_availability
from .models import (
    Booking,
    BookingStatus,
    BookingUnit,
    Facility,
    UsagePurpose,
    Visibility,
)
from .rules import JST, check_cancel
from .services import (
    BookingDraft,
    BookingRefused,
    assess,
    cancel_booking,
    place_booking,
    rules_around,
)

PREFIX = "reservations"
AVAILABILITY_CACHE_SECONDS = 90


class ResidentSession(APIKeyCookie):
    """The resident's session cookie; POSTs are CSRF-checked by ninja."""

    param_name = settings.SESSION_COOKIE_NAME

    def authenticate(self, request, key):
        if not key:
            return None
        return accounts.current_resident(request)


resident_auth = ResidentSession()
router = Router(tags=["施設予約"])


# --- Schemas -----------------------------------------------------------------


class Problem(Schema):
    code: str
    message: str


class ErrorOut(Schema):
    detail: str
    problems: list[Problem] = []


class FacilitySummary(Schema):
    slug: str
    name: str
    group: str
    address: str
    url: str


class UnitOut(Schema):
    id: int
    name: str
    part_of: int | None
    bookable_online: bool
    capacity: int | None
    fees: dict[str, int] = Field(
        description="利用者区分ごとの1時間あたりの使用料（円）"
    )
    purposes: list[str]


class EquipmentOut(Schema):
    id: int
    name: str
    unit: int | None
    stock: int
    counter: str
    price_yen: int
    pricing: str


class HoursOut(Schema):
    weekday: int = Field(description="0=月曜 … 6=日曜")
    opens: str
    closes: str


class FacilityOut(FacilitySummary):
    description: str
    phone: str
    guide_url: str
    rules_text: str
    slot_minutes: int
    booking_opens_days: int
    booking_closes_hours: int
    change_deadline_days: int
    residents_may_cancel: bool
    hours: list[HoursOut]
    units: list[UnitOut]
    equipment: list[EquipmentOut]


class SlotOut(Schema):
    start: dt.datetime
    end: dt.datetime
    state: Literal["free", "booked", "blocked", "unavailable", "lottery"] = Field(
        description="free: 予約可、lottery: 抽選の申込受付中、booked: 予約済み、"
        "blocked: 利用不可、unavailable: 受付期間外・過去"
    )


class DayOut(Schema):
    date: dt.date
    closed: str | None = Field(description="休館の理由（開館日は null）")
    mark: str
    slots: list[SlotOut]


class UnitAvailabilityOut(Schema):
    id: int
    name: str
    bookable_online: bool
    days: list[DayOut]


class AvailabilityOut(Schema):
    facility: str
    start: dt.date
    days: int
    slot_minutes: int
    units: list[UnitAvailabilityOut]


class EquipmentIn(Schema):
    id: int
    quantity: int = Field(ge=1)


class BookingIn(Schema):
    unit: int
    start: dt.datetime
    end: dt.datetime
    purpose: int | None = None
    headcount: int = Field(ge=1, le=9999)
    activity: str = Field("", max_length=200)
    equipment: list[EquipmentIn] = []
    accept_rules: bool = False


class FeeLineOut(Schema):
    label: str
    amount: int


class QuoteOut(Schema):
    ok: bool
    fee_yen: int
    lines: list[FeeLineOut]
    problems: list[Problem]


class BookingOut(Schema):
    number: str
    status: str
    facility: str
    unit: str
    start: dt.datetime
    end: dt.datetime
    fee_yen: int
    can_cancel: bool
    url: str


class MeOut(Schema):
    name: str
    email: str
    category: str
    can_book: bool


class CsrfOut(Schema):
    csrf_token: str


# --- Helpers -----------------------------------------------------------------


def _facility(slug: str) -> Facility:
    return get_object_or_404(Facility, slug=slug, is_public=True)


def _booking_out(booking: Booking, now=None) -> dict:
    now = now or timezone.now()
    can_cancel = booking.is_active and not check_cancel(
        rules_around(booking.facility, booking.starts_at), booking.starts_at, now
    )
    return {
        "number": booking.number,
        "status": booking.status,
        "facility": booking.facility.name,
        "unit": booking.unit.name,
        "start": booking.starts_at,
        "end": booking.ends_at,
        "fee_yen": booking.fee_yen,
        "can_cancel": can_cancel,
        "url": reverse("reservations:booking", args=[booking.number]),
    }


def _draft(resident, payload: BookingIn) -> BookingDraft | None:
    unit = (
        BookingUnit.objects.select_related("facility")
        .filter(pk=payload.unit, facility__is_public=True)
        .exclude(visibility=Visibility.HIDDEN)
        .first()
    )
    if unit is None:
        return None
    purpose = (
        UsagePurpose.objects.filter(pk=payload.purpose).first()
        if payload.purpose
        else None
    )
    equipment: dict[int, int] = {}
    for line in payload.equipment:
        equipment[line.id] = equipment.get(line.id, 0) + line.quantity
    return BookingDraft.for_resident(
        resident,
        unit,
        starts_at=payload.start.astimezone(JST),
        ends_at=payload.end.astimezone(JST),
        purpose=purpose,
        headcount=payload.headcount,
        activity=payload.activity,
        equipment=equipment,
        rules_accepted=payload.accept_rules,
    )


def _problems(violations) -> list[dict]:
    return [{"code": v.code, "message": v.message} for v in violations]


NO_UNIT = {"detail": "指定された室場・面はありません。", "problems": []}
NOT_CONFIRMED = {
    "detail": "メールアドレスの確認が済んでいません。登録時のメールのリンクを開いてください。",
    "problems": [],
}


# --- Endpoints ---------------------------------------------------------------


@router.get(
    "/csrf", response=CsrfOut, summary="CSRFトークン（POSTの X-CSRFToken に使う）"
)
def csrf(request):
    return {"csrf_token": get_token(request)}


@router.get("/facilities", response=list[FacilitySummary], summary="施設の一覧")
def facilities(request):
    return [
        {
            "slug": f.slug,
            "name": f.name,
            "group": f.group,
            "address": f.address,
            "url": reverse("reservations:facility", args=[f.slug]),
        }
        for f in Facility.objects.filter(is_public=True)
    ]


@router.get("/facilities/{slug}", response=FacilityOut, summary="施設の詳細")
def facility(request, slug: str):
    f = _facility(slug)
    units = f.units.exclude(visibility=Visibility.HIDDEN).prefetch_related("purposes")
    return {
        "slug": f.slug,
        "name": f.name,
        "group": f.group,
        "address": f.address,
        "url": reverse("reservations:facility", args=[f.slug]),
        "description": f.description,
        "phone": f.phone,
        "guide_url": f.guide_url,
        "rules_text": f.rules_text,
        "slot_minutes": f.slot_minutes,
        "booking_opens_days": f.booking_opens_days,
        "booking_closes_hours": f.booking_closes_hours,
        "change_deadline_days": f.change_deadline_days,
        "residents_may_cancel": f.residents_may_cancel,
        "hours": [
            {
                "weekday": h.weekday,
                "opens": f"{h.opens:%H:%M}",
                "closes": f"{h.closes:%H:%M}",
            }
            for h in f.opening_hours.order_by("weekday")
        ],
        "units": [
            {
                "id": u.pk,
                "name": u.name,
                "part_of": u.part_of_id,
                "bookable_online": u.visibility == Visibility.PUBLIC,
                "capacity": u.capacity,
                "fees": u.hourly_rates,
                "purposes": [p.name for p in u.purposes.all()],
            }
            for u in units
        ],
        "equipment": [
            {
                "id": e.pk,
                "name": e.name,
                "unit": e.unit_id,
                "stock": e.stock,
                "counter": e.counter,
                "price_yen": e.price_yen,
                "pricing": e.pricing,
            }
            for e in f.equipment.filter(is_public=True)
        ],
    }


@router.get(
    "/facilities/{slug}/availability",
    response={200: AvailabilityOut, 404: ErrorOut},
    summary="空き状況（開始日から最大31日）",
)
def availability(request, slug: str, start: dt.date | None = None, days: int = 7):
    f = _facility(slug)
    first_day = start or timezone.localdate()
    days = max(1, min(days, MAX_DAYS))
    # Residents mostly look at the same weeks, so answers are cached, keyed by the
    # facility's availability version (bumped by every booking and every change of
    # units, hours or calendar) and by the minute (slots pass into the past).
    now = timezone.now()
    key = (
        f"reservations:availability:{f.pk}:{f.availability_version}:"
        f"{first_day}:{days}:{int(now.timestamp() // 60)}"
    )
    body = cache.get(key)
    if body is None:
        body = _availability_json(f, first_day, days, now)
        cache.set(key, body, AVAILABILITY_CACHE_SECONDS)
    return HttpResponse(body, content_type="application/json")


def _availability_json(f: Facility, first_day: dt.date, days: int, now) -> bytes:
    units = facility_availability(f, first_day, days, now=now)
    # Written straight to JSON (the schema above documents it): validating a few
    # thousand slot objects on the way out would cost more than computing them.
    return json.dumps(
        {
            "facility": f.slug,
            "start": first_day.isoformat(),
            "days": days,
            "slot_minutes": f.slot_minutes,
            "units": [
                {
                    "id": a.unit.pk,
                    "name": a.unit.name,
                    "bookable_online": a.bookable_online,
                    "days": [
                        {
                            "date": d.day.isoformat(),
                            "closed": d.closed_reason or None,
                            "mark": d.mark,
                            "slots": [
                                {
                                    "start": s.start_text,
                                    "end": s.end_text,
                                    "state": s.state,
                                }
                                for s in d.slots
                            ],
                        }
                        for d in a.days
                    ],
                }
                for a in units
            ],
        },
        ensure_ascii=False,
        separators=(",", ":"),
    ).encode()


@router.get(
    "/me", response={200: MeOut}, auth=resident_auth, summary="ログイン中の利用者"
)
def me(request):
    resident = request.auth
    return {
        "name": resident.name,
        "email": resident.email,
        "category": resident.category,
        "can_book": resident.can_book,
    }


@router.get(
    "/bookings", response=list[BookingOut], auth=resident_auth, summary="自分の予約"
)
def my_bookings(request, include_past: bool = False):
    bookings = request.auth.bookings.select_related("facility", "unit").order_by(
        "starts_at"
    )
    if not include_past:
        bookings = bookings.filter(
            status=BookingStatus.CONFIRMED, ends_at__gt=timezone.now()
        )
    return [_booking_out(b) for b in bookings]


@router.post(
    "/quote",
    response={200: QuoteOut, 403: ErrorOut, 404: ErrorOut},
    auth=resident_auth,
    summary="予約内容の確認（料金と確認事項。予約はしない）",
)
def quote(request, payload: BookingIn):
    draft = _draft(request.auth, payload)
    if draft is None:
        return Status(404, NO_UNIT)
    assessment = assess(draft)
    return {
        "ok": assessment.ok,
        "fee_yen": assessment.fee.total,
        "lines": [{"label": x.label, "amount": x.amount} for x in assessment.fee.lines],
        "problems": _problems(assessment.violations),
    }


@router.post(
    "/bookings",
    response={
        201: BookingOut,
        403: ErrorOut,
        404: ErrorOut,
        409: ErrorOut,
        422: ErrorOut,
    },
    auth=resident_auth,
    summary="予約する",
    description="409: その時間はすでに予約済み。422: ほかの規則に合わない（problems に理由）。",
)
def create_booking(request, payload: BookingIn):
    resident = request.auth
    if not resident.can_book:
        return Status(403, NOT_CONFIRMED)
    draft = _draft(resident, payload)
    if draft is None:
        return Status(404, NO_UNIT)
    try:
        booking = place_booking(draft)
    except BookingRefused as refused:
        status = 409 if "taken" in refused.codes else 422
        return Status(
            status, {"detail": str(refused), "problems": _problems(refused.violations)}
        )
    return Status(201, _booking_out(booking))


@router.post(
    "/bookings/{number}/cancel",
    response={200: BookingOut, 404: ErrorOut, 422: ErrorOut},
    auth=resident_auth,
    summary="予約を取り消す",
)
def cancel(request, number: str):
    booking = (
        Booking.objects.select_related("facility", "unit")
        .filter(number=number, resident=request.auth)
        .first()
    )
    if booking is None:
        return Status(404, {"detail": "予約が見つかりません。", "problems": []})
    try:
        cancel_booking(booking, resident=request.auth, reason="利用者による取消")
    except BookingRefused as refused:
        return Status(
            422, {"detail": str(refused), "problems": _problems(refused.violations)}
        )
    return Status(200, _booking_out(booking))
