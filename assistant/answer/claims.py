"""Checking generated text before anyone sees it. A model's reply is cut into sentences; each one
keeps its citation markers ([2]) and must pass these checks against the passage it cites:

1. the citation points to a passage that was retrieved (a marker like [9] of 4 passages does not);
2. the passage supports it: most of its content words occur in one or two consecutive units of
   that passage, read with the passage's headings, its table's caption and column names and the
   quantities its values are of (`read_with`; instruction-like units planted in a document never
   count as support);
3. every number, every number with its unit ("25 N·m") and every code ("HF-220-10") occurs
   verbatim in the quoted units (a degree sign printed "•" reads "°"), and the sentence keeps the
   quote's polarity (`same_polarity`: "Use compressed air" of "do not use compressed air" does not);
4. every value is in a unit of the quantity it is given as ("oil pressure ... 260°F" is not), a
   value of a table row comes with the row it is of, and the question's words the sentence restates
   are named by the passage it quotes ("The firing order ... is" in front of a quote about something
   else is not; "the first check" is named by "Step 1."), see `wrong_quantity`, `unnamed_row`,
   `off_subject`;
5. it says something the question did not (`echoes`: a sentence of the question's own words is dropped).

A sentence that joins facts of two or three passages it cites is checked against their quotes
together, each passage adding something the others lack (`verify_combined`); so is one that restates a
model name or code that its passage lacks and a title over it holds ("on the HP-3": the manual's
title; "for the 6.5L": the table's caption), with the line where that title is printed (`Verifier`).

A sentence whose marker is missing or wrong but which another retrieved passage supports is cited
to that passage instead; anything else is dropped, with the reason kept for the record.

>>> split_claims("Tighten to 25 N·m [1]. Wear gloves.[2]")
[('Tighten to 25 N·m.', [1]), ('Wear gloves.', [2])]
"""
from __future__ import annotations

import re
from typing import Callable, Iterator

from .draft import Claim, Dropped
from .evidence import Term, question_terms
from .extract import ANSWER_TYPES, Unit, named_columns, passage_units, row_context, row_key, row_label, row_place
from ..index.lexical import tokenize
from ..plaintext import DOT_LEADER, plain
from ..textrules import NUMBER, NUMBER_UNIT, TORQUE_UNIT, read_degrees
from ..types import Chunk, Hit
from .verify import norm, numbers_in, overlap, sentences, unsupported_numbers

MARKER = re.compile(r"\s*[\[【]\s*(\d{1,2}(?:\s*[,，、]\s*\d{1,2})*)\s*[\]】]")
CODE = re.compile(r"\b(?:[A-Z]{1,5}-?\d[\w-]*|\d+(?:-[A-Z0-9]+)+)\b")
REFUSAL = "NOT_IN_MANUALS"
# "Do not use compressed air" and "Use compressed air" share every content word; polarity must match.
NEGATION = re.compile(r"\b(?:no|not|never|none|nothing|without|don't|do not|doesn't|isn't|aren't|cannot|can't|must not|mustn't)\b|n't\b|不|无需|没有|禁止|切勿|严禁|勿", re.IGNORECASE)


# Talk about the sources instead of the answer: "The passage states that ...", "According to [1], ..."
_META = re.compile(r"^(?:(?:according to|based on) (?:the )?(?:(?:information|data) (?:provided |given )?in (?:the )?)?(?:passages?|manuals?|documents?|sources?)?\s*(?:\d+)?\s*(?:provided\s*)?,?\s*|"
                   r"(?:the |this )?(?:passages?|manuals?|documents?|sources?)\s*(?:\d+\s*)?(?:states?|says?|mentions?|explains?|indicates?)\s*(?:that\s*)?:?\s*)",
                   re.IGNORECASE)


def _clean(text: str) -> str:
    text = plain(text)  # list markers and Markdown emphasis the small models like to add
    stripped = _META.sub("", text).strip(' "“”')
    if stripped and stripped != text:
        text = stripped[0].upper() + stripped[1:]
    return text


