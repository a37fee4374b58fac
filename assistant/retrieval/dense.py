"""Dense vectors: inner product on normalised vectors.

Exact while small: one BLAS matrix-vector product over the stored matrix (memory-bound, and it
keeps one copy of the vectors). Beyond `IVF_THRESHOLD` passages a faiss IVF index, trained on
the vectors themselves, with its recall checked against the exact scan when it is built. A
filtered search always scans the allowed rows exactly, so a narrow filter never loses hits to
unprobed IVF lists.
"""
from __future__ import annotations

import numpy as np

IVF_THRESHOLD = 50_000


def top_rows(scores: np.ndarray, k: int) -> np.ndarray:
    """Row numbers of the k best scores, best first (argpartition: no full sort of 100k scores)."""
    if k >= len(scores):
        return np.argsort(-scores)
    part = np.argpartition(-scores, k)[:k]
    return part[np.argsort(-scores[part])]


class DenseIndex:
    def __init__(self, dim: int, model: str):
        self.dim = dim
        self.model = model
        self.ids = np.zeros(0, dtype=np.int64)
        self.vectors = np.zeros((0, dim), dtype=np.float32)
        self.ivf = None
        self.kind = "flat"
        self.recall: float | None = None

    def add(self, ids: np.ndarray, vectors: np.ndarray) -> None:
        if len(ids) == 0:
            return
        vectors = np.ascontiguousarray(vectors, dtype=np.float32).reshape(len(ids), self.dim)
        ids = np.asarray(ids, dtype=np.int64)
        if len(self.ids) == 0:
            self.ids, self.vectors = ids, vectors  # the first batch is taken as is, not copied
        else:
            self.ids = np.concatenate([self.ids, ids])
            self.vectors = np.vstack([self.vectors, vectors])
        if self.ivf is not None:
            self.ivf.add(vectors)

    def __len__(self) -> int:
        return len(self.ids)

    @property
    def nbytes(self) -> int:
        return int(self.vectors.nbytes)

    def build_ivf(self, nlist: int | None = None, nprobe: int = 16, sample: int = 200) -> float:
        """Switch to IVF; returns recall@10 of IVF against the exact scan on `sample` stored vectors."""
        import faiss

        n = len(self.ids)
        nlist = nlist or max(16, int(np.sqrt(n) * 2))
        quantizer = faiss.IndexFlatIP(self.dim)
        ivf = faiss.IndexIVFFlat(quantizer, self.dim, nlist, faiss.METRIC_INNER_PRODUCT)
        ivf.train(self.vectors)
        ivf.add(self.vectors)
        ivf.nprobe = nprobe
        rng = np.random.default_rng(0)
        probe = self.vectors[rng.choice(n, size=min(sample, n), replace=False)]
        exact = [set(top_rows(self.vectors @ q, 10)) for q in probe]
        _, approx = ivf.search(probe, 10)
        self.recall = sum(len(set(a) & e) for a, e in zip(approx, exact)) / (len(probe) * 10)
        self.ivf, self.kind = ivf, "ivf"
        return self.recall

    def search(self, query: np.ndarray, k: int, allowed: np.ndarray | None = None) -> list[tuple[int, float]]:
        """Top-k (passage id, cosine) for one query; `allowed` is a boolean mask over rows."""
        if len(self.ids) == 0:
            return []
        q = np.ascontiguousarray(query.reshape(-1), dtype=np.float32)
        if allowed is not None and allowed.sum() < len(self.ids):
            rows = np.flatnonzero(allowed)
            if len(rows) == 0:
                return []
            scores = self.vectors[rows] @ q
            return [(int(self.ids[rows[t]]), float(scores[t])) for t in top_rows(scores, k)]
        if self.ivf is not None:
            import faiss

            threads = faiss.omp_get_max_threads()
            faiss.omp_set_num_threads(1)  # one probe list scan per query: threads cost more than they save
            try:
                scores, rows = self.ivf.search(q.reshape(1, -1), min(k, len(self.ids)))
            finally:
                faiss.omp_set_num_threads(threads)
            return [(int(self.ids[r]), float(s)) for r, s in zip(rows[0], scores[0]) if r >= 0]
        scores = self.vectors @ q
        return [(int(self.ids[t]), float(scores[t])) for t in top_rows(scores, k)]
