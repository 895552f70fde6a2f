"""Staff screens in the Wagtail admin (施設予約 menu): the calendar per facility,
counter booking (窓口受付), changing and cancelling any booking, blocking times,
the opening-calendar CSV import, CSV exports, printable daily and monthly lists,
yearly counts and the operation log. Only 「施設予約担当」 (``can_manage_
reservations``) gets in; every action is written to the operation log."""

import contextlib
import datetime as dt
from collections import defaultdict

from django import forms
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.generic import TemplateView
from wagtail.admin import messages
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.models import ModelLogEntry

from cms.core.permissions import can_manage_reservations

from . import oplog
from .availability import facility_availability
from .calendar_import import apply_calendar, decode, parse_calendar
from .forms import (
    BlockForm,
    CalendarImportForm,
    CancelForm,
    ChangeBookingForm,
    CounterApplicantForm,
)
from .models import (
    Booking,
    BookingKind,
    BookingStatus,
    BookingUnit,
    Facility,
    OccupiedSlot,
    UsagePurpose,
)
from .reports import (
    FISCAL_MONTHS,
    bookings_csv,
    bookings_queryset,
    facilities_csv,
    fiscal_year_of,
    yearly_counts,
)
from .rules import JST, WEEKDAYS, UserCategory
from .services import (
    BookingDraft,
    BookingRefused,
    assess,
    block_times,
    cancel_booking,
    change_booking,
    place_booking,
)


