"""Read a reassembled document as a sequence of items: numbered steps, bullets, warnings, tool-list
openers and paragraphs, each a span of `DocText.text` in source order. Numbered procedures written
inline in running text ("To turn it on: 1. Press and hold ... 2. Select ...") become steps too.

>>> [(i.kind, i.number) for i in read_items(doc)][:3]          # doctest: +SKIP
[('para', None), ('step', 1), ('step', 2)]
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from ..ingest.lines import LIST_RE, WARNING_RE
from .source import DocText

_ZH_NUM = {c: i for i, c in enumerate("一二三四五六七八九十", start=1)}
# Markers that start a numbered step at the start of a line: "1." "2)" "（3）" "4、" "第5步" "Step 6:" "⑦".
STEP_RE = re.compile(
    r"^\s*(?:(\d{1,3})[.)．](?![\d.])\s*|[（(](\d{1,3})[)）]\s*|(\d{1,3})、\s*|第\s*([一二三四五六七八九十\d]{1,3})\s*步[：:、.．\s]*"
    r"|step\s+(\d{1,3})\s*[:.)\-–]?\s*|([\u2460-\u2473])\s*)", re.IGNORECASE)
# "1 Remove the ..." (number, space, capital): weaker, a wrapped line can start like that too.
WEAK_STEP_RE = re.compile(r"^\s*(\d{1,3})\s+(?=[A-Z\u4e00-\u9fff])")
BULLET_RE = re.compile(r"^\s*(?:[•·▪◦●■□➢►▶✓\-*–—]\s*|[a-z][.)]\s+)")
# A signal word opens a safety note only when written as one: upper case, or followed by ":" or "!".
SIGNAL_RE = re.compile(r"^\W{0,3}\s*(DANGER|WARNING|CAUTION|NOTICE|NOTE|IMPORTANT)\b\s*[:：!.\-–—]?"
                       r"|^\W{0,3}\s*(danger|warning|caution|notice|note|important)\s*[:：!]", re.IGNORECASE)
SIGNAL_ZH_RE = re.compile(r"^\W{0,3}\s*(危险|警告|小心|注意|提示|重要)\s*(?:[:：!！]|$)")
LEVELS = {"danger": "danger", "warning": "warning", "caution": "caution", "notice": "note", "note": "note", "important": "note",
          "危险": "danger", "警告": "warning", "小心": "caution", "注意": "caution", "提示": "note", "重要": "note"}
_TOOL_WORDS = (r"(?:special\s+|required\s+|necessary\s+)?(?:tools?|equipment|materials?|parts|spare\s+parts|consumables|supplies)"
               r"(?:\s*(?:,|and|&|/)\s*(?:tools?|equipment|materials?|parts|spare\s+parts|consumables|supplies))*"
               r"(?:\s+(?:required|needed|list))?")
TOOLS_RE = re.compile(rf"^\W{{0,3}}\s*(?:{_TOOL_WORDS}|(?:what\s+)?you(?:'ll|\s+will)?\s+need)\s*(?:[:：]|$)", re.IGNORECASE)
TOOLS_ZH_RE = re.compile(r"^\W{0,3}\s*(?:所需|需要的|必备)?(?:专用)?(?:工具|备件|材料|器材|工装)(?:[和及与、/]?(?:工具|备件|材料|零件|耗材|器材))*(?:清单|列表)?\s*(?:[:：]|$)")
# Steps written inline: "... 1. Press and hold ... 2. Select ..." (a capital or a Chinese character follows).
INLINE_RE = re.compile(r"(?:(?<=^)|(?<=[\s:：。；;,，]))(?:(\d{1,2})[.)．]\s+(?=[A-Z\"“‘(])|(\d{1,2})[.)、．]\s*(?=[\u4e00-\u9fff])"
                       r"|[（(](\d{1,2})[)）]\s*(?=[A-Za-z\u4e00-\u9fff])|第([一二三四五六七八九十\d]{1,3})步[：:，,]?\s*|([\u2460-\u2473])\s*)")

# "see step 4. Then ...", "Figure 2. Pump": a number that refers to something, not a step marker
_REFERENCE = re.compile(r"\b(?:steps?|section|sect|fig|figure|table|page|p|no|chapter|item|para|paragraph|and|or|to|see)\.?\s*$", re.IGNORECASE)


@dataclass
class Item:
    kind: str  # "step" | "bullet" | "warning" | "tools" | "para"
    start: int  # span in DocText.text, marker included
    end: int
    body: int  # where the text after the marker starts
    node: int  # index into DocText.headings of the section it sits in; -1 before the first heading
    number: int | None = None
    label: str = ""  # the marker or signal word as written
    level: str | None = None  # for warnings


def _number(groups) -> int | None:
    for g in groups:
        if g:
            if g.isdigit():
                return int(g)
            if len(g) == 1 and "\u2460" <= g <= "\u2473":
                return ord(g) - 0x2460 + 1
            return _zh_int(g)
    return None


def _zh_int(s: str) -> int | None:
    if s.isdigit():
        return int(s)
    if s == "十":
        return 10
    if s.startswith("十"):
        return 10 + _ZH_NUM.get(s[1:], 0)
    if len(s) == 2 and s.endswith("十"):
        return 10 * _ZH_NUM.get(s[0], 0)
    if len(s) == 3 and s[1] == "十":
        return 10 * _ZH_NUM.get(s[0], 0) + _ZH_NUM.get(s[2], 0)
    return _ZH_NUM.get(s)


def signal(text: str) -> str | None:
    """The safety level a line opens with, if it opens a warning, caution, danger or note."""
    if not WARNING_RE.match(text):
        return None
    m = SIGNAL_RE.match(text)
    if m:
        word = m.group(1) or m.group(2)
        if m.group(2) or word.isupper() or len(text.strip()) <= len(word) + 2:
            return LEVELS[word.lower()]
    m = SIGNAL_ZH_RE.match(text)
    return LEVELS[m.group(1)] if m else None


def is_tools_heading(text: str) -> bool:
    t = re.sub(r"^\s*(?:\d+(?:\.\d+)*\.?|[A-Z]\.)\s*", "", text)
    return bool(TOOLS_RE.match(t) or TOOLS_ZH_RE.match(t))


def read_items(doc: DocText) -> list[Item]:
    """The items of the document in source order. In DOCX and HTML every line is its own element;
    elsewhere (PDF, Markdown, text) a line without a marker continues the open item (wrapped text)."""
    one_per_line = doc.format in ("docx", "html")
    head_at = {h.line: (k, h.nlines) for k, h in enumerate(doc.headings)}
    items: list[Item] = []
    cur: Item | None = None
    node, last_num, li = -1, 0, 0
    width = _line_width(doc)
    while li < len(doc.lines):
        if li in head_at:
            node, n = head_at[li]
            cur = None
            li += n
            continue
        ln = doc.lines[li]
        li += 1
        t = doc.text[ln.start:ln.end]
        lvl = signal(t)
        m = STEP_RE.match(t)
        w = WEAK_STEP_RE.match(t)
        if lvl:
            cur = Item("warning", ln.start, ln.end, ln.start, node, level=lvl, label=t.split()[0].strip(":：!"))
        elif m and _number(m.groups()) is not None:
            last_num = _number(m.groups())
            cur = Item("step", ln.start, ln.end, ln.start + m.end(), node, last_num, m.group().strip())
        elif w and int(w.group(1)) in (1, last_num + 1) and _ends_paragraph(doc, li - 2, width):
            last_num = int(w.group(1))
            cur = Item("step", ln.start, ln.end, ln.start + w.end(), node, last_num, w.group(1))
        elif BULLET_RE.match(t) or (LIST_RE.match(t) and not w):
            b = BULLET_RE.match(t) or LIST_RE.match(t)
            cur = Item("bullet", ln.start, ln.end, ln.start + b.end(), node, label=b.group().strip())
        elif TOOLS_RE.match(t) or TOOLS_ZH_RE.match(t):
            mt = TOOLS_RE.match(t) or TOOLS_ZH_RE.match(t)
            cur = Item("tools", ln.start, ln.end, ln.start + mt.end(), node, label=mt.group().strip())
        elif cur is not None and (not one_per_line or (cur.kind == "warning" and cur.body >= cur.end - 2 - len(cur.label))):
            cur.end = ln.end  # wrapped line, or the text under a stand-alone "WARNING" label
            continue
        else:
            kinds = doc.chunks[ln.chunk].kinds
            kind = "bullet" if one_per_line and "list_item" in kinds and "paragraph" not in kinds else "para"
            cur = Item(kind, ln.start, ln.end, ln.start, node)
        items.append(cur)
    return _split_inline(doc, items)


def _line_width(doc: DocText) -> int:
    """A full line's length (90th percentile): shorter lines end a paragraph."""
    lengths = sorted(ln.end - ln.start for ln in doc.lines)
    return lengths[int(len(lengths) * 0.9)] if lengths else 80


