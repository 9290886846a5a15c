"""The /v1 endpoints: each one validates its request, calls one Service method with the caller's
Access (its key's collections) and returns plain JSON (the answer object, search hits, a step card, an
indexing report). Audited endpoints add their question and sources to the request's audit row."""
from __future__ import annotations

import json
import time
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, File, Form, Path, Query, Request, UploadFile
from fastapi.responses import JSONResponse, Response, StreamingResponse
from fastapi.security import HTTPBearer
from pydantic import BaseModel, Field, StringConstraints

from ..cards.formats import FORMATS, NAMES as CARD_FORMATS, payload
from . import audit
from ..access import Access
from .errors import ApiError

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]
Name = Annotated[str, StringConstraints(max_length=300)]
bearer = HTTPBearer(auto_error=False, description="An API key from ASSISTANT_API_KEYS (required only when that is set).")


class FiltersIn(BaseModel):
    docs: list[Name] = Field(default_factory=list, max_length=50, description="Document names, e.g. hp3_pump_manual.pdf")
    collections: list[Name] = Field(default_factory=list, max_length=50)
    languages: list[Name] = Field(default_factory=list, max_length=10, description="e.g. en, zh")

    def to_filters(self):
        from ..retrieve import Filters

        return Filters(tuple(self.docs), tuple(self.collections), tuple(self.languages))


class CitedIn(BaseModel):
    doc: Name


class MessageIn(BaseModel):
    """An earlier message of the conversation; an assistant message may carry its answer's citations
    (their documents keep weight in the next search)."""

    role: Literal["user", "assistant"]
    content: Annotated[str, StringConstraints(max_length=20000)]
    citations: list[CitedIn] = Field(default_factory=list, max_length=50)


class AskIn(BaseModel):
    question: Text = Field(examples=["What torque for the filter housing cover on the HP-3?"])
    k: int = Field(6, ge=1, le=50, description="Passages given to the answerer.")
    filters: FiltersIn | None = None
    history: list[MessageIn] = Field(default_factory=list, max_length=40, description=(
        "Earlier messages, oldest first: the question is then a follow-up, rewritten to stand alone "
        "(`standalone_question` in the answer when it differs)."))
    conversation_id: Annotated[str, StringConstraints(min_length=1, max_length=100)] | None = Field(None, description=(
        "Keep the conversation on the server instead: send \"new\" (or an id that has expired) to start one, then "
        "the `conversation_id` of the answer. Not together with `history`."))

    def turns(self, conversations, access: Access) -> tuple[str | None, list]:
        """(the conversation id to answer with or None, the history to answer in)."""
        if self.conversation_id is None:
            return None, [m.model_dump() for m in self.history]
        if self.history:
            raise ApiError(422, "send either history or conversation_id, not both")
        return conversations.history(access.label, self.conversation_id)


class SearchIn(BaseModel):
    query: Text = Field(examples=["filter housing cover torque"])
    k: int = Field(10, ge=1, le=100)
    filters: FiltersIn | None = None


class CardIn(BaseModel):
    task: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)] = Field(
        examples=["Replace the return-line filter element on the HP-3"])
    format: Literal[CARD_FORMATS] = "json"
    filters: FiltersIn | None = None


class FeedbackIn(BaseModel):
    rating: Literal["up", "down"]
    question: Text
    answer: Annotated[str, StringConstraints(max_length=20000)]
    sources: list[dict] = Field(default_factory=list, max_length=50, description="The answer's citations.")
    comment: Annotated[str, StringConstraints(max_length=2000)] = ""


def _filters(f: FiltersIn | None):
    return f.to_filters() if f else None


def caller(request: Request) -> Access:
    """The Access the API guard found for this request's key. Without one (an app without the guard)
    nothing is served: fail closed."""
    access = request.scope.get("state", {}).get("access")
    if not isinstance(access, Access):
        raise ApiError(401, "missing or invalid API key")
    return access


Caller = Annotated[Access, Depends(caller)]


