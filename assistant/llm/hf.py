"""Any transformers causal LM with a chat template, by local path or hub name (hub names resolve only
from the local cache: HF_HUB_OFFLINE is set by the CLI, and we never download at run time).
Decoding is greedy so that the same question gives the same answer."""
from __future__ import annotations

import importlib
import threading
from typing import Iterator

from ..errors import MissingDependency, ModelNotAvailable
from . import LLMError, Message


def _require(*mods: str) -> None:
    for mod in mods:
        try:
            importlib.import_module(mod)
        except ImportError as exc:
            raise MissingDependency(mod, "llm") from exc


def _device(device: str) -> str:
    import torch

    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if device == "cuda" and not torch.cuda.is_available():
        raise ModelNotAvailable("device 'cuda' was asked for but no CUDA GPU is available; use --device cpu")
    return device


class TransformersLLM:
    def __init__(self, model: str, device: str = "cpu", name: str | None = None):
        _require("torch", "transformers")
        import torch
        from transformers import AutoModelForCausalLM, AutoTokenizer

        self.name = name or f"transformers:{model}"
        self.device = _device(device)
        # bf16 halves memory and, on recent CPUs, is faster than fp32 for a small model
        dtype = torch.bfloat16 if self.device == "cpu" or torch.cuda.is_bf16_supported() else torch.float16
        try:
            self.tokenizer = AutoTokenizer.from_pretrained(model)
            self.model = AutoModelForCausalLM.from_pretrained(model, dtype=dtype).to(self.device)
        except (OSError, ValueError) as exc:
            raise ModelNotAvailable(f"cannot load language model '{model}' (a local path, or a hub name already in the "
                                    f"local cache; nothing is downloaded at run time): {exc}") from exc
        self.model.eval()
        if not getattr(self.tokenizer, "chat_template", None):
            raise ModelNotAvailable(f"'{model}' has no chat template; use an instruction-tuned (chat) model")

    def _inputs(self, messages: list[Message]):
        prompt = self.tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
        return self.tokenizer(prompt, return_tensors="pt", add_special_tokens=False).to(self.device)

    def _gen_kwargs(self, max_tokens: int) -> dict:
        pad = self.tokenizer.pad_token_id if self.tokenizer.pad_token_id is not None else self.tokenizer.eos_token_id
        kw = {"max_new_tokens": max_tokens, "do_sample": False, "temperature": None, "top_p": None, "top_k": None,
              "pad_token_id": pad, "repetition_penalty": 1.05}
        if self.device.startswith("cuda"):
            # a static KV cache lets generate() compile the decode step (torch.compile): plain generate()
            # is bound by Python overhead per token, not by the GPU (bench/gpu_bench.py)
            kw["cache_implementation"] = "static"
        return kw

    def chat(self, messages: list[Message], max_tokens: int = 256) -> str:
        import torch

        inputs = self._inputs(messages)
        try:
            with torch.inference_mode():
                out = self.model.generate(**inputs, **self._gen_kwargs(max_tokens))
        except RuntimeError as exc:  # out of memory, bad device state
            raise LLMError(f"{self.name} failed to generate: {exc}") from exc
        return self.tokenizer.decode(out[0, inputs["input_ids"].shape[1]:], skip_special_tokens=True).strip()

    def stream(self, messages: list[Message], max_tokens: int = 256) -> Iterator[str]:
        import torch
        from transformers import TextIteratorStreamer

        inputs = self._inputs(messages)
        streamer = TextIteratorStreamer(self.tokenizer, skip_prompt=True, skip_special_tokens=True)
        errors: list[BaseException] = []

        def run():
            try:
                with torch.inference_mode():
                    self.model.generate(**inputs, **self._gen_kwargs(max_tokens), streamer=streamer)
            except BaseException as exc:  # noqa: BLE001 - re-raised in the consumer's thread
                errors.append(exc)
                streamer.end()

        t = threading.Thread(target=run, daemon=True)
        t.start()
        for piece in streamer:
            if piece:
                yield piece
        t.join()
        if errors:
            raise LLMError(f"{self.name} failed to generate: {errors[0]}") from errors[0]
