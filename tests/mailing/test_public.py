"""The public side over HTTP: one-click unsubscribe (RFC 8058), the confirmation
page a GET shows, double opt-in sign-up with a real confirmation mail, the
preference page, and open/click tracking."""

import re

import pytest
from django.core import signing

from cms.mailing import sending, tokens
from cms.mailing.models import (
    Campaign,
    CampaignLink,
    CampaignStatus,
    Delivery,
    Interest,
    Subscriber,
    SubscriberStatus,
)


def sent_campaign(campaign, smtp_server):
    campaign.status = CampaignStatus.SENDING
    campaign.save(update_fields=["status"])
    assert sending.send_campaign(campaign.pk).finished
    return {str(m["To"]): m for m in smtp_server.parsed()}


def unsubscribe_path(message):
    url = re.search(r"<(https://[^>]+)>", str(message["List-Unsubscribe"])).group(1)
    return url.removeprefix("https://iju.example.jp")


def test_one_click_post_unsubscribes_and_answers_200_without_redirect(
    campaign, smtp_server, client
):
    messages = sent_campaign(campaign, smtp_server)
    path = unsubscribe_path(messages["hanako@example.jp"])

    response = client.post(
        path,
        data="List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )

    assert response.status_code == 200
    assert "Location" not in response
    hanako = Subscriber.objects.get(email="hanako@example.jp")
    assert hanako.status == SubscriberStatus.UNSUBSCRIBED
    assert hanako.unsubscribe_reason == "ワンクリック配信停止"
    delivery = Delivery.objects.get(campaign=campaign, subscriber=hanako)
    assert delivery.unsubscribed_at is not None
    # A second POST (the client retrying) is still a plain 200.
    assert client.post(path, {"List-Unsubscribe": "One-Click"}).status_code == 200


def test_get_on_unsubscribe_link_only_shows_the_page(campaign, smtp_server, client):
    """Link scanners fetch every URL in a message; a GET must unsubscribe no one."""
    messages = sent_campaign(campaign, smtp_server)
    path = unsubscribe_path(messages["hanako@example.jp"])

    response = client.get(path)

    assert response.status_code == 200
    assert "配信を停止する" in response.content.decode()
    assert Subscriber.objects.get(email="hanako@example.jp").status == "active"
    # The visible link in the body leads to the same page.
    html = messages["hanako@example.jp"].get_body(("html",)).get_content()
    assert f'href="https://iju.example.jp{path}"' in html


def test_unsubscribe_page_button_unsubscribes(campaign, smtp_server, client):
    messages = sent_campaign(campaign, smtp_server)
    response = client.post(
        unsubscribe_path(messages["both@example.jp"]), {"List-Unsubscribe": "Page"}
    )
    assert response.status_code == 200
    assert "配信を停止しました" in response.content.decode()
    assert (
        Subscriber.objects.get(email="both@example.jp").unsubscribe_reason
        == "配信停止ページ"
    )


def test_tampered_or_expired_unsubscribe_token_is_refused(audience, client, settings):
    hanako = audience["tokyo30kids"]
    good = tokens.subscriber_token(hanako.pk)
    assert client.post(f"/mail/unsubscribe/{good}x/").status_code == 400
    settings.MAILING = {**settings.MAILING, "UNSUBSCRIBE_TOKEN_DAYS": -1}
    assert client.post(f"/mail/unsubscribe/{good}/").status_code == 400
    assert Subscriber.objects.get(pk=hanako.pk).status == "active"


def test_sign_up_sends_confirmation_and_only_a_post_confirms(
    db, client, smtp_server, django_capture_on_commit_callbacks
):
    Interest.objects.create(name="就農")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/api/mail/subscribe",
            {
                "email": "New.Person@Example.JP",
                "consent": True,
                "name": "新規 登録",
                "prefecture": "東京都",
                "age_band": "30s",
                "interests": ["就農"],
            },
            content_type="application/json",
            REMOTE_ADDR="203.0.113.7",
            HTTP_USER_AGENT="Mozilla/5.0 test",
        )
    assert response.status_code == 202, response.content
    subscriber = Subscriber.objects.get(email__iexact="new.person@example.jp")
    assert subscriber.status == SubscriberStatus.PENDING
    assert subscriber.consent_ip == "203.0.113.7"
    assert [str(m["To"]) for m in smtp_server.parsed()] == ["New.Person@example.jp"]
    body = smtp_server.parsed()[0].get_body(("plain",)).get_content()
    link = re.search(r"https://iju\.example\.jp(/mail/confirm/\S+/)", body).group(1)

    assert client.get(link).status_code == 200
    assert Subscriber.objects.get(pk=subscriber.pk).status == SubscriberStatus.PENDING

    assert client.post(link).status_code == 200
    subscriber.refresh_from_db()
    assert subscriber.status == SubscriberStatus.ACTIVE
    assert subscriber.consent_method == "web" and subscriber.consent_at is not None
    assert list(subscriber.interests.values_list("name", flat=True)) == ["就農"]


