"""Surveys: staff build one in the admin (questions of every kind, targets), the
members it targets see and answer it once, others do not; results with counts and
charts, CSV export; only staff see results."""

import pytest
from django.utils import timezone

from cms.community import surveys
from cms.community.models import (
    MemberProfile,
    QuestionKind,
    Relation,
    Survey,
    SurveyQuestion,
    SurveyResponse,
)
from cms.mailing.models import Subscriber, SubscriberStatus

from .conftest import client_for, make_member

pytestmark = pytest.mark.django_db


@pytest.fixture
def survey(community):
    survey = Survey.objects.create(
        title="移住後の暮らしアンケート",
        room=community.lounge,
        target_relations=[Relation.MOVED],
        is_published=True,
        opens_at=timezone.now(),
    )
    SurveyQuestion.objects.create(
        survey=survey,
        text="移住して良かったこと",
        kind=QuestionKind.MULTIPLE,
        choices="自然\n子育て\n仕事",
        sort_order=0,
    )
    SurveyQuestion.objects.create(
        survey=survey, text="満足度", kind=QuestionKind.RATING, sort_order=1
    )
    SurveyQuestion.objects.create(
        survey=survey,
        text="ひとこと",
        kind=QuestionKind.TEXT,
        required=False,
        sort_order=2,
    )
    return survey


def questions(survey):
    return list(survey.questions.order_by("sort_order"))


