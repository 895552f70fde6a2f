"""The SES backend with moto standing in for Amazon SES (no AWS here): the raw
DKIM-signed bytes reach SES, and SES errors become the send loop's errors."""

import dkim
import pytest

from cms.mailing import sending
from cms.mailing.models import CampaignStatus, Delivery

moto = pytest.importorskip("moto")


@pytest.fixture
def ses(settings, monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    settings.EMAIL_BACKEND = "cms.mailing.backends.SesBackend"
    settings.AWS_SES_REGION = "ap-northeast-1"
    with moto.mock_aws():
        import boto3

        client = boto3.client("sesv2", region_name="ap-northeast-1")
        client.create_email_identity(EmailIdentity="iju.example.jp")
        yield boto3.client("ses", region_name="ap-northeast-1")


def test_campaign_through_ses_sends_signed_raw_messages(campaign, ses, with_dkim):
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.ses.models import ses_backends

    campaign.status = CampaignStatus.SENDING
    campaign.save(update_fields=["status"])
    result = sending.send_campaign(campaign.pk)
    assert result.finished and result.sent == 3
    backend = ses_backends[DEFAULT_ACCOUNT_ID]["ap-northeast-1"]
    raws = [m.raw_data for m in backend.sent_messages]
    assert len(raws) == 3
    record = with_dkim.public_key_record.encode()
    for raw in raws:
        data = raw.encode() if isinstance(raw, str) else raw
        assert dkim.verify(data, dnsfunc=lambda name, timeout=5: record)
    assert Delivery.objects.filter(campaign=campaign, status="sent").count() == 3


def test_ses_refusing_the_sender_pauses_the_campaign(campaign, settings, monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    settings.EMAIL_BACKEND = "cms.mailing.backends.SesBackend"
    with moto.mock_aws():  # no verified identity: SES refuses every message
        campaign.status = CampaignStatus.SENDING
        campaign.save(update_fields=["status"])
        result = sending.send_campaign(campaign.pk)
    assert result.sent == 0
    assert result.paused or result.failed == 3
