"""Amazon SES notifications delivered by SNS: the signature is checked against the
signing certificate, which must come from an ``sns.<region>.amazonaws.com`` HTTPS
URL; only topics listed in ``MAILING["SNS_TOPIC_ARNS"]`` are accepted."""

import base64
import logging
import re
import urllib.request
from functools import lru_cache
from urllib.parse import urlsplit

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding

from . import conf

logger = logging.getLogger(__name__)

CERT_HOST = re.compile(r"^sns\.[a-z0-9-]+\.amazonaws\.com(\.cn)?$")
NOTIFICATION_KEYS = ("Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type")
SUBSCRIPTION_KEYS = (
    "Message",
    "MessageId",
    "SubscribeURL",
    "Timestamp",
    "Token",
    "TopicArn",
    "Type",
)


class SnsError(Exception):
    pass


@lru_cache(maxsize=8)
def fetch_certificate(url: str) -> bytes:
    parts = urlsplit(url)
    if parts.scheme != "https" or not CERT_HOST.match(parts.hostname or ""):
        raise SnsError(f"certificate URL not from SNS: {url}")
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.read()


def string_to_sign(body: dict) -> bytes:
    keys = (
        NOTIFICATION_KEYS if body.get("Type") == "Notification" else SUBSCRIPTION_KEYS
    )
    return "".join(f"{k}\n{body[k]}\n" for k in keys if k in body).encode()


def verify(body: dict, fetch=None) -> None:
    fetch = fetch or fetch_certificate
    if body.get("TopicArn") not in conf.get("SNS_TOPIC_ARNS"):
        raise SnsError(f"topic not allowed: {body.get('TopicArn')}")
    certificate = x509.load_pem_x509_certificate(fetch(body.get("SigningCertURL", "")))
    algorithm = (
        hashes.SHA256() if body.get("SignatureVersion") == "2" else hashes.SHA1()
    )
    try:
        certificate.public_key().verify(
            base64.b64decode(body.get("Signature", "")),
            string_to_sign(body),
            padding.PKCS1v15(),
            algorithm,
        )
    except (InvalidSignature, ValueError) as error:
        raise SnsError("bad signature") from error


def handle(body: dict, fetch=None) -> int:
    from .bounces import process_ses_sns

    verify(body, fetch)
    if body.get("Type") == "SubscriptionConfirmation":
        url = body.get("SubscribeURL", "")
        if not CERT_HOST.match(urlsplit(url).hostname or ""):
            raise SnsError("subscribe URL not from SNS")
        with urllib.request.urlopen(url, timeout=10):
            pass
        return 0
    if body.get("Type") == "Notification":
        return len(process_ses_sns(body))
    return 0
