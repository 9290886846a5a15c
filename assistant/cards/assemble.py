"""Turn a found procedure into a StepCard, extractively: every instruction is the manual's own wording
(joined across line breaks, cut at a sentence to fit a headset), every warning sits before the step
it stands before in the manual, and every line carries verbatim quotes.

    card = assemble(procedure, "replace the return-line filter element")   # needs a document from an indexed library
    card.steps[4].warnings[0].level                                         # needs a document from an indexed library
    # -> 'warning'
"""
from __future__ import annotations

import re
from typing import Sequence

from ..index.chunk import detect_language
from ..index.lexical import tokenize
from ..ingest.figures import caption_label, figure_key
from ..types import Figure
from ..plaintext import _QUOTE_MARK, join_lines, plain, strip_emphasis
from ..textrules import DIVISION, LEAD_IN, MODEL_CODE
from ..answer.verify import sentences
from .extract import describe_tool, specs_in, sub_procedures, tool_spans, tools_mentioned
from .model import MAX_INSTRUCTION, MediaRef, Part, Precondition, SafetyNote, Source, Spec, Step, StepCard, Tool
from .items import Item
from .select import Procedure, run_in_title
from .source import DocText

FIGURE_RE = re.compile(r"\b(?:Fig(?:ure)?\.?|Abb\.|Illustration)\s*\d+[\w.\-]*|图\s*\d+[\w.\-]*", re.IGNORECASE)
CHECK_RE = re.compile(r"^(?:check|verify|ensure|make sure|confirm|wait until|test|listen|inspect|确认|检查|确保)\b", re.IGNORECASE)
PRECOND_RE = re.compile(r"\b(?:interval|time required|before (?:you )?(?:start|begin|perform)|prerequisites?|requires?|required|"
                        r"make sure|ensure|permit|only (?:trained|authori[sz]ed|qualified))\b|周期|所需时间|之前|确保|前提", re.IGNORECASE)


def clean(text: str) -> str:
    """Display text (assistant.plaintext.plain): wrapped lines joined (no space between Chinese
    characters, none after a hyphen that split a word), list markers, Markdown emphasis and table
    pipes dropped ("Oil change interval | 12 months" -> "Oil change interval: 12 months"), white
    space collapsed. The citations keep the manual's characters."""
    return plain(text)


def _title(text: str) -> str:
    """A heading as shown: its section number kept, Markdown dropped, wrapped lines joined."""
    return " ".join(strip_emphasis(_QUOTE_MARK.sub("", join_lines(text))).split())


def fit(text: str, limit: int = MAX_INSTRUCTION) -> tuple[str, str | None]:
    """(instruction, detail): the manual's words up to `limit` characters, whole sentences first; when
    room is left, the next sentence cut at a word and marked "…". The full rest goes to detail.

    >>> fit("Stop the unit. Wait.", 15)
    ('Stop the unit.', 'Wait.')
    """
    if len(text) <= limit:
        return text, None
    end = 0
    for _, e in sentences(text):
        if e > limit:
            break
        end = e
    if limit - end < 60 and end > 0:
        return text[:end].strip(), text[end:].strip() or None
    cut = text.rfind(" ", end, limit - 1)  # fill the card with the manual's words rather than leave it half empty
    cut = cut if cut > end else limit - 1
    return text[:cut].rstrip(" ,;:") + "…", text[cut:].strip() or None


def _sentences(raw: str) -> list[tuple[int, int]]:
    """Sentence spans of raw page text: a line break inside a sentence is not its end."""
    return sentences(raw.replace("\r", " ").replace("\n", " "))


