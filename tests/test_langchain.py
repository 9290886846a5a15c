"""LangChain: the library as a BaseRetriever, and the verified answer pipeline as a Runnable, with
langchain-core's own fake chat model standing in for a provider."""
from __future__ import annotations

import pytest

pytest.importorskip("langchain_core")

from langchain_core.documents import Document  # noqa: E402
from langchain_core.language_models.fake_chat_models import FakeListChatModel  # noqa: E402
from langchain_core.retrievers import BaseRetriever  # noqa: E402
from langchain_core.runnables import RunnableLambda  # noqa: E402

from assistant.integrations.langchain import LibraryRetriever, answer_chain  # noqa: E402
from assistant.retrieve import Filters  # noqa: E402

Q = "What torque for the filter housing cover on HP-3?"


@pytest.fixture(scope="module")
def lc_retriever(sample_index, settings, embedder):
    return LibraryRetriever.from_index(sample_index, settings, k=4, embedder=embedder)


def test_retriever_returns_documents_with_provenance(lc_retriever):
    assert isinstance(lc_retriever, BaseRetriever)
    docs = lc_retriever.invoke("filter housing cover torque")
    assert len(docs) == 4 and all(isinstance(d, Document) for d in docs)
    m = docs[0].metadata
    assert {"doc", "page", "chunk_id", "section", "score"} <= m.keys()
    assert isinstance(m["page"], int) and m["chunk_id"] == docs[0].id
    assert any("25 N·m" in d.page_content for d in docs)


def test_retriever_from_index_with_filters(sample_index, settings, embedder):
    r = LibraryRetriever.from_index(sample_index, settings, k=3, filters=Filters(docs=("hp3_filter_procedure_zh.pdf",)), embedder=embedder)
    docs = r.invoke("滤壳盖拧紧力矩")
    assert docs and all(d.metadata["doc"] == "hp3_filter_procedure_zh.pdf" for d in docs)


def test_chain_answers_extractively(lc_retriever):
    out = answer_chain(lc_retriever).invoke(Q)
    assert not out["refused"] and "25 N·m" in out["answer"] and out["citations"]
    assert answer_chain(lc_retriever).invoke({"question": "How do I knit a scarf for beginners?"})["refused"]


def test_chain_with_a_langchain_chat_model_is_verified(lc_retriever):
    model = FakeListChatModel(responses=["The filter housing cover torque is 25 N·m [1]. The cover must be tightened to 40 N·m [1]."])
    out = answer_chain(lc_retriever, llm=model).invoke(Q)
    assert out["mode"] == "llm" and "25 N·m" in out["answer"] and "40" not in out["answer"]
    assert any("40 N·m" in d["text"] for d in out["dropped"])


def test_chain_streams_and_composes(lc_retriever):
    model = FakeListChatModel(responses=["The filter housing cover torque is 25 N·m [1]."])
    chunks = list(answer_chain(lc_retriever, llm=model).stream(Q))
    assert chunks[0] == {"delta": "The filter housing cover torque is 25 N·m. "}
    assert chunks[-1]["answer"]["answer"] == "The filter housing cover torque is 25 N·m."
    pipeline = RunnableLambda(lambda x: x["q"]) | answer_chain(lc_retriever) | RunnableLambda(lambda a: a["answer"])
    assert "25 N·m" in pipeline.invoke({"q": Q})
    assert len(answer_chain(lc_retriever).batch([Q, Q])) == 2
