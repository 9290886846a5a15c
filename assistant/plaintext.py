"""Display text for a verbatim source span: what an answer, a warning or a step card shows, while the
citation keeps the source's own characters. List markers ("1.", "-", "•", "(a)"), Markdown emphasis
(**x**, *x*, `x`), links, block-quote marks and table pipes are presentation, not content; lines a
PDF wrapped are joined (Chinese without a space, "lock-\\nout" without a break), a dot leader reads
": " and a degree sign printed as a bullet or a small "o" reads "°" ("60•C").

>>> plain("- Filter housing cover torque: **25 N·m**")
'Filter housing cover torque: 25 N·m'
>>> plain("| Oil temperature | 30–60 °C | Above 65 °C: E-305, clean the cooler fins |")
'Oil temperature: 30–60 °C; Above 65 °C: E-305, clean the cooler fins'
>>> plain("Firing order . . . . . . . . 1-8-7-2-6-5-4-3 (clockwise)")
'Firing order: 1-8-7-2-6-5-4-3 (clockwise)'
>>> plain("2. Switch off Q1.\\r\\nFit your padlock.")
'Switch off Q1. Fit your padlock.'
>>> plain("由 1 名经过培训的维修技术人\\r\\n员完成。")
'由 1 名经过培训的维修技术人员完成。'
"""
from __future__ import annotations

import re

from .textrules import CLOSED, NOT_A_CALLOUT, SET_APART_LETTER, bracketed_number, read_degrees, wrapped_callout

CJK = "\u3000-\u303f\u3400-\u9fff\uff00-\uffef"
# a list marker at the start of a line: "1." "2)" "a)" "(a)" "（3）" "4、" "•" "-" "*" "⑤"; not "1.5 bar"
LIST_MARKER = re.compile(
    r"^\s*(?:\d{1,3}[.)．](?![\d.])\s*|[（(] ?(?:\d{1,3}|[a-zA-Z]|[ivx]{1,4}) ?[)）]\s*|\d{1,3}、\s*|[a-zA-Z][.)]\s+"
    rf"|{SET_APART_LETTER}\s*|[-*+•·▪◦●■□➢►▶✓–—]\s+|[\u2460-\u2473]\s*){NOT_A_CALLOUT}")
