"""`assistant demo`: index the bundled sample library, show one cited answer and one step card,
then serve the web UI on loopback."""
from __future__ import annotations

import sys
from pathlib import Path

SAMPLES = Path(__file__).resolve().parent / "samples"
EXAMPLE_QUESTION = "What torque for the filter housing cover on the HP-3?"
EXAMPLE_TASK = "Replace the return-line filter element on the HP-3"


def run_demo(args, settings) -> int:
    from .indexer import index_paths

    index_dir = Path(args.index) if args.index else Path("indexes/demo")
    settings = settings.model_copy(update={"index_dir": index_dir})
    print(f"indexing the sample library {SAMPLES} into {index_dir} ...", file=sys.stderr)
    report = index_paths([SAMPLES], settings, index_dir=index_dir, progress=True)
    print(f"{len(report.indexed)} indexed, {len(report.unchanged)} unchanged, {report.chunks} chunks", file=sys.stderr)
    _show_examples(settings)
    if args.no_serve:
        return 0
    try:
        from .api import serve
    except ImportError as exc:
        print(f"the web UI needs the [ui] extra ({exc}); pip install -e '.[ui]'", file=sys.stderr)
        return 1
    return serve(settings, host=args.host, port=args.port)


def _show_examples(settings) -> None:
    from .library import Library
    from .retrieve import Retriever

    lib = Library.open(settings.index_dir, settings)
    retriever = Retriever(lib)
    from .answer import answer_question
    from .answer_cli import load_llm

    ans = answer_question(EXAMPLE_QUESTION, retriever, llm=load_llm(settings))
    print(f"\nQ: {EXAMPLE_QUESTION}\nA: {ans.answer}")
    for c in ans.citations:
        print(f"   [{c.doc} p.{c.page}] \"{' '.join(c.quote.split())}\"")
    for w in ans.warnings:
        print(f"   WARNING [{w.doc} p.{w.page}]: {' '.join(w.text.split())}")
    from .cards.draft import NoProcedureFound, draft_card
    from .cards.render import to_markdown

    try:
        card = draft_card(EXAMPLE_TASK, lib, retriever)
        print("\n" + to_markdown(card))
    except NoProcedureFound as exc:
        print(f"\nno step card: {exc}")
