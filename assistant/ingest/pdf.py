"""PDF: text per page with pypdfium2 (the same extraction a reader's copy-paste gives), headings from
font size, OCR for pages without a text layer.

A page's text is pypdfium2's, with one change: where Chinese (or Japanese) text wraps at the right
margin, the line break between the two characters is dropped ("维修技术人\r\n员" -> "维修技术人员"), as
a reader joins it; the PDF has no space there. Only white space is ever removed, so a quote from the
page still matches pypdfium2's text with white space ignored (the verbatim rule of the evaluation)."""
from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

from ..errors import ParseError
from ..settings import Settings
from ..textrules import CLOSED
from ..types import Block, ParsedDoc
from .lines import LIST_RE, WARNING_RE, Line, build_blocks, classify, split_lines

_CJK_CHAR = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff\u3001\u3002\u300a-\u3011\uff01-\uff0f\uff1a-\uff1f\uff08\uff09\uff5e]")
_CJK_STOP = set("。！？")  # a line that ends a sentence may end a paragraph: its break is kept


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


def _line_boxes(textpage, text: str, lines: list[Line]) -> list[tuple[float, float, bool]]:
    """(left, right, cells) of each line: its first and last character's page coordinates, and, for a
    line that starts or ends with CJK text, whether pdfium put a space of its own into it (a gap
    between two text runs: table cells side by side, or letter-spaced title text)."""
    import pypdfium2.raw as raw

    out = []
    for ln in lines:
        left = textpage.get_charbox(ln.start)[0]
        right = textpage.get_charbox(ln.end - 1)[2]
        cells = False
        if _CJK_CHAR.match(text[ln.start]) or _CJK_CHAR.match(text[ln.end - 1]):
            cells = any(text[i] == " " and raw.FPDFText_IsGenerated(textpage.raw, i) for i in range(ln.start, ln.end))
        out.append((left, right, cells))
    return out


def _column_gap(textpage, text: str, ln: Line, size: float) -> bool:
    """Whether the line has a gap of more than three font sizes between two words, not counting the one
    after a leading section number ("3.1    Scope"): table cells side by side (a table's header
    row), never a heading's words."""
    import pypdfium2.raw as raw

    s = text[ln.start : ln.end]
    lead = re.match(r"\s*(?:[\dA-Z]{1,3}(?:\.\d{1,3})*\.?|第\S{1,4}[章节条])\s+", s)
    first = ln.start + (lead.end() if lead else 0)
    size = max(size, 1.0)
    prev_right = None
    for i in range(first, ln.end):
        if text[i].isspace():
            continue
        if raw.FPDFText_IsGenerated(textpage.raw, i):
            continue
        left, _, right, _ = textpage.get_charbox(i)
        if prev_right is not None and left - prev_right > 3 * size:
            return True
        prev_right = right
    return False


