"""The command line: one parser, and a table of commands, each a module with `run(args) -> int` that
calls the Assistant (assistant/app.py). Errors become one line on stderr.

    assistant index PATH... [--index DIR] [--json]
    assistant search "QUERY" [--index DIR] [-k 10] [--json]
    assistant search --index DIR --queries FILE.jsonl --jsonl

`--index` defaults to ASSISTANT_INDEX_DIR, else indexes/default. Exit codes: see cli/common.py.
"""
from __future__ import annotations

import argparse
import importlib
import os
import sys
from pathlib import Path

from .. import __version__
from ..errors import AddressUnavailable, AssistantError, UsageError

# The commands: name -> the module under assistant/cli/ whose run(args) carries it out.
COMMANDS = {"index": "index", "search": "search", "ask": "ask", "card": "card", "eval": "eval", "serve": "serve",
            "demo": "demo", "info": "info"}

EPILOG = """examples:
  assistant demo                                   index the bundled sample library and open the web UI
  assistant index manuals/ proceedings/ --index indexes/plant --json
  assistant search "What torque for the filter housing on HP-3?" --index indexes/plant
  assistant search --index indexes/plant --queries questions.jsonl -k 10 --jsonl
environment: every setting has an ASSISTANT_ variable, e.g. ASSISTANT_EMBEDDING_MODEL, ASSISTANT_DEVICE,
ASSISTANT_CACHE_DIR, ASSISTANT_INDEX_DIR (see README). Without --index, every command uses the library
in ASSISTANT_INDEX_DIR, else indexes/default.
exit codes: 0 ok; 1 error (a missing or empty library, nothing could be indexed); 2 usage error;
  3 index: some files failed; 4 card: refused; 5 serve/demo: the address cannot be bound (port in use, no permission)."""

def _common(p: argparse.ArgumentParser, index_default: str = "$ASSISTANT_INDEX_DIR, else indexes/default") -> None:
    p.add_argument("--index", type=Path, default=None, metavar="DIR",
                   help=f"library directory (default: {index_default})")
    p.add_argument("--device", choices=["cpu", "cuda", "auto"], default=None, help="device for models (env ASSISTANT_DEVICE)")


def _llm_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--llm", default=None, metavar="BACKEND",
                   help="'local' (bundled Qwen2.5 0.5B; on CPU it runs on CTranslate2 int8, env ASSISTANT_LLM_ENGINE), "
                        "'local-1.5b' (bundled 1.5B, the [llm-large] extra), 'none' (extractive only), 'openai' (an OpenAI-compatible server), "
                        "or a transformers model path/name (env ASSISTANT_LLM)")
    p.add_argument("--llm-url", default=None, help="base URL of an OpenAI-compatible server, e.g. http://127.0.0.1:8000/v1 (env ASSISTANT_LLM_URL)")
    p.add_argument("--llm-model", default=None, help="model name to request from that server (env ASSISTANT_LLM_MODEL)")
    _filter_options(p)


def _at_least_one(text: str) -> int:
    """-k: a whole number of hits, 1 or more."""
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"a whole number is needed, not {text!r}") from None
    if n < 1:
        raise argparse.ArgumentTypeError(f"at least 1, not {n}")
    return n


def _unit_option(p) -> None:
    p.add_argument("--unit-tokens", type=int, default=None, metavar="N",
                   help="each hit is the unit around the matched passage (the rest of its section) within N tokens, "
                   "what is shown and what an answer reads; 0: the matched passage alone (default 480, or ASSISTANT_UNIT_TOKENS)")


def _filter_options(p: argparse.ArgumentParser) -> None:
    """The filters of assistant.retrieve.Filters.from_args."""
    p.add_argument("--doc", action="append", default=[], help="only this document (repeatable)")
    p.add_argument("--collection", action="append", default=[], help="only this collection (repeatable)")
    p.add_argument("--language", action="append", default=[], help="only chunks in this language, e.g. en, zh (repeatable)")


