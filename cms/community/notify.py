"""Telling people: in-site notifications (お知らせ), the mails that go with some of
them (a moderation decision to its author, a 炎上 alert to the managers), the
registration mail and the optional daily digest. Mails go out from the task
worker after the transaction commits."""

import datetime as dt

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from cms.core.permissions import COMMUNITY_MANAGER_GROUP, PREFECTURE_STAFF_GROUP

from .models import MemberProfile, Notification, NotificationKind, Post, Status

SUBJECT_PREFIX = "【コミュニティ】"
# Kinds a member cannot switch off: decisions about their own posts.
ALWAYS = {NotificationKind.MODERATION, NotificationKind.ALERT, NotificationKind.HELD}


def absolute_url(path: str) -> str:
    return f"{settings.PORTAL_SITE_URL}{path}"


def notify(recipient, kind: str, message: str, url: str = "") -> Notification | None:
    if recipient is None or not recipient.is_active:
        return None
    profile = getattr(recipient, "community_profile", None)
    if kind not in ALWAYS and profile is not None and not profile.notify_in_site:
        return None
    return Notification.objects.create(
        recipient=recipient, kind=kind, message=message[:300], url=url[:300]
    )


def managers():
    return (
        get_user_model()
        .objects.filter(is_active=True)
        .filter(
            Q(groups__name__in=[COMMUNITY_MANAGER_GROUP, PREFECTURE_STAFF_GROUP])
            | Q(is_superuser=True)
        )
        .distinct()
    )


def notify_managers(kind: str, message: str, url: str, mail_subject: str = "") -> None:
    recipients = list(managers())
    for user in recipients:
        notify(user, kind, message, url)
    if mail_subject:
        addresses = sorted({u.email for u in recipients if u.email})
        if addresses:
            _after_commit_mail(
                mail_subject, message + "\n\n" + absolute_url(url), addresses
            )


def _after_commit_mail(subject: str, body: str, to: list[str]) -> None:
    from .tasks import send_mail

    transaction.on_commit(lambda: send_mail.enqueue(subject, body, to))


def send_now(subject: str, body: str, to: list[str]) -> None:
    """Each recipient gets their own message (no one sees the others' addresses)."""
    for address in to:
        EmailMessage(
            subject=f"{SUBJECT_PREFIX}{subject}",
            body=body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[address],
        ).send()


def _send_link_mail(user, subject: str, template: str, path: str, seconds: int):
    """A mail to one member with a link that expires after ``seconds``."""
    body = render_to_string(
        f"community/mail/{template}",
        {
            "nickname": user.community_profile.nickname,
            "link": absolute_url(path),
            "hours": seconds // 3600,
        },
    )
    send_now(subject, body, [user.email])


def send_registration_mail(user, token: str) -> None:
    _send_link_mail(
        user,
        "メンバー登録の確認",
        "registration.txt",
        reverse("community:confirm", args=[token]),
        settings.COMMUNITY["CONFIRM_MAX_AGE_SECONDS"],
    )


def send_password_reset_mail(user, uidb64: str, token: str) -> None:
    _send_link_mail(
        user,
        "パスワードの再設定",
        "password_reset.txt",
        reverse(
            "community:password_reset_confirm",
            kwargs={"uidb64": uidb64, "token": token},
        ),
        settings.PASSWORD_RESET_TIMEOUT,
    )


def tell_author_about_moderation(target, action_label: str) -> None:
    """The author sees the decision and its reason in the site, and by mail unless
    they switched that off."""
    author = target.author
    if author is None:
        return
    what = "投稿" if isinstance(target, Post) else "コメント"
    title = target.title if isinstance(target, Post) else target.post.title
    message = f"あなたの{what}「{title[:30]}」を{action_label}しました。理由: {target.moderation_reason}"
    url = reverse("community:my_posts")
    notify(author, NotificationKind.MODERATION, message, url)
    profile = getattr(author, "community_profile", None)
    if author.email and (profile is None or profile.moderation_mail):
        body = render_to_string(
            "community/mail/moderation.txt",
            {
                "name": profile.nickname if profile else author.get_username(),
                "what": what,
                "title": title,
                "action": action_label,
                "reason": target.moderation_reason,
                "link": absolute_url(url),
                "rules": absolute_url(reverse("community:rules")),
            },
        )
        _after_commit_mail(f"{what}を{action_label}しました", body, [author.email])


def unread_count(user) -> int:
    if not user.is_authenticated:
        return 0
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def send_daily_digests(now: dt.datetime | None = None) -> int:
    """The daily digest for members who asked for it: their unread notifications
    and the day's most active topics in the rooms they can read. Returns the
    number of mails sent."""
    now = now or timezone.now()
    since_default = now - dt.timedelta(days=1)
    sent = 0
    profiles = MemberProfile.objects.filter(
        digest_mail=True, email_confirmed_at__isnull=False, user__is_active=True
    ).select_related("user")
    top = list(
        Post.objects.filter(
            status=Status.PUBLISHED, last_activity_at__gte=since_default
        )
        .select_related("room")
        .order_by("-comment_count", "-reaction_count")[:20]
    )
    for profile in profiles:
        since = profile.last_digest_at or since_default
        unread = list(
            Notification.objects.filter(
                recipient=profile.user, read_at__isnull=True, created_at__gte=since
            )[:20]
        )
        topics = [p for p in top if p.room.is_public or profile.email_confirmed_at][:5]
        if not unread and not topics:
            continue
        body = render_to_string(
            "community/mail/digest.txt",
            {
                "nickname": profile.nickname,
                "unread": unread,
                "topics": topics,
                "site": settings.PORTAL_SITE_URL,
                "settings_link": absolute_url(reverse("community:profile")),
            },
        )
        send_now("きょうの新着", body, [profile.user.email])
        MemberProfile.objects.filter(pk=profile.pk).update(last_digest_at=now)
        sent += 1
    return sent
