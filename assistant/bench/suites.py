"""`assistant bench [core|ingest|retrieval|server|review|scale|interview|parse|turns|all]`: speed figures next to their bounds.

Every record carries a `summary`: one row per figure with the goal or reference it is judged
against, measured in the same run (these machines are noisy; an absolute time alone means little).
The table is printed for people; the JSON record (last line, or alone with --json) for tools.
"""
from __future__ import annotations

import json
import os
import platform
import statistics
import time
from pathlib import Path

from ..core import check_file
from .measures import percentiles

ROOT = Path(__file__).resolve().parent.parent.parent
CORPUS_DIR = ROOT / "knowledge" / "corpus"
CORE_GOAL_MS = 100.0
DRAFT_GOAL_MS = 1000.0
REVIEW_GOAL_MS = 1000.0
FILL_OVERHEAD_GOAL = 0.20


def machine() -> dict:
    """What the figures were measured on."""
    info = {"python": platform.python_version(), "cpus": os.cpu_count(), "machine": platform.machine(),
            "system": platform.system()}
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                info["cpu"] = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                info["memory_gb"] = round(int(line.split()[1]) / 1024 / 1024, 1)
                break
    except OSError:
        pass
    return info


def row(figure: str, value, unit: str, bound=None, kind: str = "goal", lower_is_better: bool = True) -> dict:
    """One line of the summary table; `kind` is goal (must hold) or reference (what to compare with)."""
    ok = None
    if bound is not None and value is not None and kind == "goal":
        ok = value <= bound if lower_is_better else value >= bound
    return {"figure": figure, "value": value, "unit": unit, "bound": bound, "kind": kind,
            "better": "lower" if lower_is_better else "higher", "ok": ok}


# ------------------------------------------------------------------------------------------------ core


