"""Feed writers by format name: every export, pull and push goes through these."""

from .base import FeedPackage, FeedWriter, PackageFile, WriteIssue
from .canonical import CanonicalCsvWriter, CanonicalJsonWriter
from .lifull import LifullCsvWriter

FORMATS = ("canonical-json", "canonical-csv", "lifull-csv")


def get_writer(format_name: str) -> FeedWriter:
    """The writer for ``format_name`` (one of ``FORMATS``)."""
    writers = {
        "canonical-json": CanonicalJsonWriter,
        "canonical-csv": CanonicalCsvWriter,
        "lifull-csv": LifullCsvWriter,
    }
    try:
        return writers[format_name]()
    except KeyError:
        raise ValueError(
            f"unknown feed format {format_name!r}: use one of {', '.join(FORMATS)}"
        ) from None


FORMAT_CHOICES = [(name, get_writer(name).label) for name in FORMATS]

__all__ = [
    "FORMATS",
    "FORMAT_CHOICES",
    "FeedPackage",
    "FeedWriter",
    "PackageFile",
    "WriteIssue",
    "get_writer",
]
