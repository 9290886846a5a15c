"""From items to procedure structure: step runs (a numbered sequence, or a bullet list standing in for
one), tool lists (a "Tools required: a; b; c." line, or the list under a "Tools and parts" heading),
and the values a step depends on (25 N·m, 0 bar, 12 L).

    [len(r.steps) for r in step_runs(items)]                   # needs a document from an indexed library
    # -> [14, 13, 13]
>>> specs_in("Tighten the cover to 25 N·m with the 27 mm ring spanner.")
[('Tighten the cover', '25', 'N·m', 21, 27)]
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from ..textrules import NUMBER, UNIT
from .items import Item, is_tools_heading
from .source import DocText


@dataclass
class Run:
    """One sequence of steps: indexes into the item list, in source order."""

    steps: list[int]
    numbered: bool
    implied: bool = False  # made of instruction sentences found in running text

    @property
    def first(self) -> int:
        return self.steps[0]

    @property
    def last(self) -> int:
        return self.steps[-1]


_LETTERED = re.compile(r"^[（(]? ?[a-z] ?[)）.]?$")  # "(a)", "(c )", "a.", "b)": a lettered marker (a PDF may space it)


def sub_procedures(items: list[Item], run: Run) -> list[tuple[int, list[int]]]:
    """The numbered steps of a run that each hold a procedure of their own, lettered ("(1) Weather Gasket
    Pressure Adjustment. ... proceed as follows" over "(a)" to "(f)"): (the step, its sub-steps) for each
    step with two or more sub-steps, when the run has more than one numbered step."""
    groups: list[tuple[int, list[int]]] = []
    for i in run.steps:
        if _LETTERED.match(items[i].label):
            if groups:
                groups[-1][1].append(i)
        else:
            groups.append((i, []))
    return [g for g in groups if len(g[1]) >= 2] if len(groups) > 1 else []


def step_runs(items: list[Item], tool_nodes: set[int] = frozenset(), intros: set[int] = frozenset()) -> list[Run]:
    """Numbered runs (each number one more than the last, or two where the manual skipped one; a restart
    opens a new run), then bullet runs
    (consecutive bullets of one section that are not tools and not inside a numbered run; a paragraph
    that introduces a list, "To disable Easy mode:", starts a new one).
    `tool_nodes`: sections whose heading says they list tools; `intros`: indexes of introducing paragraphs."""
    runs: list[Run] = []
    prev: Item | None = None
    prev_i = -1  # its index
    sub: Item | None = None  # the last lettered sub-step under `prev`
    for i, it in enumerate(items):
        if it.kind != "step":
            continue
        if runs and prev is not None and _LETTERED.match(it.label) and it.node == prev.node and it.number == (sub.number + 1 if sub else 1):
            runs[-1].steps.append(i)  # "(a)", "(b)" under step "(1)": sub-steps, in the run of their step
            sub = it
            continue
        if runs and prev is not None and (it.number == prev.number + 1 or _skipped(items, prev_i, i)):
            runs[-1].steps.append(i)
        else:
            runs.append(Run([i], True))
        prev, prev_i, sub = it, i, None
    inside = {j for r in runs for j in range(r.first, r.last + 1)}
    tools = {j for tl in tool_lists_items(items) for j in tl}
    bullet_runs: list[Run] = []
    for i, it in enumerate(items):
        if it.kind != "bullet" or i in inside or i in tools or it.node in tool_nodes:
            continue
        if bullet_runs and items[bullet_runs[-1].last].node == it.node and not any(
                items[j].kind in ("step", "tools") or j in intros for j in range(bullet_runs[-1].last + 1, i)):
            bullet_runs[-1].steps.append(i)
            bullet_runs[-1].implied &= it.implied
        else:
            bullet_runs.append(Run([i], False, it.implied))
    return sorted(runs + bullet_runs, key=lambda r: r.first)


def _skipped(items: list[Item], a: int, b: int) -> bool:
    """Step `b` comes right after step `a` (a warning between at most) in the same section, numbered two
    more: a number the manual skipped ("(3) Position ..." then "(5) Apply ..." in TM 10-5411-205-13's
    outer door installation), not a new procedure, which starts at 1."""
    return (items[b].number == items[a].number + 2 and items[b].node == items[a].node and _shape(items[b].label) == _shape(items[a].label)
            and all(items[j].kind == "warning" for j in range(a + 1, b)))


def _shape(label: str) -> str:
    """A step marker without its number: "(3)" and "(5)" are written alike, "3." and "(5)" are not."""
    return re.sub(r"\d+", "#", label.replace(" ", ""))


def tool_nodes(doc: DocText, items: list[Item]) -> set[int]:
    """Sections that list tools: a "Tools and parts" / "工具和备件" heading over short entries
    (a user manual's "Tools" chapter of sentences is a feature, not a list)."""
    out = set()
    for k, h in enumerate(doc.headings):
        if not is_tools_heading(h.path[-1]):
            continue
        entries = [doc.text[it.body:it.end].strip() for it in items if it.node == k and it.kind in ("bullet", "para")]
        short = [e for e in entries if len(e) <= 100 and not re.search(r"[.。]$", e)]
        if len(short) >= 0.6 * len(entries):
            out.add(k)
    return out


def tool_lists_items(items: list[Item]) -> list[list[int]]:
    """Item indexes claimed by a "Tools ..." opener line: the bullets and lines right after it."""
    out = []
    for i, it in enumerate(items):
        if it.kind != "tools":
            continue
        claimed = []
        for j in range(i + 1, len(items)):
            nxt = items[j]
            if nxt.node != it.node or nxt.kind not in ("bullet", "para") or (nxt.kind == "para" and claimed and items[claimed[-1]].kind == "bullet"):
                break
            claimed.append(j)
        out.append(claimed)
    return out


@dataclass(frozen=True)
class ToolSpan:
    start: int  # span of one tool's text in DocText.text
    end: int
    parts: bool = False  # listed under "Parts" / "Spare parts" / "备件" alone: parts, not tools


_PARTS_ONLY = re.compile(r"^\W*(?:\d+(?:\.\d+)*\.?\s*)?(?:spare\s+)?(?:parts|备件|零件)(?:\s+(?:required|needed|list))?\W*$", re.IGNORECASE)


def tool_spans(doc: DocText, items: list[Item], lo: int, hi: int, listing: set[int]) -> list[ToolSpan]:
    """Every tool listed between text positions lo and hi, in source order (`listing`: tool_nodes())."""
    out: list[ToolSpan] = []
    claimed = tool_lists_items(items)
    opener = [k for k, it in enumerate(items) if it.kind == "tools"]
    under_tools_heading = {j for j, it in enumerate(items) if it.node in listing and it.kind in ("bullet", "para")}
    taken = set(under_tools_heading)
    parts_only = {j for j in under_tools_heading if _PARTS_ONLY.match(doc.headings[items[j].node].path[-1])}
    for k, idx in zip(opener, claimed):
        if lo <= items[k].start < hi:
            it = items[k]
            only = bool(_PARTS_ONLY.match(it.label))
            if doc.text[it.body:it.end].strip():
                out += _split_list(doc, it.body, it.end, True, only)
            taken.update(idx)
            parts_only.update(idx if only else ())
    for j in sorted(taken):
        it = items[j]
        if lo <= it.start < hi and it.kind in ("bullet", "para"):
            out += _split_list(doc, it.body, it.end, False, j in parts_only)
    return sorted(set(out), key=lambda s: s.start)


_TABLE_HEADER = re.compile(r"^\s*(?:tools?|items?|description|name|parts?|qty|quantity|no\.?|#|工具|名称|备件|序号|---+)\s*$", re.IGNORECASE)


def _split_list(doc: DocText, a: int, b: int, inline: bool, parts: bool = False) -> list[ToolSpan]:
    """Entries of one list item: "a; b; c" or "a、b、c"; short lines of an unbulleted list; and in an
    inline list ("Tools: a, b and c") the commas outside parentheses. A bullet is one entry however
    many commas it has ("drain pan, at least 3 L")."""
    text = doc.text[a:b]
    if "|" in text or "\t" in text:  # a table row: the first cell names the item; a header row names none
        cell = re.match(r"\s*\|?\s*([^|\t]+)", text)
        if not cell or _TABLE_HEADER.match(cell.group(1)):
            return []
        return [ToolSpan(a + cell.start(1), a + cell.start(1) + len(cell.group(1).rstrip()), parts)]
    if ";" in text or "；" in text or "、" in text:
        pieces = _pieces(text, r"[;；、]")
    elif "\n" in text and all(len(x.strip()) <= 60 for x in text.split("\n")):
        pieces = _pieces(text, r"\n")
    elif inline and ("," in text or "，" in text):
        pieces = _pieces(text, r"[,，]\s*(?:and\s+|or\s+)?(?![^(（]*[)）])")
    else:
        pieces = [(0, len(text))]
    out = []
    for s, e in pieces:
        while s < e and (text[s].isspace() or text[s] in "•·-*–"):
            s += 1
        while e > s and (text[e - 1].isspace() or text[e - 1] in ".;；。,，"):
            e -= 1
        if e - s >= 2:
            out.append(ToolSpan(a + s, a + e, parts))
    return out


def _pieces(text: str, seps: str) -> list[tuple[int, int]]:
    out, pos = [], 0
    for m in re.finditer(seps, text):
        out.append((pos, m.start()))
        pos = m.end()
    out.append((pos, len(text)))
    return out


_PART_NO = re.compile(r"(?:part\s*(?:no\.?|number|#)|p/n|备件号|零件号|订货号)\s*[:：.]?\s*([A-Z0-9][A-Z0-9\-./]{2,})", re.IGNORECASE)
_QTY = re.compile(rf"^({NUMBER}\s*(?:x|×|pcs?\.?|L|l|ml|mL|kg|g)(?=\s)|\d+(?=\s+(?!(?:mm|cm|m|µm|in|ft|mm²)\b)[a-z]))"
                  rf"|(?:approx\.|about|约)\s*({NUMBER}\s*(?:L|l|ml|mL|kg|g|pcs?)?)")
_QTY_TAIL = re.compile(r"[(（]\s*(\d+(?:\s*(?:x|×|pcs?\.?|sets?|pairs?|个|套|件))?)\s*[)）]\s*$")
_CONSUMABLE = re.compile(r"\b(?:oil|grease|cloths?|rags?|wipes?|threadlocker|sealant|adhesive|spray|pads?|solder|tape|cleaner|solvent|lubricant)\b|液压油|润滑油|齿轮油|润滑脂|抹布|密封胶|螺纹胶", re.IGNORECASE)
# Personal protective equipment: worn, not used on the machine.
PPE_RE = re.compile(
    r"\b(?:(?:safety|protective|heat[- ]resistant|chemical[- ]resistant|nitrile|rubber|leather|insulat(?:ed|ing)|cut[- ]resistant|work)\s+)?"
    r"(?:gloves?|goggles|safety\s+(?:glasses|spectacles|shoes|boots|helmet|footwear)|protective\s+(?:glasses|eyewear|clothing|footwear)|"
    r"eye\s+protection|face\s+(?:shield|visor|mask)|visor|hearing\s+protection|ear\s*(?:plugs|defenders|muffs|protectors)|"
    r"respirator|dust\s+mask|(?:hard\s+hat|helmet)|hi-?vis(?:ibility)?\s+\w+|high-visibility\s+\w+|overalls|coveralls?|apron)\b"
    r"|手套|护目镜|防护眼镜|安全眼镜|面罩|防护面屏|耳塞|耳罩|护耳器|听力防护|防护服|安全鞋|劳保鞋|安全帽|防尘口罩|呼吸器|围裙",
    re.IGNORECASE)
_PART_WORDS = re.compile(r"\b(?:o-ring|gasket|seal|sealing ring|element|spider|hub|bearing|filter|fuse|belt|pad|bulb|battery|spring)s?\b|滤芯|密封圈|O\s*形圈", re.IGNORECASE)


def is_ppe(name: str) -> bool:
    """Whether a tools-list entry is protective equipment only ("nitrile gloves and safety glasses",
    "丁腈手套和护目镜"), not a tool that merely mentions it."""
    rest = PPE_RE.sub(" ", name)
    return bool(PPE_RE.search(name)) and not re.search(r"[A-Za-z\u4e00-\u9fff]{2,}", re.sub(
        r"\b(?:and|or|with|a|an|the|pair|pairs|of|set|for|each|technician|person|per)\b|[和及与、，,;；()（）\d\s]+|副|双|套|个|每人|各|丁腈|耐热|隔热|防割|绝缘|橡胶|皮质?|劳保|防护|防化|耐油",
        " ", rest, flags=re.IGNORECASE))


def describe_tool(name: str) -> tuple[str, str | None, str | None]:
    """(kind, part number, quantity) of a tools-list entry.

    >>> describe_tool("2 copper sealing rings 24 × 30 mm, part no. SR-2430-CU")
    ('part', 'SR-2430-CU', '2')
    >>> describe_tool("heat-resistant gloves and safety glasses")[0], describe_tool("丁腈手套和护目镜")[0]
    ('ppe', 'ppe')
    """
    pn = _PART_NO.search(name)
    q = _QTY.search(name) or _QTY_TAIL.search(name)
    qty = next(g for g in q.groups() if g).strip() if q else None
    if is_ppe(name) and not pn:
        kind = "ppe"
    elif _CONSUMABLE.search(name) and not pn:
        kind = "consumable"
    elif pn or (_PART_WORDS.search(name) and qty is not None and not re.search(r"wrench|key|spanner|driver|plier", name, re.I)):
        kind = "part"
    else:
        kind = "tool"
    return kind, pn.group(1).rstrip(".") if pn else None, qty


# Tools a step names when the manual gives no list: "with the 27 mm ring spanner".
TOOL_NOUNS = re.compile(
    r"\b((?:[A-Za-z0-9#.×-]+\s+){0,3}(?:screwdriver|wrench|spanner|pliers|spudger|hex key|allen key|socket|ratchet|hammer|mallet|"
    r"multimeter|torque wrench|opening tool|tweezers|soldering iron|soldering station|heat gun|pry tool|prying tool|knife|scissors|"
    r"caliper|feeler gauge|puller|crimper|wire strippers?|drill|nut driver|suction cup|guitar pick|iopener))\b",
    re.IGNORECASE)
_DROP_LEAD = re.compile(r"^(?:(?:the|a|an|your|with|using|use|of|and|or|to|from|by|into|onto|on|in)\s+)+", re.IGNORECASE)


def tools_mentioned(text: str) -> list[tuple[int, int]]:
    """Spans of tool names a step mentions (used only when the manual has no tools list)."""
    out = []
    for m in TOOL_NOUNS.finditer(text):
        s, e = m.span(1)
        lead = _DROP_LEAD.match(text[s:e])
        if lead:
            s += lead.end()
        out.append((s, e))
    return out


SPEC_RE = re.compile(
    rf"(?<![\w.\-/])((?:[±<>≤≥~]|max\.?\s*|min\.?\s*)?{NUMBER}(?:\s*(?:[–\-~～]|to|±)\s*{NUMBER})?)\s*({UNIT})(?![A-Za-z0-9])")


# A value that names a size of the thing after it ("27 mm ring spanner", "25 µm strainer", "24 mm 套筒扳手")
# is part of that thing's name, not a value the step depends on.
_ATTRIBUTIVE = re.compile(r"\s*(?:[-–]\s*)?(?!(?:and|or|to|of|for|at|in|on|by|with|so|until|before|after|then|is|are|was|be|per|each|"
                          r"from|into|above|below|max|min|maximum|minimum|approx|than|when|if|while|as|or|nominal|rated)\b)[a-z]{3,}\b"
                          r"|\s*(?!以下|以上|以内|之内|之间|左右|内|后|前|时|为止|的)[\u4e00-\u9fff]", re.IGNORECASE)
# Words that leave a name dangling ("with the", "tighten it to"), and words that join two clauses.
_TRAIL = re.compile(r"(?:(?:\s+|^)(?:the|a|an|to|of|with|by|in|on|into|onto|for|at|is|are|be|was|set|reads?|and|or|then)|为|是)\s*$",
                    re.IGNORECASE)
_LEAD = re.compile(r"^(?:(?:and|or|then|but|so|also|the|a|an)\s+)+", re.IGNORECASE)


def spec_name(before: str) -> str:
    """What a value is of, from the words before it in its clause: "the oil drain for at least" ->
    "let the oil drain for at least"; "then tighten it to" -> "tighten it"; "拧紧力矩为" -> "拧紧力矩".

    >>> spec_name("Unscrew the plug and let the oil drain for at least"), spec_name("then tighten it to"), spec_name("拧紧力矩为")
    ('let the oil drain for at least', 'tighten it', '拧紧力矩')
    """
    t = re.sub(r"[(（][^)）]*[)）]|[(（][^)）]*$", " ", before)  # asides and an aside the value opens: "(max."
    t = re.split(r"[.;:,。；：，!?！？\n]\s*|\s+(?:and|then|but|so that|while)\s+", t)[-1]
    t = re.sub(r"(?<=[\u4e00-\u9fff])\s+(?=[\u4e00-\u9fff])", "", " ".join(t.split()))
    for _ in range(4):
        t2 = _TRAIL.sub("", t).strip()
        if t2 == t:
            break
        t = t2
    t = _LEAD.sub("", t).strip()
    words = t.split()
    return " ".join(words[-7:]) if len(words) > 7 else t


def specs_in(text: str) -> list[tuple[str, str, str, int, int]]:
    """(name, value, unit, start, end) of each value with a unit in `text` that the step depends on
    (a size that is part of a tool's name, "27 mm ring spanner", is not one); the name says what the
    value is of, from the words before it in the same clause (spec_name), else the unit."""
    out = []
    for m in SPEC_RE.finditer(text):
        if _ATTRIBUTIVE.match(text, m.end()):
            continue
        name = spec_name(text[:m.start()]) or m.group(2)
        out.append((name, m.group(1).strip(), m.group(2), m.start(), m.end()))
    return out
