"""The segment engine: rule trees to queries, counts on the real database."""

import datetime as dt

import pytest
from django.db.models import Q

from cms.mailing.segments import (
    FieldSet,
    SegmentError,
    SegmentField,
    count_matching,
    describe,
    subscriber_fields,
    to_q,
    validate,
)

TODAY = dt.date(2026, 11, 22)


def emails(tree):
    from cms.mailing.segments import subscribers_matching

    return sorted(
        s.email for s in subscribers_matching(tree, TODAY).filter(status="active")
    )


def rule(field, value, lookup="eq"):
    return {"field": field, "lookup": lookup, "value": value}


def test_engine_builds_q_for_any_field_set_without_a_database():
    """Other apps (LINE, community) bring their own fields; AND/OR/NOT nest."""
    fields = FieldSet({"area": SegmentField("area", "地域", "area")})
    tree = {
        "op": "or",
        "rules": [
            rule("area", "水戸"),
            {"op": "and", "not": True, "rules": [rule("area", "", "empty")]},
        ],
    }
    q = to_q(tree, fields, TODAY)
    expected = Q(area="水戸") | ~(Q(area__isnull=True) | Q(area=""))
    assert q == expected


def test_validate_reports_each_problem_in_japanese(db):
    problems = validate(
        {
            "op": "xor",
            "rules": [
                rule("shoe_size", "27"),
                rule("prefecture", "", "eq"),
                rule("age_band", [], "in"),
                rule("birth_year", "abc", "gte"),
            ],
        },
        subscriber_fields(),
    )
    assert "条件のつなぎ方は「すべて（AND）」か「いずれか（OR）」です。" in problems
    assert "項目「shoe_size」はありません。" in problems
    assert "「居住都道府県」の値を入れてください。" in problems
    assert "「年代」の値を1つ以上選んでください。" in problems
    assert "「生まれ年」には数値を入れてください。" in problems
    with pytest.raises(SegmentError):
        to_q(
            {"op": "and", "rules": [rule("shoe_size", "1")]}, subscriber_fields(), TODAY
        )


def test_tokyo_and_thirties_and_farming_counts_birth_year_and_stored_band(audience):
    tree = {
        "op": "and",
        "rules": [
            rule("prefecture", "東京都"),
            rule("age_band", "30s"),
            rule("interest", "就農"),
        ],
    }
    # 1992 is 34 at TODAY; the unsubscribed one (1993) is not active.
    assert emails(tree) == ["Taro.Farm@example.jp"]
    tree["rules"][2] = rule("interest", ["就農", "子育て"], "in")
    # hanako has no birth year but the stored band 30代.
    assert emails(tree) == ["Taro.Farm@example.jp", "hanako@example.jp"]


def test_two_interest_conditions_mean_both_interests(audience):
    both = {
        "op": "and",
        "rules": [rule("interest", "就農"), rule("interest", "子育て")],
    }
    either = {
        "op": "or",
        "rules": [rule("interest", "就農"), rule("interest", "子育て")],
    }
    assert emails(both) == ["both@example.jp"]
    assert emails(either) == [
        "Taro.Farm@example.jp",
        "both@example.jp",
        "hanako@example.jp",
        "kanagawa@example.jp",
    ]


def test_nested_groups_and_custom_attributes(audience):
    tree = {
        "op": "and",
        "rules": [
            rule("prefecture", ["東京都", "神奈川県"], "in"),
            {
                "op": "or",
                "rules": [
                    rule("attr:move_when", "1年以内"),
                    rule("attr:household", 4, "gte"),
                ],
            },
        ],
    }
    assert emails(tree) == ["Taro.Farm@example.jp", "hanako@example.jp"]
    assert emails({"op": "and", "rules": [rule("interest", None, "empty")]}) == [
        "saitama@example.jp",
        "unknown@example.jp",
    ]


def test_counts_only_active_subscribers_and_empty_tree_is_everyone(audience):
    assert count_matching({"op": "and", "rules": []}) == 7
    assert count_matching({"op": "and", "rules": []}, active_only=False) == 8
    assert count_matching({"op": "and", "rules": [rule("age_band", "70s", "ne")]}) == 7


def test_describe_reads_as_japanese(audience):
    tree = {
        "op": "and",
        "rules": [
            rule("prefecture", "東京都"),
            rule("age_band", "30s"),
            {
                "op": "or",
                "rules": [rule("interest", "就農"), rule("attr:move_when", "1年以内")],
            },
        ],
    }
    assert describe(tree) == (
        "居住都道府県が東京都 かつ 年代が30代 かつ （関心が就農 または 移住希望時期が1年以内）"
    )
