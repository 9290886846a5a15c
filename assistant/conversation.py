"""Follow-up questions: a question asked after others is rewritten into one that stands alone before
retrieval ("and the drain plug?" -> "What torque for the drain plug on the HP-3?"), and the search keeps
weight on the documents the conversation has cited so far. Every face passes its history here: the
Assistant (`ask`/`stream` with `history`), `/v1/ask` (server-side conversations: api/conversations.py),
`/v1/chat/completions`, the web chat and voice.

Rules cover the common cases: a pronoun ("it", "its", "that one", 它, 这个), an ellipsis ("what about X",
"and the torque?", "那…呢") and a bare attribute ("torque?"). A language model may rewrite what the
rules leave alone (`llm=`), and its rewrite is kept only if it keeps the follow-up's own words.

>>> h = [Turn("user", "What torque for the filter housing cover on the HP-3?"), Turn("assistant", "25 N·m")]
>>> follow_up("And the drain plug?", h).standalone
'What torque for the drain plug on the HP-3?'
>>> follow_up("How do I replace it?", h).standalone
'How do I replace the filter housing cover on the HP-3?'
>>> follow_up("那回油滤芯呢？", [Turn("user", "滤壳盖的拧紧力矩是多少？")]).standalone
'回油滤芯的拧紧力矩是多少？'
"""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field, fields
from typing import Iterable, Literal, Mapping

from .answer import Answer

log = logging.getLogger("assistant")
_CJK = re.compile(r"[\u3400-\u9fff]")
_DET = r"(?:the|a|an|this|that|these|those|my|our|your)"
# words that end a noun phrase: verbs, auxiliaries, conjunctions and prepositions of place or time
_NP_END = frozenset("""be is are was were been should must can could will would shall may might need needs do does did
have has had go goes get gets use uses used mean means when if after before during while to by from with without and or
so because than then which that who where how why what""".split())
_ADJECTIVES = re.compile(r"^(?:(?:the|a|an)\s+)?(?:(?:maximum|minimum|max\.?|min\.?|rated|nominal|required|recommended|correct|"
                         r"right|median|mean|average|typical|normal)\s+)*", re.I)
_ATTRIBUTES = ("part number", "part no", "warning time", "charging time", "opening time", "closing time", "pre-charge pressure",
               "pressure", "torque", "temperature", "interval", "capacity", "quantity", "volume", "amount", "size",
               "grade", "type", "viscosity", "voltage", "current", "power", "speed", "weight", "clearance", "tolerance",
               "setting", "tension", "deflection", "frequency", "limit", "rating", "specification", "specs", "spec",
               "tools", "tool", "procedure", "steps", "warnings", "warning", "meaning", "time", "value", "resistance")
_ATTR_RE = re.compile(r"\b(" + "|".join(re.escape(a) for a in _ATTRIBUTES) + r")s?\b", re.I)
_CUE = re.compile(r"^\s*(?:(?:and|also|plus|ok(?:ay)?|so|then|but)\b[\s,]*)?(?:(?:what|how)\s+about|same\s+for|what\s+of)?"
                  r"\s*(?:for\s+)?", re.I)
_LEAD = re.compile(r"^\s*(?:and|also|plus|ok(?:ay)?|so|then|but)\b[\s,]*", re.I)
_QUESTION = re.compile(r"^(?:what|which|who|whom|whose|where|when|why|how|is|are|was|were|do|does|did|can|could|should|"
                       r"must|will|would|shall|may|might|have|has|tell|show|give|list|explain|describe|replace|check|"
                       r"find)\b", re.I)
_PRONOUN = re.compile(r"\b(?:(its)\s+([\w\- ]+?)(?=\s*(?:[?.!,]|$|\b(?:is|are|was|be|on|in|for|of)\b))|"
                      r"(it|them|they|this one|that one|these|those|the same one)\b|"
                      r"(this|that)(?=\s*(?:[?.!,]|$|\s+(?:again|too|also|is|was|be|on|in|for|with|after|before|first)\b)))",
                      re.I)
# "the job", "the unit": a thing named only by the conversation
_GENERIC = re.compile(r"\b(?:the|this|that)\s+(?:job|work|task|procedure|part|unit|machine|equipment|device|thing|process|"
                      r"component|system)\b", re.I)
