"""``portal mail_send_due``: start scheduled campaigns whose time has come (run from
cron when the task backend cannot defer tasks)."""

from django.core.management.base import BaseCommand

from cms.mailing.sending import send_due


class Command(BaseCommand):
    help = "送信予定日時を過ぎた予約キャンペーンの送信を始めます。"

    def handle(self, *args, **options):
        started = send_due()
        self.stdout.write(f"{len(started)}件のキャンペーンの送信を始めました。")
