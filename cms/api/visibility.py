"""Which pages visitors may see: the one definition of "public" behind the content
API, and so behind the static site, its feeds and its search index.

A page is public when, at the moment asked about,

* it is live, not marked expired, its ``expire_at`` (if any) is still ahead — even
  if the expiry job has not run yet — and its ``go_live_at`` (if any) has passed;
* it lies under the default site's root page (it has a public URL);
* no view restriction (password, log-in or group) is set on it or an ancestor;
* every ancestor up to the site root is itself live and within its dates.

The last rule is stricter than Wagtail, whose router serves a live page under an
unpublished parent. Unpublishing a section (or a municipality page) is how staff take
a whole area off the site; its pages would otherwise stay reachable as orphans with
broken breadcrumbs on the static site.
"""

from dataclasses import dataclass
from datetime import datetime
from functools import reduce
from operator import or_

from django.db.models import Q, QuerySet
from django.utils import timezone
from wagtail.models import Page, PageViewRestriction, Site


def own_visibility_q(at: datetime) -> Q:
    """The conditions a page must meet by itself (not counting its ancestors)."""
    return (
        Q(live=True, expired=False)
        & (Q(expire_at__isnull=True) | Q(expire_at__gt=at))
        & (Q(go_live_at__isnull=True) | Q(go_live_at__lte=at))
    )


def collapse_prefixes(paths) -> list[str]:
    """Drop every path that lies under another one in ``paths`` (a subtree hidden
    by an ancestor need not be excluded twice)."""
    kept: list[str] = []
    for path in sorted(set(paths)):
        if not kept or not path.startswith(kept[-1]):
            kept.append(path)
    return kept


def public_path(url_path: str, root_url_path: str) -> str | None:
    """``/home/towns/mito/`` → ``/towns/mito/`` for a site rooted at ``/home/``;
    ``None`` for a page outside the site."""
    if not url_path or not url_path.startswith(root_url_path):
        return None
    return url_path[len(root_url_path) - 1 :]


def site_root() -> tuple[str, str] | None:
    """(tree path, url_path) of the default site's root page (the first site's if
    none is marked default); ``None`` when there is no site."""
    sites = Site.objects.order_by("-is_default_site", "pk")
    return sites.values_list("root_page__path", "root_page__url_path").first()


@dataclass(frozen=True)
class PublicScope:
    """The facts "public" depends on, read once (three small queries) and then
    applied to any number of page querysets of any page type."""

    at: datetime
    root_path: str
    root_url_path: str
    hidden_subtrees: tuple[str, ...]

    @classmethod
    def now(cls, at: datetime | None = None) -> "PublicScope":
        at = at or timezone.now()
        root = site_root()
        if root is None:
            # No site, no public URLs: nothing is public.
            return cls(at=at, root_path="", root_url_path="", hidden_subtrees=())
        root_path, root_url_path = root
        restricted = PageViewRestriction.objects.filter(
            page__path__startswith=root_path
        ).values_list("page__path", flat=True)
        # Only a hidden page with children hides anything beyond itself; leaves
        # (drafts, most of them) are already excluded by own_visibility_q. The
        # pages with children have an index of their own (migration 0002).
        closed = (
            Page.objects.filter(path__startswith=root_path, numchild__gt=0)
            .exclude(own_visibility_q(at))
            .values_list("path", flat=True)
        )
        return cls(
            at=at,
            root_path=root_path,
            root_url_path=root_url_path,
            hidden_subtrees=tuple(collapse_prefixes([*restricted, *closed])),
        )

    def filter(self, queryset: QuerySet) -> QuerySet:
        """``queryset`` (of ``Page`` or any page type) narrowed to public pages."""
        if not self.root_path:
            return queryset.none()
        queryset = queryset.filter(
            own_visibility_q(self.at), path__startswith=self.root_path
        )
        if self.hidden_subtrees:
            queryset = queryset.exclude(
                reduce(or_, (Q(path__startswith=p) for p in self.hidden_subtrees))
            )
        return queryset

    def path_of(self, page) -> str | None:
        return public_path(page.url_path, self.root_url_path)

    def path_of_url_path(self, url_path: str) -> str | None:
        return public_path(url_path, self.root_url_path)

    def is_public(self, page) -> bool:
        return self.filter(Page.objects.filter(pk=page.pk)).exists()


def public_pages(queryset: QuerySet | None = None, *, at=None) -> QuerySet:
    """Public pages of ``queryset`` (default: all pages) at ``at`` (default: now)."""
    return PublicScope.now(at).filter(
        Page.objects.all() if queryset is None else queryset
    )
