#!/usr/bin/env python3
"""Write the bundled sample library (assistant/samples/) and the test fixtures (tests/fixtures/).

All texts were written for this project; the equipment, plants, people and data are fictitious.
The texts of the generated files live in scripts/data/samples/*.yaml (format: scripts/data/README.md);
this script lays them out as PDF and DOCX and writes the re-encoded text fixtures.  The Markdown and
HTML samples, the samples README and the UTF-8 fixtures are written by hand and only checked here.
The output is deterministic: fixed dates and metadata, reportlab ``invariant=1``, fixed ZIP
timestamps in the DOCX, seeded noise in the scanned page.  Re-running gives the same bytes.

Usage:  python scripts/make_samples.py            # write everything, then run the checks
        python scripts/make_samples.py --check    # only run the checks on existing files

Needs: reportlab, python-docx, Pillow, pypdfium2, PyYAML.  For the Chinese lines of the scanned fixture
Pillow needs a CJK TrueType font (Debian: fonts-wqy-microhei); without one the page is English only.
"""
from __future__ import annotations

import argparse
import datetime as dt
import functools
import io
import random
import sys
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

import yaml
from reportlab import rl_config

rl_config.invariant = 1  # fixed creation date and document ID in every PDF
rl_config.useA85 = 0  # binary streams: smaller files

from reportlab.lib import colors  # noqa: E402
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT  # noqa: E402
from reportlab.lib.pagesizes import A4  # noqa: E402
from reportlab.lib.styles import ParagraphStyle  # noqa: E402
from reportlab.lib.units import mm  # noqa: E402
from reportlab.pdfbase import pdfmetrics  # noqa: E402
from reportlab.pdfbase.cidfonts import UnicodeCIDFont  # noqa: E402
from reportlab.pdfbase.ttfonts import TTFont  # noqa: E402
from reportlab.platypus import (  # noqa: E402
    BaseDocTemplate,
    CondPageBreak,
    Frame,
    FrameBreak,
    KeepTogether,
    NextPageTemplate,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "assistant" / "samples"
FIXTURES = ROOT / "tests" / "fixtures"

DATA = Path(__file__).resolve().parent / "data"


def load_data(path: Path):
    """A YAML data file of the generators (scripts/data/)."""
    with open(path, encoding="utf-8") as f:
        return yaml.safe_load(f)


def sample_data(name: str):
    """scripts/data/samples/<name>.yaml, e.g. sample_data("hp3_pump_manual")["title"]."""
    return load_data(DATA / "samples" / f"{name}.yaml")


@functools.cache
def sample_note() -> str:
    """The note that marks a sample document as fictitious (printed in the PDFs and the DOCX)."""
    return sample_data("common")["sample_note"]

# --------------------------------------------------------------------------------------------
# Fonts
# --------------------------------------------------------------------------------------------
FONT_DIRS = [
    Path("/usr/share/fonts/truetype/dejavu"),
    Path("/usr/share/fonts/dejavu"),
    Path("/usr/local/share/fonts"),
    Path("/Library/Fonts"),
]
CJK_TTF_CANDIDATES = [
    Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"),
    Path("/usr/share/fonts/wqy-microhei/wqy-microhei.ttc"),
    Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"),
]


def _find_font(name: str) -> Path:
    for d in FONT_DIRS:
        p = d / name
        if p.exists():
            return p
    raise SystemExit(f"font {name} not found in {', '.join(map(str, FONT_DIRS))} (install fonts-dejavu-core)")


def register_fonts() -> None:
    """DejaVu (embedded as subsets) for Latin text incl. Δ, ·, −, µ, β; STSong-Light (CID) for Chinese."""
    if "Sans" in pdfmetrics.getRegisteredFontNames():
        return
    for alias, fname in [
        ("Sans", "DejaVuSans.ttf"),
        ("Sans-Bold", "DejaVuSans-Bold.ttf"),
        ("Sans-Oblique", "DejaVuSans-Oblique.ttf"),
        ("Serif", "DejaVuSerif.ttf"),
        ("Serif-Bold", "DejaVuSerif-Bold.ttf"),
        ("Serif-Italic", "DejaVuSerif-Italic.ttf"),
    ]:
        pdfmetrics.registerFont(TTFont(alias, str(_find_font(fname))))
    pdfmetrics.registerFontFamily("Sans", normal="Sans", bold="Sans-Bold", italic="Sans-Oblique", boldItalic="Sans-Bold")
    pdfmetrics.registerFontFamily("Serif", normal="Serif", bold="Serif-Bold", italic="Serif-Italic", boldItalic="Serif-Bold")
    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    # CID fonts have no bold face; map <b> to the same face so markup does not fail.
    pdfmetrics.registerFontFamily("STSong-Light", normal="STSong-Light", bold="STSong-Light",
                                  italic="STSong-Light", boldItalic="STSong-Light")


def esc(s: str) -> str:
    return escape(s)


# --------------------------------------------------------------------------------------------
# Shared PDF helpers
# --------------------------------------------------------------------------------------------
def build_twice(make_doc, story_fn):
    """Build once to count pages, then again so footers can say 'Page n of N'."""
    buf = io.BytesIO()
    doc = make_doc(buf, "?")
    doc.build(story_fn())
    total = doc.page
    buf = io.BytesIO()
    doc = make_doc(buf, str(total))
    doc.build(story_fn())
    return buf.getvalue()


def write_bytes(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def grid_table(rows, widths, font="Sans", bold="Sans-Bold", size=9, header_bg="#DDE4EC"):
    t = Table(rows, colWidths=widths, repeatRows=1, hAlign="LEFT")
    t.setStyle(TableStyle([
        ("FONT", (0, 0), (-1, -1), font, size),
        ("FONT", (0, 0), (-1, 0), bold, size),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor(header_bg)),
        ("GRID", (0, 0), (-1, -1), 0.5, colors.HexColor("#888888")),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 2.2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3.2),
        ("LEFTPADDING", (0, 0), (-1, -1), 4),
    ]))
    return t


