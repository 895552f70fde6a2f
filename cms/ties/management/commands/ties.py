"""``portal ties digest``: mail each active member the programs opened this week
that match them (run weekly from cron or a systemd timer; or enqueue
``cms.ties.tasks.send_weekly_digests``)."""

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "関係人口の定期処理（digest: 新着のおすすめプログラムの週1回のメール）。"

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["digest"])

    def handle(self, *args, action, **options):
        from cms.ties import notify

        sent = notify.send_weekly_digests()
        self.stdout.write(f"おすすめメールを{sent}通送りました。")
