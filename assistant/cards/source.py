"""A whole document, reassembled from its chunks in reading order, so that a procedure split across
chunks and pages can be read as one text while every quote still maps back to a verbatim slice of
one chunk.

`DocText.text` holds the document's non-empty lines joined by "\\n"; `lines[i]` says which chunk and
which characters each line came from. Headings are recognised from the chunks' section paths.

    doc = load_document(library.store.db, doc_id=3)            # needs an indexed library
    doc.quotes(*doc.find("Stop the unit"))[0].page              # needs an indexed library
    # -> 3
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import cached_property

from ..answer.verify import norm, quote_pieces
from ..index.store import column_or_empty, read_figures, table_columns
from ..types import Chunk, Citation, Figure


@dataclass(frozen=True)
class Line:
    start: int  # span in DocText.text
    end: int
    chunk: int  # index into DocText.chunks
    cstart: int  # span in that chunk's text
    cend: int


@dataclass(frozen=True)
class Heading:
    line: int  # index of its first line
    nlines: int
    path: tuple[str, ...]  # section path down to this heading

    @property
    def depth(self) -> int:
        return len(self.path)


@dataclass
class DocText:
    doc_id: int
    name: str
    format: str
    title: str
    chunks: list[Chunk]
    text: str = ""
    lines: list[Line] = field(default_factory=list)
    headings: list[Heading] = field(default_factory=list)
    figures: list[Figure] | None = None  # the document's recorded figures (None: not read from a library)

    def in_figure(self, li: int) -> bool:
        """Whether line `li` is part of a figure's block (its caption or a callout such as "1 Filter housing")."""
        ln = self.lines[li]
        c = self.chunks[ln.chunk]
        at = c.start + ln.cstart
        return any(f.page == c.page and f.start <= at < f.end for f in self.figures or ())

    @cached_property
    def front_headings(self) -> tuple[str, ...]:
        """The headings of the document's first page, in order ("*TM TECHNICAL MANUAL", "SHELTER,
        ELECTRICAL EQUIPMENT S-250/G ...", "HEADQUARTERS, DEPARTMENT OF THE ARMY")."""
        first = self.chunks[0].page if self.chunks else 0
        return tuple(dict.fromkeys(h for c in self.chunks if c.page == first for h in c.section))

    @property
    def front(self) -> str:
        """What the document is about, as its front page says: its title and the headings of its first
        page, where a technician reads the equipment's name."""
        return " ".join([self.title, *self.front_headings])

    def line_at(self, pos: int) -> int:
        """Index of the line holding text position `pos` (or the next line after it)."""
        lo, hi = 0, len(self.lines)
        while lo < hi:
            mid = (lo + hi) // 2
            if self.lines[mid].end <= pos:
                lo = mid + 1
            else:
                hi = mid
        return min(lo, len(self.lines) - 1)

    def quotes(self, start: int, end: int) -> list[Citation]:
        """Verbatim citations for text[start:end]: one per run of adjacent lines of the same chunk."""
        out: list[Citation] = []
        run: list[int] = []  # [chunk, cstart, cend]
        text_of = lambda r: self.chunks[r[0]].text[r[1]:r[2]]  # noqa: E731
        for li in range(self.line_at(start), len(self.lines)):
            ln = self.lines[li]
            if ln.start >= end:
                break
            a = ln.cstart + max(0, start - ln.start)
            b = ln.cend - max(0, ln.end - end)
            if b <= a:
                continue
            text = self.chunks[ln.chunk].text
            if run and run[0] == ln.chunk and not text[run[2]:a].strip():
                run[2] = b
                continue
            if run and text_of(run).strip():
                out += self._cite(*run)
            run = [ln.chunk, a, b]
        if run and text_of(run).strip():
            out += self._cite(*run)
        return out

    def _cite(self, ci: int, a: int, b: int) -> list[Citation]:
        """Citations of chunk ci's text[a:b]: one per piece that is verbatim in the file as a reader
        sees it (a PDF row's cells and runs the text stream holds apart are quoted apart)."""
        c = self.chunks[ci]
        return [Citation(chunk_id=c.id, doc=c.doc, page=c.page, quote=q, page_label=c.page_label)
                for q in quote_pieces(c.doc, c.text[a:b].strip())]

    def pages(self, start: int, end: int) -> list[int]:
        return sorted({q.page for q in self.quotes(start, end)})

    def chunk_ids(self, start: int, end: int) -> set[str]:
        """Ids of the chunks that text[start:end] touches."""
        out = set()
        for li in range(self.line_at(start), len(self.lines)):
            if self.lines[li].start >= end:
                break
            out.add(self.chunks[self.lines[li].chunk].id)
        return out


