"""Grounded answers: retrieve, decide whether the library covers the question, answer (extractively,
or with a language model whose every sentence is then checked), and attach the warnings of the
procedure. Nothing reaches the user that is not traced to a quoted passage.

    a = answer_question("What torque for the filter housing cover?", retriever)
    a.answer       # 'Filter housing cover torque: 25 N·m' (clean text: no list marker, no Markdown)
    a.citations    # [Citation(chunk_id=..., doc='hp3_quick_reference.md', page=1, quote='- Filter housing cover torque: **25 N·m**')]

`answer_question` and `stream_answer` share every step; the stream yields verified sentences as
the model writes them, then the final Answer.
"""
from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from typing import Iterator

from .claims import Claim, Dropped, Verifier, split_claims, verify_reply
from .evidence import Evidence, RefusalPolicy, assess, idf_function, question_terms
from .extract import ExtractConfig, passage_units, question_language, select
from .hazards import Hazard, hazards_for, neighbours
from ..plaintext import join_items, plain
from ..types import Citation, Hit
from .verify import unsupported_numbers

LLM_PASSAGES = 4  # what the bundled 0.5B model reads well in a few seconds
REFUSAL_TEXT = {
    "en": "The manuals in the library do not cover this question. Closest sources:",
    "zh": "资料库中的手册没有涉及这个问题。最接近的来源：",
}


@dataclass
class Answer:
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


@dataclass
class _Context:
    question: str
    hits: list[Hit]
    evidence: Evidence
    language: str
    library: object
    t0: float
    cfg: ExtractConfig
    terms: list
    passages: list[Hit] = field(default_factory=list)  # what claims index into: the hits, plus chunks read on into

    def __post_init__(self):
        self.passages = self.passages or list(self.hits)


def _prepare(question: str, retriever, k: int, filters, policy: RefusalPolicy, cfg: ExtractConfig) -> _Context:
    t0 = time.perf_counter()
    hits = retriever.search(question, k, filters)
    lib = retriever.library
    terms = question_terms(question, idf_function(lib))
    return _Context(question, hits, assess(terms, hits, lib.model, policy), question_language(question), lib, t0, cfg, terms)


def _refusal(ctx: _Context) -> Answer:
    srcs = ctx.hits[:3]
    listing = "; ".join(f"{h.chunk.doc} p. {h.chunk.page}" + (f" ({h.chunk.section[-1]})" if h.chunk.section else "") for h in srcs)
    text = REFUSAL_TEXT[ctx.language] + (" " + listing if listing else " none.")
    return Answer(ctx.question, text, [], True, [], srcs, "refused", ctx.language, ctx.evidence,
                  ms=(time.perf_counter() - ctx.t0) * 1000)


def _extractive_claims(ctx: _Context) -> list[Claim]:
    """Claims quoting the selected units. Units a section answer read from chunks after the hits
    are added to ctx.passages, which claims index into."""
    following = (lambda c: neighbours(ctx.library, c, before=0, after=3)) if ctx.library is not None else None
    units, ctx.passages = select(ctx.question, ctx.terms, ctx.hits, ctx.cfg, following)
    return [Claim(plain(u.text), u.hit, u.start, u.end, 1.0) for u in units if plain(u.text)]


def _citations(claims: list[Claim], hits: list[Hit]) -> list[Citation]:
    """Citations quoting what the claims rest on, verbatim: per passage, the union of the claims'
    spans (spans that overlap or touch across white space become one quote), passages in the
    order the answer first cites them."""
    spans: dict[int, list[list[int]]] = {}
    for c in claims:
        spans.setdefault(c.hit, []).append([c.start, c.end])
    out = []
    for i, ivs in spans.items():
        text = hits[i].chunk.text
        merged: list[list[int]] = []
        for s, e in sorted(ivs):
            if merged and (s <= merged[-1][1] or not text[merged[-1][1]:s].strip()):
                merged[-1][1] = max(merged[-1][1], e)
            else:
                merged.append([s, e])
        ch = hits[i].chunk
        for s, e in merged:
            out += [Citation(ch.id, ch.doc, ch.page, q) for q in quote_pieces(ch.doc, text[s:e])]
    return out


_MARKUP = re.compile(r"\.(?:html?|xhtml|xml)$", re.IGNORECASE)


def quote_pieces(doc: str, quote: str) -> list[str]:
    """The quote, split so that each piece is verbatim in the file as a plain reader sees it: at the
    " | " the parser puts between table cells, and where a markup source stores a character as an
    entity (&gt; for >)."""
    splitter = r"\s\|\s|[<>&]+" if _MARKUP.search(doc) else r"\s\|\s"
    return [p.strip(" \t\r\n|") for p in re.split(splitter, quote) if re.search(r"\w", p)]


