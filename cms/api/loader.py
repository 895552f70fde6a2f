"""Per-request batched lookups, so a page of results costs a fixed number of SQL
queries however many pages, photos, links and images it holds.

A resolver that returns pages *registers* them: the loader notes every image,
document, desk and linked page they refer to (foreign keys, photos, rich text and
StreamField raw data). The first lookup of a kind then loads everything registered
of that kind in one query — a synchronous DataLoader, which the sync Django view
and in-process callers (the builder, the preview) can both use.
"""

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache
from itertools import groupby

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db.models import ForeignKey, Prefetch
from modelcluster.models import get_all_child_m2m_relations, get_all_child_relations
from wagtail import blocks as wagtail_blocks
from wagtail.documents.blocks import DocumentChooserBlock
from wagtail.fields import RichTextField, StreamField
from wagtail.images.blocks import ImageBlock, ImageChooserBlock
from wagtail.models import CollectionViewRestriction, Page
from wagtail.snippets.blocks import SnippetChooserBlock

from cms.core.models import (
    ConsultationDesk,
    Municipality,
    PortalDocument,
    PortalImage,
)

from .richtext import EmbeddedImage, References, expand, references_in
from .visibility import PublicScope


@dataclass(frozen=True)
class LinkedPage:
    """A public page as a link target or a breadcrumb."""

    id: int
    title: str
    path: str | None
    url: str | None


class Batch:
    """Keys wanted so far and the objects loaded for them."""

    def __init__(self, load: Callable[[set], dict]):
        self._load = load
        self._wanted: set = set()
        self._loaded: dict = {}

    def want(self, keys: Iterable) -> None:
        self._wanted.update(k for k in keys if k is not None and k not in self._loaded)

    def get(self, key):
        if key is None:
            return None
        if key not in self._loaded:
            self._wanted.add(key)
            keys, self._wanted = self._wanted, set()
            found = self._load(keys)
            self._loaded.update(dict.fromkeys(keys))
            self._loaded.update(found)
        return self._loaded[key]


class Once:
    """A small table (municipalities, desks, counts) read whole at first use."""

    def __init__(self, load: Callable[[], dict]):
        self._load = load
        self._value: dict | None = None

    @property
    def value(self) -> dict:
        if self._value is None:
            self._value = self._load()
        return self._value


# --- What a page refers to ------------------------------------------------------


@cache
def _reference_fields(model) -> dict[str, list[str]]:
    fields = {"images": [], "documents": [], "desks": [], "rich": [], "streams": []}
    for field in model._meta.get_fields():
        if isinstance(field, RichTextField):
            fields["rich"].append(field.attname)
        elif isinstance(field, StreamField):
            fields["streams"].append(field.attname)
        elif isinstance(field, ForeignKey):
            target = field.related_model
            kind = {
                PortalImage: "images",
                PortalDocument: "documents",
                ConsultationDesk: "desks",
            }.get(target)
            if kind:
                fields[kind].append(field.attname)
    return fields


def stream_references(block, raw) -> References:
    """Walk a StreamField's raw JSON with its block definitions (never calling
    ``to_python``, which would query once per page)."""
    found = References()
    if raw is None:
        return found
    if isinstance(block, wagtail_blocks.StreamBlock):
        for child in raw:
            child_block = block.child_blocks.get(child.get("type"))
            if child_block is not None:
                found.update(stream_references(child_block, child.get("value")))
    elif isinstance(block, ImageBlock):
        image_id = raw.get("image") if isinstance(raw, dict) else raw
        if isinstance(image_id, int):
            found.images.add(image_id)
    elif isinstance(block, wagtail_blocks.ListBlock):
        for item in raw:
            value = item.get("value") if _is_list_item(item) else item
            found.update(stream_references(block.child_block, value))
    elif isinstance(block, wagtail_blocks.StructBlock):
        for name, child_block in block.child_blocks.items():
            found.update(stream_references(child_block, raw.get(name)))
    elif isinstance(raw, int):
        if isinstance(block, ImageChooserBlock):
            found.images.add(raw)
        elif isinstance(block, DocumentChooserBlock):
            found.documents.add(raw)
        elif isinstance(block, wagtail_blocks.PageChooserBlock):
            found.pages.add(raw)
        elif isinstance(block, SnippetChooserBlock) and (
            block.target_model is ConsultationDesk
        ):
            found.desks.add(raw)
    elif isinstance(block, wagtail_blocks.RichTextBlock) and isinstance(raw, str):
        found.update(references_in(raw))
    return found


def _is_list_item(item) -> bool:
    return isinstance(item, dict) and item.get("type") == "item" and "value" in item


def raw_stream(page, attname: str) -> list:
    value = getattr(page, attname, None)
    if value is None:
        return []
    return list(value.raw_data)


