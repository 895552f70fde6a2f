"""GraphQL types of the content: the site, municipalities and their desks, and
every page type (a ``Page`` interface, a ``Listing`` interface for what
municipalities post, and one concrete type per page model).

Scalar fields come from the models (``auto``); what a field points at (images,
documents, desks, other pages, rich text links) is looked up through the
request's ``ContentLoader``, so lists cost a fixed number of queries."""

import datetime
from decimal import Decimal
from enum import Enum

import strawberry
import strawberry_django
from django.conf import settings
from django.urls import reverse
from strawberry import auto
from strawberry.types import Info

from cms.core import models as core
from cms.listings import models as listings
from cms.pages import models as pages
from cms.ties import models as ties

from .blocks import BodyBlock, body_blocks
from .loader import raw_stream, related
from .objects import Choice, Document, Image, PageLink, RichText, choice, choice_list

# --- Field helpers ---------------------------------------------------------------


def _loader(info: Info):
    return info.context.loader


def _label(model, name: str) -> str:
    return str(model._meta.get_field(name).verbose_name)


def rich(model, name: str):
    def resolve(root, info: Info) -> RichText:
        return _loader(info).rich_text(getattr(root, name))

    return strawberry.field(resolver=resolve, description=_label(model, name))


def image(model, name: str):
    attname = model._meta.get_field(name).attname

    def resolve(root, info: Info) -> Image | None:
        return _loader(info).images.get(getattr(root, attname))

    return strawberry.field(resolver=resolve, description=_label(model, name))


def selected(model, name: str):
    def resolve(root) -> Choice | None:
        return choice(root, name)

    return strawberry.field(resolver=resolve, description=_label(model, name))


def selected_list(model, name: str):
    def resolve(root) -> list[Choice]:
        return choice_list(root, name)

    return strawberry.field(resolver=resolve, description=_label(model, name))


def body(model, name: str = "body"):
    def resolve(root, info: Info) -> list[BodyBlock]:
        return body_blocks(raw_stream(root, name), _loader(info))

    return strawberry.field(resolver=resolve, description=_label(model, name))


# --- Municipalities and desks -------------------------------------------------------


@strawberry_django.type(core.ConsultationDesk, name="Desk", description="相談窓口")
class Desk:
    id: strawberry.ID
    name: auto
    department: auto
    phone: auto
    email: auto
    postal_code: auto
    address: auto
    opening_hours: auto
    url: auto

    @strawberry.field(description="The municipality; null for a prefecture desk.")
    def municipality(self, info: Info) -> "Municipality | None":
        return _loader(info).municipality(self.municipality_id)


@strawberry.type(description="Public listings of a municipality, by type.")
class ListingCounts:
    event: int
    akiya: int
    trial_stay: int
    recruitment: int


@strawberry_django.type(core.Municipality, name="Municipality", description="市町村")
class Municipality:
    id: strawberry.ID
    code: str = strawberry.field(description="全国地方公共団体コード (6 digits)")
    code5: str = strawberry.field(description="団体コード (first 5 digits)")
    name: auto
    kana: auto
    slug: auto
    website: auto
    sort_order: auto
    kind: Choice | None = selected(core.Municipality, "kind")

    @strawberry.field(description="都道府県コード (2 digits)")
    def prefecture_code(self) -> str:
        return self.prefecture_code

    @strawberry.field(description="相談窓口, in display order.")
    def desks(self, info: Info) -> list[Desk]:
        return _loader(info).desks_of(self.pk)

    @strawberry.field(description="市町村情報 page, if public.")
    def page(self, info: Info) -> "MunicipalityPage | None":
        return _loader(info).municipality_page(self.pk)

    @strawberry.field(description="移住支援策 of the municipality (public ones).")
    def support_measures(self, info: Info) -> list["SupportMeasurePage"]:
        return _loader(info).support_measures_of(self.pk)

    @strawberry.field(description="How many public listings it has, by type.")
    def listing_counts(self, info: Info) -> ListingCounts:
        counts = _loader(info).listing_counts_of(self.pk)
        return ListingCounts(
            event=counts.get("event", 0),
            akiya=counts.get("akiya", 0),
            trial_stay=counts.get("trial_stay", 0),
            recruitment=counts.get("recruitment", 0),
        )


