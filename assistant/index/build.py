"""Batch indexing: discover files, skip unchanged ones by content hash, parse and chunk in worker
processes while the main process embeds, commit each document in its own transaction, remove
documents whose files disappeared, then write the search caches."""
from __future__ import annotations

import concurrent.futures as cf
import hashlib
import multiprocessing as mp
import os
import re
import sqlite3
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from .chunk import chunk_doc
from .embed import Embedder, get_embedder, text_hash
from ..errors import LibraryError, ParseError
from ..ingest import PARSER_VERSION, is_supported, parse
from .lexical import LEXICAL_FORMAT, chunk_tokens
from .library import Library, WriteLock, write_reason
from .multilingual import DIM as MULTILINGUAL_DIM
from .multilingual import FORMAT as MULTILINGUAL_FORMAT
from .multilingual import MODEL_NAME as MULTILINGUAL_BUNDLED
from .multilingual import get_channel, model_id, wants_vector
from ..settings import Settings
from ..types import Chunk, Figure, IndexReport


@dataclass(frozen=True)
class SourceFile:
    path: Path  # absolute
    name: str  # shown in citations: relative to the folder given, or the file name


@dataclass(frozen=True)
class Parsed:
    source: SourceFile
    sha256: str
    size: int
    format: str = ""
    title: str = ""
    pages: int = 0
    ocr_pages: tuple[int, ...] = ()
    chunks: tuple[Chunk, ...] = ()
    tokens: tuple[str, ...] = ()  # lexical tokens per chunk, space-joined (tokenized in the worker)
    error: str = ""
    figures: tuple[Figure, ...] = ()  # a PDF's figures (their regions; the images are cut from the page when shown)


def is_readme(path: Path) -> bool:
    """README, README.md, readme.txt, ...: a folder's description, not a manual."""
    return path.stem.lower() == "readme" or path.name.lower() == "readme"


def discover(paths: list[str | Path], include_readme: bool = False) -> tuple[list[SourceFile], list[Path], list[dict]]:
    """(files to index, folders scanned, failures for paths that do not exist or are unsupported).
    README files found while walking a folder are left out unless `include_readme`; a README named
    as a file is indexed."""
    files: dict[Path, SourceFile] = {}
    roots: list[Path] = []
    failed: list[dict] = []
    for raw in paths:
        p = Path(raw).expanduser()
        if p.is_dir():
            root = p.resolve()
            roots.append(root)
            for f in sorted(root.rglob("*")):
                rel = f.relative_to(root)
                if (f.is_file() and is_supported(f) and not any(part.startswith(".") for part in rel.parts)
                        and (include_readme or not is_readme(f))):
                    files.setdefault(f.resolve(), SourceFile(f.resolve(), rel.as_posix()))
        elif p.is_file():
            if is_supported(p):
                files.setdefault(p.resolve(), SourceFile(p.resolve(), p.name))
            else:
                failed.append({"path": str(raw), "error": f"unsupported file type '{p.suffix or '(none)'}'"})
        else:
            failed.append({"path": str(raw), "error": "no such file or directory"})
    return list(files.values()), roots, failed


def sha256_file(path: Path) -> tuple[str, int]:
    h = hashlib.sha256()
    size = 0
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
            size += len(block)
    return h.hexdigest(), size


def chunk_budget(settings: Settings, model_max_tokens: int) -> int:
    """Tokens per chunk: the model's limit less room for the heading trail that is embedded with it."""
    return settings.chunk_tokens or max(64, model_max_tokens - 40)


def parse_file(source: SourceFile, sha: str, size: int, settings: Settings, max_tokens: int) -> Parsed:
    """Parse and chunk one file. Runs in a worker process; never raises for a bad document."""
    try:
        doc = parse(source.path, settings)
        chunks = chunk_doc(doc, max_tokens, doc_id=source.name)
        if not chunks:
            raise ParseError(str(source.path), "no text found in document")
        tokens = tuple(chunk_tokens(c) for c in chunks)
        return Parsed(source, sha, size, doc.format, doc.title, len(doc.pages), doc.ocr_pages, tuple(chunks), tokens,
                      figures=doc.figures)
    except ParseError as exc:
        return Parsed(source, sha, size, error=exc.reason)
    except MemoryError:
        return Parsed(source, sha, size, error="document too large to parse in memory")


