"""The demo knowledge base loads, is idempotent, and the matcher is good on the
demo evaluation set (a guard against regressions; the numbers are in bench/chat.py)."""

import pytest

from cms.chat.demo import EVAL_TSV, load_demo_faq
from cms.chat.evaluation import parse_eval_file
from cms.chat.models import FaqAnswer
from cms.chat.service import knowledge_base

pytestmark = pytest.mark.django_db


def test_demo_faq_has_over_300_answers_and_loads_once(portal):
    added = load_demo_faq()
    assert added >= 300
    assert FaqAnswer.objects.count() >= 300
    assert load_demo_faq() == 0
    mito = FaqAnswer.objects.get(key="madoguchi-mito")
    assert mito.municipality == portal.mito
    assert mito.desk == portal.mito.primary_desk()
    assert FaqAnswer.objects.get(key="shienkin-02").follow_ups.count() == 3


def test_demo_evaluation_set_is_large_and_varied():
    cases = parse_eval_file(EVAL_TSV.read_text(encoding="utf-8"))
    in_scope = [c for c in cases if c.expected != "-"]
    assert len(in_scope) >= 300
    kinds = {c.variation for c in in_scope}
    assert {
        "hiragana",
        "katakana",
        "halfwidth",
        "typo",
        "colloquial",
        "longwinded",
    } <= kinds


def test_matcher_quality_on_the_demo_set(portal):
    load_demo_faq()
    cases = [
        c
        for c in parse_eval_file(EVAL_TSV.read_text(encoding="utf-8"))
        if c.expected != "-"
    ]
    hit1 = hit5 = 0
    for case in cases:
        keys = [c.key for c in knowledge_base.rank(case.query, top=5)]
        hit1 += bool(keys) and keys[0] == case.expected
        hit5 += case.expected in keys
    assert hit1 / len(cases) >= 0.80
    assert hit5 / len(cases) >= 0.95
