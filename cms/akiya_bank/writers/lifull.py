"""The LIFULL HOME'S-style bulk upload (一括入稿) CSV for the national akiya bank.

LIFULL publishes no import specification for the akiya bank, so this follows the
public HOME'S bulk upload CSV (versions 4.1.3/4.2.5): Shift_JIS (cp932, see
``sjis``), every field double-quoted, CRLF, a first ``header`` record, then one
record per listing starting with our listing number and its modification time,
location by municipality code, up to 30 photos per listing (file name, modified
time, kind, comment), the photo files under ``images/`` and an empty control file
``sent`` written last.

**The column mapping is the table ``COLUMNS``** (and ``HEADER`` for the header
record). When the prefecture supplies the bank's real columns, replace the table:
each entry names the column, how its text is made from a canonical record, the
canonical field it comes from (so problems are shown on the right form field) and
its maximum length.
"""

import csv
import functools
import hashlib
import io
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from .. import sjis
from ..canonical import FIELDS_BY_NAME, MAX_PHOTOS, Feed
from ..records import open_photo, photo_extension
from .base import FeedPackage, FeedWriter, PackageFile, WriteIssue

FILE_NAME = "akiya.csv"
CONTROL_FILE = "sent"
RECORD_UPSERT = "1"  # データ区分: 掲載（新規・更新）
RECORD_DELETE = "9"  # データ区分: 削除（掲載終了）


@dataclass(frozen=True)
class Column:
    label: str
    text: Callable[[dict], str] | None  # None: a photo column (``photo_cells``)
    source: str | None = None  # the canonical field shown to the editor on problems
    max_length: int | None = None


# --- Formatting canonical values as LIFULL text -----------------------------------


def _plain(value) -> str:
    if value.__class__ is str:
        return value
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        return f"{value:.6f}".rstrip("0").rstrip(".")
    if isinstance(value, list):
        return "、".join(value)
    return str(value)


def _date(value: str | None) -> str:
    """2026-04-01 → 2026/04/01; 2026-04-01T09:30:00+09:00 → 2026/04/01 09:30:00."""
    if not value:
        return ""
    return value[:19].replace("-", "/").replace("T", " ")


_LABELS = {f.name: dict(f.choices) for f in FIELDS_BY_NAME.values() if f.choices}


def _label(field_name: str, code: str) -> str:
    return _LABELS[field_name].get(code, code)


def field(label, name, max_length=None) -> Column:
    return Column(label, lambda r: _plain(r[name]), name, max_length)


def coded(label, name, mapping: dict | None = None) -> Column:
    """A code shown as its Japanese label (or as ``mapping`` says)."""
    if mapping:
        return Column(label, lambda r: mapping.get(r[name], ""), name)
    return Column(label, lambda r: _label(name, r[name]) if r[name] else "", name)


def date(label, name) -> Column:
    return Column(label, lambda r: _date(r[name]), name)


def _town_address(record: dict) -> str:
    """所在地 below the municipality, as the location code already names it."""
    address = record["address"]
    for prefix in ("茨城県", "東京都", "北海道", "大阪府", "京都府"):
        if address.startswith(prefix):
            address = address[len(prefix) :]
            break
    else:
        head, sep, tail = address.partition("県")
        if sep and len(head) <= 3:
            address = tail
    return address.removeprefix(record["municipality_name"]).strip()


def _special_notes(record: dict) -> str:
    labels = [_label("special_notes", code) for code in record["special_notes"]]
    return "、".join(filter(None, ["、".join(labels), record["special_notes_text"]]))


def _built(record: dict) -> str:
    return record["built_year_month"].replace("-", "")


def _contact(record: dict) -> str:
    return " ".join(
        filter(None, [record["contact_name"], record["contact_department"]])
    )


PHOTO_KINDS = {
    "exterior": "外観",
    "interior": "室内",
    "floor_plan": "間取図",
    "land": "土地",
    "surroundings": "周辺環境",
    "other": "その他",
}


def photo_file_name(listing_id: str, index: int, url: str) -> str:
    """``akiya-276_01_3fa2c9d1.jpg``: listing, position, and a digest of the photo's
    URL, so a replaced photo gets a new name (an upload never mistakes it for the
    old file of the same name and size)."""
    digest = hashlib.sha1(url.encode(), usedforsecurity=False).hexdigest()[:8]
    return f"{listing_id}_{index:02d}_{digest}{photo_extension(url)}"


