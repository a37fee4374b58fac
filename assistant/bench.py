"""`assistant bench …`: speed figures printed next to their goals, as a table and a JSON record."""
from __future__ import annotations

import json
import platform
import statistics
import time
from pathlib import Path

from .core import check_file

CORPUS_DIR = Path(__file__).resolve().parent.parent / "knowledge" / "corpus"
CORE_GOAL_MS = 100.0


def _machine() -> dict:
    import os

    return {"python": platform.python_version(), "cpus": os.cpu_count(), "machine": platform.machine()}


def bench_core(repeat: int = 20, files: list[Path] | None = None) -> dict:
    """Time `check` (read + parse + score + findings) per seed report, in-process."""
    files = files or sorted(CORPUS_DIR.glob("*.txt"))
    rows = []
    for f in files:
        check_file(f)  # warm caches (rule-set files, regexes)
        times = []
        for _ in range(repeat):
            t0 = time.perf_counter()
            check_file(f)
            times.append((time.perf_counter() - t0) * 1000)
        times.sort()
        rows.append({"file": f.name, "median_ms": round(statistics.median(times), 2),
                     "p95_ms": round(times[min(len(times) - 1, int(len(times) * 0.95))], 2),
                     "max_ms": round(times[-1], 2), "goal_ms": CORE_GOAL_MS,
                     "ok": statistics.median(times) <= CORE_GOAL_MS})
    return {"bench": "core", "repeat": repeat, "machine": _machine(), "results": rows}


def bench_retrieval(data_dir: Path, questions: Path, policy_dir: Path | None, embedder: str | None,
                    progress=None) -> dict:
    """Ingest the corpus, fill dense vectors, then score BM25, dense and hybrid on the questions."""
    from .retrieval.evaluate import evaluate, load_questions
    from .retrieval.knowledge_base import KnowledgeBase

    kb = KnowledgeBase(data_dir, embedder=embedder)
    paths = [CORPUS_DIR] + ([policy_dir] if policy_dir else [])
    t0 = time.perf_counter()
    ingest = kb.ingest(paths)
    lexical_s = time.perf_counter() - t0
    # the BM25 step alone: tokenise every stored passage and build the index
    rows = kb.store.query("SELECT id, heading, text FROM passages")
    t0 = time.perf_counter()
    from .retrieval.lexical import LexicalIndex
    from .retrieval.tokenize import tokens

    LexicalIndex.build([r["id"] for r in rows], [tokens(f"{r['heading']} {r['text']}") for r in rows], -1)
    bm25_s = time.perf_counter() - t0
    pending = kb.pending_vectors()
    t0 = time.perf_counter()
    filled = kb.fill_dense(progress=progress)
    fill_s = time.perf_counter() - t0
    stats = kb.stats()
    quality = evaluate(kb, load_questions(questions))
    kb.close()
    return {"bench": "retrieval", "machine": _machine(), "embedder": stats["embedder"],
            "documents": stats["documents"], "passages": stats["passages"],
            "ingest": {"new_passages": ingest.passages, "seconds_to_bm25_searchable": round(lexical_s, 3),
                       "passages_per_s": round(ingest.passages / lexical_s) if ingest.passages else None,
                       "bm25_step_passages_per_s": round(len(rows) / bm25_s) if rows else None,
                       "goal_passages_per_s": 2000},
            "dense_fill": {"passages": filled, "pending_before": pending, "seconds": round(fill_s, 2),
                           "passages_per_s": round(filled / fill_s, 2) if filled else None},
            "questions": len(load_questions(questions)), "results": quality}


REVIEW_GOAL_MS = 1000.0


def bench_review(data_dir: Path, policy_dir: Path | None, embedder: str | None, repeat: int = 3) -> dict:
    """Review each seed against the whole corpus (policies + seeds), in-process, with dense vectors."""
    from .retrieval.knowledge_base import KnowledgeBase
    from .review import review, sentence_index

    kb = KnowledgeBase(data_dir, embedder=embedder)
    kb.ingest([CORPUS_DIR] + ([policy_dir] if policy_dir else []))
    kb.fill_dense()
    stats = kb.stats()
    rows = []
    for f in sorted(CORPUS_DIR.glob("*.txt")):
        result = check_file(f)
        review(result, kb, sentence_index(kb.report_texts()))  # warm: index load, model load
        times = []
        for _ in range(repeat):
            t0 = time.perf_counter()
            review(result, kb, sentence_index(kb.report_texts()))
            times.append((time.perf_counter() - t0) * 1000)
        rows.append({"file": f.name, "median_ms": round(statistics.median(times), 1), "max_ms": round(max(times), 1),
                     "goal_ms": REVIEW_GOAL_MS, "ok": statistics.median(times) <= REVIEW_GOAL_MS})
    kb.close()
    return {"bench": "review", "repeat": repeat, "machine": _machine(), "embedder": stats["embedder"],
            "passages": stats["passages"], "results": rows}


def print_record(record: dict, as_json: bool) -> None:
    if as_json:
        print(json.dumps(record, ensure_ascii=False, indent=2))
        return
    if record["bench"] == "retrieval":
        _print_retrieval(record)
        return
    if record["bench"] == "review":
        print(f"基准：review（{record['passages']} 段，向量模型 {record['embedder']}，每份重复 {record['repeat']} 次）")
        for r in record["results"]:
            print(f"{r['file']:<28}{r['median_ms']:>10} ms（最大 {r['max_ms']}，目标 ≤ {r['goal_ms']}）"
                  f"  {'达标' if r['ok'] else '未达标'}")
        print(json.dumps(record, ensure_ascii=False))
        return
    print(f"基准：{record['bench']}（每项重复 {record['repeat']} 次，{record['machine']['cpus']} 核，"
          f"Python {record['machine']['python']}）")
    print(f"{'文件':<28}{'中位数ms':>10}{'p95 ms':>10}{'最大ms':>10}{'目标ms':>10}  结果")
    for r in record["results"]:
        print(f"{r['file']:<28}{r['median_ms']:>10}{r['p95_ms']:>10}{r['max_ms']:>10}{r['goal_ms']:>10}  "
              f"{'达标' if r['ok'] else '未达标'}")
    print(json.dumps(record, ensure_ascii=False))


def _print_retrieval(record: dict) -> None:
    ing, fill = record["ingest"], record["dense_fill"]
    print(f"基准：retrieval（{record['machine']['cpus']} 核，向量模型 {record['embedder']}，"
          f"{record['passages']} 段，{record['questions']} 个问题）")
    print(f"入库至可检索（读取+切分+BM25）：{ing['new_passages']} 段，{ing['seconds_to_bm25_searchable']} 秒，"
          f"{ing['passages_per_s']} 段/秒；其中 BM25 分词建索引 {ing['bm25_step_passages_per_s']} 段/秒"
          f"（目标 ≥ {ing['goal_passages_per_s']}）")
    print(f"向量填充：{fill['passages']} 段，{fill['seconds']} 秒，{fill['passages_per_s']} 段/秒")
    print(f"{'检索方式':<10}{'recall@1':>10}{'recall@5':>10}{'MRR':>8}{'p50 ms':>9}{'p95 ms':>9}")
    for name, r in record["results"].items():
        print(f"{name:<10}{r['recall@1']:>10}{r['recall@5']:>10}{r['mrr']:>8}{r['p50_ms']:>9}{r['p95_ms']:>9}")
    print(json.dumps(record, ensure_ascii=False))
