"""GraphQL types for what pages point at: images and their renditions, documents,
consultation desks, links to other pages, choice values and rich text."""

import logging
from functools import cache
from typing import NewType

import strawberry
from django.conf import settings
from strawberry.types import Info
from wagtail.images.models import Filter, SourceImageIOError

from .errors import ApiInputError
from .loader import document_public_path

logger = logging.getLogger(__name__)

RichText = NewType("RichText", str)
RICH_TEXT_SCALAR = strawberry.scalar(
    name="RichText",
    serialize=str,
    parse_value=str,
    description=(
        "HTML of a rich text field as the public site shows it: links to pages and "
        "documents point at their public URLs, links to pages that are not public "
        "have no href."
    ),
)


@strawberry.type(description="A choice field's stored value and its Japanese label.")
class Choice:
    value: str
    label: str


def choice(instance, name: str) -> Choice | None:
    value = getattr(instance, name)
    if value in (None, ""):
        return None
    return Choice(value=value, label=str(getattr(instance, f"get_{name}_display")()))


def choice_list(instance, name: str) -> list[Choice]:
    field = instance._meta.get_field(name)
    values = getattr(instance, name) or []
    return [
        Choice(value=v, label=label)
        for v, label in zip(values, field.labels(values), strict=True)
    ]


@strawberry.type(description="A link to a public page.")
class PageLink:
    id: strawberry.ID
    title: str
    path: str = strawberry.field(description="Public path, e.g. /towns/mito/akiya/.")
    url: str = strawberry.field(description="Absolute URL on the public site.")


def check_rendition_filter(spec: str) -> None:
    allowed = settings.PORTAL_API_RENDITION_FILTERS
    if spec not in allowed:
        raise ApiInputError(
            f"画像の変換指定「{spec}」は使えません。使えるもの: {', '.join(allowed)}"
        )


def absolute(url: str, info: Info) -> str:
    if url.startswith(("http://", "https://")):
        return url
    return f"{info.context.cms_base_url}{url}"


@cache
def _filter(spec: str) -> Filter:
    return Filter(spec=spec)


def existing_or_new_rendition(image, spec: str):
    """The prefetched rendition if there is one (no cache write, unlike
    ``get_rendition``, which costs more than the lookup on a warm site), else a
    new one."""
    try:
        return image.find_existing_rendition(_filter(spec))
    except image.get_rendition_model().DoesNotExist:
        return image.get_rendition(spec)


@strawberry.type(description="An image resized by one of the allowed filters.")
class Rendition:
    filter: str
    url: str = strawberry.field(description="URL as the CMS's storage gives it.")
    full_url: str = strawberry.field(description="Absolute URL to download it from.")
    width: int
    height: int


@strawberry.type(
    description=(
        "An image of the library. Only renditions are offered (the original may "
        "carry location data in its EXIF)."
    )
)
class Image:
    id: strawberry.ID
    title: str
    width: int
    height: int
    file_hash: str = strawberry.field(
        description=(
            "SHA-1 of the original file (empty if not computed yet): it changes "
            "when the file is replaced, so a client can key its own caches on it."
        )
    )

    @strawberry.field(description="代替テキスト: the image's own description.")
    def alt(self) -> str:
        return self.description

    @strawberry.field(description="撮影者・出典")
    def credit(self) -> str:
        return self.credit

    @strawberry.field(
        description=(
            "The image resized by ``filter``, one of ``Site.renditionFilters`` "
            "(e.g. fill-400x300, width-800|format-webp). Null if the file is missing."
        )
    )
    def rendition(self, info: Info, filter: str) -> Rendition | None:
        check_rendition_filter(filter)
        try:
            rendition = existing_or_new_rendition(self, filter)
        except (SourceImageIOError, OSError):
            logger.warning("Image %s: file missing, no rendition %s", self.pk, filter)
            return None
        url = rendition.url  # asks the storage: once
        return Rendition(
            filter=filter,
            url=url,
            full_url=absolute(url, info),
            width=rendition.width,
            height=rendition.height,
        )


@strawberry.type(description="A document (申込書, 募集要項 …).")
class Document:
    id: strawberry.ID
    title: str
    description: str

    @strawberry.field
    def filename(self) -> str:
        return self.filename

    @strawberry.field
    def file_extension(self) -> str:
        return self.file_extension

    @strawberry.field(description="Size in bytes, when known.")
    def file_size(self) -> int | None:
        return self.file_size

    @strawberry.field(description="Public URL the static site links to.")
    def url(self) -> str:
        return f"{settings.PORTAL_SITE_URL}{document_public_path(self)}"

    @strawberry.field(description="Public path the static site links to.")
    def path(self) -> str:
        return document_public_path(self)

    @strawberry.field(description="Where the builder downloads the file from.")
    def download_url(self, info: Info) -> str:
        return absolute(self.url, info)
