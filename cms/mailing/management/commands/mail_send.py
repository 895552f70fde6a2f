"""``portal mail_send CAMPAIGN_ID``: send (or resume) a campaign in the foreground
with a progress bar, instead of through the task worker."""

from django.core.management.base import BaseCommand, CommandError

from cms.mailing import sending
from cms.mailing.models import Campaign, CampaignStatus


class Command(BaseCommand):
    help = "キャンペーンをこのプロセスで送信（または再開）します。"

    def add_arguments(self, parser):
        parser.add_argument("campaign", type=int)
        parser.add_argument(
            "--rate", type=float, default=None, help="通/秒（0で無制限）"
        )

    def handle(self, *args, campaign, rate, **options):
        found = Campaign.objects.filter(pk=campaign).first()
        if found is None:
            raise CommandError(f"キャンペーン {campaign} はありません。")
        if found.status == CampaignStatus.DRAFT:
            problems = sending.check_sendable(found)
            if problems:
                raise CommandError(" ".join(problems))
            found.status = CampaignStatus.SENDING
            found.save(update_fields=["status"])
        result = sending.send_campaign(found.pk, rate=rate)
        self.stdout.write(
            f"送信 {result.sent}通・停止済みのため送らず {result.skipped}・失敗 {result.failed}"
            f"（{result.seconds:.1f}秒）"
            + (f"。一時停止: {result.error}" if result.paused else "")
        )
