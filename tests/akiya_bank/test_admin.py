"""The admin side over HTTP: municipality editors see which of their own listings
will not be sent and why; staff see everything, the sync history, the targets and
the tokens; the CSV export opens in Excel; each allowed and denied."""

import csv
import io
import json

import pytest
from bs4 import BeautifulSoup

from cms.akiya_bank.models import FeedConsumer, PushTarget, SyncRun
from cms.akiya_bank.sync import refresh_feed
from tests.admin_forms import denied

pytestmark = pytest.mark.django_db

REPORT = "/admin/akiya_report/"
EXPORT = "/admin/akiya_export/"


def rows(response):
    soup = BeautifulSoup(response.content, "html.parser")
    return [
        tr.get_text(" ", strip=True) for tr in soup.select("table.listing tbody tr")
    ]


def test_editor_sees_why_their_listing_will_not_be_sent_per_field(login, add_listing):
    add_listing(
        "mito", title="水戸の面積なし物件", land_area_sqm=None, land_area_method=""
    )
    add_listing("mito", title="水戸の送信できる物件")
    add_listing(
        "tsukuba", title="つくばの面積なし物件", land_area_sqm=None, land_area_method=""
    )
    response = login("mito-editor").get(REPORT)
    assert response.status_code == 200
    text = "\n".join(rows(response))
    assert "水戸の面積なし物件" in text
    assert "送信されません（修正が必要）" in text
    assert "土地面積（㎡） : 土地面積を入力してください" in text
    assert "水戸の送信できる物件" in text and "送信されます" in text
    assert "水戸市の公開物件" in text and "掲載同意がありません" in text
    assert "つくば" not in text


def test_editor_can_list_only_the_listings_that_need_fixing(login, add_listing):
    add_listing("mito", title="直す物件", land_area_sqm=None, land_area_method="")
    add_listing("mito", title="問題ない物件")
    response = login("mito-editor").get(REPORT, {"state": "problems"})
    text = "\n".join(rows(response))
    assert "直す物件" in text and "問題ない物件" not in text


def test_editor_cannot_filter_the_report_to_another_municipality(
    login, portal, add_listing
):
    add_listing("tsukuba", title="つくばの物件")
    response = login("mito-editor").get(REPORT, {"municipality": portal.tsukuba.pk})
    assert "つくばの物件" not in response.content.decode()


def test_staff_see_every_municipality_in_the_report(login, add_listing):
    add_listing(
        "tsukuba", title="つくばの面積なし物件", land_area_sqm=None, land_area_method=""
    )
    text = "\n".join(rows(login("pref-admin").get(REPORT)))
    for name in (
        "水戸市の公開物件",
        "つくば市の公開物件",
        "大子町の公開物件",
        "つくばの面積なし物件",
    ):
        assert name in text


def test_report_is_denied_to_an_admin_user_without_municipality(login):
    from django.contrib.auth.models import Group, Permission

    from tests import factories

    group = Group.objects.create(name="管理画面のみ")
    group.permissions.add(Permission.objects.get(codename="access_admin"))
    factories.make_user("no-town-user", [group])
    client = login("no-town-user")
    assert denied(client.get(REPORT))
    assert denied(client.get(EXPORT))


def menu_text(response) -> str:
    """The admin menu (drawn by JavaScript from JSON props) as plain text."""
    soup = BeautifulSoup(response.content, "html.parser")
    props = soup.find("script", id="wagtail-sidebar-props")
    return json.dumps(json.loads(props.string), ensure_ascii=False)


def test_editor_menu_has_the_report_and_export_but_not_the_staff_screens(login):
    menu = menu_text(login("daigo-editor").get("/admin/"))
    assert "連携チェック" in menu and "CSV出力" in menu
    assert "送信先" not in menu and "連携履歴" not in menu


def test_staff_menu_has_every_akiya_bank_screen(login):
    menu = menu_text(login("pref-admin").get("/admin/"))
    for label in ("連携チェック", "CSV出力", "連携履歴", "送信先", "フィード利用者"):
        assert label in menu


# --- Staff-only screens ---------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/admin/akiya_sync_runs/",
        "/admin/akiya_targets/",
        "/admin/akiya_targets/new/",
        "/admin/akiya_consumers/",
        "/admin/akiya_consumers/new/",
    ],
)
def test_editor_is_denied_the_staff_screens(login, url):
    assert denied(login("mito-editor").get(url))


@pytest.mark.parametrize(
    "url",
    ["/admin/akiya_sync_runs/", "/admin/akiya_targets/", "/admin/akiya_consumers/"],
)
def test_staff_open_the_staff_screens(login, url):
    assert login("pref-admin").get(url).status_code == 200


