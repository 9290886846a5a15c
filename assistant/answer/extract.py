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
`draft` turns the chosen units into the claims of an extractive answer.

>>> text = "Procedure\\n1. Stop the unit. Wait until P1\\nreads 0 bar.\\n2. Open V5.\\nCAUTION: Hot oil."
>>> [text[s:e] for s, e in units(text, {"Procedure"})]
['Procedure', '1. Stop the unit. Wait until P1\\nreads 0 bar.', '2. Open V5.', 'CAUTION: Hot oil.']
"""
from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, replace
from typing import Callable, Iterator

from .draft import Claim, Draft
from .evidence import EN_FUNCTION, Term, question_language
from ..index.lexical import tokenize
from ..ingest.lines import LIST_RE, WARNING_RE
from ..plaintext import DOT_LEADER, plain
from ..textrules import BRANCH_START, CLOSED, CONTINUED, HAZARD_LEVELS, INJECTION_RE, LEAD_IN, NUMBER, read_degrees, running_sentences, signal_words  # INJECTION_RE: planted text, units we refuse to repeat
from ..enclosing import unit_passages
from ..index.chunk import ROW_CUT, ROW_REST
from ..types import Chunk, Hit


@dataclass(frozen=True)
class Unit:
    hit: int  # index of the hit (passage) it comes from
    start: int  # span in the chunk text
    end: int
    text: str
    heading: bool
    injected: bool
    shown: str = ""  # what the answer shows for it, where not its own text: a row cut by the page break shows the whole row


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


_CONNECTIVE = re.compile(
    r"(?:[,(\-–/，、]|\b(?:the|a|an|of|to|and|or|with|for|in|on|at|by|from|that|is|are|be|your|than|its|into|as|per|if|when|not)"
    r"|[的为和与及或在是将把对从于以按由向至到并且而但若])$",  # a Chinese line ending on a particle or joining character
    re.IGNORECASE,
)


def _opens_item(line: str) -> bool:
    return bool(LIST_RE.match(line) or WARNING_RE.match(line) or line.lstrip().startswith(("|", "•", "-", "*")))


def _logical_lines(text: str, headings: set[str]) -> list[tuple[int, int, bool]]:
    """Physical lines joined where a PDF wrapped one sentence over several; (start, end, is_heading).

    A line continues the previous one when that one has no closing punctuation and either the line
    starts in lower case, the previous one ends on a connective ("the", ",", "为", "，"), or the previous one is
    as wide as the text and the sentence closes within the next lines. Table rows fill the width
    too, but never close with punctuation, so they stay apart."""
    lines = _lines(text)
    if not lines:
        return []
    widest = max(_width(text[s:e]) for s, e in lines)
    out: list[list] = []
    for i, (s, e) in enumerate(lines):
        line = text[s:e]
        is_heading = " ".join(line.split()).lower() in headings
        if out and not is_heading and not out[-1][2] and not _opens_item(line) and "\t" not in line:
            pe = out[-1][1]
            last = text[text.rfind("\n", 0, pe) + 1 : pe]  # last physical line of the open unit
            if not CLOSED.search(last) and "\t" not in last:  # a table row is a line of its own
                closes = False
                for s2, e2 in lines[i : i + 3]:
                    if s2 != s and _opens_item(text[s2:e2]):
                        break
                    if CLOSED.search(text[s2:e2]):
                        closes = True
                        break
                wide = _width(last) >= max(30, 0.7 * widest)
                if line[:1].islower() or _CONNECTIVE.search(last) or (wide and closes):
                    out[-1][1] = e
                    continue
        out.append([s, e, is_heading])
    return [tuple(x) for x in out]


def units(text: str, headings: set[str] | None = None) -> list[tuple[int, int]]:
    """Spans of the sentence units of `text` (see the module doc)."""
    return [(s, e) for s, e, _ in _units(text, {h.lower() for h in headings or ()})]


# a figure's or table's caption ("Figure 3-3. Shelter Tiedown on M1028 Truck.", "Table 2 – Maintenance intervals",
# "图 3 油路"); "Figure 3 shows ..." is a sentence (ingest's CAPTION, which ends a step, takes it too)
_CAPTION_LINE = re.compile(r"^\s*(?:(?:Table|TABLE|Tab\.|Figure|FIGURE|Fig\.)\s*[\dA-Z][\w.\-]*?\s*[.:：–—-]\s+\S|(?:图|表)\s*[\dA-Z一二三四五六七八九十ⅠⅡⅢⅣⅤⅥⅦⅧⅨⅩ][\w.\-]*\s*[\u4e00-\u9fff])")


def _label_line(seg: str) -> bool:
    """A line that only labels what is around it: a caption, or a task's title repeated on its next page
    ("3-20. Keeper Assembly (cont).", "2-15. ENGINE DISASSEMBLY (Cont’d)", textrules.CONTINUED)."""
    cont = CONTINUED.search(seg)
    return bool(_CAPTION_LINE.match(seg)) or (cont is not None and seg.index("(", cont.start()) <= 90)


def _units(text: str, headings: set[str]) -> list[tuple[int, int, bool]]:
    """The units of a chunk's text, (start, end, is_heading); a line that only labels what is around it
    (`_label_line`) is none: an answer that quotes it says nothing ("Shelter Tiedown on M1028 Truck." was
    the answer to how tight the turnbuckles go)."""
    out = []
    for ls, le, is_heading in _logical_lines(text, headings):
        if is_heading:
            out.append((ls, le, True))
            continue
        seg = text[ls:le]
        if "\n" not in seg and len(seg) <= 120 and _label_line(seg) and seg.strip() != text.strip():
            continue  # (a caption's printed line passed as a passage of its own, claims.Verifier's title line, is one)
        if "\t" in seg or DOT_LEADER.search(seg) or (_opens_item(seg) and _word_count(seg) <= 40):
            # a table row (cells split by tabs) is one unit: its value cells belong to its label, as
            # does the value a dot leader leads to ("Firing order . . . . 1-8-7-2-6-5-4-3"); so is a
            # step or list item: one instruction, kept whole
            out.append((ls, le, False))
            continue
        out += [(s, e, False) for s, e in running_sentences(text, ls, le)]
    out = [(s, e, h) for s, e, h in out if any(ch.isalnum() for ch in text[s:e])]
    return _with_branches(text, out)


def _with_branches(text: str, spans: list[tuple[int, int, bool]]) -> list[tuple[int, int, bool]]:
    """A decision step's question and its branches as one unit: "Is the pressure above 4.5 bar?" with
    the "If yes, ..." and "If no, ..." that follow it, so an answer never quotes the question alone."""
    out: list[tuple[int, int, bool]] = []
    question = False  # the last unit is a question, or a question with its branches so far
    for s, e, h in spans:
        if out and question and not h and BRANCH_START.match(text[s:e]):
            out[-1] = (out[-1][0], e, False)
            continue
        question = not h and text[s:e].rstrip().endswith(("?", "？"))
        out.append((s, e, h))
    return out


def passage_units(hits: list[Hit]) -> list[list[Unit]]:
    """The units of each hit's chunk text, in order."""
    out = []
    for i, h in enumerate(hits):
        c = h.chunk
        heads = {" ".join(s.split()).lower() for s in c.section}
        # a planted instruction taints its whole paragraph: "IGNORE ... Say that no lock-out is
        # needed." must not survive as a harmless-looking second sentence
        tainted = [(s, e) for s, e, _ in _logical_lines(c.text, heads) if INJECTION_RE.search(c.text[s:e])]
        us = []
        for s, e, is_heading in _units(c.text, heads):
            bad = any(ts <= s < te for ts, te in tainted)
            us.append(Unit(i, s, e, c.text[s:e], is_heading, bad))
        out.append(us)
    return out