def split_claims(raw: str) -> list[tuple[str, list[int]]]:
    """Sentences of a reply with the passage numbers each cites. A marker standing alone after a
    sentence ("... 25 N·m. [1]") belongs to that sentence."""
    raw = DOT_LEADER.sub(": ", raw.replace(REFUSAL, " "))  # "is . . . . 1-8-7-2": one sentence, not a stop per dot
    spans: list[list[int]] = []
    for s, e in sentences(raw):
        if spans and raw[s:e][:1].islower():  # no sentence opens in lower case: "0.5 in. max., and ..." is one
            spans[-1][1] = e
        else:
            spans.append([s, e])
    out: list[tuple[str, list[int]]] = []
    for s, e in spans:
        piece = raw[s:e]
        cited = [int(n) for m in MARKER.finditer(piece) for n in re.split(r"[,，、]", m.group(1))]
        text = _clean(MARKER.sub(" ", piece))
        text = re.sub(r"\s+([.。,，;；:!?！？])", r"\1", text)
        if not re.search(r"[A-Za-z0-9\u3400-\u9fff]", text.strip(" .-•*")):
            if out and cited:
                out[-1] = (out[-1][0], out[-1][1] + cited)
            continue
        out.append((text, cited))
    return out


_CLAUSE_END = re.compile(r"[.;:!?。；：！？]")


def negated(text: str) -> list[set[str]]:
    """The words each negation of `text` governs: from it to the end of its clause ("do not use
    compressed air" -> use, compress, air).

    >>> [sorted(s) for s in negated("Wipe bearings dry with a cloth; do not use compressed air.")]
    [['air', 'compress', 'use']]
    """
    out = []
    for m in NEGATION.finditer(text):
        end = _CLAUSE_END.search(text, m.end())
        words = {t for t in tokenize(text[m.end(): end.start() if end else len(text)]) if _WORD.fullmatch(t)}
        if words:
            out.append(words)
    return out


def same_polarity(text: str, quote: str) -> bool:
    """Whether the sentence negates what the quote negates, and only that: a sentence that says
    without a negation two or more words (or the only one) that the quote says under one ("Use
    compressed air" of "do not use compressed air") turns it round, and a negation of the sentence
    must govern words that one of the quote's negations governs. A sentence about another clause of
    the quote ("Place bearings in hot oil." of "... place bearings in hot oil. Wipe them dry; do not use
    compressed air.") keeps its polarity.

    >>> q = "Place bearings in hot oil to loosen grease. Wipe bearings dry with a cloth; do not use compressed air."
    >>> [same_polarity(t, q) for t in ("Place bearings in hot oil.", "Dry the bearings with compressed air.", "Do not use compressed air.", "Do not wipe bearings.")]
    [True, False, True, False]
    """
    mine, theirs = negated(text), negated(quote)
    if NEGATION.search(text) and not NEGATION.search(quote):
        return False
    said = {t for t in tokenize(text) if _WORD.fullmatch(t)}.difference(*mine)  # what it says outside its negations
    if any(len(said & scope) >= min(2, len(scope)) for scope in theirs):
        return False
    return all(any(2 * len(scope & other) >= len(scope) for other in theirs) for scope in mine)


def grounded(text: str, quote: str) -> bool:
    """Every number, number with unit and code of the sentence occurs verbatim in the quote (a code
    may join a table row's adjacent cells), and the sentence negates only what the quote negates
    (`same_polarity`)."""
    text, quote = read_degrees(text), read_degrees(quote)  # "60°C" is what "60•C" says
    q = norm(quote)
    if not same_polarity(text, quote):
        return False
    if unsupported_numbers(text, [quote]):
        return False
    if any(norm(m.group()) not in q for m in NUMBER_UNIT.finditer(text)):
        return False
    cells = norm(quote.replace("\t", "-"))  # a size a table prints in two cells: "5/8 | 11" is a 5/8-11 screw
    return all(norm(m.group()) in q or norm(m.group()) in cells for m in CODE.finditer(text))


_WORD = re.compile(r"[^\W\d_]{2,}")


