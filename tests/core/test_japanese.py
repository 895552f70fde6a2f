import csv
import datetime
from pathlib import Path

import pytest

from cms.core.japanese import (
    JapaneseFormatError,
    format_wareki_year,
    local_government_check_digit,
    normalize_width,
    parse_year_month,
    validate_local_government_code,
)

TODAY = datetime.date(2026, 11, 22)
DATA = (
    Path(__file__).resolve().parents[2]
    / "cms/core/demo/data/ibaraki_municipalities.tsv"
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("昭和55年4月", (1980, 4)),
        ("昭和５５年４月", (1980, 4)),
        ("S55.4", (1980, 4)),
        ("s55/04", (1980, 4)),
        ("平成元年", (1989, None)),
        ("平成元年2月", (1989, 2)),
        ("令和2年10月", (2020, 10)),
        ("R2.10", (2020, 10)),
        ("大正15年", (1926, None)),
        ("明治45年7月", (1912, 7)),
        ("1980年4月", (1980, 4)),
        ("１９８０年４月", (1980, 4)),
        ("1980/04", (1980, 4)),
        ("1980-4", (1980, 4)),
        ("西暦1975年", (1975, None)),
    ],
)
def test_year_month_accepts_wareki_and_seireki(text, expected):
    parsed = parse_year_month(text, today=TODAY)
    assert (parsed.year, parsed.month) == expected


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("昭和65年", "昭和65年はありません"),
        ("平成32年1月", "平成32年はありません"),
        ("令和0年", "令和0年はありません"),
        ("昭和55年13月", "月は1から12"),
        ("むかし", "読み取れません"),
        ("", "年月を入力してください"),
        ("2030年1月", "未来の年月"),
        ("1850年", "明治より前"),
    ],
)
def test_year_month_rejects_with_japanese_message(text, fragment):
    with pytest.raises(JapaneseFormatError) as error:
        parse_year_month(text, today=TODAY)
    assert fragment in str(error.value)


@pytest.mark.parametrize(
    ("year", "month", "expected"),
    [
        (1980, 4, "昭和55年4月"),
        (1989, 1, "昭和64年1月"),
        (1989, 2, "平成元年2月"),
        (2019, 4, "平成31年4月"),
        (2019, 5, "令和元年5月"),
        (2019, None, "令和元年"),
        (1926, None, "昭和元年"),
    ],
)
def test_wareki_formatting_uses_the_era_in_force(year, month, expected):
    assert format_wareki_year(year, month) == expected


def test_every_ibaraki_code_has_a_valid_check_digit():
    with DATA.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    assert len(rows) == 44
    for row in rows:
        assert validate_local_government_code(row["code"]) == row["code"]
        assert local_government_check_digit(row["code5"]) == row["code"][5]


def test_prefecture_code_check_digit():
    assert validate_local_government_code("080004") == "080004"


@pytest.mark.parametrize(
    ("code", "fragment"),
    [
        ("082016", "検査数字が正しくありません（08201 の検査数字は 5 です）"),
        ("08201", "6桁の数字"),
        ("mito01", "6桁の数字"),
    ],
)
def test_invalid_local_government_codes_are_explained(code, fragment):
    with pytest.raises(JapaneseFormatError) as error:
        validate_local_government_code(code)
    assert fragment in str(error.value)


def test_full_width_code_is_normalised():
    assert validate_local_government_code("０８２０１５") == "082015"


def test_normalize_width_folds_full_and_half_width():
    assert normalize_width(" ＡＢＣ１２３ ｶﾀｶﾅ ") == "ABC123 カタカナ"