def assemble(proc: Procedure, task: str, figures: Sequence[Figure] | None = None) -> StepCard:
    """The card of a procedure. `figures`: the document's recorded figures (Store.figures), which
    the steps' "See Figure 1" resolve to (page and region); without them, a figure is found by its
    caption in the document's text (page only)."""
    doc, items = proc.doc, proc.parsed.items
    order = [i for r in proc.runs for i in r.steps]
    heads = _part_heads(proc)
    members = set(order) - set(heads)
    first, last = order[0], order[-1]
    figs = _Figures(doc, figures, _scope_mentions(proc, items[first].start))
    general: list[SafetyNote] = []
    pending: list[SafetyNote] = []
    steps: list[Step] = []
    part: Part | None = None  # the part of the task that the next step opens
    prev = first  # the card's last step so far, as an item
    for j, it in enumerate(items):
        if it.start < proc.lo or j in proc.skip:  # another feature's entry of a shared list: not this card's
            continue
        if j > last and it.start >= proc.hi:
            break
        if j < first:
            if it.kind == "warning":
                pending.append(_note(doc, it))
            elif it.kind in ("para", "tools") and pending:
                general += pending  # not right before the first step: it guards the whole task
                pending = []
        elif j in heads:
            part = heads[j]
        elif j in members:
            steps.append(_step(doc, it, len(steps) + 1, pending, figs).model_copy(update={"part": part}))
            pending, prev, part = [], j, None
        elif j > last:
            if it.kind == "warning":
                general.append(_note(doc, it))
        elif it.kind == "warning":
            note = _note(doc, it)
            if note.level == "note" and part is None and not _note_before(doc, it, items[prev], items[_next_member(order, j)]):
                steps[-1].warnings.append(note.model_copy(update={"step": steps[-1].number}))
            else:  # a warning guards the next step; so does a note that speaks of it
                pending.append(note)
        elif it.kind in ("para", "bullet", "step") and part is not None:  # text under a part's title, before its first step
            part = part.model_copy(update={"text": f"{part.text} {clean(doc.text[it.start:it.end])}",
                                           "citations": part.citations + doc.quotes(it.start, it.end)})
        elif it.kind in ("para", "bullet", "step"):
            extra = clean(doc.text[it.start:it.end])
            steps[-1].detail = f"{steps[-1].detail} {extra}".strip() if steps[-1].detail else extra
            steps[-1].citations.extend(doc.quotes(it.start, it.end))
    general += pending
    all_notes = general + [w for s in steps for w in s.warnings]
    text = " ".join(s.instruction for s in steps)
    return StepCard(
        title=_title(proc.title), task=task, language=detect_language(text) if text else "en",
        equipment=_equipment(proc), preconditions=_preconditions(proc, first), warnings=all_notes,
        tools=_tools(proc, steps), steps=steps, sources=_sources(steps, all_notes))


def _part_heads(proc: Procedure) -> dict[int, Part]:
    """The steps of the card's runs that only open a part of the task, each with its Part: a numbered step
    over two or more lettered ones, titled, whose text ends by announcing them ("(1) Weather Gasket Pressure
    Adjustment. To increase ..., proceed as follows:"). Its lettered steps are the steps; it is their title.
    An instruction that its lettered steps spell out ("(1) Remove the water pump cover as follows:") is a step."""
    doc, items = proc.doc, proc.parsed.items
    out = {}
    for r in proc.runs:
        for head, subs in sub_procedures(items, r):
            it = items[head]
            text = " ".join(doc.text[it.body:it.end].split())
            if subs and run_in_title(text) and LEAD_IN.search(text):
                quotes = doc.quotes(it.start, it.end)
                if quotes:
                    out[head] = Part(text=clean(doc.text[it.body:it.end]), source_number=it.label or None, citations=quotes)
    return out


def _next_member(order: list[int], j: int) -> int:
    return next(i for i in order if i > j)


def _words(text: str) -> set[str]:
    return {t for t in tokenize(text) if t.isalpha() and len(t) > 2}


