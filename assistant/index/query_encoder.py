"""Questions encoded by CTranslate2: the search path's copy of MiniLM and e5 (int8, CPU).

A search encodes the question with MiniLM and, in a library with Chinese passages, with e5, each on
its own thread (retrieve.query_encoders). With torch the two threads take turns: the models' Python
layer runs between every kernel and holds the GIL, so on 2 cores the pair cost more than the two in
turn (19.8 ms against 6.1 + 11.4 ms for one question). CTranslate2 runs the whole forward pass in C++
without the GIL: the pair costs about the slower one (7.8 ms, e5 7.5 ms, MiniLM 2.8 ms; see
bench/retrieval_bench.py, "embed" stages). Its int8 kernels are also closer to the fp32 model than
torch's dynamic int8 (cosine to fp32 0.997 against 0.98 on questions), so a question's vector moves
towards the model's own, not away from the passages' (which torch encodes at indexing time).

The copy is converted once per machine into the cache directory (2-4 s, the same lock-and-rename rules
as every bundled model) on the first search, never at indexing. Where CTranslate2 cannot take the
model (not installed: it comes with the [llm] extra; a model it cannot convert; pooling other than the
mean; not a local directory), torch encodes the question as before; `Settings.query_engine` = "torch"
chooses torch always, "ct2" makes that a clear error instead.

    enc = query_encoder(Path(minilm_dir), tokenizer, 256, cache_dir, "auto", "all-MiniLM-L6-v2", "bert")
    enc.encode(["What torque for the filter housing cover?"]).shape   # -> (1, 384), L2-normalised
"""
from __future__ import annotations

import copy
import hashlib
import importlib.util
import re
import threading
from pathlib import Path

import numpy as np

from ..errors import ModelNotAvailable
from ..status import status
from .model_cache import ct2_copy

FORMAT = 1  # bump when the converted copy's layout changes, so old copies are rebuilt
ARCHITECTURES = ("bert", "xlm-roberta", "distilbert")  # the encoders CTranslate2 converts


class CT2Encoder:
    """Mean-pooled, L2-normalised vectors of texts from a CTranslate2 encoder, one core per call."""

    def __init__(self, ct2_dir: Path, tokenizer, max_tokens: int, prefix: str = "", lock: threading.Lock | None = None):
        import ctranslate2

        self.encoder = ctranslate2.Encoder(str(ct2_dir), device="cpu", compute_type="int8", intra_threads=1)
        # a fast tokenizer's truncation settings are state that two threads must not change at once: the
        # torch model's tokenizer is shared under its owner's `lock`, else this encoder has its own copy
        self.tokenizer = tokenizer if lock is not None else copy.deepcopy(tokenizer)
        self.max_tokens = max_tokens
        self.prefix = prefix
        self._lock = lock or threading.Lock()  # tokenizing only: CTranslate2 runs concurrent calls itself

    def encode(self, texts: list[str]) -> np.ndarray:
        with self._lock:
            ids = self.tokenizer([self.prefix + t for t in texts], truncation=True, max_length=self.max_tokens)["input_ids"]
        hidden = np.asarray(self.encoder.forward_batch(ids).last_hidden_state, dtype=np.float32)  # [n, longest, dim]
        lengths = np.array([len(x) for x in ids])
        mask = np.arange(hidden.shape[1])[None, :] < lengths[:, None]
        v = (hidden * mask[..., None]).sum(1) / lengths[:, None]
        v /= np.maximum(np.linalg.norm(v, axis=1, keepdims=True), 1e-12)
        return np.ascontiguousarray(v, dtype=np.float32)


def query_encoder(source: Path | str, tokenizer, max_tokens: int, cache_dir: Path, engine: str, name: str,
                  model_type: str, prefix: str = "", lock: threading.Lock | None = None) -> CT2Encoder | None:
    """The CTranslate2 encoder of the torch model loaded from `source`, or None where torch should encode
    questions (see the module doc): `engine` "torch" always, "auto" where CTranslate2 cannot take it,
    "ct2" never (ModelNotAvailable says why). `name` is the model's ("sentence-transformers/all-MiniLM-L6-v2"); `lock` is the one
    its owner holds while it uses `tokenizer` (else the encoder copies the tokenizer)."""
    if engine == "torch":
        return None
    what = f"the question encoder ({name})"
    why = _unsupported(source, model_type)
    if why:
        if engine == "ct2":
            raise ModelNotAvailable(f"cannot encode questions to {name} with CTranslate2: {why} (ASSISTANT_QUERY_ENGINE=torch uses torch)")
        return None
    src = Path(source).resolve()
    # named by the model ("all-MiniLM-L6-v2", not the "model" folder a package keeps it in) and its path
    slug = re.sub(r"[^\w.-]+", "-", name.rstrip("/").rsplit("/", 1)[-1]) or src.name
    dest = Path(cache_dir) / "ct2-query-encoders" / f"{slug}-{hashlib.sha1(str(src).encode()).hexdigest()[:10]}"
    try:
        ct2_copy(src, dest, "int8", what, "a few seconds", FORMAT)
        return CT2Encoder(dest, tokenizer, max_tokens, prefix, lock)
    except (ModelNotAvailable, RuntimeError, ValueError) as exc:
        if engine == "ct2":
            raise ModelNotAvailable(f"cannot encode questions to {name} with CTranslate2: {exc}") from exc
        status("questions to %s are encoded by torch: %s", name, exc)
        return None


def _unsupported(source: Path | str, model_type: str) -> str:
    """Why CTranslate2 cannot encode for this model ('' where it can)."""
    if importlib.util.find_spec("ctranslate2") is None:
        return "ctranslate2 is not installed (pip install 'maintenance-assistant[llm]')"
    if model_type not in ARCHITECTURES:
        return f"a {model_type!r} model (CTranslate2 converts {', '.join(ARCHITECTURES)})"
    if not Path(source).is_dir():
        return f"{source} is not a local model directory"
    return ""
