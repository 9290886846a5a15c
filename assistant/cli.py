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
