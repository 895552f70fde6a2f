"""Background jobs of the reservations app (django_tasks, "background" backend):
booking mails after commit, and the daily reminders."""

from django_tasks import task

from .models import Booking


@task(backend="background")
def send_booking_mail(booking_id: int, event: str) -> bool:
    from . import mail

    booking = (
        Booking.objects.select_related("facility", "unit", "resident", "purpose")
        .filter(pk=booking_id)
        .first()
    )
    if booking is None:
        return False
    return mail.send_booking_mail(booking, event)


@task(backend="background")
def send_reminders() -> int:
    from . import mail

    return mail.send_reminders()


@task(backend="background")
def send_lottery_mail(entry_id: int) -> bool:
    from . import mail
    from .models import LotteryEntry

    entry = (
        LotteryEntry.objects.select_related("facility", "unit", "resident")
        .filter(pk=entry_id)
        .first()
    )
    if entry is None:
        return False
    mail.send_lottery_lost_mail(entry)
    return True
