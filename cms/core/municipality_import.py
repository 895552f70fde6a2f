"""Loading a prefecture's municipality list from TSV or CSV.

No municipality list is built in: each portal loads its own, with the columns of
``shared/data/ibaraki_municipalities.tsv`` (``code, code5, name, kana, slug, kind``)
and optionally ``website`` and a first consultation desk (``desk_name, desk_department,
desk_phone, desk_email, desk_address, desk_hours``).

``parse_municipality_table`` only reads and checks; ``apply_municipality_rows`` writes.
A file with any bad row writes nothing, and every bad row is reported with its line
number and column.
"""

import csv
import io
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.text import slugify

from .japanese import (
    JapaneseFormatError,
    normalize_width,
    validate_local_government_code,
)

REQUIRED_COLUMNS = ("code", "name", "kana", "slug", "kind")
KIND_ALIASES = {
    "city": "city",
    "市": "city",
    "town": "town",
    "町": "town",
    "village": "village",
    "村": "village",
}
DESK_COLUMNS = {
    "desk_name": "name",
    "desk_department": "department",
    "desk_phone": "phone",
    "desk_email": "email",
    "desk_address": "address",
    "desk_hours": "opening_hours",
}


@dataclass
class MunicipalityRow:
    line: int
    code: str
    name: str
    kana: str
    slug: str
    kind: str
    website: str = ""
    desk: dict = field(default_factory=dict)


@dataclass
class ImportReport:
    rows: list[MunicipalityRow]
    errors: list[str]
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors


def decode(data: bytes) -> str:
    """UTF-8 (with or without BOM), else Shift_JIS as Excel writes it."""
    for encoding in ("utf-8-sig", "cp932"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ValueError(
        "文字コードを判別できません。UTF-8 か Shift_JIS で保存してください。"
    )


def parse_municipality_table(text: str) -> ImportReport:
    first_line = text.split("\n", 1)[0]
    delimiter = "\t" if "\t" in first_line else ","
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    header = [h.strip() for h in reader.fieldnames or []]
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        return ImportReport(
            rows=[], errors=[f"1行目: 見出しに {', '.join(missing)} の列がありません。"]
        )

    rows, errors, seen = [], [], {"code": {}, "slug": {}, "name": {}}
    for line, raw in enumerate(reader, start=2):
        record = {(k or "").strip(): normalize_width(v or "") for k, v in raw.items()}
        if not any(record.values()):
            continue
        row_errors = []

        try:
            code = validate_local_government_code(record["code"])
        except JapaneseFormatError as error:
            row_errors.append(f"code: {error}")
            code = record["code"]
        code5 = record.get("code5", "")
        if code5 and code5 != code[:5]:
            row_errors.append(
                f"code5: {code5} が6桁コード {code} の先頭5桁と一致しません。"
            )
        name = record["name"]
        if not name:
            row_errors.append("name: 名称が空です。")
        kind = KIND_ALIASES.get(record["kind"].lower())
        if kind is None:
            row_errors.append(
                f"kind: 「{record['kind']}」は区分として使えません（city/town/village または 市/町/村）。"
            )
        slug = record["slug"] or slugify(record.get("kana", ""))
        if not slug or slugify(slug) != slug:
            row_errors.append(
                f"slug: 「{slug}」は半角英小文字・数字・ハイフンで入力してください。"
            )
        for column, value in (("code", code), ("slug", slug), ("name", name)):
            if value and value in seen[column]:
                row_errors.append(
                    f"{column}: 「{value}」が{seen[column][value]}行目と重複しています。"
                )
            seen[column].setdefault(value, line)

        if row_errors:
            errors += [f"{line}行目: {message}" for message in row_errors]
            continue
        desk = {
            model_field: record[col]
            for col, model_field in DESK_COLUMNS.items()
            if record.get(col)
        }
        rows.append(
            MunicipalityRow(
                line=line,
                code=code,
                name=name,
                kana=record["kana"],
                slug=slug,
                kind=kind,
                website=record.get("website", ""),
                desk=desk,
            )
        )
    if not rows and not errors:
        errors.append("データ行がありません。")
    return ImportReport(rows=rows, errors=errors)


def _validation_messages(line: int, error) -> list[str]:
    return [
        f"{line}行目: {column}: {message}"
        for column, messages in error.message_dict.items()
        for message in messages
    ]


@transaction.atomic
def apply_municipality_rows(report: ImportReport, progress=None) -> ImportReport:
    """Create or update municipalities, their pages and first desks.

    Every row is validated against the database first (a slug or name already used by
    another municipality, say), so one bad row stops the whole file before anything
    is written."""
    from django.core.exceptions import ValidationError

    from cms.pages.models import MunicipalityIndexPage, MunicipalityPage

    from .models import ConsultationDesk, Municipality
    from .setup import ensure_site_structure

    planned = []
    for order, row in enumerate(report.rows, start=1):
        municipality = Municipality.objects.filter(code=row.code).first()
        created = municipality is None
        municipality = municipality or Municipality(code=row.code)
        values = {
            "name": row.name,
            "kana": row.kana,
            "slug": row.slug,
            "kind": row.kind,
            "sort_order": order,
            **({"website": row.website} if row.website else {}),
        }
        changed = created or any(
            getattr(municipality, k) != v for k, v in values.items()
        )
        for key, value in values.items():
            setattr(municipality, key, value)
        try:
            municipality.full_clean()
            if row.desk:
                ConsultationDesk(municipality=municipality, **row.desk).full_clean(
                    exclude=["municipality"]
                )
        except ValidationError as error:
            report.errors += _validation_messages(row.line, error)
        planned.append((row, municipality, created, changed))
    if report.errors:
        return report

    home = ensure_site_structure()
    index = MunicipalityIndexPage.objects.descendant_of(home).get()
    for row, municipality, created, changed in planned:
        if changed:
            municipality.save()
        if not MunicipalityPage.objects.filter(municipality=municipality).exists():
            page = MunicipalityPage(
                title=municipality.name,
                slug=municipality.slug,
                municipality=municipality,
            )
            index.add_child(instance=page)
            page.save_revision(log_action=False).publish(log_action=False)
            changed = True
        if row.desk and not municipality.desks.exists():
            ConsultationDesk.objects.create(municipality=municipality, **row.desk)
            changed = True

        if created:
            report.created += 1
        elif changed:
            report.updated += 1
        else:
            report.unchanged += 1
        if progress:
            progress(row)
    return report
