"""Talking to the Messaging API through line-bot-sdk v3: a client per channel
(the hosts come from ``settings.LINE`` so tests point them at a stand-in), the
webhook signature check, and a token bucket with retries for LINE's rate limits.

The signature check and the bucket are pure; everything else does I/O.
"""

import base64
import hashlib
import hmac
import logging
import threading
import time
from collections.abc import Callable
from contextlib import contextmanager

import urllib3
from django.conf import settings

# line-bot-sdk is imported where it is used: with aiohttp it is 37 MB of every
# process that imports it, and most never talk to LINE (the admin's other pages,
# the public endpoints, the site build, which loads every app's admin hooks).

logger = logging.getLogger(__name__)


class ChannelNotConfigured(RuntimeError):
    """The channel's secret or token is missing from the environment."""


def signature_is_valid(secret: str, body: bytes, signature: str) -> bool:
    """``X-Line-Signature``: base64 of HMAC-SHA256 over the raw body, keyed with
    the channel secret. Compared in constant time."""
    if not secret or not signature:
        return False
    digest = hmac.new(secret.encode(), body, hashlib.sha256).digest()
    return hmac.compare_digest(base64.b64encode(digest).decode(), signature.strip())


def api_exceptions() -> tuple[type[Exception], ...]:
    """The SDK's exception classes: messaging, audience and insight each have
    their own (an ``except`` clause evaluates this only when something raised)."""
    from linebot.v3.audience.exceptions import ApiException as AudienceApiException
    from linebot.v3.insight.exceptions import ApiException as InsightApiException
    from linebot.v3.messaging.exceptions import ApiException

    return (ApiException, AudienceApiException, InsightApiException)


def _configuration(channel, data: bool = False, kind=None):
    if kind is None:
        from linebot.v3.messaging import Configuration as kind
    _, token = channel.credentials()
    if not token:
        raise ChannelNotConfigured(
            f"LINEアカウント「{channel.name}」のアクセストークンが設定されていません"
            f"（環境変数 {channel.env_prefix}_TOKEN）。"
        )
    host = settings.LINE["DATA_API_BASE_URL" if data else "API_BASE_URL"]
    return kind(host=host.rstrip("/"), access_token=token)


@contextmanager
def messaging_api(channel):
    from linebot.v3.messaging import ApiClient, MessagingApi

    with ApiClient(_configuration(channel)) as api_client:
        yield MessagingApi(api_client)


@contextmanager
def blob_api(channel):
    from linebot.v3.messaging import ApiClient, MessagingApiBlob

    with ApiClient(_configuration(channel, data=True)) as api_client:
        yield MessagingApiBlob(api_client)


@contextmanager
def audience_api(channel):
    """Audiences (user-ID upload by JSON is on the main host, api.line.me)."""
    from linebot.v3 import audience

    config = _configuration(channel, kind=audience.Configuration)
    with audience.ApiClient(config) as api_client:
        yield audience.ManageAudience(api_client)


@contextmanager
def insight_api(channel):
    from linebot.v3 import insight

    config = _configuration(channel, kind=insight.Configuration)
    with insight.ApiClient(config) as api_client:
        yield insight.Insight(api_client)


class TokenBucket:
    """At most ``rate`` calls per second on average, bursts up to ``capacity``.
    ``clock`` and ``sleep`` are injectable so tests need not wait."""

    def __init__(
        self,
        rate: float,
        capacity: float | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ):
        self.rate = float(rate)
        self.capacity = float(capacity or max(1.0, rate))
        self.tokens = self.capacity
        self.clock = clock
        self.sleep = sleep
        self.updated = clock()
        self.lock = threading.Lock()
        self.waited = 0.0

    def take(self) -> float:
        """Take one token, sleeping until one is free; returns the wait."""
        if self.rate <= 0:
            return 0.0
        with self.lock:
            now = self.clock()
            self.tokens = min(
                self.capacity, self.tokens + (now - self.updated) * self.rate
            )
            self.updated = now
            wait = 0.0
            if self.tokens < 1:
                wait = (1 - self.tokens) / self.rate
                self.sleep(wait)
                self.waited += wait
                self.tokens = 1.0
                self.updated = self.clock()
            self.tokens -= 1
            return wait


RETRYABLE = {429, 500, 502, 503, 504}


def call_with_retry(
    call: Callable[[], object],
    *,
    attempts: int | None = None,
    sleep: Callable[[float], None] = time.sleep,
    base_delay: float = 1.0,
) -> tuple[bool, int, str]:
    """Run ``call`` (which must send its own retry key, so a repeat is never
    delivered twice) until it succeeds or fails for good. 429 and 5xx are
    retried with exponential backoff (honouring Retry-After); 409 means LINE
    already accepted this retry key, which counts as success.
    Returns (ok, attempts used, error text)."""
    attempts = attempts or settings.LINE.get("MAX_ATTEMPTS", 5)
    error = ""
    for attempt in range(1, attempts + 1):
        try:
            call()
            return True, attempt, ""
        except api_exceptions() as exc:
            if exc.status == 409:
                return True, attempt, ""
            error = f"HTTP {exc.status}: {(exc.body or '')[:300]}"
            if exc.status not in RETRYABLE or attempt == attempts:
                return False, attempt, error
            retry_after = 0.0
            headers = exc.headers or {}
            try:
                retry_after = float(headers.get("Retry-After", 0) or 0)
            except (TypeError, ValueError):
                retry_after = 0.0
            delay = max(retry_after, base_delay * 2 ** (attempt - 1))
            logger.warning("LINE API %s; retrying in %.1fs", exc.status, delay)
            sleep(delay)
        except (OSError, urllib3.exceptions.HTTPError) as exc:  # refused, timeout
            error = f"接続できませんでした: {exc}"
            if attempt == attempts:
                return False, attempt, error
            sleep(base_delay * 2 ** (attempt - 1))
    return False, attempts, error
