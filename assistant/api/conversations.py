"""Server-side conversations for `/v1/ask` with a `conversation_id` (the client keeps nothing but the id).

>>> store = ConversationStore()
>>> cid, past = store.history("key-6ab9f1eb8f7d", "new")    # an unknown id: a new conversation
>>> past, cid != "new"
([], True)
"""
from __future__ import annotations

import secrets
import threading
import time
from collections import OrderedDict

from ..conversation import Turn


class ConversationStore:
    """Server-side conversations for `/v1/ask` with a `conversation_id`: in memory, per key, the last
    `max_turns` messages each, expiring after `ttl_s` idle, at most `max_conversations` (least recently
    used first out). Ids are random and unguessable; an unknown id starts a new conversation."""

    def __init__(self, ttl_s: float = 3600.0, max_conversations: int = 1000, max_turns: int = 12, clock=time.monotonic):
        self.ttl_s, self.max_conversations, self.max_turns, self.clock = ttl_s, max_conversations, max_turns, clock
        self._items: OrderedDict[tuple[str, str], tuple[float, list[Turn]]] = OrderedDict()
        self._lock = threading.Lock()

    def history(self, owner: str, conversation_id: str | None) -> tuple[str, list[Turn]]:
        """(the id to use, its turns so far): a new id when none is given or it is unknown or expired."""
        now = self.clock()
        with self._lock:
            self._evict(now)
            item = self._items.get((owner, conversation_id or ""))
            if item is None:
                return secrets.token_urlsafe(12), []
            return conversation_id, list(item[1])

    def add(self, owner: str, conversation_id: str, question: str, answer) -> None:
        """Keep a question and its Answer (with the documents it cites) at the end of the conversation."""
        docs = tuple(dict.fromkeys(c.doc for c in answer.citations))
        with self._lock:
            key = (owner, conversation_id)
            _, past = self._items.pop(key, (0.0, []))
            past = (past + [Turn("user", question), Turn("assistant", answer.answer, docs)])[-self.max_turns:]
            self._items[key] = (self.clock(), past)
            while len(self._items) > self.max_conversations:
                self._items.popitem(last=False)

    def _evict(self, now: float) -> None:
        while self._items:
            touched, _ = next(iter(self._items.values()))
            if now - touched <= self.ttl_s:
                break
            self._items.popitem(last=False)
