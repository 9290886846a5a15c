"""The one object every face uses: `Assistant` holds the settings, the open library, its retriever,
the language model (loaded on first use, else answers are extractive) and the locks, and offers what
the product does: `index`, `search`, `ask`, `stream`, `draft_card`, `voice` and `documents` (plus
the passage, page-image, upload and delete calls of the web UI and the HTTP API).

The command line, the HTTP API, the gradio UI, the voice endpoint, the LangChain adapter, the demo
and the benchmarks each build one and call it; none of them opens a retriever or loads a model
itself. Reads are serialised by one lock (two CPU cores gain nothing from two searches at once, and
it keeps the shared SQLite connection out of two transactions); writes take the library's write lock
as the indexer does. Every read takes the caller's `Access`: it goes through a retriever scoped to
the collections that access may see (EVERYONE, the default, sees them all).

    app = Assistant(Settings(index_dir="indexes/plant", llm="none"))    # needs an indexed library
    app.ask("What torque for the filter housing cover?").citations[0].page
    # -> 1

This module is also what the web UI imports: it re-exports the few names a face needs (errors,
card formats, the warning words used to mark text), so that a face depends on this module alone.
"""
from __future__ import annotations

import collections
import contextlib
import json
import logging
import threading
import time
from pathlib import Path
from typing import BinaryIO, Iterator

from .access import EVERYONE, Access, ScopedRetriever
from .cards.formats import FORMATS as CARD_FORMATS
from .cards.formats import render as render_card
from .errors import (AssistantError, Busy, LibraryError, LLMError, MissingDependency, NoProcedureFound, NotFound, NotIndexed,
                     UnsupportedFormat)
from .feedback import FeedbackStore
from .ingest import EXTENSIONS
from .settings import Settings
from .plaintext import readable
from .textrules import SIGNAL_LABEL, SIGNAL_WORDS, find_spans
from .types import page_ref

__all__ = ["Assistant", "Access", "EVERYONE", "AssistantError", "NoProcedureFound", "CARD_FORMATS", "render_card",
           "card_slug", "EXTENSIONS", "SIGNAL_LABEL", "SIGNAL_WORDS", "find_spans", "page_ref", "readable"]

log = logging.getLogger("assistant")
READ_WAIT_S = 300.0
DEFAULT = object()  # "the assistant's own language model" where a call may name another
UPLOADS = "uploads"  # the collection (and the folder under the library) that uploads go to by default


def card_slug(card) -> str:
    """A file name stem for a card's downloads."""
    from .cards.export import slug

    return slug(card.title or card.task)


