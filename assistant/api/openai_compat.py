"""The OpenAI Chat Completions protocol over the same verified answers as /v1/ask: `POST /v1/chat/completions`
and `GET /v1/models`, so that the `openai` client, LangChain's `ChatOpenAI` and chat front ends such as
Open WebUI talk to the assistant unchanged (docs/openai.md).

    from openai import OpenAI
    client = OpenAI(base_url="http://127.0.0.1:7860/v1", api_key="KEY")      # needs a running server
    client.chat.completions.create(model="assistant", messages=[{"role": "user", "content": "Filter cover torque?"}])

The messages are the conversation: the last user message is the question, the ones before it its
history (conversation.py rewrites a follow-up and keeps weight on the documents cited so far). The
content is the answer with numbered markers and a "Sources" list (document and page); the same
citations travel as data in the extra field `citations`, and the whole answer object of /v1/ask in
`answer` (plain clients ignore both). Models: `assistant` answers, `assistant-cards` drafts a step card
for the last user message; `/<collection>` after either searches that collection only.
"""

import json
import re
import secrets
import time
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from ..types import page_ref

ANSWERS, CARDS = "assistant", "assistant-cards"
MAX_TOKENS = 2048  # a client's max_tokens above this is taken as this: answers are short, verified sentences
PATHS = ("/v1/chat/completions", "/v1/models")
_OWNER = "maintenance-assistant"


def is_openai_path(path: str) -> bool:
    """Whether a request path speaks the OpenAI protocol (its errors take OpenAI's shape)."""
    path = path.rstrip("/")
    return path == PATHS[0] or path == PATHS[1] or path.startswith(PATHS[1] + "/")


def error_body(status: int, message: str, param: str | None = None, code: str | None = None) -> dict:
    """OpenAI's error object: {"error": {"message", "type", "param", "code"}}."""
    kind = {400: "invalid_request_error", 401: "invalid_request_error", 403: "permission_error",
            404: "invalid_request_error", 409: "invalid_request_error", 413: "invalid_request_error",
            415: "invalid_request_error", 422: "invalid_request_error", 429: "rate_limit_error"}.get(status, "server_error")
    default = {401: "invalid_api_key", 403: "permission_denied", 404: "not_found", 413: "request_too_large",
               429: "rate_limit_exceeded", 503: "service_unavailable"}.get(status)
    return {"error": {"message": message, "type": kind, "param": param, "code": code or default}}


# -- the request

class TextPart(BaseModel):
    model_config = ConfigDict(extra="ignore")
    type: str = "text"
    text: Annotated[str, StringConstraints(max_length=20000)] = ""


class Message(BaseModel):
    model_config = ConfigDict(extra="ignore")
    role: Literal["system", "developer", "user", "assistant", "tool", "function"]
    content: Annotated[str, StringConstraints(max_length=20000)] | list[TextPart] | None = None

    def text(self) -> str:
        if isinstance(self.content, list):
            return "\n".join(p.text for p in self.content if p.type in ("text", "input_text"))
        return self.content or ""


class StreamOptions(BaseModel):
    model_config = ConfigDict(extra="ignore")
    include_usage: bool = False


class ChatRequest(BaseModel):
    """What /v1/chat/completions reads; other OpenAI fields (top_p, stop, user, seed, ...) are accepted and
    ignored. `temperature` is accepted too: answers are verified against the manuals either way."""

    model_config = ConfigDict(extra="ignore")
    model: Annotated[str, StringConstraints(min_length=1, max_length=200)] = Field(examples=[ANSWERS, CARDS])
    messages: list[Message] = Field(min_length=1, max_length=100)
    stream: bool = False
    stream_options: StreamOptions | None = None
    max_tokens: int | None = Field(None, ge=1, le=10**6, description=f"Caps what the language model writes (at most {MAX_TOKENS}).")
    max_completion_tokens: int | None = Field(None, ge=1, le=10**6)
    temperature: float | None = Field(None, ge=0, le=2)
    n: int = Field(1, ge=1, le=1, description="One answer per request.")
    k: int = Field(6, ge=1, le=50, description="Passages given to the answerer (not an OpenAI field).")

    def question_and_history(self) -> tuple[str, list[dict]]:
        """The last user message, and the user and assistant messages before it."""
        talk = [(m.role, m.text()) for m in self.messages if m.role in ("user", "assistant")]
        last = max((i for i, (role, text) in enumerate(talk) if role == "user" and text.strip()), default=None)
        if last is None:
            from .errors import ApiError

            raise ApiError(400, "messages need a user message with text", {"param": "messages"})
        return talk[last][1].strip()[:2000], [{"role": r, "content": t} for r, t in talk[:last]]


# -- the model names


