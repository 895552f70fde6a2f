"""Pure rules of the ties app, with no I/O: tag parsing, the matching score with
its explanation, the transport-subsidy eligibility check and amount, and the
KPI arithmetic. Callers pass plain values so these are testable alone."""

import re
from dataclasses import dataclass, field

SPLIT = re.compile(r"[,、，;；\n]+")

# Points per overlapping item, and the order reasons are listed in.
WEIGHTS = {"skill": 3, "region": 2, "interest": 2, "involvement": 1}
LABELS = {
    "skill": "スキル",
    "region": "関心の地域",
    "interest": "関心",
    "involvement": "関わり方",
}


def parse_tags(text: str) -> list[str]:
    """「農業、デザイン, 農業」 → ["農業", "デザイン"] (trimmed, unique, in order)."""
    seen: list[str] = []
    for part in SPLIT.split(text or ""):
        tag = part.strip()[:40]
        if tag and tag not in seen:
            seen.append(tag)
    return seen[:20]


def _norm(values) -> dict[str, str]:
    return {str(v).strip().casefold(): str(v).strip() for v in values if str(v).strip()}


@dataclass(frozen=True)
class Profile:
    """What matching looks at, for a member or a program."""

    skills: tuple[str, ...] = ()
    interests: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    involvements: tuple[str, ...] = ()


@dataclass(frozen=True)
class Match:
    score: int
    reasons: tuple[tuple[str, tuple[str, ...]], ...] = field(default=())

    @property
    def explanation(self) -> str:
        """「スキル: 農業 / 関心の地域: 笠間市」."""
        return " / ".join(f"{LABELS[k]}: {'・'.join(v)}" for k, v in self.reasons)


def match(member: Profile, program: Profile, involvement_labels=None) -> Match:
    """Score the overlap of a member and a program. Deterministic: the same input
    gives the same score and the same explanation (items sorted)."""
    labels = involvement_labels or {}
    score = 0
    reasons = []
    for kind, ours, theirs in (
        ("skill", member.skills, program.skills),
        ("region", member.regions, program.regions),
        ("interest", member.interests, program.interests),
        ("involvement", member.involvements, program.involvements),
    ):
        a, b = _norm(ours), _norm(theirs)
        common = sorted(b[key] for key in a.keys() & b.keys())
        if common:
            score += WEIGHTS[kind] * len(common)
            if kind == "involvement":
                common = [labels.get(c, c) for c in common]
            reasons.append((kind, tuple(common)))
    return Match(score=score, reasons=tuple(reasons))


def rank(items, key_profile, member: Profile, labels=None, minimum: int = 1):
    """``[(item, Match)]`` best first; equal scores keep the order of ``items``
    (the sort is stable), so pass them in a fixed order."""
    scored = []
    for item in items:
        found = match(member, key_profile(item), labels)
        if found.score >= minimum:
            scored.append((item, found))
    scored.sort(key=lambda pair: -pair[1].score)
    return scored


# --- Transport subsidy (来県支援交通費補助金) -------------------------------


@dataclass(frozen=True)
class Eligibility:
    eligible: bool
    reasons: tuple[str, ...]
    amount_yen: int = 0


def subsidy_amount(cost_yen: int, rate: float, cap_yen: int) -> int:
    """Half the fare (``rate``), rounded down to 100 yen, at most ``cap_yen``."""
    if cost_yen <= 0:
        return 0
    return min(int(cost_yen * rate) // 100 * 100, cap_yen)


def check_eligibility(
    *,
    home_prefecture: str,
    host_prefecture: str,
    member_active: bool,
    has_program: bool,
    cost_yen: int,
    used_this_year: int,
    per_year: int,
    rate: float,
    cap_yen: int,
) -> Eligibility:
    """Who may apply: an active member living outside the prefecture, coming for
    an accepted or attended program, within the yearly number of trips."""
    problems = []
    if not member_active:
        problems.append("関係人口登録（活動中）の方が対象です。")
    if not home_prefecture:
        problems.append("お住まいの都道府県を選んでください。")
    elif home_prefecture == host_prefecture:
        problems.append(f"{host_prefecture}外にお住まいの方が対象です。")
    if not has_program:
        problems.append("受入決定または参加済みのプログラムのための来県が対象です。")
    if used_this_year >= per_year:
        problems.append(f"補助は1年度に{per_year}回までです。")
    if cost_yen <= 0:
        problems.append("交通費（円）を入力してください。")
    if problems:
        return Eligibility(False, tuple(problems))
    amount = subsidy_amount(cost_yen, rate, cap_yen)
    return Eligibility(True, (f"補助額の見込み: {amount:,}円",), amount)


def fiscal_year_start(today):
    """April 1 of the fiscal year (年度) containing ``today``."""
    year = today.year if today.month >= 4 else today.year - 1
    return today.replace(year=year, month=4, day=1)


def progress(count: int, target: int) -> int:
    """Percent of ``target`` reached (0 when there is no target)."""
    return round(count * 100 / target) if target else 0