def bench_core(repeat: int = 20, files: list[Path] | None = None, kb=None) -> dict:
    """`check` per seed report (read + parse + score + findings); `draft` per report when a knowledge base is given."""
    from ..compose import compose_draft

    files = files or sorted(CORPUS_DIR.glob("*.txt"))
    rows, summary = [], []
    for f in files:
        check_file(f)  # warm caches (rule-set files, regexes)
        times = []
        for _ in range(repeat):
            t0 = time.perf_counter()
            result = check_file(f)
            times.append((time.perf_counter() - t0) * 1000)
        entry = {"file": f.name, **{f"check_{k}": v for k, v in percentiles(times).items()}, "check_max_ms": round(max(times), 2)}
        if kb is not None:
            kb.clear_query_cache()
            t0 = time.perf_counter()
            compose_draft(result, precedents=kb)  # cold: every section query is embedded
            entry["draft_cold_ms"] = round((time.perf_counter() - t0) * 1000, 1)
            warm = []
            for _ in range(max(1, repeat // 4)):
                t0 = time.perf_counter()
                compose_draft(result, precedents=kb)
                warm.append((time.perf_counter() - t0) * 1000)
            entry["draft_warm_ms"] = round(statistics.median(warm), 1)
        rows.append(entry)
    summary.append(row("check 每份报告 p95（最慢的一份）", max(r["check_p95_ms"] for r in rows), "ms", CORE_GOAL_MS))
    if kb is not None:
        summary.append(row("draft 每份报告（冷，最慢的一份）", max(r["draft_cold_ms"] for r in rows), "ms", DRAFT_GOAL_MS))
        summary.append(row("draft 每份报告（热，最慢的一份）", max(r["draft_warm_ms"] for r in rows), "ms", DRAFT_GOAL_MS))
    return {"bench": "core", "repeat": repeat, "machine": machine(), "results": rows, "summary": summary}


# ---------------------------------------------------------------------------------------------- ingest


def bench_ingest(workdir: Path, policy_dir: Path | None, embedder: str | None, synthetic: int = 10_000,
                 fill_sample: int = 96) -> dict:
    """Passages/s to BM25-searchable (real corpus, and a synthetic corpus in a fresh process), and the
    dense fill against the embedder's raw speed on the same passages."""
    from concurrent.futures import ProcessPoolExecutor
    from multiprocessing import get_context

    from ..retrieval.knowledge_base import KnowledgeBase
    from .scale_corpus import base_passages, ingest_files, write_synthetic_corpus

    paths = [CORPUS_DIR] + ([policy_dir] if policy_dir else [])
    kb = KnowledgeBase(workdir / "real", embedder=embedder)
    t0 = time.perf_counter()
    real = kb.ingest(paths)
    real_s = time.perf_counter() - t0
    files = write_synthetic_corpus(workdir / "synthetic", base_passages(kb.store), synthetic)
    with ProcessPoolExecutor(max_workers=1, mp_context=get_context("spawn")) as pool:
        syn = pool.submit(ingest_files, str(workdir / "synthetic_data"), [str(f) for f in files]).result()
    record = {"bench": "ingest", "machine": machine(),
              "real": {"passages": real.passages, "seconds": round(real_s, 2),
                       "passages_per_s": round(real.passages / real_s)},
              "synthetic": {"passages": syn["passages"], "files": len(files), "seconds": round(syn["seconds"], 2),
                            "passages_per_s": round(syn["passages"] / syn["seconds"]), "peak_rss_mb": syn["peak_rss_mb"]}}
    summary = [row(f"入库至 BM25 可检索（合成 {syn['passages']} 段）", record["synthetic"]["passages_per_s"], "段/秒", 2000,
                   lower_is_better=False),
               row(f"入库至 BM25 可检索（真实语料 {real.passages} 段，含启动开销）", record["real"]["passages_per_s"], "段/秒",
                   None, kind="reference")]
    emb = kb.embedder
    if emb is not None:
        rows = kb.pending_batch(fill_sample)
        texts = [f"{r['heading']}\n{r['text']}" if r["heading"] else r["text"] for r in rows]
        emb.embed_passages(texts[:2])  # warm the model
        t0 = time.perf_counter()
        for k in range(0, len(texts), 16):  # the fill's batch size
            emb.embed_passages(texts[k:k + 16])
        raw_s = time.perf_counter() - t0
        done = {"n": 0}

        def count(n: int) -> None:
            done["n"] += n

        t0 = time.perf_counter()
        kb.fill_dense(batch_size=16, progress=count, should_stop=lambda: done["n"] >= len(rows))
        fill_s = time.perf_counter() - t0
        overhead = fill_s / raw_s - 1
        record["dense_fill"] = {"embedder": emb.name, "passages": done["n"], "raw_s": round(raw_s, 4),
                                "fill_s": round(fill_s, 4), "raw_passages_per_s": round(len(rows) / raw_s, 2),
                                "fill_passages_per_s": round(done["n"] / fill_s, 2), "overhead": round(overhead, 3)}
        summary.append(row("向量填充速度", record["dense_fill"]["fill_passages_per_s"], "段/秒",
                           record["dense_fill"]["raw_passages_per_s"], kind="reference", lower_is_better=False))
        summary.append(row("向量填充相对模型裸速的额外开销", round(overhead * 100, 1), "%", FILL_OVERHEAD_GOAL * 100))
    kb.close()
    record["summary"] = summary
    return record


# ------------------------------------------------------------------------------------------- retrieval


def bench_retrieval(data_dir: Path, questions: Path, policy_dir: Path | None, embedder: str | None,
                    progress=None) -> tuple[dict, object]:
    """Ingest the real corpus, fill dense vectors, score BM25, dense and hybrid on the questions.

    Returns the record and the open knowledge base (its vectors seed the scale bench)."""
    from ..retrieval.evaluate import evaluate, load_questions
    from ..retrieval.knowledge_base import KnowledgeBase

    kb = KnowledgeBase(data_dir, embedder=embedder)
    kb.ingest([CORPUS_DIR] + ([policy_dir] if policy_dir else []))
    t0 = time.perf_counter()
    filled = kb.fill_dense(progress=progress)
    fill_s = time.perf_counter() - t0
    stats = kb.stats()
    quality = evaluate(kb, load_questions(questions))
    record = {"bench": "retrieval", "machine": machine(), "embedder": stats["embedder"],
              "documents": stats["documents"], "passages": stats["passages"],
              "dense_fill": {"passages": filled, "seconds": round(fill_s, 2),
                             "passages_per_s": round(filled / fill_s, 2) if filled else None},
              "questions": len(load_questions(questions)), "results": quality}
    record["summary"] = [row(f"{name} recall@5（{record['questions']} 个问题）", r["recall@5"], "", None, kind="reference")
                         for name, r in quality.items()]
    return record, kb


def scale_summary(record: dict) -> list[dict]:
    out = [row("读带宽（2 线程）", record["read_bandwidth_gbs"], "GB/s", None, kind="reference")]
    for r in record["results"]:
        n = f"{r['passages'] // 1000}k"
        out += [
            row(f"{n} 混合检索 p95（冷查询，含向量化）", r["hybrid"]["p95_ms"], "ms", r["goal_hybrid_p95_ms"]),
            row(f"{n} 查询向量化 p95（同一次运行）", r["embedding"]["p95_ms"], "ms", r["goal_hybrid_p95_ms"], kind="reference"),
            row(f"{n} 混合检索 p95（查询向量已缓存）", r["hybrid_cached"]["p95_ms"], "ms", r["goal_hybrid_p95_ms"]),
            row(f"{n} 仅 BM25 p95", r["bm25"]["p95_ms"], "ms", None, kind="reference"),
            row(f"{n} 仅向量 p95（含向量化）", r["dense"]["p95_ms"], "ms", None, kind="reference"),
            row(f"{n} 精确扫描 p50（单线程；双线程带宽下限 {r['exact_scan_bound_ms']} ms）", r["exact_scan"]["p50_ms"], "ms",
                r["exact_scan_bound_1t_ms"], kind="reference"),
        ]
        if r.get("ivf_scan"):
            shape = "" if record["vectors"].startswith("real") else "；随机向量，召回率无意义"
            out.append(row(f"{n} IVF 扫描 p50（recall@10 {r['ivf_recall_at_10_vs_exact']}{shape}）", r["ivf_scan"]["p50_ms"],
                           "ms", None, kind="reference"))
        out += [row(f"{n} 索引首次载入（{'训练 IVF' if r.get('ivf_scan') else '精确扫描'}）", r["index_load_s"], "s", None,
                    kind="reference"),
                row(f"{n} 索引再次载入（读取已存 IVF）" if r.get("ivf_scan") else f"{n} 索引再次载入", r.get("index_load_again_s"),
                    "s", r["index_load_s"], kind="reference"),
                row(f"{n} 入库至 BM25 可检索", r["ingest_passages_per_s"], "段/秒", r["goal_ingest_passages_per_s"],
                    lower_is_better=False),
                row(f"{n} 检索进程峰值内存", r["peak_rss_mb"], "MB", r["goal_rss_mb"]),
                row(f"{n} 入库进程峰值内存", r["ingest_peak_rss_mb"], "MB", r["goal_rss_mb"])]
    return out


# ---------------------------------------------------------------------------------------------- review


def bench_review(data_dir: Path, policy_dir: Path | None, embedder: str | None, repeat: int = 3) -> dict:
    """Review each seed against the whole corpus (policies + seeds), in-process, with dense vectors."""
    from ..retrieval.knowledge_base import KnowledgeBase
    from ..review import review, sentence_index

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
        rows.append({"file": f.name, "median_ms": round(statistics.median(times), 1), "max_ms": round(max(times), 1)})
    kb.close()
    return {"bench": "review", "repeat": repeat, "machine": machine(), "embedder": stats["embedder"],
            "passages": stats["passages"], "results": rows,
            "summary": [row("review 每份报告（中位数，最慢的一份）", max(r["median_ms"] for r in rows), "ms", REVIEW_GOAL_MS)]}


# ---------------------------------------------------------------------------------------------- output


def server_summary(record: dict) -> list[dict]:
    s = record["sessions"]
    out = [row(f"{record['officers']} 人同时在线，对话轮次 p95（停顿 {s['think_s']} 秒）", s["chat_turn_p95_ms"], "ms",
               record["goal_chat_turn_p95_ms"]),
           row("错误数", record["errors"], "", 0),
           row("服务启动到 /api/health 可答（新进程）", record.get("startup_s"), "s", record.get("goal_startup_s")),
           row("服务进程峰值内存（含模拟客户端）", record["peak_rss_mb"], "MB", None, kind="reference")]
    for kind, r in s["per_turn"].items():
        out.append(row(f"  {kind} p95", r["p95_ms"], "ms", None, kind="reference"))
    if "saturation" in record:
        sat = record["saturation"]
        out.append(row(f"满载（无停顿）吞吐：{sat['turns_per_s']} 次/秒，对话轮次 p95", sat["chat_turn_p95_ms"], "ms",
                       None, kind="reference"))
        out.append(row("  满载时因繁忙答 429 的次数（非错误）", sat.get("busy_429"), "", None, kind="reference"))
    if "mixed" in record:
        mix = record["mixed"]
        out += [row(f"混合：{mix['officers']} 人含 .docx 导出，同时两个压缩炸弹反复上传，对话轮次 p95",
                    mix["chat_turn_p95_ms"], "ms", mix["goal_chat_turn_p95_ms"]),
                row("  混合：错误数", mix["errors"], "", 0),
                row(f"  混合：拒收炸弹 {mix.get('bombs_refused', 0)} 次，拒收耗时 p95", mix.get("bomb_refusal_p95_ms"), "ms",
                    None, kind="reference"),
                row("  混合：.docx 导出 p95", mix["per_turn"].get("export_docx", {}).get("p95_ms"), "ms", None,
                    kind="reference"),
                row("  混合：工作进程峰值内存", mix.get("worker_peak_rss_mb"), "MB", None, kind="reference")]
    return out


def _pad(text: str, width: int, right: bool = False) -> str:
    """Pad to a display width: CJK characters take two columns in a terminal."""
    import unicodedata

    shown = sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)
    space = " " * max(0, width - shown)
    return space + text if right else text + space


def print_record(record: dict, as_json: bool) -> None:
    if as_json:
        print(json.dumps(record, ensure_ascii=False, indent=2))
        return
    m = record.get("machine") or machine()
    print(f"基准：{record['bench']}（{m.get('cpu', m.get('machine'))}，{m.get('cpus')} 核，"
          f"{m.get('memory_gb', '?')} GB 内存，Python {m.get('python')}）")
    print(f"{_pad('指标', 60)}{_pad('实测', 14, True)}  {_pad('界限', 12, True)}  结果")
    for r in record.get("summary", []):
        value = "—" if r["value"] is None else f"{r['value']} {r['unit']}".strip()
        sign = "≤" if r["better"] == "lower" else "≥"
        bound = "" if r["bound"] is None else f"{sign} {r['bound']}" if r["kind"] == "goal" else f"参考 {r['bound']}"
        verdict = "达标" if r["ok"] else "未达标" if r["ok"] is False else ""
        print(f"{_pad(r['figure'], 60)}{_pad(value, 14, True)}  {_pad(bound, 12, True)}  {verdict}")
    print(json.dumps(record, ensure_ascii=False))
