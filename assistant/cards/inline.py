"""Procedures that user manuals write in running text rather than as lists:

- numbered inline: "To turn on the Voice Guide, 1. Press and hold VOL. 2. Select Voice Guide." becomes
  an intro paragraph and two steps (several sequences in one paragraph each start again at 1); so do
  lettered sub-steps run into one paragraph ("Replace the filter. (a) Loosen ... (b) Remove ...");
- unnumbered: in a section with no list at all, sentences that start with an instruction verb
  ("Open Settings > General and select High Contrast.") become unnumbered steps.

    [it.kind for it in split_inline(doc, items)]          # needs a document from an indexed library
    # -> ['para', 'step', 'step', 'para', 'step', 'step']
"""
from __future__ import annotations

import re

from ..answer.verify import sentences
from .items import Item, _number, _rstrip
from .source import DocText

# "1. Press" "2) Select" "3、拧紧" "（4）检查" "第5步" "⑥": a capital or a Chinese character follows.
INLINE_RE = re.compile(r"(?:(?<=^)|(?<=[\s:：。；;,，]))(?:(\d{1,2})[.)．]\s+(?=[A-Z\"“‘(])|(\d{1,2})[.)、．]\s*(?=[\u4e00-\u9fff])"
                       r"|[（(](\d{1,2})[)）]\s*(?=[A-Za-z\u4e00-\u9fff])|第([一二三四五六七八九十\d]{1,3})步[：:，,]?\s*|([\u2460-\u2473])\s*"
                       r"|[（(]([a-h])[)）]\s*(?=[A-Za-z\u4e00-\u9fff]))")  # "(a) Loosen ... (b) Remove ...": lettered sub-steps
# "see step 4. Then ...", "Figure 2. Pump": a number that refers to something, not a step marker
_REFERENCE = re.compile(r"\b(?:steps?|section|sect|fig|figure|table|page|p|no|chapter|item|para|paragraph|and|or|to|see|"
                        r"version|v|model|level|mode|channel)\.?\s*$", re.IGNORECASE)
_VERBS = (
    "add adjust align apply attach check choose clean click close connect confirm detach disconnect download drag drain "
    "enable disable enter fill fit follow go highlight hold insert inspect install keep lift loosen lock lower make measure "
    "mount move navigate open place plug position power press pull push put read record release remove replace reset restart "
    "rotate run screw scroll select set slide spray start stop swipe switch tap tighten touch turn type unlock unplug unscrew "
    "use verify wait wipe").split()
IMPERATIVE_RE = re.compile(rf"^(?:(?:to|if|when|after|before|once)\b[^,]{{0,80}},\s*)?(?:then\s+)?(?:(?:from|on|in|at)\b[^,]{{0,60}},\s*)?(?:{'|'.join(_VERBS)})\b"
                           r"|^(?:按|长按|选择|打开|关闭|点击|轻触|拆下|拆除|安装|装上|拧紧|松开|断开|连接|插入|取出|检查|确认|等待|将|把|用|旋转|按下|设置|进入)",
                           re.IGNORECASE)


def split_inline(doc: DocText, items: list[Item]) -> list[Item]:
    """Paragraphs and steps that hold numbered sequences in running text, split into intro and steps."""
    out: list[Item] = []
    for it in items:
        marks = _marks(doc.text, it) if it.kind in ("para", "step", "bullet") else []
        if not marks:
            out.append(it)
            continue
        pos, kind, body, number, label = it.start, it.kind, it.body, it.number, it.label
        for a, b, num in marks:
            cut = a
            if num == 1 and pos < a:  # a new sequence: the sentence before its "1." introduces it
                intro = _last_sentence_start(doc.text, pos, a)
                if intro > pos and kind != "para":
                    out.append(Item(kind, pos, _rstrip(doc.text, pos, intro), body, it.node, number, label))
                    pos, kind, body, number, label = intro, "para", intro, None, ""
            if doc.text[pos:cut].strip():
                out.append(Item(kind, pos, _rstrip(doc.text, pos, cut), body, it.node, number, label))
            pos, kind, body, number, label = a, "step", b, num, doc.text[a:b].strip()
        out.append(Item(kind, pos, _rstrip(doc.text, pos, it.end), body, it.node, number, label))
    return out


