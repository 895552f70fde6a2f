"""Sending deliveries: the message objects, who receives them (everyone, a
segment, the testers, the friends whose reminder date is today), multicast in
batches of 500 with a retry key each, paced by a token bucket, and the schedule
(scheduled, recurring, reminders) driven by ``process_due(now)``.

``portal line_send_due`` (or the task ``send_due_deliveries``) runs
``process_due`` every few minutes in production.
"""

import datetime as dt
import logging

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from pydantic.v1 import ValidationError

from . import media, narrowcast, schedule, tracking
from . import segments as friend_segments
from .client import TokenBucket, call_with_retry, messaging_api
from .models import (
    Audience,
    DeliveryBatch,
    DeliveryRun,
    FriendStatus,
    LineFriend,
    LineMessage,
    MessageStatus,
    RunStatus,
    ScheduleKind,
    SendMethod,
    reminder_date_choices,
)

logger = logging.getLogger(__name__)

MULTICAST_MAX = 500  # LINE's limit of user IDs per multicast call
MESSAGES_MAX = 5
MESSAGE_TYPES = {
    "text",
    "image",
    "video",
    "audio",
    "imagemap",
    "flex",
    "sticker",
    "template",
    "location",
}


class DeliveryError(ValueError):
    """A message that cannot be sent as it is (message in Japanese)."""


# --- The message objects (pure) ---------------------------------------------------


def build_messages(message: LineMessage) -> list[dict]:
    objects = []
    if message.text.strip():
        text = {"type": "text", "text": message.text}
        if message.emojis:
            text["emojis"] = message.emojis
        objects.append(text)
    built = media.media_object(message)
    if built:
        objects.append(built)
    objects.extend(message.messages_json or [])
    return objects


def validate_messages(objects: list[dict]) -> list[str]:
    problems = []
    if not objects:
        problems.append("本文かメッセージのJSONを入れてください。")
    if len(objects) > MESSAGES_MAX:
        problems.append(
            f"1回に送れるメッセージは{MESSAGES_MAX}件までです（今は{len(objects)}件）。"
        )
    for i, obj in enumerate(objects, 1):
        if not isinstance(obj, dict) or obj.get("type") not in MESSAGE_TYPES:
            problems.append(f"{i}件目: 種類（type）が正しくありません。")
            continue
        kind = obj["type"]
        if kind == "text" and not 0 < len(obj.get("text", "")) <= 5000:
            problems.append(f"{i}件目: テキストは1〜5000文字です。")
        if kind == "text" and obj.get("emojis"):
            for emoji in obj["emojis"]:
                index = emoji.get("index", -1)
                if not (0 <= index < len(obj["text"]) and obj["text"][index] == "$"):
                    problems.append(
                        f"{i}件目: LINE絵文字の位置（index）には「$」を置いてください。"
                    )
                    break
        if kind in ("image", "video"):
            for key in ("originalContentUrl", "previewImageUrl"):
                if not str(obj.get(key, "")).startswith("https://"):
                    problems.append(f"{i}件目: {key} は https のURLにしてください。")
        if kind in ("flex", "imagemap") and not obj.get("altText"):
            problems.append(f"{i}件目: 代替テキスト（altText）を入れてください。")
        if kind == "flex" and not isinstance(obj.get("contents"), dict):
            problems.append(f"{i}件目: Flex Message の contents がありません。")
        if kind == "imagemap" and not obj.get("baseUrl", "").startswith("https://"):
            problems.append(
                f"{i}件目: イメージマップの baseUrl は https のURLにしてください。"
            )
        if kind == "flex" and isinstance(obj.get("contents"), dict):
            problems += [f"{i}件目: {p}" for p in flex_problems(obj)]
        shape = sdk_shape_problem(obj)
        if shape:
            problems.append(f"{i}件目: LINEの形式に合いません（{shape}）。")
    return problems


def sdk_shape_problem(obj: dict) -> str:
    """The SDK's own models of LINE's message objects catch missing or mistyped
    properties deep inside Flex or imagemap JSON; the first one, or ""."""
    from linebot.v3.messaging import Message

    try:
        Message.from_dict(obj)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        return f"{error.model.__name__} の {where}: {first['msg']}"
    except (TypeError, ValueError, AttributeError, KeyError) as error:
        return str(error)[:200]
    return ""


FLEX_CAROUSEL_MAX = 12


def flex_problems(obj: dict) -> list[str]:
    contents = obj["contents"]
    found = []
    if contents.get("type") not in ("bubble", "carousel"):
        found.append("Flex の contents の type は bubble か carousel です。")
    if contents.get("type") == "carousel":
        bubbles = contents.get("contents") or []
        if not 0 < len(bubbles) <= FLEX_CAROUSEL_MAX:
            found.append(
                f"カルーセルのバブルは1〜{FLEX_CAROUSEL_MAX}個です（今は{len(bubbles)}個）。"
            )
    return found


