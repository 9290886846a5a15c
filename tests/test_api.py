"""The HTTP API against a real uvicorn server on loopback (httpx): answers, streaming, search, cards,
page images, documents (upload, list, delete), feedback, auth, rate limits, body limits, and the
promise that no malformed request gets a 5xx. Pure helpers (names, keys, limits) are tested directly."""
from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

import pytest

QUESTION = "What torque for the filter housing cover on the HP-3?"
TASK = "Replace the return-line filter element on the HP-3"
NEW_DOC = ("# Compressor K-7 service\n\n## Drive belt\n\nCheck the K-7 drive belt tension every 250 operating hours. "
           "Belt deflection at mid-span: 8 mm under 25 N.\n\nWARNING: Lock out the K-7 compressor before opening the belt guard.\n")


# -- helpers without a server


def test_safe_name_keeps_uploads_in_their_folder():
    from assistant.index.uploads import safe_name

    assert safe_name("../../etc/passwd.md") == "passwd.md"
    assert safe_name("..\\..\\windows\\evil.pdf") == "evil.pdf"
    assert safe_name("/abs/path/manual.PDF") == "manual.PDF"
    assert safe_name("HP-3 手册 (v2).pdf") == "HP-3 手册 (v2).pdf"
    assert safe_name("..") == "upload"
    assert safe_name(".hidden.md") == "hidden.md"
    assert safe_name("a\x00b\nc;rm -rf $HOME.md") == "abc_rm -rf _HOME.md"
    assert len(safe_name("x" * 500 + ".pdf")) <= 120 and safe_name("x" * 500 + ".pdf").endswith(".pdf")
    assert safe_name(None) == "upload"


def test_check_type_by_extension_and_content():
    from assistant.api.errors import status_for
    from assistant.index.uploads import UploadError, check_type

    assert check_type("m.pdf", b"%PDF-1.7\n...") == "pdf"
    assert check_type("notes.md", "# 标题\n正文".encode()) == "markdown"
    for name, head in (("m.exe", b"MZ\x90\x00"), ("m.pdf", b"just text"), ("m.docx", b"%PDF-1.4"), ("m.txt", b"\x00\x01\x02\x03" * 50)):
        with pytest.raises(UploadError) as err:
            check_type(name, head)
        assert status_for(err.value) == 415


def test_keyring_constant_time_and_bearer_only():
    from assistant.api.auth import KeyRing

    ring = KeyRing(["alpha-key", "beta-key"])
    assert ring.check("Bearer alpha-key") and ring.check("bearer beta-key")
    assert not ring.check("Bearer alpha") and not ring.check("Basic alpha-key") and not ring.check("") and not ring.check(None)
    assert not ring.check("Bearer ") and not KeyRing([])
    assert ring.check("Bearer ключ") is False  # non-ASCII input is compared, not a crash


def test_rate_limiter_refills_and_says_when():
    from assistant.api.auth import RateLimiter

    now = [100.0]
    rl = RateLimiter(60, clock=lambda: now[0])  # one a second, bursts of 60
    assert all(rl.take("a") == 0 for _ in range(60))
    wait = rl.take("a")
    assert 0 < wait <= 1.0
    assert rl.take("b") == 0  # per client
    now[0] += 1.0
    assert rl.take("a") == 0
    assert RateLimiter(0).take("a") == 0  # 0 turns it off


def test_server_settings_from_environment(monkeypatch):
    from assistant.api.settings import ServerSettings

    monkeypatch.setenv("ASSISTANT_API_KEYS", " k1 , k2,, ")
    monkeypatch.setenv("ASSISTANT_MAX_UPLOAD_MB", "1.5")
    s = ServerSettings()
    assert s.keys() == ["k1", "k2"] and s.max_upload_bytes == int(1.5 * 1024 * 1024)
    assert "k1" not in repr(s) and "k1" not in str(s.model_dump())


def test_quote_spans_tolerate_pdf_line_breaks():
    from assistant.textrules import find_spans

    page = "WARNING: Stored hydraulic pressure can inject oil through skin. Lock out the electrical supply\r\n(lock-out/tag-out)"
    quote = "Stored hydraulic pressure can inject oil through skin. Lock out the electrical supply (lock-out/tag-out)"
    [(s, e)] = find_spans(page, quote)
    assert page[s:e].startswith("Stored") and page[s:e].endswith("tag-out)")
    assert find_spans(page, "not on this page at all") == []


# -- a real server


