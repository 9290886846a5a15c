"""The one registry of loaded models and other process-wide objects, and its process-wide instance
`REGISTRY`. What lives there, each under a tuple key that starts with its kind:

- ("embedder", name, device, batch_size, quantize): the MiniLM (or other sentence-transformers)
  embedder, index/embed.py `get_embedder`;
- ("e5", name, device, quantize): the multilingual channel, index/multilingual.py `get_channel`;
- ("whisper", model, cache_dir, compute_type, threads): voice/asr.py `get_model`;
- ("asr-zh", path, compute_type, threads): a user's own Chinese recogniser directory, voice/asr.py;
- ("tts", ...): the Piper voice, the espeak-ng voice names and the Kokoro Chinese voice
  (("tts", "kokoro", voice, cache_dir, threads), ("tts", "kokoro-installed")), voice/tts.py and voice/kokoro.py;
- ("ocr", "rapidocr"): the OCR engine of scanned pages, ingest/ocr.py;
- ("query-encoders",): the two threads that encode a question with MiniLM and e5 at once, retrieve.py `query_encoders`;
- ("voice", ...): the default VoiceSettings, the default SessionStore and the timed retriever views
  (with their card drafters), voice/pipeline.py.

Why one registry: a model is hundreds of MB and seconds to load, so every Assistant in a process
(and every face: CLI, API, UI, LangChain) shares one copy per key; and what is held is visible
(`keys()`) and can be dropped (`clear()`) in one place instead of in module globals spread over the
stages. The public getters keep their names and signatures; each is a thin `REGISTRY.get(key, load)`.

A key is loaded once: callers asking for a key that is loading wait for that one load, different
keys load in parallel. A factory that raises stores nothing (the next caller tries again). A
factory must not ask for its own key (it would wait for itself).

>>> reg = ModelRegistry()
>>> reg.get(("answer",), lambda: 42)
42
>>> reg.get(("answer",), lambda: 0)   # already loaded: this factory is never called
42
>>> reg.keys()
[('answer',)]
>>> reg.clear()
>>> reg.keys()
[]
"""
from __future__ import annotations

import threading
from typing import Callable, Hashable, TypeVar

T = TypeVar("T")


class ModelRegistry:
    """Objects built once per key and shared by every caller in the process; thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()  # guards the two dicts, never held while a factory runs
        self._items: dict[Hashable, object] = {}
        self._loading: dict[Hashable, threading.Lock] = {}  # one lock per key: a load runs under it

    def get(self, key: Hashable, factory: Callable[[], T]) -> T:
        """The object under `key`, built by `factory()` on the first call for that key."""
        with self._lock:
            if key in self._items:
                return self._items[key]  # type: ignore[return-value]
            key_lock = self._loading.setdefault(key, threading.Lock())
        with key_lock:
            with self._lock:  # loaded by the caller we waited for
                if key in self._items:
                    return self._items[key]  # type: ignore[return-value]
            value = factory()
            with self._lock:
                self._items[key] = value
            return value

    def keys(self) -> list[Hashable]:
        """The keys of what is loaded, in loading order."""
        with self._lock:
            return list(self._items)

    def clear(self) -> None:
        """Drop everything (the objects go when their last user lets go); a load in flight still lands."""
        with self._lock:
            self._items.clear()
            self._loading.clear()


REGISTRY = ModelRegistry()
"""The process-wide registry: models are large, so every Assistant in a process shares these."""

__all__ = ["REGISTRY", "ModelRegistry"]
