"""Recording what leaves (or comes back to) the public site, from Wagtail's signals,
and answering "what was removed since T" for the builder.

A page's own ``last_published_at`` says when it changed; it cannot say that it was
unpublished, deleted, moved, made private, or that its whole subtree went with a
section. Those events are recorded here as ``PublicPageChange`` rows. Expiry needs
no record: a page whose ``expire_at`` fell between T and now is reported from its
own field, whether or not the expiry job has run.
"""

import datetime
from dataclasses import dataclass

from django.db.models.signals import post_delete, post_save, pre_delete
from wagtail.models import Page, PageViewRestriction
from wagtail.signals import (
    page_published,
    page_slug_changed,
    page_unpublished,
    post_page_move,
)

from .models import PublicPageChange
from .visibility import PublicScope, public_path, site_root

Change = PublicPageChange.Change
Reason = PublicPageChange.Reason


# --- Recording ------------------------------------------------------------------


def _site_root_url_path() -> str | None:
    root = site_root()
    return root[1] if root else None


def _record(pages_and_paths, change: str, reason: str) -> None:
    rows = [
        PublicPageChange(page_id=pk, path=path, change=change, reason=reason)
        for pk, path in pages_and_paths
        if path is not None
    ]
    if rows:
        PublicPageChange.objects.bulk_create(rows)


def _live_subtree(page: Page, include_self: bool = True):
    """(id, url_path) of the page (when live) and its live descendants."""
    rows = list(
        Page.objects.descendant_of(page, inclusive=include_self)
        .filter(live=True)
        .values_list("pk", "url_path")
    )
    return rows


def _with_public_paths(rows, root_url_path, *, old_prefix=None, new_prefix=None):
    for pk, url_path in rows:
        if old_prefix is not None and url_path.startswith(new_prefix):
            url_path = old_prefix + url_path[len(new_prefix) :]
        yield pk, public_path(url_path, root_url_path)


def page_unpublished_receiver(sender, instance, **kwargs):
    root = _site_root_url_path()
    if root is None:
        return
    # The page itself is no longer live; its live descendants leave with it.
    rows = [
        (instance.pk, instance.url_path),
        *_live_subtree(instance, include_self=False),
    ]
    _record(_with_public_paths(rows, root), Change.REMOVED, Reason.UNPUBLISHED)


def page_published_receiver(sender, instance, **kwargs):
    """A section published again brings back the subtree its unpublishing hid."""
    if not instance.numchild:
        return
    last = (
        PublicPageChange.objects.filter(page_id=instance.pk)
        .order_by("-changed_at", "-pk")
        .values_list("change", flat=True)
        .first()
    )
    if last != Change.REMOVED:
        return
    root = _site_root_url_path()
    if root is None:
        return
    rows = _live_subtree(instance, include_self=False)
    _record(_with_public_paths(rows, root), Change.ADDED, Reason.REPUBLISHED)


def page_deleted_receiver(sender, instance, **kwargs):
    # Deleting a subtree sends this for every page in it; only live pages were
    # on the site.
    if not instance.live:
        return
    root = _site_root_url_path()
    if root is None:
        return
    _record(
        _with_public_paths([(instance.pk, instance.url_path)], root),
        Change.REMOVED,
        Reason.DELETED,
    )


def _path_changed(instance, url_path_before: str, url_path_after: str) -> None:
    if url_path_before == url_path_after:
        return
    root = _site_root_url_path()
    if root is None:
        return
    rows = _live_subtree(instance)
    _record(
        _with_public_paths(
            rows, root, old_prefix=url_path_before, new_prefix=url_path_after
        ),
        Change.REMOVED,
        Reason.MOVED,
    )
    _record(_with_public_paths(rows, root), Change.ADDED, Reason.MOVED)


def page_moved_receiver(sender, instance, url_path_before, url_path_after, **kwargs):
    _path_changed(instance, url_path_before, url_path_after)


def page_slug_changed_receiver(sender, instance, instance_before, **kwargs):
    _path_changed(instance, instance_before.url_path, instance.url_path)


def restriction_saved_receiver(sender, instance, created, raw=False, **kwargs):
    if raw or not created:
        return
    root = _site_root_url_path()
    if root is None:
        return
    rows = _live_subtree(instance.page)
    _record(_with_public_paths(rows, root), Change.REMOVED, Reason.PRIVATE)


def restriction_deleted_receiver(sender, instance, **kwargs):
    try:
        page = Page.objects.get(pk=instance.page_id)
    except Page.DoesNotExist:
        return
    root = _site_root_url_path()
    if root is None:
        return
    rows = _live_subtree(page)
    _record(_with_public_paths(rows, root), Change.ADDED, Reason.RESTRICTION_REMOVED)


def connect_receivers() -> None:
    uid = "cms.api.changes"
    page_unpublished.connect(
        page_unpublished_receiver, dispatch_uid=f"{uid}.unpublished"
    )
    page_published.connect(page_published_receiver, dispatch_uid=f"{uid}.published")
    # Every page type's deletion also deletes its base Page row, so listening to
    # Page alone sees them all (and leaves other models' fast deletes alone).
    pre_delete.connect(
        page_deleted_receiver, sender=Page, dispatch_uid=f"{uid}.deleted"
    )
    post_page_move.connect(page_moved_receiver, dispatch_uid=f"{uid}.moved")
    page_slug_changed.connect(page_slug_changed_receiver, dispatch_uid=f"{uid}.slug")
    post_save.connect(
        restriction_saved_receiver,
        sender=PageViewRestriction,
        dispatch_uid=f"{uid}.restricted",
    )
    post_delete.connect(
        restriction_deleted_receiver,
        sender=PageViewRestriction,
        dispatch_uid=f"{uid}.unrestricted",
    )


# --- Answering ---------------------------------------------------------------------


@dataclass(frozen=True)
class Removal:
    page_id: int
    path: str
    removed_at: datetime.datetime
    reason: str


def removed_since(since: datetime.datetime, scope: PublicScope) -> list[Removal]:
    """Paths the static site should delete if it was built at ``since``: recorded
    removals, and pages expired since then — minus what is public again at the
    same path now (unpublished, then published again)."""
    removals: dict[tuple[int, str], Removal] = {}
    for change in PublicPageChange.objects.filter(
        change=Change.REMOVED, changed_at__gte=since
    ).order_by("changed_at", "pk"):
        key = (change.page_id, change.path)
        # Deleting a live page also unpublishes it; "deleted" is the fact to keep.
        if key in removals and removals[key].reason == Reason.DELETED:
            continue
        removals[key] = Removal(
            change.page_id, change.path, change.changed_at, change.reason
        )
    expired = Page.objects.filter(
        expire_at__gt=since, expire_at__lte=scope.at, path__startswith=scope.root_path
    ).values_list("pk", "url_path", "expire_at")
    for pk, url_path, expire_at in expired:
        path = scope.path_of_url_path(url_path)
        if path is not None:
            removals.setdefault((pk, path), Removal(pk, path, expire_at, "expired"))
    if not removals:
        return []
    public_now = set(
        scope.filter(
            Page.objects.filter(pk__in={pk for pk, _ in removals})
        ).values_list("pk", "url_path")
    )
    public_now = {(pk, scope.path_of_url_path(url_path)) for pk, url_path in public_now}
    return sorted(
        (r for key, r in removals.items() if key not in public_now),
        key=lambda r: (r.removed_at, r.path),
    )
