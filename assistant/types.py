"""Plain data at the seams between pipeline stages.

>>> Citation(chunk_id="ab12", doc="hp3_pump_manual.pdf", page=3, quote="Stop the unit.").to_json()["page"]
3
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

BlockKind = Literal["heading", "paragraph", "list_item", "table_row", "warning", "figure"]


@dataclass(frozen=True)
class Block:
    """One structural unit of a parsed document, in reading order.

    `start`/`end` are character offsets into the text of its page (`ParsedDoc.pages[page - 1]`),
    so `page_text[start:end] == text` always holds: quotes cut from a block are verbatim.
    """

    text: str
    page: int
    start: int
    end: int
    kind: BlockKind = "paragraph"
    level: int = 0  # heading level, 1 = top; for a table row, 1 marks the table's header row
    # A table row: `text` is its cells in column order, separated by tabs; `headers` names each
    # cell's column ("" where the table has no header there); `context` is what the row sits under
    # (the table's caption, a group label, the malfunction a troubleshooting step belongs to).
    headers: tuple[str, ...] = ()
    context: str = ""
    # A table row cut by the page break: True on the part at the top of the next page, the rest of
    # the previous page's last table row (its first cells empty; `context` ends with that row's first
    # cell). The chunker joins the two parts into one row (index/chunk.py, `whole_rows`).
    continues: bool = False

    def cells(self) -> list[str]:
        """A table row's cells, white space evened out: split at the tabs a PDF row holds, or at the
        " | " a Word or HTML row is written with."""
        sep = "\t" if "\t" in self.text else " | "
        return [" ".join(c.split()) for c in self.text.split(sep)]

    def labelled(self) -> str:
        """The row as a technician reads it: its first cell (what the row is about), then each other
        cell after its column's name: "Motor flange bolts | Torque: 49 N·m" (other blocks: the text)."""
        if self.kind != "table_row" or not self.headers:
            return self.text
        cells = self.cells()
        parts = cells[:1] + [f"{h}: {c}" if h else c for h, c in zip(self.headers[1:], cells[1:])]
        return " | ".join(parts)


@dataclass(frozen=True)
class Figure:
    """A figure of a PDF page (assistant/ingest/figures.py): its label ("Figure 3-2"), caption
    ("Figure 3-2. Filter assembly."), callout texts in reading order, and its region of the page,
    `bbox` = (x0, y0, x1, y1) in PDF points from the page's top-left corner (as layout runs). The
    image is cut from the page when shown (assistant.pages.render_region), never stored.
    `start`/`end` span its block (kind "figure": the caption, then the callouts) in the page text."""

    page: int
    label: str
    caption: str
    callouts: tuple[str, ...] = ()
    bbox: tuple[float, float, float, float] = (0.0, 0.0, 0.0, 0.0)
    start: int = 0
    end: int = 0

    def to_json(self) -> dict:
        return {"page": self.page, "label": self.label, "caption": self.caption, "callouts": list(self.callouts),
                "bbox": [round(v, 1) for v in self.bbox]}


@dataclass(frozen=True)
class ParsedDoc:
    path: str
    format: str
    pages: tuple[str, ...]
    blocks: tuple[Block, ...]
    title: str = ""
    ocr_pages: tuple[int, ...] = ()
    page_labels: tuple[str, ...] = ()  # the printed page number of each page ("3-12", "ii"), "" if none
    figures: tuple[Figure, ...] = ()  # the figures of a PDF, in page order

    def page_label(self, page: int) -> str:
        return self.page_labels[page - 1] if 0 < page <= len(self.page_labels) else ""


@dataclass(frozen=True)
class Chunk:
    """A retrievable passage. `text` is verbatim `pages[page-1][start:end]` of its document."""

    id: str
    doc: str
    page: int
    section: tuple[str, ...]
    start: int
    end: int
    text: str
    language: str
    kinds: tuple[str, ...] = ()
    # A passage holding table rows, as a technician reads it: the table's caption and column names,
    # then its rows (see chunk.labelled); "" for other passages. What the dense and lexical indexes
    # see, so a row is found by its column names; quotes still come from `text`.
    labelled: str = ""
    page_label: str = ""  # the page's printed number ("3-12"), "" where the document prints none

    @property
    def search_text(self) -> str:
        """The passage as the indexes see it: `labelled` where the passage holds table rows, else `text`."""
        return self.labelled or self.text

    @property
    def embed_text(self) -> str:
        """What the dense model sees: the heading trail, then the passage."""
        trail = " > ".join(self.section)
        return f"{trail}\n{self.search_text}" if trail else self.search_text

    @staticmethod
    def make_id(doc: str, page: int, start: int, text: str) -> str:
        h = hashlib.sha256(f"{doc}\x00{page}\x00{start}\x00{text}".encode("utf-8")).hexdigest()
        return h[:20]


