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
less CPU time on it. The render workers put the copies there as they write the
pages (``put_copy``); the pages a build did not render are read back.

The index is split into ``SHARDS`` shards (``pagefind/0/`` … ``pagefind/5/``), a
page going to the shard its path hashes to. One Pagefind process makes them one
after the other (``_make_shards``, for the build's peak memory), and a thread
writes each to the output while the next is made; a refresh after a publish
re-makes only the shards whose pages changed. The browser searches the first
shard and merges the others into its results (Pagefind's ``mergeIndex``,
search.js)."""

import asyncio
import hashlib
import logging
import os
import shutil
import tempfile
import threading
import time
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
#: the same everywhere), so this is a constant, not the number of cores. Pagefind
#: holds a whole shard in memory (0.1 MB a listing page, on top of its 340 MB
#: dictionary): with six, a shard of the benchmark's 12,000 pages keeps the whole
#: build under 1 GB (``portal bench build``). A refresh after a publish re-makes
#: one shard, a sixth of the index.
SHARDS = 6
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


async def _make_index(site: Path, into: Path) -> Path:
    """Index the pages in the folder ``site`` (each page's ``search_copy`` at its
    path) into the folder ``into``, which is returned."""
    from pagefind.service import PagefindService

    async with PagefindService() as service:
        await _index_with(service, site, into)
        _settled(into)
    return into


async def _index_with(service, site: Path, into: Path) -> None:
    """Index the folder ``site`` into the folder ``into`` with a running Pagefind
    ``service``, then drop the index from the service's memory.

    Pagefind reads a folder far faster than files sent one by one; the folder
    holds exactly this build's pages (not files of an older build that are about
    to be deleted).
    """
    from pagefind.index import IndexConfig

    index = await service.create_index(
        IndexConfig(force_language="ja", output_path=str(into))
    )
    await index.add_directory(str(site))
    await index.write_files()
    await index.delete_index()


def write_files(folder: Path, files: dict[str, bytes]) -> None:
    """``files`` (path → bytes) into ``folder``."""
    made: set[Path] = set()
    for path, data in files.items():
        _write(folder / path, data, made)


def _write(target: Path, data: bytes, made: set[Path]) -> None:
    if target.parent not in made:
        target.parent.mkdir(parents=True, exist_ok=True)
        made.add(target.parent)
    target.write_bytes(data)


# --- The scratch folder: the pages' search copies, Pagefind's output -----------------


def open_scratch(session) -> Path | None:
    """A scratch folder for a build that will index its pages (None otherwise):
    the render workers put each page's search copy in it as they write the page
    (``put_copy``), so indexing starts without reading the pages back."""
    if not search_enabled() or session.options.defer_search:
        return None
    return _new_scratch(session)


def _new_scratch(session) -> Path:
    session.cache_dir.mkdir(parents=True, exist_ok=True)
    return Path(
        tempfile.mkdtemp(prefix="portal-pagefind-", dir=scratch_root(session.cache_dir))
    )


def close_scratch(session) -> None:
    if session.search_scratch is not None:
        shutil.rmtree(session.search_scratch, ignore_errors=True)
        session.search_scratch = None


def _copy_file(scratch: Path, path: str) -> Path:
    """Where the search copy of page ``path`` goes: its shard's input folder."""
    return scratch / str(shard_of(path)) / "site" / path


def put_copy(scratch: Path, path: str, page: bytes, made: set[Path]) -> None:
    """Called for every HTML file a build writes: its search copy, if it is
    indexed and has one, into ``scratch``."""
    if is_indexed(path):
        copy = search_copy(page)
        if copy is not None:
            _write(_copy_file(scratch, path), copy, made)


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


def _complete(data: bytes) -> bool:
    """Whether a file's bytes are whole: a gzip file (Pagefind compresses its
    index) must decompress to the end."""
    if data[:2] != b"\x1f\x8b":
        return True
    stream = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        stream.decompress(data)
    except zlib.error:
        return False
    return stream.eof


#: How long to wait for Pagefind's files to be whole.
SETTLE_SECONDS = 60


def _settled(folder: Path, timeout: float = SETTLE_SECONDS) -> None:
    """Wait until Pagefind's files in ``folder`` stop appearing and growing:
    Pagefind may answer "written" while its writes are still under way (and
    stopping the service then cuts files short)."""
    deadline = time.monotonic() + timeout
    previous = None
    while time.monotonic() < deadline:
        sizes = {p: p.stat().st_size for p in folder.rglob("*") if p.is_file()}
        if sizes and sizes == previous:
            return
        previous = sizes
        time.sleep(0.1)
    raise RuntimeError("Pagefind did not finish writing its index in time")


