"""The community's monthly numbers: members and attributes, the activity trend,
the most engaged topics with the reason, KPI progress; the same section in the
portal's monthly report."""

import pytest
from django.utils import timezone

from cms.community import report, services
from cms.community.models import Relation

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
    members_kpi, activity_kpi = data.kpis
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
    assert "メンバー数" in html
