"""Previews rendered by the real theme: one draft page, as the build would render
it, among the site as the last build left it.

The draft comes from the content API (a preview token); the other pages' cards
and records come from the build state, so a preview of a listing shows the real
header, menus and breadcrumbs, and a preview of a list page the real cards. Images
of the draft are shown from the CMS's renditions (they have not been resized by a
build yet); images of published pages from the public site.
"""

from dataclasses import dataclass
from pathlib import Path

from jinja2 import Environment, FileSystemLoader

from .fragments import run_passes
from .render import Renderer
from .site import Output, SiteModel, file_of
from .snapshot import card, card_hash, content_hash, normalize
from .state import BuildState

ROOT = Path(__file__).resolve().parent.parent
THEME = ROOT / "themes" / "portal"
BANNER = (
    '<div class="preview-banner" role="status">プレビュー表示です（下書きを含みます）。'
    "公開サイトにはまだ表示されていません。</div>"
)


@dataclass
class PreviewInput:
    item: dict  # the API's BuilderPage item of the draft
    site: dict  # the API's BuilderSite answer (site, municipalities)
    cms_url: str
    state_path: Path | None = None
    asset: object = None  # logical theme file name → URL
    theme: Path = THEME


def jinja_environment(theme: Path) -> Environment:
    """A Jinja environment like the one Pelican gives the theme in a build."""
    from pelican.settings import read_settings

    settings = read_settings(str(ROOT / "site" / "pelicanconf.py"))
    options = {
        k: v for k, v in settings["JINJA_ENVIRONMENT"].items() if k != "bytecode_cache"
    }
    env = Environment(loader=FileSystemLoader(str(theme / "templates")), **options)
    env.filters.update(settings.get("JINJA_FILTERS", {}))
    return env


def _direct_variants(image: dict | None) -> dict | None:
    """Variants that point at the CMS rendition itself."""
    if not image or not image.get("src"):
        return None
    src = image["src"]
    entry = [src["width"], src["height"], src["url"]]
    return {"width": src["width"], "height": src["height"], "jpeg": [entry], "webp": []}


def _published_variants(variants: dict, site_url: str) -> dict:
    def absolute(rows):
        return [[w, h, f"{site_url}{path}"] for w, h, path in rows]

    return {
        **variants,
        "jpeg": absolute(variants["jpeg"]),
        "webp": absolute(variants["webp"]),
    }


def render_preview(data: PreviewInput) -> str:
    site = data.site["site"]
    site_url = site["url"].rstrip("/")

    def process(html: str):
        return run_passes(html, site_url, data.cms_url)

    record, needs = normalize(data.item, process)
    draft_card = card(record)
    cards, card_hashes, record_hashes, images = {}, {}, {}, {}
    stored_records = {}
    state = None
    if data.state_path and Path(data.state_path).exists():
        state = BuildState(Path(data.state_path))
    try:
        if state is not None:
            for pk, (stored_card, stored_hash, digest) in state.cards().items():
                cards[pk], card_hashes[pk], record_hashes[pk] = (
                    stored_card,
                    stored_hash,
                    digest,
                )
            images = {
                key: _published_variants(v, site_url)
                for key, v in state.images().items()
            }
        # A draft moved or renamed keeps its id; drop any card at its new path.
        for pk in [pk for pk, c in cards.items() if c["path"] == record["path"]]:
            cards.pop(pk)
        cards[record["id"]] = draft_card
        card_hashes[record["id"]] = card_hash(draft_card)
        record_hashes[record["id"]] = content_hash(record)
        for key, url in needs.images.items():
            images[key] = _draft_variants(key, url, data.item)
        model = SiteModel(
            site=site,
            municipalities=data.site["municipalities"],
            cards=cards,
            card_hashes=card_hashes,
            record_hashes=record_hashes,
            theme_version="preview",
            images_ready=frozenset(images),
        )

        def records(pk: int) -> dict:
            if pk == record["id"]:
                return record
            if pk not in stored_records and state is not None:
                stored_records.update(state.records([pk]))
            return stored_records[pk]

        env = jinja_environment(data.theme)
        asset = data.asset or (lambda name: f"/{name}")
        renderer = Renderer(env, model, records, images, {"asset": asset})
        html = renderer.render(
            Output(file_of(record["path"]), "page", (record["id"], 1), "preview")
        ).decode("utf-8")
    finally:
        if state is not None:
            state.close()
    return _with_banner(html)


def _draft_variants(key: str, url: str, item: dict) -> dict:
    """The draft's own images, shown from the CMS rendition (no size known for
    images inside rich text: the browser lays them out when they load)."""
    found = _find_image(item, url)
    if found:
        return _direct_variants(found)
    entry = [None, None, url]
    return {"width": None, "height": None, "jpeg": [entry], "webp": []}


def _find_image(value, url: str):
    if isinstance(value, dict):
        src = value.get("src")
        if isinstance(src, dict) and src.get("url") == url:
            return value
        for child in value.values():
            found = _find_image(child, url)
            if found:
                return found
    elif isinstance(value, list):
        for child in value:
            found = _find_image(child, url)
            if found:
                return found
    return None


def _with_banner(html: str) -> str:
    marker = html.find(">", html.find("<body"))
    if marker < 0:
        return BANNER + html
    return html[: marker + 1] + BANNER + html[marker + 1 :]
