"""The LINE manual's screenshots (docs/manual/line.md), taken in Chromium from a
live portal (gunicorn on a copy of the test database, seeded with the LINE demo)
with the Content Security Policy enforced, as in production. With
PORTAL_UPDATE_MANUAL_SCREENSHOTS=1 they replace docs/manual/images/; otherwise
they go to a temporary folder. No LINE call is made: the screens only read."""

from pathlib import Path

import pytest
from django.urls import reverse

from tests import factories
from tests.real_parts import admin_sign_in, csp_violations

pytestmark = pytest.mark.django_db  # the live portal copies the test database

ROOT = Path(__file__).resolve().parents[2]
#: Run after the live portal's own seed (tests/reservations/live.py).
LINE_SEED = "\nfrom cms.line.demo import load_line_demo\nload_line_demo()\n"


@pytest.fixture(scope="module")
def line_portal(django_db_setup, django_db_blocker, tmp_path_factory):
    from django.db import connection

    from tests.reservations import live

    server_env = {"PORTAL_CSP": "enforce", "PORTAL_SERVE_STATIC": "1"}
    with django_db_blocker.unblock():
        yield from live.start_portal(
            connection,
            tmp_path_factory.mktemp("line-live"),
            extra_env=server_env,
            seed=live.SEED + LINE_SEED,
        )


def test_line_manual_screens_render_under_the_enforced_csp(
    line_portal, desktop_page, shots
):
    page = desktop_page
    violations = csp_violations(page)
    url = line_portal.url
    admin_sign_in(page, url, "pref-admin", factories.PASSWORD)
    [(segment_id,)] = line_portal.query(
        "SELECT id FROM line_friendsegment ORDER BY id LIMIT 1"
    )
    [(message_id,)] = line_portal.query(
        "SELECT id FROM line_linemessage ORDER BY id LIMIT 1"
    )
    screens = {
        "line-stats.png": reverse("line_stats:index"),
        "line-segment.png": reverse("line_segments:edit", args=[segment_id]),
        "line-message.png": reverse("line_message_actions", args=[message_id]),
    }
    for name, path in screens.items():
        response = page.goto(f"{url}{path}")
        assert response.status == 200, path
        page.wait_for_load_state("networkidle")
        if name == "line-segment.png":
            # The rule builder drew its conditions (its script ran under the CSP)
            # and asked for the live count.
            builder = page.locator("[data-rule-builder]")
            builder.get_by_text("該当する友だち").wait_for()
            builder.screenshot(path=str(shots / name))
        else:
            page.screenshot(path=str(shots / name))
    assert not violations, violations
    assert all((shots / name).stat().st_size > 5000 for name in screens)


def test_line_manual_builds_with_its_screenshots(tmp_path):
    import re

    from django.core.management import call_command

    from cms.ops.manuals import MANUAL_DIR

    call_command("ops", "build-manuals", "--output", str(tmp_path))
    html = (tmp_path / "line.html").read_text()
    assert "LINE公式アカウント 操作マニュアル" in html and '<nav class="toc"' in html
    images = re.findall(r'<img[^>]* src="([^"]+)"', html)
    assert len(images) == 3
    for image in images:
        assert (MANUAL_DIR / image).is_file(), image
