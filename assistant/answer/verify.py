"""Checks that keep generated text grounded: sentence splitting, verbatim quotes, number checks and
support scores. Used by answers and step cards alike. For an answer, this is also the stage that
turns a draft's claims into citations and drops any claim whose numbers its quotes do not hold.

>>> numbers_in("Tighten to 25 N·m (ISO VG 46, part HF-220-10).")
['25', '46', '220', '10']
>>> unsupported_numbers("Torque is 30 N·m", ["Tighten the cover to 25 N·m."])
['30']
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from ..index.lexical import tokenize
from ..eval.metrics import norm  # noqa: F401 - part of this module's interface
from ..textrules import NUMBER, sentence_spans
from ..types import Chunk, Citation, Hit
from .draft import Claim, Draft, Dropped

_NUMBER = re.compile(NUMBER)
_MARKUP = re.compile(r"\.(?:html?|xhtml|xml)$", re.IGNORECASE)
# a list marker and nothing else: "27.", "(9)", "(c )", "f" (a lettered step whose parentheses the PDF draws)
_MARKER_ONLY = re.compile(r"^(?:\d{1,3}[.)．]|[（(] ?(?:\d{1,3}|[a-z]) ?[)）]|[a-z]|\d{1,3}、|[\u2460-\u2473])$")


def numbers_in(text: str) -> list[str]:
    return _NUMBER.findall(text)


def unsupported_numbers(text: str, quotes: list[str]) -> list[str]:
    """Numbers in `text` that occur in none of the quotes (commas as thousands separators ignored)."""
    pool = norm(" ".join(quotes)).replace(",", "")
    return [n for n in dict.fromkeys(numbers_in(text)) if n.replace(",", "") not in pool]


def sentences(text: str) -> list[tuple[int, int]]:
    """Spans of the sentences (or lines: steps, table rows) of `text` that hold a letter or digit,
    stripped of surrounding white space."""
    return [(s, e) for s, e in sentence_spans(text) if any(ch.isalnum() for ch in text[s:e])]


def overlap(claim: str, source: str) -> float:
    """Share of the claim's content tokens found in the source (0..1)."""
    c = set(tokenize(claim))
    if not c:
        return 0.0
    return len(c & set(tokenize(source))) / len(c)


def best_span(claim: str, chunk_text: str, max_sentences: int = 2) -> tuple[int, int, float]:
    """The run of up to `max_sentences` consecutive sentences of the chunk that best supports the claim:
    (start, end, overlap). The span is verbatim chunk text."""
    spans = sentences(chunk_text) or [(0, len(chunk_text))]
    best = (spans[0][0], spans[0][1], -1.0)
    for i in range(len(spans)):
        for j in range(i, min(i + max_sentences, len(spans))):
            s, e = spans[i][0], spans[j][1]
            score = overlap(claim, chunk_text[s:e]) - 0.01 * (j - i)
            if score > best[2]:
                best = (s, e, score)
    return best


def cite(chunk: Chunk, start: int = 0, end: int | None = None) -> Citation:
    """A citation quoting chunk text[start:end] verbatim."""
    end = len(chunk.text) if end is None else end
    return Citation(chunk_id=chunk.id, doc=chunk.doc, page=chunk.page, quote=chunk.text[start:end].strip(),
                    page_label=chunk.page_label)


def is_verbatim(quote: str, chunk_text: str) -> bool:
    return bool(quote.strip()) and norm(quote) in norm(chunk_text)


def quote_pieces(doc: str, quote: str) -> list[str]:
    """The quote, split so that each piece is verbatim in the file as a plain reader sees it: at the
    " | " or tab the parser puts between table cells and at the line ends of table rows (a PDF may
    hold a row's cells far apart: each cell is quoted on its own), at the ideographic space the PDF
    reader puts between two runs the text stream holds apart, and where a markup source stores a
    character as an entity (&gt; for >).

    A piece that is only a list marker the PDF draws apart from its text ("27." of "27.\u3000Install
    ...", "(9)", a lettered step's "f") is no quote of its own: it says nothing, and a reader saw it as
    the step's number.

    >>> quote_pieces("m.pdf", "Diameter\\t3.976-3.979 in.\\t100.990-101.066 mm\\nOut of Round\\t0.0008 in.")
    ['Diameter', '3.976-3.979 in.', '100.990-101.066 mm', 'Out of Round', '0.0008 in.']
    >>> quote_pieces("tm.pdf", "28.\\u3000Evenly tighten all long capscrews (4) to 110 lb-ft (149 N•m).")
    ['Evenly tighten all long capscrews (4) to 110 lb-ft (149 N•m).']
    """
    splitter = r"\s\|\s|\t|\u3000|[<>&]+" if _MARKUP.search(doc) else r"\s\|\s|\t|\u3000"
    # a table row (cells split by tabs) is a line of its own: the next line's text may stand far
    # from it in the PDF's text stream
    lines = re.split(r"\r?\n", quote)
    parts: list[str] = []
    for line in lines:
        if parts and "\t" not in line and "\t" not in parts[-1]:
            parts[-1] += "\n" + line
        else:
            parts.append(line)
    pieces = [p.strip(" \t\r\n|\u3000") for part in parts for p in re.split(splitter, part) if re.search(r"\w", p)]
    said = [p for p in pieces if not _MARKER_ONLY.match(p)]
    return said or pieces


def citations(claims: Sequence[Claim], passages: Sequence[Hit]) -> list[Citation]:
    """Citations quoting what the claims rest on, verbatim: per passage, the union of the claims'
    spans (spans that overlap or touch across white space become one quote, except across a line
    break where either holds a piece drawn apart from its line, "27.\u3000Install ...": the page's
    text stream does not run on from one line's end to such a piece), passages in the order the
    answer first cites them."""
    spans: dict[int, list[list[int]]] = {}
    for c in claims:
        spans.setdefault(c.hit, []).append([c.start, c.end])
    out = []
    for i, ivs in spans.items():
        text = passages[i].chunk.text
        merged: list[list[int]] = []
        for s, e in sorted(ivs):
            if merged:
                gap = text[merged[-1][1]:s]
                apart = "\n" in gap and "\u3000" in text[merged[-1][0]:e]
                if s <= merged[-1][1] or (not gap.strip() and not apart):
                    merged[-1][1] = max(merged[-1][1], e)
                    continue
            merged.append([s, e])
        ch = passages[i].chunk
        for s, e in merged:
            out += [Citation(chunk_id=ch.id, doc=ch.doc, page=ch.page, quote=q, page_label=ch.page_label)
                    for q in quote_pieces(ch.doc, text[s:e])]
    return out


def drop_unquoted_numbers(draft: Draft) -> Draft:
    """The draft without the claims that hold a number none of its quotes holds: the last line of
    defence, so that such a number never reaches an answer. Each one dropped is recorded."""
    quotes = [c.quote for c in citations(draft.claims, draft.passages)]
    bad = [c for c in draft.claims if unsupported_numbers(c.text, quotes)]
    if not bad:
        return draft
    return replace(draft, claims=tuple(c for c in draft.claims if c not in bad),
                   dropped=draft.dropped + tuple(Dropped(c.text, "a number is not in the quotes") for c in bad))
