"""Sending a campaign: fix its recipients as one ``Delivery`` row each, then send
them in claimed batches through Django's mail backend.

Why no one is sent twice or skipped: a worker claims a batch (``pending`` →
``sending``) in a transaction, and marks each delivery ``sent`` right after the
server accepted it. When the SMTP server fails mid-batch, the failed delivery and
the rest of the batch go back to ``pending`` and the campaign pauses; the retry (or
「再開」 in the admin) sends exactly those. Several workers may run the same campaign
(more SMTP connections, more cores): claims never overlap. Only if a worker
process is killed between the server's "250 OK" and our UPDATE can that one
message go out twice when its stale claim is re-queued.
"""

import logging
import queue
import smtplib
import threading
import time
from dataclasses import dataclass, field

from django.core.mail import get_connection
from django.db import connection as db_connection
from django.db import transaction
from django.db.models import Count, F
from django.utils import timezone

from . import conf
from .models import (
    Campaign,
    CampaignStatus,
    Delivery,
    DeliveryStatus,
    SubscriberStatus,
)
from .rendering import CampaignRenderer, make_message_id, subscriber_fields

logger = logging.getLogger(__name__)

ACTIVE_STATES = {
    CampaignStatus.SCHEDULED,
    CampaignStatus.SENDING,
    CampaignStatus.PAUSED,
}
# SMTP errors that concern one recipient, not the server: mark and go on.
RECIPIENT_ERRORS = (smtplib.SMTPRecipientsRefused,)


class CampaignNotSendable(Exception):
    pass


@dataclass
class SendResult:
    sent: int = 0
    skipped: int = 0
    failed: int = 0
    paused: bool = False
    error: str = ""
    finished: bool = False
    retry: bool = False  # paused by a mail server failure (not by staff)
    seconds: float = 0.0
    extra: dict = field(default_factory=dict)


def prepare_deliveries(campaign: Campaign, chunk: int = 2000) -> int:
    """One ``pending`` delivery per current recipient (once per campaign)."""
    if campaign.prepared_at:
        return campaign.deliveries.count()
    recipients = campaign.recipients().order_by("pk").values_list("pk", "email")
    batch = []
    for subscriber_id, email in recipients.iterator(chunk_size=chunk):
        batch.append(
            Delivery(campaign=campaign, subscriber_id=subscriber_id, email=email)
        )
        if len(batch) >= chunk:
            Delivery.objects.bulk_create(batch, ignore_conflicts=True)
            batch = []
    if batch:
        Delivery.objects.bulk_create(batch, ignore_conflicts=True)
    campaign.prepared_at = timezone.now()
    Campaign.objects.filter(pk=campaign.pk).update(prepared_at=campaign.prepared_at)
    return campaign.deliveries.count()


def requeue_stale_claims(campaign: Campaign) -> int:
    cutoff = timezone.now() - timezone.timedelta(
        seconds=conf.get("STALE_CLAIM_SECONDS")
    )
    return Delivery.objects.filter(
        campaign=campaign, status=DeliveryStatus.SENDING, claimed_at__lt=cutoff
    ).update(status=DeliveryStatus.PENDING, claimed_at=None)


def claim_batch(campaign: Campaign, size: int) -> list[Delivery]:
    with transaction.atomic():
        pending = Delivery.objects.filter(
            campaign=campaign, status=DeliveryStatus.PENDING
        ).order_by("pk")
        if db_connection.features.has_select_for_update_skip_locked:
            pending = pending.select_for_update(skip_locked=True)
        ids = list(pending.values_list("pk", flat=True)[:size])
        if not ids:
            return []
        Delivery.objects.filter(pk__in=ids, status=DeliveryStatus.PENDING).update(
            status=DeliveryStatus.SENDING,
            claimed_at=timezone.now(),
            attempts=F("attempts") + 1,
        )
    return list(
        Delivery.objects.filter(pk__in=ids, status=DeliveryStatus.SENDING)
        .select_related("subscriber")
        .order_by("pk")
    )


