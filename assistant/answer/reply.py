"""The language model's draft: the top passages fenced into the prompt, the model's reply (whole, or
streamed piece by piece), and its sentences checked against the passages as they arrive (claims.py).
What fails is kept in the draft as dropped; a draft with no claims says why in its note.

    d = draft("What torque for the filter housing cover?", hits, llm)
    d.mode, d.claims[0].text    # ('llm', 'The filter housing cover torque is 25 N·m.')
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Generator

from ..errors import LLMError
from ..index.lexical import tokenize
from ..plaintext import plain
from ..textrules import NUMBER, NUMBER_UNIT, read_degrees
from ..types import Hit
from .claims import Verifier, split_claims, verify_reply
from .draft import Claim, Draft, Dropped
from .evidence import question_language
from .extract import ExtractConfig, Selection, another_group, item_title, passage_units, relevance, row_context, row_group
from .verify import norm

LLM_EVIDENCE = 8  # evidence items (sentences, steps, table rows) in the prompt
LLM_EVIDENCE_WORDS = 300  # ... and their words at most: a short prompt is a fast one on a CPU
FENCE_HEADINGS = 2  # the last headings of a passage's trail in its fence: the nearest say what it is about
# a step's number ("11.", "(9)", "Step 3.") and a figure callout ("rod cap (2)"): references, not values
_REFERENCES = re.compile(r"^\s*(?:step\s*)?(?:\d{1,3}\s*[.)]|\(\d{1,3}\))(?=\s)|(?<=[A-Za-z,)])\s*\(\d{1,3}\)", re.IGNORECASE)


@dataclass(frozen=True)
class Evidence:
    """What the model reads: units of the top passages, each one a passage of its own. `hit` is the
    unit's span of its chunk as a Hit (the same chunk id, page, section and table labels, its text
    the verbatim span), so the model's sentences are verified against, and cite, what it read.
    `shown` is the unit as an extractive answer shows it (a whole row where a page break cut it);
    `selected`: the extractive answer holds it."""

    hit: Hit
    shown: str
    selected: bool


def evidence(question: str, terms, sel: Selection, cfg: ExtractConfig = ExtractConfig()) -> list[Evidence]:
    """The evidence for the model's prompt: the units the extractive answer selected (`sel`), then
    the units of the top passages that hold most of the question, up to LLM_EVIDENCE items and
    LLM_EVIDENCE_WORDS words, instead of whole passages; not a table row under another group than
    the selected rows' (another malfunction's steps: `extract.another_group`)."""
    units, passages = sel.units, sel.passages
    chosen = [(u, True) for u in units if not u.injected]
    taken = {(passages[u.hit].chunk.id, u.start) for u, _ in chosen}
    top = passages[: cfg.candidates]
    per_hit = passage_units(top)  # the top passages' units: scored here, and where an item's title is found
    groups = {row_group(passages[u.hit].chunk, u.text) for u, _ in chosen}
    scored = []
    for us in per_hit:
        for u in us:
            if u.heading or u.injected or (top[u.hit].chunk.id, u.start) in taken:
                continue
            trail = " ".join(top[u.hit].chunk.section) + row_context(top[u.hit].chunk, u.text)
            if another_group(terms, row_group(top[u.hit].chunk, u.text), u.text, groups, cfg):
                continue  # a row under another malfunction (or group) than the answer's
            rel = relevance(terms, u.text, trail, cfg)
            if rel > 0 and len(u.text.split()) >= 4:  # not a stray label ("Inspect b.")
                scored.append((rel + 0.1 * (u.hit == 0), u))
    best = max((sc for sc, _ in scored), default=0.0)
    chosen += [(u, False) for sc, u in sorted(scored, key=lambda x: -x[0]) if sc >= 0.5 * best]
    out: list[Evidence] = []
    words = 0
    for u, selected in chosen:
        n = len(u.text.split())
        if len(out) >= LLM_EVIDENCE or (out and not selected and words + n > LLM_EVIDENCE_WORDS):
            break
        h = passages[u.hit]  # the top passages are the first of `passages`
        c = h.chunk
        # the item's title within the passage ("z. Torsional Damper") joins its headings: the unit is
        # read, by the model and by verification, as the manual's reader reads it, under its title
        title = item_title(per_hit[u.hit] if u.hit < len(per_hit) else passage_units([h])[0], u)
        section = c.section + ((title,) if title and title not in c.section else ())
        span = replace(c, start=c.start + u.start, end=c.start + u.end, text=u.text, section=section)
        out.append(Evidence(Hit(span, h.score, h.dense_score, h.lexical_score, h.rank), u.shown or u.text, selected))
        words += n
    return out


def render_passages(hits: list[Hit]) -> str:
    """Numbered passages, fenced as data, each with its document and nearest headings (not the page:
    the model cites by number, and every token of the prompt is read before the first word of the
    answer). Planted instructions are withheld from the model, and nothing in a passage can close its
    fence or forge a chat-template token. A table row reads with its column names and caption
    ("Motor overheats | Cause: ... | Remedy: ...")."""
    blocks = []
    for n, (h, units) in enumerate(zip(hits, passage_units(hits)), 1):
        text = h.chunk.text
        for u in sorted((u for u in units if u.injected), key=lambda u: -u.start):
            text = text[: u.start] + "[instruction-like text withheld]" + text[u.end:]
        if "\t" in text and "\n" not in text.strip():
            text = " ".join(read_degrees(row_context(h.chunk, text)).split()) or text
        text = re.sub(r"</?\s*passage", "‹passage", read_degrees(text), flags=re.IGNORECASE).replace("<|", "‹|")
        sec = " > ".join(h.chunk.section[-FENCE_HEADINGS:]).replace('"', "'")
        blocks.append(f'<passage id="{n}" doc="{h.chunk.doc}" section="{sec}">\n{text.strip()}\n</passage>')
    return "\n".join(blocks)


def messages(question: str, hits: list[Hit]) -> list[dict]:
    """The chat messages asking the model to answer from these passages (the evidence) only."""
    from ..llm.prompts import load_prompt

    passages = render_passages(hits)
    return load_prompt("answer", question_language(question)).render(passages=passages, question=question)


def draft(question: str, hits: list[Hit], llm, max_tokens: int = 256, printed=None) -> Draft:
    """The model's reply to the question, sentence by sentence verified against the passages it read
    (`hits`: the evidence, see `evidence`); `printed` finds a title's printed line (claims.Verifier)."""
    try:
        raw = llm.chat(messages(question, hits), max_tokens=max_tokens)
    except LLMError as exc:
        return _draft([], [], hits, f"language model unavailable ({exc})")
    v = verify_reply(raw, hits, question=question, printed=printed)
    return _draft(v.claims, v.dropped, v.hits)


