"""A resident books a half court on a phone (Chromium, 390×844) against the live
portal: log in, pick a free slot, fill in the form, confirm, done."""

import datetime as dt
from urllib.parse import quote

import pytest
from django.utils import timezone

from tests.real_parts import fits_the_screen

from .live import PASSWORD

pytestmark = pytest.mark.django_db  # the live portal copies the test database


def test_resident_books_a_half_court_on_a_phone(live_portal, phone_page):
    day = timezone.localdate() + dt.timedelta(days=9)
    half = live_portal.unit_id("kitamata-gym", "A面（片面）")
    facility_url = f"/reserve/f/kitamata-gym/?unit={half}&date={day:%Y-%m-%d}"
    page = phone_page

    page.goto(f"{live_portal.url}/reserve/account/login/?next={quote(facility_url)}")
    page.get_by_label("メールアドレス").fill("live79@example.jp")
    page.get_by_label("パスワード").fill(PASSWORD)
    page.get_by_role("button", name="ログイン").click()

    page.wait_for_url("**/reserve/f/kitamata-gym/**")
    assert page.get_by_role("heading", name="国富町北俣体育館").is_visible()
    assert fits_the_screen(page)
    page.get_by_role("link", name="予約する").first.click()

    page.wait_for_url("**/book/**")
    assert page.get_by_role("heading", name="予約の申込").is_visible()
    page.get_by_label("終了時刻").select_option(index=1)  # two hours
    page.get_by_label("利用目的").select_option(label="バドミントン")
    page.get_by_label("利用人数").fill("8")
    page.get_by_label("活動内容").fill("ママさんバドミントンの練習")
    page.get_by_label("遵守事項に同意します").check()
    assert fits_the_screen(page)
    page.get_by_role("button", name="確認画面へ").click()

    assert page.get_by_role("heading", name="予約内容の確認").is_visible()
    assert page.get_by_text("まだ予約は完了していません").is_visible()
    assert page.get_by_text("A面（片面）").first.is_visible()
    page.get_by_role("button", name="予約を確定する").click()

    page.wait_for_url("**/reserve/bookings/**")
    assert page.get_by_text("予約が完了しました").is_visible()
    number = page.get_by_role("heading").first.inner_text().removeprefix("予約 ")
    rows = live_portal.query(
        "SELECT b.unit_id, b.headcount, b.status, r.email FROM reservations_booking b "
        "JOIN reservations_resident r ON r.id = b.resident_id WHERE b.number = %s",
        (number.strip(),),
    )
    assert rows == [(half, 8, "confirmed", "live79@example.jp")]
