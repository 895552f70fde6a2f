"""Rendering one output file: the template for its kind, the context it needs,
and the helpers templates use (responsive pictures, Japanese dates and money,
rich text with its image placeholders expanded).

Rendering is a pure function of the ``SiteModel``, the page records, the image
variants and the theme, which is what lets a file be skipped when its key (see
``builders.site``) has not changed.
"""

import datetime
import json
import re
from collections.abc import Callable
from functools import lru_cache
from zoneinfo import ZoneInfo

import jinja2
from markupsafe import Markup, escape

from cms.core.japanese import format_date

from .fragments import IMAGE_PLACEHOLDER, placeholder_attributes
from .images import image_key
from .search import shard_urls
from .site import FEED_PATH, GLOBAL_LISTS, THEME_PAGES, Output, SiteModel, url_of

TOKYO = ZoneInfo("Asia/Tokyo")

TEMPLATES = {
    "home": "home.html",
    "municipality_index": "municipality_index.html",
    "municipality": "municipality.html",
    "support_index": "support_index.html",
    "support": "support.html",
    "article_index": "article_index.html",
    "article": "article.html",
    "standard": "standard.html",
    "event_index": "listing_index.html",
    "akiya_index": "listing_index.html",
    "trial_stay_index": "listing_index.html",
    "recruitment_index": "listing_index.html",
    "event": "event.html",
    "akiya": "akiya.html",
    "trial_stay": "trial_stay.html",
    "recruitment": "recruitment.html",
    "program_index": "listing_index.html",
    "program": "program.html",
}
LIST_KIND_OF = {
    "event_index": "event",
    "akiya_index": "akiya",
    "trial_stay_index": "trial_stay",
    "recruitment_index": "recruitment",
    "article_index": "article",
    "program_index": "program",
}

# --- Formatting (pure; also Jinja filters) --------------------------------------------


@lru_cache(maxsize=4096)
def _parse(value: str) -> datetime.datetime | datetime.date:
    if "T" in value:
        moment = datetime.datetime.fromisoformat(value)
        return moment.astimezone(TOKYO) if moment.tzinfo else moment
    return datetime.date.fromisoformat(value[:10])


def tracking_snippet(script_src: str) -> Markup:
    """The analytics script (cms.analytics) as a file: CSP forbids inline scripts."""
    from cms.analytics.snippet import tracking_snippet as snippet

    return Markup(snippet(src=script_src))


def faq_jsonld(faq: list[dict]) -> Markup:
    """schema.org FAQPage of the FAQ sections, safe inside <script>."""
    entities = [
        {
            "@type": "Question",
            "name": item["question"],
            "acceptedAnswer": {"@type": "Answer", "text": item["html"]},
        }
        for section in faq
        for item in section["items"]
    ]
    data = {
        "@context": "https://schema.org",
        "@type": "FAQPage",
        "mainEntity": entities,
    }
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return Markup(text.replace("<", "\\u003c").replace(">", "\\u003e"))


def date_ja(value, weekday: bool = False) -> str:
    """``2026-07-01`` → ``2026年7月1日`` (``（水）`` with ``weekday``)."""
    if not value:
        return ""
    return format_date(_parse(str(value)), weekday)


def time_ja(value) -> str:
    if not value:
        return ""
    moment = _parse(str(value))
    return (
        f"{moment.hour}:{moment.minute:02d}"
        if isinstance(moment, datetime.datetime)
        else ""
    )


def period_ja(start, end) -> str:
    """An event's dates: ``2026年7月1日（水）13:00〜16:00``."""
    if not start:
        return ""
    text = f"{date_ja(start, weekday=True)} {time_ja(start)}".strip()
    if end:
        same_day = (
            _parse(str(start)).date() == _parse(str(end)).date()
            if "T" in str(end)
            else False
        )
        text += "〜" + (
            time_ja(end) if same_day else f"{date_ja(end, True)} {time_ja(end)}".strip()
        )
    return text


def iso_date(value) -> str:
    if not value:
        return ""
    moment = _parse(str(value))
    return (
        moment.date().isoformat()
        if isinstance(moment, datetime.datetime)
        else moment.isoformat()
    )


def yen(value) -> str:
    if value is None or value == "":
        return ""
    return f"{int(value):,}円"


def area(value) -> str:
    if value in (None, ""):
        return ""
    number = float(value)
    text = f"{number:,.2f}".rstrip("0").rstrip(".")
    return f"{text}㎡"


def filesize(value) -> str:
    if not value:
        return ""
    size = float(value)
    for unit in ("B", "KB", "MB"):
        if size < 1024:
            return f"{size:.0f}{unit}" if unit == "B" else f"{size:.1f}{unit}"
        size /= 1024
    return f"{size:.1f}GB"


# --- Pictures -----------------------------------------------------------------------


