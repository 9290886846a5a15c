"""The fast local engine: a causal LM converted once to CTranslate2 int8 and run by its C++ kernels
(the same library faster-whisper runs on). On 2 CPU cores it reads a prompt about 8x faster than
transformers on the bf16 dense copy (bench/answer_bench.py --engines); CTranslate2 picks its kernels
from the CPU's features at run time (AVX2, AVX-512; CT2_FORCE_CPU_ISA forces one).

The conversion (~20 s for the 0.5B model) runs once into the cache directory beside the source
model, under the same lock-and-rename rules as every bundled model (index/model_cache.py); a copy
whose source changed is rebuilt. Decoding is greedy with the transformers backend's repetition
penalty, so both engines write the same kind of answer.

The head of a prompt, everything before the text of its first user message (the template's system
message and the user turn's opening tokens: 97 of the answer prompt's 600-1300 tokens), is the same
for every question asked with one template, so the model reads it once: CTranslate2 keeps its state
after the head (`static_prompt`) and starts each later prompt with that head from there (about 9%
less time to the first token). The split is made in the token ids of the whole prompt, so the model
reads exactly the tokens it reads unsplit: the greedy output is the same, bit for bit on AVX-512;
the AVX2 int8 kernels round differently by how many tokens they read at once, so there log-probs
move by up to ~0.2 and a near tie may go the other way (tests/test_generate.py).

    llm = CT2LLM.from_dense(bundled_model_dir(cache), cache / "qwen2.5-coder-0.5b-instruct" / "ct2-int8")  # needs the [llm] extra
    llm.chat([{"role": "user", "content": "Say hi"}], max_tokens=8)
    # -> 'Hi!'
"""
from __future__ import annotations

import importlib
import os
import threading
from pathlib import Path
from typing import Iterator

from ..errors import LLMError, MissingDependency, ModelNotAvailable
from ..index.model_cache import ct2_copy
from . import Message

FORMAT = 1  # bump when the converted copy's layout changes, so old copies are rebuilt
REPETITION_PENALTY = 1.05  # as the transformers backend (hf.py)
HEADS = 16  # prompt heads cached at most: CTranslate2 keeps each one's state as long as the model is loaded
MIN_HEAD = 8  # tokens: a shorter head is not worth a cache entry


def available() -> bool:
    """Whether CTranslate2 is installed (it comes with the [llm] and [voice] extras)."""
    try:
        importlib.import_module("ctranslate2")
        return True
    except ImportError:
        return False


def converted_dir(model_dir: Path, dest: Path, quantization: str = "int8") -> Path:
    """`dest`, the CTranslate2 copy of the transformers model in `model_dir`, converting it on first use."""
    return ct2_copy(model_dir, dest, quantization, "the language model", "about 20-60 s on 2 cores", FORMAT)