_QUOTE_MARK = re.compile(r"^\s*(?:>\s*)+|^\s*#{1,6}\s+")
_EMPHASIS = (
    (re.compile(r"!\[([^\]]*)\]\([^)]*\)"), r"\1"),  # ![alt](image)
    (re.compile(r"\[([^\]]+)\]\([^)]*\)"), r"\1"),  # [text](link)
    (re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*"), r"\1"),
    (re.compile(r"__(?=\S)(.+?)(?<=\S)__"), r"\1"),
    (re.compile(r"(?<![\w*])\*(?=[^\s*])([^*\n]+?)(?<=[^\s*])\*(?![\w*])"), r"\1"),
    (re.compile(r"(?<![\w_])_(?=[^\s_])([^_\n]+?)(?<=[^\s_])_(?![\w_])"), r"\1"),
    (re.compile(r"`+([^`\n]*)`+"), r"\1"),
    (re.compile(r"\*\*|__"), ""),  # an unpaired marker left by a span cut inside the emphasis
)
_SEPARATOR_ROW = re.compile(r"^[\s|:\-–—+=]*$")


def is_table_row(line: str) -> bool:
    """A Markdown row ("| a | b |") or the " | " a parser puts between the cells of a table row."""
    s = line.strip()
    return s.startswith("|") or " | " in s or "\t" in s.strip()


def _row(line: str) -> str:
    cells = [c.strip() for c in re.split(r"(?<!\\)\||\t", line.strip())]
    cells = [c.replace("\\|", "|") for c in cells if c and not _SEPARATOR_ROW.match(c)]
    if not cells:
        return ""
    if len(cells) == 1:
        return cells[0]
    head = cells[0].rstrip(" :：")
    if head.endswith((".", "。", "?", "？", "!", "！")):  # a cell that ends its sentence is not a label
        return head + " " + "; ".join(cells[1:])
    sep = "：" if re.search(f"[{CJK}]$", head) else ": "
    return head + sep + "; ".join(cells[1:])


def strip_emphasis(text: str) -> str:
    """Markdown emphasis, code marks and links dropped, nothing else (a heading keeps its number)."""
    for pat, rep in _EMPHASIS:
        text = pat.sub(rep, text)
    return text


DOT_LEADER = re.compile(r"(?<=\S)\s?(?:\.\s?){4,}\s?(?=\S)")  # "Firing order . . . . 1-8-7-2-6-5-4-3"


def plain_line(line: str, marker: bool = True) -> str:
    """One line without its list marker (unless `marker` is False: the line starts with a callout),
    quote mark, emphasis or table pipes; a dot leader between a label and its value reads ": "."""
    line = DOT_LEADER.sub(": ", _QUOTE_MARK.sub("", line))
    if is_table_row(line):
        line = _row(line)
    return strip_emphasis(LIST_MARKER.sub("", line, count=1) if marker else line).strip()


# pdfium's mark of a word hyphenated at a line break, with the break ("Tight\ufffe\r\nen")
SOFT_BREAK = re.compile(r"\ufffe[ \t]*(?:\r\n|\r|\n)?[ \t]*")


def join_lines(text: str) -> str:
    """Wrapped lines joined: no space between Chinese characters, none after a hyphen that split a word.
    pdfium marks a soft hyphen at a line break as U+FFFE (SOFT_BREAK): the word is joined."""
    text = SOFT_BREAK.sub("", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = re.sub(rf"(?<=[{CJK}])[ \t]*\n\s*(?=[{CJK}])", "", text)
    return re.sub(r"(?<=[a-z])-[ \t]*\n\s*(?=[a-z])", "-", text)


def readable(text: str) -> str:
    r"""Source text as a technician reads it, its lines kept: a word pdfium marked as hyphenated at a
    line break whole, degree signs read (`read_degrees`). For showing a quote, which itself keeps the
    page's characters (verification and the page highlight find it there).

    >>> readable("unless temper\ufffe\r\nature is between 60\u200a0F and 85oF.")
    'unless temperature is between 60°F and 85°F.'
    """
    return read_degrees(join_lines(text))


_NUMBER_ONLY = re.compile(r"^\s*\d{1,4}[.)]?\s*$")


def plain(text: str) -> str:
    r"""The display text of a source span (see the module doc): each line cleaned, wrapped lines
    joined (a number wrapped onto a line of its own is text, not a list marker: "go to step" / "13.";
    nor is a callout wrapped onto a line's start: "six flat washers" / "(2), and three nuts", "outer door
    panel" / "(6) with three screws"), list items and table rows kept apart by join_items, white space collapsed; a degree sign
    read as "°" before (a raised "0" the PDF reader marks with a hair space) and after (a small "o" set
    on the next line).

    >>> plain("(a) Mix 15 ounces of R1003 to 5 ounces of Versamid\n140.\n(b) If low, go to step\n13.\n(c)\nSeal it.")
    'Mix 15 ounces of R1003 to 5 ounces of Versamid 140. If low, go to step 13. Seal it.'
    >>> plain("(a) Remove three bolts (1), six flat washers\n(2), and three nuts (3).")
    'Remove three bolts (1), six flat washers (2), and three nuts (3).'
    >>> plain("(3) Secure channel (2) to outer door panel\n(6) with three screws (1).\n(4) Apply sealer.")
    'Secure channel (2) to outer door panel (6) with three screws (1). Apply sealer.'
    """
    text = read_degrees(text).replace("\r\n", "\n").replace("\r", "\n")
    items: list[list[str]] = []
    last: int | None = None  # the number of the bracketed item open, "(3)"
    for ln in text.split("\n"):
        # "... secure to outer door panel" / "(6) with three screws (1).": a callout wrapped onto the line, no item 6
        wrapped = bool(items) and wrapped_callout(ln, items[-1][-1], last)
        clean = plain_line(ln, marker=not wrapped)
        if not clean and items and _NUMBER_ONLY.match(ln) and not CLOSED.search(items[-1][-1]):
            items[-1].append(ln.strip())  # "... 5 ounces of Versamid" / "140.": a number wrapped onto a line of its own
            continue
        if not clean:
            continue  # a marker alone on its line ("(d)"), or no text
        marked = not wrapped and LIST_MARKER.match(_QUOTE_MARK.sub("", ln))
        if not items or marked or is_table_row(ln):
            items.append([clean])
            last = bracketed_number(ln) if marked else None
        else:
            items[-1].append(clean)
    return read_degrees(join_items([" ".join(join_lines("\n".join(it)).split()) for it in items]))


def join_items(pieces: list[str]) -> str:
    """Display pieces joined into one text; a piece without closing punctuation (a list item, a
    table row) is ended with "; " ("；" after Chinese) so that items do not run together.

    >>> join_items(["Oil: ISO VG 46", "Torque: 25 N·m", "Check it.", "滤芯 HF-220-10", "完成。", "Done"])
    'Oil: ISO VG 46; Torque: 25 N·m; Check it. 滤芯 HF-220-10；完成。Done'
    """
    out, prev = "", ""
    for p in pieces:
        if not p:
            continue
        if out:
            zh = bool(re.search(f"[{CJK}]", prev))
            if CLOSED.search(out):
                out += "" if zh else " "
            else:
                out += "；" if zh else "; "
        out, prev = out + p, p
    return out
