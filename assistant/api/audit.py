"""The audit log: one SQLite row per audited request (ask, search, cards, voice, uploads, deletions):
who (a key's hash label, never the key), from where, what they asked, which sources came back, and
how it ended. Written by an ASGI middleware around the whole app, so refusals (401, 403, 404, 413,
429) and failures are logged like answers; handlers only add the request's text and sources with
`note()`. Nothing from the request headers is stored.

    log = AuditLog(Path("/tmp/audit.sqlite"))          # rows are written by a running server
    log.recent(1)[0]["endpoint"], log.recent(1)[0]["key"]                       # rows are written by a running server
    # -> ('/v1/ask', 'key-6ab9f1eb8f7d')
"""
from __future__ import annotations

import json
import logging
import re
import sqlite3
import threading
import time
from pathlib import Path

log = logging.getLogger("assistant.api")

SCHEMA = """
CREATE TABLE IF NOT EXISTS audit (
    id INTEGER PRIMARY KEY,
    ts REAL NOT NULL,             -- unix time the request arrived
    key TEXT NOT NULL,            -- 'key-' + 12 hex of sha256(key); 'anonymous' without keys; 'unauthenticated' on 401
    collections TEXT NOT NULL,    -- the key's collections: JSON list, or '*'
    client TEXT NOT NULL,         -- client address
    method TEXT NOT NULL,
    endpoint TEXT NOT NULL,       -- the path, e.g. /v1/ask or /v1/documents/12
    text TEXT NOT NULL,           -- question, query, task, voice transcript, or the uploaded/deleted document's name
    sources TEXT NOT NULL,        -- JSON list of {chunk_id, doc, page} returned (citations first), or of {doc, collection}
    refused INTEGER,              -- 1 refused / no procedure, 0 answered, NULL where it does not apply
    status INTEGER NOT NULL,      -- HTTP status
    ms REAL NOT NULL              -- time to the last byte of the response
);
CREATE INDEX IF NOT EXISTS audit_ts ON audit(ts);
CREATE INDEX IF NOT EXISTS audit_key ON audit(key, ts);
"""
COLUMNS = ("id", "ts", "key", "collections", "client", "method", "endpoint", "text", "sources", "refused", "status", "ms")
# (method, path pattern) of the requests logged
AUDITED = (("POST", re.compile(r"/v1/(?:ask|ask/stream|search|cards|voice|documents|chat/completions)/?")),
           ("DELETE", re.compile(r"/v1/documents/[^/]+/?")))


class AuditLog:
    def __init__(self, path: Path):
        self.path = Path(path)
        self._db: sqlite3.Connection | None = None
        self._lock = threading.Lock()

    def _connect(self) -> sqlite3.Connection:
        if self._db is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            db = sqlite3.connect(self.path, timeout=10, isolation_level=None, check_same_thread=False)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")  # a commit is durable at the next checkpoint; no fsync per request
            db.executescript(SCHEMA)
            self._db = db
        return self._db

    def write(self, row: dict) -> None:
        values = (row["ts"], row["key"], row["collections"], row["client"], row["method"], row["endpoint"],
                  row.get("text") or "", json.dumps(row.get("sources") or [], ensure_ascii=False),
                  None if row.get("refused") is None else int(bool(row["refused"])), row["status"], row["ms"])
        with self._lock:
            self._connect().execute(f"INSERT INTO audit({', '.join(COLUMNS[1:])}) VALUES ({', '.join('?' * 11)})", values)

    def recent(self, limit: int = 100) -> list[dict]:
        if not self.path.exists():
            return []
        with self._lock:
            rows = self._connect().execute(f"SELECT {', '.join(COLUMNS)} FROM audit ORDER BY id DESC LIMIT ?", (limit,)).fetchall()
        out = []
        for r in rows:
            d = dict(zip(COLUMNS, r))
            d["sources"] = json.loads(d["sources"])
            d["collections"] = d["collections"] if d["collections"] == "*" else json.loads(d["collections"])
            out.append(d)
        return out

    def close(self) -> None:
        with self._lock:
            if self._db is not None:
                self._db.close()
                self._db = None


def note(request, text: str | None = None, sources: list[dict] | None = None, refused: bool | None = None) -> None:
    """Add what a handler knows to its request's audit row (no-op for requests that are not audited)."""
    entry = request.scope.get("state", {}).get("audit")
    if entry is None:
        return
    if text is not None:
        entry["text"] = text
    if sources is not None:
        entry["sources"] = sources
    if refused is not None:
        entry["refused"] = refused


def sources_of(*lists) -> list[dict]:
    """{chunk_id, doc, page} of every item of the lists (dicts or objects), first occurrence kept."""
    out, seen = [], set()
    for items in lists:
        for s in items or ():
            get = s.get if isinstance(s, dict) else lambda k, s=s: getattr(s, k, None)
            cid = get("chunk_id")
            if cid in seen:
                continue
            seen.add(cid)
            out.append({"chunk_id": cid, "doc": get("doc"), "page": get("page")})
    return out


def audited(method: str, path: str) -> bool:
    return any(method == m and p.fullmatch(path) for m, p in AUDITED)


class AuditMiddleware:
    """Outermost ASGI middleware: one row per audited request, written before the response's last
    byte goes out (so a client that has its answer finds the row)."""

    def __init__(self, app, audit_log: AuditLog, clock=time.time):
        self.app, self.log, self.clock = app, audit_log, clock

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or not audited(scope.get("method", ""), scope.get("path", "")):
            return await self.app(scope, receive, send)
        t0, ts = time.perf_counter(), self.clock()
        state = scope.setdefault("state", {})
        entry = state["audit"] = {}
        status = {"code": 500, "written": False}

        def write():
            if status["written"]:
                return
            status["written"] = True
            access = state.get("access")
            row = {"ts": ts, "key": access.label if access else "unauthenticated",
                   "collections": _collections(access), "client": (scope.get("client") or ("?",))[0],
                   "method": scope["method"], "endpoint": scope["path"], "status": status["code"],
                   "ms": round((time.perf_counter() - t0) * 1000, 2), **entry}
            try:
                self.log.write(row)
            except (sqlite3.Error, OSError) as exc:  # the answer stands; the operator sees why the row is missing
                log.warning("audit log write failed (%s): %s", type(exc).__name__, exc)

        async def audited_send(msg):
            if msg["type"] == "http.response.start":
                status["code"] = msg["status"]
            elif msg["type"] == "http.response.body" and not msg.get("more_body", False):
                write()
            await send(msg)

        try:
            await self.app(scope, receive, audited_send)
        finally:
            write()  # an exception or a client that went away before the last byte


def _collections(access) -> str:
    if access is None:
        return "[]"
    return "*" if access.collections is None else json.dumps(sorted(access.collections), ensure_ascii=False)
