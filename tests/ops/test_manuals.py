"""The Japanese manuals build to HTML with a table of contents, and every
screenshot they show exists (taken by test_manual_screens.py)."""

import re

from django.core.management import call_command

from cms.ops.manuals import MANUAL_DIR, render_manual


def test_manuals_build_to_html_with_their_screenshots(tmp_path):
    call_command("ops", "build-manuals", "--output", str(tmp_path))
    for name in ("editor", "admin", "line"):
        html = (tmp_path / f"{name}.html").read_text()
        assert '<html lang="ja">' in html
        assert '<nav class="toc"' in html and '<li><a href="#' in html
        images = re.findall(r'<img\b[^>]*\bsrc="([^"]+)"', html)
        assert images, name  # every manual has screenshots
        for image in images:
            assert (tmp_path / image).is_file(), image
            assert (MANUAL_DIR / image).is_file(), image


def test_headings_get_anchors_and_tables_render():
    html = render_manual(
        "# 手引き\n\n## 1. ログイン\n\n| a | b |\n| --- | --- |\n| 1 | 2 |\n"
    )
    assert "<title>手引き</title>" in html
    assert 'id="1-ログイン"' in html and 'href="#1-ログイン"' in html, html
    assert "<table>" in html