def parse_model(name: str, collections: set[str]) -> tuple[str, str | None]:
    """(mode, collection or None) of a model name; ApiError 404 for a name this key may not use.

    >>> parse_model("assistant-cards/plant-a", {"plant-a"})
    ('assistant-cards', 'plant-a')
    """
    base, slash, collection = name.partition("/")
    if base in (ANSWERS, CARDS) and (not slash or collection in collections):
        return base, collection or None
    from .errors import ApiError

    raise ApiError(404, f"The model '{name[:100]}' does not exist: use one of GET /v1/models",
                   {"param": "model", "code": "model_not_found"})


def model_list(collections: set[str]) -> dict:
    names = [ANSWERS, CARDS] + [f"{base}/{c}" for c in sorted(collections) for base in (ANSWERS, CARDS)]
    return {"object": "list", "data": [model_card(n) for n in names]}


def model_card(name: str) -> dict:
    return {"id": name, "object": "model", "created": 0, "owned_by": _OWNER}


# -- the reply


def usage(prompt: str, completion: str) -> dict:
    """Token counts as OpenAI reports them, estimated (words and punctuation; each CJK character counts one):
    the assistant's answers do not all come from a tokenizer."""
    p, c = _tokens(prompt), _tokens(completion)
    return {"prompt_tokens": p, "completion_tokens": c, "total_tokens": p + c}


def _tokens(text: str) -> int:
    return len(re.findall(r"[\u3400-\u9fff]|\w+|[^\w\s]", text))


def numbered(citations: list[dict]) -> list[dict]:
    """The answer's citations with the number of their source (one per document and page, in order)."""
    ids: dict[tuple, int] = {}
    out = []
    for c in citations:
        n = ids.setdefault((c["doc"], c["page"]), len(ids) + 1)
        out.append({"n": n, **c})
    return out


def content_of(answer: dict) -> tuple[str, str]:
    """(the answer text, what follows it: markers, warnings and the "Sources" list) as the chat shows them."""
    zh = answer.get("language") == "zh"
    if answer.get("refused"):
        return answer["answer"], ""
    cites = numbered(answer.get("citations") or [])
    marks = "".join(f"[{n}]" for n in dict.fromkeys(c["n"] for c in cites))
    lines = [" " + marks if marks else ""]
    warnings = list(dict.fromkeys((w.get("display") or w["text"]) for w in answer.get("warnings") or []))
    if warnings:
        lines.append("\n\n" + "\n".join(f"⚠ {w}" for w in warnings))
    if cites:
        seen = {}
        for c in cites:
            seen.setdefault(c["n"], f"[{c['n']}] {c['doc']}, {page_ref(c['page'], c.get('page_label', ''), 'zh' if zh else 'en')}")
        lines.append("\n\n" + ("来源：" if zh else "Sources:") + "\n" + "\n".join(seen.values()))
    return answer["answer"], "".join(lines)


def completion(request_id: str, model: str, content: str, extra: dict, prompt: str) -> dict:
    return {"id": request_id, "object": "chat.completion", "created": int(time.time()), "model": model,
            "system_fingerprint": None,
            "choices": [{"index": 0, "message": {"role": "assistant", "content": content, "refusal": None},
                         "logprobs": None, "finish_reason": "stop"}],
            "usage": usage(prompt, content), **extra}


def chunk(request_id: str, model: str, created: int, delta: dict, finish: str | None = None, **extra) -> bytes:
    body = {"id": request_id, "object": "chat.completion.chunk", "created": created, "model": model,
            "system_fingerprint": None,
            "choices": [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}], **extra}
    return sse(body)


def sse(body) -> bytes:
    return f"data: {json.dumps(body, ensure_ascii=False)}\n\n".encode("utf-8")


def new_id() -> str:
    return "chatcmpl-" + secrets.token_hex(12)


# -- the endpoints


