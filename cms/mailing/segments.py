"""The segment engine: a saved rule tree of attribute conditions joined by AND/OR,
turned into a Django ``Q`` object. Pure functions with no I/O except the queries
the caller runs, so the rules are testable without a server and other apps (LINE
delivery, community members) can reuse the engine with their own field set.

A rule tree is JSON::

    {"op": "and", "rules": [
        {"field": "prefecture", "lookup": "eq", "value": "東京都"},
        {"field": "age_band", "lookup": "in", "value": ["30s"]},
        {"op": "or", "rules": [
            {"field": "interest", "lookup": "eq", "value": "就農"},
            {"field": "attr:move_when", "lookup": "eq", "value": "1年以内"}]}]}

A group may carry ``"not": true``. An empty group matches everyone.
"""

import datetime as dt
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.db.models import Q

from cms.core.japanese import PREFECTURE_NAMES

LOOKUPS = {
    "eq": "が",
    "ne": "が次以外",
    "in": "がいずれか",
    "contains": "に次を含む",
    "gte": "が次以上",
    "lte": "が次以下",
    "empty": "が空",
    "not_empty": "が空でない",
}
VALUELESS = {"empty", "not_empty"}
MAX_DEPTH = 5
MAX_RULES = 100
ATTRIBUTE_KEY = re.compile(r"^[a-z0-9_]{1,40}$")


class SegmentError(ValueError):
    """A rule tree that cannot be used; the message says what to fix (Japanese)."""


@dataclass(frozen=True)
class SegmentField:
    """One attribute a rule can test. ``build(lookup, value, today)`` returns the Q;
    the default tests ``path`` with the lookup."""

    name: str
    label: str
    path: str = ""
    lookups: tuple[str, ...] = ("eq", "ne", "in", "empty", "not_empty")
    choices: tuple[tuple[str, str], ...] = ()
    kind: str = "text"  # text | number | date
    build: Callable[[str, object, dt.date], Q] | None = None

    def q(self, lookup: str, value, today: dt.date) -> Q:
        if self.build is not None:
            return self.build(lookup, value, today)
        return lookup_q(self.path, lookup, value)

    def value_label(self, value) -> str:
        labels = dict(self.choices)
        if isinstance(value, list):
            return "・".join(str(labels.get(v, v)) for v in value)
        return str(labels.get(value, value))


def lookup_q(path: str, lookup: str, value) -> Q:
    """The plain Django lookup for ``lookup`` on a column ``path``."""
    if lookup == "eq":
        return Q(**{path: value})
    if lookup == "ne":
        return ~Q(**{path: value})
    if lookup == "in":
        return Q(**{f"{path}__in": list(value)})
    if lookup == "contains":
        return Q(**{f"{path}__icontains": value})
    if lookup == "gte":
        return Q(**{f"{path}__gte": value})
    if lookup == "lte":
        return Q(**{f"{path}__lte": value})
    if lookup == "empty":
        return Q(**{f"{path}__isnull": True}) | Q(**{path: ""})
    if lookup == "not_empty":
        return ~(Q(**{f"{path}__isnull": True}) | Q(**{path: ""}))
    raise SegmentError(f"条件「{lookup}」は使えません。")


@dataclass
class FieldSet:
    """The fields rules may name, for one kind of recipient."""

    fields: dict[str, SegmentField] = field(default_factory=dict)
    # Resolves names not in ``fields`` (e.g. "attr:<key>" for custom attributes).
    resolve_extra: Callable[[str], SegmentField | None] | None = None

    def get(self, name: str) -> SegmentField:
        found = self.fields.get(name)
        if found is None and self.resolve_extra is not None:
            found = self.resolve_extra(name)
        if found is None:
            raise SegmentError(f"項目「{name}」はありません。")
        return found


def is_group(node) -> bool:
    return isinstance(node, dict) and "rules" in node


