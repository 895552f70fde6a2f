"""The canonical akiya record: our open format for vacant-house listings.

``FIELDS`` is the one table of the format: each field's name, type, Japanese label,
whether it is required, its code list and how it is read from an
``AkiyaListingPage``. The JSON Schema, the CSV columns, the documentation and the
record builder are all derived from it, so a new field is one new line here.

Records are plain dicts of JSON values (strings, numbers, booleans, None, lists), so
every writer (canonical JSON/CSV, LIFULL CSV) is a pure function of them.
"""

import datetime
import hashlib
import html
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils import timezone

from cms.listings.models import (
    AKIYA_SPECIAL_NOTES,
    AkiyaPhotoKind,
    AkiyaPropertyType,
    AkiyaStatus,
    AkiyaTransaction,
    AreaMethod,
    BuildingStructure,
    CityPlanningArea,
    CurrentState,
    GasSupply,
    Sewerage,
    TransactionMethod,
    WaterSupply,
    Zoning,
)

FORMAT_NAME = "akiya-feed"
FORMAT_VERSION = "1.0"
SCHEMA_ID = "urn:relocation-portal:akiya-feed:1"
MAX_PHOTOS = 30
#: Fields that change without the listing changing; left out of the content hash.
VOLATILE_FIELDS = ("modified_at",)


def listing_id(page_id: int) -> str:
    """The feed's stable id of a listing: its page id never changes, whereas the
    registration number may be corrected."""
    return f"akiya-{page_id}"


@dataclass(frozen=True)
class FeedField:
    """One field of the canonical record.

    ``kind`` is one of string, code, codes, integer, number, boolean, date,
    datetime, year_month, photos. ``read(listing, context)`` returns the value; by
    default the model attribute ``source`` (or ``name``). ``model_field`` names the
    editor's form field that a problem with this value points to.
    """

    name: str
    kind: str
    label: str
    required: bool = False
    choices: tuple[tuple[str, str], ...] = ()
    read: Callable[[Any, Any], Any] | None = None
    source: str | None = None
    model_field: str | None = None
    description: str = ""

    @property
    def attribute(self) -> str:
        return self.source or self.name

    @property
    def form_field(self) -> str:
        return self.model_field or self.attribute

    @property
    def reader(self) -> Callable[[Any, Any], Any]:
        """``read``, or reading the attribute."""
        if self.read:
            return self.read
        attribute = self.attribute
        return lambda listing, context: getattr(listing, attribute)

    @property
    def converter(self) -> Callable[[Any], Any]:
        return CONVERTERS[self.kind]

    def value(self, listing, context):
        return self.converter(self.reader(listing, context))


def _text(value) -> str:
    return "" if value is None else str(value)


def _optional(convert):
    return lambda value: None if value is None or value == "" else convert(value)


def _datetime(value) -> str:
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return value.isoformat(timespec="seconds")


#: JSON value of a field's raw value, by kind.
CONVERTERS = {
    "string": _text,
    "code": _text,
    "year_month": _text,
    "integer": _optional(int),
    "number": _optional(lambda v: float(v) if isinstance(v, Decimal) else v),
    "boolean": _optional(bool),
    "date": _optional(lambda v: v.isoformat()),
    "datetime": _optional(_datetime),
    "codes": lambda value: list(value or []),
    "photos": lambda value: list(value or []),
}


def to_json_value(kind: str, value):
    return CONVERTERS[kind](value)


def _choices(text_choices, only=None) -> tuple[tuple[str, str], ...]:
    return tuple(
        (v, str(label)) for v, label in text_choices.choices if not only or v in only
    )


_TAGS = re.compile(r"<[^>]+>")
_BLOCK_END = re.compile(r"</(p|h[1-6]|li|blockquote)>|<br\s*/?>", re.IGNORECASE)