def _parsed_stream(todo: list[tuple[SourceFile, str, int]], settings: Settings, max_tokens: int, workers: int) -> Iterator[Parsed]:
    """Parse in a process pool so that parsing overlaps with embedding; results in input order."""
    if workers <= 1 or len(todo) < 2:
        for s, h, n in todo:
            yield parse_file(s, h, n, settings, max_tokens)
        return
    ctx = mp.get_context("spawn")  # never fork a process that holds torch threads
    with cf.ProcessPoolExecutor(max_workers=workers, mp_context=ctx) as pool:
        futures = [pool.submit(parse_file, s, h, n, settings, max_tokens) for s, h, n in todo]
        for fut, (s, h, n) in zip(futures, todo):
            try:
                yield fut.result()
            except Exception as exc:  # a worker died (e.g. a parser crashed hard): report this file only
                yield Parsed(s, h, n, error=f"parser process failed ({type(exc).__name__})")


def index_paths(paths: list[str | Path], settings: Settings, index_dir: Path | None = None, collection: str = "default",
                progress: bool = True, embedder: Embedder | None = None, workers: int | None = None,
                engine: str = "local", ray_address: str | None = None, include_readme: bool = False) -> IndexReport:
    """Index files and folders into the library at `index_dir` (see the module docstring).
    `engine="ray"` runs parsing and embedding as Ray Data batches (local Ray, or `ray_address`).
    A run that leaves a new library without a single document (nothing found, every file failed)
    removes what it created: no empty library is left behind."""
    t0 = time.monotonic()
    index_dir = Path(index_dir or settings.index_dir)
    report = IndexReport()
    files, roots, failed = discover(paths, include_readme)
    report.failed.extend(failed)
    lazy = LazyEmbedder(settings, embedder)
    if not files and not (index_dir / "manifest.json").exists():  # nothing to index, no library: create nothing
        report.seconds = time.monotonic() - t0
        return report
    made_dir = _missing_parent(index_dir)
    before = set(os.listdir(index_dir)) if index_dir.is_dir() else set()
    try:
        index_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise LibraryError(f"cannot create library directory {index_dir}: {exc.strerror or exc}") from exc
    with WriteLock(index_dir):
        is_new = not (index_dir / "manifest.json").exists()  # decided under the lock: no other writer is creating it
        lib = None
        try:
            lib = Library.create(index_dir, settings, embedder.name if embedder else settings.embedding_model, lazy.shape_for_new_library)
            lazy.quantize = lib.manifest.quantization  # queries and passages alike
            max_tokens = chunk_budget(settings, lib.manifest.max_tokens or lazy.get().max_tokens)
            _upgrade_multilingual(lib, settings)
            _upgrade_lexical(lib)
            _run(lib, files, roots, collection, report, lazy, settings, max_tokens, progress, workers, engine, ray_address)
        except (sqlite3.OperationalError, OSError) as exc:
            # disk full, read-only directory, quota: every document committed so far stays whole
            raise LibraryError(f"cannot write to the library {index_dir}: {write_reason(exc)}; "
                               f"documents committed before the failure are intact ({len(report.indexed)} this run)") from exc
        finally:
            try:
                empty = lib is None or lib.store.count_chunks() == 0
            except sqlite3.Error:
                empty = False  # cannot tell: keep what is there
            if lib is not None:
                lib.close()
            if is_new and empty:  # this run made a library and put nothing in it: leave none behind
                _remove_new_library(index_dir, before, made_dir)
    report.seconds = time.monotonic() - t0
    return report


def _missing_parent(d: Path) -> Path | None:
    """The top-most directory of `d`'s path that does not exist yet (what mkdir(parents=True) creates)."""
    top = None
    for p in (d, *d.parents):
        if p.exists():
            break
        top = p
    return top


