r"""Reading akiya listings from the database into canonical records.

The queries live here: one pass over the listings' columns, one over their photos,
the municipalities and desks once. Listings are read as ``ListingRow``\s, plain
attribute bags with the page's columns, rather than page model instances: a Wagtail
page object takes about a quarter of a millisecond to build, which for 10,000
listings would be most of an export's time. Turning a row into a record is
``canonical.FIELDS``'s job.
"""

import gc
from contextlib import contextmanager
from dataclasses import dataclass, field
from types import SimpleNamespace
from urllib.parse import urlsplit

from django.conf import settings
from django.core.files.storage import FileSystemStorage, default_storage
from django.utils import timezone
from django.utils.encoding import filepath_to_uri
from wagtail.models import PageViewRestriction, Site

from cms.core.fields import year_month_label
from cms.core.models import ConsultationDesk, Municipality, PortalSettings
from cms.listings.models import AkiyaListingPage, AkiyaPhoto

from .canonical import FIELDS, MAX_PHOTOS, content_hash

#: The page columns read besides the akiya table's own.
PAGE_COLUMNS = ("id", "title", "slug", "path", "url_path", "live", "last_published_at")
LISTING_COLUMNS = PAGE_COLUMNS + tuple(
    f.attname for f in AkiyaListingPage._meta.local_concrete_fields
)
PHOTO_VALUES = (
    "page_id",
    "kind",
    "caption",
    "alt_text",
    "image__file",
    "image__description",
    "image__created_at",
)


def _labels(name: str) -> dict:
    return {k: str(v) for k, v in AkiyaListingPage._meta.get_field(name).flatchoices}


class ListingRow(SimpleNamespace):
    """An akiya listing as the feed reads it: the page's columns as attributes
    (``title``, ``status``, ``municipality_id`` …), with ``municipality``,
    ``contact_desk`` and ``feed_photos`` filled in by ``load_listings``. It offers
    the few model methods the feed and the admin screens use."""

    @property
    def pk(self):
        return self.id

    def get_status_display(self) -> str:
        return _labels("status").get(self.status, self.status)

    def get_transaction_type_display(self) -> str:
        return _labels("transaction_type").get(self.transaction_type, "")

    def get_property_type_display(self) -> str:
        return _labels("property_type").get(self.property_type, "")

    @property
    def built_year_month_label(self) -> str:
        return year_month_label(self.built_year_month)


