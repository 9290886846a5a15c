"""Grounded answers: retrieve, decide whether the library covers the question, answer (extractively,
or with a language model whose every sentence is then checked), and attach the warnings of the
procedure. Nothing reaches the user that is not traced to a quoted passage.

    a = answer_question("What torque for the filter housing cover?", retriever)
    a.answer       # 'Filter housing cover torque: 25 N·m' (clean text: no list marker, no Markdown)
    a.citations    # [Citation(chunk_id=..., doc='hp3_quick_reference.md', page=1, quote='- Filter housing cover torque: **25 N·m**')]

The stages, each a function of its own module with plain data in and out (`_stages` calls them in
this order):

    evidence.assess       hits -> Evidence (covered, or refuse)
    reply.evidence        the units extraction selects -> what the model reads (not whole passages)
    reply.draft           the model's reply -> Draft (its sentences checked against what it read;
                          reply.with_fallback adds, per sentence, the evidence the model fell short on)
    extract.draft         the passages' own sentences -> Draft (without a model, or when nothing
                          of the model's reply survives)
    verify.drop_unquoted_numbers, verify.citations    Draft -> what may be shown, and its quotes
    hazards.hazards_for   the cited chunks -> the warnings of their procedure
    Answer                built once, never changed

`answer_question` and `stream_answer` run the same stages; the stream yields verified sentences as
the model writes them, then the final Answer.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from typing import Iterator

from . import extract, reply
from .draft import Draft, Dropped
from .evidence import Evidence, RefusalPolicy, assess, idf_function, question_language, question_terms
from .extract import ExtractConfig
from .hazards import Hazard, hazards_for, neighbours, printed_before
from .verify import citations, drop_unquoted_numbers
from ..plaintext import join_items
from ..types import Chunk, Citation, Hit

REFUSAL_TEXT = {
    "en": "The manuals in the library do not cover this question. Closest sources:",
    "zh": "资料库中的手册没有涉及这个问题。最接近的来源：",
}


@dataclass(frozen=True)
class Answer:
    """A cited answer or a refusal, as shown. Built once; to set the id of a batch question, use
    `dataclasses.replace(a, id=...)`."""

    question: str
    answer: str
    citations: list[Citation]
    refused: bool
    warnings: list[Hazard] = field(default_factory=list)
    sources: list[Hit] = field(default_factory=list)  # the closest passages, shown with a refusal
    mode: str = "extractive"  # extractive | llm | refused
    language: str = "en"
    evidence: Evidence | None = None
    dropped: list[Dropped] = field(default_factory=list)  # model sentences that failed verification
    note: str = ""  # why a model answer was replaced by an extractive one, if it was
    ms: float = 0.0
    id: str | None = None

    def to_json(self) -> dict:
        out = {"id": self.id, "question": self.question, "answer": self.answer,
               "citations": [c.to_json() for c in self.citations], "refused": self.refused,
               "warnings": [w.to_json() for w in self.warnings],
               "sources": [{"chunk_id": h.chunk.id, "doc": h.chunk.doc, "page": h.chunk.page,
                            "section": " > ".join(h.chunk.section), "score": round(float(h.score), 4)} for h in self.sources],
               "mode": self.mode, "language": self.language, "ms": round(self.ms, 2)}
        if self.evidence is not None:
            out["coverage"] = self.evidence.coverage
        if self.dropped:
            out["dropped"] = [{"text": d.text, "reason": d.reason} for d in self.dropped]
        if self.note:
            out["note"] = self.note
        if self.id is None:
            del out["id"]
        return out


def answer_question(question: str, retriever, llm=None, k: int = 6, filters=None, *, max_tokens: int = 256,
                    policy: RefusalPolicy = RefusalPolicy(), cfg: ExtractConfig = ExtractConfig()) -> Answer:
    """The verified answer to one question (see the module doc)."""
    *_, answer = _stages(question, retriever, llm, k, filters, max_tokens, policy, cfg, stream=False)
    return answer


def stream_answer(question: str, retriever, llm=None, k: int = 6, filters=None, *, max_tokens: int = 256,
                  policy: RefusalPolicy = RefusalPolicy(), cfg: ExtractConfig = ExtractConfig()) -> Iterator[str | Answer]:
    """Yields text pieces, each a verified sentence (with a trailing space), then the final Answer,
    whose text is authoritative (it may be extractive if the model's sentences all failed)."""
    yield from _stages(question, retriever, llm, k, filters, max_tokens, policy, cfg, stream=True)


def _stages(question: str, retriever, llm, k: int, filters, max_tokens: int, policy: RefusalPolicy,
            cfg: ExtractConfig, stream: bool) -> Iterator[str | Answer]:
    """The answer stages in order. Yields the model's verified sentences as they come (when
    streaming), the answer text when it was not streamed, then the Answer."""
    t0 = time.perf_counter()
    library = retriever.library
    # a question that asks for a value looks deeper for a passage that holds one (extract.considered)
    deeper = retriever.search(question, max(k, cfg.value_depth) if extract.asks_value(question) else k, filters)
    hits = deeper[:k]
    # evidence: does the library cover the question?
    terms = question_terms(question, idf_function(library))
    found = assess(terms, hits, library.model, policy, value_missing=extract.value_missing(question, deeper))
    draft = None
    chosen = extract.select(question, terms, deeper, cfg, _around(library)) if found.covered else None
    if found.covered and llm is not None and not chosen.section:
        # draft: the model reads the evidence extraction selects (not whole passages) and its reply is
        # checked sentence by sentence against the item each sentence cites (a question that a whole
        # section answers, "How do I use X?", is answered by the section's own words) ...
        items = reply.evidence(question, terms, chosen, cfg)
        sent = [e.hit for e in items]
        if stream:
            model = yield from reply.stream_draft(question, sent, llm, max_tokens, _printed(library))
        else:
            model = reply.draft(question, sent, llm, max_tokens, _printed(library))
        # verify: no number that the quotes do not hold; where the model fell short, the evidence's own words
        draft = drop_unquoted_numbers(model)
        full = drop_unquoted_numbers(reply.with_fallback(draft, items))
        if stream:
            for c in full.claims[len(draft.claims):]:
                yield c.text + " "
        draft = full
    if found.covered and not (draft and draft.claims):
        # ... or, with no model or nothing left of its reply, the passages' own sentences, verified alike
        extractive = drop_unquoted_numbers(extract.draft(question, terms, hits, cfg, chosen=chosen))
        draft = _instead_of(draft, extractive)
        if llm is not None and chosen.section:
            draft = replace(draft, note="a whole section answers the question: its own words are shown")
    # hazards, then the Answer (a refusal when the library does not cover the question or nothing could be quoted)
    answer = _answer(question, hits, found, draft, library, t0)
    if answer.mode != "llm":
        yield answer.answer
    yield answer


def _around(library):
    """The chunks just before and after one in its document, for a section answer that reads on and a
    table row cut by the page break (None without a library)."""
    return (lambda c, before, after: neighbours(library, c, before, after)) if library is not None else None


def _printed(library):
    """Where a title over a passage is printed, for a model sentence that restates what the title names
    (claims.Verifier): the nearest chunk of the passage's document, at or before it, whose text holds
    the title verbatim, as a Hit spanning the title (None without a library, or where none does)."""
    if library is None:
        return None

    def find(chunk: Chunk, title: str) -> Hit | None:
        c = printed_before(library, chunk, title)
        if c is None:
            return None
        s = c.text.index(title)
        # the line is read as what it says, not as the heading of itself
        return Hit(replace(c, start=c.start + s, end=c.start + s + len(title), text=title,
                           section=tuple(h for h in c.section if h != title)), 0.0)

    return find


def _instead_of(model: Draft | None, extractive: Draft) -> Draft:
    """The extractive draft, standing in for a model draft that has no claims left: it keeps the
    sentences the model's draft dropped, and says why the model's answer is not shown."""
    if model is None:
        return extractive
    note = f"{model.note}; extractive answer shown" if model.note else "extractive answer shown"
    return replace(extractive, dropped=model.dropped + extractive.dropped, note=note)


def _answer(question: str, hits: list[Hit], found: Evidence, draft: Draft | None, library, t0: float) -> Answer:
    """The Answer from the verified draft, with the warnings of the procedure it cites; a refusal
    listing the closest sources when the library does not cover the question or nothing could be quoted."""
    language = question_language(question)
    if draft is None or not draft.claims:
        return Answer(question, _refusal_text(language, hits[:3]), [], True, [], hits[:3], "refused", language,
                      found, ms=(time.perf_counter() - t0) * 1000)
    warnings = hazards_for(draft.cited_chunks(), hits, library)
    text = join_items(list(dict.fromkeys(c.text for c in draft.claims)))
    return Answer(question, text, citations(draft.claims, draft.passages), False, warnings, hits[:3], draft.mode,
                  language, found, list(draft.dropped), draft.note, (time.perf_counter() - t0) * 1000)


def _refusal_text(language: str, sources: list[Hit]) -> str:
    """"The manuals ... do not cover this question. Closest sources: a.pdf p. 3 (4.2 Draining); ..."."""
    listing = "; ".join(f"{h.chunk.doc} p. {h.chunk.page}" + (f" ({h.chunk.section[-1]})" if h.chunk.section else "")
                        for h in sources)
    return REFUSAL_TEXT[language] + (" " + listing if listing else " none.")
