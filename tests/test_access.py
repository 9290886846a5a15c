"""Tenant isolation and the audit log, through a real server: one library with two collections
(plant-a: the HP-3 manuals; plant-b: the conveyor, substation and bearing documents), a key for
each and an admin key for both. A key never sees, cites, lists or fetches the other collection's
chunks (search, ask, ask/stream, cards, voice, documents, pages, passages, delete, upload), and every
audited request leaves a row that names the key by its hash only."""
from __future__ import annotations

import json
import shutil

import pytest

from tests.conftest import SAMPLES

KEY_A, KEY_B, ADMIN = "alpha-key-A1x9", "beta-key-B2y8", "admin-key-Z9w7"
KEYS = f"{KEY_A}:plant-a, {KEY_B}:plant-b|plant-c,{ADMIN}:*"
DOCS_A = {"hp3_pump_manual.pdf", "hp3_quick_reference.md", "hp3_filter_procedure_zh.pdf"}
DOCS_B = {"conveyor_gearbox_oil_change.docx", "substation_breaker_inspection.html", "proceedings_bearing_monitoring.pdf"}
# questions about each collection's topics: the other key must get nothing from that collection
QUESTIONS = ["What torque for the filter housing cover on the HP-3?", "How much oil does the CV-7 conveyor gearbox take?",
             "What SF6 gas pressure is acceptable for the 110 kV circuit breaker?", "Which bearing faults does the envelope spectrum show?",
             "回油滤芯的备件号是什么？"]
TASKS = ["Replace the return-line filter element on the HP-3", "Change the gearbox oil on belt conveyor CV-7"]
NOTE = "# Shared name\n\nThis note has the same file name in two collections. Inspection interval 30 days for {who}.\n"


def _auth(key: str) -> dict:
    return {"Authorization": f"Bearer {key}"}


# -- without a server


def test_key_spec_forms():
    from assistant.access import key_label, parse_keys
    from assistant.api.settings import ServerSettings

    assert parse_keys("k1,k2") == [("k1", None), ("k2", None)]
    assert parse_keys(" k1 : a | b ,k2:*,, k3:a|*") == [("k1", frozenset({"a", "b"})), ("k2", None), ("k3", None)]
    for bad in ("k1:", "k1: | ", ":a"):
        with pytest.raises(ValueError) as err:
            parse_keys(bad)
        assert "k1" not in str(err.value)
    with pytest.raises(Exception) as err:  # settings refuse a malformed entry without quoting the key
        ServerSettings(api_keys="secret-k9:")
    assert "secret-k9" not in str(err.value)
    s = ServerSettings(api_keys=KEYS)
    assert s.keys() == [KEY_A, KEY_B, ADMIN] and s.grants()[1][1] == {"plant-b", "plant-c"}
    assert KEY_A not in repr(s) and key_label(KEY_A).startswith("key-") and KEY_A not in key_label(KEY_A)


def test_keyring_identifies_the_key_and_its_collections():
    from assistant.access import key_label
    from assistant.api.auth import KeyRing
    from assistant.api.settings import ServerSettings

    ring = KeyRing(ServerSettings(api_keys=KEYS).grants())
    a = ring.identify(f"Bearer {KEY_A}")
    assert a.label == key_label(KEY_A) and a.collections == {"plant-a"} and not a.unrestricted
    assert ring.identify(f"Bearer {ADMIN}").unrestricted and ring.identify("Bearer nope") is None
    assert ring.check(f"bearer {KEY_B}") and not ring.check(f"Basic {KEY_B}")


def test_scoped_retriever_narrows_but_never_widens():
    from assistant.access import Access, ScopedRetriever
    from assistant.retrieve import Filters

    class Recorder:
        library = "lib"

        def __init__(self):
            self.calls = []

        def search(self, q, k=10, filters=None):
            self.calls.append(filters)
            return ["hit"]

    inner = Recorder()
    r = ScopedRetriever(inner, frozenset({"a", "b"}))
    assert r.search("q") == ["hit"] and inner.calls[-1] == Filters((), ("a", "b"), ())
    assert r.search("q", 3, Filters(("m.pdf",), ("b", "z"), ("en",))) == ["hit"]
    assert inner.calls[-1] == Filters(("m.pdf",), ("b",), ("en",))
    assert r.search("q", 3, Filters((), ("z",), ())) == [] and len(inner.calls) == 2  # nothing allowed: no search at all
    assert r.library == "lib"
    acc = Access("key-x", frozenset({"a"}))
    assert acc.upload_collection(None, "uploads") == "a" and acc.upload_collection("a", "uploads") == "a"
    with pytest.raises(Exception) as err:
        acc.upload_collection("b", "uploads")
    from assistant.api.errors import status_for

    assert status_for(err.value) == 403


