"""Small-to-big retrieval: a search matches small passages (chunks) and returns the unit a reader
needs around each, the enclosing unit, which is what the user sees and what an answer draws from.

- A passage of prose or steps reads on into the rest of its section (the chunks before and after it
  in the same document under the same headings) while the unit stays within a token budget
  (`Settings.unit_tokens`, about what the language model reads): a short section comes whole, a long
  procedure as the window around the matched passage, reading on first.
- A passage of table rows with their column names (a PDF table read from the layout) is its own unit:
  its indexed text already carries the caption, the column names and any row the page break cut
  (index/chunk.labelled), which is what a technician reads; the next rows are other rows. Rows without
  them (a Markdown table) read on within their table like prose, so its header row comes with them.
- Two matches inside one unit are one hit (the better one's score), so the top k are k distinct units;
  a lower match in a long section that an earlier window did not reach gets its own window, never
  overlapping one already shown.

Chunks are stored in reading order (a document's chunks have consecutive row ids), so the
neighbours of a chunk are the rows just before and after it.

>>> outline = {1: (7, "Pump > Removal", False, 40), 2: (7, "Pump > Removal", False, 60), 3: (7, "Pump > Fitting", False, 30)}
>>> unit_rows(2, outline, 480, set())
[1, 2]
"""
from __future__ import annotations

from .types import Hit

SPAN = 8  # chunks read on each side of a match: more than a unit within the budget ever holds
NEIGHBOUR = 0.5  # a unit's chunk the search did not match scores this share of the match's score


def enclosing_units(store, ranked: list[Hit], rowids: list[int], k: int, budget: int) -> list[Hit]:
    """The first `k` distinct units of `ranked` (hits best first, `rowids` their chunks' row ids), each
    a Hit of its matched chunk with `unit` set to the unit's chunks in reading order, each a Hit of its
    own (see the module doc); the unit's dense and lexical scores are its best chunk's. `budget` 0
    returns the hits as they are."""
    if budget <= 0 or not ranked:
        return ranked[:k]
    outline = store.outline(_around(rowids[:k]))
    taken: set[int] = set()
    units: list[tuple[Hit, list[int]]] = []
    for hit, rowid in zip(ranked, rowids):
        if len(units) == k:
            break
        if rowid in taken:
            continue  # inside a better match's unit
        if rowid not in outline:  # a candidate below the first k (matches merged): read around it too
            outline.update(store.outline(_around([rowid])))
        members = unit_rows(rowid, outline, budget, taken)
        taken.update(members)
        units.append((hit, members))
    matched = dict(zip(rowids, ranked))
    rows = {r: h.chunk for r, h in matched.items()} | store.chunk_rows([r for r in taken if r not in matched])
    out = []
    for h, members in units:
        # each chunk of the unit a passage of its own: a chunk the search matched keeps its scores, the
        # others read on from the match at a discount (an answer prefers what the question matched)
        parts = tuple(matched.get(r) or Hit(rows[r], h.score * NEIGHBOUR) for r in members if r in rows)
        out.append(Hit(h.chunk, h.score, _best(p.dense_score for p in parts), _best(p.lexical_score for p in parts), h.rank, parts))
    return out


def _best(scores) -> float | None:
    """The best of the scores that exist (a unit matches as well as its best matched chunk), or None."""
    return max((s for s in scores if s is not None), default=None)


def unit_passages(hits: list[Hit]) -> list[Hit]:
    """What an answer reads of these hits: each one's unit, one passage per chunk in reading order
    (see enclosing_units for their scores). A hit without a unit (a search that returned chunks
    alone) is its own passage."""
    return [p for h in hits for p in (h.unit or (h,))]


def _around(rowids: list[int]) -> list[int]:
    return sorted({r + d for r in rowids for d in range(-SPAN, SPAN + 1) if r + d > 0})


def unit_rows(rowid: int, outline: dict[int, tuple[int, str, bool, int]], budget: int, taken: set[int]) -> list[int]:
    """Row ids of the unit around `rowid`, in reading order: the chunk itself, then the chunks of its
    section after and before it in turn while they fit the budget; never a row in `taken` (another
    hit's unit) and never past one. A passage of labelled table rows is its own unit. `outline`:
    Store.outline."""
    doc, section, table, size = outline[rowid]
    if table:
        return [rowid]
    lo = hi = rowid
    ends = [False, False]  # [after, before]: no further chunk of the section fits on that side
    while not all(ends):
        for side, step in ((0, 1), (1, -1)):
            if ends[side]:
                continue
            r = (hi if step > 0 else lo) + step
            o = outline.get(r)
            if o is None or r in taken or o[0] != doc or o[1] != section or size + o[3] > budget:
                ends[side] = True
                continue
            size += o[3]
            lo, hi = min(lo, r), max(hi, r)
    return list(range(lo, hi + 1))
