"""Statistics of a channel (統計情報): friends and blocks, friends added and
blocked per day, per delivery and per segment sent/failed, rich menu taps; and
the CSV tables of the statistics page, the talk log and the operation log, plus
the account's friends (with attributes), segments, messages and rich menus, so a
municipality can take its data to the next system (seed 004 §6 (3)⑧)."""

import csv
import datetime as dt
import io
import json
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
    """Rich menu taps: postbacks per data value (menus, tab switches) and link
    areas per label (counted by our redirect)."""
    since = timezone.now() - dt.timedelta(days=days)
    rows = (
        LineEvent.objects.filter(
            channel=channel,
            kind__in=[EventKind.POSTBACK, EventKind.MENU_LINK],
            occurred_at__gte=since,
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


def form_tallies(attribute_form) -> list[dict]:
    """A named form's answers among the account's friends (blocked ones left
    out): per item the number who answered and, for choices, each choice's
    count. Answers are attributes, so this is the current state, not a history."""
    from cms.mailing.models import AttributeKind

    friends = LineFriend.objects.filter(
        channel_id=attribute_form.channel_id, status=FriendStatus.FRIEND
    )
    values = [f.attributes or {} for f in friends.only("attributes")]
    tallies = []
    for definition in attribute_form.definitions.all():
        answers = [
            v[definition.key] for v in values if v.get(definition.key) not in (None, "")
        ]
        row = {"label": definition.label, "answered": len(answers), "choices": []}
        if definition.kind == AttributeKind.CHOICE:
            counted = Counter(answers)
            row["choices"] = [(c, counted.get(c, 0)) for c in definition.choice_list()]
        tallies.append(row)
    return tallies


def form_tallies_csv(attribute_form) -> bytes:
    rows = []
    for row in form_tallies(attribute_form):
        rows.append([row["label"], "（回答者数）", row["answered"]])
        rows += [[row["label"], choice, n] for choice, n in row["choices"]]
    return csv_bytes(["項目", "選択肢", "人数"], rows)


# --- Tables for migration (移行用CSV) -----------------------------------------------


def _json(value) -> str:
    return json.dumps(value, ensure_ascii=False) if value else ""


def _when(moment) -> str:
    return f"{timezone.localtime(moment):%Y-%m-%d %H:%M}" if moment else ""


def friends_csv(channel) -> bytes:
    """Every friend (blocked ones too) with the built-in attributes and one column
    per custom attribute definition, as the friend form shows them."""
    from cms.mailing.models import AttributeDefinition

    definitions = list(AttributeDefinition.objects.all())
    friends = (
        LineFriend.objects.filter(channel=channel)
        .select_related("residence")
        .prefetch_related("interests")
        .order_by("followed_at", "pk")
    )
    rows = (
        [
            f.user_id,
            f.display_name,
            f.get_status_display(),
            _when(f.followed_at),
            _when(f.unfollowed_at),
            "はい" if f.is_tester else "",
            f.get_age_band_display() if f.age_band else "",
            f.get_gender_display() if f.gender else "",
            f.birth_date.isoformat() if f.birth_date else "",
            f.residence.name if f.residence else "",
            f.residence_outside,
            "・".join(i.name for i in f.interests.all()),
            "・".join(f.children_birth_dates or []),
            *[(f.attributes or {}).get(d.key, "") for d in definitions],
            _when(f.attributes_updated_at),
        ]
        for f in friends.iterator(chunk_size=500)
    )
    return csv_bytes(
        [
            "LINEユーザーID",
            "表示名",
            "状態",
            "友だち追加日時",
            "ブロック日時",
            "テスト受信者",
            "年代",
            "性別",
            "生年月日",
            "お住まいの市町村",
            "県外の都道府県",
            "関心",
            "お子さまの生年月日",
            *[d.label for d in definitions],
            "属性の更新日時",
        ],
        rows,
    )


def segments_csv(channel) -> bytes:
    from . import segments as friend_segments

    rows = []
    for segment in channel.segments.all():
        try:
            words = friend_segments.describe(segment.rules)
            count = friend_segments.friends_matching(channel, segment.rules).count()
        except ValueError:
            words, count = "（条件に誤りがあります）", ""
        rows.append(
            [segment.name, segment.description, words, count, _json(segment.rules)]
        )
    return csv_bytes(
        ["セグメント名", "説明", "条件", "現在の人数", "条件（JSON）"], rows
    )


def messages_csv(channel) -> bytes:
    rows = [
        [
            m.title,
            m.get_status_display(),
            m.segment.name if m.segment_id else m.get_audience_display(),
            m.get_send_method_display(),
            m.get_schedule_display(),
            _when(m.send_at),
            _json(m.recurrence),
            m.reminder_date_label if m.reminder_date else "",
            m.reminder_offset_days if m.reminder_date else "",
            m.text,
            _json(m.emojis),
            m.get_media_kind_display() if m.media_kind else "",
            m.image.title if m.image_id else "",
            m.video.title if m.video_id else "",
            _json(m.imagemap_areas),
            _json(m.messages_json),
            _when(m.next_run_at),
            _when(m.created_at),
        ]
        for m in channel.messages.select_related("segment", "image", "video")
    ]
    return csv_bytes(
        [
            "タイトル",
            "状態",
            "配信先",
            "配信方法",
            "タイミング",
            "配信日時",
            "繰り返し（JSON）",
            "リマインドの基準日",
            "基準日からの日数",
            "本文",
            "LINE絵文字（JSON）",
            "画像・動画",
            "画像",
            "動画",
            "イメージマップの領域（JSON）",
            "その他のメッセージ（JSON）",
            "次の配信",
            "作成日時",
        ],
        rows,
    )


def rich_menus_csv(channel) -> bytes:
    rows = [
        [
            m.name,
            m.alias_id,
            m.tab_label,
            m.chat_bar_text,
            m.get_size_display(),
            "はい" if m.is_default else "",
            m.segment.name if m.segment_id else "",
            m.sort_order,
            m.image.name if m.image else "",
            _json(m.areas),
            m.line_rich_menu_id,
            _when(m.published_at),
        ]
        for m in channel.rich_menus.select_related("segment")
    ]
    return csv_bytes(
        [
            "管理用の名前",
            "タブの識別名",
            "タブの表示名",
            "メニューバーの文字",
            "大きさ",
            "既定メニュー",
            "セグメント",
            "タブの順番",
            "画像ファイル",
            "タップ領域（JSON）",
            "LINE上のID",
            "反映日時",
        ],
        rows,
    )
