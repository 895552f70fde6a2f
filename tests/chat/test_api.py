"""/api/chat/ over HTTP: answers, suggestions, limits, sanitising and the log."""

import pytest

from cms.chat.models import ChatSettings, ChatTurn, Conversation, FaqAnswer

from .conftest import ask, make_answer

pytestmark = pytest.mark.django_db


def test_question_is_answered_with_the_prepared_answer(client, faq):
    response = ask(client, "移住支援金はいくら？")
    assert response.status_code == 200
    data = response.json()
    assert data["outcome"] == "answered"
    assert data["answer"]["id"] == "shienkin"
    assert "100万円" in data["answer"]["html"]
    assert len(data["session_id"]) >= 16


@pytest.mark.parametrize(
    "question",
    ["いじゅうしえんきんはいくら", "ｲｼﾞｭｳｼｴﾝｷﾝ", "イジュウシエンキン", "移住支縁金"],
)
def test_spelling_variants_get_the_same_answer_over_http(client, faq, question):
    data = ask(client, question).json()
    assert data["answer"] and data["answer"]["id"] == "shienkin"


def test_unsure_question_gets_suggestions_and_the_desk_not_a_guess(client, faq, portal):
    from wagtail.models import Site

    from cms.core.models import ConsultationDesk, PortalSettings

    desk = ConsultationDesk.objects.create(
        name="県の移住相談窓口", phone="029-111-2222"
    )
    settings = PortalSettings.for_site(Site.objects.get(is_default_site=True))
    settings.default_desk = desk
    settings.save()
    data = ask(client, "住むところ").json()
    assert data["outcome"] in ("suggested", "no_match")
    assert data["answer"] is None
    assert data["desk"]["phone"] == "029-111-2222"
    assert data["faq_url"]


def test_question_outside_the_knowledge_base_is_not_answered(client, faq):
    data = ask(client, "おすすめのラーメン屋を教えて").json()
    assert data["answer"] is None


def test_choosing_a_suggestion_shows_that_answer(client, faq):
    data = ask(client, answer_id="otameshi").json()
    assert data["outcome"] == "selected"
    assert data["answer"]["id"] == "otameshi"


def test_follow_ups_are_offered_after_an_answer(client, faq):
    faq["shienkin"].follow_ups.set([faq["akiya"], faq["otameshi"]])
    data = ask(client, "移住支援金はいくら").json()
    assert {f["id"] for f in data["follow_ups"]} == {"akiya", "otameshi"}


def test_answer_html_is_sanitised(client, db):
    answer = make_answer("xss", "危ない回答のテストです", "x")
    FaqAnswer.objects.filter(pk=answer.pk).update(
        body='<p onclick="steal()">詳しくは<a href="javascript:alert(1)">ここ</a>'
        '<script>alert(1)</script><a href="https://example.jp/">窓口</a></p>'
    )
    from cms.chat.models import KnowledgeBaseState

    KnowledgeBaseState.bump()
    html = ask(client, "危ない回答のテストです").json()["answer"]["html"]
    assert "<script" not in html and "onclick" not in html and "javascript:" not in html
    assert 'href="https://example.jp/"' in html
    assert "noopener" in html


def test_too_long_question_is_refused_with_a_message(client, faq):
    response = ask(client, "あ" * 201)
    assert response.status_code == 400
    assert "200文字以内" in response.json()["detail"]
    assert ChatTurn.objects.count() == 0


def test_empty_question_is_refused(client, faq):
    assert ask(client, "   ").status_code == 400


@pytest.fixture
def one_window(monkeypatch):
    """The limits count per fixed minute: keep the clock still, so a slow run does
    not cross into the next minute and start counting again."""
    import time
    from types import SimpleNamespace

    still = time.time()
    monkeypatch.setattr("cms.core.ratelimit.time", SimpleNamespace(time=lambda: still))


def test_rate_limit_per_session(client, faq, one_window):
    session = ask(client, "保育園").json()["session_id"]
    statuses = [
        ask(client, "保育園", session_id=session).status_code for _ in range(25)
    ]
    assert statuses.count(429) >= 1
    response = ask(client, "保育園", session_id=session)
    assert response.status_code == 429
    assert int(response["Retry-After"]) >= 1
    assert "待って" in response.json()["detail"]


