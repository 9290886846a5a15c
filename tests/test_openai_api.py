"""The OpenAI-compatible endpoint against a real uvicorn server on loopback, driven by the official `openai`
client (plain and streamed), LangChain's `ChatOpenAI`, and raw HTTP where the protocol's details matter:
the same verified answer as /v1/ask with numbered sources, follow-ups from the messages, step cards,
errors in OpenAI's shape and status, API keys limited to collections. Also /v1/ask with a history or a
server-side conversation id. The protocol's pure helpers are tested without a server."""
from __future__ import annotations

import json
import shutil

import pytest

from assistant.api.openai_compat import content_of, error_body, is_openai_path, numbered, parse_model

QUESTION = "What torque for the filter housing cover on the HP-3?"
K7 = ("# Compressor K-7 service\n\n## Drive belt\n\nCheck the K-7 drive belt tension every 250 operating hours. "
      "Belt deflection at mid-span: 8 mm under 25 N.\n")
ALL, PLANT_B = "key-all-5Tg1", "key-b-9Qe4"


# -- without a server


def test_content_numbers_each_document_page_once_and_lists_the_sources():
    a = {"answer": "Torque: 25 N·m", "refused": False, "language": "en", "warnings": [{"text": "WARNING: hot", "display": "WARNING: hot"}],
         "citations": [{"doc": "a.pdf", "page": 57, "page_label": "3-12", "quote": "q1", "chunk_id": "c1"},
                       {"doc": "b.md", "page": 1, "quote": "q2", "chunk_id": "c2"},
                       {"doc": "a.pdf", "page": 57, "page_label": "3-12", "quote": "q3", "chunk_id": "c3"}]}
    text, tail = content_of(a)
    assert text == "Torque: 25 N·m"
    assert tail == " [1][2]\n\n⚠ WARNING: hot\n\nSources:\n[1] a.pdf, p. 3-12 (PDF page 57)\n[2] b.md, p. 1"
    assert [c["n"] for c in numbered(a["citations"])] == [1, 2, 1]
    refusal = {"answer": "The manuals in the library do not cover this question.", "refused": True, "citations": []}
    assert content_of(refusal) == (refusal["answer"], "")
    zh = content_of({"answer": "25 N·m", "refused": False, "language": "zh", "citations": [{"doc": "z.pdf", "page": 2, "quote": "x"}]})
    assert zh[1] == " [1]\n\n来源：\n[1] z.pdf, 第 2 页"


def test_model_names_and_error_shape():
    from assistant.api.errors import ApiError

    assert parse_model("assistant", set()) == ("assistant", None)
    assert parse_model("assistant/plant-a", {"plant-a"}) == ("assistant", "plant-a")
    for bad in ("gpt-4o", "assistant/plant-b", "assistant-cards/"):
        with pytest.raises(ApiError) as err:
            parse_model(bad, {"plant-a"})
        assert err.value.status == 404 and err.value.detail["code"] == "model_not_found"
    assert error_body(429, "slow down") == {"error": {"message": "slow down", "type": "rate_limit_error", "param": None,
                                                      "code": "rate_limit_exceeded"}}
    assert is_openai_path("/v1/chat/completions") and is_openai_path("/v1/models/assistant") and not is_openai_path("/v1/ask")


# -- a real server


@pytest.fixture(scope="module")
def url(sample_index, settings, embedder, tmp_path_factory):
    """A server over a copy of the sample library with one more collection, plant-b (the K-7 note), and two
    keys: one for every collection, one for plant-b only."""
    import io

    from assistant.api import assistant_for, create_app
    from assistant.api.background import BackgroundServer
    from assistant.api.settings import ServerSettings

    lib = tmp_path_factory.mktemp("openai") / "library"
    shutil.copytree(sample_index, lib)
    s = settings.model_copy(update={"index_dir": lib})
    server = ServerSettings(api_keys=f"{ALL},{PLANT_B}:plant-b", rate_limit_per_minute=0, audit_db=lib / "audit.sqlite")
    app = assistant_for(s, server, embedder=embedder, llm=None)
    app.add_document(io.BytesIO(K7.encode()), "k7_service.md", collection="plant-b")
    with BackgroundServer(create_app(s, server, assistant=app, ui=False)) as u:
        yield u


def _client(url, key=ALL):
    OpenAI = pytest.importorskip("openai", reason="pip install 'maintenance-assistant[test]'").OpenAI

    return OpenAI(base_url=url + "/v1", api_key=key, max_retries=0, timeout=120)


