"""Decision-tree steps: where a step sends the technician next.

Troubleshooting procedures are often written as questions with branches ("Step 2. Is the pressure above
4.5 bar? If yes, go to step 3. If no, replace the relief valve.") or as checks with jumps ("If damaged,
perform steps 8 through 12; if not, go to next step."). Each branch is read from the step's own verbatim
text: its condition as the manual words it, what to do, and the manual's step it jumps to, resolved to the
card's step number so that a headset (or a reader) can follow it.

>>> [(b.condition, b.target) for b in read_branches("Is the pressure above 4.5 bar? If yes, go to step 3. If no, replace the valve.")]
[('If yes', '3'), ('If no', None)]
"""
from __future__ import annotations

import re

from ..textrules import YES_NO
from .model import Branch, Step

_ZH_DIGITS = "一二三四五六七八九十"
# a condition and what follows it up to the end of the clause: "If yes, go to step 3", "if not, go to next step",
# "Otherwise, replace ...", "如果是，转到第4步", "否则，更换……"
_CLAUSE = re.compile(
    r"(?P<cond>\b(?:if|when)\s+(?:yes|no|not|so|ok(?:ay)?|[^,;:.?!]{1,60}?)|\botherwise|如果?[^，,。；;？?]{1,20}|否则|若[^，,。；;？?]{1,20})"
    r"\s*[,，]\s*(?P<act>(?:[^;；。?？.]|\.(?!\s|$)|(?<=para)\.|(?<=fig)\.|(?<=no)\.|(?<=ref)\.)+)",
    re.IGNORECASE)
_GOTO = re.compile(
    r"\b(?:go|proceed|continue|skip|return|refer)\s+(?:on\s+|back\s+)?to\s+(?:the\s+)?(?:(?P<next>next)\s+step|step\s+(?P<step>[\w.\-]+?))(?=[\s,.;)]|$)"
    r"|\b(?:perform|repeat|do)\s+steps?\s+(?P<first>[\w]+)(?:\s*(?:through|thru|to|and|-|–)\s*(?P<last>[\w]+))?"
    r"|(?:转到|转至|跳到|进行|执行|重复)\s*(?:第|步骤)?\s*(?P<zh>[\d" + _ZH_DIGITS + r"]{1,3})\s*步?",
    re.IGNORECASE)


def read_branches(text: str) -> list[Branch]:
    """The branches of one step, in the order the manual gives them (targets unresolved)."""
    flat = " ".join(text.split())
    out: list[Branch] = []
    for m in _CLAUSE.finditer(flat):
        cond, act = m.group("cond").strip(), m.group("act").strip()
        g = _GOTO.search(act)
        if g is None and not YES_NO.fullmatch(cond):
            continue  # an ordinary condition inside an instruction ("if damaged, replace"), not a branch
        target = None
        if g is not None:
            target = "next" if g.group("next") else (g.group("step") or g.group("first") or g.group("zh"))
            target = target.rstrip(".") if target else None
        out.append(Branch(condition=cond[:1].upper() + cond[1:], action=act, target=target))
    return out


def link_branches(steps: list[Step], texts: list[str]) -> None:
    """Fill each step's branches from its verbatim text, with each jump resolved to a card step
    (None where the manual's step is not on the card)."""
    by_label = {_label(s.source_number): s.number for s in steps if s.source_number}
    for step, text in zip(steps, texts):
        found = read_branches(text)
        for b in found:
            if b.target == "next":
                b.goto = step.number + 1 if step.number < len(steps) else None
            elif b.target:
                b.goto = by_label.get(_label(b.target))
        step.branches = found


def _label(marker: str) -> str:
    """A step marker as a key: "(4)", "4.", "Step 4:", "f." and "第4步" give "4", "4", "4", "f", "4"."""
    m = re.search(r"[\dA-Za-z" + _ZH_DIGITS + r"]+", re.sub(r"(?i)^\s*step\s*|第|步", "", marker))
    if not m:
        return marker.strip()
    key = m.group().lower()
    if key and all(c in _ZH_DIGITS for c in key):
        from .items import _zh_int

        return str(_zh_int(key))
    return key
