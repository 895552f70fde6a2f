"""Saving the demo: desks, settings, images, pages and accounts.

Every ``ensure_*`` function is idempotent. It looks for what an earlier run made
(a page by its slug under its parent, an image by its title in its collection, a
desk by its name) and creates only what is missing, so ``portal load_demo`` can run
again at any time without duplicating or changing anything. What was created is
counted in a ``Counter`` the command reports."""

import datetime
import hashlib
import io
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.images import ImageFile
from wagtail.models import Page, ReferenceIndex, Site
from wagtail.signal_handlers import disable_reference_index_auto_update

from cms.core.models import ConsultationDesk, Municipality, PortalImage, PortalSettings
from cms.core.permissions import PREFECTURE_STAFF_GROUP, shared_collection
from cms.listings.models import (
    AkiyaIndexPage,
    AkiyaListingPage,
    AkiyaPhoto,
    EventIndexPage,
    EventPage,
    RecruitmentIndexPage,
    RecruitmentPage,
    TrialStayIndexPage,
    TrialStayPage,
    TrialStayPhoto,
)
from cms.pages.models import (
    ArticleIndexPage,
    ArticlePage,
    HomePage,
    MunicipalityIndexPage,
    MunicipalityPage,
    StandardPage,
    SupportMeasureIndexPage,
    SupportMeasurePage,
)

from . import content, prefecture
from .akiya import akiya_listings
from .content import PageSpec, rng_for
from .images import (
    EVENT_SCENES,
    FLOOR_PLANS,
    Drawing,
    FloorPlan,
    event_scene,
    floor_plan,
    house_exterior,
    landscape,
    tatami_room,
    vacant_lot,
)
from .places import Place, invent_oaza, place_for

IMAGE_CREDIT = "デモ用に自動生成した画像"
DRAFT_MUNICIPALITIES = {"mito", "tsukuba", "daigo"}

# Where each page type keeps the image a spec names.
IMAGE_FIELDS = {
    EventPage: "main_image",
    RecruitmentPage: "main_image",
    ArticlePage: "hero_image",
}
PHOTO_MODELS = {AkiyaListingPage: AkiyaPhoto, TrialStayPage: TrialStayPhoto}


@dataclass(frozen=True)
class DemoAccount:
    username: str
    last_name: str
    first_name: str
    municipality_slug: str | None  # None: prefecture staff
    role: str


DEMO_ACCOUNTS = (
    DemoAccount(
        "pref-admin", "小林", "由美", None, "県職員（すべての市町村を編集・承認）"
    ),
    DemoAccount("mito-editor", "佐藤", "健太", "mito", "水戸市の編集者"),
    DemoAccount("tsukuba-editor", "高橋", "真理", "tsukuba", "つくば市の編集者"),
    DemoAccount("daigo-editor", "渡辺", "拓也", "daigo", "大子町の編集者"),
)


@dataclass
class TownPlan:
    """What the demo decides once per municipality and every stage shares: its
    facts, its invented 大字 and the floor plan its photos show."""

    municipality: Municipality
    place: Place
    oaza: list[str]
    plan: FloorPlan

    @classmethod
    def for_municipality(cls, municipality: Municipality) -> "TownPlan":
        rng = rng_for(municipality.slug, "town")
        return cls(
            municipality=municipality,
            place=place_for(municipality),
            oaza=invent_oaza(rng, 8),
            plan=rng.choice(FLOOR_PLANS),
        )


# --- Desks and settings -------------------------------------------------------------


def _ensure_desk(municipality, fields: dict, created: Counter) -> ConsultationDesk:
    desk = ConsultationDesk.objects.filter(
        municipality=municipality, name=fields["name"]
    ).first()
    if desk is None:
        desk = ConsultationDesk(municipality=municipality, **fields)
        desk.full_clean()
        desk.save()
        created["相談窓口"] += 1
    return desk


def ensure_prefecture_desk(created: Counter) -> ConsultationDesk:
    return _ensure_desk(None, prefecture.PREFECTURE_DESK, created)


def ensure_municipality_desk(town: TownPlan, created: Counter) -> ConsultationDesk:
    return _ensure_desk(
        town.municipality, content.desk_fields(town.municipality, town.place), created
    )


def ensure_portal_settings(desk: ConsultationDesk, created: Counter) -> PortalSettings:
    site = Site.objects.get(is_default_site=True)
    settings = PortalSettings.for_site(site)
    wanted = {**prefecture.PORTAL_SETTINGS, "default_desk": desk}
    if any(getattr(settings, key) != value for key, value in wanted.items()):
        for key, value in wanted.items():
            setattr(settings, key, value)
        settings.full_clean()
        settings.save()
        created["ポータル設定"] += 1
    return settings


# --- Images -----------------------------------------------------------------------


