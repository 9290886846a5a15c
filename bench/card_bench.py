"""Step-card quality and latency, extractive and with the local LLM, over the card dev sets side by side.

    python bench/card_bench.py                                   # every set, extractive and local model
    python bench/card_bench.py --sets prose-html,prose-pdf,prose-others --modes none
    python bench/card_bench.py --sets real-manuals --library real-manuals=/tmp/tm9idx --modes none
    python bench/card_bench.py --sets prose-html --modes none,local@ctranslate2 --limit 10 --out /tmp/cards

Sets (corpus, tasks):
- prose-html: the S10 e-manual's 451 HTML sections (../shared/eval/emanual-s10) with the S10 tasks of
  bench/data/prose-procedures/tasks.jsonl (procedures told in prose, in shared option lists, with a
  preamble step, or one of several in a section);
- prose-pdf: the same tasks over the S10 e-manual rendered as one PDF (bench/make_emanual_pdf.py, built
  here), where every list item is a bullet line and numbering is gone;
- prose-others: the prose tasks of the same file over the seven other Samsung e-manuals (Markdown, one
  sentence a line);
- myfixit: ../shared/eval/myfixit-appliance (40 numbered repair procedures in two PDFs);
- real-manuals: bench/data/real-manuals/tasks.jsonl over ../shared/eval/real-manuals (Army TMs).

A mode is a backend (none, local, openai, or a model path), optionally @engine for a local model.
Figures are scored as `assistant eval cards` scores them (assistant.eval.cards): step recall, step
order, quotes verbatim, refusals, plus p50/p95 ms per card (retrieval included, after one warm-up
card) and the model's load time. Libraries are built under --root (reused when there) unless
--library NAME=PATH names one already built from the same corpus.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from bench.common import SHARED, open_mode, percentile, report  # noqa: E402

PROSE = ROOT / "bench" / "data" / "prose-procedures" / "tasks.jsonl"
S10_PDF = "s10_manual.pdf"


def _read(path: Path) -> list[dict]:
    return [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]


def set_tasks(name: str) -> list[dict]:
    """The tasks of a set, their `doc` named as the set's library names it."""
    if name in ("prose-html", "prose-pdf"):
        tasks = [t for t in _read(PROSE) if t["doc"].endswith(".html")]
        return [dict(t, doc=S10_PDF) for t in tasks] if name == "prose-pdf" else tasks
    if name == "prose-others":
        return [t for t in _read(PROSE) if not t["doc"].endswith(".html")]
    if name == "myfixit":
        return _read(SHARED / "eval" / "myfixit-appliance" / "tasks.jsonl")
    if name == "real-manuals":
        return _read(ROOT / "bench" / "data" / "real-manuals" / "tasks.jsonl")
    raise SystemExit(f"card_bench: unknown set {name!r}")


def set_corpus(name: str, root: Path) -> Path:
    """The folder a set's library is built from (the S10 PDF is rendered into root/ once)."""
    if name == "prose-pdf":
        folder = root / "s10-pdf"
        if not (folder / S10_PDF).exists():
            from bench.make_emanual_pdf import main as make_pdf

            folder.mkdir(parents=True, exist_ok=True)
            make_pdf(folder / S10_PDF)
        return folder
    return {"prose-html": SHARED / "eval" / "emanual-s10" / "corpus", "prose-others": SHARED / "eval" / "emanual-others",
            "myfixit": SHARED / "eval" / "myfixit-appliance" / "corpus", "real-manuals": SHARED / "eval" / "real-manuals"}[name]


def library(name: str, root: Path, given: dict[str, Path]) -> tuple[Path, Path]:
    """(library folder, corpus folder) of a set, building the library when it is not there."""
    from assistant.app import Assistant
    from assistant.settings import load_settings

    corpus = set_corpus(name, root)
    index = given.get(name, root / name)
    if not (index / "manifest.json").exists():
        print(f"indexing {corpus} into {index} ...", file=sys.stderr)
        builder = Assistant(load_settings(index_dir=index, llm="none"), llm=None)
        builder.index([corpus], progress=False)
        builder.close()
    return index, corpus


