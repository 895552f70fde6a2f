"""``portal akiya …``: the national akiya bank link from the command line.

portal akiya export --format canonical-json|canonical-csv|lifull-csv --out DIR
portal akiya validate [--municipality 082015] [--strict]
portal akiya sync            # for cron / systemd timers (daily by default)
portal akiya schema [--out FILE]
portal akiya consumer add NAME | list
"""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q
from tqdm import tqdm

from cms.core.models import Municipality
from cms.listings.models import AkiyaListingPage

from ...canonical import json_schema
from ...models import FeedConsumer, SyncTrigger
from ...sync import current_checks, planned_feed, run_sync
from ...writers import FORMATS, get_writer


class Command(BaseCommand):
    help = "全国版空き家バンク連携: フィードの出力・検証・連携"

    def add_arguments(self, parser):
        commands = parser.add_subparsers(dest="action", required=True)

        export = commands.add_parser(
            "export", help="掲載対象の物件をフィードとして書き出す"
        )
        export.add_argument("--format", required=True, choices=FORMATS)
        export.add_argument("--out", required=True, type=Path, help="出力先フォルダ")
        export.add_argument("--municipality", help="団体コード・URL用の名前・名称")
        export.add_argument(
            "--no-photos",
            action="store_true",
            help="lifull-csv で写真ファイルをコピーしない（CSV と sent のみ）",
        )

        validate = commands.add_parser(
            "validate", help="掲載同意のある物件を検証し、問題を一覧にする"
        )
        validate.add_argument("--municipality", help="団体コード・URL用の名前・名称")
        validate.add_argument(
            "--strict", action="store_true", help="注意点があっても失敗にする"
        )

        sync = commands.add_parser("sync", help="フィードを更新し送信先へ送る")
        sync.add_argument(
            "--trigger",
            choices=[SyncTrigger.SCHEDULE, SyncTrigger.CLI],
            default=SyncTrigger.SCHEDULE,
            help="履歴に残すきっかけ（cron からは既定の schedule）",
        )

        schema = commands.add_parser("schema", help="正規形式JSONのJSON Schemaを出力")
        schema.add_argument("--out", type=Path)

        consumer = commands.add_parser("consumer", help="フィード利用者（トークン）")
        consumer_actions = consumer.add_subparsers(
            dest="consumer_action", required=True
        )
        add = consumer_actions.add_parser("add", help="利用者を登録しトークンを発行")
        add.add_argument("name")
        add.add_argument("--contact", default="")
        consumer_actions.add_parser("list", help="利用者の一覧")

    def handle(self, *args, action, **options):
        getattr(self, f"handle_{action}")(**options)

    # --- export -----------------------------------------------------------------

    def handle_export(self, format, out, municipality=None, no_photos=False, **options):
        queryset = _listings(municipality)
        total = queryset.count()
        with tqdm(total=total, desc="物件を確認", unit="件", disable=None) as bar:
            feed, checks = planned_feed(queryset, progress=bar.update)
        package = get_writer(format).write(feed)
        if no_photos:
            package.files = [f for f in package.files if f.read is None]
        with tqdm(
            total=len(package.files), desc="書き出し", unit="file", disable=None
        ) as bar:
            package.write_to_dir(out, progress=lambda _: bar.update())
        self.stdout.write(
            f"{len(feed.records)}件を {format} で {out} に書き出しました"
            f"（ファイル {len(package.files)} 個）。"
        )
        for issue in package.issues:
            self.stdout.write(f"  注意 {issue.listing_id}: {issue.message}")
        skipped = [
            c for c in checks if c.qualifies and not c.sendable and not c.in_feed
        ]
        if skipped:
            self.stdout.write(
                f"修正が必要なため含めなかった物件が{len(skipped)}件あります"
                "（portal akiya validate で確認できます）。"
            )

    # --- validate ---------------------------------------------------------------

    def handle_validate(self, municipality=None, strict=False, **options):
        checks = current_checks(_listings(municipality))
        failing = 0
        for check in checks:
            if not check.qualifies or not check.problems:
                continue
            if check.blocking or strict:
                failing += 1
            listing = check.listing
            town = (
                listing.municipality.name if listing.municipality else "（市町村なし）"
            )
            self.stdout.write(
                f"{town} 「{listing.title}」（登録番号 {listing.registration_number}、"
                f"ページ {listing.pk}）: {check.state_label}"
            )
            for problem in check.problems:
                mark = "" if problem.blocking else "（注意）"
                self.stdout.write(f"  - {mark}{problem.label}: {problem.message}")
        counts = {
            state: sum(1 for c in checks if c.state == state)
            for state in ("sent", "invalid", "held", "excluded")
        }
        self.stdout.write(
            f"送信される {counts['sent']}件／修正が必要 {counts['invalid'] + counts['held']}件"
            f"／対象外 {counts['excluded']}件"
        )
        if failing:
            raise CommandError(
                f"掲載同意のある物件のうち{failing}件に修正が必要です。", returncode=1
            )

    # --- sync, schema, consumers ----------------------------------------------

    def handle_sync(self, trigger, **options):
        run = run_sync(trigger)
        self.stdout.write(
            f"連携 {run.get_status_display()}: 版 {run.feed_version}、{run.changes_label}、"
            f"保留 {run.held}、送信不可 {run.invalid}"
        )
        for delivery in run.deliveries.select_related("target"):
            self.stdout.write(
                f"  {delivery.target}: {delivery.get_status_display()} {delivery.error}"
            )
        if run.status == "failed":
            raise CommandError(
                "送信に失敗しました（次回の連携で再送します）。", returncode=2
            )

    def handle_schema(self, out=None, **options):
        text = json.dumps(json_schema(), ensure_ascii=False, indent=2) + "\n"
        if out:
            out.write_text(text, encoding="utf-8")
        else:
            self.stdout.write(text, ending="")

    def handle_consumer(self, consumer_action, name=None, contact="", **options):
        if consumer_action == "list":
            for consumer in FeedConsumer.objects.all():
                state = "許可" if consumer.is_active else "停止"
                self.stdout.write(
                    f"{consumer.name}\t{state}\t{consumer.token_hint}…\t"
                    f"{consumer.request_count}回"
                )
            return
        if FeedConsumer.objects.filter(name=name).exists():
            raise CommandError(f"「{name}」は登録済みです（再発行は管理画面から）。")
        consumer = FeedConsumer(name=name, contact=contact)
        token = consumer.issue_token()
        consumer.save()
        self.stdout.write(f"トークン（一度だけ表示します）: {token}")


def _listings(municipality: str | None):
    queryset = AkiyaListingPage.objects.all()
    if not municipality:
        return queryset
    town = Municipality.objects.filter(
        Q(code=municipality)
        | Q(code5=municipality)
        | Q(slug=municipality)
        | Q(name=municipality)
    ).first()
    if town is None:
        raise CommandError(f"市町村「{municipality}」が見つかりません。")
    return queryset.filter(municipality=town)
