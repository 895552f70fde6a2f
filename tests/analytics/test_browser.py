"""collect.js in a real Chromium: a page with the tracking snippet sends its page
view and inquiry clicks, sends nothing under Global Privacy Control, and the
<noscript> pixel counts a visitor with JavaScript off.

As in the chat widget tests, the page is served by Playwright's request routing
and ``/api/…`` requests are answered by the real Django application through the
test client in this thread, so the test stays in its transaction. The browser
context presents an ordinary phone user agent and clears ``navigator.webdriver``:
an automated browser is otherwise (rightly) filtered as a bot.
"""

import contextvars

import pytest
from django.db import connections
from django.test import Client

from cms.analytics.models import PageEvent
from cms.analytics.snippet import tracking_snippet

from .conftest import PHONE_UA

pytestmark = pytest.mark.django_db

ORIGIN = "http://127.0.0.1:8000"  # PORTAL_SITE_URL in the test settings
PAGE = """<!DOCTYPE html><html lang="ja"><head><meta charset="utf-8">
<title>水戸市の空き家</title></head><body><h1>物件</h1>
<a id="call" href="tel:029-000-0000">電話で問い合わせる</a>
<a id="next" href="/towns/mito/">水戸市</a>
SNIPPET</body></html>"""


@pytest.fixture
def site_context(browser):
    contexts = []

    def open_page(javascript=True, init_script=""):
        context = browser.new_context(
            user_agent=PHONE_UA,
            java_script_enabled=javascript,
            viewport={"width": 390, "height": 844},
        )
        context.add_init_script(
            "Object.defineProperty(navigator, 'webdriver', {get: () => false});"
            + init_script
        )
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(30_000)
        sent = []
        _route(page, sent)
        return page, sent

    yield open_page
    for context in contexts:
        context.close()


def _route(page, sent):
    client = Client()
    context = contextvars.copy_context()
    test_connection = connections["default"]

    def handle(route):
        context.copy().run(answer, route)

    def answer(route):
        try:
            respond(route)
        finally:
            if connections["default"] is not test_connection:
                connections["default"].close()

    def respond(route):
        request = route.request
        path = request.url[len(ORIGIN) :]
        headers = {
            f"HTTP_{k.upper().replace('-', '_')}": v
            for k, v in request.headers.items()
            if k.lower() not in {"content-type", "content-length", "host"}
        }
        if path.startswith("/api/collect/"):
            sent.append(path)
            if request.method == "POST":
                response = client.post(
                    path,
                    request.post_data or "",
                    content_type="text/plain",
                    **headers,
                )
            else:
                response = client.get(path, **headers)
            route.fulfill(
                status=response.status_code,
                body=response.content,
                headers={"Content-Type": response.get("Content-Type", "text/plain")},
            )
        else:
            html = PAGE.replace("SNIPPET", tracking_snippet(""))
            route.fulfill(status=200, body=html, headers={"Content-Type": "text/html"})

    page.route(f"{ORIGIN}/**", handle)


def _wait_for(page, predicate):
    for _ in range(100):
        if predicate():
            return
        page.wait_for_timeout(50)
    raise AssertionError("timed out")


def test_page_view_and_inquiry_click_are_sent(site_context):
    page, _ = site_context()
    page.goto(f"{ORIGIN}/towns/mito/akiya/1/?utm_source=line&utm_campaign=fair")
    _wait_for(page, lambda: PageEvent.objects.exists())
    view = PageEvent.objects.get()
    assert (view.path, view.utm_source, view.utm_campaign) == (
        "/towns/mito/akiya/1/",
        "line",
        "fair",
    )
    assert view.device == "mobile"
    page.evaluate(
        "document.getElementById('call').addEventListener("
        "'click', e => e.preventDefault())"
    )
    page.click("#call")
    _wait_for(page, lambda: PageEvent.objects.filter(kind="inquiry").exists())
    assert PageEvent.objects.get(kind="inquiry").path == "/towns/mito/akiya/1/"


def test_global_privacy_control_sends_nothing(site_context):
    page, sent = site_context(
        init_script="Object.defineProperty(navigator, 'globalPrivacyControl',"
        " {get: () => true});"
    )
    page.goto(f"{ORIGIN}/towns/mito/")
    page.click("#call")
    page.wait_for_timeout(500)
    assert sent == []
    assert not PageEvent.objects.exists()


def test_pixel_counts_a_visitor_without_javascript(site_context):
    page, sent = site_context(javascript=False)
    page.goto(f"{ORIGIN}/towns/daigo/")
    _wait_for(page, lambda: PageEvent.objects.exists())
    assert sent == ["/api/collect/pixel.gif"]
    assert PageEvent.objects.get().path == "/towns/daigo/"
