"""The Pelican plugin that brings the CMS into the build.

``register()`` connects two receivers, active only when Pelican runs inside a
build (``PORTAL_BUILD`` in its settings):

* ``get_generators`` adds ``PortalGenerator``: in ``generate_context`` it fixes
  the theme version and the template globals (so the Markdown pages of
  ``content/`` share the layout), in ``generate_output`` it renders the CMS pages,
  lists, feed, calendars, sitemap and 404 whose keys changed, and copies the
  hashed assets, images and documents;
* ``get_writer`` gives Pelican's own page generator ``ManifestWriter``, so the
  Markdown pages are written through the same "same bytes, no write" folder.
"""

import hashlib
import io
import logging
from pathlib import Path

from pelican import signals
from pelican.generators import Generator
from pelican.writers import Writer

from . import fragments, images, search
from .render import Renderer, iso_date
from .site import Output, sitemap_output


def run_pelican(session, pelicanconf: Path) -> None:
    from pelican import Pelican
    from pelican.settings import read_settings

    from .build import quiet_stdout

    settings = read_settings(
        str(pelicanconf),
        override={
            "OUTPUT_PATH": str(session.output_dir),
            "PORTAL_BUILD": session,
            "SITEURL": "",
            "SITENAME": session.site["name"],
        },
    )
    # Pelican makes a new Jinja environment per run; compiled templates are kept
    # between builds so a one-page build does not compile the theme again. The
    # theme does not change during a build: no file's time is checked each time a
    # template is looked up (four per page, with the partials a page imports).
    settings["JINJA_ENVIRONMENT"] = {
        **settings["JINJA_ENVIRONMENT"],
        "bytecode_cache": _bytecode_cache(session.cache_dir / "jinja"),
        "auto_reload": False,
    }
    pelican_logger = logging.getLogger("pelican")
    level = pelican_logger.level
    pelican_logger.setLevel(logging.WARNING)  # not a line per file written
    try:
        with quiet_stdout():
            Pelican(settings).run()
    finally:
        pelican_logger.setLevel(level)
        _forget_contents()


def _forget_contents() -> None:
    """Empty Pelican's memoized ``Content`` methods (``get_content``,
    ``get_summary``): their caches are class attributes keyed by the page, so
    every page of every run stayed alive, and through its settings the build
    session with its site model. A long-running task worker grew by 60 MB with
    each full build of the benchmark's site."""
    from pelican.contents import Content
    from pelican.utils import memoized

    for member in vars(Content).values():
        if isinstance(member, memoized):
            member.cache.clear()


_BYTECODE_CACHES: dict[Path, object] = {}


def _bytecode_cache(folder: Path):
    from jinja2 import FileSystemBytecodeCache

    # Made again when it is gone: the cache folder may be deleted between two
    # builds of one long-running process (clearing the cache, a benchmark).
    folder.mkdir(parents=True, exist_ok=True)
    if folder not in _BYTECODE_CACHES:
        _BYTECODE_CACHES[folder] = FileSystemBytecodeCache(str(folder))
    return _BYTECODE_CACHES[folder]


# --- Theme version and assets --------------------------------------------------------


def _files(folder: Path) -> list[Path]:
    return (
        sorted(p for p in folder.rglob("*") if p.is_file()) if folder.exists() else []
    )


def theme_version(theme: Path, settings: dict) -> str:
    from .build import BUILDER_VERSION

    digest = hashlib.sha1()
    for part in (
        BUILDER_VERSION,
        images.PIPELINE,
        fragments.PASSES_VERSION,
        settings.get("PORTAL_LIST_PAGE_SIZE"),
    ):
        digest.update(f"{part}\x1f".encode())
    for path in _files(theme / "templates") + _files(theme / "static"):
        digest.update(str(path.relative_to(theme)).encode())
        digest.update(path.read_bytes())
    for name, _data in shared_assets().values():  # names carry their content hash
        digest.update(name.encode())
    return digest.hexdigest()


#: Scripts of other parts that every page loads, published with the theme's assets:
#: the chat widget (its loader fetches the panel from its own folder, so the three
#: files share one content-hashed folder) and the analytics script.
ROOT = Path(__file__).resolve().parent.parent
CHAT_WIDGET = ROOT / "chat_widget"
ANALYTICS_SCRIPT = ROOT / "cms" / "analytics" / "static" / "analytics" / "collect.js"


def shared_assets() -> dict[str, tuple[str, bytes]]:
    found = {}
    chat = [p for p in _files(CHAT_WIDGET) if p.suffix in (".js", ".css")]
    digest = hashlib.sha1()
    for path in chat:
        digest.update(path.name.encode() + b"\x1f" + path.read_bytes() + b"\x1e")
    for path in chat:
        name = f"assets/chat-{digest.hexdigest()[:10]}/{path.name}"
        found[f"chat/{path.name}"] = (name, path.read_bytes())
    data = ANALYTICS_SCRIPT.read_bytes()
    name = f"assets/collect.{hashlib.sha1(data).hexdigest()[:10]}.js"
    found["analytics/collect.js"] = (name, data)
    return found


def theme_assets(theme: Path) -> dict[str, tuple[str, bytes]]:
    """``css/portal.css`` → (``assets/portal.3f2a1c9b.css``, bytes): content-hashed
    names, so they can be cached for a year."""
    found = shared_assets()
    static = theme / "static"
    for path in _files(static):
        data = path.read_bytes()
        stem, suffix = path.stem, path.suffix
        name = f"assets/{stem}.{hashlib.sha1(data).hexdigest()[:10]}{suffix}"
        found[str(path.relative_to(static))] = (name, data)
    return found


