"""Several attribute forms (属性フォーム) besides the standard one: each a named
set of custom attributes with its own signed link, asked for by keyword or menu
postback; a form tied to a segment (staff only) opens only for that segment.
Webhooks are signed like LINE's and replies go to the Messaging API stand-in
(tests/line/standin.py; the real API cannot be reached here)."""

import re
from urllib.parse import urlsplit

import pytest
from django.urls import reverse

from cms.line.attributes import make_token
from cms.line.models import AttributeForm, FriendSegment
from cms.mailing.models import AttributeDefinition, AttributeKind

from .conftest import make_friend, postback_event, text_event, user_id

pytestmark = pytest.mark.django_db


@pytest.fixture
def forms(channel):
    survey_q = AttributeDefinition.objects.create(
        key="satisfaction",
        label="移住フェアの満足度",
        kind=AttributeKind.CHOICE,
        choices="満足\nふつう\n不満",
    )
    AttributeDefinition.objects.create(key="job", label="職業")
    dept = AttributeDefinition.objects.create(key="dept", label="所属課")
    staff = FriendSegment.objects.create(
        channel=channel,
        name="職員",
        rules={
            "op": "and",
            "rules": [{"field": "is_tester", "lookup": "eq", "value": True}],
        },
    )
    survey = AttributeForm.objects.create(
        channel=channel, name="フェアのアンケート", keyword="アンケート"
    )
    survey.definitions.add(survey_q)
    staff_form = AttributeForm.objects.create(
        channel=channel, name="職員登録", keyword="職員登録", segment=staff
    )
    staff_form.definitions.add(dept)
    return survey, staff_form


def link_in(line_api) -> str:
    text = line_api.calls("reply")[-1].json["messages"][0]["text"]
    return urlsplit(re.search(r"https://\S+", text).group()).path


def test_keyword_sends_the_survey_link_with_only_its_items(
    client, channel, forms, post_webhook, line_api
):
    friend = make_friend(channel, 1, age_band="30s")
    post_webhook(channel, [text_event(user_id(1), "アンケート")])
    assert (
        "「フェアのアンケート」はこちらから"
        in (line_api.calls("reply")[-1].json["messages"][0]["text"])
    )
    page = client.get(link_in(line_api)).content.decode()
    assert "<h1>フェアのアンケート</h1>" in page
    assert "移住フェアの満足度" in page
    assert "職業" not in page and "年代" not in page  # only the form's items
    client.post(link_in(line_api), {"attr_satisfaction": "満足"})
    friend.refresh_from_db()
    assert friend.attributes == {"satisfaction": "満足"}
    assert friend.age_band == "30s"  # items outside the form are kept


def test_menu_postback_opens_a_form_too(channel, forms, post_webhook, line_api):
    survey, _ = forms
    make_friend(channel, 1)
    post_webhook(channel, [postback_event(user_id(1), f"action=form&form={survey.pk}")])
    assert "/line/attributes/" in link_in(line_api)


def test_staff_only_form_opens_only_for_the_segment(
    client, channel, forms, post_webhook, line_api
):
    _, staff_form = forms
    make_friend(channel, 1, is_tester=True)
    make_friend(channel, 2)
    post_webhook(channel, [text_event(user_id(2), "職員登録")])
    assert (
        (line_api.calls("reply")[-1].json["messages"][0]["text"])
        == "「職員登録」は今はご利用いただけません。"
    )
    # Even a signed link to it is refused for a friend outside the segment.
    outsider = f"/line/attributes/{make_token(channel, user_id(2), staff_form.pk)}/"
    assert client.get(outsider).status_code == 403
    post_webhook(channel, [text_event(user_id(1), "職員登録")])
    page = client.get(link_in(line_api))
    assert page.status_code == 200 and "所属課" in page.content.decode()


def test_closed_form_is_refused(client, channel, forms):
    survey, _ = forms
    survey.is_active = False
    survey.save()
    make_friend(channel, 1)
    url = f"/line/attributes/{make_token(channel, user_id(1), survey.pk)}/"
    assert client.get(url).status_code == 403


def test_standard_form_still_has_everything(client, channel, forms):
    make_friend(channel, 1)
    page = client.get(f"/line/attributes/{make_token(channel, user_id(1))}/")
    body = page.content.decode()
    assert "年代" in body and "移住フェアの満足度" in body and "所属課" in body


def test_form_admin_is_scoped_to_own_channel(login, channel, mito_channel, forms):
    pref = login("pref-admin").get(reverse("line_attribute_forms:index"))
    assert "フェアのアンケート" in pref.content.decode()
    mito = login("mito-editor")
    assert (
        "フェアのアンケート"
        not in mito.get(reverse("line_attribute_forms:index")).content.decode()
    )
    survey, _ = forms
    edit = mito.get(reverse("line_attribute_forms:edit", args=[survey.pk]))
    assert edit.status_code in (302, 403, 404)


def test_survey_results_are_counted_and_exported(login, channel, forms, mito_channel):
    from cms.line.models import FriendStatus

    survey, _ = forms
    make_friend(channel, 1, attributes={"satisfaction": "満足"})
    make_friend(channel, 2, attributes={"satisfaction": "満足"})
    make_friend(channel, 3, attributes={"satisfaction": "不満"})
    make_friend(
        channel, 4, attributes={"satisfaction": "不満"}, status=FriendStatus.BLOCKED
    )
    make_friend(channel, 5)
    client = login("pref-admin")
    page = client.get(reverse("line_form_results", args=[survey.pk])).content.decode()
    assert "移住フェアの満足度（回答 3人）" in page
    csv_text = client.get(
        reverse("line_form_results", args=[survey.pk]), {"download": "csv"}
    ).content.decode("utf-8-sig")
    assert "移住フェアの満足度,満足,2" in csv_text
    assert "移住フェアの満足度,ふつう,0" in csv_text
    assert "移住フェアの満足度,不満,1" in csv_text
    other = login("mito-editor").get(reverse("line_form_results", args=[survey.pk]))
    assert other.status_code in (302, 403)
