"""Joining over HTTP with real mail (aiosmtpd): registration with rules acceptance
and a signed confirmation link, attributes shared with the mail tool, re-accepting
revised rules, the profile (avatar without EXIF) and account deletion."""

import io
import re

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from cms.community.models import (
    MemberProfile,
    Post,
    RulesAcceptance,
    RulesVersion,
    Status,
)
from cms.community.services import create_post
from cms.mailing.models import Subscriber, SubscriberStatus

from .conftest import MEMBER_PASSWORD, client_for, make_member

User = get_user_model()

pytestmark = pytest.mark.django_db

JOIN = {
    "email": "Kaede.Sato@Example.jp",
    "nickname": "かえで",
    "password1": "mito-natto-2026",
    "password2": "mito-natto-2026",
    "age_band": "30s",
    "prefecture": "東京都",
    "municipality_name": "世田谷区",
    "relation": "considering",
    "agree": "on",
}


def link_in(message) -> str:
    body = message.get_body(("plain",)).get_content()
    return re.search(r"http://\S+/community/\S+", body).group(0)


def path_of(url: str) -> str:
    return "/" + url.split("/", 3)[3]


def test_joining_accepts_the_rules_and_mails_a_link_that_confirms(
    client, smtp_server, community, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/community/join/", JOIN)
    assert response.status_code == 200
    assert "確認メールを送りました" in response.content.decode()
    user = get_user_model().objects.get(email="Kaede.Sato@example.jp")
    assert not user.is_active  # not until the link is opened
    rules = RulesVersion.objects.first()
    assert RulesAcceptance.objects.filter(member=user, rules=rules).exists()
    assert user.community_profile.email_confirmed_at is None

    (message,) = smtp_server.parsed()
    assert message["To"] == "Kaede.Sato@example.jp"
    assert "かえで" in message.get_body(("plain",)).get_content()
    assert "mito-natto-2026" not in message.as_string()

    # Before confirming, logging in says what is missing.
    refused = client.post(
        "/community/login/",
        {"email": JOIN["email"], "password": JOIN["password1"]},
    )
    assert "登録がまだ完了していません" in refused.content.decode()

    response = client.get(path_of(link_in(message)))
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.is_active and user.community_profile.is_confirmed
    rooms = client.get("/community/").content.decode()
    assert "移住者だけの部屋" in rooms  # members-only room now listed
    assert not user.has_perm("wagtailadmin.access_admin")
    assert client.get("/admin/").status_code == 302  # members never reach the admin


def test_joining_without_accepting_the_rules_is_refused(client, community):
    response = client.post("/community/join/", {**JOIN, "agree": ""})
    html = response.content.decode()
    assert "利用規約に同意いただくと登録できます" in html
    assert not get_user_model().objects.filter(email__iexact=JOIN["email"]).exists()


def test_joining_names_each_field_to_fix(client, community):
    response = client.post(
        "/community/join/",
        {**JOIN, "email": "hanako@example.jp", "nickname": "taro", "password2": "x"},
    )
    html = response.content.decode()
    assert "このメールアドレスはすでに登録されています" in html
    assert "このニックネームはすでに使われています" in html
    assert "確認用のパスワードが一致しません" in html


def test_a_forged_or_expired_link_confirms_nothing(client, community):
    response = client.get("/community/join/confirm/not-a-token/")
    assert response.status_code == 400
    assert "リンクが無効です" in response.content.decode()


def test_a_mail_subscriber_shares_their_attributes_instead_of_copying_them(
    client, smtp_server, community, django_capture_on_commit_callbacks
):
    subscriber = Subscriber.objects.create(
        email="kaede.sato@example.jp",
        status=SubscriberStatus.ACTIVE,
        prefecture="神奈川県",
        municipality="横浜市",
    )
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/community/join/", JOIN)
    client.get(path_of(link_in(smtp_server.parsed()[0])))
    profile = MemberProfile.objects.get(nickname="かえで")
    assert profile.subscriber == subscriber
    # The subscriber's own answers win; what it lacked comes from the form.
    subscriber.refresh_from_db()
    assert (subscriber.prefecture, subscriber.age_band) == ("神奈川県", "30s")
    assert (profile.prefecture, profile.age_band) == ("", "")  # no second copy

    page = client.get("/community/me/").content.decode()
    assert "メール配信の登録内容と共通です" in page
    response = client.post(
        "/community/me/",
        {
            "nickname": "かえで",
            "age_band": "40s",
            "prefecture": "茨城県",
            "municipality_name": "笠間市",
            "relation": "moved",
            "notify_in_site": "on",
            "moderation_mail": "on",
        },
    )
    assert response.status_code == 302
    subscriber.refresh_from_db()
    assert (subscriber.prefecture, subscriber.municipality, subscriber.age_band) == (
        "茨城県",
        "笠間市",
        "40s",
    )


def test_revised_rules_must_be_accepted_before_posting_again(community):
    client = client_for(community.hanako)
    RulesVersion.objects.create(title="コミュニティ利用規約", body="改定しました。")
    response = client.post(
        "/community/r/lounge/post/", {"title": "質問", "body": "教えてください"}
    )
    assert response.status_code == 302
    assert response["Location"].startswith("/community/rules/")
    assert not Post.objects.filter(title="質問").exists()

    client.post("/community/rules/", {"agree": "1"})
    response = client.post(
        "/community/r/lounge/post/", {"title": "質問", "body": "教えてください"}
    )
    assert response.status_code == 302
    assert Post.objects.get(title="質問").status == Status.PUBLISHED


def _jpeg_with_gps() -> bytes:
    image = Image.new("RGB", (800, 600), (200, 120, 40))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x8825] = {1: "N", 2: (36.0, 22.0, 0.0)}  # GPS IFD
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif.tobytes())
    return buffer.getvalue()


