"""Bounce and complaint processing: real DSN (RFC 3464) and ARF (RFC 5965)
messages as Postfix, Exim and a feedback loop send them, and SES notifications."""

import json
from pathlib import Path

from django.core.management import call_command

from cms.mailing import bounces, reports, sending
from cms.mailing.models import (
    Bounce,
    CampaignStatus,
    Delivery,
    Subscriber,
    SubscriberStatus,
)

SAMPLES = Path(__file__).parent / "samples"


def sample(name, message_id="<none@iju.example.jp>") -> bytes:
    return (
        (SAMPLES / name)
        .read_bytes()
        .replace(b"MESSAGE_ID_PLACEHOLDER", message_id.encode())
    )


def test_postfix_hard_bounce_is_parsed_with_code_and_diagnostic():
    [report] = bounces.parse_report(
        sample("postfix_hard_5.1.1.eml", "<abc@iju.example.jp>")
    )
    assert report.email == "hanako@example.jp"
    assert report.kind == "hard"
    assert report.status_code == "5.1.1"
    assert report.action == "failed"
    assert report.diagnostic.startswith(
        "550 5.1.1 <hanako@example.jp>: Recipient address rejected"
    )
    assert report.reporting_mta == "mx.iju.example.jp"
    assert report.original_message_id == "<abc@iju.example.jp>"
    assert bounces.reason_label("5.1.1") == "宛先のメールアドレスが存在しない"


def test_delayed_and_mailbox_full_are_soft():
    [delayed] = bounces.parse_report(sample("postfix_delayed_4.4.1.eml"))
    assert (delayed.email, delayed.kind, delayed.status_code, delayed.action) == (
        "saitama@example.jp",
        "soft",
        "4.4.1",
        "delayed",
    )
    [full] = bounces.parse_report(sample("exim_mailbox_full_5.2.2.eml"))
    assert (full.email, full.kind, full.status_code) == (
        "chiba@example.jp",
        "soft",
        "5.2.2",
    )
    assert full.original_message_id == "<not-ours@iju.example.jp>"


def test_arf_report_is_a_complaint():
    [report] = bounces.parse_report(sample("arf_complaint.eml", "<x@iju.example.jp>"))
    assert (report.email, report.kind, report.diagnostic) == (
        "both@example.jp",
        "complaint",
        "abuse",
    )
    assert report.original_message_id == "<x@iju.example.jp>"


def test_ordinary_mail_is_not_a_report():
    assert (
        bounces.parse_report(b"From: a@example.jp\r\nSubject: hi\r\n\r\nhello\r\n")
        == []
    )


def test_hard_bounce_and_complaint_suppress_at_once_and_reach_the_report(
    campaign, smtp_server
):
    campaign.status = CampaignStatus.SENDING
    campaign.save(update_fields=["status"])
    sending.send_campaign(campaign.pk)
    hanako = Delivery.objects.get(campaign=campaign, email="hanako@example.jp")
    both = Delivery.objects.get(campaign=campaign, email="both@example.jp")

    bounces.process_message(sample("postfix_hard_5.1.1.eml", hanako.message_id))
    bounces.process_message(sample("arf_complaint.eml", both.message_id))

    assert (
        Subscriber.objects.get(email="hanako@example.jp").status
        == SubscriberStatus.BOUNCED
    )
    assert (
        Subscriber.objects.get(email="both@example.jp").status
        == SubscriberStatus.COMPLAINED
    )
    hanako.refresh_from_db()
    assert hanako.bounced_at is not None
    bounce = Bounce.objects.get(email="hanako@example.jp")
    assert (
        bounce.delivery == hanako
        and bounce.reason == "宛先のメールアドレスが存在しない"
    )

    report = reports.campaign_report(campaign)
    assert (report.sent, report.bounced, report.delivered, report.complaints) == (
        3,
        1,
        2,
        1,
    )
    assert report.bounce_reasons == [
        {
            "kind": "恒久的エラー（ハードバウンス）",
            "reason": "宛先のメールアドレスが存在しない",
            "codes": "5.1.1",
            "count": 1,
        }
    ]
    # Suppressed addresses get nothing from the next campaign.
    assert set(campaign.recipients().values_list("email", flat=True)) == {
        "Taro.Farm@example.jp"
    }


def test_soft_bounces_suppress_only_after_the_configured_count(audience, settings):
    settings.MAILING = {**settings.MAILING, "SOFT_BOUNCE_LIMIT": 2}
    raw = sample("postfix_delayed_4.4.1.eml")
    bounces.process_message(raw)
    saitama = Subscriber.objects.get(email="saitama@example.jp")
    assert (saitama.status, saitama.soft_bounce_count) == ("active", 1)
    bounces.process_message(raw)
    saitama.refresh_from_db()
    assert (saitama.status, saitama.soft_bounce_count) == ("bounced", 2)


def test_ses_bounce_and_complaint_notifications(audience):
    bounce = {
        "notificationType": "Bounce",
        "bounce": {
            "bounceType": "Permanent",
            "bounceSubType": "General",
            "bouncedRecipients": [
                {
                    "emailAddress": "kanagawa@example.jp",
                    "action": "failed",
                    "status": "5.1.1",
                    "diagnosticCode": "smtp; 550 5.1.1 user unknown",
                }
            ],
            "reportingMTA": "dsn; a27-30.smtp-out.ap-northeast-1.amazonses.com",
        },
        "mail": {
            "messageId": "0106...",
            "headers": [{"name": "Message-ID", "value": "<q@iju.example.jp>"}],
        },
    }
    complaint = {
        "notificationType": "Complaint",
        "complaint": {
            "complainedRecipients": [{"emailAddress": "chiba@example.jp"}],
            "complaintFeedbackType": "abuse",
        },
        "mail": {"messageId": "0107..."},
    }
    bounces.process_ses_sns({"Type": "Notification", "Message": json.dumps(bounce)})
    bounces.process_ses_sns({"Type": "Notification", "Message": json.dumps(complaint)})
    assert Subscriber.objects.get(email="kanagawa@example.jp").status == "bounced"
    assert Subscriber.objects.get(email="chiba@example.jp").status == "complained"
    assert Bounce.objects.get(email="kanagawa@example.jp").source == "ses"


def test_mail_bounces_command_reads_piped_files(audience, capsys, tmp_path):
    path = tmp_path / "bounce.eml"
    path.write_bytes(sample("postfix_hard_5.1.1.eml"))
    call_command("mail_bounces", str(path))
    out = capsys.readouterr().out
    assert (
        "hanako@example.jp: 恒久的エラー（ハードバウンス） 5.1.1 宛先のメールアドレスが存在しない"
        in out
    )
    assert Subscriber.objects.get(email="hanako@example.jp").status == "bounced"