def add_routes(r, assistant) -> None:
    """POST /v1/chat/completions and GET /v1/models on the /v1 router `r` (before its catch-all)."""
    from fastapi import Request
    from fastapi.responses import StreamingResponse

    from . import audit
    from .routes import Caller

    @r.get("/models", summary="The model names of the OpenAI-compatible endpoint (one per mode and collection)")
    def models(access: Caller) -> dict:
        return model_list(_collections(assistant, access))

    @r.get("/models/{model_id:path}", summary="One model name of the OpenAI-compatible endpoint")
    def model(model_id: str, access: Caller) -> dict:
        parse_model(model_id, _collections(assistant, access) if "/" in model_id else set())
        return model_card(model_id)

    @r.post("/chat/completions", summary="OpenAI-compatible chat: the verified, cited answer to the last user message",
            responses={200: {"content": {"text/event-stream": {}},
                             "description": "A chat.completion object, or with `stream` chat.completion.chunk events "
                                            "ending with `data: [DONE]`; the extra fields `citations` and `answer` carry "
                                            "the sources as data."}})
    def chat(req: ChatRequest, request: Request, access: Caller):
        from ..retrieve import Filters

        question, history = req.question_and_history()
        mode, collection = parse_model(req.model, _collections(assistant, access) if "/" in req.model else set())
        filters = Filters(collections=(collection,)) if collection else None
        audit.note(request, text=question)
        prompt = "\n".join(m.text() for m in req.messages)
        reply = Reply(new_id(), req.model, prompt, bool(req.stream_options and req.stream_options.include_usage))
        if mode == CARDS:
            content, extra = _card(assistant, question, history, filters, access, request)
            return reply.stream_whole(content, extra) if req.stream else completion(reply.id, req.model, content, extra, prompt)
        max_tokens = min(req.max_completion_tokens or req.max_tokens or MAX_TOKENS, MAX_TOKENS) if (
            req.max_completion_tokens or req.max_tokens) else None
        if req.stream:
            assistant.retriever  # noqa: B018 -- a missing library is an error before the stream starts
            items = assistant.stream(question, req.k, filters, access=access, max_tokens=max_tokens, history=history)
            return StreamingResponse(reply.events(items, request), media_type="text/event-stream",
                                     headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})
        a = assistant.ask(question, req.k, filters, access=access, max_tokens=max_tokens, history=history).to_json()
        audit.note(request, sources=audit.sources_of(a["citations"], a["sources"]), refused=a["refused"])
        text, tail = content_of(a)
        return completion(reply.id, req.model, text + tail, {"citations": numbered(a["citations"]), "answer": a}, prompt)


def _collections(assistant, access) -> set[str]:
    return {d["collection"] for d in assistant.documents(access)}


def _card(assistant, question: str, history: list[dict], filters, access, request) -> tuple[str, dict]:
    """The step card for the last user message (a follow-up rewritten first) as Markdown, with the card
    and its citations as data; no procedure found is an answer that says so, like a refusal."""
    from ..app import NoProcedureFound, render_card
    from ..conversation import follow_up
    from . import audit

    task = follow_up(question, history).standalone if history else question
    try:
        card = assistant.draft_card(task, filters, access=access)
    except NoProcedureFound as exc:
        audit.note(request, refused=True)
        return str(exc), {"card": None, "citations": []}
    cites = [c.to_json() for c in card.citations()]
    audit.note(request, sources=audit.sources_of(cites), refused=False)
    return render_card(card, "md"), {"card": card.to_json(), "citations": numbered(cites)}


class Reply:
    """One streamed reply: the role chunk, the content, a last chunk with finish_reason and the extra
    fields, the usage chunk when asked for, then `data: [DONE]`."""

    def __init__(self, request_id: str, model: str, prompt: str, include_usage: bool):
        self.id, self.model, self.prompt, self.include_usage = request_id, model, prompt, include_usage
        self.created = int(time.time())

    def _open(self) -> bytes:
        return chunk(self.id, self.model, self.created, {"role": "assistant", "content": ""})

    def _close(self, content: str, extra: dict):
        yield chunk(self.id, self.model, self.created, {}, "stop", **extra)
        if self.include_usage:
            yield sse({"id": self.id, "object": "chat.completion.chunk", "created": self.created, "model": self.model,
                       "choices": [], "usage": usage(self.prompt, content)})
        yield b"data: [DONE]\n\n"

    def stream_whole(self, content: str, extra: dict):
        from fastapi.responses import StreamingResponse

        def events():
            yield self._open()
            yield chunk(self.id, self.model, self.created, {"content": content})
            yield from self._close(content, extra)

        return StreamingResponse(events(), media_type="text/event-stream", headers={"Cache-Control": "no-cache"})

    def events(self, items, request=None):
        """Chunks from an answer stream (verified sentences, then the Answer); an error after the stream
        has started becomes an OpenAI error event."""
        from ..errors import AssistantError
        from . import audit
        from .errors import ApiError, status_for

        yield self._open()
        sent = ""
        try:
            for item in items:
                if isinstance(item, str):
                    sent += item
                    yield chunk(self.id, self.model, self.created, {"content": item})
                    continue
                a = item.to_json()
                if request is not None:
                    audit.note(request, sources=audit.sources_of(a["citations"], a["sources"]), refused=a["refused"])
                text, tail = content_of(a)
                rest = tail if sent.strip() else text + tail
                if rest:
                    sent += rest
                    yield chunk(self.id, self.model, self.created, {"content": rest})
                yield from self._close(sent, {"citations": numbered(a["citations"]), "answer": a})
                return
        except ApiError as exc:
            yield sse(error_body(exc.status, exc.reason))
        except AssistantError as exc:
            yield sse(error_body(status_for(exc), str(exc)))
        yield b"data: [DONE]\n\n"
