"""The public theme in a real browser (Debian's Chromium through Playwright) at
phone (390×844) and desktop (1366×768) sizes, over a portal built with
``build_site`` and served by ``http.server`` (tests/theme/conftest.py).
Screenshots are kept under test-artifacts/theme/."""

import json
import re
from urllib.parse import parse_qs, unquote, urlsplit

import pytest

from builders import search
from tests.real_parts import DESKTOP, PHONE

from .conftest import (
    KOMINKA,
    MITO_LAND,
    MITO_RENT,
    SUPPORT_MEASURES,
    TSUKUBA_SALE,
    screenshot,
)

pytestmark = pytest.mark.django_db

VIEWPORTS = {"phone": PHONE, "desktop": DESKTOP}


@pytest.fixture
def tab(browser, request):
    """A browser tab of the size the test is parametrised with (default phone)."""
    size = getattr(request, "param", "phone")
    context = browser.new_context(
        viewport=VIEWPORTS[size], locale="ja-JP", timezone_id="Asia/Tokyo"
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.js_errors = errors
    yield page
    context.close()


def finder_items(theme_site) -> dict[str, dict]:
    index = json.loads((theme_site.output / "akiya" / "finder.json").read_text("utf-8"))
    return {item["t"]: item for item in index["items"]}


def detail_path(theme_site, kind_folder: str) -> str:
    """The first page below a section folder (``/events/`` …) in the sitemap."""
    sitemap = (theme_site.output / "sitemap.xml").read_text("utf-8")
    for url in re.findall(r"<loc>([^<]+)</loc>", sitemap):
        path = urlsplit(url).path
        parts = [p for p in path.split("/") if p]
        if len(parts) == 4 and parts[0] == "towns" and parts[2] == kind_folder:
            return path
    raise AssertionError(f"no {kind_folder} page in the sitemap")


def template_pages(theme_site) -> dict[str, str]:
    """One URL per template the theme has."""
    return {
        "home": "/",
        "municipality_index": "/towns/",
        "municipality": "/towns/mito/",
        "akiya_index": "/towns/mito/akiya/",
        "akiya_finder": "/akiya/",
        "akiya": finder_items(theme_site)[KOMINKA]["u"],
        "event_list": "/events/",
        "event": detail_path(theme_site, "events"),
        "trial_stay_list": "/trial-stays/",
        "trial_stay": detail_path(theme_site, "trial-stays"),
        "recruitment_list": "/recruitment/",
        "recruitment": detail_path(theme_site, "recruitment"),
        "support_index": "/support/",
        "support_town_index": "/towns/mito/support/",
        "support": detail_path(theme_site, "support"),
        "desks": "/desks/",
        "faq": "/faq/",
        "search": "/search/?q=古民家",
        "content_page": "/accessibility/",
        "privacy_page": "/privacy/",
        "not_found": "/no-such-page/",
    }


# --- Finding a house by clicking ------------------------------------------------


@pytest.mark.parametrize("tab", ["phone", "desktop"], indirect=True)
def test_visitor_reaches_akiya_detail_from_home_by_clicking(tab, theme_site, request):
    tab.goto(theme_site.url + "/")
    towns = tab.get_by_role("main").get_by_role("region", name="市町村から探す")
    towns.get_by_role("link", name="水戸市", exact=True).click()
    tab.wait_for_url("**/towns/mito/")
    assert tab.get_by_role("heading", level=1).inner_text() == "水戸市"
    tab.locator("section:has(#section-akiya) a.card__link").first.click()
    tab.wait_for_url(re.compile(r"/towns/mito/akiya/[^/]+/$"))
    title = tab.get_by_role("heading", level=1).inner_text()
    assert title in finder_items(theme_site)
    assert tab.get_by_role("heading", name="問い合わせ・申し込み方法").is_visible()
    assert tab.get_by_role("table").get_by_text("登録番号").is_visible()
    screenshot(tab, f"akiya-detail-{request.node.callspec.id}")
    assert not tab.js_errors


def test_visitor_finds_a_vacant_house_in_a_chosen_town_in_three_taps(
    browser, theme_site
):
    """The promise of issue 5: on a phone, from the home page to a vacant house in
    the town the visitor chose, in at most three taps (scrolling is free)."""
    context = browser.new_context(
        viewport=PHONE, has_touch=True, is_mobile=True, locale="ja-JP"
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    taps = []

    def tap(locator):
        locator.tap()
        taps.append(locator)

    page.goto(theme_site.url + "/")
    towns = page.get_by_role("main").get_by_role("region", name="市町村から探す")
    tap(towns.get_by_role("link", name="つくば市", exact=True))
    page.wait_for_url("**/towns/tsukuba/")
    tap(page.locator("section:has(#section-akiya) a.card__link").first)
    page.wait_for_url(re.compile(r"/towns/tsukuba/akiya/[^/]+/$"))
    title = page.get_by_role("heading", level=1).inner_text()
    assert finder_items(theme_site)[title]["m"] == town_id(theme_site, "tsukuba")
    assert page.get_by_role("link", name="問い合わせ・申し込み方法").is_visible()
    assert len(taps) <= 3, f"{len(taps)} taps"
    screenshot(page, "three-taps-akiya-phone")
    context.close()


def town_id(theme_site, slug: str) -> int:
    index = json.loads((theme_site.output / "akiya" / "finder.json").read_text("utf-8"))
    return next(t["id"] for t in index["towns"] if t["slug"] == slug)


# --- The akiya finder -------------------------------------------------------------


def shown_titles(tab) -> set[str]:
    return set(tab.locator("#finder-results .card__title").all_inner_texts())


def test_akiya_finder_narrows_results_and_the_url_restores_filters(tab, theme_site):
    tab.goto(theme_site.url + "/akiya/")
    finder = tab.locator("#finder")
    finder.wait_for(state="visible")
    assert tab.locator("[data-finder-fallback]").is_hidden()
    everything = shown_titles(tab)
    assert {KOMINKA, MITO_RENT, MITO_LAND, TSUKUBA_SALE} <= everything

    tab.get_by_label("市町村", exact=True).select_option("mito")
    mito = shown_titles(tab)
    assert KOMINKA in mito and TSUKUBA_SALE not in mito

    tab.get_by_role("radio", name="賃貸").check()
    assert shown_titles(tab) == {MITO_RENT}
    assert tab.locator("#finder-count").inner_text() == "条件に合う物件：1件"

    tab.get_by_role("radio", name="売買").check()
    tab.get_by_text("価格・間取り・面積で絞り込む").click()
    tab.get_by_label("価格（売買）").select_option(str(3_000_000))
    assert shown_titles(tab) == {KOMINKA}  # 280万円; the others cost more
    tab.get_by_role("radio", name="土地のみ").check()
    assert shown_titles(tab) == set()
    tab.get_by_label("価格（売買）").select_option("")
    assert shown_titles(tab) == {MITO_LAND}

    query = parse_qs(urlsplit(tab.url).query)
    assert query == {"m": ["mito"], "d": ["sale"], "k": ["land"]}
    screenshot(tab, "akiya-finder-phone")

    shared = tab.context.new_page()
    shared.goto(tab.url)
    shared.locator("#finder").wait_for(state="visible")
    assert shared.get_by_label("市町村", exact=True).input_value() == "mito"
    assert shared.get_by_role("radio", name="土地のみ").is_checked()
    assert shown_titles(shared) == {MITO_LAND}

    # A shared URL with a price opens the detailed filters it uses.
    shared.goto(theme_site.url + "/akiya/?m=mito&p=3000000")
    shared.locator("#finder").wait_for(state="visible")
    assert shared.get_by_label("価格（売買）").is_visible()
    assert shown_titles(shared) == {KOMINKA}

    shared.get_by_role("button", name="条件をクリア").click()
    shared.wait_for_function("!location.search")
    assert shown_titles(shared) == everything
    assert not tab.js_errors


def test_akiya_list_without_javascript_is_a_plain_list_with_town_links(
    browser, theme_site
):
    context = browser.new_context(viewport=PHONE, java_script_enabled=False)
    page = context.new_page()
    page.goto(theme_site.url + "/akiya/")
    assert page.locator("#finder").is_hidden()
    assert page.locator(".listing .card").count() >= 4
    towns = page.get_by_role("navigation", name="市町村ごとに見る")
    towns.get_by_role("link", name="水戸市").click()
    page.wait_for_url("**/towns/mito/#section-akiya")
    screenshot(page, "akiya-list-no-js-phone")
    context.close()


# --- The support-measure finder ---------------------------------------------------------

SUPPORT_TITLES = {title for _town, _category, title in SUPPORT_MEASURES}
PREF_GRANT, MITO_HOUSING, MITO_CHILDCARE, TSUKUBA_HOUSING, DAIGO_WORK = (
    title for _town, _category, title in SUPPORT_MEASURES
)


def shown_measures(tab) -> set[str]:
    return set(
        tab.locator(
            "[data-support-list] .card--support:visible .card__title"
        ).all_inner_texts()
    )


def test_support_finder_filters_by_category_and_town_and_the_url_restores_them(
    tab, theme_site
):
    tab.goto(theme_site.url + "/support/")
    tab.locator("#support-finder[data-ready]").wait_for()
    # The prefecture's list holds every town's measures too.
    assert shown_measures(tab) == SUPPORT_TITLES
    count = tab.locator("#support-count")
    assert count.get_attribute("role") == "status"
    assert count.get_attribute("aria-live") == "polite"
    assert count.inner_text() == f"条件に合う支援策：{len(SUPPORT_TITLES)}件"

    tab.get_by_label("分野", exact=True).select_option("住まい")
    assert shown_measures(tab) == {MITO_HOUSING, TSUKUBA_HOUSING}
    assert count.inner_text() == "条件に合う支援策：2件"
    # Categories left empty disappear with their jump links.
    assert tab.get_by_role("heading", name="子育て", exact=True).is_hidden()
    toc = tab.get_by_role("navigation", name="分野から探す")
    assert toc.get_by_role("link", name=re.compile("^子育て")).is_hidden()

    tab.get_by_label("市町村", exact=True).select_option("mito")
    assert shown_measures(tab) == {MITO_HOUSING}
    assert parse_qs(urlsplit(tab.url).query) == {"c": ["住まい"], "m": ["mito"]}
    screenshot(tab, "support-finder-phone")

    # A town shows its own measures and the prefecture's, which apply everywhere.
    tab.get_by_label("分野", exact=True).select_option("")
    assert shown_measures(tab) == {MITO_HOUSING, MITO_CHILDCARE, PREF_GRANT}
    tab.get_by_label("市町村", exact=True).select_option("pref")
    assert shown_measures(tab) == {PREF_GRANT}
    tab.get_by_label("分野", exact=True).select_option("子育て")
    assert shown_measures(tab) == set()
    assert tab.get_by_text("条件に合う支援策はありません").is_visible()

    shared = tab.context.new_page()
    shared.goto(theme_site.url + "/support/?c=住まい&m=tsukuba")
    shared.locator("#support-finder[data-ready]").wait_for()
    assert shared.get_by_label("分野", exact=True).input_value() == "住まい"
    assert shared.get_by_label("市町村", exact=True).input_value() == "tsukuba"
    assert shown_measures(shared) == {TSUKUBA_HOUSING}
    shared.get_by_role("button", name="条件をクリア").click()
    shared.wait_for_function("!location.search")
    assert shown_measures(shared) == SUPPORT_TITLES
    assert not tab.js_errors


def test_support_pages_link_into_the_finder_with_their_category_and_town(
    tab, theme_site
):
    tab.goto(theme_site.url + "/towns/mito/")
    tab.get_by_role(
        "link", name=re.compile("水戸市で使える支援策を分野で絞り込む")
    ).click()
    tab.wait_for_url("**/support/?m=mito")
    tab.locator("#support-finder[data-ready]").wait_for()
    assert shown_measures(tab) == {MITO_HOUSING, MITO_CHILDCARE, PREF_GRANT}

    tab.get_by_role("link", name=MITO_HOUSING).click()
    tab.wait_for_url(re.compile(r"/towns/mito/support/[^/]+/$"))
    tab.get_by_role("link", name="「住まい」の支援策をほかにも探す").click()
    tab.locator("#support-finder[data-ready]").wait_for()
    assert shown_measures(tab) == {MITO_HOUSING, TSUKUBA_HOUSING}

    # A town's own list filters by category only.
    tab.goto(theme_site.url + "/towns/mito/support/")
    tab.locator("#support-finder[data-ready]").wait_for()
    assert tab.get_by_label("市町村", exact=True).count() == 0
    tab.get_by_label("分野", exact=True).select_option("子育て")
    assert shown_measures(tab) == {MITO_CHILDCARE}
    assert not tab.js_errors


def test_support_list_without_javascript_is_grouped_with_category_and_town_links(
    browser, theme_site
):
    context = browser.new_context(viewport=PHONE, java_script_enabled=False)
    page = context.new_page()
    page.goto(theme_site.url + "/support/?c=住まい")
    assert page.locator("#support-finder").is_hidden()
    assert shown_measures(page) == SUPPORT_TITLES  # nothing is filtered away
    toc = page.get_by_role("navigation", name="分野から探す")
    toc.get_by_role("link", name=re.compile("^子育て")).click()
    assert page.get_by_role("heading", name="子育て", exact=True).is_visible()
    towns = page.get_by_role("region", name="市町村ごとに見る")
    towns.get_by_role("link", name="つくば市").click()
    page.wait_for_url("**/towns/tsukuba/#section-support")
    context.close()


# --- Search --------------------------------------------------------------------------


@pytest.mark.parametrize("tab", ["desktop"], indirect=True)
def test_search_finds_a_listing_by_a_japanese_word(tab, theme_site):
    tab.goto(theme_site.url + "/")
    box = tab.get_by_role("search", name="サイト内検索").get_by_role("searchbox")
    box.fill("古民家")
    box.press("Enter")
    tab.wait_for_url("**/search/?q=*")
    result = tab.locator("#search-results").get_by_role("link", name=KOMINKA)
    result.wait_for()
    assert "件" in tab.locator("#search-status").inner_text()
    # The index is in shards (builders/search.py): results come from all of them.
    tab.get_by_label("キーワード").fill("移住")
    tab.get_by_label("キーワード").press("Enter")
    results = tab.locator("#search-results li")
    results.nth(search.SHARDS).wait_for()
    more = tab.locator("#search-more")
    while more.is_visible():  # every result, not only the first ten
        shown = results.count()
        more.click()
        results.nth(shown).wait_for()
    hrefs = tab.locator("#search-results a").evaluate_all("a => a.map(e => e.pathname)")
    shards = {search.shard_of(unquote(h).lstrip("/") + "index.html") for h in hrefs}
    assert shards == set(range(search.SHARDS)), hrefs
    # A word only in the listing's summary is found too.
    tab.get_by_label("キーワード").fill("土間")
    tab.get_by_label("キーワード").press("Enter")
    tab.locator("#search-results").get_by_role("link", name=KOMINKA).wait_for()
    screenshot(tab, "search-desktop")
    result = tab.locator("#search-results").get_by_role("link", name=KOMINKA)
    result.click()
    tab.wait_for_url(re.compile(r"/towns/mito/akiya/"))
    assert not tab.js_errors


# --- Layout and keyboard ------------------------------------------------------------


def test_no_page_scrolls_sideways_at_phone_width(tab, theme_site):
    for name, path in template_pages(theme_site).items():
        tab.goto(theme_site.url + path)
        tab.wait_for_load_state("load")
        width = tab.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"{name} ({path}) is {width}px wide"


def focused(tab) -> str:
    return tab.evaluate(
        "(document.activeElement.innerText || document.activeElement.getAttribute('aria-label')"
        " || document.activeElement.className).trim()"
    )


def test_menu_opens_and_is_used_with_the_keyboard_only_on_a_phone(tab, theme_site):
    tab.goto(theme_site.url + "/towns/mito/")
    tab.keyboard.press("Tab")
    assert focused(tab) == "本文へ移動"
    # The skip link shows when focused.
    assert tab.get_by_role("link", name="本文へ移動").is_visible()
    menu = tab.get_by_role("navigation", name="メインメニュー")
    assert menu.is_hidden()
    for _ in range(5):
        tab.keyboard.press("Tab")
        if focused(tab) == "メニュー":
            break
    assert focused(tab) == "メニュー"
    tab.keyboard.press("Enter")
    assert menu.is_visible()
    tab.keyboard.press("Tab")
    assert focused(tab) == "市町村を知る"
    tab.keyboard.press("Tab")
    assert focused(tab) == "空き家バンク"
    screenshot(tab, "menu-open-phone")
    tab.keyboard.press("Enter")
    tab.wait_for_url("**/akiya/")


@pytest.mark.parametrize("tab", ["desktop"], indirect=True)
def test_menu_is_always_shown_and_reached_by_tab_on_a_desktop(tab, theme_site):
    tab.goto(theme_site.url + "/")
    assert tab.get_by_role("navigation", name="メインメニュー").is_visible()
    names = []
    for _ in range(4):
        tab.keyboard.press("Tab")
        names.append(focused(tab))
    assert names[:3] == [
        "本文へ移動",
        tab.locator(".site-title").inner_text(),
        "市町村を知る",
    ]
    outline = tab.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline == "solid"  # focus is visible
    screenshot(tab, "home-desktop")


def test_skip_link_moves_focus_to_the_main_content(tab, theme_site):
    tab.goto(theme_site.url + "/towns/mito/")
    tab.keyboard.press("Tab")
    tab.keyboard.press("Enter")
    assert tab.evaluate("document.activeElement.id") == "main"
