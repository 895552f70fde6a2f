"""The community's monthly numbers: new members and their attributes, the trend of
posts, comments and reactions, the most engaged topics and why, and progress
against seed 001's KPIs (500+ members and 150+ posts/comments/reactions within the
fiscal year, the managers' topics twice a month, at least one community manager).

``monthly_section(year, month)`` is the section of the portal's monthly report
(cms.analytics collects it); the admin's 「月次レポート」 shows the same data."""

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Count, Q
from django.db.models.functions import TruncMonth
from django.utils import timezone

from cms.core.japanese import format_wareki_year
from cms.core.permissions import COMMUNITY_MANAGER_GROUP, PREFECTURE_STAFF_GROUP
from cms.mailing.models import AgeBand

from . import members, rules
from .models import (
    Comment,
    MemberProfile,
    Post,
    Reaction,
    Relation,
    Room,
    Status,
    Voice,
)


@dataclass
class Topic:
    post: Post
    reactions: int
    comments: int
    participants: int

    @property
    def score(self) -> int:
        return rules.engagement_score(self.reactions, self.comments, self.participants)

    @property
    def reason(self) -> str:
        return rules.engagement_reason(self.reactions, self.comments, self.participants)


@dataclass
class CommunityMonth:
    year: int
    month: int
    new_members: int = 0
    members_total: int = 0
    relations: list[tuple[str, int]] = field(default_factory=list)
    age_bands: list[tuple[str, int]] = field(default_factory=list)
    prefectures: list[tuple[str, int]] = field(default_factory=list)
    trend: list[dict] = field(default_factory=list)  # 12 months of activity
    topics: list[Topic] = field(default_factory=list)
    kpis: list[rules.KpiProgress] = field(default_factory=list)
    staff_responses: int = 0  # comments and stamps by those who run it

    @property
    def this_month(self) -> dict:
        return self.trend[-1] if self.trend else {}


def _month_bounds(year: int, month: int) -> tuple[dt.datetime, dt.datetime]:
    zone = timezone.get_current_timezone()
    start = dt.datetime(year, month, 1, tzinfo=zone)
    end = dt.datetime(year + (month == 12), month % 12 + 1, 1, tzinfo=zone)
    return start, end


def _months_back(year: int, month: int, count: int) -> list[tuple[int, int]]:
    months = []
    for _ in range(count):
        months.append((year, month))
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return list(reversed(months))


def _per_month(queryset, start, end) -> dict[tuple[int, int], int]:
    rows = (
        queryset.filter(created_at__gte=start, created_at__lt=end)
        .annotate(m=TruncMonth("created_at"))
        .values("m")
        .annotate(n=Count("pk"))
    )
    counts = {}
    for row in rows:
        local = (
            timezone.localtime(row["m"]) if timezone.is_aware(row["m"]) else row["m"]
        )
        counts[(local.year, local.month)] = row["n"]
    return counts