def test_avatar_is_cropped_square_and_loses_its_exif(community):
    client = client_for(community.hanako)
    upload = SimpleUploadedFile("me.jpg", _jpeg_with_gps(), content_type="image/jpeg")
    response = client.post(
        "/community/me/",
        {"nickname": "hanako", "avatar": upload, "notify_in_site": "on"},
    )
    assert response.status_code == 302
    profile = MemberProfile.objects.get(user=community.hanako)
    with Image.open(profile.avatar.path) as saved:
        assert saved.size == (256, 256)
        assert not saved.getexif()
        assert "exif" not in saved.info


def test_a_post_photo_is_resized_and_stripped_and_needs_a_description(community):
    client = client_for(community.hanako)
    data = {"title": "笠間の朝", "body": "きれいでした"}
    photo = SimpleUploadedFile("p.jpg", _jpeg_with_gps(), content_type="image/jpeg")
    response = client.post("/community/r/lounge/post/", {**data, "image": photo})
    assert response.status_code == 400
    assert "写真に何が写っているかを短く書いてください" in response.content.decode()
    photo.seek(0)
    response = client.post(
        "/community/r/lounge/post/", {**data, "image": photo, "image_alt": "朝焼け"}
    )
    assert response.status_code == 302
    post = Post.objects.get(title="笠間の朝")
    with Image.open(post.image.path) as saved:
        assert saved.size == (800, 600)
        assert not saved.getexif()
    not_image = SimpleUploadedFile("x.jpg", b"not an image", content_type="image/jpeg")
    response = client.post(
        "/community/r/lounge/post/",
        {**data, "title": "壊れた写真", "image": not_image, "image_alt": "x"},
    )
    assert response.status_code == 400


def test_deleting_the_account_keeps_posts_under_a_neutral_name(community):
    post = create_post(
        community.lounge, community.hanako, title="残る話題", body="本文"
    )
    client = client_for(community.hanako)
    response = client.post(
        "/community/me/delete/", {"password": "wrong", "confirm": "on"}
    )
    assert "パスワードが違います" in response.content.decode()
    response = client.post(
        "/community/me/delete/", {"password": MEMBER_PASSWORD, "confirm": "on"}
    )
    assert "退会しました" in response.content.decode()
    assert not get_user_model().objects.filter(pk=community.hanako.pk).exists()
    post.refresh_from_db()
    assert post.author is None
    guest_view = Client().get(f"/community/p/{post.pk}/").content.decode()
    assert "退会したメンバー" in guest_view


def test_an_unconfirmed_registration_gives_way_to_a_new_one(
    client, smtp_server, community, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/community/join/", JOIN)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/community/join/", {**JOIN, "nickname": "かえで2"})
    assert "確認メールを送りました" in response.content.decode()
    (user,) = get_user_model().objects.filter(email__iexact=JOIN["email"])
    assert user.community_profile.nickname == "かえで2"
    assert len(smtp_server.parsed()) == 2
    # A confirmed member's address stays taken.
    taken = client.post("/community/join/", {**JOIN, "email": "taro@example.jp"})
    assert "このメールアドレスはすでに登録されています" in taken.content.decode()


def test_forgotten_password_is_reset_through_a_mailed_link(
    client, smtp_server, community
):
    make_member("もみじ", email="momiji@example.jp")
    login = client.get("/community/login/").content.decode()
    assert "/community/password/" in login

    response = client.post("/community/password/", {"email": "Momiji@Example.jp"})
    assert response.status_code == 302
    assert response["Location"] == "/community/password/sent/"
    (message,) = smtp_server.parsed()
    assert message["To"] == "momiji@example.jp"
    link = path_of(link_in(message))

    form = client.get(link, follow=True)  # Django swaps the token for a session one
    assert "新しいパスワード" in form.content.decode()
    weak = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": "short", "new_password2": "short"},
    )
    assert "入力内容を確認してください" in weak.content.decode()
    done = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": "kairakuen-ume-2026", "new_password2": "kairakuen-ume-2026"},
    )
    assert done["Location"] == "/community/password/done/"

    # The link works once; the new password logs in.
    assert "このリンクは使えません" in client.get(link, follow=True).content.decode()
    fresh = Client()
    response = fresh.post(
        "/community/login/",
        {"email": "momiji@example.jp", "password": "kairakuen-ume-2026"},
    )
    assert response.status_code == 302


def test_password_reset_page_says_the_same_for_unknown_and_admin_addresses(
    client, smtp_server, community
):
    from django.utils import timezone

    from cms.community.models import Relation
    from tests import factories

    # Prefecture staff who also take part in the community.
    staff = User.objects.get(username="pref-admin")
    MemberProfile.objects.create(
        user=staff,
        nickname="県の移住担当",
        relation=Relation.STAFF,
        email_confirmed_at=timezone.now(),
    )
    for address in ("nobody@example.jp", staff.email):
        response = client.post("/community/password/", {"email": address})
        assert response["Location"] == "/community/password/sent/"
    # Admin accounts are reset in the admin (behind two-factor), never from here.
    assert smtp_server.parsed() == []
    assert factories.PASSWORD  # their password is unchanged: it still logs in
    assert Client().login(username="pref-admin", password=factories.PASSWORD)
