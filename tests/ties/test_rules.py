"""The pure rules: tags, the matching score with its explanation (deterministic),
ranking, subsidy eligibility and amount, fiscal years."""

import datetime as dt

from cms.ties import rules
from cms.ties.rules import Profile, check_eligibility, match


def test_tags_are_split_on_japanese_and_ascii_commas_trimmed_and_unique():
    assert rules.parse_tags(" 農業、デザイン, 農業；写真\n") == [
        "農業",
        "デザイン",
        "写真",
    ]
    assert rules.parse_tags("") == []


def test_score_counts_weighted_overlaps_and_explains_them():
    member = Profile(
        skills=("農業", "写真"),
        interests=("食",),
        regions=("笠間市", "水戸市"),
        involvements=("volunteer",),
    )
    program = Profile(
        skills=("農業", "デザイン"),
        interests=("食", "子育て"),
        regions=("笠間市",),
        involvements=("volunteer", "side_job"),
    )
    found = match(member, program, {"volunteer": "ボランティア"})
    assert found.score == 3 + 2 + 2 + 1
    assert found.explanation == (
        "スキル: 農業 / 関心の地域: 笠間市 / 関心: 食 / 関わり方: ボランティア"
    )


def test_matching_is_case_insensitive_deterministic_and_zero_without_overlap():
    a = Profile(skills=("Python", "デザイン", "農業"))
    b = Profile(skills=("農業", "python", "デザイン"))
    first = match(a, b)
    assert first == match(a, b)
    assert first.score == 9
    # Items are listed sorted, whatever order they were entered in.
    assert (
        first.explanation
        == match(Profile(skills=("農業", "デザイン", "Python")), b).explanation
    )
    assert match(Profile(skills=("漁業",)), b).score == 0
    assert match(Profile(), Profile()).explanation == ""


def test_rank_puts_best_first_and_keeps_input_order_on_ties():
    member = Profile(skills=("農業",), regions=("水戸市",))
    programs = {
        "a": Profile(skills=("農業",)),
        "b": Profile(regions=("水戸市",)),
        "c": Profile(skills=("農業",), regions=("水戸市",)),
        "d": Profile(skills=("漁業",)),
        "e": Profile(skills=("農業",)),
    }
    ranked = rules.rank(list(programs), programs.__getitem__, member)
    assert [name for name, _ in ranked] == ["c", "a", "e", "b"]


ELIGIBLE = {
    "home_prefecture": "東京都",
    "host_prefecture": "茨城県",
    "member_active": True,
    "has_program": True,
    "cost_yen": 7_390,
    "used_this_year": 0,
    "per_year": 2,
    "rate": 0.5,
    "cap_yen": 20_000,
}


def test_eligible_trip_gets_half_the_fare_rounded_down_to_100_yen():
    result = check_eligibility(**ELIGIBLE)
    assert result.eligible and result.amount_yen == 3_600
    assert result.reasons == ("補助額の見込み: 3,600円",)
    assert check_eligibility(**{**ELIGIBLE, "cost_yen": 90_000}).amount_yen == 20_000


def test_ineligible_trips_say_why():
    result = check_eligibility(
        **{
            **ELIGIBLE,
            "home_prefecture": "茨城県",
            "has_program": False,
            "used_this_year": 2,
        }
    )
    assert not result.eligible
    assert result.reasons == (
        "茨城県外にお住まいの方が対象です。",
        "受入決定または参加済みのプログラムのための来県が対象です。",
        "補助は1年度に2回までです。",
    )
    assert (
        "関係人口登録（活動中）の方が対象です。"
        in check_eligibility(**{**ELIGIBLE, "member_active": False}).reasons
    )


def test_fiscal_year_starts_in_april():
    assert rules.fiscal_year_start(dt.date(2027, 3, 31)) == dt.date(2026, 4, 1)
    assert rules.fiscal_year_start(dt.date(2026, 4, 1)) == dt.date(2026, 4, 1)
    assert rules.progress(25, 50) == 50 and rules.progress(3, 0) == 0
