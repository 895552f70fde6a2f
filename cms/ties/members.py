"""Members (関係人口登録): registration with a signed, expiring confirmation link
(double opt-in), joining the mail tool's 「関係人口」 segment on confirmation,
pausing, and deletion. Accounts are Django users named by their address, like
community members (``cms.community.members``), so one login serves both."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from cms.community.members import can_be_deleted_by_self, username_for
from cms.mailing import subscriptions
from cms.mailing.models import (
    AttributeDefinition,
    AttributeKind,
    Segment,
    Subscriber,
    SubscriberStatus,
    normalise_email,
)

from .models import MemberStatus, TiesMember

CONFIRM_SALT = "ties.confirm-email"
# The subscriber attribute that puts someone in the segment.
ATTRIBUTE_KEY = "ties_status"
IN_SEGMENT = "member"


def conf(name: str):
    return settings.TIES[name]


def ensure_segment() -> Segment:
    """The 「関係人口」 segment: subscribers whose ``ties_status`` is "member"
    (active members; paused ones are "paused"). Idempotent."""
    AttributeDefinition.objects.get_or_create(
        key=ATTRIBUTE_KEY,
        defaults={
            "label": "関係人口登録",
            "kind": AttributeKind.CHOICE,
            "choices": "member\npaused",
        },
    )
    segment, _ = Segment.objects.get_or_create(
        name=conf("SEGMENT_NAME"),
        defaults={
            "description": "関係人口登録をして活動中のメンバー（月1回以上の情報メール）",
            "rules": {
                "op": "and",
                "rules": [
                    {
                        "field": f"attr:{ATTRIBUTE_KEY}",
                        "lookup": "eq",
                        "value": IN_SEGMENT,
                    }
                ],
            },
        },
    )
    return segment


def _save_member_fields(member: TiesMember, data: dict) -> None:
    for name in (
        "name",
        "prefecture",
        "skills",
        "interests",
        "involvements",
        "availability",
        "availability_note",
        "newsletter",
    ):
        if name in data:
            setattr(member, name, data[name])


@transaction.atomic
def register(data: dict, ip: str | None = None, user=None) -> TiesMember:
    """Create the member (and, for a visitor, an inactive user); the caller mails
    the confirmation link after commit. A logged-in user's address is already
    theirs, but they still confirm by mail so the consent record is the same."""
    User = get_user_model()
    if user is None:
        email = normalise_email(data["email"])
        for stale in User.objects.filter(
            Q(username=username_for(email)) | Q(email__iexact=email)
        ).select_related("ties_member"):
            if is_stale_registration(stale):
                stale.delete()
        user = User(username=username_for(email), email=email, is_active=False)
        user.set_password(data["password1"])
        user.save()
    member = TiesMember(user=user, consent_at=timezone.now(), consent_ip=ip or None)
    _save_member_fields(member, data)
    member.save()
    member.regions.set(data.get("regions") or [])
    return member


def is_stale_registration(user) -> bool:
    member = getattr(user, "ties_member", None)
    return (
        not user.is_active
        and member is not None
        and member.email_confirmed_at is None
        and not hasattr(user, "community_profile")
        and not user.is_staff
        and not user.is_superuser
    )


def email_taken(email: str) -> bool:
    """An active account (or a confirmed member) already uses the address."""
    email = normalise_email(email)
    for user in get_user_model().objects.filter(
        Q(username=username_for(email)) | Q(email__iexact=email)
    ):
        if not is_stale_registration(user):
            return True
    return False


def confirmation_token(member: TiesMember) -> str:
    return signing.dumps(
        {"m": member.pk, "e": member.user.email.lower()}, salt=CONFIRM_SALT
    )


def member_for_confirmation(token: str) -> TiesMember | None:
    try:
        data = signing.loads(
            token, salt=CONFIRM_SALT, max_age=conf("CONFIRM_MAX_AGE_SECONDS")
        )
    except signing.BadSignature:
        return None
    member = TiesMember.objects.select_related("user").filter(pk=data.get("m")).first()
    if member is None or member.user.email.lower() != data.get("e"):
        return None
    return member


@transaction.atomic
def confirm(member: TiesMember) -> TiesMember:
    """Activate the account and the member; put them on the mailing list in the
    「関係人口」 segment (the confirmed link is the double opt-in)."""
    now = timezone.now()
    if member.email_confirmed_at is None:
        member.email_confirmed_at = now
        member.status = MemberStatus.ACTIVE
        member.save(update_fields=["email_confirmed_at", "status"])
    user = member.user
    if not user.is_active:
        user.is_active = True
        user.save(update_fields=["is_active"])
    sync_subscriber(member)
    return member


def sync_subscriber(member: TiesMember) -> Subscriber | None:
    """Keep the member's subscriber in step: in the segment when active and
    wanting the newsletter, "paused" otherwise. A stopped subscription is started
    again only when the member (confirmed, logged in) asks for the newsletter."""
    ensure_segment()
    subscriber = (
        member.subscriber
        or Subscriber.objects.filter(email__iexact=member.user.email).first()
    )
    wanted = member.newsletter and member.is_active
    if subscriber is None:
        if not wanted:
            return None
        subscriber = Subscriber(
            email=member.user.email, status=SubscriberStatus.PENDING
        )
    if not subscriber.name:
        subscriber.name = member.name
    if not subscriber.prefecture:
        subscriber.prefecture = member.prefecture
    attributes = dict(subscriber.attributes or {})
    attributes[ATTRIBUTE_KEY] = IN_SEGMENT if wanted else "paused"
    subscriber.attributes = attributes
    if wanted and subscriber.status != SubscriberStatus.ACTIVE:
        subscriber.consent_ip = member.consent_ip
        subscriber.consent_note = "関係人口登録フォーム（メール確認済み）"
        subscriber.save()
        subscriptions.confirm(subscriber)
    subscriber.save()
    if member.subscriber_id != subscriber.pk:
        member.subscriber = subscriber
        member.save(update_fields=["subscriber"])
    return subscriber


@transaction.atomic
def update(member: TiesMember, data: dict) -> None:
    _save_member_fields(member, data)
    member.save()
    if "regions" in data:
        member.regions.set(data["regions"])
    sync_subscriber(member)


@transaction.atomic
def set_paused(member: TiesMember, paused: bool) -> None:
    member.status = MemberStatus.PAUSED if paused else MemberStatus.ACTIVE
    member.save(update_fields=["status"])
    sync_subscriber(member)


@transaction.atomic
def delete_member(member: TiesMember) -> None:
    """削除: the member, their applications and subsidy requests go; the mail
    subscription is stopped unless a community profile still uses it; the account
    goes too when nothing else (community, admin) uses it."""
    user = member.user
    subscriber = member.subscriber
    if subscriber is not None:
        attributes = dict(subscriber.attributes or {})
        attributes.pop(ATTRIBUTE_KEY, None)
        subscriber.attributes = attributes
        subscriber.save()
        if not hasattr(subscriber, "community_profile"):
            subscriptions.unsubscribe(subscriber, None, "関係人口登録の削除")
    for subsidy in member.subsidy_applications.all():
        for receipt in subsidy.receipts.all():
            receipt.file.delete(save=False)
    member.delete()
    if not hasattr(user, "community_profile") and can_be_deleted_by_self(user):
        user.delete()
