"""Retention of the operation log: entries older than
``PORTAL_OPLOG_RETENTION_MONTHS`` (24 at least) are deleted by a monthly job
(``portal ops purge-log``, the task ``purge_operation_log``, deploy/ timers)."""

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.utils import timezone

MINIMUM_MONTHS = 24


def months_before(moment: dt.datetime, months: int) -> dt.datetime:
    """The same day and time ``months`` calendar months earlier (the 31st becomes
    the month's last day)."""
    import calendar

    year, month = divmod(moment.year * 12 + moment.month - 1 - months, 12)
    month += 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def retention_cutoff(now: dt.datetime | None = None, months: int | None = None):
    months = settings.PORTAL_OPLOG_RETENTION_MONTHS if months is None else months
    if months < MINIMUM_MONTHS:
        raise ValueError(f"operation log must be kept {MINIMUM_MONTHS} months at least")
    return months_before(now or timezone.now(), months)


def purge_operation_log(
    now: dt.datetime | None = None, months: int | None = None, dry_run: bool = False
) -> dict[str, int]:
    """Delete log entries (and django-axes' login records) older than the cutoff;
    returns the count per table. The purge itself is logged."""
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog
    from wagtail.log_actions import registry

    from . import oplog

    cutoff = retention_cutoff(now, months)
    counts = {}
    with transaction.atomic():
        for model in registry.get_log_entry_models():
            old = model.objects.filter(timestamp__lt=cutoff)
            counts[model._meta.label] = old.count() if dry_run else old.delete()[0]
        for model, field in (
            (AccessLog, "attempt_time"),
            (AccessFailureLog, "attempt_time"),
            (AccessAttempt, "attempt_time"),
        ):
            old = model.objects.filter(**{f"{field}__lt": cutoff})
            counts[model._meta.label] = old.count() if dry_run else old.delete()[0]
        if not dry_run:
            oplog.record(
                None,
                oplog.LOG_PURGED,
                data={"cutoff": cutoff.isoformat(), **counts},
                label=f"{timezone.localtime(cutoff):%Y-%m-%d}より前",
            )
    return counts
