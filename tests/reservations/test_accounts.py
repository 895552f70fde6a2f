"""Resident accounts over HTTP with real mail (aiosmtpd): registration with a signed,
expiring confirmation link, log-in, password reset, profile, account deletion, and
the separation from staff accounts."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.core import signing
from django.test import Client

from cms.reservations import accounts
from cms.reservations.models import Booking, BookingStatus, Resident
from cms.reservations.services import BookingDraft, place_booking

from .conftest import RESIDENT_PASSWORD, at

pytestmark = pytest.mark.django_db

REGISTRATION = {
    "email": "Taro.Kunitomi@Example.jp",
    "name": "国富 太郎",
    "name_kana": "くにとみ たろう",
    "phone": "０９８５－７５－１２３４",
    "postal_code": "880-1192",
    "address": "宮崎県東諸県郡国富町本庄4800",
    "organisation": "本庄バレーボール少年団",
    "category": "resident",
    "password1": "kunitomi-volley-7",
    "password2": "kunitomi-volley-7",
    "agree": "on",
}


def link_in(message) -> str:
    body = message.get_body(("plain",)).get_content()
    return re.search(r"http://\S+/reserve/\S+", body).group(0)


def path_of(url: str) -> str:
    return "/" + url.split("/", 3)[3]


def test_registration_mails_the_details_and_a_link_that_confirms(client, smtp_server):
    response = client.post("/reserve/account/register/", REGISTRATION)
    assert response.status_code == 200
    assert "確認メールを送りました" in response.content.decode()
    resident = Resident.objects.get(email="taro.kunitomi@example.jp")
    assert resident.phone == "0985-75-1234"  # full-width digits normalised
    assert not resident.can_book

    (message,) = smtp_server.parsed()
    assert message["To"] == "taro.kunitomi@example.jp"
    body = message.get_body(("plain",)).get_content()
    for detail in ("国富 太郎", "本庄バレーボール少年団", "町内在住", "0985-75-1234"):
        assert detail in body
    assert "kunitomi-volley-7" not in body

    response = client.get(path_of(link_in(message)))
    assert response.status_code == 302
    resident.refresh_from_db()
    assert resident.can_book
    assert client.get("/reserve/mypage/").status_code == 200  # logged in


def test_registration_names_each_field_to_fix(client, resident):
    response = client.post(
        "/reserve/account/register/",
        {
            **REGISTRATION,
            "email": resident.email,
            "password2": "something-else-1",
            "postal_code": "12",
            "agree": "",
        },
    )
    html = response.content.decode()
    assert "このメールアドレスはすでに登録されています" in html
    assert "確認用のパスワードが一致しません" in html
    assert "郵便番号は7桁の数字で入力してください" in html
    assert "登録には同意が必要です" in html
    assert Resident.objects.count() == 1


def test_confirmation_link_expires_and_cannot_be_forged(client, monkeypatch):
    resident = Resident.objects.create(
        email="late@example.jp",
        name="遅 太郎",
        phone="0985-75-0000",
        category="resident",
    )
    token = accounts.confirmation_token(resident)
    monkeypatch.setattr(accounts, "CONFIRM_MAX_AGE", -1)
    assert client.get(f"/reserve/account/confirm/{token}/").status_code == 400
    monkeypatch.undo()
    forged = signing.dumps({"r": resident.pk, "e": resident.email}, salt="other")
    assert client.get(f"/reserve/account/confirm/{forged}/").status_code == 400
    resident.refresh_from_db()
    assert resident.email_confirmed_at is None


def test_login_with_a_wrong_password_is_refused(client, resident):
    response = client.post(
        "/reserve/account/login/", {"email": resident.email, "password": "wrong-one"}
    )
    assert (
        "メールアドレスまたはパスワードが正しくありません" in response.content.decode()
    )
    assert client.get("/reserve/mypage/").status_code == 302


def test_password_reset_link_works_once(client, resident, smtp_server):
    client.post("/reserve/account/password-reset/", {"email": resident.email})
    client.post("/reserve/account/password-reset/", {"email": "nobody@example.jp"})
    (message,) = smtp_server.parsed()  # nothing is sent for an unknown address
    link = path_of(link_in(message))
    response = client.post(
        link, {"password1": "new-secret-pass-9", "password2": "new-secret-pass-9"}
    )
    assert response.status_code == 302
    resident.refresh_from_db()
    assert resident.check_password("new-secret-pass-9")
    assert Client().get(link).status_code == 400  # used: the password changed


def test_password_change_ends_other_sessions(resident):
    phone, laptop = Client(), Client()
    for browser in (phone, laptop):
        browser.post(
            "/reserve/account/login/",
            {"email": resident.email, "password": RESIDENT_PASSWORD},
        )
    response = phone.post(
        "/reserve/account/password/",
        {
            "current": RESIDENT_PASSWORD,
            "password1": "changed-pass-2026",
            "password2": "changed-pass-2026",
        },
    )
    assert response.status_code == 302
    assert phone.get("/reserve/mypage/").status_code == 200
    assert laptop.get("/reserve/mypage/").status_code == 302


def test_profile_edit_changes_the_details(resident_client, resident):
    response = resident_client.post(
        "/reserve/account/profile/",
        {
            "name": "国富 花子",
            "name_kana": "くにとみ はなこ",
            "phone": "0985-75-9999",
            "postal_code": "",
            "address": "",
            "organisation": "木脇ママさんバレー",
            "category": "worker",
        },
    )
    assert response.status_code == 302
    resident.refresh_from_db()
    assert (resident.organisation, resident.category) == (
        "木脇ママさんバレー",
        "worker",
    )


def test_account_deletion_cancels_upcoming_bookings_and_erases_the_resident(
    resident_client, resident, gym, day, smtp_server, django_capture_on_commit_callbacks
):
    booking = place_booking(
        BookingDraft.for_resident(
            resident,
            gym.whole,
            starts_at=at(day, 10),
            ends_at=at(day, 12),
            purpose=gym.volleyball,
            headcount=8,
            rules_accepted=True,
        )
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = resident_client.post(
            "/reserve/account/delete/", {"password": RESIDENT_PASSWORD}
        )
    assert "利用者登録を抹消しました" in response.content.decode()
    assert not Resident.objects.filter(pk=resident.pk).exists()
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED
    assert booking.applicant_email == ""
    assert booking.applicant_name == "（抹消済みの利用者）"
    (message,) = smtp_server.parsed()  # one mail, saying the bookings are cancelled
    assert "利用者登録を抹消しました" in message["Subject"]
    assert (
        "予約はすべて取り消されています" in message.get_body(("plain",)).get_content()
    )


def test_a_resident_is_not_a_staff_account_and_cannot_enter_the_admin(
    resident_client, resident
):
    assert not get_user_model().objects.filter(email=resident.email).exists()
    response = resident_client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_pages_that_book_need_a_logged_in_resident(client, gym):
    response = client.get(f"/reserve/f/{gym.facility.slug}/book/?unit={gym.whole.pk}")
    assert response.status_code == 302
    assert response["Location"].startswith("/reserve/account/login/?next=")
    assert client.get("/reserve/mypage/").status_code == 302
    assert Booking.objects.count() == 0


def test_repeated_failed_logins_block_the_address_for_a_while(client, resident):
    from django.core.cache import cache

    cache.clear()
    for _ in range(10):
        client.post(
            "/reserve/account/login/", {"email": resident.email, "password": "x"}
        )
    response = client.post(
        "/reserve/account/login/",
        {"email": resident.email, "password": RESIDENT_PASSWORD},
    )
    assert "ログインの失敗が続いたため" in response.content.decode()
    cache.clear()
