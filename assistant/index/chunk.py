"""Structure-aware chunking.

Rules: a heading opens a new chunk and names its section path; a warning or caution stays with the
step it guards; a line (table row) is never split; Chinese sentences end at 。！？；; chunks never
cross a page and stay within the embedding model's token limit. Every chunk's text is an exact
slice of its page, so any quote taken from it is verbatim.

>>> import tempfile
>>> from pathlib import Path
>>> from assistant.ingest import parse
>>> md = Path(tempfile.mkdtemp()) / "filter.md"
>>> _ = md.write_text("# Filter\\n\\n1. Lock out the pump.\\n2. Open the housing.\\n", encoding="utf-8")
>>> [c.text for c in chunk_doc(parse(md), 200)]
['Filter\\n\\n1. Lock out the pump.\\n2. Open the housing.']
"""
from __future__ import annotations

import re
from typing import Callable

from ..textrules import SENTENCE_END, trimmed_pieces
from ..types import Block, Chunk, ParsedDoc

_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_WORD = re.compile(r"[A-Za-z0-9]+|[^\sA-Za-z0-9]")


def approx_tokens(text: str) -> int:
    """WordPiece-like estimate: ~1.3 tokens per Latin word, one per CJK character or symbol."""
    n = 0
    for m in _WORD.finditer(text):
        w = m.group()
        n += 1 + len(w) // 6 if w[0].isascii() and w[0].isalnum() else 1
    return n


def detect_language(text: str, default: str = "en") -> str:
    """'zh' when CJK characters make up a fifth of the letters, else 'en'; `default` for near-empty text."""
    cjk = len(_CJK.findall(text))
    letters = sum(ch.isalpha() for ch in text)
    if letters < 6:
        return default
    return "zh" if cjk / letters > 0.2 else "en"


def _units(blocks: list[Block]) -> list[list[Block]]:
    """Blocks grouped so that a warning travels with the block it guards."""
    units: list[list[Block]] = []
    pending: list[Block] = []
    for b in blocks:
        if b.kind == "warning":
            pending.append(b)
            continue
        if pending and b.kind != "heading" and b.page == pending[-1].page:
            units.append(pending + [b])
        else:
            units.extend([[w] for w in pending])
            units.append([b])
        pending = []
    units.extend([[w] for w in pending])
    return units


def _split_span(text: str, start: int, max_tokens: int, count: Callable[[str], int]) -> list[tuple[int, int]]:
    """Cut an oversized span into pieces within max_tokens: by lines, then sentences, then words."""
    # Each separator marks where a piece may end (its match end); pieces are then trimmed of spaces.
    seps = [re.compile(r"[\r\n]+"), SENTENCE_END, re.compile(r"\s+"), re.compile(r"(?<=.)")]
    for sep in seps:
        cuts = sorted({m.end() for m in sep.finditer(text) if 0 < m.end() < len(text)} | {len(text)})
        pieces = trimmed_pieces(text, cuts)
        if len(pieces) > 1:
            break
    out: list[tuple[int, int]] = []
    for s, e in pieces:
        if out and count(text[out[-1][0] : e]) <= max_tokens:
            out[-1] = (out[-1][0], e)
        elif count(text[s:e]) > max_tokens and len(pieces) > 1:
            out.extend((start + a - start + s, start + b - start + s) for a, b in _split_span(text[s:e], 0, max_tokens, count))
        else:
            out.append((s, e))
    return [(start + s, start + e) for s, e in out]


def labelled(blocks: list[Block], whole: dict[tuple[int, int], str] | None = None) -> str:
    """The blocks as the indexes see them when they hold table rows with headers or a caption; ''
    when there is no such row (the passage's text is then what the indexes see). `whole` gives a row
    cut by the page break, by either part's (page, start), as the one row it is (see `whole_rows`).

    The caption or group label goes once before the rows under it, the column names once before
    the rows they head (each part of a long table gets them again, as it starts a new chunk). A row
    of prose cells (a cause, a remedy) names each cell's column ("Step 1. ... | CORRECTIVE ACTION:
    ..."); a row of short values does not repeat the names, which would outweigh the values."""
    if not any(b.kind == "table_row" and (b.headers or b.context) for b in blocks):
        return ""
    out: list[str] = []
    ctx = None
    heads: tuple[str, ...] = ()
    for b in blocks:
        if b.kind != "table_row":
            out.append(" ".join(b.text.split()))
            continue
        cells = b.cells()
        if b.context and b.context != ctx:
            if not out or out[-1] != b.context:  # a caption set as a heading is there already
                out.append(b.context)
            ctx = b.context
        if not b.headers:  # a header row ("||" between its cells), or a row of a table without one
            out.append((" || " if b.level == 1 else " | ").join(cells))
            heads = tuple(cells)
            continue
        if any(b.headers) and tuple(h for h in b.headers if h) != tuple(c for c in heads if c) and not set(b.headers) <= set(heads) | {""}:
            out.append(" || ".join(h for h in b.headers if h))  # "||": column names, not a row
            heads = b.headers
        prose = sum(map(len, cells)) / len(cells) >= 25
        joined = (whole or {}).get((b.page, b.start))
        out.append(joined or (b.labelled() if prose else " | ".join(cells)))
    return "\n".join(out)


