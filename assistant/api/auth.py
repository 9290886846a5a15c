"""API keys and rate limits for /v1, as one small ASGI middleware (it answers before the body is
read, so an unauthenticated client gets 401 whatever it sends). Keys are compared in constant time
and never logged; the rate limiter and the audit log know a key only by a hash of it. The guard
puts the caller's `Access` (key label, allowed collections) in the request state for the handlers.

>>> KeyRing(["k1"]).check("Bearer k1")
True
>>> KeyRing([("k2", frozenset({"plant-a"}))]).identify("Bearer k2").collections == {"plant-a"}
True
"""
from __future__ import annotations

import hashlib
import hmac
import json
import math
import threading
import time

from ..access import EVERYONE, Access, key_label


class KeyRing:
    """The configured keys: plain strings (every collection) or (key, collections or None) pairs."""

    def __init__(self, keys: list):
        self._keys = []
        for entry in keys:
            key, collections = (entry, None) if isinstance(entry, str) else entry
            self._keys.append((key.encode("utf-8"), Access(key_label(key), collections)))

    def __bool__(self) -> bool:
        return bool(self._keys)

    def check(self, authorization: str | None) -> bool:
        """True for 'Bearer <a configured key>'."""
        return self.identify(authorization) is not None

    def identify(self, authorization: str | None) -> Access | None:
        """The Access of 'Bearer <a configured key>', else None."""
        if not authorization:
            return None
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return None
        return self.access_for(token.strip())

    def matches(self, token: str) -> bool:
        return self.access_for(token) is not None

    def access_for(self, token: str) -> Access | None:
        """Every key is compared, whichever matches, so timing tells nothing about which one did."""
        given = token.encode("utf-8", "replace")
        found = None
        for key, access in self._keys:
            if hmac.compare_digest(given, key):
                found = access
        return found


class RateLimiter:
    """A token bucket per client: `per_minute` requests a minute, bursts up to the same number."""

    def __init__(self, per_minute: int, clock=time.monotonic):
        self.rate = per_minute / 60.0
        self.capacity = float(per_minute)
        self.clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def take(self, who: str) -> float:
        """0 when allowed; otherwise the seconds to wait before the next request is allowed."""
        if self.rate <= 0:
            return 0.0
        now = self.clock()
        with self._lock:
            tokens, last = self._buckets.get(who, (self.capacity, now))
            tokens = min(self.capacity, tokens + (now - last) * self.rate)
            if tokens >= 1:
                self._buckets[who] = (tokens - 1, now)
                return 0.0
            self._buckets[who] = (tokens, now)
            if len(self._buckets) > 10_000:  # forget idle clients rather than grow without bound
                self._buckets = {k: v for k, v in self._buckets.items() if now - v[1] < 120}
            return (1 - tokens) / self.rate


def client_id(authorization: str | None, client: tuple | None) -> str:
    """Who a request counts against: a hash of its key, else its address."""
    if authorization:
        return "key:" + hashlib.sha256(authorization.encode("utf-8", "replace")).hexdigest()[:16]
    return "addr:" + (client[0] if client else "?")


class ApiGuard:
    """ASGI middleware for paths under `prefix`: 401 without a valid key (when keys are set), 429
    with Retry-After past the rate limit."""

    def __init__(self, app, keys: KeyRing, limiter: RateLimiter, prefix: str = "/v1"):
        self.app, self.keys, self.limiter, self.prefix = app, keys, limiter, prefix

    async def __call__(self, scope, receive, send):
        path = scope.get("path", "")
        if scope["type"] != "http" or not (path == self.prefix or path.startswith(self.prefix + "/")):
            return await self.app(scope, receive, send)
        auth = _header(scope, b"authorization")
        access = self.keys.identify(auth) if self.keys else EVERYONE
        if access is None:
            return await _json(send, path, 401, "missing or invalid API key",
                               "send 'Authorization: Bearer KEY' with a key from ASSISTANT_API_KEYS",
                               [(b"www-authenticate", b'Bearer realm="assistant"')])
        scope.setdefault("state", {})["access"] = access
        wait = self.limiter.take(client_id(auth if self.keys else None, scope.get("client")))
        if wait > 0:
            retry = str(max(1, math.ceil(wait))).encode()
            return await _json(send, path, 429, "rate limit exceeded", {"retry_after_s": int(retry)}, [(b"retry-after", retry)])
        return await self.app(scope, receive, send)


def _header(scope, name: bytes) -> str | None:
    for k, v in scope.get("headers", []):
        if k.lower() == name:
            return v.decode("latin-1")
    return None


async def _json(send, path: str, status: int, error: str, detail=None, headers: list | None = None) -> None:
    """The refusal as JSON, in OpenAI's error shape on its paths (see errors.shaped)."""
    from .errors import shaped
    from .openai_compat import is_openai_path

    if is_openai_path(path) and isinstance(detail, str):
        error = f"{error}: {detail}"  # OpenAI's error has a message only
    body = json.dumps(shaped(path, status, error, detail)).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())] + (headers or [])})
    await send({"type": "http.response.body", "body": body})
