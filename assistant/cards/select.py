"""Find the procedure a task asks for: every step run of the documents the retriever points at is a
candidate, alone (titled by the paragraph that introduces it) and together with the other runs of
each section it sits in (titled by the heading trail). Candidates are scored by how much of the task
their title covers, how strongly retrieval found them, and how much of the task their text holds;
a task whose subject words the best candidate does not contain is refused.

>>> best = find_procedure("Honeywell HY-204 Fan Motor Replacement", hits, docs)   # doctest: +SKIP
>>> best.title, len(best.runs)                                                     # doctest: +SKIP
('Honeywell HY-204 Fan Motor Replacement', 1)
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

from ..glossary import PAIRS
from ..lexical import stem, tokenize
from ..types import Hit
from .extract import Run, step_runs
from .items import Item, is_tools_heading, read_items
from .source import DocText

# Words that say what kind of work, not on what: they cannot tell two procedures apart.
GENERIC = {stem(w) for w in (
    "replace replacement replacing remove removal install installation check checking inspect inspection change "
    "clean cleaning repair fix maintain maintenance service servicing adjust adjustment test testing measure set "
    "turn switch open close disassemble disassembly assemble assembly reassemble unit procedure steps step "
    "instructions perform carry need want please tell show way guide me on off").split()} - {stem("guide")}
GENERIC_ZH = re.compile(r"如何|怎么|怎样|怎样才能|请问|请|我|的|步骤|方法|操作|更换|拆卸|安装|检查|维护|保养|清洁|[？?。！!，,]")
GENERIC_HEADINGS = re.compile(r"^\W*(?:\d+(?:\.\d+)*\.?\s*)?(?:procedures?|steps?|instructions?|work steps|operating steps|"
                              r"操作步骤|步骤|作业步骤|操作程序|程序)\W*$", re.IGNORECASE)
MIN_COVER = 0.5  # share of the task's subject words the procedure must contain
MAX_RUNS = 4  # a section with more numbered runs is a chapter of procedures, not one


@dataclass
class Parsed:
    doc: DocText
    items: list[Item]
    runs: list[Run]
    spans: list[tuple[int, int]]  # per heading: its section's span in doc.text


def parse_doc(doc: DocText) -> Parsed:
    items = read_items(doc)
    spans = []
    for k, h in enumerate(doc.headings):
        start = doc.lines[h.line].start
        end = next((doc.lines[g.line].start for g in doc.headings[k + 1:] if g.depth <= h.depth), len(doc.text))
        spans.append((start, end))
    return Parsed(doc, items, step_runs(items), spans)


@dataclass
class Procedure:
    parsed: Parsed
    runs: list[Run]
    lo: int  # scope in doc.text: where its tools, preconditions and opening warnings are looked for
    hi: int
    title: str
    match_text: str
    node: int = -1
    score: float = 0.0
    sim: float = 0.0
    ret: float = 0.0
    cover: float = 0.0
    titles: list[str] = field(default_factory=list)

    @property
    def doc(self) -> DocText:
        return self.parsed.doc


def candidates(p: Parsed) -> list[Procedure]:
    """Every section with step runs (all its runs), and every run alone; same run sets merged."""
    doc, items = p.doc, p.items
    found: dict[tuple[int, ...], Procedure] = {}

    def add(runs: list[Run], lo: int, hi: int, title: str, node: int, generic: bool = False):
        key = tuple(r.first for r in runs)
        cur = found.get(key)
        if cur is None:
            found[key] = Procedure(p, runs, lo, hi, "" if generic else title, title, node, titles=[title])
            return
        cur.match_text += " " + title
        cur.titles.append(title)
        if hi - lo > cur.hi - cur.lo:
            cur.lo, cur.hi, cur.node = lo, hi, node
        if not cur.title and not generic:
            cur.title = title

    nodes = [(-1, (0, len(doc.text)))] + list(enumerate(p.spans))
    for k, (lo, hi) in sorted(nodes, key=lambda kv: kv[1][1] - kv[1][0]):  # deepest sections first: their titles win
        inside = [r for r in p.runs if lo <= items[r.first].start < hi]
        numbered = [r for r in inside if r.numbered]
        use = numbered or inside
        if not use or len(numbered) > MAX_RUNS:
            continue
        heading = doc.headings[k].path[-1] if k >= 0 else (doc.title or "")
        if k >= 0 and is_tools_heading(heading):
            continue
        trail = " ".join(doc.headings[k].path[-2:]) if k >= 0 else heading
        add(use, lo, hi, heading, k, generic=bool(GENERIC_HEADINGS.match(heading)) or k < 0)
        found[tuple(r.first for r in use)].match_text += " " + trail
    for r in p.runs:
        lo, intro = _intro(p, r)
        hi = _tail(p, r)
        node = items[r.first].node
        trail = " ".join(doc.headings[node].path[-2:]) if node >= 0 else ""
        add([r], lo, hi, intro or trail, node, generic=not intro)
        found[(r.first,)].match_text += " " + trail
    out = list(found.values())
    for c in out:
        if not c.title:
            c.title = _first_words(doc.text[items[c.runs[0].first].body:items[c.runs[0].first].end])
    return out


def _intro(p: Parsed, r: Run) -> tuple[int, str]:
    """The paragraph(s) right before a run that introduce it ("To turn on Voice Guide:")."""
    items, first = p.items, p.items[r.first]
    lo, texts = first.start, []
    j = r.first - 1
    while j >= 0 and r.first - j <= 4:
        it = items[j]
        if it.node != first.node or it.kind not in ("para", "tools", "warning", "bullet") or (it.kind == "bullet" and not texts and j == r.first - 1 and False):
            break
        if it.kind == "bullet":
            break
        lo = it.start
        if it.kind == "para":
            texts.insert(0, p.doc.text[it.start:it.end][:300])
        j -= 1
    return lo, " ".join(texts)


def _tail(p: Parsed, r: Run) -> int:
    """End of a run: its last step plus the notes and warnings right after it."""
    items = p.items
    hi = items[r.last].end
    for it in items[r.last + 1:]:
        if it.node != items[r.last].node or it.kind not in ("warning", "para"):
            break
        hi = it.end
    return hi


def _first_words(text: str, n: int = 12) -> str:
    return " ".join(text.split()[:n])


def task_tokens(task: str) -> list[str]:
    """The task's words as the tokenizer sees them, without question words."""
    if re.search(r"[\u4e00-\u9fff]", task):
        stripped = GENERIC_ZH.sub(" ", task)
        return tokenize(stripped if stripped.strip() else task)
    return tokenize(task)