# --- Pages -------------------------------------------------------------------------


@strawberry.enum(description="Page types of the portal.")
class PageType(Enum):
    HOME = "pages.homepage"
    MUNICIPALITY_INDEX = "pages.municipalityindexpage"
    MUNICIPALITY = "pages.municipalitypage"
    SUPPORT_MEASURE_INDEX = "pages.supportmeasureindexpage"
    SUPPORT_MEASURE = "pages.supportmeasurepage"
    ARTICLE_INDEX = "pages.articleindexpage"
    ARTICLE = "pages.articlepage"
    STANDARD = "pages.standardpage"
    EVENT_INDEX = "listings.eventindexpage"
    AKIYA_INDEX = "listings.akiyaindexpage"
    TRIAL_STAY_INDEX = "listings.trialstayindexpage"
    RECRUITMENT_INDEX = "listings.recruitmentindexpage"
    EVENT = "listings.eventpage"
    AKIYA = "listings.akiyalistingpage"
    TRIAL_STAY = "listings.trialstaypage"
    RECRUITMENT = "listings.recruitmentpage"
    PROGRAM_INDEX = "ties.programindexpage"
    PROGRAM = "ties.programpage"


def page_type_of(model) -> PageType:
    return PageType(model._meta.label_lower)


@strawberry.interface(description="What every page has.")
class Page:
    @strawberry.field
    def id(self) -> strawberry.ID:
        # 0 for a page not saved yet (the preview of a new page).
        return strawberry.ID(str(self.pk or 0))

    @strawberry.field
    def page_type(self) -> PageType:
        return page_type_of(type(self))

    @strawberry.field
    def title(self) -> str:
        return self.title

    @strawberry.field
    def slug(self) -> str:
        return self.slug

    @strawberry.field(description="Public path, e.g. /towns/mito/akiya/uchihara/.")
    def path(self, info: Info) -> str:
        return _public_path(self, info)

    @strawberry.field(description="Absolute URL on the public site (PORTAL_SITE_URL).")
    def url(self, info: Info) -> str:
        return f"{settings.PORTAL_SITE_URL}{_public_path(self, info)}"

    @strawberry.field(description="Title for the <title> element, if set.")
    def seo_title(self) -> str:
        return self.seo_title

    @strawberry.field(description="Meta description, if set.")
    def search_description(self) -> str:
        return self.search_description

    @strawberry.field
    def first_published_at(self) -> datetime.datetime | None:
        return self.first_published_at

    @strawberry.field
    def last_published_at(self) -> datetime.datetime | None:
        return self.last_published_at

    @strawberry.field(
        description="True when this is draft content shown by a preview token."
    )
    def is_preview(self) -> bool:
        return getattr(self, "portal_preview", False)

    @strawberry.field(description="Pages from the site root down to the parent.")
    def breadcrumbs(self, info: Info) -> list[PageLink]:
        return _loader(info).breadcrumbs(self)

    @strawberry.field(description="The municipality the page belongs to, if any.")
    def municipality(self, info: Info) -> Municipality | None:
        return _loader(info).municipality_of(self)


def _public_path(page, info: Info) -> str:
    scope = _loader(info).scope
    path = scope.path_of(page)
    if path is None and not page.pk and page.slug:
        # A new page being previewed has no url_path yet.
        parent = page.get_parent()
        path = scope.path_of(parent) if parent else None
        path = f"{path}{page.slug}/" if path else None
    return path or ""


@strawberry.interface(
    description="What municipalities post: events, akiya, trial stays, recruitment."
)
class Listing(Page):
    @strawberry.field(description="概要")
    def summary(self) -> str:
        return self.summary

    @strawberry.field(
        description="問い合わせ先; the municipality's first desk when none is chosen."
    )
    def contact_desk(self, info: Info) -> Desk | None:
        loader = _loader(info)
        desk = loader.desk(self.contact_desk_id)
        if desk is None and self.municipality_id:
            desks = loader.desks_of(self.municipality_id)
            desk = desks[0] if desks else None
        return desk