@pytest.fixture(scope="module")
def library(sample_index, tmp_path_factory) -> Path:
    """A writable copy of the sample library (uploads and deletions change it)."""
    d = tmp_path_factory.mktemp("api") / "library"
    shutil.copytree(sample_index, d)
    return d


@pytest.fixture(scope="module")
def service(library, settings, embedder, tmp_path_factory):
    from assistant.api import assistant_for
    from assistant.api.settings import ServerSettings

    s = settings.model_copy(update={"index_dir": library})
    server = ServerSettings(api_keys="", rate_limit_per_minute=0, feedback_db=tmp_path_factory.mktemp("fb") / "feedback.sqlite")
    return assistant_for(s, server, embedder=embedder)


def _serve(service, **server_fields):
    from assistant.api import create_app
    from assistant.api.background import BackgroundServer
    from assistant.api.settings import ServerSettings

    ui = server_fields.pop("ui", False)
    fields = {"api_keys": "", "rate_limit_per_minute": 0, "feedback_db": service.feedback.path} | server_fields
    return BackgroundServer(create_app(service.settings, ServerSettings(**fields), assistant=service, ui=ui))


@pytest.fixture(scope="module")
def url(service):
    with _serve(service, ui=True) as u:
        yield u


@pytest.fixture(scope="module")
def client(url):
    import httpx

    with httpx.Client(base_url=url, timeout=120) as c:
        yield c


@pytest.mark.slow
def test_health_openapi_and_ui_are_served(client):
    assert client.get("/healthz").json() == {"status": "ok", "version": client.get("/healthz").json()["version"], "library": True}
    spec = client.get("/openapi.json").json()
    for path in ("/v1/ask", "/v1/ask/stream", "/v1/search", "/v1/cards", "/v1/voice", "/v1/documents", "/v1/documents/{doc_id}"):
        assert path in spec["paths"], path
    assert "HTTPBearer" in spec["components"]["securitySchemes"]
    page = client.get("/")
    assert page.status_code == 200 and "gradio" in page.text.lower()


@pytest.mark.slow
def test_ask_gives_a_cited_answer_whose_quote_is_in_the_passage(client):
    r = client.post("/v1/ask", json={"question": QUESTION})
    assert r.status_code == 200, r.text
    a = r.json()
    assert not a["refused"] and "25" in a["answer"] and a["citations"]
    c = a["citations"][0]
    assert set(c) >= {"chunk_id", "doc", "page", "quote"}
    p = client.get(f"/v1/passages/{c['chunk_id']}").json()
    assert c["quote"] in p["text"] and p["document"]["name"] == c["doc"] and p["page"] == c["page"]


@pytest.mark.slow
def test_ask_refuses_what_the_manuals_do_not_cover(client):
    a = client.post("/v1/ask", json={"question": "What is the capital of France?", "k": 4}).json()
    assert a["refused"] is True and a["citations"] == [] and a["sources"]


@pytest.mark.slow
def test_ask_stream_sends_server_sent_events(client):
    events = []
    with client.stream("POST", "/v1/ask/stream", json={"question": QUESTION}) as r:
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/event-stream")
        name = None
        for line in r.iter_lines():
            if line.startswith("event: "):
                name = line[7:]
            elif line.startswith("data: "):
                events.append((name, json.loads(line[6:])))
    kinds = [k for k, _ in events]
    assert kinds[-1] == "answer" and "token" in kinds
    final = events[-1][1]
    assert "25" in final["answer"] and final["citations"]
    assert "".join(d["text"] for k, d in events if k == "token").strip()


@pytest.mark.slow
def test_search_returns_at_most_k_hits(client):
    r = client.post("/v1/search", json={"query": "filter housing cover torque", "k": 3})
    hits = r.json()["hits"]
    assert r.status_code == 200 and 1 <= len(hits) <= 3
    assert set(hits[0]) >= {"chunk_id", "doc", "page", "text", "score"}
    only = client.post("/v1/search", json={"query": "torque", "k": 5, "filters": {"docs": ["hp3_pump_manual.pdf"]}}).json()["hits"]
    assert only and {h["doc"] for h in only} == {"hp3_pump_manual.pdf"}


