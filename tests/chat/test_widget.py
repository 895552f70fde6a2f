"""The chat widget in a real Chromium (Debian's, driven by Playwright) on a phone
screen: open, ask, answer, follow-up, keyboard only, and the fallback when the
API is down.

The page and the widget files are served to the browser by Playwright's request
routing, and ``/api/…`` requests are answered by the real Django application
through the test client in this thread. That keeps the test inside the test
transaction (a live server thread would need a flushing transactional test,
which would wipe the shared test portal); the browser, the widget and the API
are all real, only the socket between them is not.
"""

import contextvars
import gzip
from pathlib import Path

import pytest
from django.db import connections
from django.test import Client

from cms.chat.models import ChatTurn

from .conftest import make_answer

pytestmark = pytest.mark.django_db

WIDGET_DIR = Path(__file__).resolve().parents[2] / "chat_widget"
ORIGIN = "http://portal.test"
PAGE = """<!DOCTYPE html><html lang="ja"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>テストページ</title></head><body><main><h1>いばらき移住ポータル</h1>
<p>本文</p><a href="/other/">ほかのページ</a></main>
<script src="/chat-widget/chat-loader.js" defer data-api="/api/chat/"
 data-faq-url="/faq/" data-desk-name="いばらき暮らしサポートセンター"
 data-desk-phone="03-0000-1234"></script></body></html>"""
CONTENT_TYPES = {".js": "application/javascript", ".css": "text/css"}


def _serve_site(page, api_up=True):
    client = Client()
    # Playwright calls the handler in its own greenlet, whose context would open a
    # second database connection that cannot see the test's transaction; Django
    # runs in (a copy of) the test's own context instead.
    context = contextvars.copy_context()
    test_connection = connections["default"]

    def handle(route):
        context.copy().run(answer, route)

    def answer(route):
        try:
            respond(route)
        finally:
            # A request handled while another was in flight may have opened its
            # own connection; close it so the test database can be dropped.
            if connections["default"] is not test_connection:
                connections["default"].close()

    def respond(route):
        request = route.request
        path = request.url[len(ORIGIN) :]
        if path.startswith("/chat-widget/"):
            file = WIDGET_DIR / path.split("/")[-1].split("?")[0]
            route.fulfill(
                status=200,
                body=file.read_bytes(),
                headers={"Content-Type": CONTENT_TYPES[file.suffix]},
            )
        elif path.startswith("/api/"):
            if not api_up:
                route.abort("connectionrefused")
                return
            if request.method == "POST":
                response = client.post(
                    path, request.post_data or "", content_type="application/json"
                )
            else:
                response = client.get(path)
            route.fulfill(
                status=response.status_code,
                body=response.content,
                headers={"Content-Type": response["Content-Type"]},
            )
        else:
            route.fulfill(status=200, body=PAGE, headers={"Content-Type": "text/html"})

    page.set_default_timeout(30_000)  # CI machines are shared and sometimes slow
    page.route(f"{ORIGIN}/**", handle)
    page.goto(f"{ORIGIN}/")


@pytest.fixture
def serve_site():
    """Serve the test site to a page; requests still in flight when the test ends
    are dropped, so none reaches the database after the test's transaction."""
    pages = []

    def serve(page, api_up=True):
        pages.append(page)
        _serve_site(page, api_up)

    yield serve
    for page in pages:
        if not page.is_closed():
            page.unroute_all(behavior="ignoreErrors")


@pytest.fixture
def answers(db):
    shienkin = make_answer(
        "shienkin",
        "移住支援金はいくらもらえますか",
        "世帯で移住する場合は最大100万円、単身の場合は最大60万円です。",
        category="移住支援金",
    )
    conditions = make_answer(
        "conditions",
        "移住支援金の対象になる条件を教えてください",
        "東京23区に住んでいた方などが対象です。",
        category="移住支援金",
    )
    make_answer(
        "akiya",
        "空き家バンクとは何ですか",
        "空き家の情報を紹介する仕組みです。",
        category="住まい",
    )
    shienkin.follow_ups.set([conditions])
    return shienkin


def test_widget_stays_within_the_size_budget():
    total = sum(
        len(gzip.compress((WIDGET_DIR / name).read_bytes(), 9))
        for name in ("chat-loader.js", "chat-widget.js", "chat-widget.css")
    )
    assert total <= 15 * 1024, f"{total} bytes gzipped"


