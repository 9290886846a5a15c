"""Text for the ear: at most `limit` characters of plain, speakable sentences in the question's
language, naming its source the way a colleague would ("page 1 of the HP3 quick reference").

>>> answer_speech("- Filter housing cover torque: **25 N·m**", [("hp3_quick_reference.md", 1)], "en")
'Filter housing cover torque: 25 newton metres. Source: page 1 of the HP3 quick reference.'
>>> fit("One. Two is longer. Three.", 12)
'One.'
"""
from __future__ import annotations

import re
from pathlib import PurePosixPath

from ..textrules import HAZARD_LEVELS, sentence_spans, signal_words

MSG = {
    "en": {
        "source": "Source: page {page} of the {doc}.", "refused": "The manuals in the library do not cover this question.",
        "closest": "The closest source is page {page} of the {doc}.", "more_warnings": "Read the safety warning on screen first.",
        "answer_warning": "Warning: {text}", "step": "Step {n} of {total}.", "card": "{title}. {total} steps.",
        "no_card": "There is no active step card. Ask how to do a task first, for example: how do I replace the filter element?",
        "expired": "Your session has expired, so there is no active step card. Ask how to do the task again.",
        "last": "That was the last step.", "first": "This is the first step.", "range": "This card has {total} steps.",
        "no_procedure": "I found no step-by-step procedure for that.", "danger": "Danger: {text}", "warning": "Warning: {text}",
        "caution": "Caution: {text}",
    },
    "zh": {
        "source": "来源：{doc}第{page}页。", "refused": "资料库中的手册没有涉及这个问题。",
        "closest": "最接近的来源是{doc}第{page}页。", "more_warnings": "请先阅读屏幕上的安全警告。",
        "answer_warning": "警告：{text}", "step": "第{n}步，共{total}步。", "card": "{title}。共{total}步。",
        "no_card": "当前没有步骤卡。请先问怎么做一项工作，例如：如何更换滤芯？",
        "expired": "会话已过期，没有当前步骤卡。请重新询问这项工作怎么做。",
        "last": "这是最后一步。", "first": "这是第一步。", "range": "这张卡共有{total}步。",
        "no_procedure": "没有找到这项工作的操作步骤。", "danger": "危险：{text}", "warning": "警告：{text}", "caution": "注意：{text}",
    },
}
_UNITS = {
    "en": [(r"\s?N\s?[·.⋅]?\s?m\b", " newton metres"), (r"\s?°\s?C\b", " degrees Celsius"), (r"\s?°\s?F\b", " degrees Fahrenheit"),
           (r"\s?[µμ]m\b", " micrometres"), (r"\s?mm\b", " millimetres"), (r"\s?kW\b", " kilowatts"),
           (r"\s?l/min\b", " litres per minute"), (r"\s?rpm\b", " R P M"), (r"\s?±\s?", " plus or minus ")],
    "zh": [(r"\s?N\s?[·.⋅]?\s?m\b", "牛米"), (r"\s?°\s?C\b", "摄氏度"), (r"\s?[µμ]m\b", "微米"), (r"\s?mm\b", "毫米"),
           (r"\s?kW\b", "千瓦"), (r"\s?l/min\b", "升每分钟"), (r"\s?±\s?", "正负")],
}


# what a hazard says aloud must read as one ("Never open...", "WARNING: ..."); other notes the
# answerer attached (checklist lines, table rows) are only pointed to
SIGNAL = re.compile(rf"(?i)(?:{signal_words(HAZARD_LEVELS)}|never|do not|don't|always|严禁|嚴禁|禁止|切勿)")
SIGNAL_WORD = re.compile(rf"(?i)^(?:{signal_words(HAZARD_LEVELS)})\s*[:：!！]?\s*")


def msg(lang: str, key: str, **kw) -> str:
    return MSG.get(lang, MSG["en"])[key].format(**kw)


def plain(text: str, lang: str = "en") -> str:
    """Markdown, table bars, citation marks and links out; units spelled the way they are said;
    each line a sentence."""
    t = re.sub(r"https?://\S+", "", text)
    t = re.sub(r"\[(?:\d+(?:,\s*\d+)*)\]", "", t)  # [1], [1, 2]
    t = re.sub(r"\*\*|__|`", "", t)
    lines = []
    for line in t.splitlines():
        line = re.sub(r"^\s*(?:#+|[-*•]|\d+[.)](?=\s))\s*", "", line)  # headings, list markers
        line = re.sub(r"\s*\|\s*", ", ", line.strip().strip("|")).strip(" ,")
        if line:
            lines.append(line)
    if len(lines) > 1:
        lines = [sentence(x, lang) for x in lines]
    t = join(lines, lang)
    for pat, rep in _UNITS["zh" if lang == "zh" else "en"]:
        t = re.sub(r"(?<=\d)" + pat, rep, t)
    return " ".join(t.split())


