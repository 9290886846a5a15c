"""What a spoken request wants: to move through the active step card, a step card for a task, or an
answer. English and Chinese; the transcript is matched whole, so "next step" navigates but "what is
the next step after bleeding the pump?" is a question.

>>> parse("Go to step three.")
Intent(kind='goto', step=3, task='')
>>> parse("第三步")
Intent(kind='goto', step=3, task='')
>>> parse("第三部")   # heard by sound: 部 sounds like 步
Intent(kind='goto', step=3, task='')
>>> parse("How do I replace the return-line filter element?").task
'replace the return-line filter element'
>>> parse("What torque for the filter housing cover?").kind
'question'
>>> parse("Yes."), parse("不是")
(Intent(kind='yes', step=None, task=''), Intent(kind='no', step=None, task=''))
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

Kind = Literal["next", "previous", "repeat", "goto", "yes", "no", "card", "question"]
LAST = -1  # step number meaning "the last step"
MAX_COMMAND_CHARS = 10  # a Chinese command is short: only that is matched by sound


@dataclass(frozen=True)
class Intent:
    kind: Kind
    step: int | None = None  # for goto: 1-based, or LAST
    task: str = ""  # for card: the task to draft a card for

    @property
    def navigation(self) -> bool:
        return self.kind in ("next", "previous", "repeat", "goto", "yes", "no")


_WORDS = {"one": 1, "won": 1, "first": 1, "two": 2, "to": 2, "too": 2, "second": 2, "three": 3, "third": 3, "four": 4,
          "for": 4, "fourth": 4, "five": 5, "fifth": 5, "six": 6, "sixth": 6, "seven": 7, "seventh": 7, "eight": 8,
          "eighth": 8, "nine": 9, "ninth": 9, "ten": 10, "tenth": 10, "eleven": 11, "eleventh": 11, "twelve": 12,
          "twelfth": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
          "nineteen": 19, "twenty": 20, "twentieth": 20, "thirty": 30, "last": LAST, "final": LAST}
_ZH_DIGITS = {"零": 0, "一": 1, "二": 2, "两": 2, "兩": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}

_FILLER = r"(?:(?:ok|okay|alright|all right|so|now|and|hey|um|uh|assistant|please|then|yes|yeah)\s+)*"
_TAIL = r"(?:\s+(?:please|now|thanks|thank you))*"
_NUM = r"(?P<n>\d{1,3}|[a-z]+(?:[ -][a-z]+)?)"
_EN = [
    ("next", r"(?:(?:go|move|skip) (?:on )?to |show(?: me)? |give me |read(?: me)? )?(?:the )?next(?: steps?| one| please)?"
             r"|continue|proceed|go on|move on|carry on|(?:step )?(?:done|complete|completed|finished)|i'?m done"),
    ("previous", r"(?:go |step )?back(?: one step| a step| one)?|(?:go (?:back )?to |show(?: me)? |read(?: me)? )?(?:the )?"
                 r"previous(?: steps?| one)?|(?:go back|back up)"),
    ("repeat", r"repeat(?: that| it| this| the step| this step| step| the last step| please)?|say (?:that |it )?again|"
               r"(?:read (?:that|it|the step) )?again|what was that|come again|pardon(?: me)?|sorry what"),
    # "<a word or two> to step N": Whisper hears a short "go to" as "out to", "head out to", "code
    # to", "don't a", "note the"... (measured on Piper speech in several voices and on AVX2 and AVX-512
    # kernels: tests/test_voice.py); a short phrase that ends in "step N" asks for step N
    ("goto", r"(?:(?:[a-z']+ ){1,2}(?:to|a|the) |goto |show(?: me)? |read(?: me)? |open )?(?:the )?step "
             r"(?:number )?" + _NUM + r"|(?:(?:go|jump|skip|move) (?:back )?to |show(?: me)? |read(?: me)? )?(?:the )?"
             r"(?P<o>first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|last|final) step"),
    # the answer to a decision step's question ("Is the pressure above 4.5 bar?"): its branches say where to go
    ("yes", r"yes|yeah|yep|yup|correct|affirmative|(?:yes )?it (?:is|does|has)|that'?s right"),
    ("no", r"no|nope|negative|(?:no )?it (?:is|does|has)(?:n't| not)|not really"),
]
_ZH = [
    ("next", r"下一步|下一个|下一個|下一條|下一条|继续|繼續|完成了?|好了|做完了"),
    ("previous", r"上一步|上一个|上一個|返回|后退|後退|回到上一步"),
    ("repeat", r"重复(?:一遍|一下)?|重複(?:一遍|一下)?|再说一遍|再說一遍|再来一遍|再來一遍|再讲一遍|再講一遍|没听清|沒聽清"),
    ("goto", r"(?:跳到|转到|轉到|回到|去|到|看|显示|顯示)?第(?P<n>[0-9零一二两兩三四五六七八九十百]+)步|(?:跳到|转到|轉到|回到|到)?(?P<o>最后一步|最後一步)"),
    ("yes", r"是的?|对的?|對的?|没错|沒錯|正确|正確"),
    ("no", r"不是|否|不对|不對|没有|沒有|不"),
]
_EN_RE = [(k, re.compile(_FILLER + "(?:" + p + ")" + _TAIL)) for k, p in _EN]
_ZH_RE = [(k, re.compile(r"(?:好的|好|请|請|那么|那麼|嗯|然后|然後)*(?:" + p + r")(?:吧|了|谢谢|謝謝)*")) for k, p in _ZH]
_CARD_EN = re.compile(
    r"^" + _FILLER + r"(?:how (?:do|can|should|would|will|must) (?:i|we|you|one)|how (?:to|does one)|show me how to|"
    r"tell me how to|walk me through(?: how to)?|guide me through(?: how to)?|what are the steps (?:to|for)|"
    r"(?:give me )?(?:the )?steps (?:to|for)|(?:what is |what's )?the procedure (?:to|for)|i need to|i want to)\s+(?P<task>.+)$")
_CARD_ZH = re.compile(r"(?:如何|怎么样?|怎麼樣?|怎样|怎樣|怎么做|怎麼做|步骤是|步驟是|教我|我要|我需要)(?P<task>.+)")


def parse(text: str) -> Intent:
    """The intent of one transcript (see the module doc)."""
    if re.search(r"[\u3400-\u9fff]", text):
        return _parse_zh(text)
    norm = " ".join(re.sub(r"[^\w' -]+", " ", text.lower()).replace("-", " ").split())
    for kind, rx in _EN_RE:
        m = rx.fullmatch(norm)
        if m:
            return _nav(kind, m, _en_number)
    clean = " ".join(re.sub(r"[?!.,;:]+$", "", text.strip()).split())
    m = _CARD_EN.match(re.sub(r"[,;:]", " ", clean.lower()))  # same length: offsets stay valid
    if m:  # the task as spoken, keeping its hyphens and case
        return Intent("card", task=clean[m.start("task"):].strip())
    return Intent("question")


def _parse_zh(text: str) -> Intent:
    norm = re.sub(r"[\s，。？！、,.?!：:；;“”\"']+", "", text)
    for form in (norm, _by_sound(norm)):
        for kind, rx in _ZH_RE:
            m = rx.fullmatch(form)
            if m:
                return _nav(kind, m, _zh_number)
    m = _CARD_ZH.search(norm)
    if m and len(m.group("task")) >= 2:
        return Intent("card", task=m.group("task"))
    return Intent("question")


def _by_sound(norm: str) -> str:
    """A short utterance with the words that sound like a command written as the command: a recogniser
    hears "下一部", "重負", "车腹" or "第三部" for 下一步, 重复, 重复, 第三步 (zhfix.py). Longer text is left alone."""
    if len(norm) > MAX_COMMAND_CHARS:
        return norm
    try:
        from .zhfix import COMMANDS, correct, near_command, sounds_like
    except ImportError:
        return norm
    try:
        fixed = near_command(norm) or correct(norm, COMMANDS)
        m = re.fullmatch(r"(.*?)(.)([0-9零一二两兩三四五六七八九十百]+)(.)(.*)", fixed)
        if m and sounds_like(m.group(2), "第") and sounds_like(m.group(4), "步"):
            fixed = f"{m.group(1)}第{m.group(3)}步{m.group(5)}"
        return fixed
    except ImportError:  # pypinyin (the [voice] extra) is not installed: the written form only
        return norm


def _nav(kind: str, m: re.Match, number) -> Intent:
    if kind != "goto":
        return Intent(kind)  # type: ignore[arg-type]
    word = m.groupdict().get("o") or m.groupdict().get("n")
    n = LAST if word in ("last", "final", "最后一步", "最後一步") else number(word or "")
    return Intent("goto", step=n) if n is not None and (n == LAST or n >= 1) else Intent("question")


def _en_number(word: str) -> int | None:
    """'3' -> 3, 'three' -> 3, 'twenty one' -> 21, 'third' -> 3."""
    if word.isdigit():
        return int(word)
    parts = re.split(r"[ -]", word)
    if not all(p in _WORDS for p in parts):
        return None
    vals = [_WORDS[p] for p in parts]
    if len(vals) == 2 and vals[0] in (20, 30) and 1 <= vals[1] <= 9:
        return vals[0] + vals[1]
    return vals[0] if len(vals) == 1 else None


def _zh_number(word: str) -> int | None:
    """'3' -> 3, '三' -> 3, '十二' -> 12, '二十一' -> 21, '一百' -> 100."""
    if word.isdigit():
        return int(word)
    total, cur = 0, 0
    for ch in word:
        if ch in _ZH_DIGITS:
            cur = _ZH_DIGITS[ch]
        elif ch == "十":
            total += (cur or 1) * 10
            cur = 0
        elif ch == "百":
            total += (cur or 1) * 100
            cur = 0
        else:
            return None
    return total + cur
