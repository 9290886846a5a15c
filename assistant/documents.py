"""Document-level evidence in a library of many manuals: which manual a question names (its model
names and codes, as the manual's file name, title and title page give them), and another manual's
word-for-word copy of a passage (makers share whole sections between models). Retriever.search
weighs both; a library of one document ranks as without them.

    document_evidence("How do I replace the seal on the P-300?", {"p200.md", "p300.md"}, ids, lexical)
    # -> {"p200.md": 0.0, "p300.md": 1.0}
"""
from __future__ import annotations

import re

_CODE = re.compile(r"[a-z].*\d|\d.*[a-z]|\w[-./]\w")  # a model name or code: letters with digits, or a separator inside
COPY_OVERLAP = 0.8  # share of words two passages of different documents hold in common to be copies of one text
_WORD = re.compile(r"\w+")
IDENTITY_SECTIONS = 3  # a document's first headings that name it (a title page, a manual's own title), beside its title and file name


def document_identities(store) -> dict[str, frozenset[str]]:
    """Per document name, the model names and codes that name it ("s10", "a51", "sm-g973", "s-250/g",
    "tm-9-2815-237-34", "ccar-43"): the lexical tokens holding both a letter and a digit, or a code's
    separator, in its file name, its title and its first IDENTITY_SECTIONS headings (a title page).
    Plain words are left out: a title word ("Keyboard", "Engine") names a topic as often as a machine,
    and the heading match already weighs a passage's own headings."""
    from pathlib import PurePosixPath

    from .index.lexical import tokenize

    heads: dict[int, list[str]] = {}
    for doc_id, _name, _title, path, _lang in store.sections():
        first = heads.setdefault(doc_id, [])
        if len(first) < IDENTITY_SECTIONS:
            first.append(" ".join(path))
    return {d.name: frozenset(t for t in tokenize(" ".join([str(PurePosixPath(d.name).with_suffix("")), d.title, *heads.get(d.id, ())]))
                              if _CODE.search(t)) for d in store.documents()}


def document_evidence(query: str, docs: set[str], identities: dict[str, frozenset[str]], lexical) -> dict[str, float]:
    """How well the question names each of `docs` (0..1): of the model names and codes in the question
    that name some document of the library, the IDF-weighted share this document's identity holds.
    "How do I replace the seal on the P-300?" gives the P-300 manual 1 and the P-200 manual 0; a
    question that names no document gives every one 0."""
    from .index.lexical import tokenize

    names: set[str] = set()
    for ident in identities.values():
        names |= ident
    q = set(tokenize(query)) & names
    weight = {t: max(lexical.idf(t), 1e-3) for t in q}  # a name only a title page holds has no passage IDF
    total = sum(weight.values())
    if total <= 0:
        return dict.fromkeys(docs, 0.0)
    return {d: sum(weight[t] for t in q & identities.get(d, frozenset())) / total for d in docs}


def demote_copies(ranked: list[tuple[int, float]], rows: dict, window: int) -> list[tuple[int, float]]:
    """`ranked` with another document's copy of a passage ranked above it moved below the distinct
    passages of the first `window` (manuals of one maker share whole sections word for word: five
    copies of one section from five phones would fill the top five). A copy holds at least
    COPY_OVERLAP of the words of a better passage of another document, and takes the score of the
    passage now above it. Copies within one document are kept: a manual repeats a warning where it
    applies, and only the reader can tell the places apart."""
    kept: list[tuple[int, float]] = []
    copies: list[tuple[int, float]] = []
    seen: list[tuple[str, frozenset[str]]] = []
    for i, s in ranked[:window]:
        words = frozenset(_WORD.findall(rows[i].text.lower()))
        doc = rows[i].doc
        if any(d != doc and len(words & w) >= COPY_OVERLAP * max(len(words), len(w)) for d, w in seen):
            copies.append((i, s))
        else:
            kept.append((i, s))
            seen.append((doc, words))
    if not copies:
        return ranked
    out = kept + copies + ranked[window:]
    for j in range(1, len(out)):  # scores stay in rank order
        if out[j][1] > out[j - 1][1]:
            out[j] = (out[j][0], out[j - 1][1])
    return out
