"""Mails of the ties app, sent by the task worker after commit: the registration
link, application events (new application, decision, new message) and the
weekly digest of new matching programs."""

import datetime as dt

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

SUBJECT_PREFIX = "【関係人口】"


def absolute_url(path: str) -> str:
    return f"{settings.PORTAL_SITE_URL}{path}"


def send_now(subject: str, body: str, to: list[str]) -> None:
    for address in to:
        EmailMessage(
            subject=f"{SUBJECT_PREFIX}{subject}",
            body=body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[address],
        ).send()


def after_commit(subject: str, body: str, to: list[str]) -> None:
    from .tasks import send_mail

    to = sorted({a for a in to if a})
    if to:
        transaction.on_commit(lambda: send_mail.enqueue(subject, body, to))


def registration_mail(member, token: str) -> None:
    body = render_to_string(
        "ties/mail/confirm.txt",
        {
            "name": member.name,
            "link": absolute_url(reverse("ties:confirm", args=[token])),
            "hours": settings.TIES["CONFIRM_MAX_AGE_SECONDS"] // 3600,
        },
    )
    after_commit("登録の確認", body, [member.user.email])


def host_addresses(program) -> list[str]:
    host = program.host
    return [host.contact_email, *(u.email for u in host.users.filter(is_active=True))]


def application_event(application, event: str, text: str = "") -> None:
    """``event``: applied | accepted | declined | cancelled | withdrawn |
    message_to_host | message_to_member | reported."""
    program = application.program
    member_url = absolute_url(reverse("ties:application", args=[application.pk]))
    host_url = absolute_url(reverse("ties:host_application", args=[application.pk]))
    subjects = {
        "applied": (f"新しい申込み: {program.title}", "host"),
        "accepted": (f"受入が決まりました: {program.title}", "member"),
        "declined": (f"申込みの結果: {program.title}", "member"),
        "cancelled": (f"受入が取り消されました: {program.title}", "member"),
        "withdrawn": (f"申込みが取り下げられました: {program.title}", "host"),
        "message_to_host": (f"メッセージが届きました: {program.title}", "host"),
        "message_to_member": (f"メッセージが届きました: {program.title}", "member"),
        "reported": (f"参加報告が届きました: {program.title}", "host"),
    }
    subject, who = subjects[event]
    body = render_to_string(
        "ties/mail/application.txt",
        {
            "application": application,
            "program": program,
            "event": event,
            "text": text,
            "url": host_url if who == "host" else member_url,
        },
    )
    to = host_addresses(program) if who == "host" else [application.member.user.email]
    after_commit(subject, body, to)


def subsidy_reviewed(subsidy) -> None:
    """The review result (交付決定, 差し戻し, 不交付) with the reason, and a signed
    link to see it and, when returned, to send it again."""
    from .tokens import subsidy_token

    body = render_to_string(
        "ties/mail/subsidy_result.txt",
        {
            "subsidy": subsidy,
            "link": absolute_url(
                reverse("ties:subsidy_result", args=[subsidy_token(subsidy)])
            ),
            "days": settings.TIES["SUBSIDY_LINK_MAX_AGE_SECONDS"] // 86400,
        },
    )
    subject = f"交通費補助の審査結果（{subsidy.get_status_display()}）"
    after_commit(subject, body, [subsidy.member.user.email])


def send_weekly_digests(now=None) -> int:
    """Each active member gets the open programs published since their last digest
    (at most a week back) that match them; nothing when none match."""
    from . import matching
    from .models import MemberStatus, ProgramStatus, TiesMember, public_programs

    now = now or timezone.now()
    sent = 0
    for member in TiesMember.objects.filter(
        status=MemberStatus.ACTIVE, newsletter=True
    ).select_related("user"):
        since = max(
            member.last_digest_at or now - dt.timedelta(days=7),
            now - dt.timedelta(days=7),
        )
        new = public_programs().filter(
            status=ProgramStatus.OPEN, opened_at__gt=since, opened_at__lte=now
        )
        found = matching.programs_for(member, new)
        if found:
            body = render_to_string(
                "ties/mail/digest.txt",
                {
                    "member": member,
                    "found": [
                        (p, m, absolute_url(reverse("ties:program", args=[p.pk])))
                        for p, m in found
                    ],
                    "mypage": absolute_url(reverse("ties:mypage")),
                },
            )
            send_now("今週の新着おすすめプログラム", body, [member.user.email])
            sent += 1
        member.last_digest_at = now
        member.save(update_fields=["last_digest_at"])
    return sent