def procedure_flowables(s, items, labels):
    """items: [{kind: text}] with kind step/warning/caution/note; steps are numbered here, the others get
    their label from `labels` (e.g. "<b>WARNING:</b> ")."""
    out, n = [], 0
    for item in items:
        ((kind, text),) = item.items()
        if kind == "step":
            n += 1
            out.append(Paragraph(f"{n}. {text}", s["step"]))
        elif kind in ("warning", "caution", "note"):
            out.append(Paragraph(labels[kind] + text, s["body" if kind == "note" else kind]))
        else:
            raise ValueError(kind)
    return out


def story_flowables(blocks, s, labels=None, table=None) -> list:
    """Flowables for the story blocks of a PDF data file (scripts/data/README.md). A block is a bare word
    (page_break, frame_break) or a one-key mapping; a key that names a paragraph style (p = body) gives
    a paragraph of that style. `table(rows, widths)` builds the document's tables."""
    out = []
    for block in blocks:
        if isinstance(block, str):
            out.append({"page_break": PageBreak, "frame_break": FrameBreak}[block]())
            continue
        ((kind, value),) = block.items()
        if kind == "bullets":
            out += [Paragraph(t, s["bullet"], bulletText="\u2022") for t in value]
        elif kind == "procedure":
            out += procedure_flowables(s, value, labels)
        elif kind == "table":
            out.append(table(value["rows"], [w * mm for w in value["widths_mm"]]))
        elif kind == "space":
            out.append(Spacer(1, value))
        elif kind == "page_break_if_under_mm":
            out.append(CondPageBreak(value * mm))
        elif kind == "keep_together":
            out.append(KeepTogether(story_flowables(value, s, labels, table)))
        elif kind == "sample_note":
            out.append(Paragraph(esc(sample_note()), s[value]))
        elif kind in s or kind == "p":
            out.append(Paragraph(value, s["body" if kind == "p" else kind]))
        else:
            raise ValueError(f"unknown story block {kind!r}")
    return out


# ============================================================================================
# 1. HP-3 maintenance manual (English)
# ============================================================================================
def manual_styles():
    s = {}
    s["body"] = ParagraphStyle("body", fontName="Sans", fontSize=9.5, leading=12.6, spaceAfter=4)
    s["title"] = ParagraphStyle("title", fontName="Sans-Bold", fontSize=16.5, leading=21, spaceAfter=8)
    s["meta"] = ParagraphStyle("meta", parent=s["body"], fontSize=8.5, leading=11,
                               textColor=colors.HexColor("#444444"))
    s["h1"] = ParagraphStyle("h1", fontName="Sans-Bold", fontSize=15, leading=19, spaceBefore=10, spaceAfter=6,
                             keepWithNext=1)
    s["h2"] = ParagraphStyle("h2", fontName="Sans-Bold", fontSize=12, leading=15, spaceBefore=4, spaceAfter=4,
                             keepWithNext=1)
    s["label"] = ParagraphStyle("label", parent=s["body"], fontName="Sans-Bold", spaceBefore=3, spaceAfter=2,
                                keepWithNext=1)
    s["bullet"] = ParagraphStyle("bullet", parent=s["body"], leftIndent=14, bulletIndent=3, spaceAfter=1)
    s["step"] = ParagraphStyle("step", parent=s["body"], leftIndent=16, firstLineIndent=-16, spaceAfter=2.5)
    s["warning"] = ParagraphStyle("warning", parent=s["body"], backColor=colors.HexColor("#FFF1CC"),
                                  borderColor=colors.HexColor("#C98A00"), borderWidth=0.8, borderPadding=4,
                                  spaceBefore=5, spaceAfter=7, leftIndent=4, rightIndent=4)
    s["caution"] = ParagraphStyle("caution", parent=s["warning"], backColor=colors.HexColor("#F3F3F3"),
                                  borderColor=colors.HexColor("#777777"))
    s["caption"] = ParagraphStyle("caption", parent=s["body"], fontName="Sans-Bold", fontSize=9, spaceBefore=4,
                                  spaceAfter=3, keepWithNext=1)
    return s