def from_chunks(name: str, fmt: str, chunks: list[Chunk], title: str = "") -> DocText:
    """A DocText from chunks already in reading order (tests, or documents not in a store)."""
    doc = DocText(0, name, fmt, title, list(chunks))
    _assemble(doc)
    return doc


def load_document(db, doc_id: int) -> DocText:
    """Read one document's chunks from the store (read-only) and reassemble its text."""
    d = db.execute("SELECT name, format, title FROM documents WHERE id=?", (doc_id,)).fetchone()
    label = column_or_empty(table_columns(db, "chunks"), "page_label")
    rows = db.execute(
        f"SELECT rowid, id, page, section, start, end, text, language, kinds, {label} FROM chunks WHERE doc_id=? ORDER BY page, start",
        (doc_id,)).fetchall()
    chunks = [Chunk(r[1], d[0], r[2], tuple(json.loads(r[3])), r[4], r[5], r[6], r[7], tuple(filter(None, r[8].split(","))),
                    page_label=r[9]) for r in rows]
    doc = DocText(doc_id, d[0], d[1], d[2] or "", chunks)
    doc.figures = [r.figure for r in read_figures(db, doc_id)]
    _assemble(doc)
    return doc


def doc_id_of(db, chunk_id: str) -> int | None:
    row = db.execute("SELECT doc_id FROM chunks WHERE id=?", (chunk_id,)).fetchone()
    return row[0] if row else None


def _assemble(doc: DocText) -> None:
    spans: list[tuple[int, int, int]] = []  # (chunk index, cstart, cend) per line
    prev_page, prev_end = 0, 0
    for ci, c in enumerate(doc.chunks):
        skip = prev_end - c.start if c.page == prev_page and c.start < prev_end else 0  # overlapping chunks: read once
        for m in re.finditer(r"[^\r\n]+", c.text):
            a, b = m.start(), m.end()
            if b <= skip:
                continue
            a = max(a, skip)
            seg = c.text[a:b]
            if seg.strip():
                a += len(seg) - len(seg.lstrip())
                b = a + len(seg.strip())
                spans.append((ci, a, b))
        prev_page, prev_end = c.page, max(prev_end if c.page == prev_page else 0, c.end)
    parts, pos = [], 0
    for ci, a, b in spans:
        t = doc.chunks[ci].text[a:b]
        doc.lines.append(Line(pos, pos + len(t), ci, a, b))
        parts.append(t)
        pos += len(t) + 1
    doc.text = "\n".join(parts)
    doc.headings = _headings(doc)


def _headings(doc: DocText) -> list[Heading]:
    """Heading lines: at the start of a chunk whose section path adds headings to the previous chunk's."""
    out: list[Heading] = []
    first_line: dict[int, int] = {}
    for li, ln in enumerate(doc.lines):
        first_line.setdefault(ln.chunk, li)
    prev: tuple[str, ...] = ()
    for ci, c in enumerate(doc.chunks):
        sec = c.section
        k = 0
        while k < min(len(sec), len(prev)) and sec[k] == prev[k]:
            k += 1
        prev = sec
        li = first_line.get(ci)
        if li is None:
            continue
        for depth in range(k, len(sec)):
            n = _match_heading(doc, li, ci, norm(sec[depth]))
            if n:
                out.append(Heading(li, n, sec[: depth + 1]))
                li += n
    return out


def _match_heading(doc: DocText, li: int, ci: int, target: str) -> int:
    """How many lines from `li` (all in chunk `ci`) spell the heading `target` (0: they do not)."""
    acc = ""
    for n in range(li, min(li + 4, len(doc.lines))):
        ln = doc.lines[n]
        if ln.chunk != ci:
            return 0
        acc += norm(doc.text[ln.start:ln.end])
        if acc == target:
            return n - li + 1
        if not target.startswith(acc):
            return 0
    return 0
