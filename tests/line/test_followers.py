"""Friends from before the webhook: LINE's follower list taken in page by page
against the Messaging API stand-in (tests/line/standin.py; the real API cannot
be reached here). Imported friends join 友だち全員 deliveries and segments, but
not follow-date reminders (their follow date is unknown)."""

import datetime as dt
import io
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command

from cms.line import delivery
from cms.line.followers import FollowersUnavailable, import_followers
from cms.line.models import FriendStatus, LineFriend, LineMessage

from .conftest import event, make_friend, user_id

pytestmark = pytest.mark.django_db
TOKYO = ZoneInfo("Asia/Tokyo")


def test_follower_list_is_taken_in_page_by_page(channel, line_api):
    make_friend(channel, 1, display_name="記録済み")
    make_friend(channel, 2, status=FriendStatus.BLOCKED)
    line_api.followers = [user_id(n) for n in range(1, 8)]
    line_api.followers_page = 3
    done = import_followers(channel, with_profiles=True)
    assert (done["new"], done["known"], done["revived"], done["pages"]) == (5, 2, 1, 3)
    assert done["profiles"] == 5
    assert LineFriend.objects.filter(channel=channel).count() == 7
    imported = LineFriend.objects.get(user_id=user_id(5))
    assert imported.imported_at and imported.display_name == "テスト太郎"
    assert LineFriend.objects.get(user_id=user_id(1)).display_name == "記録済み"
    assert LineFriend.objects.get(user_id=user_id(2)).status == FriendStatus.FRIEND
    assert import_followers(channel)["new"] == 0  # idempotent
    # Everyone now means everyone LINE listed.
    delivery.send_now(LineMessage.objects.create(channel=channel, title="a", text="a"))
    assert len(line_api.calls("multicast")[0].json["to"]) == 7


def test_imported_friends_skip_follow_date_reminders_until_they_follow_again(
    channel, line_api, post_webhook
):
    line_api.followers = [user_id(1)]
    import_followers(channel)
    friend = LineFriend.objects.get(user_id=user_id(1))
    today = dt.date(2026, 12, 6)
    LineFriend.objects.filter(pk=friend.pk).update(
        followed_at=dt.datetime(2026, 12, 5, 12, tzinfo=TOKYO)
    )
    make_friend(channel, 2, followed_at=dt.datetime(2026, 12, 5, 12, tzinfo=TOKYO))
    friends = LineFriend.objects.filter(channel=channel)
    due = delivery.reminder_friends(friends, "followed_at", 1, today)
    assert [f.user_id for f in due] == [user_id(2)]
    post_webhook(channel, [event("follow", user_id(1))])
    friend.refresh_from_db()
    assert friend.imported_at is None  # the follow date is known now


def test_unverified_account_gets_a_clear_message(channel, line_api):
    line_api.followers_forbidden = True
    with pytest.raises(FollowersUnavailable, match="認証済み・プレミアム"):
        import_followers(channel)
    with pytest.raises(CommandError, match="認証済み・プレミアム"):
        call_command("line_import_followers", "pref")


def test_command_reports_what_it_took_in(channel, line_api):
    line_api.followers = [user_id(n) for n in range(1, 4)]
    out = io.StringIO()
    call_command("line_import_followers", "pref", stdout=out)
    assert "新しく3人を取り込みました" in out.getvalue()
    with pytest.raises(CommandError, match="識別名「nope」"):
        call_command("line_import_followers", "nope")
