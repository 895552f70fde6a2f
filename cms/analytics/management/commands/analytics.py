"""``portal analytics``: the scheduled and occasional jobs of site analytics.

portal analytics rollup                 # every 5–15 min and after midnight (cron)
portal analytics send-report            # daily (cron): last month's report, once
portal analytics import-ga4 FILE.csv [--dry-run]
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from cms.analytics.ga4 import Ga4ImportError, import_ga4_csv
from cms.analytics.mail import send_due_report
from cms.analytics.rollup import rollup


class Command(BaseCommand):
    help = "アクセス解析の集計、月次報告の定期送信、GA4 の取り込みを行います。"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser(
            "rollup", help="受信したページビューを日別に集計し、古い記録を消します。"
        )
        sub.add_parser(
            "send-report",
            help="前月の月次報告を未送信なら送ります（毎日 cron で実行）。",
        )
        ga4 = sub.add_parser(
            "import-ga4", help="GA4 から書き出した CSV を取り込みます。"
        )
        ga4.add_argument("file")
        ga4.add_argument("--dry-run", action="store_true", help="確認だけする")

    def handle(self, *args, action, verbosity=1, **options):
        getattr(self, "do_" + action.replace("-", "_"))(verbosity=verbosity, **options)

    def do_rollup(self, verbosity=1, **options):
        with tqdm(desc="集計", unit="日", disable=verbosity < 1) as bar:
            done = rollup(progress=lambda day: bar.update())
        self.stdout.write(
            f"{len(done['days'])}日分を集計し、古い受信記録 {done['pruned_events']}件と"
            f"過去のソルト {done['deleted_salts']}件を削除しました。"
        )

    def do_send_report(self, **options):
        self.stdout.write(send_due_report())

    def do_import_ga4(self, file, dry_run=False, **options):
        path = Path(file)
        if not path.exists():
            raise CommandError(f"{file} が見つかりません。")
        try:
            result = import_ga4_csv(path.read_bytes(), dry_run=dry_run)
        except Ga4ImportError as error:
            for message in error.messages:
                self.stderr.write(message)
            raise CommandError(
                f"{path.name} に誤りがあるため、何も保存していません。"
            ) from None
        verb = "確認しました（保存していません）" if dry_run else "取り込みました"
        self.stdout.write(
            f"{result.kind_label}を{verb}: {result.first}〜{result.last}、{result.rows}行。"
        )