@pytest.mark.slow
def test_openai_client_gets_the_verified_answer_with_its_sources(url):
    import httpx

    r = _client(url).chat.completions.create(model="assistant", messages=[
        {"role": "system", "content": "You are a helpful assistant."}, {"role": "user", "content": QUESTION}],
        temperature=0.2, max_tokens=200)
    msg = r.choices[0].message.content
    ask = httpx.post(url + "/v1/ask", json={"question": QUESTION}, headers={"Authorization": f"Bearer {ALL}"}).json()
    assert r.object == "chat.completion" and r.id.startswith("chatcmpl-") and r.model == "assistant"
    assert r.choices[0].finish_reason == "stop" and r.choices[0].message.role == "assistant"
    assert msg.startswith(ask["answer"] + " [1]") and "25 N·m" in msg  # the same verified answer as /v1/ask
    c = ask["citations"][0]
    assert f"Sources:\n[1] {c['doc']}, p. {c['page']}" in msg
    extra = r.model_extra
    assert extra["citations"][0] | {"n": 1} == {"n": 1, **c} and extra["answer"]["answer"] == ask["answer"]
    assert r.usage.prompt_tokens > 0 and r.usage.completion_tokens > 0
    assert r.usage.total_tokens == r.usage.prompt_tokens + r.usage.completion_tokens


@pytest.mark.slow
def test_openai_client_streams_chunks_and_a_follow_up_uses_the_messages(url):
    first = _client(url).chat.completions.create(model="assistant", messages=[
        {"role": "user", "content": "How much oil goes into the CV-7 gearbox?"}]).choices[0].message.content
    messages = [{"role": "user", "content": "How much oil goes into the CV-7 gearbox?"}, {"role": "assistant", "content": first},
                {"role": "user", "content": "And the drain plug torque?"}]
    stream = _client(url).chat.completions.create(model="assistant", messages=messages, stream=True,
                                                  stream_options={"include_usage": True})
    chunks = list(stream)
    text = "".join(ch.choices[0].delta.content or "" for ch in chunks if ch.choices)
    assert chunks[0].choices[0].delta.role == "assistant"
    assert all(ch.object == "chat.completion.chunk" and ch.id == chunks[0].id for ch in chunks)
    last = [ch for ch in chunks if ch.choices][-1]
    assert last.choices[0].finish_reason == "stop"
    assert last.model_extra["answer"]["standalone_question"] == "What is the drain plug torque of the CV-7 gearbox?"
    assert "45 N·m" in text and "conveyor_gearbox_oil_change.docx" in text
    assert chunks[-1].choices == [] and chunks[-1].usage.completion_tokens > 0
    plain = _client(url).chat.completions.create(model="assistant", messages=messages).choices[0].message.content
    assert plain == text  # streamed or not, the same content


@pytest.mark.slow
def test_sse_wire_format_ends_with_done(url):
    import httpx

    body = {"model": "assistant", "stream": True, "messages": [{"role": "user", "content": QUESTION}]}
    with httpx.stream("POST", url + "/v1/chat/completions", json=body, headers={"Authorization": f"Bearer {ALL}"}, timeout=120) as r:
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/event-stream")
        lines = [line for line in r.iter_lines() if line]
    assert all(line.startswith("data: ") for line in lines) and lines[-1] == "data: [DONE]"
    assert json.loads(lines[0][6:])["choices"][0]["delta"] == {"role": "assistant", "content": ""}


@pytest.mark.slow
def test_cards_model_gives_a_step_card_as_text_and_data(url):
    r = _client(url).chat.completions.create(model="assistant-cards", messages=[
        {"role": "user", "content": "Replace the return-line filter element on the HP-3"}])
    card = r.model_extra["card"]
    assert card["steps"] and r.choices[0].message.content.startswith("# ")
    assert card["steps"][0]["instruction"].split()[0] in r.choices[0].message.content
    none = _client(url).chat.completions.create(model="assistant-cards", messages=[{"role": "user", "content": "Knit a scarf"}])
    assert none.model_extra["card"] is None and none.choices[0].message.content


@pytest.mark.slow
def test_errors_have_openai_shape_and_status(url):
    import httpx
    import openai

    with pytest.raises(openai.AuthenticationError) as err:
        _client(url, "wrong-key").chat.completions.create(model="assistant", messages=[{"role": "user", "content": QUESTION}])
    assert err.value.status_code == 401 and err.value.code == "invalid_api_key"
    with pytest.raises(openai.NotFoundError) as err:
        _client(url).chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": QUESTION}])
    assert err.value.code == "model_not_found" and err.value.param == "model"
    with pytest.raises(openai.BadRequestError) as err:
        _client(url).chat.completions.create(model="assistant", messages=[])
    assert err.value.param == "messages" and err.value.type == "invalid_request_error"
    with pytest.raises(openai.BadRequestError):
        _client(url).chat.completions.create(model="assistant", messages=[{"role": "assistant", "content": "hello"}])
    r = httpx.post(url + "/v1/chat/completions", content=b"{not json", headers={"Authorization": f"Bearer {ALL}",
                                                                                "content-type": "application/json"})
    assert r.status_code == 400 and set(r.json()["error"]) == {"message", "type", "param", "code"}
    # the rest of /v1 keeps its own error shape
    assert httpx.post(url + "/v1/ask", json={}, headers={"Authorization": f"Bearer {ALL}"}).json()["error"] == "invalid request"


