"""Second-stage rerankers on the dev sets, each beside the fused ranking without one in the same run:
hit@1, recall@5, recall@10 and MRR@10 (the relevance rule and metrics of bench/retrieval_bench.py),
per-query search time (p50/p95, warm, the reranker included) and the reranker's load time.

    python bench/rerank_bench.py [--sets emanual-s10 real-manuals zh-proceedings] [--rerankers none MODEL_DIR ...]
                                 [--top 20 10] [--blend 1.0] [--threads 2] [--index emanual-s10=/tmp/s10-library]

A reranker is named as a user names one (`--reranker` of the CLI, assistant/rerank.py): a cross-encoder,
SPLADE or sentence-transformers model directory, or a hub name found in the local hub cache; "none" is
the fused ranking alone. `--top N` reranks only the best N of the fused candidates (the search hands the
reranker its best max(k, 20); the rest keep their fused order). Libraries come from the cache of
bench/retrieval_bench.py (any complete one is reused, built when missing), or from `--index SET=DIR`.
torch runs on `--threads` threads (2: the product's target machine).
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.common import Timer, report  # noqa: E402
from bench.retrieval_bench import SETS, cached_library, corpus_of, load_questions, metrics  # noqa: E402

DEFAULT_SETS = ("emanual-s10", "real-manuals", "zh-proceedings")


def top_only(rerank, n: int, blend: float = 1.0):
    """`rerank` applied to the best `n` candidates only; the others follow in their fused order. With
    `blend` < 1 the order is by blend x reranker score + (1 - blend) x fused score, each min-max
    normalised over the n (an experiment: the product orders by the reranker alone)."""
    import numpy as np

    from assistant.rerank import reorder

    def wrapped(query, hits):
        head = hits[:n]
        out = rerank(query, head)
        if blend < 1 and len(head) > 1:
            fused = {h.chunk.id: h.score for h in head}
            r = np.array([h.score for h in out])
            f = np.array([fused[h.chunk.id] for h in out])
            norm = [(x - x.min()) / max(x.max() - x.min(), 1e-9) for x in (r, f)]
            out = reorder(out, blend * norm[0] + (1 - blend) * norm[1])
        return out + hits[n:]
    return wrapped


def short_name(reranker: str) -> str:
    """A model directory's last two path parts (wheels keep models in folders named plainly "model")."""
    parts = Path(reranker).parts
    return "/".join(parts[-2:]) if Path(reranker).expanduser().is_dir() and len(parts) > 1 else reranker


def run(retriever, questions) -> tuple[list[list[str]], list[float]]:
    """Each question's ranked passage texts (top 10) and its search time in ms, after a warm-up search."""
    retriever.load_models()
    retriever.search("warm up 预热", 10)
    texts, ms = [], []
    for q in questions:
        with Timer() as t:
            hits = retriever.search(q["question"], 10)
        ms.append(t.seconds * 1000)
        texts.append([h.chunk.text for h in hits])
    return texts, ms


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sets", nargs="*", default=list(DEFAULT_SETS), choices=[s for s in SETS if s != "emanual-s10-pdf"])
    ap.add_argument("--rerankers", nargs="*", default=["none"], help="'none' and reranker names or model directories")
    ap.add_argument("--top", nargs="*", type=int, default=[20], help="rerank only the best N fused candidates (one run per N)")
    ap.add_argument("--blend", type=float, default=1.0, help="weight of the reranker's score against the fused score (1: reranker alone)")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--index", nargs="*", default=[], metavar="SET=DIR", help="an already indexed library for a set")
    args = ap.parse_args()

    import torch

    torch.set_num_threads(args.threads)
    from assistant.app import Assistant
    from assistant.rerank import load_reranker
    from assistant.settings import Settings

    given = dict(item.split("=", 1) for item in args.index)
    embedder = Assistant(Settings(embedding_model="minilm"), llm=None).load_embedders()
    rows, result = [], {"bench": "rerank", "threads": args.threads, "blend": args.blend, "sets": {}}
    for name in args.sets:
        questions = load_questions(name)
        if not questions:
            continue
        if name in given:
            app = Assistant(Settings(embedding_model="minilm", index_dir=Path(given[name])), embedder=embedder, llm=None)
        else:
            app = cached_library(name, [corpus_of(name)], embedder, reuse=True)
        base = app.retriever
        figures = result["sets"][name] = {}
        for reranker in args.rerankers:
            for top in ([0] if reranker == "none" else args.top):
                retriever = base  # the app's own retriever, its second stage swapped per run
                retriever.reranker, load_s = None, 0.0
                if reranker != "none":
                    with Timer() as t:
                        retriever.reranker = top_only(load_reranker(reranker), top, args.blend)
                    load_s = t.seconds
                label = "none" if reranker == "none" else f"{short_name(reranker)} top{top}" + (f" blend {args.blend:g}" if args.blend < 1 else "")
                texts, ms = run(retriever, questions)
                m = metrics(questions, texts, ms) | {"load_s": round(load_s, 2)}
                figures[label] = m
                rows.append((name, len(questions), label, m["hit@1"], m["recall@5"], m["recall@10"], m["mrr@10"],
                             m["p50_ms"], m["p95_ms"], m["load_s"]))
        app.close()
    report(f"Rerankers on the dev sets ({args.threads} torch threads, warm)", rows,
           ("set", "n", "reranker", "hit@1", "recall@5", "recall@10", "MRR@10", "p50 ms", "p95 ms", "load s"), result)


if __name__ == "__main__":
    main()
