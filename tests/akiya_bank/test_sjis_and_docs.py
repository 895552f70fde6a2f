"""Shift_JIS substitution as a pure function, and docs/akiya-feed.md kept true to
the code: its JSON Schema, field list, LIFULL column table and substitute table."""

import json
import re
from pathlib import Path

import pytest

from cms.akiya_bank.canonical import FIELDS, json_schema
from cms.akiya_bank.sjis import KANJI_SUBSTITUTES, is_sendable, to_shift_jis_text
from cms.akiya_bank.writers.lifull import COLUMNS

DOC = Path(__file__).resolve().parents[2] / "docs" / "akiya-feed.md"


@pytest.mark.parametrize(
    ("text", "expected", "reported"),
    [
        ("髙橋", "高橋", ["「髙」→「高」"]),
        ("宮﨑町", "宮崎町", ["「﨑」→「崎」"]),
        ("德川", "徳川", ["「德」→「徳」"]),
        ("家🏠です", "家です", ["「🏠」→（削除）"]),
        (
            "👨‍👩‍👧 家族向け",
            " 家族向け",
            ["「👨」→（削除）", "「👩」→（削除）", "「👧」→（削除）"],
        ),
        ("鄧さん", "〓さん", ["「鄧」→「〓」"]),
        ("café", "cafe", ["「é」→「e」"]),
        ("ⅱ期", "ii期", ["「ⅱ」→「ii」"]),
        ("\ue000", "〓", ["「\ue000」→「〓」"]),
    ],
)
def test_characters_outside_shift_jis_get_documented_substitutes(
    text, expected, reported
):
    clean, substitutions = to_shift_jis_text(text)
    assert clean == expected
    assert [s.describe() for s in substitutions] == reported
    clean.encode("cp932")  # never raises


def test_shift_jis_text_is_left_alone_and_half_width_kana_widened():
    assert to_shift_jis_text("水戸市 ①号棟 100㎡ ㈱") == ("水戸市 ①号棟 100㎡ ㈱", [])
    assert to_shift_jis_text("ｱﾊﾟｰﾄ") == ("アパート", [])


def test_every_substitute_is_itself_sendable():
    for original, replacement in KANJI_SUBSTITUTES.items():
        assert not is_sendable(original) or original == "¥", original
        assert all(is_sendable(c) for c in replacement), replacement


def _section(text: str, name: str) -> str:
    start = text.index(f"<!-- {name}:start -->")
    return text[start : text.index(f"<!-- {name}:end -->")]


def _first_cells(section: str) -> list[str]:
    rows = [line for line in section.splitlines() if line.startswith("| ")]
    return [row.split("|")[1].strip() for row in rows[1:]]  # no header row


def test_documented_json_schema_is_the_one_the_code_publishes():
    text = DOC.read_text()
    block = text[text.rindex("```json") + len("```json") : text.rindex("```")]
    assert json.loads(block) == json_schema()


def test_documented_fields_are_the_records_fields():
    names = _first_cells(_section(DOC.read_text(), "canonical-fields"))
    assert [n.strip("`") for n in names] == [f.name for f in FIELDS]


def test_documented_lifull_columns_follow_the_mapping_table():
    section = _section(DOC.read_text(), "lifull-columns")
    rows = [
        line.split("|")[1:5]
        for line in section.splitlines()
        if re.match(r"\| \d", line)
    ]
    documented = [
        cells[1].strip() for cells in rows if not cells[0].strip().startswith("51")
    ]
    assert documented == [c.label for c in COLUMNS[:50]]
    assert len(COLUMNS) == 170
    assert [c.label for c in COLUMNS[50:54]] == [
        "画像1ファイル名",
        "画像1更新日時",
        "画像1種別",
        "画像1コメント",
    ]
    assert COLUMNS[-1].label == "画像30コメント"


def test_documented_substitutes_are_the_ones_applied():
    section = _section(DOC.read_text(), "substitutes")
    pairs = [
        tuple(cell.strip() for cell in line.split("|")[1:3])
        for line in section.splitlines()
        if line.startswith("| ") and "元の文字" not in line and "---" not in line
    ]
    assert dict(pairs) == KANJI_SUBSTITUTES
