"""Keep cached availability honest: whatever staff change about a facility's units,
hours or opening calendar (in the admin, by CSV import or in the shell) bumps the
facility's availability version. Bookings bump it themselves (``services``)."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from .models import BookingUnit, CalendarDay, Facility, OpeningHours, bump_availability


@receiver(post_save, sender=BookingUnit)
@receiver(post_delete, sender=BookingUnit)
@receiver(post_save, sender=OpeningHours)
@receiver(post_delete, sender=OpeningHours)
@receiver(post_save, sender=CalendarDay)
@receiver(post_delete, sender=CalendarDay)
def facility_part_changed(sender, instance, raw=False, **kwargs):
    if not raw:
        bump_availability(instance.facility_id)


@receiver(post_save, sender=Facility)
def facility_changed(sender, instance, raw=False, **kwargs):
    if not raw:
        bump_availability(instance.pk)
