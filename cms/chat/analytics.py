"""What the conversation log says: conversations per day and month, the questions
asked most, the questions the bot could not answer (grouped so that 「空き家の
ないらん」 and 「空家の内覧したい」 are one row), hits per answer, feedback and the
visitors' optional attributes.

``group_similar`` is a pure function; the rest are database queries over a
period, used by the admin's analytics page, its CSV export and the monthly report.
"""

import csv
import datetime
import io
from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.db.models.functions import TruncDate, TruncMonth
from django.utils import timezone
from rapidfuzz import fuzz

from .models import ATTRIBUTE_CHOICES, ChatTurn, Conversation, FaqAnswer, TurnOutcome
from .text import compact

# Two unanswered questions belong together at this similarity (0–100).
GROUP_SIMILARITY = 72
UNANSWERED = (TurnOutcome.SUGGESTED, TurnOutcome.NO_MATCH)


@dataclass(frozen=True)
class Period:
    start: datetime.date
    end: datetime.date  # inclusive

    @classmethod
    def month(cls, year: int, month: int) -> "Period":
        start = datetime.date(year, month, 1)
        following = (start + datetime.timedelta(days=32)).replace(day=1)
        return cls(start, following - datetime.timedelta(days=1))

    @classmethod
    def last_days(cls, days: int, today: datetime.date | None = None) -> "Period":
        today = today or timezone.localdate()
        return cls(today - datetime.timedelta(days=days - 1), today)

    def bounds(self) -> tuple[datetime.datetime, datetime.datetime]:
        zone = timezone.get_current_timezone()
        start = datetime.datetime.combine(self.start, datetime.time.min, tzinfo=zone)
        end = datetime.datetime.combine(
            self.end + datetime.timedelta(days=1), datetime.time.min, tzinfo=zone
        )
        return start, end

    def days(self) -> list[datetime.date]:
        count = (self.end - self.start).days + 1
        return [self.start + datetime.timedelta(days=i) for i in range(count)]

    def label(self) -> str:
        return f"{self.start:%Y年%m月%d日}〜{self.end:%Y年%m月%d日}"


def turns_in(period: Period):
    start, end = period.bounds()
    return ChatTurn.objects.filter(created_at__gte=start, created_at__lt=end)


def conversations_in(period: Period):
    start, end = period.bounds()
    return Conversation.objects.filter(started_at__gte=start, started_at__lt=end)


# --- Grouping similar questions (pure) ------------------------------------------


@dataclass
class QuestionGroup:
    representative: str
    count: int = 0
    examples: list[str] = field(default_factory=list)
    suggestion_keys: Counter = field(default_factory=Counter)

    @property
    def likely_answer(self) -> str | None:
        return (
            self.suggestion_keys.most_common(1)[0][0] if self.suggestion_keys else None
        )


def group_similar(
    questions: list[tuple[str, list[str]]], similarity: int = GROUP_SIMILARITY
) -> list[QuestionGroup]:
    """Greedy grouping of (question, suggested keys) by folded-text similarity; the
    most frequent wording represents its group. Biggest groups first."""
    by_text = Counter()
    suggestions: dict[str, Counter] = {}
    for question, keys in questions:
        by_text[question] += 1
        suggestions.setdefault(question, Counter()).update(keys[:1])
    groups: list[tuple[str, QuestionGroup]] = []

    def similar(a: str, b: str) -> bool:
        return fuzz.ratio(a, b) >= similarity or (
            len(a) >= 4 and fuzz.partial_ratio(a, b) >= 90
        )

    for question, count in by_text.most_common():
        folded = compact(question)
        group = next((g for f, g in groups if similar(folded, f)), None)
        if group is None:
            group = QuestionGroup(representative=question)
            groups.append((folded, group))
        group.count += count
        if len(group.examples) < 5:
            group.examples.append(question)
        group.suggestion_keys.update(suggestions[question])
    return sorted((g for _, g in groups), key=lambda g: -g.count)


# --- Queries over a period -------------------------------------------------------


def summary(period: Period) -> dict:
    turns = turns_in(period)
    totals = turns.aggregate(
        turns=Count("pk"),
        answered=Count("pk", filter=Q(outcome=TurnOutcome.ANSWERED)),
        selected=Count("pk", filter=Q(outcome=TurnOutcome.SELECTED)),
        suggested=Count("pk", filter=Q(outcome=TurnOutcome.SUGGESTED)),
        no_match=Count("pk", filter=Q(outcome=TurnOutcome.NO_MATCH)),
        helpful=Count("pk", filter=Q(feedback=1)),
        unhelpful=Count("pk", filter=Q(feedback=-1)),
    )
    totals["conversations"] = conversations_in(period).count()
    asked = totals["answered"] + totals["suggested"] + totals["no_match"]
    totals["answer_rate"] = round(totals["answered"] / asked, 3) if asked else 0.0
    rated = totals["helpful"] + totals["unhelpful"]
    totals["helpful_rate"] = round(totals["helpful"] / rated, 3) if rated else None
    return totals


