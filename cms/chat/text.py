"""Japanese text as the matcher compares it: folded (width, case, kana), with the
editors' synonyms applied, and cut into three kinds of tokens.

* **words**: SudachiPy short-unit tokens in their normalised form (空家 → 空き家,
  しごと → 仕事), content words only;
* **reading bigrams**: pairs of hiragana from the readings of all tokens, so a
  question typed in hiragana only, in katakana or with a wrong kanji of the same
  sound (支縁金) still meets the answer;
* **surface bigrams**: pairs of characters of the folded text, which catch words
  the dictionary does not know (place names, new programmes).

Pure functions: no Django, no database; the tokenizer is created once per thread.
"""

import re
import threading
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import jaconv

# Content parts of speech kept as words (SudachiPy's top-level tags).
CONTENT_POS = {"名詞", "動詞", "形容詞", "形状詞", "接尾辞", "代名詞", "副詞"}
# Normalised forms that carry no meaning for matching a question to an answer.
STOP_WORDS = {
    "為る",
    "する",
    "有る",
    "ある",
    "居る",
    "いる",
    "成る",
    "なる",
    "出来る",
    "できる",
    "言う",
    "いう",
    "思う",
    "事",
    "こと",
    "物",
    "もの",
    "様",
    "よう",
    "方",
    "ほう",
    "其れ",
    "これ",
    "此れ",
    "それ",
    "何",
    "なに",
    "なん",
    "どう",
    "どの",
    "どんな",
    "どれ",
    "どこ",
    "いつ",
    "誰",
    "ため",
    "為",
    "ところ",
    "所",
    "時",
    "とき",
    "中",
    "的",
    "さん",
    "私",
    "僕",
    "自分",
    "うち",
    "ちょっと",
    "一寸",
    "矢張り",
    "やっぱり",
    "もう",
    "まだ",
    "とても",
    "凄い",
    "すごい",
    "知る",
    "教える",
    "分かる",
    "わかる",
    "呉れる",
    "くれる",
    "貰う",
    "下さる",
    "くださる",
    "頂く",
    "いただく",
    "良い",
    "いい",
    "よい",
    "欲しい",
    "ほしい",
    "たい",
    "御",
    "お",
    "ご",
    "く",
    "ん",
    "の",
}
_SKIP_POS = {"補助記号", "空白", "記号"}
_NON_TEXT = re.compile(r"[^0-9a-z\u3041-\u309f\u30a0-\u30ff\u4e00-\u9fff\u3005ー]+")
_SPACES = re.compile(r"\s+")
_KANA_ONLY = re.compile(r"[\u3041-\u309fー]+")
# Long-vowel marks and dashes people type for 「ー」.
_CHOON = str.maketrans({"-": "ー", "‐": "ー", "－": "ー", "―": "ー", "~": "〜"})


def fold(text: str) -> str:
    """Width, case and kana folded: 「ｲｼﾞｭｳ」「イジュウ」「いじゅう」 all become
    「いじゅう」; 「ＵＩターン」 becomes 「uiたーん」. Spaces are collapsed."""
    text = unicodedata.normalize("NFKC", text or "").casefold()
    return _SPACES.sub(" ", jaconv.kata2hira(text)).strip()


def compact(text: str) -> str:
    """Folded text without spaces and punctuation: what character n-grams see."""
    return _NON_TEXT.sub("", fold(text).translate(_CHOON))


def ngrams(text: str, n: int = 2) -> list[str]:
    if len(text) < n:
        return [text] if text else []
    return [text[i : i + n] for i in range(len(text) - n + 1)]


# --- Synonyms ------------------------------------------------------------------