def _marks(text: str, it: Item) -> list[tuple[int, int, int]]:
    """Inline markers that continue the item's own number, or start a sequence 1, 2, ... (two at least)."""
    found = [(m.start() + it.body, m.end() + it.body, _marker_number(m)) for m in INLINE_RE.finditer(text[it.body:it.end])
             if m.start() > 0 and not _REFERENCE.search(text[max(it.body, m.start() + it.body - 12):m.start() + it.body])
             and not _callout(text[it.body:it.body + m.start()], m)]
    out: list[tuple[int, int, int]] = []
    want = (it.number or 0) + 1 if it.kind == "step" else None
    for k, (a, b, n) in enumerate(found):
        if want is not None and n == want:
            out.append((a, b, n))
            want = n + 1
        elif n == 1 and any(f[2] == 2 for f in found[k + 1:]):
            out.append((a, b, n))
            want = 2
    return out


def _callout(before: str, m: re.Match) -> bool:
    """A number in brackets right after a word ("remove screws (3) and washers (2)"): the callout of a
    part in the figure, not a step; a bracketed step marker follows the end of a sentence or a clause, or
    the reference to the figure that a part's title gives ("b . Remove. (Figure 3-18) (1) Remove ...")."""
    bracketed = m.group(3) or m.group(6)
    return bool(bracketed) and not re.search(r"(?:^|[.:;,!?。；：，！？]|[(（](?:see\s+)?(?:figure|fig\.|table|图|表)\s*[\w.\-]+[)）])\s*$",
                                             before, re.IGNORECASE)


def _marker_number(m: re.Match) -> int | None:
    """The number an inline marker gives its step: "(b)" is 2."""
    letter = m.group(6)
    return ord(letter) - ord("a") + 1 if letter else _number(m.groups()[:5])


def _last_sentence_start(text: str, lo: int, hi: int) -> int:
    """Start of the sentence that ends at `hi` (lo when the whole span is one sentence)."""
    spans = sentences(text[lo:hi].replace("\n", " "))
    return lo + spans[-1][0] if spans else lo


def imperative_steps(doc: DocText, items: list[Item]) -> list[Item]:
    """In sections with no steps or bullets of their own, paragraph sentences that give an instruction
    become unnumbered steps (bullets); the other sentences stay paragraphs."""
    listed = {it.node for it in items if it.kind in ("step", "bullet")}
    out: list[Item] = []
    for it in items:
        if it.kind != "para" or it.node in listed:
            out.append(it)
            continue
        raw = doc.text[it.start:it.end]
        spans = sentences(raw.replace("\n", " "))
        if not any(IMPERATIVE_RE.match(raw[a:b]) for a, b in spans):
            out.append(it)
            continue
        pos = 0
        for a, b in spans:
            if IMPERATIVE_RE.match(raw[a:b]):
                if raw[pos:a].strip():
                    out.append(Item("para", it.start + pos, _rstrip(doc.text, it.start + pos, it.start + a), it.start + pos, it.node))
                out.append(Item("bullet", it.start + a, it.start + b, it.start + a, it.node, implied=True))
                pos = b
        if raw[pos:].strip():
            out.append(Item("para", it.start + pos, _rstrip(doc.text, it.start + pos, it.end), it.start + pos, it.node))
    return out


def split_long_bullets(doc: DocText, items: list[Item], limit: int) -> list[Item]:
    """An unnumbered list entry longer than a card shows (`limit` characters) that tells several
    instructions in sentences ("Tap Select workout and ... . Tap Start to ... . Press the Side key ...")
    becomes one step per instruction sentence; a sentence that is no instruction stays with the one
    before it. A numbered step is the manual's own step and is never split."""
    out: list[Item] = []
    for it in items:
        raw = doc.text[it.body:it.end]
        if it.kind != "bullet" or len(" ".join(raw.split())) <= limit:
            out.append(it)
            continue
        spans = sentences(raw.replace("\n", " "))
        cuts = [a for a, _ in spans[1:] if IMPERATIVE_RE.match(raw[a:])]
        if not cuts:
            out.append(it)
            continue
        bounds = [0, *cuts, len(raw)]
        for n, (a, b) in enumerate(zip(bounds, bounds[1:])):
            start = it.start if n == 0 else it.body + a
            out.append(Item("bullet", start, _rstrip(doc.text, start, it.body + b), it.body + a, it.node,
                            label=it.label if n == 0 else "", implied=it.implied))
    return out
