"""``portal mail_import FILE.csv``: import subscribers from CSV (UTF-8 or CP932)."""

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from cms.mailing import csv_io
from cms.mailing.models import ConsentMethod


class Command(BaseCommand):
    help = (
        "配信先をCSVから取り込みます（UTF-8・Shift_JIS）。--dry-run で確認だけします。"
    )

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument(
            "--dry-run", action="store_true", help="書き込まずに結果だけ表示"
        )
        parser.add_argument(
            "--no-update", action="store_true", help="登録済みのアドレスは更新しない"
        )
        parser.add_argument("--consent-note", default="", help="同意をどう得たかの記録")
        parser.add_argument(
            "--consent-method",
            default=ConsentMethod.IMPORT,
            choices=ConsentMethod.values,
        )
        parser.add_argument(
            "--map", default="", help="列の対応（例: email,name,,prefecture）"
        )

    def handle(
        self,
        *args,
        file,
        dry_run,
        no_update,
        consent_note,
        consent_method,
        map,
        **options,
    ):
        try:
            with open(file, "rb") as handle:
                data = handle.read()
        except OSError as error:
            raise CommandError(f"ファイルを読めません: {error}") from error
        bar = tqdm(
            total=0, unit="人", desc="取込", disable=options["verbosity"] < 1 or dry_run
        )

        def progress(done, total):
            bar.total = total
            bar.n = done
            bar.refresh()

        try:
            report = csv_io.import_subscribers(
                data,
                mapping=map.split(",") if map else None,
                dry_run=dry_run,
                update_existing=not no_update,
                consent_method=consent_method,
                consent_note=consent_note or f"CSV取込: {file}",
                progress=progress,
            )
        except csv_io.ImportFileError as error:
            raise CommandError(str(error)) from error
        finally:
            bar.close()
        for error in report.errors:
            self.stderr.write(str(error))
        verb = "取り込めます（dry run）" if dry_run else "取り込みました"
        self.stdout.write(
            f"{report.encoding}, {report.total}行: 新規 {report.created}人・更新 {report.updated}人を{verb}。"
            f"エラー {report.error_rows}行（うちファイル内の重複 {report.duplicates}行）。"
        )
