"""Images, videos and imagemaps for deliveries, built from what staff upload: a
Wagtail image (image message, a video's thumbnail, an imagemap's base image) or a
Wagtail document (an MP4 video). LINE fetches the files from our public side, so
each gets a signed URL under /line/media/ naming the image or document (no ids
to enumerate). An imagemap's base URL answers at the five widths LINE asks for
(240, 300, 460, 700, 1040 px); its tap areas are drawn over the image in the
admin like a rich menu's and stored in the same shape, in 1040-wide coordinates.

The links are signed with a long lifetime (``LINE_MEDIA_LINK_MAX_AGE``, a year by
default) rather than a short one, because LINE loads an image or video again
when a friend opens an old message.

``media_object``, ``imagemap_object`` and ``problems`` are pure apart from URL
building; the views at the end serve the files.
"""

from django.conf import settings
from django.core import signing
from django.http import FileResponse, Http404, HttpResponse
from django.urls import reverse
from wagtail.documents import get_document_model
from wagtail.images import get_image_model

SALT = "line-media"
IMAGEMAP_WIDTHS = (240, 300, 460, 700, 1040)
IMAGEMAP_BASE = 1040
IMAGEMAP_MAX_ACTIONS = 50
VIDEO_MAX_BYTES = 200 * 1024 * 1024  # LINE: MP4, up to 200 MB
IMAGE_ORIGINAL = "max-2048x2048|format-jpeg|jpegquality-85"  # LINE: ≤ 10 MB
IMAGE_PREVIEW = "max-240x240|format-jpeg|jpegquality-80"  # LINE: ≤ 1 MB


def _token(kind: str, pk: int) -> str:
    return signing.dumps({"k": kind, "p": pk}, salt=SALT)


def read_token(token: str, kind: str) -> int:
    """The object id of a media link; ``signing.BadSignature`` (or its subclass
    ``SignatureExpired``) when tampered or too old, KeyError for another kind."""
    max_age = settings.LINE.get("MEDIA_LINK_MAX_AGE", 366 * 24 * 3600)
    data = signing.loads(token, salt=SALT, max_age=max_age)
    if data.get("k") != kind:
        raise KeyError(kind)
    return int(data["p"])


def _public(name: str, *args) -> str:
    return settings.LINE["PUBLIC_URL"] + reverse(f"line:{name}", args=args)


def image_urls(image) -> tuple[str, str]:
    token = _token("image", image.pk)
    return _public("media_image", token, "original"), _public(
        "media_image", token, "preview"
    )


def imagemap_base_url(image) -> str:
    # LINE appends "/<width>" itself, so the base URL has no extension.
    return _public("media_imagemap_base", _token("image", image.pk))


def video_url(document) -> str:
    return _public("media_video", _token("video", document.pk))


def base_height(image) -> int:
    return round(IMAGEMAP_BASE * image.height / image.width)


# --- The message objects -------------------------------------------------------


def imagemap_object(base_url: str, height: int, areas: list, alt_text: str) -> dict:
    """An imagemap message from areas in the rich-menu shape ({bounds, action})."""
    actions = []
    for area in areas:
        action, bounds = area["action"], area["bounds"]
        box = {k: int(bounds[k]) for k in ("x", "y", "width", "height")}
        if action.get("type") == "uri":
            actions.append(
                {"type": "uri", "linkUri": action.get("uri", ""), "area": box}
            )
        else:
            actions.append(
                {"type": "message", "text": action.get("text", ""), "area": box}
            )
        if area.get("label") or action.get("label"):
            actions[-1]["label"] = (area.get("label") or action.get("label"))[:100]
    return {
        "type": "imagemap",
        "baseUrl": base_url,
        "altText": alt_text,
        "baseSize": {"width": IMAGEMAP_BASE, "height": height},
        "actions": actions,
    }


def media_object(message) -> dict | None:
    """The image, video or imagemap message staff built, or None."""
    kind, image = message.media_kind, message.image
    if not kind or image is None:
        return None
    if kind == "image":
        original, preview = image_urls(image)
        return {
            "type": "image",
            "originalContentUrl": original,
            "previewImageUrl": preview,
        }
    if kind == "video" and message.video is not None:
        return {
            "type": "video",
            "originalContentUrl": video_url(message.video),
            "previewImageUrl": image_urls(image)[1],
        }
    if kind == "imagemap":
        return imagemap_object(
            imagemap_base_url(image),
            base_height(image),
            message.imagemap_areas or [],
            message.alt_text or message.title,
        )
    return None


