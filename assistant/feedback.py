"""Thumbs up/down on answers, kept in SQLite with the question, the answer and its sources, so that
a maintainer can see which questions the library answers badly.

>>> import tempfile
>>> store = FeedbackStore(Path(tempfile.mkdtemp()) / "feedback.sqlite")
>>> store.add("down", "What torque?", "25 N·m", [{"doc": "m.pdf", "page": 4}])
1
>>> store.recent(1)[0]["rating"], store.recent(1)[0]["sources"]
('down', [{'doc': 'm.pdf', 'page': 4}])
"""
from __future__ import annotations

import json
import sqlite3
import time
from pathlib import Path

SCHEMA = """
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY,
    ts REAL NOT NULL,
    rating INTEGER NOT NULL,      -- +1 thumbs up, -1 thumbs down
    question TEXT NOT NULL,
    answer TEXT NOT NULL,
    sources TEXT NOT NULL,        -- JSON list of {doc, page, chunk_id, quote}
    comment TEXT NOT NULL DEFAULT '',
    origin TEXT NOT NULL DEFAULT 'api'  -- 'api' or 'ui'
);
"""
RATINGS = {"up": 1, "down": -1}


class FeedbackStore:
    def __init__(self, path: Path):
        self.path = Path(path)

    def _connect(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(self.path, timeout=10)
        db.executescript(SCHEMA)
        return db

    def add(self, rating: str, question: str, answer: str, sources: list[dict], comment: str = "", origin: str = "api") -> int:
        """Store one rating ('up' or 'down'); returns its id."""
        if rating not in RATINGS:
            raise ValueError(f"rating must be 'up' or 'down', not {rating!r}")
        db = self._connect()
        try:
            with db:
                cur = db.execute("INSERT INTO feedback(ts, rating, question, answer, sources, comment, origin) VALUES (?,?,?,?,?,?,?)",
                                 (time.time(), RATINGS[rating], question, answer, json.dumps(sources, ensure_ascii=False), comment, origin))
            return int(cur.lastrowid)
        finally:
            db.close()

    def recent(self, limit: int = 50) -> list[dict]:
        if not self.path.exists():
            return []
        db = self._connect()
        try:
            rows = db.execute("SELECT id, ts, rating, question, answer, sources, comment, origin FROM feedback "
                              "ORDER BY id DESC LIMIT ?", (limit,)).fetchall()
        finally:
            db.close()
        return [{"id": r[0], "ts": r[1], "rating": "up" if r[2] > 0 else "down", "question": r[3], "answer": r[4],
                 "sources": json.loads(r[5]), "comment": r[6], "origin": r[7]} for r in rows]
