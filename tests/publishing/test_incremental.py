"""The static build over the shared test portal: what the output holds, what an
incremental build after a publish, unpublish, delete or move rewrites, and that a
sequence of incremental builds ends byte-identical to a full build of the same
content.

Builds run in-process (GraphQL executed in this test's transaction) with one
worker; a list page size of 2 makes pagination shift with a few listings.
"""

import gc
import hashlib
import io
import pickle
import re
from pathlib import Path
from urllib.parse import unquote

import pytest
from django.core.files.images import ImageFile
from PIL import Image as PILImage

from builders.build import BuildFailed, BuildOptions, build_site
from builders.output import links_in
from cms.core.models import PortalImage
from cms.listings.models import AkiyaListingPage, AkiyaPhoto
from tests import factories

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def pelicanconf(tmp_path):
    """The real Pelican settings with absolute paths and lists of two items."""
    source = (ROOT / "site" / "pelicanconf.py").read_text()
    source = source.replace('"../content"', repr(str(ROOT / "content")))
    source = source.replace('"../themes/portal"', repr(str(ROOT / "themes" / "portal")))
    source += "\nPORTAL_LIST_PAGE_SIZE = 2\n"
    path = tmp_path / "pelicanconf.py"
    path.write_text(source)
    return path


@pytest.fixture
def builder(tmp_path, pelicanconf):
    """``build(name, full=False, workers=1)`` builds into tmp_path/name (own state;
    the image cache is shared)."""

    def build(name="site", full=False, workers=1):
        folder = tmp_path / name
        return build_site(
            BuildOptions(
                full=full,
                output_dir=folder / "output",
                state_path=folder / "state.sqlite3",
                cache_dir=tmp_path / "image-cache",
                workers=workers,
                pelicanconf=pelicanconf,
            )
        )

    build.output = lambda name="site": tmp_path / name / "output"
    return build


