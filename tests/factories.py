"""Small builders for test data: valid by default, overridable per test."""

import datetime
import io

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.files.images import ImageFile
from PIL import Image as PILImage

from cms.core.models import PortalDocument, PortalImage
from cms.listings.models import AkiyaListingPage, EventPage

PASSWORD = "test-password-123"


def png_bytes(colour=(40, 120, 200), size=(64, 48)) -> bytes:
    buffer = io.BytesIO()
    PILImage.new("RGB", size, colour).save(buffer, "PNG")
    return buffer.getvalue()


def make_image(collection, title, description="テスト用の画像", colour=(40, 120, 200)):
    return PortalImage.objects.create(
        title=title,
        description=description,
        collection=collection,
        file=ImageFile(io.BytesIO(png_bytes(colour)), name=f"{title}.png"),
    )


def make_document(collection, title):
    return PortalDocument.objects.create(
        title=title,
        collection=collection,
        file=ContentFile(b"%PDF-1.4 test\n", name=f"{title}.pdf"),
    )


def make_user(username, groups=(), **fields):
    user = get_user_model().objects.create_user(
        username=username, password=PASSWORD, email=f"{username}@example.jp", **fields
    )
    user.groups.set(groups)
    return user


def akiya_fields(**overrides):
    fields = {
        "title": "水戸市の平屋",
        "registration_number": "T-001",
        "transaction_type": "sale",
        "property_type": "house",
        "price_yen": 3_800_000,
        "summary": "日当たりのよい平屋です。",
        "address": "茨城県水戸市大字テスト",
        "land_area_sqm": 330,
        "land_area_method": "registered",
        "building_area_sqm": 99,
        "building_area_method": "registered",
        "layout": "4LDK",
        "built_year_month": "1980-04",
        "registered_on": datetime.date(2026, 4, 1),
    }
    fields.update(overrides)
    return fields


def add_akiya(section, publish=True, **overrides):
    page = AkiyaListingPage(**akiya_fields(**overrides))
    section.add_child(instance=page)
    revision = page.save_revision()
    if publish:
        revision.publish()
    else:
        page.live = False
        page.save(update_fields=["live"])
    return page


def add_event(section, publish=True, **overrides):
    start = datetime.datetime(2026, 12, 5, 13, 0, tzinfo=datetime.UTC)
    fields = {
        "title": "移住相談会",
        "kind": "event",
        "summary": "先輩移住者と話せる相談会です。",
        "start_at": start,
        "end_at": start + datetime.timedelta(hours=3),
        "venue_name": "市民会館",
    }
    fields.update(overrides)
    page = EventPage(**fields)
    section.add_child(instance=page)
    revision = page.save_revision()
    if publish:
        revision.publish()
    return page
