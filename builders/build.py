"""One build of the static site, from the content API to the output folder.

1. **Fetch** the site data, then the pages: all of them (a full build, or the
   first), or only those changed since the last fetch plus ``removedPages``
   (incremental), in windows spread over the worker processes; each worker also
   runs the HTML passes on its pages' rich text (cached by hash).
2. **Images**: download the new ones and plan their files from their headers;
   threads make the files in the background, at a lower priority than the
   build, while it renders and indexes (Pagefind leaves a core half idle).
   Images are cached by source.
3. **Render** with Pelican (``site/pelicanconf.py``, ``themes/portal``): the
   plugin ``builders.pelican_plugin`` adds the CMS content as a generator, which
   renders only the files whose input key changed (all of them in a full build),
   on the workers; the Markdown pages of ``content/`` go through Pelican's own
   page generator. Every file goes through ``OutputFolder``: same bytes, no write.
4. **Check** every internal link, delete what this build no longer makes, and
   save the state for the next build.

A broken internal link fails the build (``BuildFailed``, naming page and link)
after the state is saved, so a deploy step can refuse to publish it.
"""

import concurrent.futures
import contextlib
import datetime
import gc
import hashlib
import io
import logging
import os
import shutil
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from tqdm import tqdm

from . import images as image_pipeline
from . import search
from .client import PAGE_SIZE, ContentClient, transport_for
from .fragments import Fragment, fragment_hash, run_passes
from .links import broken_links
from .output import OutputFolder, WriteReport
from .site import Output, SiteModel
from .snapshot import card, card_hash, content_hash, normalize
from .state import BuildState
from .workers import fork_pool

logger = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parent.parent
#: Bump to re-render everything when the builder's own output logic changes.
BUILDER_VERSION = "2"
#: Outputs per render task in a large build (see ``BuildSession.render``).
RENDER_CHUNK = 200
#: Downloads at a time while planning the new images (waiting on I/O).
IMAGE_DOWNLOADS = 8
#: Niceness of the threads making image files: they take what the build leaves of
#: the CPU (during Pagefind, most of a core) and finish once it is done.
IMAGE_NICENESS = 10
#: Overlap between incremental fetches: the CMS's and builder's clocks may differ.
SINCE_MARGIN = datetime.timedelta(seconds=60)


@dataclass
class BuildOptions:
    full: bool = False
    source_url: str | None = None  # a CMS URL; None: in-process
    output_dir: Path | None = None
    state_path: Path | None = None
    cache_dir: Path | None = None
    workers: int | None = None
    progress: bool = False
    pelicanconf: Path = ROOT / "site" / "pelicanconf.py"
    log: Callable[[str], None] | None = None
    # Keep the previous search index when pages changed (a publish-triggered build,
    # so the page is live in seconds); a later build refreshes it (builders/search.py).
    defer_search: bool = False


@dataclass
class BuildSummary:
    full: bool = False
    pages_total: int = 0  # HTML pages in the output
    pages_rendered: int = 0
    files_total: int = 0
    files_written: int = 0
    files_unchanged: int = 0
    files_deleted: int = 0
    seconds: float = 0.0
    fetched_pages: int = 0
    removed_pages: int = 0
    phases: dict[str, float] = field(default_factory=dict)
    written_paths: list[str] = field(default_factory=list)
    deleted_paths: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    broken_links: list[str] = field(default_factory=list)
    search_deferred: bool = False  # the search index is older than the pages

    def as_json(self) -> dict:
        data = asdict(self)
        data["written_paths"] = data["written_paths"][:200]
        data["deleted_paths"] = data["deleted_paths"][:200]
        return data


class BuildFailed(RuntimeError):
    def __init__(self, message: str, summary: BuildSummary):
        super().__init__(message)
        self.summary = summary


def default_paths() -> tuple[Path, Path, Path]:
    """Output folder, state file and cache folder from the CMS settings."""
    from cms.publishing.settings import build_paths

    paths = build_paths()
    return paths.output, paths.state, paths.cache