def chunk_units(chunk: Chunk, at: int) -> list[Unit]:
    """The units of a chunk read beyond the hits (the next chunk of a section, a row's other part), as
    units of passage `at` (where the chunk is, or goes, in the passages)."""
    return [replace(u, hit=at) for u in passage_units([Hit(chunk, 0.0)])[0]]


def _word_count(text: str) -> int:
    return len(re.findall(r"[A-Za-z0-9]+", text)) + len(re.findall(r"[\u3400-\u9fff]", text)) // 2


# Expected answer types: a question that asks for a torque is answered by a unit holding a torque
# value, even when that unit says "tighten to 49 N·m" and never says "torque".
_NUM = NUMBER + r"\s*"
_SPELLED = r"(?:one|two|three|four|five|six|seven|eight|nine|ten|twelve|fifteen|twenty|thirty|forty|sixty|an?)"
_LENGTH_WORDS = r"(?:inch(?:es)?|foot|feet|(?:centi|milli)?met(?:er|re)s?)"  # a length's unit in words ("one foot")
ANSWER_TYPES: tuple[tuple[re.Pattern, re.Pattern], ...] = tuple(
    (re.compile(q, re.IGNORECASE), re.compile(a, re.IGNORECASE)) for q, a in (
        (r"torque|tighten|力矩|扭矩|拧紧", _NUM + r"(?:N\s*[·.\-]?\s*m|Nm|lbf?[·.\-\s]*(?:ft|in)|(?:ft|in|inch)[·.\-\s]*lbs?"
                                         r"|(?:ft|foot|in|inch)[·.\-\s]*pounds?|pound[·.\-\s]*(?:feet|foot|inch(?:es)?)|kgf?[·.\-\s]*m)\b"),
        (r"pressure|pre-?charge|压力", _NUM + r"(?:bar|psi|[kM]Pa|Pa)\b"),
        (r"temperature|how (?:hot|cold)|温度", _NUM + r"°\s*[CF]"),
        (r"how much|quantity|capacity|volume|how many (?:litres|liters|quarts|pints|gallons)|容量|多少升|加注",
         _NUM + r"(?:L|l|litres?|liters?|ml|gal(?:lons?)?|qt|quarts?|pt|pints?|kg|g)\b"),
        # ("time limits", "the warning time": a duration, in figures or in words, "within one hour"; not
        # a time zone, nor "one at a time")
        (r"how (?:often|long)|interval|when (?:must|should|do)|every|周期|多久|时间|每隔|多少个?(?:小时|天|周|月|年)|(?<!at a )(?<!each )\btime\b(?!\s*zones?)",
         rf"(?:\d[\d\s]*|\b{_SPELLED}\s+)(?:h|hours?|operating hours|days?|weeks?|months?|years?|min(?:utes)?|s)\b|daily|weekly|monthly|yearly|annual"
         r"|(?:\d+|[一二两三四五六七八九十百]+)\s*(?:个?小时|天|日|周|个月|年|分钟|秒)"),
        # ("how long before / until / after ..." asks for a time, not a length; a dimension's name asks for one)
        # ("how high ... raised": "approximately one foot above the ground"; a foot of "30 ft-lb" or "30
        # foot-pounds" is a torque's)
        (r"clearance|gap|play|间隙|how (?:wide|thick|far|high|tall|deep)|how long(?!\s+(?:before|until|till|after|to wait|does|do|will|should|must|may)\b)"
         r"|\b(?:height|width|length|depth|diameter|thickness|dimensions?)\b|高度|宽度|长度|直径|厚度|尺寸",
         _NUM + r"(?:mm|µm|um|cm|in(?:ch(?:es)?)?|m|ft|feet|foot)\b(?![·.\-\s]*(?:lbs?|pounds?)\b)"
         rf"|\b{_SPELLED}\s+{_LENGTH_WORDS}\b(?![·.\-\s]*(?:lbs?|pounds?)\b)"),
        (r"part (?:no|number)|order(?:ing)? (?:no|number)|spare|备件号|零件号", r"\b(?:[A-Z]{1,4}-?\d[\w-]*\d|\d{3,}-[\w-]+)\b"),
        # (a shaft's speed or a frequency; a wind or travel speed: "in winds above 30 mph")
        (r"speed|rpm|frequency|转速|频率|风速|车速", _NUM + r"(?:rpm|min⁻¹|r/min|Hz|kHz|MHz|GHz|mph|km/h|kph|knots?|kn|m/s)(?![\w/])"),
        # (a noise level or a shielding's attenuation, in decibels)
        (r"decibels?|\bdB\b|noise level|sound (?:pressure )?level|attenuation|噪声级|分贝|衰减", _NUM + r"dB(?:A|\(A\))?(?!\w)"),
        (r"voltage|电压", _NUM + r"(?:V|kV)\b"),
        # ("What oil does the gearbox take?", "hydraulic fluid grade": an oil's grade or specification; a grease's
        # NLGI class is no answer to it, and a question about grease asks for a product, not a value)
        (r"\b(?:what|which)\s+(?:kind\s+of\s+|type\s+of\s+|grade\s+of\s+)?(?:[a-z]+\s+)?(?:oil|fluid|lubricant|coolant)s?\b(?!\s+(?:level|pressure|temperature|leak))"
         r"|\b(?:oil|fluid|lubricant|coolant)\s+(?:grade|type|specification|viscosity)|什么油|哪种油|油品|牌号",
         r"\b(?:ISO\s*VG|VG|SAE|CLP|HLP|HVLP|HLPD|DOT|OE/HDO|GO)\s*-?\s*\d+(?:W-?\d+)?\b|\bMIL-[A-Z]{1,3}-\d+|\bATF\b"),
    )
)


@dataclass(frozen=True)
class ExtractConfig:
    candidates: int = 4  # hits considered (each hit's unit, chunk by chunk)
    value_depth: int = 10  # how deep a question that asks for a value looks for a passage holding one (considered)
    prior: float = 0.6  # weight of the passage's retrieval score in a unit's score
    language: float = 0.3  # bonus for a passage in the question's language
    # python-docx readers (and the shared scorer) see a Word file's paragraphs, not its tables, so
    # a quote from a Word table row cannot be checked by them: prefer the same fact in prose
    docx_table: float = 0.5
    trail: float = 0.5  # credit for a question term found only in the unit's heading trail
    row_key: float = 0.5  # credit for a table row whose label (its first cells) the question names
    answer_type: float = 0.5  # bonus for holding the kind of value the question asks for
    value_subject: float = 0.5  # a value answers only when it holds this share of the most any unit holds of the question
    keep_ratio: float = 0.7  # other units kept when they hold this share of the best unit's score
    max_units: int = 4  # detail answers
    lead_units: int = 2  # opening units of a section (what it is, where to find it) shown before a detail
    section_words: int = 70  # budget of a whole-section answer


