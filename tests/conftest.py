"""A small portal shared by the whole session: the site structure, three
municipalities (水戸市, つくば市, 大子町) with editors, images, documents, desks and
listings. Each test runs in a transaction that is rolled back afterwards."""

import os
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from cms.core.models import ConsultationDesk, Municipality
from cms.core.municipality_import import (
    apply_municipality_rows,
    parse_municipality_table,
)
from cms.core.permissions import PREFECTURE_STAFF_GROUP
from cms.listings.models import AkiyaIndexPage, EventIndexPage
from tests import factories

pytest_plugins = ["tests.real_parts"]

MUNICIPALITIES_TSV = """code\tcode5\tname\tkana\tslug\tkind
082015\t08201\t水戸市\tみとし\tmito\tcity
082201\t08220\tつくば市\tつくばし\ttsukuba\tcity
083640\t08364\t大子町\tだいごまち\tdaigo\ttown
"""


def build_test_portal():
    report = apply_municipality_rows(parse_municipality_table(MUNICIPALITIES_TSV))
    assert report.ok, report.errors
    staff = Group.objects.get(name=PREFECTURE_STAFF_GROUP)
    factories.make_user("pref-admin", [staff], first_name="県", last_name="職員")
    for municipality in Municipality.objects.all():
        slug = municipality.slug
        factories.make_user(f"{slug}-editor", [municipality.editor_group])
        factories.make_image(
            municipality.collection, f"{slug}-photo", f"{municipality.name}の風景"
        )
        factories.make_document(municipality.collection, f"{slug}-guide")
        ConsultationDesk.objects.create(
            municipality=municipality,
            name=f"{municipality.name} 移住相談窓口",
            phone="029-000-0000",
        )
        akiya_section = AkiyaIndexPage.objects.get(municipality_page_of(slug))
        factories.add_akiya(
            akiya_section,
            title=f"{municipality.name}の公開物件",
            registration_number=f"{slug}-1",
        )
        factories.add_akiya(
            akiya_section,
            publish=False,
            title=f"{municipality.name}の下書き物件",
            registration_number=f"{slug}-2",
        )
        factories.add_event(
            EventIndexPage.objects.get(municipality_page_of(slug)),
            title=f"{municipality.name}の移住相談会",
        )


def municipality_page_of(slug):
    from django.db.models import Q

    return Q(url_path__startswith=f"/home/towns/{slug}/")


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        build_test_portal()


@pytest.fixture
def portal(db):
    """Lookups into the shared test portal."""
    municipalities = {m.slug: m for m in Municipality.objects.all()}
    users = {u.username: u for u in get_user_model().objects.all()}

    def section(slug, page_class=AkiyaIndexPage):
        return page_class.objects.get(municipality_page_of(slug))

    return SimpleNamespace(
        municipalities=municipalities,
        users=users,
        section=section,
        mito=municipalities["mito"],
        tsukuba=municipalities["tsukuba"],
        daigo=municipalities["daigo"],
    )


@pytest.fixture
def login(client):
    def as_user(username):
        client.login(username=username, password=factories.PASSWORD)
        return client

    return as_user


#: The manuals' screenshots (docs/manual/*.md).
MANUAL_IMAGES = Path(__file__).resolve().parents[1] / "docs" / "manual" / "images"


@pytest.fixture
def shots(tmp_path):
    """Where screenshot tests put their pictures: the manuals' images folder with
    PORTAL_UPDATE_MANUAL_SCREENSHOTS=1 (the manuals follow the admin as it
    changes), a temporary folder otherwise."""
    folder = (
        MANUAL_IMAGES
        if os.environ.get("PORTAL_UPDATE_MANUAL_SCREENSHOTS")
        else tmp_path
    )
    folder.mkdir(parents=True, exist_ok=True)
    return folder
