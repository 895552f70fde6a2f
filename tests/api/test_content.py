"""Content as the builder receives it: StreamField blocks as typed objects, rich
text with public URLs, images as allowed renditions only, related content."""

import pytest
from wagtail.models import PageViewRestriction

from cms.api.queries import query_text
from cms.api.richtext import EmbeddedImage, expand, references_in
from cms.core.models import ConsultationDesk
from tests import factories

from .builders import add_photo_akiya, body_with_references, event_section, publish

pytestmark = pytest.mark.django_db


@pytest.fixture
def event_with_body(portal):
    town = portal.mito
    image = factories.make_image(town.collection, "body-image", "本文の写真")
    document = factories.make_document(town.collection, "申込書")
    desk = ConsultationDesk.objects.filter(municipality=town).first()
    target = factories.add_akiya(
        portal.section("mito"), title="リンク先の物件", registration_number="b-1"
    )
    page = factories.add_event(
        event_section("mito"), title="本文のあるイベント", publish=False
    )
    page.body = body_with_references(image, document, desk, target)
    publish(page)
    return page, image, document, desk, target


def test_every_block_comes_out_typed_with_its_references_resolved(
    gql, event_with_body, settings
):
    page, _image, document, desk, target = event_with_body
    body = gql(query_text("snapshot"), {"offset": 0, "limit": 200})
    [item] = [i for i in body["data"]["pages"]["items"] if i["id"] == str(page.pk)]
    blocks = {block["__typename"]: block for block in item["body"]}
    assert list(blocks) == [
        "HeadingBlock",
        "ParagraphBlock",
        "ImageBlock",
        "GalleryBlock",
        "TableBlock",
        "ButtonBlock",
        "FaqBlock",
        "QuoteBlock",
        "DocumentBlock",
        "DeskBlock",
    ]
    target_url = f"{settings.PORTAL_SITE_URL}/towns/mito/akiya/{target.slug}/"
    assert f'<a href="{target_url}">リンク</a>' in blocks["ParagraphBlock"]["html"]
    assert target_url in blocks["FaqBlock"]["answer"]
    assert blocks["ButtonBlock"]["url"] == target_url
    assert blocks["ButtonBlock"]["page"]["path"] == f"/towns/mito/akiya/{target.slug}/"
    assert blocks["ImageBlock"]["alt"] == "説明"
    assert blocks["ImageBlock"]["image"]["rendition"]["url"].startswith(
        "/media/images/"
    )
    assert blocks["ImageBlock"]["image"]["rendition"]["fullUrl"].startswith(
        "http://testserver/media/"
    )
    assert blocks["GalleryBlock"]["images"][0]["decorative"] is True
    assert blocks["GalleryBlock"]["images"][0]["alt"] == ""
    assert blocks["TableBlock"]["rows"] == [["項目", "内容"], ["家賃", None]]
    assert blocks["DocumentBlock"]["label"] == "申込書"
    assert blocks["DocumentBlock"]["document"]["url"] == (
        f"{settings.PORTAL_SITE_URL}/documents/{document.pk}/{document.filename}"
    )
    assert blocks["DeskBlock"]["desk"]["name"] == desk.name


def test_links_to_pages_that_are_not_public_lose_their_href(gql, event_with_body):
    page, _image, _document, _desk, target = event_with_body
    PageViewRestriction.objects.create(page=target, restriction_type="login")
    data = gql(
        "query($id: ID!) { page(id: $id) { ... on EventPage { body { "
        "... on ParagraphBlock { html } ... on ButtonBlock { url page { id } } } } } }",
        {"id": str(page.pk)},
    )["data"]["page"]
    paragraph, button = [b for b in data["body"] if b]
    assert paragraph["html"] == "<p><a>リンク</a></p>"
    assert button == {"url": None, "page": None}