# -- a real server


@pytest.fixture(scope="module")
def library(tmp_path_factory, settings, embedder):
    from assistant.index.build import index_paths

    lib = tmp_path_factory.mktemp("access") / "library"
    for name, docs in (("plant-a", DOCS_A), ("plant-b", DOCS_B)):
        src = tmp_path_factory.mktemp(name)
        for d in docs:
            shutil.copy(SAMPLES / d, src / d)
        report = index_paths([src], settings, index_dir=lib, collection=name, progress=False, embedder=embedder, workers=1)
        assert not report.failed and len(report.indexed) == len(docs)
    return lib


@pytest.fixture(scope="module")
def server(library, settings, embedder):
    from assistant.api import create_app
    from assistant.api.background import BackgroundServer
    from assistant.api import assistant_for
    from assistant.api.settings import ServerSettings

    server = ServerSettings(api_keys=KEYS, rate_limit_per_minute=0)
    app = create_app(settings.model_copy(update={"index_dir": library}), server,
                     assistant=assistant_for(settings.model_copy(update={"index_dir": library}), server, embedder=embedder), ui=True)
    with BackgroundServer(app) as url:
        yield url, app


@pytest.fixture(scope="module")
def clients(server):
    import httpx

    url, _ = server
    with httpx.Client(base_url=url, timeout=180, headers=_auth(KEY_A)) as a, \
            httpx.Client(base_url=url, timeout=180, headers=_auth(KEY_B)) as b, \
            httpx.Client(base_url=url, timeout=180, headers=_auth(ADMIN)) as admin:
        yield a, b, admin


def _docs_of(answer: dict) -> set[str]:
    return {c["doc"] for c in answer["citations"]} | {s["doc"] for s in answer["sources"]}


def _events(client, question: str) -> list[tuple[str, dict]]:
    events, name = [], None
    with client.stream("POST", "/v1/ask/stream", json={"question": question}) as r:
        assert r.status_code == 200
        for line in r.iter_lines():
            if line.startswith("event: "):
                name = line[7:]
            elif line.startswith("data: "):
                events.append((name, json.loads(line[6:])))
    return events


@pytest.mark.slow
def test_search_sees_only_the_keys_collections(clients):
    a, b, admin = clients
    seen = {"a": set(), "b": set(), "admin": set()}
    for q in QUESTIONS:
        for who, c in (("a", a), ("b", b), ("admin", admin)):
            r = c.post("/v1/search", json={"query": q, "k": 20})
            assert r.status_code == 200, r.text
            seen[who] |= {h["doc"] for h in r.json()["hits"]}
    assert seen["a"] and seen["a"] <= DOCS_A and seen["b"] and seen["b"] <= DOCS_B
    assert seen["admin"] & DOCS_A and seen["admin"] & DOCS_B
    # filters can narrow a key's view, never widen it
    for filters in ({"collections": ["plant-b"]}, {"docs": ["conveyor_gearbox_oil_change.docx"]},
                    {"collections": ["plant-a", "plant-b"], "docs": ["substation_breaker_inspection.html"]}):
        r = a.post("/v1/search", json={"query": "gearbox oil breaker", "k": 10, "filters": filters})
        assert r.status_code == 200 and r.json()["hits"] == [], filters
    both = a.post("/v1/search", json={"query": "oil", "k": 20, "filters": {"collections": ["plant-a", "plant-b"]}}).json()["hits"]
    assert both and {h["doc"] for h in both} <= DOCS_A


@pytest.mark.slow
def test_ask_and_stream_cite_only_the_keys_collections(clients):
    a, b, admin = clients
    for q in QUESTIONS:
        for c, allowed in ((a, DOCS_A), (b, DOCS_B)):
            r = c.post("/v1/ask", json={"question": q, "k": 8})
            assert r.status_code == 200, r.text
            assert _docs_of(r.json()) <= allowed, (q, r.json())
    hp3 = a.post("/v1/ask", json={"question": QUESTIONS[0]}).json()
    assert not hp3["refused"] and "25" in hp3["answer"]
    other = b.post("/v1/ask", json={"question": QUESTIONS[0]}).json()
    assert "25 N·m" not in other["answer"] and not (_docs_of(other) & DOCS_A)
    for c, q, allowed in ((a, QUESTIONS[1], DOCS_A), (b, QUESTIONS[0], DOCS_B), (b, QUESTIONS[1], DOCS_B)):
        events = _events(c, q)
        assert events[-1][0] == "answer" and _docs_of(events[-1][1]) <= allowed
        assert not any(d in json.dumps(events) for d in (DOCS_B if allowed is DOCS_A else DOCS_A))


