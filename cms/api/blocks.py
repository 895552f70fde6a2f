"""StreamField blocks as GraphQL types: one registry, ``BODY_BLOCKS``, maps each
block of ``cms.core.blocks.BodyBlock`` to its GraphQL type, and the ``BodyBlock``
union is built from it. Adding a block to ``BodyBlock`` means adding one entry here
(a test fails until you do).

Blocks are built from the stream's raw JSON, with every image, document, desk and
page they name looked up through the request's ``ContentLoader`` (batched)."""

from typing import Annotated, Union

import strawberry

from .objects import Document, Image, PageLink, RichText

DeskType = Annotated["Desk", strawberry.lazy("cms.api.types")]  # noqa: F821


def _list_items(raw) -> list[tuple[str | None, object]]:
    """ListBlock raw data: ``[{"type": "item", "value": …, "id": …}]`` (or the
    older plain list of values)."""
    items = []
    for item in raw or []:
        if isinstance(item, dict) and item.get("type") == "item" and "value" in item:
            items.append((item.get("id"), item["value"]))
        else:
            items.append((None, item))
    return items


@strawberry.type(description="見出し")
class HeadingBlock:
    id: str | None
    text: str
    level: str = strawberry.field(description="h2, h3 or h4")

    @classmethod
    def from_raw(cls, block_id, raw, loader):
        return cls(
            id=block_id, text=raw.get("text", ""), level=raw.get("level") or "h2"
        )


@strawberry.type(description="本文 (rich text)")
class ParagraphBlock:
    id: str | None
    html: RichText

    @classmethod
    def from_raw(cls, block_id, raw, loader):
        return cls(id=block_id, html=loader.rich_text(raw or ""))


@strawberry.type(description="画像 (with its alt text and caption)")
class ImageBlock:
    id: str | None
    image: Image | None = strawberry.field(description="Null if the image was deleted.")
    alt: str = strawberry.field(description="Alt text here; empty when decorative.")
    decorative: bool
    caption: str

    @classmethod
    def from_raw(cls, block_id, raw, loader):
        raw = raw or {}
        chosen = raw.get("image")
        if isinstance(
            chosen, dict
        ):  # ImageBlock: {"image": id, "alt_text", "decorative"}
            image_id = chosen.get("image")
            decorative = bool(chosen.get("decorative"))
            alt_text = chosen.get("alt_text") or ""
        else:  # an older ImageChooserBlock value: the id alone
            image_id, decorative, alt_text = chosen, False, ""
        image = loader.images.get(image_id)
        alt = "" if decorative else (alt_text or (image.description if image else ""))
        return cls(
            id=block_id,
            image=image,
            alt=alt,
            decorative=decorative,
            caption=raw.get("caption") or "",
        )


@strawberry.type(description="フォトギャラリー")
class GalleryBlock:
    id: str | None
    title: str
    images: list[ImageBlock]

    @classmethod
    def from_raw(cls, block_id, raw, loader):
        return cls(
            id=block_id,
            title=raw.get("title") or "",
            images=[
                ImageBlock.from_raw(item_id, value, loader)
                for item_id, value in _list_items(raw.get("images"))
            ],
        )


@strawberry.type(description="表")
class TableBlock:
    id: str | None
    caption: str
    first_row_is_header: bool
    first_col_is_header: bool
    rows: list[list[str | None]]

    @classmethod
    def from_raw(cls, block_id, raw, loader):
        raw = raw or {}
        rows = [
            [None if cell is None else str(cell) for cell in row]
            for row in raw.get("data") or []
        ]
        return cls(
            id=block_id,
            caption=raw.get("table_caption") or "",
            first_row_is_header=bool(raw.get("first_row_is_table_header")),
            first_col_is_header=bool(raw.get("first_col_is_header")),
            rows=rows,
        )


@strawberry.type(description="リンクボタン")
class ButtonBlock:
    id: str | None
    label: str
    url: str | None = strawberry.field(
        description="Where the button goes; null when its page is not public."
    )
    page: PageLink | None = strawberry.field(description="The portal page, if any.")

    @classmethod
    def from_raw(cls, block_id, raw, loader):
        page = loader.link_pages.get(raw.get("page")) if raw.get("page") else None
        url = page.url if page else (raw.get("url") or None)
        return cls(id=block_id, label=raw.get("label") or "", url=url, page=page)


@strawberry.type(description="よくある質問")
class FaqBlock:
    id: str | None
    question: str
    answer: RichText

    @classmethod
    def from_raw(cls, block_id, raw, loader):
        return cls(
            id=block_id,
            question=raw.get("question") or "",
            answer=loader.rich_text(raw.get("answer") or ""),
        )


@strawberry.type(description="引用・移住者の声")
class QuoteBlock:
    id: str | None
    text: str
    attribution: str

    @classmethod
    def from_raw(cls, block_id, raw, loader):
        return cls(
            id=block_id,
            text=raw.get("text") or "",
            attribution=raw.get("attribution") or "",
        )


@strawberry.type(description="ダウンロード")
class DocumentBlock:
    id: str | None
    document: Document | None = strawberry.field(
        description="Null if the document was deleted or is not public."
    )
    label: str = strawberry.field(
        description="The link text (the document's title if empty)."
    )

    @classmethod
    def from_raw(cls, block_id, raw, loader):
        document = loader.documents.get(raw.get("document"))
        label = raw.get("label") or (document.title if document else "")
        return cls(id=block_id, document=document, label=label)


@strawberry.type(description="相談窓口")
class DeskBlock:
    id: str | None
    desk: DeskType | None

    @classmethod
    def from_raw(cls, block_id, raw, loader):
        return cls(id=block_id, desk=loader.desk(raw.get("desk")))


#: BodyBlock child name → GraphQL type. The one place a block joins the contract.
BODY_BLOCKS: dict[str, type] = {
    "heading": HeadingBlock,
    "paragraph": ParagraphBlock,
    "image": ImageBlock,
    "gallery": GalleryBlock,
    "table": TableBlock,
    "button": ButtonBlock,
    "faq": FaqBlock,
    "quote": QuoteBlock,
    "document": DocumentBlock,
    "desk": DeskBlock,
}

BodyBlock = Annotated[
    Union[tuple(BODY_BLOCKS.values())],  # noqa: UP007
    strawberry.union("BodyBlock", description="One block of a StreamField body."),
]


def body_blocks(raw_stream: list, loader) -> list:
    """A StreamField's raw data as GraphQL block objects (unknown types skipped)."""
    blocks = []
    for item in raw_stream:
        block_type = BODY_BLOCKS.get(item.get("type"))
        if block_type is not None:
            blocks.append(
                block_type.from_raw(item.get("id"), item.get("value"), loader)
            )
    return blocks
