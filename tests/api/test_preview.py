"""Headless preview: editors see drafts in Wagtail's preview panel; the API returns a
draft only with a valid, unexpired token for that very page."""

import re
import time
from html import unescape
from unittest import mock

import pytest
from wagtail_headless_preview.models import PagePreview

from cms.api.tokens import PREVIEW_SALT, signer
from cms.listings.models import AkiyaListingPage
from tests import factories
from tests.admin_forms import edit_url, page_form

from .builders import add_recruitment, add_trial_stay, event_section

pytestmark = pytest.mark.django_db

DRAFT_QUERY = """
query Draft($token: String!, $id: ID) {
  page(previewToken: $token, id: $id) { id title isPreview }
}
"""


def draft_token(page, **changes) -> str:
    """What Wagtail's preview panel does: store the edited page under a token."""
    for name, value in changes.items():
        setattr(page, name, value)
    return page.create_page_preview().token


def mito_akiya(portal):
    return AkiyaListingPage.objects.get(title="水戸市の公開物件")


def test_a_valid_token_returns_the_draft_of_its_page(gql, portal):
    page = mito_akiya(portal)
    token = draft_token(page, title="下書きのタイトル")
    data = gql(DRAFT_QUERY, {"token": token})["data"]["page"]
    assert data == {"id": str(page.pk), "title": "下書きのタイトル", "isPreview": True}
    # Without the token, the published version only.
    published = gql(
        "query($id: ID!) { page(id: $id) { title isPreview } }", {"id": str(page.pk)}
    )
    assert published["data"]["page"] == {
        "title": "水戸市の公開物件",
        "isPreview": False,
    }


def test_a_never_published_draft_is_visible_only_with_its_token(gql, portal):
    draft = AkiyaListingPage.objects.get(title="水戸市の下書き物件")
    token = draft_token(draft)
    assert (
        gql(DRAFT_QUERY, {"token": token})["data"]["page"]["title"]
        == "水戸市の下書き物件"
    )
    query = "query($id: ID!) { page(id: $id) { title } }"
    assert gql(query, {"id": str(draft.pk)})["data"]["page"] is None


def test_a_forged_token_is_refused(gql, portal):
    page = mito_akiya(portal)
    token = draft_token(page)
    forged = re.sub(r"id=\d+", f"id={page.pk + 1}", token)
    for bad in (forged, "garbage", token + "x", ""):
        body = gql(DRAFT_QUERY, {"token": bad}, expect_errors=True)
        assert body["data"]["page"] is None
        assert "トークンが正しくありません" in body["errors"][0]["message"]


def test_a_token_signed_for_another_purpose_is_refused(gql, portal):
    page = mito_akiya(portal)
    # wagtail-headless-preview's own default salt: not ours, not accepted.
    from django.core.signing import TimestampSigner

    other = TimestampSigner(salt="headlesspreview.token").sign(f"id={page.pk}")
    PagePreview.objects.create(
        token=other, content_type=page.content_type, content_json=page.to_json()
    )
    body = gql(DRAFT_QUERY, {"token": other}, expect_errors=True)
    assert "トークンが正しくありません" in body["errors"][0]["message"]
    assert PREVIEW_SALT != "headlesspreview.token"


def test_an_expired_token_is_refused(gql, portal, settings):
    page = mito_akiya(portal)
    an_hour_and_a_bit_ago = time.time() - settings.PORTAL_PREVIEW_TOKEN_MAX_AGE - 5
    with mock.patch("time.time", return_value=an_hour_and_a_bit_ago):
        token = signer().sign(f"id={page.pk}")
    page.update_page_preview(token)
    body = gql(DRAFT_QUERY, {"token": token}, expect_errors=True)
    assert body["data"]["page"] is None
    assert "有効期限" in body["errors"][0]["message"]


def test_tokens_never_live_longer_than_an_hour(settings):
    from cms import settings as portal_settings

    assert portal_settings.PORTAL_PREVIEW_TOKEN_MAX_AGE <= 3600


def test_a_token_for_one_page_does_not_open_another(gql, portal):
    page = mito_akiya(portal)
    other = AkiyaListingPage.objects.get(title="つくば市の公開物件")
    token = draft_token(page, title="下書き")
    body = gql(DRAFT_QUERY, {"token": token, "id": str(other.pk)}, expect_errors=True)
    assert body["data"]["page"] is None
    assert "別のページ" in body["errors"][0]["message"]
    # The same token with its own page's id is fine.
    body = gql(DRAFT_QUERY, {"token": token, "id": str(page.pk)})
    assert body["data"]["page"]["title"] == "下書き"


def test_a_deleted_preview_is_refused(gql, portal):
    token = draft_token(mito_akiya(portal))
    PagePreview.objects.filter(token=token).delete()
    body = gql(DRAFT_QUERY, {"token": token}, expect_errors=True)
    assert "見つかりません" in body["errors"][0]["message"]


