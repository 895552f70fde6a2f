"""The community's pure rules: NG-word folding, mentions, the 炎上 threshold,
reply depth, engagement ranking, KPI progress and the pager."""

from cms.community import rules


def test_ng_words_match_across_width_case_and_kana():
    words = ["ばか", "SPAM"]
    assert rules.find_ng_words("ﾊﾞｶじゃないの", words) == ["ばか"]
    assert rules.find_ng_words("バ カ", words) == ["ばか"]
    assert rules.find_ng_words("ｓｐａｍです", words) == ["SPAM"]
    assert rules.find_ng_words("ばかりの毎日", ["ばか"]) == [
        "ばか"
    ]  # substring, by design
    assert rules.find_ng_words("楽しい移住", words) == []


def test_mentions_are_found_once_in_order_and_not_in_addresses():
    text = "@hanako さん、@taro さん、また @hanako さん。mail: a@example.jp"
    assert rules.mentioned_nicknames(text) == ["hanako", "taro"]
    assert rules.mentioned_nicknames("＠全角は対象外") == []


def test_replies_are_one_level_deep():
    assert rules.reply_parent_allowed(None)
    assert not rules.reply_parent_allowed(42)


def test_flame_cause_prefers_reports_and_respects_thresholds():
    limits = rules.AlertThresholds(reports=3, comments=20, window_minutes=60)
    assert rules.flame_cause(2, 19, limits) is None
    assert rules.flame_cause(3, 0, limits) == "60分間に通報が3件"
    assert rules.flame_cause(0, 25, limits) == "60分間にコメントが25件"
    assert rules.flame_cause(5, 25, limits).startswith("60分間に通報")


def test_engagement_ranks_participants_over_comments_over_stamps():
    many_people = rules.engagement_score(reactions=0, comments=4, participants=4)
    many_stamps = rules.engagement_score(reactions=30, comments=0, participants=0)
    assert many_people > many_stamps - 1
    assert rules.engagement_reason(2, 3, 4) == "4人が参加、コメント3件、リアクション2件"


def test_kpi_progress_and_yearly_pace():
    kpi = rules.KpiProgress("メンバー数", 250, 500)
    assert kpi.percent == 50 and not kpi.met
    assert rules.KpiProgress("x", 600, 500).met
    assert rules.yearly_pace(15, 30) == 182
    assert rules.yearly_pace(5, 0) == 0


def test_the_fiscal_year_runs_from_april_to_march():
    assert rules.fiscal_year_start(2025, 4) == (2025, 4)
    assert rules.fiscal_year_start(2025, 12) == (2025, 4)
    assert rules.fiscal_year_start(2026, 3) == (2025, 4)


def test_pager_shows_first_last_and_neighbours_with_gaps():
    assert rules.page_range(1, 1) == [1]
    assert rules.page_range(5, 10) == [1, None, 3, 4, 5, 6, 7, None, 10]
    assert rules.page_range(2, 4) == [1, 2, 3, 4]