def _ends_paragraph(doc: DocText, li: int, width: int) -> bool:
    """Whether line `li` ends what it says, so a "2 Remove ..." after it is a new step, not wrapped text."""
    if li < 0:
        return True
    t = doc.text[doc.lines[li].start:doc.lines[li].end].rstrip()
    return bool(re.search(r"[.!?:;)\]\"”。！？：；）]$", t)) or len(t) < 0.75 * width


def _split_inline(doc: DocText, items: list[Item]) -> list[Item]:
    """Paragraphs (and steps) that hold a numbered sequence in running text, split into its steps."""
    out: list[Item] = []
    for it in items:
        if it.kind not in ("para", "step", "bullet"):
            out.append(it)
            continue
        first = (it.number or 0) + 1 if it.kind == "step" else 1
        marks = _chain(doc.text, it.body, it.end, first)
        if not marks:
            out.append(it)
            continue
        head_end = marks[0][0]
        if doc.text[it.start:head_end].strip():
            out.append(Item(it.kind, it.start, _rstrip(doc.text, it.start, head_end), it.body, it.node, it.number, it.label))
        for k, (a, b, num) in enumerate(marks):
            end = marks[k + 1][0] if k + 1 < len(marks) else it.end
            out.append(Item("step", a, _rstrip(doc.text, a, end), b, it.node, num, doc.text[a:b].strip()))
    return out


def _chain(text: str, start: int, end: int, first: int) -> list[tuple[int, int, int]]:
    """Inline markers numbered first, first+1, ... (at least two when starting at 1)."""
    found = [(m.start() + start, m.end() + start, _number(m.groups())) for m in INLINE_RE.finditer(text[start:end])
             if not _REFERENCE.search(text[max(start, m.start() + start - 12):m.start() + start])]
    best: list[tuple[int, int, int]] = []
    for i, (a, b, n) in enumerate(found):
        if n != first:
            continue
        chain = [(a, b, n)]
        for a2, b2, n2 in found[i + 1:]:
            if n2 == chain[-1][2] + 1:
                chain.append((a2, b2, n2))
        if len(chain) > len(best):
            best = chain
    return best if len(best) >= (2 if first == 1 else 1) else []


def _rstrip(text: str, a: int, b: int) -> int:
    while b > a and text[b - 1].isspace():
        b -= 1
    return b
