"""``portal mail_export [FILE]``: every subscriber with status and attributes as CSV."""

import sys

from django.core.management.base import BaseCommand

from cms.mailing import csv_io


class Command(BaseCommand):
    help = "配信先の全員を、状態・属性・同意の記録とともにCSVで出力します。"

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", default="-")
        parser.add_argument(
            "--encoding", default="utf-8-sig", choices=["utf-8-sig", "utf-8", "cp932"]
        )

    def handle(self, *args, file, encoding, **options):
        if file == "-":
            csv_io.write_csv(csv_io.export_rows(), sys.stdout, encoding)
            return
        errors = "replace" if encoding == "cp932" else "strict"
        with open(file, "w", encoding=encoding, errors=errors, newline="") as handle:
            csv_io.write_csv(csv_io.export_rows(), handle, encoding)
