"""Bounces and complaints: parse delivery status notifications (RFC 3464), abuse
feedback reports (ARF, RFC 5965) and Amazon SES notifications into
``BounceReport``s (pure functions), then record them: a hard bounce or a complaint
suppresses the address at once, soft bounces after ``SOFT_BOUNCE_LIMIT``.

Messages come from a mailbox (IMAP or POP3, ``MAILING["BOUNCE_MAILBOX"]``), a
piped message (``portal mail_bounces -``) or SES via SNS (``/api/mail/ses``).
"""

import email
import json
import logging
import re
from dataclasses import dataclass
from email import policy
from email.message import Message
from urllib.parse import unquote, urlsplit

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from . import conf
from .models import Bounce, BounceKind, Delivery, Subscriber, SubscriberStatus

logger = logging.getLogger(__name__)

STATUS_CODE = re.compile(r"\b([245])\.(\d{1,3})\.(\d{1,3})\b")
REASONS = {
    "5.1.1": "宛先のメールアドレスが存在しない",
    "5.1.2": "宛先のドメインが存在しない",
    "5.1.3": "宛先のアドレスの形式が正しくない",
    "5.1.10": "宛先のドメインがメールを受け付けていない（Null MX）",
    "5.2.1": "宛先のメールボックスが使えない",
    "5.2.2": "宛先のメールボックスが満杯",
    "4.2.2": "宛先のメールボックスが満杯",
    "5.3.4": "メールが大きすぎる",
    "5.4.1": "宛先サーバーが受け取りを拒否した",
    "5.7.1": "受信拒否（ポリシー・迷惑メール判定）",
    "5.7.26": "受信拒否（SPF・DKIM・DMARCの認証失敗）",
    "5.7.27": "受信拒否（送信ドメインのSPFが受け付けない）",
}
CLASS_REASONS = {
    "5.1": "宛先アドレスの問題",
    "5.2": "宛先メールボックスの問題",
    "5.3": "宛先メールシステムの問題",
    "5.4": "配送経路・ドメインの問題",
    "5.5": "送信手順の問題",
    "5.7": "受信拒否（ポリシー・セキュリティ）",
    "4.2": "宛先メールボックスの一時的な問題",
    "4.3": "宛先メールシステムの一時的な問題",
    "4.4": "接続・配送経路の一時的な問題",
    "4.7": "一時的な受信制限",
}
# Mailbox full is reported as 5.2.2 by many servers, yet it passes: count it soft.
SOFT_PERMANENT_CODES = {"5.2.2"}


def reason_label(status_code: str, kind: str = "") -> str:
    if kind == BounceKind.COMPLAINT:
        return "迷惑メール報告"
    if status_code in REASONS:
        return REASONS[status_code]
    prefix = ".".join(status_code.split(".")[:2])
    if prefix in CLASS_REASONS:
        return CLASS_REASONS[prefix]
    if status_code.startswith("5"):
        return "恒久的なエラー（その他）"
    if status_code.startswith("4"):
        return "一時的なエラー（その他）"
    return "理由不明"


@dataclass
class BounceReport:
    email: str
    kind: str
    status_code: str = ""
    diagnostic: str = ""
    action: str = ""
    reporting_mta: str = ""
    original_message_id: str = ""
    source: str = "dsn"


def classify(status_code: str, action: str = "") -> str:
    action = action.lower()
    if action == "delayed" or status_code.startswith("4"):
        return BounceKind.SOFT
    if status_code in SOFT_PERMANENT_CODES:
        return BounceKind.SOFT
    if status_code.startswith("5") or action == "failed":
        return BounceKind.HARD
    return BounceKind.SOFT


def _address(value: str | None) -> str:
    # "rfc822; someone@example.jp" → someone@example.jp
    if not value:
        return ""
    value = str(value)
    if ";" in value:
        value = value.split(";", 1)[1]
    return value.strip().strip("<>").strip()


def _original_message_id(message: Message) -> str:
    for part in message.walk():
        content_type = part.get_content_type()
        if content_type == "message/rfc822":
            payload = part.get_payload()
            inner = payload[0] if isinstance(payload, list) and payload else None
            if inner is not None and inner.get("Message-ID"):
                return str(inner["Message-ID"]).strip()
        elif content_type == "text/rfc822-headers":
            headers = email.message_from_string(
                part.get_payload(decode=True).decode("utf-8", "replace"),
                policy=policy.compat32,
            )
            if headers.get("Message-ID"):
                return str(headers["Message-ID"]).strip()
    return ""


