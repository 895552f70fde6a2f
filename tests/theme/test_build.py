"""What the theme's build adds, read from the built files: the akiya finder's
index, SEO and sharing metadata, the performance budget, and the Pagefind index
(switchable, and left alone when no page changed). The rules of
``builders.finder`` are tested without a build, and so is the renderer's key lookup."""

import gzip
import json
import re
from urllib.parse import unquote, urlsplit

import jinja2
import pytest

from builders import finder, search
from builders.render import DictFirstEnvironment, dict_first

from .conftest import (
    KOMINKA,
    MITO_LAND,
    MITO_RENT,
    RECRUITMENT,
    ROOT,
    SUPPORT_MEASURES,
    TRIAL_STAY,
    build_into,
)

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


def test_templates_look_up_dict_keys_as_jinja_does():
    """The renderer's environment reads ``page.title`` from a dict's key at once;
    a name dict has itself (``items``) still means the method, and a missing key
    is still undefined."""
    env = dict_first(jinja2.Environment())
    assert isinstance(env, DictFirstEnvironment)
    template = env.from_string(
        "{{ d.title }}|{{ d.items() | list | length }}|{{ d.gone is undefined }}"
        "|{{ n.real }}"
    )
    assert template.render(d={"title": "古民家", "items": 3}, n=7) == "古民家|2|True|7"


def test_the_template_cache_folder_is_made_again_when_it_was_deleted(tmp_path):
    """A long-running worker keeps its bytecode cache object between builds; a
    build after the cache folder was deleted must not fail writing to it."""
    import shutil

    from builders.pelican_plugin import _bytecode_cache

    folder = tmp_path / "jinja"
    first = _bytecode_cache(folder)
    shutil.rmtree(folder)
    assert _bytecode_cache(folder) is first
    assert folder.is_dir()


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
        if "https://example.jp/online" in p.read_text("utf-8")  # the online event
    )
    event = next(
        d for d in json_ld(event_file.read_text("utf-8")) if d["@type"] == "Event"
    )
    assert event["eventAttendanceMode"].endswith("MixedEventAttendanceMode")
    assert event["offers"]["price"] == 0
    assert (event_file.parent / "event.ics").exists()

    town = json_ld((out / "towns" / "mito" / "index.html").read_text("utf-8"))
    assert any(d["@type"] == "GovernmentOrganization" for d in town)


def detail_html(theme_site, folder: str, title: str) -> str:
    for page in theme_site.output.glob(f"towns/*/{folder}/*/index.html"):
        html = page.read_text("utf-8")
        if f'<h1 class="page-title">{title}</h1>' in html:
            return html
    raise AssertionError(f"no page {title!r} under {folder}/")


def test_recruitment_carries_a_job_posting_with_the_fields_google_documents(
    theme_site,
):
    html = detail_html(theme_site, "recruitment", RECRUITMENT)
    job = next(d for d in json_ld(html) if d["@type"] == "JobPosting")
    assert job["title"] == RECRUITMENT
    assert "<p>観光案内所の運営と発信を担います。</p>" in job["description"]
    assert job["datePosted"] == "2026-04-01"  # the application start
    assert job["validThrough"] == "2027-03-31T23:59:59+09:00"
    assert job["employmentType"] == "TEMPORARY"  # 会計年度任用職員: fixed term
    assert job["hiringOrganization"] == {
        "@type": "GovernmentOrganization",
        "name": "大子町",
    }
    assert job["jobLocation"]["address"] == {
        "@type": "PostalAddress",
        "addressCountry": "JP",
        "addressLocality": "大子町",
    }
    assert job["baseSalary"]["currency"] == "JPY"
    assert job["baseSalary"]["value"] == {
        "@type": "QuantitativeValue",
        "value": 240_000,
        "unitText": "MONTH",
    }


def facts(html: str) -> dict[str, str]:
    return dict(re.findall(r'<th scope="row"[^>]*>([^<]+)</th><td>([^<]*)</td>', html))


