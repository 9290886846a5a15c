"""Answer latency, extractive and with the local LLM on each engine, over the S10 dev questions.

    python bench/answer_bench.py --index /tmp/s10                      # builds the index first if missing
    python bench/answer_bench.py --index /tmp/s10 --modes none,local@ctranslate2,local@transformers --limit 10
    python bench/answer_bench.py --index /tmp/s10 --modes none --limit 0
    python bench/answer_bench.py --index /tmp/s10 --modes none,openai --llm-url http://127.0.0.1:8000/v1 --llm-model m

A mode is a backend (none, local, openai, or a model path), optionally @engine for a local model
(ctranslate2 or transformers; without it, the default engine). Prints a table and one JSON line with
the CPU: per mode p50/p95 ms to the whole answer and to its first verified sentence (what a streaming
client shows first), questions answered, refusals, answers the model wrote, and the load time of the
model (the first load of the bundled model also assembles and converts it, once). Latencies are per
question, after a warm-up question, retrieval included.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DEV = ROOT.parent / "shared" / "eval" / "emanual-s10"


def pct(xs: list[float], p: float) -> float:
    if not xs:
        return 0.0
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p * (len(xs) - 1))))]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--index", type=Path, required=True, help="library of the S10 corpus (built here if missing)")
    ap.add_argument("--questions", type=Path, default=DEV / "questions.jsonl")
    ap.add_argument("--corpus", type=Path, default=DEV / "corpus")
    ap.add_argument("--modes", default="none,local", help="comma-separated backends: none, local, openai, or a model path")
    ap.add_argument("--limit", type=int, default=10, help="questions for LLM modes (0 = all); extractive always runs all")
    ap.add_argument("--llm-url", default=None)
    ap.add_argument("--llm-model", default=None)
    ap.add_argument("-k", type=int, default=6)
    args = ap.parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")

    from assistant.app import Assistant
    from assistant.llm import backend_kind
    from assistant.settings import load_settings

    if not (args.index / "manifest.json").exists():
        print(f"indexing {args.corpus} into {args.index} ...", file=sys.stderr)
        Assistant(load_settings(index_dir=args.index, llm="none"), llm=None).index([args.corpus], progress=False)
    questions = [json.loads(line) for line in args.questions.read_text(encoding="utf-8").splitlines() if line.strip()]
    rows = []
    for mode in [m.strip() for m in args.modes.split(",") if m.strip()]:
        backend, _, engine = mode.partition("@")
        settings = load_settings(index_dir=args.index, llm=backend, llm_url=args.llm_url, llm_model=args.llm_model,
                                 llm_engine=engine or None)
        app = Assistant(settings)
        app.retriever  # noqa: B018 -- the library and its embedding models, before the language model is timed
        t0 = time.perf_counter()
        llm = app.llm
        load_s = time.perf_counter() - t0
        if llm is None and backend_kind(backend) != "none":
            sys.exit(f"answer_bench: could not load the language model '{mode}' (see the warning above)")
        qs = questions if llm is None or not args.limit else questions[: args.limit]
        app.ask(qs[0]["question"], k=args.k)  # warm-up: model kernels, caches
        ms, first, refused, llm_answers = [], [], 0, 0
        for q in qs:
            t = time.perf_counter()
            seen = None
            for piece in app.stream(q["question"], k=args.k, max_tokens=settings.llm_max_new_tokens):
                if isinstance(piece, str):
                    seen = seen or time.perf_counter()
                else:
                    a = piece
            done = time.perf_counter()
            ms.append((done - t) * 1000)
            first.append(((seen or done) - t) * 1000)
            refused += a.refused
            llm_answers += a.mode == "llm"
        app.close()
        name = "extractive" if llm is None else f"{llm.name} [{type(llm).__name__}]"
        rows.append({"mode": name, "questions": len(qs), "p50_ms": round(statistics.median(ms), 1),
                     "p95_ms": round(pct(ms, 0.95), 1), "first_p50_ms": round(statistics.median(first), 1),
                     "refused": refused, "llm_answers": llm_answers, "load_s": round(load_s, 2)})
    from bench.common import report

    report("answers (ms per question, retrieval included)",
           [(r["mode"], r["questions"], r["p50_ms"], r["p95_ms"], r["first_p50_ms"], r["refused"], r["llm_answers"], r["load_s"])
            for r in rows],
           ("mode", "n", "p50 ms", "p95 ms", "first p50 ms", "refused", "llm", "load s"),
           {"bench": "answers", "results": rows})
    return 0

if __name__ == "__main__":
    raise SystemExit(main())