def make_manual(path: Path) -> None:
    data = sample_data("hp3_pump_manual")
    title = data["title"]
    W, H = A4
    lm, rm, tm, bm = 22 * mm, 22 * mm, 22 * mm, 20 * mm

    def make_doc(buf, total):
        def header(c, doc):
            c.saveState()
            c.setFont("Sans", 8)
            c.setFillColor(colors.HexColor("#444444"))
            c.drawString(lm, H - 13 * mm, title)
            c.drawRightString(W - rm, H - 13 * mm, data["docno"])
            c.setStrokeColor(colors.HexColor("#999999"))
            c.setLineWidth(0.5)
            c.line(lm, H - 14.5 * mm, W - rm, H - 14.5 * mm)
            c.restoreState()

        def footer(c, doc):
            c.saveState()
            c.setStrokeColor(colors.HexColor("#999999"))
            c.setLineWidth(0.5)
            c.line(lm, 14 * mm, W - rm, 14 * mm)
            c.setFont("Sans", 8)
            c.setFillColor(colors.HexColor("#444444"))
            c.drawString(lm, 10 * mm, data["issued"])
            c.drawRightString(W - rm, 10 * mm, data["page_label"].format(page=doc.page, total=total))
            c.restoreState()

        doc = BaseDocTemplate(buf, pagesize=A4, leftMargin=lm, rightMargin=rm, topMargin=tm, bottomMargin=bm,
                              title=title, author="Maintenance Knowledge Assistant project",
                              subject=data["subject"], creator="scripts/make_samples.py",
                              producer="ReportLab", keywords=data["keywords"],
                              invariant=1, lang="en")
        frame = Frame(lm, bm, W - lm - rm, H - tm - bm, id="body", leftPadding=0, rightPadding=0,
                      topPadding=0, bottomPadding=0)
        doc.addPageTemplates([PageTemplate("page", [frame], onPage=header, onPageEnd=footer)])
        return doc

    def story():
        s = manual_styles()
        return [Paragraph(title, s["title"])] + story_flowables(data["story"], s, data["labels"],
                                                                lambda rows, widths: grid_table(rows, widths))

    write_bytes(path, build_twice(make_doc, story))


# ============================================================================================
# 2. Procedure 3.1 in Chinese
# ============================================================================================
def zh_styles():
    base = dict(fontName="STSong-Light", wordWrap="CJK")
    s = {}
    s["body"] = ParagraphStyle("zbody", fontSize=10.5, leading=16, spaceAfter=4, **base)
    s["title"] = ParagraphStyle("ztitle", fontSize=18, leading=24, spaceAfter=6, alignment=TA_LEFT, **base)
    s["meta"] = ParagraphStyle("zmeta", fontSize=9, leading=13, textColor=colors.HexColor("#444444"), **base)
    s["h1"] = ParagraphStyle("zh1", fontSize=14, leading=19, spaceBefore=8, spaceAfter=4, keepWithNext=1, **base)
    s["bullet"] = ParagraphStyle("zbullet", parent=s["body"], leftIndent=14, bulletIndent=3, spaceAfter=1)
    s["step"] = ParagraphStyle("zstep", parent=s["body"], leftIndent=18, firstLineIndent=-18, spaceAfter=2)
    s["warning"] = ParagraphStyle("zwarn", parent=s["body"], backColor=colors.HexColor("#FFF1CC"),
                                  borderColor=colors.HexColor("#C98A00"), borderWidth=0.8, borderPadding=4,
                                  spaceBefore=5, spaceAfter=7, leftIndent=4, rightIndent=4)
    s["caution"] = ParagraphStyle("zcaut", parent=s["warning"], backColor=colors.HexColor("#F3F3F3"),
                                  borderColor=colors.HexColor("#777777"))
    return s