_LIBRARY_FILE = re.compile(r"^(?:manifest\.json|store\.sqlite(?:-wal|-shm|-journal)?|\.lock|vectors-.*\.faiss|lexical-.*\.(?:npz|json)|\..*\.tmp)$")


def _remove_new_library(index_dir: Path, before: set[str], made_dir: Path | None) -> None:
    """Undo the creation of a library that holds nothing: the library files this run added (a server's
    audit log or feedback store there stays), then the directories it made if they are left empty."""
    for name in set(os.listdir(index_dir)) - before:
        if _LIBRARY_FILE.match(name):
            try:
                (index_dir / name).unlink()
            except OSError:
                pass
    if made_dir is not None:
        d = index_dir
        while True:
            try:
                d.rmdir()  # only when empty
            except OSError:
                break
            if d == made_dir:
                break
            d = d.parent


class LazyEmbedder:
    """Loads the model only when something must be embedded: re-indexing an unchanged folder costs
    a hash per file, not a model load."""

    def __init__(self, settings: Settings, embedder: Embedder | None):
        self.settings = settings
        self._e = embedder
        self.quantize = settings.embed_quantize

    def get(self) -> Embedder:
        if self._e is None:
            s = self.settings
            self._e = get_embedder(s.embedding_model, s.device, s.embed_batch_size, self.quantize, s.query_engine, s.cache_dir)
        return self._e

    def shape_for_new_library(self) -> tuple[int, int, str]:
        e = self.get()
        return e.dim, e.max_tokens, "int8" if e.quantized else "none"


def _run(lib: Library, files, roots, collection, report, embedder: LazyEmbedder, settings, max_tokens, progress, workers,
         engine: str = "local", ray_address: str | None = None):
    from tqdm import tqdm

    store = lib.store
    todo = []
    for src in files:
        try:
            sha, size = sha256_file(src.path)
        except OSError as exc:
            report.failed.append({"path": str(src.path), "error": f"cannot read file ({exc.strerror or exc})"})
            continue
        old = store.document_by_path(str(src.path))
        if old and old.sha256 == sha and old.collection == collection and old.name == src.name and old.parser == PARSER_VERSION:
            report.unchanged.append(str(src.path))
        else:
            todo.append((src, sha, size))
    seen = {str(f.path) for f in files}
    gone = [d.path for d in store.documents() if any(Path(d.path).is_relative_to(r) for r in roots) and d.path not in seen]

    workers = workers if workers is not None else min(4, max(1, (os.cpu_count() or 2) - 1))
    bar = tqdm(total=len(todo), unit="file", desc="indexing", file=sys.stderr, disable=not progress or not todo, dynamic_ncols=True)
    pages = chunks_done = 0
    if engine == "ray":
        from .ray_engine import ray_stream

        stream = ray_stream(todo, settings, max_tokens, embedder.quantize, ray_address)
    else:
        stream = ((p, None) for p in _parsed_stream(todo, settings, max_tokens, workers))
    for parsed, vectors in stream:
        bar.update(1)
        if parsed.error:
            report.failed.append({"path": str(parsed.source.path), "error": parsed.error})
            continue
        report.embedded += _commit(store, parsed, collection, embedder, _ml_mode(lib), vectors, settings)
        report.indexed.append(str(parsed.source.path))
        pages += parsed.pages
        chunks_done += len(parsed.chunks)
        bar.set_postfix(pages=pages, chunks=chunks_done, refresh=False)
    bar.close()
    if gone:
        store.delete_documents(gone)
        report.removed.extend(gone)
    if lib.manifest.cache_generation != store.generation():
        lib.write_caches()
    report.chunks = store.count_chunks()