def flex_lines(node) -> list[str]:
    """The texts, button labels and images of a Flex container in reading order,
    for a preview staff can read without knowing the JSON."""
    if isinstance(node, list):
        return [line for child in node for line in flex_lines(child)]
    if not isinstance(node, dict):
        return []
    kind = node.get("type")
    if kind == "text":
        return [node.get("text", "")]
    if kind == "button":
        return [f"［ボタン］{(node.get('action') or {}).get('label', '')}"]
    if kind == "image":
        return ["［画像］"]
    lines = []
    for key in ("header", "hero", "body", "footer", "contents"):
        if key in node:
            lines += flex_lines(node[key])
    if kind == "bubble" and lines:
        lines.append("――")
    return lines


def emoji_placeholders(text_object: dict) -> str:
    """The text with each LINE emoji's ``$`` shown as 「［絵文字］」 (the admin
    cannot draw LINE's own emoji images)."""
    text = text_object["text"]
    positions = {e.get("index") for e in text_object.get("emojis") or []}
    return "".join(
        "［絵文字］" if i in positions and ch == "$" else ch
        for i, ch in enumerate(text)
    )


def preview_items(message: LineMessage) -> list[dict]:
    """What the friend will see, one bubble per message, for the confirmation
    screen: text, an image (shown from the admin's own rendition), the tap areas
    of an imagemap as boxes, Flex as its texts and button labels."""
    items = []
    for obj in build_messages(message):
        kind = obj.get("type")
        if kind == "text":
            items.append({"text": emoji_placeholders(obj)})
        elif kind in ("image", "video", "imagemap") and message.image is not None:
            item = {
                "text": {
                    "image": "画像",
                    "video": "動画",
                    "imagemap": "イメージマップ",
                }[kind]
                + (
                    f"：{message.video.title}"
                    if kind == "video" and message.video
                    else ""
                ),
                "image": message.image.get_rendition("max-600x600").url,
            }
            if kind == "imagemap":
                height = obj["baseSize"]["height"]
                item["areas"] = [
                    {
                        "left": 100 * a["area"]["x"] / media.IMAGEMAP_BASE,
                        "top": 100 * a["area"]["y"] / height,
                        "width": 100 * a["area"]["width"] / media.IMAGEMAP_BASE,
                        "height": 100 * a["area"]["height"] / height,
                        "label": a.get("linkUri") or a.get("text", ""),
                    }
                    for a in obj["actions"]
                ]
            items.append(item)
        elif kind == "flex":
            items.append(
                {
                    "text": f"［Flex］{obj.get('altText', '')}",
                    "lines": flex_lines(obj.get("contents")),
                }
            )
        else:
            items.append(
                {
                    "text": f"［{kind}］"
                    + str(obj.get("altText", obj.get("originalContentUrl", "")))
                }
            )
    return items


def chunks(items: list, size: int = MULTICAST_MAX) -> list[list]:
    return [items[i : i + size] for i in range(0, len(items), size)]


# --- Recipients ---------------------------------------------------------------------


def audience_friends(message: LineMessage, today: dt.date):
    friends = LineFriend.objects.filter(
        channel=message.channel, status=FriendStatus.FRIEND
    )
    if message.audience == Audience.SEGMENT and message.segment_id:
        friends = friend_segments.friends_matching(
            message.channel, message.segment.rules, today
        )
    if message.schedule == ScheduleKind.REMINDER:
        friends = reminder_friends(
            friends, message.reminder_date, message.reminder_offset_days, today
        )
    return friends


def reminder_friends(friends, date_field: str, offset_days: int, today: dt.date):
    anchor = schedule.anchors_for_today(offset_days, today)
    if date_field == "birth_date":
        return friends.filter(birth_date=anchor)
    if date_field == "followed_at":
        # Imported friends' follow date is unknown (followers.py).
        return friends.filter(followed_at__date=anchor, imported_at__isnull=True)
    if date_field.startswith("attr:"):
        # A date-type custom attribute, stored as "YYYY-MM-DD".
        return friends.filter(
            **{f"attributes__{date_field.removeprefix('attr:')}": anchor.isoformat()}
        )
    if date_field == "children_birth_dates":
        ids = [
            pk
            for pk, dates in friends.exclude(children_birth_dates=[]).values_list(
                "pk", "children_birth_dates"
            )
            if anchor.isoformat() in (dates or [])
        ]
        return friends.filter(pk__in=ids)
    return friends.none()


# --- Sending ------------------------------------------------------------------------


