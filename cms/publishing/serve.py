"""The demo serves the deployed folder at ``/`` (``PORTAL_SERVE_SITE``, off in
production, where a CDN or nginx serves it), so ``make demo`` shows the public
site and the admin from one process and a publish is visible without a web server
of its own."""

from pathlib import Path

from django.conf import settings
from django.http import FileResponse, Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils._os import safe_join

from .deploy import cache_control, content_type


def _site_file(relative: str, root: Path | None = None) -> Path | None:
    root = root or Path(settings.PORTAL_DEPLOY_FOLDER)
    try:
        candidate = Path(safe_join(root, relative))
    except Exception:  # a path escaping the folder (SuspiciousFileOperation)
        return None
    if candidate.is_dir():
        candidate = candidate / "index.html"
    return candidate if candidate.is_file() else None


def serve_site(request, path: str = "") -> HttpResponse:
    if request.method not in ("GET", "HEAD"):
        return HttpResponse(status=405, headers={"Allow": "GET, HEAD"})
    root = Path(settings.PORTAL_DEPLOY_FOLDER)
    found = _site_file(path)
    caching = cache_control(path)
    if found is None and path.startswith("media/"):
        # The CMS's uploads (admin thumbnails, previews) share the /media/ prefix
        # with the site's hashed images; they are not content-hashed.
        found = _site_file(path.removeprefix("media/"), Path(settings.MEDIA_ROOT))
        caching = "public, max-age=3600"
    if found is None and path and not path.endswith("/") and _site_file(path + "/"):
        # /akiya → /akiya/, as a CDN's pretty URLs do.
        return HttpResponseRedirect(request.path + "/")
    if found is not None:
        response = FileResponse(found.open("rb"), content_type=content_type(found.name))
        response["Cache-Control"] = caching
        return response
    not_found = root / "404.html"
    if not_found.is_file():
        return HttpResponse(
            not_found.read_bytes(), status=404, content_type=content_type("404.html")
        )
    if not root.exists() and not path:
        return render(request, "publishing/not_built.html", status=503)
    raise Http404(path)
