"""The internal link check: every root-relative link of every HTML file must
lead to a file of the output (``/towns/mito/`` to ``towns/mito/index.html``),
or to a path served beside the static site (``site.PROXIED_PREFIXES``: the
public endpoints under ``/api/``, the booking pages under ``/reserve/``, the
関係人口 forms under ``/ties/`` …). Pure."""

import urllib.parse
from dataclasses import dataclass

from .site import PROXIED_PREFIXES

#: Paths served next to the static site (proxied to the CMS's public side:
#: endpoints, booking pages, the 関係人口 forms under /ties/ …).
SERVED_ELSEWHERE = tuple(f"/{prefix}/" for prefix in PROXIED_PREFIXES)


@dataclass(frozen=True)
class BrokenLink:
    page: str  # the URL path of the page with the link
    link: str

    def message(self) -> str:
        return f"ページ {self.page} のリンク {self.link} の行き先がありません。"


def page_url(file_path: str) -> str:
    if file_path == "index.html":
        return "/"
    if file_path.endswith("/index.html"):
        return "/" + file_path[: -len("index.html")]
    return "/" + file_path


def targets(link: str) -> tuple[str, ...]:
    """Output files a root-relative link may point at."""
    path = urllib.parse.unquote(link).lstrip("/")
    if not path:
        return ("index.html",)
    if path.endswith("/"):
        return (f"{path}index.html",)
    return (path, f"{path}/index.html")


def broken_links(
    links_by_file: dict[str, tuple[str, ...]],
    files: set[str],
    served_elsewhere: tuple[str, ...] = SERVED_ELSEWHERE,
) -> list[BrokenLink]:
    found = []
    ok_cache: dict[str, bool] = {}
    for file_path in sorted(links_by_file):
        for link in links_by_file[file_path]:
            ok = ok_cache.get(link)
            if ok is None:
                ok = link.startswith(served_elsewhere) or any(
                    t in files for t in targets(link)
                )
                ok_cache[link] = ok
            if not ok:
                found.append(BrokenLink(page_url(file_path), link))
    return found
