"""``portal line_send_due``: send the LINE deliveries whose time has come (run it
every few minutes from cron or a scheduler; scheduled, recurring and reminder
deliveries all go through it), then follow the narrowcasts under way and refresh
LINE Insight (opens, clicks) for recent narrowcasts."""

from django.core.management.base import BaseCommand

from cms.line import narrowcast
from cms.line.delivery import process_due


class Command(BaseCommand):
    help = (
        "時刻になったLINE配信（予約・繰り返し・リマインド）を送信し、"
        "ナローキャストの進み具合と開封数（LINE Insight）を更新します。"
    )

    def handle(self, *args, **options):
        runs = process_due()
        for run in runs:
            self.stdout.write(
                f"{run.message.title}: {run.sent_count}件成功 / {run.failed_count}件失敗"
            )
        self.stdout.write(f"{len(runs)}件の配信を実行しました。")
        done = narrowcast.update_runs()
        self.stdout.write(
            f"ナローキャスト{done['advanced']}件の進み具合と"
            f"{done['insight']}件の開封数を更新しました。"
        )
