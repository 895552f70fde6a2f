"""Signed tokens in mail links: unsubscribe/preferences (expiring), sign-up
confirmation (expiring), open pixels and click redirects (ids only, so the redirect
can only lead to a link staff wrote)."""

import datetime as dt

from django.core import signing

from . import conf

SUBSCRIBER_SALT = "mailing.subscriber"
CONFIRM_SALT = "mailing.confirm"
OPEN_SALT = "mailing.open"
CLICK_SALT = "mailing.click"

_open_signer = signing.Signer(salt=OPEN_SALT)
_click_signer = signing.Signer(salt=CLICK_SALT)
_subscriber_signer = signing.TimestampSigner(salt=SUBSCRIBER_SALT)


def _b62(number: int) -> str:
    return signing.b62_encode(number)


def _from_b62(text: str) -> int:
    return signing.b62_decode(text)


def subscriber_token(subscriber_id: int, delivery_id: int | None = None) -> str:
    """For unsubscribe and preference links (valid UNSUBSCRIBE_TOKEN_DAYS)."""
    value = _b62(subscriber_id) + ("." + _b62(delivery_id) if delivery_id else "")
    return _subscriber_signer.sign(value)


def read_subscriber_token(token: str) -> tuple[int, int | None] | None:
    max_age = dt.timedelta(days=conf.get("UNSUBSCRIBE_TOKEN_DAYS"))
    try:
        value = _subscriber_signer.unsign(token, max_age=max_age)
        subscriber, _, delivery = value.partition(".")
        return _from_b62(subscriber), (_from_b62(delivery) if delivery else None)
    except (signing.BadSignature, ValueError):
        return None


def confirm_token(subscriber_id: int, email: str) -> str:
    return signing.dumps({"s": subscriber_id, "e": email.lower()}, salt=CONFIRM_SALT)


def read_confirm_token(token: str) -> tuple[int, str] | None:
    max_age = dt.timedelta(hours=conf.get("CONFIRM_TOKEN_HOURS"))
    try:
        data = signing.loads(token, salt=CONFIRM_SALT, max_age=max_age)
        return int(data["s"]), str(data["e"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None


def open_token(delivery_id: int) -> str:
    return _open_signer.sign(_b62(delivery_id))


def read_open_token(token: str) -> int | None:
    try:
        return _from_b62(_open_signer.unsign(token))
    except (signing.BadSignature, ValueError):
        return None


def click_token(delivery_id: int, link_id: int) -> str:
    return _click_signer.sign(f"{_b62(delivery_id)}.{_b62(link_id)}")


def read_click_token(token: str) -> tuple[int, int] | None:
    try:
        delivery, link = _click_signer.unsign(token).split(".")
        return _from_b62(delivery), _from_b62(link)
    except (signing.BadSignature, ValueError):
        return None