ROW_CUT = "row_cut"  # a chunk kind: the chunk's last table row goes on in the document's next chunk
ROW_REST = "row_rest"  # a chunk kind: the chunk's first table row is the rest of the previous chunk's last


def whole_rows(blocks: list[Block]) -> dict[tuple[int, int], str]:
    """Rows cut by a page break (a `continues` block and the table row before it), each read as the
    one row it is: every column's two parts joined ("Supply voltage low or one phase missing"), as
    Block.labelled writes a row. Keyed by both parts' (page, start): both chunks carry the whole row
    in their labelled text, so either is found by all of it, and an answer quoting one part quotes
    the other too (answer/extract.py). Each part's text stays a verbatim slice of its own page."""
    out: dict[tuple[int, int], str] = {}
    for i, b in enumerate(blocks):
        if not b.continues:
            continue
        head = next((a for a in reversed(blocks[:i]) if a.kind == "table_row" and a.page < b.page), None)  # not the repeated header row
        if head is None or head.page != b.page - 1 or not head.headers:
            continue
        first, rest = head.cells(), dict(zip(b.headers, b.cells()))
        cells = [" ".join(x for x in (c, rest.get(h, "") if h else "") if x) for h, c in zip(head.headers, first)]
        parts = cells[:1] + [f"{h}: {c}" if h else c for h, c in zip(head.headers[1:], cells[1:])]
        out[(head.page, head.start)] = out[(b.page, b.start)] = " | ".join(parts)
    return out


def _text(doc: ParsedDoc, blocks: list[Block]) -> str:
    return doc.pages[blocks[0].page - 1][blocks[0].start : blocks[-1].end]


def chunk_doc(doc: ParsedDoc, max_tokens: int = 240, count: Callable[[str], int] = approx_tokens, doc_id: str | None = None) -> list[Chunk]:
    doc_id = doc_id or doc.path
    doc_lang = detect_language("".join(doc.pages)[:20000])
    chunks: list[Chunk] = []
    trail: list[tuple[int, str]] = []  # (level, heading text)
    cur: list[Block] = []
    cur_section: tuple[str, ...] = ()
    whole = whole_rows(list(doc.blocks))

    def emit(page: int, s: int, e: int, kinds: tuple[str, ...], blocks: list[Block]):
        page_text = doc.pages[page - 1]
        while s < e and page_text[s].isspace():
            s += 1
        while e > s and page_text[e - 1].isspace():
            e -= 1
        text = page_text[s:e]
        if text:
            inside = [b for b in blocks if b.start < e and b.end > s]
            rows = [b for b in inside if b.kind == "table_row" and b.level != 1]  # not a header row
            if rows and (rows[-1].page, rows[-1].start) in whole and not rows[-1].continues:
                kinds = tuple(sorted({*kinds, ROW_CUT}))
            if rows and rows[0].continues and (rows[0].page, rows[0].start) in whole:
                kinds = tuple(sorted({*kinds, ROW_REST}))
            chunks.append(Chunk(Chunk.make_id(doc_id, page, s, text), doc_id, page, cur_section, s, e, text,
                                detect_language(text, doc_lang), kinds, labelled(inside, whole), doc.page_label(page)))

    def emit_blocks(blocks: list[Block]):
        page = blocks[0].page
        s, e = blocks[0].start, blocks[-1].end
        kinds = tuple(sorted({b.kind for b in blocks}))
        text = doc.pages[page - 1][s:e]
        if count(text) <= max_tokens:
            emit(page, s, e, kinds, blocks)
        else:
            for a, b in _split_span(text, s, max_tokens, count):
                emit(page, a, b, kinds, blocks)

    def flush():
        nonlocal cur
        if not cur:
            return
        if labelled(cur, whole):  # table rows: whole rows per chunk, each part with its headers
            group: list[Block] = []
            for b in cur:
                if group and count(labelled(group + [b], whole) or _text(doc, group + [b])) > max_tokens:
                    emit_blocks(group)
                    group = []
                group.append(b)
            emit_blocks(group)
        else:
            emit_blocks(cur)
        cur = []

    def cost(blocks: list[Block]) -> int:
        return count(labelled(blocks, whole) or _text(doc, blocks))

    for unit in _units(list(doc.blocks)):
        first = unit[0]
        if first.kind == "heading":
            if not all(b.kind == "heading" for b in cur):
                flush()
            level = first.level or 1
            while trail and trail[-1][0] >= level:
                trail.pop()
            trail.append((level, " ".join(first.text.split())))
            if cur and cur[0].page != first.page:
                flush()
            cur_section = tuple(t for _, t in trail)
            cur.extend(unit)
            continue
        only_headings = all(b.kind == "heading" for b in cur)
        if cur and (cur[0].page != first.page or (not only_headings and cost(cur + unit) > max_tokens)):
            flush()
        cur.extend(unit)
    flush()
    return chunks
