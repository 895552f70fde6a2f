"""The daily digest mail (``portal community digest``, a daily timer) over real
SMTP (aiosmtpd): members who asked for it get their unread notifications and the
day's busiest topics; the others get nothing, and a notification already mailed
is not mailed again."""

import io

import pytest
from django.core.management import call_command

from cms.community import services
from cms.community.models import MemberProfile

pytestmark = pytest.mark.django_db


def run_digest() -> str:
    out = io.StringIO()
    call_command("community", "digest", stdout=out)
    return out.getvalue()


def test_daily_digest_mails_those_who_asked_with_their_news_and_topics(
    community, smtp_server
):
    MemberProfile.objects.filter(user=community.hanako).update(digest_mail=True)
    post = services.create_post(
        community.lounge,
        community.hanako,
        title="笠間の古民家を見学しました",
        body="土間のある家でした。",
    )
    services.create_comment(post, community.taro, body="いいですね、どこの地区ですか")

    run_digest()
    messages = smtp_server.parsed()
    assert [m["To"] for m in messages] == [community.hanako.email]  # not taro
    body = messages[0].get_body(("plain",)).get_content()
    assert "■ あなたへのお知らせ" in body
    assert "さんが「笠間の古民家を見学しました」にコメントしました" in body
    assert "■ にぎわっている話題" in body
    assert "・笠間の古民家を見学しました（移住の相談ひろば、コメント1件）" in body

    # A later run mails only notifications newer than her last digest.
    smtp_server.messages.clear()
    MemberProfile.objects.filter(user=community.hanako).update(
        last_digest_at=post.created_at.replace(year=post.created_at.year + 1)
    )
    run_digest()
    again = [m.get_body(("plain",)).get_content() for m in smtp_server.parsed()]
    assert all("■ あなたへのお知らせ" not in body for body in again)
