"""Exports of a step card: an ARLEM (IEEE 1589-2020) activity and its workplace, valid against the
openARLEM schemas bundled in `arlem/` (MIT), plus printable HTML, Markdown and an S1000D fragment
(see `render.py`).

Mapping: each warning or caution becomes an action in the "warnings" viewport right before the step
it guards; each step an action in the "actions" viewport whose description carries the instruction,
detail, specs, check and source page; tools, parts and protective equipment (id "ppe-<n>-...") become
workplace things, safety notes
workplace warnings. The bundled schemas leave `activates`/`deactivates`/`pois` as unresolved `$ref`s,
so exports omit them: the action order is the sequence.

    activity, workplace = to_arlem(card)                    # needs a card drafted from an indexed library
    validate_arlem(activity, workplace)                     # needs a card drafted from an indexed library
    # -> []
"""
from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path

from ..errors import require
from .model import StepCard
from .render import to_html, to_markdown, to_s1000d

__all__ = ["to_arlem", "validate_arlem", "to_html", "to_markdown", "to_s1000d"]

ARLEM_DIR = Path(__file__).with_name("arlem")


def slug(text: str, limit: int = 60) -> str:
    """An id from a title: "3.1 Replacing the filter" -> "3-1-replacing-the-filter"."""
    s = re.sub(r"[^0-9a-zA-Z\u4e00-\u9fff]+", "-", text.lower()).strip("-")
    return (s[:limit].rstrip("-") or "card")


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def to_arlem(card: StepCard, activity_id: str | None = None, workplace_file: str | None = None) -> tuple[dict, dict]:
    """(activity, workplace) as plain dicts ready for json.dumps."""
    aid = _cut(activity_id or slug(card.title or card.task), 100)
    wid = f"{aid}-workplace"
    actions: list[dict] = []
    for step in card.steps:
        for k, w in enumerate(step.warnings, 1):
            actions.append(_action(f"step{step.number}-{w.level}{k}", "warnings", w.level.upper(),
                                   f"{w.text}\nSource: {_src(w.citation)}"))
        actions.append(_action(f"step{step.number}", "actions", f"Step {step.number}: {step.instruction}", _describe(step)))
    general = [w for w in card.warnings if w.step is None]
    description = "\n".join(
        [f"Task: {card.task}"]
        + ([f"Equipment: {card.equipment}"] if card.equipment else [])
        + [f"{w.level.upper()}: {w.text}" for w in general]
        + ([f"Protective equipment: {'; '.join(t.name for t in card.tools if t.kind == 'ppe')}"] if any(t.kind == "ppe" for t in card.tools) else [])
        + ([f"Tools and parts: {'; '.join(t.name for t in card.tools if t.kind != 'ppe')}"] if any(t.kind != "ppe" for t in card.tools) else [])
        + [f"Source: {s.doc}, pages {', '.join(map(str, s.pages))}" for s in card.sources])
    activity = {
        "id": aid, "name": _cut(card.title or card.task, 1000), "description": _cut(description, 10000),
        "language": (card.language or "en")[:2], "workplace": _cut(workplace_file or f"{wid}.json", 2000),
        "start": actions[0]["id"], "actions": actions,
    }
    things = [{"id": _cut(f"{t.kind}-{i}-{slug(t.name, 40)}", 100), "name": _cut(t.name, 1000), "detectable": f"{t.kind}-{i}-anchor"}
              for i, t in enumerate(card.tools, 1)]
    workplace = {
        "id": _cut(wid, 100), "name": _cut(f"Workplace for {card.title or card.task}", 1000), "origin": "origin",
        "things": things, "places": [], "persons": [], "sensors": [], "devices": [], "apps": [],
        "detectables": [{"id": "origin", "sensor": "tracking", "type": "marker"}]
        + [{"id": t["detectable"], "type": "anchor"} for t in things],
        "predicates": [],
        "warnings": [{"id": f"warning-{i}", "type": "label", "symbol": w.level, "scale": "1"} for i, w in enumerate(card.warnings, 1)],
    }
    return activity, workplace


def _action(aid: str, viewport: str, title: str, description: str) -> dict:
    return {
        "id": _cut(aid, 100), "viewport": viewport, "type": viewport,
        "instruction": {"title": _cut(title, 100), "description": _cut(description, 5000)},
        "enter": {"removeSelf": False}, "exit": {"removeSelf": True},
        # click or say "next" to finish the step
        "triggers": [{"mode": "click", "type": "action", "viewport": viewport, "id": _cut(aid, 100)},
                     {"mode": "voice", "type": "action", "id": _cut(aid, 100)}],
    }


def _src(c) -> str:
    return f"{c.doc}, {c.page_ref()}"


def _describe(step) -> str:
    parts = ([f"{step.part.text} (Source: {'; '.join(dict.fromkeys(_src(c) for c in step.part.citations))})"] if step.part else []) + [step.instruction]
    if step.detail:
        parts.append(step.detail)
    parts += [f"{s.name}: {s.value} {s.unit}" for s in step.specs]
    if step.check:
        parts.append(f"Check: {step.check}")
    parts.append("Source: " + "; ".join(dict.fromkeys(_src(c) for c in step.citations)))
    return "\n".join(parts)


@lru_cache(maxsize=2)
def _schema(name: str) -> dict:
    return json.loads((ARLEM_DIR / f"{name}Schema.json").read_text(encoding="utf-8"))


def validate_arlem(activity: dict, workplace: dict | None = None) -> list[str]:
    """Schema errors of an exported activity (and workplace); [] when both are valid."""
    jsonschema = require("jsonschema", "test")
    errors = []
    for name, obj in (("activity", activity), ("workplace", workplace)):
        if obj is None:
            continue
        validator = jsonschema.Draft7Validator(_schema(name))
        try:
            errors += [f"{name}: {'/'.join(map(str, e.absolute_path)) or '(root)'}: {e.message}" for e in validator.iter_errors(obj)]
        except Exception as exc:  # an unresolvable $ref is hit only by fields we never export
            errors.append(f"{name}: {type(exc).__name__}: {exc}")
    return errors