def read_complete(path: Path, timeout: float = SETTLE_SECONDS) -> bytes:
    """A file of Pagefind's output, once it is whole (checked as it is copied,
    so each file is read and decompressed once)."""
    deadline = time.monotonic() + timeout
    while True:
        data = path.read_bytes()
        if _complete(data):
            return data
        if time.monotonic() > deadline:
            raise RuntimeError(f"Pagefind left {path.name} incomplete")
        time.sleep(0.1)


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
    if session.search_scratch is None:  # a deferring build that indexes after all
        session.search_scratch = _new_scratch(session)
    scratch = session.search_scratch
    # Only pages marked data-pagefind-body are indexed (the theme leaves the mark
    # off lists, whose cards repeat the listings' own pages): the others are
    # neither given to Pagefind nor counted in a shard's key, so a publish that
    # only moves cards along the lists re-makes just the shard of the page it
    # changed. The pages this build wrote have their copies already; the others
    # (kept from an earlier build, or written by Pelican itself) are read back.
    indexed, read_back = [], {}
    for path in pages:
        if _copy_file(scratch, path).exists():
            indexed.append(path)
            continue
        page = _read(session.output_dir / path)
        copy = search_copy(page) if page is not None else None
        if copy is not None:
            indexed.append(path)
            read_back[path] = copy
    if not indexed:  # a theme without marks: every page, whole
        read_back = {p: d for p in pages if (d := _read(session.output_dir / p))}
        indexed = list(read_back)
    shards: list[dict[str, str]] = [{} for _ in range(SHARDS)]
    for path in indexed:
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
            todo[shard] = key
    if not todo:
        return
    write_files(
        scratch,
        {
            f"{shard_of(path)}/site/{path}": copy
            for path, copy in read_back.items()
            if shard_of(path) in todo
        },
    )
    del read_back

    try:
        _run(_make_shards(sorted(todo), scratch, folder, todo))
    except Exception as error:
        # A site without search is better than no site: say so and go on.
        logger.exception("Pagefind failed")
        session.summary.warnings.append(
            f"サイト内検索の索引を作れませんでした: {error}"
        )


def _write_back(folder, shard: int, key: str, into: Path):
    """Write the shard Pagefind made in ``into`` to the output ``folder`` (in a
    thread of its own); returns the write report. The entry file goes last: it
    names the index's other files, so a visitor never loads an entry whose files
    are not all there yet."""
    from .output import OutputFolder

    _settled(into)
    own = OutputFolder(folder.root, folder.manifest, folder.trusted)
    files = sorted(
        (p for p in into.rglob("*") if p.is_file()),
        key=lambda p: (p.name == ENTRY_FILE, p.as_posix()),
    )
    for file in files:
        if not file.name.startswith(UNUSED_BUNDLES):
            relative = f"{shard_folder(shard)}/{file.relative_to(into).as_posix()}"
            own.write(relative, read_complete(file), key)
    shutil.rmtree(into.parent, ignore_errors=True)  # the shard's scratch: done with
    return own.report


async def _make_shards(shards: list[int], scratch: Path, folder, keys: dict) -> None:
    """Make ``shards`` one after the other in one Pagefind process, and write
    each into the output ``folder`` (its report merged into the folder's) while
    Pagefind makes the next.

    One at a time for the build's peak memory: Pagefind holds every page of an
    index in memory until it is written (about 0.1 MB a listing page), on top of
    its Japanese dictionary (340 MB a process). Two shards made at the same time,
    each by its own process, took 1.9 GB; one shard at a time in one process
    takes the dictionary once and a shard's pages at a time. Pagefind spreads a
    shard over about 1.3 cores itself: in ``portal bench build`` the search step
    takes 1-2 s longer than with two processes at once, for less CPU time and
    well under half the memory (0.6 GB instead of 1.9)."""
    from pagefind.service import PagefindService

    writing = None
    async with PagefindService() as service:
        for shard in shards:
            into = scratch / str(shard) / INDEX_FOLDER
            await _index_with(service, into.parent / "site", into)
            if writing is not None:
                folder.report.merge(await writing)
            writing = asyncio.create_task(
                asyncio.to_thread(_write_back, folder, shard, keys[shard], into)
            )
        if writing is not None:
            folder.report.merge(await writing)