def rich_text_to_plain(value) -> str:
    """Wagtail rich text as plain text: one line per paragraph or list item."""
    text = _BLOCK_END.sub("\n", str(value or ""))
    text = html.unescape(_TAGS.sub("", text))
    lines = [line.strip() for line in text.splitlines()]
    return "\n".join(line for line in lines if line)


def _desk(attr):
    def read(listing, context):
        desk = context.desk_for(listing)
        return getattr(desk, attr, "") if desk else ""

    return read


# fmt: off
FIELDS: list[FeedField] = [
    FeedField("id", "string", "物件ID", True,
              read=lambda item, c: listing_id(item.pk), model_field="",
              description="フィード内で物件を識別するID（ページIDから作り、変わりません）。"),
    FeedField("registration_number", "string", "登録番号", True,
              description="市町村の空き家バンクでの登録番号。"),
    FeedField("municipality_code", "string", "全国地方公共団体コード", True,
              read=lambda item, c: item.municipality.code if item.municipality else "",
              model_field="municipality", description="所在する市町村の6桁コード（検査数字付き）。"),
    FeedField("municipality_name", "string", "市町村名", True,
              read=lambda item, c: item.municipality.name if item.municipality else "",
              model_field="municipality"),
    FeedField("prefecture_code", "string", "都道府県コード", True,
              read=lambda item, c: item.municipality.code[:2] if item.municipality else "",
              model_field="municipality", description="2桁の都道府県コード。"),
    FeedField("url", "string", "掲載ページURL", True,
              read=lambda item, c: c.public_url(item), model_field="slug"),
    FeedField("title", "string", "物件名", True),
    FeedField("summary", "string", "概要", True),
    FeedField("status", "code", "状況", True,
              choices=_choices(AkiyaStatus, (AkiyaStatus.OPEN, AkiyaStatus.NEGOTIATING))),
    FeedField("status_changed_on", "date", "状況の変更日"),
    FeedField("registered_on", "date", "登録日", True),
    FeedField("consent_on", "date", "掲載同意日", True, source="national_bank_consent_on",
              description="所有者から全国版空き家バンクへの掲載に同意を得た日。"),
    FeedField("transaction_type", "code", "取引の種類", True, choices=_choices(AkiyaTransaction)),
    FeedField("property_type", "code", "物件の種類", True, choices=_choices(AkiyaPropertyType)),
    FeedField("price_yen", "integer", "売買価格（円）"),
    FeedField("rent_yen", "integer", "賃料（月額・円）"),
    FeedField("price_negotiable", "boolean", "価格は応相談", True),
    FeedField("price_note", "string", "価格の補足"),
    FeedField("address", "string", "所在地", True,
              description="公開用の所在地（大字・字まで）。"),
    FeedField("latitude", "number", "緯度", description="世界測地系（WGS84）の10進数。"),
    FeedField("longitude", "number", "経度", description="世界測地系（WGS84）の10進数。"),
    FeedField("access", "string", "交通"),
    FeedField("land_area_sqm", "number", "土地面積（㎡）"),
    FeedField("land_area_method", "code", "土地面積の測量方式", choices=_choices(AreaMethod)),
    FeedField("building_area_sqm", "number", "建物延床面積（㎡）"),
    FeedField("building_area_method", "code", "建物面積の測量方式", choices=_choices(AreaMethod)),
    FeedField("layout", "string", "間取り"),
    FeedField("built_year_month", "year_month", "建築年月",
              description="西暦の「YYYY-MM」、月が不明なら「YYYY」。"),
    FeedField("structure", "code", "構造", choices=_choices(BuildingStructure)),
    FeedField("floors", "integer", "階数（地上）"),
    FeedField("city_planning_area", "code", "区域区分", choices=_choices(CityPlanningArea)),
    FeedField("zoning", "code", "用途地域", choices=_choices(Zoning)),
    FeedField("building_coverage_ratio", "integer", "建ぺい率（%）"),
    FeedField("floor_area_ratio", "integer", "容積率（%）"),
    FeedField("road_access", "string", "接道状況"),
    FeedField("water_supply", "code", "上水道", choices=_choices(WaterSupply)),
    FeedField("sewerage", "code", "下水道", choices=_choices(Sewerage)),
    FeedField("gas_supply", "code", "ガス", choices=_choices(GasSupply)),
    FeedField("parking_spaces", "integer", "駐車場（台）"),
    FeedField("parking_note", "string", "駐車場の補足"),
    FeedField("current_state", "code", "現況", choices=_choices(CurrentState)),
    FeedField("handover", "string", "引渡し時期"),
    FeedField("transaction_method", "code", "取引の方法", True, choices=_choices(TransactionMethod)),
    FeedField("agent_name", "string", "媒介業者名"),
    FeedField("agent_licence_number", "string", "宅建業の免許番号"),
    FeedField("special_notes", "codes", "特記事項", choices=tuple(AKIYA_SPECIAL_NOTES)),
    FeedField("special_notes_text", "string", "特記事項（自由記述）"),
    FeedField("description", "string", "物件の紹介",
              read=lambda item, c: rich_text_to_plain(item.description),
              description="本文をプレーンテキストにしたもの（段落ごとに改行）。"),
    FeedField("how_to_apply", "string", "利用の申込み方法",
              read=lambda item, c: rich_text_to_plain(item.how_to_apply)),
    FeedField("contact_name", "string", "問い合わせ先", read=_desk("name"), model_field="contact_desk",
              description="物件の問い合わせ先窓口（未設定なら市町村の最初の相談窓口）。"),
    FeedField("contact_department", "string", "問い合わせ先の部署", read=_desk("department"),
              model_field="contact_desk"),
    FeedField("contact_phone", "string", "問い合わせ先の電話番号", read=_desk("phone"),
              model_field="contact_desk"),
    FeedField("contact_email", "string", "問い合わせ先のメールアドレス", read=_desk("email"),
              model_field="contact_desk"),
    FeedField("contact_url", "string", "問い合わせ先のページ", read=_desk("url"),
              model_field="contact_desk"),
    FeedField("modified_at", "datetime", "更新日時", True, read=lambda item, c: None,
              model_field="", description="フィードの内容が最後に変わった日時（日本時間）。"),
    FeedField("photos", "photos", "写真", read=lambda item, c: c.photos(item),
              description=f"表示順の写真（最大{MAX_PHOTOS}枚）。"),
]
# fmt: on
FIELDS_BY_NAME = {f.name: f for f in FIELDS}

