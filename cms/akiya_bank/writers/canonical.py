"""Our canonical open format in UTF-8: a JSON document (validated by
``canonical.json_schema()``) and a flat CSV with one row per listing. Both can be
read back (``read_json`` / ``read_csv``) into the same records."""

import csv
import io
import json

from django.utils import timezone

from ..canonical import (
    FIELDS,
    FORMAT_NAME,
    FORMAT_VERSION,
    MAX_PHOTOS,
    PHOTO_PARTS,
    Deletion,
    Feed,
)
from .base import FeedPackage, FeedWriter, PackageFile


def _generated_at(feed: Feed) -> str:
    moment = timezone.localtime(feed.generated_at or timezone.now())
    return moment.isoformat(timespec="seconds")


class CanonicalJsonWriter(FeedWriter):
    name = "canonical-json"
    label = "正規形式（JSON）"
    media_type = "application/json"
    file_name = "akiya-feed.json"

    def render(self, feed: Feed) -> FeedPackage:
        head = {
            "format": FORMAT_NAME,
            "version": FORMAT_VERSION,
            "mode": feed.mode,
            "generated_at": _generated_at(feed),
            "feed_version": feed.version,
            "publisher": feed.publisher,
        }
        # One listing per line: readable in a diff, and json.dumps stays on its
        # fast C path (indent= would not).
        dump = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
        opening = dump(head)[:-1]
        listings = ",\n".join(dump(r) for r in feed.records)
        deleted = ",\n".join(
            dump({"id": d.id, "deleted_at": d.deleted_at}) for d in feed.deletions
        )
        text = (
            f'{opening},\n"listings":[\n{listings}\n],\n"deleted":[\n{deleted}\n]}}\n'
        )
        return FeedPackage(
            self.name, self.media_type, [PackageFile(self.file_name, text.encode())]
        )


def read_json(data: bytes) -> Feed:
    document = json.loads(data)
    return Feed(
        records=document["listings"],
        deletions=[Deletion(d["id"], d["deleted_at"]) for d in document["deleted"]],
        mode=document["mode"],
        version=document["feed_version"],
        publisher=document["publisher"],
    )


# --- CSV -----------------------------------------------------------------------

SCALAR_FIELDS = [f for f in FIELDS if f.kind != "photos"]
ACTION_COLUMN = "feed_action"  # "upsert" or "delete"


def csv_columns() -> list[str]:
    """The canonical CSV's header: id, feed_action, the scalar fields, then
    ``photo_1_url`` … ``photo_30_uploaded_at``; the same for every file."""
    columns = ["id", ACTION_COLUMN] + [f.name for f in SCALAR_FIELDS if f.name != "id"]
    for index in range(1, MAX_PHOTOS + 1):
        columns += [f"photo_{index}_{part.name}" for part in PHOTO_PARTS]
    return columns


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "|".join(value)
    return str(value)


def _parse(kind: str, text: str):
    if kind in ("string", "code", "year_month"):
        return text
    if kind == "codes":
        return text.split("|") if text else []
    if text == "":
        return None
    if kind == "integer":
        return int(text)
    if kind == "number":
        return float(text)
    if kind == "boolean":
        return text == "true"
    return text  # dates and datetimes stay ISO strings, as in JSON


class CanonicalCsvWriter(FeedWriter):
    name = "canonical-csv"
    label = "正規形式（CSV）"
    media_type = "text/csv; charset=utf-8"
    file_name = "akiya-feed.csv"

    def render(self, feed: Feed) -> FeedPackage:
        columns = csv_columns()
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(columns)
        photo_width = len(PHOTO_PARTS) * MAX_PHOTOS
        for record in feed.records:
            row = [record["id"], "upsert"]
            row += [_cell(record[f.name]) for f in SCALAR_FIELDS if f.name != "id"]
            for photo in record["photos"]:
                row += [_cell(photo[part.name]) for part in PHOTO_PARTS]
            row += [""] * (len(columns) - len(row))
            writer.writerow(row)
        empty_tail = [""] * (len(columns) - 2 - photo_width)
        modified_index = columns.index("modified_at")
        for deletion in feed.deletions:
            row = [deletion.id, "delete", *empty_tail, *[""] * photo_width]
            row[modified_index] = deletion.deleted_at
            writer.writerow(row)
        return FeedPackage(
            self.name,
            self.media_type,
            [PackageFile(self.file_name, buffer.getvalue().encode())],
        )


def read_csv(data: bytes) -> Feed:
    """Records and deletions from a canonical CSV (the inverse of the writer)."""
    reader = csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline=""))
    records, deletions = [], []
    for row in reader:
        if row[ACTION_COLUMN] == "delete":
            deletions.append(Deletion(row["id"], row["modified_at"]))
            continue
        record = {}
        for f in FIELDS:
            if f.kind == "photos":
                record[f.name] = _read_photos(row)
            else:
                record[f.name] = _parse(f.kind, row[f.name])
        records.append(record)
    return Feed(records=records, deletions=deletions)


def _read_photos(row: dict) -> list[dict]:
    photos = []
    for index in range(1, MAX_PHOTOS + 1):
        if not row.get(f"photo_{index}_url"):
            break
        photos.append(
            {
                part.name: _parse(part.kind, row[f"photo_{index}_{part.name}"])
                for part in PHOTO_PARTS
            }
        )
    return photos
