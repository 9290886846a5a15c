"""Draft a step card for a task: retrieve, reassemble the documents the hits come from, find the
procedure, assemble the card extractively, let an LLM (if any) only shorten instructions that did not
fit, check every quote and number, or refuse when the library holds no procedure for the task.

    drafter = CardDrafter(library, retriever)                              # needs an indexed library and the embedding model
    card = drafter.draft("replace the return-line filter element on HP-3")  # needs an indexed library and the embedding model
    card.steps[0].instruction                                               # needs an indexed library and the embedding model
    # -> 'Stop the unit at the operator panel and let the oil cool below 40 °C.'
"""
from __future__ import annotations

from ..errors import AssistantError, NoProcedureFound
from ..answer.verify import is_verbatim, unsupported_numbers
from .assemble import assemble
from .branches import link_branches
from .model import MAX_INSTRUCTION, StepCard
from .select import Parsed, find_procedure, parse_doc
from .source import doc_id_of, load_document


class CardDrafter:
    """Drafts cards from one library; keeps parsed documents between tasks of a batch."""

    def __init__(self, library, retriever=None, llm=None, k: int = 20, max_docs: int = 5):
        if retriever is None:
            from ..retrieve import Retriever

            retriever = Retriever(library)
        self.library, self.retriever, self.llm = library, retriever, llm
        self.k, self.max_docs = k, max_docs
        self._parsed: dict[tuple[int, int], Parsed] = {}

    def draft(self, task: str, filters=None) -> StepCard:
        task = " ".join(task.split())
        if not task:
            raise AssistantError("the task is empty; say what to do, e.g. \"replace the return-line filter element\"")
        hits = self.retriever.search(task, self.k, filters)
        parsed = [self._parse(d) for d in self._doc_ids(hits)]
        proc = find_procedure(task, hits, parsed)
        if proc is None:
            raise NoProcedureFound(f"no procedure for \"{task}\" in the library; index the manual that describes it")
        card = assemble(proc, task, proc.doc.figures)
        link_branches(card.steps, [" ".join(c.quote for c in s.citations) for s in card.steps])
        if self.llm is not None:
            from .rephrase import shorten_steps

            card = shorten_steps(card, self.llm)
        bad = problems(card, {c.id: c.text for c in proc.doc.chunks})
        if bad:  # cannot happen for extractive text; a rewrite that slipped through is dropped, never shown
            raise AssistantError(f"card for \"{task}\" failed its checks: {bad[0]}")
        return card

    def _doc_ids(self, hits) -> list[int]:
        ids: list[int] = []
        for h in hits:
            d = doc_id_of(self.library.store.db, h.chunk.id)
            if d is not None and d not in ids:
                ids.append(d)
        return ids[: self.max_docs]

    def _parse(self, doc_id: int) -> Parsed:
        key = (doc_id, self.library.store.generation())
        if key not in self._parsed:
            if len(self._parsed) > 64:
                self._parsed.clear()
            self._parsed[key] = parse_doc(load_document(self.library.store.db, doc_id))
        return self._parsed[key]


def draft_card(task: str, library, retriever=None, llm=None, filters=None) -> StepCard:
    """One card for one task (see CardDrafter for batches)."""
    return CardDrafter(library, retriever, llm).draft(task, filters)


def problems(card: StepCard, chunk_texts: dict[str, str]) -> list[str]:
    """What breaks the card's promises: a quote not verbatim in its chunk, a number in an
    instruction that no quote of its step holds, an instruction too long for a headset."""
    out = []
    for c in card.citations():
        text = chunk_texts.get(c.chunk_id)
        if text is not None and not is_verbatim(c.quote, text):
            out.append(f"quote not verbatim in chunk {c.chunk_id}: {c.quote[:60]!r}")
    for s in card.steps:
        quotes = [c.quote for c in s.citations]
        said = s.instruction + " " + (s.detail or "")
        for n in unsupported_numbers(said, quotes):
            out.append(f"step {s.number}: number {n} is in no quote of the step")
        if len(s.instruction) > MAX_INSTRUCTION:
            out.append(f"step {s.number}: instruction longer than {MAX_INSTRUCTION} characters")
    return out