def build(year: int, month: int, top: int = 10) -> CommunityMonth:
    start, end = _month_bounds(year, month)
    report = CommunityMonth(year=year, month=month)
    profiles = MemberProfile.objects.filter(email_confirmed_at__isnull=False)
    report.new_members = profiles.filter(
        created_at__gte=start, created_at__lt=end
    ).count()
    report.members_total = profiles.filter(created_at__lt=end).count()

    relation_names = dict(Relation.choices)
    relations = Counter(
        profiles.filter(created_at__lt=end).values_list("relation", flat=True)
    )
    report.relations = [
        (relation_names.get(key, "未回答"), n) for key, n in relations.most_common()
    ]
    ages, prefectures = Counter(), Counter()
    for profile in profiles.filter(created_at__lt=end).select_related("subscriber"):
        values = members.attributes(profile)
        ages[values["age_band"] or ""] += 1
        prefectures[values["prefecture"] or "未回答"] += 1
    age_names = dict(AgeBand.choices)
    report.age_bands = [
        (age_names.get(key, key) if key else "未回答", ages[key])
        for key in [k for k, _ in AgeBand.choices[1:]] + [""]
        if ages.get(key)
    ]
    report.prefectures = prefectures.most_common(10)

    months = _months_back(year, month, 12)
    first, _ = _month_bounds(*months[0])
    posts = _per_month(Post.objects.filter(status=Status.PUBLISHED), first, end)
    comments = _per_month(Comment.objects.filter(status=Status.PUBLISHED), first, end)
    reactions = _per_month(Reaction.objects.all(), first, end)
    joined = _per_month(
        MemberProfile.objects.filter(email_confirmed_at__isnull=False), first, end
    )
    report.trend = [
        {
            "label": f"{y}年{m}月",
            "posts": posts.get((y, m), 0),
            "comments": comments.get((y, m), 0),
            "reactions": reactions.get((y, m), 0),
            "members": joined.get((y, m), 0),
        }
        for y, m in months
    ]
    report.topics = engaged_topics(start, end, top)

    report.kpis = kpis(year, month, report.members_total)
    report.staff_responses = staff_responses(start, end)
    return report


def _activity(start, end) -> int:
    window = Q(created_at__gte=start, created_at__lt=end)
    return (
        Post.objects.filter(window, status=Status.PUBLISHED).count()
        + Comment.objects.filter(window, status=Status.PUBLISHED).count()
        + Reaction.objects.filter(window).count()
    )


def kpis(year: int, month: int, members_total: int) -> list[rules.KpiProgress]:
    """Seed 001's targets (5.): members and the year's posts, comments and stamps
    within the fiscal year (年度, from April), the managers' topics this month
    (4(1)④, 月2回程度) and the community managers the prefecture has."""
    conf = settings.COMMUNITY
    start, end = _month_bounds(year, month)
    fiscal_start, _ = _month_bounds(*rules.fiscal_year_start(year, month))
    activity = _activity(fiscal_start, end)
    days = (min(end, timezone.now()) - fiscal_start).days + 1
    fiscal_label = f"{format_wareki_year(fiscal_start.year)}度"
    topics = Post.objects.filter(
        created_at__gte=start,
        created_at__lt=end,
        status=Status.PUBLISHED,
        voice__in=[Voice.MANAGER, Voice.PREFECTURE],
    ).count()
    managers = (
        get_user_model()
        .objects.filter(is_active=True, groups__name=COMMUNITY_MANAGER_GROUP)
        .distinct()
        .count()
    )
    return [
        rules.KpiProgress(
            "メンバー数（年度末までに）", members_total, conf["TARGET_MEMBERS"]
        ),
        rules.KpiProgress(
            f"投稿・コメント・リアクション（{fiscal_label}の累計）",
            activity,
            conf["TARGET_ACTIVITY_PER_YEAR"],
            note=f"このペースなら年度で{rules.yearly_pace(activity, days):,}件",
        ),
        rules.KpiProgress(
            "運営の話題提供（この月、マネージャー・県の名義の投稿）",
            topics,
            conf["TARGET_MANAGER_TOPICS_PER_MONTH"],
        ),
        rules.KpiProgress(
            "コミュニティマネージャー（人）", managers, conf["TARGET_MANAGERS"]
        ),
    ]


def staff_responses(start, end) -> int:
    """Comments and stamps this month by those who run the community (the
    seed's 「随時のリアクション」): official voices and the managers' accounts."""
    runners = get_user_model().objects.filter(
        Q(groups__name__in=[COMMUNITY_MANAGER_GROUP, PREFECTURE_STAFF_GROUP])
        | Q(is_superuser=True)
    )
    window = Q(created_at__gte=start, created_at__lt=end)
    comments = (
        Comment.objects.filter(window, status=Status.PUBLISHED)
        .filter(~Q(voice=Voice.MEMBER) | Q(author__in=runners))
        .count()
    )
    return comments + Reaction.objects.filter(window, member__in=runners).count()


