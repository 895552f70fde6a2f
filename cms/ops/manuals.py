"""The Japanese manuals (docs/manual/*.md) as HTML pages with a table of contents,
for staff who will not read Markdown: ``portal ops build-manuals``. Screenshots in
docs/manual/images/ are taken by the browser test tests/ops/test_manual_screens.py
(PORTAL_UPDATE_MANUAL_SCREENSHOTS=1), so they follow the admin as it changes."""

import html
import shutil
from pathlib import Path

import markdown
from markdown.extensions.toc import slugify_unicode

MANUAL_DIR = Path(__file__).resolve().parents[2] / "docs" / "manual"

PAGE = """<!doctype html>
<html lang="ja">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>
body{{font-family:"Hiragino Sans","Noto Sans JP",system-ui,sans-serif;line-height:1.9;
max-width:52rem;margin:0 auto;padding:1rem 1.5rem 4rem;color:#1b1b1b}}
h1{{border-bottom:3px solid #1a5fb4;padding-bottom:.3rem}}
h2{{margin-top:2.5rem;border-left:6px solid #1a5fb4;padding-left:.6rem}}
img{{max-width:100%;border:1px solid #ccc;box-shadow:0 1px 4px #0002}}
table{{border-collapse:collapse}}td,th{{border:1px solid #bbb;padding:.3rem .6rem}}
code{{background:#f2f2f2;padding:.05rem .3rem}}nav.toc{{background:#f6f8fb;padding:.5rem 1.5rem}}
@media print{{nav.toc{{display:none}}h2{{page-break-before:auto}}}}
</style>
</head>
<body>
<nav class="toc" aria-label="目次"><strong>目次</strong>{toc}</nav>
<main>
{body}
</main>
</body>
</html>
"""


def render_manual(markdown_text: str) -> str:
    converter = markdown.Markdown(
        extensions=["tables", "toc"],
        extension_configs={"toc": {"slugify": slugify_unicode}},
    )
    body = converter.convert(markdown_text)
    title, toc = "マニュアル", []
    for h1 in converter.toc_tokens:
        title = h1["name"] if h1["level"] == 1 else title
        for h2 in h1["children"] if h1["level"] == 1 else [h1]:
            toc.append(f'<li><a href="#{h2["id"]}">{h2["name"]}</a></li>')
    return PAGE.format(
        title=html.escape(title), toc=f"<ol>{''.join(toc)}</ol>", body=body
    )


def build_manuals(output: Path | None = None, source: Path = MANUAL_DIR) -> list[Path]:
    from django.conf import settings

    output = output or settings.VAR_DIR / "manual"
    output.mkdir(parents=True, exist_ok=True)
    written = []
    for manual in sorted(source.glob("*.md")):
        target = output / f"{manual.stem}.html"
        target.write_text(render_manual(manual.read_text(encoding="utf-8")))
        written.append(target)
    images = source / "images"
    if images.exists():
        shutil.copytree(images, output / "images", dirs_exist_ok=True)
    return written
