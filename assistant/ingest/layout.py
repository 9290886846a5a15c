"""Layout of a PDF page from the positions of its characters: text runs, visual lines, columns,
tables, running headers and footers, printed page labels.

A PDF's text stream is in the order its producer drew it, which is often not the order a technician
reads: a specification table drawn column by column (all the labels, then all the values), a
troubleshooting table whose columns are interleaved line by line, two text columns read across.
This module reads the page from the geometry instead:

1. `runs`: characters in stream order, cut where the text jumps to another line or leaves a gap wider
   than a font size (two table cells side by side are two runs). A run's text is a slice of pdfium's
   page text, so whatever is quoted from it is verbatim; only a space pdfium put inside a letter-spaced
   word ("Widt h", "NOT E": no space in the PDF, a gap narrower than any word space) is left out.
2. `lines`: runs whose vertical extents overlap form a visual line, left to right.
3. Columns: a page whose body has a gutter between two wide text columns is read column by column
   (full-width lines such as headings cut the page into bands first).
4. Tables: consecutive lines whose cells keep to the same x ranges (gutters that no line crosses) are
   a table; its header row(s) name the columns, a caption line ("Table 3-1. ...") above it names the
   table; lines are merged into rows (wrapped cells, group labels that head the rows below them).
   A troubleshooting table printed as staggered indents (MALFUNCTION / TEST OR INSPECTION /
   CORRECTIVE ACTION on three indented header lines) is a table too: each line belongs to the column
   whose indent it starts at.
5. `furniture`: runs at the top or bottom of most pages (digits aside) are running headers and
   footers; the printed page label ("3-12", "A-1", "ii", "- 18 -") is read from them.

Everything here is plain geometry on pdfium's characters: no model, no download.
"""
from __future__ import annotations

import ctypes
import re
from collections import Counter
from dataclasses import dataclass

from ..textrules import DEGREE_MARK

# --- runs ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Run:
    """A stretch of text on one line with no wide gap, `text[start:end]` of pdfium's page text (less
    any space pdfium made up inside a word, see `runs`). Coordinates are top-down (y0 is the top), in PDF points."""

    start: int
    end: int
    x0: float
    y0: float
    x1: float
    y1: float
    size: float
    bold: bool
    text: str

    @property
    def height(self) -> float:
        return max(self.y1 - self.y0, 0.1)


def runs(textpage, text: str, page_height: float) -> list[Run]:
    """The page's runs in stream order (see the module docstring)."""
    import pypdfium2.raw as raw

    tp = textpage.raw
    left, right, bottom, top = (ctypes.c_double() for _ in range(4))
    loose = raw.FS_RECTF()
    out: list[Run] = []
    cur: list = []  # [start, end, x0, y0, x1, y1, sizes Counter, last_right]
    n = min(len(text), textpage.count_chars())
    glued: set[int] = set()  # spaces pdfium made up inside a word (_inside_word)
    marked: dict[int, str] = {}  # characters with white space put before them (a degree sign set as a raised "0", _raised_degree)
    last = (-1, 0.0, 0.0)  # the last character with ink: (index, font size, bottom)

    def close():
        if cur:
            s, e = cur[0], cur[1]
            seg = text[s:e]
            ls = len(seg) - len(seg.lstrip())
            rs = len(seg.rstrip())
            if rs > ls:
                size = cur[6].most_common(1)[0][0] if cur[6] else 0.0
                kept = "".join(marked.get(j, c) for j, c in enumerate(seg[ls:rs], s + ls) if j not in glued) \
                    if glued or marked else seg[ls:rs]
                out.append(Run(s + ls, s + rs, cur[2], cur[3], cur[4], cur[5], size, False, kept))
            cur.clear()

    for i in range(n):
        ch = text[i]
        if ch in "\r\n":
            close()
            continue
        if ch.isspace():
            if cur:
                cur[1] = i + 1
                if ch == " " and 0 < i < n - 1 and _inside_word(tp, text, i, loose):
                    glued.add(i)
            continue
        raw.FPDFText_GetCharBox(tp, i, ctypes.byref(left), ctypes.byref(right), ctypes.byref(bottom), ctypes.byref(top))
        x0, x1, y0, y1 = left.value, right.value, page_height - top.value, page_height - bottom.value
        size = raw.FPDFText_GetFontSize(tp, i)
        if size < 3:  # a font scaled by its text matrix reports size 1: measure its loose box instead
            raw.FPDFText_GetLooseCharBox(tp, i, ctypes.byref(loose))
            size = abs(loose.top - loose.bottom) or (y1 - y0)
        if x1 - x0 < 0.02 * size or y1 - y0 < 0.02 * size:
            # no ink box: a font the PDF does not embed and this machine lacks (STSong-Light on a machine
            # without CJK fonts) draws no glyph; the loose box, from the PDF's own widths and the font's
            # ascent and descent, is where the character sits on any machine
            raw.FPDFText_GetLooseCharBox(tp, i, ctypes.byref(loose))
            if loose.right > loose.left and loose.top > loose.bottom:
                x0, x1, y0, y1 = loose.left, loose.right, page_height - loose.top, page_height - loose.bottom
        if _raised_degree(text, i, last, size, y1):
            marked[i] = DEGREE_MARK + ch
        last = (i, size, y1)
        if cur:
            h = max(cur[5] - cur[3], y1 - y0, 1.0)
            overlap = min(cur[5], y1) - max(cur[3], y0)
            same_line = overlap >= 0.4 * min(max(cur[5] - cur[3], 0.5), max(y1 - y0, 0.5)) or (x1 - x0 == 0)
            gap = x0 - cur[7]
            em = max(size, 4.0)
            if not same_line or gap > 1.2 * em or gap < -2 * em or h > 6 * em:
                close()
        if not cur:
            cur.extend([i, i + 1, x0, y0, x1, y1, Counter(), x1])
        else:
            cur[1] = i + 1
            cur[2], cur[3] = min(cur[2], x0), min(cur[3], y0)
            cur[4], cur[5] = max(cur[4], x1), max(cur[5], y1)
            cur[7] = max(cur[7], x1)
        cur[6][round(size, 1)] += 1
    close()
    return _with_bold(textpage, text, out)