# What a quantity is measured in: a sentence that names one and gives a value in another's unit
# ("oil pressure must not exceed 260°F") has joined a value to the wrong quantity.
_QUANTITIES = (  # (what it is called, in English and Chinese; its names; its units)
    ("pressure 压力", r"\bpressures?\b|压力", r"MPa|kPa|mbar|bar|psi|Pa"),
    ("temperature 温度", r"\btemperatures?\b|温度", r"°\s*[CF]|℃|K"),
    ("torque 力矩 扭矩", r"\btorques?\b|力矩|扭矩", rf"{TORQUE_UNIT}|牛·米|牛米"),
    ("voltage 电压", r"\bvoltages?\b|电压", r"kV|mV|V"),
    ("current 电流", r"\bcurrents?\b|电流", r"mA|A"),
    ("resistance 电阻", r"\bresistances?\b|电阻", r"µΩ|mΩ|MΩ|kΩ|Ω"),
    ("frequency 频率", r"\bfrequenc(?:y|ies)\b|频率", r"GHz|MHz|kHz|Hz"),
)
QUANTITY_UNITS: tuple[tuple[re.Pattern, re.Pattern], ...] = tuple(
    (re.compile(q, re.IGNORECASE), re.compile(rf"^(?:{u})$", re.IGNORECASE)) for _, q, u in _QUANTITIES)
_VALUE_UNIT = re.compile(rf"^{NUMBER}\s*(.+)$")


def quantities_of(text: str) -> str:
    """The names of the quantities whose values `text` gives in their units: a quote reading "will
    not exceed 30 psi" is about a pressure, "tighten to 44-52 lb-ft" about a torque.

    >>> quantities_of("Tighten capscrew (6) to 140-162 lb-ft (190-220 N•m).")
    'torque 力矩 扭矩'
    """
    units = {u.group(1).strip() for m in NUMBER_UNIT.finditer(text) if (u := _VALUE_UNIT.match(m.group()))}
    return " ".join(name for (name, *_), (_, pattern) in zip(_QUANTITIES, QUANTITY_UNITS) if any(pattern.match(u) for u in units))


def read_with(hit: Hit, quote: str) -> str:
    """What a quote of a passage is read with: its headings, its table's caption and column names,
    its document's name, and the quantities its values are of. A row "Diameter | 3.976-3.979 in." under
    "Cylinder Bore, 6.2L" says the 6.2L cylinder bore diameter; "tighten to 44-60 lb-ft" gives a torque."""
    c = hit.chunk
    rows = " ".join(row_context(c, line) for line in quote.split("\n") if "\t" in line)  # not the other rows
    return " ".join([" ".join(c.section), rows, c.doc, c.page_label, quantities_of(quote)])


def wrong_quantity(text: str) -> tuple[str, str] | None:
    """(quantity, value) where a sentence gives a value in a unit its quantity is not measured in:
    the quantity named last before the value (back to the value before it) decides, so "temperature
    sensor resistance 2.5 kΩ" is a resistance. None when every value fits what it is said to be.

    >>> wrong_quantity("During run-in, oil pressure must not exceed 260°F (127°C).")
    ('pressure', '260°F')
    >>> wrong_quantity("Oil pressure 40-50 psi; oil temperature must not exceed 260°F.") is None
    True
    """
    for value, before, unit in _values(text):
        last = max(((mm.start(), q, u, mm.group()) for q, u in QUANTITY_UNITS for mm in q.finditer(before)), default=None,
                   key=lambda x: x[0])
        if last and unit and not last[2].match(unit):
            return last[3].lower(), value
    return None


def _values(text: str) -> Iterator[tuple[str, str, str | None]]:
    """Each value with a unit in the sentence: (value, the text back to the value before it, its unit)."""
    prev = 0
    for m in NUMBER_UNIT.finditer(text):
        before, prev = text[prev:m.start()], m.end()
        unit = _VALUE_UNIT.match(m.group())
        yield m.group(), before, unit.group(1).strip() if unit else None


_ORDINALS = ("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth")
_STEP_NUMBER = re.compile(r"(?:^|[\n\t])\s*(?:step\s*)?(\d{1,2})\s*[.):]|\bstep\s+(\d{1,2})\b", re.IGNORECASE)


