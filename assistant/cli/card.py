"""`assistant card` and `assistant eval cards`: thin adapters over CardDrafter and the exports.

    assistant card "replace the return-line filter element on HP-3" --index DIR [--format json|arlem|html|md] [--out FILE]
    assistant card --index DIR --tasks tasks.jsonl --jsonl [--format json|arlem]      lines {"id", "card"}
    assistant eval cards --index DIR --tasks tasks.jsonl [--corpus DIR] [--out results.jsonl]

Exit codes: 0 a card (or a batch) was written; 4 the library holds no procedure for the task; 1 error.
"""
from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from ..errors import AssistantError
from ..cards import formats
from ..cards.draft import CardDrafter, NoProcedureFound
from ..cards.model import StepCard

REFUSED = 4


def _drafter(args, settings) -> CardDrafter:
    from .commands import open_library
    from ..retrieve import Retriever

    lib = open_library(args)
    return CardDrafter(lib, Retriever(lib), llm=_llm(settings))


def _llm(settings):
    """The model that may shorten long steps, or None (extractive). It loads on first use: most cards
    have no step too long for a headset, and those never pay for loading a model."""
    try:
        from ..llm import backend_kind, get_llm
    except ImportError:
        return None
    return None if backend_kind(settings.llm) == "none" else _LazyLLM(settings, get_llm)


class _LazyLLM:
    def __init__(self, settings, factory):
        self.name, self._settings, self._factory = settings.llm, settings, factory
        self._llm, self._error = None, None

    def chat(self, messages, max_tokens: int = 256) -> str:
        if self._error is None and self._llm is None:
            try:
                self._llm = self._factory(self._settings)
                self.name = getattr(self._llm, "name", self.name)
            except AssistantError as exc:
                self._error = exc
                print(f"warning: no language model ({exc}); long steps stay cut at a sentence", file=sys.stderr)
        if self._error is not None:
            raise self._error
        return self._llm.chat(messages, max_tokens)


def _filters(args):
    from ..retrieve import Filters

    return Filters.from_args(args)


def render(card: StepCard, fmt: str, out: Path | None = None) -> str:
    """The card in the asked format, as text (ARLEM: {"activity", "workplace"} unless writing files)."""
    return formats.render(card, fmt, workplace_file=_workplace_path(out).name if out else None)


def _workplace_path(out: Path) -> Path:
    return out.with_name(out.stem + "-workplace.json")


def run_card(args, settings) -> int:
    if bool(args.task) == bool(args.tasks):
        raise SystemExit("assistant card: error: give either a TASK or --tasks FILE.jsonl")  # argparse style, exit 2
    if args.tasks and args.format not in formats.JSON_FORMATS:
        raise SystemExit("assistant card: error: batch output (--tasks) is JSON lines: use --format json or arlem")
    drafter = _drafter(args, settings)
    if args.tasks:
        return _batch(drafter, args)
    try:
        card = drafter.draft(args.task, _filters(args))
    except NoProcedureFound as exc:
        if args.format == "json":
            _write(json.dumps({"task": args.task, "refused": True, "reason": str(exc)}, ensure_ascii=False), args.out)
        print(f"refused: {exc}", file=sys.stderr)
        return REFUSED
    if args.format == "arlem" and args.out:
        from ..cards.export import to_arlem

        activity, workplace = to_arlem(card, workplace_file=_workplace_path(args.out).name)
        _write(json.dumps(activity, ensure_ascii=False, indent=2), args.out)
        _write(json.dumps(workplace, ensure_ascii=False, indent=2), _workplace_path(args.out))
        print(f"wrote {args.out} and {_workplace_path(args.out)}", file=sys.stderr)
        return 0
    _write(render(card, args.format), args.out)
    return 0


def _write(text: str, out: Path | None) -> None:
    if out is None:
        sys.stdout.write(text + "\n")
        sys.stdout.flush()
        return
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text + "\n", encoding="utf-8")
    except OSError as exc:
        raise AssistantError(f"cannot write {out}: {exc.strerror or exc}") from exc


def batch_line(tid, card: StepCard | None, fmt: str, reason: str = "", ms: float | None = None) -> dict:
    """One output line of a batch: {"id", "card"} or, for ARLEM, {"id", "activity", "workplace"}."""
    line: dict = {"id": tid}
    if fmt == "arlem":
        from ..cards.export import to_arlem

        activity, workplace = to_arlem(card) if card else (None, None)
        line |= {"activity": activity, "workplace": workplace}
    else:
        line["card"] = card.to_json() if card else None
    if card is None:
        line |= {"refused": True, "reason": reason}
    if ms is not None:
        line["ms"] = ms
    return line


def _batch(drafter: CardDrafter, args) -> int:
    from .commands import read_jsonl

    tasks = read_jsonl(args.tasks, "task")
    sink = open(args.out, "w", encoding="utf-8") if args.out else sys.stdout
    try:
        for t in tasks:
            card, reason, t0 = None, "", time.perf_counter()
            try:
                card = drafter.draft(t["task"], _filters(args))
            except NoProcedureFound as exc:
                reason = str(exc)
            line = batch_line(t["id"], card, args.format, reason, round((time.perf_counter() - t0) * 1000, 1))
            sink.write(json.dumps(line, ensure_ascii=False) + "\n")
            sink.flush()
    finally:
        if sink is not sys.stdout:
            sink.close()
    return 0


def eval_cards(args, settings) -> int:
    """Draft a card per task and report the dev-set figures (see evaluate.py); --out keeps the lines."""
    from .commands import read_jsonl
    from . import emit_json
    from ..eval.metrics import corpus_text
    from ..eval.cards import score_task, summarize, table
    from ..cards.export import to_arlem, validate_arlem

    path = getattr(args, "tasks", None) or getattr(args, "questions", None)
    if path is None:
        raise AssistantError("give the task set with --tasks FILE.jsonl (lines {\"id\", \"task\", \"gold_steps\", \"gold_tools\", \"doc\"})")
    tasks = read_jsonl(path, "task")
    drafter = _drafter(args, settings)
    corpus_dirs = list(args.corpus) or [Path(d.path) for d in drafter.library.store.documents()]
    corpus = corpus_text(corpus_dirs)
    rows, ms, lines, arlem_ok, refused = [], [], [], 0, 0
    for t in tasks:
        t0 = time.perf_counter()
        try:
            card = drafter.draft(t["task"], _filters(args))
        except NoProcedureFound:
            card = None
            refused += 1
        ms.append((time.perf_counter() - t0) * 1000)
        row = score_task(t, card.to_json() if card else None)
        row["title"] = card.title if card else "(refused)"
        if card is not None:
            arlem_ok += not validate_arlem(*to_arlem(card))
        rows.append(row)
        lines.append(batch_line(t["id"], card, "json", "no procedure found" if card is None else "", round(ms[-1], 1)))
    print(table(rows, [t["id"] for t in tasks]), file=sys.stderr)
    if args.out:
        _write("\n".join(json.dumps(x, ensure_ascii=False) for x in lines), args.out)
    emit_json(summarize(rows, corpus, ms, arlem_ok, len(tasks) - refused, refused))
    return 0
