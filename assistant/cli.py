"""The command line: a thin adapter over the library functions. Errors become one line on stderr.

    assistant index PATH... --index DIR [--json]
    assistant search "QUERY" --index DIR [-k 10] [--json]
    assistant search --index DIR --queries FILE.jsonl --jsonl
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

from . import __version__
from .errors import AssistantError

EPILOG = """examples:
  assistant demo                                   index the bundled sample library and open the web UI
  assistant index manuals/ proceedings/ --index indexes/plant --json
  assistant search "What torque for the filter housing on HP-3?" --index indexes/plant
  assistant search --index indexes/plant --queries questions.jsonl -k 10 --jsonl
environment: every setting has an ASSISTANT_ variable, e.g. ASSISTANT_EMBEDDING_MODEL, ASSISTANT_DEVICE,
ASSISTANT_CACHE_DIR, ASSISTANT_INDEX_DIR (see README)."""


def _common(p: argparse.ArgumentParser, index_required: bool = True) -> None:
    p.add_argument("--index", type=Path, required=index_required, metavar="DIR",
                   help="library directory (env ASSISTANT_INDEX_DIR)" + ("" if index_required else "; default indexes/default"))
    p.add_argument("--device", choices=["cpu", "cuda", "auto"], default=None, help="device for models (env ASSISTANT_DEVICE)")


def _llm_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--llm", default=None, metavar="BACKEND",
                   help="'local' (bundled Qwen2.5 0.5B), 'none' (extractive only), 'openai' (an OpenAI-compatible server), "
                        "or a transformers model path/name (env ASSISTANT_LLM)")
    p.add_argument("--llm-url", default=None, help="base URL of an OpenAI-compatible server, e.g. http://127.0.0.1:8000/v1 (env ASSISTANT_LLM_URL)")
    p.add_argument("--llm-model", default=None, help="model name to request from that server (env ASSISTANT_LLM_MODEL)")
    p.add_argument("--doc", action="append", default=[], help="only this document (repeatable)")
    p.add_argument("--collection", action="append", default=[], help="only this collection (repeatable)")
    p.add_argument("--language", action="append", default=[], help="only chunks in this language (repeatable)")


def build_parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="assistant", description="Maintenance knowledge assistant: grounded answers and XR step cards from your manuals.",
                                 epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = ap.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("index", help="index documents into a library (incremental)",
                       description="Index PDF, DOCX, HTML, Markdown and text files. Unchanged files are skipped; files gone from the given folders are removed. "
                       "Exit 0: all indexed; 3: some failed; 1: nothing could be indexed; 2: usage error.")
    p.add_argument("paths", nargs="+", metavar="PATH", help="files or folders")
    _common(p)
    p.add_argument("--collection", default="default", help="collection name for these documents (default: default)")
    p.add_argument("--embedding-model", default=None, help="sentence-transformers model path or name (env ASSISTANT_EMBEDDING_MODEL; default: bundled MiniLM)")
    p.add_argument("--workers", type=int, default=None, help="parser processes (default: cores - 1)")
    p.add_argument("--engine", choices=["local", "ray"], default="local", help="local processes, or Ray Data (the [distributed] extra)")
    p.add_argument("--address", default=None, help="Ray cluster address for --engine ray, e.g. ray://head:10001 (default: start a local Ray)")
    p.add_argument("--json", action="store_true", help="print the report as one JSON object (last line of stdout)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")

    p = sub.add_parser("search", help="hybrid search (BM25 + dense) over a library")
    p.add_argument("query", nargs="?", help="the query (or use --queries)")
    _common(p)
    p.add_argument("-k", type=int, default=10, help="hits to return (default 10)")
    p.add_argument("--queries", type=Path, metavar="FILE.jsonl", help='batch: lines {"id", "question"}')
    p.add_argument("--doc", action="append", default=[], help="only this document (repeatable)")
    p.add_argument("--collection", action="append", default=[], help="only this collection (repeatable)")
    p.add_argument("--language", action="append", default=[], help="only chunks in this language, e.g. en, zh (repeatable)")
    p.add_argument("--reranker", default=None, help="cross-encoder model path or name to rerank the top hits")
    p.add_argument("--json", action="store_true", help="print hits as JSON")
    p.add_argument("--jsonl", action="store_true", help="batch output: one JSON line per query")

    p = sub.add_parser("ask", help="a grounded, cited answer (or a refusal) from the library",
                       description="Answer from the library only, citing document and page, or refuse. One question uses "
                       "the configured LLM (default: the bundled local model); --questions batches answer extractively "
                       "unless --llm or ASSISTANT_LLM names a backend.")
    p.add_argument("question", nargs="?", help="the question (or use --questions)")
    _common(p)
    _llm_options(p)
    p.add_argument("-k", type=int, default=6, help="passages given to the answerer (default 6)")
    p.add_argument("--questions", type=Path, metavar="FILE.jsonl", help='batch: lines {"id", "question"}')
    p.add_argument("--json", action="store_true", help="print the answer object as JSON")
    p.add_argument("--jsonl", action="store_true", help="batch output: one JSON line per question")

    p = sub.add_parser("card", help="draft an XR step card for a task, with a citation behind every line",
                       description="Draft an XR step card from the library's procedures. Exit 0: card drafted; "
                       "4: refused (the library holds no procedure for the task); 1: error; 2: usage error.")
    p.add_argument("task", nargs="?", help='the task, e.g. "replace the return-line filter element on HP-3"')
    _common(p)
    _llm_options(p)
    p.add_argument("--tasks", type=Path, metavar="FILE.jsonl", help='batch: lines {"id", "task"}')
    p.add_argument("--format", choices=["json", "arlem", "html", "md", "s1000d"], default="json",
                   help="output format (default json; s1000d = a procedural-step XML fragment)")
    p.add_argument("--out", type=Path, help="write to this file instead of stdout")
    p.add_argument("--jsonl", action="store_true", help="batch output: one JSON line per task")

    p = sub.add_parser("eval", help="evaluate retrieval, answers or cards on a question/task set")
    p.add_argument("what", choices=["retrieval", "answers", "cards"])
    _common(p)
    _llm_options(p)
    p.add_argument("--questions", type=Path, metavar="FILE.jsonl", help="questions (retrieval, answers) or tasks (cards)")
    p.add_argument("--tasks", type=Path, metavar="FILE.jsonl", help="tasks for eval cards (same as --questions)")
    p.add_argument("-k", type=int, default=None, help="hits/passages per question (default: 10 for retrieval, 6 for answers)")
    p.add_argument("--corpus", type=Path, action="append", default=[], help="corpus folder for the verbatim-quote check (default: the library's documents)")
    p.add_argument("--out", type=Path, help="also write the per-item results as JSONL here")

    p = sub.add_parser("serve", help="web chat UI at / and HTTP API at /v1 (loopback by default)")
    _common(p)
    _llm_options(p)
    p.add_argument("--host", default="127.0.0.1", help="bind address (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=7860)

    p = sub.add_parser("demo", help="index the bundled sample library and open the web UI")
    _common(p, index_required=False)
    _llm_options(p)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=7860)
    p.add_argument("--no-serve", action="store_true", help="index the samples, answer one example question, and exit")

    p = sub.add_parser("info", help="show a library's manifest and documents")
    _common(p)
    p.add_argument("--json", action="store_true")
    return ap


def main(argv: list[str] | None = None) -> int:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")  # never reach for a hub unless the user opts in
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    args = build_parser().parse_args(argv)
    try:
        from . import commands

        return getattr(commands, f"cmd_{args.command}")(args)
    except AssistantError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


def emit_json(obj) -> None:
    sys.stdout.write(json.dumps(obj, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def now_ms(t0: float) -> float:
    return round((time.perf_counter() - t0) * 1000, 2)