@pytest.mark.slow
def test_cards_in_every_format(client):
    card = client.post("/v1/cards", json={"task": TASK}).json()
    assert [s["number"] for s in card["steps"]] == list(range(1, len(card["steps"]) + 1)) and len(card["steps"]) >= 5
    assert card["tools"] and card["warnings"]
    arlem = client.post("/v1/cards", json={"task": TASK, "format": "arlem"}).json()
    assert set(arlem) == {"activity", "workplace"} and arlem["activity"]["actions"]
    html = client.post("/v1/cards", json={"task": TASK, "format": "html"})
    assert html.headers["content-type"].startswith("text/html") and "<ol" in html.text
    md = client.post("/v1/cards", json={"task": TASK, "format": "md"})
    assert md.headers["content-type"].startswith("text/markdown") and md.text.startswith("# ")
    bad = client.post("/v1/cards", json={"task": TASK, "format": "docx"})
    assert bad.status_code == 422 and bad.json()["error"] == "invalid request"
    none = client.post("/v1/cards", json={"task": "Bake a chocolate cake"})
    assert none.status_code == 404 and "no procedure" in none.json()["error"]


@pytest.mark.slow
def test_cards_as_s1000d(client):
    xml = client.post("/v1/cards", json={"task": TASK, "format": "s1000d"})
    assert xml.status_code == 200 and xml.headers["content-type"].startswith("application/xml")
    assert xml.text.startswith("<procedure>") and xml.text.count("<proceduralStep") >= 5


def test_card_route_takes_every_card_format(sample_library, retriever):
    """The route's formats are the card formats (one list, see assistant/cards/formats.py), each
    answered with its own media type; an unknown one is refused by validation."""
    from pydantic import ValidationError

    from assistant.api.routes import CardIn, card_response
    from assistant.cards import CardDrafter
    from assistant.cards.formats import FORMATS

    card = CardDrafter(sample_library, retriever).draft(TASK)
    for fmt, spec in FORMATS.items():
        assert CardIn(task=TASK, format=fmt).format == fmt
        resp = card_response(card, fmt)
        assert resp.media_type == spec.media_type and resp.body, fmt
    assert card_response(card, "s1000d").body.decode().startswith("<procedure>")
    with pytest.raises(ValidationError):
        CardIn(task=TASK, format="docx")


@pytest.mark.slow
def test_page_image_marks_the_quote(client):
    docs = {d["name"]: d for d in client.get("/v1/documents").json()["documents"]}
    pdf = docs["hp3_pump_manual.pdf"]
    r = client.get(f"/v1/documents/{pdf['id']}/pages/3", params={"highlight": "Stored hydraulic pressure can inject oil through skin."})
    assert r.status_code == 200 and r.headers["content-type"] == "image/png" and r.content[:8] == b"\x89PNG\r\n\x1a\n"
    assert r.headers["x-quote-marked"] == "true"
    assert client.get(f"/v1/documents/{pdf['id']}/pages/99").status_code == 404
    assert client.get(f"/v1/documents/{docs['hp3_quick_reference.md']['id']}/pages/1").status_code == 415


@pytest.mark.slow
def test_upload_search_and_delete_a_document(client, library):
    r = client.post("/v1/documents", files={"file": ("k7_compressor.md", NEW_DOC.encode(), "text/markdown")})
    assert r.status_code == 200, r.text
    rep = r.json()
    assert rep["indexed"] == ["uploads/k7_compressor.md"] and not rep["failed"] and rep["document"]["uploaded"] is True
    assert (library / "uploads" / "k7_compressor.md").read_text(encoding="utf-8") == NEW_DOC
    listed = {d["name"]: d for d in client.get("/v1/documents").json()["documents"]}
    assert "k7_compressor.md" in listed and "path" not in listed["k7_compressor.md"]
    hits = client.post("/v1/search", json={"query": "K-7 drive belt deflection", "k": 3}).json()["hits"]
    assert hits[0]["doc"] == "k7_compressor.md"
    doc_id = listed["k7_compressor.md"]["id"]
    gone = client.delete(f"/v1/documents/{doc_id}")
    assert gone.status_code == 200 and gone.json()["deleted"]["name"] == "k7_compressor.md"
    assert "k7_compressor.md" not in {d["name"] for d in client.get("/v1/documents").json()["documents"]}
    assert not (library / "uploads" / "k7_compressor.md").exists()
    assert client.delete(f"/v1/documents/{doc_id}").status_code == 404
    hits = client.post("/v1/search", json={"query": "K-7 drive belt deflection", "k": 3}).json()["hits"]
    assert all(h["doc"] != "k7_compressor.md" for h in hits)


