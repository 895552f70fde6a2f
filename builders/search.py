"""Site search: a Pagefind index of the pages this build made, written to
``pagefind/`` through the output folder (so it is in the manifest, and files of
an older index are deleted like any page that is gone).

Pagefind (PyPI ``pagefind[extended]``, whose binary segments Japanese) runs after
rendering. It is skipped when no HTML page changed since the index was made,
deferred by a build with ``defer_search`` (publishes: cms.publishing.tasks),
and switched off entirely with ``PORTAL_SEARCH=0`` (the search page then says
search is unavailable and links to the lists).

Pagefind is given each page's ``search_copy`` (the element marked
``data-pagefind-body``, a third of the page's bytes) in a scratch folder in
memory where there is one (``scratch_root``); the index is the same as from the
whole pages (tests/theme/test_build.py), and Pagefind spends about a third
less CPU time on it.

The index is split into ``SHARDS`` shards (``pagefind/0/``, ``pagefind/1/``), a page
going to the shard its path hashes to. The shards are made at the same time, one
Pagefind process each, and each is written to the output as soon as it is done;
a refresh after a publish re-makes only the shards whose pages changed. The
browser searches the first shard and merges the others into its results
(Pagefind's ``mergeIndex``, search.js)."""

import asyncio
import hashlib
import logging
import os
import tempfile
import threading
import zlib
from pathlib import Path

logger = logging.getLogger(__name__)

INDEX_FOLDER = "pagefind"
#: Files never worth finding: the 404 page and the search page itself.
NOT_INDEXED = ("404.html", "search/index.html")
#: The file a shard's search starts from (pagefind.js reads it first).
ENTRY_FILE = "pagefind-entry.json"
#: Pagefind's ready-made search interfaces: the theme has its own (search.js), and
#: these bundles are not byte-stable from one index run to the next.
UNUSED_BUNDLES = (
    "pagefind-ui.",
    "pagefind-modular-ui.",
    "pagefind-component-ui.",
    "pagefind-highlight.",
)
#: Bump when what is indexed changes (makes the next build re-index).
INDEX_VERSION = "4"
#: Shards of the index; a page's shard must not depend on the machine (the output is
#: the same everywhere), so this is a constant, not the number of cores.
SHARDS = 2
#: Room the scratch folder needs for a large site (its pages' copies and index).
SCRATCH_NEEDS = 1 << 30


def shard_folder(shard: int) -> str:
    return f"{INDEX_FOLDER}/{shard}"


def shard_urls() -> list[str]:
    """The shards' URLs, the first one the index search.js loads."""
    return [f"/{shard_folder(n)}/" for n in range(SHARDS)]


def shard_of(path: str) -> int:
    return zlib.crc32(path.encode()) % SHARDS


def search_enabled() -> bool:
    return os.environ.get("PORTAL_SEARCH", "1").strip().lower() not in (
        "0",
        "false",
        "no",
        "off",
    )


def is_indexed(path: str) -> bool:
    return (
        path.endswith(".html")
        and path not in NOT_INDEXED
        and not path.startswith(f"{INDEX_FOLDER}/")
    )


def search_copy(page: bytes) -> bytes | None:
    """What Pagefind reads of a page, as a small document of its own: the element
    marked ``data-pagefind-body`` (None when there is none). Pagefind indexes
    nothing outside that element (the theme puts no Pagefind meta or filters
    there), so the index is the same as from the whole page, but Pagefind parses
    a third of the bytes: the header, navigation and footer every page repeats
    cost it about a quarter of its time."""
    mark = page.find(b"data-pagefind-body")
    if mark < 0:
        return None
    start = page.rfind(b"<", 0, mark)
    name = page[start + 1 : mark].split(None, 1)[0] if start >= 0 else b""
    close = b"</" + name + b">"
    end = page.rfind(close)
    if not name or end < mark:  # not a page the theme made: give all of it
        return page
    return b"".join(
        (
            b'<!doctype html><html lang="ja"><head><meta charset="utf-8"></head><body>',
            page[start : end + len(close)],
            b"</body></html>",
        )
    )


def _read(file: Path) -> bytes | None:
    try:
        return file.read_bytes()
    except FileNotFoundError:
        return None


def _pages_changed(folder) -> bool:
    """Whether this build wrote or removed a page the index may hold."""
    report = folder.report
    return any(is_indexed(p) for p in report.written) or any(
        is_indexed(p) and p not in report.entries for p in folder.manifest
    )


def indexed_pages(entries: dict) -> dict[str, str]:
    """HTML files to index (path → sha1 of their bytes), from a write report."""
    return {path: entry.sha1 for path, entry in entries.items() if is_indexed(path)}


def index_key(pages: dict[str, str], shard: int = 0) -> str:
    digest = hashlib.sha1(f"{INDEX_VERSION}|{shard}/{SHARDS}".encode())
    for path in sorted(pages):
        digest.update(f"{path}\x1f{pages[path]}\x1e".encode())
    return digest.hexdigest()


async def _make_index(copies: dict[str, bytes], scratch: Path) -> Path:
    """Index the pages ``copies`` holds (path → what Pagefind reads of it,
    ``search_copy``); returns the folder of the index.

    Pagefind reads a folder far faster than files sent one by one, so the
    copies are written to a scratch folder that holds exactly this build's pages
    (not files of an older build that are about to be deleted).
    """
    from pagefind.index import IndexConfig
    from pagefind.service import PagefindService

    site = scratch / "site"
    folders = set()
    for path, data in copies.items():
        target = site / path
        if target.parent not in folders:
            target.parent.mkdir(parents=True, exist_ok=True)
            folders.add(target.parent)
        target.write_bytes(data)
    into = scratch / INDEX_FOLDER
    config = IndexConfig(force_language="ja", output_path=str(into))
    # Pagefind answers "written" while its writes may still be under way, and
    # stopping the service then cuts files short: wait for complete files first.
    async with PagefindService() as service:
        index = await service.create_index(config)
        await index.add_directory(str(site))
        await index.write_files()
        await _settled(into)
    return into


