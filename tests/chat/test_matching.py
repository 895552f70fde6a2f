"""The matcher as pure functions: spelling variants reach the same answer, low
confidence gives suggestions instead of a wrong answer, synonyms, rebuilds."""

import pytest

from cms.chat.matching import AnalysisCache, Candidate, FaqEntry, FaqIndex, Weights
from cms.chat.models import TurnOutcome
from cms.chat.service import decide
from cms.chat.text import SynonymTable, analyse, compact, fold

ENTRIES = [
    FaqEntry(
        key="shienkin",
        question="移住支援金はいくらもらえますか",
        alternatives=("引っ越しの補助金の金額",),
        body="世帯で移住する場合は最大100万円、単身の場合は最大60万円です。",
    ),
    FaqEntry(
        key="akiya",
        question="空き家バンクとは何ですか",
        alternatives=("空き家の情報はどこで見られますか",),
        body="市町村が空き家の所有者から登録を受けて、住みたい方に紹介する仕組みです。",
    ),
    FaqEntry(
        key="otameshi",
        question="お試し居住の施設はありますか",
        body="家具や家電のついた住宅に、数日から数か月滞在できます。",
    ),
    FaqEntry(
        key="hoikuen",
        question="保育園に入れますか",
        body="待機児童のいない市町村も多くあります。",
    ),
    FaqEntry(
        key="kotsu",
        question="車は必要ですか",
        body="多くの地域では買い物や通院に車があると便利です。",
    ),
]


@pytest.fixture(scope="module")
def index():
    return FaqIndex(ENTRIES)


def test_folding_unifies_width_case_and_kana():
    assert fold("ｲｼﾞｭｳ") == fold("イジュウ") == fold("いじゅう") == "いじゅう"
    assert fold("ＵＩターン") == "uiたーん"
    assert compact("空き家 バンク！") == "空き家ばんく"


@pytest.mark.parametrize(
    "question",
    [
        "移住支援金はいくら",  # kanji
        "いじゅうしえんきんはいくら",  # hiragana only
        "イジュウシエンキン",  # katakana
        "ｲｼﾞｭｳｼｴﾝｷﾝ",  # half-width katakana
        "移住支援金はいくら？",  # full-width punctuation
        "移住支縁金はいくら",  # wrong kanji of the same sound (typo)
        "移住しえんきん いくら",  # mixed scripts with a space
    ],
)
def test_spelling_variants_reach_the_same_answer(index, question):
    assert index.rank(question)[0].key == "shienkin"


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("あきやばんく", "akiya"),
        ("ｱｷﾔﾊﾞﾝｸ", "akiya"),
        ("空家ばんくって何", "akiya"),  # 空家 normalised to 空き家 by the dictionary
        ("ほいくえん", "hoikuen"),
        ("くるまはひつよう？", "kotsu"),
    ],
)
def test_other_variants(index, question, expected):
    assert index.rank(question)[0].key == expected


def test_unrelated_question_has_low_confidence(index):
    top = index.rank("今日のプロ野球の結果を教えて")
    assert not top or top[0].confidence < 0.6


def test_matching_question_has_high_confidence(index):
    assert index.rank("空き家バンクについて知りたい")[0].confidence >= 0.6


def test_low_confidence_gives_suggestions_not_an_answer():
    candidates = [
        Candidate("a", 1.0, 0.45, "a"),
        Candidate("b", 0.9, 0.40, "b"),
        Candidate("c", 0.2, 0.05, "c"),
    ]
    decision = decide(candidates, threshold=0.6, count=3)
    assert decision.outcome == TurnOutcome.SUGGESTED
    assert decision.answer_key is None
    assert decision.suggestions == ["a", "b"]  # "c" is below the floor


def test_confident_answer_is_given_with_related_questions():
    candidates = [Candidate("a", 2.0, 0.9, "a"), Candidate("b", 1.5, 0.7, "b")]
    decision = decide(candidates, threshold=0.6, count=3)
    assert decision.outcome == TurnOutcome.ANSWERED
    assert decision.answer_key == "a"
    assert decision.suggestions == ["b"]


def test_nothing_plausible_is_no_match():
    assert decide([], 0.6, 3).outcome == TurnOutcome.NO_MATCH
    decision = decide([Candidate("a", 0.1, 0.1, "a")], 0.6, 3)
    assert decision.outcome == TurnOutcome.NO_MATCH
    assert decision.suggestions == []


def test_synonyms_map_variants_to_the_term():
    table = SynonymTable.build([("お試し居住", ["体験住宅"]), ("補助金", ["補助"])])
    assert table.apply("体験住宅はありますか") == "お試し居住はありますか"
    # A variant inside its own term leaves the term alone.
    assert table.apply("補助金の申請") == "補助金の申請"
    index = FaqIndex(ENTRIES, synonyms=table)
    assert index.rank("体験住宅に泊まりたい")[0].key == "otameshi"


def test_kana_only_question_is_recognised():
    assert analyse("いじゅうしえんきん").kana_only
    assert analyse("イジュウ").kana_only
    assert not analyse("移住支援金").kana_only


def test_rebuilding_reuses_analyses_of_unchanged_answers():
    cache = AnalysisCache()
    FaqIndex(ENTRIES, cache=cache)
    first = dict(cache.entries)
    changed = [
        *ENTRIES[:-1],
        FaqEntry("kotsu", "車がないと暮らせませんか", revision="2"),
    ]
    index = FaqIndex(changed, cache=cache)
    reused = [k for k in cache.entries if k in first]
    assert len(reused) == len(ENTRIES) - 1
    assert index.rank("車がないと暮らせない")[0].key == "kotsu"


def test_empty_knowledge_base_ranks_nothing():
    assert FaqIndex([]).rank("移住支援金") == []


def test_semantic_scores_are_fused_when_vectors_exist():
    import numpy as np

    index = FaqIndex(ENTRIES, weights=Weights(semantic=3.0))
    # A made-up 3-dimensional space where only "kotsu" points at the question.
    vectors = {e.key: np.array([1.0, 0.0, 0.0], dtype=np.float32) for e in ENTRIES}
    vectors["kotsu"] = np.array([0.0, 1.0, 0.0], dtype=np.float32)
    index.attach_vectors(vectors, 3)
    question_vector = np.array([0.0, 1.0, 0.0], dtype=np.float32)
    # Lexically nothing matches this question; the semantic layer finds "kotsu".
    assert (
        index.rank("マイカーがいる暮らし", query_vector=question_vector)[0].key
        == "kotsu"
    )
