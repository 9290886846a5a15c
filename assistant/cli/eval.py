"""`assistant eval retrieval|answers|cards`: run a question/task set through the library and report the
dev-set figures with the rules in assistant.eval (the same rules as the shared eval scripts): a table
on stderr (or stdout for answers), then one JSON line."""
from __future__ import annotations

import dataclasses
import json
import statistics
import sys
import time
from pathlib import Path

from ..errors import AssistantError, NoProcedureFound
from .common import UsageError, emit_json, filters, now_ms, open_assistant, read_jsonl, settings_from, write_text


def run(args) -> int:
    return {"retrieval": retrieval, "answers": answers, "cards": cards}[args.what](args)


def _question_set(args, missing: Exception, first: str = "questions") -> Path:
    """The set named by --questions or --tasks (the same option of `assistant eval`; `first` wins when
    both are given), else `missing` is raised."""
    second = "tasks" if first == "questions" else "questions"
    path = getattr(args, first, None) or getattr(args, second, None)
    if path is None:
        raise missing
    return Path(path)


def retrieval(args) -> int:
    from ..eval.metrics import ranking_metrics, relevant

    qs = read_jsonl(_question_set(args, AssistantError("give the question set with --questions FILE.jsonl")), "question")
    skipped = sum(bool(q.get("unanswerable")) for q in qs)  # nothing to find: they are scored by `eval answers`
    qs = [q for q in qs if not q.get("unanswerable")]
    if any("answer" not in q for q in qs):
        raise AssistantError('every question needs a gold "answer" for eval retrieval')
    app = open_assistant(args)
    app.search("warm up", 1)
    ms, out, firsts = [], [], []
    for q in qs:
        t0 = time.perf_counter()
        hits = app.search(q["question"], max(10, args.k or 10), filters(args))
        took = now_ms(t0)
        ms.append(took)
        ranks = [i for i, h in enumerate(hits[:10]) if relevant(q["answer"], h.display_text)]  # the text the hit shows, as the scorer reads it
        firsts.append(ranks[0] if ranks else None)
        out.append({"id": q["id"], "hits": [h.to_json() for h in hits], "ms": took, "first_relevant": ranks[0] + 1 if ranks else None})
    ms.sort()
    result = {"eval": "retrieval", "n": len(qs), **ranking_metrics(firsts), "p50_ms": round(statistics.median(ms), 2) if ms else None,
              "p95_ms": round(ms[int(0.95 * (len(ms) - 1))], 2) if ms else None, "skipped_unanswerable": skipped}
    if args.out:
        args.out.write_text("".join(json.dumps(o, ensure_ascii=False) + "\n" for o in out), encoding="utf-8")
    note = f" ({skipped} unanswerable skipped)" if skipped else ""
    print(f"retrieval on {len(qs)} questions{note}: hit@1 {result['hit@1']:.3f}  recall@5 {result['recall@5']:.3f}  "
          f"recall@10 {result['recall@10']:.3f}  MRR@10 {result['mrr@10']:.3f}  p50 {result['p50_ms']} ms", file=sys.stderr)
    emit_json(result)
    return 0


def answers(args) -> int:
    from ..answer.verify import norm
    from ..eval.answers import score
    from ..eval.metrics import corpus_text

    questions = read_jsonl(_question_set(args, UsageError("--questions FILE.jsonl is required")), "question")
    app = open_assistant(args, settings_from(args))
    llm = app.llm
    k = getattr(args, "k", 6) or 6
    results: dict[str, dict] = {}
    out = open(args.out, "w", encoding="utf-8") if getattr(args, "out", None) else None
    try:
        for q in questions:
            t0 = time.perf_counter()
            a = app.ask(q["question"], k, filters(args))
            a = dataclasses.replace(a, id=q["id"], ms=(time.perf_counter() - t0) * 1000)
            results[str(q["id"])] = a.to_json()
            if out:
                out.write(json.dumps(a.to_json(), ensure_ascii=False) + "\n")
    finally:
        if out:
            out.close()
    corpus = list(getattr(args, "corpus", []) or [])
    text = corpus_text(corpus) if corpus else norm(" ".join(app.library.store.all_texts()))
    figures = score(questions, results, text) | {"mode": "llm:" + llm.name if llm else "extractive", "k": k}
    print(f"{'answerable':<22}{figures['answerable']:>8}")
    for key in ("answer_recall", "answer_f1", "false_refusal", "quotes_verbatim", "numbers_grounded"):
        print(f"{key:<22}{figures[key]:>8.3f}")
    if figures["values_questions"]:
        print(f"{'values_held':<22}{figures['values_held']:>8.3f}")
    print(f"{'unanswerable':<22}{figures['unanswerable']:>8}")
    print(f"{'refused_unanswerable':<22}{figures['refused_unanswerable']:>8.3f}")
    print(f"{'p50_ms':<22}{figures['p50_ms']:>8.1f}")
    emit_json(figures)
    return 0


def cards(args) -> int:
    """Draft a card per task and report the dev-set figures (see assistant.eval.cards); --out keeps the lines."""
    from ..cards.export import to_arlem, validate_arlem
    from ..eval.cards import score_task, summarize, table
    from ..eval.metrics import corpus_text
    from .card import batch_line

    missing = AssistantError('give the task set with --tasks FILE.jsonl (lines {"id", "task", "gold_steps", "gold_tools", "doc"})')
    tasks = read_jsonl(_question_set(args, missing, first="tasks"), "task")
    app = open_assistant(args)
    corpus_dirs = list(args.corpus) or [Path(d.path) for d in app.library.store.documents()]
    corpus = corpus_text(corpus_dirs)
    rows, ms, lines, arlem_ok, refused = [], [], [], 0, 0
    for t in tasks:
        t0 = time.perf_counter()
        try:
            card = app.draft_card(t["task"], filters(args))
        except NoProcedureFound:
            card = None
            refused += 1
        ms.append((time.perf_counter() - t0) * 1000)
        row = score_task(t, card.to_json() if card else None)
        row["title"] = card.title if card else "(refused)"
        if card is not None:
            arlem_ok += not validate_arlem(*to_arlem(card))
        rows.append(row)
        lines.append(batch_line(t["id"], card, "json", "no procedure found" if card is None else "", round(ms[-1], 1)))
    print(table(rows, [t["id"] for t in tasks]), file=sys.stderr)
    if args.out:
        write_text("\n".join(json.dumps(x, ensure_ascii=False) for x in lines), args.out)
    emit_json(summarize(rows, corpus, ms, arlem_ok, len(tasks) - refused, refused))
    return 0
