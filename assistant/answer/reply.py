"""The language model's draft: the top passages fenced into the prompt, the model's reply (whole, or
streamed piece by piece), and its sentences checked against the passages as they arrive (claims.py).
What fails is kept in the draft as dropped; a draft with no claims says why in its note.

    d = draft("What torque for the filter housing cover?", hits, llm)
    d.mode, d.claims[0].text    # ('llm', 'The filter housing cover torque is 25 N·m.')
"""
from __future__ import annotations

import re
from typing import Generator

from ..errors import LLMError
from ..types import Hit
from .claims import Verifier, split_claims, verify_reply
from .draft import Claim, Draft, Dropped
from .evidence import question_language
from .extract import passage_units

LLM_PASSAGES = 4  # what the bundled 0.5B model reads well in a few seconds


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


def messages(question: str, hits: list[Hit]) -> list[dict]:
    """The chat messages asking the model to answer from the top passages only."""
    from ..llm.prompts import load_prompt

    passages = render_passages(hits[:LLM_PASSAGES])
    return load_prompt("answer", question_language(question)).render(passages=passages, question=question)


def draft(question: str, hits: list[Hit], llm, max_tokens: int = 256) -> Draft:
    """The model's reply to the question, sentence by sentence verified against the top passages."""
    try:
        raw = llm.chat(messages(question, hits), max_tokens=max_tokens)
    except LLMError as exc:
        return _draft([], [], hits, f"language model unavailable ({exc})")
    return _draft(*verify_reply(raw, hits[:LLM_PASSAGES]), hits)


def stream_draft(question: str, hits: list[Hit], llm, max_tokens: int = 256) -> Generator[str, None, Draft]:
    """As `draft`, with the model's reply streamed: yields each sentence that passes (with a trailing
    space) as soon as it is complete, then returns the draft."""
    v = Verifier(hits[:LLM_PASSAGES])
    buf, done = "", 0  # done: sentences of buf already checked
    error = ""
    try:
        for piece in llm.stream(messages(question, hits), max_tokens=max_tokens):
            buf += piece
            parts = split_claims(buf)
            # the last sentence may still grow (or gain its [n] marker): check only the ones before it
            yield from _passed(v, parts[done:-1] if len(parts) > 1 else [])
            done = max(done, len(parts) - 1)
    except LLMError as exc:
        error = f"language model failed ({exc})"
    yield from _passed(v, split_claims(buf)[done:])
    v.close()
    return _draft(v.claims, v.dropped, hits, error)


def _passed(v: Verifier, sentences: list[tuple[str, list[int]]]) -> Generator[str, None, None]:
    for text, cited in sentences:
        for c in v.feed(text, cited):
            yield c.text + " "


def _draft(claims: list[Claim], dropped: list[Dropped], hits: list[Hit], error: str = "") -> Draft:
    """The model's draft; claims index into `hits` (the first LLM_PASSAGES were sent)."""
    why = ""
    if not claims:
        failed = "the model's sentences failed verification" if dropped else "the model found no answer in the passages"
        why = error or failed
    return Draft("llm", tuple(claims), tuple(hits), tuple(dropped), why)