def page_references(page) -> References:
    found = References()
    fields = _reference_fields(type(page))
    found.images.update(getattr(page, name) for name in fields["images"])
    found.documents.update(getattr(page, name) for name in fields["documents"])
    found.desks.update(getattr(page, name) for name in fields["desks"])
    for name in fields["rich"]:
        found.update(references_in(getattr(page, name)))
    for name in fields["streams"]:
        stream_block = type(page)._meta.get_field(name).stream_block
        found.update(stream_references(stream_block, raw_stream(page, name)))
    if hasattr(page, "photos"):
        found.images.update(photo.image_id for photo in related(page, "photos"))
    found.images.discard(None)
    found.documents.discard(None)
    found.desks.discard(None)
    return found


# --- Loading pages of any type ------------------------------------------------------


def specific_queryset(model):
    """A page type's queryset with its inline children (photos), parental
    many-to-many fields and ``api_select_related`` loaded with it."""
    queryset = model.objects.all()
    # Foreign keys a page type shows in full (a program's host organisation).
    if shown := getattr(model, "api_select_related", ()):
        queryset = queryset.select_related(*shown)
    names = [
        relation.get_accessor_name() for relation in get_all_child_relations(model)
    ]
    names += [field.name for field in get_all_child_m2m_relations(model)]
    # Into plain lists (read with ``related``): prefetched into the managers,
    # Django makes a filtered queryset per page and relation just to hold the
    # results, a tenth of a build's fetch.
    return queryset.prefetch_related(
        *(Prefetch(name, to_attr=_PREFETCHED.format(name)) for name in names)
    )


_PREFETCHED = "_api_{}"


def related(page: Page, name: str) -> list:
    """A page's inline children (``photos``) or parental many-to-many values
    (``related_municipalities``): as ``specific_queryset`` loaded them, else from
    the page itself (a preview's unsaved revision holds them in memory)."""
    found = getattr(page, _PREFETCHED.format(name), None)
    return found if found is not None else list(getattr(page, name).all())


def load_specific(rows: list[tuple[int, int]]) -> list[Page]:
    """``(page id, content type id)`` rows → specific pages in the same order, one
    query (plus its prefetches) per page type present."""
    by_type: dict[int, list[int]] = defaultdict(list)
    for pk, content_type_id in rows:
        by_type[content_type_id].append(pk)
    loaded: dict[int, Page] = {}
    for content_type_id, ids in by_type.items():
        model = ContentType.objects.get_for_id(content_type_id).model_class()
        if model is None:
            continue
        for page in specific_queryset(model).filter(pk__in=ids):
            loaded[page.pk] = page
    return [loaded[pk] for pk, _ in rows if pk in loaded]


# --- The loader ------------------------------------------------------------------


def document_public_path(document) -> str:
    return f"/documents/{document.pk}/{document.filename}"


