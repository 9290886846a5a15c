"""Bundled models assembled once into the cache directory: a directory is ready when its
`assistant-model.json` names the expected source and layout; building it runs under a file lock (a
second process waits, then finds it ready) and writes to a temporary name that is renamed at the end,
so a crash never leaves a half-written model behind."""
from __future__ import annotations

import fcntl
import json
from pathlib import Path
from typing import Callable

META = "assistant-model.json"


def ready(dest: Path, **expected) -> bool:
    try:
        meta = json.loads((dest / META).read_text())
    except (OSError, ValueError):
        return False
    return all(meta.get(k) == v for k, v in expected.items())


def write_meta(directory: Path, **meta) -> None:
    (directory / META).write_text(json.dumps(meta))


def build_once(dest: Path, lock_path: Path, build: Callable[[], None], **expected) -> Path:
    """`dest` when ready, else `build()` (which must end with `dest` in place) under the lock."""
    if ready(dest, **expected):
        return dest
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with open(lock_path, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            if not ready(dest, **expected):
                build()
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
    return dest