class Throttle:
    """At most ``rate`` messages a second (0: no limit), shared by the threads."""

    def __init__(self, rate: float):
        self.interval = 1.0 / rate if rate > 0 else 0.0
        self.next_at = time.monotonic()
        self.lock = threading.Lock()

    def wait(self):
        if not self.interval:
            return
        with self.lock:
            now = time.monotonic()
            slot = max(self.next_at, now)
            self.next_at = slot + self.interval
        if slot > now:
            time.sleep(slot - now)


def send_campaign(
    campaign_id: int,
    *,
    rate: float | None = None,
    batch_size: int | None = None,
    connections: int | None = None,
) -> SendResult:
    """Send every pending delivery of the campaign (the body of the send task).

    ``connections`` SMTP connections send in parallel threads (the SMTP round
    trips overlap); only this thread touches the database, recording each
    message as soon as the server accepted it. Returns when done, when staff
    paused or cancelled the campaign, or when the mail server failed (then the
    campaign is ``paused`` with the error)."""
    started = time.monotonic()
    result = SendResult()
    campaign = Campaign.objects.select_related("template", "segment").get(
        pk=campaign_id
    )
    if campaign.status not in ACTIVE_STATES:
        result.error = f"status {campaign.status}"
        return result
    if (
        campaign.status == CampaignStatus.SCHEDULED
        and campaign.scheduled_at
        and campaign.scheduled_at > timezone.now()
    ):
        result.error = "not due"  # rescheduled: a later task sends it
        return result
    Campaign.objects.filter(pk=campaign.pk).update(
        status=CampaignStatus.SENDING,
        started_at=campaign.started_at or timezone.now(),
        last_error="",
    )
    prepare_deliveries(campaign)
    requeue_stale_claims(campaign)

    renderer = CampaignRenderer(campaign)
    if rate is None:
        rate = campaign.throttle_per_second or conf.get("MAX_RATE")
    throttle = Throttle(rate)
    size = batch_size or conf.get("BATCH_SIZE")
    senders = [
        get_connection() for _ in range(max(1, connections or conf.get("CONNECTIONS")))
    ]
    try:
        while True:
            status = Campaign.objects.values_list("status", flat=True).get(
                pk=campaign.pk
            )
            if status != CampaignStatus.SENDING:  # paused or cancelled by staff
                return result
            batch = claim_batch(campaign, size)
            if not batch:
                break
            _send_batch(batch, renderer, senders, throttle, result)
            if result.paused:
                break
    finally:
        for sender in senders:
            _close(sender)
        result.seconds = time.monotonic() - started

    if result.paused:
        Campaign.objects.filter(pk=campaign.pk).update(
            status=CampaignStatus.PAUSED, last_error=result.error
        )
        logger.warning("campaign %s paused: %s", campaign.pk, result.error)
        return result
    _finish_if_done(campaign, result)
    return result


# Events the sending threads report to the database thread.
SENT, SKIPPED, FAILED, SERVER_DOWN = "sent", "skipped", "failed", "down"
# Accepted messages are recorded in groups of at most this many, and at most this
# long after the server accepted them. A failing server loses nothing (everything
# accepted is recorded before the campaign pauses); a sender killed outright can
# leave up to one group unrecorded, sent again once its claim goes stale.
SENT_RECORD_BATCH = 25
SENT_RECORD_SECONDS = 0.5