def content_pages(settings: dict, context: dict) -> list[tuple[str, str]]:
    """(URL, title) of the Markdown pages Pelican read, in their ``order``."""
    pages = context.get("pages") or []
    ordered = sorted(pages, key=lambda p: (int(getattr(p, "order", 100)), p.slug))
    return [(f"/{p.url}", p.title) for p in ordered]


#: Theme pages left out of the sitemap: search results have nothing of their own
#: to index (the page is noindex).
NOT_IN_SITEMAP = ("/search/",)


# --- The generator -------------------------------------------------------------------


class PortalGenerator(Generator):
    def generate_context(self):
        session = self.settings["PORTAL_BUILD"]
        self.session = session
        theme = Path(self.theme)
        self.assets = theme_assets(theme)
        model = session.model
        model.theme_version = theme_version(theme, self.settings)
        model.page_size = self.settings.get("PORTAL_LIST_PAGE_SIZE", 20)
        self._drop_shadowed_pages(session, model)
        model.extra_pages = content_pages(self.settings, self.context)
        assets = {logical: name for logical, (name, _) in self.assets.items()}

        def asset(logical: str) -> str:
            return "/" + assets[logical]

        session.renderer = Renderer(
            self.env, model, session.record, session.images, {"asset": asset}
        )
        # The Markdown pages use the same layout: give their templates the globals.
        self.context.update(session.renderer.globals)
        self.context["crumbs"] = []

    def _drop_shadowed_pages(self, session, model) -> None:
        """A CMS page wins over a Markdown page of ``content/`` at the same URL
        (the CMS is where editors change it); the build says so."""
        pages = self.context.get("pages")
        if not pages:
            return
        kept = []
        for page in pages:
            url = f"/{page.url}"
            if url in model.by_path:
                session.summary.warnings.append(
                    f"content/{page.relative_source_path} は CMS のページ {url} と"
                    " 同じ URL のため出力しません（CMS のページを優先）。"
                )
            else:
                kept.append(page)
        pages[:] = kept  # the list Pelican's page generator writes from

    def generate_output(self, writer):
        session, model = self.session, self.session.model
        outputs = model.outputs()
        session.render(outputs)
        folder = session.folder
        for name, data in self.assets.values():
            if not folder.keep(name, name):
                folder.write(name, data, name)
        self._copy_documents(session, model)
        extra = model.extra_pages
        entries = []
        for output in outputs:
            if output.kind == "page" and output.args[1] == 1:
                page_card = model.cards[output.args[0]]
                entries.append((page_card["path"], iso_date(page_card["last"])))
            elif output.kind == "list" and output.args[1] == 1:
                entries.append(("/" + output.path[: -len("index.html")], ""))
            elif output.kind == "theme_page" and output.args[0] not in NOT_IN_SITEMAP:
                entries.append((output.args[0], ""))
        entries += [(url, "") for url, _ in extra]
        entries.sort()
        sitemap = sitemap_output(model.theme_version, model.site["url"], entries)
        session.render([sitemap])
        session.pages_total = sum(1 for o in outputs if o.is_page) + len(extra)
        search.index_site(session)  # Pagefind, over the pages just written
        # The image files were made meanwhile; pages showing one that failed are
        # rendered again without it (the index is refreshed by the next build).
        if session.finish_images():
            model.images_ready = frozenset(session.images)
            session.renderer.forget_parts()
            entries = folder.report.entries
            again = [
                o
                for o in model.outputs()
                if o.path in entries and entries[o.path].key != o.key
            ]
            folder.report.merge(session.render_outputs(again))
            folder.report.written = list(dict.fromkeys(folder.report.written))
        self._copy_media(session, model)

    def _copy_media(self, session, model) -> None:
        used = set()
        for page_card in model.cards.values():
            used.update(page_card.get("images") or ())
        logo = model.site.get("logo")
        if logo:
            used.add(images.image_key(logo))
        for key in sorted(used):
            variants = session.images.get(key)
            if not variants:
                continue
            for path in images.variant_files(variants):
                if session.folder.keep(path, path):
                    continue
                source = session.media_cache / Path(path).name
                if source.exists():
                    session.folder.write(path, source.read_bytes(), path)
                else:
                    session.summary.warnings.append(f"画像ファイルがありません: {path}")

    def _copy_documents(self, session, model) -> None:
        used = set()
        for page_card in model.cards.values():
            used.update(page_card.get("documents") or ())
        for path in sorted(used):
            relative = path.lstrip("/")
            if session.folder.keep(relative, relative):
                continue
            data = session.document_file(path)
            if data is not None:
                session.folder.write(relative, data, relative)


def get_generators(pelican):
    if "PORTAL_BUILD" in pelican.settings:
        return PortalGenerator
    return None


# --- The writer for Pelican's own pages ------------------------------------------------


class _ThroughFolder(io.StringIO):
    def __init__(self, folder, path: str):
        super().__init__()
        self._folder, self._path = folder, path

    def __exit__(self, *exc):
        if exc[0] is None:
            data = self.getvalue().encode("utf-8")
            key = hashlib.sha1(data).hexdigest()
            self._folder.write(self._path, data, key, html=self._path.endswith(".html"))
        return super().__exit__(*exc)


class ManifestWriter(Writer):
    def _open_w(self, filename, encoding, override=False):
        session = self.settings["PORTAL_BUILD"]
        self._written_files.add(filename)
        relative = str(
            Path(filename).resolve().relative_to(session.output_dir.resolve())
        )
        return _ThroughFolder(session.folder, relative)


def get_writer(pelican):
    if "PORTAL_BUILD" in pelican.settings:
        return ManifestWriter
    return None


def register():
    signals.get_generators.connect(get_generators)
    signals.get_writer.connect(get_writer)


__all__ = ["Output", "register", "run_pelican"]