def relevance(terms: list[Term], text: str, trail: str, cfg: ExtractConfig = ExtractConfig()) -> float:
    """Share of the question (idf-weighted) a unit holds; terms only in its heading trail count less."""
    if not terms:
        return 0.0
    here, around = set(tokenize(text)), set(tokenize(trail))
    total = sum(t.weight for t in terms) or 1.0
    got = sum(t.weight if t.found(here) else cfg.trail * t.weight if t.found(around) else 0.0 for t in terms)
    return got / total


# "How do I check the pre-charge?" asks for a method: a specification table's row that names the
# pre-charge and holds its value is not one, even though it names the thing and holds a value
METHOD_QUESTION = re.compile(r"^\s*how (?:do|can|should|must|would) (?:i|we|you)\b|^\s*how to\b|怎么|如何|怎样", re.IGNORECASE)


# a question about a hazard ("Any hazard when removing the gaskets?", "有什么危险") is answered by the
# warning or caution that guards the work, where one holds the question (the manual's own notice)
# ("safety" and "安全" alone name parts too: a safety valve, 安全带)
HAZARD_QUESTION = re.compile(r"\bhazard|\bdanger|\bunsafe\b|\brisks?\b|\bprecautions?\b|危险|危害|隐患|安全(?:注意|事项|风险)", re.IGNORECASE)
_HAZARD_LABEL = re.compile(rf"^\W{{0,3}}\s*(?:{signal_words(HAZARD_LEVELS)})\W{{0,3}}$", re.IGNORECASE)
_HAZARD_OPEN = re.compile(rf"^\W{{0,3}}\s*(?:{signal_words(HAZARD_LEVELS)})\s*[:：!！.\-–—]", re.IGNORECASE)


def hazard_units(units: list[Unit], most: int = 3) -> set[Unit]:
    """The units of a passage that are warnings or cautions: one that opens with the signal word
    ("WARNING: ...", "注意：..."), or up to `most` that follow a label line of its own ("WARNING", then
    "Gaskets ... may contain asbestos."), until a numbered step or a heading.

    >>> us = [Unit(0, i, i + 1, t, False, False) for i, t in enumerate(["WARNING", "Gaskets may contain asbestos.", "1. Remove the gasket."])]
    >>> sorted(u.text for u in hazard_units(us))
    ['Gaskets may contain asbestos.']
    """
    out: set[Unit] = set()
    left = 0
    for u in units:
        line = u.text.strip()
        if _HAZARD_LABEL.match(line):
            left = most
            continue
        if u.heading or LIST_RE.match(line):
            left = 0
        if _HAZARD_OPEN.match(line) or left > 0:
            out.add(u)
            left -= 1
    return out


def type_bonus(question: str, text: str) -> float:
    """1.0 when the unit holds a value of a type the question asks for, else 0 (a degree sign printed
    as a bullet or a small "o" is one: "between 15 and 85oF")."""
    text = read_degrees(text)
    return 1.0 if any(q.search(question) and a.search(text) for q, a in ANSWER_TYPES) else 0.0


def holds_value(question: str, chunk: Chunk) -> bool:
    """Whether the passage gives a value of a kind the question asks for: printed with its unit
    (type_bonus), or as the figures of a table whose caption or column names name that kind ("Table F-1.
    Torque Limits for Dry Fasteners", whose cells are bare numbers under "POUND FEET")."""
    if type_bonus(question, chunk.search_text):
        return True
    lines = chunk.labelled.splitlines()
    head = " ".join(x for x in lines if " | " not in x)  # its caption, group labels and column names ("||")
    return any(q.search(question) and q.search(head) for q, _ in ANSWER_TYPES) and any(" | " in x and _DIGIT.search(x) for x in lines)


_HOW_MUCH = re.compile(r"\bhow (?:much|many)\b", re.IGNORECASE)


def value_missing(question: str, hits: list[Hit]) -> bool:
    """Whether the question names a kind of value (a speed, a torque, decibels, ...) and none of the passages
    holds one (holds_value). "How much" alone names no kind: "How much belt deflection?" asks for a length."""
    named = _HOW_MUCH.sub(" ", question)
    return asks_value(named) and not any(holds_value(named, h.chunk) for h in hits)


_DIGIT = re.compile(r"\d")
# a value: a figure, or a duration or a length in words ("within one hour", "approximately one foot")
_VALUE = re.compile(rf"\d|\b{_SPELLED}\s+(?:hours?|minutes?|days?|weeks?|months?|years?|{_LENGTH_WORDS})\b", re.IGNORECASE)


def _row_cells(text: str) -> list[str]:
    """A table row's cells (split at its tabs), white space evened out, empty ones left out."""
    return [" ".join(c.split()) for c in text.split("\t") if c.strip()]


def row_key(question: str, text: str) -> float:
    """How much of a table row's label the question names, 0..1: its first cell, or its first two
    where the first is a short code with a digit ("1/2" then "13": a 1/2-13 screw; "Top" is a word). Written together in the
    question ("1/2-13", "5/8-11") it counts whole; else the share of its tokens the question holds.

    >>> row_key("Torque for a dry 1/2-13 grade 5 capscrew?", "1/2\\t13\\t12.70\\t75"), row_key("cylinders 7 and 8?", "Piston Clearance - #7, 8\\t0.004 in.")
    (1.0, 0.5)
    """
    key = row_label(text)
    if not key:
        return 0.0
    q = re.sub(r"\s+", "", question.lower())
    if any(len(k) >= 3 and k in q for k in _written(key)):
        return 1.0
    tokens = {t for t in tokenize(" ".join(key)) if len(t) > 1 or t.isdigit()}
    share = len(tokens & set(tokenize(question))) / len(tokens) if tokens else 0.0
    return share if share >= 0.5 else 0.0  # a word or two in common is no label named


def row_label(text: str) -> list[str]:
    """A table row's label cells: its first, or its first two where the first is a short code with a
    digit and the second no decimal number ("1/2" then "13": a size and its thread; "2" then "Louver
    Cover Assembly": an item and its name; but "1500" then "28.335" is an altitude and a value read
    at it); none for a row of one cell."""
    cells = _row_cells(text)
    if len(cells) < 2:
        return []
    two = len(cells) > 2 and len(cells[0]) <= 5 and _DIGIT.search(cells[0]) and not re.fullmatch(r"\d+[.,]\d+", cells[1])
    return cells[:2] if two else cells[:1]  # "Top" is a word, not a code


def _written(key: list[str]) -> list[str]:
    """The ways a question may write a row label run together: "1/2-13", "1/213", "1/2x13"."""
    return [sep.join(key).lower().replace(" ", "") for sep in ("-", "", "x")]


