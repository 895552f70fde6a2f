"""Wagtail's reports and history views do not show a municipality editor what other
municipalities are doing."""

import pytest

pytestmark = pytest.mark.django_db

REPORTS = [
    "/admin/reports/site-history/",
    "/admin/reports/aging-pages/",
    "/admin/reports/locked/",
    "/admin/reports/workflow/",
    "/admin/reports/workflow_tasks/",
    "/admin/pages/search/?q=物件",
]


@pytest.mark.parametrize("url", REPORTS)
def test_reports_hide_other_municipalities_from_an_editor(portal, login, url):
    response = login("mito-editor").get(url)
    assert response.status_code in (200, 302, 403)
    html = response.content.decode()
    assert "つくば市の下書き物件" not in html
    assert "大子町の下書き物件" not in html


def test_site_history_shows_staff_everything(portal, login):
    html = login("pref-admin").get("/admin/reports/site-history/").content.decode()
    assert "つくば市の下書き物件" in html or "つくば市の公開物件" in html