class CT2LLM:
    """A chat model on CTranslate2: `model_dir` holds the converted weights, `tokenizer_dir` the
    transformers tokenizer with its chat template."""

    def __init__(self, model_dir: Path, tokenizer_dir: Path, device: str = "cpu", name: str | None = None,
                 threads: int | None = None, cache_heads: bool = True):
        try:
            import ctranslate2
            from transformers import AutoTokenizer
        except ImportError as exc:
            raise MissingDependency(getattr(exc, "name", None) or "ctranslate2", "llm") from exc
        if device == "auto":
            device = "cuda" if ctranslate2.get_cuda_device_count() > 0 else "cpu"
        if device == "cuda" and ctranslate2.get_cuda_device_count() == 0:
            raise ModelNotAvailable("device 'cuda' was asked for but no CUDA GPU is available; use --device cpu")
        self.device = device
        self.compute_type = "int8_float16" if device == "cuda" else "int8"
        self.name = name or f"ct2:{model_dir}"
        self.tokenizer = AutoTokenizer.from_pretrained(str(tokenizer_dir))
        if not getattr(self.tokenizer, "chat_template", None):
            raise ModelNotAvailable(f"'{tokenizer_dir}' has no chat template; use an instruction-tuned (chat) model")
        self.generator = ctranslate2.Generator(str(model_dir), device=device, compute_type=self.compute_type,
                                               intra_threads=(threads or os.cpu_count() or 1) if device == "cpu" else 0)
        self._lock = threading.Lock()  # one generation at a time: two would share the same cores
        eos = [self.tokenizer.eos_token_id, self.tokenizer.convert_tokens_to_ids("<|im_end|>")]
        self._end = sorted({t for t in eos if isinstance(t, int) and t >= 0})
        self.cache_heads = cache_heads  # False: every prompt is read whole (the reference the cache is tested against)
        self._heads: set[tuple[int, ...]] = set()  # the heads CTranslate2 holds a state for

    @classmethod
    def from_dense(cls, dense_dir: Path, dest: Path, device: str = "cpu", name: str | None = None) -> "CT2LLM":
        """The transformers model in `dense_dir`, converted once to `dest`."""
        return cls(converted_dir(Path(dense_dir), Path(dest)), Path(dense_dir), device, name)

    def _prompt(self, messages: list[Message]) -> tuple[list[str], list[str]]:
        """The prompt's tokens as (head, rest): the head is cached (see the module doc) and empty where
        there is none to cache; head + rest are the tokens of the whole prompt."""
        text = self.tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
        ids = self.tokenizer(text, add_special_tokens=False)["input_ids"]
        n = self._head_length(messages, text, ids) if self.cache_heads else 0
        tokens = self.tokenizer.convert_ids_to_tokens(ids)
        return tokens[:n], tokens[n:]

    def _head_length(self, messages: list[Message], text: str, ids: list[int]) -> int:
        """How many of the prompt's first tokens are its head: the text before the first user message's
        content, where its tokens are exactly the prompt's first tokens (else 0: nothing cached). Once
        HEADS heads are cached, a new one is not (a client's own system prompts must not fill memory)."""
        first = next((m for m in messages if m.get("role") == "user" and m.get("content")), None)
        at = text.find(first["content"]) if first else -1
        if at <= 0:
            return 0
        head = self.tokenizer(text[:at], add_special_tokens=False)["input_ids"]
        n = len(head)
        if n < MIN_HEAD or n >= len(ids) or ids[:n] != head:
            return 0
        key = tuple(head)
        if key not in self._heads:
            if len(self._heads) >= HEADS:
                return 0
            self._heads.add(key)
        return n

    def _options(self, max_tokens: int, head: list[str]) -> dict:
        out = {"max_length": max_tokens, "sampling_topk": 1, "repetition_penalty": REPETITION_PENALTY,
               "end_token": self._end}
        return out | ({"static_prompt": head, "cache_static_prompt": True} if head else {})

    def chat(self, messages: list[Message], max_tokens: int = 256) -> str:
        head, tokens = self._prompt(messages)
        try:
            with self._lock:
                result = self.generator.generate_batch([tokens], include_prompt_in_result=False,
                                                       **self._options(max_tokens, head))[0]
        except RuntimeError as exc:
            raise LLMError(f"{self.name} failed to generate: {exc}") from exc
        return self.tokenizer.decode(result.sequences_ids[0], skip_special_tokens=True).strip()

    def stream(self, messages: list[Message], max_tokens: int = 256) -> Iterator[str]:
        """Text pieces as tokens come; each piece is the new text since the last one, decoded from all
        the ids so far (a character split over two tokens comes out whole)."""
        head, tokens = self._prompt(messages)
        ids: list[int] = []
        shown = ""
        try:
            with self._lock:
                for step in self.generator.generate_tokens(tokens, **self._options(max_tokens, head)):
                    if step.token_id in self._end:
                        break
                    ids.append(step.token_id)
                    text = self.tokenizer.decode(ids, skip_special_tokens=True)
                    if text.endswith("\ufffd"):  # half of a multi-byte character: wait for the rest
                        continue
                    if len(text) > len(shown):
                        yield text[len(shown):]
                        shown = text
        except RuntimeError as exc:
            raise LLMError(f"{self.name} failed to generate: {exc}") from exc
