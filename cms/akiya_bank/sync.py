"""Change detection and the feed state: what the bank should have now, compared
with what it was last given.

``plan_feed`` is the rule (pure): from the checked listings and the previous feed
rows it decides, by content hash, which listings are added, updated, removed or
unchanged. ``refresh_feed`` applies a plan to the database under a lock and records
a ``SyncRun``; ``feed_snapshot`` reads the feed back for writers, whole or as the
changes since a version. ``run_sync`` is one complete sync: refresh, then deliver.
"""

import logging
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from .canonical import Deletion, Feed, content_hash
from .models import FeedListing, FeedState, SyncRun, SyncStatus
from .records import (
    RecordContext,
    load_listings,
    paused_gc,
    publisher,
    restricted_paths,
)
from .rules import ListingCheck, check_listing

logger = logging.getLogger(__name__)
DETAIL_LIMIT = 200


def current_checks(queryset=None, progress=None, detailed=True) -> list[ListingCheck]:
    """Every listing (of ``queryset``) checked, with whether it is in the feed.
    ``progress(n)`` is called as listings are checked (a progress bar's update);
    ``detailed=False`` leaves out the warnings a feed does not need (see
    ``rules.record_problems``)."""
    with paused_gc():
        listings = load_listings(queryset)
        context = RecordContext.load()
        restricted = restricted_paths()
        in_feed = set(
            FeedListing.objects.filter(removed_at__isnull=True).values_list(
                "page_id", flat=True
            )
        )
        checks = []
        for listing in listings:
            check = check_listing(listing, context, restricted, detailed)
            check.in_feed = listing.pk in in_feed
            checks.append(check)
            if progress and len(checks) % 100 == 0:
                progress(100)
        if progress and len(checks) % 100:
            progress(len(checks) % 100)
    return checks


@dataclass
class PreviousRow:
    """What the plan needs of a listing already in the feed."""

    content_hash: str
    modified_at: str  # when its content last changed, as the record says it
    title: str = ""


def previous_rows() -> dict[int, PreviousRow]:
    """The listings in the feed now, by page id, without their records (reading
    10,000 stored records back would cost more than building them anew)."""
    rows = FeedListing.objects.filter(removed_at__isnull=True).values_list(
        "page_id", "content_hash", "changed_at", "title"
    )
    zone = timezone.get_current_timezone()
    return {
        page_id: PreviousRow(
            digest, changed.astimezone(zone).isoformat(timespec="seconds"), title
        )
        for page_id, digest, changed, title in rows
    }


@dataclass
class FeedPlan:
    """The feed after this sync: ``records`` by page id for every listing in it,
    and how it differs from before."""

    #: Held listings have no entry until ``fill_held`` reads their stored record.
    records: dict[int, dict] = field(default_factory=dict)
    hashes: dict[int, str] = field(default_factory=dict)  # of added and updated
    added: list[int] = field(default_factory=list)
    updated: list[int] = field(default_factory=list)
    removed: list[int] = field(default_factory=list)
    unchanged: list[int] = field(default_factory=list)
    held: list[int] = field(default_factory=list)
    invalid: list[int] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.removed)


def plan_feed(checks, previous: dict[int, PreviousRow], now) -> FeedPlan:
    """Compare the checked listings with the rows in the feed (``previous``: page id
    → row, present rows only). A listing held back by a blocking problem keeps its
    previous version; a changed record gets ``modified_at`` = ``now``, an unchanged
    one keeps the time it last changed."""
    plan = FeedPlan()
    modified_at = timezone.localtime(now).isoformat(timespec="seconds")
    seen = set()
    for check in checks:
        page_id = check.listing.pk
        if not check.qualifies:
            continue
        seen.add(page_id)
        row = previous.get(page_id)
        if not check.sendable:
            (plan.held if row is not None else plan.invalid).append(page_id)
            continue
        record = check.record
        digest = content_hash(record)
        # The record is this check's own: filling in its modification time in
        # place spares copying 10,000 records.
        if row is not None and row.content_hash == digest:
            plan.unchanged.append(page_id)
            record["modified_at"] = row.modified_at
            plan.records[page_id] = record
            continue
        record["modified_at"] = modified_at
        plan.records[page_id] = record
        plan.hashes[page_id] = digest
        (plan.updated if row is not None else plan.added).append(page_id)
    plan.removed = sorted(set(previous) - seen)
    return plan


def fill_held(plan: FeedPlan) -> None:
    """Put the stored (last sent) record of each held listing into the plan."""
    for page_id, record in FeedListing.objects.filter(
        page_id__in=plan.held
    ).values_list("page_id", "record"):
        plan.records[page_id] = record


def _details(plan: FeedPlan, checks_by_id: dict, previous_rows: dict) -> dict:
    def describe(page_id):
        check = checks_by_id.get(page_id)
        if check is not None:
            listing = check.listing
            return {
                "page_id": page_id,
                "title": listing.title,
                "municipality": listing.municipality.name
                if listing.municipality
                else "",
                "reason": check.exclusion or "",
                "problems": [f"{p.label}: {p.message}" for p in check.blocking],
            }
        row = previous_rows[page_id]
        return {"page_id": page_id, "title": row.title, "reason": "削除されました。"}

    return {
        name: [describe(page_id) for page_id in getattr(plan, name)[:DETAIL_LIMIT]]
        for name in ("added", "updated", "removed", "held", "invalid")
    }