def _raised_degree(text: str, i: int, last: tuple[int, float, float], size: float, bottom: float) -> bool:
    """Whether the character at `i` is a degree sign set as a small raised "0" or "o" after a number
    and before its scale ("60⁰F", which pdfium reads "600F", a figure ten times too high; pdfium may
    break the line after a letter raised high, "600\\r\\nF"): at most 0.7 of the digit's size, its
    bottom raised by a quarter of the digit's size or more (`bottom` is top-down, so raised is smaller).
    `last` is the previous character with ink: (index, size, bottom). The reader puts DEGREE_MARK, a
    hair space, before it ("60\\u200a0F"): the page text stays pdfium's characters with white space put
    in (quotes stay verbatim), "60" is a number of its own, and what is shown reads "60°F"
    (textrules.read_degrees)."""
    j, digit_size, digit_bottom = last
    return (text[i] in "0oOº" and j == i - 1 and text[j].isdigit() and text[i + 1: i + 4].lstrip()[:1] in ("F", "C")
            and 0 < size <= 0.7 * digit_size and digit_bottom - bottom >= 0.25 * digit_size)


def _inside_word(tp, text: str, i: int, box) -> bool:
    """Whether the space at `i` is one pdfium made up (none in the PDF) between two Latin letters less
    than a fifth of the font size apart: letter-spaced type ("Widt h", "Tool s", "INSPECTIO N", a unit
    column's "g l"), where a word space is a quarter of the font size or more (a space glyph is 0.25 em
    in Times, 0.28 in Helvetica; pdfium's own gap rule splits some letter-spaced words); or, in type
    spaced out wider than that, as far apart as the word's two letters before it. Measured on the
    characters' loose boxes (the PDF's advance widths), which abut within a word."""
    import pypdfium2.raw as raw

    a, b = text[i - 1], text[i + 1]
    if not (a.isascii() and a.isalpha() and b.isascii() and b.isalpha()) or not raw.FPDFText_IsGenerated(tp, i):
        return False
    raw.FPDFText_GetLooseCharBox(tp, i - 1, ctypes.byref(box))
    left, right, height = box.left, box.right, box.top - box.bottom
    raw.FPDFText_GetLooseCharBox(tp, i + 1, ctypes.byref(box))
    gap = box.left - right
    size = raw.FPDFText_GetFontSize(tp, i - 1)
    if size < 3:  # a font scaled by its text matrix reports size 1: its loose box is one em high
        size = height
    if size < 3 or gap < 0:
        return False
    if gap < 0.21 * size:
        return True
    # type spaced out evenly ("MANUA L", "EQUIPMEN T", "ITE M" in a US Army manual's title and column
    # names): the gap is the one between the word's two letters before it, where the PDF has no space
    c = text[i - 2] if i >= 2 else " "
    if not (c.isascii() and c.isalpha()):
        return False
    raw.FPDFText_GetLooseCharBox(tp, i - 2, ctypes.byref(box))
    before = left - box.right
    return before > 0 and abs(gap - before) <= 0.03 * size


