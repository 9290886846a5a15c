"""The FAISS index, sized to the library: exact inner product while small, IVF with 8-bit scalar
quantisation past `exact_index_max` vectors. Ids are the chunk rowids of the SQLite store."""
from __future__ import annotations

import math
from pathlib import Path

import numpy as np

SMALL_BATCH = 4  # up to this many queries are searched on the calling thread alone (see VectorIndex.search)


class VectorIndex:
    def __init__(self, index, kind: str):
        self.index = index
        self.kind = kind

    @property
    def size(self) -> int:
        return int(self.index.ntotal)

    @classmethod
    def build(cls, ids: np.ndarray, vecs: np.ndarray, dim: int, exact_max: int = 200_000, nprobe: int = 24,
              unique_ids: bool = True) -> "VectorIndex":
        """`unique_ids=False` for several vectors under one id (a chunk's sentences)."""
        import faiss

        n = len(ids)
        if n <= exact_max:
            index = faiss.IndexIDMap2(faiss.IndexFlatIP(dim)) if unique_ids else faiss.IndexIDMap(faiss.IndexFlatIP(dim))
            kind = "flat"
        else:
            nlist = int(min(65536, max(64, 4 * math.sqrt(n))))
            quantizer = faiss.IndexFlatIP(dim)
            index = faiss.IndexIVFScalarQuantizer(quantizer, dim, nlist, faiss.ScalarQuantizer.QT_8bit, faiss.METRIC_INNER_PRODUCT)
            rng = np.random.default_rng(0)
            sample = vecs[rng.choice(n, size=min(n, nlist * 64), replace=False)]
            index.train(sample)
            index.nprobe = nprobe
            kind = f"ivf{nlist},sq8"
        if n:
            index.add_with_ids(np.ascontiguousarray(vecs, dtype=np.float32), np.ascontiguousarray(ids, dtype=np.int64))
        return cls(index, kind)

    def save(self, path: Path) -> None:
        import faiss

        faiss.write_index(self.index, str(path))

    @classmethod
    def load(cls, path: Path, kind: str) -> "VectorIndex":
        import faiss

        index = faiss.read_index(str(path))
        if hasattr(index, "nprobe"):
            index.nprobe = max(index.nprobe, 24)
        return cls(index, kind)

    def search(self, queries: np.ndarray, k: int, allowed: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """(scores, ids) of shape [len(queries), k]; ids are -1 where fewer than k match."""
        import faiss

        q = np.ascontiguousarray(queries, dtype=np.float32).reshape(-1, self.index.d)
        if self.size == 0:
            return np.zeros((len(q), k), np.float32), -np.ones((len(q), k), np.int64)
        params = None
        if allowed is not None:
            sel = faiss.IDSelectorBatch(np.ascontiguousarray(allowed, dtype=np.int64))
            params = faiss.SearchParametersIVF(sel=sel, nprobe=self.index.nprobe) if hasattr(self.index, "nprobe") else faiss.SearchParameters(sel=sel)
        if len(q) > SMALL_BATCH:
            return self.index.search(q, k, params=params)
        # a question or two: one thread scans faster than a team of OpenMP threads starts, and on busy
        # cores (the question's encoders, other requests) waiting for a team costs milliseconds
        # (1 query over 4,300 flat vectors: 0.1 ms on one thread, 8 ms with two on loaded cores)
        threads = faiss.omp_get_max_threads()
        faiss.omp_set_num_threads(1)  # this thread's OpenMP setting only, put back below
        try:
            return self.index.search(q, k, params=params)
        finally:
            faiss.omp_set_num_threads(threads)