def test_sign_up_refuses_missing_consent_and_bad_address(db, client):
    response = client.post(
        "/api/mail/subscribe",
        {"email": "not-an-address", "consent": False},
        content_type="application/json",
    )
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert errors["consent"] == ["受け取りへの同意が必要です。"]
    assert "email" in errors
    assert not Subscriber.objects.exists()


def test_sign_up_is_rate_limited(db, client, settings):
    settings.MAILING = {**settings.MAILING, "SIGNUP_RATE_LIMIT": (2, 3600)}
    payload = {"email": "a@example.jp", "consent": True}
    codes = [
        client.post(
            "/api/mail/subscribe", payload, content_type="application/json"
        ).status_code
        for _ in range(3)
    ]
    assert codes == [202, 202, 429]


def test_confirmation_link_expires(db, client, settings):
    subscriber = Subscriber.objects.create(email="late@example.jp", status="pending")
    token = tokens.confirm_token(subscriber.pk, subscriber.email)
    settings.MAILING = {**settings.MAILING, "CONFIRM_TOKEN_HOURS": -1}
    assert client.post(f"/mail/confirm/{token}/").status_code == 400
    assert Subscriber.objects.get(pk=subscriber.pk).status == "pending"


def test_active_subscriber_signing_up_again_gets_the_same_answer(audience, client):
    response = client.post(
        "/api/mail/subscribe",
        {"email": "hanako@example.jp", "consent": True},
        content_type="application/json",
    )
    assert response.status_code == 202
    assert Subscriber.objects.get(email="hanako@example.jp").status == "active"


def test_html_sign_up_form(db, client, smtp_server, django_capture_on_commit_callbacks):
    assert "メール配信の登録" in client.get("/mail/subscribe/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/mail/subscribe/", {"email": "form@example.jp", "consent": "on"}
        )
    assert "確認メールを送りました" in response.content.decode()
    assert len(smtp_server.messages) == 1


def test_preferences_page_changes_attributes(audience, client):
    Interest.objects.get_or_create(name="起業")
    hanako = audience["tokyo30kids"]
    token = tokens.subscriber_token(hanako.pk)
    page = client.get(f"/mail/preferences/{token}/")
    assert page.status_code == 200 and "hanako@example.jp" in page.content.decode()
    response = client.post(
        f"/mail/preferences/{token}/",
        {
            "name": "子育て 花子",
            "prefecture": "神奈川県",
            "interests": ["起業"],
            "birth_year": "",
        },
    )
    assert "登録内容を保存しました" in response.content.decode()
    hanako.refresh_from_db()
    assert hanako.prefecture == "神奈川県"
    assert list(hanako.interests.values_list("name", flat=True)) == ["起業"]


def test_open_pixel_and_click_redirect_are_counted(campaign, smtp_server, client):
    messages = sent_campaign(campaign, smtp_server)
    html = messages["hanako@example.jp"].get_body(("html",)).get_content()
    pixel = re.search(r'src="https://iju\.example\.jp(/mail/o/[^"]+)"', html).group(1)
    clicks = re.findall(r'href="https://iju\.example\.jp(/mail/c/[^"]+)"', html)
    assert len(clicks) == 2

    for _ in range(2):
        response = client.get(pixel)
        assert response.status_code == 200 and response["Content-Type"] == "image/gif"
    response = client.get(clicks[0])
    assert response.status_code == 302
    assert response["Location"] == "https://iju.example.jp/events/42/?utm_source=mail"
    client.get(clicks[0])

    delivery = Delivery.objects.get(campaign=campaign, email="hanako@example.jp")
    assert (delivery.open_count, delivery.click_count) == (2, 2)
    assert delivery.opened_at and delivery.clicked_at
    link = CampaignLink.objects.get(
        url="https://iju.example.jp/events/42/?utm_source=mail"
    )
    assert link.clicks.count() == 2


def test_click_tokens_cannot_be_forged_or_pointed_elsewhere(
    campaign, smtp_server, client
):
    sent_campaign(campaign, smtp_server)
    delivery = Delivery.objects.filter(campaign=campaign).first()
    other = Campaign.objects.create(name="別", subject="別")
    foreign = CampaignLink.objects.create(
        campaign=other, url="https://evil.example.com/"
    )
    assert (
        client.get(
            f"/mail/c/{tokens.click_token(delivery.pk, foreign.pk)}/"
        ).status_code
        == 404
    )
    forged = signing.Signer(salt="wrong").sign(f"{delivery.pk}.1")
    assert client.get(f"/mail/c/{forged}/").status_code == 404
    # A bad open token still answers with the pixel, and counts nothing.
    assert client.get("/mail/o/abc:def.gif").status_code == 200


@pytest.mark.parametrize(
    "path", ["/mail/unsubscribe/x/", "/mail/preferences/x/", "/mail/confirm/x/"]
)
def test_pages_with_bad_tokens_say_the_link_is_invalid(db, client, path):
    response = client.get(path)
    assert response.status_code == 400
    assert "リンクが無効です" in response.content.decode()