def test_the_preview_view_renders_the_draft_with_its_token(client, portal):
    page = mito_akiya(portal)
    token = draft_token(
        page, title="プレビュー表示テスト", summary="下書きの概要です。"
    )
    response = client.get(
        "/api/preview/", {"content_type": "listings.akiyalistingpage", "token": token}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "プレビュー表示テスト" in html and "下書きの概要です。" in html
    assert response["Cache-Control"] == "no-store, private"
    assert "noindex" in response["X-Robots-Tag"]


def test_the_preview_view_refuses_a_bad_token_in_japanese(client):
    response = client.get("/api/preview/", {"token": "garbage"})
    assert response.status_code == 403
    assert "トークンが正しくありません" in response.content.decode()


def iframe_src(html: str) -> str:
    match = re.search(r'<iframe src="([^"]+)"', html)
    assert match, html[:500]
    return unescape(match.group(1))


def preview_in_admin(client, page, new_title: str) -> str:
    """Open the page in the editor, change its title, ask for the preview as the
    preview panel does (POST the form, then GET), and return the framed URL."""
    url = edit_url(page)
    data = page_form(client, url, title=new_title)
    response = client.post(f"{url}preview/", data)
    assert response.status_code == 200
    assert response.json()["is_valid"], response.json()
    response = client.get(f"{url}preview/")
    assert response.status_code == 200
    return iframe_src(response.content.decode())


@pytest.mark.parametrize("kind", ["akiya", "event", "trial_stay", "recruitment"])
def test_every_listing_type_can_be_previewed_from_the_editor(
    kind, login, portal, client
):
    page = {
        "akiya": lambda: mito_akiya(portal),
        "event": lambda: factories.add_event(
            event_section("mito"), title="水戸市の見学会"
        ),
        "trial_stay": lambda: add_trial_stay("mito", title="水戸市のお試し住宅"),
        "recruitment": lambda: add_recruitment("mito", title="水戸市の協力隊募集"),
    }[kind]()
    editor = login("mito-editor")
    src = preview_in_admin(editor, page, "編集中のタイトル")
    assert src.startswith("/api/preview/?")
    assert f"content_type={page._meta.label_lower}" in src
    response = editor.get(src)
    assert response.status_code == 200
    assert "編集中のタイトル" in response.content.decode()
    # The published page is unchanged.
    page.refresh_from_db()
    assert page.title != "編集中のタイトル"


def test_a_new_page_can_be_previewed_before_it_is_saved(login, portal):
    from cms.listings.models import TrialStayIndexPage, TrialStayPage
    from tests.admin_forms import add_url
    from tests.conftest import municipality_page_of

    editor = login("mito-editor")
    section = TrialStayIndexPage.objects.get(municipality_page_of("mito"))
    url = add_url(TrialStayPage, section)
    data = page_form(
        editor,
        url,
        title="新しいお試し住宅",
        slug="new-stay",
        facility_name="お試し住宅 つばき",
        summary="まだ保存していない住宅です。",
        address="茨城県水戸市",
        capacity="2",
        min_nights="1",
        fee_per_night_yen="0",
    )
    response = editor.post(f"{url}preview/", data)
    assert response.json()["is_valid"], response.json()
    src = iframe_src(editor.get(f"{url}preview/").content.decode())
    html = editor.get(src).content.decode()
    assert "新しいお試し住宅" in html and "まだ保存していない住宅です。" in html
    assert not TrialStayPage.objects.filter(slug="new-stay").exists()


def test_a_preview_shows_the_drafts_own_photos_and_the_api_the_published_ones(
    gql, portal
):
    """Published pages' photos come from the query's prefetch; a preview's from
    the draft in memory (added in the editor, not saved to the page yet)."""
    from cms.core.models import PortalImage
    from cms.listings.models import AkiyaPhoto

    image = PortalImage.objects.get(title="mito-photo")
    page = mito_akiya(portal)
    page.photos.add(AkiyaPhoto(image=image, caption="外観"))
    page.save_revision().publish()
    page = AkiyaListingPage.objects.get(pk=page.pk)
    page.photos.add(AkiyaPhoto(image=image, caption="下書きで足した写真"))
    token = page.create_page_preview().token

    query = """
    query($token: String, $id: ID) {
      page(previewToken: $token, id: $id) {
        ... on AkiyaListingPage { photos { caption image { id } } }
      }
    }"""
    draft = gql(query, {"token": token})["data"]["page"]["photos"]
    assert [p["caption"] for p in draft] == ["外観", "下書きで足した写真"]
    assert all(p["image"] == {"id": str(image.pk)} for p in draft)
    published = gql(query, {"id": str(page.pk)})["data"]["page"]["photos"]
    assert [p["caption"] for p in published] == ["外観"]