def worker_count(requested: int | None) -> int:
    if requested:
        return max(1, requested)
    return max(1, min(2, os.cpu_count() or 1))


# --- Worker processes -------------------------------------------------------------------
# Work is spread with a fork-based pool: the children inherit the session (the
# transport, the site model, the Jinja environment) instead of having it pickled
# (builders/workers.py, which also gives them back the default signal handlers).

_SESSION: "BuildSession | None" = None


def _pool(workers: int):
    return fork_pool(workers, initializer=_child_start)


def _child_start() -> None:
    _SESSION.in_child = True


def _fetch_window(offset: int):
    return _SESSION.fetch_window(offset)


def _lower_priority() -> None:
    """Give the calling thread (Linux: a thread has its own niceness) what the
    build leaves of the CPU: during Pagefind, most of a core."""
    with contextlib.suppress(OSError, AttributeError):
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), IMAGE_NICENESS)


def _render_chunk(outputs: list[Output]) -> WriteReport:
    return _SESSION.render_outputs(outputs)


# --- The session ----------------------------------------------------------------------


class BuildSession:
    """Everything one build knows; the Pelican plugin renders through it."""

    def __init__(self, options: BuildOptions):
        output_dir, state_path, cache_dir = (
            options.output_dir,
            options.state_path,
            options.cache_dir,
        )
        if output_dir is None or state_path is None or cache_dir is None:
            defaults = default_paths()
            output_dir = output_dir or defaults[0]
            state_path = state_path or defaults[1]
            cache_dir = cache_dir or defaults[2]
        self.options = options
        self.output_dir = Path(output_dir)
        self.cache_dir = Path(cache_dir)
        self.media_cache = self.cache_dir / "media"
        # Downloaded sources waiting for their files to be made (a folder of this
        # build's own, made when there are any: see plan_images).
        self.image_stash: Path | None = None
        self.document_cache = self.cache_dir / "documents"
        self.state = BuildState(Path(state_path))
        self.workers = worker_count(options.workers)
        self.transport = transport_for(options.source_url)
        self.client = ContentClient(self.transport)
        self.summary = BuildSummary()
        self.in_child = False
        self.records: dict[int, dict] = {}
        self.fragment_memo: dict[str, Fragment] = {}
        self.new_fragments: dict[str, str] = {}
        self.image_sources: dict[str, str] = {}
        self.document_urls: dict[str, str] = {}
        self.model: SiteModel | None = None
        self.images: dict[str, dict] = {}
        self._image_work = None  # (threads, futures) while files are being made
        self.renderer = None
        self.folder: OutputFolder | None = None
        self.updated_since: str | None = None
        self.render_all = False
        # Where the render workers put the pages' search copies (builders/search.py).
        self.search_scratch: Path | None = None

    def release(self) -> None:
        """Drop what the build held (records, site model, renderer, manifest).
        The renderer and Pelican's objects refer back to the session, and the
        collector is off during a build: without this, a long-running worker's
        next build started with the previous one's data still in memory."""
        self.records = {}
        self.fragment_memo = {}
        self.images = {}
        self.model = None
        self.renderer = None
        self.folder = None

    def log(self, message: str) -> None:
        logger.info(message)
        if self.options.log:
            self.options.log(message)

    def download(self, url: str) -> bytes:
        return self.transport.download(url)

    def _bar(self, total: int, label: str):
        return tqdm(
            total=total,
            desc=label,
            unit="件",
            disable=not self.options.progress,
            leave=False,
            dynamic_ncols=True,
        )

    # Fetching ---------------------------------------------------------------------

    def process_fragment(self, html: str) -> Fragment:
        digest = fragment_hash(html, self.site_url, self.transport.base_url)
        found = self.fragment_memo.get(digest)
        if found is None:
            stored = self._state_here().fragment(digest)
            if stored is not None:
                found = Fragment.from_json(stored)
            else:
                found = run_passes(html, self.site_url, self.transport.base_url)
                self.new_fragments[digest] = found.to_json()
            self.fragment_memo[digest] = found
        return found

    def _state_here(self) -> BuildState:
        """The state file as this process may read it: a forked child must not
        use the parent's SQLite connection, so it opens its own."""
        if not self.in_child:
            return self.state
        if getattr(self, "_own_state", None) is None:
            self._own_state = BuildState(self.state.path)
        return self._own_state

    def fetch_window(self, offset: int, ids: list[int] | None = None):
        self.new_fragments = {}
        window = self.client.pages(
            offset, PAGE_SIZE, updated_since=self.updated_since, ids=ids
        )
        rows, sources, documents = [], {}, {}
        for item in window.items:
            record, needs = normalize(item, self.process_fragment)
            page_card = card(record)
            rows.append((record, content_hash(record), page_card, card_hash(page_card)))
            sources.update(needs.images)
            documents.update(needs.documents)
        return window.total, rows, sources, documents, self.new_fragments

    def fetch(
        self, store: Callable[[list[tuple]], None] | None = None, keep: bool = True
    ) -> list[tuple]:
        """Fetch the pages to (re)store, spread over the workers. ``store`` is
        given each window's rows as it arrives, while the workers fetch the next
        ones (a full build's 12,000 rows otherwise cost the parent half a second
        with the workers done). The rows are returned, or with ``keep=False``
        only stored (the count is in ``summary.fetched_pages``)."""
        rows = []
        fragments = {}

        def take(result) -> None:
            _, window_rows, sources, documents, new_fragments = result
            self.summary.fetched_pages += len(window_rows)
            if keep:
                rows.extend(window_rows)
            self.image_sources.update(sources)
            self.document_urls.update(documents)
            fragments.update(new_fragments)
            if store is not None:
                store(window_rows)

        first = self.fetch_window(0)
        total = first[0]
        offsets = list(range(PAGE_SIZE, total, PAGE_SIZE))
        with self._bar(total, "取得") as bar:
            take(first)
            bar.update(len(first[1]))
            if offsets and self.workers > 1:
                self.transport.before_fork()
                global _SESSION
                _SESSION = self
                with _pool(self.workers) as pool:
                    for result in pool.imap(_fetch_window, offsets):
                        take(result)
                        bar.update(len(result[1]))
            else:
                for offset in offsets:
                    result = self.fetch_window(offset)
                    take(result)
                    bar.update(len(result[1]))
        self.state.put_fragments(fragments)
        return rows

    def fetch_ids(self, ids: list[int]) -> list[tuple]:
        rows = []
        saved, self.updated_since = self.updated_since, None
        try:
            for start in range(0, len(ids), PAGE_SIZE):
                _, window_rows, sources, documents, fragments = self.fetch_window(
                    0, ids=ids[start : start + PAGE_SIZE]
                )
                rows += window_rows
                self.image_sources.update(sources)
                self.document_urls.update(documents)
                self.state.put_fragments(fragments)
        finally:
            self.updated_since = saved
        return rows

    # Images and documents ----------------------------------------------------------

    def plan_images(self, wanted: set[str]) -> None:
        """Give ``self.images`` every wanted image: cached, or new and planned (its
        files' names and sizes, from its header), whose files are then made in
        the background (``finish_images`` waits for them)."""
        self.images = self.state.images()
        jobs = [
            image_pipeline.ImageJob(key, self.image_sources[key])
            for key in sorted(wanted)
            if key not in self.images and key in self.image_sources
        ]
        missing = [
            k for k in wanted if k not in self.images and k not in self.image_sources
        ]
        if missing:
            self.summary.warnings.append(
                f"画像 {len(missing)} 件の元ファイルが分かりません（全体の再構築で取り直します）。"
            )
        if not jobs:
            return
        self.cache_dir.mkdir(parents=True, exist_ok=True)
        self.image_stash = Path(tempfile.mkdtemp(prefix="sources-", dir=self.cache_dir))
        with concurrent.futures.ThreadPoolExecutor(IMAGE_DOWNLOADS) as downloads:
            prepared = list(
                downloads.map(
                    lambda job: image_pipeline.prepare(
                        job, self.download, self.image_stash
                    ),
                    jobs,
                )
            )
        self._settle_images(prepared, keep=False)
        todo = [(job, self.images[job.key]) for job in jobs if job.key in self.images]
        if self.workers > 1 and len(todo) > 1:
            # Threads, not processes: Pillow lets go of the GIL while it decodes,
            # resizes and encodes, and forked workers held 140 MB each of this
            # process's memory through Pagefind, the build's memory peak.
            threads = concurrent.futures.ThreadPoolExecutor(
                self.workers, "images", initializer=_lower_priority
            )
            work = [threads.submit(self._process_image, *item) for item in todo]
            self._image_work = (threads, work)
        else:
            self._settle_images([self._process_image(*item) for item in todo])

    def _process_image(self, job, planned: dict):
        return image_pipeline.process(job, planned, self.image_stash, self.media_cache)

    def finish_images(self) -> set[str]:
        """Wait for the files of the images planned by ``plan_images``; the keys
        of those that could not be made (dropped from ``self.images``)."""
        if self._image_work is None:
            return set()
        _, work = self._image_work
        try:
            with self._bar(len(work), "画像") as bar:
                made = [
                    future.result()
                    for future in _tick(concurrent.futures.as_completed(work), bar)
                ]
        finally:
            self.stop_images()
        return self._settle_images(made)

    def stop_images(self) -> None:
        if self._image_work is not None:
            self._image_work[0].shutdown(wait=True, cancel_futures=True)
            self._image_work = None

    def _settle_images(self, results, keep: bool = True) -> set[str]:
        """Take (key, variants or None, problem) results into ``self.images``
        (stored in the state when ``keep``); the keys that failed."""
        failed, made = set(), {}
        for key, variants, problem in results:
            if variants is None:
                self.summary.warnings.append(f"画像を作れませんでした: {problem}")
                self.images.pop(key, None)
                failed.add(key)
            else:
                made[key] = variants
        self.images.update(made)
        if keep:
            self.state.put_images(made)
        return failed

    def document_file(self, path: str) -> bytes | None:
        url = self.document_urls.get(path)
        cached = self.document_cache / hashlib.sha1((url or path).encode()).hexdigest()
        if cached.exists():
            return cached.read_bytes()
        if url is None:
            return None
        try:
            data = self.download(url)
        except Exception as error:
            self.summary.warnings.append(
                f"文書を取得できませんでした: {path} ({error})"
            )
            return None
        cached.parent.mkdir(parents=True, exist_ok=True)
        cached.write_bytes(data)
        return data

    # Rendering (called by the Pelican plugin) --------------------------------------

    @property
    def site_url(self) -> str:
        return self.site["url"].rstrip("/")

    def record(self, pk: int) -> dict:
        found = self.records.get(pk)
        if found is None:
            found = self.records[pk] = self._state_here().records([pk])[pk]
        return found

    def render_outputs(self, outputs: list[Output]) -> WriteReport:
        self._read_records(outputs)
        folder = OutputFolder(
            self.output_dir, self.folder.manifest, self.folder.trusted
        )
        made: set[Path] = set()
        for output in outputs:
            data = self.renderer.render(output)
            html = output.path.endswith(".html")
            folder.write(output.path, data, output.key, html=html)
            if html and self.search_scratch is not None:
                search.put_copy(self.search_scratch, output.path, data, made)
        return folder.report

    def _read_records(self, outputs: list[Output]) -> None:
        """The records ``outputs`` need, read from the state in one go (by each
        render worker for its own chunk: a full build does not keep the records it
        fetched, see ``_build``)."""
        needed = {o.args[0] for o in outputs if o.kind in ("page", "ics")}
        missing = [pk for pk in needed if pk not in self.records]
        if missing:
            self.records.update(self._state_here().records(missing))

    def render(self, outputs: list[Output]) -> None:
        """Render ``outputs`` whose keys changed (all in a full build)."""
        todo = [
            o for o in outputs if self.render_all or not self.folder.keep(o.path, o.key)
        ]
        self.summary.pages_rendered += sum(1 for o in todo if o.is_page)
        if not todo:
            return
        with self._bar(len(todo), "出力") as bar:
            if self.workers > 1 and len(todo) > 200:
                global _SESSION
                _SESSION = self
                # Small chunks handed out as workers free up: the last one
                # leaves a core idle only briefly (chunks of ~1,000 outputs
                # left one idle for most of a second).
                chunks = _chunks(todo, max(self.workers * 8, len(todo) // RENDER_CHUNK))
                with _pool(self.workers) as pool:
                    for report in pool.imap_unordered(_render_chunk, chunks):
                        self.folder.report.merge(report)
                        bar.update(len(report.entries))
            else:
                report = self.render_outputs(todo)
                self.folder.report.merge(report)
                bar.update(len(todo))


def _chunks(items: list, count: int) -> list[list]:
    count = max(1, min(count, len(items)))
    return [items[n::count] for n in range(count)]


def _tick(results, bar):
    for result in results:
        bar.update(1)
        yield result


# --- The build ---------------------------------------------------------------------------


def _now() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC)


def build_site(options: BuildOptions) -> BuildSummary:
    started = time.perf_counter()
    session = BuildSession(options)
    state, summary = session.state, session.summary
    # A build holds tens of thousands of small dicts and makes almost no cyclic
    # garbage: the collector's passes over them cost a one-page build hundreds of
    # milliseconds, so it waits until the build is over.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _build(session, started)
    finally:
        global _SESSION
        # The workers' module-level reference: kept, it would hold this build's
        # records (hundreds of MB for a large site) until the next build, which
        # a long-running task worker then ran with two builds' worth in memory.
        _SESSION = None
        search.close_scratch(session)
        session.stop_images()
        if session.image_stash is not None:
            shutil.rmtree(session.image_stash, ignore_errors=True)
        session.release()
        if collecting:
            gc.enable()
        state.close()
        if summary.seconds == 0:
            summary.seconds = round(time.perf_counter() - started, 3)


def _phase(summary: BuildSummary, name: str, since: float) -> float:
    now = time.perf_counter()
    summary.phases[name] = round(now - since, 3)
    return now


def _build(session: BuildSession, started: float) -> BuildSummary:
    state, summary, options = session.state, session.summary, session.options
    clean = state.get("clean", False)
    last_fetch = state.get("fetched_at")
    source = options.source_url or "in-process"
    full = options.full or not last_fetch or state.get("source") != source
    summary.full = full
    fetch_started = _now()
    state.set("clean", False)

    tick = time.perf_counter()
    data = session.client.site()
    session.site = data["site"]
    session.municipalities = data["municipalities"]
    session.faq = data.get("faq") or []
    session.document_urls = dict(state.get("documents", {}))

    if full:
        session.updated_since = None
        with state.transaction():  # a failed fetch leaves the stored pages as they were
            state.clear_pages()
            # Stored, not kept: each render worker reads the records of its own
            # pages back (``_read_records``). Kept, the 12,000 records of a large
            # site stayed in this process's memory (Python does not give it back)
            # while Pagefind runs, the build's memory peak.
            session.fetch(store=state.put_pages, keep=False)
        session.render_all = True
    else:
        since = (datetime.datetime.fromisoformat(last_fetch) - SINCE_MARGIN).isoformat()
        session.updated_since = since
        removed = session.client.removed(since)
        rows = session.fetch()
        stored = state.page_index() if removed else {}
        gone_ids = [
            int(r["id"])
            for r in removed
            if stored.get(int(r["id"]), (None,))[0] == r["path"]
        ]
        relink = _pages_linking_to(
            {r["path"] for r in removed}, state, stored, {row[0]["id"] for row in rows}
        )
        relink = [pk for pk in relink if pk not in gone_ids]
        if relink:
            rows += session.fetch_ids(relink)
        with state.transaction():
            state.delete_pages(gone_ids)
            state.put_pages(rows)
        session.records = {row[0]["id"]: row[0] for row in rows}
        summary.fetched_pages = len(rows)
        summary.removed_pages = len(gone_ids)
    tick = _phase(summary, "fetch", tick)

    cards = state.cards()
    wanted_images = set()
    for page_card, _, _ in cards.values():
        wanted_images.update(page_card.get("images") or ())
    for municipality_image in (session.site.get("logo"),):
        if municipality_image:
            wanted_images.add(image_pipeline.image_key(municipality_image))
    session.plan_images(wanted_images)
    tick = _phase(summary, "images", tick)

    session.model = SiteModel(
        site=session.site,
        municipalities=session.municipalities,
        cards={pk: c for pk, (c, _, _) in cards.items()},
        card_hashes={pk: h for pk, (_, h, _) in cards.items()},
        record_hashes={pk: h for pk, (_, _, h) in cards.items()},
        theme_version="",  # set by the plugin, which knows the theme
        images_ready=frozenset(session.images),
        faq=session.faq,
    )
    manifest = state.outputs()
    session.folder = OutputFolder(session.output_dir, manifest, trusted=clean)
    if full:
        session.render_all = True

    from .pelican_plugin import run_pelican

    session.search_scratch = search.open_scratch(session)
    run_pelican(session, options.pelicanconf)
    tick = _phase(summary, "render", tick)

    report = session.folder.report
    files = set(report.entries)
    # Files made this build are checked; a kept file was fine last time and can
    # only break if a file it links to is gone, so those are checked then.
    fresh = {p: e for p, e in report.entries.items() if e is not manifest.get(p)}
    checked = {p: e.links for p, e in fresh.items() if e.links}
    if set(manifest) - files:
        checked.update(
            (p, links)
            for p, links in state.links().items()
            if p in files and p not in fresh
        )
    broken = broken_links(checked, files)
    deleted = session.folder.remove_stale(files)
    with state.transaction():
        state.delete_outputs(set(manifest) - files)
        state.put_outputs(fresh)
        state.set("fetched_at", fetch_started.isoformat())
        state.set("source", source)
        state.set("documents", session.document_urls)
        state.set("clean", True)
    _phase(summary, "check", tick)

    summary.files_total = len(files)
    summary.pages_total = session.pages_total
    summary.files_written = len(report.written)
    summary.files_unchanged = len(files) - len(report.written)
    summary.files_deleted = len(deleted)
    summary.written_paths = sorted(report.written)
    summary.deleted_paths = deleted
    summary.broken_links = [b.message() for b in broken]
    summary.seconds = round(time.perf_counter() - started, 3)
    if broken:
        raise BuildFailed(
            f"リンク切れが {len(broken)} 件あります: "
            + " / ".join(b.message() for b in broken[:10]),
            summary,
        )
    return summary


def _pages_linking_to(paths: set[str], state, stored, already: set[int]) -> list[int]:
    """Pages whose own content links to a path that left the site: fetched
    again, so the API gives their links as they now are."""
    if not paths:
        return []
    by_url = {path: pk for pk, (path, _) in stored.items()}
    found = set()
    for file_path, links in state.links().items():
        if not file_path.endswith("index.html") or "/page/" in file_path:
            continue
        if any(link in paths for link in links):
            url = "/" + file_path[: -len("index.html")]
            pk = by_url.get(url)
            if pk is not None and pk not in already:
                found.add(pk)
    return sorted(found)


def clear_state(options: BuildOptions) -> None:
    """Forget everything (the next build is a full one from nothing)."""
    session_paths = default_paths()
    for path in (options.state_path or session_paths[1],):
        for suffix in ("", "-wal", "-shm"):
            with contextlib.suppress(FileNotFoundError):
                Path(f"{path}{suffix}").unlink()
    shutil.rmtree(options.cache_dir or session_paths[2], ignore_errors=True)


def quiet_stdout():
    """Pelican prints a line of its own; keep ``--json`` output clean."""
    return contextlib.redirect_stdout(io.StringIO())
