"""Shared helpers for the benchmarks: where the dev data lives, timing, and the table + JSON output."""
from __future__ import annotations

import json
import os
import statistics
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("ASSISTANT_SHARED", ROOT.parent / "shared"))
SAMPLES = ROOT / "assistant" / "samples"

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


class Timer:
    def __enter__(self):
        self.t0 = time.perf_counter()
        return self

    def __exit__(self, *exc):
        self.seconds = time.perf_counter() - self.t0


def percentile(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))] if xs else float("nan")


def cpu_info() -> dict:
    """The CPU's model, core count and the vector features that pick kernels (AVX2, AVX-512, VNNI, bf16):
    figures from an AVX2-only EPYC and an AVX-512 Xeon differ, so every benchmark says which it ran on."""
    model, flags = "", set()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            key, _, value = line.partition(":")
            if key.strip() == "model name" and not model:
                model = value.strip()
            elif key.strip() == "flags" and not flags:
                flags = set(value.split())
    except OSError:
        import platform

        model = platform.processor()
    wanted = ("avx2", "fma", "avx512f", "avx512bw", "avx512vl", "avx512_vnni", "avx_vnni", "avx512_bf16", "amx_bf16", "amx_int8")
    return {"model": model, "cores": os.cpu_count(), "flags": [f for f in wanted if f in flags]}


def report(title: str, rows: list[tuple], header: tuple, result: dict) -> None:
    """Print a plain table, then one JSON line (what scripts parse), both with the CPU it ran on."""
    cpu = cpu_info()
    result = {**result, "cpu": result.get("cpu", cpu)}
    print(f"\nCPU: {cpu['model']}, {cpu['cores']} cores, {' '.join(cpu['flags']) or 'no AVX2'}")
    widths = [max(len(str(x)) for x in col) for col in zip(header, *rows)]
    print(f"\n{title}")
    print("  ".join(str(h).ljust(w) for h, w in zip(header, widths)))
    for r in rows:
        print("  ".join(str(x).ljust(w) for x, w in zip(r, widths)))
    print(json.dumps(result, ensure_ascii=False))


def median(xs):
    return statistics.median(xs) if xs else float("nan")


def open_mode(mode: str, index, args, bench: str):
    """An Assistant on `index` for a bench mode ("none", "local", "local@ctranslate2", "openai", a
    model path), its retriever loaded first, then its language model: (app, llm, load seconds).
    Exits with a clear message when a named model cannot be loaded."""
    import sys
    import time

    from assistant.app import Assistant
    from assistant.llm import backend_kind
    from assistant.settings import load_settings

    backend, _, engine = mode.partition("@")
    settings = load_settings(index_dir=index, llm=backend, llm_url=args.llm_url, llm_model=args.llm_model, llm_engine=engine or None)
    app = Assistant(settings)
    app.retriever  # noqa: B018 -- the library and its embedding models, before the language model is timed
    t0 = time.perf_counter()
    llm = app.llm
    load_s = time.perf_counter() - t0
    if llm is None and backend_kind(backend) != "none":
        sys.exit(f"{bench}: could not load the language model '{mode}' (see the warning above)")
    return app, llm, load_s