def _note_before(doc: DocText, note: Item, before: Item, after: Item) -> bool:
    """Whether a note between two steps is about the step after it: it shares more words with that
    step than with the one before ("NOTE If more than one shim is required ..." over "Add a 0.032 inch
    shim"). On a tie, a note set as a block, its label on a line of its own as a warning's is, stands
    before its step, as warnings do (MIL-STD-40051); a note run in after a step's text explains it."""
    words = _words(doc.text[note.body:note.end])
    shared_before = len(words & _words(doc.text[before.body:before.end]))
    shared_after = len(words & _words(doc.text[after.body:after.end]))
    if shared_after != shared_before:
        return shared_after > shared_before
    return doc.text[note.start:note.end].split("\n", 1)[0].strip(" :：!").lower() == note.label.lower()


def _note(doc: DocText, it) -> SafetyNote:
    # one citation per note: the chunker keeps a warning whole, so its first quote is all of it
    return SafetyNote(level=it.level or "warning", text=clean(doc.text[it.start:it.end]), citation=doc.quotes(it.start, it.end)[0])


def _step(doc: DocText, it, number: int, pending: list[SafetyNote], figs: _Figures) -> Step:
    raw = doc.text[it.body:it.end]
    instruction, detail = fit(clean(raw))
    specs = []
    for name, value, unit, s, e in specs_in(raw):
        sent = next(((a, b) for a, b in _sentences(raw) if a <= s and e <= b), (s, e))
        quotes = doc.quotes(it.body + sent[0], it.body + sent[1])
        if quotes:
            specs.append(Spec(name=clean(name), value=" ".join(value.split()), unit=unit, citation=quotes[0]))
    quotes = doc.quotes(it.body, it.end)
    media = [MediaRef(kind="page", doc=doc.name, page=p) for p in sorted({q.page for q in quotes})]
    media += figs.media([m.group() for m in FIGURE_RE.finditer(raw)], quotes[0].page)
    check = next((clean(raw[a:b]).rstrip(" ;,；，") for a, b in _sentences(raw) if CHECK_RE.match(raw[a:b])), None)
    return Step(number=number, instruction=instruction, detail=detail, source_number=it.label or None,
                warnings=[w.model_copy(update={"step": number}) for w in pending], specs=specs, check=check,
                media=media, citations=quotes)


def _scope_mentions(proc: Procedure, first_step: int) -> list[str]:
    """The figures the procedure's title and its text before the first step point to ("Replace
    (Figure 3-24)"), else the one or two whose caption lies in its scope (a task continued on the
    page of its figure): every step that names no figure of its own shows them."""
    text = proc.title + "\n" + proc.doc.text[proc.lo:first_step]
    named = [m.group() for m in FIGURE_RE.finditer(text)]
    inside = [x for x in map(caption_label, proc.doc.text[proc.lo:proc.hi].splitlines()) if x]
    return named or (inside if len(inside) <= 2 else [])  # a chapter of many figures: none is the procedure's


class _Figures:
    """The document's figures by number ("3-23"), and the procedure's own, for the steps' media."""

    def __init__(self, doc: DocText, figures: Sequence[Figure] | None, scope: list[str]):
        self.doc = doc
        self.by_key: dict[str, list[Figure]] = {}
        if figures is None:  # not recorded: a caption line of a figure block gives the page
            figures = []
            for ln in doc.lines:
                c = doc.chunks[ln.chunk]
                label = caption_label(doc.text[ln.start:ln.end]) if "figure" in c.kinds else ""
                if label:
                    figures.append(Figure(c.page, label, " ".join(doc.text[ln.start:ln.end].split())))
        for f in figures:
            self.by_key.setdefault(figure_key(f.label), []).append(f)
        self.scope = scope

    def media(self, mentions: list[str], page: int) -> list[MediaRef]:
        """MediaRefs for the figures a step names (else the procedure's), as recorded where they are."""
        out: list[MediaRef] = []
        for label in mentions or self.scope:
            found = self.by_key.get(figure_key(label))
            if found:  # the recorded figure nearest the step: on its page, then after it, then before
                f = min(found, key=lambda f: (abs(f.page - page), f.page < page))
                ref = MediaRef(kind="figure", doc=self.doc.name, page=f.page, label=f.label,
                               bbox=[float(v) for v in f.bbox] if any(f.bbox) else None)
            elif mentions:
                ref = MediaRef(kind="figure", doc=self.doc.name, page=page, label=label)
            else:
                continue  # the procedure's text names a figure the document does not hold: none for every step
            if ref not in out:
                out.append(ref)
        return out


