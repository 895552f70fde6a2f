"""``portal mail_deliverability [DOMAIN]``: check SPF, DKIM and DMARC in DNS."""

from django.core.management.base import BaseCommand

from cms.mailing.deliverability import check_domain


class Command(BaseCommand):
    help = "送信ドメインのSPF・DKIM・DMARCを確認します。"

    def add_arguments(self, parser):
        parser.add_argument("domain", nargs="?", default=None)

    def handle(self, *args, domain, **options):
        marks = {"ok": "OK ", "warning": "注意", "error": "要対応"}
        failed = False
        for check in check_domain(domain):
            failed |= check.level == "error"
            self.stdout.write(f"[{marks[check.level]}] {check.name}: {check.message}")
            if check.record:
                self.stdout.write(f"       {check.record}")
            if check.advice:
                self.stdout.write(f"       → {check.advice}")
        if failed:
            raise SystemExit(1)
