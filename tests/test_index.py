"""The library on disk: incremental indexing, bad input in a batch, the CLI contract, locks."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.errors import LibraryLocked, ModelMismatch
from assistant.index.build import index_paths
from assistant.index.library import Library, WriteLock
from assistant.retrieve import Retriever

from .conftest import FIXTURES, ROOT, SAMPLES


def run_cli(*args, env_extra=None, cwd=ROOT):
    env = dict(os.environ, HF_HUB_OFFLINE="1", PYTHONPATH=str(ROOT))
    env.update(env_extra or {})
    return subprocess.run([sys.executable, "-m", "assistant", *map(str, args)], capture_output=True, text=True, env=env, cwd=cwd, timeout=600)


def test_sample_library_layout(sample_index, sample_library):
    names = sorted(p.name for p in sample_index.iterdir())
    assert "manifest.json" in names and "store.sqlite" in names
    assert any(n.startswith("vectors-") and n.endswith(".faiss") for n in names)
    assert not any(n.endswith((".pkl", ".pickle")) for n in names)
    m = json.loads((sample_index / "manifest.json").read_text())
    assert m["format_version"] == 1 and m["dim"] == 384 and m["normalized"] is True
    assert m["embedding_model"] == "sentence-transformers/all-MiniLM-L6-v2"
    assert m["caches"]["generation"] == sample_library.store.generation()
    docs = {d.name: d for d in sample_library.store.documents()}
    assert set(docs) >= {"hp3_pump_manual.pdf", "hp3_filter_procedure_zh.pdf", "conveyor_gearbox_oil_change.docx",
                         "proceedings_bearing_monitoring.pdf", "hp3_quick_reference.md", "substation_breaker_inspection.html"}
    assert docs["hp3_pump_manual.pdf"].pages == 6


def test_search_finds_page_and_section(retriever):
    hits = retriever.search("What torque for the filter housing cover on HP-3?", k=5)
    top = [h.chunk for h in hits]
    assert any(c.doc == "hp3_pump_manual.pdf" and "25 N·m" in c.text for c in top[:3])


def _mini_folder(tmp_path: Path) -> Path:
    d = tmp_path / "docs"
    d.mkdir()
    (d / "pump.md").write_text("# Pump P-7\n\n## Seal replacement\n\n1. Lock out the motor.\n2. Replace seal kit SK-77.\n", encoding="utf-8")
    (d / "fan.txt").write_text("Fan F-2 bearing check\n\nListen for noise. Grease with 5 g of EP2 grease every 2000 h.\n", encoding="utf-8")
    shutil.copy(SAMPLES / "hp3_quick_reference.md", d / "hp3_quick_reference.md")
    return d


def test_incremental_reindex(tmp_path, settings, embedder):
    docs = _mini_folder(tmp_path)
    lib_dir = tmp_path / "lib"
    r1 = index_paths([docs], settings, index_dir=lib_dir, progress=False, embedder=embedder, workers=1)
    assert len(r1.indexed) == 3 and not r1.failed and r1.embedded > 0

    r2 = index_paths([docs], settings, index_dir=lib_dir, progress=False, embedder=embedder, workers=1)
    assert r2.indexed == [] and len(r2.unchanged) == 3 and r2.embedded == 0 and r2.chunks == r1.chunks

    lib = Library.open(lib_dir, settings)
    old_ids = {c.id for c in lib.store.chunk_rows(list(range(1, 1000))).values() if c.doc == "pump.md"}
    lib.close()
    (docs / "pump.md").write_text("# Pump P-7\n\n## Seal replacement\n\n1. Lock out the motor.\n2. Replace seal kit SK-99 and torque to 12 N·m.\n", encoding="utf-8")
    (docs / "fan.txt").unlink()
    r3 = index_paths([docs], settings, index_dir=lib_dir, progress=False, embedder=embedder, workers=1)
    assert [Path(p).name for p in r3.indexed] == ["pump.md"]
    assert [Path(p).name for p in r3.removed] == ["fan.txt"]
    assert r3.embedded <= 2  # only the changed passage(s), the heading-only chunk is reused

    lib = Library.open(lib_dir, settings)
    rows = lib.store.chunk_rows(list(range(1, 1000))).values()
    pump = [c for c in rows if c.doc == "pump.md"]
    assert not ({c.id for c in pump} & old_ids - {c.id for c in pump if "SK-77" not in c.text})
    assert any("SK-99" in c.text for c in pump) and not any("SK-77" in c.text for c in pump)
    assert not any(c.doc == "fan.txt" for c in rows)
    hits = Retriever(lib, embedder=embedder).search("seal kit SK-99", k=3)
    assert hits[0].chunk.doc == "pump.md" and "SK-99" in hits[0].chunk.text
    lib.close()


def test_bad_files_are_reported_and_nothing_is_lost(tmp_path, settings, embedder):
    docs = _mini_folder(tmp_path)
    lib_dir = tmp_path / "lib"
    index_paths([docs], settings, index_dir=lib_dir, progress=False, embedder=embedder, workers=1)
    before = Library.open(lib_dir, settings)
    n_before = before.store.count_chunks()
    before.close()

    (docs / "empty.txt").write_bytes(b"")
    (docs / "truncated.pdf").write_bytes((SAMPLES / "hp3_pump_manual.pdf").read_bytes()[:2000])
    shutil.copy(FIXTURES / "encrypted.pdf", docs / "locked.pdf")
    (docs / "fake.pdf").write_text("this is plain text pretending to be a PDF", encoding="utf-8")
    (docs / "garbage.docx").write_bytes(os.urandom(4000))
    # a file that was indexed fine and is now broken keeps its old chunks
    (docs / "pump.md").write_bytes(b"\x00\x01\x02\x03" * 500)

    res = run_cli("index", docs, "--index", lib_dir, "--json", "--quiet", "--workers", "2")
    assert res.returncode == 3, res.stderr
    report = json.loads(res.stdout.strip().splitlines()[-1])
    reasons = {Path(f["path"]).name: f["error"] for f in report["failed"]}
    assert reasons["empty.txt"] == "empty file"
    assert "truncated" in reasons["truncated.pdf"]
    assert "password-protected" in reasons["locked.pdf"]
    assert "not a PDF" in reasons["fake.pdf"]
    assert "binary" in reasons["garbage.docx"] or "not a ZIP" in reasons["garbage.docx"]
    assert "binary" in reasons["pump.md"]
    assert len(report["unchanged"]) == 2 and report["indexed"] == []

    after = Library.open(lib_dir, settings)
    assert after.store.count_chunks() == n_before
    assert any(d.name == "pump.md" for d in after.store.documents())
    after.close()


def test_cli_exit_codes(tmp_path):
    lib_dir = tmp_path / "lib"
    bad = tmp_path / "bad.pdf"
    bad.write_bytes(b"")
    res = run_cli("index", bad, "--index", lib_dir, "--json", "--quiet")
    assert res.returncode == 1
    assert json.loads(res.stdout.strip().splitlines()[-1])["failed"][0]["error"] == "empty file"
    res = run_cli("index", "--index", lib_dir)
    assert res.returncode == 2 and "usage" in res.stderr
    res = run_cli("search", "anything", "--index", tmp_path / "nope")
    assert res.returncode == 1 and "not a library" in res.stderr


def test_cli_search_batch(sample_index, tmp_path):
    q = tmp_path / "q.jsonl"
    q.write_text(json.dumps({"id": "a", "question": "SF6 gas pressure alarm value"}) + "\n"
                 + json.dumps({"id": "b", "question": "滤壳拧紧力矩是多少？"}) + "\n", encoding="utf-8")
    res = run_cli("search", "--index", sample_index, "--queries", q, "-k", "3", "--jsonl")
    assert res.returncode == 0, res.stderr
    lines = [json.loads(x) for x in res.stdout.splitlines()]
    assert [x["id"] for x in lines] == ["a", "b"]
    for x in lines:
        assert len(x["hits"]) == 3 and x["ms"] > 0
        # page_label: where printed; unit: the chunks of the hit's unit, where it holds more than the match
        assert set(x["hits"][0]) - {"page_label", "unit"} == {"chunk_id", "doc", "page", "section", "score", "text"}
        for h in x["hits"]:
            assert h["chunk_id"] in [u["chunk_id"] for u in h.get("unit", [{"chunk_id": h["chunk_id"]}])]
    assert lines[0]["hits"][0]["doc"] == "substation_breaker_inspection.html"
    assert lines[1]["hits"][0]["doc"] == "hp3_filter_procedure_zh.pdf" and "25 N·m" in lines[1]["hits"][0]["text"]


def test_other_embedding_model_is_refused(sample_index, settings):
    with pytest.raises(ModelMismatch, match="was built with embedding model 'sentence-transformers/all-MiniLM-L6-v2'"):
        Library.open(sample_index, settings, model="intfloat/multilingual-e5-small")


def test_one_writer_at_a_time(tmp_path):
    tmp_path.mkdir(exist_ok=True)
    with WriteLock(tmp_path):
        with pytest.raises(LibraryLocked, match="another indexer"):
            with WriteLock(tmp_path):
                pass
    with WriteLock(tmp_path):  # released
        pass


def test_not_a_library_directory_is_not_clobbered(tmp_path, settings, embedder):
    d = tmp_path / "photos"
    d.mkdir()
    (d / "keep.jpg").write_bytes(b"jpeg")
    from assistant.errors import LibraryError

    with pytest.raises(LibraryError, match="not empty and is not a library"):
        index_paths([SAMPLES / "hp3_quick_reference.md"], settings, index_dir=d, progress=False, embedder=embedder)
    assert (d / "keep.jpg").read_bytes() == b"jpeg"


@pytest.mark.slow
def test_demo_command_indexes_samples_and_shows_answer_and_card(tmp_path):
    res = run_cli("demo", "--no-serve", "--llm", "none", "--index", tmp_path / "demo", cwd=tmp_path)
    assert res.returncode == 0, res.stderr[-2000:]
    assert "25 N·m" in res.stdout and "hp3_" in res.stdout  # a cited answer
    assert "WARNING" in res.stdout and "1. **" in res.stdout  # warnings and a numbered step card
