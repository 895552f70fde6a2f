"""Sending campaigns through a real SMTP server (aiosmtpd): headers, DKIM, the
legal footer and visible unsubscribe link, personalisation, suppression, resume
after the server dies, scheduling and cancelling."""

import datetime as dt
import re

import dkim
import pytest
from django.utils import timezone

from cms.mailing import sending
from cms.mailing.models import (
    Campaign,
    CampaignStatus,
    Delivery,
    DeliveryStatus,
    Subscriber,
)


def body_text(message, subtype):
    return message.get_body(preferencelist=(subtype,)).get_content()


def dns_for(signer):
    record = signer.public_key_record.encode()

    def dnsfunc(name, timeout=5):
        assert name == b"portal2026._domainkey.iju.example.jp."
        return record

    return dnsfunc


def test_campaign_goes_to_its_segment_with_list_headers_and_legal_footer(
    campaign, smtp_server
):
    result = sending.send_campaign(_started(campaign).pk)

    assert result.finished and result.sent == 3
    messages = {str(m["To"]): m for m in smtp_server.parsed()}
    # The segment is 東京都; the unsubscribed Tokyo resident gets nothing.
    assert sorted(messages) == [
        "Taro.Farm@example.jp",
        "both@example.jp",
        "hanako@example.jp",
    ]
    message = messages["hanako@example.jp"]
    # (Python folds a long encoded Subject onto its own line: a leading space.)
    assert str(message["Subject"]).strip() == "子育て 花子様 移住相談会のご案内"
    assert message["List-Id"] == "Relocation portal news <news.iju.example.jp>"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    unsubscribe = re.match(
        r"<(https://iju\.example\.jp/mail/unsubscribe/[^>]+/)>, "
        r"<mailto:unsubscribe@iju\.example\.jp\?subject=unsubscribe-[^>]+>",
        str(message["List-Unsubscribe"]).strip(),
    )
    assert unsubscribe, message["List-Unsubscribe"]
    delivery = Delivery.objects.get(campaign=campaign, email="hanako@example.jp")
    assert message["Message-ID"] == delivery.message_id
    assert delivery.status == DeliveryStatus.SENT

    text = body_text(message, "plain")
    html = body_text(message, "html")
    for part in (text, html):
        assert "子育て 花子様" in part
        assert "茨城県 政策企画部 計画推進課" in part
        assert "〒310-8555 茨城県水戸市笠原町978番6" in part
        assert "029-000-0000" in part
    assert unsubscribe.group(1) in text
    assert f'<a href="{unsubscribe.group(1)}">配信停止はこちら</a>' in html
    # Links in the HTML go through signed click redirects; the pixel counts opens.
    assert "https://iju.example.jp/mail/c/" in html
    assert "https://iju.example.jp/events/42/" not in html
    assert re.search(r'<img src="https://iju\.example\.jp/mail/o/[^"]+\.gif"', html)


def test_dkim_signature_covers_list_unsubscribe_and_verifies(
    campaign, smtp_server, with_dkim
):
    sending.send_campaign(_started(campaign).pk)

    raw = smtp_server.messages[0]
    assert raw.startswith(b"DKIM-Signature: ")
    assert dkim.verify(raw, dnsfunc=dns_for(with_dkim))
    signature = dkim.DKIM(raw)
    signature.verify(dnsfunc=dns_for(with_dkim))
    signed = (
        {h.lower() for h in signature.signed_headers_list()}
        if hasattr(signature, "signed_headers_list")
        else None
    )
    header = raw.split(b"\r\n\r\n", 1)[0].decode()
    h_tag = re.search(r"h=([^;]+);", header.replace("\r\n", "")).group(1)
    names = {n.strip().lower() for n in h_tag.split(":")}
    assert {"from", "subject", "list-unsubscribe", "list-unsubscribe-post"} <= names
    assert signed is None or "list-unsubscribe" in signed
    # Any change to a signed header breaks the signature.
    tampered = raw.replace(
        b"List-Unsubscribe-Post: List-Unsubscribe=One-Click",
        b"List-Unsubscribe-Post: nothing",
    )
    assert not dkim.verify(tampered, dnsfunc=dns_for(with_dkim))


