"""Pushing the feed to its targets over SFTP or HTTPS, with retries.

A target remembers the last feed version it received. A delivery sends what it is
missing (the whole feed, or the changes since that version), and only moves the
mark forward once the upload succeeded, so a target that was down gets the full
pending change set on the next attempt and nothing is lost. Failed attempts are
retried on the task queue after a growing delay (``retry_delay``), and every
attempt is kept as a ``Delivery`` for prefecture staff to see.
"""

import asyncio
import datetime
import logging
import posixpath
import time
from concurrent.futures import ThreadPoolExecutor

import requests
from django.conf import settings
from django.utils import timezone

from .models import (
    Delivery,
    DeliveryMode,
    DeliveryStatus,
    FeedState,
    PushProtocol,
    PushTarget,
)
from .sync import feed_snapshot
from .writers import FeedPackage, get_writer

logger = logging.getLogger(__name__)


class DeliveryError(Exception):
    """A target refused or could not be reached; the message is shown to staff."""


def retry_delay(failures: int, base: int, cap: int) -> datetime.timedelta:
    """Exponential backoff: base, 2×base, 4×base … up to ``cap`` seconds."""
    seconds = min(cap, base * 2 ** max(0, failures - 1))
    return datetime.timedelta(seconds=seconds)


def is_due(target: PushTarget, version: int, now, respect_backoff: bool) -> bool:
    """Whether ``target`` should be sent to now: it is missing changes and, when
    backoff is respected, its retry time has come."""
    if not target.is_active or target.delivered_version >= version:
        return False
    waiting = target.next_attempt_at and target.next_attempt_at > now
    return not (respect_backoff and waiting)


# --- Transports --------------------------------------------------------------------


def _remote_folder(target: PushTarget, mode: str, version: int) -> str:
    """Changes go to a folder of their own per version, so a batch the bank has not
    yet read is never overwritten by the next; the whole feed replaces itself."""
    base = target.remote_dir.rstrip("/") or "."
    return base if mode == DeliveryMode.FULL else f"{base}/changes-{version:08d}"


def send_sftp(target: PushTarget, package: FeedPackage, folder: str) -> int:
    """Upload the package over SFTP; returns the bytes sent."""
    import asyncssh

    async def upload() -> int:
        options = {
            "port": target.port,
            "username": target.username,
            "known_hosts": (
                [asyncssh.import_public_key(target.host_key.strip())],
                [],
                [],
            ),
            "connect_timeout": settings.AKIYA_BANK["CONNECT_TIMEOUT_SECONDS"],
        }
        private_key = target.resolved(target.private_key)
        if private_key:
            options["client_keys"] = [asyncssh.import_private_key(private_key)]
        password = target.resolved(target.secret)
        if password:
            options["password"] = password
        sent = 0
        async with (
            asyncssh.connect(target.host, **options) as connection,
            connection.start_sftp_client() as sftp,
        ):
            for package_file in package.delivery_order():
                path = posixpath.join(folder, package_file.name)
                await sftp.makedirs(posixpath.dirname(path), exist_ok=True)
                data = package_file.content()
                if package_file.read and await _same_size(sftp, path, len(data)):
                    continue  # a photo already there (photos never change in place)
                temporary = path + ".part"
                async with sftp.open(temporary, "wb") as handle:
                    await handle.write(data)
                try:
                    await sftp.posix_rename(temporary, path)
                except asyncssh.SFTPError:  # server without the OpenSSH extension
                    if await sftp.exists(path):
                        await sftp.remove(path)
                    await sftp.rename(temporary, path)
                sent += len(data)
        return sent

    try:
        # A thread of its own: the caller may already run an event loop (an async
        # worker, a browser driver in tests), and asyncio.run refuses to nest.
        with ThreadPoolExecutor(max_workers=1) as pool:
            return pool.submit(asyncio.run, upload()).result()
    except (TimeoutError, OSError, asyncssh.Error) as error:
        raise DeliveryError(f"SFTP {target.host}:{target.port}: {error}") from error


async def _same_size(sftp, path: str, size: int) -> bool:
    try:
        return (await sftp.stat(path)).size == size
    except Exception:
        return False


