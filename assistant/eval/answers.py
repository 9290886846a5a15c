"""The answer figures of the shared scorer (eval/score_answers.py), with the same rules
(assistant.eval.metrics.words): answer recall and F1 against the gold answer, false refusals,
verbatim quotes, grounded numbers, refusals of unanswerable questions; and `values_held`, the share of
answers that keep every value a question's "values" list names (both rows of a two-row table question).

>>> holds_values("Tighten to 25–30 N·m (2×M8)", ["25-30 n·m", "2 x M8"])
True
"""
from __future__ import annotations

import statistics

from ..answer.verify import norm, numbers_in
from .metrics import words

_DASHES = str.maketrans({"\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2212": "-", "\u00d7": "x"})


def _canon(s: str) -> str:
    """White space removed, case folded, dashes as "-" and "×" as "x": how values are compared."""
    return norm(s).translate(_DASHES)


def holds_values(answer: str, values: list[str]) -> bool:
    """Whether the answer holds every value (see _canon for what counts as the same text)."""
    text = _canon(answer)
    return all(_canon(v) in text for v in values)


def score(questions: list[dict], results: dict[str, dict], text: str) -> dict:
    """The figures of eval/score_answers.py, with the same rules (assistant.eval.metrics.words)."""
    rec, f1s, ms = [], [], []
    q_ok = q_all = n_ok = n_all = refused_ok = unans = false_ref = answerable = v_ok = v_all = 0
    for q in questions:
        r = results.get(str(q["id"]), {})
        if "ms" in r:
            ms.append(r["ms"])
        if q.get("unanswerable"):
            unans += 1
            refused_ok += bool(r.get("refused"))
            continue
        answerable += 1
        if q.get("values"):
            v_all += 1
            v_ok += not r.get("refused") and holds_values(r.get("answer") or "", q["values"])
        if r.get("refused") or not r.get("answer"):
            false_ref += 1
            rec.append(0.0)
            f1s.append(0.0)
            continue
        g, a = set(words(q.get("answer", ""))), set(words(r["answer"]))
        hit = len(g & a)
        rc, pr = hit / max(1, len(g)), hit / max(1, len(a))
        rec.append(rc)
        f1s.append(2 * pr * rc / (pr + rc) if hit else 0.0)
        quotes = [c.get("quote", "") for c in r.get("citations", [])]
        for qt in quotes:
            q_all += 1
            q_ok += bool(qt.strip()) and norm(qt) in text
        cited = norm(" ".join(quotes)).replace(",", "")
        for n in set(numbers_in(r["answer"])):
            n_all += 1
            n_ok += n.replace(",", "") in cited
    out = {"answerable": answerable, "answer_recall": round(statistics.mean(rec), 3) if rec else 0.0,
           "answer_f1": round(statistics.mean(f1s), 3) if f1s else 0.0, "false_refusal": round(false_ref / max(1, answerable), 3),
           "quotes_verbatim": round(q_ok / max(1, q_all), 3), "quotes": q_all, "numbers_grounded": round(n_ok / max(1, n_all), 3),
           "numbers": n_all, "unanswerable": unans, "refused_unanswerable": round(refused_ok / max(1, unans), 3),
           "values_held": round(v_ok / v_all, 3) if v_all else None, "values_questions": v_all}
    out["p50_ms"] = round(statistics.median(ms), 1) if ms else 0.0
    return out
