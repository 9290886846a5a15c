"""PDF: text per page with pypdfium2 (the same extraction a reader's copy-paste gives), headings from
font size, OCR for pages without a text layer."""
from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

from ..errors import ParseError
from ..settings import Settings
from ..types import Block, ParsedDoc
from .lines import LIST_RE, SENTENCE_END, WARNING_RE, Line, build_blocks, split_lines


def _line_fonts(textpage, lines: list[Line]) -> list[tuple[float, bool]]:
    """(dominant font size, mostly bold) of each line, sampling a couple of dozen characters."""
    import ctypes

    import pypdfium2.raw as raw

    out = []
    name = ctypes.create_string_buffer(128)
    flags = ctypes.c_int()
    for ln in lines:
        c: Counter = Counter()
        bold = total = 0
        step = max(1, (ln.end - ln.start) // 24)
        for i in range(ln.start, ln.end, step):
            c[round(raw.FPDFText_GetFontSize(textpage.raw, i), 1)] += 1
            raw.FPDFText_GetFontInfo(textpage.raw, i, name, 128, ctypes.byref(flags))
            bold += raw.FPDFText_GetFontWeight(textpage.raw, i) >= 600 or b"bold" in name.value.lower()
            total += 1
        out.append((c.most_common(1)[0][0] if c else 0.0, total > 0 and bold / total > 0.7))
    return out


_PAGE_NO = re.compile(r"^\W*(?:page\s*)?\d{1,4}(?:\s*(?:of|/)\s*\d{1,4})?\W*$|^第\s*\d+\s*页(?:\s*共\s*\d+\s*页)?$", re.I)


def _furniture(texts: list[str], line_sets: list[list[Line]]) -> set[str]:
    """Running headers and footers: lines at the top or bottom of most pages (digits ignored)."""
    if len(texts) < 2:
        return set()
    counts: Counter = Counter()
    for text, lines in zip(texts, line_sets):
        edge = {_shape(text[ln.start : ln.end]) for ln in lines[:2] + lines[-2:]}
        counts.update(edge)
    need = max(2, (len(texts) + 1) // 2)
    return {k for k, n in counts.items() if n >= need}


def _shape(line: str) -> str:
    return re.sub(r"\d+", "#", " ".join(line.split()))


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
                sizes = [(0.0, False)] * len(lines)
            else:
                lines = split_lines(text)
                sizes = _line_fonts(tp, lines)
            texts.append(text)
            line_sets.append(lines)
            size_sets.append(sizes)
            tp.close()
            page.close()
        title = (pdf.get_metadata_dict().get("Title") or "").strip()
    finally:
        pdf.close()

    levels = _heading_levels([[s for s, _ in page] for page in size_sets])
    furniture = _furniture(texts, line_sets)
    blocks: list[Block] = []
    for pno, (text, lines, fonts) in enumerate(zip(texts, line_sets, size_sets), start=1):
        kept = []
        for i, (ln, (size, bold)) in enumerate(zip(lines, fonts)):
            s = text[ln.start : ln.end]
            at_edge = i < 2 or i >= len(lines) - 2
            if at_edge and (_shape(s) in furniture or _PAGE_NO.match(s)):
                continue  # running header, footer or page number: not content
            ln.styled = size > 0
            lvl = levels.get(size, 0)
            if lvl and len(s) <= 120:  # a long big-font line is emphasis, not a heading
                ln.heading = lvl
            elif bold and len(s) <= 80 and not SENTENCE_END.search(s) and not LIST_RE.match(s) and not WARNING_RE.match(s):
                ln.heading = len(levels) + 1  # a bold run-in heading ("Tools and parts", "Procedure")
            kept.append(ln)
        blocks.extend(build_blocks(pno, text, kept))
    if not any(t.strip() for t in texts):
        reason = "scanned PDF with no text layer; install the [ocr] extra to read it" if settings.ocr != "off" else "PDF has no text layer and OCR is off"
        raise ParseError(str(path), reason)
    return ParsedDoc(str(path), "pdf", tuple(texts), tuple(blocks), title, tuple(ocr_pages))