@pytest.mark.slow
def test_upload_names_cannot_escape_the_library(client, library):
    names = ["../../escape1.md", "..\\..\\escape2.md", "/tmp/escape3.md", "uploads/../../escape4.md", "....//escape5.md"]
    for i, name in enumerate(names, 1):
        r = client.post("/v1/documents", files={"file": (name, f"# Note {i}\n\nTraversal test note number {i}.\n".encode(), "text/markdown")})
        assert r.status_code == 200, r.text
        assert r.json()["indexed"] == [f"uploads/escape{i}.md"]
        assert (library / "uploads" / f"escape{i}.md").is_file()
        assert client.delete(f"/v1/documents/{r.json()['document']['id']}").status_code == 200
    base = library.parent.parent  # this session's temporary folders
    assert not [p for p in base.rglob("escape*.md")], "an upload was written outside uploads/ or left behind"
    assert not Path("/tmp/escape3.md").exists()


@pytest.mark.slow
def test_reupload_replaces_a_document_and_a_broken_one_keeps_the_old(client, library):
    from tests.conftest import SAMPLES

    good = (SAMPLES / "conveyor_gearbox_oil_change.docx").read_bytes()
    first = client.post("/v1/documents", files={"file": ("gearbox.docx", good, "application/octet-stream")})
    assert first.status_code == 200, first.text
    doc = first.json()["document"]
    broken = client.post("/v1/documents", files={"file": ("gearbox.docx", b"PK\x03\x04" + b"\x00" * 300, "application/zip")})
    assert broken.status_code == 422 and "could not be indexed" in broken.json()["error"]
    assert (library / "uploads" / "gearbox.docx").read_bytes() == good  # the previous file is back
    listed = {d["name"]: d for d in client.get("/v1/documents").json()["documents"]}
    assert listed["gearbox.docx"]["sha256"] == doc["sha256"] and listed["gearbox.docx"]["chunks"] == doc["chunks"]
    again = client.post("/v1/documents", files={"file": ("gearbox.docx", good, "application/octet-stream")})
    assert again.json()["unchanged"] == ["uploads/gearbox.docx"] and again.json()["document"]["id"] == doc["id"]
    assert [p.name for p in (library / "uploads").iterdir() if p.name.startswith(".")] == []
    assert client.delete(f"/v1/documents/{doc['id']}").status_code == 200


@pytest.mark.slow
def test_upload_refusals_are_4xx_json(client, library):
    cases = [
        ({"file": ("tool.exe", b"MZ\x90\x00" * 100, "application/octet-stream")}, 415),
        ({"file": ("fake.pdf", b"this is not a pdf at all", "application/pdf")}, 415),
        ({"file": ("empty.md", b"", "text/markdown")}, 422),
        ({"other": ("x.md", b"# x", "text/markdown")}, 422),
        ({"file": ("broken.docx", b"PK\x03\x04" + b"\x00" * 200, "application/zip")}, 422),
    ]
    for files, status in cases:
        r = client.post("/v1/documents", files=files)
        assert r.status_code == status, (files, r.status_code, r.text)
        assert r.json()["error"]
    errors = client.get("/v1/documents").json()["errors"]
    assert any(e["name"] == "broken.docx" for e in errors) and any(e["name"] == "tool.exe" for e in errors)
    leftovers = [p.name for p in (library / "uploads").iterdir()] if (library / "uploads").exists() else []
    assert not [n for n in leftovers if n in ("tool.exe", "fake.pdf", "empty.md", "broken.docx") or n.endswith(".part")]


@pytest.mark.slow
def test_body_limits_give_413(service, library):
    import httpx

    with _serve(service, max_upload_mb=0.05, max_json_kb=4) as u:
        line = b"lorem ipsum dolor sit amet\n"
        for size in (4000, 12000):  # ~100 KB: refused while copying; ~300 KB: refused by the body limit
            r = httpx.post(u + "/v1/documents", files={"file": ("big.md", b"# big\n\n" + line * size, "text/markdown")}, timeout=60)
            assert r.status_code == 413 and "limit" in r.json()["error"] + json.dumps(r.json()["detail"]), r.text
        r = httpx.post(u + "/v1/ask", json={"question": "x" * 10000}, timeout=60)
        assert r.status_code == 413

        def chunks():  # no Content-Length: the limit applies while the body streams in
            yield b'{"question": "'
            for _ in range(100):
                yield b"y" * 1000
            yield b'"}'
        r = httpx.post(u + "/v1/ask", content=chunks(), headers={"content-type": "application/json"}, timeout=60)
        assert r.status_code == 413
    assert not (library / "uploads" / "big.md").exists()