# Chinese
_ZH_ATTRIBUTES = ("拧紧力矩", "预充压力", "备件号", "零件号", "注意事项", "更换周期", "检查周期", "力矩", "扭矩", "压力",
                  "温度", "周期", "间隔", "容量", "容积", "油量", "用量", "型号", "牌号", "电压", "时间", "步骤", "工具",
                  "规格", "数值", "设定值")
_ZH_VERBS = ("更换", "检查", "拆卸", "拆下", "安装", "清洁", "调整", "排放", "加注", "维修", "拧紧", "打开", "关闭", "测量")
_ZH_ELLIPSIS = re.compile(r"^\s*(?:那么?|还有|另外)?\s*(.+?)\s*(?:的呢|呢)\s*[？?。]?\s*$")
_ZH_PRONOUN = re.compile(r"它的|它|这个|那个|该部件|其")
_ZH_FRAME = re.compile(r"^(?:请问)?|(?:是多少|是什么|是哪个|有哪些|怎么样|多少|什么)?[？?。]?$")


@dataclass(frozen=True)
class Turn:
    """One message of a conversation. `docs`: the documents an assistant message cited (when known)."""

    role: Literal["system", "user", "assistant"]
    content: str
    docs: tuple[str, ...] = ()


@dataclass(frozen=True)
class FollowUp:
    """A question in its conversation: as asked, as searched and answered (`standalone`), and the weight
    of each document cited so far (the latest answer's 1.0, earlier ones less)."""

    question: str
    standalone: str
    docs: Mapping[str, float] = field(default_factory=dict)
    how: Literal["none", "rules", "llm"] = "none"

    @property
    def rewritten(self) -> bool:
        return self.standalone != self.question


def turns(history: Iterable) -> list[Turn]:
    """Turns from dicts ({"role", "content", "docs"?, "citations"?: [{"doc"}]}) or Turns; other roles
    (tool, function) and empty messages are left out."""
    out = []
    for m in history or ():
        if isinstance(m, Turn):
            out.append(m)
            continue
        role, content = m.get("role"), m.get("content")
        if role not in ("system", "user", "assistant") or not isinstance(content, str) or not content.strip():
            continue
        docs = tuple(m.get("docs") or ()) + tuple(c.get("doc") for c in m.get("citations") or () if isinstance(c, dict) and c.get("doc"))
        out.append(Turn(role, content, tuple(dict.fromkeys(docs)) or cited_in(content)))
    return out


def cited_in(text: str) -> tuple[str, ...]:
    """The documents of a "Sources" list as this assistant writes it ("[1] hp3_pump_manual.pdf, p. 3"),
    so that a chat client sending back our own answers keeps the conversation's documents.

    >>> cited_in("25 N·m [1]\\n\\nSources:\\n[1] hp3_quick_reference.md, p. 1")
    ('hp3_quick_reference.md',)
    """
    return tuple(dict.fromkeys(m.group(1).strip() for m in re.finditer(r"^\[\d+\]\s+(.+?),\s+(?:p\.|第)", text, re.M)))


def follow_up(question: str, history: Iterable = (), llm=None) -> FollowUp:
    """The question as it stands in its conversation (see the module doc). Each earlier user question is
    resolved in turn, so a follow-up of a follow-up still finds its subject."""
    hist = turns(history)
    previous = ""
    for t in hist:
        if t.role == "user":
            previous = rewrite(t.content, previous) or t.content
    docs = conversation_docs(hist)
    if not previous:
        return FollowUp(question, question, docs)
    ruled = rewrite(question, previous)
    if ruled:
        return FollowUp(question, ruled, docs, "rules")
    if llm is not None and looks_elliptical(question):
        better = rewrite_with_llm(question, hist, llm)
        if better:
            return FollowUp(question, better, docs, "llm")
    return FollowUp(question, question, docs)


def conversation_docs(hist: list[Turn], decay: float = 0.5) -> dict[str, float]:
    """Document -> weight: 1.0 for the latest answer's documents, `decay` times less per answer before."""
    out: dict[str, float] = {}
    weight = 1.0
    for t in reversed(hist):
        if t.role != "assistant" or not t.docs:
            continue
        for d in t.docs:
            out.setdefault(d, weight)
        weight *= decay
    return out


