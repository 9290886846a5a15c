"""Crash safety: SIGKILL of the indexer at random moments, a disk that fills up, concurrent readers."""
from __future__ import annotations

import json
import os
import random
import resource
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from assistant.index.build import index_paths
from assistant.index.library import Library
from assistant.retrieve import Retriever

from .conftest import ROOT, SAMPLES


def library_state(lib_dir: Path, settings) -> dict:
    """Chunk id -> (doc, page, text, vector checksum) for every chunk: what a clean build must equal."""
    lib = Library.open(lib_dir, settings)
    try:
        db = lib.store.db
        rows = db.execute("SELECT c.id, d.name, c.page, c.text, v.vec FROM chunks c JOIN documents d ON d.id=c.doc_id "
                          "JOIN vectors v ON v.text_hash=c.text_hash").fetchall()
        return {r[0]: (r[1], r[2], r[3], round(float(np.frombuffer(r[4], np.float32).sum()), 3)) for r in rows}
    finally:
        lib.close()


def generation(lib_dir: Path) -> int:
    """The store's commit counter, read without disturbing the writer."""
    import sqlite3

    try:
        db = sqlite3.connect(f"file:{lib_dir / 'store.sqlite'}?mode=ro", uri=True, timeout=1)
        try:
            row = db.execute("SELECT value FROM meta WHERE key='generation'").fetchone()
        finally:
            db.close()
        return int(row[0]) if row else 0
    except sqlite3.Error:
        return 0


def make_corpus(d: Path, n_notes: int = 12) -> Path:
    d.mkdir(parents=True)
    for p in SAMPLES.iterdir():
        if p.suffix in (".pdf", ".docx", ".md", ".html"):
            shutil.copy(p, d / p.name)
    rng = random.Random(7)
    for i in range(n_notes):
        steps = "\n".join(f"{j}. Check valve V{rng.randint(1, 99)} and tighten bolt M{rng.choice([8, 10, 12])} to {rng.randint(10, 90)} N·m."
                          for j in range(1, 8))
        (d / f"note_{i:02d}.md").write_text(f"# Work note {i}\n\n## Procedure {i}\n\n{steps}\n", encoding="utf-8")
    return d


def cli_env():
    return dict(os.environ, HF_HUB_OFFLINE="1", PYTHONPATH=str(ROOT), TOKENIZERS_PARALLELISM="false")


@pytest.mark.slow
def test_sigkill_at_random_points_then_rerun_equals_clean_build(tmp_path, settings, embedder):
    corpus = make_corpus(tmp_path / "docs")
    clean = tmp_path / "clean"
    index_paths([corpus], settings, index_dir=clean, progress=False, embedder=embedder, workers=1)
    expected = library_state(clean, settings)

    # the last good library every trial starts from: half of the corpus indexed (the same files, so
    # that a re-run keeps them; copies elsewhere would be other documents with chunks of their own)
    half = sorted(corpus.iterdir())[::2]
    base = tmp_path / "base"
    index_paths(half, settings, index_dir=base, progress=False, embedder=embedder, workers=1)
    base_state = library_state(base, settings)

    cmd = [sys.executable, "-m", "assistant", "index", str(corpus), "--index", "LIB", "--quiet", "--workers", "1"]
    base_gen = generation(base)
    to_commit = len(list(corpus.iterdir())) - len(half)

    rng = random.Random(20241123)
    outcomes = []
    for trial in range(20):
        lib_dir = tmp_path / f"trial{trial}"
        shutil.copytree(base, lib_dir)
        proc = subprocess.Popen([c.replace("LIB", str(lib_dir)) for c in cmd], env=cli_env(),
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        # kill after a random number of document commits (0 .. all of them, i.e. also while the caches
        # are written), plus a random fraction of a second
        target = base_gen + rng.randint(0, to_commit)
        while proc.poll() is None and generation(lib_dir) < target:
            time.sleep(0.01)
        time.sleep(rng.uniform(0, 0.4))
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            outcomes.append(f"killed at generation {generation(lib_dir)}")
        else:
            outcomes.append("finished")
        proc.wait()
        # the last good library is loadable and searchable: every chunk it serves is whole
        lib = Library.open(lib_dir, settings)
        state = library_state(lib_dir, settings)
        assert set(base_state) <= set(state) | {k for k, v in base_state.items() if v[0] not in {s[0] for s in state.values()}}
        hits = Retriever(lib, embedder=embedder).search("tighten the bolt", k=5)
        assert hits and all(h.chunk.text for h in hits)
        lib.close()
        # and a re-run completes to exactly the clean build
        rep = index_paths([corpus], settings, index_dir=lib_dir, progress=False, embedder=embedder, workers=1)
        assert not rep.failed
        assert library_state(lib_dir, settings) == expected, f"trial {trial} ({outcomes[-1]})"
        shutil.rmtree(lib_dir)
    assert sum(o.startswith("killed") for o in outcomes) >= 15, outcomes


def test_disk_full_is_a_clear_error_and_the_library_survives(tmp_path, settings, embedder):
    corpus = make_corpus(tmp_path / "docs", n_notes=2)
    lib_dir = tmp_path / "lib"
    index_paths([SAMPLES / "hp3_quick_reference.md"], settings, index_dir=lib_dir, progress=False, embedder=embedder)
    before = library_state(lib_dir, settings)

    def small_disk():  # every file write past 200 KB fails as on a full disk
        resource.setrlimit(resource.RLIMIT_FSIZE, (200_000, 200_000))
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)

    res = subprocess.run([sys.executable, "-m", "assistant", "index", str(corpus), str(SAMPLES / "hp3_quick_reference.md"),
                          "--index", str(lib_dir), "--quiet"], env=cli_env(), capture_output=True, text=True,
                         preexec_fn=small_disk, timeout=600)
    assert res.returncode == 1, res.stderr
    assert "cannot write to the library" in res.stderr and ("disk full" in res.stderr or "disk may be full" in res.stderr)
    after = library_state(lib_dir, settings)
    assert set(before) <= set(after)  # nothing that was there is lost
    lib = Library.open(lib_dir, settings)
    assert Retriever(lib, embedder=embedder).search("daily checks", k=3)
    lib.close()


