"""Who is asking and which collections they may see. Each API key carries a set of collections (or
all of them); every read goes through a `ScopedRetriever` bound to that set, so a key never
retrieves, cites or lists a chunk of another collection, whatever filters its request sends.

>>> a = Access("key-6ab9f1eb8f7d", frozenset({"plant-a"}))
>>> a.allows("plant-a"), a.allows("plant-b")
(True, False)
>>> key_label("k1")
'key-6ab9f1eb8f7d'
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass

from .errors import Forbidden

ALL = "*"


def key_label(key: str) -> str:
    """What logs and the audit log call a key: a short hash, never the key itself."""
    return "key-" + hashlib.sha256(key.encode("utf-8", "replace")).hexdigest()[:12]


@dataclass(frozen=True)
class Access:
    label: str  # key_label(key), "anonymous" (no keys configured) or "ui"
    collections: frozenset[str] | None = None  # None: every collection

    @property
    def unrestricted(self) -> bool:
        return self.collections is None

    def allows(self, collection: str) -> bool:
        return self.collections is None or collection in self.collections

    def upload_collection(self, requested: str | None, default: str) -> str:
        """The collection an upload goes to: the one asked for, else the server's default, else (a key
        limited to collections without the default) its first collection by name. Forbidden for a
        collection the key may not write."""
        if requested:
            if not self.allows(requested):
                raise Forbidden(f"this API key may not write to collection '{requested}'",
                                detail={"collections": sorted(self.collections or ())})
            return requested
        if self.allows(default):
            return default
        return sorted(self.collections)[0]

    def to_json(self) -> dict:
        return {"key": self.label, "collections": ALL if self.collections is None else sorted(self.collections)}


EVERYONE = Access("anonymous")


class ScopedRetriever:
    """A retriever limited to some collections: the one place where a key's restriction meets search.
    The request's own filters narrow it further; they can never widen it. Everything else (library,
    embedder) is the wrapped retriever's."""

    def __init__(self, inner, collections: frozenset[str]):
        self.inner, self.collections = inner, frozenset(collections)

    def search(self, query: str, k: int = 10, filters=None, **options):
        """`options` (e.g. `boost`) go to the wrapped retriever as they are."""
        from .retrieve import Filters

        wanted = set(filters.collections) if filters is not None and filters.collections else None
        allowed = self.collections if wanted is None else self.collections & wanted
        if not allowed:
            return []
        docs, languages = (filters.docs, filters.languages) if filters is not None else ((), ())
        return self.inner.search(query, k, Filters(docs, tuple(sorted(allowed)), languages), **options)

    def __getattr__(self, name):
        return getattr(self.inner, name)


def parse_keys(spec: str) -> list[tuple[str, frozenset[str] | None]]:
    """ASSISTANT_API_KEYS: comma-separated `KEY` (every collection), `KEY:*` (the same) or
    `KEY:coll-a|coll-b`. Errors never quote the key.

    >>> [(k, sorted(c) if c else c) for k, c in parse_keys("k1, k2:plant-a|plant-b ,k3:*")]
    [('k1', None), ('k2', ['plant-a', 'plant-b']), ('k3', None)]
    """
    out = []
    for n, entry in enumerate(spec.split(","), 1):
        entry = entry.strip()
        if not entry:
            continue
        key, colon, rest = entry.partition(":")
        key = key.strip()
        if not key:
            raise ValueError(f"API key entry {n} has no key before ':'")
        if not colon:
            out.append((key, None))
            continue
        names = [c.strip() for c in rest.split("|") if c.strip()]
        if not names:
            raise ValueError(f"API key entry {n} has ':' but no collections (use KEY:* for all collections)")
        out.append((key, None if ALL in names else frozenset(names)))
    return out
