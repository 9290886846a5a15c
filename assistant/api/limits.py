"""Request body limits for /v1 as ASGI middleware: uploads up to `upload` bytes, everything else up to
`json` bytes. A declared Content-Length over the limit is refused before a byte is read; a body that
grows past it while streaming is cut off, and whatever the app was about to answer is replaced by
the 413 (the form parser would otherwise call the cut a malformed body)."""
from __future__ import annotations

import json

UPLOAD_PATHS = ("/v1/documents", "/v1/voice")
MULTIPART_SLACK = 64 * 1024  # form boundaries and headers around the file itself


class _TooLarge(Exception):
    pass


class BodyLimit:
    def __init__(self, app, upload: int, json_body: int, prefix: str = "/v1"):
        self.app, self.upload, self.json_body, self.prefix = app, upload, json_body, prefix

    def limit_for(self, path: str) -> int:
        return self.upload + MULTIPART_SLACK if path.rstrip("/") in UPLOAD_PATHS else self.json_body

    async def __call__(self, scope, receive, send):
        path = scope.get("path", "")
        if scope["type"] != "http" or not path.startswith(self.prefix) or scope.get("method") in ("GET", "HEAD", "OPTIONS"):
            return await self.app(scope, receive, send)
        limit = self.limit_for(path)
        declared = _content_length(scope)
        if declared is not None and declared > limit:
            return await _send_413(send, limit, path)
        state = {"seen": 0, "over": False, "started": False}

        async def limited_receive():
            msg = await receive()
            if msg["type"] == "http.request":
                state["seen"] += len(msg.get("body", b""))
                if state["seen"] > limit:
                    state["over"] = True
                    raise _TooLarge
            return msg

        async def guarded_send(msg):
            if state["over"]:
                return  # the app's answer to a cut-off body is replaced by the 413 below
            if msg["type"] == "http.response.start":
                state["started"] = True
            await send(msg)

        try:
            await self.app(scope, limited_receive, guarded_send)
        except _TooLarge:
            pass
        except Exception:
            if not state["over"]:
                raise
        if state["over"] and not state["started"]:
            await _send_413(send, limit, path)


def _content_length(scope) -> int | None:
    for k, v in scope.get("headers", []):
        if k.lower() == b"content-length":
            try:
                return int(v)
            except ValueError:
                return None
    return None


async def _send_413(send, limit: int, path: str = "") -> None:
    from .errors import shaped

    body = json.dumps(shaped(path, 413, "request body too large", {"limit_bytes": limit})).encode()
    await send({"type": "http.response.start", "status": 413,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                            (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": body})
