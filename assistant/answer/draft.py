"""The plain data the answer stages hand each other: a Draft is an answer before it is shown, a list
of claims, each quoting a span of one passage, plus the sentences that were dropped on the way.

>>> d = Draft("extractive", (Claim("Tighten to 25 N·m.", 0, 10, 28, 1.0),), ())
>>> d.claims[0].text, d.dropped, d.note
('Tighten to 25 N·m.', (), '')
"""
from __future__ import annotations

from dataclasses import dataclass

from ..types import Chunk, Hit


@dataclass(frozen=True)
class Claim:
    text: str  # the sentence as shown, markers removed
    hit: int  # index of the supporting passage in the hits
    start: int  # quoted span in that chunk's text
    end: int
    support: float  # share of the sentence's content words in the quote


@dataclass(frozen=True)
class Dropped:
    """A sentence that was not shown, and why."""

    text: str
    reason: str
    cited: tuple[int, ...] = ()  # the passages (0-based) the sentence cited, where it cited any


@dataclass(frozen=True)
class Draft:
    """Claims that may become an answer. `passages` are what the claims' `hit` indexes into: the
    retrieved hits, plus any chunks an extractive section answer read on into."""

    mode: str  # extractive | llm
    claims: tuple[Claim, ...]
    passages: tuple[Hit, ...]
    dropped: tuple[Dropped, ...] = ()
    # a model draft: why it holds no claims ("the model found no answer in the passages"), else "";
    # an extractive draft standing in for a model's: why, as shown with the answer
    note: str = ""

    def cited_chunks(self) -> list[Chunk]:
        """The chunks the claims quote, each once, in the order the claims first cite them."""
        return list({self.passages[c.hit].chunk.id: self.passages[c.hit].chunk for c in self.claims}.values())
