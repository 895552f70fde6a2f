"""Fixtures for the real parts tests talk to: an SMTP server (aiosmtpd), a browser
(Debian's Chromium driven by Playwright) and axe-core (from `npm ci`) to check the
pages it shows.

A part that is missing here skips its tests with a message saying what to install,
unless PORTAL_REQUIRE_ALL=1 (CI), where a missing part fails them instead.
"""

import contextlib
import os
import shutil
import socket
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("PORTAL_CHROMIUM", "/usr/bin/chromium")
# Flags that keep Chromium off the network and quiet on a machine without a display.
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 768}
AXE_JS = (
    Path(__file__).resolve().parent.parent / "node_modules" / "axe-core" / "axe.min.js"
)
# WCAG 2.1 A/AA, the level JIS X 8341-3:2016 AA asks for.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]


def missing_part(what: str, how: str):
    message = f"{what} is not available here ({how})."
    if os.environ.get("PORTAL_REQUIRE_ALL") == "1":
        pytest.fail(f"{message} CI requires it (PORTAL_REQUIRE_ALL=1).")
    pytest.skip(message)


# --- SMTP ------------------------------------------------------------------------


@dataclass
class SmtpServer:
    host: str
    port: int
    messages: list = field(default_factory=list)

    def parsed(self):
        return [message_from_bytes(raw, policy=policy.default) for raw in self.messages]


class _Collector:
    def __init__(self, server: SmtpServer):
        self.server = server

    async def handle_DATA(self, server, session, envelope):
        self.server.messages.append(envelope.original_content or envelope.content)
        return "250 OK"


def free_port() -> int:
    """A port nothing listens on now, for a server a test starts."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def send_mail_to(settings, host: str, port: int) -> None:
    """Django's mail goes to the SMTP server at ``host``:``port`` for this test."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = host
    settings.EMAIL_PORT = port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""


@contextlib.contextmanager
def running_smtp():
    """A real SMTP server on localhost, collecting what it is sent."""
    from aiosmtpd.controller import Controller

    # aiosmtpd connects to its own port to check it started, so it needs a real
    # port number rather than 0: take a free one from the OS first.
    port = free_port()
    record = SmtpServer(host="127.0.0.1", port=port)
    controller = Controller(_Collector(record), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield record
    finally:
        controller.stop()


@pytest.fixture
def smtp_server(settings):
    """A real SMTP server on localhost; Django's mail goes to it during the test."""
    with running_smtp() as record:
        send_mail_to(settings, record.host, record.port)
        yield record


# --- Browser ---------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser():
    if not shutil.which(CHROMIUM) and not os.path.exists(CHROMIUM):
        missing_part("Chromium", "install Debian's package: apt-get install chromium")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        missing_part("Playwright", "pip install -e '.[test]'")
    # Playwright's sync API keeps an event loop in this thread; Django refuses ORM
    # calls from a thread with a running loop unless told it is safe (it is: the
    # loop only drives the browser).
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()
        # While Playwright's event loop runs in this thread, Django keeps database
        # connections in context-local rather than thread-local storage (asgiref's
        # Local), where the test database teardown cannot see them; close them here,
        # or PostgreSQL refuses to drop the test database ("being accessed by other
        # users").
        from django.db import connections

        connections.close_all()


def _page(browser, viewport, artifacts_name):
    context = browser.new_context(
        viewport=viewport, locale="ja-JP", timezone_id="Asia/Tokyo"
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    os.makedirs("test-artifacts", exist_ok=True)
    with contextlib.suppress(Exception):  # a closed page has nothing more to show
        page.screenshot(path=f"test-artifacts/{artifacts_name}.png", full_page=True)
    context.close()


@pytest.fixture
def phone_page(browser, request):
    """A 390×844 browser tab; a screenshot is kept under test-artifacts/."""
    yield from _page(browser, PHONE, f"{request.node.name}-phone")


@pytest.fixture
def desktop_page(browser, request):
    yield from _page(browser, DESKTOP, f"{request.node.name}-desktop")


# --- axe-core --------------------------------------------------------------------


@pytest.fixture(scope="session")
def axe_source():
    if not AXE_JS.exists():
        missing_part("axe-core", "run npm ci at the repository root")
    return AXE_JS.read_text("utf-8")


def admin_sign_in(page, url, username, password) -> None:
    """Sign in to the Wagtail admin of the portal at ``url`` in the browser."""
    page.goto(f"{url}/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{url}/admin/**")


def csp_violations(page) -> list[str]:
    """The Content Security Policy violations the browser reports on ``page`` from
    now on (the list fills as they come)."""
    found = []
    page.on(
        "console",
        lambda message: (
            found.append(message.text)
            if "Content Security Policy" in message.text
            else None
        ),
    )
    return found


def fits_the_screen(page) -> bool:
    """Nothing sticks out sideways (a phone would have to scroll across)."""
    return page.evaluate(
        "document.documentElement.scrollWidth <= window.innerWidth + 1"
    )


def axe_violations(page, axe_source) -> list[str]:
    """Serious and critical axe-core findings on the page, one line each."""
    page.add_script_tag(content=axe_source)
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})",
        AXE_TAGS,
    )
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — "
        + "; ".join(n["target"][0] if n["target"] else "?" for n in v["nodes"][:3])
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]
