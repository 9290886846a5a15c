"""Answer latency, extractive and with the local LLM, over the S10 dev questions.

    python bench/answer_bench.py --index /tmp/s10                      # builds the index first if missing
    python bench/answer_bench.py --index /tmp/s10 --modes none --limit 0
    python bench/answer_bench.py --index /tmp/s10 --modes none,openai --llm-url http://127.0.0.1:8000/v1 --llm-model m

Prints a table and one JSON line: per mode p50/p95 ms, questions answered, refusals, and the load
time of the model (the first load of the bundled model also assembles and converts it, once).
Latencies are per question, after a warm-up question, retrieval included.
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
        settings = load_settings(index_dir=args.index, llm=mode, llm_url=args.llm_url, llm_model=args.llm_model)
        app = Assistant(settings)
        app.retriever  # noqa: B018 -- the library and its embedding models, before the language model is timed
        t0 = time.perf_counter()
        llm = app.llm
        load_s = time.perf_counter() - t0
        if llm is None and backend_kind(mode) != "none":
            sys.exit(f"answer_bench: could not load the language model '{mode}' (see the warning above)")
        qs = questions if llm is None or not args.limit else questions[: args.limit]
        app.ask(qs[0]["question"], k=args.k)  # warm-up: model kernels, caches
        ms, refused, llm_answers = [], 0, 0
        for q in qs:
            t = time.perf_counter()
            a = app.ask(q["question"], k=args.k, max_tokens=settings.llm_max_new_tokens)
            ms.append((time.perf_counter() - t) * 1000)
            refused += a.refused
            llm_answers += a.mode == "llm"
        app.close()
        rows.append({"mode": "extractive" if llm is None else llm.name, "questions": len(qs), "p50_ms": round(statistics.median(ms), 1),
                     "p95_ms": round(pct(ms, 0.95), 1), "refused": refused, "llm_answers": llm_answers, "load_s": round(load_s, 2)})
    print(f"{'mode':<45}{'n':>4}{'p50 ms':>10}{'p95 ms':>10}{'refused':>9}{'llm':>5}{'load s':>8}")
    for r in rows:
        print(f"{r['mode']:<45}{r['questions']:>4}{r['p50_ms']:>10.1f}{r['p95_ms']:>10.1f}{r['refused']:>9}{r['llm_answers']:>5}{r['load_s']:>8.2f}")
    print(json.dumps({"bench": "answers", "cpu_count": os.cpu_count(), "results": rows}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
