"""PDF: text per page with pypdfium2 (the same extraction a reader's copy-paste gives), headings from
font size, OCR for pages without a text layer."""
from __future__ import annotations

from collections import Counter
from pathlib import Path

from ..errors import ParseError
from ..settings import Settings
from ..types import Block, ParsedDoc
from .lines import Line, build_blocks, split_lines


def _line_sizes(textpage, lines: list[Line]) -> list[float]:
    """The dominant font size of each line (by character count, sampling every few characters)."""
    import pypdfium2.raw as raw

    sizes = []
    for ln in lines:
        c: Counter = Counter()
        step = max(1, (ln.end - ln.start) // 24)
        for i in range(ln.start, ln.end, step):
            c[round(raw.FPDFText_GetFontSize(textpage.raw, i), 1)] += 1
        sizes.append(c.most_common(1)[0][0] if c else 0.0)
    return sizes


def _heading_levels(all_sizes: list[list[float]]) -> dict[float, int]:
    """Font sizes clearly above body text become heading levels 1, 2, 3 (largest first)."""
    counts: Counter = Counter(s for page in all_sizes for s in page if s > 0)
    if not counts:
        return {}
    body = counts.most_common(1)[0][0]
    bigger = sorted({s for s in counts if s >= body * 1.12}, reverse=True)
    return {s: i + 1 for i, s in enumerate(bigger[:4])}


def _open(path: Path):
    import pypdfium2 as pdfium

    try:
        return pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError as exc:
        msg = str(exc).lower()
        if "password" in msg:
            raise ParseError(str(path), "password-protected PDF (remove the password to index it)") from exc
        if "format" in msg or "data" in msg:
            raise ParseError(str(path), "damaged or truncated PDF (pdfium: file format error)") from exc
        raise ParseError(str(path), f"unreadable PDF ({exc})") from exc


def parse_pdf(path: Path, settings: Settings) -> ParsedDoc:
    pdf = _open(path)
    try:
        n = len(pdf)
        if n == 0:
            raise ParseError(str(path), "PDF has no pages")
        if n > settings.max_pages:
            raise ParseError(str(path), f"PDF has {n} pages, more than max_pages={settings.max_pages}")
        texts, line_sets, size_sets, ocr_pages = [], [], [], []
        for i in range(n):
            page = pdf[i]
            tp = page.get_textpage()
            text = tp.get_text_range()
            if not text.strip() and settings.ocr != "off":
                from .ocr import ocr_page

                text = ocr_page(page, settings, str(path), i + 1)
                if text:
                    ocr_pages.append(i + 1)
                lines = split_lines(text)
                sizes = [0.0] * len(lines)
            else:
                lines = split_lines(text)
                sizes = _line_sizes(tp, lines)
            texts.append(text)
            line_sets.append(lines)
            size_sets.append(sizes)
            tp.close()
            page.close()
        title = (pdf.get_metadata_dict().get("Title") or "").strip()
    finally:
        pdf.close()

    levels = _heading_levels(size_sets)
    blocks: list[Block] = []
    for pno, (text, lines, sizes) in enumerate(zip(texts, line_sets, size_sets), start=1):
        for ln, size in zip(lines, sizes):
            lvl = levels.get(size, 0)
            # A big-font line that is long running text is emphasis, not a heading.
            if lvl and (ln.end - ln.start) <= 120:
                ln.heading = lvl
        blocks.extend(build_blocks(pno, text, lines))
    if not any(t.strip() for t in texts):
        reason = "scanned PDF with no text layer; install the [ocr] extra to read it" if settings.ocr != "off" else "PDF has no text layer and OCR is off"
        raise ParseError(str(path), reason)
    return ParsedDoc(str(path), "pdf", tuple(texts), tuple(blocks), title, tuple(ocr_pages))
