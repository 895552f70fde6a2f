"""Start-up checks of the content API's settings, so a typo in an environment
variable stops ``portal check`` instead of failing the builder later."""

from django.conf import settings
from django.core.checks import Error, register
from wagtail.images.models import Filter


@register()
def check_api_settings(app_configs=None, **kwargs):
    errors = []
    for spec in settings.PORTAL_API_RENDITION_FILTERS:
        try:
            Filter(spec=spec).operations  # noqa: B018 - parsing validates the spec
        except Exception as error:  # Wagtail raises several kinds for a bad spec
            errors.append(
                Error(
                    f"PORTAL_API_RENDITION_FILTERS: 「{spec}」は画像の変換指定として正しくありません（{error}）。",
                    id="api.E001",
                )
            )
    if (
        settings.PORTAL_API_RICH_TEXT_IMAGE_FILTER
        not in settings.PORTAL_API_RENDITION_FILTERS
    ):
        errors.append(
            Error(
                "PORTAL_API_RICH_TEXT_IMAGE_FILTER must be one of PORTAL_API_RENDITION_FILTERS.",
                id="api.E002",
            )
        )
    if not 0 < settings.PORTAL_PREVIEW_TOKEN_MAX_AGE <= 3600:
        errors.append(
            Error("PORTAL_PREVIEW_TOKEN_MAX_AGE must be 1–3600 seconds.", id="api.E003")
        )
    return errors
