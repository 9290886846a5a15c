"""LangChain's own standard test suite for retrievers (langchain-tests, `RetrieversIntegrationTests`: the
constructor's k, `invoke(query, k=...)`, sync and async invoke) run against the library retriever over
the sample library, and the answer chain answering a follow-up from its chat history."""
from __future__ import annotations

import pytest

pytest.importorskip("langchain_core")
pytest.importorskip("pytest_asyncio", reason="pip install langchain-tests (it brings pytest-asyncio)")
standard = pytest.importorskip("langchain_tests.integration_tests", reason="pip install langchain-tests")

from langchain_core.messages import AIMessage, HumanMessage  # noqa: E402

from assistant.integrations.langchain import LibraryRetriever, answer_chain  # noqa: E402

# The suite's one async test needs pytest-asyncio's mark (its own projects run in asyncio "auto" mode); the
# suite forbids overriding a test to mark it, so the mark is module-wide and its note on sync tests is silenced.
pytestmark = [pytest.mark.asyncio,
              pytest.mark.filterwarnings("ignore:The test <Function .*is marked with '@pytest.mark.asyncio'")]


@pytest.fixture(scope="module")
def shared(sample_index, settings, embedder):
    """One library retriever's Assistant, shared by every retriever the suite constructs."""
    return LibraryRetriever.from_index(sample_index, settings, embedder=embedder).assistant


class TestLibraryRetrieverStandard(standard.RetrieversIntegrationTests):
    _assistant = None

    @pytest.fixture(autouse=True)
    def _library(self, shared):
        type(self)._assistant = shared

    @property
    def retriever_constructor(self):
        return LibraryRetriever

    @property
    def retriever_constructor_params(self) -> dict:
        return {"assistant": self._assistant}

    @property
    def retriever_query_example(self) -> str:
        return "filter housing cover torque"


def test_invoke_k_overrides_the_retriever_k_for_one_call(shared):
    r = LibraryRetriever(assistant=shared, k=5)
    one = r.invoke("filter housing cover torque", k=1)
    five = r.invoke("filter housing cover torque")
    assert len(one) == 1 and len(five) == 5 and one[0].id == five[0].id
    with pytest.raises(ValueError, match="k must be at least 1"):
        r.invoke("filter housing cover torque", k=0)


def test_answer_chain_answers_a_follow_up_from_its_chat_history(shared):
    chain = answer_chain(LibraryRetriever(assistant=shared))
    first = chain.invoke("How much oil goes into the CV-7 gearbox?")
    alone = chain.invoke("And the drain plug torque?")
    follow = chain.invoke({"question": "And the drain plug torque?",
                           "chat_history": [HumanMessage("How much oil goes into the CV-7 gearbox?"), AIMessage(first["answer"])]})
    assert first["citations"][0]["doc"] == "conveyor_gearbox_oil_change.docx"
    assert "40 N·m" in alone["answer"]  # searched alone, it finds the HP-3's reservoir drain plug
    assert follow["standalone_question"] == "What is the drain plug torque of the CV-7 gearbox?"
    assert "45 N·m" in follow["answer"] and not follow["refused"]  # the gearbox's, as the conversation meant
    tuples = chain.invoke({"question": "And the drain plug torque?",
                           "chat_history": [("human", "How much oil goes into the CV-7 gearbox?"), ("ai", first["answer"])]})
    assert tuples["answer"] == follow["answer"]
    streamed = list(chain.stream({"question": "And the drain plug torque?", "chat_history": [("human", "How much oil goes into the CV-7 gearbox?")]}))
    assert streamed[-1]["answer"]["standalone_question"] == follow["standalone_question"]