def problems(message) -> list[str]:
    """What stops the built media message from being sent, in Japanese."""
    kind = message.media_kind
    found = []
    if not kind:
        return found
    image = message.image
    if image is None:
        label = "動画のサムネイル画像" if kind == "video" else "画像"
        found.append(f"「{label}」を選んでください。")
    if kind == "video":
        video = message.video
        if video is None:
            found.append("「動画（MP4）」の文書を選んでください。")
        elif video.file_extension.lower() != "mp4":
            found.append("動画はMP4ファイルにしてください。")
        elif (video.file_size or 0) > VIDEO_MAX_BYTES:
            found.append("動画は200MBまでです。")
    if kind == "imagemap" and image is not None:
        if image.width < IMAGEMAP_BASE:
            found.append(
                f"イメージマップの画像は幅{IMAGEMAP_BASE}px以上にしてください"
                f"（今は{image.width}px）。"
            )
        found += imagemap_area_problems(
            message.imagemap_areas or [], base_height(image)
        )
    return found


def imagemap_area_problems(areas, height: int) -> list[str]:
    found = []
    if not isinstance(areas, list) or not areas:
        return ["イメージマップのタップ領域を1つ以上描いてください。"]
    if len(areas) > IMAGEMAP_MAX_ACTIONS:
        found.append(f"タップ領域は{IMAGEMAP_MAX_ACTIONS}個までです。")
    for i, area in enumerate(areas, 1):
        try:
            b, action = area["bounds"], area["action"]
            x, y, w, h = (int(b[k]) for k in ("x", "y", "width", "height"))
        except (KeyError, TypeError, ValueError):
            found.append(f"領域{i}: bounds と action を入れてください。")
            continue
        if (
            x < 0
            or y < 0
            or w <= 0
            or h <= 0
            or x + w > IMAGEMAP_BASE
            or y + h > height
        ):
            found.append(
                f"領域{i}: 画像（{IMAGEMAP_BASE}×{height}）の内側に収めてください。"
            )
        kind = action.get("type")
        if kind == "uri" and not str(action.get("uri", "")).startswith(
            ("https://", "http://", "tel:")
        ):
            found.append(f"領域{i}: リンク先は https:// で始まるURLにしてください。")
        elif kind == "message" and not 0 < len(action.get("text", "")) <= 400:
            found.append(f"領域{i}: 送信するテキストは1〜400文字です。")
        elif kind not in ("uri", "message"):
            found.append(
                f"領域{i}: イメージマップの動作は uri（リンク）か message だけです。"
            )
    return found


# --- Serving the files to LINE (public side) -------------------------------------


def _image_or_404(token):
    try:
        pk = read_token(token, "image")
    except (signing.BadSignature, KeyError, ValueError):
        raise Http404 from None
    image = get_image_model().objects.filter(pk=pk).first()
    if image is None:
        raise Http404
    return image


def _rendition_response(image, spec: str) -> HttpResponse:
    rendition = image.get_rendition(spec)
    with rendition.file.open("rb") as f:
        data = f.read()
    response = HttpResponse(data, content_type="image/jpeg")
    response["Cache-Control"] = "public, max-age=86400"
    return response


def serve_image(request, token, size):
    image = _image_or_404(token)
    if size not in ("original", "preview"):
        raise Http404
    return _rendition_response(
        image, IMAGE_ORIGINAL if size == "original" else IMAGE_PREVIEW
    )


def serve_imagemap(request, token, width):
    if width not in IMAGEMAP_WIDTHS:
        raise Http404
    return _rendition_response(
        _image_or_404(token), f"width-{width}|format-jpeg|jpegquality-85"
    )


def serve_imagemap_base(request, token):
    # LINE never asks for the bare base URL; a browser opening it gets the widest.
    return serve_imagemap(request, token, IMAGEMAP_BASE)


def serve_video(request, token):
    try:
        pk = read_token(token, "video")
    except (signing.BadSignature, KeyError, ValueError):
        raise Http404 from None
    document = get_document_model().objects.filter(pk=pk).first()
    if document is None or document.file_extension.lower() != "mp4":
        raise Http404
    return FileResponse(document.file.open("rb"), content_type="video/mp4")