def stream_draft(question: str, hits: list[Hit], llm, max_tokens: int = 256, printed=None) -> Generator[str, None, Draft]:
    """As `draft`, with the model's reply streamed: yields each sentence that passes (with a trailing
    space) as soon as it is complete, then returns the draft."""
    v = Verifier(hits, question=question, printed=printed)
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
    return _draft(v.claims, v.dropped, v.hits, error)


def _passed(v: Verifier, sentences: list[tuple[str, list[int]]]) -> Generator[str, None, None]:
    for text, cited in sentences:
        for shown in dict.fromkeys(c.text for c in v.feed(text, cited)):  # a joined sentence: one claim per passage
            yield shown + " "


def _draft(claims: list[Claim], dropped: list[Dropped], hits: list[Hit], error: str = "") -> Draft:
    """The model's draft; claims index into `hits` (what was sent, then any title lines it cites)."""
    why = ""
    if not claims:
        failed = "the model's sentences failed verification" if dropped else "the model found no answer in the passages"
        why = error or failed
    return Draft("llm", tuple(claims), tuple(hits), tuple(dropped), why)


def with_fallback(model: Draft, items: list[Evidence]) -> Draft:
    """The model's verified sentences, with the extractive answer, per sentence rather than per
    answer, where the model fell short: the sentences citing an item of the extractive answer that
    together leave out a number (or, of a table row, a cell) of it give way to that item, and each item of the
    extractive answer that a dropped sentence cited or that holds a number no sentence gives is
    added, quoted whole as the extractive answer quotes it (so the answer holds every value of the
    extractive one, and nothing the extractive answer would not show that the model did not write).
    `model.passages` are the items' hits (then any title lines a sentence cites beside its item)."""
    if not model.claims:
        return model

    def quoted(i: int) -> Claim:
        return Claim(plain(items[i].shown), i, 0, len(items[i].hit.chunk.text), 1.0)

    def lacks(i: int, text: str) -> bool:
        """Whether `text` leaves out a value of item i, or, for a table row, a cell: a row's cells
        are its facts ("E-305 | Oil temperature high | Clean the cooler fins; check the fan"). A step's
        number and a part's figure callout ("11. Secure rod cap (2) ...") are not values."""
        values = _REFERENCES.sub(" ", items[i].shown)
        if any(n not in text for n in re.findall(NUMBER, values)):
            return True
        if any(norm(m.group()) not in norm(text) for m in NUMBER_UNIT.finditer(values)):
            return True  # the number with another unit ("60 R-lb", a misread copy, for "60 ft-lb")
        said = set(tokenize(text))
        cells = items[i].shown.split("\t") if "\t" in items[i].shown else []
        return any((words := set(tokenize(cell))) and not words & said for cell in cells)

    # the sentences citing an item that together leave out a value of it: the item instead (one
    # sentence may give the step's action, the next its temperature)
    told: dict[int, str] = {}
    for c in model.claims:
        told[c.hit] = f"{told.get(c.hit, '')} {c.text}"
    short = {i for i, text in told.items() if i < len(items) and items[i].selected and lacks(i, text)}
    claims: list[Claim] = []
    gone = {c.text for c in model.claims if c.hit in short}  # a sentence given way goes with its title's quote
    for c in model.claims:
        if c.hit in short:
            if all(k.hit != c.hit for k in claims) and plain(items[c.hit].shown):
                claims.append(quoted(c.hit))
        elif not (c.hit >= len(items) and c.text in gone):
            claims.append(c)
    cited = {c.hit for c in claims}
    failed = {i for d in model.dropped for i in d.cited}
    for i, item in enumerate(items):
        said = " ".join(c.text for c in claims)
        if i not in cited and item.selected and (i in failed or lacks(i, said)) and plain(item.shown) not in said:
            claims.append(quoted(i))
    return replace(model, claims=tuple(claims))
