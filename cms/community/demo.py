"""Demo data of the online community: a few themed rooms (one members-only), the
community manager account ``community-manager`` (group コミュニティマネージャー,
demo password), a handful of members (``member1@example.jp`` … , demo password)
and some posts with comments and stamps. Idempotent: only what is missing is
added."""

from collections import Counter

from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import timezone

from cms.core.permissions import sync_community_manager_group

from . import members, services
from .models import MemberProfile, Post, Relation, Room, Stamp, Visibility, Voice

ROOMS = [
    (
        "iju-soudan",
        "移住の相談ひろば",
        "移住を考え始めた方の質問に、先輩移住者や地域の人が答えます。",
        Visibility.PUBLIC,
    ),
    ("kosodate", "子育て・教育", "保育園・学校・子育て支援の話題。", Visibility.PUBLIC),
    (
        "shigoto",
        "しごと・就農",
        "仕事探し、テレワーク、就農の話題。",
        Visibility.PUBLIC,
    ),
    (
        "ijusha",
        "移住者どうしの部屋",
        "茨城に移住した人どうしで話す、メンバー限定の部屋です。",
        Visibility.MEMBERS,
    ),
]
MEMBERS = [
    ("さくら", Relation.CONSIDERING, "30s", "東京都"),
    ("ひろし", Relation.MOVED, "40s", "茨城県"),
    ("みどり", Relation.LOCAL, "50s", "茨城県"),
    ("けんた", Relation.CONSIDERING, "20s", "神奈川県"),
]
THREADS = [
    (
        "iju-soudan",
        0,
        "冬の暖房、みなさんどうしていますか",
        "県北への移住を考えています。冬の光熱費が心配です。",
        [
            (1, "うちは薪ストーブと灯油ストーブの併用です。"),
            (2, "思ったより雪は少ないですよ。"),
        ],
    ),
    (
        "kosodate",
        1,
        "保育園の入りやすさ",
        "年度途中の入園はどの程度できますか？",
        [(2, "市町村の窓口で空き状況を教えてもらえます。")],
    ),
    (
        "shigoto",
        3,
        "テレワークで移住した方",
        "都内の会社に勤めたまま移住した方はいますか？",
        [(1, "週1回出社で、つくばから通っています。")],
    ),
]


def load_community_demo(created: Counter) -> None:
    group = sync_community_manager_group()
    if group is None:
        return
    User = get_user_model()
    password = settings.PORTAL_DEMO_PASSWORD
    manager = User.objects.filter(username="community-manager").first()
    if manager is None:
        manager = User.objects.create_user(
            "community-manager",
            email="community-manager@example.jp",
            password=password,
            last_name="小林",
            first_name="彩",
        )
        created["職員アカウント"] += 1
    manager.groups.add(group)

    rooms = {}
    for order, (slug, name, description, visibility) in enumerate(ROOMS):
        rooms[slug], made = Room.objects.get_or_create(
            slug=slug,
            defaults={
                "name": name,
                "description": description,
                "visibility": visibility,
                "sort_order": order,
                "created_by": manager,
            },
        )
        if made:
            created["コミュニティの部屋"] += 1

    people = []
    for n, (nickname, relation, age_band, prefecture) in enumerate(MEMBERS, start=1):
        email = f"member{n}@example.jp"
        user = User.objects.filter(username=members.username_for(email)).first()
        if user is None:
            user = User.objects.create_user(
                members.username_for(email), email=email, password=password
            )
            MemberProfile.objects.create(
                user=user,
                nickname=nickname,
                relation=relation,
                age_band=age_band,
                prefecture=prefecture,
                email_confirmed_at=timezone.now(),
            )
            members.accept_rules(user)
            created["コミュニティのメンバー"] += 1
        people.append(user)

    if Post.objects.exists():
        return
    services.create_post(
        rooms["iju-soudan"],
        manager,
        title="ようこそ！ まずは自己紹介をどうぞ",
        body="この部屋では、移住の疑問をなんでも相談できます。",
        voice=Voice.MANAGER,
        is_pinned=True,
    )
    stamps = list(Stamp.objects.filter(is_active=True)[:2])
    for slug, author, title, body, comments in THREADS:
        post = services.create_post(rooms[slug], people[author], title=title, body=body)
        for commenter, text in comments:
            services.create_comment(post, people[commenter], body=text)
        for person, stamp in zip(people, stamps * 2, strict=False):
            if person != people[author]:
                services.toggle_reaction(post, person, stamp)
        created["コミュニティの投稿"] += 1