def _commit(store, parsed: Parsed, collection: str, embedder: LazyEmbedder, ml_mode: str,
            vectors: dict[str, object] | None = None, settings: Settings | None = None) -> int:
    """Embed what the library has not seen (identical passages once) and replace the document.
    `vectors` (text hash -> vector) are those a distributed engine already computed."""
    texts = [c.embed_text for c in parsed.chunks]
    hashes = [text_hash(t) for t in texts]
    known = store.known_hashes(list(set(hashes)))
    missing: dict[str, str] = {}
    for h, t in zip(hashes, texts):
        if h not in known and h not in missing:
            missing[h] = t
    if vectors is not None:
        new = {h: vectors[h] for h in missing}
    else:
        vecs = embedder.get().encode_passages(list(missing.values())) if missing else []
        new = dict(zip(missing.keys(), vecs))
    new_ml = _multilingual_vectors(store, parsed.chunks, hashes, ml_mode, settings, embedder.quantize)
    doc = {"path": str(parsed.source.path), "name": parsed.source.name, "sha256": parsed.sha256, "size": parsed.size,
           "format": parsed.format, "title": parsed.title, "pages": parsed.pages, "collection": collection,
           "ocr_pages": list(parsed.ocr_pages), "parser": PARSER_VERSION}
    store.replace_document(doc, list(parsed.chunks), hashes, new, list(parsed.tokens), new_ml, list(parsed.figures))
    return len(new)


def _ml_mode(lib: Library) -> str:
    return lib.manifest.multilingual_mode


def _channel(settings: Settings | None, quantize: str):
    """The e5 model, quantised as the library's recorded `embedding_quantization` (as MiniLM is)."""
    s = settings or Settings()
    return get_channel(s.multilingual_model, s.device, s.cache_dir, quantize, s.query_engine)


def _multilingual_vectors(store, chunks, hashes, mode: str, settings: Settings | None, quantize: str) -> dict:
    """e5 matrices (passage + sentences) for the chunks that want them and that the library has not seen."""
    todo: dict[str, str] = {}
    for c, h in zip(chunks, hashes):
        if wants_vector(c.language, mode) and h not in todo:
            todo[h] = c.search_text
    if todo:
        known = store.known_hashes(list(todo), "ml_vectors")
        todo = {h: t for h, t in todo.items() if h not in known}
    if not todo:
        return {}
    return dict(zip(todo, _channel(settings, quantize).encode_chunks(list(todo.values()))))


def _upgrade_lexical(lib: Library) -> None:
    """A library whose stored tokens another tokenizer made (lexical.LEXICAL_FORMAT) gets them made
    again from its texts, before new documents are added; the manifest reaches disk with the cache
    write that the changed store generation brings. Idempotent: an interrupted run redoes it."""
    if lib.lexical_current:
        return
    if lib.store.count_chunks():
        lib.store.set_tokens({rowid: chunk_tokens(c) for rowid, c in lib.store.chunks_in_order()})
    lib.manifest = lib.manifest.replace(lexical_format=LEXICAL_FORMAT)


def _upgrade_multilingual(lib: Library, settings: Settings) -> None:
    """A library whose e5 vectors come from another model or an older layout (passage vectors only)
    gets them recomputed for the chunks it already holds, before new documents are added; the
    manifest reaches disk with the cache write that the changed store generation brings.
    Idempotent: an interrupted run redoes it."""
    m = lib.manifest
    want = model_id(settings.multilingual_model)
    if m.multilingual_model == want and (m.multilingual_format or 1) == MULTILINGUAL_FORMAT and m.multilingual_dim:
        return
    # the model loads before anything is dropped: a model that cannot load leaves the library as it was
    quantize = m.quantization
    channel = _channel(settings, quantize) if lib.store.count_chunks() or want != MULTILINGUAL_BUNDLED else None
    mode = _ml_mode(lib)
    lib.store.clear_ml_vectors()
    rows = [(h, t) for h, t, lang in lib.store.chunks_without_ml() if wants_vector(lang, mode)]
    for i in range(0, len(rows), 256):
        part = rows[i : i + 256]
        lib.store.add_ml_vectors(dict(zip([h for h, _ in part], channel.encode_chunks([t for _, t in part]))))
    dim = channel.dim if channel else MULTILINGUAL_DIM
    lib.manifest = m.replace(multilingual_model=want, multilingual_format=MULTILINGUAL_FORMAT, multilingual_dim=dim)
