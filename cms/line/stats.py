"""Statistics of a channel (統計情報): friends and blocks, friends added and
blocked per day, per delivery and per segment sent/failed, rich menu taps; and
the CSV tables of the statistics page, the talk log and the operation log."""

import csv
import datetime as dt
import io
from collections import Counter, defaultdict

from django.db.models import Count, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from .models import DeliveryRun, EventKind, FriendStatus, LineEvent, LineFriend
from .narrowcast import open_rate


def friend_totals(channel) -> dict:
    counts = dict(
        LineFriend.objects.filter(channel=channel)
        .values_list("status")
        .annotate(n=Count("pk"))
    )
    return {
        "friends": counts.get(FriendStatus.FRIEND, 0),
        "blocked": counts.get(FriendStatus.BLOCKED, 0),
        "with_attributes": LineFriend.objects.filter(
            channel=channel,
            status=FriendStatus.FRIEND,
            attributes_updated_at__isnull=False,
        ).count(),
    }


def daily_follows(channel, days: int = 30, today: dt.date | None = None) -> list[dict]:
    """Friends added and blocked per day (from the webhook events)."""
    today = today or timezone.localdate()
    start = today - dt.timedelta(days=days - 1)
    rows = (
        LineEvent.objects.filter(
            channel=channel,
            kind__in=[EventKind.FOLLOW, EventKind.UNFOLLOW],
            occurred_at__date__gte=start,
        )
        .annotate(day=TruncDate("occurred_at"))
        .values_list("day", "kind")
        .annotate(n=Count("pk"))
    )
    by_day = defaultdict(Counter)
    for day, kind, n in rows:
        by_day[day][kind] += n
    return [
        {
            "day": start + dt.timedelta(days=i),
            "added": by_day[start + dt.timedelta(days=i)][EventKind.FOLLOW],
            "blocked": by_day[start + dt.timedelta(days=i)][EventKind.UNFOLLOW],
        }
        for i in range(days)
    ]


def delivery_rows(channel, limit: int = 200):
    return (
        DeliveryRun.objects.filter(message__channel=channel)
        .select_related("message")
        .annotate(click_count=Count("clicks"))
        .order_by("-started_at")[:limit]
    )


def click_rate(run) -> str:
    """Clicks per delivered message, as a percentage (taps, not unique people)."""
    if not run.sent_count:
        return "—"
    return f"{100 * run.click_count / run.sent_count:.1f}%"


def per_segment(channel) -> list[dict]:
    rows = (
        DeliveryRun.objects.filter(message__channel=channel, is_test=False)
        .values("segment_name")
        .annotate(runs=Count("pk"), sent=Sum("sent_count"), failed=Sum("failed_count"))
        .order_by("segment_name")
    )
    return list(rows)


def menu_taps(channel, days: int = 30) -> list[tuple[str, int]]:
    """Postbacks per data value (rich menu taps and tab switches)."""
    since = timezone.now() - dt.timedelta(days=days)
    rows = (
        LineEvent.objects.filter(
            channel=channel, kind=EventKind.POSTBACK, occurred_at__gte=since
        )
        .values_list("text")
        .annotate(n=Count("pk"))
        .order_by("-n")
    )
    return list(rows)


def csv_bytes(header: list[str], rows) -> bytes:
    """UTF-8 with BOM, so Excel opens Japanese text correctly."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def unique_clicks(run) -> str:
    """People who tapped a link, from LINE Insight (narrowcast only)."""
    return "—" if run.unique_click_count is None else str(run.unique_click_count)


def runs_csv(channel) -> bytes:
    rows = [
        [
            f"{timezone.localtime(r.started_at):%Y-%m-%d %H:%M}",
            r.message.title,
            r.message.get_schedule_display(),
            "テスト" if r.is_test else "本番",
            r.segment_name,
            r.target_count,
            r.sent_count,
            r.failed_count,
            r.click_count,
            click_rate(r),
            r.get_method_display().split("（")[0],
            "" if r.delivered_count is None else r.delivered_count,
            "" if r.open_count is None else r.open_count,
            open_rate(r),
            unique_clicks(r),
            r.get_status_display(),
        ]
        for r in delivery_rows(channel, limit=100000)
    ]
    return csv_bytes(
        [
            "配信日時",
            "タイトル",
            "種別",
            "区分",
            "配信先",
            "配信数",
            "成功数",
            "失敗数",
            "クリック数",
            "クリック率",
            "配信方法",
            "到達数",
            "開封者数",
            "開封率",
            "クリックした人数",
            "状態",
        ],
        rows,
    )


def daily_csv(channel, days: int = 365) -> bytes:
    return csv_bytes(
        ["日付", "友だち追加", "ブロック"],
        [
            [r["day"].isoformat(), r["added"], r["blocked"]]
            for r in daily_follows(channel, days)
        ],
    )


def talk_log_csv(channel) -> bytes:
    rows = (
        [
            f"{timezone.localtime(e.occurred_at):%Y-%m-%d %H:%M:%S}",
            e.get_kind_display(),
            e.user_id,
            e.text,
        ]
        for e in LineEvent.objects.filter(channel=channel)
        .order_by("occurred_at")
        .iterator()
    )
    return csv_bytes(["日時", "種類", "LINEユーザーID", "内容"], rows)