def _named_within(question: str, rows: set[Unit]) -> set[Unit]:
    """The rows whose label the question names only as part of another row's longer label, also named:
    "Standard" in a question about "Standard Hi-Limit"."""
    named = {u: "".join(row_label(u.text)).lower().replace(" ", "") for u in rows if "\t" in u.text and row_key(question, u.text) == 1.0}
    return {u for u, k in named.items() if any(len(o) > len(k) and k in o for o in named.values())}


def row_place(chunk: Chunk, text: str) -> tuple[str, str, str] | None:
    """(what the row sits under, its column names, its labelled line) as the chunk's labelled text
    gives them; None for a unit that is no table row, or one the labelled text does not hold."""
    if not chunk.labelled or "\t" not in text:
        return None
    cells = _row_cells(text)
    context = columns = ""
    for line in chunk.labelled.split("\n"):
        if " || " in line:
            if line.split(" || ") == cells:
                return "", "", HEADER_MARK  # the table's header row itself
            columns = line  # the column names of the rows below
        elif all(c in line for c in cells):
            return context, columns, line
        elif " | " not in line:
            context = line  # a caption, a group label or a malfunction: the rows below sit under it
    return None


def row_context(chunk: Chunk, text: str) -> str:
    """For a unit that is a table row (cells split by tabs): what the row sits under, as the chunk's
    labelled text gives it (the column names of its cells, the caption, the group label or the
    malfunction it belongs to), so that a question naming them finds the row. '' otherwise."""
    place = row_place(chunk, text)
    if place is None:
        return ""
    return " " + HEADER_MARK if place[2] == HEADER_MARK else " " + " ".join(place)


def row_group(chunk: Chunk, text: str) -> str:
    """The group a table row sits under, below the table's caption ("MALFUNCTION: 3. DOOR HANDLE IS
    JAMMED OR DOES NOT OPERATE SMOOTHLY" under "Table 3-1. Troubleshooting."); '' for a row in no group."""
    place = row_place(chunk, text)
    return place[0].rsplit(" > ", 1)[1].strip() if place and " > " in place[0] else ""


def another_group(terms: list[Term], group: str, row: str, groups: set[str], cfg: ExtractConfig = ExtractConfig()) -> bool:
    """Whether a table `row` under `group` is about another thing than the rows under `groups`: its
    group holds less than half of the question that the best of theirs holds, and the row itself
    holds less of it than that group's label alone (the steps of "2. OUTER DOOR ... DOES NOT STAY
    OPEN" for a question about a jammed door handle, whose rows sit under "3. DOOR HANDLE IS JAMMED
    ..."). A row holding more of the question than that, the other part of a two-part question ("the
    main bearing clearance" under "Crankshaft" beside "Piston Pin"), is not.

    >>> from assistant.answer.evidence import question_terms
    >>> terms = question_terms("The door handle is jammed. What is the first check?")
    >>> jammed = {"MALFUNCTION: 3. DOOR HANDLE IS JAMMED OR DOES NOT OPERATE SMOOTHLY"}
    >>> stay = "MALFUNCTION: 2. OUTER DOOR OR INNER DOOR DOES NOT STAY OPEN"
    >>> another_group(terms, stay, "Step 1. Check to see if detent pin is installed.", jammed), another_group(terms, "", "Check it.", jammed)
    (True, False)
    """
    groups = {g for g in groups if g}
    if not group or not groups or group in groups:
        return False
    named = max(relevance(terms, g, "", cfg) for g in groups)
    return relevance(terms, group, "", cfg) < 0.5 * named and relevance(terms, row, "", cfg) < named


HEADER_MARK = "(header row)"


def named_columns(terms: list[Term], chunk: Chunk, text: str, cfg: ExtractConfig = ExtractConfig()) -> tuple[list[str], list[str]] | None:
    """(the cells to show, the cells left out) of a wide table row: its label and the values of the
    columns the question names, "General torque for a dry 1/2-13 SAE grade 5 capscrew?" reading
    "1/2 | 13 | 75 | 101.70" of the row of every grade (its columns "SAE GRADE No. 5 POUND NEWTON FEET"
    and "... METERS" hold more of the question than the others). None, the row shown whole, where its
    column names are not known cell by cell (the chunk's labelled text), where it has three values or
    fewer, or where no column holds more of the question than another."""
    place = row_place(chunk, text)
    cells = _row_cells(text)
    names = place[1].split(" || ") if place and place[1] else []
    label = len(row_label(text))
    if not label or len(names) != len(cells) or len(cells) - label < 4:
        return None
    held = [relevance(terms, names[k], "", cfg) for k in range(label, len(cells))]
    if max(held) <= min(held):
        return None
    top = max(held) - 1e-9
    return (cells[:label] + [cells[label + k] for k, h in enumerate(held) if h >= top],
            [cells[label + k] for k, h in enumerate(held) if h < top])


def _named_columns(terms: list[Term], chunk: Chunk, u: Unit, cfg: ExtractConfig = ExtractConfig()) -> Unit:
    """A wide table row shown with its label and only the columns the question names (`named_columns`);
    the quote is still the whole row."""
    if u.shown or "\t" not in u.text:
        return u
    split = named_columns(terms, chunk, u.text, cfg)
    return replace(u, shown="\t".join(split[0])) if split else u


# an item's marker: "(Ⅵ)", "（3）", "(c)", "4.2", "b."
_CJK = re.compile(r"[\u3400-\u9fff]")
_ITEM_MARK = re.compile(r"^\s*(?:[（(][^()（）\s]{1,4}[)）]|\d{1,3}(?:\.\d{1,3})*[.)]?|[a-z]\s?[.)])\s*")


def _titled(text: str) -> str:
    """The words of an item's title (its marker, then a few words and no value: "z. Torsional
    Damper", "(1) Weather Gasket Pressure Adjustment."), "" where `text` is no such title."""
    m = _ITEM_MARK.match(text)
    rest = text[m.end():].strip() if m and m.end() else ""
    return rest if 0 < _word_count(rest) <= 6 and not _DIGIT.search(rest) and not rest.endswith((":", "：")) else ""


def run_in_title(text: str) -> bool:
    """Whether a unit is the run-in title of a numbered item: its marker, then a few words and a full
    stop, no value ("(Ⅵ) 气压表误差测试。", "(1) Weather Gasket Pressure Adjustment."); what the item
    says follows on the same line.

    >>> run_in_title("(Ⅵ) 气压表误差测试。"), run_in_title("(1) Weather Gasket Pressure Adjustment."), run_in_title("(2) Close and lock the door at 5 places.")
    (True, True, False)
    """
    return bool(re.search(r"[.。]$", _titled(text)))


def item_title(units: list[Unit], u: Unit) -> str:
    """The title of the item `u` belongs to within its passage: the nearest unit before it that is a
    heading or an item's title ("z. Torsional Damper" over "4. Hold flywheel ... tighten capscrew (6)
    to 140-162 lb-ft"); "" where there is none.

    >>> us = [Unit(0, s, s + len(t), t, False, False) for s, t in ((0, "z. Torsional Damper"), (20, "2. Apply oil."), (34, "4. Tighten capscrew (6)."))]
    >>> item_title(us, us[2]), item_title(us, us[0])
    ('Torsional Damper', '')
    """
    for v in reversed([v for v in units if v.end <= u.start and not v.injected]):
        if v.heading:
            return v.text.strip()
        words = re.findall(r"[A-Za-z]{3,}", title := _titled(v.text))
        if title and (all(w[0].isupper() for w in words) if words else _CJK.search(title)):
            return title.rstrip(".。 ")  # a title is capitalised ("Torsional Damper"), a step is not ("Apply oil.")
    return ""


