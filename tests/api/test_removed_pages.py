"""What a build made at T must delete: pages unpublished, deleted, moved, renamed,
made private or expired since T — and nothing that is public again."""

import datetime

import pytest
from django.utils import timezone
from wagtail.models import Page, PageViewRestriction

from cms.api.models import PublicPageChange
from cms.listings.models import AkiyaIndexPage, TrialStayIndexPage
from tests import factories
from tests.conftest import municipality_page_of

from .builders import add_trial_stay

pytestmark = pytest.mark.django_db

REMOVED = """query($since: DateTime!) { removedPages(since: $since) { id path url reason } }"""
UPDATED = """query($since: DateTime!) {
  pages(filter: {updatedSince: $since}, limit: 200) { items { id path } } }"""


def removed(gql, since):
    return gql(REMOVED, {"since": since.isoformat()})["data"]["removedPages"]


def updated(gql, since):
    return gql(UPDATED, {"since": since.isoformat()})["data"]["pages"]["items"]


def published(portal, slug="mito", title="消える物件", number="rm-1"):
    return factories.add_akiya(
        portal.section(slug), title=title, registration_number=number
    )


def test_an_unpublished_page_is_reported_with_its_path(gql, portal):
    page = published(portal)
    since = timezone.now()
    page.unpublish()
    [entry] = removed(gql, since)
    assert entry["id"] == str(page.pk)
    assert entry["path"] == f"/towns/mito/akiya/{page.slug}/"
    assert entry["url"].endswith(entry["path"])
    assert entry["reason"] == "unpublished"


def test_nothing_before_the_given_time_is_reported(gql, portal):
    page = published(portal)
    page.unpublish()
    assert removed(gql, timezone.now()) == []


def test_a_page_published_again_is_not_reported(gql, portal):
    page = published(portal)
    since = timezone.now()
    page.unpublish()
    page.save_revision().publish()
    assert removed(gql, since) == []


def test_a_deleted_live_page_is_reported_but_a_deleted_draft_is_not(gql, portal):
    page = published(portal)
    draft = factories.add_akiya(
        portal.section("mito"),
        publish=False,
        title="秘密の下書き",
        registration_number="rm-2",
    )
    since = timezone.now()
    path = f"/towns/mito/akiya/{page.slug}/"
    page.delete()
    draft.delete()
    entries = removed(gql, since)
    assert [(e["path"], e["reason"]) for e in entries] == [(path, "deleted")]


def test_a_private_page_and_its_subtree_are_reported(gql, portal):
    stay = add_trial_stay("tsukuba", title="つくばのお試し住宅")
    section = TrialStayIndexPage.objects.get(municipality_page_of("tsukuba"))
    since = timezone.now()
    PageViewRestriction.objects.create(page=section, restriction_type="login")
    paths = {e["path"]: e["reason"] for e in removed(gql, since)}
    assert paths == {
        "/towns/tsukuba/trial-stays/": "private",
        f"/towns/tsukuba/trial-stays/{stay.slug}/": "private",
    }


def test_lifting_a_restriction_brings_the_subtree_back_as_updated(gql, portal):
    stay = add_trial_stay("tsukuba", title="つくばのお試し住宅")
    section = TrialStayIndexPage.objects.get(municipality_page_of("tsukuba"))
    restriction = PageViewRestriction.objects.create(
        page=section, restriction_type="login"
    )
    since = timezone.now()
    assert str(stay.pk) not in {p["id"] for p in updated(gql, since)}
    restriction.delete()
    assert removed(gql, since) == []
    assert str(stay.pk) in {p["id"] for p in updated(gql, since)}


def test_an_unpublished_section_takes_its_listings_with_it_and_brings_them_back(
    gql, portal
):
    stay = add_trial_stay("daigo", title="大子のお試し住宅")
    section = TrialStayIndexPage.objects.get(municipality_page_of("daigo"))
    since = timezone.now()
    section.unpublish()
    assert {e["path"] for e in removed(gql, since)} == {
        "/towns/daigo/trial-stays/",
        f"/towns/daigo/trial-stays/{stay.slug}/",
    }
    later = timezone.now()
    section.save_revision().publish()
    assert removed(gql, later) == []
    assert str(stay.pk) in {p["id"] for p in updated(gql, later)}


def test_a_moved_page_is_reported_at_its_old_path_and_updated_at_the_new(gql, portal):
    page = published(portal, slug="mito", title="引っ越す物件", number="rm-3")
    old_path = f"/towns/mito/akiya/{page.slug}/"
    since = timezone.now()
    page.move(
        AkiyaIndexPage.objects.get(municipality_page_of("tsukuba")), pos="last-child"
    )
    entries = removed(gql, since)
    assert [(e["path"], e["reason"]) for e in entries] == [(old_path, "moved")]
    [item] = [p for p in updated(gql, since) if p["id"] == str(page.pk)]
    assert item["path"] == f"/towns/tsukuba/akiya/{page.slug}/"


def test_a_renamed_section_reports_every_old_path(
    gql, portal, django_capture_on_commit_callbacks
):
    page = published(portal, slug="daigo", title="大子の物件", number="rm-4")
    section = AkiyaIndexPage.objects.get(municipality_page_of("daigo"))
    live_slugs = set(section.get_children().live().values_list("slug", flat=True))
    assert page.slug in live_slugs
    since = timezone.now()
    section.slug = "houses"
    with django_capture_on_commit_callbacks(execute=True):
        section.save_revision().publish()
    assert {e["path"] for e in removed(gql, since)} == {
        "/towns/daigo/akiya/",
        *(f"/towns/daigo/akiya/{slug}/" for slug in live_slugs),
    }
    assert f"/towns/daigo/houses/{page.slug}/" in {
        p["path"] for p in updated(gql, since)
    }


def test_an_expired_page_is_reported_although_the_expiry_job_has_not_run(gql, portal):
    page = published(portal, title="期限切れの物件", number="rm-5")
    since = timezone.now() - datetime.timedelta(hours=1)
    Page.objects.filter(pk=page.pk).update(
        expire_at=timezone.now() - datetime.timedelta(minutes=1)
    )
    entries = [e for e in removed(gql, since) if e["id"] == str(page.pk)]
    assert [(e["path"], e["reason"]) for e in entries] == [
        (f"/towns/mito/akiya/{page.slug}/", "expired")
    ]
    assert not PublicPageChange.objects.filter(page_id=page.pk).exists()