def send_run(
    message: LineMessage,
    user_ids: list[str],
    *,
    is_test=False,
    scheduled_for=None,
    channel=None,
    bucket: TokenBucket | None = None,
    sleep=None,
) -> DeliveryRun:
    """Send ``message`` to ``user_ids`` and record it: multicast (≤500 per call),
    or audience upload + narrowcast for large audiences (narrowcast.py), whose run
    finishes later, when LINE reports the narrowcast done."""
    problems = media.problems(message)
    objects = build_messages(message)
    problems = problems or validate_messages(objects)
    if problems:
        raise DeliveryError(" ".join(problems))
    channel = channel or message.channel
    run = DeliveryRun.objects.create(
        message=message,
        is_test=is_test,
        scheduled_for=scheduled_for,
        segment_name=message.segment.name
        if message.audience == Audience.SEGMENT and message.segment_id
        else "友だち全員",
        target_count=len(user_ids),
    )
    if settings.LINE.get("TRACK_CLICKS", True):
        objects = tracking.track_messages(objects, run.pk)
    retry_kwargs = {"sleep": sleep} if sleep else {}
    method = narrowcast.choose_method(message.send_method, len(user_ids), is_test)
    if method == SendMethod.NARROWCAST:
        return narrowcast.start(run, channel, objects, user_ids, **retry_kwargs)
    if method == SendMethod.BROADCAST:
        return narrowcast.start_broadcast(run, channel, objects, **retry_kwargs)
    run.messages_sent = objects
    run.save(update_fields=["messages_sent"])
    batches = [
        DeliveryBatch.objects.create(run=run, user_ids=ids) for ids in chunks(user_ids)
    ]
    bucket = bucket or TokenBucket(settings.LINE["MAX_CALLS_PER_SECOND"])
    for batch in batches:
        _send_batch(channel, batch, objects, bucket, retry_kwargs)
    finish_run(run)
    return run


def _send_batch(channel, batch: DeliveryBatch, objects, bucket, retry_kwargs):
    from linebot.v3.messaging import MulticastRequest

    request = MulticastRequest.from_dict({"to": batch.user_ids, "messages": objects})

    def call():
        bucket.take()
        batch.attempts += 1
        with messaging_api(channel) as api:
            api.multicast(request, x_line_retry_key=str(batch.retry_key))

    ok, _, error = call_with_retry(call, **retry_kwargs)
    batch.sent = ok
    batch.error = error
    batch.save(update_fields=["sent", "error", "attempts"])


def finish_run(run: DeliveryRun) -> DeliveryRun:
    sent = failed = 0
    errors = []
    for batch in run.batches.all():
        if batch.sent:
            sent += len(batch.user_ids)
        else:
            failed += len(batch.user_ids)
            errors.append(batch.error)
    run.sent_count, run.failed_count = sent, failed
    run.status = (
        RunStatus.DONE
        if not failed
        else RunStatus.PARTIAL
        if sent
        else RunStatus.FAILED
    )
    if not run.target_count:
        run.status = RunStatus.DONE
    run.error = "\n".join(e for e in errors if e)[:2000]
    run.finished_at = timezone.now()
    run.save()
    return run


def send_now(message: LineMessage, now=None, **kwargs) -> DeliveryRun:
    now = now or timezone.now()
    ids = list(
        audience_friends(message, timezone.localdate(now)).values_list(
            "user_id", flat=True
        )
    )
    run = send_run(message, ids, scheduled_for=now, **kwargs)
    if message.schedule in (ScheduleKind.NOW, ScheduleKind.AT):
        message.status = (
            MessageStatus.DONE
            if run.status != RunStatus.FAILED
            else MessageStatus.FAILED
        )
        message.next_run_at = None
        message.save(update_fields=["status", "next_run_at", "updated_at"])
    return run


def send_test(message: LineMessage, friends=None, **kwargs) -> DeliveryRun:
    """Send to the testers only: the friends given, else every friend of the test
    account (when one is set) or the friends marked as testers. The public
    audience never receives a test send."""
    channel = message.channel
    if friends is None:
        if channel.test_channel_id:
            channel = channel.test_channel
            friends = LineFriend.objects.filter(
                channel=channel, status=FriendStatus.FRIEND
            )
        else:
            friends = LineFriend.objects.filter(
                channel=channel, status=FriendStatus.FRIEND, is_tester=True
            )
    ids = [f.user_id for f in friends]
    if not ids:
        raise DeliveryError(
            "テスト送信の受信者がいません。友だちの「テスト配信の受信者」に印を付けてください。"
        )
    return send_run(message, ids, is_test=True, channel=channel, **kwargs)


# --- Scheduling ---------------------------------------------------------------------


