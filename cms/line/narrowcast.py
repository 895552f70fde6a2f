"""Delivery by audience upload + narrowcast, the way LINE reports opens: the
recipients' user IDs are uploaded as an audience, the messages are narrowcast to
it with a retry key, and the run follows LINE's progress (waiting → sending →
succeeded / failed). LINE Insight then gives, per narrowcast, how many were
delivered, how many people opened the message and how many tapped a link.

LINE refuses audiences under 50 people and Insight hides any figure under 20,
and a narrowcast takes minutes where multicast is immediate, so a delivery goes
this way only when it is large enough (``choose_method``). ``update_runs`` moves
the runs on; ``portal line_send_due`` calls it every few minutes.

``choose_method`` and ``open_rate`` are pure; the rest does I/O.
"""

import datetime as dt
import logging

from django.conf import settings
from django.utils import timezone

from .client import (
    api_exceptions,
    audience_api,
    call_with_retry,
    insight_api,
    messaging_api,
)
from .models import DeliveryRun, MessageStatus, RunStatus, ScheduleKind, SendMethod

logger = logging.getLogger(__name__)

AUDIENCE_UPLOAD_MAX = 10_000  # user IDs per audience upload call (JSON)
LINE_AUDIENCE_MIN = 50  # LINE fails a narrowcast to a smaller audience (errorCode 4)
SENDING_PHASES = ("audience", "waiting", "sending")


# --- Choosing (pure) -----------------------------------------------------------


def choose_method(send_method: str, recipients: int, is_test: bool) -> str:
    """Multicast for test sends and small audiences, narrowcast for large ones (or
    when staff asked for it and LINE would accept the audience); broadcast when
    staff chose it (it goes to every friend LINE knows, whatever we recorded)."""
    if is_test:
        return SendMethod.MULTICAST
    if send_method == SendMethod.BROADCAST:
        return SendMethod.BROADCAST
    if recipients < LINE_AUDIENCE_MIN:
        return SendMethod.MULTICAST
    if send_method == SendMethod.NARROWCAST:
        return SendMethod.NARROWCAST
    if send_method == SendMethod.AUTO and recipients >= settings.LINE.get(
        "NARROWCAST_MIN_RECIPIENTS", 100
    ):
        return SendMethod.NARROWCAST
    return SendMethod.MULTICAST


def open_rate(run) -> str:
    """People who opened ÷ messages delivered, from LINE Insight ("—" when LINE
    has not given both, e.g. for multicast or figures under 20)."""
    if not run.open_count or not run.delivered_count:
        return "—"
    return f"{100 * run.open_count / run.delivered_count:.1f}%"


# --- Starting a narrowcast ---------------------------------------------------------


def start(run: DeliveryRun, channel, objects: list[dict], user_ids: list[str], **kw):
    """Upload the audience and try to narrowcast at once; when LINE is still
    preparing the audience, ``update_runs`` sends it later."""
    from linebot.v3.audience import (
        AddAudienceToAudienceGroupRequest,
        CreateAudienceGroupRequest,
    )

    run.method = SendMethod.NARROWCAST
    run.messages_sent = objects
    run.phase = "audience"
    first, rest = user_ids[:AUDIENCE_UPLOAD_MAX], user_ids[AUDIENCE_UPLOAD_MAX:]
    created = {}

    def create():
        request = CreateAudienceGroupRequest.from_dict(
            {
                "description": f"portal-run-{run.pk}"[:120],
                "isIfaAudience": False,
                "uploadDescription": run.message.title[:300],
                "audiences": [{"id": uid} for uid in first],
            }
        )
        with audience_api(channel) as api:
            created["id"] = api.create_audience_group(request).audience_group_id

    ok, _, error = call_with_retry(create, **kw)
    for i in range(0, len(rest), AUDIENCE_UPLOAD_MAX):
        if not ok:
            break
        part = rest[i : i + AUDIENCE_UPLOAD_MAX]

        def add(part=part):
            request = AddAudienceToAudienceGroupRequest.from_dict(
                {
                    "audienceGroupId": created["id"],
                    "audiences": [{"id": uid} for uid in part],
                }
            )
            with audience_api(channel) as api:
                api.add_audience_to_audience_group(request)

        ok, _, error = call_with_retry(add, **kw)
    run.audience_group_id = created.get("id")
    run.save()
    if not ok:
        return _fail(run, f"オーディエンスを作れませんでした: {error}")
    advance(run, channel, **kw)
    return run


def _send_once(channel, run: DeliveryRun, send, **kw) -> tuple[bool, str, str]:
    """``send(api, retry_key)`` with retries under the run's retry key, so LINE
    sends it once however often it is tried; (ok, LINE's request id, error)."""
    found = {}

    def call():
        with messaging_api(channel) as api:
            try:
                response = send(api, str(run.retry_key))
            except api_exceptions() as exc:
                # 409: this retry key was accepted before; LINE names that request.
                if exc.status == 409 and exc.headers:
                    found["id"] = exc.headers.get("x-line-accepted-request-id", "")
                raise
            found["id"] = (response.headers or {}).get("x-line-request-id", "")

    ok, _, error = call_with_retry(call, **kw)
    return ok, found.get("id", ""), error


def _narrowcast(run: DeliveryRun, channel, **kw):
    from linebot.v3.messaging import NarrowcastRequest

    request = NarrowcastRequest.from_dict(
        {
            "messages": run.messages_sent,
            "recipient": {"type": "audience", "audienceGroupId": run.audience_group_id},
            "notificationDisabled": False,
        }
    )
    ok, request_id, error = _send_once(
        channel,
        run,
        lambda api, key: api.narrowcast_with_http_info(request, x_line_retry_key=key),
        **kw,
    )
    if not ok:
        return _fail(run, f"ナローキャストできませんでした: {error}")
    run.request_id = request_id
    run.phase = "waiting"
    run.save(update_fields=["request_id", "phase"])
    return run


