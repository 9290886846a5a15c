"""The only thing a language model may do to a card: shorten the steps the manual wrote longer than a
headset shows, all of a card's in one call. A rewrite is kept only when it fits, every number in it is
in its step's quotes, and its words come from those quotes; otherwise that step keeps the extractive
instruction (cut at a sentence), step by step.

>>> acceptable("Tighten the cover to 30 N·m.", ["Screw the cover on, then tighten it to 25 N·m."])
False
"""
from __future__ import annotations

import logging
import re

from ..eval.metrics import coverage
from ..answer.verify import overlap, unsupported_numbers
from .model import MAX_INSTRUCTION, StepCard

log = logging.getLogger(__name__)

MIN_SUPPORT = 0.85  # share of the rewrite's words found in the quotes
MIN_KEPT = 0.5  # share of the instruction's words the rewrite keeps (so it still says what the manual says)


def acceptable(text: str, quotes: list[str], original: str = "") -> bool:
    if not text or len(text) > MAX_INSTRUCTION or unsupported_numbers(text, quotes):
        return False
    if overlap(text, " ".join(quotes)) < MIN_SUPPORT:
        return False
    return not original or coverage(original, text) >= MIN_KEPT


def long_steps(card: StepCard) -> list[int]:
    """Indexes of the steps whose manual text did not fit the card (cut and marked "…", or quoted
    longer than a headset shows); a detail from a note paragraph is no reason to rewrite a step."""
    out = []
    for k, s in enumerate(card.steps):
        quotes = [c.quote for c in s.citations]
        if s.detail and (s.instruction.endswith("…") or len(" ".join(quotes[0].split())) > MAX_INSTRUCTION):
            out.append(k)
    return out


_NUMBERED = re.compile(r"^\s*(?:step\s*)?(\d{1,3})\s*[:.)：、]\s*(.+)$", re.IGNORECASE)


def parse_reply(reply: str, numbers: list[int]) -> dict[int, str]:
    """{step number: text} from the model's lines "3: Remove the cover."; a reply for a single step
    may come without its number.

    >>> parse_reply("1: Stop the unit.\\n4: Drain the oil.", [1, 4])
    {1: 'Stop the unit.', 4: 'Drain the oil.'}
    >>> parse_reply('"Stop the unit."', [2])
    {2: 'Stop the unit.'}
    """
    out: dict[int, str] = {}
    for line in reply.splitlines():
        m = _NUMBERED.match(line)
        if m and int(m.group(1)) in numbers and int(m.group(1)) not in out:
            out[int(m.group(1))] = _clean(m.group(2))
    if not out and len(numbers) == 1 and reply.strip():
        out[numbers[0]] = _clean(reply)
    return out


def _clean(text: str) -> str:
    return " ".join(text.strip().strip('"“”').split())


def shorten_steps(card: StepCard, llm) -> StepCard:
    """Steps whose manual text did not fit get a model-shortened instruction, all of a card's in ONE
    call; each rewrite is kept only when it passes the checks (acceptable), else that step keeps the
    manual's wording cut at a sentence. The full manual wording then moves to `detail`."""
    from ..llm.prompts import load_prompt

    todo = long_steps(card)
    if not todo:
        return card
    full = {k: f"{card.steps[k].instruction.rstrip('…')} {card.steps[k].detail}".strip() for k in todo}
    numbers = [card.steps[k].number for k in todo]
    blocks = "\n".join(f"<step>\n{card.steps[k].number}: {full[k]}\n</step>" for k in todo)
    prompt = load_prompt("card_rephrase", card.language)
    try:
        reply = llm.chat(prompt.render(limit=str(MAX_INSTRUCTION), steps=blocks), max_tokens=min(1024, 120 * len(todo) + 40))
    except Exception as exc:  # a model failure never costs the card: keep the extractive steps
        log.warning("could not shorten step%s %s: %s", "s" if len(numbers) > 1 else "", ", ".join(map(str, numbers)), exc)
        return card
    texts = parse_reply(reply, numbers)
    steps = list(card.steps)
    changed = False
    for k in todo:
        s = card.steps[k]
        text = texts.get(s.number, "")
        if acceptable(text, [c.quote for c in s.citations], full[k]):
            steps[k] = s.model_copy(update={"instruction": text, "detail": full[k]})
            changed = True
    if not changed:
        return card
    return card.model_copy(update={"steps": steps, "drafted_with": f"llm:{getattr(llm, 'name', 'model')}"})