@pytest.mark.slow
def test_cards_come_only_from_the_keys_collections(clients):
    a, b, admin = clients
    mine = a.post("/v1/cards", json={"task": TASKS[0]})
    assert mine.status_code == 200 and {c["doc"] for s in mine.json()["steps"] for c in s["citations"]} <= DOCS_A
    for c, allowed, other in ((a, DOCS_A, DOCS_B), (b, DOCS_B, DOCS_A)):
        for task in TASKS:
            for fmt in ("json", "md"):
                r = c.post("/v1/cards", json={"task": task, "format": fmt})
                assert r.status_code in (200, 404), r.text
                assert not any(d in r.text for d in other), (task, fmt, r.text[:300])
    assert b.post("/v1/cards", json={"task": TASKS[1]}).status_code == 200
    assert a.post("/v1/cards", json={"task": TASKS[1], "filters": {"collections": ["plant-b"]}}).status_code == 404


@pytest.mark.slow
def test_documents_pages_and_passages_of_another_collection_do_not_exist(clients):
    a, b, admin = clients
    all_docs = {d["name"]: d for d in admin.get("/v1/documents").json()["documents"]}
    assert set(all_docs) >= DOCS_A | DOCS_B
    assert {d["name"] for d in a.get("/v1/documents").json()["documents"]} == DOCS_A
    assert {d["name"] for d in b.get("/v1/documents").json()["documents"]} == DOCS_B
    pdf_a, pdf_b = all_docs["hp3_pump_manual.pdf"], all_docs["proceedings_bearing_monitoring.pdf"]
    assert a.get(f"/v1/documents/{pdf_a['id']}/pages/1").status_code == 200
    assert b.get(f"/v1/documents/{pdf_b['id']}/pages/1").status_code == 200
    for c, doc in ((a, pdf_b), (b, pdf_a)):
        r = c.get(f"/v1/documents/{doc['id']}/pages/1")
        assert r.status_code == 404 and r.json()["error"] == f"no document with id {doc['id']}"  # as for an id nobody has
    chunk_b = admin.post("/v1/search", json={"query": "gearbox oil", "k": 1, "filters": {"collections": ["plant-b"]}}).json()["hits"][0]
    chunk_a = admin.post("/v1/search", json={"query": "filter housing", "k": 1, "filters": {"collections": ["plant-a"]}}).json()["hits"][0]
    assert b.get(f"/v1/passages/{chunk_b['chunk_id']}").status_code == 200
    assert a.get(f"/v1/passages/{chunk_a['chunk_id']}").status_code == 200
    for c, chunk in ((a, chunk_b), (b, chunk_a)):
        r = c.get(f"/v1/passages/{chunk['chunk_id']}")
        assert r.status_code == 404 and chunk["text"][:40] not in r.text
    # deleting another collection's document: 404, and the document stays
    assert a.delete(f"/v1/documents/{pdf_b['id']}").status_code == 404
    assert b.delete(f"/v1/documents/{pdf_a['id']}").status_code == 404
    assert {"hp3_pump_manual.pdf", "proceedings_bearing_monitoring.pdf"} <= {d["name"] for d in admin.get("/v1/documents").json()["documents"]}


