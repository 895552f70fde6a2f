"""Writing the output folder: a file is written only when its bytes differ from
what the manifest says is there (same bytes: no write, its mtime untouched);
files of the previous build that this build no longer makes are deleted.

Links are collected from each HTML file as it is written (a regular expression
over the bytes, far cheaper than parsing), so the link check needs no second
pass over the pages.
"""

import hashlib
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from .state import OutputEntry

# One expression per attribute: a pattern that starts with a literal is searched
# for far faster (``(?:href|src)=`` in one pattern took three times as long).
_LINKS = (
    re.compile(rb'href="(/(?!/)[^"#?]*)'),
    re.compile(rb'src="(/(?!/)[^"#?]*)'),
)


#: One string object per distinct link: most links are the same on every page
#: (the header's and footer's). A full build keeps the links of its 28,000 files
#: until the check; as separate strings, received from the render workers, they
#: took 144 MiB of the build process's memory. Emptied when it grows past
#: ``LINK_OBJECTS_MAX``, so a long-lived task worker does not keep every build's.
_LINK_OBJECTS: dict[str, str] = {}
LINK_OBJECTS_MAX = 200_000


def _shared(links) -> tuple[str, ...]:
    """``links`` as a tuple of the one string object of each link (a render
    worker's chunk of pages then reaches the build process with each link once:
    pickle sends an object already sent in the same message as a reference)."""
    if len(_LINK_OBJECTS) > LINK_OBJECTS_MAX:
        _LINK_OBJECTS.clear()
    one = _LINK_OBJECTS.setdefault
    return tuple([one(link, link) for link in links])


def links_in(data: bytes) -> tuple[str, ...]:
    """The site paths that ``href`` and ``src`` attributes of a page point at."""
    found = {link for pattern in _LINKS for link in pattern.findall(data)}
    return _shared(sorted(link.decode("utf-8", "replace") for link in found))


@dataclass
class WriteReport:
    written: list[str] = field(default_factory=list)
    unchanged: int = 0
    entries: dict[str, OutputEntry] = field(default_factory=dict)

    def merge(self, other: "WriteReport") -> None:
        self.written += other.written
        self.unchanged += other.unchanged
        self.entries.update(other.entries)


class OutputFolder:
    """The output folder and the manifest of its previous state."""

    def __init__(self, root: Path, manifest: dict[str, OutputEntry], trusted: bool):
        self.root = Path(root)
        self.manifest = manifest
        # After a crashed build the manifest may not match the disk: compare bytes.
        self.trusted = trusted
        self.report = WriteReport()
        self._folders: set[Path] = set()  # made (or found) by this build

    def _same_as_before(self, path: str, target: Path, digest: str) -> bool:
        if self.trusted:
            entry = self.manifest.get(path)
            return entry is not None and entry.sha1 == digest and target.exists()
        try:
            return hashlib.sha1(target.read_bytes()).hexdigest() == digest
        except FileNotFoundError:
            return False

    def write(self, path: str, data: bytes, key: str, html: bool = False) -> bool:
        """Write ``data`` to ``path`` unless the same bytes are there; True if
        written. Threads may write different paths at the same time (the search
        index's shards are written so): each call changes only its own file and
        adds to the report with single dict and list operations."""
        digest = hashlib.sha1(data).hexdigest()
        target = self.root / path
        links = links_in(data) if html else ()
        self.report.entries[path] = OutputEntry(key, digest, len(data), links)
        if self._same_as_before(path, target, digest):
            self.report.unchanged += 1
            return False
        if target.parent not in self._folders:
            target.parent.mkdir(parents=True, exist_ok=True)
            self._folders.add(target.parent)
        temporary = target.with_name(f".{target.name}.tmp")
        temporary.write_bytes(data)
        os.replace(temporary, target)
        self.report.written.append(path)
        return True

    def keep(self, path: str, key: str) -> bool:
        """A file whose inputs did not change: keep it as it is (True), or False
        when it has to be made after all (not in the manifest, or — after a
        crashed build — missing from disk)."""
        entry = self.manifest.get(path)
        if entry is None or entry.key != key:
            return False
        if not self.trusted and not (self.root / path).exists():
            return False
        self.report.entries[path] = entry
        self.report.unchanged += 1
        return True

    def remove_stale(self, keep: set[str]) -> list[str]:
        """Delete files of the previous build that this one did not make."""
        removed = []
        for path in sorted(set(self.manifest) - keep):
            target = self.root / path
            try:
                target.unlink()
                removed.append(path)
            except FileNotFoundError:
                removed.append(path)
            _prune_empty(target.parent, self.root)
        return removed


def _prune_empty(folder: Path, root: Path) -> None:
    while folder != root and folder.is_relative_to(root):
        try:
            folder.rmdir()
        except OSError:
            return
        folder = folder.parent
