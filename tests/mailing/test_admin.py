"""The admin's メール配信 menu over HTTP: who may use it (allow and deny), the
campaign page's actions, the import flow, the live segment count, reports, the
deliverability check (DNS stubbed) and the monthly summary."""

import json

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cms.core.permissions import MAILING_STAFF_GROUP
from cms.mailing import deliverability
from cms.mailing.models import Campaign, CampaignStatus, Segment, Subscriber
from tests import factories

PAGES = [
    "/admin/mailing_campaigns/",
    "/admin/mailing_subscribers/",
    "/admin/mailing_segments/",
    "/admin/mailing_segments/new/",
    "/admin/mailing_templates/",
    "/admin/mailing_bounces/",
    "/admin/mailing_import/",
    "/admin/mailing_export/",
    "/admin/mailing_deliverability/",
    "/admin/mailing_monthly/",
]


@pytest.mark.parametrize("path", PAGES)
def test_prefecture_staff_use_every_mailing_page(audience, login, path):
    assert login("pref-admin").get(path).status_code == 200


@pytest.mark.parametrize("path", PAGES)
def test_municipality_editor_is_refused_every_mailing_page(audience, login, path):
    assert_refused(login("mito-editor").get(path))


def assert_refused(response):
    """Wagtail answers PermissionDenied in the admin with a redirect to the
    dashboard and a message; a plain 403 is as good."""
    assert response.status_code in {302, 403}
    if response.status_code == 302:
        assert response["Location"] == "/admin/"


def test_mailing_staff_group_member_may_use_the_tool(audience, client):
    group = Group.objects.get(name=MAILING_STAFF_GROUP)
    factories.make_user("mail-operator", [group])
    client.login(username="mail-operator", password=factories.PASSWORD)
    assert client.get("/admin/mailing_subscribers/").status_code == 200
    assert (
        "taro.farm@example.jp"
        in client.get("/admin/mailing_subscribers/").content.decode().lower()
    )


def test_municipality_editor_cannot_read_subscribers_or_export(audience, login):
    client = login("mito-editor")
    assert_refused(client.get("/admin/mailing_export/?encoding=utf-8-sig"))
    subscriber = Subscriber.objects.first()
    response = client.get(f"/admin/mailing_subscribers/edit/{subscriber.pk}/")
    assert_refused(response)
    assert subscriber.email.encode() not in response.content


def test_segment_live_count_and_save_through_the_admin(audience, login):
    client = login("pref-admin")
    rules = {
        "op": "and",
        "rules": [
            {"field": "prefecture", "lookup": "eq", "value": "東京都"},
            {"field": "interest", "lookup": "eq", "value": "就農"},
        ],
    }
    response = client.post(
        reverse("mailing_segment_count"),
        json.dumps({"rules": rules}),
        content_type="application/json",
    )
    assert response.json() == {
        "count": 2,
        "all": 3,
        "description": "居住都道府県が東京都 かつ 関心が就農",
    }
    bad = client.post(
        reverse("mailing_segment_count"),
        json.dumps({"rules": {"op": "and", "rules": [{"field": "x", "value": 1}]}}),
        content_type="application/json",
    )
    assert bad.status_code == 400 and bad.json()["errors"] == [
        "項目「x」はありません。"
    ]
    assert_refused(
        login("mito-editor").post(
            reverse("mailing_segment_count"),
            json.dumps({"rules": rules}),
            content_type="application/json",
        )
    )

    client = login("pref-admin")
    response = client.post(
        "/admin/mailing_segments/new/",
        {"name": "東京の就農", "description": "", "rules": json.dumps(rules)},
    )
    assert response.status_code == 302
    assert Segment.objects.get(name="東京の就農").subscribers().count() == 3


def test_campaign_page_test_send_and_send_now(
    campaign, login, smtp_server, django_capture_on_commit_callbacks
):
    client = login("pref-admin")
    url = reverse("mailing_campaign_detail", args=[campaign.pk])
    page = client.get(url).content.decode()
    assert "居住都道府県が東京都（3人）" in page
    assert "DKIM署名の鍵が設定されていません" in page  # the warning before sending

    client.post(url, {"action": "test", "addresses": "staff@pref.example.jp"})
    assert len(smtp_server.messages) == 1

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"action": "send", "scheduled_at": ""})
    assert response.status_code == 302
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.SENT
    assert len(smtp_server.messages) == 4
    progress = client.get(
        reverse("mailing_campaign_progress", args=[campaign.pk])
    ).json()
    assert progress["sent"] == 3 and progress["percent"] == 100
    # A sent campaign can no longer be edited.
    edit = client.get(f"/admin/mailing_campaigns/edit/{campaign.pk}/")
    assert edit.status_code == 302 and edit["Location"] == url


