"""The pages residents load under ``/reserve/`` (served by the public side, same
origin as the static site): facilities and availability, the booking form with a
confirmation step, their bookings, and their account. Server-rendered, usable
without JavaScript; every state change is a POST protected by CSRF."""

import datetime as dt
from functools import wraps
from urllib.parse import urlencode

from django.contrib import messages
from django.core.cache import cache
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods

from cms.core.ratelimit import client_ip, hit

from . import accounts, mail, oplog
from .availability import FREE, LOTTERY, facility_availability
from .forms import (
    BookingForm,
    DeleteAccountForm,
    LoginForm,
    PasswordChangeForm,
    PasswordResetRequestForm,
    ProfileForm,
    RegistrationForm,
    SetPasswordForm,
)
from .models import (
    Booking,
    BookingStatus,
    BookingUnit,
    EntryStatus,
    Equipment,
    Facility,
    Visibility,
    occupied_unit_ids,
)
from .rules import (
    APPLICATIONS,
    JST,
    WEEKDAYS,
    UserCategory,
    check_cancel,
    day_slots,
    lottery_period,
    lottery_phase,
    use_day,
)
from .services import (
    BookingDraft,
    BookingRefused,
    apply_for_lottery,
    assess,
    cancel_booking,
    delete_resident,
    is_drawn,
    place_booking,
    rules_around,
    unit_parts_map,
)

LOGIN_LIMIT = (10, 300)  # failed log-ins per address per 5 minutes
MAIL_LIMIT = (5, 3600)  # registration and reset mails per address per hour
WEEK = 7