def first_run_at(message: LineMessage, now: dt.datetime) -> dt.datetime | None:
    if message.schedule == ScheduleKind.NOW:
        return now
    if message.schedule == ScheduleKind.AT:
        if message.send_at is None:
            raise DeliveryError("配信日時を入れてください。")
        return message.send_at
    if message.schedule == ScheduleKind.RECURRING:
        return schedule.next_occurrence(
            message.recurrence, now - dt.timedelta(seconds=1)
        )
    if message.schedule == ScheduleKind.REMINDER:
        if not message.reminder_date:
            raise DeliveryError("リマインドの基準日を選んでください。")
        rule = {
            "freq": "daily",
            "time": (message.recurrence or {}).get("time", "09:00"),
            "skip_holidays": False,
        }
        return schedule.next_occurrence(rule, now - dt.timedelta(seconds=1))
    return None


def following_run_at(message: LineMessage, after: dt.datetime) -> dt.datetime | None:
    if message.schedule == ScheduleKind.RECURRING:
        return schedule.next_occurrence(message.recurrence, after)
    if message.schedule == ScheduleKind.REMINDER:
        rule = {
            "freq": "daily",
            "time": (message.recurrence or {}).get("time", "09:00"),
            "skip_holidays": False,
        }
        return schedule.next_occurrence(rule, after)
    return None


def check(message: LineMessage) -> list[str]:
    problems = media.problems(message)
    if problems:
        return problems
    problems = validate_messages(build_messages(message))
    if message.audience == Audience.SEGMENT and not message.segment_id:
        problems.append("セグメントを選んでください。")
    if message.send_method == SendMethod.BROADCAST and (
        message.audience != Audience.ALL or message.schedule == ScheduleKind.REMINDER
    ):
        problems.append(
            "ブロードキャストは友だち全員への配信（リマインド以外）にだけ使えます。"
        )
    if message.schedule == ScheduleKind.RECURRING:
        problems += schedule.validate_rule(message.recurrence or {})
    if message.schedule == ScheduleKind.AT and message.send_at is None:
        problems.append("配信日時を入れてください。")
    if message.schedule == ScheduleKind.REMINDER and not message.reminder_date:
        problems.append("リマインドの基準日を選んでください。")
    elif message.schedule == ScheduleKind.REMINDER and message.reminder_date not in (
        dict(reminder_date_choices())
    ):
        problems.append(
            f"リマインドの基準日「{message.reminder_date}」は日付の属性ではありません。"
        )
    return problems


def schedule_message(message: LineMessage, now=None) -> LineMessage:
    """Put a message on the schedule (or change its schedule)."""
    now = now or timezone.now()
    problems = check(message)
    if problems:
        raise DeliveryError(" ".join(problems))
    message.next_run_at = first_run_at(message, now)
    message.status = (
        MessageStatus.SCHEDULED if message.next_run_at else MessageStatus.DONE
    )
    message.save(update_fields=["status", "next_run_at", "updated_at"])
    return message


def cancel(message: LineMessage) -> LineMessage:
    message.status = MessageStatus.CANCELLED
    message.next_run_at = None
    message.save(update_fields=["status", "next_run_at", "updated_at"])
    return message


def process_due(now=None, **kwargs) -> list[DeliveryRun]:
    """Send every scheduled message whose time has come; move recurring and
    reminder messages to their next time. Each message is claimed in its own
    transaction, so two workers never send the same occurrence."""
    now = now or timezone.now()
    runs = []
    due = LineMessage.objects.filter(
        status=MessageStatus.SCHEDULED, next_run_at__lte=now
    )
    for pk in due.values_list("pk", flat=True):
        with transaction.atomic():
            message = (
                LineMessage.objects.select_for_update()
                .filter(pk=pk, status=MessageStatus.SCHEDULED, next_run_at__lte=now)
                .first()
            )
            if message is None:
                continue
            occurrence = message.next_run_at
            message.next_run_at = following_run_at(message, occurrence)
            if message.next_run_at is None:
                message.status = MessageStatus.SENDING
            message.save(update_fields=["status", "next_run_at", "updated_at"])
        ids = list(
            audience_friends(message, timezone.localdate(occurrence)).values_list(
                "user_id", flat=True
            )
        )
        try:
            run = send_run(message, ids, scheduled_for=occurrence, **kwargs)
        except DeliveryError as error:
            logger.error("LINE delivery %s not sent: %s", message.pk, error)
            message.status = MessageStatus.FAILED
            message.save(update_fields=["status", "updated_at"])
            continue
        runs.append(run)
        if message.status == MessageStatus.SENDING:
            message.status = (
                MessageStatus.FAILED
                if run.status == RunStatus.FAILED
                else MessageStatus.DONE
            )
            message.save(update_fields=["status", "updated_at"])
    return runs