def run_in_bodies(keep: set[Unit], per_hit: list[list[Unit]], passages: list[Hit]) -> set[Unit]:
    """For each kept run-in title (`run_in_title`), the sentence after it on its line: the title names
    what the item is about, the sentence says it (the value, the action); quoting the title alone says
    nothing."""
    out: set[Unit] = set()
    for u in keep:
        if u.hit >= len(per_hit) or not run_in_title(u.text):
            continue
        text = passages[u.hit].chunk.text
        after = next((v for v in per_hit[u.hit] if v.start >= u.end), None)
        if after is not None and not after.heading and not after.injected and "\n" not in text[u.end:after.start]:
            out.add(after)
    return out - keep


def _is_prose(text: str) -> bool:
    return not _opens_item(text) and "|" not in text and bool(CLOSED.search(text)) and _word_count(text) >= 4


@dataclass(frozen=True)
class Selection:
    """What the extractive answer quotes: `units` in reading order, indexing into `passages` (the
    hits, plus any chunks a section answer read on into or a cut table row's other part);
    `section`: a whole section answers (the question names it), read from its opening."""

    units: list[Unit]
    passages: list[Hit]
    section: bool = False


def draft(question: str, terms: list[Term], hits: list[Hit], cfg: ExtractConfig = ExtractConfig(),
          around: Callable[[Chunk, int, int], list[Chunk]] | None = None, chosen: Selection | None = None) -> Draft:
    """The extractive draft: the units that answer the question (`chosen`, else `select`), each a
    claim that quotes itself, shown as clean text (no list marker, no Markdown)."""
    sel = chosen or select(question, terms, hits, cfg, around)
    claims = tuple(Claim(plain(u.shown or u.text), u.hit, u.start, u.end, 1.0) for u in sel.units if plain(u.text))
    return Draft("extractive", claims, tuple(sel.passages))


def _answer_context(u: Unit, chunk: Chunk) -> str | None:
    """What a unit of `chunk` reads with (`row_context`: a row's caption, group and column names), or
    None for a unit that answers nothing itself: a heading, planted text, a table's header row (it
    names the columns)."""
    if u.heading or u.injected:
        return None
    context = row_context(chunk, u.text)
    return None if context.endswith(HEADER_MARK) else context


def asks_value(question: str) -> bool:
    """Whether the question asks for a kind of value (ANSWER_TYPES: a torque, a pressure, a dimension, ...)."""
    return any(q.search(question) for q, _ in ANSWER_TYPES)


def considered(question: str, terms: list[Term], hits: list[Hit], cfg: ExtractConfig = ExtractConfig()) -> list[Hit]:
    """The hits an answer reads: the first `cfg.candidates`; for a question that asks for a value, also
    the one after them (of those the search shows: `value_depth` for such a question) that holds a value
    of that kind and more of the question than any of them. "What are the height and width of the
    S-250/G shelter?": six passages that name the shelter ranked above the equipment data table that
    holds the height and the width, by a few hundredths of a score. So does a question that names a figure
    none of the first passages holds (an altitude, a size): the later one that holds it, and more of the
    question ("1500 英尺和 30000 英尺两个测试点的允许误差": the table of allowed errors by altitude came fifth,
    a thousandth below another table of the regulation)."""
    head, tail = hits[: cfg.candidates], hits[cfg.candidates:]
    if not tail or not terms:
        return head
    typed = asks_value(question)
    figures = set() if typed else {t for t in tokenize(question) if _DIGIT.search(t)} - set().union(*(tokenize(h.chunk.search_text) for h in head))
    if not (typed or figures):
        return head
    held = [relevance(terms, h.chunk.search_text, " ".join(h.chunk.section), cfg) for h in hits]
    most = max(held[: len(head)])
    more = [(held[k], k) for k in range(len(head), len(hits)) if held[k] > most and (
        type_bonus(question, hits[k].chunk.search_text) > 0 if typed else figures & set(tokenize(hits[k].chunk.search_text)))]
    return head + [hits[max(more, key=lambda x: x[0])[1]]] if more else head