def send_https(target: PushTarget, package: FeedPackage, feed) -> int:
    """POST the feed file (or, for a package of several files, a zip of them)."""
    if len(package.files) == 1:
        body, content_type = package.main.content(), package.media_type
    else:
        body, content_type = package.as_zip(), "application/zip"
    headers = {
        "Content-Type": content_type,
        "X-Akiya-Feed-Format": package.format,
        "X-Akiya-Feed-Mode": feed.mode,
        "X-Akiya-Feed-Version": str(feed.version),
        "Idempotency-Key": f"akiya-{target.pk}-{feed.mode}-{feed.version}",
    }
    token = target.resolved(target.secret)
    if token:
        headers["Authorization"] = f"Bearer {token}"
    try:
        response = requests.post(
            target.url,
            data=body,
            headers=headers,
            timeout=(
                settings.AKIYA_BANK["CONNECT_TIMEOUT_SECONDS"],
                settings.AKIYA_BANK["TRANSFER_TIMEOUT_SECONDS"],
            ),
        )
    except requests.RequestException as error:
        raise DeliveryError(f"HTTPS {target.url}: {error}") from error
    if not 200 <= response.status_code < 300:
        raise DeliveryError(
            f"HTTPS {target.url}: HTTP {response.status_code} {response.text[:200]}"
        )
    return len(body)


# --- Delivering ---------------------------------------------------------------------


def deliver(target: PushTarget, run) -> Delivery:
    """Send ``target`` what it is missing and record the attempt."""
    from_version = target.delivered_version
    feed = feed_snapshot(
        target.mode, since=from_version if target.mode == DeliveryMode.CHANGES else 0
    )
    attempt = Delivery(
        run=run,
        target=target,
        from_version=from_version,
        feed_version=feed.version,
        listings=len(feed.records),
        deletions=len(feed.deletions),
    )
    now = timezone.now()
    target.last_attempt_at = now
    try:
        package = get_writer(target.format).write(feed)
        attempt.files = len(package.files)
        attempts = settings.AKIYA_BANK["IMMEDIATE_ATTEMPTS"]
        for number in range(1, attempts + 1):
            try:
                attempt.bytes = _send(target, package, feed)
                break
            except DeliveryError:
                if number == attempts:
                    raise
                time.sleep(settings.AKIYA_BANK["IMMEDIATE_RETRY_SECONDS"] * number)
    except Exception as error:
        message = str(error) if isinstance(error, DeliveryError) else repr(error)
        if not isinstance(error, DeliveryError):
            logger.exception("akiya feed: delivery to %s crashed", target)
        target.failure_count += 1
        target.next_attempt_at = now + retry_delay(
            target.failure_count,
            settings.AKIYA_BANK["RETRY_BASE_SECONDS"],
            settings.AKIYA_BANK["RETRY_MAX_SECONDS"],
        )
        target.last_error = message
        attempt.status = DeliveryStatus.FAILED
        attempt.error = message
        logger.warning(
            "akiya feed: delivery to %s failed (%s in a row), next try %s: %s",
            target,
            target.failure_count,
            target.next_attempt_at,
            message,
        )
    else:
        target.delivered_version = feed.version
        target.failure_count = 0
        target.next_attempt_at = None
        target.last_error = ""
        target.last_success_at = timezone.now()
        attempt.status = DeliveryStatus.SUCCESS
    attempt.finished_at = timezone.now()
    attempt.save()
    target.save(
        update_fields=[
            "delivered_version",
            "failure_count",
            "next_attempt_at",
            "last_error",
            "last_attempt_at",
            "last_success_at",
        ]
    )
    return attempt


def _send(target: PushTarget, package: FeedPackage, feed) -> int:
    if target.protocol == PushProtocol.SFTP:
        return send_sftp(
            target, package, _remote_folder(target, feed.mode, feed.version)
        )
    return send_https(target, package, feed)


def deliver_pending(run, *, respect_backoff: bool = False) -> tuple[int, int]:
    """Deliver to every due target; returns (failures, deliveries). A failed target
    gets a retry enqueued for its next attempt time."""
    from .tasks import schedule_retry

    version = FeedState.current().version
    now = timezone.now()
    failures = deliveries = 0
    for target in PushTarget.objects.filter(is_active=True):
        if not is_due(target, version, now, respect_backoff):
            continue
        attempt = deliver(target, run)
        deliveries += 1
        if attempt.status == DeliveryStatus.FAILED:
            failures += 1
            schedule_retry(target.next_attempt_at)
    return failures, deliveries
