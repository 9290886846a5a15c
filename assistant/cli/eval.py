"""`assistant eval retrieval|answers|cards`: run a question/task set through the library and report the
dev-set figures with the rules in assistant.eval.metrics (the same rules as the shared eval scripts)."""
from __future__ import annotations

import json
import statistics
import sys
import time

from . import emit_json, now_ms
from ..errors import AssistantError


def run_eval(args, settings) -> int:
    if args.what == "retrieval":
        return eval_retrieval(args, settings)
    if args.what == "answers":
        from .ask import eval_answers

        return eval_answers(args, settings)
    from .card import eval_cards

    return eval_cards(args, settings)


def questions_path(args):
    path = args.questions or getattr(args, "tasks", None)
    if path is None:
        raise AssistantError("give the question set with --questions FILE.jsonl")
    return path


def eval_retrieval(args, settings) -> int:
    from .commands import _filters, open_library, read_jsonl
    from ..retrieve import Retriever
    from ..eval.metrics import ranking_metrics, relevant

    qs = read_jsonl(questions_path(args), "question")
    if any("answer" not in q for q in qs):
        raise AssistantError('every question needs a gold "answer" for eval retrieval')
    lib = open_library(args)
    retriever = Retriever(lib)
    retriever.search("warm up", 1)
    ms, out, firsts = [], [], []
    for q in qs:
        t0 = time.perf_counter()
        hits = retriever.search(q["question"], max(10, args.k or 10), _filters(args))
        took = now_ms(t0)
        ms.append(took)
        ranks = [i for i, h in enumerate(hits[:10]) if relevant(q["answer"], h.chunk.text)]
        firsts.append(ranks[0] if ranks else None)
        out.append({"id": q["id"], "hits": [h.to_json() for h in hits], "ms": took, "first_relevant": ranks[0] + 1 if ranks else None})
    ms.sort()
    result = {"eval": "retrieval", "n": len(qs), **ranking_metrics(firsts), "p50_ms": round(statistics.median(ms), 2) if ms else None,
              "p95_ms": round(ms[int(0.95 * (len(ms) - 1))], 2) if ms else None}
    if args.out:
        args.out.write_text("".join(json.dumps(o, ensure_ascii=False) + "\n" for o in out), encoding="utf-8")
    print(f"retrieval on {len(qs)} questions: hit@1 {result['hit@1']:.3f}  recall@5 {result['recall@5']:.3f}  "
          f"recall@10 {result['recall@10']:.3f}  MRR@10 {result['mrr@10']:.3f}  p50 {result['p50_ms']} ms", file=sys.stderr)
    emit_json(result)
    return 0