def test_sync_history_shows_counts_and_errors_to_staff(login, add_listing, http_target):
    PushTarget.objects.create(
        name="落ちている送信先",
        protocol="https",
        format="canonical-json",
        url=http_target.url,
    )
    http_target.status = 503
    add_listing(title="履歴に出る物件")
    from cms.akiya_bank.sync import run_sync

    run = run_sync("cli")
    client = login("pref-admin")
    index = client.get("/admin/akiya_sync_runs/").content.decode()
    assert "失敗" in index and "コマンド" in index
    detail = client.get(f"/admin/akiya_sync_runs/inspect/{run.pk}/").content.decode()
    assert "履歴に出る物件" in detail
    assert "落ちている送信先" in detail and "HTTP 503" in detail
    # The dashboard warns staff while the target keeps failing …
    assert (
        "全国版空き家バンクへの送信に失敗しています"
        in client.get("/admin/").content.decode()
    )
    # … and not editors.
    assert "送信に失敗" not in login("mito-editor").get("/admin/").content.decode()


def test_sync_history_cannot_be_edited_even_by_staff(login):
    run = SyncRun.objects.create(trigger="cli")
    client = login("pref-admin")
    assert denied(client.get(f"/admin/akiya_sync_runs/edit/{run.pk}/"))
    assert denied(client.get("/admin/akiya_sync_runs/new/"))


def test_staff_sync_now_runs_a_sync_and_editor_may_not(login, add_listing):
    add_listing()
    assert denied(login("mito-editor").post("/admin/akiya_sync_runs/sync-now/"))
    assert SyncRun.objects.count() == 0
    response = login("pref-admin").post("/admin/akiya_sync_runs/sync-now/")
    assert response.status_code == 302
    run = SyncRun.objects.get()
    assert (run.trigger, run.added) == ("manual", 1)
    assert run.requested_by.username == "pref-admin"


def test_staff_issue_a_consumer_token_shown_once(login):
    client = login("pref-admin")
    response = client.post(
        "/admin/akiya_consumers/new/",
        {"name": "オープンデータ県", "contact": "data@example.jp", "is_active": "on"},
        follow=True,
    )
    assert response.status_code == 200
    consumer = FeedConsumer.objects.get(name="オープンデータ県")
    html = response.content.decode()
    token = html.split("トークン: ")[1].split(" ")[0]
    assert FeedConsumer.hash_token(token) == consumer.token_hash
    # Not shown again.
    listing = client.get("/admin/akiya_consumers/").content.decode()
    assert token not in listing
    assert consumer.token_hint in listing
    # Reissued on request: the old token stops working.
    client.post(
        f"/admin/akiya_consumers/edit/{consumer.pk}/",
        {
            "name": consumer.name,
            "contact": "",
            "is_active": "on",
            "reissue_token": "on",
        },
    )
    consumer.refresh_from_db()
    assert consumer.token_hash != FeedConsumer.hash_token(token)


def test_staff_add_a_push_target_and_a_bad_one_gets_field_messages(login):
    client = login("pref-admin")
    response = client.post(
        "/admin/akiya_targets/new/",
        {
            "name": "SFTP",
            "protocol": "sftp",
            "format": "lifull-csv",
            "mode": "full",
            "port": "22",
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "SFTPではホスト（SFTP）を入力してください。" in html
    assert "パスワードか秘密鍵のどちらかを入力してください。" in html
    assert not PushTarget.objects.exists()


# --- CSV export ---------------------------------------------------------------


def read_export(response):
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response.content.startswith(b"\xef\xbb\xbf")  # BOM: Excel reads UTF-8
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_staff_export_filtered_by_municipality_and_status_opens_in_excel(
    login, portal, add_listing
):
    add_listing("daigo", title="大子の売約物件", status="contracted")
    add_listing("daigo", title="大子の公開物件2")
    refresh_feed("cli")
    response = login("pref-admin").get(
        EXPORT,
        {"municipality": portal.daigo.pk, "status": "contracted", "download": "1"},
    )
    table = read_export(response)
    header, *body = table
    assert header[:4] == ["市町村", "団体コード", "登録番号", "物件名"]
    assert [row[3] for row in body] == ["大子の売約物件"]
    assert body[0][1] == '="083640"'  # leading zero kept in Excel
    assert body[0][4] == "成約済"
    assert body[0][header.index("連携状況")] == "対象外"
    assert "\r\n" in response.content.decode("utf-8-sig")


def test_editor_exports_own_listings_only_and_is_denied_another_municipality(
    login, portal, add_listing
):
    add_listing("tsukuba", title="つくばの物件")
    client = login("mito-editor")
    table = read_export(client.get(EXPORT, {"download": "1"}))
    towns = {row[0] for row in table[1:]}
    assert towns == {"水戸市"}
    assert denied(
        client.get(EXPORT, {"municipality": portal.tsukuba.pk, "download": "1"})
    )


def test_export_form_page_is_shown(login):
    html = login("tsukuba-editor").get(EXPORT).content.decode()
    assert "CSVをダウンロード" in html
