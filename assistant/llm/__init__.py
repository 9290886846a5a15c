"""One interface over every way of generating text: the bundled local model, any transformers causal
LM, an OpenAI-compatible server, or none at all (extractive answers only).

    llm = get_llm(Settings(llm="openai", llm_url="http://127.0.0.1:8000/v1", llm_model="qwen2.5-7b"))
    llm.chat([{"role": "user", "content": "Say hi"}], max_tokens=8)     # -> "Hi!"
    "".join(llm.stream([{"role": "user", "content": "Say hi"}], 8))      # -> "Hi!"

Backends are built lazily: importing this package imports no model library.
"""
from __future__ import annotations

from typing import Iterator, Protocol, runtime_checkable

from ..errors import LLMError
from ..settings import Settings

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
    """'none', 'local', 'openai', or 'transformers' (a model path or hub name)."""
    key = (llm or "").strip()
    if key.lower() in ("none", "off", "extractive", ""):
        return "none"
    if key.lower() in ("local", "bundled"):
        return "local"
    if key.lower() in ("openai", "openai-compatible", "vllm", "ollama", "llama.cpp", "llamacpp"):
        return "openai"
    return "transformers"


def get_llm(settings: Settings) -> LLM | None:
    """The backend named by settings.llm, or None for extractive-only answers."""
    kind = backend_kind(settings.llm)
    if kind == "none":
        return None
    if kind == "openai":
        from .openai_compat import OpenAICompatLLM

        return OpenAICompatLLM(settings.llm_url, settings.llm_model, settings.llm_api_key.get_secret_value(),
                               timeout_s=settings.llm_timeout_s)
    from .hf import TransformersLLM

    if kind == "local":
        from .bundled import bundled_model_dir

        return TransformersLLM(str(bundled_model_dir(settings.cache_dir)), settings.device, name="local:qwen2.5-coder-0.5b-instruct")
    return TransformersLLM(settings.llm, settings.device)


__all__ = ["LLM", "LLMError", "Message", "backend_kind", "get_llm"]