def _tools(proc: Procedure, steps: list[Step]) -> list[Tool]:
    """The tools lists in the procedure's scope, else in the nearest enclosing section that holds no
    other procedure, else the tools its steps name."""
    doc, p = proc.doc, proc.parsed
    spans = tool_spans(doc, p.items, proc.lo, proc.hi, p.tool_nodes)
    node = proc.node
    mine = {i for r in proc.runs for i in r.steps}
    while not spans and node >= 0:
        path = doc.headings[node].path[:-1]
        node = next((k for k in range(node - 1, -1, -1) if doc.headings[k].path == path), -1)
        lo, hi = p.spans[node] if node >= 0 else (0, len(doc.text))
        inside = [{i for i in r.steps if lo <= p.items[i].start < hi} for r in p.runs if not r.implied]
        if any(steps and not steps & mine for steps in inside):
            break  # the section holds another procedure too: its tools are not this one's
        spans = tool_spans(doc, p.items, lo, hi, p.tool_nodes)
    out: list[Tool] = []
    for sp in spans:
        name = clean(doc.text[sp.start:sp.end])
        kind, pn, qty = describe_tool(name)
        kind = "part" if sp.parts else kind
        out.append(Tool(name=name, kind=kind, part_number=pn, quantity=qty, citation=doc.quotes(sp.start, sp.end)[0]))
    if out:
        return out
    seen: set[str] = set()
    for i in (j for r in proc.runs for j in r.steps):
        it = p.items[i]
        raw = doc.text[it.body:it.end]
        for s, e in tools_mentioned(raw):
            name = clean(raw[s:e])
            if name.lower() not in seen:
                seen.add(name.lower())
                out.append(Tool(name=name, citation=doc.quotes(it.body + s, it.body + e)[0]))
    return out


def _preconditions(proc: Procedure, first: int) -> list[Precondition]:
    doc, items = proc.doc, proc.parsed.items
    out = []
    for it in items[:first]:
        if it.start < proc.lo or it.kind != "para":
            continue
        raw = doc.text[it.start:it.end]
        for a, b in _sentences(raw):
            if PRECOND_RE.search(raw[a:b]) and len(out) < 4:
                q = doc.quotes(it.start + a, it.start + b)
                if q:
                    out.append(Precondition(text=clean(raw[a:b]), citation=q[0]))
    return out


def _equipment(proc: Procedure) -> str | None:
    """What the procedure works on, as a technician names it: the first of the top heading above the
    procedure, the document's title and the headings of its front page that names a model ("HP-3
    Hydraulic Pump Manual", "SHELTER, ELECTRICAL EQUIPMENT S-250/G"), cut before its brackets and
    lists of stock numbers; else the top heading or the title. A division of the manual ("Section V.
    MAINTENANCE INSTRUCTIONS") or the procedure's own title never names it."""
    doc = proc.doc
    top = doc.headings[proc.node].path[0] if proc.node >= 0 else ""
    title = (doc.title or "").strip()
    if title.lower() in ("untitled", "document", "title"):
        title = ""
    named = [h for h in (top, title) if h and h != proc.title and not DIVISION.match(h)]
    for h in [*named, *doc.front_headings]:
        if h != proc.title and not DIVISION.match(h) and MODEL_CODE.search(h):
            return re.split(r"\s+\(|;", h, maxsplit=1)[0].strip(" ,:")
    return named[0] if named else None


def _sources(steps: list[Step], notes: list[SafetyNote]) -> list[Source]:
    pages: dict[str, set[int]] = {}
    for c in [c for s in steps for c in s.citations] + [n.citation for n in notes]:
        pages.setdefault(c.doc, set()).add(c.page)
    return [Source(doc=d, pages=sorted(p)) for d, p in pages.items()]
