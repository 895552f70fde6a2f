"""Filtering and paging lists of pages for the builder: which listings match a
municipality, a status, a price or date range, or changed since a build.

Each listing type says which of its fields are "the price" and "the date" of the
filter, so one ``ListingFilter`` reads the same for every type. A condition that a
type cannot meet (an akiya ``status`` asked of events) leaves that type out.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import reduce
from operator import or_

from django.db.models import Q, QuerySet
from django.utils import timezone
from wagtail.models import Page

from cms.listings.models import (
    AkiyaListingPage,
    EventPage,
    RecruitmentPage,
    TrialStayPage,
)

from .errors import ApiInputError
from .models import PublicPageChange
from .visibility import PublicScope


def _day_start(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def _overlaps(start: str, end: str, date_from, date_to) -> Q:
    """Rows whose [start, end] period (an open end when empty) meets the range."""
    q = Q()
    if date_to is not None:
        q &= Q(**{f"{start}__isnull": True}) | Q(**{f"{start}__lte": date_to})
    if date_from is not None:
        q &= Q(**{f"{end}__isnull": True}) | Q(**{f"{end}__gte": date_from})
    return q


def _event_dates(date_from, date_to) -> Q:
    # Events by their start (and end when given); news without a date by the day
    # they were first published.
    q_event = Q(start_at__isnull=False)
    q_news = Q(start_at__isnull=True)
    if date_from is not None:
        start = _day_start(date_from)
        q_event &= Q(end_at__gte=start) | Q(end_at__isnull=True, start_at__gte=start)
        q_news &= Q(first_published_at__gte=start)
    if date_to is not None:
        end = _day_start(date_to + datetime.timedelta(days=1))
        q_event &= Q(start_at__lt=end)
        q_news &= Q(first_published_at__lt=end)
    return q_event | q_news


def _registered(date_from, date_to) -> Q:
    q = Q()
    if date_from is not None:
        q &= Q(registered_on__gte=date_from)
    if date_to is not None:
        q &= Q(registered_on__lte=date_to)
    return q


@dataclass(frozen=True)
class ListingKind:
    model: type
    amount_field: str
    dates: Callable[[datetime.date | None, datetime.date | None], Q]
    status_field: str | None = None
    rent_field: str | None = None


LISTING_KINDS: dict[str, ListingKind] = {
    "event": ListingKind(EventPage, "fee_yen", _event_dates),
    "akiya": ListingKind(
        AkiyaListingPage,
        "price_yen",
        _registered,
        status_field="status",
        rent_field="rent_yen",
    ),
    "trial_stay": ListingKind(
        TrialStayPage,
        "fee_per_night_yen",
        lambda f, t: _overlaps("available_from", "available_until", f, t),
    ),
    "recruitment": ListingKind(
        RecruitmentPage,
        "monthly_pay_yen",
        lambda f, t: _overlaps("application_start", "application_end", f, t),
    ),
}


@dataclass
class ListingConditions:
    """A ``ListingFilter`` in plain Python (the GraphQL input maps onto it)."""

    kinds: list[str] = field(default_factory=list)
    municipality_slugs: list[str] = field(default_factory=list)
    municipality_codes: list[str] = field(default_factory=list)
    statuses: list[str] = field(default_factory=list)
    price_min: int | None = None
    price_max: int | None = None
    rent_min: int | None = None
    rent_max: int | None = None
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None
    updated_since: datetime.datetime | None = None

    def check(self) -> None:
        for low, high, what in (
            (self.price_min, self.price_max, "priceMin/priceMax"),
            (self.rent_min, self.rent_max, "rentMin/rentMax"),
            (self.date_from, self.date_to, "dateFrom/dateTo"),
        ):
            if low is not None and high is not None and low > high:
                raise ApiInputError(f"{what}: 下限が上限より大きくなっています。")
        for value, what in (
            (self.price_min, "priceMin"),
            (self.price_max, "priceMax"),
            (self.rent_min, "rentMin"),
            (self.rent_max, "rentMax"),
        ):
            if value is not None and value < 0:
                raise ApiInputError(f"{what}: 金額は0以上で指定してください。")


def municipality_q(slugs, codes, prefix: str = "") -> Q:
    """Match by municipality slug or 全国地方公共団体コード (6 digits, or 5)."""
    q = Q()
    if slugs:
        q &= Q(**{f"{prefix}municipality__slug__in": slugs})
    if codes:
        six = [c for c in codes if len(c) == 6]
        five = [c for c in codes if len(c) == 5]
        if len(six) + len(five) != len(codes):
            raise ApiInputError(
                "municipalityCode: 団体コードは6桁（または先頭5桁）で指定してください。"
            )
        q &= Q(**{f"{prefix}municipality__code__in": six}) | Q(
            **{f"{prefix}municipality__code5__in": five}
        )
    return q


def updated_since_q(since: datetime.datetime, scope: PublicScope) -> Q:
    """Pages whose public rendering may differ from a build at ``since``: published
    since, gone live on schedule since, or brought back or moved since (a change
    their own publish date does not show)."""
    returned = PublicPageChange.objects.filter(
        change=PublicPageChange.Change.ADDED, changed_at__gte=since
    ).values("page_id")
    return (
        Q(last_published_at__gte=since)
        | Q(go_live_at__gt=since, go_live_at__lte=scope.at)
        | Q(pk__in=returned)
    )


def listing_querysets(
    conditions: ListingConditions, scope: PublicScope
) -> list[QuerySet]:
    """One public, filtered queryset per listing type the conditions allow."""
    conditions.check()
    kinds = conditions.kinds or list(LISTING_KINDS)
    querysets = []
    for name in kinds:
        kind = LISTING_KINDS[name]
        if conditions.statuses and kind.status_field is None:
            continue
        if (conditions.rent_min is not None or conditions.rent_max is not None) and (
            kind.rent_field is None
        ):
            continue
        q = municipality_q(conditions.municipality_slugs, conditions.municipality_codes)
        if conditions.statuses:
            q &= Q(**{f"{kind.status_field}__in": conditions.statuses})
        if conditions.price_min is not None:
            q &= Q(**{f"{kind.amount_field}__gte": conditions.price_min})
        if conditions.price_max is not None:
            q &= Q(**{f"{kind.amount_field}__lte": conditions.price_max})
        if conditions.rent_min is not None:
            q &= Q(**{f"{kind.rent_field}__gte": conditions.rent_min})
        if conditions.rent_max is not None:
            q &= Q(**{f"{kind.rent_field}__lte": conditions.rent_max})
        if conditions.date_from is not None or conditions.date_to is not None:
            q &= kind.dates(conditions.date_from, conditions.date_to)
        if conditions.updated_since is not None:
            q &= updated_since_q(conditions.updated_since, scope)
        querysets.append(scope.filter(kind.model.objects.filter(q)))
    return querysets


def pages_of(querysets: list[QuerySet]) -> QuerySet:
    """The base ``Page`` rows of several page-type querysets, as one queryset that
    can be counted, ordered and sliced across types."""
    if not querysets:
        return Page.objects.none()
    if len(querysets) == 1:
        return Page.objects.filter(pk__in=querysets[0].values("pk"))
    return Page.objects.filter(
        reduce(or_, (Q(pk__in=qs.values("pk")) for qs in querysets))
    )


@dataclass(frozen=True)
class Window:
    offset: int
    limit: int

    @classmethod
    def checked(cls, offset: int, limit: int, max_limit: int) -> "Window":
        if offset < 0:
            raise ApiInputError("offset: 0以上で指定してください。")
        if not 1 <= limit <= max_limit:
            raise ApiInputError(
                f"limit: 1〜{max_limit}で指定してください（{limit}件は多すぎます）。"
                if limit > max_limit
                else f"limit: 1〜{max_limit}で指定してください。"
            )
        return cls(offset, limit)
