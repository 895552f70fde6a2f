"""Headless preview: editors see a draft in Wagtail's preview panel as visitors
would see it, rendered from the same GraphQL content the builder reads.

The flow (wagtail-headless-preview): Wagtail's preview panel calls the page's
``serve_preview``, which stores the draft (``PagePreview``) under a signed token
and frames ``WAGTAIL_HEADLESS_PREVIEW["CLIENT_URLS"]`` — our ``preview_view`` —
with ``?content_type=…&token=…``. That view asks the GraphQL API for the page with
the token and hands the result to the preview renderer.

Tokens are signed with SECRET_KEY (``TimestampSigner``), name one page, expire after
``PORTAL_PREVIEW_TOKEN_MAX_AGE`` seconds (one hour at most) and are checked on every
request. Without a valid token the API never returns draft content.

The renderer is a setting (``PORTAL_PREVIEW_RENDERER``): a plain template until
the static build supplies the public theme's renderer.
"""

import re

from django.apps import apps
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.html import format_html, format_html_join
from django.utils.module_loading import import_string
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET

PREVIEW_HEADERS = {
    # A draft is for the editor's eyes: never cached, indexed or sent as referrer.
    "Cache-Control": "no-store, private",
    "X-Robots-Tag": "noindex, nofollow",
    "Referrer-Policy": "no-referrer",
}


@require_GET
def preview_view(request: HttpRequest) -> HttpResponse:
    from .queries import query_text
    from .schema import execute_with_errors

    token = request.GET.get("token", "")
    result = execute_with_errors(
        query_text("preview"), {"token": token}, request=request
    )
    page = (result.data or {}).get("page")
    if result.errors or not page:
        messages = [error.message for error in result.errors or []]
        response = TemplateResponse(
            request,
            "api/preview_error.html",
            {"messages": messages or ["プレビューを表示できませんでした。"]},
            status=403,
        )
    else:
        renderer = import_string(settings.PORTAL_PREVIEW_RENDERER)
        response = renderer(request, page)
    for name, value in PREVIEW_HEADERS.items():
        response[name] = value
    return response


# --- The plain renderer (until the public theme renders previews) ----------------------


_STRUCTURE_KEYS = {
    "__typename",
    "id",
    "pageType",
    "title",
    "slug",
    "path",
    "url",
    "isPreview",
    "breadcrumbs",
    "body",
    "photos",
    "seoTitle",
    "searchDescription",
    "firstPublishedAt",
    "lastPublishedAt",
}


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def _labels(page_type: str) -> dict[str, str]:
    from .types import PageType

    try:
        model = apps.get_model(PageType[page_type].value)
    except (KeyError, LookupError):
        return {}
    labels = {}
    for field in model._meta.get_fields():
        if hasattr(field, "verbose_name"):
            labels[field.name] = str(field.verbose_name)
    return labels


def _image_html(image: dict | None, alt: str = "") -> str:
    rendition = (image or {}).get("rendition")
    if not rendition:
        return ""
    return format_html(
        '<img src="{}" width="{}" height="{}" alt="{}">',
        rendition["fullUrl"],
        rendition["width"],
        rendition["height"],
        alt or image.get("alt", ""),
    )


def _value_html(key: str, value, rich_keys: set[str]) -> str:
    if value in (None, "", []):
        return ""
    if key in rich_keys:
        return mark_safe(value)
    if isinstance(value, bool):
        return "はい" if value else "いいえ"
    if isinstance(value, dict):
        if "label" in value and "value" in value:
            return value["label"]
        if "rendition" in value:
            return _image_html(value)
        if "name" in value:  # a desk or a municipality
            parts = [value.get(k) for k in ("name", "department", "phone", "email")]
            return " ".join(p for p in parts if p)
        if "title" in value:
            return value["title"]
        return ""
    if isinstance(value, list):
        return "、".join(
            str(v.get("label") or v.get("name") or v.get("title") or "")
            if isinstance(v, dict)
            else str(v)
            for v in value
        )
    return str(value)


def _block_html(block: dict) -> str:
    kind = block.get("__typename")
    if kind == "HeadingBlock":
        return format_html("<{0}>{1}</{0}>", block["level"], block["text"])
    if kind == "ParagraphBlock":
        return mark_safe(block["html"])
    if kind == "ImageBlock":
        return format_html(
            "<figure>{}<figcaption>{}</figcaption></figure>",
            _image_html(block.get("image"), block.get("alt", "")),
            block.get("caption", ""),
        )
    if kind == "GalleryBlock":
        return format_html(
            "<section><h3>{}</h3>{}</section>",
            block.get("title", ""),
            format_html_join("", "{}", ((_block_html(i),) for i in block["images"])),
        )
    if kind == "TableBlock":
        rows = format_html_join(
            "",
            "<tr>{}</tr>",
            (
                (format_html_join("", "<td>{}</td>", ((c or "",) for c in row)),)
                for row in block["rows"]
            ),
        )
        return format_html("<table>{}</table>", rows)
    if kind == "ButtonBlock":
        return format_html(
            '<p><a href="{}">{}</a></p>', block.get("url") or "#", block["label"]
        )
    if kind == "FaqBlock":
        return format_html(
            "<details open><summary>{}</summary>{}</details>",
            block["question"],
            mark_safe(block["answer"]),
        )
    if kind == "QuoteBlock":
        return format_html(
            "<blockquote>{}<footer>{}</footer></blockquote>",
            block["text"],
            block.get("attribution", ""),
        )
    if kind == "DocumentBlock":
        document = block.get("document") or {}
        return format_html(
            '<p><a href="{}">{}</a></p>', document.get("url", "#"), block["label"]
        )
    if kind == "DeskBlock":
        desk = block.get("desk") or {}
        return format_html("<p>{} {}</p>", desk.get("name", ""), desk.get("phone", ""))
    return ""


def render_plain_preview(request: HttpRequest, page: dict) -> HttpResponse:
    """The draft as a plain page: its fields in a list, its photos and its body.
    Replaced by the public theme's renderer when the static build lands."""
    from .schema import rich_text_field_names

    rich_keys = rich_text_field_names()
    labels = _labels(page.get("pageType", ""))
    rows = []
    for key, value in page.items():
        if key in _STRUCTURE_KEYS:
            continue
        html = _value_html(key, value, rich_keys)
        if html:
            rows.append((labels.get(_snake(key), key), html))
    photos = [
        _image_html(photo.get("image"), photo.get("alt", ""))
        for photo in page.get("photos") or []
    ]
    body = [_block_html(block) for block in page.get("body") or []]
    return TemplateResponse(
        request,
        "api/preview.html",
        {"page": page, "rows": rows, "photos": photos, "body": body},
    )