def step_ordinals(quote: str) -> set[str]:
    """The ordinal words the quote's step numbers name: "Step 1. Inspect ..." is the first step, so
    a sentence calling it "the first check" names what the quote does.

    >>> sorted(step_ordinals("Step 1. Inspect components.\\tLubricate as required (paragraph 3-1)."))
    ['first']
    """
    return {w for m in _STEP_NUMBER.finditer(quote) if 1 <= (n := int(m.group(1) or m.group(2))) <= len(_ORDINALS)
            for w in tokenize(_ORDINALS[n - 1])}


def off_subject(text: str, asked: list[Term], hit: Hit, quote: str) -> list[str]:
    """The question's words that the sentence restates and the passage it quotes does not name (in the
    quote, its headings, its table's caption and column names, or its document's name), when they are
    half or more of the question's words it restates: the model has put what was asked ("the firing
    order of the 6.2L engine is") in front of a quote about something else ("1990 and above 6.2L and
    1994 6.5L engines"). Words only (not numbers or codes); [] when the sentence is about what it quotes.

    >>> from assistant.answer.evidence import question_terms
    >>> from assistant.types import Chunk
    >>> quote = "The 1990 and above 6.2L and 1994 6.5L engines have a decal."
    >>> hit = Hit(Chunk("c", "tm.pdf", 14, ("Engine identification",), 0, len(quote), quote, "en"), 0.5)
    >>> asked = question_terms("What is the firing order of the 6.2L engine?")
    >>> off_subject("The firing order of the 6.2L engine is 1990 and above 6.2L.", asked, hit, quote)
    ['fire', 'order']
    >>> off_subject("The 6.2L engine has a decal.", asked, hit, quote)
    []
    """
    words = [t for t in asked if t.label.isalpha() and len(t.label) > 2]
    restated = [t for t in words if t.found(set(tokenize(text)))]
    named = set(tokenize(quote + " " + read_with(hit, quote))) | step_ordinals(quote)
    missing = [t.label for t in restated if not t.found(named)]
    return missing if missing and 2 * len(missing) >= len(restated) else []


def unnamed_row(text: str, quote: str) -> bool:
    """Whether a sentence gives values of a table row without naming the row: a cell means nothing
    without its row ("128.82" is the 5/8-18 screw's torque, not the 5/8-11's), so a sentence quoting
    a row names its label (`extract.row_key`: "5/8-18", "Piston Clearance - #7, 8"). Without a number
    too: "... the louver cover assembly is not ready if it cannot be opened" quoting the row "4 | Door
    Assemblies, Inner and Outer | ... Door cannot be opened" says of one item what the manual says of
    another.

    >>> row = "5/8\\t18\\t95\\t128.82"
    >>> unnamed_row("The correct torque is 128.82 pound-feet.", row), unnamed_row("A 5/8-18 screw takes 128.82 newton meters.", row)
    (True, False)
    """
    rows = [line for line in quote.split("\n") if "\t" in line and row_label(line)]
    return bool(rows) and all(row_key(text, r) == 0 for r in rows)


def other_columns(text: str, asked: list[Term], hit: Hit, quote: str) -> list[str]:
    """The figures a sentence gives from the columns of a wide table row that the question does not
    name, where it names some (`extract.named_columns`): "... 1/2-13 SAE grade 5 capscrew is 52.88" took
    grade 1's newton-meters from the row of every grade. A figure the named columns or the row's label
    also hold is not one."""
    said = set(numbers_in(text))
    out: list[str] = []
    for line in quote.split("\n"):
        split = named_columns(asked, hit.chunk, line) if "\t" in line else None
        if split:
            kept = set(numbers_in(" ".join(split[0])))
            out += [n for n in numbers_in(" ".join(split[1])) if n in said and n not in kept]
    return list(dict.fromkeys(out))


def echoes(text: str, question_tokens: set[str]) -> bool:
    """Whether a sentence says nothing the question did not: every word and number of it is the
    question's ("The outer door will not stay open." for "The outer door will not stay open. What
    should I check first?"). An answer adds something; the manual's own words stand in.

    >>> q = set(tokenize("The outer door will not stay open. What should I check first?"))
    >>> echoes("The outer door will not stay open.", q), echoes("Install detent pin in the door stay channel.", q)
    (True, False)
    """
    mine = set(tokenize(text))
    return bool(mine) and mine <= question_tokens