def parse_report(raw: bytes | str) -> list[BounceReport]:
    """The bounces or complaint in one message (empty if it is neither)."""
    if isinstance(raw, str):
        raw = raw.encode("utf-8", "replace")
    message = email.message_from_bytes(raw, policy=policy.compat32)
    original_id = _original_message_id(message)
    reports: list[BounceReport] = []
    for part in message.walk():
        content_type = part.get_content_type()
        if content_type == "message/delivery-status":
            reports += _parse_delivery_status(part, original_id)
        elif content_type == "message/feedback-report":
            reports += _parse_feedback_report(part, original_id)
    return reports


def _status_blocks(part: Message) -> list[Message]:
    payload = part.get_payload()
    if isinstance(payload, list):
        return payload
    # Some MTAs send it non-parsed: split the header blocks ourselves.
    text = payload if isinstance(payload, str) else ""
    return [
        email.message_from_string(block.strip() + "\n", policy=policy.compat32)
        for block in re.split(r"\r?\n\r?\n", text)
        if block.strip()
    ]


def _parse_delivery_status(part: Message, original_id: str) -> list[BounceReport]:
    blocks = _status_blocks(part)
    if not blocks:
        return []
    reporting_mta = _address(blocks[0].get("Reporting-MTA"))
    reports = []
    for block in blocks[1:] or blocks:
        recipient = _address(
            block.get("Final-Recipient") or block.get("Original-Recipient")
        )
        if not recipient:
            continue
        action = str(block.get("Action", "")).strip().lower()
        if action in {"delivered", "relayed", "expanded"}:
            continue
        diagnostic = " ".join(str(block.get("Diagnostic-Code", "")).split())
        if ";" in diagnostic:
            diagnostic = diagnostic.split(";", 1)[1].strip()
        status = str(block.get("Status", "")).strip()
        match = STATUS_CODE.search(status) or STATUS_CODE.search(diagnostic)
        status_code = ".".join(match.groups()) if match else ""
        reports.append(
            BounceReport(
                email=recipient,
                kind=classify(status_code, action),
                status_code=status_code,
                diagnostic=diagnostic[:2000],
                action=action,
                reporting_mta=reporting_mta,
                original_message_id=original_id,
            )
        )
    return reports


def _parse_feedback_report(part: Message, original_id: str) -> list[BounceReport]:
    blocks = _status_blocks(part)
    fields = blocks[0] if blocks else Message()
    recipient = _address(fields.get("Original-Rcpt-To"))
    if not recipient:
        # Without Original-Rcpt-To, the complained-about message's To header.
        for inner in part.get_payload() if isinstance(part.get_payload(), list) else []:
            recipient = recipient or _address(inner.get("To"))
    if not recipient:
        return []
    return [
        BounceReport(
            email=recipient,
            kind=BounceKind.COMPLAINT,
            diagnostic=str(fields.get("Feedback-Type", "abuse")).strip(),
            reporting_mta=str(fields.get("Reporting-MTA", "")).strip(),
            original_message_id=original_id,
            source="arf",
        )
    ]


def parse_ses_notification(payload: dict) -> list[BounceReport]:
    """An SES bounce/complaint notification (the ``Message`` of an SNS post)."""
    kind = payload.get("notificationType") or payload.get("eventType")
    mail = payload.get("mail", {})
    message_id = ""
    for header in mail.get("headers", []):
        if header.get("name", "").lower() == "message-id":
            message_id = header.get("value", "")
    reports = []
    if kind == "Bounce":
        bounce = payload.get("bounce", {})
        permanent = bounce.get("bounceType") == "Permanent"
        for recipient in bounce.get("bouncedRecipients", []):
            status = recipient.get("status", "") or ("5.0.0" if permanent else "4.0.0")
            reports.append(
                BounceReport(
                    email=recipient.get("emailAddress", ""),
                    kind=BounceKind.HARD if permanent else BounceKind.SOFT,
                    status_code=status,
                    diagnostic=recipient.get("diagnosticCode", "")
                    or bounce.get("bounceSubType", ""),
                    action=recipient.get("action", ""),
                    reporting_mta=bounce.get("reportingMTA", ""),
                    original_message_id=message_id,
                    source="ses",
                )
            )
    elif kind == "Complaint":
        complaint = payload.get("complaint", {})
        for recipient in complaint.get("complainedRecipients", []):
            reports.append(
                BounceReport(
                    email=recipient.get("emailAddress", ""),
                    kind=BounceKind.COMPLAINT,
                    diagnostic=complaint.get("complaintFeedbackType", "abuse"),
                    original_message_id=message_id,
                    source="ses",
                )
            )
    return [r for r in reports if r.email]


# --- Recording ----------------------------------------------------------------------


