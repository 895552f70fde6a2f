"""``/api/line/``: the webhook LINE calls for each channel.

``POST /api/line/webhook/{slug}`` checks ``X-Line-Signature`` over the raw body,
answers 200 at once and leaves the events to the task ``handle_webhook`` (LINE
waits only a few seconds and redelivers on failure; redeliveries are de-duplicated
by ``webhookEventId``).
"""

import json
import logging

from django.http import HttpRequest
from ninja import Router, Schema, Status

from .client import signature_is_valid
from .models import LineChannel
from .tasks import handle_webhook

logger = logging.getLogger(__name__)

PREFIX = "line"
router = Router(tags=["LINE"])


class Problem(Schema):
    detail: str


class Ok(Schema):
    ok: bool = True


@router.post(
    "/webhook/{slug}",
    response={200: Ok, 400: Problem, 401: Problem, 404: Problem, 503: Problem},
    summary="LINEのWebhook",
    openapi_extra={"requestBody": {"content": {"application/json": {}}}},
)
def webhook(request: HttpRequest, slug: str):
    channel = LineChannel.objects.filter(slug=slug, is_active=True).first()
    if channel is None:
        return Status(404, {"detail": "このLINEアカウントはありません。"})
    secret, _ = channel.credentials()
    if not secret:
        logger.error("LINE channel %s has no secret configured", slug)
        return Status(503, {"detail": "このLINEアカウントは設定が完了していません。"})
    body = request.body
    if not signature_is_valid(
        secret, body, request.headers.get("X-Line-Signature", "")
    ):
        return Status(401, {"detail": "署名が正しくありません。"})
    try:
        payload = json.loads(body)
    except ValueError:
        return Status(400, {"detail": "JSONとして読めません。"})
    if payload.get("events"):
        handle_webhook.enqueue(channel.pk, body.decode())
    return {"ok": True}
