"""Bad input gets a Japanese message on the field to fix, and nothing is saved."""

import datetime
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.images import ImageFile
from django.core.files.uploadedfile import SimpleUploadedFile

from cms.core.models import Municipality, PortalImage
from cms.listings.models import (
    AkiyaListingPage,
    EventIndexPage,
    EventPage,
    RecruitmentPage,
    TrialStayPage,
)
from cms.pages.models import SupportMeasurePage
from tests.admin_forms import AKIYA_FORM, add_url, field_errors, page_form
from tests.factories import akiya_fields, png_bytes

pytestmark = pytest.mark.django_db


def post_new_akiya(client, portal, **changes):
    url = add_url(AkiyaListingPage, portal.section("mito"))
    data = page_form(client, url, **{**AKIYA_FORM, **changes})
    return client.post(url, {**data, "action-publish": "action-publish"})


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (
            {"price_yen": "-100"},
            "price_yen",
            "売買価格は0以上の金額（円）で入力してください。",
        ),
        (
            {"land_area_sqm": "-1"},
            "land_area_sqm",
            "土地面積は0以上の数値（㎡）で入力してください。",
        ),
        (
            {"building_coverage_ratio": "120"},
            "building_coverage_ratio",
            "建ぺい率は0〜100％で入力してください。",
        ),
        ({"built_year_month": "昭和70年"}, "built_year_month", "昭和70年はありません"),
        (
            {"built_year_month": "そのうち"},
            "built_year_month",
            "年月として読み取れません",
        ),
        (
            {"price_yen": "", "price_negotiable": ""},
            "price_yen",
            "売買価格を入力するか「価格は応相談」を選んでください。",
        ),
        (
            {"transaction_method": "agent"},
            "agent_licence_number",
            "宅地建物取引業の免許番号を入力してください。",
        ),
        (
            {"national_bank_consent": "on"},
            "national_bank_consent_on",
            "掲載に同意を得た日を入力してください。",
        ),
        ({"registration_number": "mito-1"}, "registration_number", "使われています"),
    ],
)
def test_bad_akiya_input_is_explained_on_the_field_and_not_saved(
    portal, login, changes, field, message
):
    response = post_new_akiya(login("mito-editor"), portal, **changes)
    assert response.status_code == 200
    errors = field_errors(response, field)
    assert any(message in error for error in errors), errors
    assert not AkiyaListingPage.objects.filter(slug="uchihara-house").exists()


def test_wareki_input_is_stored_as_year_month_and_shown_back_in_wareki(portal, login):
    client = login("mito-editor")
    response = post_new_akiya(client, portal, built_year_month="Ｓ５５．４")
    assert response.status_code == 302
    page = AkiyaListingPage.objects.get(slug="uchihara-house")
    assert page.built_year_month == "1980-04"
    assert page.built_year_month_label == "1980年4月（昭和55年4月）"
    edit_form = client.get(f"/admin/pages/{page.pk}/edit/").content.decode()
    assert 'value="昭和55年4月"' in edit_form


def test_event_that_ends_before_it_starts_is_refused(portal, login):
    client = login("mito-editor")
    url = add_url(EventPage, portal.section("mito", EventIndexPage))
    data = page_form(
        client,
        url,
        title="移住相談会",
        slug="soudankai",
        kind="event",
        summary="移住の相談会です。",
        start_at="2026-12-05 13:00",
        end_at="2026-12-05 10:00",
    )
    response = client.post(url, {**data, "action-publish": "1"})
    assert response.status_code == 200
    assert "終了日時は開始日時より後にしてください。" in field_errors(
        response, "end_at"
    )
    assert not EventPage.objects.filter(slug="soudankai").exists()


def test_image_without_alt_text_is_refused(portal, login):
    client = login("mito-editor")
    response = client.post(
        "/admin/images/add/",
        {
            "title": "外観",
            "file": SimpleUploadedFile(
                "gaikan.png", png_bytes(), content_type="image/png"
            ),
            "description": "",
        },
    )
    assert response.status_code == 200
    assert "description" in response.context["form"].errors
    assert not PortalImage.objects.filter(title="外観").exists()


