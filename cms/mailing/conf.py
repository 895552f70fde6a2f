"""The mailing settings (``settings.MAILING``) with their defaults, read at call
time so tests can override them."""

from urllib.parse import urlsplit

from django.conf import settings

DEFAULTS = {
    "FROM_EMAIL": "",  # empty: DEFAULT_FROM_EMAIL
    "FROM_NAME": "移住ポータル",
    "LIST_ID": "",  # empty: news.<host of PUBLIC_URL>
    "LIST_NAME": "Relocation portal news",
    "PUBLIC_URL": "",  # empty: PORTAL_SITE_URL
    "UNSUBSCRIBE_MAILTO": "",
    "SENDER_NAME": "",
    "SENDER_ADDRESS": "",
    "SENDER_CONTACT": "",
    "MAX_RATE": 50,
    "BATCH_SIZE": 200,
    "CONNECTIONS": 2,  # SMTP connections per sending worker
    "STALE_CLAIM_SECONDS": 600,
    "RETRY_SECONDS": 300,
    "DKIM_DOMAIN": "",
    "DKIM_SELECTOR": "",
    "DKIM_PRIVATE_KEY": "",  # PEM text, or
    "DKIM_PRIVATE_KEY_FILE": "",
    "SOFT_BOUNCE_LIMIT": 3,
    "UNSUBSCRIBE_TOKEN_DAYS": 365,
    "CONFIRM_TOKEN_HOURS": 72,
    "TRACK_OPENS": True,
    "TRACK_CLICKS": True,
    "SIGNUP_RATE_LIMIT": (5, 3600),
    "BOUNCE_MAILBOX": "",  # imap(s)://user:password@host/INBOX or pop3(s)://…
    "SNS_TOPIC_ARNS": [],
}


def get(name: str):
    value = getattr(settings, "MAILING", {}).get(name, DEFAULTS[name])
    if name == "FROM_EMAIL" and not value:
        return settings.DEFAULT_FROM_EMAIL
    if name == "PUBLIC_URL" and not value:
        return settings.PORTAL_SITE_URL.rstrip("/")
    if name == "LIST_ID" and not value:
        return f"news.{urlsplit(get('PUBLIC_URL')).hostname or 'localhost'}"
    return value


def from_domain() -> str:
    return get("FROM_EMAIL").rsplit("@", 1)[-1].lower()


def dkim_key_pem() -> bytes:
    pem = get("DKIM_PRIVATE_KEY")
    if not pem and get("DKIM_PRIVATE_KEY_FILE"):
        with open(get("DKIM_PRIVATE_KEY_FILE"), "rb") as handle:
            return handle.read()
    return pem.encode() if isinstance(pem, str) else pem


def dkim_configured() -> bool:
    return bool(get("DKIM_DOMAIN") and get("DKIM_SELECTOR") and dkim_key_pem())
