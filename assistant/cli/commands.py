"""What each CLI command does, in terms of library calls. Output formatting lives here too."""
from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

from . import EXIT_ERROR, EXIT_OK, EXIT_PARTIAL, UsageError, emit_json, now_ms
from ..errors import AssistantError, LibraryError
from ..settings import load_settings


def _settings(args):
    return load_settings(index_dir=getattr(args, "index", None), device=getattr(args, "device", None),
                         embedding_model=getattr(args, "embedding_model", None), llm=getattr(args, "llm", None),
                         llm_url=getattr(args, "llm_url", None), llm_model=getattr(args, "llm_model", None))


def open_library(args, require_documents: bool = True):
    return open_settings_library(_settings(args), require_documents)


def open_settings_library(settings, require_documents: bool = True):
    """The library of `settings`; an embedding model named in the environment must be the one it was built with.
    A directory that does not exist, or (with `require_documents`) a library without a single passage, is a
    LibraryError that says how to build or fill it: searching nothing would only look like "no answer"."""
    from ..index.library import Library

    root = Path(settings.index_dir)
    build = f"assistant index PATH... --index {root}"
    if not root.exists():
        raise LibraryError(f"{root} is not a library yet (no such directory): build one with: {build} "
                           "(or point --index / ASSISTANT_INDEX_DIR at an existing library)")
    lib = Library.open(root, settings, model=os.environ.get("ASSISTANT_EMBEDDING_MODEL"))
    if require_documents and lib.store.count_chunks() == 0:
        lib.close()
        raise LibraryError(f"the library {root} is empty (no documents): add some with: {build}")
    return lib


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


def cmd_index(args) -> int:
    from ..index.build import index_paths

    s = _settings(args)
    report = index_paths(args.paths, s, collection=args.collection, progress=not args.quiet, workers=args.workers,
                         engine=args.engine, ray_address=args.address, include_readme=args.include_readme)
    if args.json:
        emit_json(report.to_json())
    else:
        print(f"indexed {len(report.indexed)}, unchanged {len(report.unchanged)}, removed {len(report.removed)}, "
              f"failed {len(report.failed)}; {report.chunks} chunks in {s.index_dir} ({report.seconds:.1f} s)")
        for f in report.failed:
            print(f"  failed: {f['path']}: {f['error']}", file=sys.stderr)
    if not (report.indexed or report.unchanged or report.removed):
        from ..ingest import EXTENSIONS

        what = "every file failed" if report.failed else \
            f"no supported file found (supported: {', '.join(sorted(EXTENSIONS))}; README files in folders are skipped)"
        kept = f"the library {s.index_dir} is unchanged" if (Path(s.index_dir) / "manifest.json").exists() \
            else f"no library was created at {s.index_dir}"
        print(f"error: nothing was indexed: {what}; {kept}", file=sys.stderr)
        return EXIT_ERROR
    return EXIT_PARTIAL if report.failed else EXIT_OK


def _filters(args):
    from ..retrieve import Filters

    return Filters.from_args(args)


def cmd_search(args) -> int:
    from ..retrieve import Retriever

    if bool(args.query) == bool(args.queries):
        raise UsageError("give either a QUERY or --queries FILE.jsonl")  # argparse style, exit 2
    lib = open_library(args)
    retriever = Retriever(lib, reranker=args.reranker).load_models()  # "ms" times the search, not model loading
    filters = _filters(args)
    if args.queries:
        for q in read_jsonl(args.queries, "question"):
            t0 = time.perf_counter()
            hits = retriever.search(q["question"], args.k, filters)
            emit_json({"id": q["id"], "hits": [h.to_json() for h in hits], "ms": now_ms(t0)})
        return 0
    t0 = time.perf_counter()
    hits = retriever.search(args.query, args.k, filters)
    if args.json:
        emit_json({"query": args.query, "hits": [h.to_json() for h in hits], "ms": now_ms(t0)})
        return 0
    for h in hits:
        c = h.chunk
        section = " > ".join(c.section)
        print(f"{h.rank:>2}. {c.doc} p.{c.page}  [{section}]  score {h.score:.3f}")
        print("    " + h.display_text[:300])
    if not hits:
        print("no matches")
    return 0


def cmd_info(args) -> int:
    lib = open_library(args, require_documents=False)
    docs = [d.to_json() for d in lib.store.documents()]
    info = lib.stats() | {"manifest": lib.manifest.to_json(), "documents": docs}
    if args.json:
        emit_json(info)
    else:
        st = lib.stats()
        print(f"{st['index']}: {st['documents']} documents, {st['chunks']} chunks, model {st['embedding_model']} ({st['dim']}-d), index {st['vector_index']}")
        for d in docs:
            print(f"  {d['name']}  [{d['collection']}] {d['format']} {d['pages']} p., {d['chunks']} chunks")
    return 0


def cmd_ask(args) -> int:
    from .ask import run_ask

    return run_ask(args, _settings(args))


def cmd_card(args) -> int:
    from .card import run_card

    return run_card(args, _settings(args))


def cmd_eval(args) -> int:
    from .eval import run_eval

    return run_eval(args, _settings(args))


def cmd_serve(args) -> int:
    from ..api import serve

    return serve(_settings(args), host=args.host, port=args.port)


def cmd_demo(args) -> int:
    from .demo import run_demo

    return run_demo(args, _settings(args))