@dataclass(frozen=True)
class Hit:
    chunk: Chunk
    score: float
    dense_score: float | None = None
    lexical_score: float | None = None
    rank: int = 0
    # The unit the search returns around the matched chunk (enclosing.py): its section's chunks in
    # reading order, the matched one among them, each a passage with its own score; () for the chunk alone.
    unit: tuple["Hit", ...] = ()

    @property
    def chunks(self) -> tuple[Chunk, ...]:
        """The chunks a reader sees for this hit, in reading order: its unit's, or the matched chunk alone."""
        return tuple(p.chunk for p in self.unit) or (self.chunk,)

    @property
    def unit_text(self) -> str:
        """What a reader of this hit reads: its unit's chunks one after the other, a passage of table
        rows with its caption and column names (`Chunk.search_text`); the chunk's text without a unit.
        Quotes are still cut from each `chunk.text`, the verbatim slice of its page."""
        return "\n\n".join(c.search_text for c in self.chunks) if self.unit else self.chunk.text

    @property
    def display_text(self) -> str:
        """`unit_text` with white space (line breaks of the page included) collapsed to single spaces."""
        return " ".join(self.unit_text.split())

    def to_json(self) -> dict:
        """A search hit as JSON. `score` is in 0..1 (see Retriever.search); `text` is `display_text`."""
        c = self.chunk
        return {
            "chunk_id": c.id,
            "doc": c.doc,
            "page": c.page,
            "section": " > ".join(c.section),
            "score": round(min(1.0, max(0.0, float(self.score))), 6),
            "text": self.display_text,
        } | ({"page_label": c.page_label} if c.page_label else {}) | ({"unit": self.unit_refs()} if len(self.unit) > 1 else {})

    def unit_refs(self) -> list[dict]:
        """The unit's chunks and their pages, in reading order (JSON)."""
        return [{"chunk_id": u.id, "page": u.page} for u in self.chunks]


class Citation(BaseModel):
    """Where a line comes from: `quote` is verbatim text of chunk `chunk_id` (document `doc`, page `page`)."""

    # One type for answers and step cards. A pydantic model, because it is part of the card's published
    # JSON Schema: extra="forbid" is the schema's additionalProperties=false, so a typo in a consumer's
    # hand-edited card is caught instead of silently ignored. Frozen: a citation is never changed.
    model_config = ConfigDict(extra="forbid", frozen=True)

    chunk_id: str
    doc: str
    page: int = Field(ge=1)
    quote: str = Field(min_length=1)
    # the page's printed number ("3-12") where the document prints one: what a technician looks up
    page_label: str = Field("", description="the page number printed on the page, '' when none (page is the 1-based PDF page)")

    def to_json(self) -> dict:
        out = {"chunk_id": self.chunk_id, "doc": self.doc, "page": self.page, "quote": self.quote}
        if self.page_label:
            out["page_label"] = self.page_label
        return out

    def page_ref(self, lang: str = "en") -> str:
        """The page as a technician looks it up: "p. 3-12 (PDF page 57)", or "p. 57" (see page_ref)."""
        return page_ref(self.page, self.page_label, lang)


def page_ref(page: int, label: str = "", lang: str = "en") -> str:
    """A page reference for display: the printed label first, the PDF page beside it when they differ.

    >>> page_ref(57, "3-12"), page_ref(3), page_ref(3, "3"), page_ref(9, "7", "zh")
    ('p. 3-12 (PDF page 57)', 'p. 3', 'p. 3', '第 7 页（PDF 第 9 页）')
    """
    zh = lang.startswith("zh")
    if not label or label == str(page):
        return f"第 {page} 页" if zh else f"p. {page}"
    return f"第 {label} 页（PDF 第 {page} 页）" if zh else f"p. {label} (PDF page {page})"


@dataclass
class IndexReport:
    indexed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    failed: list[dict] = field(default_factory=list)
    chunks: int = 0
    seconds: float = 0.0
    embedded: int = 0  # vectors actually computed this run (0 when nothing changed)

    def to_json(self) -> dict:
        return {
            "indexed": self.indexed,
            "unchanged": self.unchanged,
            "removed": self.removed,
            "failed": self.failed,
            "chunks": self.chunks,
            "seconds": round(self.seconds, 3),
            "embedded": self.embedded,
        }
