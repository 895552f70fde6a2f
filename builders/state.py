"""What a build remembers for the next one, in one SQLite file beside the output:

* ``pages``: the content snapshot (one record per public page, as the theme
  uses it, with its content hash and its list card), so the next build fetches
  only what changed since ``meta.fetched_at``;
* ``outputs``: the manifest — every output file with the key of its inputs, the
  SHA-1 and size of its bytes, and the internal links it contains;
* ``fragments`` / ``images``: the HTML passes and resized images, cached by
  content hash between builds;
* ``meta``: the site data, the time of the last fetch and whether the last build
  finished (a build that crashed half-way leaves ``clean`` off, and the next one
  compares with the files on disk instead of trusting the manifest).
"""

import json
import pickle
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

SCHEMA = """
create table if not exists meta (key text primary key, value text not null);
create table if not exists pages (
    id integer primary key,
    path text not null,
    type text not null,
    hash text not null,
    card_hash text not null,
    card blob not null,
    record text not null
);
create table if not exists outputs (
    path text primary key,
    key text not null,
    sha1 text not null,
    size integer not null,
    links blob not null
);
create table if not exists fragments (hash text primary key, html text not null);
create table if not exists images (key text primary key, variants text not null);
"""

#: Bump when the layout of this file changes: older state is then discarded.
STATE_VERSION = "5"


@dataclass(frozen=True)
class OutputEntry:
    key: str
    sha1: str
    size: int
    links: tuple[str, ...]


def _dumps(value) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


class BuildState:
    """The state file of one output folder."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(self.path, isolation_level=None, timeout=30)
        self.db.execute("pragma journal_mode=wal")
        self.db.execute("pragma synchronous=normal")
        self.db.executescript(SCHEMA)
        if self.get("version") != STATE_VERSION:
            self.reset()

    def close(self) -> None:
        self.db.close()

    def reset(self) -> None:
        with self.transaction():
            for table in ("meta", "pages", "outputs", "fragments", "images"):
                self.db.execute(f"delete from {table}")
            self.set("version", STATE_VERSION)

    @contextmanager
    def transaction(self) -> Iterator[None]:
        self.db.execute("begin immediate")
        try:
            yield
        except BaseException:
            self.db.execute("rollback")
            raise
        self.db.execute("commit")

    # Meta ------------------------------------------------------------------------

    def get(self, key: str, default=None):
        row = self.db.execute("select value from meta where key = ?", (key,)).fetchone()
        return json.loads(row[0]) if row else default

    def set(self, key: str, value) -> None:
        self.db.execute(
            "insert or replace into meta (key, value) values (?, ?)",
            (key, _dumps(value)),
        )

    # Pages -----------------------------------------------------------------------

    def page_index(self) -> dict[int, tuple[str, str]]:
        """id → (path, record hash) of every stored page."""
        return {
            pk: (path, digest)
            for pk, path, digest in self.db.execute("select id, path, hash from pages")
        }

    def cards(self) -> dict[int, tuple[dict, str, str]]:
        """id → (card, card hash, record hash) of every stored page."""
        # Pickled: read on every build, and 10x faster to load than JSON.
        return {
            pk: (pickle.loads(card), card_hash, digest)
            for pk, card, card_hash, digest in self.db.execute(
                "select id, card, card_hash, hash from pages"
            )
        }

    def records(self, ids: Iterable[int] | None = None) -> dict[int, dict]:
        if ids is None:
            rows = self.db.execute("select id, record from pages")
            return {pk: json.loads(record) for pk, record in rows}
        found = {}
        ids = list(ids)
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            marks = ",".join("?" * len(chunk))
            rows = self.db.execute(
                f"select id, record from pages where id in ({marks})",
                chunk,
            )
            found.update((pk, json.loads(record)) for pk, record in rows)
        return found

    def put_pages(self, rows: Iterable[tuple[dict, str, dict, str]]) -> None:
        """(record, hash, card, card hash) rows, replacing pages with the same id."""
        self.db.executemany(
            "insert or replace into pages "
            "(id, path, type, hash, card_hash, card, record) "
            "values (?, ?, ?, ?, ?, ?, ?)",
            (
                (r["id"], r["path"], r["type"], h, ch, pickle.dumps(c), _dumps(r))
                for r, h, c, ch in rows
            ),
        )

    def delete_pages(self, ids: Iterable[int]) -> None:
        self.db.executemany("delete from pages where id = ?", ((i,) for i in ids))

    def clear_pages(self) -> None:
        self.db.execute("delete from pages")

    # Outputs ---------------------------------------------------------------------

    def outputs(self) -> dict[str, OutputEntry]:
        """The manifest, without the links (see ``links``)."""
        return {
            path: OutputEntry(key, sha1, size, ())
            for path, key, sha1, size in self.db.execute(
                "select path, key, sha1, size from outputs"
            )
        }

    def links(self) -> dict[str, tuple[str, ...]]:
        """File → the internal links it contains (HTML files only)."""
        return {
            path: pickle.loads(links)
            for path, links in self.db.execute(
                "select path, links from outputs where path like '%.html'"
            )
        }

    def put_outputs(self, entries: dict[str, OutputEntry]) -> None:
        self.db.executemany(
            "insert or replace into outputs (path, key, sha1, size, links) "
            "values (?, ?, ?, ?, ?)",
            (
                (path, e.key, e.sha1, e.size, pickle.dumps(tuple(e.links)))
                for path, e in entries.items()
            ),
        )

    def delete_outputs(self, paths: Iterable[str]) -> None:
        self.db.executemany("delete from outputs where path = ?", ((p,) for p in paths))

    # Caches ----------------------------------------------------------------------

    def fragment(self, digest: str) -> str | None:
        row = self.db.execute(
            "select html from fragments where hash = ?", (digest,)
        ).fetchone()
        return row[0] if row else None

    def put_fragments(self, items: dict[str, str]) -> None:
        self.db.executemany(
            "insert or replace into fragments (hash, html) values (?, ?)",
            items.items(),
        )

    def images(self) -> dict[str, dict]:
        return {
            key: json.loads(variants)
            for key, variants in self.db.execute("select key, variants from images")
        }

    def put_images(self, items: dict[str, dict]) -> None:
        self.db.executemany(
            "insert or replace into images (key, variants) values (?, ?)",
            ((key, _dumps(v)) for key, v in items.items()),
        )
