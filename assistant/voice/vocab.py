"""Words for Whisper to expect: a short maintenance sentence plus the equipment codes the library's
titles and headings use most ("HP-3", "CB-12"). Given to faster-whisper as `hotwords`, they turn
"talk for the filter housing" into "torque for the filter housing" and "HP3" into "HP-3".

For Chinese, `zh_vocab()` gives Whisper a Chinese prompt with the library's most frequent Chinese
terms and codes, and the terms that transcripts are corrected toward by sound (zhfix.py).

>>> phrase(["HP-3"], "Maintenance questions about torque, filter elements, lockout and bearings.")
'Maintenance questions about the HP-3: torque, filter elements, lockout and bearings.'
"""
from __future__ import annotations

import collections
import json
import re
import threading
from dataclasses import dataclass

CODE = re.compile(r"\b[A-Z]{1,5}-\d{1,4}[A-Z]?\b")
MAX_CODES = 4
MAX_ZH_TERMS = 300  # the library's Chinese words that transcripts are corrected toward
MAX_ZH_PROMPT_TERMS = 12
_cache: dict[tuple, str] = {}
_lock = threading.Lock()


def hotwords(library, base: str) -> str:
    """`base` with the library's most frequent equipment codes worked in; cached per library generation."""
    if not base or library is None:
        return base
    try:
        key = (id(library), library.store.generation(), base)
    except Exception:  # a library without a store (tests, adapters): the base phrase alone
        return base
    with _lock:
        if key not in _cache:
            if len(_cache) > 16:
                _cache.clear()
            _cache[key] = phrase(codes(library), base)
        return _cache[key]


def codes(library, rows: int = 5000) -> list[str]:
    db = library.store.db
    counts: collections.Counter[str] = collections.Counter()
    for (title,) in db.execute("SELECT title FROM documents"):
        counts.update(set(CODE.findall(title or "")))
    for (section,) in db.execute("SELECT section FROM chunks LIMIT ?", (rows,)):
        counts.update(set(CODE.findall(" ".join(json.loads(section or "[]")))))
    return [c for c, n in counts.most_common(MAX_CODES) if n >= 2]


def phrase(codes: list[str], base: str) -> str:
    if not codes:
        return base
    names = " and ".join([", ".join(codes[:-1]), codes[-1]] if len(codes) > 1 else codes)
    m = re.match(r"(.*?\babout) (.*)$", base)
    if not m:
        return f"{base} Equipment: {names}."
    return f"{m.group(1)} the {names}: {m.group(2)}"


@dataclass(frozen=True)
class ZhVocab:
    """What Chinese recognition is told (`prompt`, Whisper's initial prompt) and corrected toward (`terms`)."""

    prompt: str
    terms: tuple[str, ...]


def zh_vocab(library, base: str) -> ZhVocab:
    """The Chinese prompt (`base` plus the library's most frequent Chinese terms and codes) and the
    correction terms (the built-in maintenance words and commands plus the library's); cached per
    library generation."""
    from .zhfix import COMMANDS, MAINTENANCE_TERMS

    builtin = (*MAINTENANCE_TERMS, *COMMANDS)
    try:
        key = ("zh", id(library), library.store.generation(), base)
    except Exception:  # no library (tests, adapters): the built-in words alone
        return ZhVocab(base, builtin)
    with _lock:
        if key not in _cache:
            if len(_cache) > 16:
                _cache.clear()
            words = zh_terms(library)
            # the prompt names the longer terms (液压站, 拧紧力矩): two-character words are common enough
            # that Whisper knows them, and prompted they pull similar-sounding words toward themselves
            long_words = [w for w in words if len(w) >= 3][:MAX_ZH_PROMPT_TERMS]
            _cache[key] = ZhVocab(zh_phrase(base, long_words, codes(library)),
                                  tuple(dict.fromkeys((*builtin, *words))))
        return _cache[key]  # type: ignore[return-value]


def zh_terms(library, rows: int = 5000) -> list[str]:
    """The library's Chinese words of two to six characters that occur at least twice (jieba's cut of
    Chinese titles, headings and text), most frequent first."""
    try:
        import jieba
    except ImportError:
        return []
    from .zhfix import quiet_jieba

    quiet_jieba()
    db = library.store.db
    counts: collections.Counter[str] = collections.Counter()
    texts = [t or "" for (t,) in db.execute("SELECT title FROM documents")]
    texts += [" ".join(json.loads(sec or "[]")) + " " + (text or "")
              for sec, text in db.execute("SELECT section, text FROM chunks WHERE language = 'zh' LIMIT ?", (rows,))]
    han = re.compile(r"[\u4e00-\u9fff]+")
    for text in texts:
        words = jieba.lcut(text)
        counts.update(w for w in words if 2 <= len(w) <= 6 and han.fullmatch(w))
        # two words that go together (滤芯 堵塞 -> 滤芯堵塞): a longer term is matched more safely
        counts.update(a + b for a, b in zip(words, words[1:]) if han.fullmatch(a + b) and 4 <= len(a + b) <= 6)
    return [w for w, n in counts.most_common(MAX_ZH_TERMS) if n >= 2]


def zh_phrase(base: str, words: list[str], code_list: list[str]) -> str:
    """`base` followed by the terms and codes, as one Chinese sentence.

    >>> zh_phrase("以下是设备维护的问题。", ["滤芯", "液压站"], ["HP-3"])
    '以下是设备维护的问题。相关词语：滤芯、液压站、HP-3。'
    """
    if not base:
        return ""
    extra = [*words, *code_list]
    return f"{base}相关词语：{'、'.join(extra)}。" if extra else base