def picture_html(
    variants: dict | None,
    alt: str,
    sizes: str = "100vw",
    css: str = "",
    eager: bool = False,
) -> Markup:
    """``<picture>`` with WebP and JPEG ``srcset``, width/height and lazy loading."""
    if not variants:
        return Markup("")
    largest_w, largest_h, largest = variants["jpeg"][-1]
    loading = 'fetchpriority="high"' if eager else 'loading="lazy"'
    css_attr = f' class="{escape(css)}"' if css else ""
    if largest_w is None:  # a preview's draft image: one file, size unknown
        return Markup(
            f'<img src="{escape(largest)}" alt="{escape(alt)}"{css_attr} {loading}>'
        )
    webp = ", ".join(f"{path} {w}w" for w, _, path in variants["webp"])
    jpeg = ", ".join(f"{path} {w}w" for w, _, path in variants["jpeg"])
    source = (
        f'<source type="image/webp" srcset="{webp}" sizes="{escape(sizes)}">'
        if variants["webp"]
        else ""
    )
    return Markup(
        f"<picture>{source}"
        f'<img src="{largest}" srcset="{jpeg}" sizes="{escape(sizes)}" '
        f'width="{largest_w}" height="{largest_h}" alt="{escape(alt)}"{css_attr} '
        f'{loading} decoding="async"></picture>'
    )


_DICT_NAMES = frozenset(dir(dict))


class DictFirstEnvironment(jinja2.Environment):
    """Jinja's environment, with ``page.title`` on a plain dict looked up as the
    key straight away. Jinja tries ``getattr(page, "title")`` first and the key
    after it, and on a dict the first can only succeed for a name of dict's own
    (``items``, ``get`` …): those still go Jinja's way, so every lookup gives what
    it gave before. The records and cards the templates read are dicts: a large
    build makes three million such lookups, and the failed attribute lookup was
    most of their cost."""

    def getattr(self, obj, attribute):
        if type(obj) is dict and attribute not in _DICT_NAMES:
            try:
                return obj[attribute]
            except KeyError:
                pass
        return super().getattr(obj, attribute)


def dict_first(env: jinja2.Environment) -> jinja2.Environment:
    """``env`` (Pelican made it) with ``DictFirstEnvironment``'s lookup; the
    subclass adds no state, so the templates it already loaded stay valid."""
    if type(env) is jinja2.Environment:
        env.__class__ = DictFirstEnvironment
    return env


