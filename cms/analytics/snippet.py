"""The HTML the static theme puts at the end of every page's <body> to count it.

The ≤ 1 KB script is inlined (no extra request, nothing to copy into the site);
``src=`` links the file instead, for a site whose Content-Security-Policy forbids
inline scripts (copy ``cms/analytics/static/analytics/collect.js`` into the site).
The <noscript> pixel counts visitors without JavaScript; its request's Referer is
the page (the pixel asks the browser to send it in full).
"""

from functools import cache
from html import escape
from pathlib import Path

SCRIPT = Path(__file__).parent / "static" / "analytics" / "collect.js"


@cache
def script_source() -> str:
    lines = SCRIPT.read_text(encoding="utf-8").splitlines()
    # Drop the leading comment and indentation: the page gets ~700 bytes.
    return "".join(line.strip() for line in lines if not line.startswith("/*"))


def tracking_snippet(site_url: str = "", src: str = "") -> str:
    """``site_url``: the public site's base URL ("" for the same origin), under
    which /api/collect/ is reached."""
    api = escape(f"{site_url.rstrip('/')}/api/collect/", quote=True)
    if src:
        script = (
            f'<script defer src="{escape(src, quote=True)}" data-api="{api}"></script>'
        )
    else:
        script = f'<script data-api="{api}">{script_source()}</script>'
    return (
        f'{script}<noscript><img src="{api}pixel.gif" alt="" width="1" '
        'height="1" style="position:absolute" referrerpolicy="no-referrer-when-downgrade">'
        "</noscript>"
    )