def per_day(period: Period) -> list[dict]:
    rows = {
        row["day"]: row
        for row in turns_in(period)
        .annotate(day=TruncDate("created_at"))
        .values("day")
        .annotate(
            turns=Count("pk"),
            conversations=Count("conversation", distinct=True),
            unanswered=Count("pk", filter=Q(outcome__in=UNANSWERED)),
        )
    }
    return [
        {
            "day": day,
            "turns": rows.get(day, {}).get("turns", 0),
            "conversations": rows.get(day, {}).get("conversations", 0),
            "unanswered": rows.get(day, {}).get("unanswered", 0),
        }
        for day in period.days()
    ]


def per_month(months: int = 12, today: datetime.date | None = None) -> list[dict]:
    today = today or timezone.localdate()
    first = today.replace(day=1)
    for _ in range(months - 1):
        first = (first - datetime.timedelta(days=1)).replace(day=1)
    period = Period(first, today)
    rows = {
        row["month"]: row
        for row in turns_in(period)
        .annotate(month=TruncMonth("created_at"))
        .values("month")
        .annotate(
            turns=Count("pk"),
            conversations=Count("conversation", distinct=True),
            unanswered=Count("pk", filter=Q(outcome__in=UNANSWERED)),
        )
    }
    result, cursor = [], first
    while cursor <= today:
        row = next(
            (
                v
                for k, v in rows.items()
                if (k.date() if hasattr(k, "date") else k) == cursor
            ),
            {},
        )
        result.append(
            {
                "month": cursor,
                "turns": row.get("turns", 0),
                "conversations": row.get("conversations", 0),
                "unanswered": row.get("unanswered", 0),
            }
        )
        cursor = (cursor + datetime.timedelta(days=32)).replace(day=1)
    return result


def hits_per_answer(period: Period, limit: int = 30) -> list[dict]:
    rows = (
        turns_in(period)
        .filter(outcome__in=(TurnOutcome.ANSWERED, TurnOutcome.SELECTED))
        .exclude(answer_key="")
        .values("answer_key")
        .annotate(
            hits=Count("pk"),
            helpful=Count("pk", filter=Q(feedback=1)),
            unhelpful=Count("pk", filter=Q(feedback=-1)),
        )
        .order_by("-hits", "answer_key")[:limit]
    )
    questions = dict(
        FaqAnswer.objects.filter(key__in=[r["answer_key"] for r in rows]).values_list(
            "key", "question"
        )
    )
    return [
        {**row, "question": questions.get(row["answer_key"], "（削除された回答）")}
        for row in rows
    ]


def top_questions(period: Period, limit: int = 20) -> list[dict]:
    """The wordings asked most (folded so 「空き家バンク」 and 「空家バンク」 count once)."""
    counts, shown = Counter(), {}
    for query in (
        turns_in(period)
        .exclude(outcome=TurnOutcome.SELECTED)
        .values_list("query", flat=True)
    ):
        key = compact(query)
        counts[key] += 1
        shown.setdefault(key, query)
    return [{"query": shown[k], "count": c} for k, c in counts.most_common(limit)]


def unanswered_groups(
    period: Period, threshold: float | None = None, limit: int = 30
) -> list[QuestionGroup]:
    """Questions the bot did not answer, or answered with low confidence."""
    condition = Q(outcome__in=UNANSWERED)
    if threshold is not None:
        condition |= Q(outcome=TurnOutcome.ANSWERED, confidence__lt=threshold + 0.1)
    rows = (
        turns_in(period)
        .filter(condition)
        .values_list("query", "suggestions", "answer_key")
    )
    questions = [(q, list(s or []) or ([a] if a else [])) for q, s, a in rows]
    return group_similar(questions)[:limit]


def attribute_breakdown(period: Period) -> dict[str, list[tuple[str, int]]]:
    conversations = conversations_in(period).exclude(consented_at=None)
    result = {}
    for name, choices in ATTRIBUTE_CHOICES.items():
        counts = Counter(
            conversations.exclude(**{name: ""}).values_list(name, flat=True)
        )
        labels = dict(choices.choices)
        result[name] = [
            (str(labels[value]), counts.get(value, 0)) for value in choices.values
        ]
    return result


def turns_csv(period: Period) -> str:
    """The log of a period as CSV (UTF-8 with BOM, so Excel opens it correctly)."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(
        [
            "日時",
            "会話",
            "質問",
            "結果",
            "回答ID",
            "確信度",
            "候補",
            "評価",
            "応答時間ms",
        ]
    )
    labels = dict(TurnOutcome.choices)
    for turn in turns_in(period).select_related("conversation").order_by("created_at"):
        writer.writerow(
            [
                timezone.localtime(turn.created_at).strftime("%Y-%m-%d %H:%M:%S"),
                turn.conversation.session_id[:8],
                turn.query,
                labels.get(turn.outcome, turn.outcome),
                turn.answer_key,
                f"{turn.confidence:.2f}",
                "|".join(turn.suggestions or []),
                {1: "👍", -1: "👎"}.get(turn.feedback, ""),
                turn.response_ms,
            ]
        )
    return out.getvalue()
