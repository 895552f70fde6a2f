"""What members and managers do, with its side effects: posting (held for review
on an NG word), commenting, reacting, reporting, moderating (hide, delete,
restore, approve, with a reason the author sees), blocking, and the 炎上 check.
Every moderation action goes to the operation log. The decisions themselves are
the pure functions of ``rules``."""

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.db.models import Count, F, Max, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from . import members, notify, oplog, rules, sharing
from .models import (
    Comment,
    FlameAlert,
    MemberBlock,
    MemberProfile,
    NgWord,
    NotificationKind,
    Post,
    Reaction,
    Report,
    Room,
    Stamp,
    Status,
    Voice,
)

MAX_MENTIONS = 10


class NotAllowed(Exception):
    """A member's action refused; the message says why, in Japanese."""


def active_ng_words() -> list[str]:
    return list(NgWord.objects.filter(is_active=True).values_list("word", flat=True))


def _held_words(voice: str, *texts: str) -> list[str]:
    # The manager, the prefecture and municipalities speak for the community:
    # their posts are not held.
    if voice != Voice.MEMBER:
        return []
    return rules.find_ng_words("\n".join(texts), active_ng_words())


def check_may_take_part(user) -> None:
    block = members.active_block(user)
    if block is not None:
        raise NotAllowed(
            "運営により投稿・コメント・リアクションを停止しています。"
            f"理由: {block.reason}"
        )


def _notify_mentions(text: str, by, url: str, where: str) -> None:
    names = rules.mentioned_nicknames(text)
    if not names:
        return
    # Nicknames are unique whatever their case, so 「@Hanako」 reaches hanako. At
    # most MAX_MENTIONS people are told: a list of names is not a broadcast.
    wanted = Q()
    for name in names[:MAX_MENTIONS]:
        wanted |= Q(nickname__iexact=name)
    profiles = MemberProfile.objects.filter(wanted).select_related("user")
    who = members.display_name(by)
    for profile in profiles:
        if profile.user_id != getattr(by, "pk", None):
            notify.notify(
                profile.user,
                NotificationKind.MENTION,
                f"{who}さんが{where}であなたについて書きました",
                url,
            )


@transaction.atomic
def create_post(
    room,
    author,
    *,
    title: str,
    body: str,
    voice: str = Voice.MEMBER,
    as_municipality=None,
    image=None,
    image_alt: str = "",
    link_url: str = "",
    municipalities=(),
    shared_page=None,
    is_pinned: bool = False,
) -> Post:
    check_may_take_part(author)
    held = _held_words(voice, title, body)
    now = timezone.now()
    post = Post(
        room=room,
        author=author,
        voice=voice,
        as_municipality=as_municipality,
        title=title,
        body=body,
        image_alt=image_alt,
        link_url=link_url,
        shared_page=shared_page,
        is_pinned=is_pinned,
        status=Status.HELD if held else Status.PUBLISHED,
        held_words="、".join(held)[:200],
        created_at=now,
        last_activity_at=now,
    )
    if image is not None:
        post.image.save(image.name, image, save=False)
    post.save()
    if shared_page is not None:
        # A shared event or article links its towns too, so the post shows them.
        municipalities = {
            *municipalities,
            *sharing.municipalities_of(shared_page.specific),
        }
    if municipalities:
        post.municipalities.set(municipalities)
    if not held:
        Room.objects.filter(pk=room.pk).update(
            post_count=F("post_count") + 1, last_activity_at=now
        )
    if held:
        oplog.record(
            post, oplog.HELD, user=author, data={"words": held}, label=post.title
        )
        notify.notify_managers(
            NotificationKind.HELD,
            f"NGワード（{post.held_words}）を含む投稿「{post.title}」が確認待ちです",
            reverse("community:moderation"),
        )
    else:
        _announce_post(post)
    return post