def test_campaign_page_schedule_and_cancel(campaign, login, smtp_server):
    client = login("pref-admin")
    url = reverse("mailing_campaign_detail", args=[campaign.pk])
    client.post(url, {"action": "send", "scheduled_at": "2099-01-01T09:00"})
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.SCHEDULED
    client.post(url, {"action": "cancel"})
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.CANCELLED
    assert smtp_server.messages == []


def test_municipality_editor_cannot_send_campaigns(campaign, login, smtp_server):
    url = reverse("mailing_campaign_detail", args=[campaign.pk])
    assert_refused(
        login("mito-editor").post(url, {"action": "send", "scheduled_at": ""})
    )
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.DRAFT and smtp_server.messages == []


def test_preview_shows_both_parts_with_footer(campaign, login):
    client = login("pref-admin")
    html = client.get(
        reverse("mailing_campaign_preview", args=[campaign.pk])
    ).content.decode()
    assert "見本 花子様" in html and "配信停止はこちら" in html
    text = client.get(
        reverse("mailing_campaign_preview", args=[campaign.pk]) + "?part=text"
    )
    assert "送信者: 茨城県 政策企画部 計画推進課" in text.content.decode()


def test_import_flow_upload_preview_then_import(db, login, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    client = login("pref-admin")
    data = "メールアドレス,お名前,メモ\na@example.jp,エー,x\nbad,ビー,y\n".encode(
        "cp932"
    )
    response = client.post(
        "/admin/mailing_import/",
        {
            "step": "upload",
            "consent_note": "相談会の申込書",
            "file": SimpleUploadedFile("l.csv", data),
        },
    )
    page = response.content.decode()
    assert "cp932" in page and "3行目 メールアドレス" in page
    assert not Subscriber.objects.exists()
    upload = response.context["upload"]
    response = client.post(
        "/admin/mailing_import/",
        {
            "step": "import",
            "upload": upload,
            "consent_note": "相談会の申込書",
            "mapping": ["email", "name", ""],
            "update_existing": "on",
        },
    )
    assert "新規 1人" in response.content.decode()
    subscriber = Subscriber.objects.get()
    assert subscriber.name == "エー"
    assert subscriber.consent_note == "相談会の申込書（pref-admin がCSV取込）"


def test_report_and_csv(campaign, login, smtp_server):
    from cms.mailing import sending

    Campaign.objects.filter(pk=campaign.pk).update(status=CampaignStatus.SENDING)
    sending.send_campaign(campaign.pk)
    client = login("pref-admin")
    page = client.get(
        reverse("mailing_campaign_report", args=[campaign.pk])
    ).content.decode()
    assert "開封率（%）" in page and "https://iju.example.jp/events/42/" in page
    response = client.get(
        reverse("mailing_campaign_report", args=[campaign.pk]) + "?download=csv"
    )
    text = response.content.decode("utf-8-sig")
    assert "送信済み,3" in text
    monthly = client.get("/admin/mailing_monthly/?download=csv").content.decode(
        "utf-8-sig"
    )
    assert monthly.splitlines()[1].split(",")[2] == "3"


def test_deliverability_check_with_stubbed_dns(with_dkim, settings):
    records = {
        "iju.example.jp": ["v=spf1 include:amazonses.com ~all"],
        "portal2026._domainkey.iju.example.jp": [with_dkim.public_key_record],
        "_dmarc.iju.example.jp": ["v=DMARC1; p=none; rua=mailto:d@iju.example.jp"],
    }
    checks = {
        c.name: c
        for c in deliverability.check_domain(resolver=lambda n: records.get(n, []))
    }
    assert all(c.ok for c in checks.values()), checks
    assert "quarantine" in checks["DMARC"].advice

    checks = {c.name: c for c in deliverability.check_domain(resolver=lambda n: [])}
    assert not checks["SPF"].ok and not checks["DKIM"].ok and not checks["DMARC"].ok
    assert with_dkim.public_key_record in checks["DKIM"].advice


def test_deliverability_page_runs_the_check(db, login, monkeypatch):
    monkeypatch.setattr(deliverability, "resolve_txt", lambda name: [])
    page = login("pref-admin").get(
        "/admin/mailing_deliverability/?run=1&domain=iju.example.jp"
    )
    assert "SPFレコードがありません。" in page.content.decode()


def test_short_campaign_page_says_it_goes_without_the_open_pixel(campaign, login):
    client = login("pref-admin")
    url = reverse("mailing_campaign_detail", args=[campaign.pk])
    assert "開封計測用の画像を入れずに送ります" not in client.get(url).content.decode()

    campaign.body_markdown = "{{ name }}様\n\n相談会を開きます。"
    campaign.save()
    assert "開封計測用の画像を入れずに送ります" in client.get(url).content.decode()
