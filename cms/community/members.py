"""Members: registration with a signed, expiring confirmation link, the rules they
accepted, their attributes (shared with the mail tool's ``Subscriber`` when they
are on the mailing list), blocks, display names and account deletion."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from cms.core.permissions import (
    is_community_manager,
    is_prefecture_staff,
    municipality_ids_for_user,
)
from cms.mailing.models import Subscriber, SubscriberStatus, normalise_email

from .models import (
    MemberBlock,
    MemberProfile,
    RulesAcceptance,
    RulesVersion,
    Voice,
)

CONFIRM_SALT = "community.confirm-email"
ATTRIBUTE_FIELDS = ("age_band", "prefecture", "municipality_name")
# Our profile field → the subscriber's field with the same meaning.
SUBSCRIBER_FIELDS = {
    "age_band": "age_band",
    "prefecture": "prefecture",
    "municipality_name": "municipality",
}
DELETED_NAME = "退会したメンバー"


def username_for(email: str) -> str:
    return normalise_email(email).lower()


def login_name_for(email: str) -> str:
    """The user name to log in with: a member's is their address; staff, managers
    and editors (whose user names are not addresses) log in with the address on
    their account when exactly one active account has it."""
    username = username_for(email)
    User = get_user_model()
    if User.objects.filter(username=username).exists():
        return username
    matches = list(
        User.objects.filter(
            email__iexact=normalise_email(email), is_active=True
        ).values_list("username", flat=True)[:2]
    )
    return matches[0] if len(matches) == 1 else username


def current_rules() -> RulesVersion | None:
    return RulesVersion.objects.filter(published_at__lte=timezone.now()).first()


def has_accepted_current_rules(user) -> bool:
    """Members accept the newest rules; those who run the community (managers,
    staff, municipality editors) are bound by their own terms of work."""
    if is_community_manager(user) or municipality_ids_for_user(user):
        return True
    rules = current_rules()
    if rules is None:
        return True
    if not hasattr(user, "_community_rules_ok"):
        user._community_rules_ok = RulesAcceptance.objects.filter(
            member=user, rules=rules
        ).exists()
    return user._community_rules_ok


def accept_rules(user, rules: RulesVersion | None = None) -> None:
    rules = rules or current_rules()
    if rules is not None:
        RulesAcceptance.objects.get_or_create(member=user, rules=rules)
        user._community_rules_ok = True


@transaction.atomic
def register(data: dict, rules: RulesVersion | None):
    """Create the user (inactive until confirmed) and the profile; the caller mails
    the confirmation link after commit."""
    User = get_user_model()
    email = normalise_email(data["email"])
    # A registration that was never confirmed gives way to the new one.
    for stale in User.objects.filter(
        Q(username=username_for(email)) | Q(email__iexact=email)
    ).select_related("community_profile"):
        if is_stale_registration(stale):
            stale.delete()
    user = User(username=username_for(email), email=email, is_active=False)
    user.set_password(data["password1"])
    user.save()
    profile = MemberProfile.objects.create(
        user=user,
        nickname=data["nickname"],
        age_band=data.get("age_band") or "",
        prefecture=data.get("prefecture") or "",
        municipality_name=data.get("municipality_name") or "",
        relation=data.get("relation") or "",
    )
    if rules is not None:
        RulesAcceptance.objects.create(member=user, rules=rules)
    return profile


def is_stale_registration(user) -> bool:
    """An account made by the join form whose address was never confirmed."""
    profile = getattr(user, "community_profile", None)
    return (
        not user.is_active
        and profile is not None
        and profile.email_confirmed_at is None
        and not user.is_staff
        and not user.is_superuser
    )


def confirmation_token(user) -> str:
    return signing.dumps({"u": user.pk, "e": user.email}, salt=CONFIRM_SALT)


def user_for_confirmation(token: str):
    try:
        data = signing.loads(
            token,
            salt=CONFIRM_SALT,
            max_age=settings.COMMUNITY["CONFIRM_MAX_AGE_SECONDS"],
        )
    except signing.BadSignature:
        return None
    return (
        get_user_model()
        .objects.filter(pk=data.get("u"), email=data.get("e"))
        .select_related("community_profile")
        .first()
    )


@transaction.atomic
def confirm(user) -> MemberProfile:
    """Activate the account and, when the address is on the mailing list, link
    the profile to that subscriber (the confirmed address proves it is theirs)."""
    profile = user.community_profile
    if profile.email_confirmed_at is None:
        profile.email_confirmed_at = timezone.now()
        profile.save(update_fields=["email_confirmed_at"])
    if not user.is_active:
        user.is_active = True
        user.save(update_fields=["is_active"])
    link_subscriber(profile)
    return profile


def link_subscriber(profile: MemberProfile) -> Subscriber | None:
    """Share attributes with the mail tool: an active subscriber with the member's
    address takes over the profile's age band and residence (filling in what it
    lacks from the profile), and the profile stops keeping its own copy."""
    if profile.subscriber_id:
        return profile.subscriber
    subscriber = Subscriber.objects.filter(
        email__iexact=profile.user.email, status=SubscriberStatus.ACTIVE
    ).first()
    if subscriber is None or hasattr(subscriber, "community_profile"):
        return None
    changed = []
    for ours, theirs in SUBSCRIBER_FIELDS.items():
        if not getattr(subscriber, theirs) and getattr(profile, ours):
            setattr(subscriber, theirs, getattr(profile, ours))
            changed.append(theirs)
    if changed:
        subscriber.save(update_fields=[*changed, "updated_at"])
    profile.subscriber = subscriber
    for ours in ATTRIBUTE_FIELDS:
        setattr(profile, ours, "")
    profile.save(update_fields=["subscriber", *ATTRIBUTE_FIELDS])
    return subscriber


def attributes(profile: MemberProfile) -> dict:
    """Age band and residence, from the subscriber when linked."""
    if profile.subscriber_id:
        subscriber = profile.subscriber
        values = {
            ours: getattr(subscriber, theirs)
            for ours, theirs in SUBSCRIBER_FIELDS.items()
        }
        values["age_band"] = subscriber.effective_age_band()
        return values
    return {name: getattr(profile, name) for name in ATTRIBUTE_FIELDS}


@transaction.atomic
def save_attributes(profile: MemberProfile, values: dict) -> None:
    """Write age band and residence where they live (subscriber or profile)."""
    if profile.subscriber_id:
        subscriber = profile.subscriber
        for ours, theirs in SUBSCRIBER_FIELDS.items():
            setattr(subscriber, theirs, values.get(ours) or "")
        if values.get("age_band"):
            subscriber.birth_year = None  # the member's own answer wins
        subscriber.save()
    else:
        for name in ATTRIBUTE_FIELDS:
            setattr(profile, name, values.get(name) or "")
        profile.save(update_fields=list(ATTRIBUTE_FIELDS))


def active_block(user) -> MemberBlock | None:
    if not user.is_authenticated:
        return None
    if not hasattr(user, "_community_block"):
        user._community_block = MemberBlock.objects.filter(
            member=user, lifted_at__isnull=True
        ).first()
    return user._community_block


def display_name(user, voice: str = Voice.MEMBER, municipality=None) -> str:
    """How an author is shown: the voice's name, else the member's nickname."""
    if voice == Voice.MUNICIPALITY and municipality is not None:
        return municipality.name
    if voice == Voice.PREFECTURE:
        return "茨城県"
    if voice == Voice.MANAGER:
        return "コミュニティマネージャー"
    if user is None:
        return DELETED_NAME
    profile = getattr(user, "community_profile", None)
    if profile is not None:
        return profile.nickname
    return user.get_full_name() or user.get_username()


def can_be_deleted_by_self(user) -> bool:
    """An account that also works in the admin is deleted by staff, not here: the
    page deletes only the community profile of such a user."""
    return not (
        user.is_superuser
        or is_prefecture_staff(user)
        or is_community_manager(user)
        or municipality_ids_for_user(user)
        or user.has_perm("wagtailadmin.access_admin")
    )


@transaction.atomic
def delete_member(user) -> None:
    """退会: posts and comments stay (conversations keep their sense) under
    「退会したメンバー」; the profile, avatar, reactions, notifications and — for
    a plain member — the account itself are deleted."""
    from . import oplog

    profile = getattr(user, "community_profile", None)
    label = profile.nickname if profile else user.get_username()
    oplog.record(
        None, oplog.MEMBER_DELETED, user=None, data={"member": user.pk}, label=label
    )
    if profile is not None:
        if profile.avatar:
            profile.avatar.delete(save=False)
        profile.delete()
    if can_be_deleted_by_self(user):
        user.delete()
