"""Change detection: each sync records listings added, updated and removed by
content hash; a sync with no change sends nothing; listings that stop qualifying
leave the feed with a deletion record (changes) or by omission (full)."""

import pytest

from cms.akiya_bank.models import FeedListing, FeedState, SyncRun
from cms.akiya_bank.sync import feed_snapshot, refresh_feed, run_sync

from .conftest import republish

pytestmark = pytest.mark.django_db


def ids(feed):
    return [record["id"] for record in feed.records]


def test_first_sync_adds_every_qualifying_listing(add_listing):
    first, second = add_listing("mito"), add_listing("tsukuba")
    run = refresh_feed("cli")
    assert (run.added, run.updated, run.removed) == (2, 0, 0)
    assert run.feed_version == FeedState.current().version == 1
    assert ids(feed_snapshot()) == [f"akiya-{first.pk}", f"akiya-{second.pk}"]
    details = {item["title"] for item in run.details["added"]}
    assert details == {first.title, second.title}


def test_sync_without_change_changes_nothing_and_sends_nothing(
    add_listing, http_target
):
    from cms.akiya_bank.models import PushTarget

    PushTarget.objects.create(
        name="http", protocol="https", format="canonical-json", url=http_target.url
    )
    page = add_listing()
    assert run_sync("cli").status == "success"
    assert len(http_target.requests) == 1
    row = FeedListing.objects.get(page_id=page.pk)

    republish(page)  # published again, nothing edited
    run = run_sync("cli")
    assert run.status == "no_change"
    assert (run.added, run.updated, run.removed, run.unchanged) == (0, 0, 0, 1)
    assert run.deliveries.count() == 0
    assert len(http_target.requests) == 1
    assert FeedState.current().version == 1
    assert FeedListing.objects.get(page_id=page.pk).changed_at == row.changed_at


def test_edit_is_an_update_with_a_new_modification_time(add_listing):
    page = add_listing()
    refresh_feed("cli")
    before = FeedListing.objects.get(page_id=page.pk)
    republish(page, price_yen=3_500_000)
    run = refresh_feed("cli")
    assert (run.added, run.updated, run.removed) == (0, 1, 0)
    after = FeedListing.objects.get(page_id=page.pk)
    assert after.record["price_yen"] == 3_500_000
    assert after.content_hash != before.content_hash
    assert after.record["modified_at"] >= before.record["modified_at"]
    assert after.changed_version == 2


@pytest.mark.parametrize(
    "stop",
    [
        lambda page: republish(page, status="contracted"),
        lambda page: republish(page, status="withdrawn"),
        lambda page: republish(
            page, national_bank_consent=False, national_bank_consent_on=None
        ),
        lambda page: page.unpublish(),
        lambda page: page.delete(),
    ],
    ids=["sold", "withdrawn", "consent-withdrawn", "unpublished", "deleted"],
)
def test_listing_that_stops_qualifying_is_removed_with_a_deletion_record(
    add_listing, stop
):
    staying, leaving = add_listing("mito"), add_listing("mito")
    refresh_feed("cli")
    leaving_id = f"akiya-{leaving.pk}"
    stop(leaving)
    run = refresh_feed("cli")
    assert (run.added, run.updated, run.removed) == (0, 0, 1)
    # Full feed: omitted. Changes since version 1: a deletion record.
    assert ids(feed_snapshot("full")) == [f"akiya-{staying.pk}"]
    changes = feed_snapshot("changes", since=1)
    assert changes.records == []
    assert [d.id for d in changes.deletions] == [leaving_id]
    # A consumer that never had it gets no deletion of it.
    assert feed_snapshot("changes", since=0).deletions == []


def test_listing_that_qualifies_again_is_added_again(add_listing):
    page = add_listing()
    refresh_feed("cli")
    republish(page, status="withdrawn")
    refresh_feed("cli")
    republish(page, status="open")
    run = refresh_feed("cli")
    assert run.added == 1
    assert ids(feed_snapshot()) == [f"akiya-{page.pk}"]


def test_listing_broken_after_sending_keeps_its_last_version_until_fixed(add_listing):
    page = add_listing()
    refresh_feed("cli")
    republish(page, land_area_sqm=None, land_area_method="", price_yen=1)
    run = refresh_feed("cli")
    assert (run.added, run.updated, run.removed, run.held) == (0, 0, 0, 1)
    assert feed_snapshot().records[0]["price_yen"] == 3_800_000
    assert "土地面積" in run.details["held"][0]["problems"][0]


def test_invalid_new_listing_is_counted_and_not_sent(add_listing):
    add_listing(land_area_sqm=None, land_area_method="")
    run = refresh_feed("cli")
    assert (run.added, run.invalid) == (0, 1)
    assert feed_snapshot().records == []
    assert SyncRun.objects.filter(pk=run.pk, status="no_change").exists()


def test_plan_is_decided_by_content_hash_alone():
    """The rule without a database: checks and previous rows in, a plan out."""
    import datetime
    from types import SimpleNamespace

    from cms.akiya_bank.canonical import content_hash
    from cms.akiya_bank.sync import PreviousRow, plan_feed

    def check(page_id, price, sendable=True, qualifies=True):
        record = {"id": f"akiya-{page_id}", "price_yen": price, "modified_at": None}
        return SimpleNamespace(
            listing=SimpleNamespace(pk=page_id),
            record=record,
            sendable=sendable,
            qualifies=qualifies,
        )

    same, edited, broken, new = (
        check(1, 100),
        check(2, 250),
        check(3, 300, False),
        check(4, 400),
    )
    gone_listing = check(5, 500, qualifies=False)
    previous = {
        1: PreviousRow(content_hash(dict(same.record)), "2026-01-01T09:00:00+09:00"),
        2: PreviousRow(
            content_hash({**edited.record, "price_yen": 200}),
            "2026-01-01T09:00:00+09:00",
        ),
        3: PreviousRow("old", "2026-01-01T09:00:00+09:00"),
        5: PreviousRow("old", "2026-01-01T09:00:00+09:00"),
        6: PreviousRow("old", "2026-01-01T09:00:00+09:00"),  # page deleted
    }
    now = datetime.datetime(2026, 5, 1, 1, 0, tzinfo=datetime.UTC)
    plan = plan_feed([same, edited, broken, new, gone_listing], previous, now)
    assert (plan.unchanged, plan.updated, plan.added) == ([1], [2], [4])
    assert (plan.held, plan.removed, plan.invalid) == ([3], [5, 6], [])
    assert plan.records[1]["modified_at"] == "2026-01-01T09:00:00+09:00"
    assert plan.records[2]["modified_at"] == "2026-05-01T10:00:00+09:00"
    assert 3 not in plan.records  # held: its stored record is read by fill_held
