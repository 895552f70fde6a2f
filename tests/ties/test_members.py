"""Registration over HTTP with real mail (aiosmtpd): the double opt-in link, the
member joining the 「関係人口」 mail segment without re-entering anything, the
my page (update, pause, resume, delete) and form errors naming the field."""

import re

import pytest
from django.contrib.auth import get_user_model

from cms.mailing.models import Segment, Subscriber, SubscriberStatus
from cms.ties import members
from cms.ties.models import MemberStatus, TiesMember

from .conftest import client_for, make_member

pytestmark = pytest.mark.django_db


def join_data(ties):
    return {
        "email": "Sakura.Kato@Example.jp",
        "password1": "kasama-kuri-2026",
        "password2": "kasama-kuri-2026",
        "name": "加藤さくら",
        "prefecture": "東京都",
        "skills": "農業、デザイン",
        "interests": "食",
        "regions": [str(ties.mito.pk)],
        "involvements": ["volunteer", "workation"],
        "availability": "weekends",
        "newsletter": "on",
        "agree": "on",
    }


def link_in(message) -> str:
    body = message.get_body(("plain",)).get_content()
    return re.search(r"http://\S+/ties/join/confirm/\S+", body).group(0)


def path_of(url: str) -> str:
    return "/" + url.split("/", 3)[3]


def segment_emails() -> set[str]:
    segment = Segment.objects.get(name="関係人口")
    return {s.email.lower() for s in segment.subscribers()}


