"""Signed, expiring links that mails carry back to one record: the subsidy
review result (with the resubmission form when it was returned). The token
names the record and the member's address, so it stops working when the
address changes; ``SUBSIDY_LINK_MAX_AGE_SECONDS`` bounds its life."""

from django.conf import settings
from django.core import signing

SUBSIDY_SALT = "cms.ties.subsidy-result"


def subsidy_token(subsidy) -> str:
    return signing.dumps(
        {"s": subsidy.pk, "e": subsidy.member.user.email.lower()}, salt=SUBSIDY_SALT
    )


def subsidy_for_token(token: str):
    """The subsidy application the token was made for, or None when it is
    forged, expired, or its member's address has changed since."""
    from .models import SubsidyApplication

    try:
        data = signing.loads(
            token,
            salt=SUBSIDY_SALT,
            max_age=settings.TIES["SUBSIDY_LINK_MAX_AGE_SECONDS"],
        )
    except signing.BadSignature:
        return None
    subsidy = (
        SubsidyApplication.objects.select_related("member__user")
        .filter(pk=data.get("s"))
        .first()
    )
    if subsidy is None or subsidy.member.user.email.lower() != data.get("e"):
        return None
    return subsidy
