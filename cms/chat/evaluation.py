"""Measuring the matcher: Hit@1, Hit@5 and MRR over a file of questions with the
answer each should find, overall and per kind of spelling variation.

The file is TSV (or CSV) with ``query``, ``expected_id`` and an optional
``variation`` column (hiragana, katakana, halfwidth, typo, colloquial …). An
expected id of ``-`` marks a question the knowledge base cannot answer: it counts
toward how often the bot rightly declines to guess, not toward the hit rates.
"""

import csv
import io
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

OUT_OF_SCOPE = "-"


@dataclass(frozen=True)
class EvalCase:
    query: str
    expected: str
    variation: str = ""


def parse_eval_file(text: str, dialect: str = "tsv") -> list[EvalCase]:
    delimiter = "\t" if dialect == "tsv" else ","
    cases = []
    for row in csv.reader(io.StringIO(text), delimiter=delimiter):
        if len(row) < 2 or not row[0].strip():
            continue
        if row[1].strip().lower() in {"expected_id", "expected", "id"}:
            continue  # header
        variation = row[2].strip() if len(row) > 2 else ""
        cases.append(EvalCase(row[0].strip(), row[1].strip(), variation))
    return cases


@dataclass
class _Tally:
    n: int = 0
    hit1: int = 0
    hit5: int = 0
    reciprocal: float = 0.0

    def add(self, rank: int | None) -> None:
        self.n += 1
        if rank is not None:
            self.hit1 += rank == 1
            self.hit5 += rank <= 5
            self.reciprocal += 1 / rank

    def summary(self) -> dict:
        n = self.n or 1
        return {
            "n": self.n,
            "hit@1": round(self.hit1 / n, 4),
            "hit@5": round(self.hit5 / n, 4),
            "mrr": round(self.reciprocal / n, 4),
        }


def evaluate(
    cases: list[EvalCase],
    rank: Callable[[str], list],
    threshold: float | None = None,
) -> dict:
    """``rank(query)`` returns candidates (with ``key`` and ``confidence``), best
    first. With a ``threshold`` the answer/decline behaviour is measured too."""
    overall, by_variation = _Tally(), defaultdict(_Tally)
    declined_out_of_scope = out_of_scope = 0
    answered = answered_right = 0
    for case in cases:
        candidates = rank(case.query)
        keys = [c.key for c in candidates[:5]]
        confident = (
            threshold is not None
            and bool(candidates)
            and candidates[0].confidence >= threshold
        )
        if case.expected == OUT_OF_SCOPE:
            out_of_scope += 1
            declined_out_of_scope += not confident
            continue
        position = keys.index(case.expected) + 1 if case.expected in keys else None
        overall.add(position)
        by_variation[case.variation or "-"].add(position)
        if confident:
            answered += 1
            answered_right += position == 1
    result = {
        **overall.summary(),
        "by_variation": {k: v.summary() for k, v in sorted(by_variation.items())},
    }
    if threshold is not None:
        result["answered_rate"] = round(answered / (overall.n or 1), 4)
        result["answered_precision"] = round(answered_right / (answered or 1), 4)
        if out_of_scope:
            result["out_of_scope"] = out_of_scope
            result["out_of_scope_declined"] = round(
                declined_out_of_scope / out_of_scope, 4
            )
    return result
