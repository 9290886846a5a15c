"""Checks that keep generated text grounded: sentence splitting, verbatim quotes, number checks and
support scores. Used by answers and step cards alike.

>>> numbers_in("Tighten to 25 N·m (ISO VG 46, part HF-220-10).")
['25', '46', '220', '10']
>>> unsupported_numbers("Torque is 30 N·m", ["Tighten the cover to 25 N·m."])
['30']
"""
from __future__ import annotations

import re

from ..index.lexical import tokenize
from ..eval.metrics import norm  # noqa: F401 - part of this module's interface
from ..textrules import NUMBER, sentence_spans
from ..types import Chunk, Citation

_NUMBER = re.compile(NUMBER)




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
    return Citation(chunk.id, chunk.doc, chunk.page, chunk.text[start:end].strip())


def is_verbatim(quote: str, chunk_text: str) -> bool:
    return bool(quote.strip()) and norm(quote) in norm(chunk_text)