class ContentLoader:
    """Everything one GraphQL request (or one in-process query) looks up."""

    def __init__(self, scope: PublicScope):
        self.scope = scope
        self.site_url = settings.PORTAL_SITE_URL
        self.images = Batch(self._load_images)
        self.documents = Batch(self._load_documents)
        self.link_pages = Batch(self._load_link_pages)
        self.ancestors = Batch(self._load_ancestors)
        self.municipalities = Once(
            lambda: {m.pk: m for m in Municipality.objects.all()}
        )
        self.desks = Once(self._load_desks)
        self.municipality_pages = Once(self._load_municipality_pages)
        self.support_measures = Once(self._load_support_measures)
        self.listing_counts = Once(self._load_listing_counts)
        # Held (not just their ids) so an id is never reused within the request.
        self._registered: dict[int, Page] = {}

    # Registering ---------------------------------------------------------------

    def register(self, pages: Iterable[Page]) -> list[Page]:
        pages = list(pages)
        for page in pages:
            if id(page) in self._registered:
                continue
            self._registered[id(page)] = page
            found = page_references(page)
            self.images.want(found.images)
            self.documents.want(found.documents)
            self.link_pages.want(found.pages)
            self.ancestors.want(_ancestor_paths(page.path))
        return pages

    # URLs -----------------------------------------------------------------------

    def public_url(self, path: str | None) -> str | None:
        return f"{self.site_url}{path}" if path is not None else None

    def page_url(self, pk: int) -> str | None:
        link = self.link_pages.get(pk)
        return link.url if link else None

    def document_url(self, pk: int) -> str | None:
        document = self.documents.get(pk)
        return self.public_url(document_public_path(document)) if document else None

    def rich_text(self, html: str) -> str:
        return expand(
            html,
            page_url=self.page_url,
            document_url=self.document_url,
            embedded_image=self._embedded_image,
        )

    def _embedded_image(self, pk: int) -> EmbeddedImage | None:
        image = self.images.get(pk)
        if image is None:
            return None
        from .objects import existing_or_new_rendition

        rendition = existing_or_new_rendition(
            image, settings.PORTAL_API_RICH_TEXT_IMAGE_FILTER
        )
        return EmbeddedImage(rendition.url, rendition.width, rendition.height)

    # Lookups --------------------------------------------------------------------

    def municipality_of(self, page) -> Municipality | None:
        pk = getattr(page, "municipality_id", None)
        if pk is None:
            for path, municipality_id in self.municipality_pages.value["paths"]:
                if (page.path or "").startswith(path):
                    pk = municipality_id
                    break
        return self.municipality(pk)

    def municipality(self, pk: int | None) -> Municipality | None:
        return self.municipalities.value.get(pk) if pk else None

    def desks_of(self, municipality_id: int) -> list[ConsultationDesk]:
        return self.desks.value["by_municipality"].get(municipality_id, [])

    def desk(self, pk: int | None) -> ConsultationDesk | None:
        return self.desks.value["by_id"].get(pk) if pk else None

    def breadcrumbs(self, page) -> list[LinkedPage]:
        crumbs = []
        for path in _ancestor_paths(page.path):
            row = self.ancestors.get(path)
            if row is not None:
                crumbs.append(row)
        return crumbs

    # Loading --------------------------------------------------------------------

    def _load_images(self, ids) -> dict:
        queryset = PortalImage.objects.filter(pk__in=ids).prefetch_renditions(
            *settings.PORTAL_API_RENDITION_FILTERS
        )
        return {image.pk: image for image in queryset}

    def _load_documents(self, ids) -> dict:
        documents = list(
            PortalDocument.objects.filter(pk__in=ids).select_related("collection")
        )
        restricted = list(
            CollectionViewRestriction.objects.values_list("collection__path", flat=True)
        )
        return {
            document.pk: document
            for document in documents
            if not any(document.collection.path.startswith(p) for p in restricted)
        }

    def _load_link_pages(self, ids) -> dict:
        rows = self.scope.filter(Page.objects.filter(pk__in=ids)).values_list(
            "pk", "title", "url_path"
        )
        links = {}
        for pk, title, url_path in rows:
            path = self.scope.path_of_url_path(url_path)
            links[pk] = LinkedPage(pk, title, path, self.public_url(path))
        return links

    def _load_ancestors(self, paths) -> dict:
        rows = Page.objects.filter(
            path__in=paths, path__startswith=self.scope.root_path
        ).values_list("pk", "title", "url_path", "path")
        crumbs = {}
        for pk, title, url_path, path in rows:
            public = self.scope.path_of_url_path(url_path)
            crumbs[path] = LinkedPage(pk, title, public, self.public_url(public))
        return crumbs

    def _load_desks(self) -> dict:
        by_id, by_municipality = {}, defaultdict(list)
        for desk in ConsultationDesk.objects.order_by("sort_order", "pk"):
            by_id[desk.pk] = desk
            by_municipality[desk.municipality_id].append(desk)
        return {"by_id": by_id, "by_municipality": dict(by_municipality)}

    def _load_municipality_pages(self) -> dict:
        from cms.pages.models import MunicipalityPage

        pages = self.register(self.scope.filter(specific_queryset(MunicipalityPage)))
        return {
            "paths": [(page.path, page.municipality_id) for page in pages],
            "by_municipality": {page.municipality_id: page for page in pages},
        }

    def municipality_page(self, municipality_id: int):
        return self.municipality_pages.value["by_municipality"].get(municipality_id)

    def _load_support_measures(self) -> dict:
        from cms.pages.models import SupportMeasurePage

        pages = self.register(
            self.scope.filter(specific_queryset(SupportMeasurePage)).order_by("path")
        )
        grouped = {
            key: list(group)
            for key, group in groupby(
                sorted(pages, key=lambda p: (p.municipality_id or 0, p.path)),
                key=lambda p: p.municipality_id,
            )
        }
        return {"by_municipality": grouped}

    def support_measures_of(self, municipality_id: int) -> list:
        return self.support_measures.value["by_municipality"].get(municipality_id, [])

    def _load_listing_counts(self) -> dict:
        from django.db.models import Count

        from .filters import LISTING_KINDS

        counts: dict[int, dict[str, int]] = defaultdict(dict)
        for kind, spec in LISTING_KINDS.items():
            rows = (
                self.scope.filter(spec.model.objects.all())
                .values("municipality_id")
                .annotate(n=Count("pk"))
                .order_by()
            )
            for row in rows:
                counts[row["municipality_id"]][kind] = row["n"]
        return {"by_municipality": dict(counts)}

    def listing_counts_of(self, municipality_id: int) -> dict[str, int]:
        return self.listing_counts.value["by_municipality"].get(municipality_id, {})


def _ancestor_paths(path: str, step: int = Page.steplen) -> list[str]:
    return [path[:i] for i in range(step, len(path or ""), step)]