#: The parts of one photo, in CSV column order.
PHOTO_PARTS: list[FeedField] = [
    FeedField("url", "string", "画像URL", True),
    FeedField("kind", "code", "写真の種類", True, choices=_choices(AkiyaPhotoKind)),
    FeedField("caption", "string", "キャプション"),
    FeedField("alt", "string", "代替テキスト", True),
    FeedField("uploaded_at", "datetime", "画像の登録日時", True),
]


@dataclass(frozen=True)
class Deletion:
    """A listing that left the feed (sold, withdrawn, consent withdrawn …)."""

    id: str
    deleted_at: str


@dataclass
class Feed:
    """What a writer writes: records to add or update, listings removed, and
    whether this is the whole feed or the changes since a delivery."""

    records: list[dict]
    deletions: list[Deletion] = field(default_factory=list)
    mode: str = "full"  # "full" or "changes"
    version: int = 0
    generated_at: datetime.datetime | None = None
    publisher: dict = field(default_factory=dict)


def content_hash(record: dict) -> str:
    """SHA-256 of the record with its volatile fields blanked: equal hashes, equal
    content, so a sync with nothing changed sends nothing."""
    if any(record.get(name) is not None for name in VOLATILE_FIELDS):
        record = {**record, **dict.fromkeys(VOLATILE_FIELDS)}
    encoded = json.dumps(
        record, ensure_ascii=False, sort_keys=True, separators=(",", ":")
    )
    return hashlib.sha256(encoded.encode()).hexdigest()


