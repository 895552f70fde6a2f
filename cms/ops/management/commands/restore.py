"""``portal restore``: an archive from ``portal backup`` into an empty instance."""

from django.core.management.base import BaseCommand, CommandError

from cms.ops.backup import BackupError, restore_backup


class Command(BaseCommand):
    help = (
        "portal backup で作ったバックアップを空のインスタンスに復元します"
        "（ファイルか s3://…）。復元後に portal migrate を実行してください。"
    )

    def add_arguments(self, parser):
        parser.add_argument("source", help="バックアップファイル（またはs3://…）")
        parser.add_argument(
            "--key",
            help="暗号化キー（既定: PORTAL_BACKUP_KEY）。キーは「-」で始まることがあるので --key=キー の形で渡してください",
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="空でないデータベース・メディアフォルダに上書きする",
        )

    def handle(self, *args, **options):
        try:
            manifest = restore_backup(
                options["source"], key=options["key"], force=options["force"]
            )
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"復元しました: {manifest['created_at']} 時点（{manifest['engine']}、"
            f"メディア {manifest['media_files']} 件）。続けて portal migrate を実行してください。"
        )