def validate(tree, fields: FieldSet) -> list[str]:
    """Every problem in ``tree`` (empty when usable)."""
    problems: list[str] = []
    count = 0

    def visit(node, depth):
        nonlocal count
        if depth > MAX_DEPTH:
            problems.append(f"条件の入れ子は{MAX_DEPTH}段までです。")
            return
        if not isinstance(node, dict):
            problems.append("条件の形式が正しくありません。")
            return
        if is_group(node):
            if node.get("op", "and") not in {"and", "or"}:
                problems.append(
                    "条件のつなぎ方は「すべて（AND）」か「いずれか（OR）」です。"
                )
            if not isinstance(node["rules"], list):
                problems.append("条件の形式が正しくありません。")
                return
            for child in node["rules"]:
                visit(child, depth + 1)
            return
        count += 1
        try:
            segment_field = fields.get(str(node.get("field", "")))
        except SegmentError as error:
            problems.append(str(error))
            return
        lookup = node.get("lookup", "eq")
        if lookup not in segment_field.lookups:
            problems.append(
                f"「{segment_field.label}」には条件「{LOOKUPS.get(lookup, lookup)}」を使えません。"
            )
            return
        value = node.get("value")
        if lookup in VALUELESS:
            return
        if lookup == "in":
            if not isinstance(value, list) or not value:
                problems.append(
                    f"「{segment_field.label}」の値を1つ以上選んでください。"
                )
            return
        if value in (None, "") or isinstance(value, list | dict):
            problems.append(f"「{segment_field.label}」の値を入れてください。")
        elif segment_field.kind == "number":
            try:
                float(value)
            except (TypeError, ValueError):
                problems.append(f"「{segment_field.label}」には数値を入れてください。")
        elif segment_field.kind == "date":
            try:
                dt.date.fromisoformat(str(value))
            except ValueError:
                problems.append(
                    f"「{segment_field.label}」には日付（例: 2027-04-01）を入れてください。"
                )

    visit(tree or {"op": "and", "rules": []}, 0)
    if count > MAX_RULES:
        problems.append(f"条件は{MAX_RULES}個までです。")
    return problems


def to_q(tree, fields: FieldSet, today: dt.date) -> Q:
    """The rule tree as a ``Q`` (raises ``SegmentError`` when it is not valid)."""
    problems = validate(tree, fields)
    if problems:
        raise SegmentError(" ".join(problems))
    return _node_q(tree or {"op": "and", "rules": []}, fields, today)


def _node_q(node, fields: FieldSet, today: dt.date) -> Q:
    if is_group(node):
        parts = [_node_q(child, fields, today) for child in node["rules"]]
        if not parts:
            q = Q()
        else:
            q = parts[0]
            for part in parts[1:]:
                q = (q | part) if node.get("op", "and") == "or" else (q & part)
        return ~q if node.get("not") and parts else q
    segment_field = fields.get(node["field"])
    value = node.get("value")
    if (
        segment_field.kind == "number"
        and value not in (None, "")
        and not isinstance(value, list)
    ):
        value = float(value) if "." in str(value) else int(value)
    return segment_field.q(node.get("lookup", "eq"), value, today)


def describe(tree, fields: FieldSet | None = None) -> str:
    """The tree in words (「居住都道府県が東京都 かつ 年代が30代」) for lists and
    confirmation screens."""
    fields = fields or subscriber_fields()

    def words(node, top=False) -> str:
        if is_group(node):
            joiner = " または " if node.get("op", "and") == "or" else " かつ "
            inner = joiner.join(words(child) for child in node["rules"])
            if not node["rules"]:
                inner = "全員"
            if node.get("not"):
                return f"次以外（{inner}）"
            return inner if top or len(node["rules"]) < 2 else f"（{inner}）"
        try:
            segment_field = fields.get(node.get("field", ""))
        except SegmentError:
            return f"不明な項目「{node.get('field')}」"
        lookup = node.get("lookup", "eq")
        if lookup in VALUELESS:
            return f"{segment_field.label}{LOOKUPS[lookup]}"
        value = segment_field.value_label(node.get("value"))
        if lookup == "eq":
            return f"{segment_field.label}が{value}"
        return f"{segment_field.label}{LOOKUPS.get(lookup, lookup)}「{value}」"

    return words(tree or {"op": "and", "rules": []}, top=True)


# --- The subscriber field set -------------------------------------------------------


def _age_band_q(lookup: str, value, today: dt.date) -> Q:
    """Age bands come from the birth year at ``today`` when known, else from the
    stored band (imports often only have 「30代」)."""
    bands = value if lookup == "in" else [value]
    q = Q()
    for band in bands:
        q |= _one_band_q(str(band), today)
    if lookup == "ne":
        return ~q
    return q


def _one_band_q(band: str, today: dt.date) -> Q:
    stored = Q(birth_year__isnull=True, age_band=band)
    if band == "10s":
        return Q(birth_year__gt=today.year - 20) | stored
    if band == "70s":
        return Q(birth_year__lte=today.year - 70) | stored
    try:
        decade = int(band.rstrip("s"))
    except ValueError:
        raise SegmentError(f"年代「{band}」はありません。") from None
    return (
        Q(birth_year__lte=today.year - decade, birth_year__gt=today.year - decade - 10)
        | stored
    )


