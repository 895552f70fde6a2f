"""The ties KPIs (seed 003): registrations in the fiscal year against the
target, active members, applications, matches (accepted), participants,
repeaters, meeting attendance and the latest SNS follower counts."""

import datetime as dt

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from . import rules
from .models import (
    Application,
    ApplicationStatus,
    MeetingRegistration,
    MemberStatus,
    SnsFollowerCount,
    TiesMember,
)

S = ApplicationStatus
MATCHED = (S.ACCEPTED, S.PARTICIPATED, S.REPORTED)
PARTICIPATED = (S.PARTICIPATED, S.REPORTED)


def build(today: dt.date | None = None, month: tuple[int, int] | None = None) -> dict:
    """Numbers for the fiscal year containing ``today``; with ``month`` also
    that month's new registrations and applications."""
    today = today or timezone.localdate()
    start = rules.fiscal_year_start(today)
    confirmed = TiesMember.objects.filter(email_confirmed_at__isnull=False)
    this_year = confirmed.filter(email_confirmed_at__date__gte=start).count()
    target = settings.TIES["TARGET_MEMBERS_PER_YEAR"]
    applications = Application.objects.filter(created_at__date__gte=start)
    participants = (
        Application.objects.filter(status__in=PARTICIPATED)
        .values("member")
        .distinct()
        .count()
    )
    repeaters = (
        Application.objects.filter(status__in=PARTICIPATED, is_repeat=True)
        .values("member")
        .distinct()
        .count()
    )
    data = {
        "fiscal_year_start": start,
        "registrations": this_year,
        "target": target,
        "progress": rules.progress(this_year, target),
        "members_total": confirmed.count(),
        "active_members": confirmed.filter(status=MemberStatus.ACTIVE).count(),
        "applications": applications.count(),
        "matches": applications.filter(status__in=MATCHED).count(),
        "participants": participants,
        "repeaters": repeaters,
        "meeting_attendance": MeetingRegistration.objects.filter(
            attended=True, meeting__starts_at__date__gte=start
        ).count(),
        "sns": latest_followers(),
    }
    if month:
        year, number = month
        in_month = Q(created_at__year=year, created_at__month=number)
        data["month"] = {
            "registrations": confirmed.filter(
                email_confirmed_at__year=year, email_confirmed_at__month=number
            ).count(),
            "applications": Application.objects.filter(in_month).count(),
        }
    return data


def latest_followers() -> list[tuple[str, int, dt.date]]:
    seen = {}
    for row in SnsFollowerCount.objects.order_by("-month", "platform"):
        seen.setdefault(row.platform, (row.platform, row.followers, row.month))
    return sorted(seen.values())
