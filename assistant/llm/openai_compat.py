"""Any server that speaks the OpenAI chat-completions protocol: vLLM, llama.cpp's llama-server,
Ollama (`/v1`), LM Studio, or the hosted API. Streaming uses server-sent events (`data: {...}` lines,
ending with `data: [DONE]`). The bearer key is sent in a header and never logged.

    OpenAICompatLLM("http://127.0.0.1:11434/v1", "qwen2.5:7b-instruct").chat([{"role": "user", "content": "hi"}])
"""
from __future__ import annotations

import json
from typing import Iterator

from ..errors import MissingDependency
from . import LLMError, Message


class OpenAICompatLLM:
    def __init__(self, base_url: str, model: str = "", api_key: str = "", timeout_s: float = 120.0):
        try:
            import httpx
        except ImportError as exc:
            raise MissingDependency("httpx", "llm") from exc
        self.url = base_url.rstrip("/") + "/chat/completions"
        self.model = model or "default"
        self.name = f"openai:{self.model}@{base_url}"
        headers = {"Content-Type": "application/json"}
        if api_key:
            headers["Authorization"] = f"Bearer {api_key}"
        self._client = httpx.Client(headers=headers, timeout=httpx.Timeout(timeout_s, connect=min(10.0, timeout_s)))

    def _body(self, messages: list[Message], max_tokens: int, stream: bool) -> dict:
        return {"model": self.model, "messages": messages, "max_tokens": max_tokens, "temperature": 0, "stream": stream}

    def chat(self, messages: list[Message], max_tokens: int = 256) -> str:
        import httpx

        try:
            r = self._client.post(self.url, json=self._body(messages, max_tokens, False))
        except httpx.HTTPError as exc:
            raise LLMError(f"cannot reach the language model server at {self.url}: {exc}") from exc
        _check(r)
        try:
            return (r.json()["choices"][0]["message"]["content"] or "").strip()
        except (ValueError, KeyError, IndexError, TypeError) as exc:
            raise LLMError(f"{self.url} sent a reply that is not a chat completion: {r.text[:200]!r}") from exc

    def stream(self, messages: list[Message], max_tokens: int = 256) -> Iterator[str]:
        import httpx

        try:
            with self._client.stream("POST", self.url, json=self._body(messages, max_tokens, True)) as r:
                if r.status_code >= 400:
                    r.read()
                    _check(r)
                for line in r.iter_lines():
                    piece = parse_sse_line(line)
                    if piece is None:
                        break
                    if piece:
                        yield piece
        except httpx.HTTPError as exc:
            raise LLMError(f"the language model server at {self.url} failed while streaming: {exc}") from exc

    def close(self) -> None:
        self._client.close()


def parse_sse_line(line: str) -> str | None:
    """The text delta in one server-sent-event line; '' for lines without text, None at [DONE].

    >>> parse_sse_line('data: {"choices": [{"delta": {"content": "Hi"}}]}')
    'Hi'
    """
    line = line.strip()
    if not line.startswith("data:"):
        return ""  # comments (": ping"), event names, blank separators
    data = line[5:].strip()
    if data == "[DONE]":
        return None
    try:
        obj = json.loads(data)
    except ValueError as exc:
        raise LLMError(f"the language model server sent a malformed event: {data[:200]!r}") from exc
    if "error" in obj:
        raise LLMError(f"the language model server reported: {obj['error']}")
    choices = obj.get("choices") or [{}]
    return (choices[0].get("delta") or {}).get("content") or ""


def _check(r) -> None:
    if r.status_code >= 400:
        detail = r.text[:300] if r.text else r.reason_phrase
        hint = " (check ASSISTANT_LLM_API_KEY)" if r.status_code in (401, 403) else ""
        raise LLMError(f"the language model server answered HTTP {r.status_code}{hint}: {detail}")