@strawberry.type(description="A photo of a listing, in display order.")
class ListingPhoto:
    @strawberry.field
    def image(self, info: Info) -> Image | None:
        return _loader(info).images.get(self.image_id)

    @strawberry.field
    def caption(self) -> str:
        return self.caption

    @strawberry.field(description="代替テキスト (the photo's own, else the image's).")
    def alt(self, info: Info) -> str:
        if self.alt_text:
            return self.alt_text
        image = _loader(info).images.get(self.image_id)
        return image.description if image else ""

    @strawberry.field(description="写真の種類 (akiya photos only).")
    def kind(self) -> Choice | None:
        return choice(self, "kind") if hasattr(self, "kind") else None


def photos_field():
    def resolve(root) -> list[ListingPhoto]:
        return related(root, "photos")

    return strawberry.field(resolver=resolve, description="写真")


@strawberry_django.type(pages.HomePage, name="HomePage", description="トップページ")
class HomePage(Page):
    hero_title: auto
    hero_lead: auto
    hero_image: Image | None = image(pages.HomePage, "hero_image")
    body: list[BodyBlock] = body(pages.HomePage)


def _intro_type(model, name: str, description: str):
    @strawberry_django.type(model, name=name, description=description)
    class IndexPage(Page):
        intro: RichText = rich(model, "intro")

    return IndexPage


MunicipalityIndexPage = _intro_type(
    pages.MunicipalityIndexPage, "MunicipalityIndexPage", "市町村一覧"
)
SupportMeasureIndexPage = _intro_type(
    pages.SupportMeasureIndexPage, "SupportMeasureIndexPage", "移住支援策の一覧"
)
ArticleIndexPage = _intro_type(pages.ArticleIndexPage, "ArticleIndexPage", "記事一覧")
EventIndexPage = _intro_type(
    listings.EventIndexPage, "EventIndexPage", "お知らせ・イベントの一覧"
)
AkiyaIndexPage = _intro_type(
    listings.AkiyaIndexPage, "AkiyaIndexPage", "空き家バンクの一覧"
)
TrialStayIndexPage = _intro_type(
    listings.TrialStayIndexPage, "TrialStayIndexPage", "お試し居住の一覧"
)
RecruitmentIndexPage = _intro_type(
    listings.RecruitmentIndexPage, "RecruitmentIndexPage", "地域おこし協力隊募集の一覧"
)

ProgramIndexPage = _intro_type(
    ties.ProgramIndexPage, "ProgramIndexPage", "受入プログラムの一覧"
)

M = pages.MunicipalityPage


@strawberry_django.type(M, name="MunicipalityPage", description="市町村情報")
class MunicipalityPage(Page):
    catchcopy: auto
    hero_image: Image | None = image(M, "hero_image")
    overview: RichText = rich(M, "overview")
    population: auto
    households: auto
    population_as_of: auto
    area_km2: auto
    minutes_from_tokyo: auto
    access_from_tokyo: RichText = rich(M, "access_from_tokyo")
    living: RichText = rich(M, "living")
    work: RichText = rich(M, "work")
    child_rearing: RichText = rich(M, "child_rearing")
    body: list[BodyBlock] = body(M)
    last_reviewed_on: auto


S = pages.SupportMeasurePage


@strawberry_django.type(S, name="SupportMeasurePage", description="移住支援策")
class SupportMeasurePage(Page):
    category: Choice | None = selected(S, "category")
    summary: auto
    amount_text: auto
    amount_max_yen: int | None
    eligibility: RichText = rich(S, "eligibility")
    period_start: auto
    period_end: auto
    period_note: auto
    how_to_apply: RichText = rich(S, "how_to_apply")
    official_url: auto
    body: list[BodyBlock] = body(S)

    @strawberry.field(description="問い合わせ先")
    def contact_desk(self, info: Info) -> Desk | None:
        return _loader(info).desk(self.contact_desk_id)


A = pages.ArticlePage


@strawberry_django.type(A, name="ArticlePage", description="特集・コラム")
class ArticlePage(Page):
    date: auto
    summary: auto
    hero_image: Image | None = image(A, "hero_image")
    body: list[BodyBlock] = body(A)

    @strawberry.field(description="関係する市町村")
    def related_municipalities(self, info: Info) -> list[Municipality]:
        loader = _loader(info)
        ids = [m.pk for m in related(self, "related_municipalities")]
        return [m for m in map(loader.municipality, ids) if m is not None]


