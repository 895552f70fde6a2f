"""The manuals' screenshots, taken in Chromium from a live portal (gunicorn on a
copy of the test database) with the Content Security Policy *enforced*, as in
production: every screen must render without a CSP violation. With
PORTAL_UPDATE_MANUAL_SCREENSHOTS=1 the pictures replace docs/manual/images/, so the
manuals follow the admin as it changes; otherwise they go to a temporary folder."""

import pytest

from tests import factories
from tests.real_parts import admin_sign_in, csp_violations

pytestmark = pytest.mark.django_db  # the live portal copies the test database


@pytest.fixture(scope="session")
def csp_portal(django_db_setup, django_db_blocker, tmp_path_factory):
    """Session-scoped and requested before the browser, so the test database is
    copied before Playwright's event loop moves Django's connections into
    context-local storage (where PostgreSQL's template copy would see a session
    nobody can close)."""
    from django.db import connection

    from tests.reservations.live import start_portal

    server_env = {"PORTAL_CSP": "enforce", "PORTAL_SERVE_STATIC": "1"}
    with django_db_blocker.unblock():
        yield from start_portal(
            connection, tmp_path_factory.mktemp("ops-live"), extra_env=server_env
        )


def test_manual_screens_render_under_the_enforced_csp(csp_portal, desktop_page, shots):
    page = desktop_page
    violations = csp_violations(page)
    url = csp_portal.url

    login = page.goto(f"{url}/admin/login/")
    assert login.status == 200, page.content()[:300]  # not another local server
    page.screenshot(path=str(shots / "login.png"))

    admin_sign_in(page, url, "pref-admin", factories.PASSWORD)
    screens = {
        "dashboard.png": "/admin/",
        "pages.png": "/admin/pages/",
        "two-factor.png": "/admin/two-factor/",
        "operation-log.png": "/admin/operation-log/",
        "users.png": "/admin/users/",
    }
    for name, path in screens.items():
        response = page.goto(f"{url}{path}")
        assert response.status == 200, path
        page.wait_for_load_state("networkidle")
        page.screenshot(path=str(shots / name))
        if name == "two-factor.png":
            assert page.locator(".ops-qr svg").count() == 1

    page.context.clear_cookies()
    admin_sign_in(page, url, "mito-editor", factories.PASSWORD)
    page.goto(f"{url}/admin/pages/")
    page.get_by_role("link", name="水戸市").first.click()
    page.wait_for_load_state("networkidle")
    page.screenshot(path=str(shots / "editor-explorer.png"))
    [(listing_id,)] = csp_portal.query(
        "SELECT id FROM wagtailcore_page WHERE title = %s", ("水戸市の公開物件",)
    )
    assert page.goto(f"{url}/admin/pages/{listing_id}/edit/").status == 200
    page.wait_for_load_state("networkidle")
    page.screenshot(path=str(shots / "editor-edit.png"))

    assert not violations, violations
    assert all((shots / name).stat().st_size > 5000 for name in screens)