@pytest.mark.slow
def test_uploads_go_to_a_collection_the_key_may_write(clients, library):
    a, b, admin = clients
    refused = a.post("/v1/documents", files={"file": ("x.md", b"# x\n\nNot allowed here.\n", "text/markdown")}, data={"collection": "plant-b"})
    assert refused.status_code == 403 and "plant-b" in refused.json()["error"]
    up_a = a.post("/v1/documents", files={"file": ("shared-name.md", NOTE.format(who="plant A").encode(), "text/markdown")})
    assert up_a.status_code == 200, up_a.text
    doc_a = up_a.json()["document"]
    assert doc_a["collection"] == "plant-a"  # the key's only collection: the server's default 'uploads' is not its to write
    # the same file name in another collection is another file, not a replacement of A's
    up_b = b.post("/v1/documents", files={"file": ("shared-name.md", NOTE.format(who="plant B").encode(), "text/markdown")},
                  data={"collection": "plant-c"})
    assert up_b.status_code == 200, up_b.text
    doc_b = up_b.json()["document"]
    assert doc_b["collection"] == "plant-c" and doc_b["id"] != doc_a["id"]
    assert (library / "uploads" / "plant-a" / "shared-name.md").read_text(encoding="utf-8") == NOTE.format(who="plant A")
    assert (library / "uploads" / "plant-c" / "shared-name.md").read_text(encoding="utf-8") == NOTE.format(who="plant B")
    hits_a = a.post("/v1/search", json={"query": "inspection interval 30 days shared name", "k": 5}).json()["hits"]
    hits_b = b.post("/v1/search", json={"query": "inspection interval 30 days shared name", "k": 5}).json()["hits"]
    assert any("plant A" in h["text"] for h in hits_a) and not any("plant B" in h["text"] for h in hits_a)
    assert any("plant B" in h["text"] for h in hits_b) and not any("plant A" in h["text"] for h in hits_b)
    assert "shared-name.md" in {d["name"] for d in b.get("/v1/documents").json()["documents"]}
    assert b.delete(f"/v1/documents/{doc_a['id']}").status_code == 404
    assert a.delete(f"/v1/documents/{doc_a['id']}").status_code == 200
    assert b.delete(f"/v1/documents/{doc_b['id']}").status_code == 200
    assert not (library / "uploads" / "plant-a" / "shared-name.md").exists()
    # the very same file (name and text) in two collections: each keeps its own passages
    same = b"# Same file\n\nIdentical text uploaded by two keys. Torque wrench calibration every 12 months.\n"
    docs = [c.post("/v1/documents", files={"file": ("same.md", same, "text/markdown")}).json()["document"] for c in (a, b)]
    assert [d["collection"] for d in docs] == ["plant-a", "plant-b"] and all(d["chunks"] == 1 for d in docs)
    for c, d in zip((a, b), docs):
        assert next(x for x in c.get("/v1/documents").json()["documents"] if x["id"] == d["id"])["chunks"] == 1
        hit = c.post("/v1/search", json={"query": "torque wrench calibration 12 months", "k": 1}).json()["hits"][0]
        assert hit["doc"] == "same.md" and c.get(f"/v1/passages/{hit['chunk_id']}").json()["document"]["id"] == d["id"]
        assert c.delete(f"/v1/documents/{d['id']}").status_code == 200
    bad = admin.post("/v1/documents", files={"file": ("y.md", b"# y\n\ntext\n", "text/markdown")}, data={"collection": "../escape"})
    assert bad.status_code == 422 and not list(library.parent.rglob("escape*"))
    # a failed upload is listed only to keys that see its collection
    broken = a.post("/v1/documents", files={"file": ("broken-a.docx", b"PK\x03\x04" + b"\x00" * 300, "application/zip")})
    assert broken.status_code == 422
    assert any(e["name"] == "broken-a.docx" for e in a.get("/v1/documents").json()["errors"])
    assert not any(e["name"] == "broken-a.docx" for e in b.get("/v1/documents").json()["errors"])


@pytest.mark.slow
def test_the_web_ui_takes_only_a_key_for_every_collection(server):
    import httpx

    url, _ = server
    with httpx.Client(base_url=url, timeout=60) as c:
        assert c.post("/login", data={"username": "tech", "password": KEY_A}).status_code >= 400
        assert c.get("/config").status_code == 401
        assert c.post("/login", data={"username": "tech", "password": ADMIN}).status_code == 200
        assert c.get("/config").status_code == 200


def _speech(tmp_path, text: str) -> bytes:
    """`text` said by the bundled Piper voice, as WAV (tests/speech.py)."""
    from tests.speech import Speech

    return Speech(tmp_path / "speech").bytes(text)


