"""From items to procedure structure: step runs (a numbered sequence, or a bullet list standing in for
one), tool lists (a "Tools required: a; b; c." line, or the list under a "Tools and parts" heading),
and the values a step depends on (25 N·m, 0 bar, 12 L).

>>> [len(r.steps) for r in step_runs(items)]                   # doctest: +SKIP
[14, 13, 13]
>>> specs_in("Tighten the cover to 25 N·m.")
[('Tighten the cover to', '25', 'N·m', 21, 28)]
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from .items import Item, is_tools_heading
from .source import DocText


@dataclass
class Run:
    """One sequence of steps: indexes into the item list, in source order."""

    steps: list[int]
    numbered: bool

    @property
    def first(self) -> int:
        return self.steps[0]

    @property
    def last(self) -> int:
        return self.steps[-1]


def step_runs(items: list[Item]) -> list[Run]:
    """Numbered runs (each number one more than the last; a restart opens a new run), then bullet runs
    (consecutive bullets of one section that are not tools and not inside a numbered run)."""
    runs: list[Run] = []
    prev: Item | None = None
    for i, it in enumerate(items):
        if it.kind != "step":
            continue
        if runs and prev is not None and it.number == prev.number + 1:
            runs[-1].steps.append(i)
        else:
            runs.append(Run([i], True))
        prev = it
    inside = {j for r in runs for j in range(r.first, r.last + 1)}
    tools = {j for tl in tool_lists_items(items) for j in tl}
    bullet_runs: list[Run] = []
    for i, it in enumerate(items):
        if it.kind != "bullet" or i in inside or i in tools:
            continue
        if bullet_runs and items[bullet_runs[-1].last].node == it.node and not any(
                items[j].kind in ("step", "tools") for j in range(bullet_runs[-1].last + 1, i)):
            bullet_runs[-1].steps.append(i)
        else:
            bullet_runs.append(Run([i], False))
    return sorted(runs + bullet_runs, key=lambda r: r.first)


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


def tool_spans(doc: DocText, items: list[Item], lo: int, hi: int) -> list[ToolSpan]:
    """Every tool listed between text positions lo and hi, in source order."""
    out: list[ToolSpan] = []
    claimed = tool_lists_items(items)
    opener = [k for k, it in enumerate(items) if it.kind == "tools"]
    tool_nodes = {k for k, h in enumerate(doc.headings) if is_tools_heading(h.path[-1])}
    under_tools_heading = {j for j, it in enumerate(items) if it.node in tool_nodes and it.kind in ("bullet", "para")}
    taken = set(under_tools_heading)
    for k, idx in zip(opener, claimed):
        if lo <= items[k].start < hi:
            it = items[k]
            if doc.text[it.body:it.end].strip():
                out += _split_list(doc, it.body, it.end)
            taken.update(idx)
    for j in sorted(taken):
        it = items[j]
        if lo <= it.start < hi and it.kind in ("bullet", "para"):
            out += _split_list(doc, it.body, it.end)
    return sorted(set(out), key=lambda s: s.start)


def _split_list(doc: DocText, a: int, b: int) -> list[ToolSpan]:
    """One list entry, or several: "a; b; c", "a、b、c", or short lines of an unbulleted list."""
    text = doc.text[a:b]
    if ";" in text or "；" in text or "、" in text:
        seps = r"[;；、]"
    elif "\n" in text and all(len(x.strip()) <= 60 for x in text.split("\n")):
        seps = r"\n"
    elif "," in text and not re.search(r"\(.*,.*\)|part\s*no|备件号", text, re.IGNORECASE) and len(text) > 60:
        seps = r",\s+(?:and\s+)?|\s+and\s+"
    else:
        seps = None
    pieces = [(0, len(text))] if seps is None else _pieces(text, seps)
    out = []
    for s, e in pieces:
        while s < e and (text[s].isspace() or text[s] in "•·-*–"):
            s += 1
        while e > s and (text[e - 1].isspace() or text[e - 1] in ".;；。,，"):
            e -= 1
        if e - s >= 2:
            out.append(ToolSpan(a + s, a + e))
    return out


def _pieces(text: str, seps: str) -> list[tuple[int, int]]:
    out, pos = [], 0
    for m in re.finditer(seps, text):
        out.append((pos, m.start()))
        pos = m.end()
    out.append((pos, len(text)))
    return out


_PART_NO = re.compile(r"(?:part\s*(?:no\.?|number|#)|p/n|备件号|零件号|订货号)\s*[:：.]?\s*([A-Z0-9][A-Z0-9\-./]{2,})", re.IGNORECASE)
_QTY = re.compile(r"^(?:approx\.\s*)?(\d+(?:[.,]\d+)?\s*(?:x|×|pcs?\.?|L|l|ml|kg|g|m)?)\s+(?=\D)|[，,]?\s*(?:approx\.|约)\s*(\d+(?:[.,]\d+)?\s*(?:L|l|ml|kg|g|pcs?)?)")
_CONSUMABLE = re.compile(r"\b(?:oil|grease|cloths?|rags?|wipes?|threadlocker|sealant|adhesive|spray|pads?|solder|tape|cleaner|solvent|lubricant)\b|油|脂|抹布|胶", re.IGNORECASE)
_PART_WORDS = re.compile(r"\b(?:o-ring|gasket|seal|sealing ring|element|spider|hub|bearing|filter|fuse|belt|pad|bulb|battery|spring)s?\b|滤芯|密封圈|O\s*形圈", re.IGNORECASE)


def describe_tool(name: str) -> tuple[str, str | None, str | None]:
    """(kind, part number, quantity) of a tools-list entry.

    >>> describe_tool("2 copper sealing rings 24 × 30 mm, part no. SR-2430-CU")
    ('part', 'SR-2430-CU', '2')
    """
    pn = _PART_NO.search(name)
    q = _QTY.search(name)
    qty = (q.group(1) or q.group(2)).strip() if q else None
    if _CONSUMABLE.search(name) and not pn:
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
    r"caliper|feeler gauge|gauge|puller|crimper|wire strippers?|drill|bit|driver|suction cup|guitar pick|iopener|flashlight|brush))\b",
    re.IGNORECASE)
_DROP_LEAD = re.compile(r"^(?:(?:the|a|an|your|with|using|use|of|and|or|to|from|by|into|onto|on|in|#?\d+)\s+)+", re.IGNORECASE)


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


_UNIT = (r"N·m|N\.m|Nm|N-m|ft[·.\-]?lbs?|in[·.\-]?lbs?|lbf·ft|kgf·m|MPa|kPa|bar|psi|mbar|Pa|°C|℃|°F|K|mm/s|mm²|mm|cm|µm|μm|m|"
         r"km|mL|ml|L|l|kg|g|t|kW|W|kVA|kV|V|mA|A|Hz|kHz|rpm|min⁻¹|r/min|µΩ|mΩ|MΩ|kΩ|Ω|ms|s|sec|min|h|hours?|minutes?|seconds?|%|ppm|"
         r"in\.?|inch(?:es)?|ft|oz|lb|gal|qt|dB|lux|小时|分钟|秒|升|毫米|牛·米|牛米")
SPEC_RE = re.compile(
    rf"(?<![\w.])((?:[±<>≤≥~]|max\.?\s*|min\.?\s*)?\d+(?:[.,]\d+)?(?:\s*(?:[–\-~～]|to|±)\s*\d+(?:[.,]\d+)?)?)\s*({_UNIT})(?![A-Za-z0-9])")


def specs_in(text: str) -> list[tuple[str, str, str, int, int]]:
    """(name, value, unit, start, end) of each value with a unit in `text`; the name is the words
    before the value in the same clause."""
    out = []
    for m in SPEC_RE.finditer(text):
        clause_start = max(text.rfind(ch, 0, m.start()) for ch in ".;:,(。；：，（\n") + 1
        words = text[clause_start:m.start()].split()
        name = " ".join(words[-6:]).strip(" ,(") or m.group(2)
        out.append((name, m.group(1).strip(), m.group(2), m.start(), m.end()))
    return out
