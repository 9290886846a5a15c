"""What the commands share: settings from the arguments, the Assistant they call, reading JSON lines,
printing JSON and answers. Nothing here decides an answer: that is the library's."""
from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from ..errors import AddressUnavailable, AssistantError, UsageError  # noqa: F401 - UsageError: commands raise it, main() exits 2
from ..plaintext import readable
from ..settings import Settings, load_settings

# The exit statuses of every command (also in the parser's epilog and in `assistant COMMAND --help`).
EXIT_OK, EXIT_ERROR, EXIT_USAGE, EXIT_PARTIAL, EXIT_REFUSED = 0, 1, 2, 3, 4
EXIT_BIND = AddressUnavailable.exit_code  # 5: serve/demo, the address cannot be bound


def settings_from(args) -> Settings:
    """The settings: the environment (ASSISTANT_*), with the options given on the command line on top.
    A value out of its range (an option's or an environment variable's) is a usage error naming it."""
    from pydantic import ValidationError

    try:
        return load_settings(index_dir=getattr(args, "index", None), device=getattr(args, "device", None),
                             embedding_model=getattr(args, "embedding_model", None), llm=getattr(args, "llm", None),
                             llm_url=getattr(args, "llm_url", None), llm_model=getattr(args, "llm_model", None),
                             reranker=getattr(args, "reranker", None), unit_tokens=getattr(args, "unit_tokens", None))
    except ValidationError as exc:
        raise UsageError("; ".join(f"{_setting_source(args, str(e['loc'][0]))}: {e['msg']}, not {e.get('input')!r}"
                                   for e in exc.errors())) from None


def _setting_source(args, field: str) -> str:
    """Where a setting can come from: its command-line option where this command has one, and its
    environment variable."""
    env = f"ASSISTANT_{field.upper()}"
    return f"--{field.replace('_', '-')} (or {env})" if getattr(args, field, None) is not None else env


def open_assistant(args, settings: Settings | None = None, require_documents: bool = True):
    """The Assistant over the library the arguments name, opened now so that a missing or empty library
    is one clear error before any model loads."""
    from ..app import Assistant

    app = Assistant(settings or settings_from(args))
    app.library  # noqa: B018 - a missing library says how to build one
    if require_documents:
        app.require_passages()
    return app


def filters(args):
    from ..retrieve import Filters

    return Filters.from_args(args)


def read_jsonl(path: Path, field: str) -> list[dict]:
    """Lines {"id", field}; a clear error names the first bad line."""
    out = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise AssistantError(f"cannot read {path}: {exc.strerror or exc}") from exc
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except ValueError as exc:
            raise AssistantError(f"{path}:{n}: not valid JSON ({exc.msg})") from exc
        if not isinstance(obj, dict) or not isinstance(obj.get(field), str) or "id" not in obj:
            raise AssistantError(f'{path}:{n}: expected an object with "id" and a string "{field}"')
        out.append(obj)
    return out


def emit_json(obj) -> None:
    sys.stdout.write(json.dumps(obj, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def write_text(text: str, out: Path | None) -> None:
    """`text` and a newline to the file `out`, or to stdout."""
    if out is None:
        sys.stdout.write(text + "\n")
        sys.stdout.flush()
        return
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text + "\n", encoding="utf-8")
    except OSError as exc:
        raise AssistantError(f"cannot write {out}: {exc.strerror or exc}") from exc


def now_ms(t0: float) -> float:
    return round((time.perf_counter() - t0) * 1000, 2)


def print_answer(a) -> None:
    """The answer first, then its sources, then the warnings of the procedure it comes from."""
    print(a.answer)
    if a.citations:
        print("\nSources:")
        for n, c in enumerate(a.citations, 1):
            print(f"  [{n}] {c.doc} {c.page_ref()}: \"{' '.join(readable(c.quote).split())[:240]}\"")
    if a.warnings:
        print("\nWarnings:" if a.language != "zh" else "\n安全警告：")
        for w in a.warnings:
            print(f"  ⚠ {w.display}  [{w.doc} p. {w.page}]")
    if a.note:
        print(f"\n({a.note})", file=sys.stderr)
