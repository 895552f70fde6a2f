"""Demo data of the LINE account: one public and one test channel with fake
credentials (settings.LINE["CHANNELS"] outside production), spots (some of them
the reservation facilities), friends with attributes, segments, a 3-tab rich menu
with 6 icons per tab, and scheduled, recurring and reminder deliveries.
Idempotent: running it again changes nothing."""

import datetime as dt
import random
from collections import Counter

from django.db import transaction
from django.utils import timezone

from cms.mailing.models import AttributeDefinition, AttributeKind, Interest

from .models import (
    AttributeForm,
    Audience,
    ChannelRole,
    FriendSegment,
    LineChannel,
    LineFriend,
    LineMessage,
    RichMenu,
    ScheduleKind,
    Spot,
)
from .richmenus import tab_menu_areas

# Shared with the mail tool: staff can add more in either place.
ATTRIBUTES = [
    ("move_when", "移住希望時期", AttributeKind.CHOICE, "1年以内\n1〜3年\n未定"),
    ("household", "世帯構成", AttributeKind.CHOICE, "単身\n夫婦\n子育て世帯\n三世代"),
    ("job", "職業", AttributeKind.CHOICE, "会社員\n公務員\n自営業\n学生\n無職・その他"),
    (
        "work_style",
        "希望する働き方",
        AttributeKind.CHOICE,
        "就職\n転職なし（テレワーク）\n起業\n就農",
    ),
    ("housing", "希望する住まい", AttributeKind.CHOICE, "賃貸\n購入\n空き家\n未定"),
    ("area_pref", "希望エリア", AttributeKind.CHOICE, "県北\n県央\n鹿行\n県南\n県西"),
    ("car", "自動車の運転", AttributeKind.CHOICE, "する\nしない"),
    ("pets", "ペット", AttributeKind.CHOICE, "いる\nいない"),
    ("household_size", "世帯人数", AttributeKind.NUMBER, ""),
    ("commute", "東京への通勤", AttributeKind.CHOICE, "毎日\n週数回\nしない"),
    ("visit_count", "茨城への訪問回数", AttributeKind.NUMBER, ""),
    ("move_in", "転入日", AttributeKind.DATE, ""),
    (
        "hometown",
        "ゆかり",
        AttributeKind.CHOICE,
        "出身\n親族がいる\n住んだことがある\nなし",
    ),
    ("disaster_info", "防災情報を受け取る", AttributeKind.CHOICE, "はい\nいいえ"),
    ("event_info", "イベント情報を受け取る", AttributeKind.CHOICE, "はい\nいいえ"),
    ("staff", "自治体職員", AttributeKind.CHOICE, "はい\nいいえ"),
]
INTERESTS = [
    "就農",
    "子育て",
    "空き家",
    "仕事",
    "医療・福祉",
    "教育",
    "防災",
    "移住支援金",
    "お試し居住",
    "地域おこし協力隊",
    "イベント",
    "スポーツ施設",
]

SPOTS = [
    (
        "茨城県庁（移住相談窓口）",
        "36.341813",
        "140.446793",
        "茨城県水戸市笠原町978-6",
        "移住・二地域居住の相談を受け付けています。",
        "相談 窓口 県庁",
    ),
    (
        "いばらき暮らしサロン（東京）",
        "35.681236",
        "139.767125",
        "東京都千代田区",
        "東京で茨城の暮らしを相談できます。",
        "東京 サロン",
    ),
    ("水戸市役所", "36.365853", "140.471205", "茨城県水戸市中央1-4-1", "", "水戸"),
    (
        "つくば市役所",
        "36.083527",
        "140.076495",
        "茨城県つくば市研究学園1-1-1",
        "",
        "つくば",
    ),
    (
        "大子町役場",
        "36.768133",
        "140.352915",
        "茨城県久慈郡大子町大字大子866",
        "",
        "大子",
    ),
]

TABS = [("kurashi", "暮らし"), ("shigoto", "仕事"), ("sumai", "住まい")]
TAB_ITEMS = {
    "kurashi": [
        ("子育て", "子育て支援"),
        ("医療", "病院"),
        ("防災", "防災"),
        ("交通", "交通"),
        ("イベント", "イベント"),
        ("施設", None),
    ],
    "shigoto": [
        ("求人", "仕事探し"),
        ("就農", "就農"),
        ("起業", "起業支援"),
        ("テレワーク", "テレワーク"),
        ("協力隊", "地域おこし協力隊"),
        ("相談", "相談窓口"),
    ],
    "sumai": [
        ("空き家", "空き家バンク"),
        ("お試し居住", "お試し居住"),
        ("支援金", "移住支援金"),
        ("住宅補助", "住宅補助"),
        ("属性登録", "attributes"),
        ("スポット", None),
    ],
}


