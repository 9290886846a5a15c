"""Example questions for the Ask tab, made from the open library's own headings, so they change with
the library and each one is answerable from it: a procedure title ("3.1 Replacing the return-line
filter element" in the HP-3 manual -> "What are the steps for replacing the return-line filter
element on the HP-3?"), else a section that holds steps or checks ("4 Inspection steps" -> "What are
the inspection steps in “Annual inspection of 110 kV SF6 circuit breaker”?"), and for Chinese
manuals "如何…？" / "…的操作步骤是什么？". At most one question per document while other documents
have one to offer.

>>> rows = [(1, "m.pdf", "HP-3 Manual", ["HP-3 Manual", "3 Procedures", "3.1 Replacing the filter element"], "en")]
>>> [q.question for q in example_questions(rows)]
['What are the steps for replacing the filter element on the HP-3?']
"""
from __future__ import annotations

import re
from dataclasses import dataclass

_NUMBER = re.compile(r"^\s*(?:(?:chapter|section|step|第)\s*)?(?:\d+(?:[.\-]\d+)*|[A-Z]|[IVX]+)(?:[.)．、]|\s)\s*", re.IGNORECASE)
_CODE = re.compile(r"\b[A-Z]{1,5}-\d+[A-Z0-9]*\b")
_GERUND = re.compile(r"^[A-Z][a-z]{2,}ing$")
_NOT_TASKS = {"during", "following", "warning", "warnings", "training", "ring", "spring", "string", "rating", "ratings",
              "lighting", "building", "meeting", "bearing", "bearings", "housing", "coupling", "wiring", "piping", "nothing"}
_STEP_WORDS = ("procedure", "procedures", "steps", "instructions")
_TASK_WORDS = ("inspection", "replacement", "installation", "removal", "overhaul", "adjustment", "lubrication", "checks",
               "check", "tests", "test", "service", "servicing", "maintenance", "commissioning", "troubleshooting")
_ZH_VERBS = ("更换", "检查", "拆卸", "安装", "清洗", "调整", "加注", "排放", "润滑", "紧固", "测量", "校准", "保养", "维护", "拆装")
_ZH_STEPS = ("步骤", "程序", "规程", "方法", "流程")
_SKIP = re.compile(r"^(table|figure|fig\.|表|图)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Example:
    question: str
    doc: str  # the document's name, as citations show it
    heading: str  # the heading the question was made from (numbering removed)
    language: str


def clean_heading(h: str) -> str:
    return " ".join(_NUMBER.sub("", h or "", count=1).split()).strip(" :：.-–—")


def _title(doc_title: str, sections: list[list[str]]) -> str:
    t = (doc_title or "").split(" | ")[0].strip()
    if not t:
        t = next((s[0] for s in sections if s and s[0].strip()), "")
    return " ".join(t.split())


def _lower_first(text: str) -> str:
    w = text.split(" ", 1)
    if len(w[0]) > 1 and w[0][1:].islower():  # "Replacing" -> "replacing"; "HP-3", "SF6" stay
        w[0] = w[0][0].lower() + w[0][1:]
    return " ".join(w)


def _candidates(doc: str, doc_title: str, sections: list[list[str]], language: str) -> list[tuple[int, int, Example]]:
    """(kind, order, example) for one document: kind 0 a procedure title, 1 a section of steps, 2 a
    section of checks or tests (lower is better)."""
    title = _title(doc_title, sections)
    code = next(iter(_CODE.findall(title)), "")
    seen: set[str] = set()
    out: list[tuple[int, int, Example]] = []
    for path in sections:
        for depth, raw in enumerate(path):
            h = clean_heading(raw)
            if depth == 0 or not h or h in seen or _SKIP.match(h) or len(h) > 90:
                continue  # depth 0 is the document's title
            seen.add(h)
            order = len(seen)
            if re.search(r"[\u4e00-\u9fff]", h):
                if h.startswith(_ZH_VERBS):
                    out.append((0, order, Example(f"如何{h}？", doc, h, "zh")))
                elif any(w in h for w in _ZH_STEPS) and title:
                    out.append((1, order, Example(f"{title}的{h}是什么？", doc, h, "zh")))
                continue
            words = h.split()
            first = re.sub(r"\W", "", words[0])
            where = f" on the {code}" if code and code not in h else ""
            if len(words) >= 2 and _GERUND.match(first) and first.lower() not in _NOT_TASKS:
                out.append((0, order, Example(f"What are the steps for {_lower_first(h)}{where}?", doc, h, "en")))
                continue
            lw = [re.sub(r"\W", "", w).lower() for w in words]
            kind = 1 if any(w in _STEP_WORDS for w in lw) else 2 if any(w in _TASK_WORDS for w in lw) else None
            if kind is None or len(words) < 2 or not title:  # "Procedure", "Troubleshooting": too broad
                continue
            subject = re.sub(r"\s*\([^)]*\)", "", _lower_first(h))
            sw = subject.lower().split()
            verb = "are" if sw[0].endswith("s") or sw[-1].endswith("s") or " and " in subject else "is"
            target = f"for the {code}" if code else f"in “{title}”"
            out.append((kind, order, Example(f"What {verb} the {subject} {target}?", doc, h, "en")))
    return out


def example_questions(rows, lang: str = "en", n: int = 3) -> list[Example]:
    """Up to `n` questions from `rows` of (doc_id, doc name, doc title, heading path, language), one
    per document first (documents in the interface's language first, then the best kind of
    heading, then library order), more from the same documents only when fewer have one."""
    docs: dict[int, dict] = {}
    for doc_id, name, title, path, _language in rows:
        d = docs.setdefault(doc_id, {"name": name, "title": title, "sections": []})
        if list(path) not in d["sections"]:
            d["sections"].append(list(path))
    want = "zh" if (lang or "").startswith("zh") else "en"
    per_doc = []
    for doc_id, d in docs.items():
        cands = sorted(_candidates(d["name"], d["title"], d["sections"], want), key=lambda c: (c[0], c[1]))
        if cands:
            per_doc.append((doc_id, cands))

    def rank(item, i):
        doc_id, cands = item
        kind, _, ex = cands[i]
        return (ex.language != want, kind, doc_id)

    out: list[Example] = []
    for i in range(max((len(c) for _, c in per_doc), default=0)):
        for item in sorted((it for it in per_doc if len(it[1]) > i), key=lambda it: rank(it, i)):
            ex = item[1][i][2]
            if len(out) < n and ex.question not in {o.question for o in out}:
                out.append(ex)
    return out