def build_parser() -> argparse.ArgumentParser:
    from ..cards.formats import NAMES as CARD_FORMATS

    ap = argparse.ArgumentParser(prog="assistant", description="Maintenance knowledge assistant: grounded answers and XR step cards from your manuals.",
                                 epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = ap.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("index", help="index documents into a library (incremental)",
                       description="Index PDF, DOCX, HTML, Markdown and text files. Unchanged files are skipped; files gone from the given folders are removed. "
                       "README files (README, README.md, README.txt, ...) found in a folder are skipped: they describe the folder, "
                       "they are not manuals; name one as a file, or pass --include-readme, to index it. "
                       "A run that indexes nothing leaves no new library behind. "
                       "Exit 0: all indexed; 3: some failed; 1: nothing could be indexed; 2: usage error.")
    p.add_argument("paths", nargs="+", metavar="PATH", help="files or folders")
    _common(p)
    p.add_argument("--include-readme", action="store_true", help="also index README files found in the folders")
    p.add_argument("--collection", default="default", help="collection name for these documents (default: default)")
    p.add_argument("--embedding-model", default=None, help="sentence-transformers model path or name (env ASSISTANT_EMBEDDING_MODEL; default: bundled MiniLM)")
    p.add_argument("--workers", type=int, default=None, help="parser processes (default: cores - 1)")
    p.add_argument("--engine", choices=["local", "ray"], default="local", help="local processes, or Ray Data (the [distributed] extra)")
    p.add_argument("--address", default=None, help="Ray cluster address for --engine ray, e.g. ray://head:10001 (default: start a local Ray)")
    p.add_argument("--json", action="store_true", help="print the report as one JSON object (last line of stdout)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")

    p = sub.add_parser("search", help="hybrid search (BM25 + dense) over a library",
                       description="Hybrid search over a library. Each hit: document, page, section path (its headings), "
                       "score and text. The score is in 0..1: the weighted sum of the per-query normalised channel scores "
                       "(BM25, dense, multilingual), the heading match and the label match, divided by the most they can add up to, so 1 is "
                       "the best possible match on every channel (with --reranker: the reranker's score squashed "
                       "to 0..1). Scores rank hits of one query; they are not comparable across queries. A hit is the unit around "
                       "the matched passage: the rest of its section within --unit-tokens (a table passage with its column "
                       "names); JSON names the matched chunk and, under \"unit\", every chunk and page it holds. The hit text is "
                       "shown with its white space collapsed to single spaces (the library keeps the verbatim page text). "
                       "Exit 0: hits printed (or none matched); 1: a missing or empty library, or another error; 2: usage error.")
    p.add_argument("query", nargs="?", help="the query (or use --queries)")
    _common(p)
    p.add_argument("-k", type=_at_least_one, default=10, help="hits to return (default 10)")
    _unit_option(p)
    p.add_argument("--queries", type=Path, metavar="FILE.jsonl", help='batch: lines {"id", "question"}')
    _filter_options(p)
    p.add_argument("--reranker", default=None, help="a reranker model directory (cross-encoder, SPLADE or sentence-transformers) or a cross-encoder hub name in the local hub cache, to rerank the top hits")
    p.add_argument("--json", action="store_true", help="print hits as JSON")
    p.add_argument("--jsonl", action="store_true", help="batch output: one JSON line per query")

    p = sub.add_parser("ask", help="a grounded, cited answer (or a refusal) from the library",
                       description="Answer from the library only, citing document and page, or refuse. One question and a "
                       "batch (--questions) use the same backend: the configured LLM (default: the bundled local model, "
                       "run on CTranslate2 int8 on a CPU), every sentence verified, the manual's own words where it falls "
                       "short; --llm none answers extractively. Exit 0: answered or refused; 1: a missing or "
                       "empty library, or another error; 2: usage error.")
    p.add_argument("question", nargs="?", help="the question (or use --questions)")
    _common(p)
    _llm_options(p)
    p.add_argument("-k", type=_at_least_one, default=6, help="passages given to the answerer (default 6)")
    _unit_option(p)
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
    p.add_argument("--format", choices=CARD_FORMATS, default="json",
                   help="output format (default json; s1000d = a procedural-step XML fragment)")
    p.add_argument("--out", type=Path, help="write to this file instead of stdout")
    p.add_argument("--jsonl", action="store_true", help="batch output: one JSON line per task")

    p = sub.add_parser("eval", help="evaluate retrieval, answers or cards on a question/task set")
    p.add_argument("what", choices=["retrieval", "answers", "cards"])
    _common(p)
    _llm_options(p)
    p.add_argument("--questions", type=Path, metavar="FILE.jsonl", help="questions (retrieval, answers) or tasks (cards)")
    p.add_argument("--tasks", type=Path, metavar="FILE.jsonl", help="tasks for eval cards (same as --questions)")
    p.add_argument("-k", type=_at_least_one, default=None, help="hits/passages per question (default: 10 for retrieval, 6 for answers)")
    _unit_option(p)
    p.add_argument("--corpus", type=Path, action="append", default=[], help="corpus folder for the verbatim-quote check (default: the library's documents)")
    p.add_argument("--out", type=Path, help="also write the per-item results as JSONL here")

    p = sub.add_parser("serve", help="web chat UI at / and HTTP API at /v1 (loopback by default)",
                       description="Serve the web chat UI at / and the HTTP API at /v1. The address is bound before "
                       "anything else starts. Exit 0: stopped; 1: error; 2: usage error; 5: the address cannot be "
                       "bound (port in use, or no permission): choose another with --port.")
    _common(p)
    _llm_options(p)
    p.add_argument("--host", default="127.0.0.1", help="bind address (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=7860, help="TCP port (default 7860)")

    p = sub.add_parser("demo", help="index the bundled sample library and open the web UI",
                       description="Index the bundled samples, show an answer and a step card, then serve the web UI. "
                       "Exit 0: done; 1: error; 5: the address cannot be bound (use --port).")
    _common(p, index_default="indexes/demo")
    _llm_options(p)
    p.add_argument("--host", default="127.0.0.1", help="bind address (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=7860, help="TCP port (default 7860)")
    p.add_argument("--no-serve", action="store_true", help="index the samples, answer one example question, and exit")

    p = sub.add_parser("info", help="show a library's manifest and documents",
                       description="Show a library's manifest and documents. Exit 0: shown; 1: no library there yet.")
    _common(p)
    p.add_argument("--json", action="store_true")
    return ap


def main(argv: list[str] | None = None) -> int:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")  # never reach for a hub unless the user opts in
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    parser = build_parser()
    args = parser.parse_args(argv)
    from ..status import show_status_on_stderr

    show_status_on_stderr()  # model loading and first-use conversions say so on stderr
    try:
        command = importlib.import_module(f".{COMMANDS[args.command]}", __name__)
        return command.run(args)
    except UsageError as exc:
        _subparser(parser, args.command).error(str(exc))  # usage and the message on stderr, exit 2
    except AddressUnavailable as exc:  # serve / demo: the port is taken or not allowed
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code
    except AssistantError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


def _subparser(parser: argparse.ArgumentParser, command: str) -> argparse.ArgumentParser:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction) and command in action.choices:
            return action.choices[command]
    return parser