def _send_batch(batch, renderer, senders, throttle, result):
    """Send a claimed batch over ``senders`` (one thread per connection) and record
    every outcome; on a server failure, put back whatever was not sent."""
    pending = queue.SimpleQueue()
    for delivery in batch:
        pending.put(delivery)
    events = queue.SimpleQueue()
    stop = threading.Event()

    def work(connection):
        while not stop.is_set():
            try:
                delivery = pending.get_nowait()
            except queue.Empty:
                break
            event = _send_one(delivery, renderer, connection, throttle)
            events.put(event)
            if event[0] == SERVER_DOWN:
                stop.set()
        events.put(None)

    threads = [
        threading.Thread(target=work, args=(sender,), daemon=True) for sender in senders
    ]
    for thread in threads:
        thread.start()
    finished_threads = 0
    recorded: set[int] = set()
    sent: list[Delivery] = []  # accepted by the server, not yet recorded
    oldest = 0.0

    def record_sent():
        # Together: a commit per message was a third of the sender's time.
        if sent:
            Delivery.objects.bulk_update(sent, ["status", "sent_at", "message_id"])
            recorded.update(d.pk for d in sent)
            sent.clear()

    while finished_threads < len(threads):
        try:
            event = events.get(timeout=SENT_RECORD_SECONDS)
        except queue.Empty:
            record_sent()
            continue
        if event is None:
            finished_threads += 1
            continue
        kind, delivery, detail = event
        if kind == SENT:
            delivery.status = DeliveryStatus.SENT
            delivery.sent_at = timezone.now()
            delivery.message_id = detail
            if not sent:
                oldest = time.monotonic()
            sent.append(delivery)
            result.sent += 1
            if (
                len(sent) >= SENT_RECORD_BATCH
                or time.monotonic() - oldest >= SENT_RECORD_SECONDS
            ):
                record_sent()
            continue
        if kind == SKIPPED:
            Delivery.objects.filter(pk=delivery.pk).update(
                status=DeliveryStatus.SKIPPED
            )
            result.skipped += 1
        elif kind == FAILED:
            Delivery.objects.filter(pk=delivery.pk).update(
                status=DeliveryStatus.FAILED, error=detail
            )
            result.failed += 1
        else:  # SERVER_DOWN: this one was not accepted
            Delivery.objects.filter(pk=delivery.pk).update(error=detail)
            result.paused, result.retry, result.error = True, True, detail
            continue
        recorded.add(delivery.pk)
    record_sent()
    for thread in threads:
        thread.join()
    if result.paused:
        unsent = [d.pk for d in batch if d.pk not in recorded]
        Delivery.objects.filter(pk__in=unsent, status=DeliveryStatus.SENDING).update(
            status=DeliveryStatus.PENDING, claimed_at=None
        )


def _send_one(delivery, renderer, connection, throttle):
    """Render and send one message (no database access: runs in a thread)."""
    subscriber = delivery.subscriber
    if subscriber is None or subscriber.status != SubscriberStatus.ACTIVE:
        return SKIPPED, delivery, ""
    message_id = make_message_id(renderer.domain)
    message = renderer.message(
        email=delivery.email,
        fields=subscriber_fields(subscriber),
        subscriber_id=subscriber.pk,
        delivery_id=delivery.pk,
        message_id=message_id,
    )
    throttle.wait()
    try:
        if getattr(connection, "connection", True) is None:
            connection.open()  # kept open across messages and batches
        connection.send_messages([message])
    except RECIPIENT_ERRORS as error:
        return FAILED, delivery, _describe(error)
    except (smtplib.SMTPException, OSError) as error:
        # The server, not the recipient: this connection stops here.
        _close(connection)
        return SERVER_DOWN, delivery, _describe(error)
    return SENT, delivery, message_id


def _close(connection):
    try:
        connection.close()
    except Exception:  # a dead server: nothing left to close cleanly
        logger.debug("closing the mail connection failed", exc_info=True)
    connection.connection = None


def _describe(error: Exception) -> str:
    return f"{type(error).__name__}: {error}"[:1000]


def _finish_if_done(campaign: Campaign, result: SendResult) -> None:
    left = Delivery.objects.filter(
        campaign=campaign,
        status__in=[DeliveryStatus.PENDING, DeliveryStatus.SENDING],
    ).exists()
    if not left:
        Campaign.objects.filter(pk=campaign.pk, status=CampaignStatus.SENDING).update(
            status=CampaignStatus.SENT, finished_at=timezone.now()
        )
        result.finished = True


