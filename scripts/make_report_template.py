"""Build the default Word template of `wenze trace --format docx` (engine/outputs/templates/report.docx).

    .venv/bin/python scripts/make_report_template.py

A district replaces the template with its own (`wenze template report.docx` copies
this one to start from; `trace --format docx --template FILE` uses it): the report
is written with the styles named in :data:`engine.outputs.docx.STYLES`, after
whatever the template's body already holds (a letterhead, say). This script sets
the look of 党政机关公文 (GB/T 9704-2012): A4, margins of 37 mm (top), 35 mm
(bottom), 28 mm (left) and 26 mm (right); body text in 仿宋_GB2312 三号 (16 pt) on a
28 pt line; the title in 方正小标宋简体 二号; first-level headings in 黑体, second-level
in 楷体_GB2312; page numbers "— 1 —" in 宋体 四号 at the foot. Font names are written
as East Asian font attributes (w:eastAsia), Latin text in Times New Roman.
"""
from __future__ import annotations

import sys
from pathlib import Path

from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from engine.outputs.docx import DEFAULT_TEMPLATE, STYLES  # noqa: E402

LATIN = "Times New Roman"


def fonts(style, east_asian: str, size: float, bold: bool = False) -> None:
    font = style.font
    font.name, font.size, font.bold, font.italic = LATIN, Pt(size), bold, False
    font.color.rgb = RGBColor(0, 0, 0)
    rfonts = style.element.get_or_add_rPr().get_or_add_rFonts()
    for attr in ("w:ascii", "w:hAnsi", "w:cs"):
        rfonts.set(qn(attr), LATIN)
    rfonts.set(qn("w:eastAsia"), east_asian)
    for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        rfonts.attrib.pop(qn(theme), None)


def spacing(style, indent: bool = True, align=None, before: float = 0, after: float = 0) -> None:
    p = style.paragraph_format
    p.line_spacing_rule, p.line_spacing = WD_LINE_SPACING.EXACTLY, Pt(28)
    p.space_before, p.space_after = Pt(before), Pt(after)
    p.first_line_indent = Pt(32) if indent else Pt(0)
    p.left_indent = Pt(0)
    if align is not None:
        p.alignment = align


def page_numbers(section) -> None:
    """A centred "— N —" in the footer, N the PAGE field."""
    p = section.footer.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p.paragraph_format.first_line_indent = Pt(0)

    def run(text: str | None = None, field: str | None = None):
        r = p.add_run(text or "")
        r.font.size = Pt(14)
        r.font.name = LATIN
        r.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), "宋体")
        if field:
            for kind, value in (("begin", None), ("instr", field), ("end", None)):
                if kind == "instr":
                    el = OxmlElement("w:instrText")
                    el.set(qn("xml:space"), "preserve")
                    el.text = value
                else:
                    el = OxmlElement("w:fldChar")
                    el.set(qn("w:fldCharType"), kind)
                r._r.append(el)

    run("— ")
    run(field=" PAGE ")
    run(" —")


def build(path: Path) -> None:
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.header_distance, section.footer_distance = Mm(15), Mm(20)
    styles = doc.styles
    normal = styles["Normal"]
    fonts(normal, "仿宋_GB2312", 16)
    spacing(normal)
    title = styles[STYLES["title"]]
    fonts(title, "方正小标宋简体", 22)
    spacing(title, indent=False, align=WD_ALIGN_PARAGRAPH.CENTER, after=14)
    title.paragraph_format.line_spacing = Pt(36)
    # the default template draws a rule under the title; 公文 has none
    ppr = title.element.get_or_add_pPr()
    for border in ppr.findall(qn("w:pBdr")):
        ppr.remove(border)
    subtitle = styles[STYLES["subtitle"]]
    fonts(subtitle, "楷体_GB2312", 16)
    spacing(subtitle, indent=False, align=WD_ALIGN_PARAGRAPH.CENTER, after=14)
    for key, east_asian in (("heading1", "黑体"), ("heading2", "楷体_GB2312")):
        h = styles[STYLES[key]]
        fonts(h, east_asian, 16)
        spacing(h)
        h.paragraph_format.keep_with_next = True
    def small_text(key: str):
        """A paragraph style of 12 pt 仿宋 on the body's, without the first-line indent (tables, the appendix)."""
        if STYLES[key] not in [s.name for s in styles]:
            styles.add_style(STYLES[key], WD_STYLE_TYPE.PARAGRAPH)
        style = styles[STYLES[key]]
        style.base_style = normal
        fonts(style, "仿宋_GB2312", 12)
        spacing(style, indent=False)
        return style

    small_text("table_text").paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
    small_text("evidence").paragraph_format.line_spacing = Pt(20)
    page_numbers(section)
    doc.core_properties.title = "wenze 责任认定报告模板"
    doc.core_properties.author = "wenze"
    doc.save(str(path))


if __name__ == "__main__":
    build(DEFAULT_TEMPLATE)
    print(DEFAULT_TEMPLATE)
