"""`assistant card TASK` (or `--tasks FILE.jsonl`): draft an XR step card, a citation behind every line.

    assistant card "replace the return-line filter element on HP-3" --index DIR [--format json|arlem|html|md|s1000d] [--out FILE]
    assistant card --index DIR --tasks tasks.jsonl --jsonl [--format json|arlem]      lines {"id", "card"}

Exit codes: 0 a card (or a batch) was written; 4 the library holds no procedure for the task; 1 error.
"""
from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from ..cards import formats
from ..cards.model import StepCard
from ..errors import NoProcedureFound
from .common import EXIT_REFUSED, UsageError, filters, open_assistant, read_jsonl, write_text


def run(args) -> int:
    if bool(args.task) == bool(args.tasks):
        raise UsageError("give either a TASK or --tasks FILE.jsonl")  # argparse style, exit 2
    if args.tasks and args.format not in formats.JSON_FORMATS:
        raise UsageError("batch output (--tasks) is JSON lines: use --format json or arlem")
    app = open_assistant(args)
    if args.tasks:
        return _batch(app, args)
    try:
        card = app.draft_card(args.task, filters(args))
    except NoProcedureFound as exc:
        if args.format == "json":
            write_text(json.dumps({"task": args.task, "refused": True, "reason": str(exc)}, ensure_ascii=False), args.out)
        print(f"refused: {exc}", file=sys.stderr)
        return EXIT_REFUSED
    if args.format == "arlem" and args.out:
        from ..cards.export import to_arlem

        activity, workplace = to_arlem(card, workplace_file=workplace_path(args.out).name)
        write_text(json.dumps(activity, ensure_ascii=False, indent=2), args.out)
        write_text(json.dumps(workplace, ensure_ascii=False, indent=2), workplace_path(args.out))
        print(f"wrote {args.out} and {workplace_path(args.out)}", file=sys.stderr)
        return 0
    write_text(formats.render(card, args.format), args.out)
    return 0


def workplace_path(out: Path) -> Path:
    """Where the ARLEM workplace file goes beside the activity file `out`."""
    return out.with_name(out.stem + "-workplace.json")


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


def _batch(app, args) -> int:
    tasks = read_jsonl(args.tasks, "task")
    sink = open(args.out, "w", encoding="utf-8") if args.out else sys.stdout
    try:
        for t in tasks:
            card, reason, t0 = None, "", time.perf_counter()
            try:
                card = app.draft_card(t["task"], filters(args))
            except NoProcedureFound as exc:
                reason = str(exc)
            line = batch_line(t["id"], card, args.format, reason, round((time.perf_counter() - t0) * 1000, 1))
            sink.write(json.dumps(line, ensure_ascii=False) + "\n")
            sink.flush()
    finally:
        if sink is not sys.stdout:
            sink.close()
    return 0
