"""The pull side of the akiya feed: ``/api/akiya/feed/<format>`` for consumers
holding a token, and the published JSON Schema.

The feed is served as last synced (the ``FeedListing`` rows), so every consumer
sees the same version as the push targets. ``ETag`` and ``Last-Modified`` follow
the feed version; a consumer that sends them back gets 304 until something
changes. Rendered feeds are kept in ``var/akiya_feed/`` so a busy consumer costs
one render per version.
"""

import hashlib
import json
import os
from typing import Literal

from django.conf import settings
from django.db.models import F
from django.http import HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.http import http_date, parse_http_date_safe, quote_etag
from ninja import Router

from cms.core.ratelimit import client_ip, hit

from .canonical import json_schema
from .models import FeedConsumer, FeedState
from .sync import feed_snapshot
from .writers import get_writer

PREFIX = "akiya"
router = Router(tags=["空き家フィード"])

FeedFormat = Literal["canonical-json", "canonical-csv", "lifull-csv"]
FAILED_AUTH_LIMIT = 30  # per client address and minute
CACHE_KEEP = 12  # rendered files kept on disk

ERROR_RESPONSE = {
    "description": "エラー",
    "content": {
        "application/json": {
            "schema": {"type": "object", "properties": {"detail": {"type": "string"}}}
        }
    },
}
FEED_RESPONSES = {
    "200": {
        "description": "フィード（形式により JSON、UTF-8 CSV、Shift_JIS CSV、または zip）",
        "content": {
            "application/json": {"schema": {"type": "object"}},
            "text/csv": {"schema": {"type": "string"}},
            "application/zip": {"schema": {"type": "string", "format": "binary"}},
        },
    },
    "304": {"description": "前回取得から変更なし（If-None-Match / If-Modified-Since）"},
    "401": ERROR_RESPONSE,
    "403": ERROR_RESPONSE,
    "429": ERROR_RESPONSE,
}


def _error(status: int, detail: str, **headers) -> JsonResponse:
    response = JsonResponse({"detail": detail}, status=status)
    for name, value in headers.items():
        response[name.replace("_", "-")] = value
    return response


def _presented_token(request, token: str | None) -> str:
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return (token or "").strip()


def authenticate(request, token: str | None):
    """The consumer, or the error response: 401 without a token, 403 with one that
    is wrong or switched off."""
    presented = _presented_token(request, token)
    if not presented:
        return None, _error(
            401,
            "トークンが必要です。Authorization: Bearer <トークン> を付けてください。",
            WWW_Authenticate='Bearer realm="akiya-feed"',
        )
    consumer = FeedConsumer.for_token(presented)
    if consumer is None or not consumer.is_active:
        limit = hit("akiya-feed-auth", client_ip(request), FAILED_AUTH_LIMIT, 60)
        if not limit.allowed:
            return None, _error(
                429,
                "認証の失敗が続いたため一時的に受け付けていません。",
                Retry_After=str(limit.retry_after),
            )
        return None, _error(403, "このトークンでは取得できません（無効または停止中）。")
    return consumer, None


def _not_modified(request, etag: str, last_modified) -> bool:
    if_none_match = request.headers.get("If-None-Match")
    if if_none_match is not None:
        tags = [t.strip().removeprefix("W/") for t in if_none_match.split(",")]
        return "*" in tags or etag in tags
    since = parse_http_date_safe(request.headers.get("If-Modified-Since", ""))
    return bool(
        since is not None and last_modified and int(last_modified.timestamp()) <= since
    )


def _rendered(format_name: str, since: int | None, zipped: bool, etag: str, state):
    """The feed bytes for this ETag, from the disk cache or freshly written. The
    cache key also has the time of the change, so a database restored or rebuilt
    with the same version numbers never meets an old file."""
    folder = settings.VAR_DIR / "akiya_feed"
    stamp = state.changed_at.isoformat() if state.changed_at else "never"
    key = hashlib.sha256(f"{etag}|{stamp}".encode()).hexdigest()[:32]
    path = folder / f"{key}.bin"
    if path.exists():
        return path.read_bytes()
    writer = get_writer(format_name)
    feed = (
        feed_snapshot("changes", since) if since is not None else feed_snapshot("full")
    )
    package = writer.write(feed)
    data = package.as_zip() if zipped else package.main.content()
    if feed.version != state.version:
        return data  # a sync finished meanwhile: right data, but not for this key
    folder.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(f".{os.getpid()}.part")
    temporary.write_bytes(data)
    os.replace(temporary, path)
    for old in sorted(folder.glob("*.bin"), key=lambda p: p.stat().st_mtime)[
        :-CACHE_KEEP
    ]:
        old.unlink(missing_ok=True)
    return data


@router.get(
    "/feed/{feed_format}",
    summary="空き家フィードの取得",
    description=(
        "全国版空き家バンクなど登録済みの利用者向け。トークンは Authorization: Bearer "
        "ヘッダー（または token パラメータ）で渡します。since に前回の X-Akiya-Feed-Version "
        "を渡すとその後の変更だけ（削除を含む）を返します。lifull-csv で package=zip "
        "とすると画像と制御ファイル sent を含む zip を返します。"
    ),
    openapi_extra={"responses": FEED_RESPONSES},
)
def feed(
    request,
    feed_format: FeedFormat,
    token: str | None = None,
    since: int | None = None,
    package: Literal["zip"] | None = None,
):
    consumer, error = authenticate(request, token)
    if error:
        return error
    state = FeedState.current()
    if since is not None and since < 0:
        return _error(400, "since には 0 以上の版番号を指定してください。")
    zipped = package == "zip" and feed_format == "lifull-csv"
    writer = get_writer(feed_format)
    fingerprint = hashlib.sha256(
        f"{writer.cache_key()}|{since}|{zipped}".encode()
    ).hexdigest()[:12]
    etag = quote_etag(f"{feed_format}-v{state.version}-{fingerprint}")
    headers = {"ETag": etag, "X-Akiya-Feed-Version": str(state.version)}
    if state.changed_at:
        headers["Last-Modified"] = http_date(state.changed_at.timestamp())
    _count_use(consumer)
    if _not_modified(request, etag, state.changed_at):
        response = HttpResponse(status=304)
    else:
        data = _rendered(feed_format, since, zipped, etag, state)
        content_type = "application/zip" if zipped else writer.media_type
        response = HttpResponse(data, content_type=content_type)
        extension = "zip" if zipped else writer.file_name.rsplit(".", 1)[-1]
        response["Content-Disposition"] = (
            f'attachment; filename="akiya-{feed_format}-v{state.version}.{extension}"'
        )
    for name, value in headers.items():
        response[name] = value
    response["Cache-Control"] = "private, no-cache"
    return response


def _count_use(consumer: FeedConsumer) -> None:
    FeedConsumer.objects.filter(pk=consumer.pk).update(
        last_used_at=timezone.now(), request_count=F("request_count") + 1
    )


@router.get(
    "/schema.json",
    summary="正規形式JSONのスキーマ",
    description="空き家フィード正規形式（JSON）の JSON Schema（draft 2020-12）。認証不要。",
    openapi_extra={
        "responses": {
            "200": {
                "description": "JSON Schema",
                "content": {"application/schema+json": {"schema": {"type": "object"}}},
            }
        }
    },
)
def schema(request):
    body = json.dumps(json_schema(), ensure_ascii=False, indent=2)
    return HttpResponse(body, content_type="application/schema+json")