@strawberry_django.type(
    pages.StandardPage, name="StandardPage", description="一般ページ"
)
class StandardPage(Page):
    summary: auto
    body: list[BodyBlock] = body(pages.StandardPage)


E = listings.EventPage


@strawberry_django.type(E, name="EventPage", description="お知らせ・イベント")
class EventPage(Listing):
    kind: Choice | None = selected(E, "kind")
    start_at: auto
    end_at: auto
    venue_name: auto
    venue_address: auto
    is_online: auto
    online_url: auto
    fee_yen: int | None
    fee_note: auto
    capacity: auto
    organizer: auto
    application_url: auto
    application_deadline: auto
    main_image: Image | None = image(E, "main_image")
    body: list[BodyBlock] = body(E)


K = listings.AkiyaListingPage


@strawberry_django.type(K, name="AkiyaListingPage", description="空き家・空き地")
class AkiyaListingPage(Listing):
    registration_number: auto
    status: Choice | None = selected(K, "status")
    status_changed_on: auto
    registered_on: auto
    transaction_type: Choice | None = selected(K, "transaction_type")
    property_type: Choice | None = selected(K, "property_type")
    price_yen: int | None
    rent_yen: int | None
    price_negotiable: auto
    price_note: auto
    address: auto
    latitude: auto
    longitude: auto
    access: auto
    land_area_sqm: Decimal | None
    land_area_method: Choice | None = selected(K, "land_area_method")
    building_area_sqm: Decimal | None
    building_area_method: Choice | None = selected(K, "building_area_method")
    layout: auto
    built_year_month: str = strawberry.field(description="YYYY-MM (or YYYY)")
    structure: Choice | None = selected(K, "structure")
    floors: auto
    city_planning_area: Choice | None = selected(K, "city_planning_area")
    zoning: Choice | None = selected(K, "zoning")
    building_coverage_ratio: int | None
    floor_area_ratio: int | None
    road_access: auto
    water_supply: Choice | None = selected(K, "water_supply")
    sewerage: Choice | None = selected(K, "sewerage")
    gas_supply: Choice | None = selected(K, "gas_supply")
    parking_spaces: auto
    parking_note: auto
    current_state: Choice | None = selected(K, "current_state")
    handover: auto
    transaction_method: Choice | None = selected(K, "transaction_method")
    agent_name: auto
    agent_licence_number: auto
    special_notes: list[Choice] = selected_list(K, "special_notes")
    special_notes_text: auto
    description: RichText = rich(K, "description")
    how_to_apply: RichText = rich(K, "how_to_apply")
    national_bank_consent: auto
    photos: list[ListingPhoto] = photos_field()

    @strawberry.field(description="「1980年4月（昭和55年4月）」")
    def built_year_month_label(self) -> str:
        return self.built_year_month_label

    @strawberry.field(description="「売買 3,800,000円／賃料 月30,000円」")
    def price_label(self) -> str:
        return self.price_label


T = listings.TrialStayPage


@strawberry_django.type(T, name="TrialStayPage", description="お試し居住")
class TrialStayPage(Listing):
    facility_name: auto
    address: auto
    capacity: auto
    min_nights: auto
    max_nights: auto
    fee_per_night_yen: int | None
    fee_note: auto
    equipment: list[Choice] = selected_list(T, "equipment")
    equipment_note: auto
    eligibility: RichText = rich(T, "eligibility")
    available_from: auto
    available_until: auto
    season_note: auto
    booking_contact: auto
    booking_url: auto
    description: RichText = rich(T, "description")
    photos: list[ListingPhoto] = photos_field()


R = listings.RecruitmentPage


@strawberry_django.type(R, name="RecruitmentPage", description="地域おこし協力隊募集")
class RecruitmentPage(Listing):
    mission: RichText = rich(R, "mission")
    positions: auto
    employment_type: Choice | None = selected(R, "employment_type")
    employment_terms: RichText = rich(R, "employment_terms")
    monthly_pay_yen: int | None
    pay_note: auto
    housing_support: auto
    eligibility: RichText = rich(R, "eligibility")
    application_start: auto
    application_end: auto
    selection_process: RichText = rich(R, "selection_process")
    application_url: auto
    main_image: Image | None = image(R, "main_image")

    @strawberry.field(description="募集要項")
    def guideline_document(self, info: Info) -> Document | None:
        return _loader(info).documents.get(self.guideline_document_id)


