"""`assistant ask QUESTION` (or `--questions FILE.jsonl`): a grounded, cited answer, or a refusal.

    assistant ask "What torque for the filter housing cover?" --index indexes/plant
    assistant ask --index indexes/plant --questions q.jsonl --jsonl --llm none
"""
from __future__ import annotations

import dataclasses
import sys

from .common import UsageError, emit_json, filters, open_assistant, print_answer, read_jsonl, settings_from


def run(args) -> int:
    if bool(args.question) == bool(args.questions):
        raise UsageError("give either a QUESTION or --questions FILE.jsonl")
    app = open_assistant(args, settings_from(args))
    where = filters(args)
    if args.questions:
        for q in read_jsonl(args.questions, "question"):
            a = dataclasses.replace(app.ask(q["question"], args.k, where), id=q["id"])
            if args.jsonl or args.json:
                emit_json(a.to_json())
            else:
                print(f"== {q['id']}: {q['question']}")
                print_answer(a)
                print()
        return 0
    if args.json or args.jsonl:
        emit_json(app.ask(args.question, args.k, where).to_json())
        return 0
    model = app.llm is not None
    final = None
    for piece in app.stream(args.question, args.k, where):
        if isinstance(piece, str):
            if model:  # show verified sentences as they are written
                print(piece, end="", flush=True, file=sys.stderr)
        else:
            final = piece
    if model:
        print(file=sys.stderr)
    print_answer(final)
    return 0