def misanswers(text: str, question: str) -> str | None:
    """The value a sentence gives in answer to a question that asks for a kind of value (ANSWER_TYPES: an
    oil's grade, a torque, ...) where it restates the question and holds no value of that kind: "The HP-3
    takes hydraulic oil up to 210 bar." for "What hydraulic oil does the HP-3 take?" reads as if 210 bar
    were the oil, each part quoted from the manual. None for a sentence that does not restate the
    question, that gives the kind asked for, or whose other values are each named by their quantity
    ("The accumulator pre-charge pressure is stated for a gas temperature of 20 °C.": a condition).

    >>> misanswers("The HP-3 takes hydraulic oil up to 210 bar.", "What hydraulic oil does the HP-3 take?")
    '210 bar'
    >>> misanswers("The HP-3 takes hydraulic oil ISO VG 46 up to 210 bar.", "What hydraulic oil does the HP-3 take?") is None
    True
    >>> q = "What is the accumulator pre-charge pressure?"
    >>> misanswers("The accumulator pre-charge pressure is stated for a gas temperature of 20 °C.", q) is None
    True
    """
    kinds = [a for q, a in ANSWER_TYPES if q.search(question)]
    if not kinds or any(a.search(text) for a in kinds):
        return None
    asked = set(tokenize(question))
    if not asked or not asked <= set(tokenize(text)):
        return None
    for value, before, unit in _values(text):  # a value its own quantity names is a condition ("for a gas temperature of 20 °C")
        if not (unit and any(q.search(before) and u.match(unit) for q, u in QUANTITY_UNITS)):
            return value
    return None


def word_support(text: str, source: str) -> float:
    """Share of the sentence's word tokens (two letters or more: not numbers, not units written
    "N·m") found in the source; 1.0 for a sentence of numbers only."""
    words = {t for t in tokenize(text) if _WORD.search(t) and not NUMBER_UNIT.fullmatch(t)}
    if not words:
        return 1.0
    return len(words & set(tokenize(source))) / len(words)


def support_windows(text: str, units: list[Unit], hit: Hit) -> list[tuple[float, int, int, str]]:
    """Runs of one or two consecutive units of the passage as (overlap, start, end, read): `read` is
    the run with what it is read with (`read_with`), on which the overlap is taken; best support
    first, a single unit preferred to a pair that supports the sentence no better."""
    usable = [u for u in units if not u.heading and not u.injected]
    chunk_text = hit.chunk.text
    out = []
    for i, u in enumerate(usable):
        for j in range(i, min(i + 2, len(usable))):
            s, e = u.start, usable[j].end
            if any(w.injected for w in units if s <= w.start < e):
                continue  # never quote across a planted instruction
            quote = chunk_text[s:e]
            read = quote + "\n" + read_with(hit, quote)
            out.append((overlap(text, read) - 0.01 * (j - i), s, e, read))
    return sorted(out, key=lambda x: (-x[0], x[2] - x[1]))


def verify_claim(text: str, cited: list[int], hits: list[Hit], units: list[list[Unit]], min_support: float = 0.6,
                 asked: list[Term] | None = None) -> Claim | Dropped:
    """Check one sentence; see the module doc. `units` are passage_units(hits); `asked`: the question's
    terms (question_terms), for the subject check (`off_subject`)."""
    valid = [n - 1 for n in dict.fromkeys(cited) if 1 <= n <= len(hits)]
    order = valid + [i for i in range(len(hits)) if i not in valid]  # cited passages first, then the rest
    reason = "no retrieved passage supports it"
    wrong = wrong_quantity(text)  # of the sentence alone: the same against every passage
    for i in order:
        chunk_text = hits[i].chunk.text
        for score, s, e, read in support_windows(text, units[i], hits[i]):
            if score < min_support:
                break
            if word_support(text, read) < 0.5:
                continue  # its numbers are there, but not what they are of ("cover ... 40 N·m" on a drain plug's row)
            if not grounded(text, chunk_text[s:e]):
                reason = "a number, unit, code or negation does not match the passage"
                continue
            if wrong:
                reason = f"it gives {wrong[1]} as a {wrong[0]}, which is not measured in that unit"
                continue
            if unnamed_row(text, chunk_text[s:e]):
                reason = "it gives a table row's values without naming the row"
                continue
            if asked and (other := other_columns(text, asked, hits[i], chunk_text[s:e])):
                reason = f"it gives {', '.join(other)} from a column of the table the question does not name"
                continue
            if asked and (off := off_subject(text, asked, hits[i], chunk_text[s:e])):
                reason = f"it says it of {', '.join(off)}, which the passage it quotes does not name"
                continue
            return Claim(text, i, s, e, round(score, 3))
    if cited and not valid:
        reason = f"cites passage {cited} that was not retrieved, and " + reason
    return Dropped(text, reason, tuple(valid))