def test_rate_limit_per_ip_across_sessions(client, faq, one_window):
    statuses = [ask(client, "保育園").status_code for _ in range(65)]
    assert statuses[:60] == [200] * 60
    assert 429 in statuses[60:]


def test_every_turn_is_logged(client, faq):
    first = ask(client, "移住支援金はいくら").json()
    ask(client, "住むところ", session_id=first["session_id"])
    conversation = Conversation.objects.get(session_id=first["session_id"])
    turns = list(conversation.turns.order_by("created_at"))
    assert [t.query for t in turns] == ["移住支援金はいくら", "住むところ"]
    assert turns[0].outcome == "answered"
    assert turns[0].answer_key == "shienkin"
    assert turns[0].confidence > 0
    assert turns[1].outcome in ("suggested", "no_match")


def test_feedback_is_recorded_on_the_turn(client, faq):
    data = ask(client, "移住支援金はいくら").json()
    response = client.post(
        "/api/chat/feedback",
        {
            "session_id": data["session_id"],
            "turn_id": data["turn_id"],
            "helpful": False,
        },
        content_type="application/json",
    )
    assert response.status_code == 200
    assert ChatTurn.objects.get(pk=data["turn_id"]).feedback == -1


def test_feedback_for_another_session_is_refused(client, faq):
    data = ask(client, "移住支援金はいくら").json()
    response = client.post(
        "/api/chat/feedback",
        {"session_id": "x" * 24, "turn_id": data["turn_id"], "helpful": True},
        content_type="application/json",
    )
    assert response.status_code == 404
    assert ChatTurn.objects.get(pk=data["turn_id"]).feedback is None


def test_attributes_are_kept_only_with_consent(client, faq):
    session = ask(client, "保育園").json()["session_id"]
    payload = {"session_id": session, "age_band": "30s", "household": "children"}
    refused = client.post(
        "/api/chat/attributes",
        {**payload, "consent": False},
        content_type="application/json",
    )
    assert refused.status_code == 400
    assert Conversation.objects.get(session_id=session).age_band == ""
    accepted = client.post(
        "/api/chat/attributes",
        {**payload, "consent": True},
        content_type="application/json",
    )
    assert accepted.status_code == 200
    conversation = Conversation.objects.get(session_id=session)
    assert (conversation.age_band, conversation.household) == ("30s", "children")
    assert conversation.consented_at is not None


def test_unknown_attribute_value_is_refused(client, faq):
    session = ask(client, "保育園").json()["session_id"]
    response = client.post(
        "/api/chat/attributes",
        {"session_id": session, "consent": True, "age_band": "99s"},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "年代" in response.json()["detail"]


def test_config_offers_category_buttons_and_attribute_questions(client, faq):
    data = client.get("/api/chat/config").json()
    assert {c["label"] for c in data["categories"]} == {
        "移住支援金",
        "住まい",
        "子育て",
    }
    assert data["greeting"]
    assert [q["name"] for q in data["attribute_questions"]] == [
        "age_band",
        "current_area",
        "household",
        "move_timing",
    ]
    category = next(c for c in data["categories"] if c["label"] == "住まい")
    listing = client.get(f"/api/chat/categories/{category['id']}").json()
    assert {q["id"] for q in listing["questions"]} == {"akiya", "otameshi"}


def test_attribute_questions_can_be_switched_off(client, faq):
    settings = ChatSettings.load()
    settings.ask_attributes = False
    settings.save()
    assert client.get("/api/chat/config").json()["attribute_questions"] == []


def test_inactive_answer_is_never_shown(client, faq):
    faq["shienkin"].active = False
    faq["shienkin"].save()
    data = ask(client, "移住支援金はいくら").json()
    assert not data["answer"] or data["answer"]["id"] != "shienkin"
    assert ask(client, answer_id="shienkin").status_code == 404


def test_openapi_documents_the_chat_endpoints(client):
    paths = client.get("/api/openapi.json").json()["paths"]
    assert "/api/chat/" in paths
    assert "/api/chat/feedback" in paths
