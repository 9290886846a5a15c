"""Shared lists: one procedure that covers several features, each in its own labelled entry, of which a
task asks for one. User manuals write them two ways:

- options after an opener that ends with a colon: "From Settings, tap Accessibility > Hearing
  enhancements and tap an option:" then "Mono audio: Switch audio from stereo to mono ...",
  "Mute all sounds: Turn off all notifications ..." (an entry with no text, "Answering and ending
  calls:", heads the entries after it);
- purposes told in prose: "To restart your device, open the Notification panel, and tap Power >
  Restart." then "Confirm when prompted.", "To turn the device off, ...".

The steps before the first entry are common to every feature (where to go), the steps after an entry
up to the next one belong to it, and the steps after the last entry close the procedure ("Tap Back to
save changes."). When the task names one entry's feature clearly better than the others, the card
keeps the common steps, that entry (with its heading entry and its own steps) and the closing steps.

>>> label_of("Mono audio : Switch audio from stereo to mono when using one earphone.")
('option', 'Mono audio')
>>> label_of("To restart your device, open the Notification panel, and tap Power > Restart.")
('purpose', 'To restart your device')
>>> pick(["From Settings, tap Sounds and tap an option:", "Mono audio: Switch to mono.", "Mute all sounds: Turn off all audio."],
...      "Switch the sound to mono")
[0, 1]
"""
from __future__ import annotations

import math
import re

from ..index.lexical import tokenize
from ..answer.verify import sentences
from .inline import IMPERATIVE_RE
from .items import Item, _rstrip
from .source import DocText

# "Mono audio : Switch ...", "Answering and ending calls :" -- a short name, then a colon
_OPTION = re.compile(r"^\s*(?:[•·\-*–]\s*)?([A-Z0-9][^:：.,;!?()\n]{1,58}?)\s*(?:\([^)]{0,30}\))?\s*[:：]\s*(.*)$", re.DOTALL)
# "To restart your device, open ...", "If you want to X, tap ..." -- a purpose, then the instruction; also in a
# tip or note row ("| TIP  To clear ..."; "Â" is a no-break space a Latin-1 reading made of UTF-8)
_PURPOSE = re.compile(r"^\s*(?:\|\s*)?(?:(?:TIP|NOTE)\b[\W\u00c2]*)?((?:To|If you want to)\s+[^,:;.]{3,90}?)\s*[,:]\s*(\S.*)$",
                      re.DOTALL | re.IGNORECASE)
_NOT_A_NAME = re.compile(r"^(?:note|tip|caution|warning|danger|important|example|e\.g|i\.e|step \d+|for example|the following"
                         r"|to\s.*|if\s.*|when\s.*|before\s.*|after\s.*"
                         r".*|from\b.*|tap\b.*|in\b.*|on\b.*)$", re.IGNORECASE)
MARGIN = 1.25  # the chosen entry's match must beat the next best by this factor


def label_of(text: str) -> tuple[str, str] | None:
    """("option", name) or ("purpose", "To ...") when a step is one labelled entry of a shared list."""
    t = " ".join(text.split())
    m = _PURPOSE.match(t)
    if m and (IMPERATIVE_RE.match(m.group(2)) or m.group(2)[:1].islower()):
        return "purpose", m.group(1)
    m = _OPTION.match(t)
    if m and len(m.group(1).split()) <= 8 and not _NOT_A_NAME.match(m.group(1).strip()) and not m.group(2)[:1].islower():
        return "option", " ".join(m.group(1).split())
    return None


def is_heading_entry(text: str) -> bool:
    """An option entry that heads the entries after it: with no text of its own ("Answering and ending
    calls :"), or whose text opens them ("Automatic date and time: ... When it is disabled, the following
    options are available:")."""
    m = _OPTION.match(" ".join(text.split()))
    return bool(m) and (not m.group(2).strip() or m.group(2).rstrip().endswith((":", "：")))


def pick(texts: list[str], task: str) -> list[int]:
    """Indexes (into `texts`, a procedure's steps in order) of the steps to keep for `task`: all of
    them unless one labelled entry of two or more matches the task clearly better than the others."""
    labels = [label_of(t) for t in texts]
    entries = [i for i, lab in enumerate(labels) if lab and not is_heading_entry(texts[i])]
    if len(entries) < 2:
        return list(range(len(texts)))
    first, last = min(i for i, lab in enumerate(labels) if lab), entries[-1]
    owner: dict[int, int] = {}  # step -> the entry it belongs to
    cur = None
    for i in range(first, len(texts)):
        if i in entries:
            cur = i
        elif labels[i] is None and cur is not None and i < last:
            owner[i] = cur
    words = set(tokenize(task))
    toks = {i: (set(tokenize(labels[i][1])), set(tokenize(texts[i]))) for i in entries}
    df: dict[str, int] = {}
    for name, body in toks.values():
        for w in name | body:
            df[w] = df.get(w, 0) + 1
    idf = {w: math.log((len(entries) + 1) / (n + 0.5)) for w, n in df.items()}
    score = {i: sum(2 * idf[w] for w in words & name) + sum(idf[w] for w in words & (body - name)) for i, (name, body) in toks.items()}
    ranked = sorted(entries, key=lambda i: -score[i])
    best, second = score[ranked[0]], score[ranked[1]]
    if best <= 0 or best < MARGIN * second or best - second < 0.5:
        return list(range(len(texts)))
    chosen = ranked[0]
    head = next((i for i in range(chosen - 1, first - 1, -1) if labels[i] and is_heading_entry(texts[i])), None)
    keep = []
    for i in range(len(texts)):
        if i < first or i == chosen or i == head or owner.get(i) == chosen or i > last:
            keep.append(i)
    return keep



