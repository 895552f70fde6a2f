"""The site as a set of output files, each with the key of everything it is made
from. This is where incremental building is decided: a file whose key is the
same as in the manifest is not rendered again; a file that is rendered but
comes out with the same bytes is not written.

A key is the SHA-1 of the theme version, the site data and the file's own
inputs: a detail page's record hash and breadcrumbs; a list page's section
record, the card hashes of the items on that page and the paging; the
municipality page's counts and latest listings; the feed's entries; the
sitemap's paths and dates. Publishing one akiya therefore changes the keys of
its page, the list pages (of its town and of the prefecture) that show its card,
its town's page and the home page when they show it, the feed when it is in it,
and the sitemap — and nothing else. Everything here is pure.
"""

import hashlib
import json
import os
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property

from .snapshot import INDEX_OF, LISTING_TYPES, parent_path

#: Builder-made lists across all municipalities: type → (path, title).
GLOBAL_LISTS = {
    "akiya": ("/akiya/", "空き家バンク（県内すべて）"),
    "event": ("/events/", "お知らせ・イベント（県内すべて）"),
    "trial_stay": ("/trial-stays/", "お試し居住（県内すべて）"),
    "recruitment": ("/recruitment/", "地域おこし協力隊の募集（県内すべて）"),
    # /ties/ itself is the public side (registration, applying): the list is here.
    "program": ("/programs/", "関係人口の受入プログラム（県内すべて）"),
}
FAQ_PATH = "/faq/"
#: Pages the theme makes from site data alone: path → (template, title).
THEME_PAGES = {
    "/desks/": ("desks.html", "移住相談窓口"),
    "/search/": ("search.html", "サイト内検索"),
    # The chatbot's answers (where the chat widget sends people when its API is down).
    FAQ_PATH: ("faq.html", "よくある質問"),
}
HOME_LATEST = {"akiya": 6, "event": 4, "trial_stay": 3, "recruitment": 3, "article": 3}
MUNICIPALITY_LATEST = 3
FEED_ENTRIES = 50
FEED_PATH = "feed.atom"


@dataclass(frozen=True)
class Output:
    """One file of the site. ``kind`` and ``args`` say how to render it."""

    path: str  # relative file path, e.g. "towns/mito/index.html"
    kind: str
    args: tuple
    key: str
    is_page: bool = True  # an HTML page (counted, listed in the sitemap)


def file_of(url_path: str, page_no: int = 1) -> str:
    """``/towns/mito/`` (page 2) → ``towns/mito/page/2/index.html``."""
    base = url_path.strip("/")
    parts = [base] if base else []
    if page_no > 1:
        parts += ["page", str(page_no)]
    return "/".join([*parts, "index.html"])


def url_of(url_path: str, page_no: int = 1) -> str:
    return url_path if page_no == 1 else f"{url_path}page/{page_no}/"


def _key(*parts) -> str:
    return hashlib.sha1("\x1f".join(map(str, parts)).encode()).hexdigest()


def sort_cards(kind: str, cards: list[dict], municipality_order=None) -> list[dict]:
    if kind == "event":
        return sorted(
            cards, key=lambda c: (c.get("startAt") or c["first"], c["id"]), reverse=True
        )
    if kind == "article":
        return sorted(
            cards,
            key=lambda c: (c.get("date") or c["first"][:10], c["id"]),
            reverse=True,
        )
    if kind == "support":
        return sorted(cards, key=lambda c: (c["title"], c["id"]))
    if kind == "program":
        # Recruiting first, then by application deadline (soonest first).
        return sorted(
            cards,
            key=lambda c: (c.get("status") != "open", c.get("deadline") or "", c["id"]),
        )
    if kind == "municipality":
        order = municipality_order or {}
        return sorted(
            cards, key=lambda c: (order.get(c.get("municipalityId"), 9999), c["id"])
        )
    return sorted(cards, key=lambda c: (c["first"], c["id"]), reverse=True)


@dataclass
class Paging:
    number: int
    count: int  # pages
    total: int  # items
    items: list[dict]
    url_path: str

    def url(self, number: int) -> str:
        return url_of(self.url_path, number)


