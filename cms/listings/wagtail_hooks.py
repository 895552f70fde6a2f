"""Flat admin listings of every listing type ("all akiya of my municipality",
"all events in the prefecture"), filtered by municipality and status, on top of
Wagtail's page tree. Wagtail limits the rows to pages the user may explore, so an
editor sees their own municipality's listings and staff see all."""

import django_filters
from wagtail import hooks
from wagtail.admin.ui.tables import Column
from wagtail.admin.views.pages.listing import IndexView, PageFilterSet
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.admin.viewsets.pages import PageListingViewSet

from cms.core.models import Municipality
from cms.core.permissions import municipality_ids_for_user

from .models import (
    AkiyaListingPage,
    AkiyaStatus,
    EventKind,
    EventPage,
    RecruitmentPage,
    TrialStayPage,
)


def own_municipalities(request):
    return Municipality.objects.filter(pk__in=municipality_ids_for_user(request.user))


class ListingFilterSet(PageFilterSet):
    municipality = django_filters.ModelChoiceFilter(
        label="市町村", queryset=own_municipalities
    )


class AkiyaFilterSet(ListingFilterSet):
    status = django_filters.ChoiceFilter(label="状況", choices=AkiyaStatus.choices)
    national_bank_consent = django_filters.BooleanFilter(label="全国版バンク掲載に同意")

    class Meta:
        model = AkiyaListingPage
        fields = []


class EventFilterSet(ListingFilterSet):
    kind = django_filters.ChoiceFilter(label="種類", choices=EventKind.choices)

    class Meta:
        model = EventPage
        fields = []


class TrialStayFilterSet(ListingFilterSet):
    class Meta:
        model = TrialStayPage
        fields = []


class RecruitmentFilterSet(ListingFilterSet):
    class Meta:
        model = RecruitmentPage
        fields = []


def listing_columns(*extra):
    """Wagtail's own page columns (checkbox, title, updated, status) around ours."""
    bulk, title, _parent, updated, status = IndexView.base_columns
    municipality = Column(
        "municipality", label="市町村", sort_key="municipality__sort_order"
    )
    return [bulk, title, municipality, *extra, updated, status]


class AkiyaListingViewSet(PageListingViewSet):
    model = AkiyaListingPage
    name = "akiya_listings"
    icon = "home"
    menu_label = "空き家バンク"
    filterset_class = AkiyaFilterSet
    columns = listing_columns(
        Column("registration_number", label="登録番号", sort_key="registration_number"),
        Column(
            "status", label="状況", accessor="get_status_display", sort_key="status"
        ),
        Column("price_label", label="価格"),
    )


class EventListingViewSet(PageListingViewSet):
    model = EventPage
    name = "event_listings"
    icon = "date"
    menu_label = "お知らせ・イベント"
    filterset_class = EventFilterSet
    columns = listing_columns(
        Column("kind", label="種類", accessor="get_kind_display", sort_key="kind"),
        Column("start_at", label="開始日時", sort_key="start_at"),
    )


class TrialStayListingViewSet(PageListingViewSet):
    model = TrialStayPage
    name = "trial_stay_listings"
    icon = "key"
    menu_label = "お試し居住"
    filterset_class = TrialStayFilterSet
    columns = listing_columns(Column("facility_name", label="施設名"))


class RecruitmentListingViewSet(PageListingViewSet):
    model = RecruitmentPage
    name = "recruitment_listings"
    icon = "group"
    menu_label = "地域おこし協力隊募集"
    filterset_class = RecruitmentFilterSet
    columns = listing_columns(
        Column("application_end", label="募集締切日", sort_key="application_end"),
    )


class ListingGroup(ViewSetGroup):
    menu_label = "掲載情報"
    menu_icon = "list-ul"
    menu_order = 150
    items = (
        AkiyaListingViewSet,
        EventListingViewSet,
        TrialStayListingViewSet,
        RecruitmentListingViewSet,
    )


@hooks.register("register_admin_viewset")
def register_listing_viewsets():
    return ListingGroup()
