"""``portal line_import_followers <識別名> [--profiles]``: take in the friends an
account had before the webhook was connected (LINE's follower list; verified
and premium accounts only)."""

from django.core.management.base import BaseCommand, CommandError

from cms.line.followers import FollowersUnavailable, import_followers
from cms.line.models import LineChannel


class Command(BaseCommand):
    help = "LINEの友だち一覧から、まだ記録のない友だちを取り込みます。"

    def add_arguments(self, parser):
        parser.add_argument("slug", help="LINEアカウントの識別名")
        parser.add_argument(
            "--profiles", action="store_true", help="表示名とプロフィール画像も取得する"
        )

    def handle(self, *args, **options):
        channel = LineChannel.objects.filter(slug=options["slug"]).first()
        if channel is None:
            raise CommandError(f"識別名「{options['slug']}」のアカウントはありません。")
        try:
            done = import_followers(channel, with_profiles=options["profiles"])
        except FollowersUnavailable as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            f"{channel.name}: 新しく{done['new']}人を取り込みました"
            f"（記録済み{done['known']}人、うち再び友だち{done['revived']}人、"
            f"プロフィール{done['profiles']}人、{done['pages']}ページ）。"
        )