def test_trial_stay_and_recruitment_pages_show_every_fact_and_how_to_apply(
    theme_site,
):
    stay = detail_html(theme_site, "trial-stays", TRIAL_STAY)
    assert facts(stay) == {
        "施設名": "山の家",
        "所在地": "茨城県久慈郡大子町テスト",
        "市町村": "大子町",
        "定員": "4名",
        "滞在できる日数": "2泊〜30泊",
        "利用料": "1泊 2,000円",
        "利用料の補足": "光熱費込み",
        "設備": "家具、インターネット（Wi-Fi）、駐車場",
        "設備の補足": "寝具は持参してください。",
        "受付期間": "2026年4月1日（水）〜2027年3月31日（水）",
        "利用できる時期": "通年（年末年始を除く）",
        "予約の連絡先": "大子町 まちづくり課 0295-00-0000",
    }
    assert "<figcaption>山の家の外観</figcaption>" in stay  # the photos
    assert 'id="apply"' in stay and 'href="https://example.jp/daigo/booking"' in stay
    assert "この施設の問い合わせ先" in stay and "大子町 移住相談窓口" in stay

    job = detail_html(theme_site, "recruitment", RECRUITMENT)
    assert facts(job) == {
        "募集人数": "2名",
        "勤務地": "大子町",
        "雇用形態": "会計年度任用職員",
        "月額報酬": "240,000円",
        "報酬の補足": "期末手当あり",
        "住まいの支援": "町が住宅を用意します。\n家賃は町が負担します。",
        "募集期間": "2026年4月1日（水）〜2027年3月31日（水）",
    }
    assert "応募締切：" in job and "2027年3月31日（水）" in job
    for section in ("活動内容", "勤務条件", "応募資格", "選考の流れ"):
        assert f">{section}</h" in job, section
    assert 'href="https://example.jp/daigo/apply"' in job
    assert "募集要項をダウンロード（PDF" in job
    assert "この募集の問い合わせ先" in job


def card_facts(html: str, title: str) -> dict[str, str]:
    start = html.index(f">{title}</h")
    card = html[start : html.index("</article>", start)]
    return dict(re.findall(r"<dt>([^<]+)</dt><dd>([^<]+)</dd>", card))


def test_trial_stay_and_recruitment_lists_show_key_facts_on_their_cards(theme_site):
    out = theme_site.output
    stays = (out / "trial-stays" / "index.html").read_text("utf-8")
    assert card_facts(stays, TRIAL_STAY) == {
        "施設": "山の家",
        "料金": "1泊 2,000円",
        "定員": "4名",
    }
    jobs = (out / "recruitment" / "index.html").read_text("utf-8")
    assert card_facts(jobs, RECRUITMENT) == {
        "報酬": "月額 240,000円",
        "募集": "2名",
        "締切": "2027年3月31日（水）",
    }
    town = (out / "towns" / "daigo" / "trial-stays" / "index.html").read_text("utf-8")
    assert card_facts(town, TRIAL_STAY)["料金"] == "1泊 2,000円"


def test_prefecture_support_list_holds_every_measure_with_its_category_and_town(
    theme_site,
):
    html = (theme_site.output / "support" / "index.html").read_text("utf-8")
    cards = re.findall(
        r'data-category="([^"]+)" data-town="([^"]+)">\s*<a class="card__link"'
        r'[^>]*>.*?<h3 class="card__title">([^<]+)</h3>',
        html,
        re.S,
    )
    found = {title: (town, category) for category, town, title in cards}
    labels = {
        "relocation_grant": "移住支援金",
        "housing": "住まい",
        "childcare": "子育て",
        "work": "仕事",
    }
    assert found == {
        title: (town or "pref", labels[category])
        for town, category, title in SUPPORT_MEASURES
    }