def ensure_attribute_definitions(created: Counter | None = None) -> None:
    created = created if created is not None else Counter()
    for order, name in enumerate(INTERESTS):
        _, new = Interest.objects.get_or_create(
            name=name, defaults={"sort_order": order}
        )
        created["関心"] += new
    for key, label, kind, choices in ATTRIBUTES:
        _, new = AttributeDefinition.objects.get_or_create(
            key=key, defaults={"label": label, "kind": kind, "choices": choices}
        )
        created["独自属性"] += new


def _item(label, ask):
    if ask is None:
        return {
            "label": label,
            "action": {
                "type": "postback",
                "data": "action=spots",
                "displayText": "スポット案内",
                "label": label,
            },
        }
    if ask == "attributes":
        return {
            "label": label,
            "action": {
                "type": "postback",
                "data": "action=attributes",
                "displayText": "属性の登録",
                "label": label,
            },
        }
    return {
        "label": label,
        "action": {
            "type": "postback",
            "data": f"ask={ask}",
            "displayText": ask,
            "label": label,
        },
    }


def load_line_demo(
    created: Counter | None = None, today: dt.date | None = None
) -> Counter:
    created = created if created is not None else Counter()
    today = today or timezone.localdate()
    with transaction.atomic():
        ensure_attribute_definitions(created)
        test, new = LineChannel.objects.get_or_create(
            slug="demo-test",
            defaults={"name": "いばらき移住（テスト用）", "role": ChannelRole.TEST},
        )
        created["LINEアカウント"] += new
        channel, new = LineChannel.objects.get_or_create(
            slug="demo",
            defaults={
                "name": "いばらき移住（デモ）",
                "role": ChannelRole.PUBLIC,
                "test_channel": test,
                "basic_id": "@demo",
            },
        )
        created["LINEアカウント"] += new
        if not new:
            return created
        for order, (name, lat, lng, address, description, keywords) in enumerate(SPOTS):
            Spot.objects.create(
                channel=channel,
                name=name,
                latitude=lat,
                longitude=lng,
                address=address,
                description=description,
                keywords=keywords,
                sort_order=order,
            )
            created["スポット"] += 1
        _facility_spots(channel, created)
        _friends(channel, test, today, created)
        thirties = FriendSegment.objects.create(
            channel=channel,
            name="30代の子育て世帯",
            rules={
                "op": "and",
                "rules": [
                    {"field": "age_band", "lookup": "eq", "value": "30s"},
                    {"field": "children", "lookup": "not_empty"},
                ],
            },
        )
        tokyo = FriendSegment.objects.create(
            channel=channel,
            name="東京・神奈川在住で就農に関心",
            rules={
                "op": "and",
                "rules": [
                    {
                        "field": "residence_outside",
                        "lookup": "in",
                        "value": ["東京都", "神奈川県"],
                    },
                    {"field": "interest", "lookup": "eq", "value": "就農"},
                ],
            },
        )
        created["セグメント"] += 2
        for n, (alias, label) in enumerate(TABS):
            for target in (channel, test):
                RichMenu.objects.create(
                    channel=target,
                    name=f"{label}タブ",
                    alias_id=alias if target == channel else f"t-{alias}",
                    tab_label=label,
                    sort_order=n,
                    is_default=n == 0,
                    areas=tab_menu_areas(
                        [
                            (a if target == channel else f"t-{a}", lab)
                            for a, lab in TABS
                        ],
                        alias if target == channel else f"t-{alias}",
                        [_item(lab, ask) for lab, ask in TAB_ITEMS[alias]],
                    ),
                )
                created["リッチメニュー"] += 1
        _messages(channel, thirties, tokyo, today, created)
        survey = AttributeForm.objects.create(
            channel=channel,
            name="移住相談会アンケート",
            description="相談会へのご参加ありがとうございました。",
            keyword="アンケート",
        )
        survey.definitions.set(
            AttributeDefinition.objects.filter(
                key__in=["move_when", "housing", "area_pref"]
            )
        )
        created["属性フォーム"] += 1
    return created


