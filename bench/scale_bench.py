"""Scale: a library-sized ANN and lexical index at 1,000,000 chunks.

Random unit vectors stand in for the dense part (the ANN index the library picks at that size: IVF
with 8-bit scalar quantisation); the lexical part indexes dev-set passages repeated to the same
count. Reports build time, resident memory of vectors + index, and search p50/p99 of the fused
hybrid query path (dense ANN + BM25 + fusion).

    python bench/scale_bench.py [--chunks 1000000] [--queries 200]
"""
from __future__ import annotations

import argparse
import gc
import os
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.common import SHARED, Timer, median, percentile, report  # noqa: E402


def rss_mb() -> float:
    with open(f"/proc/{os.getpid()}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def dev_passages() -> list[str]:
    from assistant.index.chunk import chunk_doc
    from assistant.ingest import parse

    corpus = SHARED / "eval" / "emanual-s10" / "corpus"
    files = sorted(corpus.glob("*.html")) or sorted((Path(__file__).resolve().parents[1] / "assistant" / "samples").iterdir())
    out = []
    for p in files:
        try:
            out += [c.section[-1] + "\n" + c.text if c.section else c.text for c in chunk_doc(parse(p))]
        except Exception:  # noqa: BLE001 - README.md etc. in the fallback folder
            continue
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--chunks", type=int, default=1_000_000)
    ap.add_argument("--queries", type=int, default=200)
    ap.add_argument("--dim", type=int, default=384)
    args = ap.parse_args()
    n, dim = args.chunks, args.dim

    from assistant.index.lexical import BM25, tokenize
    from assistant.retrieve import fuse
    from assistant.index.vectors import VectorIndex

    rng = np.random.default_rng(0)
    base_mb = rss_mb()
    with Timer() as t_vec:
        vecs = rng.standard_normal((n, dim), dtype=np.float32)
        vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
        ids = np.arange(1, n + 1, dtype=np.int64)
        index = VectorIndex.build(ids, vecs, dim)  # the library's choice for this size
    queries_v = vecs[rng.choice(n, args.queries, replace=False)] + 0.05 * rng.standard_normal((args.queries, dim), dtype=np.float32)
    del vecs
    gc.collect()
    vec_mb = rss_mb() - base_mb

    passages = dev_passages()
    token_strings = [" ".join(tokenize(p)) for p in passages]
    before_lex = rss_mb()
    with Timer() as t_lex:
        bm = BM25.build(ids, [token_strings[i % len(token_strings)] for i in range(n)])
    lex_mb = rss_mb() - before_lex

    questions = [p.split("\n")[0] + " " + " ".join(p.split()[1:6]) for p in passages[: args.queries]]
    dense_ms, lex_ms, total_ms = [], [], []
    for qv, qt in zip(queries_v, questions):
        with Timer() as t_all:
            with Timer() as t_d:
                s, i = index.search(qv[None, :], 50)
            with Timer() as t_l:
                ls, li = bm.search(qt, 50)
            fuse([({int(a): float(b) for a, b in zip(i[0], s[0]) if a >= 0}, 0.5, "minmax"),
                  ({int(a): float(b) for a, b in zip(li, ls)}, 0.5, "max")])
        dense_ms.append(t_d.seconds * 1000)
        lex_ms.append(t_l.seconds * 1000)
        total_ms.append(t_all.seconds * 1000)

    rows = [
        ("ANN (dense)", index.kind, f"{t_vec.seconds:.1f}", f"{vec_mb:.0f}", f"{median(dense_ms):.2f}", f"{percentile(dense_ms, 99):.2f}"),
        ("BM25 (lexical)", f"{len(bm.vocab)} terms", f"{t_lex.seconds:.1f}", f"{lex_mb:.0f}", f"{median(lex_ms):.2f}", f"{percentile(lex_ms, 99):.2f}"),
        ("hybrid query (both + fusion)", "", "", f"{vec_mb + lex_mb:.0f}", f"{median(total_ms):.2f}", f"{percentile(total_ms, 99):.2f}"),
    ]
    report(f"{n:,} chunks, {dim}-d, {os.cpu_count()} cores", rows, ("part", "index", "build s", "RAM MB", "p50 ms", "p99 ms"),
           {"bench": "scale", "chunks": n, "index": index.kind, "vector_build_s": round(t_vec.seconds, 1),
            "vector_ram_mb": round(vec_mb), "lexical_build_s": round(t_lex.seconds, 1), "lexical_ram_mb": round(lex_mb),
            "dense_p50_ms": round(median(dense_ms), 2), "dense_p99_ms": round(percentile(dense_ms, 99), 2),
            "lexical_p50_ms": round(median(lex_ms), 2), "lexical_p99_ms": round(percentile(lex_ms, 99), 2),
            "search_p50_ms": round(median(total_ms), 2), "search_p99_ms": round(percentile(total_ms, 99), 2)})


if __name__ == "__main__":
    main()
