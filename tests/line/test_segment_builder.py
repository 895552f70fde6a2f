"""LINE friend segments are edited with the mail tool's rule builder (friend
fields, a NOT switch on groups, the live count of the chosen account's friends).
The count endpoint over HTTP (allow and deny) and the widget in Chromium."""

import json

import pytest
from django.urls import reverse

from cms.line.models import FriendSegment, FriendStatus
from cms.line.segments import friend_fields
from cms.mailing.wagtail_hooks import RuleBuilderWidget

from .conftest import make_friend

FEMALE = {
    "op": "and",
    "rules": [{"field": "gender", "lookup": "eq", "value": "female"}],
}


@pytest.fixture
def friends(channel):
    make_friend(channel, 1, gender="female")
    make_friend(channel, 2, gender="female", status=FriendStatus.BLOCKED)
    make_friend(channel, 3, gender="male")
    return channel


def count(client, rules, channel):
    return client.post(
        reverse("line_segment_count"),
        json.dumps({"rules": rules, "channel": channel.pk if channel else None}),
        content_type="application/json",
    )


@pytest.mark.django_db
def test_segment_form_uses_the_rule_builder_with_friend_fields(login, channel):
    client = login("pref-admin")
    body = client.get(reverse("line_segments:add")).content.decode()
    assert "data-rule-builder" in body
    assert "お子さまの年齢" in body and "友だち追加日" in body  # friend fields
    assert reverse("line_segment_count") in body
    # What the widget posts (its hidden input) is saved as the rule tree.
    response = client.post(
        reverse("line_segments:add"),
        {
            "channel": channel.pk,
            "name": "女性",
            "description": "",
            "rules": json.dumps(FEMALE),
        },
    )
    assert response.status_code == 302
    assert FriendSegment.objects.get(name="女性").rules == FEMALE


@pytest.mark.django_db
def test_live_count_counts_the_accounts_friends(login, friends):
    client = login("pref-admin")
    data = count(client, FEMALE, friends).json()
    assert (data["count"], data["all"]) == (1, 2)
    assert "性別" in data["description"]
    negated = count(client, {**FEMALE, "not": True}, friends).json()
    assert negated["count"] == 1  # the male friend
    broken = {"op": "and", "rules": [{"field": "nope", "lookup": "eq", "value": 1}]}
    assert (
        "項目「nope」はありません" in count(client, broken, friends).json()["errors"][0]
    )
    assert count(client, FEMALE, None).status_code == 400


@pytest.mark.django_db
def test_live_count_is_refused_for_another_municipalitys_channel(
    login, friends, mito_channel
):
    mito = login("mito-editor")
    # Wagtail turns PermissionDenied into a redirect to the dashboard.
    refused = count(mito, FEMALE, friends)
    assert refused.status_code in (302, 403) and b"count" not in refused.content
    assert count(mito, FEMALE, mito_channel).status_code == 200


@pytest.mark.django_db
def test_live_count_is_refused_without_line_access(login, friends):
    assert count(login("tsukuba-editor"), FEMALE, friends).status_code in (302, 403)


@pytest.mark.django_db
def test_rule_builder_builds_a_not_group_and_asks_the_line_count(desktop_page):
    widget = RuleBuilderWidget(
        fields=friend_fields,
        count_url="line_segment_count",
        count_text="該当する友だち: {count}人（ブロック中を含め {all}人）",
    ).render("rules", json.dumps({"op": "and", "rules": []}), {"id": "id_rules"})
    posted = []

    def answer(route):
        if route.request.url.endswith("/line/segment-count/"):
            posted.append(json.loads(route.request.post_data))
            route.fulfill(
                json={"count": 7, "all": 9, "description": "…"},
                content_type="application/json",
            )
        else:  # the admin page's address, so the widget's fetch has an origin
            route.fulfill(
                body="<!doctype html><title>x</title>", content_type="text/html"
            )

    desktop_page.route("http://portal.test/**", answer)
    desktop_page.goto("http://portal.test/admin/line/segments/add/")
    desktop_page.set_content(
        '<form><select name="channel"><option value="5" selected>県</option>'
        f"</select>{widget}</form>"
    )
    desktop_page.get_by_role("button", name="条件を追加").click()
    desktop_page.get_by_label("項目").select_option(label="性別")
    desktop_page.get_by_label("値").select_option("female")
    desktop_page.get_by_label("当てはまらない人（NOT）").check()
    desktop_page.get_by_text("該当する友だち: 7人（ブロック中を含め 9人）").wait_for()
    tree = json.loads(desktop_page.locator("#id_rules").input_value())
    assert tree == {
        "op": "and",
        "rules": [{"field": "gender", "lookup": "eq", "value": "female"}],
        "not": True,
    }
    for _ in range(30):  # the count is asked 300 ms after the last change
        if posted[-1]["rules"] == tree:
            break
        desktop_page.wait_for_timeout(100)
    assert posted[-1] == {"rules": tree, "channel": "5"}