class Assistant:
    """Settings in, answers out. `embedder` and `llm` may be handed in (an already loaded model shared
    between assistants, or llm=None for extractive answers); by default both load on first use.
    `upload_collection`, `max_upload_bytes` and `feedback_db` are the server's choices for uploads and
    thumbs up/down; `voice_settings` those of the voice endpoint (default: from the environment)."""

    def __init__(self, settings: Settings | None = None, *, embedder=None, llm="auto",
                 upload_collection: str = UPLOADS, max_upload_bytes: int = 200 * 1024 * 1024,
                 feedback_db: Path | None = None, voice_settings=None):
        self.settings = settings or Settings()
        self.root = Path(self.settings.index_dir)
        self.upload_collection, self.max_upload_bytes = upload_collection, max_upload_bytes
        self._feedback_db = feedback_db
        self.voice_settings = voice_settings  # None: VoiceSettings() from the environment
        self._feedback = None
        self.errors: collections.deque[dict] = collections.deque(maxlen=100)  # recent indexing failures of uploads
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
        """The open library; a LibraryError that says how to build one when there is none."""
        if self._library is None:
            from .index.library import Library

            if not (self.root / "manifest.json").exists():
                build = f"assistant index PATH... --index {self.root}"
                if not self.root.exists():
                    raise LibraryError(f"{self.root} is not a library yet (no such directory): build one with: {build}, "
                                       "or upload documents (or point --index / ASSISTANT_INDEX_DIR at an existing library)")
                raise LibraryError(f"the library {self.root} is empty: upload documents, or add some with: {build}")
            # an embedding model the user named must be the one the library was built with
            named = "embedding_model" in self.settings.model_fields_set
            self._library = Library.open(self.root, self.settings, model=self.settings.embedding_model if named else None)
        return self._library

    def require_passages(self) -> None:
        """A LibraryError when the library has no passage at all: searching nothing would only look like
        "no answer" (the command line checks this before a search, an answer or a card)."""
        if self.library.store.count_chunks() == 0:
            raise LibraryError(f"the library {self.root} is empty (no documents): add some with: "
                               f"assistant index PATH... --index {self.root}")

    @property
    def retriever(self):
        if self._retriever is None:
            from .retrieve import Retriever

            lib = self.library
            embedder = self._embedder if self._embedder is not None and _fits(lib, self._embedder) else None
            self._retriever = Retriever(lib, embedder=embedder, reranker=self.settings.reranker or None)
            self._embedder = self._retriever.embedder
        return self._retriever

    @property
    def llm(self):
        """The language model, loaded on first use; None (extractive answers) when settings say 'none'
        or it cannot be loaded (a warning says why)."""
        with self._llm_lock:
            if self._llm == "auto":
                self._llm = load_llm(self.settings)
            return self._llm

    def llm_on_first_use(self):
        """The language model as an object that loads only when first asked to write (cards: most steps
        are short enough and never pay for loading a model); None when settings say 'none'."""
        from .llm import backend_kind

        if self._llm != "auto":
            return self._llm
        return None if backend_kind(self.settings.llm) == "none" else _OnFirstUse(self)

    @property
    def feedback(self) -> FeedbackStore:
        if self._feedback is None:
            self._feedback = FeedbackStore(self._feedback_db or self.root / "feedback.sqlite")
        return self._feedback

    def load_embedders(self, warm: bool = False, questions: bool = False):
        """Load the embedding model of the settings (and the multilingual channel unless it is off) before
        a library exists to search, e.g. to index a first folder; the embedder. `warm` also runs each
        once (first-pass kernel set-up), e.g. before a benchmark's timing starts; `questions` readies
        what encodes questions too (CTranslate2's copies, converted on a machine's first use), e.g. for
        a first question right after indexing."""
        from .index.embed import get_embedder
        from .index.multilingual import get_channel

        s = self.settings
        if self._embedder is None:
            self._embedder = get_embedder(s.embedding_model, s.device, s.embed_batch_size, s.embed_quantize, s.query_engine, s.cache_dir)
        if warm:
            self._embedder.encode_passages(["warm up"])
        if questions:
            self._embedder.encode_queries(["warm up"])
        if s.multilingual != "off":
            channel = get_channel(s.multilingual_model, s.device, s.cache_dir, s.embed_quantize, s.query_engine)
            if warm:
                channel.encode_passages(["预热"])
            if questions:
                channel.encode_query("预热")
        return self._embedder

    def warm_up(self) -> None:
        """Load the models now rather than at the first question: the retrieval models (one search, which
        also loads the e5 channel when the library has Chinese passages), then the language model."""
        try:
            self.retriever.search("warm up 预热", 1)
        except Exception:  # noqa: BLE001 - an empty library, or a model error that the first request reports
            pass
        self.llm  # noqa: B018

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

        retriever, llm = self.retriever_for(access), self.llm_on_first_use()
        with self._scope_lock:
            drafter = self._drafters.get(access.collections)
            if drafter is None or drafter.retriever is not retriever:
                drafter = self._drafters[access.collections] = CardDrafter(self.library, retriever, llm=llm)
            return drafter

    # -- reads

    def search(self, query: str, k: int = 10, filters=None, access: Access = EVERYONE) -> list:
        with self._reading():
            return self.retriever_for(access).search(query, k, filters)

    def ask(self, question: str, k: int = 6, filters=None, access: Access = EVERYONE, max_tokens: int | None = None,
            llm=DEFAULT, history=None):
        """A cited Answer, or a refusal when the library does not say. `llm` overrides the assistant's
        model for this call (None: extractive). `history` (earlier {role, content} messages or
        conversation.Turn) makes it a follow-up: answered as its standalone question (see conversation.py)."""
        from .answer import answer_question

        llm, retriever = self.llm if llm is DEFAULT else llm, self.retriever_for(access)
        with self._reading():
            turn = self._follow_up(question, history, llm)
            answer = answer_question(turn.standalone if turn else question, _boosted(retriever, turn), llm=llm, k=k,
                                     filters=filters, max_tokens=max_tokens or self.settings.llm_max_new_tokens)
        return _in_conversation(answer, turn)

    def stream(self, question: str, k: int = 6, filters=None, access: Access = EVERYONE,
               max_tokens: int | None = None, llm=DEFAULT, history=None) -> Iterator:
        """Text pieces, then the final Answer (see answer.stream_answer). Holds the read lock while
        it runs; closing the generator early releases it. `history` as for `ask`."""
        from .answer import Answer, stream_answer

        llm, retriever = self.llm if llm is DEFAULT else llm, self.retriever_for(access)
        with self._reading():
            turn = self._follow_up(question, history, llm)
            for item in stream_answer(turn.standalone if turn else question, _boosted(retriever, turn), llm=llm, k=k,
                                      filters=filters, max_tokens=max_tokens or self.settings.llm_max_new_tokens):
                yield _in_conversation(item, turn) if isinstance(item, Answer) else item

    def _follow_up(self, question: str, history, llm):
        """The question in its conversation (None without history); the language model, when there is one,
        rewrites only what the rules leave elliptical. Called under the read lock (the model is not shared)."""
        if not history:
            return None
        from .conversation import follow_up

        return follow_up(question, history, llm=llm)

    def draft_card(self, task: str, filters=None, access: Access = EVERYONE):
        """An XR step card drafted from the library's procedures; NoProcedureFound when it has none."""
        drafter = self._drafter_for(access)
        with self._reading():
            return drafter.draft(task, filters)

    def voice(self, audio: bytes, filename: str, content_type: str | None = None, session_id: str | None = None,
              language: str | None = None, access: Access = EVERYONE) -> dict:
        """One recording in, the voice response out (transcript, spoken answer and its audio, the card
        step); a VoiceError subclass names what is wrong with a recording."""
        try:
            from .voice import handle_voice
        except ImportError as exc:
            raise MissingDependency("faster-whisper", "voice", feature="voice support") from exc
        retriever, llm = self.retriever_for(access), self.llm
        with self._reading():
            return handle_voice(audio, filename, content_type, session_id, language, retriever=retriever, llm=llm,
                                settings=self.settings, voice_settings=self.voice_settings,
                                sessions=self._voice_sessions_for(access))

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
        with self._reading():
            row = self.library.store.db.execute(
                "SELECT c.id, c.page, c.section, c.text, c.language, d.id, d.name, d.format, d.pages, d.collection "
                "FROM chunks c JOIN documents d ON d.id=c.doc_id WHERE c.id=?", (chunk_id,)).fetchone()
        if row is None or not access.allows(row[9]):  # another collection's passage does not exist for this key
            raise NotFound(f"no passage with id {chunk_id} (the document may have been re-indexed)")
        return {"chunk_id": row[0], "page": row[1], "section": " > ".join(json.loads(row[2])), "text": row[3],
                "language": row[4], "document": {"id": row[5], "name": row[6], "format": row[7], "pages": row[8]}}

    def page_image(self, doc_id: int, page: int, quotes: list[str] = (), scale: float = 1.6, access: Access = EVERYONE):
        """(PIL image, quote marked?) of a page of a PDF document."""
        from .pages import render_page

        doc = self._document(doc_id, access)
        if doc.format != "pdf":
            raise UnsupportedFormat(doc.name, "page images exist for PDF documents only", detail={"format": doc.format})
        return render_page(Path(doc.path), page, list(quotes), scale)

    def figures(self, doc_id: int, access: Access = EVERYONE) -> list[dict]:
        """The figures recorded for a PDF document, in document order: number `n`, page, label,
        caption, callouts, `bbox` (PDF points from the page's top-left corner), the chunk holding them."""
        doc = self._document(doc_id, access)
        with self._reading():
            return [f.to_json() for f in self.library.store.figures(doc.id)]

    def figure_image(self, doc_id: int, figure: int | str, access: Access = EVERYONE, scale: float = 2.0) -> bytes:
        """PNG of a document's figure, by its number `n` (see `figures`) or its label ("Figure 3-2"),
        cut from its page as rendered (figures are not stored as images)."""
        from .ingest.figures import figure_key
        from .pages import png_bytes, render_region

        doc = self._document(doc_id, access)
        with self._reading():
            rows = self.library.store.figures(doc.id)
        key = str(figure).strip()
        row = next((r for r in rows if (str(r.n) == key if key.isdigit() else figure_key(r.figure.label) == figure_key(key))), None)
        if row is None:
            raise NotFound(f"document {doc_id} has no figure {key}", detail={"figures": len(rows)})
        return png_bytes(render_region(Path(doc.path), row.figure.page, row.figure.bbox, scale))

    def documents(self, access: Access = EVERYONE) -> list[dict]:
        """The library's documents that `access` may see (none before the first is indexed)."""
        if not (self.root / "manifest.json").exists():
            return []
        where, args = ("1", ()) if access.unrestricted else (
            f"d.collection IN ({','.join('?' * len(access.collections))})", tuple(sorted(access.collections)))
        with self._reading():
            docs = self.library.store.documents(where=where, args=args)
        return [self._doc_json(d) for d in docs]

    def sections(self) -> tuple[int, list[tuple]]:
        """(the library's generation, its sections): each distinct section as (doc_id, name, title, heading
        path, language), in library order; the generation changes with every write."""
        with self._reading():
            store = self.library.store
            return store.generation(), store.sections()

    def recent_errors(self, access: Access = EVERYONE) -> list[dict]:
        """Recent indexing failures of uploads to collections `access` may see."""
        return [e for e in list(self.errors) if access.allows(e.get("collection", self.upload_collection))]

    def _doc_json(self, d) -> dict:
        out = d.to_json()
        out["uploaded"] = _is_upload(Path(out.pop("path")), self.root)
        return out

    def _document(self, doc_id: int, access: Access = EVERYONE):
        with self._reading():
            rows = self.library.store.documents(where="d.id=?", args=(int(doc_id),))
        if not rows or not access.allows(rows[0].collection):
            raise NotFound(f"no document with id {doc_id}")
        return rows[0]

    @contextlib.contextmanager
    def _reading(self):
        """The read lock, or Busy when something has held it for minutes (a wedged model call)."""
        if not self._read.acquire(timeout=READ_WAIT_S):
            raise Busy("the assistant is busy; try again in a minute")
        try:
            yield
        finally:
            self._read.release()

    # -- writes

    def index(self, paths, *, collection: str = "default", progress: bool = False, workers: int | None = None,
              engine: str = "local", ray_address: str | None = None, include_readme: bool = False):
        """Index files and folders into the library (incremental); the IndexReport. The library opened
        by this assistant sees the new passages at its next search."""
        from .index.build import index_paths

        with self._write:
            report = index_paths(paths, self.settings, index_dir=self.root, collection=collection, progress=progress,
                                 workers=workers, engine=engine, ray_address=ray_address,
                                 include_readme=include_readme, embedder=self._embedder)
        return report

    def add_document(self, src: BinaryIO, filename: str | None, collection: str | None = None,
                     max_bytes: int | None = None, access: Access = EVERYONE) -> dict:
        """Store an upload under <library>/uploads (uploads/<collection>/ for a collection other than the
        default upload collection, so that two collections never share a file) and index it; the
        indexing report, with the document. NotIndexed (with the report) when it could not be indexed."""
        from .index import uploads
        from .index.build import index_paths

        name = uploads.safe_name(filename)
        collection = access.upload_collection(collection, self.upload_collection)
        folder = self.root / "uploads" / uploads.collection_folder(collection, self.upload_collection)
        try:
            with self._write:
                self._ensure_library()
                path = uploads.receive(src, folder, filename, max_bytes or self.max_upload_bytes)
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
                raise NotIndexed(f"{name} could not be indexed: {reason}", detail=out)
        except AssistantError as exc:
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

    def close(self) -> None:
        if self._library is not None:
            self._library.close()
            self._library = self._retriever = None
            self._scoped.clear()
            self._drafters.clear()


