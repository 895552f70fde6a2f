"""CSV import and export of subscribers.

Import reads UTF-8 (with or without BOM) or Excel's CP932/Shift_JIS, maps columns to
fields (guessed from the header, changeable in the admin's preview), checks every
row and reports row and field of each problem, dedupes within the file and against
the list, and writes nothing on a dry run. An address that unsubscribed, bounced or
complained is never re-activated by an import (特定電子メール法).
"""

import csv
import io
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from .models import (
    AgeBand,
    AttributeDefinition,
    AttributeKind,
    ConsentMethod,
    Gender,
    Interest,
    Subscriber,
    SubscriberStatus,
    normalise_email,
)

# Field name → header names recognised for it (compared after NFKC and lower()).
FIELDS = {
    "email": ("email", "e-mail", "mail", "メールアドレス", "メール", "アドレス"),
    "name": ("name", "氏名", "名前", "お名前"),
    "prefecture": ("prefecture", "都道府県", "居住都道府県", "お住まいの都道府県"),
    "municipality": ("municipality", "市区町村", "居住市区町村"),
    "birth_year": ("birth_year", "生まれ年", "生年"),
    "age_band": ("age_band", "年代"),
    "gender": ("gender", "性別"),
    "interests": ("interests", "関心", "興味", "関心のあること"),
    "source_event": ("source_event", "イベント", "参加イベント", "参加したイベント"),
    "consent_at": ("consent_at", "同意日時", "同意日", "登録日"),
    "status": ("status", "状態"),
}
FIELD_LABELS = {
    "": "（取り込まない）",
    "email": "メールアドレス",
    "name": "氏名",
    "prefecture": "居住都道府県",
    "municipality": "居住市区町村",
    "birth_year": "生まれ年",
    "age_band": "年代",
    "gender": "性別",
    "interests": "関心（「、」「;」区切り）",
    "source_event": "参加したイベント",
    "consent_at": "同意日時",
    "status": "状態",
}
GENDERS = {label: value for value, label in Gender.choices} | {
    "女": "female",
    "男": "male",
    "f": "female",
    "m": "male",
    "female": "female",
    "male": "male",
    "other": "other",
}
AGE_BANDS = {label: value for value, label in AgeBand.choices} | {
    value: value for value, _ in AgeBand.choices if value
}
STATUSES = {label: value for value, label in SubscriberStatus.choices} | {
    value: value for value, _ in SubscriberStatus.choices
}
INTEREST_SEPARATORS = ("、", ";", "；", "|", "/", "／", ",")


class ImportFileError(ValueError):
    """The file as a whole cannot be read (Japanese message)."""