@pytest.mark.slow
def test_a_key_limited_to_a_collection_sees_only_its_models_and_passages(url):
    import openai

    ids = [m.id for m in _client(url, PLANT_B).models.list()]
    assert ids == ["assistant", "assistant-cards", "assistant/plant-b", "assistant-cards/plant-b"]
    assert "assistant/default" in [m.id for m in _client(url).models.list()]
    refused = _client(url, PLANT_B).chat.completions.create(model="assistant", messages=[{"role": "user", "content": QUESTION}])
    assert refused.model_extra["answer"]["refused"] and "hp3" not in json.dumps(refused.model_extra)
    k7 = _client(url, PLANT_B).chat.completions.create(model="assistant/plant-b", messages=[
        {"role": "user", "content": "How often must the K-7 drive belt tension be checked?"}])
    assert "250" in k7.choices[0].message.content and "k7_service.md" in k7.choices[0].message.content
    with pytest.raises(openai.NotFoundError):
        _client(url, PLANT_B).chat.completions.create(model="assistant/default", messages=[{"role": "user", "content": QUESTION}])
    only_b = _client(url).chat.completions.create(model="assistant/plant-b", messages=[{"role": "user", "content": QUESTION}])
    assert only_b.model_extra["answer"]["refused"]  # the model name narrows a key for every collection too


@pytest.mark.slow
def test_langchain_chat_openai_talks_to_the_server(url):
    pytest.importorskip("langchain_openai")
    from langchain_core.messages import AIMessage, HumanMessage
    from langchain_openai import ChatOpenAI

    chat = ChatOpenAI(model="assistant", base_url=url + "/v1", api_key=ALL, max_retries=0, temperature=0)
    first = chat.invoke([HumanMessage("How much oil goes into the CV-7 gearbox?")])
    assert "conveyor_gearbox_oil_change.docx" in first.content
    follow = chat.invoke([HumanMessage("How much oil goes into the CV-7 gearbox?"), first, HumanMessage("And the drain plug torque?")])
    assert isinstance(follow, AIMessage) and "45 N·m" in follow.content
    streamed = "".join(c.content for c in chat.stream([HumanMessage(QUESTION)]))
    assert "25 N·m" in streamed and "Sources:" in streamed


@pytest.mark.slow
def test_ask_takes_a_history_or_a_server_side_conversation(url):
    import httpx

    h = {"Authorization": f"Bearer {ALL}"}
    first = httpx.post(url + "/v1/ask", json={"question": "How much oil goes into the CV-7 gearbox?", "conversation_id": "new"},
                       headers=h, timeout=120).json()
    cid = first["conversation_id"]
    follow = httpx.post(url + "/v1/ask", json={"question": "And the drain plug torque?", "conversation_id": cid},
                        headers=h, timeout=120).json()
    assert follow["conversation_id"] == cid and "45 N·m" in follow["answer"]
    assert follow["standalone_question"] == "What is the drain plug torque of the CV-7 gearbox?"
    other = httpx.post(url + "/v1/ask", json={"question": "And the drain plug torque?", "conversation_id": cid},
                       headers={"Authorization": f"Bearer {PLANT_B}"}, timeout=120).json()
    assert other["conversation_id"] != cid  # another key cannot continue it
    history = [{"role": "user", "content": "How much oil goes into the CV-7 gearbox?"},
               {"role": "assistant", "content": first["answer"], "citations": first["citations"]}]
    same = httpx.post(url + "/v1/ask", json={"question": "And the drain plug torque?", "history": history}, headers=h, timeout=120).json()
    assert same["answer"] == follow["answer"] and "conversation_id" not in same
    both = httpx.post(url + "/v1/ask", json={"question": "x", "history": history, "conversation_id": cid}, headers=h)
    assert both.status_code == 422
    with httpx.stream("POST", url + "/v1/ask/stream", json={"question": "And the drain plug torque?", "history": history},
                      headers=h, timeout=120) as r:
        events = [json.loads(line[6:]) for line in r.iter_lines() if line.startswith("data: ")]
    assert events[-1]["standalone_question"] == follow["standalone_question"]
