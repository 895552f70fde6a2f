"""Rich text as the public site shows it: Wagtail's stored HTML with its internal
references (``<a linktype="page" id="12">``, document links, embedded images)
turned into public URLs.

Two pure steps, so a whole page of results costs one lookup per kind of reference
instead of one per link: ``references_in`` lists what an HTML string points at, and
``expand`` rewrites it with lookups the caller has batched. A link to a page that
is not public keeps its text but loses its ``href``: the static site never links to
a draft or a private page.
"""

import re
from dataclasses import dataclass, field

from django.utils.html import escape
from wagtail.rich_text.rewriters import FIND_A_TAG, FIND_EMBED_TAG, extract_attrs


@dataclass
class References:
    """Ids of what some content points at, by kind."""

    pages: set[int] = field(default_factory=set)
    documents: set[int] = field(default_factory=set)
    images: set[int] = field(default_factory=set)
    desks: set[int] = field(default_factory=set)

    def update(self, other: "References") -> None:
        self.pages |= other.pages
        self.documents |= other.documents
        self.images |= other.images
        self.desks |= other.desks


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def references_in(html: str) -> References:
    found = References()
    if not html:
        return found
    for match in FIND_A_TAG.finditer(html):
        attrs = extract_attrs(match.group(1))
        kind, pk = attrs.get("linktype"), _int(attrs.get("id"))
        if pk is None:
            continue
        if kind == "page":
            found.pages.add(pk)
        elif kind == "document":
            found.documents.add(pk)
    for match in FIND_EMBED_TAG.finditer(html):
        attrs = extract_attrs(match.group(1))
        if attrs.get("embedtype") == "image" and (pk := _int(attrs.get("id"))):
            found.images.add(pk)
    return found


@dataclass(frozen=True)
class EmbeddedImage:
    url: str
    width: int
    height: int


def expand(html: str, *, page_url, document_url, embedded_image) -> str:
    """Rewrite stored rich text for the public site.

    ``page_url(id)`` and ``document_url(id)`` give a public URL or ``None`` (not
    public); ``embedded_image(id)`` gives an ``EmbeddedImage`` or ``None``.
    """
    if not html:
        return ""

    def link(match: re.Match) -> str:
        attrs = extract_attrs(match.group(1))
        kind = attrs.get("linktype")
        if kind is None:
            return match.group(0)  # an ordinary external or mailto link
        pk = _int(attrs.get("id"))
        if kind == "page":
            url = page_url(pk) if pk else None
        elif kind == "document":
            url = document_url(pk) if pk else None
        else:
            url = None
        return f'<a href="{escape(url)}">' if url else "<a>"

    def embed(match: re.Match) -> str:
        attrs = extract_attrs(match.group(1))
        kind = attrs.get("embedtype")
        if kind == "image":
            pk = _int(attrs.get("id"))
            image = embedded_image(pk) if pk else None
            if image is None:
                return ""
            css = {"left": "left", "right": "right"}.get(attrs.get("format"), "full")
            return (
                f'<img class="richtext-image {css}" src="{escape(image.url)}" '
                f'width="{image.width}" height="{image.height}" '
                f'alt="{escape(attrs.get("alt", ""))}">'
            )
        if kind == "media" and attrs.get("url"):
            # The static site cannot call oEmbed providers at build time without
            # the network; a plain link keeps the content reachable.
            url = escape(attrs["url"])
            return f'<p><a href="{url}">{url}</a></p>'
        return ""

    html = FIND_A_TAG.sub(link, html)
    return FIND_EMBED_TAG.sub(embed, html)
