"""Preview tokens and the preview behaviour every portal page has.

wagtail-headless-preview stores a draft under a token and frames our preview view
with it. Our tokens are signed with SECRET_KEY under our own salt
(``TimestampSigner``), name one page and expire after
``PORTAL_PREVIEW_TOKEN_MAX_AGE`` seconds; they are checked on every request.

This module is imported by ``cms.pages.models`` (``PortalPage`` mixes in
``PortalPreviewMixin``), so it imports no models of the portal itself.
"""

import re
from dataclasses import dataclass

from django.conf import settings
from django.core.signing import BadSignature, SignatureExpired, TimestampSigner
from wagtail_headless_preview.models import HeadlessPreviewMixin, PagePreview

from .errors import ApiInputError

PREVIEW_SALT = "cms.api.preview"


class PreviewTokenError(ApiInputError):
    """A preview token that is malformed, forged, expired or for another page."""


@dataclass(frozen=True)
class PreviewGrant:
    """What a valid token allows: the draft of one page (``page_id``), or of a
    new page not saved yet (``page_id`` is None)."""

    token: str
    page_id: int | None


def signer() -> TimestampSigner:
    return TimestampSigner(salt=PREVIEW_SALT)


def read_token(token: str, max_age: int) -> PreviewGrant:
    try:
        value = signer().unsign(token, max_age=max_age)
    except SignatureExpired as error:
        raise PreviewTokenError(
            f"プレビューの有効期限（{max_age // 60}分）が切れました。"
            "編集画面でもう一度プレビューを開いてください。"
        ) from error
    except BadSignature as error:
        raise PreviewTokenError(
            "プレビューのトークンが正しくありません。編集画面からプレビューを開いてください。"
        ) from error
    match = re.fullmatch(r"id=(\d+)", value)
    return PreviewGrant(token=token, page_id=int(match.group(1)) if match else None)


def draft_for_token(token: str):
    """The draft a token grants (with ``portal_preview`` set), or PreviewTokenError."""
    grant = read_token(token, settings.PORTAL_PREVIEW_TOKEN_MAX_AGE)
    stored = PagePreview.objects.filter(token=token).first()
    if stored is None:
        raise PreviewTokenError(
            "このプレビューは見つかりません。編集画面でもう一度プレビューを開いてください。"
        )
    page = stored.as_page()
    if grant.page_id is not None and page.pk != grant.page_id:
        raise PreviewTokenError("このプレビューのトークンは別のページのものです。")
    page.portal_preview = True
    return page, grant


class PortalPreviewMixin(HeadlessPreviewMixin):
    """wagtail-headless-preview with our signer (own salt, expiring tokens)."""

    @classmethod
    def get_preview_signer(cls) -> TimestampSigner:
        return signer()

    @classmethod
    def get_page_from_preview_token(cls, token: str):
        return draft_for_token(token)[0]
