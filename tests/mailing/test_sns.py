"""SES notifications via SNS at /api/mail/ses: the signature is verified.

A fake only for the certificate download: SNS's signing certificate lives on
amazonaws.com, which tests cannot reach, so the test signs with its own
self-signed certificate and serves it through ``fetch_certificate``."""

import base64
import datetime as dt
import json

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import NameOID

from cms.mailing import sns
from cms.mailing.models import Subscriber

TOPIC = "arn:aws:sns:ap-northeast-1:123456789012:ses-feedback"
CERT_URL = "https://sns.ap-northeast-1.amazonaws.com/SimpleNotificationService-x.pem"


def signing_pair():
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "sns.amazonaws.com")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(now)
        .not_valid_after(now + dt.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    return key, cert.public_bytes(serialization.Encoding.PEM)


def notification(key, message: dict, topic=TOPIC):
    body = {
        "Type": "Notification",
        "MessageId": "22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324",
        "TopicArn": topic,
        "Message": json.dumps(message),
        "Timestamp": "2026-11-22T01:00:00.000Z",
        "SignatureVersion": "2",
        "SigningCertURL": CERT_URL,
    }
    signature = key.sign(sns.string_to_sign(body), padding.PKCS1v15(), hashes.SHA256())
    body["Signature"] = base64.b64encode(signature).decode()
    return body


BOUNCE = {
    "notificationType": "Bounce",
    "bounce": {
        "bounceType": "Permanent",
        "bouncedRecipients": [{"emailAddress": "hanako@example.jp", "status": "5.1.1"}],
    },
    "mail": {"messageId": "x"},
}


def test_signed_ses_bounce_is_recorded(audience, client, monkeypatch):
    key, pem = signing_pair()
    monkeypatch.setattr(sns, "fetch_certificate", lambda url: pem)
    response = client.post(
        "/api/mail/ses",
        json.dumps(notification(key, BOUNCE)),
        content_type="application/json",
    )
    assert response.status_code == 200
    assert Subscriber.objects.get(email="hanako@example.jp").status == "bounced"


def test_tampered_or_foreign_notifications_are_refused(audience, client, monkeypatch):
    key, pem = signing_pair()
    monkeypatch.setattr(sns, "fetch_certificate", lambda url: pem)
    body = notification(key, BOUNCE)
    body["Message"] = body["Message"].replace("hanako", "chiba")
    assert (
        client.post(
            "/api/mail/ses", json.dumps(body), content_type="application/json"
        ).status_code
        == 403
    )
    other_topic = notification(key, BOUNCE, topic="arn:aws:sns:us-east-1:999:other")
    assert (
        client.post(
            "/api/mail/ses", json.dumps(other_topic), content_type="application/json"
        ).status_code
        == 403
    )
    assert Subscriber.objects.filter(status="bounced").count() == 0


def test_certificate_must_come_from_sns(db):
    try:
        sns.fetch_certificate("https://evil.example.com/cert.pem")
    except sns.SnsError as error:
        assert "not from SNS" in str(error)
    else:
        raise AssertionError("expected SnsError")
