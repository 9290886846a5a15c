"""Chinese transcripts put right by sound: a recogniser that is unsure of a Mandarin word writes a
word that sounds like it ("宁静力矩" for 拧紧力矩, "下一部" for 下一步). Each run of Chinese
characters whose toneless pinyin matches a known term (the library's own words, the maintenance
terms and the spoken commands) is replaced by the term. Matching forgives the sounds Mandarin
speakers and small recognisers mix up (n/l, zh/z, ch/c, sh/s, -ing/-in, -eng/-en, -ang/-an) and,
in terms of four or more syllables, one more syllable that shares its initial or its final.

>>> correct("宁静力矩是多少", ["拧紧力矩"])
'拧紧力矩是多少'
>>> correct("下一部", COMMANDS)
'下一步'
>>> correct("今天天气很好", ["拧紧力矩"])   # nothing sounds like a term: left alone
'今天天气很好'

Terms are at least two characters: one syllable alone matches too much to be safe.
"""
from __future__ import annotations

import re
import threading
from functools import lru_cache

HAN = re.compile(r"[\u3400-\u9fff]+")
# the words a technician says to the voice and about the equipment, besides the library's own
COMMANDS = ("下一步", "上一步", "重复", "再说一遍", "完成", "继续", "最后一步", "跳到", "回到", "返回")
MAINTENANCE_TERMS = (
    "滤芯", "回油滤芯", "滤壳", "滤壳盖", "滤清器", "拧紧力矩", "力矩", "扭力扳手", "套筒扳手", "液压站", "液压油", "油箱",
    "油位", "油温", "蓄能器", "泄压阀", "泄压", "压力表", "工作压力", "压差", "报警", "挂牌上锁", "主隔离开关", "警示牌",
    "挂锁", "更换", "拆下", "安装", "检查", "密封圈", "密封面", "轴承", "减速箱", "齿轮箱", "联轴器", "断路器", "变压器",
    "电机", "泵", "阀门", "冷却器", "翅片", "维护记录", "作业指导书", "维修", "保养", "停机", "启动", "振动", "异响",
    "预充压力", "金属颗粒", "压缩空气", "接油盘", "无绒抹布", "护目镜", "丁腈手套",
)
_FUZZY_INITIALS = (("zh", "z"), ("ch", "c"), ("sh", "s"), ("n", "l"))
_FUZZY_FINALS = (("iang", "ian"), ("uang", "uan"), ("ing", "in"), ("eng", "en"), ("ang", "an"))
_lock = threading.Lock()


def syllables(text: str) -> tuple[str, ...]:
    """Toneless, fuzzy pinyin of each character of `text` (Chinese characters only)."""
    return tuple(_fuzzy(p) for p in _pinyin(text))


def correct(text: str, terms) -> str:
    """`text` with every run of characters that sounds like one of `terms` replaced by that term
    (longest terms first; a character is replaced at most once)."""
    index = _index(tuple(sorted(set(terms))))
    if not index or not HAN.search(text):
        return text
    out = []
    last = 0
    for run in HAN.finditer(text):
        out.append(text[last:run.start()])
        out.append(_fix_run(run.group(0), index))
        last = run.end()
    out.append(text[last:])
    return "".join(out)


def _fix_run(run: str, index: dict[int, dict[tuple[str, ...], str]]) -> str:
    heard = [_readings(ch) for ch in run]
    done = [False] * len(run)
    chars = list(run)
    for size in sorted(index, reverse=True):
        if size > len(run):
            continue
        for i in range(len(run) - size + 1):
            if any(done[i:i + size]):
                continue
            term = _match(heard[i:i + size], index[size])
            if term is not None and term != run[i:i + size] and _known_at(run, i, size, term, index):
                continue  # the near match would overwrite a word that is itself a term (压差 is not 压力)
            if term is not None:
                chars[i:i + size] = list(term)
                done[i:i + size] = [True] * size
    return "".join(chars)


def _match(window: list[frozenset[str]], terms: dict[tuple[str, ...], str]) -> str | None:
    """The term whose syllables the window's characters can be read as (any of their readings);
    failing that, in a term of four or more syllables, one syllable off but alike in sound."""
    near = None
    for key, term in terms.items():
        off = [k for k, (want, can) in enumerate(zip(key, window)) if want not in can]
        if not off:
            return term
        if near is None and len(off) == 1 and len(key) >= 4 and any(_alike(key[off[0]], r) for r in window[off[0]]):
            near = term
    return near


