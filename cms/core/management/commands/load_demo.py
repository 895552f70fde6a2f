"""`portal load_demo`: the whole demo portal in one idempotent command, stage by stage
with progress bars, ending with what is there and how to log in."""

import datetime
import time
from collections import Counter
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.module_loading import import_string
from tqdm import tqdm

from cms.core.demo import loader, prefecture
from cms.core.models import ConsultationDesk, Municipality, PortalImage
from cms.core.municipality_import import (
    apply_municipality_rows,
    parse_municipality_table,
)
from cms.core.setup import ensure_site_structure
from cms.listings.models import (
    AkiyaListingPage,
    EventPage,
    RecruitmentPage,
    TrialStayPage,
)
from cms.pages.models import ArticlePage, StandardPage, SupportMeasurePage

# Demo data of the other apps, loaded after the portal's own (each adds only what is
# missing and counts what it created).
APP_DEMO_LOADERS = [
    ("チャットボットFAQ", "cms.chat.demo.load_demo_faq"),
    ("施設予約（国富町の17施設）", "cms.reservations.demo.load_reservation_demo"),
    (
        "メール配信（登録者・セグメント・キャンペーン）",
        "cms.mailing.demo.load_mailing_demo",
    ),
    ("アクセス解析（半年分の日別集計）", "cms.analytics.demo.load_analytics_demo"),
    (
        "運用の職員アカウント（システム管理・監査・メール配信）",
        "cms.ops.demo.load_ops_demo",
    ),
    (
        "LINE公式アカウント（デモ用の公開・テスト用アカウント）",
        "cms.line.demo.load_line_demo",
    ),
    (
        "オンラインコミュニティ（部屋・メンバー・投稿）",
        "cms.community.demo.load_community_demo",
    ),
    (
        "関係人口（受入団体・プログラム・メンバー・交流会・補助申請）",
        "cms.ties.demo.load_ties_demo",
    ),
]

MUNICIPALITY_TABLE = (
    Path(__file__).resolve().parents[2] / "demo" / "data" / "ibaraki_municipalities.tsv"
)


class Command(BaseCommand):
    help = (
        "デモデータ（茨城県の44市町村、空き家・イベント・お試し居住・協力隊募集、"
        "記事、画像、デモ用アカウント）を読み込みます。何度実行しても重複しません。"
    )

    def handle(self, *args, verbosity=1, **options):
        if settings.PRODUCTION:
            raise CommandError(
                "本番環境（PORTAL_ENV=production）ではデモデータを読み込めません。"
                "開発用の環境で実行してください。"
            )
        self.verbosity = verbosity
        started = time.monotonic()
        today = datetime.date.today()
        created: Counter = Counter()

        home = ensure_site_structure(portal_name=prefecture.PORTAL_NAME)
        self._load_municipalities()
        towns = [
            loader.TownPlan.for_municipality(municipality)
            for municipality in Municipality.objects.select_related("collection")
        ]

        with transaction.atomic():
            prefecture_desk = loader.ensure_prefecture_desk(created)
            desks = {
                town.municipality.pk: loader.ensure_municipality_desk(town, created)
                for town in towns
            }
            loader.ensure_portal_settings(prefecture_desk, created)

        shared_images = loader.ensure_shared_images(created)
        images = {}
        for town in self._progress(towns, "画像"):
            with transaction.atomic():
                images[town.municipality.pk] = {
                    **shared_images,
                    **loader.ensure_municipality_images(town, created),
                }

        for town in self._progress(towns, "市町村ページ"):
            with transaction.atomic():
                loader.fill_municipality_page(
                    town, images[town.municipality.pk], today, created
                )

        # One transaction per municipality: a failure (say, demo data that no longer
        # passes validation) leaves the towns loaded so far, and a rerun goes on.
        for town in self._progress(towns, "掲載情報"):
            with transaction.atomic():
                loader.ensure_municipality_listings(
                    town,
                    desks[town.municipality.pk],
                    images[town.municipality.pk],
                    today,
                    created,
                )

        with transaction.atomic():
            loader.ensure_prefecture_pages(
                home, prefecture_desk, shared_images, today, created
            )
            accounts = loader.ensure_demo_accounts(
                settings.PORTAL_DEMO_PASSWORD, created
            )

        for label, path in APP_DEMO_LOADERS:
            if self.verbosity:
                self.stdout.write(f"{label}…")
            import_string(path)(created)

        self._summary(created, accounts, time.monotonic() - started)

    def _progress(self, items, label):
        return tqdm(items, desc=label, unit="市町村", disable=self.verbosity < 1)

    def _load_municipalities(self):
        report = parse_municipality_table(
            MUNICIPALITY_TABLE.read_text(encoding="utf-8")
        )
        if report.ok:
            with tqdm(
                total=len(report.rows),
                desc="市町村",
                unit="件",
                disable=self.verbosity < 1,
            ) as bar:
                apply_municipality_rows(report, progress=lambda row: bar.update())
        if not report.ok:
            raise CommandError(
                f"{MUNICIPALITY_TABLE.name} を読み込めません: "
                + " / ".join(report.errors)
            )

    def _summary(self, created: Counter, accounts, seconds: float):
        def count(model, **filters):
            return model.objects.filter(**filters).count()

        drafts = count(AkiyaListingPage, live=False)
        prefecture_measures = count(SupportMeasurePage, municipality=None)
        rows = [
            ("市町村", f"{count(Municipality)}"),
            ("相談窓口", f"{count(ConsultationDesk)}"),
            ("画像", f"{count(PortalImage)}"),
            (
                "移住支援策",
                f"{count(SupportMeasurePage)}（うち県 {prefecture_measures}）",
            ),
            ("空き家・空き地", f"{count(AkiyaListingPage)}（うち下書き {drafts}）"),
            ("お知らせ・イベント", f"{count(EventPage)}"),
            ("お試し居住", f"{count(TrialStayPage)}"),
            ("地域おこし協力隊募集", f"{count(RecruitmentPage)}"),
            ("記事", f"{count(ArticlePage)}"),
            ("一般ページ", f"{count(StandardPage)}"),
            ("アカウント", f"{get_user_model().objects.count()}"),
        ]
        new = sum(created.values())
        if new:
            headline = (
                f"デモデータを読み込みました（作成・更新 {new}件、{seconds:.0f}秒）。"
            )
        else:
            headline = (
                f"デモデータはすでに読み込まれています（変更なし、{seconds:.0f}秒）。"
            )
        self.stdout.write(self.style.SUCCESS(headline))
        width = max(len(label) for label, _ in rows)
        for label, value in rows:
            self.stdout.write(f"  {label}{'　' * (width - len(label))}  {value}")
        self.stdout.write("")
        self.stdout.write(f"管理画面: {settings.WAGTAILADMIN_BASE_URL}/admin/")
        for account in accounts:
            self.stdout.write(f"  {account.username:<16}{account.role}")
        self.stdout.write(f"パスワード（共通）: {settings.PORTAL_DEMO_PASSWORD}")
