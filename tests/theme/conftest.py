"""A built portal for the theme's browser tests: the shared test portal plus a
few listings of every kind, built with ``builders.build.build_site`` into a
temporary folder and served by a real HTTP server (``http.server`` in a thread).

The extra content is added in a transaction that is rolled back after the build,
so other tests never see it; the built folder lives on for the whole session.
"""

import datetime
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.db import transaction

from cms.core.models import Municipality, PortalDocument, PortalImage
from cms.listings.models import (
    EventIndexPage,
    RecruitmentIndexPage,
    RecruitmentPage,
    TrialStayIndexPage,
    TrialStayPage,
    TrialStayPhoto,
)
from cms.pages.models import SupportMeasureIndexPage, SupportMeasurePage
from tests import factories
from tests.built_site import build_into, serve_folder
from tests.settings import search_on

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "theme"

#: Listings the finder and search tests look for (title → what they are).
KOMINKA = "梁の見える古民家（テスト地区・6DK）"
MITO_RENT = "水戸市の貸家（4LDK）"
MITO_LAND = "水戸市の空き地（約100坪）"
TSUKUBA_SALE = "つくば市の二階建て（5LDK）"
#: Support measures the support-measure finder filters: (town slug or None for
#: the prefecture's, category, title).
SUPPORT_MEASURES = [
    (None, "relocation_grant", "県の移住支援金（テスト）"),
    ("mito", "housing", "水戸市 空き家改修の補助（テスト）"),
    ("mito", "childcare", "水戸市 子育て応援金（テスト）"),
    ("tsukuba", "housing", "つくば市 住宅取得の補助（テスト）"),
    ("daigo", "work", "大子町 新規就農の支援（テスト）"),
]
TRIAL_STAY = "大子町 お試し住宅「山の家」"
RECRUITMENT = "大子町 地域おこし協力隊（観光）"


def _section(slug, model):
    # (tests/conftest.py's helper is not imported: importing a conftest
    # registers its fixtures a second time.)
    return model.objects.get(url_path__startswith=f"/home/towns/{slug}/")


def _add_content():
    from cms.listings.models import AkiyaIndexPage

    mito = _section("mito", AkiyaIndexPage)
    factories.add_akiya(
        mito,
        title=KOMINKA,
        registration_number="mito-kominka",
        price_yen=2_800_000,
        layout="6DK",
        land_area_sqm=520,
        summary="築90年の古民家です。太い梁と土間が残っています。",
    )
    factories.add_akiya(
        mito,
        title=MITO_RENT,
        registration_number="mito-rent",
        transaction_type="rent",
        price_yen=None,
        rent_yen=55_000,
        layout="4LDK",
        land_area_sqm=180,
    )
    factories.add_akiya(
        mito,
        title=MITO_LAND,
        registration_number="mito-land",
        property_type="land",
        price_yen=4_500_000,
        layout="",
        land_area_sqm=330,
        building_area_sqm=None,
        building_area_method="",
        built_year_month="",
    )
    factories.add_akiya(
        _section("tsukuba", AkiyaIndexPage),
        title=TSUKUBA_SALE,
        registration_number="tsukuba-sale",
        price_yen=16_000_000,
        layout="5LDK",
        land_area_sqm=250,
    )
    factories.add_event(
        _section("mito", EventIndexPage),
        title="水戸で暮らす 移住オンライン相談会",
        is_online=True,
        online_url="https://example.jp/online",
        fee_yen=0,
    )
    daigo = Municipality.objects.get(slug="daigo")
    photo = PortalImage.objects.get(collection=daigo.collection, title="daigo-photo")
    stay = TrialStayPage(
        title=TRIAL_STAY,
        summary="1週間から暮らしを体験できます。",
        facility_name="山の家",
        address="茨城県久慈郡大子町テスト",
        capacity=4,
        min_nights=2,
        max_nights=30,
        fee_per_night_yen=2000,
        fee_note="光熱費込み",
        equipment=["furniture", "wifi", "parking"],
        equipment_note="寝具は持参してください。",
        eligibility="<p>大子町への移住を考えている方</p>",
        available_from=datetime.date(2026, 4, 1),
        available_until=datetime.date(2027, 3, 31),
        season_note="通年（年末年始を除く）",
        booking_contact="大子町 まちづくり課 0295-00-0000",
        booking_url="https://example.jp/daigo/booking",
        description="<p>山あいの古い家を改修したお試し住宅です。</p>",
        photos=[TrialStayPhoto(image=photo, caption="山の家の外観")],
    )
    _section("daigo", TrialStayIndexPage).add_child(instance=stay)
    stay.save_revision().publish()
    job = RecruitmentPage(
        title=RECRUITMENT,
        summary="観光の仕事を一緒につくる人を募集します。",
        mission="<p>観光案内所の運営と発信を担います。</p>",
        positions=2,
        employment_type="fiscal_year",
        employment_terms="<p>週5日、1日7時間45分。任期は最長3年です。</p>",
        monthly_pay_yen=240_000,
        pay_note="期末手当あり",
        housing_support="町が住宅を用意します。\n家賃は町が負担します。",
        eligibility="<p>3大都市圏などに住んでいて、採用後に大子町へ住民票を移せる方</p>",
        application_start=datetime.date(2026, 4, 1),
        application_end=datetime.date(2027, 3, 31),
        selection_process="<p>書類選考のあと、面接を行います。</p>",
        application_url="https://example.jp/daigo/apply",
        guideline_document=PortalDocument.objects.get(
            collection=daigo.collection, title="daigo-guide"
        ),
        main_image=photo,
    )
    _section("daigo", RecruitmentIndexPage).add_child(instance=job)
    job.save_revision().publish()
    for slug, category, title in SUPPORT_MEASURES:
        section = (
            SupportMeasureIndexPage.objects.get(url_path="/home/support/")
            if slug is None
            else _section(slug, SupportMeasureIndexPage)
        )
        measure = SupportMeasurePage(
            title=title,
            category=category,
            summary=f"{title}の概要です。",
            amount_text="最大50万円",
        )
        section.add_child(instance=measure)
        measure.save_revision().publish()


@pytest.fixture(scope="session")
def theme_site(django_db_setup, django_db_blocker, tmp_path_factory):
    """The built demo of the theme, served over HTTP: ``.url``, ``.output``."""
    from django.db import connection

    folder = tmp_path_factory.mktemp("theme-site")
    with django_db_blocker.unblock():
        # Only ever on the test database (a module without the django_db mark
        # would reach the real one).
        name = str(connection.settings_dict["NAME"])
        assert "test" in name or "memory" in name, name
        with transaction.atomic(), search_on():  # the browser test searches it
            _add_content()
            summary = build_into(folder)
            towns = {m.slug: m.name for m in Municipality.objects.all()}
            transaction.set_rollback(True)
    server = serve_folder(folder / "output")
    host, port = server.server_address
    yield SimpleNamespace(
        url=f"http://{host}:{port}",
        output=folder / "output",
        summary=summary,
        towns=towns,
    )
    server.shutdown()
    server.server_close()


def screenshot(page, name: str) -> Path:
    """Keep a screenshot under test-artifacts/theme/ (CI keeps the folder)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