def decode(data: bytes) -> tuple[str, str]:
    """The text and the encoding it was in: UTF-8 (BOM or not), else CP932."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8"), "utf-8"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp932"), "cp932"
    except UnicodeDecodeError as error:
        raise ImportFileError(
            "文字コードを判別できません。UTF-8 か Shift_JIS（Excelの「CSV」）で保存してください。"
        ) from error


def _norm(text: str) -> str:
    return unicodedata.normalize("NFKC", text or "").strip().lower()


def attribute_fields() -> dict[str, AttributeDefinition]:
    return {f"attr:{d.key}": d for d in AttributeDefinition.objects.all()}


def field_choices() -> list[tuple[str, str]]:
    choices = list(FIELD_LABELS.items())
    choices += [(k, f"独自属性: {d.label}") for k, d in attribute_fields().items()]
    return choices


def guess_mapping(header: list[str]) -> list[str]:
    attributes = {_norm(d.label): key for key, d in attribute_fields().items()} | {
        _norm(d.key): key for key, d in attribute_fields().items()
    }
    mapping, used = [], set()
    for column in header:
        wanted = ""
        name = _norm(column)
        for field_name, names in FIELDS.items():
            if name in {_norm(n) for n in names}:
                wanted = field_name
                break
        wanted = wanted or attributes.get(name, "")
        if wanted in used:
            wanted = ""
        used.add(wanted)
        mapping.append(wanted)
    return mapping


@dataclass
class RowError:
    row: int  # 1-based line number in the file (the header is line 1)
    field: str
    message: str
    label: str = ""

    def __str__(self):
        label = self.label or FIELD_LABELS.get(self.field, self.field)
        return f"{self.row}行目 {label}: {self.message}"


def _fold(text: str) -> str:
    # CP932 turns 〜 (U+301C) into ～ (U+FF5E) and back differently from Unicode;
    # NFKC folds the rest of the full-width forms.
    return unicodedata.normalize("NFKC", text).replace("〜", "~").strip()


@dataclass
class ParsedFile:
    encoding: str
    header: list[str]
    rows: list[list[str]]
    mapping: list[str]


@dataclass
class ImportReport:
    encoding: str = ""
    total: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    duplicates: int = 0
    errors: list[RowError] = field(default_factory=list)
    preview: list[dict] = field(default_factory=list)
    dry_run: bool = True

    @property
    def error_rows(self) -> int:
        return len({e.row for e in self.errors})


def read_file(data: bytes) -> ParsedFile:
    text, encoding = decode(data)
    rows = list(csv.reader(io.StringIO(text)))
    rows = [row for row in rows if any(cell.strip() for cell in row)]
    if not rows:
        raise ImportFileError(
            "CSVが空です。1行目に見出し、2行目から1人1行で入れてください。"
        )
    header = [cell.strip() for cell in rows[0]]
    return ParsedFile(encoding, header, rows[1:], guess_mapping(header))


def _clean_row(values: dict, line: int, attributes, errors) -> dict | None:
    cleaned: dict = {}
    ok = True

    def error(field_name, message):
        nonlocal ok
        ok = False
        label = attributes[field_name].label if field_name in attributes else ""
        errors.append(RowError(line, field_name, message, label))

    address = normalise_email(unicodedata.normalize("NFKC", values.get("email", "")))
    if not address:
        error("email", "メールアドレスがありません。")
    else:
        try:
            validate_email(address)
        except ValidationError:
            error("email", f"「{address}」はメールアドレスの形式ではありません。")
    cleaned["email"] = address
    for name in ("name", "prefecture", "municipality", "source_event"):
        if name in values:
            cleaned[name] = values[name].strip()[:200]
    if values.get("birth_year", "").strip():
        text = unicodedata.normalize("NFKC", values["birth_year"]).strip().rstrip("年")
        year = int(text) if text.isdigit() else 0
        if not 1900 <= year <= timezone.localdate().year:
            error(
                "birth_year",
                f"「{values['birth_year']}」は生まれ年（西暦4桁）ではありません。",
            )
        cleaned["birth_year"] = year
    if values.get("age_band", "").strip():
        band = AGE_BANDS.get(unicodedata.normalize("NFKC", values["age_band"]).strip())
        if band is None:
            error(
                "age_band",
                f"「{values['age_band']}」は年代（20代、30代…）ではありません。",
            )
        cleaned["age_band"] = band or ""
    if values.get("gender", "").strip():
        gender = GENDERS.get(
            _norm(values["gender"]), GENDERS.get(values["gender"].strip())
        )
        if gender is None:
            error(
                "gender",
                f"「{values['gender']}」は性別（女性・男性・その他）ではありません。",
            )
        cleaned["gender"] = gender or ""
    if "interests" in values:
        text = values["interests"]
        for separator in INTEREST_SEPARATORS:
            text = text.replace(separator, "\n")
        cleaned["interests"] = [t.strip() for t in text.splitlines() if t.strip()]
    if values.get("consent_at", "").strip():
        text = (
            unicodedata.normalize("NFKC", values["consent_at"])
            .strip()
            .replace("/", "-")
        )
        moment = parse_datetime(text)
        if moment is None and (day := parse_date(text)) is not None:
            moment = timezone.make_aware(
                timezone.datetime.combine(day, timezone.datetime.min.time())
            )
        if moment is None:
            error(
                "consent_at",
                f"「{values['consent_at']}」は日時（2024-05-01 など）ではありません。",
            )
        elif timezone.is_naive(moment):
            moment = timezone.make_aware(moment)
        cleaned["consent_at"] = moment
    if values.get("status", "").strip():
        status = STATUSES.get(values["status"].strip())
        if status is None:
            error(
                "status",
                f"「{values['status']}」は状態（配信中・配信停止…）ではありません。",
            )
        cleaned["status"] = status
    custom = {}
    for key, definition in attributes.items():
        if key not in values or not values[key].strip():
            continue
        value = values[key].strip()
        if definition.kind == AttributeKind.NUMBER:
            try:
                value = float(value) if "." in value else int(value)
            except ValueError:
                error(key, f"「{value}」は数値ではありません。")
        elif definition.kind == AttributeKind.DATE:
            try:
                parsed = parse_date(value.replace("/", "-"))
            except ValueError:
                parsed = None
            if parsed is None:
                error(key, f"「{value}」は日付（例: 2027-04-01）ではありません。")
            else:
                value = parsed.isoformat()
        elif definition.kind == AttributeKind.CHOICE:
            folded = {_fold(c): c for c in definition.choice_list()}
            if _fold(value) in folded:
                value = folded[_fold(value)]
            else:
                error(
                    key,
                    f"「{value}」は選択肢にありません（{'・'.join(definition.choice_list())}）。",
                )
        custom[definition.key] = value
    if custom:
        cleaned["attributes"] = custom
    return cleaned if ok else None


def import_subscribers(
    data: bytes,
    *,
    mapping: list[str] | None = None,
    dry_run: bool = True,
    update_existing: bool = True,
    consent_method: str = ConsentMethod.IMPORT,
    consent_note: str = "",
    progress: Callable[[int, int], None] | None = None,
    preview_rows: int = 10,
) -> ImportReport:
    parsed = read_file(data)
    mapping = mapping or parsed.mapping
    report = ImportReport(
        encoding=parsed.encoding, total=len(parsed.rows), dry_run=dry_run
    )
    if "email" not in mapping:
        report.errors.append(
            RowError(
                1,
                "email",
                "メールアドレスの列がありません。見出しを「メールアドレス」にするか、列の対応で選んでください。",
            )
        )
        return report
    attributes = {k: d for k, d in attribute_fields().items() if k in mapping}
    seen: dict[str, int] = {}
    clean_rows: list[tuple[int, dict]] = []
    for index, row in enumerate(parsed.rows):
        line = index + 2
        values = {
            name: (row[i] if i < len(row) else "")
            for i, name in enumerate(mapping)
            if name
        }
        cleaned = _clean_row(values, line, attributes, report.errors)
        if cleaned is None:
            continue
        key = cleaned["email"].lower()
        if key in seen:
            report.duplicates += 1
            report.errors.append(
                RowError(
                    line,
                    "email",
                    f"{seen[key]}行目と同じアドレスです（後の行は取り込みません）。",
                )
            )
            continue
        seen[key] = line
        clean_rows.append((line, cleaned))
        if len(report.preview) < preview_rows:
            report.preview.append({"row": line, **cleaned})

    existing = {}
    keys = list(seen)
    for start in range(0, len(keys), 500):
        for subscriber in Subscriber.objects.filter(
            email__in=keys[start : start + 500]
        ):
            existing[subscriber.email.lower()] = subscriber
    # Case-insensitive match for addresses stored with upper-case local parts.
    missing = [k for k in keys if k not in existing]
    if missing:
        from django.db.models.functions import Lower

        for subscriber in Subscriber.objects.annotate(lower=Lower("email")).filter(
            lower__in=missing
        ):
            existing[subscriber.email.lower()] = subscriber

    now = timezone.now()
    to_create, to_update = [], []
    for _, cleaned in clean_rows:
        current = existing.get(cleaned["email"].lower())
        if current is None:
            to_create.append(cleaned)
        elif update_existing:
            to_update.append((current, cleaned))
        else:
            report.unchanged += 1
    report.created, report.updated = len(to_create), len(to_update)
    if dry_run:
        return report

    interests = {i.name: i for i in Interest.objects.all()}

    def interest_objects(names):
        found = []
        for name in names:
            if name not in interests:
                interests[name], _ = Interest.objects.get_or_create(name=name[:50])
            found.append(interests[name])
        return found

    done, total = 0, len(to_create) + len(to_update)
    with transaction.atomic():
        for start in range(0, len(to_create), 500):
            chunk = to_create[start : start + 500]
            objects = []
            for cleaned in chunk:
                values = {k: v for k, v in cleaned.items() if k != "interests"}
                status = values.pop("status", SubscriberStatus.ACTIVE)
                objects.append(
                    Subscriber(
                        **values,
                        status=status,
                        consent_at=values.get("consent_at") or now,
                        consent_method=consent_method,
                        consent_note=consent_note,
                    )
                )
            created = Subscriber.objects.bulk_create(objects)
            links = []
            for subscriber, cleaned in zip(created, chunk, strict=True):
                if subscriber.pk is None:  # backends that return no ids
                    subscriber = Subscriber.objects.get(email=subscriber.email)
                for interest in interest_objects(cleaned.get("interests", [])):
                    links.append(
                        Subscriber.interests.through(
                            subscriber_id=subscriber.pk, interest_id=interest.pk
                        )
                    )
            Subscriber.interests.through.objects.bulk_create(
                links, ignore_conflicts=True
            )
            done += len(chunk)
            if progress:
                progress(done, total)
        for current, cleaned in to_update:
            for name, value in cleaned.items():
                if name in {"interests", "email", "consent_at"}:
                    continue
                if name == "status" and value == SubscriberStatus.ACTIVE:
                    continue  # never re-activate someone who left
                if name == "attributes":
                    value = {**current.attributes, **value}
                setattr(current, name, value)
            current.save()
            if "interests" in cleaned:
                current.interests.add(*interest_objects(cleaned["interests"]))
            done += 1
            if progress and done % 200 == 0:
                progress(done, total)
    if progress:
        progress(total, total)
    return report


# --- Export -----------------------------------------------------------------------

EXPORT_COLUMNS = [
    ("email", "メールアドレス"),
    ("name", "氏名"),
    ("status", "状態"),
    ("prefecture", "居住都道府県"),
    ("municipality", "居住市区町村"),
    ("birth_year", "生まれ年"),
    ("age_band", "年代"),
    ("gender", "性別"),
    ("interests", "関心"),
    ("source_event", "参加したイベント"),
    ("consent_at", "同意日時"),
    ("consent_method", "同意の方法"),
    ("consent_ip", "同意時のIPアドレス"),
    ("consent_note", "同意の記録"),
    ("confirmed_at", "確認日時"),
    ("unsubscribed_at", "配信停止日時"),
    ("unsubscribe_reason", "配信停止の理由"),
    ("soft_bounce_count", "一時的な不達の回数"),
    ("created_at", "登録日時"),
]


def export_rows(queryset=None):
    """Header then one row per subscriber, everything included (a generator)."""
    definitions = list(AttributeDefinition.objects.all())
    yield [label for _, label in EXPORT_COLUMNS] + [d.label for d in definitions]
    queryset = (
        queryset if queryset is not None else Subscriber.objects.all()
    ).order_by("pk")
    interest_names = {}
    through = Subscriber.interests.through.objects.select_related("interest")
    for link in through.iterator():
        interest_names.setdefault(link.subscriber_id, []).append(link.interest.name)
    for subscriber in queryset.iterator(chunk_size=2000):
        row = []
        for name, _ in EXPORT_COLUMNS:
            if name == "interests":
                value = "、".join(interest_names.get(subscriber.pk, []))
            elif name in {"status", "gender", "consent_method", "age_band"}:
                value = getattr(subscriber, f"get_{name}_display")()
            else:
                value = getattr(subscriber, name)
                if hasattr(value, "isoformat"):
                    value = timezone.localtime(value).strftime("%Y-%m-%d %H:%M:%S")
            row.append("" if value is None else value)
        row += [subscriber.attributes.get(d.key, "") for d in definitions]
        yield row


def write_csv(rows, stream, encoding: str = "utf-8-sig") -> None:
    """Write rows as CSV; CP932 (for old Excel) replaces what it cannot encode."""
    if encoding == "cp932":
        writer = csv.writer(stream)
        for row in rows:
            writer.writerow(
                [str(v).encode("cp932", "replace").decode("cp932") for v in row]
            )
    else:
        writer = csv.writer(stream)
        for row in rows:
            writer.writerow(row)
