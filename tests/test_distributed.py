"""Distributed indexing on a local Ray with 2 CPUs gives the same library as the single-process path."""
from __future__ import annotations

import numpy as np
import pytest

from assistant.index.build import index_paths
from assistant.index.library import Library

from .conftest import SAMPLES

ray = pytest.importorskip("ray", reason="the [distributed] extra (ray[data]) is installed in CI")


def chunks_and_vectors(lib_dir, settings):
    lib = Library.open(lib_dir, settings)
    rows = lib.store.db.execute(
        "SELECT c.id, d.name, c.page, c.section, c.start, c.end, c.text, c.tokens, v.vec FROM chunks c "
        "JOIN documents d ON d.id=c.doc_id JOIN vectors v ON v.text_hash=c.text_hash").fetchall()
    lib.close()
    return {r[0]: r[1:8] for r in rows}, {r[0]: np.frombuffer(r[8], np.float32) for r in rows}


@pytest.mark.slow
def test_ray_engine_matches_single_process(tmp_path):
    from assistant.settings import Settings

    # fp32: int8 dynamic quantisation scales activations per batch, so its vectors depend (cos >= 0.98)
    # on which passages share a batch; fp32 vectors must match to float precision
    settings = Settings(llm="none", embed_quantize="none")
    local, distributed = tmp_path / "local", tmp_path / "ray"
    ray.init(num_cpus=2, include_dashboard=False, logging_level="ERROR")
    try:
        r1 = index_paths([SAMPLES], settings, index_dir=local, progress=False, workers=1)
        r2 = index_paths([SAMPLES], settings, index_dir=distributed, progress=False, engine="ray")
    finally:
        ray.shutdown()
    assert not r1.failed and not r2.failed and r1.chunks == r2.chunks
    c1, v1 = chunks_and_vectors(local, settings)
    c2, v2 = chunks_and_vectors(distributed, settings)
    assert c1 == c2  # same chunk ids, documents, pages, sections, spans, texts and tokens
    for k in v1:
        np.testing.assert_allclose(v1[k], v2[k], atol=2e-5)
    # incremental: a second ray run changes nothing
    ray.init(num_cpus=2, include_dashboard=False, logging_level="ERROR")
    try:
        r3 = index_paths([SAMPLES], settings, index_dir=distributed, progress=False, engine="ray")
    finally:
        ray.shutdown()
    assert r3.indexed == [] and r3.embedded == 0