def options_as_steps(doc: DocText, items: list[Item]) -> list[Item]:
    """The entries of an option list that an instruction opens with a colon ("... and tap an option:")
    are read as list entries of the procedure (bullets), also where the reader saw paragraphs (an HTML
    list nested in a list item, a PDF's indented lines), so the card holds them and can choose one."""
    out: list[Item] = []
    opener = None  # the node of the instruction that opened an option list
    for it in items:
        text = doc.text[it.body:it.end].rstrip()
        if opener is not None and it.node == opener and it.kind in ("para", "bullet") and label_of(text):
            out.append(it if it.kind == "bullet" else Item("bullet", it.start, it.end, it.body, it.node, label=it.label, implied=it.implied))
            continue
        said = " ".join(text.split())
        follows = bool(out) and out[-1].node == it.node and out[-1].kind in ("step", "bullet") and IMPERATIVE_RE.match(
            " ".join(doc.text[out[-1].body:out[-1].end].split()))
        if it.kind == "para" and text.endswith((":", "：")) and follows and not IMPERATIVE_RE.match(said):
            opener = it.node  # "From Phone, tap Settings." then "The following options are available:"
            out.append(it)
            continue
        opener = it.node if it.kind in ("step", "bullet", "para") and text.endswith((":", "：")) and IMPERATIVE_RE.match(said) else None
        if opener is not None and it.kind == "para":  # "Tap Home screen settings to customize:" opens the list: a step
            it = Item("bullet", it.start, it.end, it.body, it.node, implied=True)
        out.append(it)
    return out


# where to go: "From a Home screen, touch and hold ...", "On the Settings screen, tap ...", "Open Settings > General."
_WHERE = re.compile(r"^(?:(?:from|on|in|at)\b[^,]{1,60},\s*|(?:open|go to|navigate to)\b)|\S\s*>\s*\S", re.IGNORECASE)


def _says_where(sentence: str) -> bool:
    """An instruction that says where to go (a place or a menu path), not a description of the feature."""
    s = " ".join(sentence.split())
    return bool(IMPERATIVE_RE.match(s) and _WHERE.search(s))


def tells_how(text: str) -> bool:
    """Whether a note or tip tells how to do something: a purpose with its instruction, or a sentence
    that says where to go ("From Settings, tap Advanced features > Bixby key.")."""
    lab = label_of(text)
    if lab and lab[0] == "purpose":
        return True
    flat = " ".join(text.split())
    return any(_says_where(flat[a:b]) for a, b in sentences(flat))


def preamble_steps(doc: DocText, items: list[Item]) -> list[Item]:
    """The paragraph right before a list that says where to go ("On the Settings screen, tap
    Connections." / "From a Home screen, touch and hold the screen.") is the procedure's first step:
    its instruction sentences at its end become an unnumbered step (implied) before the list."""
    out: list[Item] = []
    for k, it in enumerate(items):
        nxt = items[k + 1] if k + 1 < len(items) else None
        starts_list = nxt is not None and nxt.node == it.node and nxt.kind in ("step", "bullet") and (
            nxt.kind == "bullet" or nxt.number == 1)
        if it.kind != "para" or not starts_list:
            out.append(it)
            continue
        raw = doc.text[it.start:it.end]
        spans = sentences(raw.replace("\n", " "))
        cut = len(spans)
        while cut > 0 and _says_where(raw[spans[cut - 1][0]:spans[cut - 1][1]]):
            cut -= 1
        if cut == len(spans):
            out.append(it)
            continue
        a = spans[cut][0] if cut < len(spans) else 0
        if cut > 0:
            out.append(Item("para", it.start, _rstrip(doc.text, it.start, it.start + a), it.body, it.node))
        if nxt.kind == "step":  # step 0 of the numbered list, so the run holds it; it keeps no manual number
            out.append(Item("step", it.start + a, it.end, it.start + a, it.node, number=nxt.number - 1, implied=True))
        else:
            out.append(Item("bullet", it.start + a, it.end, it.start + a, it.node, implied=True))
    return out
