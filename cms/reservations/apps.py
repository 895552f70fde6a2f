from django.apps import AppConfig


class ReservationsConfig(AppConfig):
    name = "cms.reservations"
    label = "reservations"
    verbose_name = "施設予約"

    def ready(self):
        from django.db.models.signals import post_migrate
        from wagtail.permissions import register_permission_policy

        from cms.core.permissions import ReservationStaffPolicy

        from . import models, signals  # noqa: F401

        for model in (
            models.Facility,
            models.BookingUnit,
            models.Equipment,
            models.UsagePurpose,
            models.CalendarDay,
            models.Booking,
            models.Resident,
            models.LotteryEntry,
        ):
            register_permission_policy(model, ReservationStaffPolicy(model))
        # Draws are written by ``draw_lottery`` only: staff read them.
        register_permission_policy(
            models.LotteryDraw,
            ReservationStaffPolicy(models.LotteryDraw, actions=("view",)),
        )
        post_migrate.connect(_sync_group_after_migrate, sender=self)


def _sync_group_after_migrate(sender, using=None, **kwargs):
    from django.contrib.auth.management import create_permissions

    from cms.core.permissions import sync_reservation_staff_group

    # Our receiver may run before auth's, which creates this app's permissions.
    create_permissions(sender, verbosity=0, using=using)
    sync_reservation_staff_group()
