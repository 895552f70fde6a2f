"""``portal bench lighthouse``: Lighthouse (npm ``lighthouse``, run with
``CHROME_PATH=/usr/bin/chromium``) in mobile mode on the home page, the akiya
list and an akiya detail page of a built site served locally, with the page
weights the performance budget counts.

Prints the four category scores per page (target ≥ 95 each) and, per page, the
HTML compressed, the CSS and the JavaScript it loads (targets: HTML ≤ 60 KB
gzip, CSS ≤ 30 KB, JS ≤ 50 KB). ``--site`` names a built output folder (default:
the configured build's output; ``--build`` builds it first). Needs ``npm ci`` at
the repository root.
"""

import functools
import gzip
import http.server
import json
import os
import re
import shutil
import subprocess
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LIGHTHOUSE = ROOT / "node_modules" / ".bin" / "lighthouse"
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
TARGET_SCORE = 95
BUDGET_KB = {"html_gz": 60, "css": 30, "js": 50}
CHROME_FLAGS = "--headless=new --no-sandbox --disable-gpu --disable-dev-shm-usage"


def add_arguments(parser):
    parser.add_argument("--site", help="構築済みの出力フォルダ（省略時は設定の出力先）")
    parser.add_argument("--build", action="store_true", help="先にサイトを構築する")
    parser.add_argument(
        "--chrome", default=os.environ.get("CHROME_PATH", "/usr/bin/chromium")
    )


def page_weights(site: Path, path: str) -> dict[str, int]:
    """Bytes of a page's HTML (gzip), its stylesheets and its scripts."""
    html = (site / path.lstrip("/") / "index.html").read_bytes()
    text = html.decode("utf-8")

    def total(pattern: str) -> int:
        return sum(
            (site / ref.lstrip("/")).stat().st_size
            for ref in re.findall(pattern, text)
            if ref.startswith("/") and (site / ref.lstrip("/")).exists()
        )

    return {
        "html_gz": len(gzip.compress(html)),
        "css": total(r'<link rel="stylesheet" href="([^"]+)"'),
        "js": total(r'<script[^>]* src="([^"]+)"'),
    }


def scores(report: dict) -> dict[str, int]:
    return {
        name: round((report["categories"][name]["score"] or 0) * 100)
        for name in CATEGORIES
    }


def failed_audits(report: dict) -> list[str]:
    """Audits that lost points, for the person reading the numbers."""
    found = []
    for name in CATEGORIES:
        for ref in report["categories"][name]["auditRefs"]:
            audit = report["audits"][ref["id"]]
            if (
                ref["weight"]
                and audit.get("score") is not None
                and audit["score"] < 0.9
            ):
                found.append(f"{name}: {audit['id']} ({audit['score']})")
    return found


def _serve(site: Path):
    handler = functools.partial(_Handler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


class _Handler(http.server.SimpleHTTPRequestHandler):
    extensions_map = {
        **http.server.SimpleHTTPRequestHandler.extensions_map,
        ".js": "text/javascript",
        ".wasm": "application/wasm",
    }

    def end_headers(self):
        # Like the production host (netlify.toml): hashed assets are immutable.
        if self.path.startswith(("/assets/", "/media/")):
            self.send_header("Cache-Control", "public, max-age=31536000, immutable")
        super().end_headers()

    def log_message(self, *args):
        pass


def lighthouse(url: str, chrome: str) -> dict:
    result = subprocess.run(
        [
            str(LIGHTHOUSE),
            url,
            "--output=json",
            "--output-path=stdout",
            "--quiet",
            f"--only-categories={','.join(CATEGORIES)}",
            f"--chrome-flags={CHROME_FLAGS}",
        ],
        capture_output=True,
        text=True,
        env={**os.environ, "CHROME_PATH": chrome},
        timeout=300,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"lighthouse failed on {url}: {result.stderr[-2000:]}")
    return json.loads(result.stdout)


def _site(args) -> Path:
    if args.site and not args.build:
        return Path(args.site)
    from builders.build import BuildOptions, build_site

    options = BuildOptions(output_dir=Path(args.site) if args.site else None)
    if args.build:
        build_site(options)
    if args.site:
        return Path(args.site)
    from cms.publishing.settings import build_paths

    return build_paths().output


def run(args) -> dict:
    if not LIGHTHOUSE.exists():
        raise SystemExit(
            "Lighthouse がありません。リポジトリの最上位で npm ci を実行してください。"
        )
    if not shutil.which(args.chrome) and not Path(args.chrome).exists():
        raise SystemExit(f"Chromium がありません: {args.chrome}")
    site = _site(args)
    finder = json.loads((site / "akiya" / "finder.json").read_text("utf-8"))
    pages = {
        "home": "/",
        "akiya_list": "/akiya/",
        "akiya_detail": finder["items"][0]["u"],
    }
    server = _serve(site)
    base = f"http://127.0.0.1:{server.server_address[1]}"
    summary = {"target_score": TARGET_SCORE, "budget_kb": BUDGET_KB, "pages": {}}
    try:
        for name, path in pages.items():
            report = lighthouse(base + path, args.chrome)
            weights = page_weights(site, path)
            found = scores(report)
            summary["pages"][name] = {"path": path, "scores": found, "bytes": weights}
            print(
                f"{name:13} "
                + "  ".join(f"{c} {found[c]:3d}" for c in CATEGORIES)
                + f"  | HTML {weights['html_gz'] / 1024:.1f} KB gz, CSS {weights['css'] / 1024:.1f} KB,"
                f" JS {weights['js'] / 1024:.1f} KB",
                flush=True,
            )
            for line in failed_audits(report):
                print(f"    {line}", flush=True)
    finally:
        server.shutdown()
        server.server_close()
    every = [s for page in summary["pages"].values() for s in page["scores"].values()]
    summary["min_score"] = min(every)
    summary["meets_target"] = summary["min_score"] >= TARGET_SCORE and all(
        page["bytes"][k] <= BUDGET_KB[k] * 1024
        for page in summary["pages"].values()
        for k in BUDGET_KB
    )
    return summary