def rewrite(question: str, previous: str) -> str | None:
    """The follow-up as a standalone question by the rules, or None when it needs no rewrite (or the
    rules do not know how)."""
    q = question.strip()
    if not q or not previous.strip():
        return None
    if _CJK.search(q):
        return _rewrite_zh(q, previous.strip())
    return _rewrite_en(q, previous.strip())


def looks_elliptical(question: str) -> bool:
    """Whether a question leans on an earlier one: a pronoun, a leading "and"/"what about", a generic
    "the job", or too few words of its own."""
    q = question.strip()
    if _CJK.search(q):
        return bool(_ZH_ELLIPSIS.match(q) or _ZH_PRONOUN.search(q)) or len(q) <= 6
    return bool(_LEAD.match(q) or re.match(r"^\s*(?:what|how)\s+about\b", q, re.I) or _PRONOUN.search(q)
                or _GENERIC.search(q) or len(re.findall(r"\w+", q)) <= 3)


# -- English rules


@dataclass(frozen=True)
class _Subject:
    """What a question is about, as spans of it: "What torque for the filter housing cover on the HP-3?"
    has the noun phrase "the filter housing cover on the HP-3", its item "the filter housing cover" (what a
    follow-up names instead), the qualifier "on the HP-3" and the attribute "torque"."""

    np: tuple[int, int]
    item: tuple[int, int]  # the span a follow-up's own thing replaces
    qualifier: str  # " on the HP-3", " of the conveyor gearbox", or ""
    attribute: str

    def phrase(self, q: str) -> str:
        return q[self.np[0]:self.np[1]]


def _subject_en(q: str) -> _Subject | None:
    """The noun phrase after the first determiner (else after a preposition), up to a verb or a
    conjunction; an attribute at the end of its head ("the drain plug torque", "the part number") is
    split off."""
    body = q.rstrip(" ?.!")
    m = (re.search(rf"\b{_DET}\s+", body, re.I) or re.search(r"\b(?:for|of|on|about)\s+", body, re.I)
         or re.search(r"^\w+\s+(?:\w+\s+)?(?:does|do|is|are|was|were|should|must|can)\s+", body, re.I))
    if not m:
        return None
    by_det = re.match(rf"{_DET}\s", m.group(0), re.I)
    start, end = m.start() if by_det else m.end(), len(body)
    for w in list(re.finditer(r"[^\s,;]+", body[m.end():]))[1:]:
        if w.group(0).lower() in _NP_END:
            end = m.end() + w.start()
            break
    np_text = body[start:end].rstrip(" ,")
    end = start + len(np_text)
    split = re.search(r"\s+(?:of|for|on|in|at)\s+", np_text)
    head_end = start + (split.start() if split else len(np_text))
    qualifier = body[head_end:end]
    head = body[start:head_end]
    attr = re.search(r"(?:^|\s)(" + "|".join(re.escape(a) for a in _ATTRIBUTES) + r")s?$", head, re.I)
    if attr:
        item_end = start + attr.start()
        own = _ADJECTIVES.sub("", body[start:item_end]).split()
        # "the part number of X", "the median warning time of X": X is the item
        if len(own) <= (1 if re.match(r"\s+(?:of|for)\s", qualifier) else 0):
            owner = re.match(r"\s+(?:of|for|on|in|at)\s+", qualifier)
            if not owner:
                return None
            return _Subject((start, end), (head_end + owner.end(), end), "", attr.group(1))
        return _Subject((start, end), (start, item_end), qualifier, attr.group(1))
    before = _ATTR_RE.search(body[:start])
    return _Subject((start, end), (start, head_end), qualifier, before.group(1) if before else "")


