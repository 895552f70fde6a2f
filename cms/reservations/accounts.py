"""Resident sessions and the signed links mailed to residents.

A resident is logged in by storing their id and ``session_hash()`` in the Django
session (kept apart from ``request.user``, which stays the staff login), so a
password change ends every other session. Confirmation and password-reset links are
``django.core.signing`` tokens that expire; a reset link also carries the password
hash it was issued for, so it works once.
"""

import datetime as dt

from django.conf import settings
from django.core import signing
from django.utils import timezone
from django.utils.crypto import constant_time_compare

from .models import Resident

SESSION_KEY = "reservations_resident"
SESSION_HASH_KEY = "reservations_resident_hash"
CONFIRM_SALT = "reservations.confirm-email"
RESET_SALT = "reservations.password-reset"
CONFIRM_MAX_AGE = 3 * 24 * 3600  # 3 days
RESET_MAX_AGE = 2 * 3600  # 2 hours


def login_resident(request, resident: Resident) -> None:
    # A new session id at log-in (no session fixation); any staff login in the same
    # browser is kept, since cycle_key keeps the session's data.
    request.session.cycle_key()
    request.session[SESSION_KEY] = resident.pk
    request.session[SESSION_HASH_KEY] = resident.session_hash()
    resident.last_login = timezone.now()
    Resident.objects.filter(pk=resident.pk).update(last_login=resident.last_login)
    request.resident = resident


def logout_resident(request) -> None:
    request.session.pop(SESSION_KEY, None)
    request.session.pop(SESSION_HASH_KEY, None)
    request.session.cycle_key()
    request.resident = None


def current_resident(request) -> Resident | None:
    """The logged-in resident, or None (also when the password changed since)."""
    if hasattr(request, "resident"):
        return request.resident
    resident = None
    resident_id = request.session.get(SESSION_KEY)
    if resident_id:
        resident = Resident.objects.filter(pk=resident_id, is_active=True).first()
        if resident is not None and not constant_time_compare(
            request.session.get(SESSION_HASH_KEY, ""), resident.session_hash()
        ):
            resident = None
    request.resident = resident
    return resident


def confirmation_token(resident: Resident) -> str:
    return signing.dumps({"r": resident.pk, "e": resident.email}, salt=CONFIRM_SALT)


def resident_for_confirmation(token: str) -> Resident | None:
    try:
        data = signing.loads(token, salt=CONFIRM_SALT, max_age=CONFIRM_MAX_AGE)
    except signing.BadSignature:
        return None
    return Resident.objects.filter(pk=data.get("r"), email=data.get("e")).first()


def reset_token(resident: Resident) -> str:
    return signing.dumps(
        {"r": resident.pk, "h": resident.session_hash()[:16]}, salt=RESET_SALT
    )


def resident_for_reset(token: str) -> Resident | None:
    try:
        data = signing.loads(token, salt=RESET_SALT, max_age=RESET_MAX_AGE)
    except signing.BadSignature:
        return None
    resident = Resident.objects.filter(pk=data.get("r"), is_active=True).first()
    if resident is None or not constant_time_compare(
        data.get("h", ""), resident.session_hash()[:16]
    ):
        return None  # the password changed since: the link was used
    return resident


def absolute_url(path: str) -> str:
    """Links in mails point at the public site (same origin as the static pages)."""
    return f"{settings.PORTAL_SITE_URL}{path}"


def expiry_text(seconds: int) -> str:
    return (timezone.localtime() + dt.timedelta(seconds=seconds)).strftime(
        "%Y年%m月%d日 %H:%M"
    )