def _facility_spots(channel, created):
    from cms.reservations.models import Facility

    # The Kunitomi facilities (Miyazaki): around the town hall, for the spot guide demo.
    rng = random.Random(11)
    for order, facility in enumerate(
        Facility.objects.filter(is_public=True).order_by("sort_order")[:6]
    ):
        Spot.objects.create(
            channel=channel,
            name=facility.name[:80],
            facility=facility,
            latitude=f"{31.9905 + rng.uniform(-0.03, 0.03):.6f}",
            longitude=f"{131.3237 + rng.uniform(-0.03, 0.03):.6f}",
            address=facility.address,
            description=facility.description[:300],
            keywords="国富 体育館 グラウンド",
            sort_order=100 + order,
        )
        created["スポット"] += 1


def _friends(channel, test, today, created):
    from cms.core.models import Municipality

    rng = random.Random(7)
    municipalities = list(Municipality.objects.all()[:10])
    interests = list(Interest.objects.all())
    for n in range(1, 41):
        friend = LineFriend.objects.create(
            channel=channel,
            user_id="U" + f"{n:032x}",
            display_name=f"デモ友だち{n}",
            followed_at=timezone.now() - dt.timedelta(days=rng.randint(0, 60)),
            age_band=rng.choice(["20s", "30s", "40s", "50s", ""]),
            gender=rng.choice(["female", "male", ""]),
            residence=rng.choice(municipalities)
            if municipalities and n % 3 == 0
            else None,
            residence_outside=""
            if n % 3 == 0
            else rng.choice(["東京都", "神奈川県", "埼玉県"]),
            children_birth_dates=[
                (today - dt.timedelta(days=rng.randint(100, 4000))).isoformat()
            ]
            if n % 4 == 0
            else [],
            attributes={"move_when": rng.choice(["1年以内", "1〜3年", "未定"])},
            is_tester=n <= 2,
        )
        friend.interests.set(rng.sample(interests, 2))
        created["友だち"] += 1
    LineFriend.objects.create(
        channel=test, user_id="U" + "e" * 32, display_name="県職員（テスト端末）"
    )
    created["友だち"] += 1


def _messages(channel, thirties, tokyo, today, created):
    from .delivery import schedule_message

    tomorrow = timezone.make_aware(
        dt.datetime.combine(today + dt.timedelta(days=1), dt.time(12))
    )
    plans = [
        LineMessage(
            channel=channel,
            title="移住相談会のお知らせ",
            schedule=ScheduleKind.AT,
            text="$ 今週末、東京で移住相談会を開きます。",
            emojis=[
                {"index": 0, "productId": "5ac1bfd5040ab15980c9b435", "emojiId": "001"}
            ],
            send_at=tomorrow,
        ),
        LineMessage(
            channel=channel,
            title="毎月第1月曜日: 今月の支援制度",
            schedule=ScheduleKind.RECURRING,
            text="今月の移住支援制度をまとめました。",
            recurrence={
                "freq": "nth_weekday",
                "nth": 1,
                "weekday": 0,
                "time": "09:00",
                "skip_holidays": True,
                "holiday_shift": "next",
            },
        ),
        LineMessage(
            channel=channel,
            title="子育て世帯向け: 保育園の申込",
            schedule=ScheduleKind.RECURRING,
            audience=Audience.SEGMENT,
            segment=thirties,
            text="保育園の申込時期です。",
            recurrence={"freq": "monthly", "day": 1, "time": "10:00"},
        ),
        LineMessage(
            channel=channel,
            title="1歳6か月健診のご案内",
            schedule=ScheduleKind.REMINDER,
            text="お子さまの1歳6か月健診の時期です。",
            reminder_date="children_birth_dates",
            reminder_offset_days=548,
            recurrence={"time": "10:00"},
        ),
        LineMessage(
            channel=channel,
            title="就農体験ツアー",
            schedule=ScheduleKind.AT,
            audience=Audience.SEGMENT,
            segment=tokyo,
            send_at=tomorrow,
            text="就農体験ツアーの参加者を募集しています。",
        ),
    ]
    for message in plans:
        message.save()
        schedule_message(message)
        created["LINE配信"] += 1