def photo_cells(record: dict) -> list[str]:
    """The four photo columns × 30, for one record (empty past its last photo)."""
    cells = []
    for index, photo in enumerate(record["photos"][:MAX_PHOTOS], start=1):
        cells += [
            photo_file_name(record["id"], index, photo["url"]),
            _date(photo["uploaded_at"]),
            PHOTO_KINDS.get(photo["kind"], "その他"),
            photo["caption"] or photo["alt"],
        ]
    return cells + [""] * (PHOTO_PARTS * MAX_PHOTOS - len(cells))


PHOTO_PARTS = 4  # ファイル名, 更新日時, 種別, コメント


# --- The mapping table --------------------------------------------------------------

# fmt: off
COLUMNS: list[Column] = [
    field("自社管理物件番号", "id", 20),
    date("物件更新日時", "modified_at"),
    Column("データ区分", lambda r: RECORD_UPSERT),
    field("登録番号", "registration_number", 30),
    coded("取引態様", "transaction_type", {"sale": "売買", "rent": "賃貸", "sale_or_rent": "売買・賃貸"}),
    coded("物件種目", "property_type", {"house": "戸建", "land": "土地"}),
    coded("掲載状況", "status"),
    field("都道府県コード", "prefecture_code"),
    Column("所在地コード", lambda r: r["municipality_code"][:5], "municipality_code"),
    Column("所在地", _town_address, "address", 100),
    field("物件名", "title", 100),
    field("キャッチコピー", "summary", 300),
    field("価格", "price_yen"),
    field("賃料", "rent_yen"),
    field("価格応相談", "price_negotiable"),
    field("価格備考", "price_note", 200),
    field("土地面積", "land_area_sqm"),
    coded("土地面積計測方式", "land_area_method"),
    field("建物面積", "building_area_sqm"),
    coded("建物面積計測方式", "building_area_method"),
    field("間取り", "layout", 30),
    Column("築年月", _built, "built_year_month"),
    coded("建物構造", "structure"),
    field("階建", "floors"),
    coded("都市計画", "city_planning_area"),
    coded("用途地域", "zoning"),
    field("建ぺい率", "building_coverage_ratio"),
    field("容積率", "floor_area_ratio"),
    field("接道状況", "road_access", 200),
    coded("上水道", "water_supply"),
    coded("下水道", "sewerage"),
    coded("ガス", "gas_supply"),
    field("駐車場台数", "parking_spaces"),
    field("駐車場備考", "parking_note", 120),
    coded("現況", "current_state"),
    field("引渡し時期", "handover", 120),
    coded("取引方法", "transaction_method"),
    field("媒介業者名", "agent_name", 120),
    field("宅建業免許番号", "agent_licence_number", 60),
    Column("特記事項", _special_notes, "special_notes_text", 1000),
    field("物件説明", "description", 2000),
    field("交通", "access", 200),
    field("緯度", "latitude"),
    field("経度", "longitude"),
    Column("問い合わせ先", _contact, "contact_name", 120),
    field("問い合わせ先電話番号", "contact_phone", 20),
    field("問い合わせ先メールアドレス", "contact_email", 254),
    field("物件詳細URL", "url", 500),
    date("登録日", "registered_on"),
    field("申込方法", "how_to_apply", 1000),
    # 画像1ファイル名 … 画像30コメント: filled by ``photo_cells``.
    *[
        column
        for i in range(1, MAX_PHOTOS + 1)
        for column in (
            Column(f"画像{i}ファイル名", None, "photos"),
            Column(f"画像{i}更新日時", None, "photos"),
            Column(f"画像{i}種別", None, "photos"),
            Column(f"画像{i}コメント", None, "photos", 100),
        )
    ],
]
# fmt: on

DELETE_COLUMNS = {"自社管理物件番号", "物件更新日時", "データ区分"}


@dataclass(frozen=True)
class LifullConfig:
    """The header record's settings (settings.AKIYA_BANK, see docs/akiya-feed.md)."""

    member_number: str = ""
    format_version: str = "4.2.5"
    image_path: str = "images/"
    route_pattern: str = "0"
    rewrite_mode: str = "0"
    test_mode: bool = True

    @classmethod
    def from_settings(cls) -> "LifullConfig":
        options = settings.AKIYA_BANK
        return cls(
            member_number=options["LIFULL_MEMBER_NUMBER"],
            format_version=options["LIFULL_FORMAT_VERSION"],
            route_pattern=options["LIFULL_ROUTE_PATTERN"],
            rewrite_mode=options["LIFULL_REWRITE_MODE"],
            test_mode=options["LIFULL_TEST_MODE"],
        )


