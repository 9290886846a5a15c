"""Every error the API answers is JSON `{"error": reason, "detail": ...}` with a 4xx status for anything
the client can fix, so no malformed request ever gets a 5xx. The library's own errors map by type. The
OpenAI-compatible paths (/v1/chat/completions, /v1/models) answer in OpenAI's shape instead,
`{"error": {"message", "type", "param", "code"}}`, and an invalid request there is a 400 as at OpenAI."""
from __future__ import annotations

import logging

from ..errors import (AssistantError, AudioTooLarge, AudioTooLong, AudioTooShort, Busy, EmptyAudio, Forbidden,
                      LibraryError, LibraryLocked, MissingDependency, ModelMismatch, ModelNotAvailable, NoProcedureFound,
                      NoSpeech, NotFound, NotIndexed, ParseError, UnclearSpeech, UnreadableAudio, UnsupportedAudio,
                      UnsupportedFormat, UnsupportedLanguage, UploadConflict, UploadError, UploadInvalid,
                      UploadTooLarge, UploadWrongType, VoiceError)

log = logging.getLogger("assistant.api")


class ApiError(Exception):
    """A refusal with its HTTP status, e.g. ApiError(404, "no document with id 7")."""

    def __init__(self, status: int, reason: str, detail=None, headers: dict | None = None):
        super().__init__(reason)
        self.status, self.reason, self.detail, self.headers = status, reason, detail, headers


# The HTTP status of each library error, a subclass before its base; any other AssistantError is a 400.
STATUS = ((UploadTooLarge, 413), (UploadWrongType, 415), (UploadConflict, 409), (UploadInvalid, 422), (UploadError, 400),
          (Forbidden, 403), (NotFound, 404), (NoProcedureFound, 404), (NotIndexed, 422), (Busy, 503), (LibraryLocked, 409), (ModelMismatch, 409), (UnsupportedFormat, 415),
          (ParseError, 422), (MissingDependency, 503), (ModelNotAvailable, 503), (LibraryError, 503),
          # a recording we refuse: the client can record again, so never a 5xx
          (EmptyAudio, 400), (UnsupportedLanguage, 400), (AudioTooLarge, 413), (AudioTooLong, 413),
          (UnsupportedAudio, 415), (UnreadableAudio, 422), (AudioTooShort, 422), (NoSpeech, 422), (UnclearSpeech, 422))


def status_for(exc: AssistantError) -> int:
    """The HTTP status of a library error, e.g. 413 for AudioTooLong."""
    return next((status for kind, status in STATUS if isinstance(exc, kind)), 400)


def reason_detail(exc: AssistantError) -> tuple[str, object]:
    """What the client reads: a refused recording says only why (its `reason`); other errors their
    message, with their structured detail or else their kind."""
    if isinstance(exc, VoiceError):
        return exc.reason, None
    return str(exc), exc.detail if exc.detail is not None else type(exc).__name__


def headers_for(exc: AssistantError) -> dict | None:
    return {"Retry-After": str(exc.retry_after_s)} if isinstance(exc, Busy) else None


def body(reason: str, detail=None) -> dict:
    return {"error": reason, "detail": detail}


def shaped(path: str, status: int, reason: str, detail=None) -> dict:
    """The error body for a request path: OpenAI's shape on its paths (see openai_compat), ours elsewhere."""
    from .openai_compat import error_body, is_openai_path

    if not is_openai_path(path):
        return body(reason, detail)
    d = detail if isinstance(detail, dict) else {}
    return error_body(status, reason, d.get("param"), d.get("code"))


def install(app) -> None:
    """Register the JSON error handlers on a FastAPI app."""
    from fastapi.exceptions import RequestValidationError
    from fastapi.responses import JSONResponse
    from starlette.exceptions import HTTPException

    from .openai_compat import is_openai_path

    def reply(request, status: int, reason: str, detail=None, headers=None):
        return JSONResponse(shaped(request.url.path, status, reason, detail), status, headers=headers)

    async def api_error(request, exc: ApiError):
        return reply(request, exc.status, exc.reason, exc.detail, exc.headers)

    async def assistant_error(request, exc: AssistantError):
        return reply(request, status_for(exc), *reason_detail(exc), headers_for(exc))

    async def http_error(request, exc: HTTPException):
        reason = exc.detail if isinstance(exc.detail, str) else "request failed"
        return reply(request, exc.status_code, reason, None if isinstance(exc.detail, str) else exc.detail,
                     getattr(exc, "headers", None))

    async def invalid(request, exc: RequestValidationError):
        detail = validation_detail(exc.errors())
        if is_openai_path(request.url.path):  # OpenAI: 400, the first wrong field as `param`
            first = detail[0] if detail else {"loc": [], "msg": "invalid request"}
            param = ".".join(x for x in first["loc"] if x != "body") or None
            return reply(request, 400, f"invalid request: {param or 'body'}: {first['msg']}", {"param": param})
        return reply(request, 422, "invalid request", detail)

    async def unexpected(request, exc: Exception):
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        return reply(request, 500, "internal error", type(exc).__name__)

    app.add_exception_handler(ApiError, api_error)
    app.add_exception_handler(AssistantError, assistant_error)
    app.add_exception_handler(HTTPException, http_error)
    app.add_exception_handler(RequestValidationError, invalid)
    app.add_exception_handler(Exception, unexpected)


def validation_detail(errors) -> list[dict]:
    """Where and what, without echoing the input back (it may be bytes that are not UTF-8, or large)."""
    out = []
    for e in errors:
        loc = [str(x) for x in e.get("loc", ())]
        out.append({"loc": loc, "msg": str(e.get("msg", "")), "type": str(e.get("type", ""))})
    return out