def _ensure_image(
    collection, title: str, filename: str, draw: Callable[[], Drawing], created: Counter
) -> PortalImage:
    image = PortalImage.objects.filter(collection=collection, title=title).first()
    if image is not None:
        return image
    drawing = draw()
    data = drawing.jpeg()
    image = PortalImage(
        title=title,
        description=drawing.description,
        credit=IMAGE_CREDIT,
        collection=collection,
        file=ImageFile(io.BytesIO(data), name=filename),
        file_size=len(data),
        file_hash=hashlib.sha1(data).hexdigest(),  # what Wagtail's upload form stores
    )
    image.full_clean()
    image.save()
    created["画像"] += 1
    return image


def ensure_shared_images(created: Counter) -> dict[str, PortalImage]:
    """Landscapes for the home page and articles, and the event scenes every
    municipality's events share (in 「共通素材」)."""
    collection = shared_collection()
    images = {}
    for kind, title in (
        ("tsukuba", "筑波山と田園風景"),
        ("sea", "海岸の風景"),
        ("lake", "湖と帆引き船"),
        ("mountain", "県北の山並み"),
    ):
        images[f"shared_{kind}"] = _ensure_image(
            collection,
            title,
            f"demo-shared-{kind}.jpg",
            lambda kind=kind: landscape(rng_for("shared", kind), kind),
            created,
        )
    titles = {
        "consultation": "移住相談会の様子",
        "farm": "農業体験の様子",
        "tour": "空き家見学ツアーの様子",
        "gathering": "移住者交流会の様子",
        "online": "オンライン相談の様子",
    }
    for scene in EVENT_SCENES:
        images[f"event_{scene}"] = _ensure_image(
            collection,
            titles[scene],
            f"demo-event-{scene}.jpg",
            lambda scene=scene: event_scene(rng_for("shared", scene), scene),
            created,
        )
    return images


def ensure_municipality_images(
    town: TownPlan, created: Counter
) -> dict[str, PortalImage]:
    """Six photos in the municipality's own collection, reused by its listings."""
    municipality, slug = town.municipality, town.municipality.slug
    storeys = "平屋" if town.plan.storeys == 1 else "二階建て"
    drawings = {
        "house_two_storey": (
            "空き家の外観（二階建て）",
            lambda: house_exterior(rng_for(slug, "house2"), 2),
        ),
        "house_one_storey": (
            "空き家の外観（平屋）",
            lambda: house_exterior(rng_for(slug, "house1"), 1),
        ),
        "tatami": ("和室", lambda: tatami_room(rng_for(slug, "tatami"))),
        "floor_plan": (
            f"間取り図（{town.plan.layout}・{storeys}）",
            lambda: floor_plan(town.plan),
        ),
        "landscape": (
            "まちの風景",
            lambda: landscape(rng_for(slug, "landscape"), town.place.landscape),
        ),
        "vacant_lot": ("空き地", lambda: vacant_lot(rng_for(slug, "lot"))),
    }
    return {
        key: _ensure_image(
            municipality.collection,
            f"{municipality.name} {title}",
            f"demo-{slug}-{key.replace('_', '-')}.jpg",
            draw,
            created,
        )
        for key, (title, draw) in drawings.items()
    }


# --- Pages --------------------------------------------------------------------------


def add_page(parent: Page, page: Page, *, live=True, first_published_at=None) -> Page:
    """Add ``page`` under ``parent``, published (or as a draft when ``live`` is
    False).

    Wagtail runs ``full_clean()`` on every save of a live page; a draft is saved with
    only the slug checked, so it is cleaned here, inside the caller's transaction,
    before its revision is written. Creating and publishing saves the page three
    times (and each photo row once), and Wagtail would rebuild the page's reference
    index entries after every one of those saves; it is done once at the end instead,
    which takes about a quarter off the time of a demo load."""
    page.live = live
    if first_published_at:
        page.first_published_at = first_published_at
    with disable_reference_index_auto_update():
        parent.add_child(instance=page)
        if not live:
            page.full_clean()
        revision = page.save_revision(log_action=False)
        if live:
            revision.publish(log_action=False)
    ReferenceIndex.create_or_update_for_object(page)
    return page


def _build_page(page_class, spec: PageSpec, images: dict, desk=None) -> Page:
    fields = dict(spec.fields)
    related = fields.pop("related", None)
    page = page_class(slug=spec.slug, **fields)
    if desk is not None and hasattr(page, "contact_desk"):
        page.contact_desk = desk
    if spec.image:
        setattr(page, IMAGE_FIELDS[page_class], images[spec.image])
    if related is not None:
        page.related_municipalities = list(
            Municipality.objects.filter(slug__in=related)
        )
    photo_model = PHOTO_MODELS.get(page_class)
    if photo_model:
        rows = []
        for order, photo in enumerate(spec.photos):
            row = photo_model(
                image=images[photo.image], caption=photo.caption, sort_order=order
            )
            if photo.kind:
                row.kind = photo.kind
            row.full_clean(exclude=["page"])
            rows.append(row)
        page.photos = rows
    return page


def ensure_pages(
    parent: Page,
    page_class,
    specs: list[PageSpec],
    images: dict,
    created: Counter,
    desk=None,
) -> None:
    existing = set(parent.get_children().values_list("slug", flat=True))
    for spec in specs:
        if spec.slug in existing:
            continue
        page = _build_page(page_class, spec, images, desk)
        add_page(
            parent, page, live=spec.live, first_published_at=spec.first_published_at
        )
        created[page_class._meta.verbose_name] += 1


