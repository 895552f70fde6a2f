"""Importing Google Analytics 4 CSV exports (as GA4's report download writes
them: comment header, Japanese or English column names, a grand-total row)."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError

from cms.analytics import queries
from cms.analytics.ga4 import Ga4ImportError, import_ga4_csv, parse_ga4_csv
from cms.analytics.models import DailyPageStat, DailySiteStat, DailySourceStat

pytestmark = pytest.mark.django_db

SITE_JA = """\
# ----------------------------------------
# レポート スナップショット
# アカウント: 茨城県移住ポータル
# 開始日: 20250901
# 終了日: 20250902
# ----------------------------------------

日付,表示回数,アクティブ ユーザー,セッション,直帰率,平均セッション継続時間
20250901,"1,200",400,500,0.4,95.5
20250902,800,300,350,50%,60
総計,2000,650,850,,
"""

PAGES_EN = """\
# Pages and screens: Page path and screen class
# Start date: 20250901
# End date: 20250901

Date,Page path and screen class,Views,Active users,Entrances
20250901,/towns/mito/,300,120,80
20250901,/towns/mito/?utm_source=x,20,10,5
20250901,/about/,50,40,10
"""

SOURCES_JA = """\
日付,セッションの参照元,セッションのメディア,セッションのキャンペーン,セッション,アクティブ ユーザー,表示回数
20250901,google,organic,(organic),200,180,500
20250901,(direct),(none),(direct),100,90,300
20250901,newsletter,email,sep,20,20,40
"""


def test_site_totals_from_a_japanese_export():
    result = import_ga4_csv(SITE_JA.encode("utf-8-sig"))
    assert (result.kind, result.rows) == ("site", 2)
    first = DailySiteStat.objects.get(day=datetime.date(2025, 9, 1))
    assert (first.pageviews, first.visitors, first.sessions, first.bounces) == (
        1200,
        400,
        500,
        200,
    )
    assert first.origin == "ga4"
    assert first.duration_seconds == round(500 * 95.5)
    second = DailySiteStat.objects.get(day=datetime.date(2025, 9, 2))
    assert second.bounces == 175  # 50% of 350
    # The dashboard reads imported months like measured ones.
    totals = queries.totals(queries.Period.month(2025, 9))
    assert (totals["pageviews"], totals["sessions"]) == (2000, 850)


def test_reimport_replaces_the_same_days():
    import_ga4_csv(SITE_JA.encode())
    import_ga4_csv(SITE_JA.replace('"1,200"', "1300").encode())
    assert DailySiteStat.objects.count() == 2
    assert DailySiteStat.objects.get(day=datetime.date(2025, 9, 1)).pageviews == 1300


def test_pages_from_an_english_export_merge_query_strings_and_resolve_towns(portal):
    import_ga4_csv(PAGES_EN.encode())
    mito = DailyPageStat.objects.get(path="/towns/mito/")
    assert (mito.pageviews, mito.visitors, mito.entries) == (320, 130, 85)
    assert mito.municipality == portal.mito
    assert DailyPageStat.objects.count() == 2


def test_sources_normalise_direct_and_campaigns():
    import_ga4_csv(SOURCES_JA.encode())
    rows = {
        (r.source, r.medium, r.campaign): r.sessions
        for r in DailySourceStat.objects.all()
    }
    assert rows == {
        ("google", "organic", ""): 200,
        ("(direct)", "", ""): 100,
        ("newsletter", "email", "sep"): 20,
    }


def test_errors_name_row_and_column_and_nothing_is_saved():
    bad = SITE_JA.replace("20250902,800", "20250902,八百")
    with pytest.raises(Ga4ImportError) as caught:
        import_ga4_csv(bad.encode())
    assert caught.value.messages == ["10行目「表示回数」: 読み取れません（'八百'）。"]
    assert not DailySiteStat.objects.exists()
    with pytest.raises(Ga4ImportError, match="列「日付」"):
        parse_ga4_csv("ページ パス,表示回数\n/a/,1\n".encode())


def test_dry_run_saves_nothing():
    result = import_ga4_csv(SITE_JA.encode(), dry_run=True)
    assert result.dry_run and result.rows == 2
    assert not DailySiteStat.objects.exists()


def test_admin_upload_for_staff_only(login, client):
    upload = SimpleUploadedFile("ga4.csv", SITE_JA.encode("utf-8-sig"), "text/csv")
    denied = login("mito-editor").post("/admin/analytics/ga4/", {"file": upload})
    assert denied.status_code in (302, 403)  # Wagtail redirects with a message
    assert not DailySiteStat.objects.exists()
    upload.seek(0)
    client.logout()
    response = login("pref-admin").post(
        "/admin/analytics/ga4/", {"file": upload}, follow=True
    )
    assert response.status_code == 200
    assert "日別の集計を取り込みました" in response.content.decode()
    assert DailySiteStat.objects.count() == 2


def test_admin_upload_shows_errors(login):
    upload = SimpleUploadedFile("ga4.csv", b"a,b\n1,2\n", "text/csv")
    response = login("pref-admin").post("/admin/analytics/ga4/", {"file": upload})
    assert response.status_code == 200
    assert "列「日付」" in response.content.decode()


def test_command_imports_and_reports_errors(tmp_path):
    good = tmp_path / "site.csv"
    good.write_text(SITE_JA, encoding="utf-8")
    call_command("analytics", "import-ga4", str(good))
    assert DailySiteStat.objects.count() == 2
    bad = tmp_path / "bad.csv"
    bad.write_text("x,y\n", encoding="utf-8")
    with pytest.raises(CommandError, match="何も保存していません"):
        call_command("analytics", "import-ga4", str(bad))