class Renderer:
    """Renders outputs with a Jinja environment (Pelican's, with the theme)."""

    def __init__(
        self,
        env,
        model: SiteModel,
        records: Callable[[int], dict],
        images: dict[str, dict],
        pelican_context: dict | None = None,
    ):
        self.env = dict_first(env)
        self.model = model
        self.records = records
        self.images = images
        self.site = model.site
        self.site_url = model.site["url"].rstrip("/")
        self.pelican_context = pelican_context or {}
        self._templates: dict[str, object] = {}
        self.globals = {
            "SITE": self.site,
            "SITE_URL": self.site_url,
            "NAV": model.nav,
            "GLOBAL_LISTS": GLOBAL_LISTS,
            "SEARCH_SHARDS": shard_urls(),
            "FEED_URL": f"/{FEED_PATH}",
            "EXTRA_PAGES": model.extra_pages,
            "picture": self.picture,
            "image_src": self.image_src,
            "tracking_snippet": tracking_snippet,
            "rich": self.rich,
            "desk": self.desk,
            "municipality": self.municipality,
            "url_of": url_of,
            "asset": self.pelican_context.get("asset", lambda name: f"/{name}"),
        }
        self.globals.update(
            site_header=self.site_header,
            site_footer=self.site_footer,
            card_html=self.card_html,
        )
        self._memo: dict = {}
        # Globals of the environment, so imported macros see them too.
        self.env.globals.update(self.globals)

    # Helpers for templates ----------------------------------------------------------

    def picture(self, ref, sizes="100vw", css="", eager=False) -> Markup:
        if not ref:
            return Markup("")
        # The site's logo comes as the API's image (no cache key yet).
        key = ref.get("key") or image_key(ref)
        return picture_html(self.images.get(key), ref.get("alt", ""), sizes, css, eager)

    def image_src(self, ref, width: int = 1200) -> dict | None:
        """The JPEG variant of ``ref`` nearest ``width`` (for og:image), as
        ``{"src", "width", "height"}``."""
        variants = self.images.get(ref.get("key") or image_key(ref)) if ref else None
        if not variants or not variants.get("jpeg"):
            return None
        w, h, src = min(variants["jpeg"], key=lambda v: abs((v[0] or width) - width))
        return {"src": src, "width": w, "height": h}

    def rich(self, html: str | None) -> Markup:
        if not html:
            return Markup("")
        if "data-portal-image" not in html:
            return Markup(html)

        def expand(match: re.Match) -> str:
            attributes = placeholder_attributes(match.group(2))
            variants = self.images.get(match.group(1))
            css = attributes.get("class", "")
            return str(
                picture_html(
                    variants,
                    attributes.get("alt", ""),
                    "(min-width: 48rem) 44rem, 100vw",
                    css,
                )
            )

        return Markup(IMAGE_PLACEHOLDER.sub(expand, html))

    # Parts that are the same on many pages are rendered once per build: the
    # header and footer (site data only) and each card (its card only).

    def forget_parts(self) -> None:
        """Render the shared parts again (the images they show changed)."""
        self._memo.clear()

    def _once(self, key, make) -> Markup:
        found = self._memo.get(key)
        if found is None:
            found = self._memo[key] = Markup(make())
        return found

    def site_header(self) -> Markup:
        return self._once(
            "header", lambda: self.template("partials/header.html").render()
        )

    def site_footer(self) -> Markup:
        return self._once(
            "footer", lambda: self.template("partials/footer.html").render()
        )

    def card_html(self, card: dict, heading: str = "h3") -> Markup:
        module = self.template("partials/cards.html").module
        return self._once(
            ("card", card["id"], heading), lambda: module.card(card, heading)
        )

    def desk(self, pk):
        return self.model.desks.get(pk) if pk else None

    def municipality(self, pk):
        return self.model.municipality_by_id.get(pk) if pk else None

    def template(self, name: str):
        found = self._templates.get(name)
        if found is None:
            found = self._templates[name] = self.env.get_template(name)
        return found

    # Rendering ----------------------------------------------------------------------

    def render(self, output: Output) -> bytes:
        method = getattr(self, f"_render_{output.kind}")
        return method(output).encode("utf-8")

    def _page(self, template: str, **context) -> str:
        return self.template(template).render({**self.globals, **context})

    def _render_page(self, output: Output) -> str:
        pk, number = output.args
        record = self.records(pk)
        kind = record["type"]
        context = {
            "page": record,
            "crumbs": self.model.breadcrumbs(record["path"]),
            "canonical": self.site_url + url_of(record["path"], number),
            "municipality_info": self.municipality(record.get("municipalityId")),
        }
        listed = LIST_KIND_OF.get(kind)
        if listed:
            items = self.model.listed_under(record["path"], listed)
            context["paging"] = self.model.paging(record["path"], items, number)
            context["list_kind"] = listed
        elif kind == "home":
            context["latest"] = self.model.home_latest()
        elif kind == "municipality":
            context.update(self.model.municipality_sections(self.model.cards[pk]))
        elif kind == "municipality_index":
            context["items"] = self.model.listed_under(record["path"], "municipality")
            context["counts"] = self.model.counts
        elif kind == "support_index":
            context["items"] = self.model.listed_under(record["path"], "support")
        return self._page(TEMPLATES[kind], **context)

    def _render_list(self, output: Output) -> str:
        kind, number = output.args
        path, title = GLOBAL_LISTS[kind]
        items = self.model.of_type.get(kind, [])
        return self._page(
            "listing_index.html",
            page={"title": title, "path": path, "type": f"{kind}_all", "intro": ""},
            crumbs=[("トップページ", "/")] if "/" in self.model.by_path else [],
            canonical=self.site_url + url_of(path, number),
            paging=self.model.paging(path, items, number),
            list_kind=kind,
            global_list=True,
        )

    def _render_theme_page(self, output: Output) -> str:
        (path,) = output.args
        template, title = THEME_PAGES[path]
        return self._page(
            template,
            page={"title": title, "path": path, "type": "theme"},
            crumbs=[("トップページ", "/")] if "/" in self.model.by_path else [],
            canonical=self.site_url + path,
            faq=self.model.faq,
        )

    def _render_finder(self, output: Output) -> str:
        from .finder import finder_json

        return finder_json(self.model, self.records, self.images)

    def _render_notfound(self, output: Output) -> str:
        return self._page(
            "404.html", page={"title": "ページが見つかりません"}, crumbs=[]
        )

    def _render_robots(self, output: Output) -> str:
        return (
            "User-agent: *\nAllow: /\nDisallow: /api/\nDisallow: /reserve/\n\n"
            f"Sitemap: {self.site_url}/sitemap.xml\n"
        )

    def _render_redirects(self, output: Output) -> str:
        from .site import PROXIED_PREFIXES

        (origin,) = output.args
        return "".join(
            f"/{prefix}/*  {origin}/{prefix}/:splat  200!\n"
            for prefix in PROXIED_PREFIXES
        )

    def _render_feed(self, output: Output) -> str:
        entries = self.model.feed_entries()
        updated = max((c["last"] for c in entries), default="")
        return self._page("feed.atom", entries=entries, updated=updated)

    def _render_sitemap(self, output: Output) -> str:
        return self._page("sitemap.xml", entries=output.args[0] if output.args else [])

    def _render_ics(self, output: Output) -> str:
        from .calendar import event_ics

        record = self.records(output.args[0])
        return event_ics(record, self.site_url, self.site["name"])