def test_searches_during_indexing_never_fail(tmp_path, settings, embedder):
    corpus = make_corpus(tmp_path / "docs", n_notes=30)
    lib_dir = tmp_path / "lib"
    index_paths([SAMPLES / "hp3_quick_reference.md"], settings, index_dir=lib_dir, progress=False, embedder=embedder)
    lib = Library.open(lib_dir, settings)
    retriever = Retriever(lib, embedder=embedder)
    errors, seen_generations = [], set()
    done = threading.Event()

    def search_loop():
        while not done.is_set():
            try:
                hits = retriever.search("tighten bolt valve", k=5)
                seen_generations.add(lib.snapshot().generation)
                assert all(h.chunk.text for h in hits)
            except Exception as exc:  # noqa: BLE001 - any failure is the finding
                errors.append(repr(exc))

    t = threading.Thread(target=search_loop)
    t.start()
    try:
        index_paths([corpus, SAMPLES / "hp3_quick_reference.md"], settings, index_dir=lib_dir, progress=False, embedder=embedder, workers=1)
    finally:
        done.set()
        t.join()
    assert not errors, errors[:3]
    assert len(seen_generations) >= 2  # the reader moved from the old state to newer ones
    final = retriever.search("Work note 29 procedure", k=3)
    assert any(h.chunk.doc == "note_29.md" for h in final)
    lib.close()


def test_read_only_library_is_a_clear_error_and_stays_intact(tmp_path, settings, embedder):
    """A library on a read-only file system: one clear error line, the library unchanged. The
    indexer runs in its own mount namespace where the library directory is bind-mounted read-only
    (root ignores file permissions, so chmod would prove nothing)."""
    if not shutil.which("unshare") or subprocess.run(["unshare", "-r", "-m", "true"], capture_output=True).returncode:
        pytest.skip("needs `unshare -r -m` (user and mount namespaces) to mount the library read-only")
    lib_dir = tmp_path / "lib"
    index_paths([SAMPLES / "hp3_quick_reference.md"], settings, index_dir=lib_dir, progress=False, embedder=embedder)
    before = library_state(lib_dir, settings)
    note = tmp_path / "note.md"
    note.write_text("# Pump P-9\n\n1. Replace seal kit SK-12.\n", encoding="utf-8")
    script = (f'mount --bind -o ro "{lib_dir}" "{lib_dir}" && exec "{sys.executable}" -m assistant index "{note}" '
              f'--index "{lib_dir}" --quiet')
    res = subprocess.run(["unshare", "-r", "-m", "sh", "-c", script], env=cli_env(), capture_output=True, text=True, timeout=600)
    assert res.returncode == 1, (res.returncode, res.stderr[-2000:])
    assert res.stderr.startswith("error: ") and "Traceback" not in res.stderr, res.stderr[-2000:]
    assert "read-only" in res.stderr, res.stderr
    assert library_state(lib_dir, settings) == before
    lib = Library.open(lib_dir, settings)
    assert Retriever(lib, embedder=embedder).search("daily checks", k=3)
    lib.close()
