"""``portal api schema [--write|--check]``: the GraphQL schema (SDL) that is the
contract with the builder, printed, written to ``cms/api/schema.graphql`` or
compared with it; ``portal api query NAME`` prints one of the documented queries.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

SNAPSHOT = Path(__file__).resolve().parents[2] / "schema.graphql"


class Command(BaseCommand):
    help = "コンテンツAPI（GraphQL）のスキーマや問い合わせ例を表示します。"

    def add_arguments(self, parser):
        commands = parser.add_subparsers(dest="subcommand", required=True)
        schema = commands.add_parser("schema", help="スキーマ（SDL）を表示・保存・比較")
        schema.add_argument("--write", action="store_true", help=f"{SNAPSHOT} に保存")
        schema.add_argument("--check", action="store_true", help="保存済みと比較")
        query = commands.add_parser("query", help="問い合わせ例を表示")
        query.add_argument("name", help="preview, snapshot, site, listings, removed")

    def handle(self, *args, subcommand, **options):
        if subcommand == "query":
            from cms.api.queries import DOCUMENTS, query_text

            if options["name"] not in DOCUMENTS:
                raise CommandError(
                    f"問い合わせ例は {', '.join(DOCUMENTS)} のどれかです。"
                )
            self.stdout.write(query_text(options["name"]), ending="")
            return
        from cms.api.schema import schema

        sdl = schema.as_str() + "\n"
        if options["write"]:
            SNAPSHOT.write_text(sdl)
            self.stdout.write(f"{SNAPSHOT} を更新しました。")
        elif options["check"]:
            if SNAPSHOT.read_text() != sdl:
                raise CommandError(
                    "スキーマが保存済みのものと違います。意図した変更なら "
                    "`portal api schema --write` で更新してください。"
                )
            self.stdout.write("スキーマは保存済みのものと同じです。")
        else:
            self.stdout.write(sdl, ending="")
