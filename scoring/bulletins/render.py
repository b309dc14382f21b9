"""A ``BulletinContent`` as a Word document (python-docx) with its chart drawn by Pillow. Takes nothing
but the content (and, optionally, the font file to draw the chart with): no Django, no models.

The chart needs a font with Chinese glyphs: ``fc-list :lang=zh`` finds one (the test machines install
``fonts-wqy-microhei``, ``deploy/bootstrap-system.sh``). Without one the render fails with
``FontMissing`` instead of drawing empty boxes."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from functools import lru_cache
from pathlib import Path

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from PIL import Image, ImageDraw, ImageFont

from .content import BulletinContent, Chart, cell_text

# What XML 1.0 cannot hold (python-docx refuses it): dropped, so a name with a stray control character still
# makes a document. Tabs and line breaks stay.
XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_text(text: str) -> str:
    return XML_ILLEGAL.sub("", text)


def _one_line(text: str) -> str:
    """A chart label on one line (Pillow anchors only single lines)."""
    return " ".join(xml_text(text).split())


BODY_FONT = "仿宋"  # the names Word uses; the reader's own fonts draw the text
TITLE_FONT = "方正小标宋简体"


class FontMissing(Exception):
    """No font with Chinese glyphs for the chart."""

    message = "服务器上没有可用的中文字体，无法绘制图表（请安装 fonts-wqy-microhei 或设置 BULLETIN_FONT）"


@lru_cache(maxsize=4)
def cjk_font(configured: str = "") -> str:
    """The font file to draw Chinese text with: ``configured`` if given (it must exist), else the first
    ``fc-list :lang=zh`` names."""
    if configured:
        if not Path(configured).is_file():
            raise FontMissing(configured)
        return configured
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        raise FontMissing("fc-list")
    listing = subprocess.run(  # noqa: S603 — fixed arguments, no user input
        [fc_list, ":lang=zh", "file"], capture_output=True, text=True, timeout=30, check=False
    ).stdout
    files = sorted(line.split(":")[0].strip() for line in listing.splitlines() if line.strip())
    preferred = [f for f in files if "microhei" in f.lower()] + files
    if not preferred:
        raise FontMissing(":lang=zh")
    return preferred[0]


def chart_png(chart: Chart, *, font: str) -> bytes:
    """A horizontal bar chart (town names are long; 14 or 100 bars read down the page), values at the bar
    ends, the reference (a target) as a dashed line."""
    scale = 2  # drawn at twice the size Word shows, so it prints sharp
    rows = max(len(chart.labels), 1)
    width, bar, gap = 900 * scale, 26 * scale, 10 * scale
    top, left, right = 70 * scale, 180 * scale, 90 * scale
    height = top + rows * (bar + gap) + 40 * scale
    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    title_font = ImageFont.truetype(font, 22 * scale)
    text_font = ImageFont.truetype(font, 15 * scale)
    draw.text((width // 2, 18 * scale), _one_line(chart.title), fill="black", font=title_font, anchor="mt")
    values = [None if v is None else max(v, 0.0) for v in chart.values]
    top_value = max([*(v for v in values if v is not None), chart.reference or 0.0, 1e-9])
    span = width - left - right
    for i, (label, value) in enumerate(zip(chart.labels, values, strict=True)):
        y = top + i * (bar + gap)
        draw.text(
            (left - 10 * scale, y + bar // 2), _one_line(label), fill="black", font=text_font, anchor="rm"
        )
        if value is None:
            draw.text((left + 6 * scale, y + bar // 2), "无数据", fill="#7f8c8d", font=text_font, anchor="lm")
            continue
        end = left + int(span * value / top_value)
        below = chart.reference is not None and value < chart.reference
        colour = "#c0392b" if below else "#2e86c1"
        draw.rectangle((left, y, max(end, left + 2 * scale), y + bar), fill=colour)
        text = f"{cell_text(chart.values[i])}{chart.unit}"
        draw.text((max(end, left + 2 * scale) + 6 * scale, y + bar // 2), text,
                  fill=colour if below else "black", font=text_font, anchor="lm")  # fmt: skip
    draw.line((left, top - 5 * scale, left, height - 35 * scale), fill="black", width=scale)
    if chart.reference is not None:
        x = left + int(span * chart.reference / top_value)
        for y in range(top - 10 * scale, height - 35 * scale, 12 * scale):
            draw.line((x, y, x, y + 6 * scale), fill="#7f8c8d", width=2 * scale)
        label = chart.reference_label or f"{cell_text(chart.reference)}{chart.unit}"
        draw.text((x, height - 30 * scale), label, fill="#7f8c8d", font=text_font, anchor="mt")
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def _font(run, name: str, size: float, bold: bool = False) -> None:  # type: ignore[no-untyped-def]
    run.font.name = name
    run.font.size = Pt(size)
    run.font.bold = bold
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), name)


def _paragraph(document, text: str, *, size: float = 16, font: str = BODY_FONT, bold: bool = False,  # type: ignore[no-untyped-def]
               align=None, indent: bool = False):  # fmt: skip
    paragraph = document.add_paragraph()
    if align is not None:
        paragraph.alignment = align
    if indent:
        paragraph.paragraph_format.first_line_indent = Pt(size * 2)
    _font(paragraph.add_run(xml_text(text)), font, size, bold)
    return paragraph


def render_docx(content: BulletinContent, *, font: str = "") -> bytes:
    """The bulletin as .docx bytes: title, 文号 line, summary paragraphs, each table under its caption,
    the chart, the issuer and the footer notes (e.g. the scoreboard's 内容摘要)."""
    png = chart_png(content.chart, font=cjk_font(font)) if content.chart is not None else None
    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)  # A4, as 党政机关公文格式 (GB/T 9704)
    section.top_margin, section.bottom_margin = Cm(3.7), Cm(3.5)
    section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)
    center = WD_ALIGN_PARAGRAPH.CENTER
    _paragraph(document, content.number or "〔    〕号", size=16, align=center)
    _paragraph(document, content.title, size=22, font=TITLE_FONT, align=center)
    for text in content.summary:
        _paragraph(document, text, indent=True)
    for table in content.tables:
        _paragraph(document, table.caption, size=14, bold=True, align=center)
        grid = document.add_table(rows=1, cols=len(table.columns))
        grid.style = "Table Grid"
        grid.alignment = WD_TABLE_ALIGNMENT.CENTER
        for cell, name in zip(grid.rows[0].cells, table.columns, strict=True):
            cell.text = ""
            _font(cell.paragraphs[0].add_run(xml_text(name)), BODY_FONT, 10.5, bold=True)
        for row in table.rows:
            cells = grid.add_row().cells
            for cell, value in zip(cells, row, strict=True):
                _font(cell.paragraphs[0].add_run(xml_text(cell_text(value))), BODY_FONT, 10.5)
    if png is not None:
        document.add_picture(io.BytesIO(png), width=Cm(15.5))
        document.paragraphs[-1].alignment = center
    if content.issuer:
        _paragraph(document, content.issuer, align=WD_ALIGN_PARAGRAPH.RIGHT)
    for text in content.footer:
        _paragraph(document, text, size=10.5)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
