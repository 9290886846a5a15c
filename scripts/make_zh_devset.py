#!/usr/bin/env python3
"""Write the Chinese proceedings dev set (bench/data/zh-proceedings/) and check it.

Ten short Chinese papers "from the proceedings of a maintenance-engineering conference" (six PDFs, four of
them two-column, and four DOCX files) plus 60 retrieval questions (40 Chinese, 20 English) whose gold
answers are short spans copied verbatim from the papers.  Everything was written for this project
(Apache-2.0); plants, people, measurements and the cited papers are fictitious (only the numbers of the
cited standards are real).  The papers' texts and their questions live in scripts/data/zh_devset/ (one
YAML file per paper; format: scripts/data/README.md); this script lays them out and writes questions.jsonl.
The dev set's README.md is written by hand.

The output is deterministic: reportlab ``invariant=1``, fixed DOCX core-properties dates and fixed ZIP
timestamps.  After writing, the script extracts the text with pypdfium2 / python-docx and checks that every
gold answer occurs in its document (white space ignored), then prints a summary.

Usage:  python scripts/make_zh_devset.py            # write everything, then check
        python scripts/make_zh_devset.py --check    # only check the existing files

Needs: reportlab, python-docx, pypdfium2, PyYAML (no font files: the PDFs use reportlab's built-in CID font
STSong-Light, which is not embedded).
"""
from __future__ import annotations

import argparse
import datetime as dt
import functools
import io
import json
import re
import sys
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab import rl_config

sys.path.insert(0, str(Path(__file__).resolve().parent))
from make_samples import load_data, normalise_zip  # noqa: E402  (one loader and ZIP normaliser for all)

rl_config.invariant = 1  # fixed creation date and document ID in every PDF
rl_config.useA85 = 0  # binary streams: smaller files