def _rewrite_en(q: str, previous: str) -> str | None:
    subject = _subject_en(previous)
    if subject is None:
        return None
    rest = _LEAD.sub("", q)
    elliptical = re.match(r"^\s*(?:what|how)\s+about\b|^\s*(?:same|and)\s+for\b|^\s*what\s+of\b", rest, re.I)
    if not elliptical and _QUESTION.match(rest) and len(re.findall(r"\w+", rest)) > 3:
        out = _replace_pronouns(rest, previous, subject)  # a full question: only its pronouns point back
        return _sentence(out) if out else None
    cue = _CUE.match(q)
    x = q[cue.end():].strip(" ?.!") if cue else q.strip(" ?.!")
    if not x or len(re.findall(r"\w+", x)) > 8:
        return None
    swapped = _swap_code(x, previous)
    if swapped:  # "and for a 5/16-18?", "and on the 6.5L?": the same question about another size or model
        return _sentence(swapped)
    item = previous[subject.item[0]:subject.item[1]]
    of_thing = f"of {item}{subject.qualifier}" if item else ""
    if _PRONOUN.search(x):
        if re.search(r"\b(?:what|which|how|when|where|who|why)\b", x, re.I):  # "At what rate were they sampled?"
            return _sentence(_replace_pronouns(rest, previous, subject))
        return _sentence(f"What is {_replace_pronouns(x, previous, subject)}?")
    if re.match(r"^(?:which|what|how)\b", x, re.I):  # "and which grade?"
        return _sentence(f"{x} {of_thing or 'of ' + subject.phrase(previous)}")
    bare = re.sub(rf"^{_DET}\s+", "", x, flags=re.I)
    if _ATTR_RE.fullmatch(bare):  # "and the torque?"
        return _sentence(f"What is the {bare} {of_thing or 'of ' + subject.phrase(previous)}")
    if re.search(r"(?:^|\s)(?:" + "|".join(re.escape(a) for a in _ATTRIBUTES) + r")s?$", bare, re.I):  # "the lockout pressure"
        return _sentence(f"What is the {bare}{subject.qualifier or ' of ' + subject.phrase(previous)}")
    if not re.match(rf"^{_DET}\b", x, re.I) and re.match(rf"^{_DET}\b", item, re.I):
        x = "the " + x
    return _sentence(previous[:subject.item[0]] + x + previous[subject.item[1]:])


_CODE = re.compile(r"(?<![\w./-])[A-Za-z]{0,4}-?\d[\w./-]*(?<![./-])")  # "10-32", "5/16-18", "6.5L", "M10", "HP-3"


def _swap_code(x: str, previous: str) -> str | None:
    """The previous question with its size, model or code replaced by the one the follow-up names, when
    the follow-up is little more than that code ("for a 5/16-18", "on the 6.5L", "the 3/8-16 one"):
    "What is the maximum torque for a 10-32 screw in a rivnut?" -> "... for a 5/16-18 screw in a rivnut?".
    The code replaced is the previous question's code most like it in its letters and separators."""
    codes = _CODE.findall(x)
    words = re.sub(rf"^(?:(?:on|for|in|at|of|with)\s+)?(?:{_DET}\s+)?", "", x.strip(), flags=re.I).split()
    if len(codes) != 1 or len(words) > 2 or (len(words) == 2 and words[1].lower() not in ("one", "model", "engine", "size")):
        return None
    new = codes[0]
    olds = [m for m in _CODE.finditer(previous) if m.group(0) != new]
    if not olds:
        return None
    shape = lambda c: set(re.sub(r"\d", "", c))  # noqa: E731 -- "6.2L" -> {".", "L"}
    best = max(olds, key=lambda m: len(shape(m.group(0)) & shape(new)) - 0.01 * olds.index(m))
    return previous[:best.start()] + new + previous[best.end():]


def _replace_pronouns(q: str, previous: str, subject: _Subject) -> str | None:
    thing = previous[subject.item[0]:subject.item[1]] + subject.qualifier

    def sub(m: re.Match) -> str:
        if m.group(1):  # "its torque" -> "the torque of X"
            return f"the {m.group(2)} of {thing}"
        return thing

    out, n = _PRONOUN.subn(sub, q)
    return out if n else None


def _sentence(s: str) -> str:
    s = re.sub(r"\s+", " ", s).strip()
    s = s[:1].upper() + s[1:]
    return s if s.endswith(("?", ".", "!")) else s + "?"


# -- Chinese rules


