"""The HTML passes over the CMS's rich text, once per fragment (cached by content
hash, so a full rebuild of 10,000 pages parses each distinct fragment once and
an incremental build only the changed ones; templates themselves are not parsed).

* links to the public site become root-relative (``/towns/mito/``), so the
  output works at any host and the link check can follow them;
* external links get ``rel="noopener"``;
* images embedded from the CMS's media become placeholders that the renderer
  expands into responsive ``<picture>`` markup (width, height, lazy loading), and
  their sources are handed to the image pipeline;
* links to documents are collected, so the build copies the files.
"""

import hashlib
import json
import re
import urllib.parse
from dataclasses import dataclass, field

from bs4 import BeautifulSoup

from .images import source_key

#: Bump when the passes change (the cache key includes it).
PASSES_VERSION = "1"
IMAGE_PLACEHOLDER = re.compile(r'<img data-portal-image="([0-9a-f]+)"([^>]*)/?>')
_ATTRIBUTE = re.compile(r'([a-z-]+)="([^"]*)"')


@dataclass
class Fragment:
    html: str
    images: list[list[str]] = field(default_factory=list)  # [key, source url]
    documents: list[str] = field(default_factory=list)  # public paths

    def to_json(self) -> str:
        return json.dumps(
            {"html": self.html, "images": self.images, "documents": self.documents},
            ensure_ascii=False,
            separators=(",", ":"),
        )

    @classmethod
    def from_json(cls, text: str) -> "Fragment":
        data = json.loads(text)
        return cls(data["html"], data["images"], data["documents"])


def fragment_hash(html: str, site_url: str, cms_url: str) -> str:
    text = f"{PASSES_VERSION}\n{site_url}\n{cms_url}\n{html}"
    return hashlib.sha1(text.encode()).hexdigest()


def _internal_path(url: str, site_url: str) -> str | None:
    """The root-relative path of a link into the public site, else None."""
    if url.startswith(("/", "#")) and not url.startswith("//"):
        return url
    if site_url and (url == site_url or url.startswith(site_url + "/")):
        return url[len(site_url) :] or "/"
    return None


def _cms_file(url: str, cms_url: str) -> str | None:
    if url.startswith("/") and not url.startswith("//"):
        return url
    if cms_url and url.startswith(cms_url + "/"):
        return url
    return None


def run_passes(html: str, site_url: str, cms_url: str) -> Fragment:
    """The passes on one fragment. Pure: no I/O."""
    if not html or "<" not in html:
        return Fragment(html or "")
    soup = BeautifulSoup(html, "lxml")
    root = soup.body or soup
    result = Fragment("")
    for anchor in root.find_all("a", href=True):
        href = anchor["href"].strip()
        internal = _internal_path(href, site_url)
        if internal is not None:
            anchor["href"] = internal
            path = urllib.parse.urlsplit(internal).path
            if path.startswith("/documents/") and path not in result.documents:
                result.documents.append(path)
        elif href.startswith(("http://", "https://", "//")):
            rel = set(anchor.get("rel") or [])
            rel.add("noopener")
            anchor["rel"] = sorted(rel)
    for image in root.find_all("img"):
        source = _cms_file(image.get("src", ""), cms_url)
        if source is None:
            # An image from elsewhere: keep it, but never let it block rendering.
            image["loading"] = "lazy"
            image["decoding"] = "async"
            continue
        key = source_key(source, image.get("width"), image.get("height"))
        placeholder = soup.new_tag("img")
        placeholder["data-portal-image"] = key
        placeholder["alt"] = image.get("alt", "")
        classes = image.get("class")
        if classes:
            placeholder["class"] = " ".join(classes)
        image.replace_with(placeholder)
        if [key, source] not in result.images:
            result.images.append([key, source])
    result.html = "".join(str(child) for child in root.contents)
    return result


def placeholder_attributes(text: str) -> dict[str, str]:
    return dict(_ATTRIBUTE.findall(text))