def _finish(ctx: _Context, claims: list[Claim], mode: str, dropped: list[Dropped] | None = None, note: str = "") -> Answer:
    if not claims:  # nothing survived and nothing could be quoted: say so rather than guess
        return _refusal(ctx)
    citations = _citations(claims, ctx.passages)
    # last line of defence: a number the quotes do not hold never reaches the answer
    quotes = [c.quote for c in citations]
    kept = [c for c in claims if not unsupported_numbers(c.text, quotes)]
    if len(kept) != len(claims):
        dropped = (dropped or []) + [Dropped(c.text, "a number is not in the quotes") for c in claims if c not in kept]
        claims, citations = kept, _citations(kept, ctx.passages)
        if not claims:
            return _refusal(ctx) if mode != "llm" else _finish(ctx, _extractive_claims(ctx), "extractive", dropped, "extractive answer shown")
    text = join_items(list(dict.fromkeys(c.text for c in claims)))
    cited = list({ctx.passages[c.hit].chunk.id: ctx.passages[c.hit].chunk for c in claims}.values())
    warnings = hazards_for(cited, ctx.hits, ctx.library)
    return Answer(ctx.question, text, citations, False, warnings, ctx.hits[:3], mode, ctx.language,
                  ctx.evidence, dropped or [], note, (time.perf_counter() - ctx.t0) * 1000)


def render_passages(hits: list[Hit]) -> str:
    """Numbered passages, fenced as data. Planted instructions are withheld from the model, and
    nothing in a passage can close its fence or forge a chat-template token."""
    blocks = []
    for n, (h, units) in enumerate(zip(hits, passage_units(hits)), 1):
        text = h.chunk.text
        for u in sorted((u for u in units if u.injected), key=lambda u: -u.start):
            text = text[: u.start] + "[instruction-like text withheld]" + text[u.end:]
        text = re.sub(r"</?\s*passage", "‹passage", text, flags=re.IGNORECASE).replace("<|", "‹|")
        sec = " > ".join(h.chunk.section).replace('"', "'")
        blocks.append(f'<passage id="{n}" doc="{h.chunk.doc}" page="{h.chunk.page}" section="{sec}">\n{text.strip()}\n</passage>')
    return "\n".join(blocks)


def _messages(ctx: _Context) -> list[dict]:
    from ..llm.prompts import load_prompt

    return load_prompt("answer", ctx.language).render(passages=render_passages(ctx.hits[:LLM_PASSAGES]), question=ctx.question)


def _verify(ctx: _Context, raw: str) -> tuple[list[Claim], list[Dropped]]:
    return verify_reply(raw, ctx.hits[:LLM_PASSAGES])


def _llm_answer(ctx: _Context, claims: list[Claim], dropped: list[Dropped], error: str = "") -> Answer:
    if claims:
        return _finish(ctx, claims, "llm", dropped)
    note = error or ("the model's sentences failed verification" if dropped else "the model found no answer in the passages")
    return _finish(ctx, _extractive_claims(ctx), "extractive", dropped, note + "; extractive answer shown")


def answer_question(question: str, retriever, llm=None, k: int = 6, filters=None, *, max_tokens: int = 256,
                    policy: RefusalPolicy = RefusalPolicy(), cfg: ExtractConfig = ExtractConfig()) -> Answer:
    """The verified answer to one question (see the module doc)."""
    ctx = _prepare(question, retriever, k, filters, policy, cfg)
    if not ctx.evidence.covered:
        return _refusal(ctx)
    if llm is None:
        return _finish(ctx, _extractive_claims(ctx), "extractive")
    from ..llm import LLMError

    try:
        raw = llm.chat(_messages(ctx), max_tokens=max_tokens)
    except LLMError as exc:
        return _llm_answer(ctx, [], [], f"language model unavailable ({exc})")
    return _llm_answer(ctx, *_verify(ctx, raw))


def stream_answer(question: str, retriever, llm=None, k: int = 6, filters=None, *, max_tokens: int = 256,
                  policy: RefusalPolicy = RefusalPolicy(), cfg: ExtractConfig = ExtractConfig()) -> Iterator[str | Answer]:
    """Yields text pieces, each a verified sentence (with a trailing space), then the final Answer,
    whose text is authoritative (it may be extractive if the model's sentences all failed)."""
    ctx = _prepare(question, retriever, k, filters, policy, cfg)
    if not ctx.evidence.covered or llm is None:
        a = _refusal(ctx) if not ctx.evidence.covered else _finish(ctx, _extractive_claims(ctx), "extractive")
        yield a.answer
        yield a
        return
    from ..llm import LLMError

    v = Verifier(ctx.hits[:LLM_PASSAGES])
    buf, done = "", 0  # done: sentences of buf already checked
    error = ""

    def check(pending: list[tuple[str, list[int]]]) -> Iterator[str]:
        for text, cited in pending:
            for c in v.feed(text, cited):
                yield c.text + " "

    try:
        for piece in llm.stream(_messages(ctx), max_tokens=max_tokens):
            buf += piece
            parts = split_claims(buf)
            # the last sentence may still grow (or gain its [n] marker): check only the ones before it
            yield from check(parts[done:-1] if len(parts) > 1 else [])
            done = max(done, len(parts) - 1)
    except LLMError as exc:
        error = f"language model failed ({exc})"
    yield from check(split_claims(buf)[done:])
    v.close()
    claims, dropped = v.claims, v.dropped
    final = _llm_answer(ctx, claims, dropped, error)
    if final.mode != "llm":
        yield final.answer
    yield final