def _announce_post(post: Post) -> None:
    """What publishing a post tells others (at once, or when a held one is
    approved): the members it mentions."""
    _notify_mentions(
        post.body, post.author, post.get_absolute_url(), f"投稿「{post.title[:20]}」"
    )


@transaction.atomic
def create_comment(
    post: Post,
    author,
    *,
    body: str,
    parent: Comment | None = None,
    voice: str = Voice.MEMBER,
    as_municipality=None,
) -> Comment:
    check_may_take_part(author)
    if not post.is_published:
        raise NotAllowed("この投稿にはコメントできません。")
    if parent is not None:
        if parent.post_id != post.pk:
            raise NotAllowed("返信先のコメントが見つかりません。")
        if not rules.reply_parent_allowed(parent.parent_id):
            parent = parent.parent  # a reply to a reply joins the same thread
    held = _held_words(voice, body)
    now = timezone.now()
    comment = Comment.objects.create(
        post=post,
        parent=parent,
        author=author,
        voice=voice,
        as_municipality=as_municipality,
        body=body,
        status=Status.HELD if held else Status.PUBLISHED,
        held_words="、".join(held)[:200],
        created_at=now,
    )
    if held:
        oplog.record(
            comment, oplog.HELD, user=author, data={"words": held}, label=body[:60]
        )
        notify.notify_managers(
            NotificationKind.HELD,
            f"NGワード（{comment.held_words}）を含むコメントが確認待ちです",
            reverse("community:moderation"),
        )
        return comment
    Post.objects.filter(pk=post.pk).update(
        comment_count=F("comment_count") + 1, last_activity_at=now
    )
    Room.objects.filter(pk=post.room_id).update(last_activity_at=now)
    _announce_comment(comment)
    check_flame(post)
    return comment


def _announce_comment(comment: Comment) -> None:
    """What publishing a comment tells others (at once, or when a held one is
    approved): the author of the comment answered, the post's author, the
    members mentioned."""
    post, author, parent = comment.post, comment.author, comment.parent
    url = comment.get_absolute_url()
    who = members.display_name(author, comment.voice, comment.as_municipality)
    told = {getattr(author, "pk", None)}
    if parent is not None and parent.author_id not in told:
        notify.notify(
            parent.author,
            NotificationKind.REPLY,
            f"{who}さんがあなたのコメントに返信しました",
            url,
        )
        told.add(parent.author_id)
    if post.author_id not in told:
        notify.notify(
            post.author,
            NotificationKind.COMMENT,
            f"{who}さんが「{post.title[:30]}」にコメントしました",
            url,
        )
    _notify_mentions(comment.body, author, url, f"「{post.title[:20]}」のコメント")


@transaction.atomic
def toggle_reaction(post: Post, user, stamp: Stamp) -> bool:
    """Press a stamp: adds it, or takes it back when already pressed. Returns
    whether the member's stamp is now on the post."""
    check_may_take_part(user)
    if not post.is_published:
        raise NotAllowed("この投稿にはリアクションできません。")
    if not stamp.is_active:
        raise NotAllowed("このスタンプは使えません。")
    deleted, _ = Reaction.objects.filter(post=post, stamp=stamp, member=user).delete()
    if deleted:
        Post.objects.filter(pk=post.pk).update(reaction_count=F("reaction_count") - 1)
        return False
    Reaction.objects.create(post=post, stamp=stamp, member=user)
    Post.objects.filter(pk=post.pk).update(reaction_count=F("reaction_count") + 1)
    return True


def reaction_summary(post: Post, user=None) -> list[dict]:
    """Every active stamp with its count on ``post`` and whether ``user`` pressed it."""
    counts = dict(
        Reaction.objects.filter(post=post)
        .values_list("stamp")
        .annotate(n=Count("pk"))
        .values_list("stamp", "n")
    )
    mine = set()
    if user is not None and user.is_authenticated:
        mine = set(
            Reaction.objects.filter(post=post, member=user).values_list(
                "stamp", flat=True
            )
        )
    return [
        {"stamp": stamp, "count": counts.get(stamp.pk, 0), "mine": stamp.pk in mine}
        for stamp in Stamp.objects.filter(is_active=True)
    ]


