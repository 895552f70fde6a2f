"""Text that survives the trip to a Shift_JIS system, with every loss reported.

Output is encoded as **cp932** (Windows-31J, Microsoft's Shift_JIS): it is what Excel
and the bulk-upload tools of Japanese property portals read and write. Of cp932 we use
only the characters that every Shift_JIS reader agrees on: JIS X 0208 plus the NEC
special characters of row 13 (①, ㎡, ㈱, Ⅰ …, which Shift_JIS-2004 keeps at the same
codes). The vendor-specific extension kanji (rows 89–92 and 115–119: 髙, 﨑, 德 …) and
user-defined characters (外字) decode differently or not at all elsewhere, so they are
replaced like any character outside Shift_JIS: by a documented substitute, never by
an exception. See docs/akiya-feed.md for the table.
"""

import re
import unicodedata
from dataclasses import dataclass

ENCODING = "cp932"

#: Kanji with a common JIS X 0208 form (mostly in family and place names). Anything
#: not listed here falls through the rules of ``_substitute``.
KANJI_SUBSTITUTES = {
    "髙": "高",
    "﨑": "崎",
    "德": "徳",
    "瀨": "瀬",
    "濵": "濱",
    "栁": "柳",
    "桒": "桑",
    "橫": "横",
    "黑": "黒",
    "淸": "清",
    "靑": "青",
    "鄕": "郷",
    "郞": "郎",
    "寬": "寛",
    "增": "増",
    "敎": "教",
    "綠": "緑",
    "緖": "緒",
    "賴": "頼",
    "薰": "薫",
    "悅": "悦",
    "昻": "昂",
    "冝": "宜",
    "凞": "煕",
    "閒": "間",
    "甁": "瓶",
    "羡": "羨",
    "𠮷": "吉",
    "𡈽": "土",
    "￤": "｜",
    "¥": "￥",
}
#: What an unknown character becomes: the geta mark, the typesetter's sign for
#: "a character that could not be set", so a reader sees that something is missing.
UNKNOWN_SUBSTITUTE = "〓"

_VENDOR_LEAD_BYTES = {*range(0xED, 0xEF), *range(0xF0, 0xFD)}
_EMOJI_PARTS = re.compile(
    "[\u200d\ufe00-\ufe0f\u20e3\U0001f000-\U0001faff\U000e0000-\U000e007f"
    "\u2600-\u27bf\u2b00-\u2bff]"
)


def _vendor_characters() -> str:
    """Every character cp932 encodes in the vendor or user-defined rows."""
    found = []
    for lead in sorted(_VENDOR_LEAD_BYTES):
        for trail in range(0x40, 0xFD):
            try:
                char = bytes((lead, trail)).decode(ENCODING)
            except UnicodeDecodeError:
                continue
            # Some vendor codes duplicate a standard character (￢ …); those
            # encode back to the standard code and are fine.
            if char.encode(ENCODING)[0] in _VENDOR_LEAD_BYTES:
                found.append(char)
    return "".join(found)


_VENDOR = re.compile(
    "[" + re.escape(_vendor_characters()) + "\ue000-\uf8ff\U000f0000-\U0010ffff]"
)
_HALF_WIDTH_KANA = re.compile("[\uff61-\uff9f]+")
# Either of the above, in one pass: the common case (nothing to change) then costs
# one regular-expression scan and one encode.
_NEEDS_CARE = re.compile(_VENDOR.pattern[:-1] + "\uff61-\uff9f]")


@dataclass(frozen=True)
class Substitution:
    """One character that could not be sent as it is; ``replacement`` is "" when it
    was dropped (emoji and other pictographs)."""

    original: str
    replacement: str

    def describe(self) -> str:
        if self.replacement:
            return f"「{self.original}」→「{self.replacement}」"
        return f"「{self.original}」→（削除）"


def is_sendable(char: str) -> bool:
    try:
        encoded = char.encode(ENCODING)
    except UnicodeEncodeError:
        return False
    return not (len(encoded) == 2 and encoded[0] in _VENDOR_LEAD_BYTES)


def _all_sendable(text: str) -> bool:
    return all(is_sendable(c) for c in text)


def _substitute(char: str) -> str:
    """The replacement for one character that is not sendable."""
    if char in KANJI_SUBSTITUTES:
        return KANJI_SUBSTITUTES[char]
    for form in ("NFC", "NFKC"):  # 塚 (U+FA10) → 塚, ⅱ → ii, ﬁ → fi …
        normal = unicodedata.normalize(form, char)
        if normal != char and _all_sendable(normal):
            return normal
    # Accented Latin letters lose their accents: é → e.
    stripped = "".join(
        c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c)
    )
    if stripped and stripped != char and _all_sendable(stripped):
        return stripped
    if _EMOJI_PARTS.match(char) or unicodedata.category(char) in ("So", "Sk", "Cf"):
        return ""
    return UNKNOWN_SUBSTITUTE


def to_shift_jis_text(text: str) -> tuple[str, list[Substitution]]:
    """``text`` made sendable in Shift_JIS, with the substitutions made (in order of
    first appearance, each once). Half-width katakana become full-width, as portals
    expect; that is no loss and is not reported."""
    if not text:
        return text, []
    if not _NEEDS_CARE.search(text):
        try:
            text.encode(ENCODING)
        except UnicodeEncodeError:
            pass
        else:
            return text, []
    if _HALF_WIDTH_KANA.search(text):
        text = _HALF_WIDTH_KANA.sub(lambda m: unicodedata.normalize("NFKC", m[0]), text)
    parts, seen = [], {}
    for char in text:
        if is_sendable(char):
            parts.append(char)
            continue
        if char not in seen:
            seen[char] = _substitute(char)
        parts.append(seen[char])
    # Invisible joiners and variation selectors go with the emoji they belong to;
    # reporting them separately would only puzzle the editor.
    reported = [
        Substitution(o, r)
        for o, r in seen.items()
        if unicodedata.category(o) not in ("Cf", "Mn")
    ]
    return "".join(parts), reported
