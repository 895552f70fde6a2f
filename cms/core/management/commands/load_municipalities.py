from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from cms.core.municipality_import import (
    apply_municipality_rows,
    decode,
    parse_municipality_table,
)


class Command(BaseCommand):
    help = (
        "市町村の一覧（TSV/CSV: code, code5, name, kana, slug, kind）を読み込み、"
        "市町村・市町村ページ・編集者グループ・コレクションを作ります。何度実行しても安全です。"
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)
        parser.add_argument(
            "--dry-run", action="store_true", help="検査だけ行い、何も保存しません。"
        )

    def handle(self, *args, path: Path, dry_run=False, verbosity=1, **options):
        try:
            text = decode(path.read_bytes())
        except (OSError, ValueError) as error:
            raise CommandError(f"{path}: {error}") from error
        report = parse_municipality_table(text)
        if report.ok and not dry_run:
            with tqdm(
                total=len(report.rows), desc="市町村", unit="件", disable=verbosity < 1
            ) as bar:
                apply_municipality_rows(report, progress=lambda row: bar.update())
        if not report.ok:
            for message in report.errors:
                self.stderr.write(f"{path.name}: {message}")
            raise CommandError(
                f"{len(report.errors)}件の誤りがあるため、何も保存していません。"
            )
        if dry_run:
            self.stdout.write(
                f"{len(report.rows)}件を検査しました。誤りはありません（保存していません）。"
            )
            return
        self.stdout.write(
            self.style.SUCCESS(
                f"市町村: 新規 {report.created}件、更新 {report.updated}件、変更なし {report.unchanged}件"
            )
        )
