"""Charts for the admin dashboard as inline SVG, drawn on the server: no chart
library, no CDN, readable by screen readers through the table beside each chart."""

from html import escape

COLOURS = ("#1a5fb4", "#26a269", "#c64600", "#813d9c")


def _nice_max(value: float) -> float:
    if value <= 0:
        return 1
    step = 10 ** (len(str(int(value))) - 1)
    return ((int(value) // step) + 1) * step


def line_chart(
    labels: list[str],
    series: list[tuple[str, list[float]]],
    width: int = 720,
    height: int = 220,
    title: str = "",
) -> str:
    """Lines over ``labels`` (days or months); a legend names each series."""
    left, right, top, bottom = 64, 12, 24, 28
    plot_w, plot_h = width - left - right, height - top - bottom
    top_value = _nice_max(max((max(v) for _, v in series if v), default=0))
    count = max(len(labels), 2)

    def x(i):
        return left + plot_w * i / (count - 1)

    def y(v):
        return top + plot_h * (1 - v / top_value)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'role="img" aria-label="{escape(title)}" class="analytics-chart" '
        f'style="max-width:100%;height:auto">'
    ]
    for step in range(5):
        value = top_value * step / 4
        parts.append(
            f'<line x1="{left}" x2="{width - right}" y1="{y(value):.1f}" '
            f'y2="{y(value):.1f}" stroke="#ddd"/>'
            f'<text x="{left - 6}" y="{y(value) + 4:.1f}" font-size="11" '
            f'text-anchor="end" fill="#555">{int(value):,}</text>'
        )
    every = max(1, len(labels) // 10)
    for i, label in enumerate(labels):
        if i % every == 0 or i == len(labels) - 1:
            parts.append(
                f'<text x="{x(i):.1f}" y="{height - 8}" font-size="11" '
                f'text-anchor="middle" fill="#555">{escape(label)}</text>'
            )
    for n, (name, values) in enumerate(series):
        colour = COLOURS[n % len(COLOURS)]
        points = " ".join(f"{x(i):.1f},{y(v):.1f}" for i, v in enumerate(values))
        parts.append(
            f'<polyline fill="none" stroke="{colour}" stroke-width="2" '
            f'points="{points}"/>'
            f'<rect x="{left + 10 + n * 130}" y="6" width="12" height="12" '
            f'fill="{colour}"/><text x="{left + 26 + n * 130}" y="16" '
            f'font-size="12">{escape(name)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def bar_chart(items: list[tuple[str, float]], width: int = 360, title: str = "") -> str:
    """Horizontal bars, one per (label, value), longest first as given."""
    row, label_w = 22, 130
    height = max(row * len(items), row)
    top_value = max((v for _, v in items), default=0) or 1
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'role="img" aria-label="{escape(title)}" class="analytics-chart" '
        f'style="max-width:100%;height:auto">'
    ]
    for i, (label, value) in enumerate(items):
        bar = (width - label_w - 60) * value / top_value
        y = i * row
        parts.append(
            f'<text x="{label_w - 6}" y="{y + 15}" font-size="12" '
            f'text-anchor="end">{escape(label[:14])}</text>'
            f'<rect x="{label_w}" y="{y + 4}" width="{bar:.1f}" height="14" '
            f'fill="{COLOURS[0]}"/><text x="{label_w + bar + 4:.1f}" y="{y + 15}" '
            f'font-size="11" fill="#555">{value:,.0f}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)