def test_sitemap_lists_every_public_page_but_not_the_search_page(theme_site):
    out = theme_site.output
    sitemap = (out / "sitemap.xml").read_text("utf-8")
    paths = {urlsplit(url).path for url in re.findall(r"<loc>([^<]+)</loc>", sitemap)}
    assert all(path.isascii() for path in paths)  # percent-encoded
    paths = {unquote(path) for path in paths}
    assert {"/", "/desks/", "/faq/", "/support/", "/towns/", "/akiya/"} <= paths
    assert {"/trial-stays/", "/recruitment/", "/events/"} <= paths
    # Every hand-written page of content/ that is not a draft.
    for source in (ROOT / "content" / "pages").glob("*.md"):
        meta = dict(
            line.split(": ", 1)
            for line in source.read_text("utf-8").split("\n\n")[0].splitlines()
        )
        if meta.get("Status") != "draft":
            assert f"/{meta['Slug']}/" in paths, source.name
    # Every page written is listed, except search, the 404 page and paging.
    written = {
        "/" + "".join(f"{part}/" for part in page.parent.relative_to(out).parts)
        for page in out.rglob("index.html")
        if "pagefind" not in page.parts and "page" not in page.parts
    }
    assert written - paths == {"/search/"}
    assert paths <= written
    assert "/search/" not in paths
    search = (out / "search" / "index.html").read_text("utf-8")
    assert '<meta name="robots" content="noindex">' in search


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
    for shard in range(search.SHARDS):  # every shard has pages and its own bundle
        folder = output / search.shard_folder(shard)
        assert (folder / "pagefind.js").exists()
        assert list((folder / "fragment").iterdir())
    assert any(p.startswith("pagefind/") for p in summary.written_paths)
    stamps = {p: p.stat().st_mtime_ns for p in index if p.is_file()}

    again = build_into(tmp_path)
    assert again.files_written == 0
    assert {p: p.stat().st_mtime_ns for p in stamps} == stamps


def test_search_copy_is_the_element_pagefind_reads_and_nothing_around_it():
    page = (
        '<!doctype html><html lang="ja"><head><title>題</title></head><body>'
        "<header>ナビ</header><main id=main data-pagefind-body><div><h1>見出し</h1>"
        "<div>本文</div></div></main><footer>フッター</footer></body></html>"
    ).encode()
    copy = search.search_copy(page)
    assert b"<h1>\xe8\xa6\x8b\xe5\x87\xba\xe3\x81\x97</h1>" in copy  # 見出し
    assert "本文".encode() in copy
    assert "ナビ".encode() not in copy and "フッター".encode() not in copy
    assert search.search_copy(b"<html><body><main>x</main></body></html>") is None
    # An element of the same name inside the marked one: up to the last closing tag.
    nested = b"<body><div data-pagefind-body><div>a</div>b</div><p>c</p></body>"
    assert b"<div>a</div>b</div>" in search.search_copy(nested)


def _fragments(index) -> list[dict]:
    records = [
        json.loads(gzip.decompress(f.read_bytes()).removeprefix(b"pagefind_dcd"))
        for f in (index / "fragment").iterdir()
    ]
    return sorted(records, key=lambda r: r["url"])


def test_pagefind_indexes_a_pages_search_copy_as_the_page_itself(theme_site, tmp_path):
    """The copies Pagefind is given (a third of the bytes) make the same index:
    the same records (text, title, image, anchors) and the same word index."""
    output = theme_site.output
    whole = {}
    for file in output.rglob("*.html"):
        path = file.relative_to(output).as_posix()
        data = file.read_bytes()
        if search.is_indexed(path) and b"data-pagefind-body" in data:
            whole[path] = data
    copies = {path: search.search_copy(data) for path, data in whole.items()}
    assert len(whole) > 20
    assert sum(map(len, copies.values())) < sum(map(len, whole.values())) / 2

    search.write_files(tmp_path / "pages", whole)
    search.write_files(tmp_path / "copies", copies)
    from_pages = search._run(
        search._make_index(tmp_path / "pages", tmp_path / "pages-index")
    )
    from_copies = search._run(
        search._make_index(tmp_path / "copies", tmp_path / "copies-index")
    )
    records = _fragments(from_pages)
    assert records == _fragments(from_copies)
    assert any(r["meta"].get("image") for r in records)
    assert sorted(p.name for p in (from_pages / "index").iterdir()) == sorted(
        p.name for p in (from_copies / "index").iterdir()
    )
