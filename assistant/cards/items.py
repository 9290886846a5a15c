"""Read a reassembled document as a sequence of items: numbered steps, bullets, warnings, tool-list
openers and paragraphs, each a span of `DocText.text` in source order. Numbered procedures written
inline in running text ("To turn it on: 1. Press and hold ... 2. Select ...") become steps too.

    [(i.kind, i.number) for i in read_items(doc)][:3]          # needs a document from an indexed library
    # -> [('para', None), ('step', 1), ('step', 2)]
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from ..ingest.layout import CAPTION
from ..ingest.lines import WARNING_RE
from ..ingest.pdf import RUN_IN_PART, SUBTASK, lettered_title
from ..textrules import CLOSED, CONTINUED, NOT_A_CALLOUT, SET_APART_LETTER, SIGNAL_WORDS, signal_words, wrapped_callout
from .source import DocText

_ZH_NUM = {c: i for i, c in enumerate("一二三四五六七八九十", start=1)}
# Markers that start a numbered step at the start of a line: "1." "2)" "（3）" "4、" "第5步" "Step 6:" "⑦"
# (a PDF may space a parenthesis from its number: "(2 )"); not "(2), and three nuts (3) ...", a callout wrapped
# onto the start of a line.
STEP_RE = re.compile(
    r"^\s*(?:(\d{1,3})[.)．](?![\d.])\s*|[（(] ?(\d{1,3}) ?[)）]\s*|(\d{1,3})、\s*|第\s*([一二三四五六七八九十\d]{1,3})\s*步[：:、.．\s]*"
    rf"|step\s+(\d{{1,3}})\s*[:.)\-–]?\s*|([\u2460-\u2473])\s*){NOT_A_CALLOUT}", re.IGNORECASE)
# "3, Apply ...": a period the PDF's text layer gives as a comma; a step only where it continues the numbering
COMMA_STEP_RE = re.compile(r"^\s*(\d{1,3}),\s+(?=[A-Z])")
# "1 Remove the ..." (number, space, capital): weaker, a wrapped line can start like that too.
WEAK_STEP_RE = re.compile(r"^\s*(\d{1,3})\s+(?=[A-Z\u4e00-\u9fff])")
# "(a) Open the door ...", "(c ) Insert ...": a lettered sub-step on a line of its own (step_runs puts it
# in the run of the numbered step above it); letters a-h, as inline.INLINE_RE reads them in running text;
# "d\u3000Using ...", a letter whose parentheses the PDF drew (SET_APART_LETTER), to the end of the alphabet
LETTERED_RE = re.compile(rf"^\s*(?:[（(] ?([a-h]) ?[)）]\s*|(?={SET_APART_LETTER})([a-z])\u3000\s*)(?=[A-Za-z])")
BULLET_RE = re.compile(r"^\s*(?:[•·▪◦●■□➢►▶✓\-*–—]\s*|[a-z]\s?[.)]\s+)")  # "b . Remove": a PDF may space the letter
# A signal word opens a safety note only when written as one: upper case, or followed by ":" or "!".
SIGNAL_RE = re.compile(rf"^\W{{0,3}}\s*({signal_words(chinese=False)})\b\s*[:：!.\-–—]?"
                       rf"|^\W{{0,3}}\s*({signal_words(chinese=False)})\s*[:：!]", re.IGNORECASE)
SIGNAL_ZH_RE = re.compile(rf"^\W{{0,3}}\s*({signal_words(chinese=True)})\s*(?:[:：!！]|$)")
_TOOL_WORDS = (r"(?:special\s+|required\s+|necessary\s+)?(?:tools?|equipment|materials?|parts|spare\s+parts|consumables|supplies)"
               r"(?:\s*(?:,|and|&|/)\s*(?:tools?|equipment|materials?|parts|spare\s+parts|consumables|supplies))*"
               r"(?:\s+(?:required|needed|list))?")
TOOLS_RE = re.compile(rf"^\W{{0,3}}\s*(?:{_TOOL_WORDS}|(?:what\s+)?you(?:'ll|\s+will)?\s+need)\s*(?:[:：]|$)", re.IGNORECASE)
TOOLS_ZH_RE = re.compile(r"^\W{0,3}\s*(?:所需|需要的|必备)?(?:专用)?(?:工具|备件|材料|器材|工装)(?:[和及与、/]?(?:工具|备件|材料|零件|耗材|器材))*(?:清单|列表)?\s*(?:[:：]|$)")
CONTINUED_TITLE = re.compile(rf"^\s*\d{{1,3}}-\d{{1,3}}\.\s.{{0,80}}?{CONTINUED.pattern}", re.IGNORECASE)
TOC_RE = re.compile(r"(?:\.\s?){4,}\s*\d+\s*$|…{2,}\s*\d+\s*$")  # "3.1 Filter ........ 12": a contents line


@dataclass
class Item:
    kind: str  # "step" | "bullet" | "warning" | "tools" | "para" | "title" (a heading ingest did not mark)
    start: int  # span in DocText.text, marker included
    end: int
    body: int  # where the text after the marker starts
    node: int  # index into DocText.headings of the section it sits in; -1 before the first heading
    number: int | None = None
    label: str = ""  # the marker or signal word as written
    level: str | None = None  # for warnings
    implied: bool = False  # an instruction sentence in running text, not a list item of the manual


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
            return SIGNAL_WORDS[word.upper()]
    m = SIGNAL_ZH_RE.match(text)
    return SIGNAL_WORDS[m.group(1)] if m else None


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
        if TOC_RE.search(t) or doc.in_figure(li - 1) or CONTINUED_TITLE.match(t):
            # a contents line, a figure's caption and callouts ("1 Filter housing"), or a task's title
            # repeated on its next page ("3-21. Hinge Assembly (cont)."): no item, and the step above ends
            cur = None
            continue
        new, last_num = _open(doc, li - 1, t, node, last_num, width)
        if new is None and _title_before_list(doc, li - 1, width, t):
            new = Item("title", ln.start, ln.end, ln.start, node)
            if cur is not None and cur.end == doc.lines[li - 2].end and _title_first_line(doc, li - 2, cur, width):
                new.start = new.body = doc.lines[li - 2].start  # a title wrapped onto two lines: take its first line back
                cur.end = doc.lines[li - 3].end
        if new is None and CAPTION.match(t):  # a figure's or table's caption ends the step above it
            new = Item("para", ln.start, ln.end, ln.start, node)
        if new is None and cur is not None and t.startswith("|") and not doc.text[cur.start:cur.end].startswith("|") \
                and CLOSED.search(doc.text[doc.lines[li - 2].start:doc.lines[li - 2].end].rstrip()):
            new = Item("para", ln.start, ln.end, ln.start, node)  # a table row ("| TIP ...") after a finished step is no part of it
        if new is None:
            if cur is not None and (not one_per_line or (cur.kind == "warning" and cur.body >= cur.end - 2 - len(cur.label))):
                cur.end = ln.end  # wrapped line, or the text under a stand-alone "WARNING" label
                continue
            kinds = doc.chunks[ln.chunk].kinds
            kind = "bullet" if one_per_line and "list_item" in kinds and "paragraph" not in kinds else "para"
            new = Item(kind, ln.start, ln.end, ln.start, node)
        items.append(new)
        cur = None if new.kind == "title" else new
    from .alternatives import options_as_steps, preamble_steps
    from .inline import imperative_steps, split_inline, split_long_bullets
    from .model import MAX_INSTRUCTION

    items = options_as_steps(doc, imperative_steps(doc, split_inline(doc, items)))
    return split_long_bullets(doc, preamble_steps(doc, items), MAX_INSTRUCTION)


def _open(doc: DocText, li: int, t: str, node: int, last_num: int, width: int) -> tuple[Item | None, int]:
    """The item line `li` opens by its marker or signal word (and the step number now in force), or None."""
    ln = doc.lines[li]
    m, w = STEP_RE.match(t), WEAK_STEP_RE.match(t)
    labelled = m and (m.group(4) or m.group(5))  # "Step 3" / "第3步" alone on a line is a step label
    if (m or w) and not labelled and _numbered_title(doc, li, t, width, _number((m or w).groups()), last_num):
        return Item("title", ln.start, ln.end, ln.start + (m or w).end(), node, label=(m or w).group().strip()), last_num
    lvl = signal(t)
    if lvl:
        return Item("warning", ln.start, ln.end, ln.start, node, level=lvl, label=t.split()[0].strip(":：!")), last_num
    if m and _number(m.groups()) is not None:
        n = _number(m.groups())
        if not t[m.end():].strip() and n not in (1, last_num + 1) and not _ends_paragraph(doc, li - 1, width):
            return None, last_num  # "Versamid" / "140.": a wrapped line that is a number and a period, no step
        if li > 0 and wrapped_callout(t, doc.text[doc.lines[li - 1].start:doc.lines[li - 1].end], last_num):
            return None, last_num  # "... secure to outer door panel" / "(6) with three screws (1).": no step 6
        return Item("step", ln.start, ln.end, ln.start + m.end(), node, n, m.group().strip()), n
    if (c := COMMA_STEP_RE.match(t)) and int(c.group(1)) == last_num + 1 > 1 and _closed(doc, li - 1):
        return Item("step", ln.start, ln.end, ln.start + c.end(), node, last_num + 1, c.group().strip()), last_num + 1
    if lm := LETTERED_RE.match(t):
        return Item("step", ln.start, ln.end, ln.start + lm.end(), node, ord(lm.group(1) or lm.group(2)) - ord("a") + 1, lm.group().strip()), last_num
    if w and int(w.group(1)) in (1, last_num + 1) and _ends_paragraph(doc, li - 1, width):
        n = int(w.group(1))
        return Item("step", ln.start, ln.end, ln.start + w.end(), node, n, w.group(1)), n
    if SUBTASK.match(t) or RUN_IN_PART.match(t):  # a task's part by its title ("b. Remove", "b . Test. (Figure 3-19) Test of ..."): no step
        return Item("para", ln.start, ln.end, ln.start, node), last_num
    if _lettered_title(doc, li, t):
        return Item("title", ln.start, ln.end, ln.start, node), last_num
    b = BULLET_RE.match(t)  # not ingest's LIST_RE: case-blind, it reads "27 mm spanner" as item 27
    if b:
        return Item("bullet", ln.start, ln.end, ln.start + b.end(), node, label=b.group().strip()), last_num
    mt = TOOLS_RE.match(t) or TOOLS_ZH_RE.match(t)
    if mt:
        return Item("tools", ln.start, ln.end, ln.start + mt.end(), node, label=mt.group().strip()), last_num
    return None, last_num


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


def _closed(doc: DocText, li: int) -> bool:
    return li >= 0 and bool(CLOSED.search(doc.text[doc.lines[li].start:doc.lines[li].end]))


_OPEN_END = re.compile(r"\b(?:a|an|the|and|or|of|to|with|using|for|in|on|from|by|into|onto|at|that|which|is|are|be|as|your)$", re.IGNORECASE)


def _numbered_title(doc: DocText, li: int, t: str, width: int, n: int | None, last: int) -> bool:
    """ "2 Rear brake shoe adjustment": a numbered line that is short, ends without punctuation or an
    open word, does not continue the current numbering and is not followed by the next number or by
    wrapped text, is a section title, not a step."""
    t = t.rstrip()
    if n is None or (last >= 1 and n == last + 1) or CLOSED.search(t) or t.endswith(",") or _OPEN_END.search(t):
        return False
    if len(t) > min(90, 0.8 * width):
        return False
    if li + 1 < len(doc.lines):
        nxt = doc.text[doc.lines[li + 1].start:doc.lines[li + 1].end]
        if nxt[:1].islower() or nxt[:1] in "[(,;":
            return False
        m = STEP_RE.match(nxt) or WEAK_STEP_RE.match(nxt)
        if m and _number(m.groups()) == n + 1:
            return False
        if not CLOSED.search(nxt.rstrip()) and not (m or TOOLS_RE.match(nxt) or signal(nxt)) and len(nxt) < 0.5 * width:
            return False  # a short step whose text wraps onto a second short line
    return True


def _title_first_line(doc: DocText, li: int, cur: Item, width: int) -> bool:
    """Line `li` (glued to the open item) starts a title: after a finished sentence, capitalised,
    unpunctuated and short."""
    if li < 1 or doc.lines[li].start <= cur.body:
        return False
    t = doc.text[doc.lines[li].start:doc.lines[li].end].rstrip()
    prev = doc.text[doc.lines[li - 1].start:doc.lines[li - 1].end].rstrip()
    new_page = doc.chunks[doc.lines[li].chunk].page != doc.chunks[doc.lines[li - 1].chunk].page
    capital = any(ch.isupper() for ch in t.split()[0]) if t.split() else False  # "iRobot Roomba 595"
    return (bool(CLOSED.search(prev)) or new_page) and not CLOSED.search(t) and capital and len(t) <= 0.8 * width


def _title_before_list(doc: DocText, li: int, width: int, t: str) -> bool:
    """A short unpunctuated line right before a tools line or a step 1 is a title, not wrapped text (unless
    it goes on in lower case: "... To replace" / "the silicone weather gasket (14), proceed as follows")."""
    if li + 1 >= len(doc.lines) or re.search(r"[.,;:!?。，；：]$", t.rstrip()) or len(t) > 0.75 * width or t.lstrip()[:1].islower():
        return False
    nxt = doc.text[doc.lines[li + 1].start:doc.lines[li + 1].end]
    m = STEP_RE.match(nxt) or WEAK_STEP_RE.match(nxt)
    return bool(TOOLS_RE.match(nxt) or TOOLS_ZH_RE.match(nxt) or (m and _number(m.groups()) == 1))


def _lettered_title(doc: DocText, li: int, t: str) -> bool:
    """ "e . Securing Shelter on 1-1/4-Ton (M1028) Truck." over "(1) Fabricate ...": a lettered part titled in
    capitals names the steps below it (`ingest.pdf.lettered_title`; the PDF reader makes it a heading)."""
    return li + 1 < len(doc.lines) and lettered_title(t, doc.text[doc.lines[li + 1].start:doc.lines[li + 1].end])


def _rstrip(text: str, a: int, b: int) -> int:
    while b > a and text[b - 1].isspace():
        b -= 1
    return b