def engaged_topics(start, end, top: int) -> list[Topic]:
    """Posts with the most activity in the period, scored by ``rules``."""
    window = Q(created_at__gte=start, created_at__lt=end)
    comment_rows = dict(
        Comment.objects.filter(window, status=Status.PUBLISHED)
        .values_list("post")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .values_list("post", "n")[: top * 10]
    )
    reaction_rows = dict(
        Reaction.objects.filter(window)
        .values_list("post")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .values_list("post", "n")[: top * 10]
    )
    candidates = set(comment_rows) | set(reaction_rows)
    people: dict[int, set] = {pk: set() for pk in candidates}
    for post_id, author_id in Comment.objects.filter(
        window, status=Status.PUBLISHED, post__in=candidates
    ).values_list("post", "author"):
        people[post_id].add(author_id)
    for post_id, member_id in Reaction.objects.filter(
        window, post__in=candidates
    ).values_list("post", "member"):
        people[post_id].add(member_id)
    posts = Post.objects.filter(
        pk__in=candidates, status=Status.PUBLISHED
    ).select_related("room")
    topics = [
        Topic(
            post=post,
            reactions=reaction_rows.get(post.pk, 0),
            comments=comment_rows.get(post.pk, 0),
            participants=len(people.get(post.pk, set()) - {None}),
        )
        for post in posts
    ]
    topics.sort(key=lambda t: (-t.score, -t.post.pk))
    return topics[:top]


def monthly_section(year: int, month: int) -> dict | None:
    """This app's section of the portal's monthly report (cms.analytics); none
    while the portal runs no community (no rooms)."""
    if not Room.objects.exists():
        return None
    report = build(year, month, top=5)
    now = report.this_month
    section = {
        "key": "community",
        "title": "オンラインコミュニティ",
        "summary": [
            ("新規メンバー", f"{report.new_members:,}"),
            ("メンバー数", f"{report.members_total:,}"),
            ("投稿", f"{now.get('posts', 0):,}"),
            ("コメント", f"{now.get('comments', 0):,}"),
            ("リアクション", f"{now.get('reactions', 0):,}"),
        ],
        "analysis": [
            f"{kpi.label}は{kpi.actual:,}（目標{kpi.target:,}の{kpi.percent}%）です。"
            + (f"{kpi.note}。" if kpi.note else "")
            for kpi in report.kpis
        ]
        + [f"運営からのコメント・リアクションは{report.staff_responses:,}件でした。"]
        + [
            f"最も盛り上がった話題は「{t.post.title}」（{t.post.room.name}）で、{t.reason}でした。"
            for t in report.topics[:1]
        ],
        "tables": [
            {
                "caption": "盛り上がった話題",
                "header": ["話題", "部屋", "参加者", "コメント", "リアクション"],
                "rows": [
                    [
                        t.post.title,
                        t.post.room.name,
                        t.participants,
                        t.comments,
                        t.reactions,
                    ]
                    for t in report.topics
                ],
            },
            {
                "caption": "地域との関わり（メンバー）",
                "header": ["関わり", "人数"],
                "rows": [list(row) for row in report.relations],
            },
        ],
    }
    chart = trend_chart(report)
    if chart:
        section["charts"] = [
            {"caption": "投稿・コメント・リアクションの推移", "png": chart}
        ]
    return section


def trend_chart(report: CommunityMonth) -> bytes | None:
    try:
        from cms.analytics.report import figure_png
    except ImportError:  # the analytics app is not installed
        return None
    labels = [row["label"].split("年")[1] for row in report.trend]

    def draw(axes):
        for key, name in (
            ("posts", "投稿"),
            ("comments", "コメント"),
            ("reactions", "リアクション"),
        ):
            axes.plot(
                labels, [row[key] for row in report.trend], marker="o", label=name
            )
        axes.legend(loc="upper left")
        axes.set_ylim(bottom=0)

    return figure_png(draw)
