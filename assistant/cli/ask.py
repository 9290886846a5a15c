"""`assistant ask` and `assistant eval answers`: thin adapters over assistant.answer.

    assistant ask "What torque for the filter housing cover?" --index indexes/plant
    assistant ask --index indexes/plant --questions q.jsonl --jsonl --llm none
    assistant eval answers --index /tmp/s10 --questions questions.jsonl --corpus corpus/
"""
from __future__ import annotations

import json
import statistics
import sys
import time
from pathlib import Path

from . import emit_json
from ..errors import AssistantError
from ..eval.metrics import corpus_text, words
from ..answer.verify import norm, numbers_in


def _open(settings):
    from .commands import open_settings_library
    from ..retrieve import Retriever

    lib = open_settings_library(settings)
    return lib, Retriever(lib)


def _filters(args):
    from ..retrieve import Filters

    return Filters.from_args(args)


def load_llm(settings):
    """The configured model, or None (extractive) with a note on stderr when it cannot be loaded:
    a technician still gets a quoted answer."""
    from ..llm import get_llm

    try:
        return get_llm(settings)
    except AssistantError as exc:
        print(f"warning: language model '{settings.llm}' unavailable, answering extractively: {exc}", file=sys.stderr)
        return None


def batch_settings(args, settings):
    """Batch runs (--questions, eval) answer extractively unless a model was named (--llm or
    ASSISTANT_LLM): the bundled 0.5B model takes ~10-20 s a question on 2 cores and scored lower
    than extractive answers on the dev set (docs/answers.md), so a script gets the faster, better
    default while a person asking one question gets the local model."""
    import os

    if getattr(args, "llm", None) or os.environ.get("ASSISTANT_LLM"):
        return settings
    print("note: batch mode answers extractively; pass --llm local (or another backend) to use a language model",
          file=sys.stderr)
    return settings.model_copy(update={"llm": "none"})


def _print_human(a) -> None:
    """The answer first, then its sources, then the warnings of the procedure it comes from."""
    print(a.answer)
    if a.citations:
        print("\nSources:")
        for n, c in enumerate(a.citations, 1):
            print(f"  [{n}] {c.doc} p. {c.page}: \"{' '.join(c.quote.split())[:240]}\"")
    if a.warnings:
        print("\nWarnings:" if a.language != "zh" else "\n安全警告：")
        for w in a.warnings:
            print(f"  ⚠ {w.display}  [{w.doc} p. {w.page}]")
    if a.note:
        print(f"\n({a.note})", file=sys.stderr)


def run_ask(args, settings) -> int:
    from ..answer import answer_question, stream_answer
    from .commands import read_jsonl

    if bool(args.question) == bool(args.questions):
        raise SystemExit("assistant ask: error: give either a QUESTION or --questions FILE.jsonl")
    if args.questions:
        settings = batch_settings(args, settings)
    lib, retriever = _open(settings)
    llm = load_llm(settings)
    filters = _filters(args)
    kw = {"k": args.k, "filters": filters, "max_tokens": settings.llm_max_new_tokens}
    if args.questions:
        for q in read_jsonl(args.questions, "question"):
            a = answer_question(q["question"], retriever, llm, **kw)
            a.id = q["id"]
            if args.jsonl or args.json:
                emit_json(a.to_json())
            else:
                print(f"== {q['id']}: {q['question']}")
                _print_human(a)
                print()
        return 0
    if args.json or args.jsonl:
        emit_json(answer_question(args.question, retriever, llm, **kw).to_json())
        return 0
    final = None
    for piece in stream_answer(args.question, retriever, llm, **kw):
        if isinstance(piece, str):
            if llm is not None:  # show verified sentences as they are written
                print(piece, end="", flush=True, file=sys.stderr)
        else:
            final = piece
    if llm is not None:
        print(file=sys.stderr)
    _print_human(final)
    return 0


def score(questions: list[dict], results: dict[str, dict], text: str) -> dict:
    """The figures of eval/score_answers.py, with the same rules (assistant.eval.metrics.words)."""
    rec, f1s, ms = [], [], []
    q_ok = q_all = n_ok = n_all = refused_ok = unans = false_ref = answerable = 0
    for q in questions:
        r = results.get(str(q["id"]), {})
        if "ms" in r:
            ms.append(r["ms"])
        if q.get("unanswerable"):
            unans += 1
            refused_ok += bool(r.get("refused"))
            continue
        answerable += 1
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
           "numbers": n_all, "unanswerable": unans, "refused_unanswerable": round(refused_ok / max(1, unans), 3)}
    out["p50_ms"] = round(statistics.median(ms), 1) if ms else 0.0
    return out


def eval_answers(args, settings) -> int:
    from ..answer import answer_question
    from .commands import read_jsonl

    path = getattr(args, "questions", None) or getattr(args, "tasks", None)
    if not path:
        raise SystemExit("assistant eval answers: error: --questions FILE.jsonl is required")
    questions = read_jsonl(Path(path), "question")
    settings = batch_settings(args, settings)
    lib, retriever = _open(settings)
    llm = load_llm(settings)
    k = getattr(args, "k", 6) or 6
    results: dict[str, dict] = {}
    out = open(args.out, "w", encoding="utf-8") if getattr(args, "out", None) else None
    try:
        for q in questions:
            t0 = time.perf_counter()
            a = answer_question(q["question"], retriever, llm, k=k, filters=_filters(args), max_tokens=settings.llm_max_new_tokens)
            a.id = q["id"]
            a.ms = (time.perf_counter() - t0) * 1000
            results[str(q["id"])] = a.to_json()
            if out:
                out.write(json.dumps(a.to_json(), ensure_ascii=False) + "\n")
    finally:
        if out:
            out.close()
    corpus = list(getattr(args, "corpus", []) or [])
    text = corpus_text(corpus) if corpus else norm(" ".join(lib.store.all_texts()))
    figures = score(questions, results, text) | {"mode": "llm:" + llm.name if llm else "extractive", "k": k}
    print(f"{'answerable':<22}{figures['answerable']:>8}")
    for key in ("answer_recall", "answer_f1", "false_refusal", "quotes_verbatim", "numbers_grounded"):
        print(f"{key:<22}{figures[key]:>8.3f}")
    print(f"{'unanswerable':<22}{figures['unanswerable']:>8}")
    print(f"{'refused_unanswerable':<22}{figures['refused_unanswerable']:>8.3f}")
    print(f"{'p50_ms':<22}{figures['p50_ms']:>8.1f}")
    emit_json(figures)
    return 0
