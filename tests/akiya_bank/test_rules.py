"""Which listings qualify for the national bank (live, public, consented, not
成約済/取下げ), and what the validator asks of them, per form field."""

import pytest
from wagtail.models import PageViewRestriction

from cms.akiya_bank.sync import current_checks
from cms.listings.models import AkiyaListingPage

pytestmark = pytest.mark.django_db


def check_of(page):
    (check,) = current_checks(AkiyaListingPage.objects.filter(pk=page.pk))
    return check


def test_valid_consenting_live_listing_is_sent(add_listing):
    check = check_of(add_listing())
    assert check.state == "sent"
    assert check.blocking == []


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        (
            {"national_bank_consent": False, "national_bank_consent_on": None},
            "掲載同意がありません",
        ),
        ({"status": "contracted"}, "成約済"),
        ({"status": "withdrawn"}, "取下げ"),
    ],
)
def test_listing_without_consent_or_sold_or_withdrawn_is_excluded(
    add_listing, changes, reason
):
    check = check_of(add_listing(**changes))
    assert check.state == "excluded"
    assert reason in check.exclusion


def test_negotiating_listing_is_still_sent(add_listing):
    assert check_of(add_listing(status="negotiating")).state == "sent"


def test_draft_listing_is_excluded_even_with_consent(add_listing):
    check = check_of(add_listing(publish=False))
    assert check.state == "excluded"
    assert "公開されていません" in check.exclusion


def test_listing_under_a_view_restriction_is_excluded(add_listing, portal):
    page = add_listing("daigo")
    PageViewRestriction.objects.create(
        page=portal.section("daigo"), restriction_type="password", password="secret"
    )
    check = check_of(page)
    assert check.state == "excluded"
    assert "閲覧制限" in check.exclusion


def test_missing_land_area_blocks_the_listing_on_that_field(add_listing):
    check = check_of(add_listing(land_area_sqm=None, land_area_method=""))
    assert check.state == "invalid"
    assert [(p.field, p.label) for p in check.blocking] == [
        ("land_area_sqm", "土地面積（㎡）")
    ]
    assert "土地面積を入力してください" in check.blocking[0].message


def test_agent_listing_needs_agent_name_and_licence(add_listing):
    page = add_listing()
    # Saved past the form (as an import would), so the model's own check is skipped.
    AkiyaListingPage.objects.filter(pk=page.pk).update(transaction_method="agent")
    fields = {p.field for p in check_of(page).blocking}
    assert fields == {"agent_name", "agent_licence_number"}


def test_missing_photos_and_coordinates_are_warnings_not_blockers(add_listing):
    check = check_of(add_listing(photos=0, latitude=None, longitude=None))
    assert check.state == "sent"
    assert {p.field for p in check.warnings} == {"photos", "latitude"}


def test_contact_falls_back_to_the_municipality_desk(add_listing, portal):
    check = check_of(add_listing("tsukuba"))
    assert check.record["contact_name"] == "つくば市 移住相談窓口"
    assert check.record["contact_phone"] == "029-000-0000"


def test_listing_without_any_desk_cannot_be_sent(add_listing, portal):
    page = add_listing("daigo")
    portal.daigo.desks.all().delete()
    check = check_of(page)
    assert [p.field for p in check.blocking] == ["contact_desk"]
