"""The generation stage: `get_llm(settings)` gives the language model named in settings (env
ASSISTANT_LLM, CLI --llm), or None for extractive answers only. The backends live in `assistant.llm`.

>>> get_llm(Settings(llm="none")) is None
True
"""
from __future__ import annotations

from .llm import LLM, LLMError, Message, backend_kind, get_llm
from .settings import Settings

__all__ = ["LLM", "LLMError", "Message", "Settings", "backend_kind", "get_llm"]
