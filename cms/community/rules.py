"""The community's rules as pure functions (no database, no I/O): NG-word matching,
mentions, the 炎上 alert threshold, reply depth, who may post what, and the
numbers of the monthly report. ``services`` and the views call these."""

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

MENTION = re.compile(r"(?<![\w@])@([\w・ー-]{1,30})")
URL = re.compile(r"https?://[^\s<>\"'　]+")


def fold(text: str) -> str:
    """Normalise for matching: NFKC (full/half width), case, katakana → hiragana,
    and no spaces, so 「ﾊﾞｶ」「バ カ」「ばか」 all match the NG word 「ばか」."""
    text = unicodedata.normalize("NFKC", text or "").casefold()
    text = "".join(
        chr(ord(ch) - 0x60) if "ァ" <= ch <= "ヶ" else ch
        for ch in text
        if not ch.isspace()
    )
    return text


def find_ng_words(text: str, words: Iterable[str]) -> list[str]:
    """The NG words that occur in ``text`` (after folding both), in list order."""
    folded = fold(text)
    found = []
    for word in words:
        key = fold(word)
        if key and key in folded and word not in found:
            found.append(word)
    return found


def mentioned_nicknames(text: str) -> list[str]:
    """``@nickname`` mentions in ``text``, each once, in order of appearance."""
    seen: list[str] = []
    for name in MENTION.findall(text or ""):
        if name not in seen:
            seen.append(name)
    return seen


def reply_parent_allowed(parent_parent_id: int | None) -> bool:
    """Replies are one level deep: only a top-level comment can be answered."""
    return parent_parent_id is None


@dataclass(frozen=True)
class AlertThresholds:
    reports: int
    comments: int
    window_minutes: int


def flame_cause(
    reports_in_window: int, comments_in_window: int, limits: AlertThresholds
) -> str | None:
    """Why a post needs the managers' eyes now, or None. Reports weigh first: a
    few reports say more than many comments."""
    if limits.reports and reports_in_window >= limits.reports:
        return f"{limits.window_minutes}分間に通報が{reports_in_window}件"
    if limits.comments and comments_in_window >= limits.comments:
        return f"{limits.window_minutes}分間にコメントが{comments_in_window}件"
    return None


def engagement_score(reactions: int, comments: int, participants: int) -> int:
    """How engaged a topic is, for the monthly report's ranking: people taking
    part count most, then comments, then stamps."""
    return participants * 5 + comments * 3 + reactions


def engagement_reason(reactions: int, comments: int, participants: int) -> str:
    """Why a topic ranks where it does, in words for the report."""
    parts = [(participants * 5, f"{participants}人が参加")]
    parts.append((comments * 3, f"コメント{comments}件"))
    parts.append((reactions, f"リアクション{reactions}件"))
    parts.sort(key=lambda p: -p[0])
    return "、".join(text for weight, text in parts if weight)


@dataclass(frozen=True)
class KpiProgress:
    label: str
    actual: float
    target: float
    note: str = ""

    @property
    def percent(self) -> int:
        return round(100 * self.actual / self.target) if self.target else 0

    @property
    def met(self) -> bool:
        return self.actual >= self.target


def fiscal_year_start(year: int, month: int) -> tuple[int, int]:
    """The first month of the Japanese fiscal year (年度, April to March) that
    holds ``year``/``month``: the seed's yearly targets count within it."""
    return (year, 4) if month >= 4 else (year - 1, 4)


def yearly_pace(count_so_far: int, days_so_far: int, days_in_year: int = 365) -> int:
    """The year's total at the current pace (for comparing with a yearly target)."""
    if days_so_far <= 0:
        return 0
    return round(count_so_far * days_in_year / days_so_far)


def page_range(current: int, last: int, around: int = 2) -> list[int | None]:
    """Page numbers for a pager: the first, the last and a few around the current
    one, with None for a gap (rendered as …)."""
    wanted = {1, last, *range(current - around, current + around + 1)}
    pages: list[int | None] = []
    for number in sorted(n for n in wanted if 1 <= n <= last):
        if pages and pages[-1] is not None and number - pages[-1] > 1:
            pages.append(None)
        pages.append(number)
    return pages


# --- Surveys ------------------------------------------------------------------


def survey_targets(
    relations: list[str],
    age_bands: list[str],
    prefectures: list[str],
    member: dict,
) -> bool:
    """Whether a member with attributes ``member`` (relation, age_band, prefecture)
    is asked: every list that is set must contain the member's value (an empty
    list asks everyone)."""
    for wanted, key in (
        (relations, "relation"),
        (age_bands, "age_band"),
        (prefectures, "prefecture"),
    ):
        if wanted and member.get(key) not in wanted:
            return False
    return True


def tally_choices(choices: list[str], answers: list[str]) -> list[tuple[str, int]]:
    """Counts per choice, in the question's order; an answer holds one choice per
    line (several for 「いくつでも選ぶ」). Unknown values are counted as その他."""
    counts = dict.fromkeys(choices, 0)
    other = 0
    for answer in answers:
        for value in filter(None, (v.strip() for v in answer.splitlines())):
            if value in counts:
                counts[value] += 1
            else:
                other += 1
    rows = list(counts.items())
    if other:
        rows.append(("その他", other))
    return rows


def rating_summary(answers: list[str]) -> dict:
    """Counts of 1–5 and the average (None without answers)."""
    values = [int(a) for a in answers if a.strip().isdigit() and 1 <= int(a) <= 5]
    return {
        "counts": [(str(n), values.count(n)) for n in range(1, 6)],
        "average": round(sum(values) / len(values), 2) if values else None,
        "answers": len(values),
    }