@pytest.mark.slow
def test_voice_answers_and_sessions_stay_in_the_keys_collections(clients, tmp_path):
    pytest.importorskip("faster_whisper", reason="the [voice] extra is not installed")
    pytest.importorskip("assistant.voice", reason="assistant.voice is not importable")
    a, b, admin = clients
    question = _speech(tmp_path, "What is the torque for the filter housing cover?")
    ra = a.post("/v1/voice", files={"audio": ("q.wav", question, "audio/wav")})
    assert ra.status_code == 200, ra.text
    assert "filter housing" in ra.json()["transcript"].lower() and {c["doc"] for c in ra.json()["citations"]} <= DOCS_A
    assert ra.json()["citations"] and "25" in ra.json()["answer"]
    rb = b.post("/v1/voice", files={"audio": ("q.wav", question, "audio/wav")})
    assert rb.status_code == 200, rb.text
    assert not any(d in rb.text for d in DOCS_A) and "25 N·m" not in rb.json()["answer"]
    # a step card started by key A: its session id is no use to key B
    card = a.post("/v1/voice", files={"audio": ("t.wav", _speech(tmp_path, "How do I replace the return line filter element?"), "audio/wav")})
    assert card.status_code == 200 and card.json()["intent"] == "card", card.text
    sid = card.json()["session_id"]
    nxt = _speech(tmp_path, "Next step.")
    stolen = b.post("/v1/voice", files={"audio": ("n.wav", nxt, "audio/wav")}, data={"session_id": sid})
    assert stolen.status_code == 200 and "step" not in stolen.json() and stolen.json()["session_id"] != sid
    assert not any(d in stolen.text for d in DOCS_A)
    mine = a.post("/v1/voice", files={"audio": ("n.wav", nxt, "audio/wav")}, data={"session_id": sid})
    assert mine.status_code == 200 and mine.json()["step"]["number"] == 2 and mine.json()["session_id"] == sid


@pytest.mark.slow
def test_audit_log_rows_name_keys_by_hash_only(server, clients, library, caplog):
    import httpx

    from assistant.access import key_label

    url, app = server
    caplog.set_level("DEBUG")
    a, b, admin = clients
    a.post("/v1/ask", json={"question": QUESTIONS[0]})
    b.post("/v1/search", json={"query": "gearbox oil", "k": 3})
    b.post("/v1/cards", json={"task": TASKS[0]})  # 404 for plant-b: a refused row
    list(_events(a, QUESTIONS[0]))
    httpx.post(url + "/v1/search", json={"query": "x"}, headers=_auth("wrong-key-Q5"))
    a.post("/v1/documents", files={"file": ("x.md", b"# x\n\nNot allowed here.\n", "text/markdown")}, data={"collection": "plant-b"})
    pdf_b = next(d for d in admin.get("/v1/documents").json()["documents"] if d["name"] == "proceedings_bearing_monitoring.pdf")
    a.delete(f"/v1/documents/{pdf_b['id']}")
    a.post("/v1/cards", json={"task": TASKS[0]})
    rows = app.state.audit.recent(500)
    by = {}
    for r in rows:
        by.setdefault((r["key"], r["endpoint"]), []).append(r)
    la, lb = key_label(KEY_A), key_label(KEY_B)
    ask = by[(la, "/v1/ask")][0]
    assert ask["text"] == QUESTIONS[0] and ask["status"] == 200 and ask["refused"] == 0 and ask["ms"] > 0
    assert ask["sources"] and {s["doc"] for s in ask["sources"]} <= DOCS_A and all(s["chunk_id"] and s["page"] for s in ask["sources"])
    assert ask["collections"] == ["plant-a"] and ask["client"] == "127.0.0.1" and ask["method"] == "POST"
    stream = by[(la, "/v1/ask/stream")][0]
    assert stream["text"] == QUESTIONS[0] and stream["sources"] and stream["status"] == 200
    search = by[(lb, "/v1/search")][0]
    assert search["text"] == "gearbox oil" and {s["doc"] for s in search["sources"]} <= DOCS_B
    card = by[(lb, "/v1/cards")][0]
    assert card["status"] == 404 and card["refused"] == 1 and card["sources"] == []
    assert any(r["status"] == 200 and r["sources"] for r in by.get((la, "/v1/cards"), []))
    assert by[("unauthenticated", "/v1/search")][0]["status"] == 401
    assert any(r["status"] == 403 for r in by[(la, "/v1/documents")])  # the refused upload
    assert [r for r in rows if r["method"] == "DELETE" and r["status"] == 404]
    assert not [r for r in rows if r["endpoint"].startswith("/v1/passages") or r["method"] == "GET"]
    for r in rows:  # a key's rows hold only its collections' sources
        docs = {s.get("doc") for s in r["sources"]}
        if r["key"] == la:
            assert not docs & DOCS_B, r
        if r["key"] == lb:
            assert not docs & DOCS_A, r
    # neither the keys nor the Authorization header are anywhere in the database or the logs
    raw = b"".join(p.read_bytes() for p in library.glob("audit.sqlite*"))
    assert raw and len(rows) >= 10
    for secret in (KEY_A, KEY_B, ADMIN, "wrong-key-Q5"):
        assert secret.encode() not in raw and secret not in caplog.text
    assert b"Bearer" not in raw and b"uthorization" not in raw