def run_mode(mode: str, index: Path, corpus: Path, tasks: list[dict], args) -> tuple[dict, list[dict]]:
    """Draft every task's card with one backend: (summary row, per-task output lines)."""
    from assistant.cards.export import to_arlem, validate_arlem
    from assistant.errors import NoProcedureFound
    from assistant.eval.cards import score_task, summarize
    from assistant.eval.metrics import corpus_text
    app, llm, load_s = open_mode(mode, index, args, "card_bench")
    todo = tasks if llm is None or not args.limit else tasks[: args.limit]
    try:
        app.draft_card(todo[0]["task"])  # warm-up: parsed documents, model kernels
    except NoProcedureFound:
        pass
    rows, ms, lines, arlem_ok, refused, llm_cards = [], [], [], 0, 0, 0
    for t in todo:
        t1 = time.perf_counter()
        try:
            card = app.draft_card(t["task"])
        except NoProcedureFound:
            card = None
            refused += 1
        ms.append((time.perf_counter() - t1) * 1000)
        js = card.to_json() if card else None
        rows.append(score_task(t, js))
        if card is not None:
            arlem_ok += not validate_arlem(*to_arlem(card))
            llm_cards += card.drafted_with != "extractive"
        lines.append({"id": t["id"], "card": js, "ms": round(ms[-1], 1), **({"refused": True} if card is None else {})})
    app.close()
    figures = summarize(rows, corpus_text([corpus]), ms, arlem_ok, len(todo) - refused, refused)
    name = "extractive" if llm is None else f"{llm.name} [{type(llm).__name__}]"
    return {"mode": name, **figures, "p95_ms": round(percentile(ms, 95), 1), "llm_cards": llm_cards,
            "load_s": round(load_s, 2)}, lines


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sets", default="prose-html,prose-pdf,prose-others,myfixit,real-manuals", help="comma-separated sets")
    ap.add_argument("--modes", default="none,local", help="comma-separated backends: none, local[@engine], openai, or a model path")
    ap.add_argument("--root", type=Path, default=Path(tempfile.gettempdir()) / "card-bench", help="where libraries are built and kept")
    ap.add_argument("--library", action="append", default=[], metavar="SET=DIR", help="an already built library for a set")
    ap.add_argument("--limit", type=int, default=0, help="tasks per set for LLM modes (0 = all); extractive always runs all")
    ap.add_argument("--llm-url", default=None)
    ap.add_argument("--llm-model", default=None)
    ap.add_argument("--out", type=Path, default=None, help="folder for the cards, one JSONL per set and mode")
    args = ap.parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    given = {k: Path(v) for k, _, v in (x.partition("=") for x in args.library)}
    rows = []
    for name in [s.strip() for s in args.sets.split(",") if s.strip()]:
        tasks = set_tasks(name)
        index, corpus = library(name, args.root, given)
        for mode in [m.strip() for m in args.modes.split(",") if m.strip()]:
            row, lines = run_mode(mode, index, corpus, tasks, args)
            rows.append({"set": name, **row})
            if args.out:
                args.out.mkdir(parents=True, exist_ok=True)
                (args.out / f"cards-{name}-{mode.replace('/', '_')}.jsonl").write_text(
                    "".join(json.dumps(x, ensure_ascii=False) + "\n" for x in lines), encoding="utf-8")
    table = [(r["set"], r["mode"], r["tasks"], r["step_recall"], r["step_order"], r["quotes_verbatim"], r["quotes"],
              r["refused"], r["llm_cards"], r["p50_ms"], r["p95_ms"], r["load_s"]) for r in rows]
    report("step cards (ms per card, retrieval included)", table,
           ("set", "mode", "tasks", "step recall", "step order", "quotes verbatim", "quotes", "refused", "llm cards",
            "p50 ms", "p95 ms", "load s"), {"bench": "cards", "results": rows})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