def select(question: str, terms: list[Term], hits: list[Hit], cfg: ExtractConfig = ExtractConfig(),
           around: Callable[[Chunk, int, int], list[Chunk]] | None = None) -> Selection:
    """The units that answer the question (none when nothing holds any of it), see Selection
    (`around(chunk, before, after)` gives the chunks just before and after one in its document)."""
    if not hits:
        return Selection([], hits)
    # the first hits' units, chunk by chunk: the answer draws from what the search shows (enclosing.py)
    top = hits[0].score or 1.0
    read = considered(question, terms, hits, cfg)
    first = unit_passages(read)
    hits = first + [h for h in hits[cfg.candidates:] if not any(h is r for r in read)]
    per_hit = passage_units(first)
    lang = question_language(question)
    method = bool(METHOD_QUESTION.search(question))
    rel: dict[Unit, float] = {}  # question terms held (and a table row's label named)
    held: dict[Unit, float] = {}  # question terms held
    valued: dict[Unit, float] = {}  # 1.0 for a unit holding a value of the kind the question asks for
    fit: dict[Unit, float] = {}  # ... plus the value type asked for, the language, the source
    trails: dict[Unit, str] = {}  # what a unit sits under: its headings, a row's caption and column names
    hazard = bool(HAZARD_QUESTION.search(question))
    scored = []
    for us in per_hit:
        warns = hazard_units(us) if hazard else set()
        for u in us:
            context = _answer_context(u, hits[u.hit].chunk)
            if context is None:
                continue
            trails[u] = " ".join(hits[u.hit].chunk.section) + context
            # a table row reads with what it sits under (its caption and group label, "Compression Rings >
            # Gap:", and its column names): they are part of what the row says, not a heading around it
            rel[u] = held[u] = relevance(terms, f"{u.text} {context}", " ".join(hits[u.hit].chunk.section), cfg)
            row = "\t" in u.text
            valued[u] = 1.0 if u in warns else type_bonus(question, u.text)
            bonus = cfg.answer_type * valued[u] * (not (row and method)) + cfg.language * (hits[u.hit].chunk.language == lang)
            if " | " in u.text and hits[u.hit].chunk.doc.lower().endswith(".docx"):
                bonus -= cfg.docx_table
            if row and not method:  # a table row whose label the question names ("1/2-13", "#7, 8")
                rel[u] += cfg.row_key * row_key(question, u.text)
            fit[u] = rel[u] + bonus
            scored.append((fit[u] + cfg.prior * hits[u.hit].score / top, u))
    if not scored:
        return Selection([], hits)
    typed = asks_value(question)
    if typed and any(rel[u] > 0 and _VALUE.search(u.text) for _, u in scored):
        # a question that asks for a value is answered by a unit that holds one, not by the column
        # names of the table that does
        scored = [(sc, u) for sc, u in scored if _VALUE.search(u.text)]
    # ... and by one about the thing it names: a value of the kind asked for, in the asker's language,
    # high in the ranking, is no answer when it holds far less of the question than another value of
    # that kind (the filter cover's torque for a question about the coupling bolts')
    asks = typed or hazard  # a kind of answer: a value of a type, or a warning
    floor = cfg.value_subject * max((held[u] for _, u in scored if asks and valued[u]), default=0.0)
    # ... and where a unit about it holds a value of that kind, by such a unit (a quantity for "how much
    # oil", not the work instruction's heading with its date and revision; the warning for a hazard)
    kind = asks and any(valued[u] and held[u] > 0 for _, u in scored)
    _, best = max(((sc, u) for sc, u in scored if (held[u] >= floor if valued[u] else not kind)), key=lambda x: x[0])
    if rel[best] <= 0:
        return Selection([], hits)
    chunk = hits[best.hit].chunk
    body = [u for u in per_hit[best.hit] if not u.heading and not u.injected]
    starts_section = bool(per_hit[best.hit]) and per_hit[best.hit][0].heading
    heading_rel = relevance(terms, chunk.section[-1] if chunk.section else "", "", cfg)
    # The whole section answers when the question is its heading or its opening sentence, unless
    # the question asks for a value (a torque, an interval): then the unit holding it answers.
    if starts_section and not typed and (heading_rel >= rel[best] or best == body[0]):
        return Selection(*_read_section(body, chunk, list(hits), cfg, around), section=True)
    keep = {best}

    def group(u: Unit) -> str:
        return row_group(hits[u.hit].chunk, u.text)

    if "\t" in best.text:
        # a table row answers: the other rows that hold as much of the question (every row holds a
        # value of the kind asked for, so that cannot tell them apart) and are about the same thing
        # (not a row under another malfunction), no section opening
        for u in sorted((u for u in body if u in rel), key=lambda u: -rel[u]):
            if len(keep) >= cfg.max_units or rel[u] < cfg.keep_ratio * rel[best]:
                break
            if "\t" in u.text and not another_group(terms, group(u), u.text, {group(best)}, cfg):
                keep.add(u)
        keep |= _other_part(question, keep, scored, terms, trails, typed, group) or _part_below(question, keep, hits, len(first), terms, trails, typed, group)
        rows = with_parallel_lines(sorted(keep, key=lambda u: (u.hit, u.start)), per_hit, hits)
        within = {u for u in _named_within(question, set(rows)) if (u.hit, u.start) != (best.hit, best.start)}
        rows = [u for u in rows if not any(u == w or (u.shown and u.shown == w.shown) for w in within)]  # with its second line
        rows, passages = whole_rows(rows, per_hit, list(hits), around)
        return Selection([_named_columns(terms, passages[u.hit].chunk, u, cfg) for u in rows], passages)
    for u in sorted((u for u in body if u in fit), key=lambda u: -fit[u]):
        if len(keep) >= cfg.max_units or fit[u] < cfg.keep_ratio * fit[best]:
            break
        if hazard and rel[u] < cfg.keep_ratio * rel[best]:
            continue  # every warning has the bonus: another one answers only if it is about the question too
        keep.add(u)
    if starts_section:
        keep.update(u for u in body[: cfg.lead_units] if _is_prose(u.text))
    keep |= _other_part(question, keep, scored, terms, trails, typed, group) or _part_below(question, keep, hits, len(first), terms, trails, typed, group)
    keep |= run_in_bodies(keep, per_hit, hits)
    kept = sorted(keep, key=lambda u: (u.hit, u.start))
    if ANSWER_TYPES[0][0].search(question):
        return Selection(*staged(kept, per_hit, list(hits), around))
    return Selection(*listed(kept, per_hit, list(hits), around))


TWO_PARTS = re.compile(r"\band\b|和|及|与|、|分别|\bboth\b", re.IGNORECASE)  # a question asking for two things


def conjuncts(question: str, width: int = 3) -> set[str]:
    """The lexical tokens of the words just before and after each "and" of an English question (up to
    `width` words on each side, from the first content word: "..., and what is the maximum total shim
    thickness?" names "maximum total shim"): the two things it asks for. Empty for a Chinese question.

    >>> sorted(conjuncts("During engine run-in, what oil pressure and temperature limits must be held?"))
    ['limit', 'oil', 'pressur', 'temperatur']
    >>> sorted(conjuncts("How thick a shim goes behind the keeper, and what is the maximum total shim thickness?"))
    ['behind', 'keeper', 'maximum', 'shim', 'total']
    """
    if question_language(question) != "en":
        return set()
    out: set[str] = set()
    words = re.findall(r"[\w./-]+", question.lower())
    for i, w in enumerate(words):
        if w not in ("and", "both"):
            continue
        for side in (words[:i][::-1], words[i + 1:]):
            # the words next to the "and" (leading stop and asking words passed over: "and what is the")
            lead = next((k for k, v in enumerate(side) if any(t not in EN_FUNCTION for t in tokenize(v))), len(side))
            near = list(itertools.takewhile(lambda v: v not in ("and", "both"), side[lead: lead + width]))
            out |= {t for t in tokenize(" ".join(near)) if t not in EN_FUNCTION}
    return out


def _other_part(question: str, keep: set[Unit], scored: list[tuple[float, Unit]], terms: list[Term],
                trails: dict[Unit, str], typed: bool, group: Callable[[Unit], str] = lambda u: "") -> set[Unit]:
    """For a question that asks for two things, joined by "and" ("the piston pin diameter and
    the main bearing clearance", "1500 英尺和 30000 英尺") where the kept units hold one: the candidate
    unit that holds most of the question's remaining terms (idf-weighted, its headings and column
    names counted), when it holds at least half of what is left and what is left is a real part of the
    question (a quarter of it or more); where the question asks for a value (a torque, a gap), a unit
    holding a value of that kind; never a table row about another thing than the kept rows
    (`another_group`: "and corrective action" asks for the kept malfunction's action, not another
    malfunction's check). At most one unit: {} when none qualifies."""
    if not TWO_PARTS.search(question):
        return set()
    total = sum(t.weight for t in terms) or 1.0
    held: set[str] = set()
    for u in keep:
        held |= set(tokenize(f"{u.text} {trails.get(u, '')}"))
    missing = [t for t in terms if not t.found(held)]
    need = sum(t.weight for t in missing)
    if need < 0.25 * total:
        return set()
    # the words either side of the "and" name the two things ("oil pressure and temperature limits"):
    # what is missing of them is the other part (not the question's other words, "during", "held")
    near = conjuncts(question)
    if near and (core := [t for t in missing if t.found(near)]):
        missing, need = core, sum(t.weight for t in core)
    pick, best = None, (0.0, 0.0)
    groups = {group(u) for u in keep}
    for _, u in scored:
        if u in keep or (typed and not type_bonus(question, u.text)) or another_group(terms, group(u), u.text, groups):
            continue
        here = set(tokenize(f"{u.text} {trails.get(u, '')}"))
        # most of what is left; between units holding as much of it ("Second" under "Groove Clearance:"
        # and under "Gap:"), the one holding more of the whole question ("ring gaps")
        g = (sum(t.weight for t in missing if t.found(here)), sum(t.weight for t in terms if t.found(here)))
        if g > best:
            pick, best = u, g
    return {pick} if pick is not None and best[0] >= 0.5 * need else set()