@transaction.atomic
def report(reporter, target, reason: str, note: str = "") -> Report:
    check_may_take_part(reporter)
    is_post = isinstance(target, Post)
    post = target if is_post else target.post
    existing = Report.objects.filter(
        reporter=reporter,
        post=post if is_post else None,
        comment=None if is_post else target,
    ).first()
    if existing is not None:
        return existing
    created = Report.objects.create(
        reporter=reporter,
        post=post if is_post else None,
        comment=None if is_post else target,
        reason=reason,
        note=note,
    )
    type(target).objects.filter(pk=target.pk).update(report_count=F("report_count") + 1)
    oplog.record(
        target,
        oplog.REPORTED,
        user=reporter,
        data={"reason": reason, "note": note[:200]},
        label=post.title,
    )
    check_flame(post)
    return created


# --- Moderation -------------------------------------------------------------

ACTIONS = {
    # action: (new status, oplog action, words for the author)
    "hide": (Status.HIDDEN, oplog.HIDDEN, "非表示に"),
    "delete": (Status.DELETED, oplog.DELETED, "削除"),
    "restore": (Status.PUBLISHED, oplog.RESTORED, "再び表示"),
    "approve": (Status.PUBLISHED, oplog.APPROVED, "公開"),
}


@transaction.atomic
def moderate(target, action: str, reason: str, by) -> None:
    """Hide, delete, restore or approve a post or comment. The reason is kept on
    the row (the author sees it on their posts page) and sent to the author; open
    reports on it are resolved."""
    if action not in ACTIONS:
        raise NotAllowed("その操作はできません。")
    status, log_action, words = ACTIONS[action]
    if action in ("hide", "delete") and not reason.strip():
        raise NotAllowed("理由を入力してください（投稿者に伝わります）。")
    was_published = target.is_published
    was_held = target.status == Status.HELD
    now = timezone.now()
    target.status = status
    if reason.strip() or action in ("hide", "delete"):
        target.moderation_reason = reason.strip()
    target.moderated_by = by
    target.moderated_at = now
    target.save(
        update_fields=["status", "moderation_reason", "moderated_by", "moderated_at"]
    )
    post = target if isinstance(target, Post) else target.post
    if isinstance(target, Comment) and was_published != target.is_published:
        refresh_counts(post.pk)
    if isinstance(target, Post) and was_published != target.is_published:
        refresh_room(post.room_id)
    reports = (
        Report.objects.filter(post=target)
        if isinstance(target, Post)
        else Report.objects.filter(comment=target)
    )
    reports.filter(resolved_at__isnull=True).update(resolved_at=now, resolved_by=by)
    oplog.record(
        target,
        log_action,
        user=by,
        data={"reason": target.moderation_reason, "status": status},
        label=post.title if isinstance(target, Post) else target.body[:60],
    )
    if action in ("hide", "delete"):
        notify.tell_author_about_moderation(target, words)
    elif action == "approve" and target.author is not None:
        notify.notify(
            target.author,
            NotificationKind.MODERATION,
            "確認待ちだった投稿を公開しました",
            target.get_absolute_url(),
        )
    if was_held and target.is_published:
        # Held content told no one when it was written; now it does.
        if isinstance(target, Post):
            _announce_post(target)
        else:
            _announce_comment(target)


def refresh_counts(post_id: int) -> None:
    """Recount a post's published comments and its reactions."""
    comments = (
        Comment.objects.filter(post=OuterRef("pk"), status=Status.PUBLISHED)
        .values("post")
        .annotate(n=Count("pk"))
        .values("n")
    )
    reactions = (
        Reaction.objects.filter(post=OuterRef("pk"))
        .values("post")
        .annotate(n=Count("pk"))
        .values("n")
    )
    Post.objects.filter(pk=post_id).update(
        comment_count=Coalesce(Subquery(comments), 0),
        reaction_count=Coalesce(Subquery(reactions), 0),
    )


