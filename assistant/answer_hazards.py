"""Warnings, cautions and lock-out steps that go with an answer. A manual puts the WARNING right
before the step it guards, and often in the passage before the one that answers; so hazards are
collected from the cited passages, the passages next to them in the same section, and retrieved
passages of the same procedure. They are shown with every answer that cites the procedure,
whatever the question asked.

>>> is_hazard("2. Switch off Q1. Fit your padlock and tag (lock-out/tag-out).")
True
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from .answer_extract import passage_units
from .ingest.lines import HAZARD_RE, LIST_RE
from .types import Chunk, Hit

LOCKOUT_RE = re.compile(
    r"lock(?:ed)?[\s-]?out|tag[\s-]?out|\bLOTO\b|padlock|isolat(?:e|or|ion)\b.{0,40}\block|"
    r"挂牌上锁|上锁挂牌|挂牌|上锁|隔离开关.{0,20}锁",
    re.IGNORECASE,
)
SIGNAL_RE = re.compile(r"\b(?:WARNING|CAUTION|DANGER)\b|警告|危险|小心")


@dataclass(frozen=True)
class Hazard:
    text: str  # verbatim unit of the chunk text
    chunk_id: str
    doc: str
    page: int

    def to_json(self) -> dict:
        return {"text": self.text, "chunk_id": self.chunk_id, "doc": self.doc, "page": self.page}


def is_hazard(text: str) -> bool:
    body = LIST_RE.sub("", text, count=1)
    return bool(HAZARD_RE.match(body) or SIGNAL_RE.search(text) or LOCKOUT_RE.search(text))


def neighbours(library, chunk: Chunk, before: int = 1, after: int = 1) -> list[Chunk]:
    """Chunks just before and after `chunk` in its document (chunks are stored in reading order)."""
    if library is None:
        return []
    db = library.store.db
    row = db.execute("SELECT rowid, doc_id FROM chunks WHERE id=?", (chunk.id,)).fetchone()
    if not row:
        return []
    ids = [r[0] for r in db.execute("SELECT rowid FROM chunks WHERE doc_id=? AND rowid BETWEEN ? AND ? AND rowid != ? ORDER BY rowid",
                                    (row[1], row[0] - before, row[0] + after, row[0]))]
    rows = library.store.chunk_rows(ids)
    return [rows[i] for i in ids if i in rows]


def _same_procedure(a: Chunk, b: Chunk) -> bool:
    """Same document and same section, or sibling sections under the same procedure heading."""
    if a.doc != b.doc:
        return False
    need = max(1, len(a.section) - 1)
    return len(a.section) >= 1 and a.section[:need] == b.section[:need]


def hazards_for(cited: list[Chunk], hits: list[Hit], library=None, limit: int = 6) -> list[Hazard]:
    """Hazard units of the procedure(s) the answer cites, in document order, without repeats."""
    pool: dict[str, Chunk] = {}
    for c in cited:
        pool[c.id] = c
        for n in neighbours(library, c, before=2, after=1):
            if _same_procedure(c, n):
                pool.setdefault(n.id, n)
    for h in hits:
        if any(_same_procedure(c, h.chunk) for c in cited):
            pool.setdefault(h.chunk.id, h.chunk)
    chunks = sorted(pool.values(), key=lambda c: (c.doc, c.page, c.start))
    out, seen = [], set()
    for c, units in zip(chunks, passage_units([Hit(c, 0.0) for c in chunks])):
        for u in units:
            key = " ".join(u.text.split()).lower()
            if u.heading or u.injected or key in seen or not is_hazard(u.text):
                continue
            seen.add(key)
            out.append(Hazard(u.text, c.id, c.doc, c.page))
    # the signal-word warnings first: they are the ones a technician must not miss
    out.sort(key=lambda h: 0 if SIGNAL_RE.search(h.text) or HAZARD_RE.match(h.text) else 1)
    return out[:limit]