def progress(campaign: Campaign) -> dict:
    counts = dict(
        campaign.deliveries.values_list("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    total = sum(counts.values())
    done = sum(
        counts.get(s, 0)
        for s in (DeliveryStatus.SENT, DeliveryStatus.SKIPPED, DeliveryStatus.FAILED)
    )
    return {
        "total": total,
        "done": done,
        "percent": round(100 * done / total) if total else 0,
        "counts": {
            label: counts.get(value, 0) for value, label in DeliveryStatus.choices
        },
        "sent": counts.get(DeliveryStatus.SENT, 0),
    }


# --- Staff actions -----------------------------------------------------------------


def check_sendable(campaign: Campaign) -> list[str]:
    problems = []
    if not campaign.subject.strip():
        problems.append("件名を入れてください。")
    body = (
        campaign.body_richtext
        if campaign.body_format == "richtext"
        else campaign.body_markdown
    )
    if not (body or "").strip():
        problems.append("本文を入れてください。")
    if not (conf.get("SENDER_NAME") or conf.get("FROM_NAME")) or not conf.get(
        "SENDER_ADDRESS"
    ):
        problems.append(
            "送信者名と住所の設定（MAILING_SENDER_NAME / MAILING_SENDER_ADDRESS）が必要です（特定電子メール法）。"
        )
    return problems


def start(campaign: Campaign, when=None, user=None) -> None:
    """Schedule (``when`` in the future) or start sending now, as a background task."""
    from .tasks import enqueue_send

    if campaign.status not in {CampaignStatus.DRAFT, CampaignStatus.SCHEDULED}:
        raise CampaignNotSendable("このキャンペーンは送信済みか送信中です。")
    problems = check_sendable(campaign)
    if problems:
        raise CampaignNotSendable(" ".join(problems))
    now = timezone.now()
    campaign.scheduled_at = when if when and when > now else now
    campaign.status = CampaignStatus.SCHEDULED
    campaign.save(update_fields=["scheduled_at", "status", "updated_at"])
    run_after = campaign.scheduled_at if campaign.scheduled_at > now else None
    transaction.on_commit(lambda: enqueue_send(campaign.pk, run_after))


def cancel(campaign: Campaign) -> None:
    if campaign.status in {CampaignStatus.SENT, CampaignStatus.CANCELLED}:
        raise CampaignNotSendable("送信完了・中止済みのキャンペーンは中止できません。")
    campaign.status = CampaignStatus.CANCELLED
    campaign.save(update_fields=["status", "updated_at"])


def pause(campaign: Campaign) -> None:
    if campaign.status != CampaignStatus.SENDING:
        raise CampaignNotSendable("送信中のキャンペーンだけ一時停止できます。")
    Campaign.objects.filter(pk=campaign.pk).update(
        status=CampaignStatus.PAUSED, last_error="担当者が一時停止しました。"
    )


def resume(campaign: Campaign) -> None:
    from .tasks import enqueue_send

    if campaign.status != CampaignStatus.PAUSED:
        raise CampaignNotSendable("一時停止中のキャンペーンだけ再開できます。")
    Campaign.objects.filter(pk=campaign.pk).update(status=CampaignStatus.SENDING)
    transaction.on_commit(lambda: enqueue_send(campaign.pk))


def send_due() -> list[int]:
    """Start scheduled campaigns whose time has come (for task backends that cannot
    defer; harmless otherwise: a campaign already sending is not started twice)."""
    from .tasks import enqueue_send

    due = list(
        Campaign.objects.filter(
            status=CampaignStatus.SCHEDULED, scheduled_at__lte=timezone.now()
        ).values_list("pk", flat=True)
    )
    for campaign_id in due:
        enqueue_send(campaign_id)
    return due


def send_test(campaign: Campaign, addresses: list[str]) -> int:
    """Send the campaign to staff addresses, marked 【テスト送信】, untracked."""
    renderer = CampaignRenderer(campaign, track=False)
    messages = []
    for address in addresses:
        message = renderer.message(
            email=address,
            fields={"name": "テスト 太郎", "email": address, "prefecture": "東京都"},
            subscriber_id=None,
            delivery_id=None,
        )
        message.subject = f"【テスト送信】{message.subject}"
        messages.append(message)
    return get_connection().send_messages(messages) or 0