def refresh_room(room_id: int) -> None:
    """Recount a room's published posts and its last activity."""
    published = Post.objects.filter(room_id=room_id, status=Status.PUBLISHED)
    Room.objects.filter(pk=room_id).update(
        post_count=published.count(),
        last_activity_at=published.aggregate(last=Max("last_activity_at"))["last"],
    )


@transaction.atomic
def block(member, reason: str, by) -> MemberBlock:
    if not reason.strip():
        raise NotAllowed("理由を入力してください。")
    existing = MemberBlock.objects.filter(member=member, lifted_at__isnull=True).first()
    if existing is not None:
        return existing
    created = MemberBlock.objects.create(member=member, reason=reason, blocked_by=by)
    oplog.record(
        member,
        oplog.BLOCKED,
        user=by,
        data={"reason": reason},
        label=members.display_name(member),
    )
    notify.notify(
        member,
        NotificationKind.MODERATION,
        f"運営により投稿・コメントを停止しました。理由: {reason}",
        reverse("community:rules"),
    )
    return created


@transaction.atomic
def unblock(block_row: MemberBlock, by) -> None:
    if block_row.lifted_at is not None:
        return
    block_row.lifted_at = timezone.now()
    block_row.save(update_fields=["lifted_at"])
    oplog.record(
        block_row.member,
        oplog.UNBLOCKED,
        user=by,
        label=members.display_name(block_row.member),
    )


def alert_thresholds() -> rules.AlertThresholds:
    conf = settings.COMMUNITY
    return rules.AlertThresholds(
        reports=conf["ALERT_REPORTS"],
        comments=conf["ALERT_COMMENTS"],
        window_minutes=conf["ALERT_WINDOW_MINUTES"],
    )


def check_flame(post: Post, now: dt.datetime | None = None) -> FlameAlert | None:
    """Raise a 炎上 alert when reports or comments on ``post`` spike, once per
    post until a manager acknowledges it."""
    limits = alert_thresholds()
    now = now or timezone.now()
    since = now - dt.timedelta(minutes=limits.window_minutes)
    reports = Report.objects.filter(
        Q(post=post) | Q(comment__post=post), created_at__gte=since
    ).count()
    comments = Comment.objects.filter(post=post, created_at__gte=since).count()
    cause = rules.flame_cause(reports, comments, limits)
    if cause is None:
        return None
    if FlameAlert.objects.filter(post=post, acknowledged_at__isnull=True).exists():
        return None
    alert = FlameAlert.objects.create(post=post, cause=cause)
    oplog.record(post, oplog.ALERT, data={"cause": cause}, label=post.title)
    notify.notify_managers(
        NotificationKind.ALERT,
        f"炎上アラート: 「{post.title[:30]}」で{cause}",
        post.get_absolute_url(),
        mail_subject=f"炎上アラート「{post.title[:30]}」",
    )
    return alert


@transaction.atomic
def acknowledge_alert(alert: FlameAlert, by) -> None:
    if alert.acknowledged_at is None:
        alert.acknowledged_at = timezone.now()
        alert.acknowledged_by = by
        alert.save(update_fields=["acknowledged_at", "acknowledged_by"])
        oplog.record(alert.post, oplog.ALERT_ACKNOWLEDGED, user=by, label=alert.cause)


@transaction.atomic
def delete_member(user) -> None:
    """Account deletion, keeping the counters of the posts they reacted to right."""
    touched = list(
        Reaction.objects.filter(member=user).values_list("post", flat=True).distinct()
    )
    Reaction.objects.filter(member=user).delete()
    members.delete_member(user)
    for post_id in touched:
        refresh_counts(post_id)
