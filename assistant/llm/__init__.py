"""One interface over every way of generating text: the bundled local model, any transformers causal
LM, an OpenAI-compatible server, or none at all (extractive answers only).

    llm = get_llm(Settings(llm="openai", llm_url="http://127.0.0.1:8000/v1", llm_model="qwen2.5-7b"))
    llm.chat([{"role": "user", "content": "Say hi"}], max_tokens=8)     # -> "Hi!"
    "".join(llm.stream([{"role": "user", "content": "Say hi"}], 8))      # -> "Hi!"

Backends are built lazily: importing this package imports no model library.
"""
from __future__ import annotations

import hashlib
import logging
from pathlib import Path
from typing import Iterator, Protocol, runtime_checkable

from ..errors import LLMError, ModelNotAvailable
from ..settings import Settings

log = logging.getLogger("assistant.llm")

Message = dict  # {"role": "system" | "user" | "assistant", "content": str}


@runtime_checkable
class LLM(Protocol):
    name: str

    def chat(self, messages: list[Message], max_tokens: int = 256) -> str:
        """The whole reply to a chat, greedy (deterministic where the backend allows)."""
        ...

    def stream(self, messages: list[Message], max_tokens: int = 256) -> Iterator[str]:
        """The reply as it is generated, in text pieces whose concatenation equals chat()'s reply."""
        ...


def backend_kind(llm: str) -> str:
    """'none', 'local' (a bundled model: 'local' the 0.5B, 'local-1.5b' the 1.5B), 'openai', or 'transformers'
    (a model path or hub name)."""
    key = (llm or "").strip()
    if key.lower() in ("none", "off", "extractive", ""):
        return "none"
    from .bundled import spec_for

    if spec_for(key) is not None:
        return "local"
    if key.lower() in ("openai", "openai-compatible", "vllm", "ollama", "llama.cpp", "llamacpp"):
        return "openai"
    return "transformers"


def get_llm(settings: Settings) -> LLM | None:
    """The backend named by settings.llm, or None for extractive-only answers. A local model (the
    bundled one, or a model directory) runs on the engine settings.llm_engine names (see engine_for)."""
    kind = backend_kind(settings.llm)
    if kind == "none":
        return None
    if kind == "openai":
        from .openai_compat import OpenAICompatLLM

        return OpenAICompatLLM(settings.llm_url, settings.llm_model, settings.llm_api_key.get_secret_value(),
                               timeout_s=settings.llm_timeout_s)
    if kind == "local":
        from .bundled import bundled_model_dir, spec_for

        spec = spec_for(settings.llm)
        source, name = bundled_model_dir(settings.cache_dir, spec), f"local:{spec.name}"
    else:
        source, name = settings.llm, f"transformers:{settings.llm}"
    if engine_for(settings, source) == "ctranslate2":
        from .ct2 import CT2LLM

        cache = Path(settings.cache_dir).expanduser()
        # the bundled model's copy sits beside its dense copy; another model's under ct2/<hash of its path>
        dest = (cache / spec.name / "ct2-int8" if kind == "local"
                else cache / "ct2" / hashlib.sha256(str(Path(source).resolve()).encode()).hexdigest()[:16])
        try:
            return CT2LLM.from_dense(Path(source), dest, settings.device, name=name)
        except ModelNotAvailable as exc:
            if settings.llm_engine == "ctranslate2":
                raise
            log.warning("%s; running it with transformers instead", exc)
    from .hf import TransformersLLM

    return TransformersLLM(str(source), settings.device, name=name)


def engine_for(settings: Settings, source) -> str:
    """'ctranslate2' or 'transformers' for a local model at `source`: as settings.llm_engine says, and
    for 'auto' CTranslate2 on CPU when it is installed and the model is a local directory (a hub name
    loads through transformers; a GPU keeps transformers, whose compiled decode step is the measured path)."""
    if settings.llm_engine != "auto":
        return settings.llm_engine
    from .ct2 import available

    local_dir = Path(str(source)).is_dir()
    return "ctranslate2" if available() and settings.device == "cpu" and local_dir else "transformers"


__all__ = ["LLM", "LLMError", "Message", "backend_kind", "engine_for", "get_llm"]
