"""The only thing a language model may do to a card: shorten a step the manual wrote longer than a
headset shows. A rewrite is kept only when it fits, every number in it is in the step's quotes, and
its words come from those quotes; otherwise the extractive instruction (cut at a sentence) stays.

>>> acceptable("Tighten the cover to 30 N·m.", ["Screw the cover on, then tighten it to 25 N·m."])
False
"""
from __future__ import annotations

import logging

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


def shorten_steps(card: StepCard, llm) -> StepCard:
    """Steps whose manual text did not fit get a model-shortened instruction when it passes the checks;
    the full manual wording then moves to `detail`."""
    from ..llm.prompts import load_prompt

    prompt = load_prompt("card_rephrase", card.language)
    changed = False
    steps = []
    for s in card.steps:
        quotes = [c.quote for c in s.citations]
        if not s.detail or not (s.instruction.endswith("…") or len(" ".join(quotes[0].split())) > MAX_INSTRUCTION):
            steps.append(s)  # it fits (a detail from a note paragraph is no reason to rewrite the step)
            continue
        full = f"{s.instruction.rstrip('…')} {s.detail}".strip()
        try:
            reply = llm.chat(prompt.render(limit=str(MAX_INSTRUCTION), step=full), max_tokens=160)
        except Exception as exc:  # a model failure never costs the card: keep the extractive steps
            log.warning("could not shorten step %s: %s", s.number, exc)
            steps += card.steps[len(steps):]
            break
        text = " ".join(reply.strip().strip('"“”').split())
        if acceptable(text, quotes, full):
            steps.append(s.model_copy(update={"instruction": text, "detail": full}))
            changed = True
        else:
            steps.append(s)
    if not changed:
        return card
    return card.model_copy(update={"steps": steps, "drafted_with": f"llm:{getattr(llm, 'name', 'model')}"})
