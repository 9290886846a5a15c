"""Extractive answers: the best supporting sentences of the top passages, quoted verbatim.

A passage is cut into units: sentences, list items, table rows and warnings. PDF lines wrapped at
the page width are joined back into one unit, and a heading stays a unit of its own. Each unit is
scored by how much of the question (idf-weighted terms) it holds. Two kinds of question get two
kinds of answer:

- a question about one detail ("What torque for the cover?") is answered by the unit(s) holding it,
  after the passage's opening sentence (which says what and where);
- a question about the whole section (its heading matches the question as well as any single unit,
  "How do I use the time zone converter?") is answered by the section's opening units.

Units that read like instructions to an AI ("ignore previous instructions") are never quoted.

>>> [text[s:e] for s, e in units("Procedure\\n1. Stop the unit. Wait until P1\\nreads 0 bar.\\n2. Open V5.")]
['Procedure', '1. Stop the unit.', 'Wait until P1\\nreads 0 bar.', '2. Open V5.']
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from .answer_evidence import Term, coverage
from .ingest.lines import LIST_RE, WARNING_RE
from .types import Hit

# Text planted in a document to steer a language model. Such units are data we refuse to repeat.
INJECTION_RE = re.compile(
    r"\b(?:ignore|disregard|forget|override)\b.{0,40}\b(?:instructions?|prompts?|rules|context|above|previous)\b"
    r"|\b(?:system prompt|you are now|act as (?:an?|the) |tell the user|respond (?:only )?with|new instructions)\b"
    r"|忽略.{0,10}(?:指令|说明|提示)|无视.{0,10}(?:指令|规则)",
    re.IGNORECASE,
)
_TERMINAL = re.compile(r"[.!?:;。！？；：]\s*$")
# A full stop ends a sentence when a capital, digit or CJK follows, unless it closes an abbreviation.
_STOP = re.compile(r"(?<=[.!?;])\s+(?=[A-Z0-9\u4e00-\u9fff\"“(])|(?<=[。！？；])")
_ABBREV = re.compile(r"(?:\b(?:approx|e\.g|i\.e|no|nos|fig|max|min|ca|cf|vs|etc|ref|sec|para|pt|incl|dia|resp|[A-Z])\.)$", re.IGNORECASE)


@dataclass(frozen=True)
class Unit:
    hit: int  # index of the hit (passage) it comes from
    start: int  # span in the chunk text
    end: int
    text: str
    heading: bool
    injected: bool


def _width(s: str) -> int:
    return sum(2 if "\u3000" <= ch <= "\u9fff" or "\uff00" <= ch <= "\uffef" else 1 for ch in s)


def _lines(text: str) -> list[tuple[int, int]]:
    out = []
    for m in re.finditer(r"[^\r\n]+", text):
        seg = m.group()
        s = m.start() + len(seg) - len(seg.lstrip())
        e = m.start() + len(seg.rstrip())
        if e > s:
            out.append((s, e))
    return out


def _logical_lines(text: str, headings: set[str]) -> list[tuple[int, int, bool]]:
    """Physical lines joined where a PDF wrapped one sentence over several; (start, end, is_heading)."""
    lines = _lines(text)
    if not lines:
        return []
    widest = max(_width(text[s:e]) for s, e in lines)
    out: list[list] = []
    for s, e in lines:
        line = text[s:e]
        is_heading = " ".join(line.split()).lower() in headings
        if out and not is_heading and not out[-1][2]:
            ps, pe, _ = out[-1]
            last = text[text.rfind("\n", 0, pe) + 1 : pe]  # last physical line of the open unit
            wrapped = _width(last) >= max(40, 0.75 * widest) or line[:1].islower()
            opens_item = bool(LIST_RE.match(line) or WARNING_RE.match(line) or line.lstrip().startswith(("|", "•", "-", "*")))
            if wrapped and not _TERMINAL.search(last) and not opens_item:
                out[-1][1] = e
                continue
        out.append([s, e, is_heading])
    return [tuple(x) for x in out]


def units(text: str, headings: set[str] | None = None) -> list[tuple[int, int]]:
    """Spans of the sentence units of `text` (see the module doc)."""
    return [(s, e) for s, e, _ in _units(text, {h.lower() for h in headings or ()})]


def _units(text: str, headings: set[str]) -> list[tuple[int, int, bool]]:
    out = []
    for ls, le, is_heading in _logical_lines(text, headings):
        if is_heading:
            out.append((ls, le, True))
            continue
        pos = ls
        seg = text[ls:le]
        for m in _STOP.finditer(seg):
            cut = ls + m.start()
            if _ABBREV.search(text[pos:cut]) or cut - pos < 2:
                continue
            out.append((pos, cut, False))
            pos = ls + m.end()
        out.append((pos, le, False))
    return [(s, e, h) for s, e, h in out if any(ch.isalnum() for ch in text[s:e])]


def passage_units(hits: list[Hit]) -> list[list[Unit]]:
    """The units of each hit's chunk text, in order."""
    out = []
    for i, h in enumerate(hits):
        c = h.chunk
        heads = {" ".join(s.split()).lower() for s in c.section}
        us = []
        for s, e, is_heading in _units(c.text, heads):
            t = c.text[s:e]
            us.append(Unit(i, s, e, t, is_heading, bool(INJECTION_RE.search(t))))
        out.append(us)
    return out


def _word_count(text: str) -> int:
    return len(re.findall(r"[A-Za-z0-9]+", text)) + len(re.findall(r"[\u3400-\u9fff]", text)) // 2


@dataclass(frozen=True)
class ExtractConfig:
    candidates: int = 3  # passages considered
    prior: float = 0.3  # weight of the passage's retrieval score in a unit's score
    keep_ratio: float = 0.7  # other units kept when they hold this share of the best unit's score
    max_units: int = 4  # detail answers
    lead_units: int = 1  # opening units of a section shown before a detail
    section_words: int = 60  # budget of a whole-section answer


def select(terms: list[Term], hits: list[Hit], cfg: ExtractConfig = ExtractConfig()) -> list[Unit]:
    """The units that answer the question, in reading order; empty when nothing holds any of it."""
    if not hits:
        return []
    per_hit = passage_units(hits[: cfg.candidates])
    top = hits[0].score or 1.0
    scored = [(coverage(terms, u.text) + cfg.prior * hits[u.hit].score / top, u)
              for us in per_hit for u in us if not u.heading and not u.injected]
    if not scored:
        return []
    best_score, best = max(scored, key=lambda x: x[0])
    rel_best = coverage(terms, best.text)
    if rel_best <= 0:
        return []
    chunk = hits[best.hit].chunk
    body = [u for u in per_hit[best.hit] if not u.heading and not u.injected]
    heading_cov = coverage(terms, " ".join(chunk.section[-1:]))
    starts_section = bool(per_hit[best.hit]) and per_hit[best.hit][0].heading
    if heading_cov >= rel_best and starts_section:
        chosen, words = [], 0
        for u in body:
            if chosen and words + _word_count(u.text) > cfg.section_words:
                break
            chosen.append(u)
            words += _word_count(u.text)
        return chosen
    keep = {best}
    for u in sorted(body, key=lambda u: -coverage(terms, u.text)):
        if len(keep) >= cfg.max_units:
            break
        if coverage(terms, u.text) >= cfg.keep_ratio * rel_best:
            keep.add(u)
    if starts_section:
        keep.update(body[: cfg.lead_units])
    return sorted(keep, key=lambda u: u.start)