def subject_tokens(tokens: list[str]) -> set[str]:
    """What the task is about: its tokens minus generic verbs and bare small numbers ("unit 7")."""
    subj = {t for t in tokens if t not in GENERIC and not (t.isdigit() and len(t) <= 2)}
    return subj or set(tokens)


def score_all(task: str, cands: list[Procedure], hits: list[Hit]) -> None:
    tokens = task_tokens(task)
    t_set, subj = set(tokens), subject_tokens(tokens)
    df: dict[str, int] = {}
    for c in cands:
        for t in set(tokenize(c.match_text)):
            df[t] = df.get(t, 0) + 1
    n = len(cands)
    idf = {t: math.log((n + 1) / (df.get(t, 0) + 0.5)) + 0.1 for t in t_set}
    top = max((h.score for h in hits), default=1.0) or 1.0
    hit_rows = {}
    for h in hits:
        hit_rows.setdefault(h.chunk.id, h.score)
    total = sum(idf.values()) or 1.0
    for c in cands:
        title = set(tokenize(c.match_text))
        c.sim = 0.8 * sum(idf[t] for t in t_set & title) / total + 0.2 * len(t_set & title) / max(1, len(title))
        ids = {c.doc.chunks[i].id for i in range(len(c.doc.chunks)) if c.doc.rowids[i] in c.doc.chunk_rowids(c.lo, c.hi)}
        c.ret = max((s for cid, s in hit_rows.items() if cid in ids), default=0.0) / top
        body = c.doc.text[c.lo:c.hi] + " " + c.match_text
        c.cover = _cover(task, subj, body)
        extra = sum(1 for r in c.runs if r.numbered) - 1
        c.score = 0.55 * c.sim + 0.25 * c.ret + 0.2 * c.cover - 0.05 * max(0, extra)


def _cover(task: str, subj: set[str], body: str) -> float:
    """Share of the subject words found in the text, directly or through the bilingual glossary."""
    if not subj:
        return 0.0
    have = set(tokenize(body))
    hit = subj & have
    if re.search(r"[\u4e00-\u9fff]", body):
        for word in re.findall(r"[a-z][a-z\-]+", task.lower()):
            s = stem(word)
            if s in subj and s not in hit and any(zh in body for zh in PAIRS.get(word, PAIRS.get(s, ()))):
                hit.add(s)
    return len(hit) / len(subj)


def find_procedure(task: str, hits: list[Hit], parsed: list[Parsed]) -> Procedure | None:
    """The best-scoring candidate procedure, or None when no candidate holds the task's subject."""
    cands = [c for p in parsed for c in candidates(p)]
    if not cands:
        return None
    score_all(task, cands, hits)
    best = max(cands, key=lambda c: (round(c.score, 6), c.hi - c.lo))
    return best if best.cover >= MIN_COVER else None