def refresh_feed(trigger: str, user=None) -> SyncRun:
    """Bring the feed state up to date with the listings and record the run."""
    now = timezone.now()
    with transaction.atomic():
        state = FeedState.locked()
        checks = current_checks(detailed=False)
        with paused_gc():
            rows = previous_rows()
            plan = plan_feed(checks, rows, now)
        checks_by_id = {check.listing.pk: check for check in checks}
        if plan.changed:
            state.version += 1
            state.changed_at = now
            state.save(update_fields=["version", "changed_at"])
            _apply(plan, checks_by_id, state.version, now)
        removed_rows = {pk: rows[pk] for pk in plan.removed}
        run = SyncRun.objects.create(
            started_at=now,
            trigger=trigger,
            status=SyncStatus.RUNNING if plan.changed else SyncStatus.NO_CHANGE,
            feed_version=state.version,
            added=len(plan.added),
            updated=len(plan.updated),
            removed=len(plan.removed),
            unchanged=len(plan.unchanged),
            held=len(plan.held),
            invalid=len(plan.invalid),
            details=_details(plan, checks_by_id, removed_rows),
            requested_by=user if user and user.is_authenticated else None,
        )
    logger.info(
        "akiya feed v%s: %s added, %s updated, %s removed, %s held, %s invalid",
        state.version,
        len(plan.added),
        len(plan.updated),
        len(plan.removed),
        len(plan.held),
        len(plan.invalid),
    )
    return run


def _apply(plan: FeedPlan, checks_by_id, version: int, now) -> None:
    changed = plan.added + plan.updated
    existing = {
        row.page_id: row
        for row in FeedListing.objects.filter(page_id__in=changed).defer("record")
    }
    to_create, to_update = [], []
    for page_id in changed:
        listing = checks_by_id[page_id].listing
        record = plan.records[page_id]
        row = existing.get(page_id) or FeedListing(page_id=page_id)
        row.listing_id = record["id"]
        row.municipality_id = listing.municipality_id
        row.municipality_code = record["municipality_code"]
        row.title = listing.title[:255]
        row.content_hash = plan.hashes[page_id]
        row.record = record
        row.changed_version = version
        row.changed_at = now
        row.removed_at = None
        (to_update if row.pk else to_create).append(row)
    FeedListing.objects.bulk_create(to_create, batch_size=500)
    FeedListing.objects.bulk_update(
        to_update,
        [
            "listing_id",
            "municipality",
            "municipality_code",
            "title",
            "content_hash",
            "record",
            "changed_version",
            "changed_at",
            "removed_at",
        ],
        batch_size=500,
    )
    for start in range(0, len(plan.removed), 500):
        FeedListing.objects.filter(
            page_id__in=plan.removed[start : start + 500]
        ).update(changed_version=version, changed_at=now, removed_at=now)


def feed_snapshot(mode: str = "full", since: int = 0) -> Feed:
    """The feed as stored: every listing in it (``full``), or what changed after
    version ``since`` (``changes``: updates and deletion records; a first delivery,
    ``since`` = 0, gets no deletions of listings it never had)."""
    with transaction.atomic():
        state = FeedState.locked()
        rows = FeedListing.objects.all()
        if mode == "full":
            rows = rows.filter(removed_at__isnull=True)
        else:
            rows = rows.filter(changed_version__gt=since)
            if since == 0:
                rows = rows.filter(removed_at__isnull=True)
        records, deletions = [], []
        for row in rows.order_by("municipality_code", "page_id").iterator(
            chunk_size=1000
        ):
            if row.removed_at is None:
                records.append(row.record)
            else:
                deleted_at = timezone.localtime(row.removed_at)
                deletions.append(
                    Deletion(row.listing_id, deleted_at.isoformat(timespec="seconds"))
                )
        return Feed(
            records=records,
            deletions=deletions,
            mode=mode,
            version=state.version,
            generated_at=timezone.now(),
            publisher=publisher(),
        )


def planned_feed(queryset=None, progress=None) -> tuple[Feed, list[ListingCheck]]:
    """The full feed a sync would produce now, without changing anything: what
    ``portal akiya export`` writes."""
    checks = current_checks(queryset, progress, detailed=False)
    with paused_gc():
        plan = plan_feed(checks, previous_rows(), timezone.now())
    fill_held(plan)
    order = [check.listing.pk for check in checks if check.listing.pk in plan.records]
    state = FeedState.current()
    feed = Feed(
        records=[plan.records[pk] for pk in order],
        mode="full",
        version=state.version + (1 if plan.changed else 0),
        generated_at=timezone.now(),
        publisher=publisher(),
    )
    return feed, checks


def run_sync(trigger: str, user=None, *, respect_backoff: bool = False) -> SyncRun:
    """One sync: refresh the feed, then send what each active target is missing.
    A target that is failing is retried now unless ``respect_backoff`` (syncs
    started by publishing leave it to its scheduled retry)."""
    from .delivery import deliver_pending

    run = refresh_feed(trigger, user)
    try:
        failures, deliveries = deliver_pending(run, respect_backoff=respect_backoff)
    except Exception as error:  # a bug of ours: keep the run, tell staff
        logger.exception("akiya feed delivery crashed")
        failures, deliveries = 1, 1
        run.error = f"送信処理でエラーが発生しました: {error}"
    if failures:
        run.status = SyncStatus.FAILED if failures == deliveries else SyncStatus.PARTIAL
    elif run.status == SyncStatus.RUNNING or deliveries:
        run.status = SyncStatus.SUCCESS
    run.finished_at = timezone.now()
    run.save(update_fields=["status", "finished_at", "error"])
    return run
