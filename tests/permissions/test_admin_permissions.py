"""Who may do what, checked through the Wagtail admin over HTTP, allow and deny."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from wagtail.models import Workflow

from cms.core.models import ConsultationDesk, PortalDocument, PortalImage
from cms.core.permissions import APPROVAL_WORKFLOW
from cms.listings.models import AkiyaIndexPage, AkiyaListingPage
from cms.pages.models import MunicipalityPage
from tests.admin_forms import (
    AKIYA_FORM,
    add_url,
    denied,
    edit_url,
    field_errors,
    page_form,
)
from tests.factories import png_bytes

pytestmark = pytest.mark.django_db


def tsukuba_listing(portal, live=True):
    return AkiyaListingPage.objects.get(municipality=portal.tsukuba, live=live)


def mito_listing(portal, live=True):
    return AkiyaListingPage.objects.get(municipality=portal.mito, live=live)


# --- A municipality editor in their own municipality -----------------------------


def test_mito_editor_creates_edits_and_publishes_akiya_under_mito(portal, login):
    client = login("mito-editor")
    section = portal.section("mito")
    url = add_url(AkiyaListingPage, section)

    data = page_form(client, url, **AKIYA_FORM)
    response = client.post(url, {**data, "action-publish": "action-publish"})
    assert response.status_code == 302
    page = AkiyaListingPage.objects.get(slug="uchihara-house")
    assert page.live
    assert page.municipality == portal.mito
    assert page.built_year_month == "1980-04"
    assert page.owner == portal.users["mito-editor"]

    data = page_form(client, edit_url(page), price_yen="4500000", status="negotiating")
    response = client.post(edit_url(page), data)  # save draft
    assert response.status_code == 302
    page.refresh_from_db()
    assert page.has_unpublished_changes
    assert page.price_yen == 4_800_000  # the live version is unchanged until published

    data = page_form(client, edit_url(page))
    response = client.post(edit_url(page), {**data, "action-publish": "action-publish"})
    assert response.status_code == 302
    page.refresh_from_db()
    assert (page.price_yen, page.status, page.has_unpublished_changes) == (
        4_500_000,
        "negotiating",
        False,
    )
    assert page.status_changed_on is not None


def test_mito_editor_can_delete_own_listing_but_not_the_structure(portal, login):
    client = login("mito-editor")
    listing = mito_listing(portal)
    response = client.post(f"/admin/pages/{listing.pk}/delete/")
    assert response.status_code == 302
    assert not AkiyaListingPage.objects.filter(pk=listing.pk).exists()

    section = portal.section("mito")
    municipality_page = MunicipalityPage.objects.get(municipality=portal.mito)
    for page in (section, municipality_page):
        assert denied(client.post(f"/admin/pages/{page.pk}/delete/"))
        assert denied(client.post(f"/admin/pages/{page.pk}/unpublish/"))
        assert denied(client.get(f"/admin/pages/{page.pk}/move/"))
        page.refresh_from_db()
        assert page.live


def test_explorer_starts_at_the_editors_municipality(portal, login):
    client = login("mito-editor")
    response = client.get("/admin/pages/")
    mito_page = MunicipalityPage.objects.get(municipality=portal.mito)
    assert response.status_code == 302
    assert response["Location"] == f"/admin/pages/{mito_page.pk}/"

    response = client.get(f"/admin/pages/{portal.section('mito').pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "水戸市の下書き物件" in html
    assert "つくば市" not in html


# --- …and in somebody else's -------------------------------------------------


def test_mito_editor_cannot_edit_tsukuba_listing(portal, login):
    client = login("mito-editor")
    listing = tsukuba_listing(portal)
    assert denied(client.get(edit_url(listing)))

    response = client.post(
        edit_url(listing), {"title": "書き換え", "slug": listing.slug}
    )
    assert denied(response)
    listing.refresh_from_db()
    assert listing.title == "つくば市の公開物件"
    assert listing.latest_revision.content["title"] == "つくば市の公開物件"


def test_mito_editor_cannot_publish_tsukuba_draft(portal, login):
    client = login("mito-editor")
    draft = tsukuba_listing(portal, live=False)
    response = client.post(
        edit_url(draft),
        {"title": draft.title, "slug": draft.slug, "action-publish": "1"},
    )
    assert denied(response)
    draft.refresh_from_db()
    assert not draft.live
    assert denied(client.post(f"/admin/pages/{tsukuba_listing(portal).pk}/unpublish/"))
    assert tsukuba_listing(portal).live


def test_mito_editor_cannot_delete_tsukuba_listing(portal, login):
    client = login("mito-editor")
    listing = tsukuba_listing(portal)
    assert denied(client.get(f"/admin/pages/{listing.pk}/delete/"))
    assert denied(client.post(f"/admin/pages/{listing.pk}/delete/"))
    assert AkiyaListingPage.objects.filter(pk=listing.pk).exists()


def test_mito_editor_cannot_add_listing_under_tsukuba(portal, login):
    client = login("mito-editor")
    url = add_url(AkiyaListingPage, portal.section("tsukuba"))
    assert denied(client.get(url))
    assert denied(client.post(url, {**AKIYA_FORM, "action-publish": "1"}))
    assert not AkiyaListingPage.objects.filter(slug="uchihara-house").exists()


def test_mito_editor_cannot_list_or_preview_tsukuba_drafts(portal, login):
    client = login("mito-editor")
    draft = tsukuba_listing(portal, live=False)
    tsukuba_section = AkiyaIndexPage.objects.get(pk=portal.section("tsukuba").pk)

    response = client.get(f"/admin/pages/{tsukuba_section.pk}/")
    assert response.status_code == 302  # sent back to their own part of the tree
    assert (
        "つくば市の下書き物件" not in client.get(response["Location"]).content.decode()
    )

    for query in ("下書き物件", "つくば"):
        html = client.get("/admin/pages/search/", {"q": query}).content.decode()
        assert "つくば市の下書き物件" not in html
    assert (
        "水戸市の下書き物件"
        in client.get("/admin/pages/search/", {"q": "下書き物件"}).content.decode()
    )

    assert denied(client.get(f"/admin/pages/{draft.pk}/view_draft/"))
    assert denied(client.get(f"/admin/pages/{draft.pk}/history/"))
    assert denied(
        client.get(f"/admin/pages/{draft.pk}/revisions/compare/earliest...latest/")
    )

    chooser = client.get(f"/admin/choose-page/{tsukuba_section.pk}/").content.decode()
    assert "つくば市の下書き物件" not in chooser


def test_mito_editor_sees_only_mito_images(portal, login):
    client = login("mito-editor")
    for url in ("/admin/images/", "/admin/images/chooser/", "/admin/images/?q=photo"):
        html = client.get(url).content.decode()
        assert "mito-photo" in html, url
        assert "tsukuba-photo" not in html, url
        assert "daigo-photo" not in html, url
    tsukuba_image = PortalImage.objects.get(title="tsukuba-photo")
    assert denied(client.get(f"/admin/images/{tsukuba_image.pk}/"))
    assert denied(client.post(f"/admin/images/{tsukuba_image.pk}/delete/"))
    assert PortalImage.objects.filter(pk=tsukuba_image.pk).exists()


def test_mito_editor_sees_only_mito_documents(portal, login):
    client = login("mito-editor")
    for url in ("/admin/documents/", "/admin/documents/chooser/"):
        html = client.get(url).content.decode()
        assert "mito-guide" in html, url
        assert "tsukuba-guide" not in html, url
    tsukuba_document = PortalDocument.objects.get(title="tsukuba-guide")
    assert denied(client.get(f"/admin/documents/edit/{tsukuba_document.pk}/"))


def test_mito_editor_uploads_into_mito_collection_only(portal, login):
    client = login("mito-editor")
    upload = SimpleUploadedFile("house.png", png_bytes(), content_type="image/png")
    response = client.post(
        "/admin/images/multiple/add/",
        {"files[]": upload, "collection": portal.tsukuba.collection_id},
        headers={"x-requested-with": "XMLHttpRequest"},
    )
    assert response.status_code in (200, 400)
    assert (
        not PortalImage.objects.filter(collection=portal.tsukuba.collection)
        .exclude(title="tsukuba-photo")
        .exists()
    )
    created = PortalImage.objects.filter(title="house").first()
    assert created is None or created.collection == portal.mito.collection


def test_mito_editor_sees_and_edits_only_mito_desks(portal, login):
    client = login("mito-editor")
    html = client.get("/admin/snippets/core/consultationdesk/").content.decode()
    assert "水戸市 移住相談窓口" in html
    assert "つくば市 移住相談窓口" not in html

    tsukuba_desk = ConsultationDesk.objects.get(municipality=portal.tsukuba)
    url = f"/admin/snippets/core/consultationdesk/edit/{tsukuba_desk.pk}/"
    assert denied(client.get(url))
    assert denied(client.post(url, {"name": "乗っ取り", "phone": "029-111-1111"}))
    tsukuba_desk.refresh_from_db()
    assert tsukuba_desk.name == "つくば市 移住相談窓口"

    mito_desk = ConsultationDesk.objects.get(municipality=portal.mito)
    url = f"/admin/snippets/core/consultationdesk/edit/{mito_desk.pk}/"
    response = client.post(
        url,
        {
            "municipality": portal.mito.pk,
            "name": "水戸市 移住・定住相談窓口",
            "phone": "029-224-1111",
            "sort_order": "0",
        },
    )
    assert response.status_code == 302
    mito_desk.refresh_from_db()
    assert mito_desk.name == "水戸市 移住・定住相談窓口"


def test_mito_editor_cannot_create_desk_for_another_municipality(portal, login):
    client = login("mito-editor")
    response = client.post(
        "/admin/snippets/core/consultationdesk/add/",
        {
            "municipality": portal.tsukuba.pk,
            "name": "偽窓口",
            "phone": "029-111-1111",
            "sort_order": "0",
        },
    )
    assert response.status_code == 200  # the form comes back with an error
    assert field_errors(response, "municipality")
    assert not ConsultationDesk.objects.filter(name="偽窓口").exists()

    response = client.post(
        "/admin/snippets/core/consultationdesk/add/",
        {
            "municipality": portal.mito.pk,
            "name": "水戸市 空き家バンク窓口",
            "phone": "029-111-1111",
            "sort_order": "1",
        },
    )
    assert response.status_code == 302
    assert (
        ConsultationDesk.objects.get(name="水戸市 空き家バンク窓口").municipality
        == portal.mito
    )


def test_municipality_records_and_settings_are_staff_only(portal, login):
    client = login("mito-editor")
    assert denied(client.get("/admin/snippets/core/municipality/"))
    assert denied(
        client.get(f"/admin/snippets/core/municipality/edit/{portal.mito.pk}/")
    )
    assert denied(client.get("/admin/settings/core/portalsettings/"))
    assert denied(client.get("/admin/workflows/list/"))
    assert denied(client.get("/admin/users/"))


# --- Prefecture staff ---------------------------------------------------------


def test_prefecture_staff_edit_publish_and_delete_in_every_municipality(portal, login):
    client = login("pref-admin")
    draft = tsukuba_listing(portal, live=False)
    data = page_form(client, edit_url(draft), title="つくば市の物件（県が確認）")
    response = client.post(
        edit_url(draft), {**data, "action-publish": "action-publish"}
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.live and draft.title == "つくば市の物件（県が確認）"

    daigo_listing = AkiyaListingPage.objects.get(municipality=portal.daigo, live=True)
    assert client.post(f"/admin/pages/{daigo_listing.pk}/delete/").status_code == 302
    assert not AkiyaListingPage.objects.filter(pk=daigo_listing.pk).exists()

    url = add_url(AkiyaListingPage, portal.section("daigo"))
    data = page_form(client, url, **{**AKIYA_FORM, "registration_number": "大子-1"})
    assert client.post(url, {**data, "action-publish": "1"}).status_code == 302
    assert (
        AkiyaListingPage.objects.get(slug="uchihara-house").municipality == portal.daigo
    )

    for url in (
        "/admin/images/",
        "/admin/documents/",
        "/admin/snippets/core/consultationdesk/",
    ):
        html = client.get(url).content.decode()
        assert "tsukuba" in html or "つくば市" in html, url
        assert "mito" in html or "水戸市" in html, url
    assert client.get("/admin/snippets/core/municipality/").status_code == 200
    assert client.get("/admin/settings/core/portalsettings/").status_code in (200, 302)


def test_anonymous_visitors_are_sent_to_the_login_page(portal, client):
    response = client.get(edit_url(mito_listing(portal)))
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


# --- Approval workflow --------------------------------------------------------


def test_approval_workflow_holds_mito_publish_until_staff_approve(portal, login):
    workflow = Workflow.objects.get(name=APPROVAL_WORKFLOW)
    workflow.active = True
    workflow.save()

    client = login("mito-editor")
    section = portal.section("mito")
    url = add_url(AkiyaListingPage, section)
    form_html = client.get(url).content.decode()
    assert 'name="action-publish"' not in form_html
    assert 'name="action-submit"' in form_html

    data = page_form(client, url, **AKIYA_FORM)
    response = client.post(url, {**data, "action-publish": "action-publish"})
    page = AkiyaListingPage.objects.get(slug="uchihara-house")
    assert response.status_code == 302
    assert not page.live  # a publish request became a draft

    data = page_form(client, edit_url(page))
    client.post(edit_url(page), {**data, "action-submit": "action-submit"})
    page.refresh_from_db()
    assert page.workflow_in_progress
    assert not page.live

    staff = login("pref-admin")
    task_state = page.current_workflow_task_state
    response = staff.post(
        f"/admin/pages/workflow/action/{page.pk}/approve/{task_state.pk}/",
        {"comment": "確認しました"},
    )
    assert response.status_code in (200, 302)
    page.refresh_from_db()
    assert page.live
    assert not page.workflow_in_progress


def test_with_workflow_off_the_publish_button_is_offered(portal, login):
    assert not Workflow.objects.get(name=APPROVAL_WORKFLOW).active
    html = login("mito-editor").get(add_url(AkiyaListingPage, portal.section("mito")))
    assert 'name="action-publish"' in html.content.decode()
