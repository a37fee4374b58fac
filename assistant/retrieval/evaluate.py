"""Retrieval quality on a question set: recall@1, recall@5 and MRR per retriever."""
from __future__ import annotations

import statistics
import time
from pathlib import Path

import yaml

from .knowledge_base import Hit, KnowledgeBase

RETRIEVERS = {"bm25": ("bm25",), "dense": ("dense",), "hybrid": ("bm25", "dense")}


def load_questions(path: str | Path) -> list[dict]:
    return yaml.safe_load(Path(path).read_text(encoding="utf-8"))["questions"]


def relevant(hit: Hit, question: dict) -> bool:
    return any(hit.source == r["source"] and r.get("contains", "") in hit.text for r in question["relevant"])


def evaluate(kb: KnowledgeBase, questions: list[dict], k: int = 10) -> dict[str, dict]:
    out = {}
    for name, retrievers in RETRIEVERS.items():
        ranks: list[int | None] = []
        times: list[float] = []
        for q in questions:
            kb.clear_query_cache()  # time the cold path: the dense and hybrid runs embed the same questions
            t0 = time.perf_counter()
            hits = kb.search(q["q"], k=k, retrievers=retrievers)
            times.append((time.perf_counter() - t0) * 1000)
            ranks.append(next((i for i, h in enumerate(hits, start=1) if relevant(h, q)), None))
        n = len(questions)
        times.sort()
        out[name] = {
            "recall@1": round(sum(1 for r in ranks if r == 1) / n, 3),
            "recall@5": round(sum(1 for r in ranks if r is not None and r <= 5) / n, 3),
            "mrr": round(sum(1 / r for r in ranks if r) / n, 3),
            "p50_ms": round(statistics.median(times), 2),
            "p95_ms": round(times[min(n - 1, int(n * 0.95))], 2),
            "misses": [q["q"] for q, r in zip(questions, ranks) if r is None or r > 5],
        }
    return out
