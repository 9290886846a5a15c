"""The evaluation rules of the shared dev sets (see README "Evaluation"), implemented once and used by
`assistant eval`: answer-coverage relevance for retrieval, token recall/F1 for answers, step and tool
coverage for cards.

>>> words("Tighten to 25 N·m; 滤壳拧紧")
['tighten', '25', 'n', 'm', '滤壳', '壳拧', '拧紧']
"""
from __future__ import annotations

import re

STOP = set("a an the of to in on for and or is are be by with from at as it this that your you can will may if then into out up".split())


def words(s: str) -> list[str]:
    """Latin words and numbers, plus overlapping bigrams of Chinese characters."""
    out: list[str] = []
    for run in re.findall(r"[a-z0-9]+|[\u4e00-\u9fff]+", s.lower()):
        if run[0] >= "\u4e00":
            out += [run[i : i + 2] for i in range(max(1, len(run) - 1))]
        elif run not in STOP:
            out.append(run)
    return out


def relevant(answer: str, text: str) -> bool:
    """A passage is relevant when it holds the gold answer's content tokens: all of them for answers of
    three tokens or fewer, 80% up to twelve, half beyond."""
    a, t = set(words(answer)), set(words(text))
    if not a:
        return False
    need = len(a) if len(a) <= 3 else (0.8 if len(a) <= 12 else 0.5) * len(a)
    return len(a & t) >= need


def coverage(gold: str, text: str) -> float:
    g = set(words(gold))
    return len(g & set(words(text))) / max(1, len(g))


def token_f1(gold: str, answer: str) -> tuple[float, float]:
    """(recall, F1) of the answer's tokens against the gold answer's."""
    g, a = set(words(gold)), set(words(answer))
    hit = len(g & a)
    rec, prec = hit / max(1, len(g)), hit / max(1, len(a))
    return rec, (2 * prec * rec / (prec + rec) if hit else 0.0)