P = ties.ProgramPage


@strawberry.type(description="受入団体: the organisation that runs a program.")
class ProgramHost:
    name: str
    description: str


@strawberry_django.type(P, name="ProgramPage", description="関係人口の受入プログラム")
class ProgramPage(Page):
    summary: auto
    purpose: auto
    local_issue: auto
    starts_on: auto
    ends_on: auto
    capacity: auto
    costs_covered: auto
    deadline: auto
    status: Choice | None = selected(P, "status")
    involvements: list[Choice] = selected_list(P, "involvements")

    @strawberry.field(description="求めるスキル")
    def skills_wanted(self) -> list[str]:
        return list(self.skills_wanted or [])

    @strawberry.field(description="関連する関心")
    def interests(self) -> list[str]:
        return list(self.interests or [])

    @strawberry.field(description="受入団体")
    def host(self) -> ProgramHost:
        return ProgramHost(name=self.host.name, description=self.host.description)

    @strawberry.field(
        description=(
            "Path of the apply form on the public endpoints (/ties/programs/<id>/); "
            "empty for a page not saved yet."
        )
    )
    def apply_path(self) -> str:
        return reverse("ties:program", args=[self.pk]) if self.pk else ""


#: Page model → GraphQL type; a page type missing here cannot be served (a test checks).
PAGE_TYPES: dict[type, type] = {
    pages.HomePage: HomePage,
    pages.MunicipalityIndexPage: MunicipalityIndexPage,
    pages.MunicipalityPage: MunicipalityPage,
    pages.SupportMeasureIndexPage: SupportMeasureIndexPage,
    pages.SupportMeasurePage: SupportMeasurePage,
    pages.ArticleIndexPage: ArticleIndexPage,
    pages.ArticlePage: ArticlePage,
    pages.StandardPage: StandardPage,
    listings.EventIndexPage: EventIndexPage,
    listings.AkiyaIndexPage: AkiyaIndexPage,
    listings.TrialStayIndexPage: TrialStayIndexPage,
    listings.RecruitmentIndexPage: RecruitmentIndexPage,
    listings.EventPage: EventPage,
    listings.AkiyaListingPage: AkiyaListingPage,
    listings.TrialStayPage: TrialStayPage,
    listings.RecruitmentPage: RecruitmentPage,
    ties.ProgramIndexPage: ProgramIndexPage,
    ties.ProgramPage: ProgramPage,
}


# --- Site ----------------------------------------------------------------------


@strawberry.type(description="The portal: branding, contact details and API facts.")
class Site:
    name: str
    tagline: str
    operator_name: str
    prefecture_code: str
    primary_colour: str
    accent_colour: str
    contact_email: str
    contact_phone: str
    contact_address: str
    url: str = strawberry.field(description="The public site's URL (PORTAL_SITE_URL).")
    rendition_filters: list[str] = strawberry.field(
        description="Filters Image.rendition accepts."
    )
    logo_id: strawberry.Private[int | None]
    default_desk_id: strawberry.Private[int | None]

    @strawberry.field
    def logo(self, info: Info) -> Image | None:
        return _loader(info).images.get(self.logo_id)

    @strawberry.field(description="標準の相談窓口")
    def default_desk(self, info: Info) -> Desk | None:
        return _loader(info).desk(self.default_desk_id)


# --- Lists ----------------------------------------------------------------------


@strawberry.type(description="A page of pages, with the total count for paging.")
class PageList:
    total_count: int
    offset: int
    limit: int
    has_next_page: bool
    items: list[Page]


@strawberry.type(description="A page of listings, with the total count for paging.")
class ListingList:
    total_count: int
    offset: int
    limit: int
    has_next_page: bool
    items: list[Listing]


@strawberry.type(description="A page that left the public site (or its old path).")
class RemovedPage:
    id: strawberry.ID
    path: str = strawberry.field(description="The public path to delete.")
    url: str
    removed_at: datetime.datetime
    reason: str = strawberry.field(
        description="unpublished, deleted, moved, private or expired"
    )