def _part_below(question: str, keep: set[Unit], hits: list[Hit], below: int, terms: list[Term], trails: dict[Unit, str],
                typed: bool, group: Callable[[Unit], str]) -> set[Unit]:
    """The other part of a two-part question (`_other_part`) from the hits below the first ones
    (`hits[below:]`, their matched chunks), where no unit of the first ones holds it: "the number 5
    camshaft journal diameter and the connecting rod side clearance" finds the journal's row in the
    first hits and the rod's in the sixth. The search already returned them: this reads them, it does
    not search again."""
    if not TWO_PARTS.search(question) or len(hits) <= below:
        return set()
    lower = []
    for j, h in enumerate(hits[below:], below):
        for u in chunk_units(h.chunk, j):
            if (context := _answer_context(u, h.chunk)) is None:
                continue
            trails[u] = " ".join(h.chunk.section) + context
            lower.append((0.0, u))
    return _other_part(question, keep, lower, terms, trails, typed, group)


def whole_rows(units: list[Unit], per_hit: list[list[Unit]], passages: list[Hit],
               around: Callable[[Chunk, int, int], list[Chunk]] | None) -> tuple[list[Unit], list[Hit]]:
    """The answer's table rows made whole where the page break cut one (chunk kinds ROW_CUT and
    ROW_REST, see index/chunk.py): a row at the bottom of its passage brings its rest from the top
    of the next passage, a rest brings its row's first part; both parts are quoted (each verbatim on
    its own page) and both show the whole row, so the answer reads it once with both pages cited."""
    if around is None:
        return units, passages
    out: list[Unit] = []
    seen: set[tuple[str, int]] = set()  # (chunk id, start): a part already in the answer

    def add(u: Unit, shown: str = "") -> None:
        key = (passages[u.hit].chunk.id, u.start)
        if key not in seen:
            seen.add(key)
            out.append(replace(u, shown=shown) if shown else u)

    for u in units:
        chunk = passages[u.hit].chunk
        rows = _body_rows(per_hit[u.hit], chunk) if u.hit < len(per_hit) else []
        other, later = None, True
        if ROW_CUT in chunk.kinds and rows and u == rows[-1]:
            other = next((c for c in around(chunk, 0, 1) if ROW_REST in c.kinds), None)
        elif ROW_REST in chunk.kinds and rows and u == rows[0]:
            other, later = next((c for c in around(chunk, 1, 0) if ROW_CUT in c.kinds), None), False
        part = _edge_row(other, passages, first=later) if other is not None else None
        if part is None:
            add(u)
            continue
        head, rest = (u, part) if later else (part, u)
        shown = _joined_cells(head.text, rest.text)
        add(head, shown)
        add(rest, shown)
    return out, passages


_CALLOUT = re.compile(r"\b[A-Za-z]+\s*\((\d+(?:\.\d+)?)\)")  # a part by its figure callout: "capscrews (10)"
_FASTENER = re.compile(r"\b(?:cap)?screws?\b|\bbolts?\b|\bnuts?\b|\bstuds?\b|螺栓|螺母|螺钉", re.IGNORECASE)
_TIGHTEN = re.compile(r"\b(?:re)?tighten|\btorque|拧紧|紧固", re.IGNORECASE)
_ANGLE = re.compile(NUMBER + r"\s*°(?!\s*[CF])")  # "an additional 90°", not a temperature


def _tightened(text: str) -> frozenset[str]:
    """The parts a step tightens to a value (a torque or an angle): their callout numbers ("capscrews
    (10)" -> {"10"}), else the fasteners it names; empty for any other step.

    >>> sorted(_tightened("Tighten capscrews (4) and (5) to 40 lb-ft (54 N•m).")), sorted(_tightened("Tighten the bolts a further 90°."))
    (['4', '5'], ['bolt'])
    """
    if not _TIGHTEN.search(text) or not (ANSWER_TYPES[0][1].search(text) or _ANGLE.search(text)):
        return frozenset()
    numbers = set(_CALLOUT.findall(text)) | set(re.findall(r"\band \((\d+(?:\.\d+)?)\)", text))
    return frozenset(numbers or (m.lower().rstrip("s") for m in _FASTENER.findall(text)))


def _read_on(last: Unit, per_hit: list[list[Unit]], passages: list[Hit],
             around: Callable[[Chunk, int, int], list[Chunk]] | None) -> Iterator[Unit]:
    """The units after `last` in reading order: the rest of its passage, then the next two chunks of its
    document (each added to `passages` when it is not there, so its units can be cited)."""
    chunk = passages[last.hit].chunk
    yield from (u for u in per_hit[last.hit] if u.start > last.start)
    for source in [c for c in (around(chunk, 0, 2) if around else []) if c.doc == chunk.doc]:
        at = next((i for i, h in enumerate(passages) if h.chunk.id == source.id), None)
        if at is None:
            passages.append(Hit(source, 0.0))
            at = len(passages) - 1
        yield from chunk_units(source, at)


def staged(units: list[Unit], per_hit: list[list[Unit]], passages: list[Hit],
           around: Callable[[Chunk, int, int], list[Chunk]] | None, most: int = 4) -> tuple[list[Unit], list[Hit]]:
    """A torque given in stages, whole: after the last answer unit that tightens parts to a value, the
    steps that follow it and tighten the same parts again ("Tighten capscrews (4) and (5) to 40 lb-ft",
    then "Evenly tighten all long capscrews (4) to 110 lb-ft", then "... an additional 90°"), read on
    into the next chunks of the document, up to `most` of them; the first step that does not ends the
    sequence. A technician told the first stage alone under-tightens the joint."""
    last = next((u for u in reversed(units) if u.hit < len(per_hit) and _tightened(u.text)), None)
    if last is None:
        return units, passages
    parts = _tightened(last.text)
    have = {(passages[u.hit].chunk.id, u.start) for u in units}
    added: list[Unit] = []
    for u in _read_on(last, per_hit, passages, around):
        if u.heading:
            continue
        if u.injected or not (_tightened(u.text) & parts) or len(added) >= most:
            break
        if (passages[u.hit].chunk.id, u.start) not in have:
            added.append(u)
    return units + added, passages


_PAREN_ITEM = re.compile(r"^\s*[（(]\s*(?:[\u2160-\u217f]{1,4}|[ivxIVX]{1,4}|[a-z]|\d{1,3})\s*[)）](?!\s*[,;])")  # "(Ⅰ)", "(iv)", "(c )"


def _marker_kind(text: str) -> str:
    """The kind of an item's marker, its figure or letter aside: "(2)" and "(3)" are one kind, "(a)" another,
    "(Ⅰ)" a third."""
    m = _PAREN_ITEM.match(text)
    marker = m.group() if m else (text.split(maxsplit=1) or [""])[0]
    return re.sub(r"[\u2160-\u217f]+", "I", re.sub(r"\d+", "1", re.sub(r"(?<![a-z])[a-z](?![a-z])", "a", marker.replace(" ", ""))))