def test_openssl_signature_equals_dkimpy_pure_python_signature(with_dkim, dkim_pem):
    raw = (
        b"From: news@iju.example.jp\r\nTo: a@example.jp\r\nSubject: test\r\n"
        b"Date: Sun, 22 Nov 2026 10:00:00 +0900\r\n\r\nhello\r\n"
    )
    ours = with_dkim.signature_header(raw)
    t = re.search(rb"t=(\d+);", ours).group(1)
    theirs = dkim.DKIM(raw).sign(
        b"portal2026",
        b"iju.example.jp",
        dkim_pem,
        canonicalize=(b"relaxed", b"relaxed"),
        include_headers=[b"from", b"to", b"subject", b"date"],
    )
    if re.search(rb"t=(\d+);", theirs).group(1) == t:  # same second: same bytes
        assert ours == theirs
    assert dkim.verify(ours + raw, dnsfunc=dns_for(with_dkim))


def test_resume_after_smtp_server_dies_sends_everyone_once(
    campaign, dying_smtp_server, settings
):
    """The server drops the connection after 2 messages and stays down; the retry
    fails to connect; after it comes back, the resume sends exactly the rest."""
    for n in range(9):
        Subscriber.objects.create(email=f"extra{n}@example.jp", prefecture="東京都")
    expected = sorted(
        campaign.recipients().values_list("email", flat=True)
    )  # 12 people
    dying_smtp_server.die_after = 2
    first = sending.send_campaign(_started(campaign).pk)

    assert first.paused and first.retry and first.sent == 2
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.PAUSED
    assert campaign.last_error
    assert (
        Delivery.objects.filter(
            campaign=campaign, status=DeliveryStatus.SENDING
        ).count()
        == 0
    )

    dying_smtp_server.stop()
    while_down = sending.send_campaign(campaign.pk)
    assert while_down.paused and while_down.sent == 0

    dying_smtp_server.restart()
    resumed = sending.send_campaign(campaign.pk)
    assert resumed.finished and resumed.sent == len(expected) - 2

    recipients = dying_smtp_server.recipients()
    assert sorted(recipients) == expected  # no one skipped …
    assert len(recipients) == len(set(recipients))  # … and no one twice
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.SENT


def test_task_retries_later_when_server_is_down(campaign, dying_smtp_server, settings):
    settings.TASKS = {
        **settings.TASKS,
        "background": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"},
    }
    from django_tasks import default_task_backend  # noqa: F401
    from django_tasks.backends.dummy import DummyBackend

    from cms.mailing.tasks import send_campaign_task

    dying_smtp_server.stop()
    outcome = send_campaign_task.call(_started(campaign).pk)
    assert outcome["paused"] and outcome["sent"] == 0
    backend = send_campaign_task.get_backend()
    assert isinstance(backend, DummyBackend)
    retry = backend.results[-1]
    assert retry.task.run_after > timezone.now() + dt.timedelta(seconds=200)


def test_subscriber_who_unsubscribed_after_preparation_is_skipped(
    campaign, smtp_server
):
    _started(campaign)
    sending.prepare_deliveries(campaign)
    Subscriber.objects.filter(email="both@example.jp").update(status="unsubscribed")
    result = sending.send_campaign(campaign.pk)
    assert (result.sent, result.skipped) == (2, 1)
    assert "both@example.jp" not in [str(m["To"]) for m in smtp_server.parsed()]


