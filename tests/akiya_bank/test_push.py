"""Pushing the feed to a real SFTP server and a real HTTP endpoint, both started
by the test on 127.0.0.1; a target that is down gets everything it missed on the
next attempt, after a backoff, and staff see the failure."""

import datetime
import io
import json
import re
import zipfile

import pytest
from django.utils import timezone

from cms.akiya_bank.delivery import retry_delay
from cms.akiya_bank.models import DeliveryStatus, PushTarget
from cms.akiya_bank.sync import run_sync
from cms.akiya_bank.writers.lifull import read_rows

from .conftest import republish

pytestmark = pytest.mark.django_db


def test_lifull_package_is_uploaded_over_sftp_with_photos_and_sent_file(
    add_listing, sftp_server, sftp_target
):
    page = add_listing("mito", photos=2)
    run = run_sync("cli")
    assert run.status == "success", run.deliveries.first().error
    files = sftp_server.files()
    photos = sorted(name for name in files if name.startswith("upload/images/"))
    assert set(files) == {"upload/akiya.csv", "upload/sent", *photos}
    assert [re.sub(r"_[0-9a-f]{8}\.", ".", name) for name in photos] == [
        f"upload/images/akiya-{page.pk}_01.png",
        f"upload/images/akiya-{page.pk}_02.png",
    ]
    assert files["upload/sent"] == b""
    rows = read_rows(files["upload/akiya.csv"])
    assert rows[0][0] == "header" and rows[1][0] == f"akiya-{page.pk}"
    sftp_target.refresh_from_db()
    assert sftp_target.delivered_version == run.feed_version
    assert sftp_target.failure_count == 0


def test_sftp_refuses_a_server_with_another_host_key(add_listing, sftp_target):
    import asyncssh

    other = asyncssh.generate_private_key("ssh-ed25519").export_public_key().decode()
    PushTarget.objects.filter(pk=sftp_target.pk).update(host_key=other)
    add_listing()
    run = run_sync("cli")
    assert run.status == "failed"
    assert "host key" in run.deliveries.get().error.lower()


def test_wrong_sftp_password_is_reported_to_staff(add_listing, sftp_target):
    PushTarget.objects.filter(pk=sftp_target.pk).update(secret="wrong-password")
    add_listing()
    run = run_sync("cli")
    delivery = run.deliveries.get()
    assert delivery.status == DeliveryStatus.FAILED
    assert "SFTP 127.0.0.1" in delivery.error
    sftp_target.refresh_from_db()
    assert sftp_target.failure_count == 1
    assert sftp_target.last_error == delivery.error


def test_password_can_come_from_the_environment(
    add_listing, sftp_server, sftp_target, monkeypatch
):
    monkeypatch.setenv("AKIYA_TEST_SFTP_PASSWORD", sftp_server.password)
    PushTarget.objects.filter(pk=sftp_target.pk).update(
        secret="env:AKIYA_TEST_SFTP_PASSWORD"
    )
    add_listing()
    assert run_sync("cli").status == "success"


def test_target_that_was_down_receives_the_full_pending_change_set(
    add_listing, sftp_server, portal
):
    target = PushTarget.objects.create(
        name="差分SFTP",
        protocol="sftp",
        format="canonical-json",
        mode="changes",
        host="127.0.0.1",
        port=sftp_server.port,
        username=sftp_server.username,
        secret=sftp_server.password,
        host_key=sftp_server.host_key_line,
        remote_dir="in",
    )
    kept, sold = add_listing("mito"), add_listing("mito")
    assert run_sync("cli").status == "success"
    target.refresh_from_db()
    delivered = target.delivered_version

    sftp_server.stop()
    republish(kept, price_yen=2_000_000)
    republish(sold, status="contracted")
    added = add_listing("tsukuba")
    failed = run_sync("publish", respect_backoff=True)
    assert failed.status == "failed"
    target.refresh_from_db()
    assert target.delivered_version == delivered
    assert target.failure_count == 1
    assert target.next_attempt_at > timezone.now()
    # Backoff: a publish-triggered sync leaves the target alone until its retry time.
    republish(added, price_yen=999_000)
    waiting = run_sync("publish", respect_backoff=True)
    assert waiting.deliveries.count() == 0

    sftp_server.start()
    retry = run_sync("retry")  # the scheduled retry (or the daily run)
    assert retry.status == "success"
    target.refresh_from_db()
    assert (target.failure_count, target.next_attempt_at) == (0, None)
    # One upload with every change made while the server was down.
    folders = {name.split("/")[1] for name in sftp_server.files()}
    assert folders == {"changes-00000001", f"changes-{retry.feed_version:08d}"}
    document = json.loads(
        sftp_server.files()[f"in/changes-{retry.feed_version:08d}/akiya-feed.json"]
    )
    assert document["mode"] == "changes"
    updated = {r["id"]: r for r in document["listings"]}
    assert updated[f"akiya-{kept.pk}"]["price_yen"] == 2_000_000
    assert updated[f"akiya-{added.pk}"]["price_yen"] == 999_000
    assert [d["id"] for d in document["deleted"]] == [f"akiya-{sold.pk}"]