def digests(folder: Path) -> dict[str, str]:
    return {
        str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def html(folder: Path, url_path: str) -> str:
    return (folder / url_path.strip("/") / "index.html").read_text()


def publish(page):
    page.save_revision().publish()
    return page


def assert_same_as_full_build(builder, name="site"):
    builder("reference", full=True)
    incremental, full = (
        digests(builder.output(name)),
        digests(builder.output("reference")),
    )
    assert incremental.keys() == full.keys()
    different = [path for path in full if full[path] != incremental[path]]
    assert not different, f"differ from a full build: {different[:10]}"


def test_full_build_holds_public_content_only(builder, portal):
    private = factories.add_akiya(
        portal.section("mito"), title="限定公開の物件", registration_number="mito-p"
    )
    from wagtail.models import PageViewRestriction

    PageViewRestriction.objects.create(
        page=private, restriction_type=PageViewRestriction.PASSWORD, password="x"
    )
    summary = builder(full=True)
    output = builder.output()

    # Every CMS page is rendered; Pelican renders content/'s Markdown pages itself.
    assert summary.full and summary.pages_total >= summary.pages_rendered > 10
    site_text = "\n".join(
        p.read_text(errors="ignore")
        for p in output.rglob("*")
        if p.is_file()
        and p.suffix in (".html", ".xml", ".atom", ".ics", ".json", ".txt")
    )
    assert "水戸市の公開物件" in site_text
    assert "下書き物件" not in site_text  # drafts of every municipality
    assert "限定公開の物件" not in site_text
    assert not (output / private.url_path.removeprefix("/home/")).exists()
    for name in ("sitemap.xml", "robots.txt", "feed.atom", "404.html", "index.html"):
        assert (output / name).is_file(), name
    assert list(output.rglob("*.ics")), "an .ics file per event"
    assert "<loc>" in (output / "sitemap.xml").read_text()


def test_a_build_leaves_nothing_of_itself_in_memory(builder, portal):
    """The publishing task worker builds again and again in one process: once a
    build is over, its session and site model (every page's card) are gone, also
    from Pelican's memoized page methods."""
    from builders.build import BuildSession
    from builders.site import SiteModel

    builder(full=True)
    builder(full=True)
    gc.collect()
    alive = [o for o in gc.get_objects() if type(o) in (BuildSession, SiteModel)]
    assert not alive


def test_second_build_without_changes_writes_nothing(builder, portal):
    builder(full=True)
    before = {p: p.stat().st_mtime_ns for p in builder.output().rglob("*")}
    summary = builder()
    assert not summary.full
    assert summary.files_written == 0 and summary.files_deleted == 0
    assert summary.files_unchanged == summary.files_total
    assert {p: p.stat().st_mtime_ns for p in builder.output().rglob("*")} == before


def test_editing_a_listing_rewrites_only_what_shows_it(builder, portal):
    listing = factories.add_akiya(
        portal.section("mito"), title="川沿いの古民家", registration_number="mito-9"
    )
    builder(full=True)
    listing.title = "川沿いの古民家（価格改定）"
    listing.price_yen = 2_500_000
    publish(listing)

    summary = builder()
    written = set(summary.written_paths)
    listing_file = listing.url_path.removeprefix("/home/") + "index.html"
    assert listing_file in written
    assert "towns/mito/index.html" in written  # its municipality page
    assert "towns/mito/akiya/index.html" in written  # its list
    # Other municipalities' pages are not touched.
    assert not any(path.startswith("towns/daigo/") for path in written), written
    assert summary.files_unchanged > len(written)
    assert "価格改定" in html(builder.output(), listing.url_path.removeprefix("/home/"))
    assert_same_as_full_build(builder)


def test_unpublish_and_delete_remove_the_page_and_its_mentions(builder, portal):
    first = factories.add_akiya(
        portal.section("tsukuba"), title="研究学園の戸建て", registration_number="tk-8"
    )
    second = factories.add_akiya(
        portal.section("tsukuba"), title="筑波山麓の土地", registration_number="tk-9"
    )
    builder(full=True)
    output = builder.output()
    first_file = output / first.url_path.removeprefix("/home/") / "index.html"
    second_file = output / second.url_path.removeprefix("/home/") / "index.html"
    assert first_file.is_file() and second_file.is_file()

    first.unpublish()
    builder()
    assert not first_file.exists()
    assert "研究学園の戸建て" not in html(output, "towns/tsukuba/akiya")
    sitemap = unquote((output / "sitemap.xml").read_text())  # URLs are %-encoded
    assert "/" + first.url_path.removeprefix("/home/") not in sitemap
    assert "/" + second.url_path.removeprefix("/home/") in sitemap

    second.delete()
    summary = builder()
    assert not second_file.exists()
    assert summary.files_deleted >= 1
    assert "筑波山麓の土地" not in html(output, "towns/tsukuba")
    assert_same_as_full_build(builder)


def test_moving_a_listing_to_another_municipality(builder, portal):
    listing = factories.add_akiya(
        portal.section("mito"), title="引っ越す物件", registration_number="mv-1"
    )
    builder(full=True)
    output = builder.output()
    old_file = output / listing.url_path.removeprefix("/home/") / "index.html"
    assert old_file.is_file()

    listing.move(portal.section("daigo"), pos="last-child")
    listing.refresh_from_db()
    listing.municipality = portal.daigo
    publish(listing)
    builder()

    assert not old_file.exists()
    assert (output / listing.url_path.removeprefix("/home/") / "index.html").is_file()
    assert "引っ越す物件" not in html(output, "towns/mito/akiya")
    assert "引っ越す物件" in html(output, "towns/daigo/akiya")
    assert_same_as_full_build(builder)


def test_pagination_shifts_when_listings_come_and_go(builder, portal):
    section = portal.section("daigo")
    builder(full=True)
    output = builder.output()
    assert not (output / "towns/daigo/akiya/page").exists()

    added = [
        factories.add_akiya(
            section, title=f"大子の物件{n}", registration_number=f"dg-{n}"
        )
        for n in range(4)
    ]
    builder()
    # 1 earlier listing + 4: three pages of two.
    assert (output / "towns/daigo/akiya/page/3/index.html").is_file()
    assert_same_as_full_build(builder)

    for page in added[:3]:
        page.unpublish()
    summary = builder()
    assert not (output / "towns/daigo/akiya/page/3").exists()
    assert not (output / "towns/daigo/akiya/page/2").exists()
    assert "towns/daigo/akiya/page/3/index.html" in summary.deleted_paths
    assert_same_as_full_build(builder)


def test_a_broken_internal_link_fails_the_build_naming_page_and_link(builder, portal):
    listing = factories.add_akiya(
        portal.section("mito"),
        title="リンク切れの物件",
        registration_number="bl-1",
        description='<p>詳しくは<a href="/towns/mito/no-such-page/">こちら</a></p>',
    )
    with pytest.raises(BuildFailed) as failure:
        builder(full=True)
    message = str(failure.value) + "\n".join(failure.value.summary.broken_links)
    assert "/towns/mito/no-such-page/" in message
    assert listing.url_path.removeprefix("/home") in message


def _photo_with_gps(collection, colour=(90, 140, 60), orientation=1) -> PortalImage:
    picture = PILImage.new("RGB", (1600, 1200), colour)
    exif = PILImage.Exif()
    exif[0x010F] = "TestCamera"  # Make
    exif[0x0112] = orientation
    exif[0x8825] = {1: "N", 2: (36.0, 20.0, 0.0), 3: "E", 4: (140.0, 26.0, 0.0)}
    buffer = io.BytesIO()
    picture.save(buffer, "JPEG", exif=exif)
    image = PortalImage(
        title="GPS付きの写真", description="畑の写真", collection=collection
    )
    image.file = ImageFile(io.BytesIO(buffer.getvalue()), name="gps.jpg")
    image.save()
    return image


def _listing_with_photo(portal, number: int, **photo) -> AkiyaListingPage:
    listing = factories.add_akiya(
        portal.section("mito"),
        title=f"写真のある物件{number}",
        registration_number=f"img-{number}",
    )
    AkiyaPhoto.objects.create(
        page=listing,
        image=_photo_with_gps(portal.mito.collection, **photo),
        caption="外観",
    )
    return publish(AkiyaListingPage.objects.get(pk=listing.pk))


def _pictures(output: Path, page: str) -> list[tuple[str, int, int]]:
    """(file, width, height) of each image file a page shows, checked against
    the file: it is in the output, its size is the one the page gives."""
    found = []
    for tag in re.findall(r"<(?:img|source) [^>]*>", page):
        width, height = (re.search(rf'{a}="(\d+)"', tag) for a in ("width", "height"))
        for path in re.findall(r"/media/[\w.]+", tag):
            with PILImage.open(output / path.lstrip("/")) as made:
                if width and made.width == int(width.group(1)):
                    assert made.height == int(height.group(1)), tag
            found.append((path, made.width, made.height))
    return found


def test_images_are_resized_hashed_and_stripped_of_exif(builder, portal):
    listing = factories.add_akiya(
        portal.section("mito"), title="写真のある物件", registration_number="img-1"
    )
    AkiyaPhoto.objects.create(
        page=listing, image=_photo_with_gps(portal.mito.collection), caption="外観"
    )
    publish(AkiyaListingPage.objects.get(pk=listing.pk))
    builder(full=True)
    output = builder.output()
    page = html(output, listing.url_path.removeprefix("/home/"))

    media = sorted((output / "media").iterdir())
    webp = [p for p in media if p.suffix == ".webp"]
    jpeg = [p for p in media if p.suffix == ".jpg"]
    assert webp and jpeg, "WebP plus a JPEG fallback"
    for path in webp + jpeg:
        assert f"/media/{path.name}" in page or path.name not in page
        with PILImage.open(path) as image:
            assert not image.getexif(), f"{path.name} keeps EXIF"
            assert image.width <= 2400
        # Hashed names: a new source (a new key) gets new names.
        assert len(path.stem) >= 16
    images = re.findall(r"<img [^>]*>", page)
    assert images, page
    for tag in images:
        assert "width=" in tag and "height=" in tag, tag
    # Cached between builds: a second full build resizes nothing.
    summary = builder("again", full=True)
    assert summary.phases.get("images", 0) < 5


def test_images_are_made_in_the_background_as_planned_from_their_headers(
    builder, portal
):
    lying = _listing_with_photo(portal, 1)
    # EXIF orientation 6: the camera was turned, the picture is shown upright.
    standing = _listing_with_photo(portal, 2, colour=(200, 90, 40), orientation=6)
    summary = builder(full=True, workers=2)
    assert not summary.warnings, summary.warnings
    output = builder.output()
    for listing, upright in ((lying, (1440, 1080)), (standing, (1200, 1600))):
        shown = _pictures(output, html(output, listing.url_path.removeprefix("/home/")))
        assert shown, "the page shows its photo"
        assert max((w, h) for _, w, h in shown) == upright
    # A build from nothing, with its images made one at a time, names and sizes
    # them the same.
    builder("from-nothing", full=True)
    assert digests(builder.output("from-nothing")) == digests(output)


def test_an_image_that_cannot_be_made_is_left_off_its_page(
    builder, portal, monkeypatch
):
    from builders import images

    good = _listing_with_photo(portal, 1)
    bad = _listing_with_photo(portal, 2, colour=(250, 250, 250))
    make_variants = images.make_variants

    def failing(data, key):  # runs in the image threads
        with PILImage.open(io.BytesIO(data)) as opened:
            if opened.getpixel((0, 0))[0] > 240:
                raise OSError("壊れたファイル")
        return make_variants(data, key)

    monkeypatch.setattr(images, "make_variants", failing)
    summary = builder(full=True, workers=2)
    assert any("壊れたファイル" in w for w in summary.warnings), summary.warnings
    output = builder.output()
    assert _pictures(output, html(output, good.url_path.removeprefix("/home/")))
    assert not _pictures(output, html(output, bad.url_path.removeprefix("/home/")))
    # Not cached as made: the next build tries again, and with the file mended
    # shows it.
    monkeypatch.setattr(images, "make_variants", make_variants)
    summary = builder()
    assert not summary.warnings, summary.warnings
    assert _pictures(output, html(output, bad.url_path.removeprefix("/home/")))


def test_faq_page_chat_widget_and_analytics_script(builder, portal):
    from tests.chat.conftest import make_answer

    answer = make_answer(
        "shienkin",
        "移住支援金はいくらもらえますか",
        "世帯で移住する場合は最大100万円です。",
        category="移住支援金",
        link_url="/towns/mito/",
    )
    make_answer("inactive", "使われていない質問", active=False)
    builder(full=True)
    output = builder.output()
    faq = html(output, "faq")
    assert "移住支援金はいくらもらえますか" in faq and "最大100万円" in faq
    assert 'id="faq-shienkin"' in faq and 'href="/towns/mito/"' in faq
    assert '"@type":"FAQPage"' in faq
    assert "使われていない質問" not in faq

    home = html(output, "")
    loader = re.search(r'<script src="(/assets/chat-\w+/chat-loader\.js)"', home)
    tracker = re.search(r'<script defer src="(/assets/collect\.\w+\.js)"', home)
    assert loader and tracker, "every page loads the chat widget and analytics"
    assert 'data-faq-url="/faq/"' in home
    for src in (loader.group(1), tracker.group(1)):
        assert (output / src.lstrip("/")).is_file()
    # The loader fetches the panel from its own folder.
    assert (output / loader.group(1).lstrip("/")).with_name("chat-widget.js").is_file()

    answer.question = "移住支援金の金額は？"
    answer.save()
    summary = builder()
    assert "faq/index.html" in summary.written_paths
    assert summary.pages_rendered == 1
    assert "移住支援金の金額は？" in html(output, "faq")


def test_links_are_collected_from_href_and_src_only():
    page = (
        b'<a href="/akiya/?page=2">x</a><a href="/towns/mito/#desk">y</a>'
        b'<img src="/media/a.jpg" srcset="/media/b.jpg 480w" data-src="/media/c.jpg">'
        b'<a href="//cdn.example.jp/x">z</a><a href="https://example.jp/">e</a>'
        b'<form action="/search/"></form><link href="/assets/site.css">'
        b'<a href="/\xe7\x94\xba/">\xe7\x94\xba</a>'
    )
    assert links_in(page) == (
        "/akiya/",
        "/assets/site.css",
        "/media/a.jpg",
        "/media/c.jpg",
        "/towns/mito/",
        "/町/",
    )


def test_a_link_found_on_many_pages_is_one_string_in_memory():
    """A full build keeps the links of every file until its link check: the
    header's and footer's, on every page, are one object each, and a render
    worker's chunk of pages reaches the build process with each link once."""
    first = links_in(b'<a href="/akiya/">a</a><a href="/towns/mito/">m</a>')
    second = links_in(b'<a href="/towns/mito/">m</a><img src="/media/x.jpg">')
    assert first[1] == second[1] == "/towns/mito/"
    assert first[1] is second[1]
    received = pickle.loads(pickle.dumps([first, second]))
    assert received[0][1] is received[1][1]
