"""The portal's gatekeeping middleware (settings in cms/settings.py, "Operations and
security"):

* ``SiteSideMiddleware`` picks the admin or public URL set by host, refuses the admin
  side outside ``PORTAL_ADMIN_ALLOWED_NETWORKS`` with a 403 page, and bounds the
  public endpoints' request size and request rate.
* ``VerifiedUserMiddleware`` is django-otp's, keeping ``request.user`` loggable.
* ``TwoFactorMiddleware`` sends an admin user who must (or chose to) use TOTP to the
  code or set-up page until the session is verified.
* ``ExportLogMiddleware`` writes every file download from the admin (CSV, Excel, PDF)
  to the operation log.
* ``AdminCSPMiddleware`` widens the Content Security Policy for Wagtail's admin,
  which still has inline scripts.
"""

import hashlib
import logging
from functools import cache

from django.conf import settings
from django.http import HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django_otp.middleware import OTPMiddleware

from cms.core.ratelimit import client_ip, hit

from . import access

logger = logging.getLogger(__name__)

URLCONFS = {
    access.ADMIN: "cms.ops.urlconfs.admin",
    access.PUBLIC: "cms.ops.urlconfs.public",
}
HEALTH_PATH = "/healthz"


def _problem(request, status: int, detail: str, retry_after: int | None = None):
    if request.path_info.startswith("/api/"):
        response = JsonResponse({"detail": detail}, status=status)
    else:
        response = render(
            request,
            "ops/problem.html",
            {"status": status, "detail": detail},
            status=status,
        )
    if retry_after:
        response["Retry-After"] = str(retry_after)
    return response


@cache
def _public_prefixes() -> tuple[str, ...]:
    from cms.urls import public_urlpatterns

    return access.url_prefixes(public_urlpatterns)


class SiteSideMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        path = request.path_info
        if path.rstrip("/") == HEALTH_PATH:
            return self.get_response(request)
        side = access.side_for_host(
            request.META.get("HTTP_HOST", ""),
            settings.PORTAL_ADMIN_HOSTS,
            settings.PORTAL_PUBLIC_HOSTS,
            settings.PORTAL_SIDE,
        )
        if side in URLCONFS:
            request.urlconf = URLCONFS[side]
        prefixes = settings.PORTAL_ADMIN_PATH_PREFIXES
        if side != access.PUBLIC and access.is_admin_path(path, prefixes):
            ip = client_ip(request)
            if not access.ip_allowed(ip, settings.PORTAL_ADMIN_ALLOWED_NETWORKS):
                logger.warning("admin refused for %s (%s)", ip, path)
                return render(
                    request, "ops/admin_forbidden.html", {"ip": ip}, status=403
                )
        elif access.is_public_path(path, prefixes, _public_prefixes()):
            refused = self._public_limits(request)
            if refused is not None:
                return refused
        return self.get_response(request)

    def _public_limits(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        limit = settings.PORTAL_PUBLIC_MAX_BODY_BYTES
        # Pages that take photo uploads (the community) allow larger bodies.
        for prefix, upload_limit in getattr(
            settings, "PORTAL_PUBLIC_UPLOAD_LIMITS", {}
        ).items():
            if request.path_info.startswith(prefix):
                limit = max(limit, upload_limit)
        if length > limit:
            return _problem(
                request,
                413,
                f"送信された内容が大きすぎます（{limit // 1024}KBまで）。",
            )
        if request.path.startswith(
            tuple(settings.PORTAL_PUBLIC_RATE_LIMIT_EXEMPT_PATHS)
        ):
            return None
        window = settings.PORTAL_PUBLIC_RATE_WINDOW_SECONDS
        keys = [
            ("public-ip", client_ip(request), settings.PORTAL_PUBLIC_RATE_LIMIT_PER_IP)
        ]
        session = request.COOKIES.get(settings.SESSION_COOKIE_NAME)
        if session:
            digest = hashlib.sha256(session.encode()).hexdigest()[:24]
            keys.append(
                (
                    "public-session",
                    digest,
                    settings.PORTAL_PUBLIC_RATE_LIMIT_PER_SESSION,
                )
            )
        for scope, key, per_window in keys:
            if not key:
                continue
            result = hit(scope, key, per_window, window)
            if not result.allowed:
                return _problem(
                    request,
                    429,
                    f"短い時間にアクセスが集中しました。{result.retry_after}秒ほど待ってからもう一度お試しください。",
                    retry_after=result.retry_after,
                )
        return None


@cache
def _admin_prefix() -> str:
    # From the full URL set: a public host's own set has no admin to reverse.
    return reverse("wagtailadmin_home", urlconf=settings.ROOT_URLCONF)


class VerifiedUserMiddleware(OTPMiddleware):
    """django-otp's middleware (``request.user.is_verified()``), with one change:
    ``request.user`` stays a single lazy object around the real user. django-otp
    wraps Django's lazy user in a second one, and Wagtail's audit log, which looks
    up the log model by the real type behind one wrapper, would then silently skip
    every entry logged against ``request.user``."""

    def _verify_user_sync(self, request, user):
        from .oplog import unwrap

        return super()._verify_user_sync(request, unwrap(user))


class TwoFactorMiddleware:
    """Runs after django-otp's OTPMiddleware, which tells whether this session
    entered a code (``request.user.is_verified()``)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        redirect = self._redirect(request)
        return redirect or self.get_response(request)

    def _redirect(self, request):
        from . import twofactor

        path = request.path_info
        admin = _admin_prefix()
        if not path.startswith(admin) or not request.user.is_authenticated:
            return None
        if any(path.startswith(p) for p in twofactor.exempt_paths()):
            return None
        if request.user.is_verified():
            return None
        if twofactor.has_device(request.user):
            target = "ops_2fa_verify"
        elif twofactor.is_required_for(request.user):
            target = "ops_2fa_setup"
        else:
            return None
        query = urlencode({"next": request.get_full_path()})
        return HttpResponseRedirect(f"{reverse(target)}?{query}")


class ExportLogMiddleware:
    DOWNLOAD_TYPES = ("text/csv", "application/vnd.", "application/pdf")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            response.status_code == 200
            and request.path_info.startswith(_admin_prefix())
            and getattr(request, "user", None) is not None
            and request.user.is_authenticated
            and self._is_download(response)
        ):
            from . import oplog

            oplog.record_download(request, response)
        return response

    def _is_download(self, response) -> bool:
        disposition = response.get("Content-Disposition", "")
        content_type = response.get("Content-Type", "")
        return "attachment" in disposition or (
            content_type.startswith(self.DOWNLOAD_TYPES) and "filename" in disposition
        )


class AdminCSPMiddleware:
    """Listed after django-csp's middleware, so its response hook runs first."""

    ADMIN_ADDITIONS = {"script-src": ["'unsafe-inline'"]}

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if access.is_admin_path(request.path_info, settings.PORTAL_ADMIN_PATH_PREFIXES):
            response._csp_update = self.ADMIN_ADDITIONS
            response._csp_update_ro = self.ADMIN_ADDITIONS
        return response