class StaffView(WagtailAdminTemplateMixin, TemplateView):
    header_icon = "date"

    def dispatch(self, request, *args, **kwargs):
        if not can_manage_reservations(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


def _facility_from(request, default_first=True) -> Facility | None:
    value = request.GET.get("facility") or request.POST.get("facility")
    facilities = Facility.objects.all()
    if value:
        found = facilities.filter(Q(slug=value) | Q(pk=value if value.isdigit() else 0))
        if found.exists():
            return found.first()
    return facilities.first() if default_first else None


def _day_from(request, name="date") -> dt.date:
    try:
        return dt.date.fromisoformat(request.GET.get(name, ""))
    except ValueError:
        return timezone.localdate()


def _local_input(moment: dt.datetime) -> str:
    return moment.astimezone(JST).strftime("%Y-%m-%dT%H:%M")


def _download(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# --- Calendar ----------------------------------------------------------------------


class CalendarView(StaffView):
    """One facility's day: units across, slots down; each cell shows the booking
    that holds it, or a link to book it at the counter."""

    page_title = "予約カレンダー"
    template_name = "reservations/admin/calendar.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        facility = _facility_from(self.request)
        day = _day_from(self.request)
        context.update(
            facilities=Facility.objects.all(),
            facility=facility,
            day=day,
            weekday=WEEKDAYS[day.weekday()],
            previous=day - dt.timedelta(days=1),
            next=day + dt.timedelta(days=1),
        )
        if facility is None:
            return context
        availability = facility_availability(
            facility, day, 1, include_hidden=True, respect_window=False
        )
        start = dt.datetime.combine(day, dt.time(0), JST)
        rows = OccupiedSlot.objects.filter(
            unit__facility=facility,
            starts_at__lt=start + dt.timedelta(days=2),
            ends_at__gt=start,
        ).select_related("booking")
        held = defaultdict(list)  # unit → bookings occupying it (or its parts)
        parents = {u.pk: u.part_of_id for u in facility.units.all()}
        for row in rows:
            unit_id = row.unit_id
            while unit_id is not None:
                held[unit_id].append(row.booking)
                unit_id = parents.get(unit_id)
        closed = availability[0].days[0].closed_reason if availability else ""
        slot_rows = []
        if availability and not closed:
            for index, slot in enumerate(availability[0].days[0].slots):
                cells = []
                for unit_state in availability:
                    unit_slot = unit_state.days[0].slots[index]
                    bookings = {
                        b.pk: b
                        for b in held[unit_state.unit.pk]
                        if b.starts_at < unit_slot.end and unit_slot.start < b.ends_at
                    }
                    cells.append(
                        {
                            "unit": unit_state.unit,
                            "bookings": list(bookings.values()),
                            "counter_url": reverse("reservations_counter:index")
                            + f"?facility={facility.pk}&unit={unit_state.unit.pk}"
                            f"&start={_local_input(unit_slot.start)}"
                            f"&end={_local_input(unit_slot.end)}",
                        }
                    )
                slot_rows.append({"slot": slot, "cells": cells})
        context.update(
            units=[a.unit for a in availability],
            slot_rows=slot_rows,
            closed=closed,
        )
        return context


# --- Counter booking ---------------------------------------------------------------


class CounterBookingForm(CounterApplicantForm):
    unit = forms.ModelChoiceField(label="室場・面", queryset=BookingUnit.objects.none())
    starts_at = forms.DateTimeField(
        label="開始", widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    ends_at = forms.DateTimeField(
        label="終了", widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    purpose = forms.ModelChoiceField(
        label="利用目的", queryset=UsagePurpose.objects.all(), required=False
    )
    headcount = forms.IntegerField(label="利用人数", min_value=1)
    activity = forms.CharField(label="活動内容", max_length=200, required=False)
    field_order = [
        "unit",
        "starts_at",
        "ends_at",
        "purpose",
        "headcount",
        "activity",
        "resident_email",
        "applicant_name",
        "applicant_phone",
        "organisation",
        "category",
        "note",
    ]

    def __init__(self, *args, facility, **kwargs):
        super().__init__(*args, **kwargs)
        self.facility = facility
        self.fields["unit"].queryset = facility.units.all()
        self.equipment = list(facility.equipment.all())
        for item in self.equipment:
            self.fields[f"equipment_{item.pk}"] = forms.IntegerField(
                label=f"{item.name}（{item.price_label}）",
                min_value=0,
                max_value=item.stock,
                required=False,
            )

    def equipment_quantities(self):
        return {
            item.pk: self.cleaned_data.get(f"equipment_{item.pk}")
            for item in self.equipment
            if self.cleaned_data.get(f"equipment_{item.pk}")
        }

    def draft(self, staff) -> BookingDraft:
        data = self.cleaned_data
        resident = data.get("resident")
        return BookingDraft(
            unit=data["unit"],
            starts_at=data["starts_at"].astimezone(JST),
            ends_at=data["ends_at"].astimezone(JST),
            category=data["category"],
            purpose=data.get("purpose"),
            headcount=data.get("headcount"),
            activity=data.get("activity", ""),
            equipment=self.equipment_quantities(),
            resident=resident,
            applicant_name=data.get("applicant_name")
            or (resident.name if resident else ""),
            applicant_phone=data.get("applicant_phone")
            or (resident.phone if resident else ""),
            applicant_email=resident.email if resident else "",
            organisation=data.get("organisation")
            or (resident.organisation if resident else ""),
            kind=BookingKind.COUNTER,
            staff=staff,
            note=data.get("note", ""),
            rules_accepted=True,
        )


class CounterBookingView(StaffView):
    """窓口受付: staff book on a resident's behalf. The window, deadline, category and
    per-person limits may be overridden (shown as warnings); hours, closures, stock
    and overlaps may not."""

    page_title = "窓口受付"
    template_name = "reservations/admin/counter.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(facilities=Facility.objects.all(), **kwargs)

    def get(self, request, *args, **kwargs):
        facility = _facility_from(request)
        if facility is None:
            messages.error(request, "施設が登録されていません。")
            return redirect("wagtailadmin_home")
        initial = {
            key: request.GET.get(key)
            for key in ("unit", "start", "end")
            if request.GET.get(key)
        }
        initial["starts_at"] = initial.pop("start", None)
        initial["ends_at"] = initial.pop("end", None)
        initial["category"] = UserCategory.RESIDENT
        form = CounterBookingForm(initial=initial, facility=facility)
        return self.render_to_response(
            self.get_context_data(form=form, facility=facility)
        )

    def post(self, request, *args, **kwargs):
        facility = _facility_from(request)
        form = CounterBookingForm(request.POST, facility=facility)
        context = {"form": form, "facility": facility}
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(**context))
        draft = form.draft(request.user)
        if request.POST.get("step") == "commit":
            try:
                booking = place_booking(draft)
            except BookingRefused as refused:
                for violation in refused.violations:
                    form.add_error(None, violation.message)
                return self.render_to_response(self.get_context_data(**context))
            messages.success(
                request,
                f"予約 {booking.number}（{booking.unit} {booking.period_label}）を受け付けました。",
            )
            return redirect(
                reverse("reservations_calendar:index")
                + f"?facility={facility.pk}&date={timezone.localtime(booking.starts_at):%Y-%m-%d}"
            )
        assessment = assess(draft)
        for violation in assessment.violations:
            form.add_error(None, violation.message)
        return self.render_to_response(
            self.get_context_data(
                **context,
                assessment=assessment,
                confirm=assessment.ok,
                draft=draft,
            )
        )


# --- Change, cancel, block -----------------------------------------------------------


class BookingActionView(StaffView):
    def booking(self) -> Booking:
        return get_object_or_404(
            Booking.objects.select_related("facility", "unit", "purpose", "resident"),
            pk=self.kwargs["pk"],
        )

    def back_to_calendar(self, booking):
        return redirect(
            reverse("reservations_calendar:index")
            + f"?facility={booking.facility_id}&date={timezone.localtime(booking.starts_at):%Y-%m-%d}"
        )


class ChangeBookingView(BookingActionView):
    page_title = "予約の変更"
    template_name = "reservations/admin/change.html"

    def get(self, request, *args, **kwargs):
        booking = self.booking()
        form = ChangeBookingForm(
            facility=booking.facility,
            initial={
                "unit": booking.unit,
                "starts_at": _local_input(booking.starts_at),
                "ends_at": _local_input(booking.ends_at),
                "purpose": booking.purpose,
                "headcount": booking.headcount,
                "activity": booking.activity,
                "note": booking.note,
            },
        )
        return self.render_to_response(
            self.get_context_data(form=form, booking=booking)
        )

    def post(self, request, *args, **kwargs):
        booking = self.booking()
        form = ChangeBookingForm(request.POST, facility=booking.facility)
        if form.is_valid():
            data = form.cleaned_data
            try:
                change_booking(
                    booking,
                    staff=request.user,
                    unit=data["unit"],
                    starts_at=data["starts_at"].astimezone(JST),
                    ends_at=data["ends_at"].astimezone(JST),
                    purpose=data.get("purpose"),
                    headcount=data.get("headcount"),
                    activity=data.get("activity"),
                    note=data.get("note"),
                )
            except BookingRefused as refused:
                for violation in refused.violations:
                    form.add_error(None, violation.message)
            else:
                messages.success(request, f"予約 {booking.number} を変更しました。")
                return self.back_to_calendar(booking)
        return self.render_to_response(
            self.get_context_data(form=form, booking=booking)
        )


class CancelBookingView(BookingActionView):
    page_title = "予約の取消"
    template_name = "reservations/admin/cancel.html"

    def get(self, request, *args, **kwargs):
        return self.render_to_response(
            self.get_context_data(form=CancelForm(), booking=self.booking())
        )

    def post(self, request, *args, **kwargs):
        booking = self.booking()
        form = CancelForm(request.POST)
        if form.is_valid():
            try:
                cancel_booking(
                    booking, staff=request.user, reason=form.cleaned_data["reason"]
                )
            except BookingRefused as refused:
                messages.error(request, str(refused))
            else:
                what = (
                    "利用不可の設定を解除"
                    if booking.is_block
                    else f"予約 {booking.number} を取り消"
                )
                messages.success(request, f"{what}しました。")
            return self.back_to_calendar(booking)
        return self.render_to_response(
            self.get_context_data(form=form, booking=booking)
        )


class BlockView(StaffView):
    """利用不可時間: hold units for maintenance or town events; refused, naming the
    bookings, where they are already booked."""

    page_title = "利用不可の設定"
    template_name = "reservations/admin/block.html"

    def get(self, request, *args, **kwargs):
        facility = _facility_from(request)
        day = _day_from(request)
        form = BlockForm(
            facility=facility,
            initial={
                "starts_at": f"{day:%Y-%m-%d}T09:00",
                "ends_at": f"{day:%Y-%m-%d}T17:00",
            },
        )
        return self.render_to_response(
            self.get_context_data(form=form, facility=facility)
        )

    def post(self, request, *args, **kwargs):
        facility = _facility_from(request)
        form = BlockForm(request.POST, facility=facility)
        if form.is_valid():
            data = form.cleaned_data
            try:
                blocks = block_times(
                    list(data["units"]),
                    data["starts_at"].astimezone(JST),
                    data["ends_at"].astimezone(JST),
                    data["reason"],
                    request.user,
                )
            except BookingRefused as refused:
                for violation in refused.violations:
                    form.add_error(None, violation.message)
            else:
                messages.success(request, f"{len(blocks)}件の利用不可を設定しました。")
                return redirect(
                    reverse("reservations_calendar:index")
                    + f"?facility={facility.pk}&date={data['starts_at'].astimezone(JST):%Y-%m-%d}"
                )
        return self.render_to_response(
            self.get_context_data(form=form, facility=facility)
        )


# --- Opening calendar import -----------------------------------------------------------


class CalendarImportView(StaffView):
    page_title = "開館カレンダーの取込"
    template_name = "reservations/admin/calendar_import.html"

    def get(self, request, *args, **kwargs):
        return self.render_to_response(self.get_context_data(form=CalendarImportForm()))

    def post(self, request, *args, **kwargs):
        form = CalendarImportForm(request.POST, request.FILES)
        context = {"form": form}
        if form.is_valid():
            facility = form.cleaned_data["facility"]
            try:
                report = parse_calendar(decode(form.cleaned_data["file"].read()))
            except ValueError as error:
                form.add_error("file", str(error))
                return self.render_to_response(self.get_context_data(**context))
            context.update(report=report, facility=facility)
            if report.ok:
                context["warnings"] = _bookings_on_closed_days(facility, report)
                if not form.cleaned_data["dry_run"]:
                    created, updated = apply_calendar(facility, report)
                    oplog.record(
                        facility,
                        oplog.CALENDAR_IMPORTED,
                        user=request.user,
                        data={
                            "file": form.cleaned_data["file"].name,
                            "created": created,
                            "updated": updated,
                        },
                    )
                    messages.success(
                        request,
                        f"{facility.name}の開館カレンダーを取り込みました（追加 {created}日・更新 {updated}日）。",
                    )
                    context["applied"] = True
        return self.render_to_response(self.get_context_data(**context))


def _bookings_on_closed_days(facility, report) -> list[str]:
    warnings = []
    for row in report.rows:
        if not row.is_closed:
            continue
        count = (
            bookings_queryset(row.date, row.date, facility, BookingStatus.CONFIRMED)
            .exclude(kind=BookingKind.BLOCK)
            .count()
        )
        if count:
            warnings.append(
                f"{row.line}行目 {row.date:%Y-%m-%d}: 休館にしますが予約が{count}件あります。"
                "予約カレンダーで変更・取消してください。"
            )
    return warnings


# --- Exports, lists, counts --------------------------------------------------------------


class ExportView(StaffView):
    page_title = "CSV出力"
    template_name = "reservations/admin/export.html"

    def get(self, request, *args, **kwargs):
        what = request.GET.get("download")
        if what == "facilities":
            oplog.record(
                request.user,
                oplog.EXPORTED,
                user=request.user,
                data={"what": "facilities"},
            )
            return _download(facilities_csv(), "facilities.csv")
        if what == "bookings":
            first = _day_from(request, "from")
            last = _day_from(request, "to")
            facility = _facility_from(request, default_first=False)
            status = request.GET.get("status") or None
            oplog.record(
                request.user,
                oplog.EXPORTED,
                user=request.user,
                data={
                    "what": "bookings",
                    "from": f"{first}",
                    "to": f"{last}",
                    "facility": facility.pk if facility else None,
                },
            )
            return _download(
                bookings_csv(bookings_queryset(first, last, facility, status)),
                f"bookings-{first:%Y%m%d}-{last:%Y%m%d}.csv",
            )
        today = timezone.localdate()
        return self.render_to_response(
            self.get_context_data(
                facilities=Facility.objects.all(),
                first=today.replace(day=1),
                last=today,
                statuses=BookingStatus.choices,
            )
        )


class PrintListView(StaffView):
    """帳票: bookings of one day or one month, laid out for A4 paper."""

    template_name = "reservations/print/list.html"
    monthly = False

    def get(self, request, *args, **kwargs):
        if "format" not in request.GET:
            return render(
                request,
                "reservations/admin/print_form.html",
                self.get_context_data(
                    facilities=Facility.objects.all(),
                    today=timezone.localdate(),
                    page_title="帳票（日報・月報）",
                ),
            )
        facility = _facility_from(request, default_first=False)
        day = _day_from(request)
        if request.GET.get("format") == "month":
            first = day.replace(day=1)
            last = (first + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
            title = f"月間予約一覧 {first:%Y年%m月}"
        else:
            first = last = day
            title = f"日別予約一覧 {day:%Y年%m月%d日}（{WEEKDAYS[day.weekday()]}）"
        bookings = list(
            bookings_queryset(first, last, facility, BookingStatus.CONFIRMED)
        )
        groups = defaultdict(list)
        for booking in bookings:
            groups[booking.facility].append(booking)
        oplog.record(
            request.user,
            oplog.PRINTED,
            user=request.user,
            data={"title": title, "facility": facility.pk if facility else None},
        )
        return render(
            request,
            self.template_name,
            {
                "title": title,
                "facility": facility,
                "groups": [
                    {
                        "facility": key,
                        "bookings": value,
                        "count": sum(1 for b in value if not b.is_block),
                        "fees": sum(b.fee_yen for b in value),
                        "people": sum(b.headcount or 0 for b in value),
                    }
                    for key, value in sorted(
                        groups.items(), key=lambda kv: kv[0].sort_order
                    )
                ],
                "printed_at": timezone.localtime(),
                "printed_by": request.user,
            },
        )


class YearlyCountsView(StaffView):
    page_title = "予約件数（年度別）"
    template_name = "reservations/admin/counts.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        request = self.request
        this_year = fiscal_year_of(timezone.localdate())
        try:
            year = int(request.GET.get("year", this_year))
        except ValueError:
            year = this_year
        facility = _facility_from(request, default_first=False)
        purpose = UsagePurpose.objects.filter(
            pk=request.GET.get("purpose") or 0
        ).first()
        category = request.GET.get("category", "")
        kind = request.GET.get("kind", "")
        counts = yearly_counts(
            year,
            facility=facility,
            category=category if category in UserCategory.values else "",
            purpose=purpose,
            kind=kind if kind in BookingKind.values else "",
            include_cancelled=request.GET.get("cancelled") == "1",
        )
        context.update(
            counts=counts,
            year=year,
            years=range(this_year + 1, this_year - 6, -1),
            months=FISCAL_MONTHS,
            facilities=Facility.objects.all(),
            purposes=UsagePurpose.objects.all(),
            categories=UserCategory.choices,
            kinds=[k for k in BookingKind.choices if k[0] != BookingKind.BLOCK],
            selected={
                "facility": facility.pk if facility else None,
                "purpose": purpose.pk if purpose else None,
                "category": category,
                "kind": kind,
                "cancelled": request.GET.get("cancelled") == "1",
            },
        )
        return context


# --- Operation log -----------------------------------------------------------------------


def operation_log_entries(request):
    entries = ModelLogEntry.objects.filter(
        action__startswith="reservations."
    ).select_related("user")
    first = request.GET.get("from")
    last = request.GET.get("to")
    if first:
        with contextlib.suppress(ValueError):
            entries = entries.filter(
                timestamp__gte=dt.datetime.combine(
                    dt.date.fromisoformat(first), dt.time(0), JST
                )
            )
    if last:
        with contextlib.suppress(ValueError):
            entries = entries.filter(
                timestamp__lt=dt.datetime.combine(
                    dt.date.fromisoformat(last) + dt.timedelta(days=1), dt.time(0), JST
                )
            )
    if request.GET.get("action") in oplog.ACTIONS:
        entries = entries.filter(action=request.GET["action"])
    return entries.order_by("-timestamp", "-pk")


def _who(entry) -> str:
    if entry.user_id:
        return entry.user.get_username()
    if entry.data.get("resident_name"):
        return f"利用者: {entry.data['resident_name']}"
    return "システム"


class OperationLogView(StaffView):
    """操作ログ: every reservations action (kept indefinitely; at least 24 months is
    required), filtered by period and action, exportable as CSV."""

    page_title = "操作ログ"
    template_name = "reservations/admin/oplog.html"

    def get(self, request, *args, **kwargs):
        entries = operation_log_entries(request)
        if request.GET.get("download") == "csv":
            from .reports import csv_bytes

            rows = [
                [
                    f"{timezone.localtime(e.timestamp):%Y-%m-%d %H:%M:%S}",
                    oplog.ACTIONS.get(e.action, (e.action,))[0],
                    _who(e),
                    e.label,
                    e.object_id,
                    _data_text(e.data),
                ]
                for e in entries.iterator()
            ]
            return _download(
                csv_bytes(["日時", "操作", "操作者", "対象", "対象ID", "内容"], rows),
                "operation-log.csv",
            )
        page = Paginator(entries, 50).get_page(request.GET.get("page"))
        return self.render_to_response(
            self.get_context_data(
                page=page,
                rows=[
                    {
                        "entry": e,
                        "label": oplog.ACTIONS.get(e.action, (e.action,))[0],
                        "who": _who(e),
                        "data": _data_text(e.data),
                    }
                    for e in page
                ],
                actions=[(key, value[0]) for key, value in oplog.ACTIONS.items()],
                query=request.GET.urlencode(),
            )
        )


def _data_text(data) -> str:
    if not data:
        return ""
    return "／".join(
        f"{key}: {value}" for key, value in data.items() if value not in ("", None, [])
    )