def _interest_q(lookup: str, value, today: dt.date) -> Q:
    # A subquery per condition, so "関心:就農 AND 関心:子育て" means both interests
    # rather than one interest row that is both.
    from .models import Subscriber

    through = Subscriber.interests.through.objects
    if lookup in VALUELESS:
        q = Q(pk__in=through.values("subscriber_id"))
        return q if lookup == "not_empty" else ~q
    names = value if lookup == "in" else [value]
    q = Q(pk__in=through.filter(interest__name__in=names).values("subscriber_id"))
    return ~q if lookup == "ne" else q


def _custom_attribute(name: str) -> SegmentField | None:
    if not name.startswith("attr:"):
        return None
    key = name.removeprefix("attr:")
    if not ATTRIBUTE_KEY.match(key):
        return None
    from .models import AttributeDefinition, AttributeKind

    definition = AttributeDefinition.objects.filter(key=key).first()
    if definition is None:
        return None
    if definition.kind == AttributeKind.DATE:
        # ISO dates compare as text on both databases.
        return SegmentField(
            name=name,
            label=definition.label,
            path=f"attributes__{key}",
            kind="date",
            lookups=("eq", "gte", "lte", "empty", "not_empty"),
        )
    number = definition.kind == AttributeKind.NUMBER
    return SegmentField(
        name=name,
        label=definition.label,
        path=f"attributes__{key}",
        kind="number" if number else "text",
        lookups=(
            ("eq", "ne", "in", "gte", "lte", "empty", "not_empty")
            if number
            else ("eq", "ne", "in", "contains", "empty", "not_empty")
        ),
        choices=tuple((c, c) for c in definition.choice_list()),
    )


def subscriber_fields() -> FieldSet:
    from .models import AgeBand, ConsentMethod, Gender, Interest, SubscriberStatus

    text = ("eq", "ne", "in", "contains", "empty", "not_empty")
    fields = [
        SegmentField("prefecture", "居住都道府県", "prefecture", text, PREFECTURES),
        SegmentField("municipality", "居住市区町村", "municipality", text),
        SegmentField(
            "age_band",
            "年代",
            lookups=("eq", "ne", "in"),
            choices=tuple(c for c in AgeBand.choices if c[0]),
            build=_age_band_q,
        ),
        SegmentField(
            "birth_year",
            "生まれ年",
            "birth_year",
            ("eq", "gte", "lte", "empty", "not_empty"),
            kind="number",
        ),
        SegmentField("gender", "性別", "gender", ("eq", "ne", "in"), Gender.choices),
        SegmentField(
            "interest",
            "関心",
            lookups=("eq", "ne", "in", "empty", "not_empty"),
            choices=tuple(
                (name, name) for name in Interest.objects.values_list("name", flat=True)
            ),
            build=_interest_q,
        ),
        SegmentField("source_event", "参加したイベント", "source_event", text),
        SegmentField(
            "consent_method",
            "同意の方法",
            "consent_method",
            ("eq", "ne", "in"),
            ConsentMethod.choices,
        ),
        SegmentField(
            "status", "状態", "status", ("eq", "ne", "in"), SubscriberStatus.choices
        ),
        SegmentField(
            "created_at",
            "登録日",
            "created_at__date",
            ("gte", "lte"),
            kind="date",
        ),
    ]
    return FieldSet({f.name: f for f in fields}, resolve_extra=_custom_attribute)


def field_catalogue(fields: FieldSet | None = None) -> list[dict]:
    """The fields and their lookups/choices as JSON for the admin's rule builder."""
    from .models import AttributeDefinition

    fields = fields or subscriber_fields()
    entries = list(fields.fields.values())
    for definition in AttributeDefinition.objects.all():
        extra = fields.get(f"attr:{definition.key}")
        entries.append(extra)
    return [
        {
            "name": f.name,
            "label": f.label,
            "kind": f.kind,
            "lookups": [{"name": lk, "label": LOOKUPS[lk]} for lk in f.lookups],
            "choices": [{"value": v, "label": label} for v, label in f.choices],
        }
        for f in entries
    ]


def subscribers_matching(tree, today: dt.date | None = None):
    from django.utils import timezone

    from .models import Subscriber

    return Subscriber.objects.filter(
        to_q(tree, subscriber_fields(), today or timezone.localdate())
    )


def count_matching(tree, *, active_only: bool = True) -> int:
    from .models import SubscriberStatus

    qs = subscribers_matching(tree)
    if active_only:
        qs = qs.filter(status=SubscriberStatus.ACTIVE)
    return qs.count()


def flat_rules(conditions: Iterable[dict], op: str = "and") -> dict:
    """A one-level tree from a list of conditions (what the simple form edits)."""
    return {"op": op, "rules": list(conditions)}


PREFECTURES = tuple((name, name) for name in PREFECTURE_NAMES)