PROCESSING_TYPES = {"full": "1", "changes": "2"}  # 処理種別: 1=全件, 2=差分

HEADER: list[tuple[str, Callable[[LifullConfig, Feed], str]]] = [
    ("レコード種別", lambda c, f: "header"),
    ("フォーマットバージョン", lambda c, f: c.format_version),
    ("処理種別", lambda c, f: PROCESSING_TYPES[f.mode]),
    ("会員番号", lambda c, f: c.member_number),
    ("文字コード", lambda c, f: "SJIS"),
    ("画像パス", lambda c, f: c.image_path),
    ("ルートパターン", lambda c, f: c.route_pattern),
    ("リライトモード", lambda c, f: c.rewrite_mode),
    ("テストモード", lambda c, f: "1" if c.test_mode else "0"),
]


# --- Rendering ----------------------------------------------------------------------


_TEXT_COLUMNS = [column.text for column in COLUMNS if column.text is not None]
_LIMITED = [(i, c.max_length, c) for i, c in enumerate(COLUMNS) if c.max_length]
if any(column.text is None for column in COLUMNS[: len(_TEXT_COLUMNS)]):
    raise ImproperlyConfigured("lifull.COLUMNS: the photo columns must come last.")


def render_record(record: dict) -> tuple[list[str], list[WriteIssue]]:
    """One listing's cells, made sendable in Shift_JIS and cut to each column's
    length, with what had to change."""
    cells = [text(record) for text in _TEXT_COLUMNS] + photo_cells(record)
    issues: list[WriteIssue] = []
    joined = "\x1f".join(cells)
    clean, _ = sjis.to_shift_jis_text(joined)
    if clean != joined:
        for index, column in enumerate(COLUMNS):
            text, substitutions = sjis.to_shift_jis_text(cells[index])
            if substitutions:
                changes = "、".join(s.describe() for s in substitutions)
                issues.append(
                    WriteIssue(
                        record["id"],
                        column.source or "",
                        f"{column.label}: Shift_JISにない文字を置き換えます（{changes}）。",
                    )
                )
            cells[index] = text
    for index, limit, column in _LIMITED:
        if len(cells[index]) > limit:
            cells[index] = cells[index][:limit]
            issues.append(
                WriteIssue(
                    record["id"],
                    column.source or "",
                    f"{column.label}: {limit}文字を超える部分は送信されません。",
                )
            )
    return cells, issues


def header_row(config: LifullConfig, feed: Feed) -> list[str]:
    row = [value(config, feed) for _, value in HEADER]
    return row + [""] * (len(COLUMNS) - len(row))


def deletion_row(listing_id: str, deleted_at: str) -> list[str]:
    row = [""] * len(COLUMNS)
    row[0], row[1], row[2] = listing_id, _date(deleted_at), RECORD_DELETE
    return row


class LifullCsvWriter(FeedWriter):
    name = "lifull-csv"
    label = "LIFULL HOME'S 一括入稿形式（Shift_JIS CSV）"
    media_type = "text/csv; charset=Shift_JIS"
    file_name = FILE_NAME

    def __init__(self, config: LifullConfig | None = None):
        self._config = config

    @property
    def config(self) -> LifullConfig:
        return self._config or LifullConfig.from_settings()

    def cache_key(self) -> str:
        return repr(self.config)

    def render(self, feed: Feed) -> FeedPackage:
        config = self.config
        buffer = io.StringIO()
        writer = csv.writer(buffer, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
        writer.writerow(header_row(config, feed))
        issues, photos = [], []
        for record in feed.records:
            cells, record_issues = render_record(record)
            writer.writerow(cells)
            issues += record_issues
            for index, photo in enumerate(record["photos"], start=1):
                name = photo_file_name(record["id"], index, photo["url"])
                photos.append(
                    PackageFile(
                        config.image_path + name,
                        read=functools.partial(open_photo, photo["url"]),
                    )
                )
        for deletion in feed.deletions:
            writer.writerow(deletion_row(deletion.id, deletion.deleted_at))
        # Every cell is sendable now, so a strict encode cannot fail.
        data = buffer.getvalue().encode(sjis.ENCODING)
        files = [PackageFile(FILE_NAME, data), *photos, PackageFile(CONTROL_FILE, b"")]
        return FeedPackage(self.name, self.media_type, files, issues)


def read_rows(data: bytes) -> list[list[str]]:
    """The records of a LIFULL CSV, header first (for tests and checks)."""
    return list(csv.reader(io.StringIO(data.decode(sjis.ENCODING), newline="")))
