"""The two measurements every bench takes: latency percentiles and the process's peak memory."""
from __future__ import annotations

import resource
import statistics
from pathlib import Path


def percentiles(times_ms: list[float]) -> dict:
    """p50 and p95 (nearest rank) of a list of milliseconds."""
    times = sorted(times_ms)
    return {"p50_ms": round(statistics.median(times), 2),
            "p95_ms": round(times[min(len(times) - 1, int(len(times) * 0.95))], 2)}


def peak_rss_mb() -> int:
    """This process's peak resident set (VmHWM). ru_maxrss would carry the parent's peak across the
    fork+exec that starts a spawned child, so it is only the fallback off Linux."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024)
    except OSError:
        pass
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
