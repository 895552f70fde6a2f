"""Surveys: who is asked, the answer form built from the questions, saving
answers, results per question and the CSV export. Targeting and counting are the
pure functions of ``rules``."""

import csv
import io

from django import forms
from django.db import IntegrityError, transaction
from django.utils import timezone

from cms.core.permissions import can_view_community_room
from cms.mailing.models import AgeBand

from . import members, rules
from .models import (
    QuestionKind,
    Relation,
    Survey,
    SurveyAnswer,
    SurveyQuestion,
    SurveyResponse,
)

RATING_CHOICES = [(str(n), f"{n}") for n in range(1, 6)]


def member_attributes(user) -> dict:
    profile = getattr(user, "community_profile", None)
    if profile is None:
        return {}
    values = members.attributes(profile)
    values["relation"] = profile.relation
    return values


def is_asked(survey: Survey, user) -> bool:
    if not user.is_authenticated or not survey.is_open():
        return False
    if survey.room is not None and not can_view_community_room(user, survey.room):
        return False
    return rules.survey_targets(
        survey.target_relations,
        survey.target_age_bands,
        survey.target_prefectures,
        member_attributes(user),
    )


def open_surveys_for(user, room=None) -> list[Survey]:
    """Open surveys ``user`` is asked and has not answered (of ``room``, if given)."""
    if not user.is_authenticated:
        return []
    now = timezone.now()
    surveys = Survey.objects.filter(is_published=True, opens_at__lte=now).exclude(
        closes_at__lte=now
    )
    if room is not None:
        surveys = surveys.filter(room=room)
    answered = set(
        SurveyResponse.objects.filter(member=user).values_list("survey", flat=True)
    )
    return [
        s
        for s in surveys.select_related("room")
        if s.pk not in answered and is_asked(s, user)
    ]


def answer_form(survey: Survey, data=None) -> forms.Form:
    """A form with one field per question, named ``q<id>``."""
    form = forms.Form(data)
    for question in survey.questions.all():
        name = f"q{question.pk}"
        common = {"label": question.text, "required": question.required}
        choices = [(c, c) for c in question.choice_list()]
        if question.kind == QuestionKind.SINGLE:
            field = forms.ChoiceField(
                choices=choices, widget=forms.RadioSelect, **common
            )
        elif question.kind == QuestionKind.MULTIPLE:
            field = forms.MultipleChoiceField(
                choices=choices, widget=forms.CheckboxSelectMultiple, **common
            )
        elif question.kind == QuestionKind.RATING:
            field = forms.ChoiceField(
                choices=RATING_CHOICES,
                widget=forms.RadioSelect,
                help_text="1（よくない）〜5（とてもよい）",
                **common,
            )
        else:
            field = forms.CharField(
                max_length=2000, widget=forms.Textarea(attrs={"rows": 3}), **common
            )
        form.fields[name] = field
    return form


class AlreadyAnswered(Exception):
    pass


@transaction.atomic
def save_answers(survey: Survey, user, cleaned: dict) -> SurveyResponse:
    try:
        with transaction.atomic():
            response = SurveyResponse.objects.create(survey=survey, member=user)
    except IntegrityError as error:
        raise AlreadyAnswered from error
    answers = []
    for question in survey.questions.all():
        value = cleaned.get(f"q{question.pk}")
        if isinstance(value, list):
            value = "\n".join(value)
        answers.append(
            SurveyAnswer(response=response, question=question, value=value or "")
        )
    SurveyAnswer.objects.bulk_create(answers)
    return response


def results(survey: Survey) -> list[dict]:
    """Per question: its kind, the tally (choices, ratings) or the free texts."""
    rows = []
    for question in survey.questions.all():
        values = list(
            SurveyAnswer.objects.filter(question=question)
            .exclude(value="")
            .values_list("value", flat=True)
        )
        item = {"question": question, "answers": len(values)}
        if question.kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
            item["tally"] = rules.tally_choices(question.choice_list(), values)
        elif question.kind == QuestionKind.RATING:
            summary = rules.rating_summary(values)
            item["tally"] = summary["counts"]
            item["average"] = summary["average"]
        else:
            item["texts"] = values
        rows.append(item)
    return rows


def export_csv(survey: Survey) -> str:
    """One row per response: when, the member's attributes (in words, as Excel
    users read them), one column per question (no names or addresses: the export
    is for counting, not for contacting)."""
    questions: list[SurveyQuestion] = list(survey.questions.all())
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(
        ["回答日時", "地域との関わり", "年代", "都道府県", *[q.text for q in questions]]
    )
    responses = (
        SurveyResponse.objects.filter(survey=survey)
        .select_related("member__community_profile__subscriber")
        .prefetch_related("answers")
        .order_by("submitted_at")
    )
    relations, age_bands = dict(Relation.choices), dict(AgeBand.choices)
    for response in responses:
        attributes = member_attributes(response.member)
        by_question = {a.question_id: a.value for a in response.answers.all()}
        relation, age_band = attributes.get("relation"), attributes.get("age_band")
        writer.writerow(
            [
                timezone.localtime(response.submitted_at).strftime("%Y-%m-%d %H:%M"),
                relations.get(relation, "") if relation else "",
                age_bands.get(age_band, "") if age_band else "",
                attributes.get("prefecture", ""),
                *[by_question.get(q.pk, "").replace("\n", " / ") for q in questions],
            ]
        )
    return "\ufeff" + buffer.getvalue()  # BOM: Excel opens UTF-8 correctly
