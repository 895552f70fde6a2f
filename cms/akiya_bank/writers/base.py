"""The feed-writer interface: a writer turns a ``Feed`` (canonical records and
deletions) into a ``FeedPackage`` (the files to deliver) and says what it had to
change on the way (characters replaced, text cut to a column's length)."""

import io
import os
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ..canonical import Feed
from ..records import paused_gc


@dataclass
class PackageFile:
    """One file of a package. Photos are not read until the package is written, so
    building a package stays cheap; ``read`` returns their bytes."""

    name: str
    data: bytes | None = None
    read: Callable[[], bytes] | None = None

    def content(self) -> bytes:
        return self.data if self.data is not None else self.read()


@dataclass(frozen=True)
class WriteIssue:
    """Something a writer changed in a listing's text: ``field`` is the canonical
    field, ``message`` says what happened in Japanese."""

    listing_id: str
    field: str
    message: str


@dataclass
class FeedPackage:
    format: str
    media_type: str
    files: list[PackageFile]
    issues: list[WriteIssue] = field(default_factory=list)

    @property
    def main(self) -> PackageFile:
        """The feed file itself (the first file)."""
        return self.files[0]

    def write_to_dir(self, out: Path, progress=None) -> list[Path]:
        """Write every file under ``out``, each through a temporary name and a
        rename, so a reader never sees half a file, in ``delivery_order``."""
        out.mkdir(parents=True, exist_ok=True)
        written = []
        for package_file in self.delivery_order():
            target = out / package_file.name
            target.parent.mkdir(parents=True, exist_ok=True)
            temporary = target.with_name(target.name + ".part")
            temporary.write_bytes(package_file.content())
            os.replace(temporary, target)
            written.append(target)
            if progress:
                progress(package_file)
        return written

    def as_zip(self) -> bytes:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for package_file in self.files:
                archive.writestr(package_file.name, package_file.content())
        return buffer.getvalue()

    def delivery_order(self) -> list[PackageFile]:
        """Upload order for a remote target: photos first, then the feed, then the
        control files (``sent``), so the bank never reads a feed whose photos are
        still on their way."""
        control = [f for f in self.files if f.name in CONTROL_FILES]
        main = [self.main]
        rest = [f for f in self.files[1:] if f.name not in CONTROL_FILES]
        return rest + main + control


CONTROL_FILES = {"sent"}


class FeedWriter:
    """Base of the writers. Subclasses set the names and implement ``write``."""

    name = ""
    label = ""
    media_type = ""
    file_name = ""

    def write(self, feed: Feed) -> FeedPackage:
        with paused_gc():
            return self.render(feed)

    def render(self, feed: Feed) -> FeedPackage:
        """The package for ``feed``; what each writer implements."""
        raise NotImplementedError

    def cache_key(self) -> str:
        """What, besides the feed version, changes this writer's output (settings)."""
        return ""
