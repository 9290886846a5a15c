"""`assistant search QUERY` (or `--queries FILE.jsonl`): hybrid search over a library."""
from __future__ import annotations

import time

from .common import UsageError, emit_json, filters, now_ms, open_assistant, read_jsonl


def run(args) -> int:
    if bool(args.query) == bool(args.queries):
        raise UsageError("give either a QUERY or --queries FILE.jsonl")  # argparse style, exit 2
    app = open_assistant(args)
    app.retriever.load_models()  # "ms" times the search, not model loading
    where = filters(args)
    if args.queries:
        for q in read_jsonl(args.queries, "question"):
            t0 = time.perf_counter()
            hits = app.search(q["question"], args.k, where)
            emit_json({"id": q["id"], "hits": [h.to_json() for h in hits], "ms": now_ms(t0)})
        return 0
    t0 = time.perf_counter()
    hits = app.search(args.query, args.k, where)
    if args.json:
        emit_json({"query": args.query, "hits": [h.to_json() for h in hits], "ms": now_ms(t0)})
        return 0
    for h in hits:
        c = h.chunk
        section = " > ".join(c.section)
        pages = sorted({u.page for u in h.chunks})
        where = f"p.{c.page}" + (f" (with pp.{pages[0]}-{pages[-1]})" if len(pages) > 1 else "")
        print(f"{h.rank:>2}. {c.doc} {where}  [{section}]  score {h.score:.3f}")
        text = h.display_text
        print("    " + (text if len(text) <= 600 else text[:600] + " …"))
    if not hits:
        print("no matches")
    return 0
