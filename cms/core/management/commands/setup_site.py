from django.core.management.base import BaseCommand

from cms.core.setup import ensure_site_structure


class Command(BaseCommand):
    help = "ポータルの基本構造（トップページ、一覧ページ、県職員グループ、承認ワークフロー）を作ります。"

    def add_arguments(self, parser):
        parser.add_argument("--name", help="ポータル名（例: いばらき移住ポータル）")

    def handle(self, *args, name=None, **options):
        home = ensure_site_structure(portal_name=name)
        self.stdout.write(self.style.SUCCESS(f"サイト構造を確認しました: {home.title}"))
