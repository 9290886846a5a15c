"""Server-side voice sessions: the active step card, the step a technician is on, and the conversation
so far (a spoken follow-up, "and the torque for that one?", is answered in it: see conversation.py; an
active card counts as its latest subject). In memory, thread-safe, expiring after `ttl_s` idle, and
bounded (the least recently used goes first).

>>> store = SessionStore(ttl_s=1800, max_sessions=100)
>>> s = store.get(None)            # no id: a new session with a fresh, unguessable id
>>> store.get(s.id) is s
True
>>> store.get("no-such-id").id != "no-such-id"   # unknown or expired ids are never adopted
True
"""
from __future__ import annotations

import secrets
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field

MAX_TURNS = 12  # the messages a session remembers for follow-ups


@dataclass
class Session:
    id: str
    card: object | None = None  # the active StepCard
    step: int = 0  # 0-based index into card.steps
    language: str = "en"
    expired: bool = False  # the client sent an id we no longer (or never) had
    touched: float = field(default_factory=time.monotonic)
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)  # one request at a time per session
    turns: list = field(default_factory=list, repr=False)  # conversation.Turn, oldest first, at most MAX_TURNS
    _card_noted: object | None = field(default=None, repr=False)

    def follow_up(self, question: str):
        """The question in this session's conversation (a conversation.FollowUp)."""
        from ..conversation import follow_up

        self._note_card()
        return follow_up(question, self.turns)

    def remember(self, question: str, answer) -> None:
        """Keep a question and its Answer for the next follow-up (the answer's cited documents with it)."""
        from ..conversation import Turn

        docs = tuple(dict.fromkeys(c.doc for c in answer.citations))
        self.turns = (self.turns + [Turn("user", question), Turn("assistant", answer.answer, docs)])[-MAX_TURNS:]

    def _note_card(self) -> None:
        """A card started since the last question becomes the conversation's latest subject: its task, and
        the step the technician is on, citing the card's documents."""
        from ..conversation import Turn

        card = self.card
        if card is None or card is self._card_noted or not getattr(card, "steps", None):
            return
        self._card_noted = card
        docs = tuple(dict.fromkeys(c.doc for c in card.citations()))
        step = card.steps[min(self.step, len(card.steps) - 1)].instruction
        self.turns = (self.turns + [Turn("user", card.task or card.title), Turn("assistant", step, docs)])[-MAX_TURNS:]


class SessionStore:
    def __init__(self, ttl_s: float = 1800.0, max_sessions: int = 1000, clock=time.monotonic):
        self.ttl_s, self.max_sessions, self.clock = ttl_s, max_sessions, clock
        self._sessions: OrderedDict[str, Session] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, session_id: str | None) -> Session:
        """The live session with this id, or a new one (flagged `expired` when an id was given)."""
        now = self.clock()
        with self._lock:
            self._evict(now)
            s = self._sessions.get(session_id) if session_id else None
            if s is None:
                s = Session(secrets.token_urlsafe(16), expired=bool(session_id), touched=now)
                self._sessions[s.id] = s
                while len(self._sessions) > self.max_sessions:
                    self._sessions.popitem(last=False)
            else:
                s.touched = now
                s.expired = False
                self._sessions.move_to_end(s.id)
            return s

    def peek(self, session_id: str | None) -> Session | None:
        """The live session with this id, or None; creates, touches and reorders nothing (the
        recogniser asks whether a card is active before the request is known to be good)."""
        if not session_id:
            return None
        with self._lock:
            s = self._sessions.get(session_id)
            return s if s is not None and self.clock() - s.touched <= self.ttl_s else None

    def __len__(self) -> int:
        with self._lock:
            self._evict(self.clock())
            return len(self._sessions)

    def _evict(self, now: float) -> None:
        while self._sessions:
            oldest = next(iter(self._sessions.values()))
            if now - oldest.touched <= self.ttl_s:
                break
            self._sessions.popitem(last=False)
