"""``portal backup``: database and media in one archive, to a folder or S3."""

from django.core.management.base import BaseCommand, CommandError

from cms.ops.backup import BackupError, create_backup, generate_key


class Command(BaseCommand):
    help = (
        "データベースとメディアをバックアップします（既定: PORTAL_BACKUP_TARGET。"
        "フォルダか s3://バケット/接頭辞）。PORTAL_BACKUP_KEY があれば暗号化します。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--to", dest="target", help="保存先（フォルダか s3://…）")
        parser.add_argument(
            "--key",
            help="暗号化キー（既定: PORTAL_BACKUP_KEY）。キーは「-」で始まることがあるので --key=キー の形で渡してください",
        )
        parser.add_argument(
            "--no-media", action="store_true", help="メディアを含めない"
        )
        parser.add_argument(
            "--generate-key",
            action="store_true",
            help="暗号化キーを作って表示するだけ（PORTAL_BACKUP_KEY に設定し、別の場所にも保管してください）",
        )

    def handle(self, *args, **options):
        if options["generate_key"]:
            self.stdout.write(generate_key())
            return
        try:
            result = create_backup(
                target=options["target"],
                key=options["key"],
                include_media=not options["no_media"],
            )
        except BackupError as error:
            raise CommandError(str(error)) from error
        manifest = result.manifest
        self.stdout.write(
            f"バックアップしました: {result.location}（{result.size / 1e6:.1f} MB、"
            f"メディア {manifest['media_files']} 件、{result.seconds:.1f} 秒）"
        )