def pages_of(items: list[dict], size: int) -> int:
    return max(1, -(-len(items) // size))


@dataclass
class SiteModel:
    """Site data, the card of every page and their hashes."""

    site: dict
    municipalities: list[dict]
    cards: dict[int, dict]
    card_hashes: dict[int, str]
    record_hashes: dict[int, str]
    theme_version: str
    page_size: int = 20
    images_ready: frozenset = frozenset()
    extra_pages: list[tuple[str, str]] = field(default_factory=list)  # (url, title)
    faq: list[dict] = field(default_factory=list)  # sections of the API's ``faq``

    # Lookups ---------------------------------------------------------------------

    @cached_property
    def faq_hash(self) -> str:
        return hashlib.sha1(
            json.dumps(self.faq, sort_keys=True, ensure_ascii=False).encode()
        ).hexdigest()

    @cached_property
    def by_path(self) -> dict[str, dict]:
        return {c["path"]: c for c in self.cards.values()}

    @cached_property
    def children(self) -> dict[str, list[dict]]:
        grouped = defaultdict(list)
        for c in self.cards.values():
            parent = parent_path(c["path"])
            if parent is not None:
                grouped[parent].append(c)
        return grouped

    @cached_property
    def municipality_by_id(self) -> dict[int, dict]:
        return {int(m["id"]): m for m in self.municipalities}

    @cached_property
    def municipality_order(self) -> dict[int, int]:
        return {
            int(m["id"]): (m.get("sortOrder") or 0) * 1000 + n
            for n, m in enumerate(self.municipalities)
        }

    @cached_property
    def desks(self) -> dict[int, dict]:
        found = {}
        default = self.site.get("defaultDesk")
        if default:
            found[int(default["id"])] = default
        for municipality in self.municipalities:
            for desk in municipality.get("desks") or []:
                found[int(desk["id"])] = desk
        return found

    @cached_property
    def site_hash(self) -> str:
        from .snapshot import content_hash

        return content_hash(
            {
                "site": self.site,
                "municipalities": self.municipalities,
                "nav": self.nav,
                "extra": self.extra_pages,
            }
        )

    @cached_property
    def nav(self) -> list[dict]:
        """The municipalities with a public page, for menus and footers."""
        pages = {
            c["municipalityId"]: c
            for c in self.cards.values()
            if c["type"] == "municipality"
        }
        return [
            {"name": m["name"], "path": pages[int(m["id"])]["path"], "id": int(m["id"])}
            for m in self.municipalities
            if int(m["id"]) in pages
        ]

    @cached_property
    def of_type(self) -> dict[str, list[dict]]:
        grouped = defaultdict(list)
        for c in self.cards.values():
            grouped[c["type"]].append(c)
        return {
            kind: sort_cards(kind, cards, self.municipality_order)
            for kind, cards in grouped.items()
        }

    def listed_under(self, path: str, kind: str) -> list[dict]:
        if kind == "support" and parent_path(path) == "/":
            # The prefecture's list is the support-measure finder: every town's too.
            return self.of_type.get("support", [])
        return sort_cards(
            kind,
            [c for c in self.children.get(path, []) if c["type"] == kind],
            self.municipality_order,
        )

    def in_municipality(self, municipality_id: int, kind: str) -> list[dict]:
        return [
            c
            for c in self.of_type.get(kind, [])
            if c["municipalityId"] == municipality_id
        ]

    @cached_property
    def counts(self) -> dict[int, dict[str, int]]:
        found: dict[int, dict[str, int]] = defaultdict(
            lambda: dict.fromkeys(LISTING_TYPES, 0)
        )
        for c in self.cards.values():
            if c["type"] in LISTING_TYPES and c["municipalityId"]:
                found[c["municipalityId"]][c["type"]] += 1
        return found

    def breadcrumbs(self, path: str) -> list[tuple[str, str]]:
        parent = parent_path(path)
        return list(self._crumbs_below(parent)) if parent is not None else []

    def _crumbs_below(self, path: str) -> tuple[tuple[str, str], ...]:
        """The breadcrumbs of a page whose parent is ``path`` (memoised: ten
        thousand listings share a few hundred parents)."""
        memo = self.__dict__.setdefault("_crumb_memo", {})
        found = memo.get(path)
        if found is None:
            parent = parent_path(path)
            above = self._crumbs_below(parent) if parent is not None else ()
            card = self.by_path.get(path)
            found = (*above, (card["title"], card["path"])) if card else above
            memo[path] = found
        return found

    def _crumb_key(self, path: str) -> str:
        parent = parent_path(path)
        if parent is None:
            return ""
        memo = self.__dict__.setdefault("_crumb_key_memo", {})
        found = memo.get(parent)
        if found is None:
            found = memo[parent] = "|".join(
                f"{t}\x1e{p}" for t, p in self._crumbs_below(parent)
            )
        return found

    def image_sig(self, key: str | None) -> str:
        if key is None:
            return "-"
        return key if key in self.images_ready else f"{key}!"

    def _card_sigs(self, cards: list[dict]) -> str:
        return ",".join(
            f"{self.card_hashes[c['id']]}:{self.image_sig((c.get('thumb') or {}).get('key'))}"
            for c in cards
        )

    # Contexts (what a page shows besides its record) ----------------------------------

    def paging(self, url_path: str, items: list[dict], number: int) -> Paging:
        count = pages_of(items, self.page_size)
        start = (number - 1) * self.page_size
        return Paging(
            number, count, len(items), items[start : start + self.page_size], url_path
        )

    def home_latest(self) -> dict[str, list[dict]]:
        return {kind: self.of_type.get(kind, [])[:n] for kind, n in HOME_LATEST.items()}

    def municipality_sections(self, card: dict) -> dict:
        """What a municipality page shows of what lies below it."""
        below = {c["type"]: c for c in self.children.get(card["path"], [])}
        sections = []
        for index_type, kind in INDEX_OF.items():
            section = below.get(index_type)
            if section is None or kind not in (*LISTING_TYPES, "support", "program"):
                continue
            items = self.listed_under(section["path"], kind)
            sections.append(
                {
                    "kind": kind,
                    "title": section["title"],
                    "path": section["path"],
                    "count": len(items),
                    "latest": items[:MUNICIPALITY_LATEST]
                    if kind != "support"
                    else items,
                }
            )
        return {"sections": sections}

    def feed_entries(self) -> list[dict]:
        events = sorted(
            self.of_type.get("event", []),
            key=lambda c: (c["first"], c["id"]),
            reverse=True,
        )
        return events[:FEED_ENTRIES]

    # The outputs -------------------------------------------------------------------

    def outputs(self) -> list[Output]:
        base = (self.theme_version, self.site_hash)
        found: list[Output] = []
        for card in self.cards.values():
            pk, kind, path = card["id"], card["type"], card["path"]
            own = (*base, self.record_hashes[pk], self._crumb_key(path))
            listed = INDEX_OF.get(kind)
            if listed in LISTING_TYPES or listed in ("article", "program"):
                items = self.listed_under(path, listed)
                for number in range(1, pages_of(items, self.page_size) + 1):
                    paging = self.paging(path, items, number)
                    found.append(
                        Output(
                            file_of(path, number),
                            "page",
                            (pk, number),
                            _key(
                                *own,
                                number,
                                paging.count,
                                paging.total,
                                self._card_sigs(paging.items),
                            ),
                        )
                    )
                continue
            if kind == "home":
                latest = self.home_latest()
                extra = [self._card_sigs(latest[k]) for k in sorted(latest)]
            elif kind == "municipality":
                sections = self.municipality_sections(card)["sections"]
                extra = [
                    (s["kind"], s["path"], s["count"], self._card_sigs(s["latest"]))
                    for s in sections
                ]
            elif kind in ("municipality_index", "support_index"):
                items = self.listed_under(path, listed)
                if kind == "municipality_index":
                    extra = [
                        self._card_sigs(items),
                        sorted((k, sorted(v.items())) for k, v in self.counts.items()),
                    ]
                else:
                    extra = [self._card_sigs(items)]
            else:
                images = self._image_sigs(pk)
                extra = [images]
            found.append(Output(file_of(path), "page", (pk, 1), _key(*own, *extra)))
            if kind == "event":
                found.append(
                    Output(
                        f"{path.strip('/')}/event.ics",
                        "ics",
                        (pk,),
                        _key(
                            self.theme_version, self.site["url"], self.record_hashes[pk]
                        ),
                        is_page=False,
                    )
                )
        for kind, (path, _title) in GLOBAL_LISTS.items():
            if path in self.by_path:
                continue  # a CMS page of that path wins
            items = self.of_type.get(kind, [])
            for number in range(1, pages_of(items, self.page_size) + 1):
                paging = self.paging(path, items, number)
                found.append(
                    Output(
                        file_of(path, number),
                        "list",
                        (kind, number),
                        _key(
                            *base,
                            kind,
                            number,
                            paging.count,
                            paging.total,
                            self._card_sigs(paging.items),
                        ),
                    )
                )
        from .finder import finder_output  # the akiya finder's JSON index

        found.append(finder_output(self))
        for path, (template, _title) in THEME_PAGES.items():
            if path not in self.by_path:  # a CMS page of that path wins
                key = _key(
                    *base, path, template, self.faq_hash if path == FAQ_PATH else ""
                )
                found.append(Output(file_of(path), "theme_page", (path,), key))
        found.append(
            Output(
                FEED_PATH,
                "feed",
                (),
                _key(*base, self._card_sigs(self.feed_entries())),
                is_page=False,
            )
        )
        found.append(Output("404.html", "notfound", (), _key(*base), is_page=False))
        found.append(
            Output(
                "robots.txt",
                "robots",
                (),
                _key(self.theme_version, self.site["url"]),
                is_page=False,
            )
        )
        if origin := api_origin():
            found.append(
                Output(
                    "_redirects", "redirects", (origin,), _key(origin), is_page=False
                )
            )
        return found

    def _image_sigs(self, pk: int) -> str:
        keys = self.cards[pk].get("images") or ()
        ready = self.images_ready
        return ",".join(k if k in ready else f"{k}!" for k in keys)


def api_origin() -> str:
    """Where a Netlify-hosted site proxies its public endpoints (``_redirects``):
    netlify.toml cannot read environment variables, so the build writes the rules."""
    return os.environ.get("PORTAL_API_ORIGIN", "").rstrip("/")


PROXIED_PREFIXES = ("api", "reserve", "mail", "line", "community", "ties")


def sitemap_output(theme_version: str, site_url: str, entries: list[tuple[str, str]]):
    """The sitemap's output, keyed by its (path, lastmod) entries."""
    return Output(
        "sitemap.xml",
        "sitemap",
        (tuple(entries),),
        _key(theme_version, site_url, *(f"{p} {m}" for p, m in entries)),
        is_page=False,
    )
