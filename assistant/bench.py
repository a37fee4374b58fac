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


def print_record(record: dict, as_json: bool) -> None:
    if as_json:
        print(json.dumps(record, ensure_ascii=False, indent=2))
        return
    print(f"基准：{record['bench']}（每项重复 {record['repeat']} 次，{record['machine']['cpus']} 核，"
          f"Python {record['machine']['python']}）")
    print(f"{'文件':<28}{'中位数ms':>10}{'p95 ms':>10}{'最大ms':>10}{'目标ms':>10}  结果")
    for r in record["results"]:
        print(f"{r['file']:<28}{r['median_ms']:>10}{r['p95_ms']:>10}{r['max_ms']:>10}{r['goal_ms']:>10}  "
              f"{'达标' if r['ok'] else '未达标'}")
    print(json.dumps(record, ensure_ascii=False))
