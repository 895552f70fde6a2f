"""Builders for the chatbot tests. The semantic layer is off unless a test turns
it on, so the lexical path is tested on its own and quickly."""

import pytest
from django.core.cache import cache

from cms.chat.models import FaqAnswer, FaqCategory
from cms.chat.service import text_to_rich_text


@pytest.fixture(autouse=True)
def lexical_only(settings):
    settings.PORTAL_CHAT_EMBEDDINGS = "off"
    cache.clear()  # rate-limit counters and cached question vectors
    yield
    cache.clear()


def make_answer(key, question, body="回答です。", alternatives=(), **fields):
    category_name = fields.pop("category", "一般")
    category, _ = FaqCategory.objects.get_or_create(name=category_name)
    return FaqAnswer.objects.create(
        key=key,
        question=question,
        alternatives="\n".join(alternatives),
        body=text_to_rich_text(body),
        category=category,
        **fields,
    )


@pytest.fixture
def faq(db):
    """A small knowledge base."""
    return {
        "shienkin": make_answer(
            "shienkin",
            "移住支援金はいくらもらえますか",
            "世帯で移住する場合は最大100万円、単身の場合は最大60万円です。",
            ["引っ越しの補助金の金額"],
            category="移住支援金",
        ),
        "akiya": make_answer(
            "akiya",
            "空き家バンクとは何ですか",
            "市町村が空き家の情報を紹介する仕組みです。",
            ["空き家の情報はどこで見られますか"],
            category="住まい",
            link_url="/towns/",
        ),
        "otameshi": make_answer(
            "otameshi",
            "お試し居住の施設はありますか",
            "家具や家電のついた住宅に滞在できます。",
            category="住まい",
        ),
        "hoikuen": make_answer(
            "hoikuen",
            "保育園に入れますか",
            "待機児童のいない市町村も多くあります。",
            category="子育て",
        ),
    }


def ask(client, message="", **payload):
    return client.post(
        "/api/chat/", {"message": message, **payload}, content_type="application/json"
    )
