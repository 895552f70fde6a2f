"""No draft leaks: drafts, private, scheduled and expired pages (and pages under an
unpublished or private ancestor) never come out of the API without a preview token."""

import datetime

import pytest
from django.utils import timezone
from wagtail.models import Page, PageViewRestriction

from cms.api.visibility import PublicScope, collapse_prefixes, public_pages, public_path
from cms.listings.models import AkiyaListingPage, TrialStayIndexPage
from cms.pages.models import MunicipalityPage
from tests import factories
from tests.conftest import municipality_page_of

from .builders import add_trial_stay, in_days
from .conftest import titles

pytestmark = pytest.mark.django_db

EVERYWHERE = """
query Everywhere($id: ID!, $path: String!) {
  pages(limit: 200) { items { id title } }
  listings(limit: 200) { items { id title } }
  byId: page(id: $id) { title }
  byPath: page(path: $path) { title }
}
"""


def assert_hidden(gql, scope, page):
    path = scope.path_of(page) or "/no/such/path/"
    data = gql(EVERYWHERE, {"id": str(page.pk), "path": path})["data"]
    assert page.pk not in {int(item["id"]) for item in data["pages"]["items"]}
    assert page.pk not in {int(item["id"]) for item in data["listings"]["items"]}
    assert data["byId"] is None
    assert data["byPath"] is None


def assert_shown(gql, scope, page):
    data = gql(EVERYWHERE, {"id": str(page.pk), "path": scope.path_of(page)})["data"]
    assert page.title in titles(data["pages"]["items"])
    assert data["byId"]["title"] == page.title
    assert data["byPath"]["title"] == page.title


def new_akiya(portal, **overrides):
    return factories.add_akiya(
        portal.section("mito"),
        title=overrides.pop("title", "テスト物件"),
        registration_number=overrides.pop("registration_number", "vis-1"),
        **overrides,
    )


def test_a_published_listing_is_shown(gql, portal):
    page = new_akiya(portal, title="公開中の物件")
    assert_shown(gql, PublicScope.now(), page)


def test_a_draft_is_never_returned(gql, portal):
    draft = AkiyaListingPage.objects.get(title="水戸市の下書き物件")
    assert not draft.live
    assert_hidden(gql, PublicScope.now(), draft)


def test_a_private_page_is_never_returned(gql, portal):
    page = new_akiya(portal, title="閲覧制限つき物件")
    PageViewRestriction.objects.create(page=page, restriction_type="login")
    assert_hidden(gql, PublicScope.now(), page)


def test_pages_under_a_private_ancestor_are_never_returned(gql, portal):
    page = new_akiya(portal, title="制限された市の物件")
    town = MunicipalityPage.objects.get(municipality=portal.mito)
    PageViewRestriction.objects.create(
        page=town, restriction_type="password", password="x"
    )
    scope = PublicScope.now()
    assert_hidden(gql, scope, page)
    assert_hidden(gql, scope, town)


def test_a_live_page_scheduled_to_go_live_later_is_not_returned(gql, portal):
    page = new_akiya(portal, title="公開予定の物件")
    Page.objects.filter(pk=page.pk).update(go_live_at=in_days(3))
    assert_hidden(gql, PublicScope.now(), page)


def test_a_page_scheduled_by_wagtail_stays_hidden_until_it_goes_live(gql, portal):
    page = factories.add_akiya(
        portal.section("mito"),
        publish=False,
        title="予約公開の物件",
        registration_number="vis-2",
    )
    page.go_live_at = in_days(1)
    page.save_revision().publish()
    page.refresh_from_db()
    assert not page.live
    assert_hidden(gql, PublicScope.now(), page)


def test_an_expired_page_is_hidden_even_before_the_expiry_job_runs(gql, portal):
    page = new_akiya(portal, title="掲載期限切れの物件")
    Page.objects.filter(pk=page.pk).update(expire_at=in_days(-1), expired=False)
    page.refresh_from_db()
    assert page.live and not page.expired
    assert_hidden(gql, PublicScope.now(), page)


def test_a_page_expiring_later_is_still_shown(gql, portal):
    page = new_akiya(portal, title="来月まで掲載の物件")
    Page.objects.filter(pk=page.pk).update(expire_at=in_days(30))
    assert_shown(gql, PublicScope.now(), page)


def test_pages_under_an_unpublished_section_are_not_public(gql, portal):
    stay = add_trial_stay("daigo", title="大子町のお試し住宅")
    section = TrialStayIndexPage.objects.get(municipality_page_of("daigo"))
    scope = PublicScope.now()
    assert_shown(gql, scope, stay)
    section.unpublish()
    stay.refresh_from_db()
    assert stay.live  # Wagtail would still serve it; the portal does not.
    assert_hidden(gql, PublicScope.now(), stay)


def test_a_page_of_another_tree_outside_the_site_is_not_public(portal):
    root = Page.get_first_root_node()
    stray = root.add_child(
        instance=Page(title="サイト外のページ", slug="stray", live=True)
    )
    assert not public_pages(Page.objects.filter(pk=stray.pk)).exists()


def test_public_at_a_given_moment():
    page = Page.objects.filter(depth=2).first()
    later = timezone.now() + datetime.timedelta(days=10)
    Page.objects.filter(pk=page.pk).update(
        expire_at=timezone.now() + datetime.timedelta(days=5)
    )
    assert public_pages(Page.objects.filter(pk=page.pk)).exists()
    assert not public_pages(Page.objects.filter(pk=page.pk), at=later).exists()


def test_collapse_prefixes_keeps_only_the_topmost_subtrees():
    assert collapse_prefixes(
        ["00010002", "0001000200030004", "00010005", "00010002"]
    ) == [
        "00010002",
        "00010005",
    ]


def test_public_path_is_relative_to_the_site_root():
    assert public_path("/home/towns/mito/", "/home/") == "/towns/mito/"
    assert public_path("/home/", "/home/") == "/"
    assert public_path("/other/page/", "/home/") is None
