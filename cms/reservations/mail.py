"""Mails to residents: registration confirmation, password reset, and booking
confirmation, change, cancellation and reminder with an .ics attachment (so the
booking lands in the phone's calendar)."""

import datetime as dt
import logging

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar, Event

from . import accounts
from .models import Booking, BookingStatus, Resident

logger = logging.getLogger(__name__)

SUBJECT_PREFIX = "【施設予約】"
BOOKING_SUBJECTS = {
    "confirmed": "予約を受け付けました",
    "changed": "予約が変更されました",
    "cancelled": "予約を取り消しました",
    "reminder": "明日のご利用予定",
}


def booking_ics(booking: Booking) -> bytes:
    """The booking as an iCalendar event; a cancellation sends METHOD:CANCEL with the
    same UID so calendars remove the event."""
    cancelled = booking.status == BookingStatus.CANCELLED
    calendar = Calendar()
    calendar.add("prodid", "-//relocation-portal//reservations//JA")
    calendar.add("version", "2.0")
    calendar.add("method", "CANCEL" if cancelled else "PUBLISH")
    event = Event()
    host = settings.PORTAL_SITE_URL.split("://", 1)[-1].split("/", 1)[0]
    event.add("uid", f"booking-{booking.number}@{host}")
    event.add("dtstamp", timezone.now())
    event.add("dtstart", timezone.localtime(booking.starts_at))
    event.add("dtend", timezone.localtime(booking.ends_at))
    event.add("summary", f"{booking.facility.name} {booking.unit.name}")
    event.add("location", booking.facility.address or booking.facility.name)
    event.add(
        "description",
        f"予約番号 {booking.number}\n使用料 {booking.fee_yen:,}円\n"
        + accounts.absolute_url(reverse("reservations:booking", args=[booking.number])),
    )
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    event.add("sequence", int(booking.cancelled_at is not None))
    calendar.add_component(event)
    return calendar.to_ical()


def _send(subject: str, body: str, to: str, attachments=()) -> None:
    message = EmailMessage(
        subject=f"{SUBJECT_PREFIX}{subject}",
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
    )
    for name, content, mimetype in attachments:
        message.attach(name, content, mimetype)
    message.send()


def send_booking_mail(booking: Booking, event: str) -> bool:
    to = booking.applicant_email or (booking.resident and booking.resident.email)
    if not to:
        return False
    context = {
        "booking": booking,
        "event": event,
        "equipment": booking.equipment_lines.select_related("equipment"),
        "url": accounts.absolute_url(
            reverse("reservations:booking", args=[booking.number])
        ),
        "deadline": _deadline(booking),
    }
    body = render_to_string("reservations/mail/booking.txt", context)
    ics = booking_ics(booking)
    method = "CANCEL" if booking.status == BookingStatus.CANCELLED else "PUBLISH"
    _send(
        f"{BOOKING_SUBJECTS[event]}（{booking.number}）",
        body,
        to,
        [(f"yoyaku-{booking.number}.ics", ics, f"text/calendar; method={method}")],
    )
    return True


def _deadline(booking: Booking):
    from .rules import change_deadline
    from .services import rules_around

    rules = rules_around(booking.facility, booking.starts_at)
    if not rules.residents_may_cancel:
        return None
    return change_deadline(rules, booking.starts_at) - dt.timedelta(seconds=1)


def send_registration_mail(resident: Resident) -> None:
    """The confirmation link and the registered details (spec 表4 No.4)."""
    link = accounts.absolute_url(
        reverse("reservations:confirm", args=[accounts.confirmation_token(resident)])
    )
    body = render_to_string(
        "reservations/mail/registration.txt",
        {
            "resident": resident,
            "link": link,
            "expires": accounts.expiry_text(accounts.CONFIRM_MAX_AGE),
        },
    )
    _send("利用者登録の確認", body, resident.email)


def send_password_reset_mail(resident: Resident) -> None:
    link = accounts.absolute_url(
        reverse(
            "reservations:password_reset_confirm", args=[accounts.reset_token(resident)]
        )
    )
    body = render_to_string(
        "reservations/mail/password_reset.txt",
        {
            "resident": resident,
            "link": link,
            "expires": accounts.expiry_text(accounts.RESET_MAX_AGE),
        },
    )
    _send("パスワードの再設定", body, resident.email)


def send_lottery_lost_mail(entry) -> None:
    """Winners get the ordinary booking confirmation; this tells the others."""
    start = timezone.localtime(entry.starts_at)
    body = render_to_string(
        "reservations/mail/lottery_lost.txt",
        {
            "entry": entry,
            "start": start,
            "end": timezone.localtime(entry.ends_at),
            "url": accounts.absolute_url(
                reverse("reservations:facility", args=[entry.facility.slug])
            ),
        },
    )
    _send("抽選の結果（落選）", body, entry.resident.email)


def send_account_deleted_mail(email: str, name: str) -> None:
    body = render_to_string(
        "reservations/mail/deleted.txt",
        {"name": name, "site": settings.PORTAL_SITE_URL},
    )
    _send("利用者登録を抹消しました", body, email)


def send_reminders(now: dt.datetime | None = None) -> int:
    """Remind everyone whose booking starts tomorrow (once per booking). Each booking
    is marked in its own transaction after its mail went out, so a failure leaves
    the rest to the next run."""
    now = timezone.localtime(now or timezone.now())
    tomorrow = (now + dt.timedelta(days=1)).date()
    start = dt.datetime.combine(tomorrow, dt.time(0), now.tzinfo)
    due = (
        Booking.objects.filter(
            status=BookingStatus.CONFIRMED,
            reminder_sent_at__isnull=True,
            starts_at__gte=start,
            starts_at__lt=start + dt.timedelta(days=1),
        )
        .exclude(kind="block")
        .select_related("facility", "unit", "resident", "purpose")
    )
    sent = 0
    for booking in due:
        try:
            with transaction.atomic():
                locked = Booking.objects.select_for_update().get(pk=booking.pk)
                if locked.reminder_sent_at is not None:
                    continue
                if send_booking_mail(booking, "reminder"):
                    sent += 1
                locked.reminder_sent_at = timezone.now()
                locked.save(update_fields=["reminder_sent_at"])
        except Exception:
            logger.exception("reminder for booking %s failed", booking.number)
    return sent