def load_llm(settings: Settings):
    """The language model named in settings, or None (extractive answers) when it is 'none' or cannot
    be loaded: a warning on the `assistant` logger says why. The one place a face's model is loaded."""
    from .llm import get_llm

    try:
        return get_llm(settings)
    except (AssistantError, ImportError) as exc:
        log.warning("no language model (%s); answering extractively", exc)
        return None


class _OnFirstUse:
    """A language model that loads when it is first asked to write; if it cannot load, each call
    raises the reason (the card keeps the manual's own words)."""

    def __init__(self, app: Assistant):
        self._app, self.name = app, app.settings.llm

    def _model(self):
        llm = self._app.llm
        if llm is None:
            raise LLMError("no language model could be loaded (see the warning above)")
        self.name = getattr(llm, "name", self.name)
        return llm

    def chat(self, messages, max_tokens: int = 256) -> str:
        return self._model().chat(messages, max_tokens)


def _boosted(retriever, turn):
    from .conversation import boosted

    return boosted(retriever, turn)


def _in_conversation(answer, turn):
    """The Answer of a follow-up carries the question as asked and as answered (see conversation.FollowUpAnswer)."""
    if turn is None:
        return answer
    from .conversation import FollowUpAnswer

    return FollowUpAnswer.of(answer, turn)


def _fits(library, embedder) -> bool:
    """Whether an embedder handed in is the one the library was built with (same model, same quantisation)."""
    return library.model == embedder.name and library.manifest.quantization == ("int8" if embedder.quantized else "none")


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