# --- JSON Schema -----------------------------------------------------------------


def _field_schema(f: FeedField) -> dict:
    schema: dict = {"title": f.label}
    if f.description:
        schema["description"] = f.description
    if f.kind in ("string", "year_month"):
        schema["type"] = "string"
        if f.kind == "year_month":
            schema["pattern"] = r"^(\d{4}(-(0[1-9]|1[0-2]))?)?$"
        elif f.name == "municipality_code":
            schema["pattern"] = r"^\d{6}$"
        elif f.name == "prefecture_code":
            schema["pattern"] = r"^\d{2}$"
        if f.required:
            schema["minLength"] = 1
    elif f.kind == "code":
        values = [v for v, _ in f.choices]
        schema["type"] = "string"
        schema["enum"] = values if f.required else [*values, ""]
        schema["description"] = "、".join(f"{v}={label}" for v, label in f.choices)
    elif f.kind == "codes":
        schema["type"] = "array"
        schema["items"] = {"enum": [v for v, _ in f.choices]}
        schema["uniqueItems"] = True
        schema["description"] = "、".join(f"{v}={label}" for v, label in f.choices)
    elif f.kind in ("integer", "number", "boolean"):
        schema["type"] = f.kind if f.required else [f.kind, "null"]
        if f.kind in ("integer", "number") and f.name not in ("latitude", "longitude"):
            schema["minimum"] = 0
    elif f.kind in ("date", "datetime"):
        schema["type"] = "string" if f.required else ["string", "null"]
        schema["format"] = "date" if f.kind == "date" else "date-time"
    elif f.kind == "photos":
        schema["type"] = "array"
        schema["maxItems"] = MAX_PHOTOS
        schema["items"] = {"$ref": "#/$defs/photo"}
    return schema


def json_schema() -> dict:
    """The JSON Schema (draft 2020-12) of a canonical JSON feed document."""
    listing = {
        "type": "object",
        "additionalProperties": False,
        "required": [f.name for f in FIELDS if f.required],
        "properties": {f.name: _field_schema(f) for f in FIELDS},
    }
    photo = {
        "type": "object",
        "additionalProperties": False,
        "required": [p.name for p in PHOTO_PARTS if p.required],
        "properties": {p.name: _field_schema(p) for p in PHOTO_PARTS},
    }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "空き家・空き地フィード（正規形式）",
        "description": "移住ポータルが公開する空き家バンク物件のフィード。docs/akiya-feed.md を参照。",
        "type": "object",
        "additionalProperties": False,
        "required": [
            "format",
            "version",
            "mode",
            "generated_at",
            "feed_version",
            "publisher",
            "listings",
            "deleted",
        ],
        "properties": {
            "format": {"const": FORMAT_NAME},
            "version": {"const": FORMAT_VERSION},
            "mode": {
                "enum": ["full", "changes"],
                "description": "full=掲載中の全物件（掲載終了は含めない）、changes=前回からの変更のみ（掲載終了は deleted に入る）",
            },
            "generated_at": {"type": "string", "format": "date-time"},
            "feed_version": {"type": "integer", "minimum": 0},
            "publisher": {
                "type": "object",
                "properties": {
                    "name": {"type": "string"},
                    "url": {"type": "string"},
                    "prefecture_code": {"type": "string"},
                },
            },
            "listings": {"type": "array", "items": {"$ref": "#/$defs/listing"}},
            "deleted": {"type": "array", "items": {"$ref": "#/$defs/deletion"}},
        },
        "$defs": {
            "listing": listing,
            "photo": photo,
            "deletion": {
                "type": "object",
                "additionalProperties": False,
                "required": ["id", "deleted_at"],
                "properties": {
                    "id": {"type": "string", "minLength": 1},
                    "deleted_at": {"type": "string", "format": "date-time"},
                },
            },
        },
    }