def test_open_ask_answer_and_follow_up(phone_page, answers, serve_site):
    page = phone_page
    serve_site(page)
    page.get_by_role("button", name="移住の質問はこちら").click()
    dialog = page.get_by_role("dialog", name="移住の質問チャット")
    dialog.get_by_text("移住についての質問にお答えします").wait_for()
    page.get_by_label("質問を入力").fill("いじゅうしえんきんはいくら？")
    page.get_by_role("button", name="送信").click()
    dialog.get_by_text("最大100万円").wait_for()
    # The follow-up question is a button; choosing it shows its answer.
    dialog.get_by_role(
        "button", name="移住支援金の対象になる条件を教えてください"
    ).click()
    dialog.get_by_text("東京23区に住んでいた方などが対象です。").wait_for()
    dialog.get_by_role("button", name="役に立った").first.click()
    dialog.get_by_text("ご回答ありがとうございました。").wait_for()
    assert ChatTurn.objects.filter(feedback=1).count() == 1
    assert list(
        ChatTurn.objects.order_by("created_at").values_list("outcome", flat=True)
    ) == [
        "answered",
        "selected",
    ]


def test_category_buttons_list_questions(phone_page, answers, serve_site):
    page = phone_page
    serve_site(page)
    page.get_by_role("button", name="移住の質問はこちら").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_role("button", name="住まい").click()
    dialog.get_by_role("button", name="空き家バンクとは何ですか").click()
    dialog.get_by_text("空き家の情報を紹介する仕組みです。").wait_for()


def test_keyboard_only(phone_page, answers, serve_site):
    page = phone_page
    serve_site(page)
    launcher = page.get_by_role("button", name="移住の質問はこちら")
    launcher.wait_for()
    for _ in range(10):  # Tab through the page to the chat button
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.className") == "pc-launcher":
            break
    else:
        pytest.fail("the chat button cannot be reached with Tab")
    page.keyboard.press("Enter")
    page.get_by_role("dialog").get_by_text(
        "移住についての質問にお答えします"
    ).wait_for()
    assert page.evaluate("document.activeElement.id") == "pc-input"
    page.keyboard.type("移住支援金はいくら")
    page.keyboard.press("Enter")
    page.get_by_text("最大100万円").wait_for()
    # Tab reaches the answer's buttons; Escape closes and returns to the button.
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Shift+Tab")
    assert page.evaluate("document.activeElement.tagName") in ("BUTTON", "DIV", "A")
    page.keyboard.press("Escape")
    assert (
        page.get_by_role("dialog").count() == 0
        or not page.get_by_role("dialog").is_visible()
    )
    assert page.evaluate("document.activeElement.className") == "pc-launcher"
    assert launcher.get_attribute("aria-expanded") == "false"


def test_screen_reader_structure(phone_page, answers, serve_site):
    page = phone_page
    serve_site(page)
    page.get_by_role("button", name="移住の質問はこちら").click()
    log = page.get_by_role("log")
    assert log.get_attribute("aria-live") == "polite"
    assert page.get_by_role("button", name="チャットを閉じる").is_visible()
    assert page.get_by_role("button", name="移住の質問はこちら").count() == 0 or (
        page.locator(".pc-launcher").get_attribute("aria-expanded") == "true"
    )


def test_api_down_shows_faq_page_and_desk(phone_page, answers, serve_site):
    page = phone_page
    serve_site(page, api_up=False)
    page.get_by_role("button", name="移住の質問はこちら").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_text("ただいまチャットを利用できません").wait_for()
    link = dialog.get_by_role("link", name="よくある質問（FAQ）のページへ")
    assert link.get_attribute("href") == "/faq/"
    assert dialog.get_by_text("いばらき暮らしサポートセンター").is_visible()
    assert (
        dialog.get_by_role("link", name="電話 03-0000-1234").get_attribute("href")
        == "tel:0300001234"
    )


def test_fits_a_320_pixel_screen(browser, answers, serve_site):
    context = browser.new_context(
        viewport={"width": 320, "height": 568}, locale="ja-JP"
    )
    page = context.new_page()
    try:
        serve_site(page)
        page.get_by_role("button", name="移住の質問はこちら").click()
        page.get_by_role("dialog").get_by_text(
            "移住についての質問にお答えします"
        ).wait_for()
        box = page.get_by_role("dialog").bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 320
        assert page.evaluate("document.documentElement.scrollWidth") <= 320
        send = page.get_by_role("button", name="送信").bounding_box()
        assert send["x"] + send["width"] <= 320
    finally:
        context.close()