def make_zh_procedure(path: Path) -> None:
    data = sample_data("hp3_filter_procedure_zh")
    title = data["title"]
    W, H = A4
    lm = rm = 22 * mm
    tm, bm = 22 * mm, 20 * mm

    def make_doc(buf, total):
        def header(c, doc):
            c.saveState()
            c.setFont("STSong-Light", 8.5)
            c.setFillColor(colors.HexColor("#444444"))
            c.drawString(lm, H - 13 * mm, title)
            c.drawRightString(W - rm, H - 13 * mm, data["docno"])
            c.setStrokeColor(colors.HexColor("#999999"))
            c.setLineWidth(0.5)
            c.line(lm, H - 14.5 * mm, W - rm, H - 14.5 * mm)
            c.restoreState()

        def footer(c, doc):
            c.saveState()
            c.setStrokeColor(colors.HexColor("#999999"))
            c.setLineWidth(0.5)
            c.line(lm, 14 * mm, W - rm, 14 * mm)
            c.setFont("STSong-Light", 8.5)
            c.setFillColor(colors.HexColor("#444444"))
            c.drawCentredString(W / 2, 10 * mm, data["page_label"].format(page=doc.page, total=total))
            c.restoreState()

        doc = BaseDocTemplate(buf, pagesize=A4, leftMargin=lm, rightMargin=rm, topMargin=tm, bottomMargin=bm,
                              title=title, author="Maintenance Knowledge Assistant project",
                              subject=data["subject"], creator="scripts/make_samples.py",
                              producer="ReportLab", invariant=1, lang="zh-CN")
        frame = Frame(lm, bm, W - lm - rm, H - tm - bm, id="body", leftPadding=0, rightPadding=0,
                      topPadding=0, bottomPadding=0)
        doc.addPageTemplates([PageTemplate("page", [frame], onPage=header, onPageEnd=footer)])
        return doc

    def story():
        s = zh_styles()

        def table(rows, widths):
            return grid_table(rows, widths, font="STSong-Light", bold="STSong-Light", size=10)

        return [Paragraph(title, s["title"])] + story_flowables(data["story"], s, data["labels"], table)

    write_bytes(path, build_twice(make_doc, story))


# ============================================================================================
# 3. Two-column proceedings paper
# ============================================================================================
def paper_styles():
    s = {}
    s["title"] = ParagraphStyle("ptitle", fontName="Serif-Bold", fontSize=15, leading=19, alignment=TA_CENTER,
                                spaceAfter=8)
    s["authors"] = ParagraphStyle("pauth", fontName="Serif", fontSize=9.5, leading=13, alignment=TA_CENTER,
                                  spaceAfter=3)
    s["affil"] = ParagraphStyle("paff", fontName="Serif-Italic", fontSize=8.5, leading=11, alignment=TA_CENTER)
    s["body"] = ParagraphStyle("pbody", fontName="Serif", fontSize=8.8, leading=11, alignment=TA_JUSTIFY,
                               spaceAfter=4, firstLineIndent=0)
    s["abstract"] = ParagraphStyle("pabs", parent=s["body"], fontName="Serif-Bold", fontSize=8.8)
    s["h1"] = ParagraphStyle("ph1", fontName="Serif-Bold", fontSize=10.5, leading=13, spaceBefore=7,
                             spaceAfter=4, keepWithNext=1)
    s["eq"] = ParagraphStyle("peq", parent=s["body"], alignment=TA_CENTER, spaceBefore=2, spaceAfter=6)
    s["caption"] = ParagraphStyle("pcap", parent=s["body"], fontSize=8, leading=10, alignment=TA_CENTER,
                                  spaceBefore=4, spaceAfter=3, keepWithNext=1)
    s["ref"] = ParagraphStyle("pref", parent=s["body"], fontSize=7.8, leading=9.6, leftIndent=14,
                              firstLineIndent=-14, alignment=TA_LEFT, spaceAfter=2.5)
    return s


