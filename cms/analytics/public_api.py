"""``/api/collect/``: page views from the public site (cookieless, first-party).

* ``POST /api/collect/``          ``{"u": page URL, "r": referrer, "e": "pageview" |
                                   "inquiry", "w": viewport width}`` sent by
                                   ``collect.js`` as text/plain (no CORS preflight)
* ``GET  /api/collect/pixel.gif``  the same for visitors without JavaScript
                                   (``<noscript><img>``); the page is the request's
                                   Referer, or ``?u=``

Both always answer the same way (204 / the pixel), whether the event was stored,
dropped as a bot, or ignored because the browser sends Do Not Track or Global
Privacy Control, so the answer tells a script nothing.
"""

import base64
import json

from django.http import HttpRequest, HttpResponse
from ninja import Router

from .ingest import record

PREFIX = "collect"
router = Router(tags=["アクセス解析"])

MAX_BODY = 4096
PIXEL = base64.b64decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")


def _no_store(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "no-store"
    # An empty answer or a 1×1 GIF has nothing a policy could protect, and building
    # the header is a fifth of this endpoint's time (django-csp's own flag).
    response._csp_exempt = True
    return response


@router.post(
    "",
    summary="ページビューを1件送る",
    response={204: None},
    openapi_extra={
        "requestBody": {
            "content": {
                "text/plain": {
                    "schema": {
                        "type": "object",
                        "properties": {
                            "u": {"type": "string", "description": "ページのURL"},
                            "r": {"type": "string", "description": "参照元URL"},
                            "e": {"type": "string", "enum": ["pageview", "inquiry"]},
                            "w": {"type": "integer", "description": "画面の幅"},
                        },
                    }
                }
            }
        }
    },
)
def collect(request: HttpRequest):
    if len(request.body) <= MAX_BODY:
        try:
            data = json.loads(request.body or b"{}")
        except (ValueError, UnicodeDecodeError):
            data = None
        if isinstance(data, dict):
            width = data.get("w")
            record(
                request,
                page_url=str(data.get("u") or ""),
                referrer=str(data.get("r") or ""),
                kind=str(data.get("e") or "pageview"),
                width=width if type(width) is int and 0 < width < 100_000 else None,
            )
    return _no_store(HttpResponse(status=204))


@router.get("pixel.gif", summary="JavaScriptなしの計測用画像", response={200: None})
def pixel(request: HttpRequest, u: str = "", r: str = ""):
    record(
        request,
        page_url=u or request.META.get("HTTP_REFERER", ""),
        referrer=r,
        kind="pageview",
    )
    return _no_store(HttpResponse(PIXEL, content_type="image/gif"))
