"""The community's monthly numbers: members and attributes, the activity trend,
the most engaged topics with the reason, KPI progress; the same section in the
portal's monthly report."""

import datetime as dt

import pytest
from django.utils import timezone

from cms.community import report, services
from cms.community.models import Comment, Post, Reaction, Relation, Voice

from .conftest import client_for, make_member

pytestmark = pytest.mark.django_db


def test_monthly_report_ranks_topics_by_participation(community):
    quiet = services.create_post(
        community.lounge, community.taro, title="静かな話題", body="…"
    )
    lively = services.create_post(
        community.lounge, community.taro, title="冬の暮らし", body="…"
    )
    people = [make_member(f"m{n}", relation=Relation.LOCAL) for n in range(4)]
    for person in people:
        services.create_comment(lively, person, body="うちは薪ストーブ")
        services.toggle_reaction(lively, person, community.like)
    services.toggle_reaction(quiet, community.hanako, community.like)

    today = timezone.localdate()
    data = report.build(today.year, today.month)
    assert [t.post for t in data.topics][:2] == [lively, quiet]
    assert data.topics[0].reason == "4人が参加、コメント4件、リアクション4件"
    assert data.new_members == 6 and data.members_total == 6
    assert ("地域のプレーヤー（地元在住）", 4) in data.relations
    assert data.this_month == {
        "label": f"{today.year}年{today.month}月",
        "posts": 2,
        "comments": 4,
        "reactions": 5,
        "members": 6,
    }
    members_kpi, activity_kpi = data.kpis[:2]
    assert (members_kpi.actual, members_kpi.target) == (6, 500)
    assert activity_kpi.actual == 11

    section = report.monthly_section(today.year, today.month)
    assert section["title"] == "オンラインコミュニティ"
    assert section["tables"][0]["rows"][0][0] == "冬の暮らし"
    assert any("冬の暮らし" in line for line in section["analysis"])


def test_the_portal_monthly_report_includes_the_community(community):
    from cms.analytics.report import section_providers

    assert "community" in dict(section_providers())


def test_admin_monthly_report_page(community):
    services.create_post(community.lounge, community.taro, title="話題A", body="…")
    page = client_for(community.manager).get("/admin/community_report/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "KPIの進み具合" in html and "話題A" not in html  # no activity yet: no topic
    breadcrumbs = html[html.index("data-w-breadcrumbs") :].split("</nav>")[0]
    assert "コミュニティの月次レポート" in breadcrumbs  # the header names the page
    assert "メンバー数" in html


def at(y, m, d):
    return dt.datetime(y, m, d, 12, tzinfo=timezone.get_current_timezone())


def test_kpis_follow_the_seed_fiscal_year_manager_topics_and_managers(community):
    """Seed 001 5.: the yearly targets count within the fiscal year (April to
    March); the managers seed topics twice a month; one manager at least."""

    def post(title, when, voice=Voice.MEMBER, author=None):
        made = services.create_post(
            community.lounge,
            author or community.taro,
            title=title,
            body="…",
            voice=voice,
        )
        Post.objects.filter(pk=made.pk).update(created_at=when)
        return made

    post("前の年度", at(2025, 3, 31))  # FY2024: not counted
    april = post("4月の話題", at(2025, 4, 2))
    post("県から", at(2025, 4, 10), Voice.PREFECTURE, community.staff)
    post("今月のテーマ1", at(2025, 5, 1), Voice.MANAGER, community.manager)
    topic = post("今月のテーマ2", at(2025, 5, 15), Voice.MANAGER, community.manager)
    services.create_comment(topic, community.hanako, body="参加します")
    services.create_comment(
        topic, community.manager, body="ありがとう", voice=Voice.MANAGER
    )
    services.toggle_reaction(april, community.manager, community.like)
    Comment.objects.update(created_at=at(2025, 5, 20))
    Reaction.objects.update(created_at=at(2025, 5, 21))

    data = report.build(2025, 5)
    members, activity, topics, managers = data.kpis
    assert members.label == "メンバー数（年度末までに）" and members.target == 500
    assert activity.label == "投稿・コメント・リアクション（令和7年度の累計）"
    assert activity.actual == 7  # 4 posts from April, 2 comments, 1 stamp
    assert activity.note == "このペースなら年度で41件"  # 7 in 62 days
    assert (topics.actual, topics.target, topics.met) == (2, 2, True)
    assert (managers.actual, managers.met) == (1, True)
    assert data.staff_responses == 2  # the manager's comment and stamp

    html = client_for(community.staff).get("/admin/community_report/?month=2025-05")
    page = html.content.decode()
    assert "令和7年度の累計" in page and "このペースなら年度で41件" in page
    assert "コメント・リアクション: この月 2件" in page
    section = report.monthly_section(2025, 5)
    assert "運営からのコメント・リアクションは2件でした。" in section["analysis"]