def test_akiya_photo_needs_alt_text_when_the_image_has_none(portal, login):
    # Images uploaded before alt text was required (or through the API) may lack it.
    bare = PortalImage.objects.create(
        title="古い写真",
        description="",
        collection=portal.mito.collection,
        file=ImageFile(io.BytesIO(png_bytes()), name="old.png"),
    )
    client = login("mito-editor")
    url = add_url(AkiyaListingPage, portal.section("mito"))
    data = page_form(client, url, **AKIYA_FORM)
    data.update(
        {
            "photos-TOTAL_FORMS": "1",
            "photos-0-image": str(bare.pk),
            "photos-0-kind": "exterior",
            "photos-0-caption": "",
            "photos-0-alt_text": "",
            "photos-0-ORDER": "1",
            "photos-0-id": "",
            "photos-0-DELETE": "",
        }
    )
    response = client.post(url, {**data, "action-publish": "1"})
    assert response.status_code == 200
    assert "代替テキストを入力してください" in response.content.decode()
    assert not AkiyaListingPage.objects.filter(slug="uchihara-house").exists()

    data["photos-0-alt_text"] = "瓦屋根の二階建ての外観"
    assert client.post(url, {**data, "action-publish": "1"}).status_code == 302
    photo = AkiyaListingPage.objects.get(slug="uchihara-house").photos.get()
    assert photo.effective_alt_text == "瓦屋根の二階建ての外観"


def test_staff_get_a_japanese_error_for_a_bad_municipality_code(portal, login):
    client = login("pref-admin")
    response = client.post(
        "/admin/snippets/core/municipality/add/",
        {
            "name": "偽市",
            "kana": "にせし",
            "code": "082016",
            "kind": "city",
            "slug": "nise",
            "sort_order": "99",
        },
    )
    assert response.status_code == 200
    assert any(
        "検査数字が正しくありません" in e for e in field_errors(response, "code")
    )
    assert not Municipality.objects.filter(slug="nise").exists()


# --- Model rules, without HTTP -----------------------------------------------------


def errors_of(page) -> dict:
    with pytest.raises(ValidationError) as error:
        page.full_clean()
    return error.value.message_dict


def test_rent_only_listing_needs_rent_not_sale_price():
    page = AkiyaListingPage(
        **akiya_fields(transaction_type="rent", price_yen=100, rent_yen=None, slug="x")
    )
    errors = errors_of(page)
    assert "売買のみ" not in str(errors)
    assert errors["rent_yen"] == ["賃料を入力するか「価格は応相談」を選んでください。"]
    assert errors["price_yen"] == ["賃貸のみの物件には売買価格を入力しません。"]


def test_latitude_must_lie_in_japan():
    page = AkiyaListingPage(**akiya_fields(latitude=10, longitude=140, slug="x"))
    assert "緯度が日本の範囲" in errors_of(page)["latitude"][0]


def test_unknown_special_note_is_refused():
    page = AkiyaListingPage(**akiya_fields(special_notes=["haunted"], slug="x"))
    assert errors_of(page)["special_notes"] == ["特記事項は一覧から選んでください。"]


def test_trial_stay_maximum_stay_not_below_minimum():
    page = TrialStayPage(
        title="お試し住宅",
        slug="otameshi",
        summary="概要",
        facility_name="お試し住宅 いちょうの家",
        address="茨城県大子町",
        capacity=4,
        min_nights=7,
        max_nights=3,
    )
    assert errors_of(page)["max_nights"] == [
        "最長の滞在は最短の滞在以上にしてください。"
    ]


def test_recruitment_deadline_after_start():
    page = RecruitmentPage(
        title="協力隊",
        slug="kyoryokutai",
        summary="概要",
        mission="<p>観光振興</p>",
        employment_type="fiscal_year",
        application_start=datetime.date(2026, 12, 1),
        application_end=datetime.date(2026, 11, 1),
    )
    assert errors_of(page)["application_end"] == [
        "募集締切日は募集開始日より後にしてください。"
    ]


def test_support_measure_period_end_not_before_start():
    page = SupportMeasurePage(
        title="移住支援金",
        slug="shienkin",
        category="relocation_grant",
        summary="概要",
        period_start=datetime.date(2026, 4, 1),
        period_end=datetime.date(2026, 3, 31),
    )
    assert "受付終了日" in errors_of(page)["period_end"][0]


def test_event_deadline_not_after_the_event():
    start = datetime.datetime(2026, 12, 5, 13, tzinfo=datetime.UTC)
    page = EventPage(
        title="相談会",
        slug="soudan",
        summary="概要",
        kind="event",
        start_at=start,
        application_deadline=datetime.date(2026, 12, 10),
    )
    assert "申込締切日" in errors_of(page)["application_deadline"][0]