def test_https_target_receives_the_feed_with_its_version_and_token(
    add_listing, http_target
):
    PushTarget.objects.create(
        name="オープンデータ",
        protocol="https",
        format="canonical-csv",
        url=http_target.url,
        secret="bearer-token-1",
    )
    add_listing()
    run = run_sync("cli")
    assert run.status == "success"
    (request,) = http_target.requests
    assert request["headers"]["Authorization"] == "Bearer bearer-token-1"
    assert request["headers"]["X-Akiya-Feed-Version"] == str(run.feed_version)
    assert request["headers"]["Content-Type"].startswith("text/csv")
    assert request["body"].decode().startswith("id,feed_action,")


def test_lifull_over_https_is_sent_as_a_zip_package(add_listing, http_target):
    PushTarget.objects.create(
        name="LIFULL HTTPS", protocol="https", format="lifull-csv", url=http_target.url
    )
    page = add_listing(photos=1)
    assert run_sync("cli").status == "success"
    (request,) = http_target.requests
    assert request["headers"]["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(request["body"]))
    names = sorted(archive.namelist())
    assert names[0] == "akiya.csv" and names[-1] == "sent"
    assert re.fullmatch(rf"images/akiya-{page.pk}_01_[0-9a-f]{{8}}\.png", names[1])
    assert len(names) == 3


def test_https_target_failing_then_recovering_gets_the_changes(
    add_listing, http_target
):
    target = PushTarget.objects.create(
        name="不安定", protocol="https", format="canonical-json", url=http_target.url
    )
    add_listing()
    http_target.status = 503
    run = run_sync("cli")
    assert run.status == "failed"
    assert "HTTP 503" in run.deliveries.get().error
    http_target.status = 200
    assert run_sync("cli").status == "success"
    target.refresh_from_db()
    assert target.failure_count == 0
    assert len(json.loads(http_target.requests[0]["body"])["listings"]) == 1


def test_partial_failure_is_marked_and_other_targets_still_get_the_feed(
    add_listing, http_target, sftp_target, sftp_server
):
    PushTarget.objects.create(
        name="HTTP", protocol="https", format="canonical-json", url=http_target.url
    )
    sftp_server.stop()
    add_listing()
    run = run_sync("cli")
    assert run.status == "partial"
    assert len(http_target.requests) == 1


def test_inactive_target_is_left_alone(add_listing, http_target):
    PushTarget.objects.create(
        name="停止中",
        protocol="https",
        format="canonical-json",
        url=http_target.url,
        is_active=False,
    )
    add_listing()
    run_sync("cli")
    assert http_target.requests == []


def test_backoff_doubles_up_to_the_cap():
    assert [retry_delay(n, 300, 3600).total_seconds() for n in (1, 2, 3, 4, 5)] == [
        300,
        600,
        1200,
        2400,
        3600,
    ]
    assert retry_delay(1, 300, 3600) == datetime.timedelta(minutes=5)


def test_https_target_must_use_https_except_on_this_machine():
    from django.core.exceptions import ValidationError

    target = PushTarget(name="x", protocol="https", format="canonical-json")
    target.url = "http://bank.example.jp/feed"
    with pytest.raises(ValidationError) as error:
        target.full_clean()
    assert "https://" in str(error.value)
    target.url = "http://127.0.0.1:8080/feed"
    target.full_clean()


def test_sftp_target_needs_host_key_and_credentials():
    from django.core.exceptions import ValidationError

    target = PushTarget(name="y", protocol="sftp", format="lifull-csv", host="h")
    with pytest.raises(ValidationError) as error:
        target.full_clean()
    assert {"username", "host_key", "secret"} <= set(error.value.message_dict)


def test_replaced_photo_is_uploaded_under_a_new_name(
    add_listing, sftp_server, sftp_target
):
    from cms.listings.models import AkiyaPhoto
    from tests import factories

    page = add_listing(photos=1)
    assert run_sync("cli").status == "success"
    before = {n for n in sftp_server.files() if n.startswith("upload/images/")}
    photo = AkiyaPhoto.objects.get(page=page)
    photo.image = factories.make_image(
        page.municipality.collection,
        "replacement",
        "差し替えた外観",
        colour=(200, 40, 40),
    )
    photo.save()
    republish(page)
    run = run_sync("cli")
    assert (run.status, run.updated) == ("success", 1)
    after = {n for n in sftp_server.files() if n.startswith("upload/images/")}
    assert len(after - before) == 1
