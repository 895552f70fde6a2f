"""E-mail relay: a mail received at the relay mailbox is redelivered as a LINE text
to everyone or a segment, after staff-defined rewrite rules (``MailRelayRule``).
``relay_text`` and ``sender_authenticated`` are pure; ``relay_message`` creates the
messages and sends those that may go at once.

Anyone can write any ``From:``, so by default a relayed mail becomes a draft that
staff check and send. A rule may send without review, and then only mail that our
own receiving server (``LINE["RELAY_AUTHSERV_ID"]``) found DMARC-aligned for the
sender's domain goes at once; everything else still waits as a draft.

Mail arrives through ``portal line_relay_mail`` (reads one message on stdin, for an
MTA pipe such as Postfix ``|portal line_relay_mail``, or every message of the IMAP
mailbox ``LINE_RELAY_MAILBOX``).
"""

import email
import re
from dataclasses import dataclass
from email import policy
from email.utils import parseaddr

from django.conf import settings

from .models import Audience, LineMessage, MailRelayRule, ScheduleKind

TEXT_MAX = 5000


@dataclass(frozen=True)
class RelayedMail:
    sender: str
    subject: str
    body: str
    authentication_results: tuple[str, ...]


@dataclass(frozen=True)
class Relayed:
    message: LineMessage
    run: object | None  # the DeliveryRun when sent at once; None for a draft


def parse(raw: bytes) -> RelayedMail:
    """Sender, subject, plain text body and Authentication-Results of a mail."""
    message = email.message_from_bytes(raw, policy=policy.default)
    body = message.get_body(preferencelist=("plain", "html"))
    text = body.get_content() if body is not None else ""
    if body is not None and body.get_content_type() == "text/html":
        from django.utils.html import strip_tags

        text = strip_tags(text)
    return RelayedMail(
        str(message.get("From", "")),
        str(message.get("Subject", "")),
        text,
        tuple(str(h) for h in message.get_all("Authentication-Results") or ()),
    )


def sender_authenticated(mail: RelayedMail, authserv_id: str) -> bool:
    """Whether our receiving server (``authserv_id``) recorded ``dmarc=pass`` for
    the domain of the ``From:`` address (RFC 8601 headers; a server strips any
    that claim its id before adding its own)."""
    if not authserv_id:
        return False
    domain = parseaddr(mail.sender)[1].rpartition("@")[2].lower()
    if not domain:
        return False
    for header in mail.authentication_results:
        server, _, results = header.partition(";")
        if server.strip().split()[:1] != [authserv_id]:
            continue
        for result in results.split(";"):
            words = dict(part.split("=", 1) for part in result.split() if "=" in part)
            if (
                words.get("dmarc", "").lower() == "pass"
                and words.get("header.from", "").lower() == domain
            ):
                return True
    return False


def rule_matches(rule, sender: str, subject: str) -> bool:
    return (
        not rule.sender_contains or rule.sender_contains.lower() in sender.lower()
    ) and (not rule.subject_contains or rule.subject_contains in subject)


def relay_text(rule, subject: str, body: str) -> str:
    """The LINE text for ``body`` after ``rule``'s rewrites, header and footer."""
    text = body.replace("\r\n", "\n")
    for rewrite in rule.rewrites or []:
        find, replace = rewrite.get("find", ""), rewrite.get("replace", "")
        if not find:
            continue
        if rewrite.get("regex"):
            text = re.sub(find, replace, text)
        else:
            text = text.replace(find, replace)
    parts = [rule.header.strip()] if rule.header.strip() else []
    if rule.include_subject and subject:
        parts.append(f"【{subject}】")
    parts.append(re.sub(r"\n{3,}", "\n\n", text).strip())
    if rule.footer.strip():
        parts.append(rule.footer.strip())
    text = "\n".join(parts)
    return text if len(text) <= TEXT_MAX else text[: TEXT_MAX - 1] + "…"


def relay_message(raw: bytes, **send_kwargs) -> list[Relayed]:
    """Redeliver one mail by every matching active rule: sent at once where the
    rule allows it and the sender is authenticated, else left as a draft."""
    from .delivery import send_now

    mail = parse(raw)
    authenticated = sender_authenticated(mail, settings.LINE["RELAY_AUTHSERV_ID"])
    relayed = []
    for rule in MailRelayRule.objects.filter(is_active=True).select_related(
        "channel", "segment"
    ):
        if not rule_matches(rule, mail.sender, mail.subject):
            continue
        at_once = rule.send_without_review and authenticated
        message = LineMessage.objects.create(
            channel=rule.channel,
            title=f"メール再配信: {mail.subject}"[:100],
            text=relay_text(rule, mail.subject, mail.body),
            schedule=ScheduleKind.NOW,
            audience=Audience.SEGMENT if rule.segment_id else Audience.ALL,
            segment=rule.segment,
        )
        run = send_now(message, **send_kwargs) if at_once else None
        relayed.append(Relayed(message, run))
    return relayed
