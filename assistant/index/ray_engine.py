"""Distributed indexing on Ray Data (the [distributed] extra): files are parsed and chunked by Ray
tasks and embedded by a pool of model actors (GPU actors when the cluster has GPUs); the driver
commits each document into the library exactly as the single-process path does.

    assistant index --engine ray [--address ray://HOST:10001] manuals/ --index indexes/plant
"""
from __future__ import annotations

import dataclasses
import json
import os
from pathlib import Path
from typing import Iterator

import numpy as np

from ..errors import AssistantError, require
from ..types import Chunk


def _to_json(parsed) -> str:
    d = dataclasses.asdict(parsed)
    d["source"] = {"path": str(parsed.source.path), "name": parsed.source.name}
    return json.dumps(d, ensure_ascii=False)


def _from_json(s: str):
    from .build import Parsed, SourceFile

    d = json.loads(s)
    d["source"] = SourceFile(Path(d["source"]["path"]), d["source"]["name"])
    d["chunks"] = tuple(Chunk(**{**c, "section": tuple(c["section"]), "kinds": tuple(c["kinds"])}) for c in d["chunks"])
    d["ocr_pages"], d["tokens"] = tuple(d["ocr_pages"]), tuple(d["tokens"])
    return Parsed(**d)


class _Parse:
    """Ray Data row function: one file -> its parsed, chunked document as JSON."""

    def __init__(self, settings_json: str, max_tokens: int):
        from ..settings import Settings

        self.settings = Settings.model_validate_json(settings_json)
        self.max_tokens = max_tokens

    def __call__(self, row: dict) -> dict:
        from .build import SourceFile, parse_file

        src = SourceFile(Path(row["path"]), row["name"])
        return {"i": row["i"], "parsed": _to_json(parse_file(src, row["sha"], int(row["size"]), self.settings, self.max_tokens))}


class _Embed:
    """Ray Data batch actor: loads the embedding model once, embeds every chunk of a batch of documents."""

    def __init__(self, model: str, device: str, batch_size: int, quantize: str):
        from .embed import get_embedder

        self.embedder = get_embedder(model, device, batch_size, quantize)

    def __call__(self, batch: dict) -> dict:
        from .embed import text_hash

        texts, owners = [], []
        for k, s in enumerate(batch["parsed"]):
            for c in _from_json(s).chunks:
                texts.append(c.embed_text)
                owners.append(k)
        vecs = self.embedder.encode_passages(texts)
        per_doc: list[dict[str, str]] = [{} for _ in batch["parsed"]]
        for t, k, v in zip(texts, owners, vecs):
            per_doc[k][text_hash(t)] = v.astype(np.float32).tobytes().hex()
        return {"i": batch["i"], "parsed": batch["parsed"], "vectors": [json.dumps(d) for d in per_doc]}


def ray_stream(todo, settings, max_tokens: int, quantize: str, address: str | None) -> Iterator[tuple[object, dict]]:
    """Yield (Parsed, {text hash: vector}) in input order, computed on Ray."""
    ray = require("ray", "distributed")
    if not todo:
        return
    try:
        if not ray.is_initialized():
            ray.init(address=address or None, include_dashboard=False, ignore_reinit_error=True, logging_level="ERROR",
                     **({} if address else {"num_cpus": os.cpu_count()}))
    except Exception as exc:  # connection refused, version mismatch: say so plainly
        raise AssistantError(f"cannot start or reach Ray ({address or 'local'}): {exc}") from exc
    ctx = ray.data.DataContext.get_current()
    ctx.execution_options.preserve_order = True  # commit in the same order as the single-process path
    ctx.enable_progress_bars = False
    gpus = int(ray.cluster_resources().get("GPU", 0))
    cpus = max(1, int(ray.cluster_resources().get("CPU", 1)))
    items = [{"i": i, "path": str(s.path), "name": s.name, "sha": h, "size": n} for i, (s, h, n) in enumerate(todo)]
    ds = ray.data.from_items(items).map(_Parse, fn_constructor_args=(settings.model_dump_json(), max_tokens), concurrency=max(1, cpus - 1))
    device = "cuda" if gpus else "cpu"
    ds = ds.map_batches(_Embed, fn_constructor_args=(settings.embedding_model, device, settings.embed_batch_size, quantize),
                        batch_size=4, concurrency=max(1, gpus or min(2, cpus // 2)), num_gpus=1 if gpus else 0, batch_format="numpy")
    for row in ds.iter_rows():
        vectors = {h: np.frombuffer(bytes.fromhex(v), np.float32) for h, v in json.loads(row["vectors"]).items()}
        yield _from_json(row["parsed"]), vectors
