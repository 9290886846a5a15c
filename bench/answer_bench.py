"""Answer latency and quality, extractive and with the local LLM on each engine, over a dev question set
(the S10 e-manual by default, the three real manuals, or the bundled sample library).

    python bench/answer_bench.py --index /tmp/s10                      # builds the index first if missing
    python bench/answer_bench.py --index /tmp/s10 --modes none,local@ctranslate2,local@transformers --limit 10
    python bench/answer_bench.py --index /tmp/s10 --modes none --limit 0
    python bench/answer_bench.py --index /tmp/s10 --modes none,openai --llm-url http://127.0.0.1:8000/v1 --llm-model m
    python bench/answer_bench.py --set real-manuals --modes none --layout both   # PDF layout reader on vs off

A mode is a backend (none, local, openai, or a model path), optionally @engine for a local model
(ctranslate2 or transformers; without it, the default engine). Prints a table and one JSON line with
the CPU (and the kernels forced by CT2_FORCE_CPU_ISA, ATEN_CPU_CAPABILITY or ONEDNN_MAX_CPU_ISA, as
`CT2_FORCE_CPU_ISA=AVX2 ATEN_CPU_CAPABILITY=avx2 ONEDNN_MAX_CPU_ISA=AVX2` measure an AVX2-only CPU on an
AVX-512 one): per mode p50/p95 ms to the whole answer and to its first verified sentence (what a streaming
client shows first), p50 ms to the model's first token (over the questions it was asked), questions
answered, refusals, answers the model wrote, and the load time of the model (the first load of the
bundled model also assembles and converts it, once). Latencies are per question, after a warm-up
question, retrieval included. The answers are scored as `assistant eval
answers` scores them (assistant.eval.answers: answer recall/F1, quotes verbatim, numbers grounded,
values held, refusals), over all questions and, where the set has kinds, table questions vs the rest.

Without --index the library is built in a temporary folder and removed afterwards; with --index it is
built there if missing, else reused (it must have been built with the same --layout). --layout both
builds two libraries (pdf_layout on and off, in --index/layout-on and --index/layout-off) and
prints them side by side.
"""
from __future__ import annotations

import argparse
import dataclasses
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from bench.common import SHARED, open_mode  # noqa: E402

DEV = SHARED / "eval" / "emanual-s10"
SETS = {  # name: (corpus, questions)
    "emanual-s10": (DEV / "corpus", DEV / "questions.jsonl"),
    "real-manuals": (SHARED / "eval" / "real-manuals", ROOT / "bench" / "data" / "real-manuals" / "questions.jsonl"),
    "sample": (ROOT / "assistant" / "samples", ROOT / "tests" / "fixtures" / "sample_answers.jsonl"),  # the bundled sample library
}
TABLE_KINDS = {"table", "table-2rows"}
# kernels forced below what the CPU has (AVX2 on an AVX-512 CPU): printed, as the CPU flags then say more than ran
FORCED_ISA = ("CT2_FORCE_CPU_ISA", "ATEN_CPU_CAPABILITY", "ONEDNN_MAX_CPU_ISA")


def pct(xs: list[float], p: float) -> float:
    if not xs:
        return 0.0
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p * (len(xs) - 1))))]


def groups_of(questions: list[dict]) -> dict[str, list[dict]]:
    """All questions, then table questions (one or two rows) and the rest where the set has kinds."""
    groups = {"all": questions}
    if any("kind" in q for q in questions):
        groups["table"] = [q for q in questions if q.get("kind") in TABLE_KINDS]
        groups["other"] = [q for q in questions if q.get("kind") not in TABLE_KINDS]
    return groups


def library_dirs(index: Path | None, layout: str) -> dict[str, Path]:
    """The library folder for each layout run: --index itself for one layout, a subfolder each for both."""
    layouts = ["on", "off"] if layout == "both" else [layout]
    base = index or Path(tempfile.mkdtemp(prefix="answer-bench-"))
    return {lay: base / f"layout-{lay}" if layout == "both" or index is None else base for lay in layouts}


class FirstToken:
    """The language model, noting when the first piece of its reply arrives (`at`)."""

    def __init__(self, llm):
        self.llm, self.at = llm, None

    def __getattr__(self, name):
        return getattr(self.llm, name)

    def stream(self, messages, max_tokens=256):
        for piece in self.llm.stream(messages, max_tokens=max_tokens):
            if self.at is None and piece.strip():
                self.at = time.perf_counter()
            yield piece