def _with_bold(textpage, text: str, rs: list[Run]) -> list[Run]:
    """Mark runs whose characters are mostly bold (weight >= 600 or a bold font name), sampling a dozen."""
    import pypdfium2.raw as raw

    name = ctypes.create_string_buffer(128)
    flags = ctypes.c_int()
    out = []
    for r in rs:
        step = max(1, (r.end - r.start) // 12)
        idx = [i for i in range(r.start, r.end, step) if not text[i].isspace()] or [r.start]
        bold = 0
        for i in idx:
            raw.FPDFText_GetFontInfo(textpage.raw, i, name, 128, ctypes.byref(flags))
            bold += raw.FPDFText_GetFontWeight(textpage.raw, i) >= 600 or b"bold" in name.value.lower()
        out.append(Run(r.start, r.end, r.x0, r.y0, r.x1, r.y1, r.size, bold / len(idx) > 0.7, r.text))
    return out


# --- visual lines ----------------------------------------------------------------------------------


class VLine:
    """Runs that share a line on the page, left to right, with their bounding box."""

    __slots__ = ("runs", "x0", "y0", "x1", "y1", "size", "bold", "text")

    def __init__(self, rs: list[Run]):
        self.runs = sorted(rs, key=lambda r: r.x0)
        self.x0 = min(r.x0 for r in rs)
        self.x1 = max(r.x1 for r in rs)
        self.y0 = min(r.y0 for r in rs)
        self.y1 = max(r.y1 for r in rs)
        sizes: Counter = Counter()
        for r in rs:
            sizes[r.size] += len(r.text)
        self.size = sizes.most_common(1)[0][0]
        self.bold = _mostly_bold(rs)
        self.text = " ".join(r.text for r in self.runs)


def _mostly_bold(rs: list[Run]) -> bool:
    """Whether seven tenths of the runs' characters are bold."""
    total = sum(len(r.text) for r in rs)
    return total > 0 and sum(len(r.text) for r in rs if r.bold) / total > 0.7


def visual_lines(rs: list[Run]) -> list[VLine]:
    """Group runs into lines: a run joins the line whose vertical extent it overlaps by half its height."""
    groups: list[list] = []  # [y0, y1, runs]
    for r in sorted(rs, key=lambda r: (r.y0 + r.y1) / 2):
        best = None
        for g in groups[-6:]:
            overlap = min(g[1], r.y1) - max(g[0], r.y0)
            if overlap >= 0.5 * min(r.height, (g[1] - g[0]) or 0.1) and not any(_x_overlap(r, o) for o in g[2]):
                best = g
        if best is None:
            groups.append([r.y0, r.y1, [r]])
        else:
            best[0], best[1] = min(best[0], r.y0), max(best[1], r.y1)
            best[2].append(r)
    groups.sort(key=lambda g: (g[0] + g[1]) / 2)
    # a run that came first (by its centre) opens a line of its own, and the line's own runs may then
    # group beside it: a lettered step's marker set in a smaller font, "d" sitting high beside "Using a
    # soft cloth ..." (its parentheses drawn, not text). Two neighbouring groups that overlap by half
    # the smaller one's height, side by side, are one line.
    k = 1
    while k < len(groups):
        a, b = groups[k - 1], groups[k]
        overlap = min(a[1], b[1]) - max(a[0], b[0])
        if overlap >= 0.5 * min(a[1] - a[0], b[1] - b[0]) > 0 and not any(_x_overlap(r, o) for r in a[2] for o in b[2]):
            groups[k - 1] = [min(a[0], b[0]), max(a[1], b[1]), a[2] + b[2]]
            del groups[k]
            continue
        k += 1
    lines = [VLine(g[2]) for g in groups]
    lines.sort(key=lambda ln: (ln.y0 + ln.y1) / 2)
    return lines


def _x_overlap(a: Run, b: Run) -> bool:
    return min(a.x1, b.x1) - max(a.x0, b.x0) > 0.3 * min(a.x1 - a.x0, b.x1 - b.x0, 1e9)


# --- page items ------------------------------------------------------------------------------------


@dataclass
class Item:
    """One unit of the page in reading order: a line of text, or a table row.

    `cells` holds, per cell, its runs (a flow line has one cell). `headers` names each cell's column
    (table rows), `context` the table caption and the group label the row sits under."""

    cells: list[list[Run]]
    kind: str = ""  # "table_row" for a table row, "" for a flow line (classified later)
    headers: tuple[str, ...] = ()
    context: str = ""
    size: float = 0.0
    bold: bool = False
    x0: float = 0.0
    x1: float = 0.0
    continues: bool = False  # a table row that is the rest of the previous page's last row (see _continue_row)

    @property
    def text(self) -> str:
        """Cells joined by tabs; within a cell, runs joined by a space, or by an ideographic space
        (U+3000) where the text stream holds the two runs apart (a row number drawn in a column of
        its own): quotes are cut there, so that each piece is verbatim in the stream. A figure
        (figures.py: its caption, then its callouts) has a line per cell."""
        return ("\n" if self.kind == "figure" else "\t").join(_join_runs(cell) for cell in self.cells)


def _join_runs(cell: list[Run]) -> str:
    out = cell[0].text if cell else ""
    for a, b in zip(cell, cell[1:]):
        apart = a.end > 0 and not (0 <= b.start - a.end <= 3)
        out += ("\u3000" if apart else " ") + b.text
    return out


_CAPTION = re.compile(r"^\s*(?:(?:附录|附件|Appendix)\s*[A-Z\d]{1,2}\s*[：:]\s*)?(?:Table|TABLE|Tab\.|表)\s*[\dA-Z一二三四五六七八九十ⅠⅡⅢⅣⅤⅥⅦⅧⅨⅩ]", re.UNICODE)
# a table's or a figure's caption ("Table 3-1. Troubleshooting.", "Figure 3-2. Filter assembly.", "图 2")
CAPTION = re.compile(r"^\s*(?:Table|TABLE|Tab\.|表|Figure|FIGURE|Fig\.|图)\s*[\dA-Z一二三四五六七八九十ⅠⅡⅢⅣⅤⅥⅦⅧⅨⅩ][\w.\-]*\.?\s", re.UNICODE)
def _numeric(text: str) -> bool:
    """A value cell: digits, with at most a unit's worth of letters ("0.0008 in.", "25 N·m", "3/8")."""
    t = text.strip()
    digits = sum(c.isdigit() for c in t)
    letters = sum(c.isalpha() for c in t)
    return digits > 0 and t[:1].isdigit() | (t[:1] in "-–±.+/(") and letters <= max(6, len(t) // 4)


def read_page(rs: list[Run], width: float) -> list[Item]:
    """The page's items in reading order (runs of furniture already removed)."""
    lines = visual_lines(rs)
    if not lines:
        return []
    items: list[Item] = []
    for band in _column_bands(lines, width):
        items.extend(_read_lines(band))
    return items


def _column_bands(lines: list[VLine], width: float) -> list[list[VLine]]:
    """Lines in reading order, as bands: a page with two text columns is cut at its full-width lines
    into bands, each band read left column then right column; any other page is one band."""
    body_x0 = min(ln.x0 for ln in lines)
    body_x1 = max(ln.x1 for ln in lines)
    body = max(body_x1 - body_x0, 1.0)
    gutter = _gutter(lines, body_x0, body)
    if gutter is None:
        return [lines]
    gx0, gx1 = gutter
    bands: list[list[VLine]] = []
    left: list[VLine] = []
    right: list[VLine] = []

    def flush():
        if left or right:
            bands.append(left[:] + right[:])
            left.clear()
            right.clear()

    for ln in lines:
        if any(r.x0 < gx0 and r.x1 > gx1 for r in ln.runs):  # a full-width heading, figure or table
            flush()
            bands.append([ln])
            continue
        lr = [r for r in ln.runs if r.x1 <= gx1]
        rr = [r for r in ln.runs if r.x1 > gx1]
        if lr:
            left.append(VLine(lr))
        if rr:
            right.append(VLine(rr))
    flush()
    return bands


def _gutter(lines: list[VLine], body_x0: float, body: float) -> tuple[float, float] | None:
    """A vertical gutter in the middle half of the body that no run crosses (full-width lines aside),
    with wide text on both sides: at least six lines each, most of them a third of the body wide."""
    split_runs = [r for ln in lines for r in ln.runs if (r.x1 - r.x0) < 0.6 * body]
    if len(split_runs) < 12:
        return None
    lo, hi = body_x0 + 0.25 * body, body_x0 + 0.75 * body
    # coverage of the middle half in 2-point bins; a few crossing runs (a title, an author line, a
    # centred page number) are allowed: they are read as full-width lines between the bands
    nb = max(1, int((hi - lo) / 2))
    cover = [0] * nb
    for r in split_runs:
        a, b = max(int((r.x0 - lo) / 2), 0), min(int((r.x1 - lo) / 2), nb - 1)
        for k in range(a, b + 1):
            cover[k] += 1
    allowed = max(2, int(0.06 * len(split_runs)))
    best, start = None, None
    for k in range(nb + 1):
        free = k < nb and cover[k] <= allowed
        if free and start is None:
            start = k
        elif not free and start is not None:
            if best is None or k - start > best[1] - best[0]:
                best = (start, k)
            start = None
    if best is None or (best[1] - best[0]) * 2 < 6:
        return None
    best = (lo + 2 * best[0], lo + 2 * best[1])
    gx0, gx1 = best
    # each side's lines of text: runs alone on their line on that side (a table row's cells are not)
    alone = {id(r) for ln in lines for side in ([r for r in ln.runs if r.x1 <= gx0 + 1], [r for r in ln.runs if r.x0 >= gx1 - 1])
             if len(side) == 1 for r in side}
    left = [r for r in split_runs if r.x1 <= gx0 + 1 and id(r) in alone]
    right = [r for r in split_runs if r.x0 >= gx1 - 1 and id(r) in alone]
    # where a line has text on both sides, two text columns give it one run a side; a table's row
    # has several cells on one side (code and meaning left of the gutter, the remedy right of it)
    both = [(sum(r.x1 <= gx0 + 1 for r in ln.runs), sum(r.x0 >= gx1 - 1 for r in ln.runs)) for ln in lines]
    both = [(a, b) for a, b in both if a and b]
    if both and sum(a == 1 and b == 1 for a, b in both) < 0.7 * len(both):
        return None
    wide = 0.3 * body
    if len(left) < 6 or len(right) < 6:
        return None
    for side in (left, right):
        # most lines a third of the body wide; or, where a table or short lines sit in the column,
        # a good share of them, with the right edge of justified text
        share = sum((r.x1 - r.x0) >= wide for r in side) / len(side)
        edge = sorted(r.x1 for r in side)[int(0.9 * (len(side) - 1))]
        justified = sum(abs(r.x1 - edge) <= max(r.size, 4.0) for r in side) / len(side)
        if share < 0.5 and not (share >= 0.3 and justified >= 0.4):
            return None
    # Text columns, not a table: both sides start mostly at one left edge.
    for side in (left, right):
        edges = Counter(round(r.x0 / 4) for r in side)
        if edges.most_common(1)[0][1] < 0.4 * len(side):
            return None
    return gx0, gx1


def _read_lines(lines: list[VLine]) -> list[Item]:
    """Flow lines and tables of one column band, top to bottom."""
    items: list[Item] = []
    pitch = _pitch(lines)
    i = 0
    while i < len(lines):
        table = _staggered_table(lines, i) or _aligned_table(lines, i, pitch)
        if table is not None:
            end, rows = table
            caption = _caption_above(items)
            for row in rows:
                if caption:
                    row.context = f"{caption} > {row.context}" if row.context else caption
            items.extend(rows)
            i = end
            continue
        ln = lines[i]
        items.append(Item([ln.runs], "", (), "", ln.size, ln.bold, ln.x0, ln.x1))
        i += 1
    return items


def _pitch(lines: list[VLine]) -> float:
    """The usual white space between two lines of the band (median)."""
    gaps = sorted(b.y0 - a.y1 for a, b in zip(lines, lines[1:]) if b.y0 - a.y1 > -1)
    return gaps[len(gaps) // 2] if gaps else 0.0


def _caption_above(items: list[Item]) -> str:
    """The caption line ("Table 2-2. General Repair Standards") just before a table, if any."""
    for it in reversed(items[-3:]):
        if it.kind != "table_row" and _CAPTION.match(it.text):
            return " ".join(it.text.split())
    return ""


def _cells(ln: VLine) -> list[list[Run]]:
    """The line's cells: its runs (a run ends at a gap wider than a font size)."""
    return [[r] for r in ln.runs]


# a section or paragraph number before a heading's words: "3.1", "3-21.", "A-4", "第3章"
SECTION_NO = re.compile(r"(?:[\dA-Z]{1,3}(?:[.\-]\d{1,3})*\.?|第\S{1,4}[章节条])")
# a numbered or lettered step of a procedure, with words after its marker: "(1) Remove screw (1) ..."
_STEP_LINE = re.compile(r"^\s*(?:\(\d{1,3}\)|\d{1,3}[.)]|\(?[a-z]\s?[.)]|step\s+\d{1,3}[.:]?)[\s\u3000]+(?:\S+\s+){3,}\S", re.I)


def numbered_heading(cells: list[str], gap: float, size: float) -> bool:
    """Whether a line of two cells is a numbered heading ("3-21.    Hinge Assembly."): a section number,
    then the title less than three font sizes away. Such a line opens a section, never a table."""
    return len(cells) == 2 and bool(SECTION_NO.fullmatch(cells[0].strip())) and gap < 3 * max(size, 1.0)


def _headerish(text: str, bold: bool) -> bool:
    """Whether a cell reads as a column's name: bold, in capitals, or not in a Latin script. Short
    lower-case joining words do not count against the capitals ("NO. 1 or 2", "SIZE PER INCH").

    >>> _headerish("NO. 6 or 7", False), _headerish("Remove the cover", False)
    (True, False)
    """
    if len(text) > 60:
        return False
    capped = [w for w in re.findall(r"[^\W\d_]+", text) if not (w.islower() and len(w) <= 3 and w.isascii())]
    letters = [c for w in capped for c in w] or [c for c in text if c.isalpha()]
    if not letters:
        return False
    upper = sum(c.isupper() for c in letters) / len(letters)
    return bold or upper > 0.7 or not any(c.isascii() for c in letters)


# --- aligned-column tables ----------------------------------------------------------------------


def _aligned_table(lines: list[VLine], i: int, pitch: float) -> tuple[int, list[Item]] | None:
    """A table starting at line i whose cells keep to fixed x ranges; (end line, rows) or None."""
    first = _cells(lines[i])
    if len(first) < 2:
        return None
    if numbered_heading([_join_runs(c) for c in first], first[1][0].x0 - first[0][-1].x1, lines[i].size):
        return None
    cols = [(c[0].x0, c[-1].x1) for c in first]
    j = i + 1
    multi = int(not _list_line(first))
    steps = bool(_STEP_LINE.match(lines[i].text))
    while j < len(lines):
        ln = lines[j]
        if ln.y0 - lines[j - 1].y1 > max(2.5 * pitch, 2.2 * (ln.y1 - ln.y0)):
            break
        if _CAPTION.match(ln.text):
            break
        if _STEP_LINE.match(ln.text) and not steps and j - i >= 2 and ln.x0 < cols[0][1]:
            break  # a procedure's first step after a table (tools and parts) with no steps of its own
        cells = _cells(ln)
        if len(cells) == 1 and (abs(ln.size - lines[i].size) > 1.0 or (ln.bold and not lines[j - 1].bold)):
            break  # a heading after the table
        merged = _merge_columns(cols, [(c[0].x0, c[-1].x1) for c in cells], [" ".join(r.text for r in c) for c in cells])
        if merged is None or len(merged) < 2:
            break
        cols = merged
        multi += len(cells) >= 2 and not _list_line(cells)
        j += 1
    n = j - i
    if multi < 3 or multi < 0.4 * n:
        return None
    region = lines[i:j]
    rows = _rows(region, cols)
    if rows is None:
        return None
    return j, rows


# a list item's marker set apart from its text ("(a)", "(c )", "c .", "12."): a line of two cells
# that opens with one is a lettered or numbered step, not a table row, however wide the gap
_LIST_MARK = re.compile(r"\(\s*(?:\d{1,3}|[a-z])\s*\)|(?:\d{1,3}|[a-z])\s?[.)]|(?-i:[a-z])", re.I)


def _list_line(cells: list[list[Run]]) -> bool:
    """Whether a line's two cells are a step's marker and its text (no evidence of a table: a US Army
    manual's "c .  Adjust. (Figure 3-20) ...", "(a)  Open the door ..." are set with a hanging indent).

    >>> r = lambda t: [Run(0, len(t), 0.0, 0.0, 1.0, 1.0, 10.0, False, t)]
    >>> _list_line([r("(c )"), r("Insert shim (4)")]), _list_line([r("Height"), r("70.125 in")])
    (True, False)
    """
    return len(cells) == 2 and bool(_LIST_MARK.fullmatch(_join_runs(cells[0]).strip()))


def _merge_columns(cols: list[tuple[float, float]], cells: list[tuple[float, float]],
                   texts: list[str] | None = None) -> list[tuple[float, float]] | None:
    """The column ranges widened by the line's cells; None when the line is not part of the table: a
    cell over two columns that spans three quarters of the table's width or more (a paragraph, a full-width
    heading), or columns widened until they touch. A narrower cell that reaches over a gutter (two
    values printed close together) is taken as it is, without widening any column."""
    out = list(cols)
    width = max(out[-1][1] - out[0][0], 1.0)
    for n, (a, b) in enumerate(cells):
        words = texts[n].split() if texts else []
        hit = [k for k, (c0, c1) in enumerate(out) if min(b, c1) - max(a, c0) > -2]
        if len(hit) > 1:
            if b - a >= 0.75 * width or (b - a >= 0.5 * width and len(words) >= 5):
                return None  # a paragraph or a heading across the columns
            continue
        if hit:
            k = hit[0]
            out[k] = (min(out[k][0], a), max(out[k][1], b))
        else:
            out.append((a, b))
            out.sort()
    for (a0, a1), (b0, b1) in zip(out, out[1:]):
        if b0 - a1 < 2:
            return None
    return out


def _col_of(run_cell: list[Run], cols: list[tuple[float, float]]) -> int:
    """The column a cell belongs to: the one it overlaps most, else the nearest."""
    a, b = run_cell[0].x0, run_cell[-1].x1
    overlaps = [min(b, c1) - max(a, c0) for c0, c1 in cols]
    k = max(range(len(cols)), key=lambda k: overlaps[k])
    if overlaps[k] > 0:
        return k
    mid = (a + b) / 2
    return min(range(len(cols)), key=lambda k: abs((cols[k][0] + cols[k][1]) / 2 - mid))


def _rows(region: list[VLine], cols: list[tuple[float, float]]) -> list[Item] | None:
    """Header lines, then rows: lines merged where a cell wraps, group labels as context."""
    ncol = len(cols)
    grid: list[list[list[Run]]] = []
    for ln in region:
        row: list[list[Run]] = [[] for _ in range(ncol)]
        for cell in _cells(ln):
            row[_col_of(cell, cols)].extend(cell)
        grid.append(row)
    # a numbered or lettered list set with a hanging indent ("1    Remove the eight screws ...") has
    # the geometry of a two-column table: it is a list, its lines are read as lines
    # (a step's last word wrapped far right, "go to step / 13.", may give it a third cell here and there)
    firsts = [" ".join(r.text for r in g[0]) for g in grid if g[0]]
    wide = sum(sum(bool(c) for c in g) > 2 for g in grid)
    if firsts and all(_MARKER.fullmatch(t) for t in firsts) and (ncol == 2 or wide <= 0.3 * len(grid)):
        return None
    h = _header_lines(region, grid)
    if h:  # the columns are the body's: a header cell may span two of them
        body_cols = _body_columns(region[h:])
        if body_cols and len(body_cols) >= 2:
            cols, ncol = body_cols, len(body_cols)
            grid = [[[] for _ in range(ncol)] for _ in region]
            for g, ln in zip(grid, region):
                for cell in _cells(ln):
                    g[_col_of(cell, cols)].extend(cell)
    headers = _header_texts(region[:h], cols)
    body = list(zip(region[h:], grid[h:]))
    if len(body) < 2:
        return None
    # rows: a new row where the first column has text after a line that filled other columns, or at a
    # larger vertical gap; a line that fills the first column only heads the rows below (a group)
    tops = [ln.y0 for ln, _ in body]
    bottoms = [ln.y1 for ln, _ in body]
    gaps = [tops[k] - bottoms[k - 1] for k in range(1, len(body))]
    small = min(gaps) if gaps else 0.0
    wide = sum(g > small + 0.6 * max(body[0][0].size, 4.0) for g in gaps)
    spaced = 0.15 * len(gaps) <= wide <= 0.85 * len(gaps) and wide > 0  # two kinds of gap: within a row, between rows
    sparse_key = sum(bool(row[0]) for _, row in body) < 0.7 * len(body)
    rows: list[Item] = []
    cur: list[list[Run]] | None = None
    cur_line: VLine | None = None
    groups: list[tuple[list[Run], float]] = []  # group labels the rows sit under, outermost first

    def group() -> str:
        return " > ".join(" ".join(r.text for r in g) for g, _ in groups)

    for k, (ln, row) in enumerate(body):
        filled = [c for c in range(ncol) if row[c]]
        new = cur is None
        if not new:
            if spaced:  # rows set apart by wider gaps: a row starts after one, where its first cells are
                new = gaps[k - 1] > small + 0.6 * max(ln.size, 4.0) and (0 in filled or (sparse_key and 1 in filled and ncol > 2))
            elif sparse_key:  # an item number or name opens each row; the lines between continue it
                new = 0 in filled
            else:
                new = 0 in filled or not any(cur[c] for c in range(1, ncol))
        only_first = filled == [0] and ncol > 1
        if new and only_first and k + 1 < len(body) and body[k + 1][1][0] and body[k + 1][1][0][0].x0 > row[0][0].x0 + 2:
            if cur is not None:
                rows.append(_row_item(cur, cur_line, headers, group()))
                cur = None
            # a group label ("Cylinder Bore" over "Diameter", "Out of Round"): a row of its own, and
            # the context of the rows below it until a row starts as far left
            x = row[0][0].x0
            groups[:] = [(g, gx) for g, gx in groups if gx < x - 1]
            rows.append(_row_item([row[0]], ln, headers[:1], group()))
            groups.append((row[0], x))
            continue
        if new:
            if cur is not None:
                rows.append(_row_item(cur, cur_line, headers, group()))
            if groups and row[0]:  # a row as far left as a group label leaves that group
                groups[:] = [(g, gx) for g, gx in groups if gx < row[0][0].x0 - 1]
            cur = [list(c) for c in row]
            cur_line = ln
        else:
            for c in range(ncol):
                cur[c].extend(row[c])
    if cur is not None:
        rows.append(_row_item(cur, cur_line, headers, group()))
    if h:
        head_cells = [[r for ln in region[:h] for r in ln.runs if _col_of([r], cols) == c] for c in range(ncol)]
        rows.insert(0, Item([c for c in head_cells if c], "table_header", (), "", region[0].size, True, region[0].x0, region[0].x1))
        return _side_by_side(rows, headers, cols)
    return rows


def _side_by_side(rows: list[Item], headers: tuple[str, ...], cols: list[tuple[float, float]]) -> list[Item]:
    """A table printed as copies side by side, its column names repeated ("To change | To | Multiply
    by | To change | To | Multiply by", "MEASUREMENT ABBREVIATION | MEASUREMENT ABBREVIATION"): read
    as the copies one after the other, the left one first, each under its own header row, as a
    technician reads a conversion chart. A row then holds one record, not two."""
    n = len(headers)
    w = next((n // k for k in (2, 3, 4) if n % k == 0 and all(headers[i:i + n // k] == headers[: n // k] for i in range(0, n, n // k))), 0)
    if not w or not all(headers[:w]):
        return rows
    parts: list[list[Item]] = [[] for _ in range(n // w)]
    for it in rows:
        split: list[list[list[Run]]] = [[] for _ in parts]
        for cell in it.cells:
            split[_col_of(cell, cols) // w].append(cell)
        for part, cells in zip(parts, split):
            if cells:
                heads = tuple(headers[_col_of(c, cols)] for c in cells) if it.kind == "table_row" else ()
                part.append(Item(cells, it.kind, heads, it.context, it.size, it.bold,
                                 min(r.x0 for c in cells for r in c), max(r.x1 for c in cells for r in c)))
    return [it for part in parts for it in part]


def _body_columns(lines: list[VLine]) -> list[tuple[float, float]] | None:
    cols: list[tuple[float, float]] | None = None
    for ln in lines:
        cells = [(c[0].x0, c[-1].x1) for c in _cells(ln)]
        if cols is None:
            if len(cells) >= 2:
                cols = cells
            continue
        merged = _merge_columns(cols, cells)
        if merged is not None:
            cols = merged
    return cols


def _header_texts(head: list[VLine], cols: list[tuple[float, float]]) -> tuple[str, ...]:
    """Each column's header: the header runs over it, top to bottom (a run over two columns heads both).
    A run above another header line heads the columns of the header runs below it that it stands over,
    and, where its line names several groups, the columns in its share of the line: a group's name
    centred over its sub-columns ("SAE GRADE / No. 5" over "POUND FEET | NEWTON METERS") names both,
    not only the one its few letters happen to overlap.

    >>> r = lambda t, x0, x1, y: Run(0, len(t), x0, y, x1, y + 8, 8.0, False, t)
    >>> head = [VLine([r("No. 5", 335, 355, 0)]), VLine([r("POUND NEWTON", 313, 381, 10)]),
    ...         VLine([r("FEET", 318, 333, 20), r("METERS", 352, 378, 20)])]
    >>> _header_texts(head, [(327, 335), (355, 375)])
    ('No. 5 POUND NEWTON FEET', 'No. 5 POUND NEWTON METERS')
    """
    def own(r: Run) -> set[int]:
        over = {k for k, (c0, c1) in enumerate(cols) if min(r.x1, c1) - max(r.x0, c0) > 0}
        if not over:  # a header wider or narrower than its column's values: the nearest column
            mid = (r.x0 + r.x1) / 2
            over = {min(range(len(cols)), key=lambda k: abs((cols[k][0] + cols[k][1]) / 2 - mid))}
        return over

    def spread(runs: list[Run], n: int) -> set[int]:
        """The columns whose middles lie in the n-th run's share of its line, from halfway to the run
        before it to halfway to the run after it (at the line's ends, as far out as on its other side),
        where the run is centred over them."""
        r = runs[n]
        left = (runs[n - 1].x1 + r.x0) / 2 if n else None
        right = (r.x1 + runs[n + 1].x0) / 2 if n + 1 < len(runs) else None
        left = r.x0 - (right - r.x1) if left is None else left
        right = r.x1 + (r.x0 - left) if right is None else right
        ks = {k for k, (c0, c1) in enumerate(cols) if left <= (c0 + c1) / 2 <= right}
        if not ks:
            return ks
        # a group's name is centred over its columns; a name over its own column ("TASK" over "PARA."
        # beside "PROCEDURES", named on the line below only) is not one
        a, b = min(cols[k][0] for k in ks), max(cols[k][1] for k in ks)
        return ks if abs((r.x0 + r.x1) / 2 - (a + b) / 2) <= 0.25 * (b - a) else set()

    below: list[tuple[Run, set[int]]] = []  # the header runs read so far, bottom line up, with the columns each heads
    for i, ln in reversed(list(enumerate(head))):
        placed = []
        for n, r in enumerate(ln.runs):
            ks = own(r)
            if i < len(head) - 1 and len(ln.runs) > 1:  # a line of group names over the names of columns
                ks |= spread(ln.runs, n)
            for b, bk in below:  # a lower header run this one stands over (most of the narrower of the two)
                if min(r.x1, b.x1) - max(r.x0, b.x0) >= 0.3 * max(1.0, min(r.x1 - r.x0, b.x1 - b.x0)):
                    ks |= bk
            placed.append((r, ks))
        below += placed
    heads = {id(r): ks for r, ks in below}
    words: list[list[str]] = [[] for _ in cols]
    for ln in head:
        for r in ln.runs:
            for k in sorted(heads[id(r)]):
                words[k].append(r.text)
    return tuple(" ".join(" ".join(w).split()) for w in words)


def is_header_row(cells: list[str], body: list[list[str]]) -> bool:
    """Whether a first row names the columns of the rows below: none of its cells is a value while
    most rows below hold one (in a column other than the first)."""
    if not body or any(_numeric(c) for c in cells if c):
        return False
    valued = sum(any(_numeric(c) for c in row[1:] if c) for row in body)
    return valued >= 0.6 * len(body)


def _header_lines(region: list[VLine], grid: list[list[list[Run]]]) -> int:
    """How many leading lines of a table are its header: lines with no numeric cell that are set in
    capitals or bold, or that a clearly wider gap (a rule, usually) separates from the body."""
    def plain(k: int) -> bool:
        cells = [c for c in grid[k] if c]
        return bool(cells) and not any(_numeric(" ".join(r.text for r in c)) for c in cells)

    n = min(4, len(region) - 2)
    h = 0
    while h < n and plain(h) and all(_headerish(" ".join(r.text for r in c), all(r.bold for r in c)) for c in grid[h] if c):
        h += 1
    if h:
        return h
    # lines set apart from the body by a gap wider than any between its rows (a rule, usually)
    gaps = [b.y0 - a.y1 for a, b in zip(region, region[1:])]
    body_gap = sorted(gaps)[len(gaps) // 2] if gaps else 0.0
    for k in range(1, n + 1):
        if not plain(k - 1):
            break
        g = gaps[k - 1]
        if g > max(1.8 * body_gap, body_gap + 0.8 * max(region[k - 1].size, 4.0)) and g >= 1.3 * max(gaps[k:] or [0.0]):
            return k
    # a first line of names over columns of values
    texts = [[" ".join(r.text for r in c) for c in g] for g in grid]
    return int(len(region) >= 3 and is_header_row(texts[0], texts[1:]))


def _row_item(cells: list[list[Run]], ln: VLine | None, headers: tuple[str, ...], group: str) -> Item:
    keep = [k for k, c in enumerate(cells) if c]
    return Item([cells[k] for k in keep], "table_row", tuple(headers[k] for k in keep),
                group, ln.size if ln else 0.0, False,
                min(r.x0 for k in keep for r in cells[k]), max(r.x1 for k in keep for r in cells[k]))


# --- staggered-header tables (troubleshooting) -----------------------------------------------------


def _staggered_table(lines: list[VLine], i: int) -> tuple[int, list[Item]] | None:
    """MALFUNCTION / TEST OR INSPECTION / CORRECTIVE ACTION printed as two or three header lines, each
    indented further: the body's lines belong to the column whose indent they start at; a line in
    the first column heads the rows below it, a line in the second starts a row, the third completes it."""
    heads: list[VLine] = []
    j = i
    while j < len(lines) and len(heads) < 4:
        ln = lines[j]
        letters = [c for c in ln.text if c.isalpha()]
        capitals = bool(letters) and sum(c.isupper() for c in letters) / len(letters) > 0.7
        spread = any(b.x0 - a.x1 > 2 * max(ln.size, 4.0) for a, b in zip(ln.runs, ln.runs[1:]))
        if (len(ln.text) > 40 or not (ln.bold or capitals) or _numeric(ln.text) or _starts_item(ln.text)
                or ln.text.rstrip()[-1:] in "。.;；:：" or spread or _CAPTION.match(ln.text)):
            break  # column names are short, set in capitals or bold, not sentences, one to a line
        if heads and ln.y0 - heads[-1].y1 > 1.5 * max(ln.size, 4.0):
            break
        heads.append(ln)
        j += 1
    if len(heads) < 2:
        return None
    em = max(heads[0].size, 4.0)
    anchors = [h.x0 for h in heads]
    if any(b <= a + 8 for a, b in zip(anchors, anchors[1:])):
        # the header lines are not indented as the body is: take the body's indents, one per header
        clusters: list[list[float]] = []
        for x in sorted(ln.x0 for ln in lines[j : j + 20]):
            if clusters and x - clusters[-1][-1] <= 1.5 * em:
                clusters[-1].append(x)
            else:
                clusters.append([x])
        clusters = sorted(sorted(clusters, key=len, reverse=True)[: len(heads)])
        if len(clusters) != len(heads) or min(map(len, clusters)) < 2 or abs(clusters[0][0] - heads[0].x0) > 2 * em:
            return None
        anchors = [c[0] for c in clusters]
    names = tuple(" ".join(h.text.split()) for h in heads)
    rows: list[Item] = []
    parent = ""
    cur: list[list[Run]] | None = None
    cur_line = None
    end = j
    seen = 0
    prev_col = None
    for k in range(j, len(lines)):
        ln = lines[k]
        # the table ends at a caption, a wide gap, a bold or larger line (a heading), or a line in the
        # first column that neither opens a numbered entry nor continues the entry above it
        if _CAPTION.match(ln.text) or ln.y0 - lines[k - 1].y1 > 3 * em or ln.bold or ln.size > heads[0].size + 0.5:
            break
        col = max((c for c, a in enumerate(anchors) if ln.x0 >= a - 1.5 * em), default=None)
        if col is None:
            break
        if col == 0 and prev_col != 0 and not _starts_item(ln.text) and seen:
            break
        end = k + 1
        seen += 1
        if col == 0:
            if cur is not None:
                rows.append(_stag_row(cur, cur_line, names, parent))
                cur = None
            if prev_col == 0:  # the malfunction's text wraps
                parent = parent + " " + ln.text
                rows[-1].cells[0].extend(ln.runs)
            else:
                parent = ln.text
                rows.append(Item([list(ln.runs)], "table_row", names[:1], "", ln.size, False, ln.x0, ln.x1))
            prev_col = 0
            continue
        prev_col = col
        if col == 1 and (cur is None or any(cur[2:]) or _starts_item(ln.text)):
            if cur is not None:
                rows.append(_stag_row(cur, cur_line, names, parent))
            cur = [[] for _ in anchors]
            cur_line = ln
        if cur is None:
            cur = [[] for _ in anchors]
            cur_line = ln
        cur[col].extend(ln.runs)
    if cur is not None:
        rows.append(_stag_row(cur, cur_line, names, parent))
    if seen < 2 or not rows:
        return None
    head = Item([h.runs for h in heads], "table_header", (), "", heads[0].size, True, heads[0].x0, heads[-1].x1)
    return end, [head] + rows


# a list marker alone in its cell: "12.", "(3)", "c.", "(a)", "•", and a bare lower-case letter, a lettered
# step whose parentheses are drawn rather than set as text (TM 10-5411-205-13 p. 4-5: "d", "e", ... at the indent)
_MARKER = re.compile(r"(?:step\s+)?(?:\(?\d{1,3}[.)]?\)?|\(?[a-z][.)]\)?|(?-i:[a-z])|[•·▪◦●\-*–])(?:\s+\d{1,3}[.)]?)*", re.I)
_ITEM_START = re.compile(r"^\s*(?:step\s+\d+|\d{1,3}[.)、]|[a-z][.)]|[(（]\d{1,3}[)）]|\([a-z]\)|第\S{1,3}步)", re.I)


def _starts_item(text: str) -> bool:
    return bool(_ITEM_START.match(text))


def _stag_row(cells: list[list[Run]], ln, names: tuple[str, ...], parent: str) -> Item:
    """A row under the malfunction `parent`: its context names it ("MALFUNCTION: 1. PUMP WILL NOT START.")."""
    return _row_item(cells, ln, names, f"{names[0]}: {' '.join(parent.split())}" if parent else "")


# --- running headers, footers and page labels ------------------------------------------------------

_LABEL = re.compile(
    r"^(?:change\s+\d+\s+)?[-–—]?\s*(?P<label>(?:[A-Z]{1,2}-)?\d{1,3}(?: ?- ?\d{1,4})?(?:\.\d{1,3})?|[ivxlc]{1,7}|[IVXLC]{1,7}|index\s+\d+)\s*[-–—]?"
    r"(?:\s*/\s*\(?\s*[\w\s.-]*blank\s*\)?)?(?:\s+change\s+\d+)?$",
    re.I,
)
_LABEL_IN = re.compile(r"(?:^|\s)[-–—]\s*(\d{1,4})\s*[-–—](?:\s|$)|^第\s*(\d{1,4})\s*页")


def page_label(run_texts: list[str]) -> str:
    """The printed page label among a page's edge runs (bottom first), or ''."""
    for t in run_texts:
        s = " ".join(t.split())
        m = _LABEL.match(s)
        if m and any(ch.isdigit() for ch in m.group("label")) | bool(re.fullmatch(r"[ivxlcIVXLC]+", m.group("label"))):
            return re.sub(r"(?<=\d) ?- ?(?=\d)", "-", " ".join(m.group("label").split()))  # "3- 2 Change 1": page 3-2
        m = _LABEL_IN.search(s)
        if m:
            return m.group(1) or m.group(2)
    return ""


@dataclass
class PageRuns:
    """One page's runs with its size, before furniture is taken out."""

    runs: list[Run]
    width: float
    height: float


def edge_runs(page: PageRuns, band: float = 0.09) -> list[int]:
    """Indexes of the runs in the top or bottom band of the page (a running header or footer lives
    there): those of the first and last two visual lines, when they lie in the bands."""
    top, bottom = band * page.height, (1 - band) * page.height
    lines = visual_lines(page.runs)
    at = {id(r): k for k, r in enumerate(page.runs)}
    picks = lines[:2] + lines[-2:]
    return sorted({at[id(r)] for ln in picks if ln.y1 <= top + 2 or ln.y0 >= bottom - 2 for r in ln.runs})


def shape(text: str) -> str:
    """A run's text with digits and white space evened out: what repeats from page to page."""
    return re.sub(r"\d+", "#", "".join(text.split())).lower()


def furniture(pages: list[PageRuns]) -> tuple[list[set[int]], list[str]]:
    """Per page, the indexes of runs that are running headers, footers or page labels; and the page
    labels. A run is furniture when it lies in the page's top or bottom band and its shape recurs in
    the bands of a fifth of the pages (three at least), or when it is the page label."""
    edges = [edge_runs(p) for p in pages]
    counts: Counter = Counter()
    for p, edge in zip(pages, edges):
        counts.update({shape(p.runs[i].text) for i in edge})
    need = max(2, len(pages) // 5)
    drop: list[set[int]] = []
    labels: list[str] = []
    for p, edge in zip(pages, edges):
        gone = {i for i in edge if counts[shape(p.runs[i].text)] >= need}
        bottom_first = sorted(edge, key=lambda i: -p.runs[i].y0)
        label = ""
        for i in bottom_first:
            lab = page_label([p.runs[i].text])
            if lab:
                label = lab
                gone.add(i)
                break
        # a label run split from "Change 1" or the doc id stays a label: drop lone digits at the edge
        gone |= {i for i in edge if re.fullmatch(r"[-–—\s\d]+|change\s+\d+", p.runs[i].text.strip(), re.I)}
        drop.append(gone)
        labels.append(label)
    if len(pages) < 2:  # one page cannot tell furniture: keep everything but the label
        drop = [{i for i in d if page_label([p.runs[i].text])} for d, p in zip(drop, pages)]
    return drop, labels


def continue_rows(items: list[Item], prev: Item | None) -> Item | None:
    """A troubleshooting table continued from the page before: the rows at the top of this page that
    sit under no malfunction of their own belong to the last one of the previous page (same columns).
    Fills their context in place; returns the page's last table row, for the next page."""
    last = next((it for it in reversed(items) if it.kind == "table_row"), None)
    if prev is None:
        return last
    if ": " not in prev.context:  # an aligned table: its last row may go on at the top of this page
        _continue_row(items, prev)
        return last
    inherited = prev.context.rsplit(" > ", 1)[-1]
    for it in items:
        if it.kind == "table_header":
            continue
        if it.kind != "table_row" or ": " in it.context or not set(it.headers) <= set(prev.headers) | {""}:
            break
        it.context = f"{it.context} > {inherited}" if it.context else inherited
    return last if last is not None else prev


def _continue_row(items: list[Item], prev: Item) -> None:
    """A row cut by the page break: where this page opens with the same table (its header row repeated
    or not, a "(cont)" caption allowed) and its first row has no first cell, that row is the rest of the
    previous page's last row; it gets that row's first cell as its context ("Pump does not start"),
    so that it is found and read as part of it, and is marked `continues` (chunk.py joins the two
    parts into one row). Fills both in place."""
    if not prev.headers or not prev.headers[0] or not prev.cells:
        return
    for it in items:
        if it.kind == "table_header" or (it.kind == "" and _CAPTION.match(it.text)):
            continue
        if it.kind == "table_row" and it.headers and prev.headers[0] not in it.headers and set(it.headers) <= set(prev.headers):
            key = _join_runs(prev.cells[0])
            it.context = f"{it.context} > {key}" if it.context else key
            it.continues = True
        return


def read_stream(rs: list[Run]) -> list[Item]:
    """The page's runs in the text stream's order, a line wherever the stream moves to another line
    (no columns, no tables): how PDFs were read before layout analysis, kept for comparison."""
    items: list[Item] = []
    for r in rs:
        last = items[-1] if items else None
        if last is not None and last.cells[0] and min(last.cells[0][-1].y1, r.y1) - max(last.cells[0][-1].y0, r.y0) > 0.5 * r.height \
                and r.x0 >= last.cells[0][-1].x1 - 1:
            last.cells[0].append(r)
            last.x1 = max(last.x1, r.x1)
            continue
        items.append(Item([[r]], "", (), "", r.size, r.bold, r.x0, r.x1))
    for it in items:
        it.bold = _mostly_bold(it.cells[0])
    return items
