"""What the theme's build adds, read from the built files: the akiya finder's
index, SEO and sharing metadata, the performance budget, and the Pagefind index
(switchable, and left alone when no page changed). The rules of
``builders.finder`` are tested without a build."""

import gzip
import json
import re

import pytest

from builders import finder, search

from .conftest import KOMINKA, MITO_LAND, MITO_RENT, build_into

pytestmark = pytest.mark.django_db

KB = 1024


# --- Finder rules (pure) -------------------------------------------------------------


@pytest.mark.parametrize(
    ("record", "expected"),
    [
        ({"priceLabel": "売買 6,400,000円"}, (6_400_000, None)),
        ({"priceLabel": "賃料 月62,000円"}, (None, 62_000)),
        ({"priceLabel": "売買 7,300,000円／賃料 月85,000円"}, (7_300_000, 85_000)),
        ({"priceLabel": "応相談"}, (None, None)),
        ({"priceLabel": "応相談", "priceYen": 1_000_000}, (1_000_000, None)),
    ],
)
def test_finder_reads_sale_price_and_rent(record, expected):
    assert finder.prices(record) == expected


def test_finder_tells_land_from_houses_and_counts_rooms():
    assert finder.property_kind({"propertyType": {"label": "空き地"}}) == "land"
    assert (
        finder.property_kind({"propertyType": {"label": "空き家（土地付き建物）"}})
        == "house"
    )
    assert finder.rooms("4LDK＋納戸") == 4
    assert finder.rooms("") is None
    sale, rent = 1, 2
    assert finder.deals({"transactionType": {"label": "売買・賃貸"}}, sale, rent) == [
        "sale",
        "rent",
    ]


# --- The built site ---------------------------------------------------------------------


def test_finder_index_has_the_facts_visitors_filter_by(theme_site):
    index = json.loads((theme_site.output / "akiya" / "finder.json").read_text("utf-8"))
    items = {item["t"]: item for item in index["items"]}
    assert "水戸市の下書き物件" not in items  # drafts never reach the site
    kominka = items[KOMINKA]
    assert kominka["d"] == ["sale"] and kominka["k"] == "house"
    assert (kominka["p"], kominka["n"], kominka["a"]) == (2_800_000, 6, 520.0)
    assert items[MITO_RENT]["d"] == ["rent"] and items[MITO_RENT]["r"] == 55_000
    assert items[MITO_LAND]["k"] == "land"
    towns = {t["slug"]: t["count"] for t in index["towns"]}
    assert towns["mito"] == 4


def json_ld(html: str) -> list[dict]:
    return [
        json.loads(block)
        for block in re.findall(
            r'<script type="application/ld\+json">(.*?)</script>', html, re.S
        )
    ]


def test_pages_carry_titles_descriptions_canonical_urls_and_structured_data(theme_site):
    out = theme_site.output
    home = (out / "index.html").read_text("utf-8")
    assert '<html lang="ja"' in home
    assert re.search(r'<meta name="description" content="[^"]+">', home)
    graph = json_ld(home)[0]["@graph"]
    assert {node["@type"] for node in graph} == {"WebSite", "GovernmentOrganization"}

    akiya = next(out.glob("towns/mito/akiya/*古民家*/index.html")).read_text("utf-8")
    assert f"<title>{KOMINKA} | " in akiya
    assert re.search(
        r'<link rel="canonical" href="https?://[^"]+/towns/mito/akiya/', akiya
    )
    assert '<meta property="og:title"' in akiya and 'name="twitter:card"' in akiya
    crumbs = next(d for d in json_ld(akiya) if d["@type"] == "BreadcrumbList")
    assert crumbs["itemListElement"][-1]["name"] == KOMINKA

    event_file = next(
        p
        for p in out.glob("towns/mito/events/*/index.html")
        if "オンライン" in p.read_text("utf-8")
    )
    event = next(
        d for d in json_ld(event_file.read_text("utf-8")) if d["@type"] == "Event"
    )
    assert event["eventAttendanceMode"].endswith("MixedEventAttendanceMode")
    assert event["offers"]["price"] == 0
    assert (event_file.parent / "event.ics").exists()

    town = json_ld((out / "towns" / "mito" / "index.html").read_text("utf-8"))
    assert any(d["@type"] == "GovernmentOrganization" for d in town)


def test_pages_stay_within_the_performance_budget(theme_site):
    out = theme_site.output
    for page in out.rglob("*.html"):
        if "pagefind" in page.parts:
            continue
        size = len(gzip.compress(page.read_bytes()))
        assert size <= 60 * KB, f"{page.relative_to(out)}: {size} bytes compressed"
    css = sum(p.stat().st_size for p in (out / "assets").glob("*.css"))
    js = sum(p.stat().st_size for p in (out / "assets").glob("*.js"))
    assert css <= 30 * KB and js <= 50 * KB, (css, js)
    # No third-party requests: every script and stylesheet is the site's own.
    home = (out / "index.html").read_text("utf-8")
    assert not re.search(r'(?:src|href)="(?:https?:)?//[^"]+\.(?:js|css)', home)


def test_search_index_is_switchable_and_left_alone_when_no_page_changed(
    tmp_path, monkeypatch
):
    monkeypatch.setenv("PORTAL_SEARCH", "0")
    build_into(tmp_path)
    output = tmp_path / "output"
    assert (output / "search" / "index.html").exists()
    assert not (output / search.INDEX_FOLDER).exists()

    monkeypatch.setenv("PORTAL_SEARCH", "1")
    summary = build_into(tmp_path)
    index = sorted((output / search.INDEX_FOLDER).rglob("*"))
    assert any(p.name == "pagefind.js" for p in index)
    assert any(p.startswith("pagefind/") for p in summary.written_paths)
    stamps = {p: p.stat().st_mtime_ns for p in index if p.is_file()}

    again = build_into(tmp_path)
    assert again.files_written == 0
    assert {p: p.stat().st_mtime_ns for p in stamps} == stamps