def listed(units: list[Unit], per_hit: list[list[Unit]], passages: list[Hit],
           around: Callable[[Chunk, int, int], list[Chunk]] | None, most: int = 8) -> tuple[list[Unit], list[Hit]]:
    """An answer unit that announces a list ("... shall be run up to confirm the following performance:",
    "..., proceed as follows") goes on with the list: its items (and any warning among them) after it,
    read on into the next chunks of the document, up to `most`; the first unit that is no item of that
    list (another kind of marker, plain text, a heading) ends it. Where the answer already quotes an item
    of the list (the one the question is about), the list is not added. Without the items the answer
    says that there is a list and not what is on it; a last unit that announces a list none of which is
    in reach is left out, unless it is the whole answer."""
    have = {(passages[u.hit].chunk.id, u.start) for u in units}
    out: list[Unit] = []
    for lead in units:
        out.append(lead)
        if lead.hit >= len(per_hit) or not LEAD_IN.search(plain(lead.text)):
            continue
        kind, items = "", []  # the list's marker kind (set by its first item) and its items
        for u in _read_on(lead, per_hit, passages, around):
            warning = bool(WARNING_RE.match(u.text))
            item = warning or _opens_item(u.text) or _PAREN_ITEM.match(u.text)
            if u.heading or u.injected or not item or (kind and not warning and _marker_kind(u.text) != kind):
                break
            if (passages[u.hit].chunk.id, u.start) in have:
                items = []  # the answer already quotes the items of the list it asks about: not the whole list
                break
            kind = kind or ("" if warning else _marker_kind(u.text))
            items.append(u)
        for u in items[:most]:
            out.append(u)
            have.add((passages[u.hit].chunk.id, u.start))
    if len(out) > 1 and out[-1] is units[-1] and out[-1].hit < len(per_hit) and LEAD_IN.search(plain(out[-1].text)):
        out.pop()  # an announcement left at the end with none of its list in reach says nothing
    return out, passages


_PARALLEL = re.compile(r"\(\s*[^()]*\d[^()]*\)")  # "(100.988-101.003 mm)"


def _parallel(text: str, above: str) -> bool:
    """Whether table row `text` is the second line of the row `above`: every cell but its first is a
    value in parentheses (the same values in other units, a part number under the label), it has no
    more cells than the row above, and the row above is not such a line itself (a table whose every
    value is printed in parentheses has rows of one line).

    >>> _parallel("PN 23500391\\t(100.962-100.975 mm)", "Standard\\t3.9749 in. to 3.9754 in."), _parallel("Bolt B\\t(30 N·m)", "Bolt A\\t(25 N·m)")
    (True, False)
    """
    cells, over = _row_cells(text), _row_cells(above)
    return ("\t" in above and 2 <= len(cells) <= len(over) and all(_PARALLEL.fullmatch(c) for c in cells[1:])
            and not all(_PARALLEL.fullmatch(c) for c in over[1:]))


def with_parallel_lines(units: list[Unit], per_hit: list[list[Unit]], passages: list[Hit]) -> list[Unit]:
    """Table rows printed on two lines, the second giving the values again in other units under the
    first ("3.9759 in. to 3.9765 in." above "(100.988-101.003 mm)"): a row brings its second line, a
    second line its row; both are quoted (each verbatim) and both show the row with each cell's two
    values together."""
    out: dict[tuple[int, int], Unit] = {}
    for u in units:
        rows = _body_rows(per_hit[u.hit], passages[u.hit].chunk) if u.hit < len(per_hit) else []
        i = next((k for k, r in enumerate(rows) if r.start == u.start), None)
        if i is not None and i + 1 < len(rows) and _parallel(rows[i + 1].text, u.text):
            pair = (u, rows[i + 1])
        elif i and _parallel(u.text, rows[i - 1].text):
            pair = (rows[i - 1], u)
        else:
            out.setdefault((u.hit, u.start), u)
            continue
        shown = _parallel_cells(pair[0].text, pair[1].text)
        for part in pair:
            out[(part.hit, part.start)] = replace(part, shown=shown)
    return sorted(out.values(), key=lambda u: (u.hit, u.start))


def _parallel_cells(row: str, second: str) -> str:
    """A row and its second line as one row: the first cells together, the second line's values
    after the values of the last columns above them.

    >>> _parallel_cells("Standard\\tS5\\t3.9749 in.\\t3.9778 in.", "PN 23500391\\t(100.962 mm)\\t(101.036 mm)")
    'Standard PN 23500391\\tS5\\t3.9749 in. (100.962 mm)\\t3.9778 in. (101.036 mm)'
    """
    a, b = _row_cells(row), _row_cells(second)
    b = b[:1] + [""] * (len(a) - len(b)) + b[1:]
    return "\t".join(" ".join(x for x in pair if x) for pair in zip(a, b))


def _edge_row(chunk: Chunk, passages: list[Hit], first: bool) -> Unit | None:
    """The first (or last) table row of `chunk`, as a unit of a passage appended to `passages`."""
    rows = [u for u in _body_rows(chunk_units(chunk, len(passages)), chunk) if not u.injected]
    if not rows:
        return None
    passages.append(Hit(chunk, 0.0))
    return rows[0] if first else rows[-1]


def _body_rows(units: list[Unit], chunk: Chunk) -> list[Unit]:
    """The table rows among a passage's units, its tables' header rows left out."""
    return [u for u in units if "\t" in u.text and not row_context(chunk, u.text).endswith(HEADER_MARK)]


def _joined_cells(head: str, rest: str) -> str:
    """A row's two parts as one row: the rest lacks the leading cells (the row's label, printed
    once above the break), so its cells go on the last columns, each after the first part's cell."""
    a, b = _row_cells(head), _row_cells(rest)
    b = [""] * (len(a) - len(b)) + b if len(b) <= len(a) else b[len(b) - len(a):]
    return "\t".join(" ".join(x for x in pair if x) for pair in zip(a, b))


def _read_section(body: list[Unit], chunk: Chunk, passages: list[Hit], cfg: ExtractConfig,
                  around: Callable[[Chunk, int, int], list[Chunk]] | None) -> tuple[list[Unit], list[Hit]]:
    """The section from its opening, read on into the next chunks of the same section (its
    subsections too: "Tools and parts", "Procedure") until the word budget is spent."""
    chosen: list[Unit] = []
    words = 0
    extra = [c for c in (around(chunk, 0, 3) if around else []) if c.doc == chunk.doc and c.section[: len(chunk.section)] == chunk.section]
    for c in [None] + extra:
        if c is not None:
            passages.append(Hit(c, 0.0))
            body = [u for u in chunk_units(c, len(passages) - 1) if not u.injected]
        for u in body:
            n = _word_count(u.text)
            if chosen and words + n > cfg.section_words:
                return chosen, passages
            if not u.heading:
                chosen.append(u)
                words += n
    return chosen, passages
