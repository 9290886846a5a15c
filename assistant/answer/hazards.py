"""Warnings, cautions and lock-out steps that guard the procedure an answer comes from. A manual
puts the WARNING right before the step it guards, often in the passage before the one that answers;
so hazards are collected from the cited passages, the passages next to them and retrieved passages,
as long as they belong to the same procedure (the cited section, its subsections, and the sibling
subsections of a "Procedure" / "Inspection steps" section). A hazard is a signal-word block
(WARNING, CAUTION, DANGER, 警告, 危险, 注意, 小心, opening the unit as a label) or a numbered step of
the procedure that locks out the energy. A checklist item ("- Main isolator Q1 is free of locks"),
a table row or a sentence that only mentions "hazardous waste" is not a warning.

>>> is_hazard("2. Switch off Q1. Fit your padlock and tag (lock-out/tag-out).")
True
>>> is_hazard("- Main isolator Q1 is free of locks and tags.") or is_hazard("| Leaks | none | Lock out, then repair |")
False
>>> is_hazard("WARNING marks a hazard that can cause death.") or is_hazard("废旧滤芯和废油按危险废物处理；")
False
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from .extract import passage_units
from ..plaintext import is_table_row, plain
from ..textrules import HAZARD_LEVELS, SET_APART_LETTER, signal_words
from ..types import Chunk, Hit

LOCKOUT_RE = re.compile(
    r"lock(?:ed)?[\s-]?out|tag[\s-]?out|\bLOTO\b|padlock|isolat(?:e|or|ion)\b.{0,40}\block|"
    r"挂牌上锁|上锁挂牌|挂牌|上锁|隔离开关.{0,20}锁",
    re.IGNORECASE,
)
# A hazard's signal word as a label: upper case, or followed by ":" / "!" (not "WARNING marks a
# hazard", not "危险废物"). Notes (NOTE, 提示) guard nothing: they are not hazards.
_EN, _ZH = signal_words(HAZARD_LEVELS, chinese=False), signal_words(HAZARD_LEVELS, chinese=True)
SIGNAL_RE = re.compile(rf"^\W{{0,3}}\s*(?:(?:{_EN})(?:\s*[:：!！\-–—]|\s*$|\s+(?=[A-Z\d\u4e00-\u9fff]))"
                       rf"|(?i:{_EN})\s*[:：!！]"
                       rf"|(?:{_ZH})\s*(?:[:：!！]|$))")
_NUMBERED = re.compile(r"^\s*(?:\d{1,3}[.)．](?![\d.])|[（(]\d{1,3}[)）]|\d{1,3}、|第\s*[一二三四五六七八九十\d]{1,3}\s*步|(?i:step)\s+\d{1,3}|[\u2460-\u2473])")
_BULLET = re.compile(r"^\s*[-*+•·▪◦●■□➢►▶✓–—]\s")
# a signal word on a line of its own, its warning on the lines below ("CAUTION" over "To ensure that ...")
_LABEL_ONLY = re.compile(rf"^\W{{0,3}}\s*(?:{_EN}|{_ZH})\s*[:：!！]?\s*$")
# what ends a warning set below its label: a step ("(2) ...", "(a) ...", "c. ...", "d\u3000..."), a step's
# marker alone on its line ("(d)", "d", "4."), a note or another label
_BLOCK_END = re.compile(rf"^\s*(?:[（(][a-z][)）]|[a-z]\s?\.\s|{SET_APART_LETTER}|[（(]?(?:[a-z]|\d{{1,3}})[.)）]?\s*$|NOTE\b|注意事项|说明|提示)")
MAX_BODY_CHARS = 800  # a warning's text below its label, at most (the TMs' longest is about 400)
# Headings under which the subsections are stages of one procedure ("4 Procedure" > "4.2 Draining
# the oil"), or that name a part of the procedure above them ("3.1 Replacing ..." > "Tools and parts").
_NUM = r"^\s*(?:\d+(?:\.\d+)*\.?|[A-Z]\.)?\s*"
_STAGES = re.compile(_NUM + r"(?:(?:work(?:ing)?\s+|inspection\s+|maintenance\s+|test\s+)?(?:procedure|steps|instructions?)"
                     r"|操作步骤|作业步骤|步骤|操作程序|程序)\s*$", re.IGNORECASE)
_PART = re.compile(_NUM + r"(?:procedure|steps|instructions?|preparation|tools?(?:\s*(?:and|&|,)\s*\w+)*|(?:spare\s+)?parts"
                   r"|materials|consumables|safety|safety\s+notes?|操作步骤|步骤|准备|工具(?:和|及|与)?(?:备件|材料)?|备件|材料|安全(?:事项|须知)?)\s*$",
                   re.IGNORECASE)


@dataclass(frozen=True)
class Hazard:
    text: str  # verbatim unit of the chunk text
    chunk_id: str
    doc: str
    page: int

    @property
    def display(self) -> str:
        """The warning as shown: clean text (no list number, Markdown or line breaks)."""
        return plain(self.text)

    def to_json(self) -> dict:
        return {"text": self.text, "display": self.display, "chunk_id": self.chunk_id, "doc": self.doc, "page": self.page}


def is_signal_warning(text: str) -> bool:
    return bool(SIGNAL_RE.match(text))


def is_hazard(text: str) -> bool:
    """A signal-word warning, or a numbered step that locks out the energy (see the module doc)."""
    first = text.lstrip().split("\n", 1)[0]
    if is_table_row(first) or _BULLET.match(first):
        return False
    if SIGNAL_RE.match(text):
        return True
    return bool(_NUMBERED.match(text) and LOCKOUT_RE.search(text))


def _place(library, chunk: Chunk) -> tuple[int, int] | None:
    """(rowid, doc_id) of `chunk` in the library's store; None where it is not stored."""
    return library.store.db.execute("SELECT rowid, doc_id FROM chunks WHERE id=?", (chunk.id,)).fetchone()


