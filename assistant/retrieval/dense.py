"""Dense vectors in faiss: inner product on normalised vectors.

Flat while small (exact); an IVF index beyond `IVF_THRESHOLD` passages, trained on the vectors
themselves, with recall checked against the flat scan when it is built. Single queries search
with one thread: on 2 cores, two threads are slower per query.
"""
from __future__ import annotations

import numpy as np

IVF_THRESHOLD = 50_000


class DenseIndex:
    def __init__(self, dim: int, model: str):
        import faiss

        self._faiss = faiss
        self.dim = dim
        self.model = model
        self.ids = np.zeros(0, dtype=np.int64)
        self.vectors = np.zeros((0, dim), dtype=np.float32)
        self.index = faiss.IndexFlatIP(dim)
        self.kind = "flat"
        self.recall: float | None = None

    def add(self, ids: np.ndarray, vectors: np.ndarray) -> None:
        if len(ids) == 0:
            return
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        self.ids = np.concatenate([self.ids, np.asarray(ids, dtype=np.int64)])
        self.vectors = np.vstack([self.vectors, vectors])
        if self.kind == "flat":
            self.index.add(vectors)
        else:
            self.index.add(vectors)

    def __len__(self) -> int:
        return len(self.ids)

    def build_ivf(self, nlist: int | None = None, nprobe: int = 16, sample: int = 200) -> float:
        """Switch to IVF; returns recall@10 of IVF against the flat scan on `sample` stored vectors."""
        faiss = self._faiss
        n = len(self.ids)
        nlist = nlist or max(16, int(np.sqrt(n) * 2))
        quantizer = faiss.IndexFlatIP(self.dim)
        ivf = faiss.IndexIVFFlat(quantizer, self.dim, nlist, faiss.METRIC_INNER_PRODUCT)
        ivf.train(self.vectors)
        ivf.add(self.vectors)
        ivf.nprobe = nprobe
        rng = np.random.default_rng(0)
        probe = self.vectors[rng.choice(n, size=min(sample, n), replace=False)]
        _, exact = self.index.search(probe, 10)
        _, approx = ivf.search(probe, 10)
        hits = sum(len(set(a) & set(e)) for a, e in zip(approx, exact))
        self.recall = hits / (len(probe) * 10)
        self.index, self.kind = ivf, "ivf"
        return self.recall

    def search(self, query: np.ndarray, k: int, allowed: np.ndarray | None = None) -> list[tuple[int, float]]:
        """Top-k (passage id, cosine) for one query; `allowed` is a boolean mask over rows."""
        if len(self.ids) == 0:
            return []
        q = np.ascontiguousarray(query.reshape(1, -1), dtype=np.float32)
        if allowed is not None and allowed.sum() < len(self.ids):
            rows = np.flatnonzero(allowed)
            if len(rows) == 0:
                return []
            scores = self.vectors[rows] @ q[0]  # a filtered subset: exact scan of just those rows
            top = np.argsort(-scores)[:k]
            return [(int(self.ids[rows[t]]), float(scores[t])) for t in top]
        threads = self._faiss.omp_get_max_threads()
        self._faiss.omp_set_num_threads(1)
        try:
            scores, rows = self.index.search(q, min(k, len(self.ids)))
        finally:
            self._faiss.omp_set_num_threads(threads)
        return [(int(self.ids[r]), float(s)) for r, s in zip(rows[0], scores[0]) if r >= 0]
