"""The flat 掲載情報 listings show each user only what they may explore."""

import pytest

pytestmark = pytest.mark.django_db


def test_mito_editor_lists_only_mito_akiya_including_drafts(portal, login):
    html = login("mito-editor").get("/admin/akiya_listings/").content.decode()
    assert "水戸市の公開物件" in html
    assert "水戸市の下書き物件" in html
    assert "つくば市" not in html


def test_staff_list_every_municipality_and_filter_by_municipality(portal, login):
    client = login("pref-admin")
    html = client.get("/admin/akiya_listings/").content.decode()
    for name in ("水戸市", "つくば市", "大子町"):
        assert f"{name}の公開物件" in html
    html = client.get(
        "/admin/akiya_listings/", {"municipality": portal.daigo.pk}
    ).content.decode()
    assert "大子町の公開物件" in html
    assert "水戸市の公開物件" not in html


def test_event_listing_is_limited_the_same_way(portal, login):
    html = login("tsukuba-editor").get("/admin/event_listings/").content.decode()
    assert "つくば市の移住相談会" in html
    assert "水戸市の移住相談会" not in html


def test_dashboard_offers_the_editor_their_own_sections_only(portal, login):
    html = login("daigo-editor").get("/admin/").content.decode()
    assert "大子町の掲載状況" in html
    akiya_section = portal.section("daigo")
    assert f"/admin/pages/add/listings/akiyalistingpage/{akiya_section.pk}/" in html
    assert "水戸市" not in html


def test_dashboard_shows_staff_the_whole_prefecture(portal, login):
    html = login("pref-admin").get("/admin/").content.decode()
    assert "全市町村の掲載状況（3市町村）" in html