def _sections(municipality_page: MunicipalityPage) -> dict:
    return {type(child): child for child in municipality_page.get_children().specific()}


def fill_municipality_page(
    town: TownPlan, images: dict, today: datetime.date, created: Counter
) -> MunicipalityPage:
    """Write the municipality page's text the first time; later runs leave it (and
    any edits made since) alone."""
    page = MunicipalityPage.objects.get(municipality=town.municipality)
    if page.catchcopy:
        return page
    for key, value in content.municipality_page_fields(
        town.municipality, town.place, today
    ).items():
        setattr(page, key, value)
    page.hero_image = images["landscape"]
    page.save_revision(log_action=False).publish(log_action=False)
    created["市町村情報"] += 1
    return page


def ensure_municipality_listings(
    town: TownPlan,
    desk: ConsultationDesk,
    images: dict,
    today: datetime.date,
    created: Counter,
) -> None:
    municipality, place = town.municipality, town.place
    sections = _sections(MunicipalityPage.objects.get(municipality=municipality))
    desk_fields = content.desk_fields(municipality, place)
    ensure_pages(
        sections[SupportMeasureIndexPage],
        SupportMeasurePage,
        content.support_measures(municipality, place, today),
        images,
        created,
        desk,
    )
    ensure_pages(
        sections[AkiyaIndexPage],
        AkiyaListingPage,
        akiya_listings(
            municipality,
            place,
            today,
            town.oaza,
            town.plan,
            with_draft=municipality.slug in DRAFT_MUNICIPALITIES,
        ),
        images,
        created,
        desk,
    )
    ensure_pages(
        sections[EventIndexPage],
        EventPage,
        content.events(municipality, place, today, town.oaza),
        images,
        created,
        desk,
    )
    ensure_pages(
        sections[TrialStayIndexPage],
        TrialStayPage,
        content.trial_stays(municipality, place, today, town.oaza, desk_fields),
        images,
        created,
        desk,
    )
    ensure_pages(
        sections[RecruitmentIndexPage],
        RecruitmentPage,
        content.recruitments(municipality, place, today, desk_fields),
        images,
        created,
        desk,
    )


def _set_intro(page: Page, intro: str, created: Counter) -> None:
    page = page.specific
    if not page.intro:
        page.intro = intro
        page.save_revision(log_action=False).publish(log_action=False)
        created["一覧ページの紹介文"] += 1


def ensure_prefecture_pages(
    home: HomePage,
    desk: ConsultationDesk,
    images: dict,
    today: datetime.date,
    created: Counter,
) -> None:
    support_index = SupportMeasureIndexPage.objects.child_of(home).get(slug="support")
    article_index = ArticleIndexPage.objects.child_of(home).get()
    towns_index = MunicipalityIndexPage.objects.child_of(home).get()
    for page, key in (
        (towns_index, "towns"),
        (support_index, "support"),
        (article_index, "articles"),
    ):
        _set_intro(page, prefecture.INDEX_INTROS[key], created)

    ensure_pages(
        support_index,
        SupportMeasurePage,
        prefecture.support_measures(today),
        images,
        created,
        desk,
    )
    ensure_pages(
        article_index, ArticlePage, prefecture.articles(today), images, created
    )
    ensure_pages(
        home,
        StandardPage,
        prefecture.standard_pages(desk, support_index),
        images,
        created,
    )

    home = home.specific
    if not home.hero_lead:
        flow = StandardPage.objects.child_of(home).get(slug="consultation-flow")
        for key, value in prefecture.home_fields(flow, support_index).items():
            setattr(home, key, value)
        home.hero_image = images["shared_tsukuba"]
        home.save_revision(log_action=False).publish(log_action=False)
        created["トップページ"] += 1


# --- Accounts -------------------------------------------------------------------------


def ensure_demo_accounts(password: str, created: Counter) -> list[DemoAccount]:
    """The four demo logins. An existing account keeps its name and groups but gets
    the demo password back, so the printed password always works."""
    user_model = get_user_model()
    ready = []
    for account in DEMO_ACCOUNTS:
        if account.municipality_slug is None:
            group = Group.objects.get(name=PREFECTURE_STAFF_GROUP)
        else:
            municipality = Municipality.objects.filter(
                slug=account.municipality_slug
            ).first()
            if municipality is None or municipality.editor_group is None:
                continue
            group = municipality.editor_group
        user = user_model.objects.filter(username=account.username).first()
        if user is None:
            user = user_model.objects.create_user(
                username=account.username,
                email=f"{account.username}@example.jp",
                password=password,
                first_name=account.first_name,
                last_name=account.last_name,
            )
            created["アカウント"] += 1
        elif not user.check_password(password):
            user.set_password(password)
            user.save(update_fields=["password"])
            created["パスワードの再設定"] += 1
        if not user.groups.filter(pk=group.pk).exists():
            user.groups.add(group)
        ready.append(account)
    return ready
