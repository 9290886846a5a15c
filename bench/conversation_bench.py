"""Follow-up questions: does the second turn of a conversation find and answer what the same question
asked standalone would? Over bench/data/conversations.jsonl (two-turn conversations over the sample
library: the second turn elliptical or with a pronoun, with its standalone form, a gold answer, the
evidence a passage must hold and the documents it may come from), or over the real-manuals dev set's
documents (bench/data/conversations-real-manuals.jsonl: 12 conversations, 3 in Chinese, about torque,
tolerance and test tables).

    python bench/conversation_bench.py [--llm none] [--k 5]
    python bench/conversation_bench.py --data bench/data/conversations-real-manuals.jsonl --corpus ../shared/eval/real-manuals

Per conversation the first turn is answered (extractive unless --llm names a model), then the
follow-up is searched four ways: alone (what a plain RAG does), rewritten by assistant.conversation
without and with the boost of the documents cited in the first answer (the product: rewrite + boost),
and the gold standalone question. Retrieval: recall@k and recall@1 (a hit in one of the gold documents
whose text holds the evidence; the sample library is small, so recall@1 separates the ways more). Answers: token F1 against the gold answer of the follow-up answered in its
conversation vs the gold standalone question answered alone (goal: within 0.05), and of the follow-up
answered alone. Rewrite: the share of follow-ups the rules rewrote, and of exact matches with the gold
standalone question (whitespace and case aside).
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.common import ROOT, SAMPLES, Timer, median, report  # noqa: E402

DATA = ROOT / "bench" / "data" / "conversations.jsonl"


def found(hits, conv: dict) -> bool:
    from assistant.eval.metrics import norm

    want = norm(conv["evidence"])
    return any(h.chunk.doc in conv["docs"] and want in norm(h.chunk.text) for h in hits)


def run(app, convs: list[dict], k: int) -> tuple[list[dict], list[float]]:
    """One row of results per conversation, and the milliseconds each rewrite took."""
    from assistant.conversation import DocBoost, follow_up
    from assistant.eval.metrics import norm, token_f1

    rows, rewrite_ms = [], []
    for conv in convs:
        first, second = conv["turns"]
        a1 = app.ask(first)
        history = [{"role": "user", "content": first},
                   {"role": "assistant", "content": a1.answer, "citations": [c.to_json() for c in a1.citations]}]
        with Timer() as t:
            turn = follow_up(second, history)
        rewrite_ms.append(t.seconds * 1000)
        retriever = app.retriever
        searched = {"alone": retriever.search(second, k), "rewrite": retriever.search(turn.standalone, k),
                    "rewrite+boost": DocBoost(retriever, turn.docs).search(turn.standalone, k),
                    "gold": retriever.search(conv["standalone"], k)}
        answers = {"alone": app.ask(second), "conversation": app.ask(second, history=history),
                   "gold": app.ask(conv["standalone"])}
        rows.append({"id": conv["id"], "lang": conv["lang"], "rewritten": turn.rewritten, "standalone": turn.standalone,
                     "exact": norm(turn.standalone) == norm(conv["standalone"]),
                     **{f"r_{name}": found(hits, conv) for name, hits in searched.items()},
                     **{f"r1_{name}": found(hits[:1], conv) for name, hits in searched.items()},
                     **{f"f1_{name}": token_f1(conv["answer"], "" if a.refused else a.answer)[1] for name, a in answers.items()}})
    return rows, rewrite_ms


def summary(rows: list[dict]) -> dict:
    n = max(1, len(rows))
    mean = lambda key: round(sum(float(r[key]) for r in rows) / n, 3)  # noqa: E731
    return {"n": len(rows), "rewritten": mean("rewritten"), "exact_rewrite": mean("exact"),
            "recall_alone": mean("r_alone"), "recall_rewrite": mean("r_rewrite"),
            "recall_rewrite_boost": mean("r_rewrite+boost"), "recall_gold": mean("r_gold"),
            "recall1_alone": mean("r1_alone"), "recall1_rewrite": mean("r1_rewrite"),
            "recall1_rewrite_boost": mean("r1_rewrite+boost"), "recall1_gold": mean("r1_gold"),
            "f1_alone": mean("f1_alone"), "f1_conversation": mean("f1_conversation"), "f1_gold": mean("f1_gold")}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--llm", default="none", help="model for the answers (default none: extractive)")
    ap.add_argument("--k", type=int, default=5, help="passages searched (recall@k)")
    ap.add_argument("--data", type=Path, default=DATA)
    ap.add_argument("--corpus", type=Path, default=SAMPLES,
                    help="documents the conversations are about (default: the sample library; with "
                         "--data bench/data/conversations-real-manuals.jsonl: ../shared/eval/real-manuals)")
    ap.add_argument("--show", action="store_true", help="print each conversation's rewrite and results")
    args = ap.parse_args(argv)

    from assistant.app import Assistant
    from assistant.settings import Settings

    convs = [json.loads(line) for line in args.data.read_text(encoding="utf-8").splitlines() if line.strip()]
    with tempfile.TemporaryDirectory() as tmp:
        app = Assistant(Settings(index_dir=Path(tmp) / "lib", llm=args.llm), llm=None if args.llm == "none" else "auto")
        app.index([args.corpus], progress=False)
        app.warm_up()
        rows, rewrite_ms = run(app, convs, args.k)
        app.close()
    if args.show:
        for r in rows:
            print(json.dumps(r, ensure_ascii=False))
    groups = {"all": rows} | {f"{lang}": [r for r in rows if r["lang"] == lang] for lang in sorted({r["lang"] for r in rows})}
    table = []
    for name, group in groups.items():
        s = summary(group)
        table.append((name, s["n"], s["rewritten"], s["exact_rewrite"],
                      *(f"{s[f'{r}_{m}']:.3f}" for r in ("recall", "recall1") for m in ("alone", "rewrite", "rewrite_boost", "gold")),
                      s["f1_alone"], s["f1_conversation"], s["f1_gold"]))
    s = summary(rows)
    result = {"bench": "conversation", "k": args.k, "llm": args.llm, **s,
              "f1_gap": round(s["f1_gold"] - s["f1_conversation"], 3), "rewrite_ms_p50": round(median(rewrite_ms), 3),
              "by_lang": {name: summary(g) for name, g in groups.items() if name != "all"}}
    report(f"Second turn of {len(rows)} two-turn conversations over {args.corpus.name}: recall@{args.k} and answer F1",
           table, ("set", "n", "rewritten", "exact", f"R@{args.k} alone", "rewrite", "rewrite+boost", "gold",
                   "R@1 alone", "rewrite", "rewrite+boost", "gold", "F1 alone", "F1 conv.", "F1 gold"), result)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
