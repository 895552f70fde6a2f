"""Background jobs of the LINE account (django_tasks): handling webhook events
after the webhook has answered, sending due deliveries, publishing rich menus."""

import json
import logging

from django_tasks import task

logger = logging.getLogger(__name__)


@task(backend="background")
def handle_webhook(channel_id: int, body: str) -> list[str]:
    from .handlers import handle_event
    from .models import LineChannel

    channel = LineChannel.objects.get(pk=channel_id)
    done = []
    for event in json.loads(body).get("events", []):
        try:
            done.append(handle_event(channel, event))
        except Exception:  # one bad event must not lose the others
            logger.exception(
                "LINE event failed on %s: %s", channel.slug, event.get("type")
            )
            done.append("error")
    return done


@task(backend="background")
def relink_friend_menu(friend_id: int) -> str:
    """Move a friend to the segment menu matching their new attributes."""
    from .models import LineFriend
    from .richmenus import relink_segment_menu

    friend = LineFriend.objects.select_related("channel").filter(pk=friend_id).first()
    if friend is None:
        return "gone"
    return relink_segment_menu(friend)


@task(backend="background")
def send_due_deliveries() -> int:
    from . import narrowcast
    from .delivery import process_due

    sent = len(process_due())
    narrowcast.update_runs()
    return sent


@task(backend="background")
def send_message_now(message_id: int) -> int:
    from .delivery import send_now
    from .models import LineMessage

    run = send_now(LineMessage.objects.get(pk=message_id))
    return run.sent_count
