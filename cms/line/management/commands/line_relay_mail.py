"""``portal line_relay_mail``: redeliver mail to LINE by the relay rules. Reads one
message from stdin (MTA pipe), or with ``--mailbox imaps://user:pass@host/INBOX``
(default ``LINE_RELAY_MAILBOX``) every message in that IMAP folder, deleting what
was relayed."""

import imaplib
import os
import sys
from urllib.parse import unquote, urlsplit

from django.core.management.base import BaseCommand, CommandError

from cms.line.mail_relay import relay_message


class Command(BaseCommand):
    help = "受信したメールをLINEに再配信します（標準入力またはIMAPメールボックス）。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--mailbox", default=os.environ.get("LINE_RELAY_MAILBOX", "")
        )

    def handle(self, *args, mailbox="", **options):
        if not mailbox:
            self._report(relay_message(sys.stdin.buffer.read()))
            return
        parts = urlsplit(mailbox)
        if parts.scheme not in ("imap", "imaps"):
            raise CommandError(
                "メールボックスは imap:// か imaps:// で指定してください。"
            )
        client_class = imaplib.IMAP4_SSL if parts.scheme == "imaps" else imaplib.IMAP4
        client = client_class(
            parts.hostname, parts.port or (993 if parts.scheme == "imaps" else 143)
        )
        client.login(unquote(parts.username or ""), unquote(parts.password or ""))
        client.select(parts.path.strip("/") or "INBOX")
        _, data = client.search(None, "ALL")
        relayed = []
        for number in data[0].split():
            _, fetched = client.fetch(number, "(RFC822)")
            relayed += relay_message(fetched[0][1])
            client.store(number, "+FLAGS", "\\Deleted")
        client.expunge()
        client.logout()
        self._report(relayed)

    def _report(self, relayed):
        sent = sum(1 for r in relayed if r.run is not None)
        drafts = len(relayed) - sent
        self.stdout.write(
            f"{sent}件の配信を行いました。{drafts}件は下書きにしました（確認して配信してください）。"
        )
