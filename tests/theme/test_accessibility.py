"""axe-core (npm package, injected into the page) on every template of the
theme, at phone and desktop sizes: no serious or critical violations of WCAG 2.1
A/AA (the level JIS X 8341-3:2016 AA asks for)."""

import pytest

from tests.real_parts import DESKTOP, PHONE, axe_violations

from .conftest import screenshot
from .test_browser import template_pages

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_no_template_has_serious_or_critical_axe_violations(
    browser, theme_site, axe_source, size
):
    context = browser.new_context(
        viewport=PHONE if size == "phone" else DESKTOP, locale="ja-JP"
    )
    page = context.new_page()
    found = {}
    try:
        for name, path in template_pages(theme_site).items():
            page.goto(theme_site.url + path)
            if name == "search":
                page.locator("#search-results li").first.wait_for()
            if name == "akiya_finder":
                page.locator("#finder").wait_for(state="visible")
            if name in ("support_index", "support_town_index"):
                page.locator("#support-finder[data-ready]").wait_for()
            problems = axe_violations(page, axe_source)
            if problems:
                found[f"{name} {path}"] = problems
            screenshot(page, f"{name}-{size}")
    finally:
        context.close()
    assert not found, found
