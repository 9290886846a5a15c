"""LangChain adapters (needs langchain-core: pip install 'maintenance-assistant[langchain]').

    from assistant.integrations.langchain import LibraryRetriever, answer_chain
    retriever = LibraryRetriever.from_index("indexes/plant", k=5)
    retriever.invoke("filter housing torque")[0].metadata    # {'doc': 'hp3_pump_manual.pdf', 'page': 3, ...}
    retriever.invoke("filter housing torque", k=1)           # k for one call
    chain = answer_chain(retriever)                          # extractive; or llm=a LangChain chat model (or an assistant LLM)
    chain.invoke("What torque for the filter housing cover?")["answer"]
    chain.invoke({"question": "And its part number?", "chat_history": [("human", "What torque for the filter housing cover?"),
                                                                       ("ai", "Filter housing cover torque: 25 N·m")]})

The chain runs the same verified pipeline as `assistant ask`: a LangChain chat model passed as `llm`
is wrapped so that its sentences, numbers and citations are checked like any other backend's.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Iterator

from ..errors import MissingDependency

try:
    from langchain_core.callbacks import CallbackManagerForRetrieverRun
    from langchain_core.documents import Document
    from langchain_core.retrievers import BaseRetriever
    from langchain_core.runnables import Runnable, RunnableConfig
except ImportError as exc:  # pragma: no cover - exercised only without the extra
    raise MissingDependency("langchain-core", "langchain") from exc


def hit_to_document(hit) -> Document:
    """A hit as a LangChain Document: the unit the search returns around the matched chunk (its
    `unit_text`); metadata names the matched chunk and, where the unit has more, each chunk and page."""
    c = hit.chunk
    meta = {"doc": c.doc, "page": c.page, "chunk_id": c.id, "section": " > ".join(c.section), "score": float(hit.score),
            "dense_score": hit.dense_score, "lexical_score": hit.lexical_score, "language": c.language}
    if len(hit.unit) > 1:
        meta["unit"] = hit.unit_refs()
    return Document(page_content=hit.unit_text, id=c.id, metadata=meta)


class LibraryRetriever(BaseRetriever):
    """A LangChain retriever over a maintenance-assistant library (hybrid BM25 + dense search)."""

    assistant: Any  # assistant.app.Assistant
    k: int = 6
    filters: Any = None  # assistant.retrieve.Filters

    @classmethod
    def from_index(cls, index: str | Path, settings=None, k: int = 6, filters=None, embedder=None) -> "LibraryRetriever":
        from ..app import Assistant
        from ..settings import Settings

        settings = (settings or Settings()).model_copy(update={"index_dir": Path(index)})
        return cls(assistant=Assistant(settings, embedder=embedder), k=k, filters=filters)

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun, k: int | None = None,
                                filters=None) -> list[Document]:
        """The `k` best passages (`invoke(query, k=1)` overrides the retriever's own k for one call)."""
        n = self.k if k is None else int(k)
        if n < 1:
            raise ValueError(f"k must be at least 1, not {k}")
        return [hit_to_document(h) for h in self.assistant.search(query, n, filters if filters is not None else self.filters)]


class ChatModelLLM:
    """Any LangChain chat model as an assistant LLM backend (chat and stream over role dicts)."""

    def __init__(self, model):
        self.model = model
        self.name = f"langchain:{type(model).__name__}"

    @staticmethod
    def _convert(messages: list[dict]):
        from langchain_core.messages import AIMessage, HumanMessage, SystemMessage

        kinds = {"system": SystemMessage, "user": HumanMessage, "assistant": AIMessage}
        return [kinds[m["role"]](content=m["content"]) for m in messages]

    def chat(self, messages: list[dict], max_tokens: int = 256) -> str:
        from ..llm import LLMError

        try:
            return str(self.model.invoke(self._convert(messages)).content)
        except Exception as exc:  # noqa: BLE001 - any provider error becomes a fallback to extractive
            raise LLMError(f"{self.name} failed: {exc}") from exc

    def stream(self, messages: list[dict], max_tokens: int = 256) -> Iterator[str]:
        from ..llm import LLMError

        try:
            for chunk in self.model.stream(self._convert(messages)):
                if chunk.content:
                    yield str(chunk.content)
        except Exception as exc:  # noqa: BLE001
            raise LLMError(f"{self.name} failed: {exc}") from exc


def _as_llm(llm):
    if llm is None or (hasattr(llm, "chat") and hasattr(llm, "stream") and not hasattr(llm, "invoke")):
        return llm
    return ChatModelLLM(llm)  # a LangChain chat model


def chat_history(messages) -> list[dict]:
    """{role, content} dicts from LangChain messages, (role, text) tuples or role dicts ("human"/"user",
    "ai"/"assistant"); system and tool messages are left out."""
    roles = {"human": "user", "user": "user", "ai": "assistant", "assistant": "assistant"}
    out = []
    for m in messages or ():
        if isinstance(m, dict):
            role, content = m.get("role"), m.get("content")
        elif isinstance(m, (tuple, list)) and len(m) == 2:
            role, content = m
        else:
            role, content = getattr(m, "type", None), getattr(m, "content", None)
        if roles.get(role) and isinstance(content, str):
            out.append({"role": roles[role], "content": content} | ({"citations": m["citations"]} if isinstance(m, dict)
                                                                      and m.get("citations") else {}))
    return out


class AnswerChain(Runnable):
    """Runnable: a question (str, or {"question": str, "chat_history"?: messages}) -> the answer dict of
    `assistant ask --json`; with a history, a follow-up is answered as its standalone question
    (`standalone_question` in the dict when it differs). `stream` yields {"delta": text} for each
    verified sentence, then {"answer": dict}."""

    def __init__(self, retriever: LibraryRetriever, llm=None, k: int = 6, filters=None, max_tokens: int = 256):
        self.assistant = retriever.assistant
        self.filters = filters if filters is not None else retriever.filters
        self.llm = _as_llm(llm)
        self.k = k
        self.max_tokens = max_tokens

    @staticmethod
    def _question(value) -> str:
        q = value.get("question") if isinstance(value, dict) else value
        if not isinstance(q, str) or not q.strip():
            raise ValueError('AnswerChain expects a question string or {"question": str}')
        return q

    @staticmethod
    def _history(value) -> list[dict]:
        if not isinstance(value, dict):
            return []
        return chat_history(value.get("chat_history") or value.get("history") or ())

    def invoke(self, input, config: RunnableConfig | None = None, **kwargs) -> dict:
        return self.assistant.ask(self._question(input), self.k, self.filters, max_tokens=self.max_tokens,
                                  llm=self.llm, history=self._history(input)).to_json()

    def stream(self, input, config: RunnableConfig | None = None, **kwargs) -> Iterator[dict]:
        from ..answer import Answer

        for piece in self.assistant.stream(self._question(input), self.k, self.filters, max_tokens=self.max_tokens,
                                           llm=self.llm, history=self._history(input)):
            yield {"answer": piece.to_json()} if isinstance(piece, Answer) else {"delta": piece}


def answer_chain(retriever, llm=None, k: int = 6, filters=None, max_tokens: int = 256) -> AnswerChain:
    """The verified answer pipeline as a LangChain Runnable (see the module doc)."""
    return AnswerChain(retriever, llm, k, filters, max_tokens)