def resident_required(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        resident = accounts.current_resident(request)
        if resident is None:
            query = urlencode({"next": request.get_full_path()})
            return redirect(f"{reverse('reservations:login')}?{query}")
        return view(request, resident, *args, **kwargs)

    return wrapper


def _render(request, template, context=None, status=200):
    context = dict(context or {})
    context.setdefault("resident", accounts.current_resident(request))
    return render(request, f"reservations/public/{template}", context, status=status)


def _limited(request, scope, limit) -> bool:
    return not hit(f"reservations:{scope}", client_ip(request), *limit).allowed


def _parse_local(value: str | None) -> dt.datetime | None:
    if not value:
        return None
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    return (
        moment.replace(tzinfo=JST) if moment.tzinfo is None else moment.astimezone(JST)
    )


def _parse_day(value: str | None, default: dt.date) -> dt.date:
    try:
        return dt.date.fromisoformat(value) if value else default
    except ValueError:
        return default


def local_param(moment: dt.datetime) -> str:
    return moment.astimezone(JST).strftime("%Y-%m-%dT%H:%M")


# --- Facilities and availability -------------------------------------------------


def facility_list(request):
    facilities = Facility.objects.filter(is_public=True).order_by("sort_order", "name")
    groups: dict[str, list] = {}
    for facility in facilities:
        groups.setdefault(facility.group or "施設", []).append(facility)
    return _render(request, "facility_list.html", {"groups": groups})


def facility_detail(request, slug):
    facility = get_object_or_404(Facility, slug=slug, is_public=True)
    today = timezone.localdate()
    day = max(_parse_day(request.GET.get("date"), today), today)
    availability = facility_availability(facility, day, WEEK)
    if not availability:
        raise Http404("この施設には予約できる室場がありません。")
    chosen = next(
        (a for a in availability if str(a.unit.pk) == request.GET.get("unit")),
        next((a for a in availability if a.bookable_online), availability[0]),
    )
    first = chosen.days[0]
    slots = [
        {
            "slot": slot,
            "book_url": (
                reverse("reservations:book", args=[facility.slug])
                + "?"
                + urlencode({"unit": chosen.unit.pk, "start": local_param(slot.start)})
            )
            if slot.state in (FREE, LOTTERY) and chosen.bookable_online
            else "",
        }
        for slot in first.slots
    ]
    return _render(
        request,
        "facility_detail.html",
        {
            "facility": facility,
            "availability": availability,
            "chosen": chosen,
            "day": day,
            "day_state": first,
            "slots": slots,
            "weekday": WEEKDAYS,
            "previous_day": day - dt.timedelta(days=WEEK) if day > today else None,
            "next_day": day + dt.timedelta(days=WEEK),
            "hours": facility.opening_hours.order_by("weekday"),
            "equipment": facility.equipment.filter(is_public=True).select_related(
                "unit"
            ),
            "units": [
                a.unit for a in availability if a.unit.visibility != Visibility.HIDDEN
            ],
            "categories": UserCategory.choices,
        },
    )


# --- Booking ---------------------------------------------------------------------


def _end_choices(facility, unit, start, *, free_only: bool):
    """Ends on the slot grid after ``start`` in the same opening day; with
    ``free_only``, only as far as the slots stay free."""
    rules = rules_around(facility, start)
    choices = []
    if free_only:
        day = facility_availability(facility, start.astimezone(JST).date(), 1)
        states = next((a.days[0].slots for a in day if a.unit.pk == unit.pk), [])
        started = False
        for slot in states:
            if slot.start == start:
                started = True
            if started:
                if slot.state not in (FREE, LOTTERY):
                    break
                choices.append(slot.end)
    else:
        choices = [
            slot.end
            for slot in day_slots(rules, start.astimezone(JST).date())
            if slot.end > start
        ]
    return [(end.isoformat(), f"{end:%H:%M}") for end in choices]


def _booking_form(request, facility, unit, start, data=None):
    units = facility.units.filter(visibility=Visibility.PUBLIC)
    occupied = occupied_unit_ids(unit.pk, unit_parts_map(facility.pk))
    equipment = Equipment.objects.filter(
        Q(unit__isnull=True) | Q(unit__in=occupied), facility=facility, is_public=True
    ).order_by("sort_order", "pk")
    return BookingForm(
        data,
        facility=facility,
        units=units,
        end_choices=_end_choices(facility, unit, start, free_only=data is None),
        equipment=equipment,
        initial={"unit": unit, "start": start},
    )


def _draft_from(form, resident) -> BookingDraft:
    data = form.cleaned_data
    return BookingDraft.for_resident(
        resident,
        data["unit"],
        starts_at=data["start"].astimezone(JST),
        ends_at=data["end"],
        purpose=data.get("purpose"),
        headcount=data.get("headcount"),
        activity=data.get("activity", ""),
        equipment=form.equipment_quantities(),
        rules_accepted=bool(data.get("accept_rules")) or not form.facility.rules_text,
    )


@resident_required
@require_http_methods(["GET", "POST"])
def book(request, resident, slug):
    """Pick the end time, purpose, people and equipment → confirm → book."""
    facility = get_object_or_404(Facility, slug=slug, is_public=True)
    source = request.POST if request.method == "POST" else request.GET
    unit = BookingUnit.objects.filter(
        facility=facility, pk=source.get("unit"), visibility=Visibility.PUBLIC
    ).first()
    start = _parse_local(source.get("start"))
    if unit is None or start is None:
        messages.error(request, "予約する室場と開始時刻を選び直してください。")
        return redirect("reservations:facility", slug=facility.slug)
    rules = rules_around(facility, start)
    day = use_day(rules, start)
    drawn = rules.lottery is not None and is_drawn(facility.pk, day)
    lottery = lottery_phase(rules.lottery, day, timezone.localdate(), drawn)
    context = {
        "facility": facility,
        "unit": unit,
        "start": start,
        "lottery": lottery == APPLICATIONS,
        "period": lottery_period(rules.lottery, day) if rules.lottery else None,
    }
    if not resident.can_book:
        return _render(request, "not_confirmed.html", context, status=403)

    if request.method == "GET":
        form = _booking_form(request, facility, unit, start)
        return _render(request, "book.html", {**context, "form": form})

    form = _booking_form(request, facility, unit, start, data=request.POST)
    step = request.POST.get("step", "check")
    if step == "edit" or not form.is_valid():
        return _render(request, "book.html", {**context, "form": form})
    draft = _draft_from(form, resident)
    if step == "commit" and context["lottery"]:
        try:
            apply_for_lottery(draft)
        except BookingRefused as refused:
            for violation in refused.violations:
                form.add_error(None, violation.message)
            return _render(request, "book.html", {**context, "form": form}, status=409)
        period = context["period"]
        messages.success(
            request,
            f"抽選に申し込みました。{period.draw_day.month}月{period.draw_day.day}日に"
            "抽選し、結果をメールでお知らせします。",
        )
        return redirect("reservations:mypage")
    if step == "commit":
        try:
            booking = place_booking(draft)
        except BookingRefused as refused:
            for violation in refused.violations:
                form.add_error(None, violation.message)
            return _render(request, "book.html", {**context, "form": form}, status=409)
        return redirect(
            reverse("reservations:booking", args=[booking.number]) + "?new=1"
        )
    assessment = assess(draft, applying=context["lottery"])
    if not assessment.ok:
        for violation in assessment.violations:
            form.add_error(None, violation.message)
        return _render(request, "book.html", {**context, "form": form})
    return _render(
        request,
        "confirm.html",
        {
            **context,
            "form": form,
            "draft": draft,
            "fee": assessment.fee,
            "equipment_lines": [
                (item, form.equipment_quantities()[item.pk])
                for item in form.equipment
                if item.pk in form.equipment_quantities()
            ],
        },
    )


def _own_booking(resident, number) -> Booking:
    return get_object_or_404(
        Booking.objects.select_related("facility", "unit", "purpose"),
        number=number,
        resident=resident,
    )


@resident_required
def booking_detail(request, resident, number):
    booking = _own_booking(resident, number)
    cancel_problems = check_cancel(
        rules_around(booking.facility, booking.starts_at),
        booking.starts_at,
        timezone.now(),
    )
    return _render(
        request,
        "booking_detail.html",
        {
            "booking": booking,
            "new": request.GET.get("new") == "1",
            "can_cancel": booking.is_active and not cancel_problems,
            "cancel_problems": cancel_problems if booking.is_active else [],
            "equipment": booking.equipment_lines.select_related("equipment"),
        },
    )


@resident_required
@require_http_methods(["GET", "POST"])
def booking_cancel(request, resident, number):
    booking = _own_booking(resident, number)
    if request.method == "POST":
        try:
            cancel_booking(booking, resident=resident, reason="利用者による取消")
        except BookingRefused as refused:
            for violation in refused.violations:
                messages.error(request, violation.message)
            return redirect("reservations:booking", number=booking.number)
        messages.success(request, f"予約 {booking.number} を取り消しました。")
        return redirect("reservations:mypage")
    return _render(request, "booking_cancel.html", {"booking": booking})


@resident_required
def booking_ics(request, resident, number):
    booking = _own_booking(resident, number)
    response = HttpResponse(mail.booking_ics(booking), content_type="text/calendar")
    response["Content-Disposition"] = (
        f'attachment; filename="yoyaku-{booking.number}.ics"'
    )
    return response


@resident_required
def mypage(request, resident):
    now = timezone.now()
    bookings = resident.bookings.select_related("facility", "unit")
    upcoming = bookings.filter(
        status=BookingStatus.CONFIRMED, ends_at__gt=now
    ).order_by("starts_at")
    history = Paginator(
        bookings.exclude(pk__in=upcoming.values("pk")).order_by("-starts_at"), 20
    ).get_page(request.GET.get("page"))
    entries = resident.lottery_entries.filter(
        status=EntryStatus.APPLIED, starts_at__gt=now
    ).select_related("facility", "unit")
    return _render(
        request,
        "mypage.html",
        {"upcoming": upcoming, "history": history, "entries": entries},
    )


# --- Accounts --------------------------------------------------------------------


def _safe_next(request, fallback="reservations:mypage"):
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse(fallback)


@require_http_methods(["GET", "POST"])
def register(request):
    form = RegistrationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if _limited(request, "mail", MAIL_LIMIT):
            form.add_error(
                None, "短時間に多くの登録がありました。しばらくしてからお試しください。"
            )
        else:
            with transaction.atomic():
                resident = form.save()
            mail.send_registration_mail(resident)
            return _render(request, "register_sent.html", {"email": resident.email})
    return _render(request, "register.html", {"form": form})


def confirm_email(request, token):
    resident = accounts.resident_for_confirmation(token)
    if resident is None:
        return _render(request, "confirm_failed.html", status=400)
    if resident.email_confirmed_at is None:
        resident.email_confirmed_at = timezone.now()
        resident.save(update_fields=["email_confirmed_at"])
    accounts.login_resident(request, resident)
    messages.success(request, "利用者登録が完了しました。施設を予約できます。")
    return redirect("reservations:facilities")


def _login_blocked(request) -> bool:
    return bool(cache.get(f"reservations:login-blocked:{client_ip(request)}"))


def _count_failed_login(request) -> None:
    """Only failures count, so many residents behind one address (the town hall's
    Wi-Fi) can all log in, while guessing passwords is stopped."""
    counted = hit("reservations:login-failed", client_ip(request), *LOGIN_LIMIT)
    if counted.remaining == 0:  # the limit-th failure blocks the next attempts
        cache.set(
            f"reservations:login-blocked:{client_ip(request)}", True, LOGIN_LIMIT[1]
        )


@require_http_methods(["GET", "POST"])
def login_view(request):
    form = LoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if _login_blocked(request):
            form.add_error(
                None,
                "ログインの失敗が続いたため、5分ほど受け付けません。しばらくしてからお試しください。",
            )
        else:
            from .models import Resident

            resident = Resident.objects.filter(
                email=form.cleaned_data["email"].strip().lower(), is_active=True
            ).first()
            if resident is not None and resident.check_password(
                form.cleaned_data["password"]
            ):
                accounts.login_resident(request, resident)
                return redirect(_safe_next(request))
            _count_failed_login(request)
            form.add_error(None, "メールアドレスまたはパスワードが正しくありません。")
    return _render(
        request, "login.html", {"form": form, "next": request.GET.get("next", "")}
    )


@require_http_methods(["POST"])
def logout_view(request):
    accounts.logout_resident(request)
    messages.success(request, "ログアウトしました。")
    return redirect("reservations:facilities")


@require_http_methods(["GET", "POST"])
def password_reset(request):
    form = PasswordResetRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        from .models import Resident

        if not _limited(request, "mail", MAIL_LIMIT):
            resident = Resident.objects.filter(
                email=form.cleaned_data["email"].strip().lower(), is_active=True
            ).first()
            if resident is not None:
                mail.send_password_reset_mail(resident)
        # The same answer whether or not the address is registered.
        return _render(request, "password_reset_sent.html")
    return _render(request, "password_reset.html", {"form": form})


@require_http_methods(["GET", "POST"])
def password_reset_confirm(request, token):
    resident = accounts.resident_for_reset(token)
    if resident is None:
        return _render(request, "password_reset_failed.html", status=400)
    form = SetPasswordForm(request.POST or None, resident=resident)
    if request.method == "POST" and form.is_valid():
        resident.set_password(form.cleaned_data["password1"])
        if resident.email_confirmed_at is None:
            resident.email_confirmed_at = timezone.now()  # the link proves the address
        resident.save(update_fields=["password", "email_confirmed_at"])
        accounts.login_resident(request, resident)
        messages.success(request, "パスワードを変更しました。")
        return redirect("reservations:mypage")
    return _render(request, "password_set.html", {"form": form})


@resident_required
@require_http_methods(["GET", "POST"])
def profile(request, resident):
    form = ProfileForm(request.POST or None, instance=resident)
    if request.method == "POST" and form.is_valid():
        form.save()
        oplog.record(
            resident,
            oplog.RESIDENT_CHANGED,
            resident=resident,
            data={"fields": form.changed_data},
            label=f"利用者 #{resident.pk}",
        )
        messages.success(request, "登録内容を変更しました。")
        return redirect("reservations:mypage")
    return _render(request, "profile.html", {"form": form})


@resident_required
@require_http_methods(["GET", "POST"])
def password_change(request, resident):
    form = PasswordChangeForm(request.POST or None, resident=resident)
    if request.method == "POST" and form.is_valid():
        resident.set_password(form.cleaned_data["password1"])
        resident.save(update_fields=["password"])
        accounts.login_resident(request, resident)  # keep this session, end the others
        messages.success(request, "パスワードを変更しました。")
        return redirect("reservations:mypage")
    return _render(request, "password_change.html", {"form": form})


@resident_required
@require_http_methods(["GET", "POST"])
def account_delete(request, resident):
    form = DeleteAccountForm(request.POST or None, resident=resident)
    upcoming = resident.bookings.filter(
        status=BookingStatus.CONFIRMED, ends_at__gt=timezone.now()
    ).select_related("facility", "unit")
    if request.method == "POST" and form.is_valid():
        email, name = resident.email, resident.name
        delete_resident(resident)
        accounts.logout_resident(request)
        mail.send_account_deleted_mail(email, name)
        return _render(request, "account_deleted.html")
    return _render(request, "account_delete.html", {"form": form, "upcoming": upcoming})
