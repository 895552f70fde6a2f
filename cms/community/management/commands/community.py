"""``portal community digest``: mail the daily digest to the members who asked for
it (run once a day from cron or a systemd timer; or enqueue
``cms.community.tasks.send_daily_digests``)."""

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "オンラインコミュニティの定期処理（digest: 新着のまとめメール）。"

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["digest"])

    def handle(self, *args, action, **options):
        from cms.community import notify

        sent = notify.send_daily_digests()
        self.stdout.write(f"まとめメールを{sent}通送りました。")