def scratch_root(fallback: Path) -> Path:
    """Where Pagefind's input and output go for the seconds it runs: a memory
    file system when the machine has one (``/dev/shm``), since creating twelve
    thousand small files twice costs a disk file system seconds of kernel time;
    ``fallback`` (the build's cache folder) otherwise."""
    shm = Path("/dev/shm")
    try:
        free = os.statvfs(shm)
    except OSError:
        return fallback
    if os.access(shm, os.W_OK) and free.f_bavail * free.f_frsize > SCRATCH_NEEDS:
        return shm
    return fallback


def _complete(path: Path) -> bool:
    """A gzip file (Pagefind compresses its index) that decompresses to the end."""
    data = path.read_bytes()
    if data[:2] != b"\x1f\x8b":
        return True
    stream = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        stream.decompress(data)
    except zlib.error:
        return False
    return stream.eof


async def _settled(folder: Path, timeout: float = 60) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    previous = None
    while loop.time() < deadline:
        files = sorted(p for p in folder.rglob("*") if p.is_file())
        sizes = {p: p.stat().st_size for p in files}
        if sizes and sizes == previous and all(_complete(p) for p in files):
            return
        previous = sizes
        await asyncio.sleep(0.2)
    raise RuntimeError("Pagefind did not finish writing its index in time")


def _run(coroutine):
    """Run ``coroutine`` to the end, also when this thread already has a loop
    (a build started from async code or a browser test)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coroutine)
    outcome = {}

    def target():
        try:
            outcome["value"] = asyncio.run(coroutine)
        except BaseException as error:  # re-raised in the calling thread
            outcome["error"] = error

    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


def index_site(session) -> None:
    """Index the pages in ``session.folder`` (called by the Pelican plugin after
    every page is written)."""
    if not search_enabled():
        return
    folder = session.folder
    previous = [p for p in folder.manifest if p.startswith(f"{INDEX_FOLDER}/")]
    made_before = {
        shard: [p for p in previous if p.startswith(f"{shard_folder(shard)}/")]
        for shard in range(SHARDS)
    }
    if session.options.defer_search and all(made_before.values()):
        # Indexing takes seconds; a publish keeps the previous index whole (the
        # new page is found after the refresh that follows), without reading the
        # pages back to see which shards it touched: the refresh does that.
        for path in previous:
            folder.keep(path, folder.manifest[path].key)
        session.summary.search_deferred = _pages_changed(folder)
        return
    pages = indexed_pages(folder.report.entries)
    # Only pages marked data-pagefind-body are indexed (the theme leaves the mark
    # off lists, whose cards repeat the listings' own pages): the others are
    # neither given to Pagefind nor counted in a shard's key, so a publish that
    # only moves cards along the lists re-makes just the shard of the page it
    # changed. Reading the pages back costs well under a second for a large site.
    copies = {}
    for path in pages:
        page = _read(session.output_dir / path)
        copy = search_copy(page) if page is not None else None
        if copy is not None:
            copies[path] = copy
    if not copies:  # a theme without marks: every page, whole
        copies = {p: d for p in pages if (d := _read(session.output_dir / p))}
    shards: list[dict[str, str]] = [{} for _ in range(SHARDS)]
    for path in copies:
        shards[shard_of(path)][path] = pages[path]
    todo = {}
    for shard, shard_pages in enumerate(shards):
        key = index_key(shard_pages, shard)
        made = made_before[shard]
        if made and all(
            folder.manifest[p].key == key and (session.output_dir / p).exists()
            for p in made
        ):  # none of this shard's pages changed: its index on disk is still right
            for path in made:
                folder.keep(path, key)
        else:
            todo[shard] = (key, {p: copies[p] for p in shard_pages})
    del copies
    if not todo:
        return
    session.cache_dir.mkdir(parents=True, exist_ok=True)

    def write_back(shard: int, into: Path) -> None:
        key = todo[shard][0]
        # The entry file last: it names the index's other files, so a visitor
        # never loads an entry whose files are not all there yet.
        files = sorted(
            (p for p in into.rglob("*") if p.is_file()),
            key=lambda p: (p.name == ENTRY_FILE, p.as_posix()),
        )
        for file in files:
            if not file.name.startswith(UNUSED_BUNDLES):
                relative = f"{shard_folder(shard)}/{file.relative_to(into).as_posix()}"
                folder.write(relative, file.read_bytes(), key)

    with tempfile.TemporaryDirectory(
        prefix="portal-pagefind-", dir=scratch_root(session.cache_dir)
    ) as scratch:
        try:
            _run(_make_shards(todo, Path(scratch), write_back))
        except Exception as error:
            # A site without search is better than no site: say so and go on.
            logger.exception("Pagefind failed")
            session.summary.warnings.append(
                f"サイト内検索の索引を作れませんでした: {error}"
            )


async def _make_shards(todo: dict, scratch: Path, write_back) -> None:
    """Make the shards in ``todo`` at the same time, a Pagefind process each, and
    ``write_back`` each into the output as soon as it is made (in a thread, while
    the others are still being made: the writes are a good part of the time)."""

    async def make(shard: int) -> None:
        into = await _make_index(todo[shard][1], scratch / str(shard))
        await asyncio.to_thread(write_back, shard, into)

    await asyncio.gather(*(make(shard) for shard in sorted(todo)))