def printed_before(library, chunk: Chunk, text: str) -> Chunk | None:
    """The nearest chunk of `chunk`'s document, at or before it in reading order, whose text holds
    `text` verbatim (where a title over it is printed); None where none does."""
    row = _place(library, chunk)
    at = library.store.db.execute("SELECT rowid FROM chunks WHERE doc_id=? AND rowid<=? AND instr(text, ?) > 0 "
                                  "ORDER BY rowid DESC LIMIT 1", (row[1], row[0], text)).fetchone() if row else None
    return library.store.chunk_rows([at[0]]).get(at[0]) if at else None


def neighbours(library, chunk: Chunk, before: int = 1, after: int = 1) -> list[Chunk]:
    """Chunks just before and after `chunk` in its document (chunks are stored in reading order)."""
    if library is None:
        return []
    db = library.store.db
    row = _place(library, chunk)
    if not row:
        return []
    ids = [r[0] for r in db.execute("SELECT rowid FROM chunks WHERE doc_id=? AND rowid BETWEEN ? AND ? AND rowid != ? ORDER BY rowid",
                                    (row[1], row[0] - before, row[0] + after, row[0]))]
    rows = library.store.chunk_rows(ids)
    return [rows[i] for i in ids if i in rows]


def procedure_scope(chunk: Chunk) -> tuple[str, ...]:
    """The section path of the procedure a chunk belongs to (see the module doc)."""
    path = tuple(chunk.section)
    if len(path) >= 3 and _PART.match(path[-1]):
        return path[:-1]
    if len(path) >= 3 and _STAGES.match(path[-2]):
        return path[:-1]
    return path


def in_scope(scope: tuple[str, ...], doc: str, other: Chunk) -> bool:
    """Whether `other` belongs to the procedure `scope` of document `doc`. A passage at the top of
    a document (its title only) is no procedure: only passages of that same section count."""
    if other.doc != doc:
        return False
    if len(scope) <= 1:
        return tuple(other.section) == scope
    return tuple(other.section[: len(scope)]) == scope


def _with_body(c: Chunk, units, k: int) -> str:
    """Unit k of chunk c, and where it is a signal word alone on its line ("CAUTION"), the warning set
    below it: the units after it up to a step, a note, another label or a heading, whole units of at
    most MAX_BODY_CHARS in all, verbatim from the chunk text. A US Army TM prints every warning so; a
    box saying "CAUTION" and nothing else warns of nothing."""
    u = units[k]
    if not _LABEL_ONLY.match(u.text):
        return u.text
    end = u.end
    for n in units[k + 1:]:
        if n.heading or n.injected or is_hazard(n.text) or _NUMBERED.match(n.text) or _BLOCK_END.match(n.text):
            break
        if n.end - u.end > MAX_BODY_CHARS:
            break
        end = n.end
    return c.text[u.start:end]


def hazards_for(cited: list[Chunk], hits: list[Hit], library=None, limit: int = 6) -> list[Hazard]:
    """Hazard units of the procedure(s) the answer cites, signal-word warnings first, then in
    document order, without repeats."""
    scopes = {(c.doc, procedure_scope(c)) for c in cited}
    inside = lambda ch: any(in_scope(s, d, ch) for d, s in scopes)  # noqa: E731
    pool: dict[str, Chunk] = {}
    for c in cited:
        pool[c.id] = c
        for n in neighbours(library, c, before=3, after=3):
            if inside(n):
                pool.setdefault(n.id, n)
    for h in hits:
        if inside(h.chunk):
            pool.setdefault(h.chunk.id, h.chunk)
    chunks = sorted(pool.values(), key=lambda c: (c.doc, c.page, c.start))
    out, seen = [], set()
    for c, units in zip(chunks, passage_units([Hit(c, 0.0) for c in chunks])):
        for k, u in enumerate(units):
            if u.heading or u.injected or not is_hazard(u.text):
                continue
            text = _with_body(c, units, k)
            key = " ".join(text.split()).lower()
            if key in seen:
                continue
            seen.add(key)
            out.append(Hazard(text, c.id, c.doc, c.page))
    # the signal-word warnings first: they are the ones a technician must not miss
    out.sort(key=lambda h: 0 if is_signal_warning(h.text) else 1)
    return out[:limit]
