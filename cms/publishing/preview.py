"""Headless previews rendered by the public theme (``PORTAL_PREVIEW_RENDERER``):
the preview view of ``cms.api`` has checked the token; here the draft is asked
for again in the builder's shape and rendered by ``builders.preview`` among the
site as the last build left it."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.templatetags.static import static

from builders.preview import PreviewInput, render_preview
from builders.queries import document
from cms.api.schema import execute_with_errors

from .settings import build_paths


def theme_asset(name: str) -> str:
    """Theme files for previews come from Django's static files (the admin host
    serves them; the static site uses its own hashed copies)."""
    return static(f"portal-theme/{name}")


def render_theme_preview(request: HttpRequest, page: dict) -> HttpResponse:
    token = request.GET.get("token", "")
    draft = execute_with_errors(document("preview"), {"token": token}, request=request)
    site = execute_with_errors(document("site"), request=request)
    if draft.errors or site.errors or not (draft.data or {}).get("page"):
        from cms.api.preview import render_plain_preview

        return render_plain_preview(request, page)
    html = render_preview(
        PreviewInput(
            item=draft.data["page"],
            site=site.data,
            cms_url=settings.WAGTAILADMIN_BASE_URL.rstrip("/"),
            state_path=build_paths().state,
            asset=theme_asset,
        )
    )
    return HttpResponse(html)
