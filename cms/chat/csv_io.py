"""The knowledge base as CSV: UTF-8 with the header
``id,question,alternatives,answer,category,url`` (alternatives separated by 「|」).

Two optional columns are read when present: ``municipality`` (slug or name) and
``follow_ups`` (ids separated by 「|」). ``parse_faq_csv`` checks every row and
names each fault by row and column in Japanese; ``apply_faq_rows`` saves a clean
file in one transaction, so a file with any error saves nothing.
"""

import csv
import io
import re
from collections import Counter
from dataclasses import dataclass, field

from django.db import transaction

from .models import QUERY_MAX_LENGTH, FaqAnswer, FaqCategory, split_lines

REQUIRED_COLUMNS = ("id", "question", "answer")
COLUMNS = ("id", "question", "alternatives", "answer", "category", "url")
OPTIONAL_COLUMNS = ("municipality", "follow_ups")
COLUMN_LABELS = {
    "id": "id",
    "question": "question（質問）",
    "alternatives": "alternatives（言い換え）",
    "answer": "answer（回答）",
    "category": "category（カテゴリ）",
    "url": "url",
    "municipality": "municipality（市町村）",
    "follow_ups": "follow_ups（続けて案内する質問）",
}
KEY_PATTERN = re.compile(r"^[\w.\-:/]{1,64}$")


@dataclass
class FaqRow:
    line: int
    key: str
    question: str
    alternatives: list[str]
    answer: str
    category: str
    url: str
    municipality: str = ""
    follow_ups: list[str] = field(default_factory=list)


