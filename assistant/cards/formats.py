"""The formats a step card is written in, one list for the command line, the HTTP API and the web
UI: each with its media type and file suffix, and the card in it.

>>> sorted(FORMATS), FORMATS["s1000d"].media_type
(['arlem', 'html', 'json', 'md', 's1000d'], 'application/xml')
"""
from __future__ import annotations

import json
from dataclasses import dataclass

from .model import StepCard


@dataclass(frozen=True)
class CardFormat:
    media_type: str
    suffix: str
    help: str


FORMATS: dict[str, CardFormat] = {
    "json": CardFormat("application/json", ".json", "the card as JSON (the default)"),
    "arlem": CardFormat("application/json", ".arlem.json", 'ARLEM {"activity", "workplace"} JSON for XR players'),
    "html": CardFormat("text/html; charset=utf-8", ".html", "a printable page"),
    "md": CardFormat("text/markdown; charset=utf-8", ".md", "Markdown"),
    "s1000d": CardFormat("application/xml", ".xml", "a procedural-step XML fragment (S1000D style)"),
}
NAMES = tuple(FORMATS)
JSON_FORMATS = ("json", "arlem")  # the formats a batch of cards can be written in, one JSON line each


def payload(card: StepCard, fmt: str, *, workplace_file: str | None = None) -> dict | str:
    """The card in `fmt`: a dict for the JSON formats, text for the others. `workplace_file`: the
    name an ARLEM activity gives its workplace file, when the two are written as files."""
    from .export import to_arlem, to_html, to_markdown, to_s1000d

    if fmt == "arlem":
        activity, workplace = to_arlem(card, workplace_file=workplace_file)
        return {"activity": activity, "workplace": workplace}
    text = {"html": to_html, "md": to_markdown, "s1000d": to_s1000d}.get(fmt)
    return text(card) if text else card.to_json()


def render(card: StepCard, fmt: str, *, workplace_file: str | None = None) -> str:
    """The card in `fmt` as text (JSON indented, non-ASCII kept)."""
    out = payload(card, fmt, workplace_file=workplace_file)
    return out if isinstance(out, str) else json.dumps(out, ensure_ascii=False, indent=2)
