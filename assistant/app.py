"""What the HTTP API and the web UI share: one open library, its retriever, the language model (loaded
once, on first use) and the calls both adapters make. Reads are serialised by one lock (two CPU
cores gain nothing from running two searches at once, and it keeps the shared SQLite connection
out of two transactions); uploads and deletions take the library's write lock as the indexer does.
Every call takes the caller's `Access`: reads go through a retriever scoped to its collections,
documents, pages and passages of other collections are 404, uploads go to a collection it may write.
The default, EVERYONE, is the unrestricted view (no keys configured, or the web UI).

    svc = Service(Settings(index_dir="indexes/plant", llm="none"))      # needs an indexed library and the embedding model
    svc.ask("What torque for the filter housing cover?").citations[0].page  # needs an indexed library and the embedding model
    # -> 1
"""
from __future__ import annotations

import collections
import contextlib
import logging
import threading
import time
from pathlib import Path
from typing import BinaryIO, Iterator

from .errors import AssistantError, LibraryError
from .settings import Settings
from .access import EVERYONE, Access, ScopedRetriever
from .api.errors import ApiError, status_for
from .feedback import FeedbackStore
from .api.settings import ServerSettings

log = logging.getLogger("assistant.api")
READ_WAIT_S = 300.0


class Service:
    def __init__(self, settings: Settings, server: ServerSettings | None = None, embedder=None, llm="auto"):
        self.settings = settings
        self.server = server or ServerSettings()
        self.root = Path(settings.index_dir)
        self.feedback = FeedbackStore(self.server.feedback_db or self.root / "feedback.sqlite")
        self.errors: collections.deque[dict] = collections.deque(maxlen=100)  # recent indexing failures
        self._embedder = embedder
        self._llm = llm  # "auto": from settings on first use
        self._library = self._retriever = None
        self._scoped: dict[frozenset, ScopedRetriever] = {}  # one per collection set, so caches keyed by retriever hold
        self._drafters: dict[frozenset | None, object] = {}
        self._voice_sessions: dict[str, object] = {}  # per key: a session id is no use to another key
        self._read, self._write, self._llm_lock = threading.Lock(), threading.Lock(), threading.Lock()
        self._scope_lock = threading.Lock()

    # -- shared objects, opened on first use

    @property
    def library(self):
        if self._library is None:
            from .index.library import Library

            if not (self.root / "manifest.json").exists():
                raise LibraryError(f"the library {self.root} is empty: upload documents first")
            self._library = Library.open(self.root, self.settings)
        return self._library

    @property
    def retriever(self):
        if self._retriever is None:
            from .retrieve import Retriever

            self._retriever = Retriever(self.library, embedder=self._embedder)
            self._embedder = self._retriever.embedder
        return self._retriever

    @property
    def llm(self):
        with self._llm_lock:
            if self._llm == "auto":
                self._llm = _load_llm(self.settings)
            return self._llm

    def retriever_for(self, access: Access = EVERYONE):
        """The retriever limited to what `access` may see: the single gate between a key and the chunks."""
        base = self.retriever
        if access.unrestricted:
            return base
        with self._scope_lock:
            scoped = self._scoped.get(access.collections)
            if scoped is None or scoped.inner is not base:
                scoped = self._scoped[access.collections] = ScopedRetriever(base, access.collections)
            return scoped

    def _drafter_for(self, access: Access = EVERYONE):
        from .cards import CardDrafter

        retriever, llm = self.retriever_for(access), self.llm
        with self._scope_lock:
            drafter = self._drafters.get(access.collections)
            if drafter is None or drafter.retriever is not retriever:
                drafter = self._drafters[access.collections] = CardDrafter(self.library, retriever, llm=llm)
            return drafter

    # -- reads

    def ask(self, question: str, k: int = 6, filters=None, access: Access = EVERYONE):
        from .answer import answer_question

        with self._reading():
            return answer_question(question, self.retriever_for(access), llm=self.llm, k=k, filters=filters)

    def stream(self, question: str, k: int = 6, filters=None, access: Access = EVERYONE) -> Iterator:
        """Text pieces, then the final Answer (see answer.stream_answer). Holds the read lock while
        it runs; closing the generator early releases it."""
        from .answer import stream_answer

        llm = self.llm
        with self._reading():
            yield from stream_answer(question, self.retriever_for(access), llm=llm, k=k, filters=filters)

    @contextlib.contextmanager
    def _reading(self):
        """The read lock, or a 503 when something has held it for minutes (a wedged model call)."""
        if not self._read.acquire(timeout=READ_WAIT_S):
            raise ApiError(503, "the assistant is busy; try again in a minute", headers={"Retry-After": "30"})
        try:
            yield
        finally:
            self._read.release()

    def search(self, query: str, k: int = 10, filters=None, access: Access = EVERYONE) -> list:
        with self._reading():
            return self.retriever_for(access).search(query, k, filters)

    def card(self, task: str, filters=None, access: Access = EVERYONE):
        with self._reading():
            return self._drafter_for(access).draft(task, filters)

    def voice(self, audio: bytes, filename: str, content_type: str | None, session_id: str | None, language: str | None,
              access: Access = EVERYONE) -> dict:
        try:
            from .voice import VoiceError, handle_voice
        except ImportError as exc:
            raise ApiError(503, "voice support not installed", "pip install 'maintenance-assistant[voice]'") from exc
        retriever, llm = self.retriever_for(access), self.llm
        try:
            with self._reading():
                return handle_voice(audio, filename, content_type, session_id, language, retriever=retriever, llm=llm,
                                    settings=self.settings, sessions=self._voice_sessions_for(access))
        except VoiceError as exc:
            raise ApiError(status_for(exc), exc.reason) from exc

    def _voice_sessions_for(self, access: Access):
        """The voice sessions of one key (None: the voice package's shared store, when no keys are set)."""
        if access is EVERYONE:
            return None
        from .voice import SessionStore, VoiceSettings

        with self._scope_lock:
            if access.label not in self._voice_sessions:
                vs = VoiceSettings()
                self._voice_sessions[access.label] = SessionStore(vs.session_ttl_s, vs.max_sessions)
            return self._voice_sessions[access.label]

    def passage(self, chunk_id: str, access: Access = EVERYONE) -> dict:
        """The chunk behind a citation, with its document: what a citation chip opens."""
        import json

        with self._reading():
            row = self.library.store.db.execute(
                "SELECT c.id, c.page, c.section, c.text, c.language, d.id, d.name, d.format, d.pages, d.collection "
                "FROM chunks c JOIN documents d ON d.id=c.doc_id WHERE c.id=?", (chunk_id,)).fetchone()
        if row is None or not access.allows(row[9]):  # another collection's passage does not exist for this key
            raise ApiError(404, f"no passage with id {chunk_id} (the document may have been re-indexed)")
        return {"chunk_id": row[0], "page": row[1], "section": " > ".join(json.loads(row[2])), "text": row[3],
                "language": row[4], "document": {"id": row[5], "name": row[6], "format": row[7], "pages": row[8]}}

    def page_image(self, doc_id: int, page: int, quotes: list[str] = (), scale: float = 1.6, access: Access = EVERYONE):
        """(PIL image, quote marked?) of a page of a PDF document."""
        from .pages import render_page

        doc = self._document(doc_id, access)
        if doc.format != "pdf":
            raise ApiError(415, "page images exist for PDF documents only", {"format": doc.format})
        return render_page(Path(doc.path), page, list(quotes), scale)

    def documents(self, access: Access = EVERYONE) -> list[dict]:
        if not (self.root / "manifest.json").exists():
            return []
        where, args = ("1", ()) if access.unrestricted else (
            f"d.collection IN ({','.join('?' * len(access.collections))})", tuple(sorted(access.collections)))
        with self._reading():
            docs = self.library.store.documents(where=where, args=args)
        return [self._doc_json(d) for d in docs]

    def recent_errors(self, access: Access = EVERYONE) -> list[dict]:
        """Recent indexing failures of uploads to collections `access` may see."""
        return [e for e in list(self.errors) if access.allows(e.get("collection", self.server.upload_collection))]

    def _doc_json(self, d) -> dict:
        out = d.to_json()
        out["uploaded"] = _is_upload(Path(out.pop("path")), self.root)
        return out

    def _document(self, doc_id: int, access: Access = EVERYONE):
        with self._reading():
            rows = self.library.store.documents(where="d.id=?", args=(int(doc_id),))
        if not rows or not access.allows(rows[0].collection):
            raise ApiError(404, f"no document with id {doc_id}")
        return rows[0]

    # -- writes

    def add_document(self, src: BinaryIO, filename: str | None, collection: str | None = None, max_bytes: int | None = None,
                     access: Access = EVERYONE) -> dict:
        """Store an upload under <library>/uploads (uploads/<collection>/ for a collection other than the
        default upload collection, so that two collections never share a file) and index it; the
        indexing report, with the document. `max_bytes` defaults to the server settings' upload limit."""
        from .index.build import index_paths
        from .index import uploads

        name = uploads.safe_name(filename)
        collection = access.upload_collection(collection, self.server.upload_collection)
        folder = self.root / "uploads" / uploads.collection_folder(collection, self.server.upload_collection)
        try:
            with self._write:
                self._ensure_library()
                path = uploads.receive(src, folder, filename, max_bytes or self.server.max_upload_bytes)
                indexed = False
                try:
                    report = index_paths([path], self.settings, index_dir=self.root, progress=False, workers=1,
                                         collection=collection, embedder=self._shared_embedder())
                    indexed = bool(report.indexed or report.unchanged)
                finally:
                    uploads.settle(path, indexed)
            out = _public_report(report.to_json(), self.root)
            if not indexed:
                reason = report.failed[0]["error"] if report.failed else "not indexed"
                raise ApiError(422, f"{name} could not be indexed: {reason}", out)
        except (ApiError, AssistantError) as exc:
            self.errors.appendleft({"name": name, "error": str(exc), "at": time.time(), "collection": collection})
            raise
        with self._reading():
            row = self.library.store.document_by_path(str(path))
        out["document"] = self._doc_json(row) if row else None
        return out

    def delete_document(self, doc_id: int, access: Access = EVERYONE) -> dict:
        from .index.library import Library, WriteLock

        doc = self._document(doc_id, access)
        with self._write, WriteLock(self.root):
            lib = Library.create(self.root, self.settings, self.library.model, _no_new_library)
            try:
                lib.store.delete_documents([doc.path])
                lib.write_caches()
            finally:
                lib.close()
        path = Path(doc.path)
        if _is_upload(path, self.root):
            path.unlink(missing_ok=True)
        return {"deleted": self._doc_json(doc)}

    def _shared_embedder(self):
        """The model the retriever searches with, so that indexing an upload loads no second copy."""
        if self._embedder is None:
            with self._reading():
                self.retriever  # noqa: B018 -- loads the library's embedding model once
        return self._embedder

    def _ensure_library(self) -> None:
        """Create an empty library (manifest only) so that the first upload has somewhere to go."""
        if (self.root / "manifest.json").exists():
            return
        from .index.build import LazyEmbedder
        from .index.library import Library, WriteLock

        self.root.mkdir(parents=True, exist_ok=True)
        lazy = LazyEmbedder(self.settings, self._embedder)
        with WriteLock(self.root):
            Library.create(self.root, self.settings, self.settings.embedding_model, lazy.shape_for_new_library).close()
        self._embedder = self._embedder or lazy.get()


def _load_llm(settings: Settings):
    from .llm import get_llm

    try:
        return get_llm(settings)
    except (AssistantError, ImportError) as exc:
        log.warning("no language model (%s); answering extractively", exc)
        return None


def _no_new_library():
    raise LibraryError("the library disappeared while the server was running")


def _is_upload(path: Path, root: Path) -> bool:
    try:
        return path.resolve().is_relative_to((root / "uploads").resolve())
    except OSError:
        return False


def _public_report(report: dict, root: Path) -> dict:
    """The indexing report with paths relative to the library (absolute server paths stay private)."""
    base = root.resolve()

    def rel(p: str) -> str:
        try:
            return Path(p).resolve().relative_to(base).as_posix()
        except ValueError:
            return Path(p).name

    out = dict(report)
    for key in ("indexed", "unchanged", "removed"):
        out[key] = [rel(p) for p in report[key]]
    out["failed"] = [dict(f, path=rel(f["path"])) for f in report["failed"]]
    return out