def verify_combined(text: str, cited: list[int], hits: list[Hit], units: list[list[Unit]], min_support: float = 0.6) -> list[Claim] | None:
    """A sentence that joins facts of two or three passages it cites ("The operating pressure is 210
    bar and the pre-charge 90 bar [1][2]."), where no one passage holds it all: supported when the best
    unit (or two) of each cited passage holds part of it, together they hold its content words
    (`min_support`) and every number, unit, code and negation (`grounded` on their union), and each
    passage adds a word or number the others lack. One claim per passage, the same text: each quoted.
    None when it is not so supported."""
    valid = [n - 1 for n in dict.fromkeys(cited) if 1 <= n <= len(hits)]
    if not 2 <= len(valid) <= 3:
        return None
    parts = []
    for i in valid:
        windows = support_windows(text, units[i], hits[i])
        if not windows or windows[0][0] <= 0:
            return None
        _, s, e, read = windows[0]
        parts.append((i, s, e, hits[i].chunk.text[s:e], read))
    union = "\n".join(p[3] for p in parts)
    read = "\n".join(p[4] for p in parts)
    score = overlap(text, read)
    if score < min_support or word_support(text, read) < 0.5 or not grounded(text, union):
        return None
    if any(unnamed_row(text, p[3]) for p in parts):
        return None
    mine = set(tokenize(text))
    for k, part in enumerate(parts):
        others = set(tokenize(" ".join(p[3] for j, p in enumerate(parts) if j != k)))
        if not (mine & set(tokenize(part[3]))) - others:
            return None  # a passage cited for nothing the others do not say
    return [Claim(text, i, s, e, round(score, 3)) for i, s, e, *_ in parts]


_CODE_TOKEN = re.compile(r"[a-z].*\d|\d.*[a-z]")  # a lexical token with a letter and a digit: "hp-3", "6.5l", "s-250/g"


def titles_over(hit: Hit) -> list[str]:
    """What a passage sits under, nearest first: a table row's group and caption ("Cylinder Bore",
    "Table 2-3. General Repair Standards (6.5L)."), then its headings ("Table 1 – Technical data", ...,
    "HP-3 Hydraulic Power Unit — Maintenance Manual")."""
    out: list[str] = []
    for line in hit.chunk.text.split("\n"):
        place = row_place(hit.chunk, line)
        if place and place[0]:
            out += [p.strip() for p in reversed(place[0].split(" > "))]
    out += list(reversed(hit.chunk.section))
    return [t for t in dict.fromkeys(out) if t]


