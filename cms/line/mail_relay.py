"""E-mail relay: a mail received at the relay mailbox is redelivered as a LINE text
to everyone or a segment, after staff-defined rewrite rules (``MailRelayRule``).
``relay_text`` is pure; ``relay_message`` creates and sends the deliveries.

Mail arrives through ``portal line_relay_mail`` (reads one message on stdin, for an
MTA pipe such as Postfix ``|portal line_relay_mail``, or every message of the IMAP
mailbox ``LINE_RELAY_MAILBOX``).
"""

import email
import re
from email import policy

from .models import Audience, LineMessage, MailRelayRule, ScheduleKind

TEXT_MAX = 5000


def parse(raw: bytes) -> tuple[str, str, str]:
    """(sender, subject, plain text body) of a mail."""
    message = email.message_from_bytes(raw, policy=policy.default)
    body = message.get_body(preferencelist=("plain", "html"))
    text = body.get_content() if body is not None else ""
    if body is not None and body.get_content_type() == "text/html":
        from django.utils.html import strip_tags

        text = strip_tags(text)
    return str(message.get("From", "")), str(message.get("Subject", "")), text


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


def relay_message(raw: bytes, **send_kwargs) -> list:
    """Redeliver one mail by every matching active rule; returns the runs."""
    from .delivery import send_now

    sender, subject, body = parse(raw)
    runs = []
    for rule in MailRelayRule.objects.filter(is_active=True).select_related(
        "channel", "segment"
    ):
        if not rule_matches(rule, sender, subject):
            continue
        message = LineMessage.objects.create(
            channel=rule.channel,
            title=f"メール再配信: {subject}"[:100],
            text=relay_text(rule, subject, body),
            schedule=ScheduleKind.NOW,
            audience=Audience.SEGMENT if rule.segment_id else Audience.ALL,
            segment=rule.segment,
        )
        runs.append(send_now(message, **send_kwargs))
    return runs
