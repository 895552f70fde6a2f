"""The attribute form friends open from LINE, over real HTTP: a signed link for one
friend of one channel; expired and tampered links are refused."""

import time
from unittest import mock

import pytest

from cms.line.attributes import attribute_count, make_token
from cms.mailing.models import AttributeDefinition, AttributeKind, Interest

from .conftest import make_friend

pytestmark = pytest.mark.django_db


@pytest.fixture
def friend(channel):
    return make_friend(channel, 1, display_name="花子")


def url(token):
    return f"/line/attributes/{token}/"


def test_signed_link_opens_the_form_and_saves_attributes(client, friend, portal):
    kids, _ = Interest.objects.get_or_create(name="子育て")
    AttributeDefinition.objects.create(
        key="job", label="職業", kind=AttributeKind.CHOICE, choices="会社員\n自営業"
    )
    token = make_token(friend.channel, friend.user_id)
    page = client.get(url(token))
    assert page.status_code == 200
    body = page.content.decode()
    assert "お子さま1人目の生年月日" in body and "職業" in body
    response = client.post(
        url(token),
        {
            "age_band": "30s",
            "gender": "female",
            "birth_date": "1992-04-01",
            "residence": portal.mito.pk,
            "interests": [kids.pk],
            "child_1": "2021-06-01",
            "child_2": "2019-02-10",
            "attr_job": "自営業",
        },
    )
    assert "保存しました" in response.content.decode()
    friend.refresh_from_db()
    assert friend.age_band == "30s" and friend.residence == portal.mito
    assert friend.children_birth_dates == ["2019-02-10", "2021-06-01"]
    assert friend.attributes == {"job": "自営業"}
    assert list(friend.interests.all()) == [kids]
    assert friend.attributes_updated_at is not None


def test_future_birth_date_is_refused_with_a_message(client, friend):
    token = make_token(friend.channel, friend.user_id)
    response = client.post(url(token), {"child_1": "2999-01-01"})
    assert "未来の日付は入れられません" in response.content.decode()
    friend.refresh_from_db()
    assert friend.children_birth_dates == []


def test_expired_link_is_refused(client, friend):
    with mock.patch(
        "django.core.signing.time.time", return_value=time.time() - 8 * 86400
    ):
        token = make_token(friend.channel, friend.user_id)
    response = client.get(url(token))
    assert response.status_code == 403
    assert "有効期限が切れています" in response.content.decode()


def test_tampered_link_is_refused(client, friend):
    token = make_token(friend.channel, friend.user_id)
    tampered = token[:-3] + ("aaa" if not token.endswith("aaa") else "bbb")
    response = client.get(url(tampered))
    assert response.status_code == 403
    assert "正しくありません" in response.content.decode()
    other = make_token(friend.channel, "U" + "f" * 32)  # a valid link, no such friend
    assert client.get(url(other)).status_code == 404


def test_blocked_friend_cannot_use_an_old_link(client, friend):
    token = make_token(friend.channel, friend.user_id)
    friend.status = "blocked"
    friend.save()
    assert client.get(url(token)).status_code == 404


def test_at_least_25_attributes_with_the_demo_definitions(db):
    from cms.line.demo import ensure_attribute_definitions

    ensure_attribute_definitions()
    assert attribute_count() >= 25


def test_demo_loads_once_and_is_consistent(db, line_api):
    from cms.line import richmenus
    from cms.line.demo import load_line_demo
    from cms.line.models import LineChannel, LineMessage, RichMenu

    created = load_line_demo()
    assert created["LINEアカウント"] == 2 and created["リッチメニュー"] == 6
    assert load_line_demo()["LINEアカウント"] == 0  # idempotent
    channel = LineChannel.objects.get(slug="demo")
    for menu in RichMenu.objects.all():
        assert richmenus.validate_rich_menu(richmenus.menu_request(menu)) == []
        assert len(menu.areas) == 9  # 3 tabs + 6 icons
    assert LineMessage.objects.filter(channel=channel, status="scheduled").count() == 5
    survey = channel.attribute_forms.get(keyword="アンケート")
    assert survey.definitions.count() == 3 and created["属性フォーム"] == 1
