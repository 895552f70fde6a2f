"""The mail JSON API (``/api/mail/…``): the static site's sign-up form (double
opt-in: the answer is the same whether or not the address is already on the list),
the interests it offers, and Amazon SES bounce/complaint notifications via SNS."""

import json
import logging

from django.http import HttpRequest, HttpResponse
from ninja import Field, Router, Schema, Status

from cms.core.ratelimit import client_ip, hit

from . import conf, subscriptions
from .forms import SignupForm
from .models import Interest

logger = logging.getLogger(__name__)

PREFIX = "mail"
router = Router(tags=["メール配信"])


class SignupIn(Schema):
    email: str = Field(max_length=254)
    consent: bool = Field(description="受け取りへの同意（true が必要）")
    name: str = ""
    prefecture: str = ""
    municipality: str = ""
    birth_year: int | None = None
    age_band: str = ""
    gender: str = ""
    interests: list[str] = []


class MessageOut(Schema):
    detail: str


class ErrorOut(Schema):
    detail: str
    errors: dict[str, list[str]] = {}


class InterestOut(Schema):
    name: str


@router.get("/interests", response=list[InterestOut], summary="登録フォームの「関心」")
def interests(request):
    return list(Interest.objects.all())


@router.post(
    "/subscribe",
    response={202: MessageOut, 400: ErrorOut, 429: MessageOut},
    summary="メール配信の登録（確認メールを送る）",
)
def subscribe(request: HttpRequest, response: HttpResponse, data: SignupIn):
    limit, window = conf.get("SIGNUP_RATE_LIMIT")
    counted = hit("mailing:signup", client_ip(request), limit, window)
    if not counted.allowed:
        response["Retry-After"] = str(counted.retry_after)
        return Status(
            429,
            {
                "detail": "短い時間に多くの登録がありました。時間をおいてお試しください。"
            },
        )
    form = SignupForm(
        {
            **data.dict(exclude={"interests"}),
            "birth_year": data.birth_year or "",
            "interests": data.interests,
            "consent": "on" if data.consent else "",
        }
    )
    if not form.is_valid():
        return Status(
            400,
            {
                "detail": "入力内容を確認してください。",
                "errors": {k: [str(e) for e in v] for k, v in form.errors.items()},
            },
        )
    subscriptions.sign_up(
        form.cleaned_data, client_ip(request), request.META.get("HTTP_USER_AGENT", "")
    )
    return Status(
        202,
        {"detail": "確認メールを送りました。メールのリンクを開くと登録が完了します。"},
    )


@router.post(
    "/ses", response={200: MessageOut, 403: MessageOut}, summary="SESの通知（SNS）"
)
def ses_notification(request: HttpRequest):
    from .sns import SnsError, handle

    try:
        body = json.loads(request.body or b"{}")
        recorded = handle(body)
    except (SnsError, ValueError) as error:
        logger.warning("refused an SNS message: %s", error)
        return Status(403, {"detail": "通知を検証できませんでした。"})
    return Status(200, {"detail": f"{recorded}件を記録しました。"})
