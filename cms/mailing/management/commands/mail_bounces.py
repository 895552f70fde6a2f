"""``portal mail_bounces``: read bounce reports from the configured mailbox (IMAP or
POP3), or from files / standard input (``-``, for a mail server's pipe)."""

import sys

from django.core.management.base import BaseCommand

from cms.mailing import bounces


class Command(BaseCommand):
    help = (
        "不達通知（DSN）・迷惑メール報告（ARF）を読み込み、該当アドレスを停止します。"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "files", nargs="*", help="メッセージのファイル（- で標準入力）"
        )
        parser.add_argument(
            "--mailbox", default=None, help="imaps://user:pass@host/INBOX など"
        )
        parser.add_argument(
            "--keep", action="store_true", help="読んだメールを削除しない"
        )

    def handle(self, *args, files, mailbox, keep, **options):
        recorded = []
        if files:
            for name in files:
                if name == "-":
                    raw = sys.stdin.buffer.read()
                else:
                    with open(name, "rb") as handle:
                        raw = handle.read()
                recorded += bounces.process_message(raw)
            for bounce in recorded:
                self.stdout.write(
                    f"{bounce.email}: {bounce.get_kind_display()} {bounce.status_code} {bounce.reason}"
                )
            self.stdout.write(f"{len(recorded)}件を記録しました。")
            return
        count = bounces.fetch_mailbox(mailbox, delete=not keep)
        self.stdout.write(f"{count}件を記録しました。")