def _subject_zh(q: str) -> tuple[str, str]:
    """(the thing, the attribute asked about) of a Chinese question, e.g. ("滤壳盖", "拧紧力矩")."""
    body = _ZH_FRAME.sub("", q.strip())
    for a in _ZH_ATTRIBUTES:
        i = body.find(a)
        if i > 0:
            return body[:i].rstrip("的 "), a
    for v in _ZH_VERBS:
        i = body.find(v)
        if i >= 0 and body[i + len(v):].strip():
            return body[i + len(v):].strip("的 "), ""
    return body.strip(), ""


def _rewrite_zh(q: str, previous: str) -> str | None:
    thing, attribute = _subject_zh(previous)
    if not thing:
        return None
    m = _ZH_ELLIPSIS.match(q)
    if m:
        x = m.group(1).strip()
        if x in _ZH_ATTRIBUTES or (_ZH_PRONOUN.match(x) and any(x.endswith(a) for a in _ZH_ATTRIBUTES)):
            x = _ZH_PRONOUN.sub("", x).lstrip("的")
            return f"{thing}的{x}是{'什么' if x in ('步骤', '工具', '注意事项', '型号', '牌号') else '多少'}？"
        code = re.match(r"\s*([A-Za-z][A-Za-z0-9\-]*\d[A-Za-z0-9\-]*)", thing)  # "HP-3 用什么液压油？" -> "HP-3"
        if not attribute and code and any(x.endswith(a) for a in _ZH_ATTRIBUTES):
            return f"{code.group(1)} 的{x}是多少？"
        if thing in previous:
            return previous.replace(thing, x, 1)
        return None
    if _ZH_PRONOUN.search(q):
        return _ZH_PRONOUN.sub(lambda p: thing + ("的" if p.group(0) == "它的" else ""), q, count=1)
    return None


# -- the language model, where the rules leave a follow-up as it is


def rewrite_with_llm(question: str, hist: list[Turn], llm) -> str | None:
    """The model's standalone version of the follow-up, kept only when it is one short line that keeps
    the follow-up's own content words (a rewrite may add the subject, never drop what was asked)."""
    from .errors import AssistantError
    from .index.lexical import tokenize
    from .llm.prompts import load_prompt

    lang = "zh" if _CJK.search(question) else "en"
    recent = "\n".join(f"{t.role}: {' '.join(t.content.split())[:300]}" for t in hist[-6:] if t.role != "system")
    try:
        reply = llm.chat(load_prompt("condense", lang).render(history=recent, question=question), 80)
    except AssistantError as exc:
        log.info("no model rewrite of the follow-up (%s)", exc)
        return None
    # small models may echo the prompt's layout: the text after its last "Standalone question:" is the rewrite
    tail = re.split(r"Standalone question:|完整问题[:：]", reply or "")[-1].strip()
    line = tail.splitlines()[0].strip(' "“”') if tail else ""
    if not line or len(line) > 300 or not set(tokenize(question)) <= set(tokenize(line)) | set(tokenize(recent)):
        return None
    return line


# -- around an answer


class DocBoost:
    """A retriever whose searches weigh up the conversation's documents (Retriever.search's `boost`,
    passed on by the scoped and timed wrappers): wraps any retriever, made per question."""

    def __init__(self, inner, docs: Mapping[str, float]):
        self.inner, self.docs = inner, dict(docs)

    def search(self, query: str, k: int = 10, filters=None):
        return self.inner.search(query, k, filters, boost=self.docs)

    def __getattr__(self, name):
        return getattr(self.inner, name)


def boosted(retriever, turn: FollowUp | None):
    return DocBoost(retriever, turn.docs) if turn is not None and turn.docs else retriever


@dataclass(frozen=True)
class FollowUpAnswer(Answer):
    """An Answer to a follow-up: `question` as asked, `standalone` as searched and answered; its JSON adds
    "standalone_question" only when the two differ."""

    standalone: str = ""

    @classmethod
    def of(cls, answer: Answer, turn: FollowUp) -> "FollowUpAnswer":
        values = {f.name: getattr(answer, f.name) for f in fields(Answer)}
        return cls(**(values | {"question": turn.question}), standalone=turn.standalone)

    def to_json(self) -> dict:
        out = super().to_json()
        if self.standalone and self.standalone != self.question:
            out["standalone_question"] = self.standalone
        return out