@dataclass(frozen=True)
class SynonymTable:
    """Variants (folded) → the representative term, applied longest first."""

    pattern: re.Pattern | None
    terms: Mapping[str, str]

    @classmethod
    def build(cls, pairs: Iterable[tuple[str, Iterable[str]]]) -> "SynonymTable":
        terms = {}
        for term, variants in pairs:
            for variant in variants:
                folded = fold(variant)
                if folded and folded != fold(term):
                    terms[folded] = term
        # Terms match themselves, so a variant inside a longer term (補助 in
        # 補助金) does not rewrite the term (補助金 → 補助金金).
        for term in set(terms.values()):
            terms.setdefault(fold(term), term)
        if not terms:
            return cls(None, {})
        alternation = "|".join(
            re.escape(v) for v in sorted(terms, key=len, reverse=True)
        )
        return cls(re.compile(alternation), terms)

    def apply(self, text: str) -> str:
        """``text`` (NFKC, case-folded) with every variant replaced by its term.

        Variants are looked up in the kana-folded copy; katakana→hiragana maps one
        character to one, so the positions found there are valid in ``text``."""
        if self.pattern is None:
            return text
        folded = jaconv.kata2hira(text)
        pieces, last = [], 0
        for match in self.pattern.finditer(folded):
            pieces.append(text[last : match.start()])
            pieces.append(self.terms[match.group(0)])
            last = match.end()
        pieces.append(text[last:])
        return "".join(pieces)


NO_SYNONYMS = SynonymTable(None, {})


# --- Analysis -------------------------------------------------------------------


@dataclass(frozen=True)
class Analysis:
    """What the matcher knows of one text."""

    words: tuple[str, ...]
    reading: str  # hiragana reading of the whole text, no spaces or punctuation
    surface: str  # compact folded text
    segmented: str  # readings of the content words, space-separated (for fuzzy)
    reading_pairs: tuple[str, ...] = ()  # bigrams of ``reading``
    surface_pairs: tuple[str, ...] = ()  # bigrams of ``surface``

    @property
    def kana_only(self) -> bool:
        """Typed in kana alone: the tokenizer then guesses words from sounds and
        often guesses wrong, so the matcher leans on the reading instead."""
        return bool(self.surface) and _KANA_ONLY.fullmatch(self.surface) is not None

    def reading_bigrams(self) -> list[str]:
        return list(self.reading_pairs)

    def surface_bigrams(self) -> list[str]:
        return list(self.surface_pairs)


_local = threading.local()


def _tokenizer():
    tokenizer = getattr(_local, "tokenizer", None)
    if tokenizer is None:
        from sudachipy import Dictionary

        dictionary = Dictionary(dict="core")
        # SudachiPy 0.7 renamed create() to tokenizer().
        make = getattr(dictionary, "tokenizer", None) or dictionary.create
        tokenizer = make()
        _local.tokenizer = tokenizer
    return tokenizer


def _reading_of(morpheme) -> str:
    reading = morpheme.reading_form()
    surface = morpheme.surface()
    # Sudachi reads unknown words as 「キゴウ」 or leaves Latin letters and digits
    # as they are; the surface is the better reading then.
    if not reading or (reading == "キゴウ" and surface != "記号"):
        reading = surface
    return compact(reading)


def analyse(text: str, synonyms: SynonymTable = NO_SYNONYMS) -> Analysis:
    from sudachipy import SplitMode

    prepared = synonyms.apply(unicodedata.normalize("NFKC", text or "").casefold())
    prepared = _SPACES.sub(" ", prepared).strip()
    words, readings, content_readings = [], [], []
    if prepared:
        for morpheme in _tokenizer().tokenize(prepared, SplitMode.A):
            pos = morpheme.part_of_speech()[0]
            if pos in _SKIP_POS:
                continue
            reading = _reading_of(morpheme)
            readings.append(reading)
            normalized = fold(morpheme.normalized_form())
            if pos in CONTENT_POS and normalized not in STOP_WORDS:
                if morpheme.normalized_form() in STOP_WORDS:
                    continue
                normalized = synonyms.terms.get(normalized, normalized)
                words.append(fold(normalized))
                content_readings.append(reading)
    reading, surface = "".join(readings), compact(prepared)
    return Analysis(
        words=tuple(w for w in words if w),
        reading=reading,
        surface=surface,
        segmented=" ".join(r for r in content_readings if r),
        reading_pairs=tuple(ngrams(reading, 2)),
        surface_pairs=tuple(ngrams(surface, 2)),
    )