def test_renditions_are_limited_to_the_allowed_filters(gql, portal):
    page = add_photo_akiya("mito", 1)
    query = """query($id: ID!, $filter: String!) { page(id: $id) { ... on AkiyaListingPage {
        photos { alt image { rendition(filter: $filter) { width height filter } } } } } }"""
    ok = gql(query, {"id": str(page.pk), "filter": "fill-400x300|format-webp"})
    photo = ok["data"]["page"]["photos"][0]
    assert photo["alt"] == "水戸市の物件1の外観"
    assert photo["image"]["rendition"]["filter"] == "fill-400x300|format-webp"
    refused = gql(
        query, {"id": str(page.pk), "filter": "width-5000"}, expect_errors=True
    )
    assert "画像の変換指定「width-5000」は使えません" in refused["errors"][0]["message"]


def test_municipalities_come_with_desks_pages_measures_and_counts(gql, portal):
    data = gql(query_text("site"))["data"]
    mito = next(m for m in data["municipalities"] if m["slug"] == "mito")
    assert mito["code"] == "082015" and mito["kind"] == {"value": "city", "label": "市"}
    assert mito["desks"][0]["name"] == "水戸市 移住相談窓口"
    assert mito["page"]["path"] == "/towns/mito/"
    assert mito["listingCounts"]["akiya"] == 1  # the draft is not counted
    assert data["site"]["renditionFilters"]


def test_a_listing_without_a_desk_shows_its_municipality_desk(gql, portal):
    query = """{ listings(filter: {types: [AKIYA], municipality: ["daigo"]}) {
        items { contactDesk { name } } } }"""
    [item] = gql(query)["data"]["listings"]["items"]
    assert item["contactDesk"]["name"] == "大子町 移住相談窓口"


def test_municipality_lookup_by_slug_or_code(gql, portal):
    query = "query($slug: String, $code: String) { municipality(slug: $slug, code: $code) { name } }"
    assert gql(query, {"slug": "daigo"})["data"]["municipality"]["name"] == "大子町"
    assert gql(query, {"code": "08220"})["data"]["municipality"]["name"] == "つくば市"
    body = gql(query, {"slug": "daigo", "code": "082201"}, expect_errors=True)
    assert "どちらか一方" in body["errors"][0]["message"]


def test_breadcrumbs_run_from_the_home_page_to_the_parent(gql, portal):
    query = '{ page(path: "/towns/mito/akiya/") { breadcrumbs { title path } } }'
    crumbs = gql(query)["data"]["page"]["breadcrumbs"]
    assert [c["path"] for c in crumbs] == ["/", "/towns/", "/towns/mito/"]


# --- Rich text, without a database -------------------------------------------------


def test_rich_text_references_are_found():
    html = (
        '<p><a linktype="page" id="3">a</a><a linktype="document" id="7">b</a>'
        '<a href="https://example.jp">c</a></p><embed embedtype="image" id="9" format="left" alt="x"/>'
    )
    found = references_in(html)
    assert (found.pages, found.documents, found.images) == ({3}, {7}, {9})


def test_rich_text_is_expanded_to_public_urls():
    html = (
        '<p><a linktype="page" id="3">公開</a> <a linktype="page" id="4">下書き</a> '
        '<a href="https://example.jp">外部</a> <a linktype="document" id="7">文書</a></p>'
        '<embed embedtype="image" id="9" format="left" alt="田んぼ &amp; 山"/>'
    )
    expanded = expand(
        html,
        page_url={3: "https://portal.example/towns/mito/"}.get,
        document_url={7: "https://portal.example/documents/7/a.pdf"}.get,
        embedded_image={
            9: EmbeddedImage("/media/images/x.width-800.png", 800, 600)
        }.get,
    )
    assert '<a href="https://portal.example/towns/mito/">公開</a>' in expanded
    assert "<a>下書き</a>" in expanded
    assert '<a href="https://example.jp">外部</a>' in expanded
    assert '<a href="https://portal.example/documents/7/a.pdf">文書</a>' in expanded
    assert (
        '<img class="richtext-image left" src="/media/images/x.width-800.png" '
        'width="800" height="600" alt="田んぼ &amp; 山">'
    ) in expanded