def three_line_table(rows, widths):
    """A table ruled above and below the header and at the foot, as in journals."""
    t = Table(rows, colWidths=widths, hAlign="CENTER")
    t.setStyle(TableStyle([
        ("FONT", (0, 0), (-1, -1), "Serif", 7.8),
        ("FONT", (0, 0), (-1, 0), "Serif-Bold", 7.8),
        ("LINEABOVE", (0, 0), (-1, 0), 0.8, colors.black),
        ("LINEBELOW", (0, 0), (-1, 0), 0.5, colors.black),
        ("LINEABOVE", (0, -1), (-1, -1), 0.5, colors.black),
        ("LINEBELOW", (0, -1), (-1, -1), 0.8, colors.black),
        ("ALIGN", (1, 0), (-1, -1), "CENTER"),
        ("TOPPADDING", (0, 0), (-1, -1), 1.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
    ]))
    return t


def make_paper(path: Path) -> None:
    data = sample_data("proceedings_bearing_monitoring")
    W, H = A4
    lm = rm = 18 * mm
    tm, bm = 20 * mm, 20 * mm
    gap = 6 * mm
    colw = (W - lm - rm - gap) / 2
    title_h = 40 * mm
    body_h = H - tm - bm

    def header(c, doc):
        c.saveState()
        c.setFont("Serif-Italic", 7.5)
        c.setFillColor(colors.HexColor("#444444"))
        c.drawString(lm, H - 12 * mm, data["header_left"])
        c.drawRightString(W - rm, H - 12 * mm, data["header_right"])
        c.restoreState()

    def footer(c, doc):
        c.saveState()
        c.setFont("Serif", 8.5)
        # proceedings pages carry the volume's page numbers, not 1, 2, 3
        c.drawCentredString(W / 2, 8.5 * mm, str(data["first_printed_page"] + doc.page - 1))
        if doc.page == 1:
            c.setFont("Serif-Italic", 6.8)
            c.setFillColor(colors.HexColor("#555555"))
            first, second = sample_note().split(". ", 1)
            c.drawString(lm, 16.5 * mm, first + ".")
            c.drawString(lm, 14 * mm, second)
        c.restoreState()

    def make_doc(buf, total):
        doc = BaseDocTemplate(buf, pagesize=A4, leftMargin=lm, rightMargin=rm, topMargin=tm, bottomMargin=bm,
                              title=data["title"], author=data["authors"],
                              subject=data["subject"], creator="scripts/make_samples.py",
                              producer="ReportLab", invariant=1, lang="en")
        pad = dict(leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
        first = [
            Frame(lm, H - tm - title_h, W - lm - rm, title_h, id="title", **pad),
            Frame(lm, bm, colw, body_h - title_h - 4 * mm, id="c1", **pad),
            Frame(lm + colw + gap, bm, colw, body_h - title_h - 4 * mm, id="c2", **pad),
        ]
        later = [
            Frame(lm, bm, colw, body_h, id="c1", **pad),
            Frame(lm + colw + gap, bm, colw, body_h, id="c2", **pad),
        ]
        doc.addPageTemplates([
            PageTemplate("first", first, onPage=header, onPageEnd=footer),
            PageTemplate("later", later, onPage=header, onPageEnd=footer),
        ])
        return doc

    def story():
        s = paper_styles()
        head = [NextPageTemplate("later"), Paragraph(data["title"], s["title"])]
        head += story_flowables(data["head"], s)
        body = story_flowables(data["body"], s, table=three_line_table)
        return head + [FrameBreak()] + body

    write_bytes(path, build_twice(make_doc, story))


# ============================================================================================
# 4. DOCX: conveyor gearbox oil change
# ============================================================================================
def _add_page_field(paragraph) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    run = paragraph.add_run()
    for tag, attr in (("w:fldChar", "begin"), ("w:instrText", None), ("w:fldChar", "separate")):
        el = OxmlElement(tag)
        if attr:
            el.set(qn("w:fldCharType"), attr)
        else:
            el.set(qn("xml:space"), "preserve")
            el.text = " PAGE "
        run._r.append(el)
    num = paragraph.add_run("1")
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    num._r.append(end)


def normalise_zip(data: bytes, date_time: tuple = (2024, 2, 12, 9, 0, 0)) -> bytes:
    """Rewrite a ZIP (DOCX) with fixed timestamps and order so repeated runs give identical bytes."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            zi = zipfile.ZipInfo(info.filename, date_time=date_time)
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o644 << 16
            dst.writestr(zi, src.read(info.filename))
    return out.getvalue()


def make_docx(path: Path) -> None:
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt, RGBColor

    data = sample_data("conveyor_gearbox_oil_change")
    d = Document()
    cp = d.core_properties
    cp.title = data["title"]
    cp.author = "Maintenance Knowledge Assistant project"
    cp.last_modified_by = "Maintenance Knowledge Assistant project"
    cp.subject = data["subject"]
    cp.keywords = data["keywords"]
    cp.comments = sample_note()
    cp.created = dt.datetime(2024, 2, 12, 9, 0, 0)
    cp.modified = dt.datetime(2024, 2, 12, 9, 0, 0)
    cp.last_printed = dt.datetime(2024, 2, 12, 9, 0, 0)
    cp.revision = 2
    cp.language = "en-GB"

    normal = d.styles["Normal"]
    normal.font.name = "Calibri"
    normal.font.size = Pt(10.5)

    sec = d.sections[0]
    sec.header.paragraphs[0].text = data["header"]
    fp = sec.footer.paragraphs[0]
    fp.text = data["footer"]
    _add_page_field(fp)
    fp.alignment = WD_ALIGN_PARAGRAPH.RIGHT

    def para(text, bold_prefix=None, style=None):
        p = d.add_paragraph(style=style)
        if bold_prefix:
            r = p.add_run(bold_prefix)
            r.bold = True
        p.add_run(text)
        return p

    def step(n, text):
        p = d.add_paragraph(f"{n}. {text}")
        p.paragraph_format.left_indent = Pt(18)
        p.paragraph_format.first_line_indent = Pt(-18)
        p.paragraph_format.space_after = Pt(3)
        return p

    def warning(label, text):
        p = para(" " + text, bold_prefix=label)
        p.runs[0].font.color.rgb = RGBColor(0xB0, 0x00, 0x00)
        p.paragraph_format.left_indent = Pt(10)
        return p

    def table(rows):
        tbl = d.add_table(rows=len(rows), cols=2)
        tbl.style = "Table Grid"
        for i, (a, b) in enumerate(rows):
            tbl.cell(i, 0).text = a
            tbl.cell(i, 1).text = b
            if i == 0:
                for c in (tbl.cell(i, 0), tbl.cell(i, 1)):
                    c.paragraphs[0].runs[0].bold = True

    def blocks(items):
        """The story blocks of the data file; steps are numbered across one procedure."""
        n = 0
        for item in items:
            ((kind, value),) = item.items()
            if kind in ("h1", "h2", "h3"):
                d.add_heading(value, level=int(kind[1]))
            elif kind == "p":
                para(value)
            elif kind == "sample_note":
                para(sample_note()).runs[0].italic = value == "italic"
            elif kind == "table":
                table(value["rows"])
            elif kind == "bullets":
                for t in value:
                    d.add_paragraph(t, style="List Bullet")
            elif kind == "procedure":
                blocks(value)
            elif kind == "step":
                n += 1
                step(n, value)
            elif kind in ("warning", "caution"):
                warning(data["labels"][kind], value)
            else:
                raise ValueError(f"unknown story block {kind!r}")

    d.add_heading(data["title"], level=1)
    blocks(data["story"])

    buf = io.BytesIO()
    d.save(buf)
    write_bytes(path, normalise_zip(buf.getvalue()))


# ============================================================================================
# 5. Test fixtures
# ============================================================================================
def _pil_font(path: Path | None, size: int, index: int = 0):
    from PIL import ImageFont

    if path is None:
        return ImageFont.load_default()
    return ImageFont.truetype(str(path), size, index=index)


def make_scanned_page(path: Path) -> bool:
    """One A4 page whose only content is a 150 dpi greyscale JPEG image of a filled-in inspection record."""
    data = sample_data("fixtures")["scanned_page"]
    from PIL import Image, ImageDraw, ImageFilter
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    dpi = 150
    W, H = int(210 / 25.4 * dpi), int(297 / 25.4 * dpi)  # 1240 x 1754
    img = Image.new("L", (W, H), 255)
    draw = ImageDraw.Draw(img)
    sans = _find_font("DejaVuSans.ttf")
    bold = _find_font("DejaVuSans-Bold.ttf")
    cjk = next((p for p in CJK_TTF_CANDIDATES if p.exists()), None)

    x, y = 130, 150
    draw.text((x, y), data["title"], font=_pil_font(bold, 40), fill=20)
    y += 80
    draw.line((x, y, W - 130, y), fill=60, width=3)
    y += 40
    body = _pil_font(sans, 25)
    for ln in data["lines"]:
        draw.text((x, y), ln, font=body, fill=25)
        y += 52
    if cjk is not None:
        y += 20
        zh = _pil_font(cjk, 27)
        for ln in data["lines_zh"]:
            draw.text((x, y), ln, font=zh, fill=25)
            y += 56
    y += 60
    draw.text((x, y), data["signature"], font=body, fill=25)

    # make it look scanned: slight skew, soft edges, a grey scanner edge and a few specks (seeded)
    img = img.rotate(0.6, resample=Image.BICUBIC, fillcolor=255)
    img = img.filter(ImageFilter.GaussianBlur(0.6))
    draw = ImageDraw.Draw(img)
    draw.rectangle((0, 0, 14, H), fill=205)
    rnd = random.Random(20240408)
    for _ in range(250):
        px, py = rnd.randrange(W), rnd.randrange(H)
        draw.point((px, py), fill=rnd.randrange(90, 200))

    c = canvas.Canvas(str(path), pagesize=A4, invariant=1, pageCompression=1)
    c.setTitle("Scanned inspection record")
    c.setAuthor("Maintenance Knowledge Assistant project")
    c.setCreator("scripts/make_samples.py")
    jpeg = io.BytesIO()  # scanners deliver JPEG; reportlab embeds it unchanged (DCTDecode)
    img.save(jpeg, "JPEG", quality=75)
    jpeg.seek(0)
    c.drawImage(ImageReader(jpeg), 0, 0, width=A4[0], height=A4[1])
    c.showPage()
    c.save()
    return cjk is not None


def make_encrypted(path: Path) -> None:
    from reportlab.lib.pdfencrypt import StandardEncryption
    from reportlab.pdfgen import canvas

    data = sample_data("fixtures")["encrypted"]
    c = canvas.Canvas(str(path), pagesize=A4, invariant=1,
                      encrypt=StandardEncryption("secret", canPrint=0))
    c.setTitle(data["title"])
    c.setAuthor("Maintenance Knowledge Assistant project")
    c.setFont("Helvetica-Bold", 16)
    c.drawString(25 * mm, 265 * mm, data["title"])
    c.setFont("Helvetica", 10.5)
    y = 250 * mm
    for ln in data["lines"]:
        c.drawString(25 * mm, y, ln)
        y -= 7 * mm
    c.showPage()
    c.save()


def write_text(path: Path, lines, encoding: str, newline: str, bom: bytes = b"") -> None:
    text = newline.join(lines) + newline
    write_bytes(path, bom + text.encode(encoding))


# ============================================================================================
# Checks
# ============================================================================================
def check_outputs() -> bool:
    import pypdfium2 as pdfium

    ok = True

    def fail(msg):
        nonlocal ok
        ok = False
        print("  !! " + msg)

    def pages_text(p: Path):
        pdf = pdfium.PdfDocument(str(p))
        try:
            out = []
            for i in range(len(pdf)):
                tp = pdf[i].get_textpage()
                out.append(tp.get_text_range())
                tp.close()
            return out
        finally:
            pdf.close()

    pdfs = [SAMPLES / n for n in ("hp3_pump_manual.pdf", "hp3_filter_procedure_zh.pdf",
                                   "proceedings_bearing_monitoring.pdf")]
    pdfs += [FIXTURES / "scanned_page.pdf"]
    for p in pdfs:
        texts = pages_text(p)
        print(f"\n== {p.relative_to(ROOT)}  ({p.stat().st_size / 1024:.1f} KB, {len(texts)} pages)")
        for i, t in enumerate(texts, 1):
            snippet = t[:200].replace("\r\n", " | ").replace("\n", " | ")
            print(f"  p{i}: {snippet!r}")
        if p.stat().st_size > 120 * 1024:
            fail(f"{p.name} is larger than 120 KB")

    # manual
    man = pages_text(SAMPLES / "hp3_pump_manual.pdf")
    if not 5 <= len(man) <= 7:
        fail(f"manual has {len(man)} pages (want 5-7)")
    joined = "\n".join(man)
    for needle in ["1 Safety", "2 Specifications", "3 Maintenance procedures",
                   "3.1 Replacing the return-line filter element", "3.2 Checking the accumulator pre-charge",
                   "3.3 Replacing the motor\u2013pump coupling", "4 Troubleshooting", "6205-2RS",
                   "Filter housing cover torque 25 N\u00b7m", "E-211 Filter clogged (\u0394p > 3.5 bar)",
                   "E-104 Low oil level Top up with ISO VG 46 to the MAX mark"]:
        if needle not in joined:
            fail(f"manual text lacks {needle!r}")
    for i, t in enumerate(man, 1):
        if f"Page {i} of {len(man)}" not in t:
            fail(f"manual page {i} lacks its printed page number")
    p31 = [i for i, t in enumerate(man) if "3.1 Replacing the return-line filter element" in t]
    if p31 and "record the filter change" not in man[p31[0]].replace("\r\n", " "):
        fail("procedure 3.1 does not fit on one page")
    else:
        print(f"\n  procedure 3.1 is entirely on page {p31[0] + 1}" if p31 else "")
    # warning placed right before the step that opens the housing
    t31 = man[p31[0]].replace("\r\n", " ") if p31 else ""
    w, s5 = t31.find("WARNING: Stored hydraulic pressure"), t31.find("5. Turn the filter housing cover")
    if not (0 <= w < s5 and "4. Place the drain pan" in t31[:w]):
        fail("3.1 warning is not immediately before step 5")

    zh = "\n".join(pages_text(SAMPLES / "hp3_filter_procedure_zh.pdf"))
    for needle in ["HP-3 液压站 回油滤芯更换规程", "工具和备件", "警告：", "滤壳", "拧紧力矩", "逆时针旋下", "泄压",
                   "挂牌上锁", "25 N·m", "HF-220-10", "ISO VG 46", "210 bar", "。", "；"]:
        if needle not in zh:
            fail(f"Chinese procedure lacks {needle!r}")

    paper = pages_text(SAMPLES / "proceedings_bearing_monitoring.pdf")
    if not 2 <= len(paper) <= 3:
        fail(f"paper has {len(paper)} pages (want 2-3)")
    pj = "\n".join(paper)
    for needle in ["3.58 \u00d7 shaft speed", "4.5 mm/s RMS (ISO", "1 Introduction", "2 Method", "3 Results",
                   "4 Conclusion", "References"]:
        if needle not in pj.replace("\r\n", " "):
            fail(f"paper lacks {needle!r}")

    scanned = pages_text(FIXTURES / "scanned_page.pdf")
    if len(scanned) != 1 or scanned[0].strip():
        fail("scanned_page.pdf must be one page without a text layer")
    else:
        print("\n  scanned_page.pdf: 1 page, extracted text is empty (as intended)")

    try:
        pdfium.PdfDocument(str(FIXTURES / "encrypted.pdf"))
        fail("encrypted.pdf opened without a password")
    except pdfium.PdfiumError as exc:
        print(f"  encrypted.pdf without password -> PdfiumError: {exc}")
    pdf = pdfium.PdfDocument(str(FIXTURES / "encrypted.pdf"), password="secret")
    print(f"  encrypted.pdf with password 'secret' -> {len(pdf)} page(s): "
          f"{pdf[0].get_textpage().get_text_range()[:60]!r}")
    pdf.close()

    from docx import Document

    d = Document(str(SAMPLES / "conveyor_gearbox_oil_change.docx"))
    styles = [(p.style.name, p.text[:60]) for p in d.paragraphs if p.style.name.startswith("Heading")]
    print(f"\n== docx headings: {styles}")
    print(f"   docx table rows: {[tuple(c.text for c in r.cells) for r in d.tables[0].rows][:4]} ...")

    gbk = (FIXTURES / "gbk_notes.txt").read_bytes()
    if gbk.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")):
        fail("gbk_notes.txt has a BOM")
    gbk.decode("gbk")  # must be pure GBK (hence also GB18030)
    u16 = (FIXTURES / "utf16_notes.txt").read_bytes()
    if not u16.startswith(b"\xff\xfe"):
        fail("utf16_notes.txt lacks the UTF-16 LE BOM")
    u16.decode("utf-16")
    (FIXTURES / "utf8_notes.txt").read_bytes().decode("utf-8")
    for p in sorted(list(SAMPLES.iterdir()) + list(FIXTURES.iterdir())):
        if p.is_file():
            print(f"  {p.relative_to(ROOT)}: {p.stat().st_size} bytes")
    print("\nALL CHECKS PASSED" if ok else "\nSOME CHECKS FAILED")
    return ok


# ============================================================================================
def generate() -> None:
    register_fonts()
    SAMPLES.mkdir(parents=True, exist_ok=True)
    FIXTURES.mkdir(parents=True, exist_ok=True)

    make_manual(SAMPLES / "hp3_pump_manual.pdf")
    make_zh_procedure(SAMPLES / "hp3_filter_procedure_zh.pdf")
    make_paper(SAMPLES / "proceedings_bearing_monitoring.pdf")
    make_docx(SAMPLES / "conveyor_gearbox_oil_change.docx")

    if not make_scanned_page(FIXTURES / "scanned_page.pdf"):
        print("note: no CJK TrueType font for Pillow found; scanned_page.pdf has English lines only "
              "(apt-get install fonts-wqy-microhei)", file=sys.stderr)
    make_encrypted(FIXTURES / "encrypted.pdf")
    notes = sample_data("fixtures")
    write_text(FIXTURES / "gbk_notes.txt", notes["gbk_notes"], "gbk", "\r\n")
    write_text(FIXTURES / "utf16_notes.txt", notes["utf16_notes"], "utf-16-le", "\r\n", bom=b"\xff\xfe")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="only check the existing files")
    args = ap.parse_args(argv)
    if not args.check:
        generate()
    return 0 if check_outputs() else 1


if __name__ == "__main__":
    sys.exit(main())