def sentence(text: str, lang: str = "en") -> str:
    """`text` ending in a full stop."""
    text = text.strip()
    if not text or text[-1] in ".!?。！？":
        return text
    return text + ("。" if lang == "zh" or re.search(r"[\u3400-\u9fff]$", text) else ".")


def fit(text: str, limit: int) -> str:
    """Whole sentences of `text` up to `limit` characters; a first sentence too long is cut at a word."""
    if len(text) <= limit:
        return text
    ends = [e for _, e in sentence_spans(text, stops=".!?。！？", guarded=False, lines=False) if e <= limit]
    if ends:
        return text[: ends[-1]].strip()
    cut = text[: limit - 1]
    if " " in cut and not re.search(r"[\u3400-\u9fff]", cut[-10:]):
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:") + "…"


def doc_name(doc: str) -> str:
    """'hp3_pump_manual.pdf' -> 'HP3 pump manual': the file name as words, codes in capitals."""
    words = re.split(r"[_\-.\s]+", PurePosixPath(doc).stem)
    return " ".join(w.upper() if re.search(r"\d", w) and re.search(r"[a-z]", w, re.IGNORECASE) else w for w in words if w)


def join(parts: list[str], lang: str) -> str:
    return ("" if lang == "zh" else " ").join(p for p in parts if p)


def answer_speech(answer: str, sources: list[tuple[str, int]], lang: str, limit: int = 280, *, refused: bool = False,
                  warnings: list[str] = ()) -> str:
    """What to say for an answer: its text (or the refusal), a safety warning if there is room, its source."""
    if refused:
        tail = msg(lang, "closest", page=sources[0][1], doc=doc_name(sources[0][0])) if sources else ""
        return fit(join([msg(lang, "refused"), tail], lang), limit)
    tail = msg(lang, "source", page=sources[0][1], doc=doc_name(sources[0][0])) if sources else ""
    body_limit = limit - len(tail) - 1
    body = fit(sentence(plain(answer, lang), lang), body_limit)
    if warnings:
        said = [w for w in (plain(x, lang) for x in warnings) if SIGNAL.match(w)]
        w = sentence(msg(lang, "answer_warning", text=SIGNAL_WORD.sub("", said[0])), lang) if said else ""
        extra = w if w and len(body) + len(w) + 1 <= body_limit else msg(lang, "more_warnings")
        if len(body) + len(extra) + 1 <= body_limit:
            body = join([body, extra], lang)
    return join([body, tail], lang)


def step_speech(card, index: int, lang: str, limit: int = 280, *, intro: bool = False, prefix: str = "") -> str:
    """What to say for step `index` (0-based) of a card: its number, the warnings that stand before
    it, its instruction. With `intro`, the card's title and step count come first. Warnings are
    never cut: when they do not fit whole, the technician is told to read them on screen."""
    step, total = card.steps[index], len(card.steps)
    title = re.sub(r"^[\d.]+\s+|^[（(]?[一二三四五六七八九十\d]+[)）、.]\s*", "", plain(card.title, lang)).rstrip(".。")
    head = [prefix, msg(lang, "card", title=title, total=total) if intro else "",
            msg(lang, "step", n=step.number, total=total)]
    if step.part:  # a part of the task opens at this step: its title first ("Seal Pressure Adjustment.")
        text = plain(step.part.text, lang)
        head.append(sentence(text[slice(*sentence_spans(text)[0])] if sentence_spans(text) else text, lang))
    head_text = join(head, lang)
    instruction = sentence(plain(step.instruction, lang), lang)
    warns = [sentence(msg(lang, w.level, text=SIGNAL_WORD.sub("", plain(w.text, lang))), lang) for w in step.warnings
             if w.level in ("danger", "warning", "caution")]
    said = join([head_text, *warns, instruction], lang)
    if len(said) <= limit:
        return said
    if warns:
        head_text = join([head_text, msg(lang, "more_warnings")], lang)
    return fit(join([head_text, fit(instruction, max(limit - len(head_text) - 1, 40))], lang), limit)