@contextmanager
def paused_gc():
    """Pause the cyclic garbage collector while a feed is built or written.

    10,000 records are hundreds of thousands of new dicts and lists; each batch of
    them triggers a collection that walks every object still alive, which costs
    about 15% of an export. Nothing built here forms reference cycles, and the
    collector runs again as soon as the block ends."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def load_listings(queryset=None) -> list[ListingRow]:
    """Every akiya listing (or those of ``queryset``) with what a record needs,
    in a fixed order (municipality, then page id)."""
    queryset = AkiyaListingPage.objects.all() if queryset is None else queryset
    rows = queryset.order_by(
        "municipality__sort_order", "municipality__code", "pk"
    ).values(*LISTING_COLUMNS)
    listings = [ListingRow(**row) for row in rows]
    towns = Municipality.objects.in_bulk()
    desk_ids = {row.contact_desk_id for row in listings} - {None}
    desks = ConsultationDesk.objects.in_bulk(desk_ids) if desk_ids else {}
    photos: dict[int, list[dict]] = {row.id: [] for row in listings}
    ids = list(photos)
    for start in range(0, len(ids), 5000):
        photo_rows = (
            AkiyaPhoto.objects.filter(page_id__in=ids[start : start + 5000])
            .order_by("page_id", "sort_order", "pk")
            .values_list(*PHOTO_VALUES)
        )
        for page_id, *values in photo_rows:
            photos[page_id].append(dict(zip(PHOTO_VALUES[1:], values, strict=True)))
    for row in listings:
        row.municipality = towns.get(row.municipality_id)
        row.contact_desk = desks.get(row.contact_desk_id)
        row.feed_photos = photos[row.id]
    return listings


def restricted_paths() -> tuple[str, ...]:
    """Tree paths under a view restriction (password, log-in, groups): nothing below
    them is public, so nothing below them may reach a feed."""
    return tuple(PageViewRestriction.objects.values_list("page__path", flat=True))


def _root_url_path() -> str:
    site = Site.objects.filter(is_default_site=True).select_related("root_page").first()
    return site.root_page.url_path if site else "/"


@dataclass
class RecordContext:
    """What reading a record needs beyond the listing itself, loaded once per run."""

    site_url: str
    root_url_path: str
    media_base_url: str
    primary_desks: dict = field(default_factory=dict)
    local_media: bool = True
    media_prefix: str = "/media/"

    @classmethod
    def load(cls) -> "RecordContext":
        desks = {}
        for desk in ConsultationDesk.objects.filter(
            municipality__isnull=False
        ).order_by("-sort_order", "-pk"):
            desks[desk.municipality_id] = desk  # the last written is the first in order
        return cls(
            site_url=settings.PORTAL_SITE_URL,
            root_url_path=_root_url_path(),
            media_base_url=settings.AKIYA_BANK["MEDIA_BASE_URL"].rstrip("/"),
            primary_desks=desks,
            local_media=isinstance(default_storage, FileSystemStorage),
            media_prefix=settings.MEDIA_URL,
        )

    def desk_for(self, listing):
        return listing.contact_desk or self.primary_desks.get(listing.municipality_id)

    def public_url(self, listing) -> str:
        path = listing.url_path or ""
        if path.startswith(self.root_url_path):
            path = "/" + path[len(self.root_url_path) :]
        return self.site_url + path

    def media_url(self, name: str) -> str:
        if self.local_media:
            # What FileSystemStorage.url does, without its per-call overhead.
            url = self.media_prefix + filepath_to_uri(name)
        else:
            url = default_storage.url(name)
        return url if urlsplit(url).scheme else self.media_base_url + url

    def photos(self, listing) -> list[dict]:
        zone = timezone.get_current_timezone()
        return [
            {
                "url": self.media_url(photo["image__file"]),
                "kind": photo["kind"],
                "caption": photo["caption"],
                "alt": photo["alt_text"] or photo["image__description"],
                "uploaded_at": photo["image__created_at"]
                .astimezone(zone)
                .isoformat(timespec="seconds"),
            }
            for photo in listing.feed_photos[:MAX_PHOTOS]
        ]


_READERS = [(f.name, f.reader, f.converter) for f in FIELDS]


def build_record(listing, context: RecordContext) -> dict:
    """The canonical record of a loaded listing (``FeedField.value`` for each
    field, unrolled: this runs 56 times per listing)."""
    return {name: convert(read(listing, context)) for name, read, convert in _READERS}


@dataclass
class BuiltRecord:
    record: dict
    hash: str


def build_records(listings, context: RecordContext) -> dict[int, BuiltRecord]:
    """Records by page id, each with its content hash (``modified_at`` still empty:
    it is the time the hash last changed, which only the feed state knows)."""
    built = {}
    for listing in listings:
        record = build_record(listing, context)
        built[listing.pk] = BuiltRecord(record, content_hash(record))
    return built


def publisher() -> dict:
    """Who publishes the feed, from ポータル設定."""
    site = Site.objects.filter(is_default_site=True).first()
    portal = PortalSettings.for_site(site) if site else None
    return {
        "name": (portal.portal_name if portal else "") or settings.WAGTAIL_SITE_NAME,
        "url": settings.PORTAL_SITE_URL,
        "prefecture_code": portal.prefecture_code if portal else "",
    }


def open_photo(url: str) -> bytes:
    """The bytes of a photo named in a record, read from the media storage."""
    path = urlsplit(url).path
    name = path.removeprefix(settings.MEDIA_URL)
    with default_storage.open(name, "rb") as handle:
        return handle.read()


PHOTO_EXTENSIONS = {
    ".jpg": ".jpg",
    ".jpeg": ".jpg",
    ".png": ".png",
    ".gif": ".gif",
    ".webp": ".webp",
}


def photo_extension(url: str) -> str:
    """The file extension for a photo's URL (.jpg when it has none we know)."""
    path = url.split("?", 1)[0]
    dot = path.rfind(".")
    suffix = path[dot:].lower() if dot > path.rfind("/") else ""
    return PHOTO_EXTENSIONS.get(suffix, ".jpg")
