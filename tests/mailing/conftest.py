"""Shared parts of the mail tests: mailing settings (sender, HTTPS public URL, a
DKIM key), subscribers with attributes, and an aiosmtpd server that can die
mid-send (the shared ``smtp_server`` fixture cannot be stopped from a test)."""

from dataclasses import dataclass, field
from email import message_from_bytes, policy

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.core.cache import cache

from cms.mailing import dkim_signing
from cms.mailing.models import (
    AttributeDefinition,
    AttributeKind,
    Campaign,
    Interest,
    MailTemplate,
    Segment,
    Subscriber,
)
from tests.real_parts import free_port, send_mail_to

IMMEDIATE = {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}
PUBLIC_URL = "https://iju.example.jp"


@pytest.fixture(scope="session")
def dkim_pem():
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    )


@pytest.fixture(autouse=True)
def mailing_settings(settings):
    settings.TASKS = {**settings.TASKS, "background": IMMEDIATE}
    settings.MAILING = {
        **settings.MAILING,
        "FROM_EMAIL": "news@iju.example.jp",
        "FROM_NAME": "いばらき移住ポータル",
        "PUBLIC_URL": PUBLIC_URL,
        "LIST_ID": "news.iju.example.jp",
        "UNSUBSCRIBE_MAILTO": "unsubscribe@iju.example.jp",
        "SENDER_NAME": "茨城県 政策企画部 計画推進課",
        "SENDER_ADDRESS": "〒310-8555 茨城県水戸市笠原町978番6",
        "SENDER_CONTACT": "iju@iju.example.jp / 029-000-0000",
        "MAX_RATE": 0,
        "BATCH_SIZE": 5,
        "DKIM_DOMAIN": "",
        "DKIM_SELECTOR": "",
        "DKIM_PRIVATE_KEY": "",
        "DKIM_PRIVATE_KEY_FILE": "",
        "SNS_TOPIC_ARNS": ["arn:aws:sns:ap-northeast-1:123456789012:ses-feedback"],
    }
    dkim_signing._signer_cache.clear()
    cache.clear()
    yield settings.MAILING
    cache.clear()


@pytest.fixture
def with_dkim(settings, dkim_pem):
    settings.MAILING = {
        **settings.MAILING,
        "DKIM_DOMAIN": "iju.example.jp",
        "DKIM_SELECTOR": "portal2026",
        "DKIM_PRIVATE_KEY": dkim_pem.decode(),
    }
    dkim_signing._signer_cache.clear()
    return dkim_signing.configured_signer()


def make_subscriber(email, interests=(), **fields):
    fields.setdefault("status", "active")
    subscriber = Subscriber.objects.create(email=email, **fields)
    if interests:
        subscriber.interests.set(
            Interest.objects.get_or_create(name=name)[0] for name in interests
        )
    return subscriber


@pytest.fixture
def audience(db):
    """Eight subscribers whose attributes make segment counts easy to check."""
    AttributeDefinition.objects.create(
        key="move_when",
        label="移住希望時期",
        kind=AttributeKind.CHOICE,
        choices="1年以内\n1〜3年\n未定",
    )
    AttributeDefinition.objects.create(
        key="household", label="世帯人数", kind=AttributeKind.NUMBER
    )
    people = {
        "tokyo30farm": make_subscriber(
            "Taro.Farm@Example.JP",
            ["就農"],
            name="農業 太郎",
            prefecture="東京都",
            birth_year=1992,
            attributes={"move_when": "1年以内", "household": 3},
        ),
        "tokyo30kids": make_subscriber(
            "hanako@example.jp",
            ["子育て", "空き家"],
            name="子育て 花子",
            prefecture="東京都",
            age_band="30s",
            attributes={"move_when": "1〜3年", "household": 4},
        ),
        "tokyo40farmkids": make_subscriber(
            "both@example.jp",
            ["就農", "子育て"],
            name="両方 次郎",
            prefecture="東京都",
            birth_year=1980,
            attributes={"household": 2},
        ),
        "kanagawa30farm": make_subscriber(
            "kanagawa@example.jp",
            ["就農"],
            prefecture="神奈川県",
            birth_year=1994,
        ),
        "saitama20": make_subscriber(
            "saitama@example.jp", prefecture="埼玉県", birth_year=2003
        ),
        "tokyo30farm_left": make_subscriber(
            "left@example.jp",
            ["就農"],
            prefecture="東京都",
            birth_year=1993,
            status="unsubscribed",
        ),
        "chiba60": make_subscriber(
            "chiba@example.jp", ["空き家"], prefecture="千葉県", birth_year=1960
        ),
        "unknown": make_subscriber("unknown@example.jp"),
    }
    return people


#: A newsletter of usual length (enough text that the open pixel is included:
#: cms.mailing.rendering.IMAGE_ONLY_MAX_CHARS).
NEWSLETTER_BODY = (
    "{{ name }}様\n\n相談会を開きます。\n\n"
    "[申し込みはこちら](https://iju.example.jp/events/42/?utm_source=mail)\n\n"
    "[支援制度](https://iju.example.jp/support/)\n\n"
    "## 今月のお知らせ\n\n"
    + "\n\n".join(
        f"{n}. 県内の市町村で、住まい・仕事・子育ての相談を受け付けています。"
        "空き家バンクの新着物件や、お試し居住の空き状況もポータルでご覧いただけます。"
        for n in range(1, 31)
    )
    + "\n"
)


@pytest.fixture
def campaign(db, audience):
    template = MailTemplate.objects.create(
        name="標準",
        header="**移住ポータル** だより",
        footer="ご相談はお気軽に。",
        is_default=True,
    )
    segment = Segment.objects.create(
        name="東京都在住",
        rules={"op": "and", "rules": [{"field": "prefecture", "value": "東京都"}]},
    )
    return Campaign.objects.create(
        name="相談会のご案内",
        subject="{{ name }}様 移住相談会のご案内",
        body_markdown=NEWSLETTER_BODY,
        template=template,
        segment=segment,
    )


@dataclass
class DyingSmtpServer:
    """A real aiosmtpd server that drops the connection after ``die_after``
    messages and stays down until ``restart()``."""

    host: str
    port: int
    die_after: int | None = None
    messages: list = field(default_factory=list)
    controller: object = None

    def parsed(self):
        return [message_from_bytes(m, policy=policy.default) for m in self.messages]

    def recipients(self):
        return [str(m["To"]) for m in self.parsed()]

    def start(self):
        from aiosmtpd.controller import Controller

        self.controller = Controller(
            _DyingHandler(self), hostname=self.host, port=self.port
        )
        self.controller.start()

    def stop(self):
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    def restart(self):
        self.stop()
        self.die_after = None
        self.start()


class _DyingHandler:
    def __init__(self, record: DyingSmtpServer):
        self.record = record

    async def handle_DATA(self, server, session, envelope):
        record = self.record
        if record.die_after is not None and len(record.messages) >= record.die_after:
            # The server goes away in the middle of the conversation.
            session.transport.close()
            record.controller.server.close()
            return "421 4.3.0 going down"
        record.messages.append(envelope.original_content or envelope.content)
        return "250 OK"


@pytest.fixture
def dying_smtp_server(settings):
    record = DyingSmtpServer(host="127.0.0.1", port=free_port())
    record.start()
    send_mail_to(settings, record.host, record.port)
    settings.EMAIL_TIMEOUT = 5
    try:
        yield record
    finally:
        record.stop()
