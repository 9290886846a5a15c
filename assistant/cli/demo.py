"""`assistant demo`: index the bundled sample library, show one cited answer and one step card,
then serve the web UI on loopback.

Every stage that can take more than a couple of seconds says so on stderr before it starts (model
loading, first-use conversion of a bundled model, indexing with its progress bar, generating the
answer), so a first run is never a silent wait. The answer and the card go to stdout."""
from __future__ import annotations

import sys
import time
from pathlib import Path

from ..status import status
from .common import print_answer, settings_from

SAMPLES = Path(__file__).resolve().parents[1] / "samples"
EXAMPLE_QUESTION = "What torque for the filter housing cover on the HP-3?"
EXAMPLE_TASK = "Replace the return-line filter element on the HP-3"


def run(args) -> int:
    from ..app import Assistant

    sock = None
    if not args.no_serve:  # a port in use is said before minutes of indexing and loading, not after
        try:
            from ..api import bind_socket
        except ImportError as exc:
            print(f"the web UI needs the [ui] extra ({exc}); pip install -e '.[ui]'", file=sys.stderr)
            return 1
        sock = bind_socket(args.host, args.port)  # AddressUnavailable: one line and exit 5 (cli.main)
    index_dir = Path(args.index) if args.index else Path("indexes/demo")
    settings = settings_from(args).model_copy(update={"index_dir": index_dir})
    app = Assistant(settings)
    t0 = time.monotonic()
    app.load_embedders(questions=True)  # the samples include Chinese manuals: the indexer would load e5 mid-bar
    status("retrieval models ready (%.0f s)", time.monotonic() - t0)
    status("indexing the sample library %s into %s ...", SAMPLES, index_dir)
    # the bar goes to stderr whether or not it is a terminal (tqdm); in a log it is one line per update
    report = app.index([SAMPLES], progress=True)
    status("%d indexed, %d unchanged, %d chunks (%.0f s)", len(report.indexed), len(report.unchanged), report.chunks,
           report.seconds)
    for f in report.failed:
        status("not indexed: %s: %s", f["path"], f["error"])
    _show_examples(app)
    if sock is None:
        return 0
    from ..api import serve

    status("starting the web UI (the models load again in the server, a few seconds) ...")
    return serve(settings, host=args.host, port=args.port, sock=sock)


def _load_llm(app):
    """The language model, announced before it loads (the first use assembles and converts it)."""
    from ..llm import backend_kind

    settings = app.settings
    kind = backend_kind(settings.llm)
    if kind == "none":
        status("no language model (--llm none): the answer is quoted from the manuals (extractive)")
        return None
    t0 = time.monotonic()
    if kind == "local":
        from ..llm.bundled import is_built, spec_for

        spec = spec_for(settings.llm)
        if is_built(settings.cache_dir, spec):
            status("loading the local language model (%s, ~5-15 s) ...", spec.name)
        else:
            status("loading the local language model %s (first use: assembling and converting, ~1-3 min) ...", spec.name)
    else:
        status("loading the language model '%s' ...", settings.llm)
    llm = app.llm
    if llm is not None:
        status("language model ready (%.0f s)", time.monotonic() - t0)
    return llm


def _show_examples(app) -> None:
    from ..cards.render import to_markdown
    from ..errors import NoProcedureFound

    llm = _load_llm(app)
    t0 = time.monotonic()
    if llm is None:
        status("answering: %s ...", EXAMPLE_QUESTION)
    else:
        status("answering with the language model: %s (about 10-60 s on 2 cores) ...", EXAMPLE_QUESTION)
    ans = app.ask(EXAMPLE_QUESTION)
    status("answered (%.0f s)", time.monotonic() - t0)
    print(f"\nQ: {EXAMPLE_QUESTION}")
    print_answer(ans)  # as `assistant ask` prints it: the answer, its sources, then the procedure's warnings
    sys.stdout.flush()
    status("drafting a step card: %s ...", EXAMPLE_TASK)
    try:
        card = app.draft_card(EXAMPLE_TASK)
        print("\n" + to_markdown(card), flush=True)
    except NoProcedureFound as exc:
        print(f"\nno step card: {exc}", flush=True)