@transaction.atomic
def record(report: BounceReport) -> Bounce:
    """Store the report and suppress the address when it must be."""
    subscriber = Subscriber.objects.filter(email__iexact=report.email).first()
    delivery = None
    if report.original_message_id:
        delivery = Delivery.objects.filter(
            message_id=report.original_message_id.strip()
        ).first()
    if delivery is None and subscriber is not None:
        delivery = (
            Delivery.objects.filter(subscriber=subscriber, sent_at__isnull=False)
            .order_by("-sent_at")
            .first()
        )
    bounce = Bounce.objects.create(
        subscriber=subscriber,
        delivery=delivery,
        email=report.email[:254],
        kind=report.kind,
        status_code=report.status_code[:20],
        diagnostic=report.diagnostic,
        reporting_mta=report.reporting_mta[:200],
        source=report.source,
    )
    if delivery is not None and report.kind != BounceKind.COMPLAINT:
        Delivery.objects.filter(pk=delivery.pk, bounced_at__isnull=True).update(
            bounced_at=timezone.now()
        )
    if subscriber is not None:
        _suppress(subscriber, report)
    return bounce


def _suppress(subscriber: Subscriber, report: BounceReport) -> None:
    now = timezone.now()
    if report.kind == BounceKind.COMPLAINT:
        Subscriber.objects.filter(pk=subscriber.pk).update(
            status=SubscriberStatus.COMPLAINED,
            unsubscribed_at=now,
            unsubscribe_reason="迷惑メール報告",
        )
    elif report.kind == BounceKind.HARD:
        if subscriber.status == SubscriberStatus.ACTIVE:
            Subscriber.objects.filter(pk=subscriber.pk).update(
                status=SubscriberStatus.BOUNCED,
                unsubscribe_reason=reason_label(report.status_code, report.kind),
            )
    else:
        Subscriber.objects.filter(pk=subscriber.pk).update(
            soft_bounce_count=F("soft_bounce_count") + 1
        )
        subscriber.refresh_from_db(fields=["soft_bounce_count", "status"])
        if (
            subscriber.soft_bounce_count >= conf.get("SOFT_BOUNCE_LIMIT")
            and subscriber.status == SubscriberStatus.ACTIVE
        ):
            Subscriber.objects.filter(pk=subscriber.pk).update(
                status=SubscriberStatus.BOUNCED,
                unsubscribe_reason="一時的な不達が続いたため",
            )


def process_message(raw: bytes | str) -> list[Bounce]:
    return [record(report) for report in parse_report(raw)]


def process_ses_sns(body: dict) -> list[Bounce]:
    message = body.get("Message", "{}")
    payload = json.loads(message) if isinstance(message, str) else message
    return [record(report) for report in parse_ses_notification(payload)]


# --- Mailboxes ------------------------------------------------------------------------


def fetch_mailbox(url: str | None = None, *, delete: bool = True) -> int:
    """Read every message in the bounce mailbox (imap://, imaps://, pop3://,
    pop3s://), record what it reports, and delete what was read. Returns the count
    of bounces/complaints recorded."""
    url = url or conf.get("BOUNCE_MAILBOX")
    if not url:
        return 0
    parts = urlsplit(url)
    user, password = unquote(parts.username or ""), unquote(parts.password or "")
    recorded = 0
    if parts.scheme in {"imap", "imaps"}:
        import imaplib

        client_class = imaplib.IMAP4_SSL if parts.scheme == "imaps" else imaplib.IMAP4
        with client_class(
            parts.hostname, parts.port or (993 if parts.scheme == "imaps" else 143)
        ) as client:
            client.login(user, password)
            client.select(parts.path.strip("/") or "INBOX")
            _, data = client.search(None, "ALL")
            for number in data[0].split():
                _, fetched = client.fetch(number, "(RFC822)")
                recorded += _safe_process(fetched[0][1])
                if delete:
                    client.store(number, "+FLAGS", "\\Deleted")
            client.expunge()
    elif parts.scheme in {"pop3", "pop3s"}:
        import poplib

        if parts.scheme == "pop3s":
            client = poplib.POP3_SSL(parts.hostname, parts.port or 995)
        else:
            client = poplib.POP3(parts.hostname, parts.port or 110)
        try:
            client.user(user)
            client.pass_(password)
            count = len(client.list()[1])
            for number in range(1, count + 1):
                _, lines, _ = client.retr(number)
                recorded += _safe_process(b"\r\n".join(lines))
                if delete:
                    client.dele(number)
        finally:
            client.quit()
    else:
        raise ValueError(f"unsupported bounce mailbox scheme: {parts.scheme}")
    return recorded


def _safe_process(raw: bytes) -> int:
    try:
        return len(process_message(raw))
    except Exception:  # one unreadable message must not stop the rest
        logger.exception("could not process a bounce message")
        return 0