def _known_at(run: str, i: int, size: int, term: str, index) -> bool:
    """Whether a known term other than `term` is written in run[i:i+size] over a character `term` would change."""
    changed = [k for k in range(size) if run[i + k] != term[k]]
    for n, terms in index.items():
        for other in terms.values():
            start = run.find(other, max(0, i - n + 1), i + size + n - 1)
            while start != -1 and start < i + size:
                if any(start <= i + k < start + n for k in changed):
                    return True
                start = run.find(other, start + 1, i + size + n - 1)
    return False


def near_command(text: str, commands=COMMANDS) -> str | None:
    """The two-character command that `text` (two characters) sounds nearly like: one syllable the
    same, the other with the same initial ("车腹" -> 重复: che ~ chong). Only two-character commands:
    in 下一步 and 上一步 the one syllable that differs is the one that tells them apart."""
    if len(text) != 2 or not HAN.fullmatch(text):
        return None
    heard = [_readings(ch) for ch in text]
    found = []
    for cmd in commands:
        if len(cmd) != 2:
            continue
        key = syllables(cmd)
        same = [k in h for k, h in zip(key, heard)]
        if all(same):
            return cmd
        if sum(same) == 1:
            k = same.index(False)
            if any(_initial(key[k]) and _initial(key[k]) == _initial(r) for r in heard[k]):
                found.append(cmd)
    return found[0] if len(found) == 1 else None


def sounds_like(ch: str, target: str) -> bool:
    """Whether character `ch` can be read as (fuzzy) the reading of `target`: sounds_like("部", "步")."""
    return bool(_readings(ch) & _readings(target))


@lru_cache(maxsize=8192)
def _readings(ch: str) -> frozenset[str]:
    from pypinyin import Style, pinyin

    with _lock:
        got = pinyin(ch, style=Style.NORMAL, heteronym=True, errors=lambda s: ["?"])
    return frozenset(_fuzzy(p) for p in got[0]) if got else frozenset()


def _alike(a: str, b: str) -> bool:
    """Two (fuzzy) syllables that share their initial or their final: 'ju' and 'jiu', 'li' and 'ni',
    'wei' and 'hui' (both end in -uei)."""
    ia, ib = _initial(a), _initial(b)
    return (ia == ib and ia not in ("y", "w")) or _final(a) == _final(b)


_SPELLED = {"yi": "i", "wu": "u", "yu": "v", "you": "iou", "yin": "in", "ying": "in", "yun": "vn", "yue": "ve",
            "yuan": "van", "wei": "uei", "wen": "uen"}


def _final(p: str) -> str:
    """The final of a pinyin syllable as it sounds: y-/w- spellings and the contractions -ui, -iu, -un undone."""
    if p in _SPELLED:
        return _SPELLED[p]
    if p[:1] == "y":
        return "i" + p[1:]
    if p[:1] == "w":
        return "u" + p[1:]
    rest = p[len(_initial(p)):]
    return {"ui": "uei", "iu": "iou", "un": "uen"}.get(rest, rest)


def _initial(p: str) -> str:
    m = re.match(r"(?:[zcs]h|[bpmfdtnlgkhjqxrzcsyw])", p)
    return m.group(0) if m else ""


@lru_cache(maxsize=8)
def _index(terms: tuple[str, ...]) -> dict[int, dict[tuple[str, ...], str]]:
    index: dict[int, dict[tuple[str, ...], str]] = {}
    for term in terms:
        if len(term) < 2 or not HAN.fullmatch(term):
            continue
        index.setdefault(len(term), {}).setdefault(syllables(term), term)
    return index


def _pinyin(text: str) -> list[str]:
    from pypinyin import Style, lazy_pinyin

    with _lock:  # pypinyin's segmenter is not documented as thread-safe
        return lazy_pinyin(text, style=Style.NORMAL, errors=lambda s: ["?"] * len(s))


@lru_cache(maxsize=4096)
def _fuzzy(p: str) -> str:
    for a, b in _FUZZY_INITIALS:
        if p.startswith(a):
            p = b + p[len(a):]
            break
    for a, b in _FUZZY_FINALS:
        if p.endswith(a):
            p = p[: -len(a)] + b
            break
    return p


def quiet_jieba() -> None:
    """jieba logs its dictionary loading at INFO on the root handler; keep it out of the service's log."""
    import logging

    logging.getLogger("jieba").setLevel(logging.WARNING)
    try:
        import jieba

        jieba.setLogLevel(logging.WARNING)
    except ImportError:
        pass
