"""Fixed-window rate limits for the public endpoints, counted in the cache (Redis
when ``REDIS_URL`` is set, so every server process shares the counts)."""

import time
from dataclasses import dataclass

from django.core.cache import cache


@dataclass(frozen=True)
class RateLimit:
    allowed: bool
    remaining: int
    retry_after: int  # seconds until the window resets


def hit(
    scope: str, key: str, limit: int, window: int, now: float | None = None
) -> RateLimit:
    """Count one request of ``key`` (an IP, a session id …) in ``scope``; allowed while
    the count in the current ``window``-second window is at most ``limit``."""
    now = time.time() if now is None else now
    window_start = int(now // window) * window
    cache_key = f"ratelimit:{scope}:{key}:{window_start}"
    cache.add(cache_key, 0, timeout=window + 1)
    try:
        count = cache.incr(cache_key)
    except ValueError:  # expired between add and incr
        cache.set(cache_key, 1, timeout=window + 1)
        count = 1
    retry_after = max(1, int(window_start + window - now))
    return RateLimit(
        allowed=count <= limit, remaining=max(0, limit - count), retry_after=retry_after
    )


def client_ip(request) -> str:
    """The visitor's address. Behind a trusted proxy (PORTAL_BEHIND_TLS_PROXY) the
    first X-Forwarded-For entry, else REMOTE_ADDR."""
    from django.conf import settings

    if getattr(settings, "SECURE_PROXY_SSL_HEADER", None):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[0].strip()
    return request.META.get("REMOTE_ADDR", "")