@pytest.mark.slow
def test_concurrent_reads_while_the_library_changes(url):
    """Questions and searches keep working while a document is uploaded and removed."""
    import concurrent.futures as cf

    import httpx

    def read(i):
        with httpx.Client(base_url=url, timeout=120) as c:
            if i % 2:
                return c.post("/v1/search", json={"query": "filter housing cover torque", "k": 3}).status_code
            return c.post("/v1/ask", json={"question": QUESTION}).status_code

    def write():
        with httpx.Client(base_url=url, timeout=120) as c:
            r = c.post("/v1/documents", files={"file": ("k7_concurrent.md", NEW_DOC.encode(), "text/markdown")})
            return [r.status_code, c.delete(f"/v1/documents/{r.json()['document']['id']}").status_code]

    with cf.ThreadPoolExecutor(6) as pool:
        writes = pool.submit(write)
        reads = list(pool.map(read, range(12)))
    assert reads == [200] * 12 and writes.result() == [200, 200]


@pytest.mark.slow
def test_malformed_requests_never_get_a_5xx(client):
    cases = [
        ("POST", "/v1/ask", {"content": b"{not json", "headers": {"content-type": "application/json"}}),
        ("POST", "/v1/ask", {"content": b"\xff\xfe\x00garbage", "headers": {"content-type": "application/json"}}),
        ("POST", "/v1/ask", {"json": []}),
        ("POST", "/v1/ask", {"json": {"question": ""}}),
        ("POST", "/v1/ask", {"json": {"question": "   "}}),
        ("POST", "/v1/ask", {"json": {"question": "torque", "k": 0}}),
        ("POST", "/v1/ask", {"json": {"question": "torque", "k": "many"}}),
        ("POST", "/v1/ask", {"json": {"question": "torque", "filters": {"docs": "not-a-list"}}}),
        ("POST", "/v1/ask", {"json": {"question": ["a"]}}),
        ("POST", "/v1/ask", {"content": b"question=torque", "headers": {"content-type": "application/x-www-form-urlencoded"}}),
        ("POST", "/v1/ask/stream", {"json": {"k": 3}}),
        ("POST", "/v1/search", {"json": {"query": "torque", "k": 100000}}),
        ("POST", "/v1/search", {"json": None}),
        ("POST", "/v1/cards", {"json": {"task": "x" * 600}}),
        ("POST", "/v1/cards", {"json": {"task": 42, "format": None}}),
        ("POST", "/v1/feedback", {"json": {"rating": "meh", "question": "q", "answer": "a"}}),
        ("POST", "/v1/documents", {"content": b"not multipart", "headers": {"content-type": "multipart/form-data; boundary=zzz"}}),
        ("POST", "/v1/documents", {"content": b"--zzz\r\nbroken", "headers": {"content-type": "multipart/form-data"}}),
        ("POST", "/v1/voice", {"json": {"audio": "x"}}),
        ("DELETE", "/v1/documents/not-a-number", {}),
        ("DELETE", "/v1/documents/-3", {}),
        ("DELETE", "/v1/documents/99999999999999999999999999", {}),
        ("GET", "/v1/documents/1/pages/0", {}),
        ("GET", "/v1/documents/1/pages/1?scale=1e309", {}),
        ("GET", "/v1/passages/..%2f..%2fetc", {}),
        ("GET", "/v1/passages/zzzz", {}),
        ("GET", "/v1/ask", {}),
        ("PUT", "/v1/documents", {}),
        ("GET", "/v1/no/such/endpoint", {}),
    ]
    for method, path, kw in cases:
        r = client.request(method, path, **kw)
        assert 400 <= r.status_code < 500, (method, path, kw, r.status_code, r.text[:300])
        body = r.json()
        assert set(body) == {"error", "detail"} and isinstance(body["error"], str), (path, body)
    assert client.get("/v1/ask").status_code == 405


@pytest.mark.slow
def test_feedback_is_stored_with_question_answer_and_sources(client, service):
    a = client.post("/v1/ask", json={"question": QUESTION}).json()
    r = client.post("/v1/feedback", json={"rating": "down", "question": QUESTION, "answer": a["answer"],
                                          "sources": a["citations"], "comment": "wrong unit?"})
    assert r.status_code == 200
    row = next(x for x in service.feedback.recent() if x["id"] == r.json()["id"])
    assert row["rating"] == "down" and row["question"] == QUESTION and row["sources"][0]["doc"] == a["citations"][0]["doc"]


