"""The chatbot's monthly report for the prefecture, as HTML and as PDF.

Charts are drawn by matplotlib (Agg, no display needed). The PDF is laid out with
reportlab, which embeds a TrueType font: Japanese needs a font with Japanese
glyphs, taken from ``PORTAL_REPORT_FONT`` if set, else the IPAex Gothic that the
PyPI package ``japanize-matplotlib`` ships (so it works offline on any machine),
else the first Japanese font fontconfig knows.
"""

import base64
import datetime
import io
import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from functools import cache
from importlib.util import find_spec
from pathlib import Path

from django.template.loader import render_to_string
from django.utils import timezone

from . import analytics
from .analytics import Period
from .models import ChatSettings


class ReportFontMissing(RuntimeError):
    pass


def parse_month(value: str) -> tuple[int, int]:
    match = re.fullmatch(r"(\d{4})-(\d{1,2})", (value or "").strip())
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise ValueError(
            f"月は 2026-04 のように YYYY-MM で指定してください（{value!r}）。"
        )
    return int(match.group(1)), int(match.group(2))


@cache
def japanese_font_path() -> str:
    configured = os.environ.get("PORTAL_REPORT_FONT")
    if configured and Path(configured).exists():
        return configured
    spec = find_spec("japanize_matplotlib")
    if spec and spec.submodule_search_locations:
        bundled = (
            Path(next(iter(spec.submodule_search_locations))) / "fonts" / "ipaexg.ttf"
        )
        if bundled.exists():
            return str(bundled)
    if shutil.which("fc-list"):
        listing = subprocess.run(
            ["fc-list", ":lang=ja", "file"], capture_output=True, text=True, check=False
        ).stdout
        for line in listing.splitlines():
            path = line.split(":")[0].strip()
            if path.lower().endswith((".ttf", ".otf")):
                return path
    raise ReportFontMissing(
        "日本語フォントが見つかりません。pip install japanize-matplotlib を実行するか、"
        "PORTAL_REPORT_FONT に .ttf ファイルを指定してください。"
    )


def _figure_png(draw) -> bytes:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import font_manager
    from matplotlib import pyplot as plt

    font_path = japanese_font_path()
    font_manager.fontManager.addfont(font_path)
    name = font_manager.FontProperties(fname=font_path).get_name()
    with plt.rc_context({"font.family": name, "font.size": 9}):
        figure, axes = plt.subplots(figsize=(7.2, 2.6), dpi=110)
        try:
            draw(axes)
            figure.tight_layout()
            buffer = io.BytesIO()
            figure.savefig(buffer, format="png")
            return buffer.getvalue()
        finally:
            plt.close(figure)


