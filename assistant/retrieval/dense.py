"""Dense vectors: inner product on normalised vectors.

Exact while small: one BLAS matrix-vector product over the stored matrix (memory-bound, and it
keeps one copy of the vectors). Beyond `IVF_THRESHOLD` passages a faiss IVF index, trained on
the vectors themselves, with its recall checked against the exact scan when it is built, and
saved so that the next start loads it instead of training again while the vectors are the same. A
filtered search always scans the allowed rows exactly, so a narrow filter never loses hits to
unprobed IVF lists.
"""
from __future__ import annotations

import json
import os
import threading
from pathlib import Path

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
        # (ids, vectors) views over buffers with spare capacity, swapped as one tuple: a search on
        # another thread always reads a matching pair, and rows below len() never change
        self._ids_buf = np.zeros(0, dtype=np.int64)
        self._buf = np.zeros((0, dim), dtype=np.float32)
        self._view = (self._ids_buf, self._buf)
        self._ivf_lock = threading.Lock()  # faiss indexes may not be searched while they grow
        self.ivf = None
        self.kind = "flat"
        self.recall: float | None = None

    @property
    def ids(self) -> np.ndarray:
        return self._view[0]

    @property
    def vectors(self) -> np.ndarray:
        return self._view[1]

    def reserve(self, capacity: int) -> None:
        if capacity <= len(self._buf):
            return
        ids, vectors = self._view
        n = len(ids)
        buf = np.empty((capacity, self.dim), dtype=np.float32)
        ids_buf = np.empty(capacity, dtype=np.int64)
        buf[:n], ids_buf[:n] = vectors, ids
        self._buf, self._ids_buf = buf, ids_buf
        self._view = (ids_buf[:n], buf[:n])

    def add(self, ids: np.ndarray, vectors: np.ndarray) -> None:
        """Append vectors (new passages, or a background fill's next batch): amortised, no full copy."""
        if len(ids) == 0:
            return
        vectors = np.ascontiguousarray(vectors, dtype=np.float32).reshape(len(ids), self.dim)
        n, m = len(self.ids), len(ids)
        if n + m > len(self._buf):
            self.reserve(max(n + m, 2 * len(self._buf), 1024))
        self._buf[n:n + m], self._ids_buf[n:n + m] = vectors, ids
        self._view = (self._ids_buf[:n + m], self._buf[:n + m])
        if self.ivf is not None:
            with self._ivf_lock:
                self.ivf.add(vectors)

    def __len__(self) -> int:
        return len(self.ids)

    @property
    def nbytes(self) -> int:
        return int(self.vectors.nbytes)

    def build_ivf(self, nlist: int | None = None, nprobe: int = 16, sample: int = 200) -> float:
        """Switch to IVF; returns recall@10 of IVF against the exact scan on `sample` stored vectors."""
        import faiss

        ids, vectors = self._view
        n = len(ids)
        nlist = nlist or max(16, int(np.sqrt(n) * 2))
        quantizer = faiss.IndexFlatIP(self.dim)
        ivf = faiss.IndexIVFFlat(quantizer, self.dim, nlist, faiss.METRIC_INNER_PRODUCT)
        ivf.train(vectors)
        ivf.add(vectors)
        ivf.nprobe = nprobe
        # one thread per query from here on: a single probe scan gains nothing from threads, and the
        # setting is process-wide, so toggling it around each search would race between searches
        faiss.omp_set_num_threads(1)
        rng = np.random.default_rng(0)
        probe = vectors[rng.choice(n, size=min(sample, n), replace=False)]
        exact = [set(top_rows(vectors @ q, 10)) for q in probe]
        _, approx = ivf.search(probe, 10)
        self.recall = sum(len(set(a) & e) for a, e in zip(approx, exact)) / (len(probe) * 10)
        self.ivf, self.kind = ivf, "ivf"
        return self.recall

    def save_ivf(self, path: Path, stamp: str) -> None:
        """The trained IVF index beside the other index files, written whole or not at all;
        `stamp` says which stored vectors it holds (see `load_ivf`)."""
        import faiss

        if self.ivf is None:
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".tmp")
        with self._ivf_lock:
            faiss.write_index(self.ivf, str(tmp))
        meta = {"stamp": stamp, "rows": len(self.ids), "model": self.model, "recall": self.recall}
        tmp_meta = path.with_name(path.name + ".json.tmp")
        tmp_meta.write_text(json.dumps(meta), encoding="utf-8")
        os.replace(tmp, path)
        os.replace(tmp_meta, path.with_name(path.name + ".json"))

    def load_ivf(self, path: Path, stamp: str, nprobe: int = 16) -> bool:
        """Use a saved IVF index when it was made from exactly these vectors (same stamp, rows and
        model); False when there is none or it is stale, so the caller trains a new one."""
        meta_path = path.with_name(path.name + ".json")
        try:
            meta = json.loads(meta_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return False
        if meta.get("stamp") != stamp or meta.get("rows") != len(self.ids) or meta.get("model") != self.model:
            return False
        import faiss

        try:
            ivf = faiss.read_index(str(path))
        except RuntimeError:  # a damaged file: train again rather than fail the search
            return False
        if ivf.ntotal != len(self.ids) or ivf.d != self.dim:
            return False
        ivf.nprobe = nprobe
        faiss.omp_set_num_threads(1)  # as in build_ivf
        self.ivf, self.kind, self.recall = ivf, "ivf", meta.get("recall")
        return True

    def search(self, query: np.ndarray, k: int, allowed: np.ndarray | None = None) -> list[tuple[int, float]]:
        """Top-k (passage id, cosine) for one query; `allowed` is a boolean mask over the first rows
        (rows added after the mask was made are left out)."""
        ids, vectors = self._view
        if len(ids) == 0:
            return []
        q = np.ascontiguousarray(query.reshape(-1), dtype=np.float32)
        if allowed is not None and (len(allowed) < len(ids) or allowed.sum() < len(ids)):
            rows = np.flatnonzero(allowed)
            if len(rows) == 0:
                return []
            scores = vectors[rows] @ q
            return [(int(ids[rows[t]]), float(scores[t])) for t in top_rows(scores, k)]
        if self.ivf is not None:
            with self._ivf_lock:
                scores, rows = self.ivf.search(q.reshape(1, -1), min(k, len(ids)))
            return [(int(ids[r]), float(s)) for r, s in zip(rows[0], scores[0]) if 0 <= r < len(ids)]
        scores = vectors @ q
        return [(int(ids[t]), float(scores[t])) for t in top_rows(scores, k)]
