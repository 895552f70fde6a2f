"""Demo data of the mail tool: interests, a custom attribute, 300 subscribers from
past prefecture events (example.jp addresses), two segments, the default template
and a draft campaign (idempotent)."""

import random

from django.utils import timezone

from .models import (
    AgeBand,
    AttributeDefinition,
    AttributeKind,
    BodyFormat,
    Campaign,
    ConsentMethod,
    Gender,
    Interest,
    MailTemplate,
    Segment,
    Subscriber,
    SubscriberStatus,
)

INTERESTS = [
    "就農",
    "子育て",
    "空き家",
    "仕事・転職",
    "地域おこし協力隊",
    "お試し居住",
    "二地域居住",
    "起業",
]
PREFECTURES = ["東京都"] * 5 + ["神奈川県"] * 2 + ["埼玉県"] * 2 + ["千葉県", "茨城県"]
EVENTS = [
    "いばらき移住・二地域居住フェア（東京・有楽町）",
    "茨城で農業をはじめる相談会",
    "オンライン移住セミナー",
    "いばらき暮らし体験ツアー",
]
DEMO_COUNT = 300
DEMO_BODY = """{{ name }}様

いつも「いばらき移住ポータル」をご覧いただき、ありがとうございます。
茨城県への移住を考えている子育て世帯の方に向けて、オンライン相談会を開きます。
保育園や学校のこと、住まい探し、仕事のことなど、移住前に気になることを
県と市町村の担当者に直接ご相談いただけます。

## 開催概要

- 日時: 来月第2土曜日 10:00〜12:00
- 会場: オンライン（Zoom。お申し込みの方に参加URLをお送りします）
- 参加費: 無料
- 定員: 20組（先着順）

## 当日の内容

1. 子育て世帯向けの支援制度（保育料、医療費助成、住宅取得の補助）の紹介
2. 先輩移住者のお話: 東京都から笠間市に移住したご家族に、暮らしの実際を伺います
3. 市町村の担当者との個別相談（1組20分程度）

空き家バンクの物件や、お試し居住の施設についてもご案内できます。
ご希望の市町村があれば、お申し込みの際にお知らせください。

[お申し込み・詳しい内容はこちら](https://iju-ibaraki.jp/events/)

## お問い合わせ

茨城県 政策企画部 計画推進課 移住相談窓口
平日 9:00〜17:00（年末年始を除く）
"""


def load_mailing_demo(created=None):
    for order, name in enumerate(INTERESTS):
        Interest.objects.get_or_create(name=name, defaults={"sort_order": order})
    AttributeDefinition.objects.get_or_create(
        key="move_when",
        defaults={
            "label": "移住希望時期",
            "kind": AttributeKind.CHOICE,
            "choices": "1年以内\n1〜3年\n未定",
        },
    )
    interests = {i.name: i for i in Interest.objects.all()}
    rng = random.Random(8)
    now = timezone.now()
    existing = set(
        Subscriber.objects.filter(email__endswith="@example.jp").values_list(
            "email", flat=True
        )
    )
    made = 0
    for n in range(DEMO_COUNT):
        email = f"demo{n:03d}@example.jp"
        if email in existing:
            continue
        subscriber = Subscriber.objects.create(
            email=email,
            name=f"デモ 登録者{n:03d}",
            prefecture=rng.choice(PREFECTURES),
            birth_year=rng.randint(1955, 2004) if rng.random() < 0.7 else None,
            age_band=rng.choice([b for b, _ in AgeBand.choices if b]),
            gender=rng.choice(Gender.values),
            source_event=rng.choice(EVENTS),
            attributes={"move_when": rng.choice(["1年以内", "1〜3年", "未定"])},
            status=SubscriberStatus.UNSUBSCRIBED
            if rng.random() < 0.03
            else SubscriberStatus.ACTIVE,
            consent_at=now - timezone.timedelta(days=rng.randint(1, 700)),
            consent_method=ConsentMethod.EVENT,
            consent_note="イベント申込書の「メールでのお知らせを希望する」欄（デモ）",
        )
        subscriber.interests.set(
            interests[name] for name in rng.sample(INTERESTS, rng.randint(0, 3))
        )
        made += 1

    tokyo_30s = {
        "op": "and",
        "rules": [
            {"field": "prefecture", "lookup": "eq", "value": "東京都"},
            {"field": "age_band", "lookup": "eq", "value": "30s"},
            {"field": "interest", "lookup": "eq", "value": "就農"},
        ],
    }
    families = {
        "op": "and",
        "rules": [
            {
                "field": "prefecture",
                "lookup": "in",
                "value": ["東京都", "神奈川県", "埼玉県", "千葉県"],
            },
            {
                "op": "or",
                "rules": [
                    {"field": "interest", "lookup": "eq", "value": "子育て"},
                    {"field": "attr:move_when", "lookup": "eq", "value": "1年以内"},
                ],
            },
        ],
    }
    Segment.objects.get_or_create(
        name="東京都在住・30代・就農に関心",
        defaults={"rules": tokyo_30s, "description": "就農相談会の案内用"},
    )
    segment, _ = Segment.objects.get_or_create(
        name="首都圏在住で子育てに関心、または1年以内に移住希望",
        defaults={"rules": families},
    )
    template, _ = MailTemplate.objects.get_or_create(
        name="標準",
        defaults={
            "is_default": True,
            "header": "**いばらき移住ポータル** メールマガジン",
            "footer": "移住の相談はオンラインでも受け付けています。お気軽にどうぞ。",
        },
    )
    Campaign.objects.get_or_create(
        name="（デモ）子育て世帯向け 移住相談会のご案内",
        defaults={
            "subject": "{{ name }}様 子育て世帯向けの移住相談会を開きます",
            "body_format": BodyFormat.MARKDOWN,
            "body_markdown": DEMO_BODY,
            "template": template,
            "segment": segment,
        },
    )
    if created is not None:
        created["メール配信の登録者"] += made
    return made