@dataclass
class MonthlyReport:
    period: Period
    totals: dict
    days: list[dict]
    months: list[dict]
    hits: list[dict]
    questions: list[dict]
    unanswered: list
    attributes: dict
    generated_at: datetime.datetime

    @property
    def title(self) -> str:
        return f"チャットボット月次報告 {self.period.start:%Y年%m月}"

    def summary(self) -> dict:
        return {
            "month": f"{self.period.start:%Y-%m}",
            **{k: v for k, v in self.totals.items()},
            "top_answers": [h["answer_key"] for h in self.hits[:5]],
        }

    # --- charts --------------------------------------------------------------

    def chart_daily(self) -> bytes:
        def draw(axes):
            days = [d["day"].day for d in self.days]
            axes.bar(
                days, [d["turns"] for d in self.days], color="#1a5fb4", label="質問数"
            )
            axes.bar(
                days,
                [d["unanswered"] for d in self.days],
                color="#c64600",
                label="回答できなかった質問",
            )
            axes.set_xlabel("日")
            axes.set_ylabel("件数")
            axes.set_title("日別の質問数")
            axes.legend(loc="upper right")

        return _figure_png(draw)

    def chart_monthly(self) -> bytes:
        def draw(axes):
            labels = [f"{m['month']:%y/%m}" for m in self.months]
            axes.plot(
                labels,
                [m["conversations"] for m in self.months],
                marker="o",
                color="#1a5fb4",
                label="会話数",
            )
            axes.plot(
                labels,
                [m["turns"] for m in self.months],
                marker="s",
                color="#26a269",
                label="質問数",
            )
            axes.set_title("月別の推移（直近12か月）")
            axes.legend(loc="upper left")

        return _figure_png(draw)

    def chart_answers(self) -> bytes:
        def draw(axes):
            top = list(reversed(self.hits[:8]))
            axes.barh(
                [h["question"][:22] for h in top],
                [h["hits"] for h in top],
                color="#1a5fb4",
            )
            axes.set_title("よく表示された回答")

        return _figure_png(draw)

    def charts(self) -> dict[str, str]:
        return {
            name: base64.b64encode(png).decode()
            for name, png in (
                ("daily", self.chart_daily()),
                ("monthly", self.chart_monthly()),
                ("answers", self.chart_answers()),
            )
        }

    # --- outputs -------------------------------------------------------------

    def html(self) -> str:
        return render_to_string(
            "chat/monthly_report.html", {"report": self, "charts": self.charts()}
        )

    def pdf(self) -> bytes:
        from reportlab.lib import colors
        from reportlab.lib.pagesizes import A4
        from reportlab.lib.styles import ParagraphStyle
        from reportlab.lib.units import mm
        from reportlab.pdfbase import pdfmetrics
        from reportlab.pdfbase.ttfonts import TTFont
        from reportlab.platypus import (
            Image,
            Paragraph,
            SimpleDocTemplate,
            Spacer,
            Table,
            TableStyle,
        )

        if "PortalJapanese" not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(TTFont("PortalJapanese", japanese_font_path()))
        base = ParagraphStyle("base", fontName="PortalJapanese", fontSize=9, leading=13)
        heading = ParagraphStyle(
            "h", parent=base, fontSize=12, leading=16, spaceBefore=8
        )
        title = ParagraphStyle("t", parent=base, fontSize=16, leading=22)

        def table(rows, widths):
            t = Table(rows, colWidths=widths, repeatRows=1)
            t.setStyle(
                TableStyle(
                    [
                        ("FONT", (0, 0), (-1, -1), "PortalJapanese", 8.5),
                        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef8")),
                        ("GRID", (0, 0), (-1, -1), 0.3, colors.grey),
                        ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ]
                )
            )
            return t

        def chart(png):
            return Image(io.BytesIO(png), width=170 * mm, height=61 * mm)

        t = self.totals
        story = [
            Paragraph(self.title, title),
            Paragraph(
                f"対象期間: {self.period.label()}　作成: {timezone.localtime(self.generated_at):%Y-%m-%d %H:%M}",
                base,
            ),
            Spacer(1, 4 * mm),
            table(
                [
                    [
                        "会話数",
                        "質問数",
                        "回答した",
                        "候補を示した",
                        "該当なし",
                        "回答率",
                        "役立った率",
                    ],
                    [
                        t["conversations"],
                        t["turns"],
                        t["answered"],
                        t["suggested"],
                        t["no_match"],
                        f"{t['answer_rate']:.0%}",
                        "—"
                        if t["helpful_rate"] is None
                        else f"{t['helpful_rate']:.0%}",
                    ],
                ],
                [24 * mm] * 7,
            ),
            Paragraph("日別の質問数", heading),
            chart(self.chart_daily()),
            Paragraph("月別の推移", heading),
            chart(self.chart_monthly()),
            Paragraph("よく表示された回答", heading),
            table(
                [["回答", "表示", "役立った", "役立たず"]]
                + [
                    [
                        Paragraph(h["question"], base),
                        h["hits"],
                        h["helpful"],
                        h["unhelpful"],
                    ]
                    for h in self.hits[:15]
                ],
                [120 * mm, 16 * mm, 14 * mm, 14 * mm],
            ),
            Paragraph("回答できなかった質問（似た質問をまとめたもの）", heading),
            table(
                [["質問", "件数"]]
                + [
                    [Paragraph(g.representative, base), g.count]
                    for g in self.unanswered[:15]
                ],
                [150 * mm, 16 * mm],
            ),
            Paragraph("利用者の属性（同意があった会話）", heading),
        ]
        labels = {
            "age_band": "年代",
            "current_area": "お住まい",
            "household": "世帯",
            "move_timing": "移住時期",
        }
        for name, rows in self.attributes.items():
            story.append(
                Paragraph(
                    labels[name]
                    + ": "
                    + "、".join(f"{label} {count}" for label, count in rows),
                    base,
                )
            )
        buffer = io.BytesIO()
        SimpleDocTemplate(
            buffer,
            pagesize=A4,
            title=self.title,
            leftMargin=18 * mm,
            rightMargin=18 * mm,
        ).build(story)
        return buffer.getvalue()


def build_monthly_report(year: int, month: int) -> MonthlyReport:
    period = Period.month(year, month)
    threshold = ChatSettings.load().confidence_threshold
    return MonthlyReport(
        period=period,
        totals=analytics.summary(period),
        days=analytics.per_day(period),
        months=analytics.per_month(12, today=period.end),
        hits=analytics.hits_per_answer(period),
        questions=analytics.top_questions(period),
        unanswered=analytics.unanswered_groups(period, threshold),
        attributes=analytics.attribute_breakdown(period),
        generated_at=timezone.now(),
    )
