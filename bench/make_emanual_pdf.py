"""Render the S10 e-manual dev corpus (451 HTML sections in ../shared/eval/emanual-s10) as ONE PDF
manual, headings in larger bold type and lists as bullets, so the PDF path (font-based headings,
page breaks inside sections, running footers) can be measured on the same questions.

    python bench/make_emanual_pdf.py OUT.pdf
"""
from __future__ import annotations

import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.common import SHARED  # noqa: E402


def flowables(html: str, styles):
    from bs4 import BeautifulSoup
    from reportlab.platypus import Paragraph
    from xml.sax.saxutils import escape

    soup = BeautifulSoup(html, "lxml")
    out = []

    def text(el):
        return escape(" ".join(el.get_text(" ", strip=True).split()))

    for el in soup.body.find_all(["h1", "h2", "h3", "h4", "h5", "h6", "p", "li", "tr"]):
        if el.name == "li" and el.find(["li"]):
            import copy

            own = copy.copy(el)  # the item's own text, without its nested list (rendered as its own items)
            for sub in own.find_all(["ul", "ol"]):
                sub.decompose()
            if text(own):
                out.append(Paragraph("• " + text(own), styles["li"]))
            continue
        if el.name in ("p",) and el.find_parent("li"):
            continue
        t = text(el)
        if not t:
            continue
        if el.name.startswith("h"):
            out.append(Paragraph(t, styles[el.name]))
        elif el.name == "li":
            out.append(Paragraph("• " + t, styles["li"]))
        elif el.name == "tr":
            out.append(Paragraph(" | ".join(escape(c.get_text(" ", strip=True)) for c in el.find_all(["td", "th"])), styles["p"]))
        else:
            out.append(Paragraph(t, styles["p"]))
    return out


def main(out: Path) -> None:
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import SimpleDocTemplate

    sizes = {"h1": 20, "h2": 17, "h3": 14.5, "h4": 12.5, "h5": 11, "h6": 10.5}
    styles = {h: ParagraphStyle(h, fontName="Helvetica-Bold", fontSize=s, leading=s * 1.25, spaceBefore=8, spaceAfter=4) for h, s in sizes.items()}
    styles["p"] = ParagraphStyle("p", fontName="Helvetica", fontSize=9.5, leading=12, spaceAfter=3)
    styles["li"] = ParagraphStyle("li", parent=styles["p"], leftIndent=12)
    corpus = SHARED / "eval" / "emanual-s10" / "corpus"
    files = sorted(corpus.glob("section_*.html"), key=lambda p: int(re.search(r"\d+", p.stem).group()))
    story = []
    for p in files:
        raw = p.read_bytes().decode("utf-8", errors="replace")
        story += flowables(raw, styles)

    def footer(canvas, doc):
        canvas.setFont("Helvetica", 8)
        canvas.drawString(40, 20, f"Galaxy S10 User Manual   {doc.page}")

    SimpleDocTemplate(str(out), pagesize=A4, invariant=1, title="S10 user manual (dev rendering)").build(story, onFirstPage=footer, onLaterPages=footer)
    print(out, out.stat().st_size)


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "/tmp/emanual.pdf"))