@pytest.mark.slow
def test_voice_without_the_voice_package_is_a_clear_503(client, monkeypatch):
    """A server installed without the [voice] extra: the voice package cannot be imported."""
    import sys

    monkeypatch.setitem(sys.modules, "assistant.voice", None)  # `import assistant.voice` now raises ImportError
    r = client.post("/v1/voice", files={"audio": ("q.wav", b"RIFF....WAVEfmt ", "audio/wav")})
    assert r.status_code == 503 and r.json()["error"] == "voice support not installed"


@pytest.mark.slow
def test_api_keys_guard_v1_and_the_ui(service, caplog):
    import httpx

    caplog.set_level("DEBUG")
    with _serve(service, api_keys="alpha-key-123,beta-key-456", ui=True) as u, httpx.Client(base_url=u, timeout=60) as c:
        r = c.get("/v1/documents")
        assert r.status_code == 401 and r.headers["www-authenticate"].startswith("Bearer") and r.json()["error"]
        assert c.get("/v1/documents", headers={"Authorization": "Bearer wrong"}).status_code == 401
        assert c.get("/v1/documents", headers={"Authorization": "Basic alpha-key-123"}).status_code == 401
        # 401 comes before the body is looked at: nothing is parsed for a caller without a key
        assert c.post("/v1/ask", content=b"{broken", headers={"content-type": "application/json"}).status_code == 401
        assert c.get("/v1/no/such/thing").status_code == 401
        for key in ("alpha-key-123", "beta-key-456"):
            assert c.get("/v1/documents", headers={"Authorization": f"Bearer {key}"}).status_code == 200
        ok = c.post("/v1/ask", json={"question": QUESTION}, headers={"Authorization": "Bearer alpha-key-123"})
        assert ok.status_code == 200 and ok.json()["citations"]
        assert c.get("/healthz").status_code == 200  # liveness needs no key
        # the UI asks for a login; any user name with a key as the password gets in
        assert '"auth_required":true' in c.get("/").text.replace(" ", "")
        assert c.get("/config").status_code == 401
        assert c.post("/login", data={"username": "tech", "password": "nope"}).status_code >= 400
        assert c.post("/login", data={"username": "tech", "password": "beta-key-456"}).status_code == 200
        assert c.get("/config").status_code == 200
    assert "alpha-key-123" not in caplog.text and "beta-key-456" not in caplog.text


@pytest.mark.slow
def test_rate_limit_per_key_answers_429_with_retry_after(service):
    import httpx

    with _serve(service, api_keys="k-one,k-two", rate_limit_per_minute=3) as u, httpx.Client(base_url=u, timeout=60) as c:
        one = {"Authorization": "Bearer k-one"}
        codes = [c.get("/v1/documents", headers=one).status_code for _ in range(4)]
        assert codes == [200, 200, 200, 429]
        r = c.get("/v1/documents", headers=one)
        assert r.status_code == 429 and int(r.headers["retry-after"]) >= 1 and r.json()["error"] == "rate limit exceeded"
        assert c.get("/v1/documents", headers={"Authorization": "Bearer k-two"}).status_code == 200  # another key, its own budget


@pytest.mark.slow
def test_empty_library_takes_a_first_upload(settings, embedder, tmp_path):
    import httpx

    from assistant.api import assistant_for

    svc = assistant_for(settings.model_copy(update={"index_dir": tmp_path / "new-library"}), embedder=embedder)
    with _serve(svc) as u, httpx.Client(base_url=u, timeout=120) as c:
        assert c.get("/healthz").json()["library"] is False
        assert c.get("/v1/documents").json()["documents"] == []
        r = c.post("/v1/ask", json={"question": "belt tension?"})
        assert r.status_code == 503 and "upload" in r.json()["error"]
        t0 = time.monotonic()
        up = c.post("/v1/documents", files={"file": ("k7.md", NEW_DOC.encode(), "text/markdown")}, data={"collection": "compressors"})
        assert up.status_code == 200, up.text
        assert up.json()["document"]["collection"] == "compressors"
        a = c.post("/v1/ask", json={"question": "How much belt deflection at mid-span on the K-7?"}).json()
        assert not a["refused"] and "8 mm" in a["answer"], (a, time.monotonic() - t0)
