"""Admin reachable only from allowed networks (403 page in Japanese), separate
admin and public hosts, and /healthz answering everywhere."""

import pytest

from cms.ops.access import host_name, ip_allowed, side_for_host

pytestmark = pytest.mark.django_db

OFFICE = ["203.0.113.0/24", "2001:db8::/32"]


def test_ip_allowlist_rules():
    assert ip_allowed("203.0.113.9", OFFICE)
    assert ip_allowed("::ffff:203.0.113.9", OFFICE)
    assert ip_allowed("2001:db8::1", OFFICE)
    assert not ip_allowed("198.51.100.1", OFFICE)
    assert not ip_allowed("not-an-ip", OFFICE)
    assert ip_allowed("198.51.100.1", [])  # no allowlist: the demo


def test_host_decides_the_side():
    admin, public = ["cms.example.jp"], ["api.example.jp"]
    assert side_for_host("api.example.jp:443", admin, public) == "public"
    assert side_for_host("CMS.example.jp", admin, public) == "admin"
    assert side_for_host("other.example.jp", admin, public) == "both"
    assert side_for_host("cms.example.jp", admin, public, forced="public") == "public"
    assert host_name("[::1]:8000") == "[::1]"


def test_admin_from_an_allowed_network_is_served(settings, login):
    settings.PORTAL_ADMIN_ALLOWED_NETWORKS = OFFICE
    client = login("pref-admin")
    response = client.get("/admin/", REMOTE_ADDR="203.0.113.20")
    assert response.status_code == 200


def test_admin_from_another_network_gets_the_403_page(settings, login):
    settings.PORTAL_ADMIN_ALLOWED_NETWORKS = OFFICE
    client = login("pref-admin")
    for path in ("/admin/", "/admin/login/", "/api/graphql/", "/documents/1/x/"):
        response = client.get(path, REMOTE_ADDR="198.51.100.7")
        assert response.status_code == 403, path
    text = response.content.decode()
    assert "このネットワークからは管理画面に接続できません" in text
    assert "198.51.100.7" in text


def test_allowlist_uses_the_forwarded_address_only_behind_a_trusted_proxy(
    settings, client
):
    settings.PORTAL_ADMIN_ALLOWED_NETWORKS = OFFICE
    spoofed = client.get(
        "/admin/login/", REMOTE_ADDR="198.51.100.7", HTTP_X_FORWARDED_FOR="203.0.113.5"
    )
    assert spoofed.status_code == 403
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    proxied = client.get(
        "/admin/login/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.5"
    )
    assert proxied.status_code == 200


def test_public_endpoints_ignore_the_admin_allowlist(settings, client):
    settings.PORTAL_ADMIN_ALLOWED_NETWORKS = OFFICE
    response = client.get("/api/chat/config", REMOTE_ADDR="198.51.100.7")
    assert response.status_code == 200


def test_public_host_serves_no_admin(settings, client):
    settings.ALLOWED_HOSTS = ["cms.example.jp", "api.example.jp"]
    settings.PORTAL_ADMIN_HOSTS = ["cms.example.jp"]
    settings.PORTAL_PUBLIC_HOSTS = ["api.example.jp"]
    assert client.get("/admin/login/", HTTP_HOST="api.example.jp").status_code == 404
    assert client.get("/api/graphql/", HTTP_HOST="api.example.jp").status_code == 404
    assert client.get("/api/chat/config", HTTP_HOST="api.example.jp").status_code == 200
    assert client.get("/admin/login/", HTTP_HOST="cms.example.jp").status_code == 200
    admin_side = client.get("/api/chat/config", HTTP_HOST="cms.example.jp", follow=True)
    assert admin_side.status_code == 404
    for host in ("api.example.jp", "cms.example.jp"):
        assert client.get("/healthz", HTTP_HOST=host).status_code == 200


def test_healthz_reports_database_tasks_build_and_feed(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    report = response.json()
    assert report["status"] in {"ok", "degraded"}
    assert report["checks"]["database"]["ok"] is True
    assert {"tasks", "build", "akiya_feed"} <= set(report["checks"])
    assert response["Cache-Control"].startswith("max-age=0")


def test_healthz_is_degraded_when_the_queue_is_stuck(client):
    from datetime import timedelta

    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    row = DBTaskResult.objects.create(
        task_path="cms.ops.tasks.purge_operation_log",
        args_kwargs={"args": [], "kwargs": {}},
        queue_name="default",
        backend_name="background",
        run_after=timezone.now() - timedelta(hours=1),
        priority=0,
    )
    DBTaskResult.objects.filter(pk=row.pk).update(
        enqueued_at=timezone.now() - timedelta(hours=1)
    )
    report = client.get("/healthz").json()
    assert report["status"] == "degraded"
    assert report["checks"]["tasks"]["ok"] is False
    assert report["checks"]["tasks"]["oldest_wait_seconds"] >= 3600
