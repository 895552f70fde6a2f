"""Japanese formats the content model relies on, as pure functions.

和暦 (Japanese era dates) as municipalities write them, the 6-digit
全国地方公共団体コード with its check digit, and full/half-width normalisation.
"""

import datetime
import re
import unicodedata
from dataclasses import dataclass

#: Monday first, as ``date.weekday()`` counts.
WEEKDAYS = "月火水木金土日"


def format_date(day: datetime.date, weekday: bool = False) -> str:
    """「2026年7月1日」, with 「（水）」 when ``weekday``."""
    text = f"{day.year}年{day.month}月{day.day}日"
    return f"{text}（{WEEKDAYS[day.weekday()]}）" if weekday else text


class JapaneseFormatError(ValueError):
    """Raised with a Japanese message that can be shown to the editor as is."""


def normalize_width(text: str) -> str:
    """NFKC: full-width digits and Latin letters become half-width, half-width kana
    becomes full-width. Whitespace at the ends is dropped."""
    return unicodedata.normalize("NFKC", text or "").strip()


# --- 全国地方公共団体コード ---------------------------------------------------

#: The 47 prefectures in JIS X 0401 order (code 01 北海道 … 47 沖縄県).
PREFECTURE_NAMES = (
    "北海道",
    "青森県",
    "岩手県",
    "宮城県",
    "秋田県",
    "山形県",
    "福島県",
    "茨城県",
    "栃木県",
    "群馬県",
    "埼玉県",
    "千葉県",
    "東京都",
    "神奈川県",
    "新潟県",
    "富山県",
    "石川県",
    "福井県",
    "山梨県",
    "長野県",
    "岐阜県",
    "静岡県",
    "愛知県",
    "三重県",
    "滋賀県",
    "京都府",
    "大阪府",
    "兵庫県",
    "奈良県",
    "和歌山県",
    "鳥取県",
    "島根県",
    "岡山県",
    "広島県",
    "山口県",
    "徳島県",
    "香川県",
    "愛媛県",
    "高知県",
    "福岡県",
    "佐賀県",
    "長崎県",
    "熊本県",
    "大分県",
    "宮崎県",
    "鹿児島県",
    "沖縄県",
)


_CODE_WEIGHTS = (6, 5, 4, 3, 2)


def local_government_check_digit(code5: str) -> str:
    """Check digit of a 5-digit local government code (総務省の検査数字)."""
    if not re.fullmatch(r"\d{5}", code5):
        raise JapaneseFormatError("団体コードは5桁の数字で入力してください。")
    remainder = sum(int(d) * w for d, w in zip(code5, _CODE_WEIGHTS, strict=True)) % 11
    return str((11 - remainder) % 10)


def validate_local_government_code(code: str) -> str:
    """Return the normalised 6-digit code, or raise with a message naming the fault."""
    code = normalize_width(code)
    if not re.fullmatch(r"\d{6}", code):
        raise JapaneseFormatError(
            "全国地方公共団体コードは6桁の数字で入力してください（例: 082015）。"
        )
    expected = local_government_check_digit(code[:5])
    if code[5] != expected:
        raise JapaneseFormatError(
            f"全国地方公共団体コード {code} の検査数字が正しくありません"
            f"（{code[:5]} の検査数字は {expected} です）。"
        )
    return code


# --- 和暦 -----------------------------------------------------------------


@dataclass(frozen=True)
class Era:
    name: str
    initial: str
    start: datetime.date
    last_year: int | None  # the last year number of the era; None while current

    def western_year(self, era_year: int) -> int:
        return self.start.year + era_year - 1


ERAS = (
    Era("令和", "R", datetime.date(2019, 5, 1), None),
    Era("平成", "H", datetime.date(1989, 1, 8), 31),
    Era("昭和", "S", datetime.date(1926, 12, 25), 64),
    Era("大正", "T", datetime.date(1912, 7, 30), 15),
    Era("明治", "M", datetime.date(1868, 1, 25), 45),
)
_ERA_BY_KEY = {e.name: e for e in ERAS} | {e.initial: e for e in ERAS}

_WAREKI = re.compile(
    r"^(?P<era>令和|平成|昭和|大正|明治|[RHSTM])\s*"
    r"(?P<year>元|\d{1,2})\s*(?:年|[./\-])?\s*"
    r"(?:(?P<month>\d{1,2})\s*月?)?$",
    re.IGNORECASE,
)
_SEIREKI = re.compile(
    r"^(?:西暦)?\s*(?P<year>\d{4})\s*(?:年|[./\-])?\s*(?:(?P<month>\d{1,2})\s*月?)?$"
)


@dataclass(frozen=True)
class YearMonth:
    year: int
    month: int | None  # None when only the year is known

    def as_date(self) -> datetime.date:
        return datetime.date(self.year, self.month or 1, 1)


def parse_year_month(text: str, *, today: datetime.date | None = None) -> YearMonth:
    """Parse a year and month written in 和暦 or 西暦.

    Accepts what editors type: 「昭和55年4月」「昭和５５年４月」「S55.4」「平成元年」
    「令和2年」「1980年4月」「1980/04」「1980-4」. The month may be left out.
    """
    raw = text
    text = normalize_width(text).replace(" ", "")
    if not text:
        raise JapaneseFormatError(
            "年月を入力してください（例: 昭和55年4月、1980年4月）。"
        )
    today = today or datetime.date.today()

    if match := _WAREKI.match(text):
        era = _ERA_BY_KEY[
            match["era"].upper() if len(match["era"]) == 1 else match["era"]
        ]
        era_year = 1 if match["year"] == "元" else int(match["year"])
        if era_year < 1 or (era.last_year and era_year > era.last_year):
            limit = f"{era.last_year}年まで" if era.last_year else "1年から"
            raise JapaneseFormatError(
                f"「{raw}」: {era.name}{era_year}年はありません（{era.name}は{limit}です）。"
            )
        year = era.western_year(era_year)
    elif match := _SEIREKI.match(text):
        year = int(match["year"])
    else:
        raise JapaneseFormatError(
            f"「{raw}」を年月として読み取れません。"
            "「昭和55年4月」「S55.4」「1980年4月」のように入力してください。"
        )

    month = int(match["month"]) if match["month"] else None
    if month is not None and not 1 <= month <= 12:
        raise JapaneseFormatError(f"「{raw}」: 月は1から12で入力してください。")
    if year < 1868:
        raise JapaneseFormatError(f"「{raw}」: 明治より前の年は入力できません。")
    if (year, month or 1) > (today.year, today.month):
        raise JapaneseFormatError(f"「{raw}」: 未来の年月は入力できません。")
    return YearMonth(year, month)


def era_for(date: datetime.date) -> Era:
    for era in ERAS:
        if date >= era.start:
            return era
    raise JapaneseFormatError(f"{date.isoformat()} は明治より前です。")


def format_wareki_year(year: int, month: int | None = None) -> str:
    """「昭和55年4月」: the era in force on the first day of that month (or year)."""
    era = era_for(datetime.date(year, month or 12, 28 if month is None else 1))
    # A year that begins in one era and ends in the next is named by the later era
    # when no month is given, as forms in municipalities do (平成31年 → 令和元年).
    era_year = year - era.start.year + 1
    year_text = "元" if era_year == 1 else str(era_year)
    return f"{era.name}{year_text}年" + (f"{month}月" if month else "")


def format_year_month(year: int, month: int | None = None) -> str:
    """「1980年4月（昭和55年）」 as shown to visitors."""
    western = f"{year}年" + (f"{month}月" if month else "")
    return f"{western}（{format_wareki_year(year, month).split('年')[0]}年）"