def test_registering_mails_a_link_that_confirms_and_subscribes(
    client, ties, smtp_server, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/ties/join/", join_data(ties))
    assert response.status_code == 200
    assert "確認メールを送りました" in response.content.decode()
    member = TiesMember.objects.get(user__email="Sakura.Kato@example.jp")
    assert not member.user.is_active
    assert member.status == MemberStatus.PENDING
    assert member.skills == ["農業", "デザイン"]
    assert member.consent_at is not None
    assert not Subscriber.objects.filter(email__iexact="sakura.kato@example.jp")

    (message,) = smtp_server.parsed()
    assert message["To"] == "Sakura.Kato@example.jp"
    assert "加藤さくら" in message.get_body(("plain",)).get_content()
    assert "kasama-kuri-2026" not in message.as_string()

    response = client.get(path_of(link_in(message)))
    assert response.status_code == 302 and response["Location"] == "/ties/me/"
    member.refresh_from_db()
    assert member.user.is_active and member.status == MemberStatus.ACTIVE
    # On the mailing list, in the segment, without entering anything again.
    subscriber = member.subscriber
    assert subscriber.status == SubscriberStatus.ACTIVE
    assert subscriber.name == "加藤さくら" and subscriber.prefecture == "東京都"
    assert subscriber.consent_method == "web" and subscriber.confirmed_at
    assert "sakura.kato@example.jp" in segment_emails()

    # The my page recommends the matching program and says why.
    page = client.get("/ties/me/").content.decode()
    assert "農園の収穫と直売所づくり" in page
    assert (
        "おすすめの理由: スキル: デザイン・農業 / 関心の地域: 水戸市 / 関心: 食"
        " / 関わり方: ボランティア"
    ) in page
    assert "子ども科学教室の企画" not in page
    assert not member.user.has_perm("wagtailadmin.access_admin")


def test_a_bad_or_tampered_link_is_refused(client, ties):
    assert client.get("/ties/join/confirm/nonsense/").status_code == 400
    member = make_member("Mika")
    token = members.confirmation_token(member)
    assert client.get(f"/ties/join/confirm/{token[:-2]}xx/").status_code == 400


def test_form_errors_name_the_field(client, ties):
    data = {**join_data(ties), "agree": "", "involvements": [], "password2": "x"}
    data["email"] = "hanako@example.jp"  # already a member
    html = client.post("/ties/join/", data).content.decode()
    assert "個人情報の取扱いに同意いただくと登録できます。" in html
    assert "関わり方を1つ以上選んでください。" in html
    assert "パスワード（確認）が一致しません。" in html
    assert "メールアドレス: このアドレスは登録済みです。" in html
    assert not TiesMember.objects.filter(name="加藤さくら").exists()


def test_a_logged_in_community_member_registers_without_a_password(
    ties, smtp_server, django_capture_on_commit_callbacks
):
    user = get_user_model().objects.create_user(
        username="kaede@example.jp", email="kaede@example.jp", password="x-2026-abc"
    )
    client = client_for(user)
    data = {
        k: v
        for k, v in join_data(ties).items()
        if k not in ("email", "password1", "password2")
    }
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post("/ties/join/", data).status_code == 200
    (message,) = smtp_server.parsed()
    assert message["To"] == "kaede@example.jp"
    client.get(path_of(link_in(message)))
    assert TiesMember.objects.get(user=user).status == MemberStatus.ACTIVE


def test_my_page_updates_pauses_resumes_and_deletes(ties):
    hanako = ties.hanako
    client = client_for(hanako.user)
    assert "hanako@example.jp" in segment_emails()
    response = client.post(
        "/ties/me/",
        {
            "name": "山田花子",
            "prefecture": "神奈川県",
            "skills": "教育",
            "interests": "",
            "regions": [str(ties.tsukuba.pk)],
            "involvements": ["side_job"],
            "newsletter": "on",
        },
    )
    assert response.status_code == 302
    hanako.refresh_from_db()
    assert hanako.skills == ["教育"] and hanako.name == "山田花子"
    assert list(hanako.regions.all()) == [ties.tsukuba]
    page = client.get("/ties/me/").content.decode()
    assert "子ども科学教室の企画" in page  # recommendations follow the profile

    client.post("/ties/me/pause/", {"paused": "1"})
    hanako.refresh_from_db()
    assert hanako.status == MemberStatus.PAUSED
    assert "hanako@example.jp" not in segment_emails()
    # Paused members cannot apply.
    client.post(f"/ties/programs/{ties.lab.pk}/apply/", {"message": "参加したい"})
    assert not hanako.applications.exists()

    client.post("/ties/me/pause/", {"paused": "0"})
    assert "hanako@example.jp" in segment_emails()

    refused = client.post("/ties/me/delete/", {})
    assert "削除の確認にチェックを入れてください。" in refused.content.decode()
    subscriber = Subscriber.objects.get(email="hanako@example.jp")
    client.post("/ties/me/delete/", {"confirm": "on"})
    assert not TiesMember.objects.filter(pk=hanako.pk).exists()
    assert not get_user_model().objects.filter(pk=hanako.user_id).exists()
    subscriber.refresh_from_db()
    assert subscriber.status == SubscriberStatus.UNSUBSCRIBED
    assert "ties_status" not in subscriber.attributes


def test_newsletter_opt_out_keeps_the_member_out_of_the_segment(ties):
    member = make_member("Nozomi", newsletter=False)
    assert member.subscriber is None
    assert "nozomi@example.jp" not in segment_emails()
    members.update(member, {"newsletter": True})
    assert "nozomi@example.jp" in segment_emails()


def test_guests_are_sent_to_log_in_and_non_members_to_register(client, ties):
    response = client.get("/ties/me/")
    assert response.status_code == 302
    assert response["Location"].startswith("/community/login/?next=%2Fties%2Fme%2F")
    response = client_for(ties.mito_host_user).get("/ties/me/")
    assert response["Location"] == "/ties/join/"


def test_a_member_logs_in_on_the_shared_login_page_and_lands_on_my_page(client, ties):
    response = client.post(
        "/community/login/?next=/ties/me/",
        {"email": "hanako@example.jp", "password": "kasama-kuri-2026"},
    )
    assert response.status_code == 302 and response["Location"] == "/ties/me/"
    assert "Hanako さん（活動中）" in client.get("/ties/me/").content.decode()
