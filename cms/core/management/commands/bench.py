"""``portal bench <name>``: run the benchmark in ``bench/<name>.py``.

Each benchmark module has ``run(args) -> dict`` (and optionally
``add_arguments(parser)``); its summary is printed as JSON on the last line, so
scripts and CI can read the numbers."""

import argparse
import importlib.util
import json
import sys
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

BENCH_DIR = Path(settings.BASE_DIR) / "bench"


def available() -> list[str]:
    return sorted(p.stem for p in BENCH_DIR.glob("*.py") if not p.stem.startswith("_"))


def load(name: str):
    path = BENCH_DIR / f"{name}.py"
    if not path.exists():
        raise CommandError(
            f"ベンチマーク「{name}」はありません。使えるもの: {', '.join(available()) or 'なし'}"
        )
    spec = importlib.util.spec_from_file_location(f"bench_{name}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class Command(BaseCommand):
    help = "ベンチマークを実行し、結果を表示します（最後の行はJSON）。"

    def add_arguments(self, parser):
        parser.add_argument("name", help=f"ベンチマーク名（{', '.join(available())}）")
        parser.add_argument("rest", nargs=argparse.REMAINDER)

    def handle(self, *args, name, rest, **options):
        module = load(name)
        parser = argparse.ArgumentParser(prog=f"portal bench {name}")
        if hasattr(module, "add_arguments"):
            module.add_arguments(parser)
        summary = module.run(parser.parse_args(rest))
        sys.stdout.flush()
        if summary is None:  # a step run by another bench process
            return
        self.stdout.write(json.dumps(summary, ensure_ascii=False, sort_keys=True))