def test_recipient_refused_by_server_is_marked_failed_and_others_go_on(
    campaign, settings
):
    """aiosmtpd refuses one recipient at RCPT; the campaign continues."""
    from aiosmtpd.controller import Controller

    from tests.real_parts import free_port

    received = []

    class Handler:
        async def handle_RCPT(self, server, session, envelope, address, options):
            if address.startswith("hanako"):
                return "550 5.1.1 no such user"
            envelope.rcpt_tos.append(address)
            return "250 OK"

        async def handle_DATA(self, server, session, envelope):
            received.append(envelope.rcpt_tos[0])
            return "250 OK"

    port = free_port()
    controller = Controller(Handler(), hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_USE_TLS = (
        "127.0.0.1",
        port,
        False,
    )
    try:
        result = sending.send_campaign(_started(campaign).pk)
    finally:
        controller.stop()
    assert (result.sent, result.failed, result.finished) == (2, 1, True)
    failed = Delivery.objects.get(campaign=campaign, status=DeliveryStatus.FAILED)
    assert failed.email == "hanako@example.jp" and "5.1.1" in failed.error
    assert sorted(received) == ["Taro.Farm@example.jp", "both@example.jp"]


def test_throttle_spaces_messages(campaign, smtp_server):
    result = sending.send_campaign(_started(campaign).pk, rate=10)
    assert result.sent == 3
    assert result.seconds >= 0.2  # three messages at 10/s take at least 0.2 s


def test_start_now_sends_through_the_task_after_commit(
    campaign, smtp_server, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        sending.start(campaign)
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.SENT
    assert len(smtp_server.messages) == 3


def test_scheduled_campaign_waits_and_reschedule_or_cancel_is_respected(
    campaign, smtp_server, django_capture_on_commit_callbacks
):
    later = timezone.now() + dt.timedelta(hours=2)
    with django_capture_on_commit_callbacks(execute=True):
        sending.start(campaign, later)
    campaign.refresh_from_db()
    assert (
        campaign.status == CampaignStatus.SCHEDULED and campaign.scheduled_at == later
    )
    # A task that wakes up early (the time was changed) sends nothing.
    assert sending.send_campaign(campaign.pk).error == "not due"
    assert sending.send_due() == []
    # Due now: the sweep starts it.
    Campaign.objects.filter(pk=campaign.pk).update(
        scheduled_at=timezone.now() - dt.timedelta(minutes=1)
    )
    sending.cancel(campaign)
    assert sending.send_due() == []
    assert sending.send_campaign(campaign.pk).sent == 0
    assert smtp_server.messages == []


def test_campaign_without_sender_address_cannot_start(campaign, settings):
    settings.MAILING = {**settings.MAILING, "SENDER_ADDRESS": ""}
    with pytest.raises(sending.CampaignNotSendable, match="特定電子メール法"):
        sending.start(campaign)


def test_test_send_reaches_staff_without_tracking(campaign, smtp_server):
    assert sending.send_test(campaign, ["staff@pref.example.jp"]) == 1
    message = smtp_server.parsed()[0]
    assert str(message["Subject"]).strip().startswith("【テスト送信】テスト 太郎様")
    html = body_text(message, "html")
    assert "https://iju.example.jp/events/42/?utm_source=mail" in html
    assert "/mail/o/" not in html and "/mail/c/" not in html
    assert not Delivery.objects.exists()


def _started(campaign):
    campaign.status = CampaignStatus.SENDING
    campaign.save(update_fields=["status"])
    return campaign


def test_short_message_goes_without_the_open_pixel_but_counts_clicks(
    campaign, smtp_server
):
    # An <img> in an HTML part with little text scores as spam (SpamAssassin's
    # HTML_IMAGE_ONLY_*): a short message is sent without the pixel.
    campaign.body_markdown = (
        "{{ name }}様\n\n相談会を開きます。\n\n"
        "[申し込みはこちら](https://iju.example.jp/events/42/)"
    )
    campaign.save()
    sending.send_campaign(_started(campaign).pk)

    html = body_text(smtp_server.parsed()[0], "html")
    assert "<img" not in html
    assert "https://iju.example.jp/mail/c/" in html
