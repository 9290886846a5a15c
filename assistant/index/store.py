"""The SQLite store: documents, chunks and their vectors. It is the library's source of truth; the
FAISS and lexical indexes are caches derived from it and stamped with its generation number.
Each document is replaced in one transaction, so a crash leaves every document whole."""
from __future__ import annotations

import hashlib
import json
import sqlite3
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..types import Chunk, Figure

# Columns added after the first release: an older library gets them (empty) when opened for writing;
# read-only, they read as empty. An empty `parser` makes the next `index` run re-read the document.
ADDED_COLUMNS = {"documents": {"parser": "TEXT NOT NULL DEFAULT ''"},
                 "chunks": {"labelled": "TEXT NOT NULL DEFAULT ''", "page_label": "TEXT NOT NULL DEFAULT ''"}}

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS documents (
    id INTEGER PRIMARY KEY,
    path TEXT NOT NULL UNIQUE,      -- absolute path: the identity used for incremental indexing
    name TEXT NOT NULL,             -- what citations show: the path relative to the folder indexed
    sha256 TEXT NOT NULL,
    size INTEGER NOT NULL,
    format TEXT NOT NULL,
    title TEXT NOT NULL DEFAULT '',
    pages INTEGER NOT NULL,
    collection TEXT NOT NULL DEFAULT 'default',
    ocr_pages TEXT NOT NULL DEFAULT '[]',
    indexed_at REAL NOT NULL,
    parser TEXT NOT NULL DEFAULT ''   -- the reader that made its chunks (PARSER_VERSION): another re-reads it
);
CREATE TABLE IF NOT EXISTS chunks (
    rowid INTEGER PRIMARY KEY,      -- the id stored in the vector index
    id TEXT NOT NULL UNIQUE,        -- content-hash chunk id
    doc_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    page INTEGER NOT NULL,
    section TEXT NOT NULL,          -- JSON list of headings
    start INTEGER NOT NULL,
    end INTEGER NOT NULL,
    text TEXT NOT NULL,
    language TEXT NOT NULL,
    kinds TEXT NOT NULL,
    text_hash TEXT NOT NULL,        -- sha256 of what was embedded: identical passages share one vector
    tokens TEXT NOT NULL DEFAULT '', -- lexical tokens (space-separated) of section trail + text
    labelled TEXT NOT NULL DEFAULT '', -- table rows with their column headers (Chunk.labelled)
    page_label TEXT NOT NULL DEFAULT '' -- the printed page number
);
CREATE INDEX IF NOT EXISTS chunks_doc ON chunks(doc_id);
CREATE INDEX IF NOT EXISTS chunks_hash ON chunks(text_hash);
CREATE TABLE IF NOT EXISTS vectors (text_hash TEXT PRIMARY KEY, vec BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS figures (  -- a PDF's figures (types.Figure); added after the first release
    doc_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    n INTEGER NOT NULL,             -- 1-based, in document order
    page INTEGER NOT NULL,
    label TEXT NOT NULL,            -- "Figure 3-2"
    caption TEXT NOT NULL,
    callouts TEXT NOT NULL,         -- JSON list of the callout texts, in reading order
    bbox TEXT NOT NULL,             -- JSON [x0, y0, x1, y1]: PDF points from the page's top-left corner
    start INTEGER NOT NULL,         -- the figure's block in the page text (the chunk holding it)
    end INTEGER NOT NULL,
    PRIMARY KEY (doc_id, n)
);
CREATE TABLE IF NOT EXISTS ml_vectors (text_hash TEXT PRIMARY KEY, vec BLOB NOT NULL);  -- multilingual: [1 + sentences, dim]
"""


@dataclass(frozen=True)
class DocumentRow:
    id: int
    path: str
    name: str
    sha256: str
    size: int
    format: str
    title: str
    pages: int
    collection: str
    chunks: int
    indexed_at: float
    parser: str = ""

    def to_json(self) -> dict:
        return {k: getattr(self, k) for k in self.__dataclass_fields__ if k != "parser"}


@dataclass(frozen=True)
class FigureRow:
    """A stored figure: its document, its number in the document (1-based), the figure, and the id
    of the chunk holding its caption and callouts ('' when none does)."""

    doc_id: int
    n: int
    figure: Figure
    chunk_id: str = ""

    def to_json(self) -> dict:
        return {"n": self.n, **self.figure.to_json(), "chunk_id": self.chunk_id}


def table_columns(db, table: str) -> set[str]:
    """The columns a table of this library has (an older library lacks those in ADDED_COLUMNS)."""
    return {r[1] for r in db.execute(f"PRAGMA table_info({table})")}


def column_or_empty(have: set[str], name: str, alias: str = "") -> str:
    """The column to SELECT (`alias.name`), or '' where an older read-only library lacks it."""
    return (f"{alias}.{name}" if alias else name) if name in have else "''"


def read_figures(db, doc_id: int) -> list[FigureRow]:
    """A document's figures in document order ([] for a library written before figures were kept)."""
    if not table_columns(db, "figures"):
        return []
    rows = db.execute(
        "SELECT f.n, f.page, f.label, f.caption, f.callouts, f.bbox, f.start, f.end, "
        "COALESCE((SELECT c.id FROM chunks c WHERE c.doc_id=f.doc_id AND c.page=f.page AND c.start<=f.start AND c.end>f.start "
        "ORDER BY c.start LIMIT 1), '') FROM figures f WHERE f.doc_id=? ORDER BY f.n", (int(doc_id),)).fetchall()
    return [FigureRow(int(doc_id), r[0], Figure(r[1], r[2], r[3], tuple(json.loads(r[4])), tuple(json.loads(r[5])), r[6], r[7]), r[8])
            for r in rows]


class Store:
    def __init__(self, path: Path, readonly: bool = False):
        self.path = path
        uri = f"file:{path}?mode=ro" if readonly else f"file:{path}"
        self.db = sqlite3.connect(uri, uri=True, timeout=30, isolation_level=None, check_same_thread=False)
        self.db.execute("PRAGMA foreign_keys=ON")
        if not readonly:
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=FULL")
            self.db.executescript(SCHEMA)
        self._migrate(readonly)

    def _migrate(self, readonly: bool) -> None:
        """Add the columns an older library lacks; note which exist (a read-only store cannot add them)."""
        self.columns: dict[str, set[str]] = {}
        for table, added in ADDED_COLUMNS.items():
            have = table_columns(self.db, table)
            for name, decl in added.items():
                if name not in have and not readonly:
                    self.db.execute(f"ALTER TABLE {table} ADD COLUMN {name} {decl}")
                    have.add(name)
            self.columns[table] = have

    def _col(self, table: str, alias: str, name: str) -> str:
        return column_or_empty(self.columns.get(table, set()), name, alias)

    def close(self):
        self.db.close()

    # -- meta
    def generation(self) -> int:
        row = self.db.execute("SELECT value FROM meta WHERE key='generation'").fetchone()
        return int(row[0]) if row else 0

    def get_meta(self, key: str, default: str | None = None) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
        return row[0] if row else default

    # -- documents
    def document_by_path(self, path: str) -> DocumentRow | None:
        rows = self.documents(where="d.path=?", args=(path,))
        return rows[0] if rows else None

    def documents(self, where: str = "1", args: tuple = ()) -> list[DocumentRow]:
        q = (
            "SELECT d.id, d.path, d.name, d.sha256, d.size, d.format, d.title, d.pages, d.collection, "
            f"(SELECT COUNT(*) FROM chunks c WHERE c.doc_id=d.id), d.indexed_at, {self._col('documents', 'd', 'parser')} FROM documents d "
            f"WHERE {where} ORDER BY d.path"
        )
        return [DocumentRow(*r) for r in self.db.execute(q, args)]

    def known_hashes(self, hashes: list[str], table: str = "vectors") -> set[str]:
        assert table in ("vectors", "ml_vectors")
        found: set[str] = set()
        for i in range(0, len(hashes), 500):
            part = hashes[i : i + 500]
            q = f"SELECT text_hash FROM {table} WHERE text_hash IN ({','.join('?' * len(part))})"
            found.update(r[0] for r in self.db.execute(q, part))
        return found

    def replace_document(self, doc: dict, chunks: list[Chunk], text_hashes: list[str], new_vectors: dict[str, np.ndarray],
                         tokens: list[str], new_ml_vectors: dict[str, np.ndarray] | None = None,
                         figures: list[Figure] = ()) -> int:
        """Delete the document's old chunks (and figures) and insert the new ones, in one transaction."""
        with self._write() as cur:
            old_hashes = [r[0] for r in cur.execute(
                "SELECT DISTINCT c.text_hash FROM chunks c JOIN documents d ON d.id=c.doc_id WHERE d.path=?", (doc["path"],))]
            cur.execute("DELETE FROM documents WHERE path=?", (doc["path"],))
            cur.execute(
                "INSERT INTO documents(path, name, sha256, size, format, title, pages, collection, ocr_pages, indexed_at, parser) "
                "VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                (doc["path"], doc["name"], doc["sha256"], doc["size"], doc["format"], doc["title"], doc["pages"],
                 doc["collection"], json.dumps(doc.get("ocr_pages", [])), time.time(), doc.get("parser", "")),
            )
            doc_id = cur.lastrowid
            ids = self._own_ids(cur, [c.id for c in chunks], doc["path"])
            cur.executemany(
                "INSERT OR IGNORE INTO vectors(text_hash, vec) VALUES (?, ?)",
                [(h, np.asarray(v, dtype=np.float32).tobytes()) for h, v in new_vectors.items()],
            )
            cur.executemany(
                "INSERT OR IGNORE INTO ml_vectors(text_hash, vec) VALUES (?, ?)",
                [(h, np.asarray(v, dtype=np.float32).tobytes()) for h, v in (new_ml_vectors or {}).items()],
            )
            cur.executemany(
                "INSERT OR REPLACE INTO chunks(id, doc_id, page, section, start, end, text, language, kinds, text_hash, tokens, "
                "labelled, page_label) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
                [(cid, doc_id, c.page, json.dumps(list(c.section), ensure_ascii=False), c.start, c.end, c.text,
                  c.language, ",".join(c.kinds), h, t, c.labelled, c.page_label)
                 for cid, c, h, t in zip(ids, chunks, text_hashes, tokens)],
            )
            figs = [f if isinstance(f, Figure) else Figure(**f) for f in figures]  # (a distributed worker's figures arrive as dicts)
            cur.executemany(
                "INSERT INTO figures(doc_id, n, page, label, caption, callouts, bbox, start, end) VALUES (?,?,?,?,?,?,?,?,?)",
                [(doc_id, n, f.page, f.label, f.caption, json.dumps(list(f.callouts), ensure_ascii=False),
                  json.dumps([round(float(v), 2) for v in f.bbox]), f.start, f.end) for n, f in enumerate(figs, start=1)],
            )
            self._drop_orphans(cur, old_hashes)
            self._bump(cur)
        return doc_id

    @staticmethod
    def _own_ids(cur, ids: list[str], path: str) -> list[str]:
        """Chunk ids for a document whose old chunks are already deleted: an id still taken belongs to
        another document with the same name and text (the same file in another folder or collection),
        so this copy's chunk gets an id of its own instead of taking that document's chunk away."""
        taken: set[str] = set()
        for i in range(0, len(ids), 500):
            part = ids[i : i + 500]
            taken.update(r[0] for r in cur.execute(f"SELECT id FROM chunks WHERE id IN ({','.join('?' * len(part))})", part))
        return [hashlib.sha256(f"{cid}\x00{path}".encode("utf-8")).hexdigest()[:20] if cid in taken else cid for cid in ids]

    @staticmethod
    def _drop_orphans(cur, hashes: list[str]) -> None:
        """Delete the vectors of these hashes that no chunk uses any more (cost: the changed document only)."""
        for table in ("vectors", "ml_vectors"):
            cur.executemany(
                f"DELETE FROM {table} WHERE text_hash=? AND NOT EXISTS (SELECT 1 FROM chunks WHERE text_hash=?)",
                [(h, h) for h in hashes],
            )

    def delete_documents(self, paths: list[str]) -> None:
        if not paths:
            return
        with self._write() as cur:
            hashes: set[str] = set()
            for p in paths:
                hashes.update(r[0] for r in cur.execute(
                    "SELECT c.text_hash FROM chunks c JOIN documents d ON d.id=c.doc_id WHERE d.path=?", (p,)))
            cur.executemany("DELETE FROM documents WHERE path=?", [(p,) for p in paths])
            self._drop_orphans(cur, sorted(hashes))
            self._bump(cur)

    @contextmanager
    def _write(self):
        """One write transaction (BEGIN IMMEDIATE: the write lock up front), committed on success and
        rolled back on any error; a failed COMMIT (disk full) has already rolled back."""
        cur = self.db.cursor()
        cur.execute("BEGIN IMMEDIATE")
        try:
            yield cur
            cur.execute("COMMIT")
        except BaseException:
            if self.db.in_transaction:
                cur.execute("ROLLBACK")
            raise

    def _bump(self, cur) -> None:
        cur.execute(
            "INSERT INTO meta(key, value) VALUES ('generation', '1') "
            "ON CONFLICT(key) DO UPDATE SET value = CAST(value AS INTEGER) + 1"
        )

    # -- chunks
    def chunk_rows(self, rowids: list[int]) -> dict[int, Chunk]:
        out: dict[int, Chunk] = {}
        for i in range(0, len(rowids), 500):
            part = [int(r) for r in rowids[i : i + 500]]
            q = (
                "SELECT c.rowid, c.id, d.name, c.page, c.section, c.start, c.end, c.text, c.language, c.kinds, "
                f"{self._col('chunks', 'c', 'labelled')}, {self._col('chunks', 'c', 'page_label')} "
                f"FROM chunks c JOIN documents d ON d.id=c.doc_id WHERE c.rowid IN ({','.join('?' * len(part))})"
            )
            for r in self.db.execute(q, part):
                out[r[0]] = Chunk(r[1], r[2], r[3], tuple(json.loads(r[4])), r[5], r[6], r[7], r[8],
                                  tuple(filter(None, r[9].split(","))), r[10], r[11])
        return out

    def outline(self, rowids: list[int]) -> dict[int, tuple[int, str, bool, int]]:
        """Per chunk row id: (document id, section path as stored, holds table rows, approximate
        tokens): what is needed to tell which chunks make a unit (enclosing.py) without reading them.
        Tokens are estimated from the length (about 4 characters a token in Latin script, one a
        character in Chinese)."""
        out: dict[int, tuple[int, str, bool, int]] = {}
        for i in range(0, len(rowids), 500):
            part = [int(r) for r in rowids[i : i + 500]]
            q = (f"SELECT rowid, doc_id, section, {self._col('chunks', 'chunks', 'labelled')} != '', length(text), language "
                 f"FROM chunks WHERE rowid IN ({','.join('?' * len(part))})")
            for r in self.db.execute(q, part):
                out[r[0]] = (r[1], r[2], bool(r[3]), r[4] if r[5] == "zh" else r[4] // 4 + 1)
        return out

    def all_vectors(self, dim: int) -> tuple[np.ndarray, np.ndarray]:
        """(rowids int64, vectors float32 [n, dim]) for every chunk that has one, in rowid order."""
        rows = self.db.execute(
            "SELECT c.rowid, v.vec FROM chunks c JOIN vectors v ON v.text_hash=c.text_hash ORDER BY c.rowid"
        ).fetchall()
        ids = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
        vecs = np.frombuffer(b"".join(r[1] for r in rows), dtype=np.float32).reshape(len(rows), dim) if rows else np.zeros((0, dim), np.float32)
        return ids, vecs

    def all_ml_vectors(self, dim: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """The multilingual channel: (rowids, passage vectors) and (rowids, sentence vectors), a chunk's
        rowid repeated once per sentence (see multilingual.chunk_matrix)."""
        rows = self.db.execute(
            "SELECT c.rowid, v.vec FROM chunks c JOIN ml_vectors v ON v.text_hash=c.text_hash ORDER BY c.rowid").fetchall()
        mats = [np.frombuffer(r[1], dtype=np.float32).reshape(-1, dim) for r in rows]
        ids = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
        passages = np.vstack([m[:1] for m in mats]) if mats else np.zeros((0, dim), np.float32)
        sids = np.fromiter((r[0] for r, m in zip(rows, mats) for _ in range(len(m) - 1)), dtype=np.int64)
        sents = np.vstack([m[1:] for m in mats]) if len(sids) else np.zeros((0, dim), np.float32)
        return ids, passages, sids, sents

    def clear_ml_vectors(self) -> None:
        """Drop every multilingual vector (the library is moving to another model or layout)."""
        with self._write() as cur:
            cur.execute("DELETE FROM ml_vectors")
            self._bump(cur)

    def chunks_without_ml(self) -> list[tuple[str, str, str]]:
        """(text_hash, text, language) of chunks that have no multilingual vectors, one per hash."""
        return self.db.execute(
            "SELECT c.text_hash, MIN(c.text), MIN(c.language) FROM chunks c LEFT JOIN ml_vectors v ON v.text_hash=c.text_hash "
            "WHERE v.text_hash IS NULL GROUP BY c.text_hash").fetchall()

    def add_ml_vectors(self, vectors: dict[str, np.ndarray]) -> None:
        with self._write() as cur:
            cur.executemany("INSERT OR REPLACE INTO ml_vectors(text_hash, vec) VALUES (?, ?)",
                            [(h, np.asarray(v, dtype=np.float32).tobytes()) for h, v in vectors.items()])
            self._bump(cur)

    def all_texts(self) -> list[str]:
        """The text of every chunk (for checks that quotes are verbatim)."""
        return [r[0] for r in self.db.execute("SELECT text FROM chunks ORDER BY rowid")]

    def chunks_in_order(self, batch: int = 500):
        """Every chunk, in rowid order, as (rowid, Chunk), read `batch` rows at a time."""
        ids = [r[0] for r in self.db.execute("SELECT rowid FROM chunks ORDER BY rowid")]
        for i in range(0, len(ids), batch):
            rows = self.chunk_rows(ids[i : i + batch])
            yield from ((r, rows[r]) for r in ids[i : i + batch] if r in rows)

    def set_tokens(self, tokens: dict[int, str]) -> None:
        """Replace the lexical tokens of the chunks at these rowids (a library moving to another
        tokenizer); a new store generation, so the caches are written again."""
        with self._write() as cur:
            cur.executemany("UPDATE chunks SET tokens=? WHERE rowid=?", [(t, r) for r, t in tokens.items()])
            self._bump(cur)

    def tokens(self) -> tuple[np.ndarray, list[str]]:
        """(rowids, space-joined lexical tokens) for the BM25 index, tokenized once at indexing time."""
        rows = self.db.execute("SELECT rowid, tokens FROM chunks ORDER BY rowid").fetchall()
        ids = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
        return ids, [r[1] for r in rows]

    def rowid_filter(self, docs: list[str] | None = None, collections: list[str] | None = None, languages: list[str] | None = None) -> np.ndarray | None:
        """Rowids allowed by the filters, or None when there is no filter."""
        where, args = [], []
        if docs:
            where.append("(" + " OR ".join(["d.name=? OR d.path=? OR d.name LIKE ?"] * len(docs)) + ")")
            for d in docs:
                args += [d, d, f"%/{d}"]
        if collections:
            where.append(f"d.collection IN ({','.join('?' * len(collections))})")
            args += collections
        if languages:
            where.append(f"c.language IN ({','.join('?' * len(languages))})")
            args += languages
        if not where:
            return None
        q = f"SELECT c.rowid FROM chunks c JOIN documents d ON d.id=c.doc_id WHERE {' AND '.join(where)}"
        return np.array([r[0] for r in self.db.execute(q, args)], dtype=np.int64)

    def sections(self) -> list[tuple]:
        """(doc_id, name, title, heading path, language) of each distinct section, in library order."""
        rows = self.db.execute(
            "SELECT d.id, d.name, d.title, c.section, c.language, MIN(c.rowid) AS first FROM chunks c JOIN documents d "
            "ON d.id = c.doc_id GROUP BY d.id, c.section ORDER BY d.id, first").fetchall()
        return [(r[0], r[1], r[2], json.loads(r[3]), r[4]) for r in rows]

    def figures(self, doc_id: int) -> list[FigureRow]:
        """The document's figures in document order (see read_figures)."""
        return read_figures(self.db, doc_id)

    def count_chunks(self) -> int:
        return self.db.execute("SELECT COUNT(*) FROM chunks").fetchone()[0]