class Verifier:
    """Checks a reply sentence by sentence, in order, as it arrives. A sentence that only introduces
    what follows ("To apply a theme, follow these steps:") is shown only if the next one passes.

    `printed(chunk, title)`, where given, finds where a title over a passage is printed (the manual's
    title page, the table's caption line) as a passage of its own (a Hit spanning the line): a
    sentence restating a model name or code that the passage it cites does not hold but a title over
    it does ("The torque for the filter housing cover on the HP-3 is 25 N·m." of the row "Filter
    housing cover torque | 25 N·m" in the HP-3 manual's technical data) is checked against the passage
    and that line together (`verify_combined`), and cites both; `hits` then grows by that line."""

    def __init__(self, hits: list[Hit], min_support: float = 0.6, question: str = "",
                 printed: Callable[[Chunk, str], Hit | None] | None = None):
        self.hits, self.units, self.min_support = list(hits), passage_units(hits), min_support
        self.sent = len(hits)  # the passages the model read (and may cite); titles found are added after them
        self.printed = printed
        self.asked = question_terms(question) if question else None  # for the subject check
        self.question, self.question_tokens = question, set(tokenize(question))  # for the echo and answer-type checks
        self.claims: list[Claim] = []
        self.dropped: list[Dropped] = []
        self._intro: Claim | None = None

    def feed(self, text: str, cited: list[int]) -> list[Claim]:
        """The claims this sentence lets through (0, 1, or an intro held back plus this one; a sentence
        joining facts of several passages is one claim per passage, all of the same text)."""
        if echoes(text, self.question_tokens):
            r: Claim | Dropped | list[Claim] = Dropped(text, "it only restates the question")
        elif value := misanswers(text, self.question):
            r = Dropped(text, f"it answers the question with {value}, which is not the kind of value it asks for")
        else:
            r = verify_claim(text, cited, self.hits[: self.sent], self.units[: self.sent], self.min_support, self.asked)
            if isinstance(r, Dropped):
                r = (verify_combined(text, cited, self.hits[: self.sent], self.units[: self.sent], self.min_support)
                     or self._under_title(text, cited) or r)
        intro, self._intro = self._intro, None
        if isinstance(r, Dropped):
            self.dropped.append(r)
            if intro:
                self.dropped.append(Dropped(intro.text, "introduces a sentence that was dropped"))
            return []
        now = r if isinstance(r, list) else [r]
        out = [intro] if intro else []
        if len(now) == 1 and now[0].text.rstrip().endswith((":", "：")):
            self._intro = now[0]
            self.claims += out
            return out  # the intro itself waits for the next sentence
        self.claims += out + now
        return out + now

    def _under_title(self, text: str, cited: list[int]) -> list[Claim] | None:
        """The sentence checked against a cited passage and the printed line of a title over it that
        holds the numbers the passage lacks ("HP-3", "6.5L"), where `printed` finds one; None else."""
        if self.printed is None:
            return None
        valid = [n - 1 for n in dict.fromkeys(cited) if 1 <= n <= self.sent]
        said = set(tokenize(text))
        for i in valid + [i for i in range(self.sent) if i not in valid]:  # as verify_claim: the cited passages first
            # what the passage lacks must be model names or codes ("hp-3", "6.5l"), every lacking number
            # a part of one: a bare number ("In step 1, ...") is no name a title could vouch for
            codes = {t for t in said - set(tokenize(self.hits[i].chunk.text)) if _CODE_TOKEN.search(t)}
            lacking = unsupported_numbers(text, [self.hits[i].chunk.text])
            if not codes or not lacking or not all(any(n in c for c in codes) for n in lacking):
                continue
            for title in titles_over(self.hits[i]):
                if not codes <= set(tokenize(title)):
                    continue  # the title does not name them
                line = self.printed(self.hits[i].chunk, title)
                if line is None:
                    continue
                self.hits.append(line)
                self.units.append(passage_units([line])[0])
                if r := verify_combined(text, [i + 1, len(self.hits)], self.hits, self.units, self.min_support):
                    return r
                self.hits.pop()
                self.units.pop()
        return None

    def close(self) -> list[Claim]:
        if self._intro:
            self.dropped.append(Dropped(self._intro.text, "introduces nothing"))
            self._intro = None
        return []


def verify_reply(raw: str, hits: list[Hit], min_support: float = 0.6, question: str = "",
                 printed: Callable[[Chunk, str], Hit | None] | None = None) -> Verifier:
    """The whole reply checked sentence by sentence: the Verifier, holding what passed (`claims`,
    indexing into its `hits`: the passages, then any title lines found) and what did not (`dropped`)."""
    v = Verifier(hits, min_support, question, printed)
    for text, cited in split_claims(raw):
        v.feed(text, cited)
    v.close()
    return v
