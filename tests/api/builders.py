"""Content for the API tests, beyond tests.factories: the other listing types,
photos and bodies that refer to images, documents, desks and pages."""

import datetime
import uuid

from django.utils import timezone

from cms.core.models import Municipality
from cms.listings.models import (
    AkiyaPhoto,
    EventIndexPage,
    RecruitmentIndexPage,
    RecruitmentPage,
    TrialStayIndexPage,
    TrialStayPage,
)
from tests import factories
from tests.conftest import municipality_page_of


def publish(page):
    page.save_revision().publish()
    return page


def add_trial_stay(slug: str, publish_it=True, **overrides):
    section = TrialStayIndexPage.objects.get(municipality_page_of(slug))
    fields = {
        "title": "お試し住宅",
        "facility_name": "お試し住宅 さくら",
        "summary": "一週間から暮らしを体験できます。",
        "address": "茨城県テスト町1-1",
        "capacity": 4,
        "fee_per_night_yen": 2000,
        "equipment": ["furniture", "wifi"],
    }
    fields.update(overrides)
    page = TrialStayPage(**fields)
    section.add_child(instance=page)
    revision = page.save_revision()
    if publish_it:
        revision.publish()
    return page


def add_recruitment(slug: str, publish_it=True, **overrides):
    section = RecruitmentIndexPage.objects.get(municipality_page_of(slug))
    fields = {
        "title": "地域おこし協力隊（観光）",
        "summary": "観光の仕事をする協力隊員を募集します。",
        "mission": "<p>観光案内所の運営</p>",
        "employment_type": "fiscal_year",
        "monthly_pay_yen": 240000,
    }
    fields.update(overrides)
    page = RecruitmentPage(**fields)
    section.add_child(instance=page)
    revision = page.save_revision()
    if publish_it:
        revision.publish()
    return page


def add_photo_akiya(slug: str, number: int, **overrides):
    """A published akiya with one photo of its own image."""
    municipality = Municipality.objects.get(slug=slug)
    image = factories.make_image(
        municipality.collection,
        f"{slug}-akiya-{number}",
        f"{municipality.name}の物件{number}の外観",
    )
    section_q = municipality_page_of(slug)
    from cms.listings.models import AkiyaIndexPage

    section = AkiyaIndexPage.objects.get(section_q)
    page = factories.add_akiya(
        section,
        publish=False,
        title=f"{municipality.name}の物件{number}",
        slug=f"bukken-{number}",
        registration_number=f"{slug}-q-{number}",
        **overrides,
    )
    page.photos.add(AkiyaPhoto(image=image, caption="外観", kind="exterior"))
    publish(page)
    return page


def body_with_references(image, document, desk, linked_page) -> list:
    """A StreamField body using every block type (raw data, as stored)."""

    def block(kind, value):
        return {"type": kind, "value": value, "id": str(uuid.uuid4())}

    link = f'<p><a linktype="page" id="{linked_page.pk}">リンク</a></p>'
    return [
        block("heading", {"text": "見出し", "level": "h2"}),
        block("paragraph", link),
        block(
            "image",
            {
                "image": {"image": image.pk, "decorative": False, "alt_text": "説明"},
                "caption": "写真",
            },
        ),
        block(
            "gallery",
            {
                "title": "ギャラリー",
                "images": [
                    {
                        "type": "item",
                        "id": str(uuid.uuid4()),
                        "value": {
                            "image": {
                                "image": image.pk,
                                "decorative": True,
                                "alt_text": "",
                            },
                            "caption": "",
                        },
                    }
                ],
            },
        ),
        block(
            "table",
            {
                "data": [["項目", "内容"], ["家賃", None]],
                "first_row_is_table_header": True,
                "first_col_is_header": False,
                "table_caption": "表",
            },
        ),
        block("button", {"label": "詳しく", "page": linked_page.pk, "url": ""}),
        block("faq", {"question": "質問", "answer": link}),
        block("quote", {"text": "移住してよかった", "attribution": "Aさん"}),
        block("document", {"document": document.pk, "label": ""}),
        block("desk", {"desk": desk.pk}),
    ]


def event_section(slug: str):
    return EventIndexPage.objects.get(municipality_page_of(slug))


def in_days(days: int) -> datetime.datetime:
    return timezone.now() + datetime.timedelta(days=days)