def test_staff_build_a_survey_in_the_admin(community):
    staff = client_for(community.staff)
    response = staff.post(
        "/admin/community_surveys/new/",
        {
            "title": "移住相談会の感想",
            "description": "",
            "room": community.lounge.pk,
            "target_relations": ["considering"],
            "target_age_bands": ["30s", "40s"],
            "opens_at": "2026-01-01 09:00",
            "is_published": "on",
            "questions-TOTAL_FORMS": "2",
            "questions-INITIAL_FORMS": "0",
            "questions-MIN_NUM_FORMS": "1",
            "questions-MAX_NUM_FORMS": "1000",
            "questions-0-text": "参加したきっかけ",
            "questions-0-kind": "single",
            "questions-0-choices": "SNS\nメール\n友人",
            "questions-0-required": "on",
            "questions-0-ORDER": "1",
            "questions-1-text": "満足度",
            "questions-1-kind": "rating",
            "questions-1-choices": "",
            "questions-1-required": "on",
            "questions-1-ORDER": "2",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    survey = Survey.objects.get(title="移住相談会の感想")
    assert survey.target_relations == ["considering"]
    assert survey.target_age_bands == ["30s", "40s"]
    assert [q.text for q in survey.questions.all()] == ["参加したきっかけ", "満足度"]
    # Community managers do not build surveys.
    manager = client_for(community.manager)
    assert manager.get("/admin/community_surveys/").status_code in (302, 403)


def test_targeted_members_answer_once_and_others_are_not_asked(community, survey):
    q_good, q_rating, q_text = questions(survey)
    taro = client_for(community.taro)  # moved here: targeted
    hanako = client_for(community.hanako)  # considering: not targeted
    assert (
        "移住後の暮らしアンケート" in taro.get("/community/r/lounge/").content.decode()
    )
    assert (
        "移住後の暮らしアンケート"
        not in hanako.get("/community/r/lounge/").content.decode()
    )
    assert hanako.get(f"/community/surveys/{survey.pk}/").status_code == 404

    missing = taro.post(f"/community/surveys/{survey.pk}/", {f"q{q_good.pk}": ["自然"]})
    assert "入力内容を確認してください" in missing.content.decode()
    answer = {
        f"q{q_good.pk}": ["自然", "子育て"],
        f"q{q_rating.pk}": "4",
        f"q{q_text.pk}": "冬は寒いけど満足",
    }
    done = taro.post(f"/community/surveys/{survey.pk}/", answer)
    assert "回答ありがとうございました" in done.content.decode()
    again = taro.post(f"/community/surveys/{survey.pk}/", answer)
    assert "回答済み" in again.content.decode()
    assert SurveyResponse.objects.filter(survey=survey).count() == 1
    assert (
        "移住後の暮らしアンケート"
        not in taro.get("/community/surveys/").content.decode()
    )


def test_results_count_choices_and_ratings_and_export_csv(community, survey):
    q_good, q_rating, q_text = questions(survey)
    for n, (good, rating) in enumerate([(["自然"], "5"), (["自然", "仕事"], "3")]):
        member = make_member(f"moved{n}", relation=Relation.MOVED, age_band="40s")
        form = surveys.answer_form(
            survey,
            {f"q{q_good.pk}": good, f"q{q_rating.pk}": rating, f"q{q_text.pk}": "満足"},
        )
        assert form.is_valid(), form.errors
        surveys.save_answers(survey, member, form.cleaned_data)
    good, rating, text = surveys.results(survey)
    assert good["tally"] == [("自然", 2), ("子育て", 0), ("仕事", 1)]
    assert rating["average"] == 4.0
    assert text["texts"] == ["満足", "満足"]

    staff = client_for(community.staff)
    page = staff.get(f"/admin/community_survey_results/{survey.pk}/")
    html = page.content.decode()
    assert page.status_code == 200
    assert (
        "回答 2件" in html and "data:image/png;base64," in html and "平均 4.0" in html
    )
    export = staff.get(f"/admin/community_survey_results/{survey.pk}/?format=csv")
    assert export["Content-Type"].startswith("text/csv")
    lines = export.content.decode("utf-8-sig").splitlines()
    assert (
        lines[0]
        == "回答日時,地域との関わり,年代,都道府県,移住して良かったこと,満足度,ひとこと"
    )
    assert lines[2].endswith(",移住した,40代,,自然 / 仕事,3,満足")
    manager = client_for(community.manager)
    assert manager.get(f"/admin/community_survey_results/{survey.pk}/").status_code in (
        302,
        403,
    )


def test_age_band_and_residence_target_members_even_when_kept_on_the_mail_list(
    community,
):
    """Targets combine: 30代 living in 東京都. A member whose attributes live on
    their mail subscription is targeted by those (shared, not copied)."""
    survey = Survey.objects.create(
        title="東京の30代に聞きます",
        target_age_bands=["30s"],
        target_prefectures=["東京都"],
        is_published=True,
        opens_at=timezone.now(),
    )
    SurveyQuestion.objects.create(
        survey=survey, text="満足度", kind=QuestionKind.RATING, sort_order=0
    )
    asked = make_member("tokyo30", age_band="30s", prefecture="東京都")
    wrong_age = make_member("tokyo50", age_band="50s", prefecture="東京都")
    wrong_place = make_member("osaka30", age_band="30s", prefecture="大阪府")
    via_mail = make_member("mail30")
    profile = MemberProfile.objects.get(user=via_mail)
    profile.subscriber = Subscriber.objects.create(
        email="mail30@example.jp",
        status=SubscriberStatus.ACTIVE,
        age_band="30s",
        prefecture="東京都",
    )
    profile.save()

    def sees(user) -> bool:
        page = client_for(user).get("/community/surveys/").content.decode()
        return "東京の30代に聞きます" in page

    assert sees(asked) and sees(via_mail)
    assert not sees(wrong_age) and not sees(wrong_place)
    assert (
        client_for(wrong_place).get(f"/community/surveys/{survey.pk}/").status_code
        == 404
    )
    done = client_for(via_mail).post(
        f"/community/surveys/{survey.pk}/",
        {f"q{survey.questions.get().pk}": "5"},
    )
    assert "回答ありがとうございました" in done.content.decode()
    export = client_for(community.staff).get(
        f"/admin/community_survey_results/{survey.pk}/?format=csv"
    )
    assert (
        export.content.decode("utf-8-sig")
        .splitlines()[1]
        .endswith(",移住を検討中,30代,東京都,5")
    )
