"""Find the procedure a task asks for: every step run of the documents the retriever points at is a
candidate, alone (titled by the paragraph that introduces it) and together with the other runs of
each section it sits in (titled by the heading trail). Candidates are scored by how much of the task
their title covers, how strongly retrieval found them, and how much of the task their text holds;
a task whose subject words the best candidate does not contain is refused.

Only procedures are drafted: a candidate whose steps are mostly not instructions (table rows, "label:
value" lines, statements, a list of "Never ..." prohibitions) is a specifications table, a checklist of
states or a list of rules, never a card, however retrieval ranks it. Among the candidates that score
within NEAR of the best, the choice does not depend on retrieval scores (which move with the int8
arithmetic of the CPU): numbered procedures first, then the lexical match of title and text.

    best = find_procedure("Honeywell HY-204 Fan Motor Replacement", hits, docs)   # needs retrieval hits from an indexed library
    best.title, len(best.runs)                                                     # needs retrieval hits from an indexed library
    # -> ('Honeywell HY-204 Fan Motor Replacement', 1)
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

from ..glossary import glossary
from ..index.lexical import stem, tokenize
from ..ingest.pdf import RUN_IN_PART, SUBTASK
from ..plaintext import strip_emphasis
from ..textrules import CLOSED, CONTINUED, LEAD_IN, planted
from ..types import Hit
from ..answer.verify import sentences
from .extract import Run, step_runs, sub_procedures, tool_nodes
from .alternatives import is_heading_entry, label_of, pick, tells_how
from .inline import IMPERATIVE_RE
from .items import Item, read_items
from .source import DocText

# Words that say what kind of work, not on what: they cannot tell two procedures apart.
GENERIC = {stem(w) for w in (
    "replace replacement replacing remove removal install installation check checking inspect inspection change "
    "clean cleaning repair fix maintain maintenance service servicing adjust adjustment test testing measure set "
    "turn switch enable disable activate deactivate open close disassemble disassembly assemble assembly reassemble unit procedure steps step "
    "instructions perform carry need want please tell show way guide me on off").split()} - {stem("guide")}
GENERIC_ZH = re.compile(r"如何|怎么|怎样|怎样才能|请问|请|我|的|步骤|方法|操作|更换|拆卸|安装|检查|维护|保养|清洁|[？?。！!，,]")
GENERIC_HEADINGS = re.compile(r"^\W*(?:\d+(?:\.\d+)*\.?\s*)?(?:procedures?|steps?|instructions?|work steps|operating steps|"
                              r"操作步骤|步骤|作业步骤|操作程序|程序)\W*$", re.IGNORECASE)
_FIGURE_REF = re.compile(r"\s*\((?:see\s+)?(?:Figure|Fig\.|图)\s*[\w.\-]+\)", re.IGNORECASE)
# a step that only names another task of the manual: "Data plate replacement (paragraph 3-29)."
_REFERENCE_STEP = re.compile(r"^[^.(]{1,100}\((?:see\s+|refer\s+to\s+)?(?:para(?:graph)?\.?|section|chapter|task)\s*[\w.\-]+\)\.?$", re.IGNORECASE)
MIN_COVER = 0.5  # share of the task's subject words the procedure must contain
MIN_TITLE = 0.2  # ... and its titles, unless it holds the retriever's best passage
MIN_RET = 0.9
MAX_RUNS = 4  # a section with more step sequences is a chapter of procedures, not one
GENERIC_WEIGHT = 0.5  # weight of a generic work word in the title match
NEAR = 0.03  # candidates this close to the best score are ranked without the retrieval score

# Instruction verbs beyond the inline ones (a step that opens with one is an instruction).
_MORE_VERBS = (
    "allow apply ask attach bleed blow bring call carry charge collect compare coat cover cut deenergize de-energize depressurise "
    "depressurize disassemble discharge dispose dry earth empty ensure engage fasten find flush grease ground guide hand hang "
    "isolate jog label let lift listen loosen lubricate mark note notify observe obtain operate perform prepare press relieve "
    "refill refit reinstall repeat report retighten return secure separate shut slacken spin store support take tag test "
    "top torque undo unbolt vent warm wash wear withdraw write").split()
_INSTRUCTION_RE = re.compile(rf"^(?:(?:to|if|when|after|before|once|while|with|using)\b[^,]{{0,80}},\s*)?(?:then\s+)?"
                             rf"(?:carefully\s+|slowly\s+|now\s+|first\s+|again\s+)?(?:{'|'.join(_MORE_VERBS)})\b", re.IGNORECASE)
_PROHIBITION_RE = re.compile(r"^(?:never|do not|don't|must not|no\s)\b|^(?:不得|禁止|严禁|切勿|不要|请勿)", re.IGNORECASE)
_STATEMENT_RE = re.compile(r"^(?:the|a|an|all|each|every|only|any|this|these|those|it|they|there|its|their)\b"
                           r"|^(?:\S+\s+){0,6}?(?:is|are|was|were|may|must|can|should|will|has|have)\b", re.IGNORECASE)
# a paragraph that introduces its own list: "To disable Easy mode:", "Before resetting your device:"
_INTRO = re.compile(r"^(?:to|before|after|if|when|once)\b.{0,100}[:：]$", re.IGNORECASE)
_TIP = re.compile(r"^\W{0,3}\s*(?:tip|note|hint)(?![a-z])", re.IGNORECASE)
_TABLE_HEADING = re.compile(r"^\W*(?:table|tab\.)\s*\d|^\W*表\s*\d", re.IGNORECASE)


@dataclass
class Parsed:
    doc: DocText
    items: list[Item]
    runs: list[Run]
    spans: list[tuple[int, int]]  # per heading: its section's span in doc.text
    titled: list[tuple[int, int, int]]  # (item index, lo, hi) of each title line ingest did not mark as a heading
    tool_nodes: set[int]  # sections that list tools


def parse_doc(doc: DocText) -> Parsed:
    items = read_items(doc)
    spans = []
    for k, h in enumerate(doc.headings):
        start = doc.lines[h.line].start
        end = next((doc.lines[g.line].start for g in doc.headings[k + 1:] if g.depth <= h.depth), len(doc.text))
        spans.append((start, end))
    listing = tool_nodes(doc, items)
    heads = [doc.lines[h.line].start for h in doc.headings]
    titles = [i for i, it in enumerate(items) if it.kind == "title"]
    titled = []
    for n, i in enumerate(titles):
        lo = items[i].start
        nxt = [items[titles[n + 1]].start] if n + 1 < len(titles) else []
        hi = min(nxt + [h for h in heads if h > lo] + [len(doc.text)])
        titled.append((i, lo, hi))
    intros = {i for i, it in enumerate(items) if it.kind == "para" and _INTRO.match(" ".join(doc.text[it.body:it.end].split()))}
    return Parsed(doc, items, step_runs(items, listing, intros), spans, titled, listing)


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
    title_cover: float = 0.0
    titles: list[str] = field(default_factory=list)  # what the manual calls it, most specific first
    skip: set[int] = field(default_factory=set)  # items of a shared list left out: other features' entries (alternatives.pick)
    own: bool = False  # a numbered step's own lettered steps: a procedure of its own inside a longer run

    @property
    def doc(self) -> DocText:
        return self.parsed.doc


def candidates(p: Parsed) -> list[Procedure]:
    """Every section with steps (the parts of the runs inside it), and every run alone; candidates with
    the same steps are merged, keeping the widest scope and every title."""
    doc, items = p.doc, p.items
    found: dict[tuple[int, ...], Procedure] = {}

    def add(runs: list[Run], lo: int, hi: int, title: str, trail: str, node: int, generic: bool):
        key = tuple(i for r in runs for i in r.steps)
        cur = found.get(key)
        if cur is None:
            cur = found[key] = Procedure(p, runs, lo, hi, "", "", node)
        cur.match_text += " " + title + " " + trail
        if title and not generic:
            cur.titles.append(title)
        if hi - lo > cur.hi - cur.lo:
            cur.lo, cur.hi, cur.node = lo, hi, node

    def steps_within(lo: int, hi: int) -> list[Run]:
        # a list that only names other tasks ("(1) Door gasket replacement (paragraph 3-18).") is a
        # section's table of contents, no steps of its procedure
        return [r for r in _within(p, lo, hi) if r.steps and not all(instruction(p, i) == "reference" for i in r.steps)]

    nodes = [(-1, (0, len(doc.text)))] + list(enumerate(p.spans))
    for k, (lo, hi) in nodes:
        parts = steps_within(lo, hi)
        use = [r for r in parts if r.numbered] or [r for r in parts if not r.implied] or parts
        if not use or len(use) > MAX_RUNS:
            continue
        heading = doc.headings[k].path[-1] if k >= 0 else doc.title
        if k in p.tool_nodes:
            continue
        trail = " ".join(doc.headings[k].path[-2:-1]) if k >= 0 else ""
        add(use, lo, hi, heading, trail, k, k < 0 or bool(GENERIC_HEADINGS.match(heading)))
    for i, lo, hi in p.titled:  # a section under a title line: like a heading's
        parts = steps_within(lo, hi)
        use = [r for r in parts if r.numbered] or [r for r in parts if not r.implied] or parts
        if use and len(use) <= MAX_RUNS:
            node = items[i].node
            add(use, lo, hi, doc.text[items[i].body:items[i].end], " ".join(doc.headings[node].path[-1:]) if node >= 0 else "",
                node, bool(GENERIC_HEADINGS.match(doc.text[items[i].body:items[i].end])))
    first_list: dict[int, int] = {}  # per section, its first step or bullet
    for j, it in enumerate(items):
        if it.kind in ("step", "bullet"):
            first_list.setdefault(it.node, j)
    for r in p.runs:
        lo, title, context = _intro(p, r)
        node = items[r.first].node
        trail = " ".join(doc.headings[node].path[-2:]) if node >= 0 else ""
        if not title and node >= 0 and first_list.get(node, r.first) >= r.first:
            title = doc.headings[node].path[-1]  # the section's first list: its heading names it ("b. Remove. (Figure 3-30)")
        add([r], lo, _tail(p, r), title, trail + " " + context, node, not title or bool(GENERIC_HEADINGS.match(title)))
    for r in p.runs:
        for head, subs in sub_procedures(items, r):  # "(1) Weather Gasket Pressure Adjustment. ..." over (a) to (f)
            text = doc.text[items[head].body:items[head].end]
            title = run_in_title(text)
            if not title:
                continue
            node = items[head].node
            lead_in = LEAD_IN.search(" ".join(text.split()))  # "..., proceed as follows": it names the steps, it is none
            steps = subs if lead_in else [head, *subs]
            trail = " ".join(doc.headings[node].path[-2:]) if node >= 0 else ""
            add([Run(steps, True)], items[head].start, _tail(p, Run(subs, True)), title, f"{trail} {text}", node, False)
            found[tuple(steps)].own = True
    out = list(found.values())
    for c in out:
        # the names of a shared list's entries ("To restart your device", "Mono audio") name what it does
        labels = [label_of(doc.text[items[i].body:items[i].end]) for r in c.runs for i in r.steps]
        c.match_text += "".join(" " + lab[1] for lab in labels if lab)
        if not c.titles:  # the last resort: the first step's own title, else its words
            first = items[c.runs[0].first]
            text = doc.text[first.body:first.end]
            c.titles.append(run_in_title(text) or _first_words(text))
        c.title = c.titles[0]
    return out


def instruction(p: Parsed, i: int) -> str:
    """What step item i is: "instruction" (one of its sentences opens with an instruction verb, possibly
    after an "If ...," / "Before ...," clause), "table" (a table row), "values" (a "label: value" line),
    "prohibition" ("Never ...", "Do not ..."), "reference" (only another task's name and paragraph),
    "statement" (about the unit: "Valve V5 is closed."), or "unknown" (Chinese steps, uncommon verbs)."""
    doc, it = p.doc, p.items[i]
    ln = doc.lines[doc.line_at(it.body)]
    node = it.node
    kinds = doc.chunks[ln.chunk].kinds
    if ("table_row" in kinds and "list_item" not in kinds) or (node >= 0 and any(_TABLE_HEADING.match(x) for x in doc.headings[node].path)):
        return "table"
    raw = doc.text[it.body:it.end]
    text = strip_emphasis(" ".join(raw.split())).strip(" •·-*–")
    rows = [x.strip() for x in raw.split("\n") if x.strip()]
    # table rows read as running text: line after line opens with a capital or a code although the line
    # before it ends no sentence (a wrapped sentence goes on in lower case)
    new_rows = sum(1 for a, b in zip(rows, rows[1:]) if not CLOSED.search(a) and re.match(r"[A-Z0-9]", b))
    if "|" in text or "\t" in raw or (len(rows) >= 3 and 2 * new_rows >= len(rows)):
        return "table"
    if _PROHIBITION_RE.match(text):
        return "prohibition"
    said = [re.sub(r"^(?:now|then|next|finally|first|afterwards)\b[,\s]*", "", text[x:y], flags=re.IGNORECASE) for x, y in sentences(text)]
    if any(IMPERATIVE_RE.match(x) or _INSTRUCTION_RE.match(x) for x in said or [text]):
        return "instruction"
    if _REFERENCE_STEP.match(text):
        return "reference"
    if re.search(r"[\u4e00-\u9fff]", text[:8]):
        return "unknown"
    if re.match(r"^[^:：.;]{1,60}[:：]\s*\S", text):
        return "values"
    return "statement" if _STATEMENT_RE.match(text) else "unknown"


def is_procedure(c: Procedure) -> bool:
    """Whether a candidate's steps are a procedure. Numbered steps are, unless at most half of them
    are table rows, "label: value" lines or prohibitions (manuals often open a step with a statement
    and give the instruction after it); unnumbered ones need instructions for at least half of them
    and more instructions than statements, rows, values and prohibitions (a checklist of states, a list
    of values or of rules is not a procedure, whatever its layout)."""
    said = [x for x in _options_neutral(c, [instruction(c.parsed, i) for r in c.runs for i in r.steps]) if x != "option"]
    yes = said.count("instruction")
    if any(r.numbered for r in c.runs):
        no = sum(x in ("table", "values", "prohibition", "reference") for x in said)
        return 2 * no < len(said) or (2 * no == len(said) and yes > 0)
    no = sum(x in ("table", "values", "prohibition", "statement", "reference") for x in said)
    return yes > 0 and 2 * yes >= len(said) and yes > no


def _options_neutral(c: Procedure, said: list[str]) -> list[str]:
    """The entries of an option list ("Mono audio: Switch audio to mono ...") after an instruction that
    opens it with a colon ("... and tap an option:") are choices of that instruction, neither
    instructions nor values: they are counted as "option"."""
    doc, items = c.parsed.doc, c.parsed.items
    opened = False
    out = []
    for k, i in enumerate(i for r in c.runs for i in r.steps):
        text = doc.text[items[i].body:items[i].end].rstrip()
        if opened and label_of(text):
            out.append("option")
            continue
        after = items[i + 1] if i + 1 < len(items) else None  # "... apps." then "The following options are available:"
        opened = said[k] == "instruction" and (text.endswith((":", "：")) or (
            after is not None and after.kind == "para" and doc.text[after.body:after.end].rstrip().endswith((":", "："))))
        out.append(said[k])
    return out


def _within(p: Parsed, lo: int, hi: int) -> list[Run]:
    """The runs cut to the steps between lo and hi."""
    return [Run([i for i in r.steps if lo <= p.items[i].start < hi], r.numbered, r.implied) for r in p.runs]


def _intro(p: Parsed, r: Run) -> tuple[int, str, str]:
    """(start, title, context) of what introduces a run: a title line, or the paragraph right before it
    ("The Voice Guide reads menus aloud. To turn it on:" -> title "To turn it on")."""
    items, first = p.items, p.items[r.first]
    lo, texts, title = first.start, [], ""
    j = r.first - 1
    while j >= 0 and r.first - j <= 4:
        it = items[j]
        part = RUN_IN_PART.match(p.doc.text[it.start:it.end]) if it.kind == "para" and it.node == first.node else None
        if part:  # "b . Test. (Figure 3-19) Test of the door assembly consists of ...": its part's title
            return it.start, part.group().strip(), " ".join([p.doc.text[it.body:it.end][:300], *texts])
        if it.node != first.node or it.kind not in ("para", "tools", "warning", "title"):
            break
        if it.kind == "para" and label_of(p.doc.text[it.body:it.end]) and not is_heading_entry(p.doc.text[it.body:it.end]):
            break  # an entry of an option list above ("Galaxy Store: ..."): the run continues that list, it names nothing
        lo = it.start
        if it.kind in ("para", "title"):
            texts.insert(0, p.doc.text[it.body:it.end][:300])
        if it.kind == "title":
            title = texts[0]
            break
        j -= 1
    context = " ".join(texts)
    return lo, title or (_last_sentence(texts[-1]) if texts else ""), context


def _last_sentence(text: str) -> str:
    """ "The Voice Guide reads menus aloud. To turn on the Voice Guide," -> "To turn on the Voice Guide"."""
    text = " ".join(text.split())
    spans = sentences(text)
    return text[spans[-1][0]:spans[-1][1]].strip(" ,:;：，") if spans else text


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


_TITLE_SMALL = {"and", "or", "of", "the", "a", "an", "to", "for", "in", "on", "with"}  # lower case in a title


def run_in_title(text: str) -> str:
    """The title a step opens with, its capitalised words up to a full stop, "" where it has none.

    >>> run_in_title("Seal Pressure Adjustment. To increase the seal pressure, proceed as follows"), run_in_title("Remove Cover. Then wait.")
    ('Seal Pressure Adjustment', '')
    """
    text = " ".join(text.split())
    spans = sentences(text)
    if len(spans) < 2:
        return ""
    first = text[spans[0][0]:spans[0][1]].strip()
    words = first.rstrip(".").split()
    if not first.endswith(".") or not 2 <= len(words) <= 6 or re.search(r"\d", first):
        return ""
    if not all(w[0].isupper() or w in _TITLE_SMALL for w in words) or IMPERATIVE_RE.match(first):
        return ""  # "Remove Cover." is a step of its own
    return first.rstrip(".")


# How manuals name switching a feature on or off: "Turn off Easy mode" is done under "To disable Easy mode:".
_SWITCH = ((re.compile(r"\b(?:turn|switch|shut)\s+(?:\w+\s+){0,3}?off\b|\b(?:leave|exit|stop)\b", re.IGNORECASE), "disable deactivate"),
           (re.compile(r"\b(?:turn|switch)\s+(?:\w+\s+){0,3}?on\b|\bstart using\b", re.IGNORECASE), "enable activate"))


def task_tokens(task: str) -> list[str]:
    """The task's words as the tokenizer sees them, without question words; switching a feature on
    or off also reads as the manual's "enable" / "disable"."""
    if re.search(r"[\u4e00-\u9fff]", task):
        stripped = GENERIC_ZH.sub(" ", task)
        return tokenize(stripped if stripped.strip() else task)
    return tokenize(task + "".join(" " + words for rule, words in _SWITCH if rule.search(task)))


def subject_tokens(tokens: list[str]) -> set[str]:
    """What the task is about: its tokens minus generic verbs and bare small numbers ("unit 7")."""
    subj = {t for t in tokens if t not in GENERIC and not (t.isdigit() and len(t) <= 2)}
    return subj or set(tokens)


def score_all(task: str, cands: list[Procedure], hits: list[Hit]) -> None:
    """score = 0.55 title match (IDF-weighted share of the task's words in the candidate's titles)
    + 0.25 retrieval (its best hit, relative to the top hit) + 0.2 cover (share of the task's subject
    words in its text), minus a little per extra numbered run (a section holding several procedures)."""
    tokens = task_tokens(task)
    t_set, subj = set(tokens), subject_tokens(tokens)
    titles = [set(tokenize(c.match_text)) for c in cands]
    df: dict[str, int] = {}
    for title in titles:
        for t in title & t_set:
            df[t] = df.get(t, 0) + 1
    # what kind of work ("turn", "replace") weighs less than what it is done on ("Easy mode")
    idf = {t: (math.log((len(cands) + 1) / (df.get(t, 0) + 0.5)) + 0.1) * (GENERIC_WEIGHT if t in GENERIC else 1.0) for t in t_set}
    total = sum(idf.values()) or 1.0
    top = max((h.score for h in hits), default=1.0) or 1.0
    hit_score: dict[str, float] = {}
    for h in hits:
        hit_score.setdefault(h.chunk.id, h.score)
    named: dict[int, set[str]] = {}  # per document: the words of its own title (the product), which name no procedure
    for c, title in zip(cands, titles):
        own = named.setdefault(id(c.doc), _product_words(c.doc))
        c.sim = 0.8 * sum(idf[t] for t in (t_set & title) - own) / total + 0.2 * len(t_set & title) / max(1, len(title))
        c.ret = max((hit_score.get(cid, 0.0) for cid in c.doc.chunk_ids(c.lo, c.hi)), default=0.0) / top
        extra = sum(1 for r in c.runs if r.numbered) - 1
        c.score = 0.55 * c.sim + 0.25 * c.ret - 0.05 * max(0, extra)
    best = -1.0
    for c in sorted(cands, key=lambda c: -c.score):  # cover adds at most 0.2: stop when no one else can win
        if c.score + 0.2 < best:
            break
        c.cover, c.title_cover = _covers(task, subj, c)
        c.score += 0.2 * c.cover
        if _holds(c):
            best = max(best, c.score)


def _product_words(doc: DocText) -> set[str]:
    """The words of the document's own name: its title, and its top heading when every section sits under
    it ("# Samsung Galaxy Fit user manual"). They say which manual, not which procedure."""
    tops = {h.path[0] for h in doc.headings}
    return set(tokenize(" ".join([doc.title or "", *(tops if len(tops) == 1 else ())])))


def _holds(c: Procedure) -> bool:
    """Whether a candidate is about the task at all: its text holds the task's subject, and its titles
    name some of it (or retrieval found it first)."""
    return c.cover >= MIN_COVER and (c.title_cover >= MIN_TITLE or c.ret >= MIN_RET)


def _covers(task: str, subj: set[str], c: Procedure) -> tuple[float, float]:
    """(cover, title cover) of a candidate: the share of the subject words its text holds, with its titles
    and the document's title and front page (a procedure of the HP-3 manual is about the HP-3, whatever its
    heading depth), and the share its titles hold."""
    return _cover(task, subj, c.doc.text[c.lo:c.hi] + " " + c.match_text + " " + c.doc.front), _cover(task, subj, c.match_text)


def _cover(task: str, subj: set[str], body: str) -> float:
    """Share of the subject words found in the text, directly or through the bilingual glossary."""
    if not subj:
        return 0.0
    have = set(tokenize(body))
    hit = subj & have
    if re.search(r"[\u4e00-\u9fff]", body):
        for word in re.findall(r"[a-z][a-z\-]+", task.lower()):
            s = stem(word)
            if s in subj and s not in hit and any(zh in body for zh in glossary().get(word, glossary().get(s, ()))):
                hit.add(s)
    return len(hit) / len(subj)


def find_procedure(task: str, hits: list[Hit], parsed: list[Parsed]) -> Procedure | None:
    """The best-scoring candidate that holds the task's subject words, or None (refuse)."""
    # a procedure with text planted to steer a model anywhere in its scope is never drafted from
    # and only a procedure is: not a table, a list of values, states or rules
    cands = [c for p in parsed for c in candidates(p) if not planted(c.doc.text[c.lo:c.hi]) and is_procedure(c)]
    if not cands:
        return None
    score_all(task, cands, hits)
    way = _way(task)
    ours = [c for c in cands if not _undoes(way, c)]  # not a part that works the other way from the task
    held = [c for c in ours if _holds(c)]
    if not held:
        return None
    top = max(c.score for c in held)
    near = [c for c in held if c.score >= top - NEAR]  # a tie on retrieval noise is broken without it
    best = max(near, key=lambda c: (any(r.numbered for r in c.runs), round(0.55 * c.sim + 0.2 * c.cover, 6), c.hi - c.lo))
    best = _own_part(task, best, ours)
    words = set(task_tokens(task))
    names = [_named_in_full(best, t) for t in best.titles]
    best.title = max(names, key=lambda t: len(words & set(tokenize(t))))  # first of the best matching
    best.title = _FIGURE_REF.sub("", best.title).strip() or best.title  # the figure is the card's media, not its name
    _keep_asked_entry(task, best)
    _add_asked_tip(task, best)
    return best


def _own_part(task: str, best: Procedure, cands: list[Procedure]) -> Procedure:
    """Of a run that tells several procedures, each a numbered step over its lettered steps ("c. Adjust":
    "(1) Weather Gasket Pressure Adjustment ..." and "(2) Seal Pressure Adjustment ..."), the one whose
    own title and lead-in name the task as fully as the whole run's do: "Adjust the roller latch seal
    pressure" is (2) alone, not the weather gasket's steps before it. A task that the headings over the run
    name in full ("Adjust the door gaskets": "3-18. Door Gaskets." over "c . Adjust") asks for the whole
    run, also where one part's words match it a little better."""
    subj = subject_tokens(task_tokens(task))
    steps = {i for r in best.runs for i in r.steps}
    if best.node >= 0 and _cover(task, subj, " ".join(best.doc.headings[best.node].path)) >= 1.0:
        # the headings over the run name all the task names: the whole run (of which `best` may be a part)
        wholes = [c for c in cands if not c.own and steps < {i for r in c.runs for i in r.steps}] if best.own else []
        if not wholes:
            return best
        whole = min(wholes, key=lambda c: sum(len(r.steps) for r in c.runs))
        whole.cover, whole.title_cover = _covers(task, subj, whole)
        return whole
    parts = [c for c in cands if c.own and c is not best and {i for r in c.runs for i in r.steps} < steps]
    if not parts:
        return best
    named, part = max(((_cover(task, subj, c.match_text), c) for c in parts), key=lambda x: (x[0], x[1].sim))
    if named < _cover(task, subj, best.match_text):
        return best
    part.cover, part.title_cover = _covers(task, subj, part)
    return part


# the two directions of work on a part: taking it off or apart, and putting it on or together
_APART = frozenset(stem(w) for w in "remove removal disassemble disassembly dismantle uninstall detach".split())
_TOGETHER = frozenset(stem(w) for w in "install installation assemble assembly reassemble reassembly reinstall refit attach".split())
# work on a part that neither takes it off nor puts it on (a part "c. Repair." or "Replace." may do both)
_OTHER_WORK = frozenset(stem(w) for w in "inspect inspection test testing check adjust adjustment clean cleaning lubricate "
                        "lubrication service servicing".split())
# the part of a task a title ends with: "3-17. Outer Door Assembly. a . Install. (Figure 3-18)", "2-27. OIL PUMP REPAIR d. Assembly"
_PART_WORD = re.compile(r"(?:^|\s)[a-z]\s?\.[\s\u3000]*([A-Z][a-z]+)\.?(?:\s*\((?:see\s+)?(?:Figure|Fig\.)[^)]*\))?\s*$")


def _way(task: str) -> tuple[frozenset[str], frozenset[str]] | None:
    """(the task's direction of work, the other one), by its first word; None for a task that goes neither
    way ("Replace ...", "Adjust ...")."""
    words = tokenize(task)
    return next(((g, o) for g, o in ((_APART, _TOGETHER), (_TOGETHER, _APART)) if words and words[0] in g), None)


def _undoes(way: tuple[frozenset[str], frozenset[str]] | None, c: Procedure) -> bool:
    """Whether the candidate is a part of its task that works the other way from the task (`way`, see
    _way): "Disassemble the outer door assembly" and "3-17. Outer Door Assembly. a . Install." (a part's
    title such as "Assembly" is a noun in "Door Assembly", so only the part's own word counts); or that
    does other work than taking off or putting on: "a . Inspect.", "b . Test.", "c . Adjust."."""
    if way is None:
        return False
    named = c.titles + ([c.doc.headings[c.node].path[-1]] if c.node >= 0 else [])  # and the part the steps sit in
    parts = {stem(m.group(1).lower()) for t in named if (m := _PART_WORD.search(t))}
    return bool(parts & (way[1] | _OTHER_WORK)) and not parts & way[0]


def _add_asked_tip(task: str, proc: Procedure) -> None:
    """A tip or note next to the procedure that tells how to do what the task asks ("TIP To clear your
    browsing history, tap More options > Clear history.", "TIP You can customize the Bixby key. From
    Settings, tap Advanced features > Bixby key.") becomes a step, before or after the others, when it
    names subject words no step holds."""
    doc, items = proc.doc, proc.parsed.items
    order = [i for r in proc.runs for i in r.steps]
    said = set(tokenize(" ".join(doc.text[items[i].body:items[i].end] for i in order)))
    subj = subject_tokens(task_tokens(task))
    near = [j for j in range(order[-1] + 1, min(len(items), order[-1] + 4))] + [j for j in range(order[0] - 1, max(-1, order[0] - 4), -1)]
    for j in near:
        it = items[j]
        if it.node != items[order[0]].node or it.kind not in ("para", "warning") or not proc.lo <= it.start < proc.hi:
            continue
        text = doc.text[it.body:it.end]
        if not (_TIP.match(text) or label_of(text)) or not tells_how(text) or not (subj & set(tokenize(text))) - said:
            continue
        run = Run([j], False, True)
        proc.runs = proc.runs + [run] if j > order[-1] else [run] + proc.runs
        return


def _keep_asked_entry(task: str, proc: Procedure) -> None:
    """In a shared list (alternatives.pick), keep the entry the task asks for and leave the others out."""
    order = [i for r in proc.runs for i in r.steps]
    doc, items = proc.doc, proc.parsed.items
    keep = {order[k] for k in pick([doc.text[items[i].body:items[i].end] for i in order], task)}
    if len(keep) == len(order):
        return
    proc.skip = set(order) - keep
    proc.runs = [Run([i for i in r.steps if i in keep], r.numbered, r.implied) for r in proc.runs]
    proc.runs = [r for r in proc.runs if r.steps]


def _named_in_full(proc: Procedure, title: str) -> str:
    """A part of a task ("b. Install.", "Replace. (Figure 3-16)") named with the task it belongs to:
    "3-15. Drain Plug. b. Install."; other titles as they are. Many tasks have an "a. Disassembly": the
    procedure's own section, or one inside its span, is the one meant."""
    if not SUBTASK.match(title):
        return title
    doc = proc.doc
    own = ([doc.headings[proc.node].path] if proc.node >= 0 else []) + [
        h.path for h in doc.headings if proc.lo <= doc.lines[h.line].start < proc.hi]
    path = next((p for p in own + [h.path for h in doc.headings] if p[-1] == title), ())
    if not path and proc.node >= 0 and not SUBTASK.match(doc.headings[proc.node].path[-1]):
        path = (doc.headings[proc.node].path[-1], title)  # a part's title run into its text: under its task's heading
    return f"{CONTINUED.sub('', path[-2]).rstrip()} {title}" if len(path) > 1 else title
