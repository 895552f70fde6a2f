"""Taking in the friends an account had before our webhook recorded them: LINE's
follower list (``GET /v2/bot/followers/ids``, 1,000 IDs a page, for verified and
premium accounts only) becomes friend records, optionally with each profile, so
segments, statistics and deliveries to 友だち全員 include them.

Their follow date is unknown: ``imported_at`` marks them and follow-date
reminders skip them until they follow again."""

from collections import Counter

from django.conf import settings
from django.utils import timezone

from .client import TokenBucket, call_with_retry, messaging_api
from .models import FriendStatus, LineFriend

PAGE = 1000  # LINE's maximum per call


class FollowersUnavailable(RuntimeError):
    """LINE refused the follower list (message in Japanese)."""


def import_followers(channel, with_profiles: bool = False, sleep=None) -> Counter:
    """Create a friend record for every follower we do not know yet; known
    friends are left as they are (blocked ones become friends again)."""
    done = Counter()
    start = None
    now = timezone.now()
    bucket = TokenBucket(settings.LINE["MAX_CALLS_PER_SECOND"])
    retry = {"sleep": sleep} if sleep else {}
    while True:
        page = {}

        def call(start=start, page=page):
            bucket.take()
            with messaging_api(channel) as api:
                page["r"] = api.get_followers(start=start, limit=PAGE)

        ok, _, error = call_with_retry(call, **retry)
        if not ok:
            if "HTTP 403" in error:
                raise FollowersUnavailable(
                    "LINEが友だち一覧を返しませんでした（認証済み・プレミアムアカウント"
                    "だけが使えます）。"
                )
            raise FollowersUnavailable(f"友だち一覧を取得できませんでした: {error}")
        ids = page["r"].user_ids
        done["pages"] += 1
        known = dict(
            LineFriend.objects.filter(channel=channel, user_id__in=ids).values_list(
                "user_id", "status"
            )
        )
        new = [uid for uid in ids if uid not in known]
        LineFriend.objects.bulk_create(
            [
                LineFriend(
                    channel=channel, user_id=uid, followed_at=now, imported_at=now
                )
                for uid in new
            ],
            ignore_conflicts=True,
        )
        revived = [
            uid for uid, status in known.items() if status != FriendStatus.FRIEND
        ]
        LineFriend.objects.filter(channel=channel, user_id__in=revived).update(
            status=FriendStatus.FRIEND, unfollowed_at=None
        )
        done["new"] += len(new)
        done["known"] += len(known)
        done["revived"] += len(revived)
        if with_profiles:
            done["profiles"] += _fill_profiles(channel, new, bucket)
        start = page["r"].next
        if not start:
            return done


def _fill_profiles(channel, user_ids, bucket) -> int:
    from .handlers import _profile

    filled = 0
    for uid in user_ids:
        bucket.take()
        profile = _profile(channel, uid)  # {} when LINE has none (blocked since)
        if profile:
            LineFriend.objects.filter(channel=channel, user_id=uid).update(**profile)
            filled += 1
    return filled