def start_broadcast(run: DeliveryRun, channel, objects: list[dict], **kw):
    """Broadcast to every friend of the account, also those who added it before
    our webhook recorded them (LINE knows them, we do not). LINE accepts it at
    once; its numbers come from Insight (``delivered``)."""
    from linebot.v3.messaging import BroadcastRequest

    run.method = SendMethod.BROADCAST
    run.messages_sent = objects
    request = BroadcastRequest.from_dict(
        {"messages": objects, "notificationDisabled": False}
    )
    ok, request_id, error = _send_once(
        channel,
        run,
        lambda api, key: api.broadcast_with_http_info(request, x_line_retry_key=key),
        **kw,
    )
    if not ok:
        return _fail(run, f"ブロードキャストできませんでした: {error}")
    run.request_id = request_id
    run.phase = "succeeded"
    run.status = RunStatus.DONE
    run.sent_count = run.target_count  # the friends we know; LINE reaches all
    run.finished_at = timezone.now()
    run.save()
    return run


# --- Following a narrowcast ---------------------------------------------------------


def advance(run: DeliveryRun, channel=None, **kw) -> DeliveryRun:
    """One step: audience ready → narrowcast; narrowcast → its progress."""
    channel = channel or run.message.channel
    try:
        if run.phase == "audience":
            with audience_api(channel) as api:
                group = api.get_audience_data(run.audience_group_id).audience_group
            status = str(getattr(group.status, "value", group.status) or "")
            if status == "READY":
                return _narrowcast(run, channel, **kw)
            if status in ("FAILED", "EXPIRED"):
                return _fail(run, f"オーディエンスが使えません（{status}）。")
            return run
        if run.phase in ("waiting", "sending") and run.request_id:
            with messaging_api(channel) as api:
                progress = api.get_narrowcast_progress(run.request_id)
            run.phase = progress.phase
            if progress.phase == "succeeded":
                run.sent_count = progress.success_count or 0
                run.failed_count = progress.failure_count or 0
                run.status = RunStatus.PARTIAL if run.failed_count else RunStatus.DONE
                return _finish(run, channel)
            if progress.phase == "failed":
                reason = progress.failed_description or ""
                return _fail(
                    run,
                    f"LINEが配信を中止しました（errorCode {progress.error_code}）{reason}",
                )
            run.save(update_fields=["phase"])
    except api_exceptions() as exc:
        # Not fatal: the next pass asks again.
        logger.warning("LINE narrowcast run %s: HTTP %s", run.pk, exc.status)
    return run


def _fail(run: DeliveryRun, error: str) -> DeliveryRun:
    run.phase = "failed"
    run.status = RunStatus.FAILED
    run.sent_count = 0
    run.failed_count = run.target_count
    run.error = error[:2000]
    logger.error("LINE narrowcast run %s failed: %s", run.pk, error)
    return _finish(run, run.message.channel)


def _finish(run: DeliveryRun, channel) -> DeliveryRun:
    run.finished_at = timezone.now()
    run.save()
    message = run.message
    one_off = message.schedule in (ScheduleKind.NOW, ScheduleKind.AT)
    if one_off and run.status == RunStatus.FAILED and not run.is_test:
        message.status = MessageStatus.FAILED
        message.save(update_fields=["status", "updated_at"])
    if run.audience_group_id:
        # LINE caps the audiences of a channel; this one has done its job.
        try:
            with audience_api(channel) as api:
                api.delete_audience_group(run.audience_group_id)
        except api_exceptions() as exc:
            logger.warning("audience %s not deleted: %s", run.audience_group_id, exc)
    return run


def fetch_insight(run: DeliveryRun, now=None) -> DeliveryRun:
    """LINE Insight for one narrowcast: delivered, unique opens, unique clicks.
    LINE gives null for figures under 20; those stay empty."""
    with insight_api(run.message.channel) as api:
        overview = api.get_message_event(run.request_id).overview
    if overview is not None:
        run.delivered_count = overview.delivered
        run.open_count = overview.unique_impression
        run.unique_click_count = overview.unique_click
    run.insight_fetched_at = now or timezone.now()
    run.save(
        update_fields=[
            "delivered_count",
            "open_count",
            "unique_click_count",
            "insight_fetched_at",
        ]
    )
    return run


def update_runs(now=None, **kw) -> dict:
    """Move every narrowcast run on, and refresh LINE Insight for the finished
    ones of the last ``LINE_INSIGHT_DAYS`` days (at most once an hour each,
    because opens keep coming in for days)."""
    now = now or timezone.now()
    runs = DeliveryRun.objects.filter(
        method__in=[SendMethod.NARROWCAST, SendMethod.BROADCAST]
    ).select_related("message__channel")
    advanced = refreshed = 0
    for run in runs.filter(phase__in=SENDING_PHASES):
        advance(run, **kw)
        advanced += 1
    days = settings.LINE.get("INSIGHT_DAYS", 14)
    hour_ago = now - dt.timedelta(hours=1)
    due = (
        runs.filter(phase="succeeded", started_at__gte=now - dt.timedelta(days=days))
        .exclude(request_id="")
        .exclude(insight_fetched_at__gt=hour_ago)
    )
    for run in due:
        try:
            fetch_insight(run, now)
            refreshed += 1
        except api_exceptions() as exc:
            logger.warning("LINE insight for run %s: HTTP %s", run.pk, exc.status)
    return {"advanced": advanced, "insight": refreshed}