def build_router(assistant, max_upload_bytes: int | None = None) -> APIRouter:
    from .conversations import ConversationStore
    from .openai_compat import add_routes

    r = APIRouter(prefix="/v1", dependencies=[Depends(bearer)])
    conversations = ConversationStore()

    @r.post("/ask", summary="A cited answer, or a refusal with the closest sources")
    def ask(req: AskIn, request: Request, access: Caller) -> dict:
        audit.note(request, text=req.question)
        cid, history = req.turns(conversations, access)
        answer = assistant.ask(req.question, req.k, _filters(req.filters), access=access, history=history)
        out = answer.to_json()
        if cid is not None:
            conversations.add(access.label, cid, req.question, answer)
            out["conversation_id"] = cid
        audit.note(request, sources=audit.sources_of(out["citations"], out["sources"]), refused=out["refused"])
        return out

    @r.post("/ask/stream", summary="The answer as server-sent events", response_class=StreamingResponse,
            responses={200: {"content": {"text/event-stream": {}},
                             "description": "`event: token` with {\"text\"} per verified sentence, then `event: answer` with "
                                            "the answer object (authoritative); `event: error` with {\"error\", \"detail\"} on failure."}})
    def ask_stream(req: AskIn, request: Request, access: Caller):
        audit.note(request, text=req.question)
        cid, history = req.turns(conversations, access)
        assistant.retriever  # noqa: B018 -- a missing library is a 503 before the stream starts
        stream = assistant.stream(req.question, req.k, _filters(req.filters), access=access, history=history)
        if cid is not None:
            stream = _remembered(stream, lambda a: conversations.add(access.label, cid, req.question, a))
        return StreamingResponse(_events(stream, request, {"conversation_id": cid} if cid else None),
                                 media_type="text/event-stream", headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})

    @r.post("/search", summary="Hybrid search: the passages that match a query")
    def search(req: SearchIn, request: Request, access: Caller) -> dict:
        t0 = time.perf_counter()
        audit.note(request, text=req.query)
        hits = [h.to_json() for h in assistant.search(req.query, req.k, _filters(req.filters), access=access)]
        audit.note(request, sources=audit.sources_of(hits))
        return {"query": req.query, "hits": hits, "ms": round((time.perf_counter() - t0) * 1000, 2)}

    @r.post("/cards", summary=f"An XR step card for a task ({', '.join(CARD_FORMATS)}); 404 when no procedure is found",
            responses={200: {"content": {f.media_type.split(";")[0]: {} for f in FORMATS.values()}}})
    def cards(req: CardIn, request: Request, access: Caller) -> Response:
        from ..cards import NoProcedureFound

        audit.note(request, text=req.task)
        try:
            card = assistant.draft_card(req.task, _filters(req.filters), access=access)
        except NoProcedureFound:
            audit.note(request, refused=True)
            raise
        audit.note(request, sources=audit.sources_of(card.citations()), refused=False)
        return card_response(card, req.format)

    @r.post("/voice", summary="A spoken question: transcript, cited answer and speech (see the voice docs)")
    def voice(audio: Annotated[UploadFile, File(description="Recorded audio (wav, webm, ogg, mp3, m4a)")],
              session_id: Annotated[str | None, Form(max_length=200)] = None,
              language: Annotated[str | None, Form(max_length=10)] = None, *, request: Request, access: Caller) -> dict:
        data = audio.file.read()
        out = assistant.voice(data, audio.filename or "audio", audio.content_type, session_id, language, access=access)
        card = out.get("card") or {}
        audit.note(request, text=out.get("transcript", ""), refused=out.get("refused"),
                   sources=audit.sources_of(out.get("citations"), _card_citations(card)))
        return out

    @r.post("/documents", summary="Upload a document; it is indexed into the library (413 too large, 415 wrong type)")
    def upload(file: Annotated[UploadFile, File(description="PDF, DOCX, HTML, Markdown or text")],
               collection: Annotated[str | None, Form(min_length=1, max_length=100)] = None, *,
               request: Request, access: Caller) -> dict:
        audit.note(request, text=file.filename or "")
        out = assistant.add_document(file.file, file.filename, collection, max_upload_bytes, access=access)
        doc = out.get("document") or {}
        audit.note(request, sources=[{"doc": doc.get("name"), "doc_id": doc.get("id"), "collection": doc.get("collection")}])
        return out

    @r.get("/documents", summary="The documents of the collections this key may read, and recent indexing errors")
    def documents(access: Caller) -> dict:
        return {"documents": assistant.documents(access), "errors": assistant.recent_errors(access)}

    @r.delete("/documents/{doc_id}", summary="Remove a document from the library (404 for a collection this key may not read)")
    def delete(doc_id: Annotated[int, Path(ge=1, le=2**62)], request: Request, access: Caller) -> dict:
        audit.note(request, text=f"document {doc_id}")
        out = assistant.delete_document(doc_id, access)
        d = out["deleted"]
        audit.note(request, text=d["name"], sources=[{"doc": d["name"], "doc_id": d["id"], "collection": d["collection"]}])
        return out

    @r.get("/documents/{doc_id}/pages/{page}", summary="A PDF page as PNG, with the given quotes marked",
           response_class=Response, responses={200: {"content": {"image/png": {}}}})
    def page(doc_id: Annotated[int, Path(ge=1, le=2**62)], page: Annotated[int, Path(ge=1, le=100000)],
             highlight: Annotated[list[Name], Query(max_length=10)] = [],  # noqa: B006 -- FastAPI copies defaults
             scale: Annotated[float, Query(ge=0.5, le=3.0)] = 1.6, *, access: Caller) -> Response:
        from ..pages import png_bytes

        img, marked = assistant.page_image(doc_id, page, highlight, scale, access=access)
        return Response(png_bytes(img), media_type="image/png", headers={"X-Quote-Marked": str(marked).lower()})

    @r.get("/documents/{doc_id}/figures", summary="The figures of a PDF document: label, caption, callouts, page and region")
    def figures(doc_id: Annotated[int, Path(ge=1, le=2**62)], access: Caller) -> dict:
        return {"figures": assistant.figures(doc_id, access)}

    @r.get("/documents/{doc_id}/figures/{n}.png", summary="A figure of a PDF document as PNG, cut from its page",
           response_class=Response, responses={200: {"content": {"image/png": {}}}})
    def figure(doc_id: Annotated[int, Path(ge=1, le=2**62)], n: Annotated[int, Path(ge=1, le=100000)],
               scale: Annotated[float, Query(ge=0.5, le=3.0)] = 2.0, *, access: Caller) -> Response:
        return Response(assistant.figure_image(doc_id, n, access, scale), media_type="image/png")

    @r.get("/passages/{chunk_id}", summary="The passage behind a citation")
    def passage(chunk_id: Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[0-9a-f]+$")], access: Caller) -> dict:
        return assistant.passage(chunk_id, access)

    @r.post("/feedback", summary="Thumbs up or down on an answer, kept with its question and sources")
    def feedback(req: FeedbackIn) -> dict:
        return {"id": assistant.feedback.add(req.rating, req.question, req.answer, req.sources, req.comment, "api")}

    add_routes(r, assistant)  # the OpenAI-compatible /v1/chat/completions and /v1/models

    @r.api_route("/{rest:path}", methods=["GET", "POST", "PUT", "PATCH", "DELETE"], include_in_schema=False)
    def unknown(rest: str, request: Request):
        raise _not_found(request, r)

    return r


def card_response(card, fmt: str) -> Response:
    """The card in `fmt` (see assistant.cards.formats) with that format's media type."""
    out = payload(card, fmt)
    return Response(out, media_type=FORMATS[fmt].media_type) if isinstance(out, str) else JSONResponse(out)


def _card_citations(card: dict) -> list[dict]:
    """The citations of a card's JSON, in display order (as StepCard.citations())."""
    out = [x["citation"] for key in ("preconditions", "warnings", "tools") for x in card.get(key, [])]
    for s in card.get("steps", []):
        out += (s["part"]["citations"] if s.get("part") else []) + [w["citation"] for w in s.get("warnings", [])] \
            + s.get("citations", []) + [x["citation"] for x in s.get("specs", [])]
    return out


def _remembered(stream, keep):
    """The answer stream, with `keep(answer)` called on its final Answer (a server-side conversation)."""
    for item in stream:
        if not isinstance(item, str):
            keep(item)
        yield item


def _events(stream, request: Request | None = None, extra: dict | None = None):
    """Server-sent events from an answer stream; errors after the stream has started become an event.
    `extra` is added to the answer object (e.g. its conversation id)."""
    from ..errors import AssistantError
    from .errors import status_for

    try:
        for item in stream:
            if isinstance(item, str):
                yield _sse("token", {"text": item})
            else:
                out = item.to_json() | (extra or {})
                if request is not None:
                    audit.note(request, sources=audit.sources_of(out["citations"], out["sources"]), refused=out["refused"])
                yield _sse("answer", out)
    except ApiError as exc:
        yield _sse("error", {"error": exc.reason, "detail": exc.detail})
    except AssistantError as exc:
        yield _sse("error", {"error": str(exc), "detail": {"status": status_for(exc)}})


def _sse(event: str, data) -> bytes:
    return f"event: {event}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n".encode("utf-8")


def _not_found(request: Request, router: APIRouter) -> ApiError:
    from starlette.routing import Match

    for route in router.routes:
        if getattr(route, "path", "").endswith("{rest:path}"):
            continue
        match, _ = route.matches(request.scope)
        if match == Match.PARTIAL:
            return ApiError(405, f"method {request.method} not allowed on {request.url.path}", headers={"Allow": ", ".join(sorted(route.methods))})
    return ApiError(404, f"no endpoint {request.url.path}", "see /openapi.json")
