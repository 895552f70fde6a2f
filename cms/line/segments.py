"""Friend segments with the mail tool's segment engine (cms/mailing/segments.py):
the same JSON rule tree (AND/OR groups, ``"not": true``), evaluated over LINE
friends with this field set. Custom attributes ("attr:<key>") are the mail tool's
definitions, stored in ``LineFriend.attributes``."""

import datetime as dt

from django.db.models import Q
from django.utils import timezone

from cms.mailing import segments as engine
from cms.mailing.models import AgeBand, Gender, Interest
from cms.mailing.segments import FieldSet, SegmentField

from .models import FriendStatus, LineFriend


def _age_band_q(lookup: str, value, today: dt.date) -> Q:
    """From the birth date when known, else the registered band."""
    bands = value if lookup == "in" else [value]
    q = Q()
    for band in bands:
        q |= _one_band(str(band), today)
    return ~q if lookup == "ne" else q


def _years_ago(today: dt.date, years: int) -> dt.date:
    try:
        return today.replace(year=today.year - years)
    except ValueError:  # 29 February
        return today.replace(year=today.year - years, day=28)


def _one_band(band: str, today: dt.date) -> Q:
    stored = Q(birth_date__isnull=True, age_band=band)
    if band == "70s":
        return Q(birth_date__lte=_years_ago(today, 70)) | stored
    try:
        decade = 10 if band == "10s" else int(band.rstrip("s"))
    except ValueError:
        raise engine.SegmentError(f"年代「{band}」はありません。") from None
    lower = _years_ago(today, decade + 10)  # born after this
    upper = _years_ago(today, decade)
    if band == "10s":
        return Q(birth_date__gt=_years_ago(today, 20)) | stored
    return Q(birth_date__gt=lower, birth_date__lte=upper) | stored


def _interest_q(lookup: str, value, today: dt.date) -> Q:
    through = LineFriend.interests.through.objects
    if lookup in engine.VALUELESS:
        q = Q(pk__in=through.values("linefriend_id"))
        return q if lookup == "not_empty" else ~q
    names = value if lookup == "in" else [value]
    q = Q(pk__in=through.filter(interest__name__in=names).values("linefriend_id"))
    return ~q if lookup == "ne" else q


def _child_age_q(lookup: str, value, today: dt.date) -> Q:
    """「子の年齢」: friends with at least one child of that age (years), or at
    least/at most that age for gte/lte. Children's dates are a JSON list, so this
    is resolved in Python over the friends who have children."""
    years = int(value)
    ids = []
    for pk, dates in LineFriend.objects.exclude(children_birth_dates=[]).values_list(
        "pk", "children_birth_dates"
    ):
        for text in dates or []:
            try:
                born = dt.date.fromisoformat(text)
            except ValueError:
                continue
            age = (
                today.year
                - born.year
                - ((today.month, today.day) < (born.month, born.day))
            )
            if (
                (lookup == "eq" and age == years)
                or (lookup == "gte" and age >= years)
                or (lookup == "lte" and age <= years)
            ):
                ids.append(pk)
                break
    return Q(pk__in=ids)


def _has_children_q(lookup: str, value, today: dt.date) -> Q:
    q = ~Q(children_birth_dates=[])
    return q if lookup == "not_empty" else ~q


def friend_fields() -> FieldSet:
    text = ("eq", "ne", "in", "contains", "empty", "not_empty")
    fields = [
        SegmentField(
            "age_band",
            "年代",
            lookups=("eq", "ne", "in"),
            choices=tuple(c for c in AgeBand.choices if c[0]),
            build=_age_band_q,
        ),
        SegmentField(
            "gender", "性別", "gender", ("eq", "ne", "in"), tuple(Gender.choices)
        ),
        SegmentField("residence", "お住まいの市町村", "residence__name", text),
        SegmentField(
            "residence_outside",
            "県外の都道府県",
            "residence_outside",
            text,
            engine.PREFECTURES,
        ),
        SegmentField(
            "interest",
            "関心",
            lookups=("eq", "ne", "in", "empty", "not_empty"),
            choices=tuple(
                (n, n) for n in Interest.objects.values_list("name", flat=True)
            ),
            build=_interest_q,
        ),
        SegmentField(
            "children",
            "お子さま",
            lookups=("empty", "not_empty"),
            build=_has_children_q,
        ),
        SegmentField(
            "child_age",
            "お子さまの年齢",
            lookups=("eq", "gte", "lte"),
            kind="number",
            build=_child_age_q,
        ),
        SegmentField(
            "followed_at",
            "友だち追加日",
            "followed_at__date",
            ("gte", "lte"),
            kind="date",
        ),
        SegmentField(
            "is_tester",
            "テスト受信者",
            "is_tester",
            ("eq",),
            ((True, "はい"), (False, "いいえ")),
        ),
    ]

    def custom(name):
        extra = engine._custom_attribute(name)
        if extra is None:
            return None
        return SegmentField(
            name=extra.name,
            label=extra.label,
            path=extra.path,
            lookups=extra.lookups,
            choices=extra.choices,
            kind=extra.kind,
        )

    return FieldSet({f.name: f for f in fields}, resolve_extra=custom)


def validate(tree) -> list[str]:
    return engine.validate(tree, friend_fields())


def describe(tree) -> str:
    return engine.describe(tree, friend_fields())


def friends_matching(channel, tree, today: dt.date | None = None):
    """Friends (not blocked) of ``channel`` matching ``tree``."""
    q = engine.to_q(tree, friend_fields(), today or timezone.localdate())
    return LineFriend.objects.filter(
        channel=channel, status=FriendStatus.FRIEND
    ).filter(q)