@dataclass
class FaqImportReport:
    rows: list[FaqRow] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    counts: Counter = field(default_factory=Counter)
    columns: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def decode(data: bytes) -> str:
    """UTF-8 (with or without BOM). Excel on Japanese Windows saves Shift_JIS, which
    is accepted too rather than refused over an encoding detail."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp932")


def parse_faq_csv(text: str, known_municipalities: dict[str, int] | None = None):
    """Check a CSV file. ``known_municipalities`` maps slugs and names to ids."""
    report = FaqImportReport()
    reader = csv.DictReader(io.StringIO(text))
    header = [(name or "").strip().lower() for name in (reader.fieldnames or [])]
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        report.errors.append(
            "1行目（見出し）: 列 "
            + "、".join(missing)
            + " がありません。見出しは id,question,alternatives,answer,category,url にしてください。"
        )
        return report
    reader.fieldnames = header
    report.columns = header
    seen: dict[str, int] = {}
    towns = known_municipalities or {}
    for line, raw in enumerate(reader, start=2):
        values = {k: (v or "").strip() for k, v in raw.items() if k}
        if not any(values.values()):
            continue  # blank line
        problems = []

        def fault(column, message, problems=problems, line=line):
            problems.append(f"{line}行目の{COLUMN_LABELS[column]}: {message}")

        key = values.get("id", "")
        if key and not KEY_PATTERN.match(key):
            fault("id", "英数字と - _ . : / の64文字以内にしてください。")
        elif key in seen:
            fault("id", f"「{key}」は{seen[key]}行目と重複しています。")
        elif key:
            seen[key] = line
        question = values.get("question", "")
        if not question:
            fault("question", "質問が空です。")
        elif len(question) > QUERY_MAX_LENGTH:
            fault(
                "question",
                f"{QUERY_MAX_LENGTH}文字以内にしてください（{len(question)}文字）。",
            )
        answer = values.get("answer", "")
        if not answer:
            fault("answer", "回答が空です。")
        category = values.get("category", "")
        if len(category) > 40:
            fault("category", "カテゴリ名は40文字以内にしてください。")
        url = values.get("url", "")
        if url and not (url.startswith(("http://", "https://", "/"))):
            fault(
                "url",
                "https:// で始まるURLか、/ で始まるサイト内のパスにしてください。",
            )
        elif len(url) > 500:
            fault("url", "URLは500文字以内にしてください。")
        municipality = values.get("municipality", "")
        if municipality and municipality not in towns:
            # Optional column: a knowledge base from another portal still loads.
            report.warnings.append(
                f"{line}行目の{COLUMN_LABELS['municipality']}: 「{municipality}」は"
                "登録されていないため、市町村なし（県全体）で取り込みます。"
            )
            municipality = ""
        alternatives = split_lines(values.get("alternatives", "").replace("\n", "|"))
        too_long = [a for a in alternatives if len(a) > QUERY_MAX_LENGTH]
        if too_long:
            fault(
                "alternatives",
                f"言い換えは1つ{QUERY_MAX_LENGTH}文字以内にしてください。",
            )
        report.errors.extend(problems)
        report.rows.append(
            FaqRow(
                line=line,
                key=key,
                question=question,
                alternatives=alternatives,
                answer=answer,
                category=category,
                url=url,
                municipality=municipality,
                follow_ups=[k for k in values.get("follow_ups", "").split("|") if k],
            )
        )
    if not report.rows and not report.errors:
        report.errors.append("取り込む行がありません（見出しの行だけです）。")
    return report


def check_follow_ups(report: FaqImportReport, existing_keys: set[str]) -> None:
    keys = {row.key for row in report.rows if row.key} | existing_keys
    for row in report.rows:
        unknown = [k for k in row.follow_ups if k not in keys]
        if unknown:
            report.errors.append(
                f"{row.line}行目の{COLUMN_LABELS['follow_ups']}: "
                f"id「{'、'.join(unknown)}」の回答がありません。"
            )


def municipality_lookup() -> dict[str, int]:
    from cms.core.models import Municipality

    lookup = {}
    for pk, slug, name in Municipality.objects.values_list("pk", "slug", "name"):
        lookup[slug] = pk
        lookup[name] = pk
    return lookup


def apply_faq_rows(
    report: FaqImportReport, replace: bool = False, dry_run: bool = False, progress=None
) -> FaqImportReport:
    """Save the rows (create or update by id). With ``replace`` the answers not in
    the file are deleted. With ``dry_run`` everything is checked and counted, then
    rolled back."""
    from .service import text_to_rich_text
    from .signals import deferred_index_updates

    existing = set(FaqAnswer.objects.values_list("key", flat=True))
    check_follow_ups(report, existing if not replace else set())
    if not report.ok:
        return report
    towns = municipality_lookup()

    class DryRun(Exception):
        pass

    try:
        with deferred_index_updates(), transaction.atomic():
            categories = {c.name: c for c in FaqCategory.objects.all()}
            saved = {}
            for row in report.rows:
                category = None
                if row.category:
                    category = categories.get(row.category)
                    if category is None:
                        category = FaqCategory.objects.create(
                            name=row.category, sort_order=len(categories) + 1
                        )
                        categories[row.category] = category
                        report.counts["カテゴリ追加"] += 1
                fields = {
                    "question": row.question,
                    "alternatives": "\n".join(row.alternatives),
                    "body": text_to_rich_text(row.answer),
                    "category": category,
                    "link_url": row.url,
                    "active": True,
                }
                # Without the column, municipalities set in the admin stay as they are.
                if "municipality" in report.columns:
                    fields["municipality_id"] = towns.get(row.municipality)
                answer = (
                    FaqAnswer.objects.filter(key=row.key).first() if row.key else None
                )
                if answer is None:
                    answer = FaqAnswer(key=row.key, **fields)
                    answer.save()
                    report.counts["追加"] += 1
                elif any(getattr(answer, k) != v for k, v in fields.items()):
                    for name, value in fields.items():
                        setattr(answer, name, value)
                    answer.save()
                    report.counts["更新"] += 1
                else:
                    report.counts["変更なし"] += 1
                saved[answer.key] = answer
                if progress:
                    progress(row)
            if "follow_ups" in report.columns:
                for row in report.rows:
                    if not row.key:
                        continue
                    answer = saved[row.key]
                    wanted = [
                        saved.get(k) or FaqAnswer.objects.get(key=k)
                        for k in row.follow_ups
                    ]
                    current = set(answer.follow_ups.values_list("pk", flat=True))
                    if {a.pk for a in wanted} != current:
                        answer.follow_ups.set(wanted)
            if replace:
                stale = FaqAnswer.objects.exclude(key__in=list(saved))
                report.counts["削除"] = stale.count()
                stale.delete()
            if dry_run:
                raise DryRun
    except DryRun:
        pass
    return report


def export_faq_csv(answers) -> str:
    """The answers in the import format (plain text answers; links kept as HTML)."""
    from .service import plain_text

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for answer in answers:
        body = answer.body or ""
        text = body if "<a " in body else plain_text(body)
        writer.writerow(
            [
                answer.key,
                answer.question,
                "|".join(split_lines(answer.alternatives)),
                text,
                answer.category.name if answer.category_id else "",
                answer.link_url,
            ]
        )
    return out.getvalue()
