"""Turn the lines of one page into structural blocks (headings, steps, warnings, table rows, paragraphs).

Every parser hands over the page text plus, per line, an optional heading level; this module decides
how lines group so that a block's text is always an exact slice of the page text.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from ..textrules import CLOSED, NOT_A_CALLOUT, SET_APART_LETTER, bracketed_number, signal_words, wrapped_callout
from ..types import Block

# "1.", "1)", "2 " before a capital, "a)", "b . " (a PDF may space the letter), "(a) ", "d\u3000" (SET_APART_LETTER),
# "•", "-", "（1）", "1、", "第3步", "Step 4:"
LIST_RE = re.compile(
    r"^\s*(?:\d{1,3}[.)](?!\d)\s*|\d{1,3}\s+(?=[A-Z\u4e00-\u9fff])|[a-z]\s?[.)][\s\u3000]+|[•·▪◦●\-*–]\s+|[（(]\d{1,3}[)）]\s*|[（(][a-z][)）]\s+|\d{1,3}、"
    rf"|{SET_APART_LETTER}\s*|第[一二三四五六七八九十\d]+步|(?i:step)\s+\d+\s*[:.]?){NOT_A_CALLOUT}"
)
# "WARNING ...", "Caution: ...", "警告：..." open a safety notice; "warning time of 33 days" does not.
_EN, _ZH = signal_words(chinese=False), signal_words(chinese=True)
WARNING_RE = re.compile(
    rf"^\s*(?:\W{{0,3}}\s*)?(?:(?:{_EN})\b|(?i:{_EN})\s*[:：!！\-–])"
    rf"|^\s*(?:\W{{0,3}}\s*)?(?:{_ZH})\s*[:：!！]"
)
NUMBERED_HEADING_RE = re.compile(r"^\s*(?:\d{1,2}(?:\.\d{1,2}){1,3}\.?\s+\S|第[一二三四五六七八九十百\d]+[章节]|chapter\s+\d+|section\s+\d+)", re.IGNORECASE)
TABLE_RE = re.compile(r"^\s*\|.*\|\s*$|\S\s*\t\s*\S|\S {3,}\S")


@dataclass
class Line:
    start: int
    end: int
    heading: int = 0  # level when the parser knows it is a heading (font size, style, markup)
    kind: str = ""  # parser-known kind ("table_row", "list_item", "warning"), else classified here
    styled: bool = False  # the parser saw fonts/styles: headings come only from them, not from numbering
    headers: tuple[str, ...] = ()  # a table row's column headers (see Block)
    context: str = ""  # a table row's caption and group label (see Block)
    continues: bool = False  # a table row that is the rest of the previous page's last row (see Block)


def split_lines(text: str, offset: int = 0) -> list[Line]:
    """Spans of the non-empty lines of `text` (stripped), as Line objects; offsets into `text` + offset."""
    out = []
    for m in re.finditer(r"[^\r\n]+", text):
        s, e = m.start(), m.end()
        seg = m.group()
        ls = len(seg) - len(seg.lstrip())
        rs = len(seg.rstrip())
        if rs > ls:
            out.append(Line(offset + s + ls, offset + s + rs))
    return out


def classify(text: str, known_heading: int = 0, styled: bool = False) -> tuple[str, int]:
    if known_heading:
        return "heading", known_heading
    if WARNING_RE.match(text):
        return "warning", 0
    if not styled and NUMBERED_HEADING_RE.match(text) and len(text) <= 90 and not CLOSED.search(text):
        return "heading", text.strip().split()[0].count(".") + 1 if text.strip()[0].isdigit() else 1
    if LIST_RE.match(text):
        return "list_item", 0
    if TABLE_RE.search(text):
        return "table_row", 0
    return "paragraph", 0


def build_blocks(page_no: int, page_text: str, lines: list[Line], gap_breaks: set[int] | None = None) -> list[Block]:
    """Group lines into blocks. A line that starts a new item (heading, step, warning, table row)
    opens a block; a plain line continues the open paragraph, step or warning (wrapped text).
    `gap_breaks` holds indexes of lines preceded by a blank line or a vertical gap."""
    blocks: list[Block] = []
    cur: list = []  # [kind, level, start, end, line]
    gap_breaks = gap_breaks or set()

    def flush():
        if cur:
            kind, level, s, e, first = cur
            blocks.append(Block(page_text[s:e], page_no, s, e, kind, level, first.headers, first.context, first.continues))
            cur.clear()

    for i, ln in enumerate(lines):
        text = page_text[ln.start : ln.end]
        # a parser-known kind keeps its level only for a table row: 1 marks a table's header row
        kind, level = (ln.kind, ln.heading if ln.kind == "table_row" else 0) if ln.kind else classify(text, ln.heading, ln.styled)
        # a plain line, or a callout wrapped onto the line's start ("(6) with three screws (1)."), continues
        wrapped = kind == "list_item" and cur and wrapped_callout(text, page_text[cur[2]:cur[3]], bracketed_number(page_text[cur[4].start:cur[4].end]))
        continues = (
            (kind == "paragraph" or wrapped)
            and cur
            and cur[0] in ("paragraph", "list_item", "warning")
            and i not in gap_breaks
        )
        if continues:
            cur[3] = ln.end
            continue
        # A heading that wraps onto a second line of the same level stays one heading.
        if kind == "heading" and cur and cur[0] == "heading" and cur[1] == level and ln.heading and i not in gap_breaks:
            cur[3] = ln.end
            continue
        flush()
        cur.extend([kind, level, ln.start, ln.end, ln])
    flush()
    return blocks