def run_mode(args, mode: str, index: Path, questions: list[dict]) -> tuple[dict, dict]:
    """Answer the questions with one backend over one library: (timing row, {id: answer JSON})."""
    app, llm, load_s = open_mode(mode, index, args, "answer_bench")
    qs = questions if llm is None or not args.limit else questions[: args.limit]
    app.ask(qs[0]["question"], k=args.k)  # warm-up: model kernels, caches
    ms, first, token, refused, llm_answers, results = [], [], [], 0, 0, {}
    for q in qs:
        timed = FirstToken(llm) if llm is not None else None
        t = time.perf_counter()
        seen = None
        for piece in app.stream(q["question"], k=args.k, max_tokens=app.settings.llm_max_new_tokens, llm=timed):
            if isinstance(piece, str):
                seen = seen or time.perf_counter()
            else:
                a = piece
        done = time.perf_counter()
        ms.append((done - t) * 1000)
        first.append(((seen or done) - t) * 1000)
        if timed is not None and timed.at is not None:  # the model was asked (not for a refusal or a section answer)
            token.append((timed.at - t) * 1000)
        refused += a.refused
        llm_answers += a.mode == "llm"
        results[str(q["id"])] = dataclasses.replace(a, id=q["id"], ms=ms[-1]).to_json()
    app.close()
    name = "extractive" if llm is None else f"{llm.name} [{type(llm).__name__}]"
    return ({"mode": name, "questions": len(qs), "p50_ms": round(statistics.median(ms), 1),
             "p95_ms": round(pct(ms, 0.95), 1), "first_p50_ms": round(statistics.median(first), 1),
             "token_p50_ms": round(statistics.median(token), 1) if token else None,
             "refused": refused, "llm_answers": llm_answers, "load_s": round(load_s, 2)}, results)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--set", default="emanual-s10", choices=list(SETS), help="dev set: corpus and questions (default: emanual-s10)")
    ap.add_argument("--index", type=Path, default=None, help="library of the corpus (built here if missing; default: a temporary one)")
    ap.add_argument("--questions", type=Path, default=None, help="question set (default: the --set's)")
    ap.add_argument("--corpus", type=Path, default=None, help="corpus folder (default: the --set's)")
    ap.add_argument("--layout", default="on", choices=["on", "off", "both"], help="pdf_layout of the libraries built here")
    ap.add_argument("--modes", default="none,local", help="comma-separated backends: none, local, openai, or a model path")
    ap.add_argument("--limit", type=int, default=10, help="questions for LLM modes (0 = all); extractive always runs all")
    ap.add_argument("--llm-url", default=None)
    ap.add_argument("--llm-model", default=None)
    ap.add_argument("--out", type=Path, default=None, help="folder for the answers, one JSONL per layout and mode")
    ap.add_argument("-k", type=int, default=6)
    args = ap.parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")

    from assistant.app import Assistant
    from assistant.eval.answers import score
    from assistant.eval.metrics import corpus_text
    from assistant.settings import load_settings
    from bench.common import report

    corpus = args.corpus or SETS[args.set][0]
    questions = [json.loads(line) for line in (args.questions or SETS[args.set][1]).read_text(encoding="utf-8").splitlines() if line.strip()]
    text = corpus_text([corpus])  # what `assistant eval answers --corpus` judges quotes against
    dirs = library_dirs(args.index, args.layout)
    rows = []
    for layout, index in dirs.items():
        if not (index / "manifest.json").exists():
            print(f"indexing {corpus} into {index} (pdf_layout={layout}) ...", file=sys.stderr)
            builder = Assistant(load_settings(index_dir=index, llm="none", pdf_layout=layout), llm=None)
            builder.index([corpus], progress=False)
            builder.close()
        for mode in [m.strip() for m in args.modes.split(",") if m.strip()]:
            row, results = run_mode(args, mode, index, questions)
            if args.out:
                args.out.mkdir(parents=True, exist_ok=True)
                lines = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in results.values())
                (args.out / f"answers-layout-{layout}-{mode.replace('/', '_')}.jsonl").write_text(lines, encoding="utf-8")
            asked = [q for q in questions if str(q["id"]) in results]
            row |= {"layout": layout, "scores": {g: score(qs, results, text) for g, qs in groups_of(asked).items()}}
            rows.append(row)
    if args.index is None:
        for index in dirs.values():
            shutil.rmtree(index, ignore_errors=True)
        shutil.rmtree(next(iter(dirs.values())).parent, ignore_errors=True)

    table = []
    for r in rows:
        for g, f in r["scores"].items():
            table.append((r["layout"], r["mode"], g, f["answerable"] + f["unanswerable"], f["answer_recall"], f["answer_f1"],
                          f["quotes_verbatim"], f["numbers_grounded"], f["values_held"] if f["values_questions"] else "-",
                          f["refused_unanswerable"] if f["unanswerable"] else "-", f["false_refusal"],
                          r["p50_ms"] if g == "all" else "", r["p95_ms"] if g == "all" else "",
                          r["first_p50_ms"] if g == "all" else "", (r["token_p50_ms"] or "-") if g == "all" else "",
                          r["refused"] if g == "all" else "",
                          r["llm_answers"] if g == "all" else "", r["load_s"] if g == "all" else ""))
    forced = {k: os.environ[k] for k in FORCED_ISA if os.environ.get(k)}
    report(f"answers on {args.set} (ms per question, retrieval included)"
           + (f"; kernels forced: {' '.join(f'{k}={v}' for k, v in forced.items())}" if forced else ""), table,
           ("layout", "mode", "questions", "n", "recall", "F1", "quotes verbatim", "numbers grounded", "values held",
            "refused unans.", "false refusal", "p50 ms", "p95 ms", "first p50 ms", "token p50 ms", "refused", "llm", "load s"),
           {"bench": "answers", "set": args.set, "results": rows} | ({"forced_isa": forced} if forced else {}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
