"""Background jobs of the mail tool (django_tasks, "background" backend): sending a
campaign (retried after a mail server failure) and reading the bounce mailbox."""

import datetime as dt

from django.utils import timezone
from django_tasks import task

from . import conf


def enqueue_send(campaign_id: int, run_after: dt.datetime | None = None):
    """Queue a send, at ``run_after`` if given. A backend that cannot defer (the
    immediate one) gets no deferred task: ``portal mail_send_due`` covers it."""
    queued = send_campaign_task
    if run_after is not None:
        if not queued.get_backend().supports_defer:
            return None
        queued = queued.using(run_after=run_after)
    return queued.enqueue(campaign_id)


@task(backend="background")
def send_campaign_task(campaign_id: int) -> dict:
    from .sending import send_campaign

    result = send_campaign(campaign_id)
    if result.paused and result.retry:
        # The mail server failed: try again later; pending deliveries stay pending.
        enqueue_send(
            campaign_id,
            run_after=timezone.now() + dt.timedelta(seconds=conf.get("RETRY_SECONDS")),
        )
    return {
        "sent": result.sent,
        "skipped": result.skipped,
        "failed": result.failed,
        "paused": result.paused,
        "error": result.error,
        "finished": result.finished,
    }


@task(backend="background")
def fetch_bounces_task() -> int:
    from .bounces import fetch_mailbox

    return fetch_mailbox()
