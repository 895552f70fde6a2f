"""Site search: a Pagefind index of the pages this build made, written to
``pagefind/`` through the output folder (so it is in the manifest, and files of
an older index are deleted like any page that is gone).

Pagefind (PyPI ``pagefind[extended]``, whose binary segments Japanese) runs after
rendering. It is skipped when no HTML page changed since the index was made,
deferred by a build with ``defer_search`` (publishes: cms.publishing.tasks),
and switched off entirely with ``PORTAL_SEARCH=0`` (the search page then says
search is unavailable and links to the lists).

The index is split into ``SHARDS`` shards (``pagefind/0/``, ``pagefind/1/``), a page
going to the shard its path hashes to. Pagefind indexes on about one core, so the
shards are made at the same time, one Pagefind process each: the full build's
index takes half the time, and a refresh after a publish re-makes only the shards
whose pages changed. The browser searches the first shard and merges the others
into its results (Pagefind's ``mergeIndex``, search.js).
"""

import asyncio
import hashlib
import logging
import os
import shutil
import tempfile
import threading
import zlib
from pathlib import Path

logger = logging.getLogger(__name__)

INDEX_FOLDER = "pagefind"
#: Files never worth finding: the 404 page and the search page itself.
NOT_INDEXED = ("404.html", "search/index.html")
#: Pagefind's ready-made search interfaces: the theme has its own (search.js), and
#: these bundles are not byte-stable from one index run to the next.
UNUSED_BUNDLES = (
    "pagefind-ui.",
    "pagefind-modular-ui.",
    "pagefind-component-ui.",
    "pagefind-highlight.",
)
#: Bump when what is indexed changes (makes the next build re-index).
INDEX_VERSION = "3"
#: Shards of the index; a page's shard must not depend on the machine (the output is
#: the same everywhere), so this is a constant, not the number of cores.
SHARDS = 2


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


def _has_body(file: Path) -> bool:
    """Pagefind indexes only pages marked ``data-pagefind-body`` (the theme leaves
    the mark off lists, whose cards repeat the listings' own pages): the others
    are neither given to it nor counted in a shard's key, so a publish that only
    moves cards along the lists re-makes just the shard of the page it changed.
    Reading the pages back costs well under a second for a large site."""
    try:
        return b"data-pagefind-body" in file.read_bytes()
    except FileNotFoundError:
        return False


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


async def _make_index(root: Path, paths: list[str], scratch: Path) -> Path:
    """Index ``paths`` (relative to ``root``); returns the folder of the index.

    Pagefind reads a folder far faster than files sent one by one, so the
    pages are linked (or copied) into a scratch folder that holds exactly this
    build's pages — not files of an older build that are about to be deleted.
    """
    from pagefind.index import IndexConfig
    from pagefind.service import PagefindService

    site = scratch / "site"
    for path in paths:
        target = site / path
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(root / path, target)
        except OSError:  # another file system
            shutil.copyfile(root / path, target)
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
    marked = {p: h for p, h in pages.items() if _has_body(session.output_dir / p)}
    shards: list[dict[str, str]] = [{} for _ in range(SHARDS)]
    for path, sha1 in (marked or pages).items():  # a theme without marks: all
        shards[shard_of(path)][path] = sha1
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
            todo[shard] = (key, shard_pages)
    if not todo:
        return
    session.cache_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(
        prefix="pagefind-", dir=session.cache_dir
    ) as scratch:
        try:
            made = _run(_make_shards(session.output_dir, todo, Path(scratch)))
        except Exception as error:
            # A site without search is better than no site: say so and go on.
            logger.exception("Pagefind failed")
            session.summary.warnings.append(
                f"サイト内検索の索引を作れませんでした: {error}"
            )
            return
        for shard, into in made.items():
            key = todo[shard][0]
            for file in sorted(p for p in into.rglob("*") if p.is_file()):
                if file.name.startswith(UNUSED_BUNDLES):
                    continue
                relative = f"{shard_folder(shard)}/{file.relative_to(into).as_posix()}"
                folder.write(relative, file.read_bytes(), key)


async def _make_shards(root: Path, todo: dict, scratch: Path) -> dict[int, Path]:
    """Make the shards in ``todo`` at the same time, a Pagefind process each."""
    shards = sorted(todo)
    folders = await asyncio.gather(
        *(_make_index(root, sorted(todo[n][1]), scratch / str(n)) for n in shards)
    )
    return dict(zip(shards, folders, strict=True))