def _join_cjk_wraps(text: str, lines: list[Line], boxes: list[tuple[float, float, bool]], sizes: list[float],
                    doc_lines: list[tuple[float, float, float]]) -> tuple[str, list[Line]]:
    """Drop the line break where a line of CJK text runs to the right edge of its column and the next
    line goes on with CJK text of the same size (a wrap inside a sentence: the PDF has no space there).
    The column's edge is where the document's lines (`doc_lines`: left, right, font size) that start
    near this one and have its size mostly end (their 90th percentile, two lines at least within two
    characters of it). Headings, list items, warnings, table rows and short lines (the last line of a
    paragraph) keep their break. Returns the new page text and the lines re-based on it (joined lines
    become one)."""
    n = len(lines)
    if n < 2:
        return text, lines
    joins = []
    for i in range(n - 1):
        a, b = lines[i], lines[i + 1]
        last, first = text[a.end - 1], text[b.start]
        if not (_CJK_CHAR.match(last) and _CJK_CHAR.match(first)) or last in _CJK_STOP:
            continue
        if a.heading or b.heading or b.kind or a.kind or boxes[i][2] or boxes[i + 1][2] or not text[a.end : b.start].isspace():
            continue
        if abs(sizes[i] - sizes[i + 1]) > 0.5 or classify(text[b.start : b.end], 0, b.styled)[0] != "paragraph":
            continue
        left, right, _ = boxes[i]
        em = max(sizes[i], 4.0)
        column = sorted(r for (l2, r, z) in doc_lines if abs(l2 - left) <= 3 * em and abs(z - sizes[i]) <= 0.5)
        if not column:
            continue
        edge = column[int(0.9 * (len(column) - 1))]
        if right >= edge - 2 * em and sum(r >= edge - 2 * em for r in column) >= 2:
            joins.append(i)
    if not joins:
        return text, lines
    parts, removed, pos = [], [], 0  # removed: (old offset where a cut starts, total removed up to its end)
    total = 0
    for i in joins:
        s, e = lines[i].end, lines[i + 1].start
        parts.append(text[pos:s])
        total += e - s
        removed.append((s, total))
        pos = e
    parts.append(text[pos:])
    new_text = "".join(parts)

    def shift(off: int) -> int:
        d = 0
        for s, t in removed:
            if off > s:
                d = t
        return off - d

    out: list[Line] = []
    joined = set(joins)
    for i, ln in enumerate(lines):
        if i - 1 in joined:  # continues the previous line
            out[-1].end = shift(ln.end)
            continue
        out.append(Line(shift(ln.start), shift(ln.end), ln.heading, ln.kind, ln.styled))
    return new_text, out


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
        texts, line_sets, size_sets, box_sets, gap_sets, ocr_pages = [], [], [], [], [], []
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
                boxes, gaps = [], set()
            else:
                lines = split_lines(text)
                sizes = _line_fonts(tp, lines)
                boxes = _line_boxes(tp, text, lines)
                # the heading candidates (bold, or larger than the page's body text) spread into columns
                body = Counter(size for size, _ in sizes if size > 0).most_common(1)
                big = body[0][0] * 1.12 if body else float("inf")
                gaps = {j for j, (ln, (size, bold)) in enumerate(zip(lines, sizes))
                        if (bold or size >= big) and _column_gap(tp, text, ln, size)}
            texts.append(text)
            line_sets.append(lines)
            size_sets.append(sizes)
            box_sets.append(boxes)
            gap_sets.append(gaps)
            tp.close()
            page.close()
        title = (pdf.get_metadata_dict().get("Title") or "").strip()
    finally:
        pdf.close()

    levels = _heading_levels([[s for s, _ in page] for page in size_sets])
    furniture = _furniture(texts, line_sets)
    kept_pages = []
    for pno, (text, lines, fonts, boxes, gaps) in enumerate(zip(texts, line_sets, size_sets, box_sets, gap_sets), start=1):
        kept, kept_boxes, kept_sizes = [], [], []
        for i, (ln, (size, bold)) in enumerate(zip(lines, fonts)):
            s = text[ln.start : ln.end]
            at_edge = i < 2 or i >= len(lines) - 2
            if at_edge and (_shape(s) in furniture or _PAGE_NO.match(s)):
                continue  # running header, footer or page number: not content
            ln.styled = size > 0
            lvl = levels.get(size, 0)
            if i in gaps:
                ln.kind = "table_row"  # bold or big cells side by side: a table's header row, not a heading
            elif lvl and len(s) <= 120:  # a long big-font line is emphasis, not a heading
                ln.heading = lvl
            elif bold and len(s) <= 80 and not CLOSED.search(s) and not LIST_RE.match(s) and not WARNING_RE.match(s):
                ln.heading = len(levels) + 1  # a bold run-in heading ("Tools and parts", "Procedure")
            kept.append(ln)
            if boxes:
                kept_boxes.append(boxes[i])
                kept_sizes.append(size)
        kept_pages.append((pno, text, kept, kept_boxes, kept_sizes))
    doc_lines = [(b[0], b[1], z) for *_, bs, zs in kept_pages for b, z in zip(bs, zs)]
    blocks: list[Block] = []
    pages: list[str] = []
    for pno, text, kept, kept_boxes, kept_sizes in kept_pages:
        if kept_boxes:
            text, kept = _join_cjk_wraps(text, kept, kept_boxes, kept_sizes, doc_lines)
        pages.append(text)
        blocks.extend(build_blocks(pno, text, kept))
    texts = pages
    if not any(t.strip() for t in texts):
        reason = "scanned PDF with no text layer; install the [ocr] extra to read it" if settings.ocr != "off" else "PDF has no text layer and OCR is off"
        raise ParseError(str(path), reason)
    return ParsedDoc(str(path), "pdf", tuple(texts), tuple(blocks), title, tuple(ocr_pages))
