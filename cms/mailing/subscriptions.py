"""Joining and leaving the list: web sign-up with double opt-in (a signed, expiring
confirmation link; the consent record keeps when, how and from which address),
one-click and page unsubscribes, and the preference page's changes."""

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from . import conf, tokens
from .models import (
    ConsentMethod,
    Delivery,
    Interest,
    Subscriber,
    SubscriberStatus,
    normalise_email,
)
from .rendering import public_url

CONSENT_TEXT = "メールマガジンの受け取りに同意する（ウェブ登録フォーム）"
PROFILE_FIELDS = (
    "name",
    "prefecture",
    "municipality",
    "birth_year",
    "age_band",
    "gender",
)


@transaction.atomic
def sign_up(data: dict, ip: str | None, user_agent: str = "") -> Subscriber:
    """Record a web sign-up as 確認待ち and mail the confirmation link. Someone
    already active gets nothing new (the answer is the same either way, so the form
    does not tell strangers who is on the list)."""
    email = normalise_email(data["email"])
    subscriber = Subscriber.objects.filter(email__iexact=email).first()
    if subscriber is not None and subscriber.status == SubscriberStatus.ACTIVE:
        return subscriber
    if subscriber is None:
        subscriber = Subscriber(email=email, status=SubscriberStatus.PENDING)
    else:
        subscriber.status = SubscriberStatus.PENDING
    for name in PROFILE_FIELDS:
        if data.get(name) not in (None, ""):
            setattr(subscriber, name, data[name])
    subscriber.consent_ip = ip or None
    subscriber.consent_note = f"{CONSENT_TEXT}; UA: {user_agent[:200]}"
    subscriber.save()
    names = [n for n in data.get("interests") or [] if n]
    if names:
        subscriber.interests.set(Interest.objects.filter(name__in=names))
    transaction.on_commit(lambda: send_confirmation(subscriber))
    return subscriber


def confirmation_url(subscriber: Subscriber) -> str:
    token = tokens.confirm_token(subscriber.pk, subscriber.email)
    return public_url(reverse("mailing:confirm", args=[token]))


def send_confirmation(subscriber: Subscriber) -> None:
    body = render_to_string(
        "mailing/mail/confirm.txt",
        {
            "name": subscriber.name,
            "link": confirmation_url(subscriber),
            "hours": conf.get("CONFIRM_TOKEN_HOURS"),
            "list_name": conf.get("FROM_NAME"),
            "sender_name": conf.get("SENDER_NAME") or conf.get("FROM_NAME"),
            "sender_address": conf.get("SENDER_ADDRESS"),
            "sender_contact": conf.get("SENDER_CONTACT"),
        },
    )
    EmailMessage(
        subject=f"【{conf.get('FROM_NAME')}】メール配信登録の確認",
        body=body,
        from_email=conf.get("FROM_EMAIL") or settings.DEFAULT_FROM_EMAIL,
        to=[subscriber.email],
    ).send()


def subscriber_for_confirmation(token: str) -> Subscriber | None:
    found = tokens.read_confirm_token(token)
    if found is None:
        return None
    subscriber_id, email = found
    subscriber = Subscriber.objects.filter(pk=subscriber_id).first()
    if subscriber is None or subscriber.email.lower() != email:
        return None
    return subscriber


def confirm(subscriber: Subscriber) -> None:
    if subscriber.status == SubscriberStatus.ACTIVE:
        return
    now = timezone.now()
    subscriber.status = SubscriberStatus.ACTIVE
    subscriber.confirmed_at = now
    subscriber.consent_at = now
    subscriber.consent_method = ConsentMethod.WEB
    subscriber.unsubscribed_at = None
    subscriber.unsubscribe_reason = ""
    subscriber.soft_bounce_count = 0
    subscriber.save()


def subscriber_for_token(token: str) -> tuple[Subscriber, int | None] | None:
    found = tokens.read_subscriber_token(token)
    if found is None:
        return None
    subscriber = Subscriber.objects.filter(pk=found[0]).first()
    return (subscriber, found[1]) if subscriber else None


def unsubscribe(subscriber: Subscriber, delivery_id: int | None, how: str) -> bool:
    """Stop all mail to ``subscriber`` now; False if it was already stopped."""
    now = timezone.now()
    changed = Subscriber.objects.filter(
        pk=subscriber.pk,
        status__in=[SubscriberStatus.ACTIVE, SubscriberStatus.PENDING],
    ).update(
        status=SubscriberStatus.UNSUBSCRIBED,
        unsubscribed_at=now,
        unsubscribe_reason=how,
        updated_at=now,
    )
    if delivery_id:
        Delivery.objects.filter(
            pk=delivery_id, subscriber=subscriber, unsubscribed_at__isnull=True
        ).update(unsubscribed_at=now)
    return bool(changed)


def update_preferences(subscriber: Subscriber, data: dict) -> None:
    for name in PROFILE_FIELDS:
        if name in data:
            value = data[name]
            if value is None and name != "birth_year":
                value = ""
            setattr(subscriber, name, value)
    subscriber.save()
    if "interests" in data:
        subscriber.interests.set(Interest.objects.filter(name__in=data["interests"]))
