"""The dashboard, CSV export and report button over HTTP: prefecture staff may,
municipality editors and anonymous visitors may not."""

import csv
import io

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("username", ["mito-editor", None])
def test_dashboard_is_refused_to_editors_and_anonymous(login, client, username):
    browser = login(username) if username else client
    response = browser.get("/admin/analytics/")
    assert response.status_code in (302, 403)
    for url in (
        "/admin/analytics/csv/pages.csv",
        "/admin/analytics/report/2026-10.html",
        "/admin/analytics/ga4/",
    ):
        assert browser.get(url).status_code in (302, 403)


def test_editor_does_not_see_the_menu_item(login):
    response = login("mito-editor").get("/admin/")
    assert "/admin/analytics/" not in response.content.decode()
    response = login("pref-admin").get("/admin/")
    assert "/admin/analytics/" in response.content.decode()


def test_staff_dashboard_shows_totals_trend_pages_sources_and_akiya(login, october):
    response = login("pref-admin").get("/admin/analytics/?month=2026-10")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<td>160</td>" in html  # page views: 100 + 60
    assert "+100.0%" in html  # 160 vs 80 in September
    assert "水戸市" in html and "大子町の古民家" in html
    assert "google.co.jp" in html and "oct" in html
    assert "スマートフォン" in html
    assert "<svg" in html  # server-rendered charts, no script


def test_bad_month_falls_back_with_a_message(login, october):
    response = login("pref-admin").get("/admin/analytics/?month=2026-13", follow=True)
    assert response.status_code == 200
    assert "YYYY-MM" in response.content.decode()


def test_csv_export_of_pages_and_municipalities(login, october):
    browser = login("pref-admin")
    response = browser.get("/admin/analytics/csv/pages.csv?month=2026-10")
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('analytics-pages-2026-10.csv"')
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:4] == ["ページ", "タイトル", "種類", "ページビュー"]
    assert rows[1][:4] == ["/towns/mito/", "水戸市", "municipalitypage", "75"]
    towns = browser.get("/admin/analytics/csv/municipalities.csv?month=2026-10")
    rows = list(csv.reader(io.StringIO(towns.content.decode("utf-8-sig"))))
    assert rows[1] == ["水戸市", "082015", "75", "35", "0"]
    assert browser.get("/admin/analytics/csv/nothing.csv").status_code == 404
