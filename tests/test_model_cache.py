"""Bundled model weights are checked against their sha256 once per installation, and a file that
differs is refused with the package to reinstall."""
from __future__ import annotations

import hashlib
import json
import os

import pytest

from assistant.errors import ModelNotAvailable
from assistant.index.model_cache import verify_sha256


def test_a_file_is_hashed_once_and_remembered(tmp_path):
    f = tmp_path / "weights.bin"
    f.write_bytes(b"weights" * 1000)
    digest = hashlib.sha256(f.read_bytes()).hexdigest()
    cache = tmp_path / "cache"
    assert verify_sha256(f, digest, "reinstall it", cache_dir=cache) == f
    memo = json.loads((cache / "verified-sha256.json").read_text())
    assert list(memo.values()) == [digest]
    # a change of content (new size and mtime) is hashed again and refused
    f.write_bytes(b"tampered" * 1000)
    os.utime(f, ns=(1, 1))
    with pytest.raises(ModelNotAvailable, match="reinstall it") as exc:
        verify_sha256(f, digest, "reinstall it", cache_dir=cache)
    assert hashlib.sha256(f.read_bytes()).hexdigest() in str(exc.value)


def test_the_bundled_embedding_weights_are_checked(tmp_path, monkeypatch):
    from assistant.index.embed import MINILM_SHA256, _resolve

    monkeypatch.setenv("ASSISTANT_CACHE_DIR", str(tmp_path))
    path = _resolve("minilm")
    memo = json.loads((tmp_path / "verified-sha256.json").read_text())
    assert any(k.startswith(os.path.realpath(path)) and v == MINILM_SHA256 for k, v in memo.items())
