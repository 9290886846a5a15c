"""LangChain adapters (needs langchain-core: pip install 'maintenance-assistant[langchain]').

    from assistant.integrations.langchain import LibraryRetriever, answer_chain
    retriever = LibraryRetriever.from_index("indexes/plant", k=5)
    retriever.invoke("filter housing torque")[0].metadata    # {'doc': 'hp3_pump_manual.pdf', 'page': 3, ...}
    chain = answer_chain(retriever)                          # extractive; or llm=a LangChain chat model (or an assistant LLM)
    chain.invoke("What torque for the filter housing cover?")["answer"]

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
    c = hit.chunk
    return Document(page_content=c.text, id=c.id, metadata={
        "doc": c.doc, "page": c.page, "chunk_id": c.id, "section": " > ".join(c.section), "score": float(hit.score),
        "dense_score": hit.dense_score, "lexical_score": hit.lexical_score, "language": c.language})


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

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun) -> list[Document]:
        return [hit_to_document(h) for h in self.assistant.search(query, self.k, self.filters)]


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


class AnswerChain(Runnable):
    """Runnable: a question (str, or {"question": str}) -> the answer dict of `assistant ask --json`.
    `stream` yields {"delta": text} for each verified sentence, then {"answer": dict}."""

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

    def invoke(self, input, config: RunnableConfig | None = None, **kwargs) -> dict:
        return self.assistant.ask(self._question(input), self.k, self.filters, max_tokens=self.max_tokens,
                                  llm=self.llm).to_json()

    def stream(self, input, config: RunnableConfig | None = None, **kwargs) -> Iterator[dict]:
        from ..answer import Answer

        for piece in self.assistant.stream(self._question(input), self.k, self.filters, max_tokens=self.max_tokens,
                                           llm=self.llm):
            yield {"answer": piece.to_json()} if isinstance(piece, Answer) else {"delta": piece}


def answer_chain(retriever, llm=None, k: int = 6, filters=None, max_tokens: int = 256) -> AnswerChain:
    """The verified answer pipeline as a LangChain Runnable (see the module doc)."""
    return AnswerChain(retriever, llm, k, filters, max_tokens)
