"""The monthly report as an A4 PDF (reportlab, Japanese font embedded), laid out
from the same sections as the HTML."""

import io

from django.utils import timezone

from .report import MonthlyReport, japanese_font_path

FONT = "PortalJapanese"


def render_pdf(report: MonthlyReport) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.platypus import (
        Image,
        KeepTogether,
        PageBreak,
        Paragraph,
        SimpleDocTemplate,
        Spacer,
        Table,
        TableStyle,
    )

    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(FONT, japanese_font_path()))
    base = ParagraphStyle("base", fontName=FONT, fontSize=9, leading=13, wordWrap="CJK")
    cell = ParagraphStyle("cell", parent=base, fontSize=8, leading=10)
    h1 = ParagraphStyle("h1", parent=base, fontSize=16, leading=22, spaceAfter=4)
    h2 = ParagraphStyle(
        "h2",
        parent=base,
        fontSize=13,
        leading=18,
        spaceBefore=6,
        spaceAfter=4,
        textColor=colors.HexColor("#1a3d6e"),
    )
    h3 = ParagraphStyle("h3", parent=base, fontSize=10.5, leading=15, spaceBefore=6)
    width = A4[0] - 36 * mm

    def table(header, rows, widths=None):
        data = [[Paragraph(str(h), cell) for h in header]] + [
            [Paragraph(str(value), cell) for value in row] for row in rows
        ]
        if widths is None:
            first = width * 0.45 if len(header) > 2 else width * 0.7
            rest = (width - first) / max(len(header) - 1, 1)
            widths = [first] + [rest] * (len(header) - 1)
        t = Table(data, colWidths=widths, repeatRows=1)
        t.setStyle(
            TableStyle(
                [
                    ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef8")),
                    ("GRID", (0, 0), (-1, -1), 0.3, colors.grey),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ]
            )
        )
        return t

    def summary(pairs):
        # Figures in rows of four: label above value.
        cells = []
        for start in range(0, len(pairs), 4):
            chunk = pairs[start : start + 4]
            cells.append([Paragraph(label, cell) for label, _ in chunk])
            cells.append([Paragraph(f"<b>{value}</b>", base) for _, value in chunk])
        t = Table(cells, colWidths=[width / 4] * 4)
        t.setStyle(
            TableStyle(
                [
                    ("GRID", (0, 0), (-1, -1), 0.3, colors.lightgrey),
                    ("BACKGROUND", (0, 0), (-1, -1), colors.HexColor("#f7f9fc")),
                ]
            )
        )
        return t

    generated = timezone.localtime(report.generated_at)
    story = [
        Paragraph(report.title, h1),
        Paragraph(f"作成: {generated:%Y年%m月%d日 %H:%M}", base),
        Spacer(1, 3 * mm),
        Paragraph("目次: " + "、".join(s.title for s in report.sections), base),
    ]
    for failure_key, message in report.failures:
        story.append(
            Paragraph(f"※「{failure_key}」の集計に失敗しました: {message}", base)
        )
    for number, section in enumerate(report.sections, start=1):
        if number > 1:
            story.append(PageBreak())
        story.append(Paragraph(f"{number}. {section.title}", h2))
        if section.summary:
            story.append(summary(section.summary))
        for line in section.analysis:
            story.append(Spacer(1, 2 * mm))
            story.append(Paragraph(line, base))
        for chart in section.charts:
            story.append(
                KeepTogether(
                    [
                        Paragraph(chart.caption, h3),
                        Image(
                            io.BytesIO(chart.png),
                            width=width,
                            height=width * _aspect(chart.png),
                        ),
                    ]
                )
            )
        for t in section.tables:
            if not t.rows:
                continue
            story.append(Paragraph(t.caption, h3))
            story.append(table(t.header, t.rows))
    buffer = io.BytesIO()
    SimpleDocTemplate(
        buffer,
        pagesize=A4,
        title=report.title,
        author="移住ポータル",
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=15 * mm,
        bottomMargin=15 * mm,
    ).build(story)
    return buffer.getvalue()


def _aspect(png: bytes) -> float:
    from PIL import Image

    with Image.open(io.BytesIO(png)) as image:
        return image.height / image.width
