"""``portal build``: build the static site (and deploy it).

portal build                 # incremental (full the first time), then deploy
portal build --full          # fetch and render everything again
portal build --from https://cms.example.jp --output output --no-deploy
                             # a remote CMS over HTTP (a Netlify build)
portal build --json          # the summary as JSON on the last line
"""

import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from builders.build import BuildFailed, BuildOptions, build_site


class Command(BaseCommand):
    help = "静的サイトを構築し、公開先に配置します（最後の行は --json で JSON）。"

    def add_arguments(self, parser):
        parser.add_argument("--full", action="store_true", help="全体を作り直す")
        parser.add_argument(
            "--from",
            dest="source_url",
            metavar="URL",
            help="この URL の CMS から GraphQL で取得する（既定: このプロセス内で実行）",
        )
        parser.add_argument("--output", type=Path, help="出力フォルダ")
        parser.add_argument(
            "--no-deploy", action="store_true", help="公開先への配置をしない"
        )
        parser.add_argument("--workers", type=int, help="並列数（既定: CPU数、最大2）")
        parser.add_argument("--json", action="store_true", help="集計を JSON で出力")

    def handle(self, *args, **options):
        build_options = BuildOptions(
            full=options["full"],
            source_url=options["source_url"],
            output_dir=options["output"],
            workers=options["workers"],
            progress=sys.stderr.isatty() or not options["json"],
        )
        if options["source_url"] or options["no_deploy"]:
            summary = self._build_only(build_options)
            deployed = None
        else:
            summary, deployed = self._build_and_deploy(build_options)
        self.stdout.write(
            f"{summary.pages_total} ページ（描画 {summary.pages_rendered}）、"
            f"書き込み {summary.files_written}、変更なし {summary.files_unchanged}、"
            f"削除 {summary.files_deleted}、{summary.seconds} 秒"
        )
        for warning in summary.warnings:
            self.stderr.write(f"注意: {warning}")
        if deployed:
            self.stdout.write(deployed)
        if options["json"]:
            result = {
                "pages_total": summary.pages_total,
                "pages_rendered": summary.pages_rendered,
                "files_written": summary.files_written,
                "files_unchanged": summary.files_unchanged,
                "files_deleted": summary.files_deleted,
                "seconds": summary.seconds,
                "full": summary.full,
            }
            self.stdout.write(json.dumps(result, ensure_ascii=False))

    def _build_only(self, build_options):
        try:
            return build_site(build_options)
        except BuildFailed as failure:
            raise CommandError(str(failure)) from failure

    def _build_and_deploy(self, build_options):
        from cms.publishing.models import BuildRun
        from cms.publishing.runs import run_build

        run = BuildRun.objects.create(
            trigger=BuildRun.Trigger.COMMAND, full=build_options.full
        )
        run = run_build(run, build_options)
        if run.status != BuildRun.Status.SUCCEEDED:
            raise CommandError(f"構築 #{run.pk} に失敗しました:\n{run.errors}")
        from builders.build import BuildSummary

        fields = BuildSummary.__dataclass_fields__
        summary = BuildSummary(**{k: v for k, v in run.summary.items() if k in fields})
        return summary, run.log.splitlines()[-1] if run.log else ""