from reportlab.lib import colors  # noqa: E402
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT  # noqa: E402
from reportlab.lib.pagesizes import A4  # noqa: E402
from reportlab.lib.styles import ParagraphStyle  # noqa: E402
from reportlab.lib.units import mm  # noqa: E402
from reportlab.pdfbase import pdfmetrics  # noqa: E402
from reportlab.pdfbase.cidfonts import UnicodeCIDFont  # noqa: E402
from reportlab.platypus import (  # noqa: E402
    BaseDocTemplate,
    Frame,
    FrameBreak,
    NextPageTemplate,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "data" / "zh-proceedings"
CORPUS = OUT / "corpus"

DATA = Path(__file__).resolve().parent / "data" / "zh_devset"
FIXED_DATE = dt.datetime(2024, 5, 20, 9, 0, 0)
FONT = "STSong-Light"



@functools.cache
def volume() -> dict:
    """The proceedings volume: {"conference": its title (page headers), "note": the fictitious-paper note}."""
    return load_data(DATA / "proceedings.yaml")


@functools.cache
def papers() -> tuple[dict, ...]:
    """One YAML file per paper, in file-name order (zh01 ... zh10); the question ids follow that order.
    Body blocks: {h1: text} | {h2: text} | {p: text} | {table: {caption, widths, rows}}, widths as
    fractions of the text width; see scripts/data/README.md."""
    return tuple(load_data(path) for path in sorted(DATA.glob("zh*.yaml")))


# ============================================================================================
# PDF
# ============================================================================================
def styles(two_col: bool) -> dict:
    base = dict(fontName=FONT, wordWrap="CJK")
    fs, ld = (10, 15.5) if two_col else (10.5, 17)
    s = {}
    s["title"] = ParagraphStyle("t", fontSize=17, leading=24, alignment=TA_CENTER, spaceAfter=6, **base)
    s["authors"] = ParagraphStyle("au", fontSize=10.5, leading=15, alignment=TA_CENTER, spaceAfter=2, **base)
    s["affil"] = ParagraphStyle("af", fontSize=8.5, leading=12, alignment=TA_CENTER, spaceAfter=6, **base)
    s["abs"] = ParagraphStyle("ab", fontSize=9, leading=13.5, alignment=TA_JUSTIFY, spaceAfter=3,
                              leftIndent=6 * mm, rightIndent=6 * mm, **base)
    s["en"] = ParagraphStyle("en", fontName="Times-Bold", fontSize=10, leading=13, alignment=TA_CENTER,
                             spaceBefore=4, spaceAfter=8)
    s["body"] = ParagraphStyle("b", fontSize=fs, leading=ld, alignment=TA_JUSTIFY, firstLineIndent=2 * fs,
                               spaceAfter=2, **base)
    s["h1"] = ParagraphStyle("h1", fontSize=fs + 1.5, leading=ld + 2, spaceBefore=6, spaceAfter=3, keepWithNext=1, **base)
    s["h2"] = ParagraphStyle("h2", fontSize=fs + 0.5, leading=ld, spaceBefore=3, spaceAfter=2, keepWithNext=1, **base)
    s["cap"] = ParagraphStyle("cap", fontSize=fs - 1, leading=ld - 2, alignment=TA_CENTER, spaceBefore=4, spaceAfter=3,
                              keepWithNext=1, **base)
    s["cell"] = ParagraphStyle("cell", fontSize=fs - 1.5, leading=fs + 1.5, alignment=TA_CENTER, **base)
    s["ref"] = ParagraphStyle("ref", fontSize=fs - 1.5, leading=fs + 3, leftIndent=14, firstLineIndent=-14,
                              alignment=TA_LEFT, spaceAfter=1.5, **base)
    return s


def P(text: str, style, markup: bool = False) -> Paragraph:
    # "℃" (U+2103) is in STSong-Light, but viewers that substitute the non-embedded font often lack it
    text = text.replace("℃", "°C")
    return Paragraph(text if markup else escape(text), style)


def pdf_table(rows, widths, total_w, s) -> Table:
    data = [[P(c, s["cell"]) for c in r] for r in rows]
    t = Table(data, colWidths=[w * total_w for w in widths], repeatRows=1, hAlign="CENTER")
    t.setStyle(TableStyle([
        ("LINEABOVE", (0, 0), (-1, 0), 1.0, colors.black),  # three-line table, as in Chinese journals
        ("LINEBELOW", (0, 0), (-1, 0), 0.5, colors.black),
        ("LINEBELOW", (0, -1), (-1, -1), 1.0, colors.black),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 1.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
        ("LEFTPADDING", (0, 0), (-1, -1), 2),
        ("RIGHTPADDING", (0, 0), (-1, -1), 2),
    ]))
    return t


def head_flowables(p: dict, s: dict) -> list:
    return [
        P(p["title"], s["title"]),
        P(p["authors"], s["authors"], markup=True),
        *[P(a, s["affil"]) for a in p["affils"]],
        P("摘　要：" + p["abstract"], s["abs"]),
        P("关键词：" + p["keywords"], s["abs"]),
        P(p["clc"], s["abs"]),
        P(p["title_en"], s["en"]),
    ]


def body_flowables(p: dict, s: dict, text_w: float) -> list:
    out = []
    for item in p["body"]:
        ((kind, value),) = item.items()
        if kind in ("h1", "h2"):
            out.append(P(value, s[kind]))
        elif kind == "p":
            out.append(P(value, s["body"]))
        elif kind == "table":
            out += [P(value["caption"], s["cap"]), pdf_table(value["rows"], value["widths"], text_w, s), Spacer(1, 4)]
        else:
            raise ValueError(kind)
    out.append(P("参考文献", s["h1"]))
    out += [P(r, s["ref"]) for r in p["refs"]]
    return out


def make_pdf(p: dict, path: Path) -> None:
    two_col = p["layout"] == "pdf2"
    W, H = A4
    lm = rm = 18 * mm if two_col else 25 * mm
    tm, bm = 20 * mm, 18 * mm
    foot_h = 13 * mm  # first page: author footnote block
    gap = 6 * mm
    text_w = W - lm - rm
    colw = (text_w - gap) / 2
    s = styles(two_col)

    def header(c, doc):
        c.saveState()
        c.setFont(FONT, 8)
        c.setFillColor(colors.HexColor("#333333"))
        c.drawString(lm, H - 13 * mm, volume()["conference"])
        c.drawRightString(W - rm, H - 13 * mm, p["session"])
        c.setLineWidth(0.5)
        c.line(lm, H - 14.5 * mm, W - rm, H - 14.5 * mm)
        c.restoreState()

    def footer(c, doc):
        c.saveState()
        c.setFont("Times-Roman", 9)
        c.drawCentredString(W / 2, 9 * mm, str(p["first_page"] + doc.page - 1))
        if doc.page == 1:
            c.setLineWidth(0.4)
            c.line(lm, bm + foot_h - 2 * mm, lm + 50 * mm, bm + foot_h - 2 * mm)
            c.setFont(FONT, 7.5)
            for i, line in enumerate([p["received"], p["bio"], volume()["note"]]):
                c.drawString(lm, bm + foot_h - 6 * mm - i * 3.6 * mm, line)
        c.restoreState()

    head = head_flowables(p, s)
    head_h = sum(f.wrap(text_w, H)[1] + f.getSpaceBefore() + f.getSpaceAfter() for f in head) + 4 * mm

    def story():
        st = [NextPageTemplate("later")] + head_flowables(p, s)
        if two_col:
            st.append(FrameBreak())
        return st + body_flowables(p, s, colw if two_col else text_w)

    buf = io.BytesIO()
    doc = BaseDocTemplate(buf, pagesize=A4, leftMargin=lm, rightMargin=rm, topMargin=tm, bottomMargin=bm,
                          title=p["title"], author=re.sub(r"<sup>\d</sup>", "", p["authors"]),
                          subject=volume()["conference"], creator="scripts/make_zh_devset.py", producer="ReportLab",
                          keywords=p["keywords"].split("；"), invariant=1, lang="zh-CN")
    pad = dict(leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
    body_h = H - tm - bm
    if two_col:
        first = [
            Frame(lm, H - tm - head_h, text_w, head_h, id="head", **pad),
            Frame(lm, bm + foot_h, colw, body_h - head_h - foot_h, id="c1", **pad),
            Frame(lm + colw + gap, bm + foot_h, colw, body_h - head_h - foot_h, id="c2", **pad),
        ]
        later = [Frame(lm, bm, colw, body_h, id="c1", **pad), Frame(lm + colw + gap, bm, colw, body_h, id="c2", **pad)]
    else:
        first = [Frame(lm, bm + foot_h, text_w, body_h - foot_h, id="body", **pad)]
        later = [Frame(lm, bm, text_w, body_h, id="body", **pad)]
    doc.addPageTemplates([PageTemplate("first", first, onPage=header, onPageEnd=footer),
                          PageTemplate("later", later, onPage=header, onPageEnd=footer)])
    doc.build(story())
    path.write_bytes(buf.getvalue())


# ============================================================================================
# DOCX
# ============================================================================================
def make_docx(p: dict, path: Path) -> None:
    from docx import Document
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Mm, Pt, RGBColor

    d = Document()
    cp = d.core_properties
    cp.title = p["title"]
    cp.author = re.sub(r"\d", "", p["authors"])
    cp.last_modified_by = "Maintenance Knowledge Assistant project"
    cp.subject = volume()["conference"]
    cp.keywords = p["keywords"]
    cp.comments = volume()["note"]
    cp.created = FIXED_DATE
    cp.modified = FIXED_DATE
    cp.last_printed = FIXED_DATE
    cp.revision = 1
    cp.language = "zh-CN"

    def set_font(style, latin, east, size=None, bold=None):
        style.font.name = latin
        rpr = style.element.get_or_add_rPr()
        rfonts = rpr.find(qn("w:rFonts"))
        if rfonts is None:
            rfonts = rpr.makeelement(qn("w:rFonts"), {})
            rpr.append(rfonts)
        rfonts.set(qn("w:eastAsia"), east)
        if size:
            style.font.size = Pt(size)
        if bold is not None:
            style.font.bold = bold
        style.font.color.rgb = RGBColor(0, 0, 0)

    set_font(d.styles["Normal"], "Times New Roman", "宋体", 10.5)
    set_font(d.styles["Title"], "Times New Roman", "黑体", 18, False)
    set_font(d.styles["Heading 1"], "Times New Roman", "黑体", 12, True)
    set_font(d.styles["Heading 2"], "Times New Roman", "黑体", 10.5, True)
    d.styles["Normal"].paragraph_format.space_after = Pt(2)
    d.styles["Normal"].paragraph_format.line_spacing = 1.25

    sec = d.sections[0]
    sec.page_width, sec.page_height = Mm(210), Mm(297)
    sec.left_margin = sec.right_margin = Mm(25)
    sec.top_margin, sec.bottom_margin = Mm(25), Mm(22)
    sec.header.paragraphs[0].text = f"{volume()['conference']}　　{p['session']}"
    sec.footer.paragraphs[0].text = f"第 {p['first_page']} 页起"
    sec.footer.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER

    def para(text, label=None, align=None, size=None, indent=True):
        par = d.add_paragraph()
        if label:
            r = par.add_run(label)
            r.bold = True
        r = par.add_run(text)
        if size:
            for run in par.runs:
                run.font.size = Pt(size)
        if align is not None:
            par.alignment = align
        elif indent:
            par.paragraph_format.first_line_indent = Pt(21)
        return par

    t = d.add_heading(p["title"], level=0)
    t.alignment = WD_ALIGN_PARAGRAPH.CENTER
    para(p["authors"], align=WD_ALIGN_PARAGRAPH.CENTER)
    for a in p["affils"]:
        para(a, align=WD_ALIGN_PARAGRAPH.CENTER, size=9)
    para(p["abstract"], label="摘　要：", size=9, indent=False)
    para(p["keywords"], label="关键词：", size=9, indent=False)
    para(p["clc"], size=9, indent=False)
    en = para(p["title_en"], align=WD_ALIGN_PARAGRAPH.CENTER)
    en.runs[0].bold = True
    for line in (p["received"], p["bio"], volume()["note"]):
        para(line, size=8, indent=False)

    for item in p["body"]:
        ((kind, value),) = item.items()
        if kind == "h1":
            d.add_heading(value, level=1)
        elif kind == "h2":
            d.add_heading(value, level=2)
        elif kind == "p":
            para(value)
        elif kind == "table":
            rows = value["rows"]
            c = para(value["caption"], align=WD_ALIGN_PARAGRAPH.CENTER, size=9)
            c.paragraph_format.keep_with_next = True
            tbl = d.add_table(rows=len(rows), cols=len(rows[0]))
            tbl.style = "Table Grid"
            tbl.alignment = WD_TABLE_ALIGNMENT.CENTER
            for i, row in enumerate(rows):
                for j, val in enumerate(row):
                    cell = tbl.cell(i, j)
                    cell.text = val
                    cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
                    run = cell.paragraphs[0].runs[0]
                    run.font.size = Pt(9)
                    run.bold = i == 0
        else:
            raise ValueError(kind)
    d.add_heading("参考文献", level=1)
    for r in p["refs"]:
        para(r, size=9, indent=False)

    buf = io.BytesIO()
    d.save(buf)
    path.write_bytes(normalise_zip(buf.getvalue(), FIXED_DATE.timetuple()[:6]))


# ============================================================================================
# Generate + check
# ============================================================================================
def question_rows() -> list[dict]:
    pairs = [(p, q) for p in papers() for q in p["questions"]]
    return [{"id": f"zh-{i:03d}", "question": q["question"], "answer": q["answer"], "doc": p["file"],
             "lang": q["lang"]} for i, (p, q) in enumerate(pairs, 1)]


def generate() -> None:
    pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    CORPUS.mkdir(parents=True, exist_ok=True)
    for p in papers():
        path = CORPUS / p["file"]
        (make_docx if p["layout"] == "docx" else make_pdf)(p, path)
    with open(OUT / "questions.jsonl", "w", encoding="utf-8", newline="\n") as f:
        for row in question_rows():
            f.write(json.dumps(row, ensure_ascii=False) + "\n")


def squash(s: str) -> str:
    return re.sub(r"\s+", "", s)


def extract(path: Path) -> tuple[list[str], dict]:
    """Per-page texts (PDF) or [paragraph text] (DOCX body paragraphs; tables reported separately)."""
    if path.suffix == ".pdf":
        import pypdfium2 as pdfium

        pdf = pdfium.PdfDocument(str(path))
        try:
            pages = []
            for i in range(len(pdf)):
                tp = pdf[i].get_textpage()
                pages.append(tp.get_text_range())
                tp.close()
        finally:
            pdf.close()
        return pages, {"pages": len(pages)}
    from docx import Document

    d = Document(str(path))
    text = "\n".join(par.text for par in d.paragraphs)
    headings = sorted({par.style.name for par in d.paragraphs if par.style.name.startswith(("Heading", "Title"))})
    return [text], {"tables": len(d.tables), "headings": headings}


def docx_pages(path: Path) -> float:
    """Rough page estimate for a DOCX (no word processor here): lines per paragraph from the text width and
    font size (CJK characters one em, others half), SimSun line height about 1.15 em, plus heading spacing
    and table rows."""
    import math

    from docx import Document
    from docx.table import Table as DocxTable
    from docx.text.paragraph import Paragraph as DocxParagraph

    def ems(s: str) -> float:
        return sum(1 if ord(c) > 0x2E80 else 0.5 for c in s)

    d = Document(str(path))
    sec = d.sections[0]
    width = (sec.page_width - sec.left_margin - sec.right_margin) / 12700  # EMU -> pt
    height = (sec.page_height - sec.top_margin - sec.bottom_margin) / 12700
    total = 0.0
    for el in d.element.body.iterchildren():
        if el.tag.endswith("}p"):
            par = DocxParagraph(el, d)
            name = par.style.name
            size = next((r.font.size.pt for r in par.runs if r.font.size), None)
            size = size or (par.style.font.size.pt if par.style.font.size else 10.5)
            spacing = 1.25 if name == "Normal" else 1.0
            lines = max(1, math.ceil((ems(par.text) + 2) * size / width))
            total += lines * size * 1.15 * spacing + {"Heading 1": 24, "Heading 2": 10}.get(name, 0) + 2
        elif el.tag.endswith("}tbl"):
            for row in DocxTable(el, d).rows:
                w = width / len(row.cells) - 11
                total += max(math.ceil(ems(c.text) * 9 / w) for c in row.cells) * 9 * 1.15 * 1.25 + 2
    return total / height


def check() -> bool:
    ok = True

    def fail(msg):
        nonlocal ok
        ok = False
        print("  !! " + msg)

    rows = [json.loads(line) for line in (OUT / "questions.jsonl").read_text(encoding="utf-8").splitlines()]
    by_doc = {p["file"]: [r for r in rows if r["doc"] == p["file"]] for p in papers()}
    if len(rows) != 60:
        fail(f"{len(rows)} questions, want 60")
    n_zh = sum(r["lang"] == "zh" for r in rows)
    n_en = sum(r["lang"] == "en" for r in rows)
    if (n_zh, n_en) != (40, 20):
        fail(f"{n_zh} zh / {n_en} en questions, want 40 / 20")
    if len({r["id"] for r in rows}) != len(rows):
        fail("duplicate ids")
    two_col = sum(p["layout"] == "pdf2" for p in papers())
    if two_col < 3:
        fail("fewer than 3 two-column PDFs")

    print(f"{'file':46} {'KB':>6}  layout  pages/tables  chars  questions")
    n_found = 0
    for p in papers():
        path = CORPUS / p["file"]
        kb = path.stat().st_size / 1024
        limit = 150 if path.suffix == ".pdf" else 60
        if kb >= limit:
            fail(f"{p['file']}: {kb:.1f} KB >= {limit} KB")
        texts, info = extract(path)
        full = squash("".join(texts))
        cjk = len(re.findall(r"[\u4e00-\u9fff]", full))
        if path.suffix == ".pdf":
            last_share = len(squash(texts[-1])) / max(1, len(squash(texts[0])))
            shape = f"{info['pages']} pp (last {last_share:.0%})"
            if not 2 <= info["pages"] <= 3 or (info["pages"] == 2 and last_share < 0.4):
                fail(f"{p['file']}: {info['pages']} pages, last page {last_share:.0%} of the first")
            for f in ("title", "abstract"):
                if squash(p[f])[:30] not in full:
                    fail(f"{p['file']}: {f} not found in the extracted text")
        else:
            est = docx_pages(path)
            shape = f"{info['tables']} table, ~{est:.1f} pp"
            if info["tables"] != 1 or not {"Heading 1", "Heading 2"} <= set(info["headings"]):
                fail(f"{p['file']}: tables={info['tables']} headings={info['headings']}")
            if not 1.5 <= est <= 3:
                fail(f"{p['file']}: about {est:.1f} pages")
        qs = by_doc[p["file"]]
        if len(qs) < 4:
            fail(f"{p['file']}: only {len(qs)} questions")
        for r in qs:
            a = squash(r["answer"])
            n_cjk = len(re.findall(r"[\u4e00-\u9fff]", a))
            if not (5 <= n_cjk <= 40 or (n_cjk >= 3 and re.search(r"\d", a))):
                fail(f"{r['id']}: answer length {n_cjk} CJK characters")
            if a in full:
                n_found += 1
            else:
                fail(f"{r['id']}: answer {r['answer']!r} not in {p['file']}")
        print(f"{p['file']:46} {kb:6.1f}  {p['layout']:6}  {shape:12}  {cjk:5}  "
              f"{len(qs)} ({sum(q['lang'] == 'en' for q in qs)} en)")
    print(f"\n{len(rows)} questions ({n_zh} zh, {n_en} en); {n_found} gold answers found verbatim in their document "
          f"(white space ignored); {two_col} two-column PDFs")
    print("OK" if ok else "FAILED")
    return ok


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="only check the existing files")
    args = ap.parse_args(argv)
    if not args.check:
        generate()
    return 0 if check() else 1


if __name__ == "__main__":
    sys.exit(main())
