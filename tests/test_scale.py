"""The synthetic scale corpus: labelled, perturbed, deterministic; the bench runs end to end (small)."""
import json

from assistant.bench.scale_corpus import synthetic_passages

from .conftest import SHARED, run_cli

BASE = [("problems", "存在问题和建议", "岳阳市集约化平台运维费用为144.9万元。第二句话在这里；第三句话也在。")]


def test_synthetic_passages_are_labelled_perturbed_and_deterministic():
    out = synthetic_passages(BASE, 50)
    assert len(out) == 50 and all(t.startswith("【合成】") for _, _, t in out)
    assert all("岳阳市" not in t for _, _, t in out)
    assert len({t for _, _, t in out}) > 40  # perturbations make them distinct
    assert synthetic_passages(BASE, 50) == out


def test_bench_scale_small_run():
    if not (SHARED / "corpus" / "policy").is_dir():
        import pytest

        pytest.skip("../shared/corpus/policy is absent")
    proc = run_cli("bench", "scale", "--sizes", "2000", "--embedder", "fake", "--json")
    assert proc.returncode == 0, proc.stderr
    record = json.loads(proc.stdout)
    row = record["results"][0]
    assert row["passages"] >= 2000 and row["vectors"] == row["passages"]
    assert row["hybrid"]["p95_ms"] >= row["hybrid"]["p50_ms"] > 0 and row["bm25"]["p95_ms"] > 0
    assert row["exact_scan_bound_ms"] > 0 and row["peak_rss_mb"] > 0 and row["ingest_passages_per_s"] > 0
    assert row["dense_kind"] == "flat" and "ivf_scan" not in row  # IVF starts at 50k passages
    assert record["read_bandwidth_gbs"] > 0 and record["vectors"] == "random unit vectors"
    goals = [r for r in record["summary"] if r["kind"] == "goal"]
    assert goals and all(isinstance(r["ok"], bool) and r["bound"] is not None for r in goals)
    assert any("混合检索" in r["figure"] for r in goals) and any("内存" in r["figure"] for r in goals)


def test_bench_ingest_compares_fill_with_raw_embedder(tmp_path):
    from assistant.bench.suites import bench_ingest

    record = bench_ingest(tmp_path, None, "fake", synthetic=400, fill_sample=32)
    assert record["real"]["passages"] > 0 and record["synthetic"]["passages"] >= 400
    fill = record["dense_fill"]
    assert fill["passages"] == 32 and fill["raw_s"] > 0 and fill["fill_s"] > 0
    figures = {r["figure"]: r for r in record["summary"]}
    overhead = next(r for name, r in figures.items() if "额外开销" in name)
    assert overhead["bound"] == 20.0 and overhead["kind"] == "goal" and isinstance(overhead["ok"], bool)


def test_bench_core_times_check_and_draft_per_report(seeds_kb):
    from assistant.bench.suites import bench_core

    from .conftest import SEEDS

    record = bench_core(repeat=2, files=[SEEDS["000"], SEEDS["004"]], kb=seeds_kb)
    assert [r["file"] for r in record["results"]] == [SEEDS["000"].name, SEEDS["004"].name]
    assert all(r["check_p50_ms"] > 0 and r["draft_cold_ms"] > 0 and r["draft_warm_ms"] > 0 for r in record["results"])
    assert {r["figure"][:5] for r in record["summary"]} == {"check", "draft"}


def test_bench_all_has_every_part_in_one_table(tmp_path):
    if not (SHARED / "corpus" / "policy").is_dir():
        import pytest

        pytest.skip("../shared/corpus/policy is absent")
    import subprocess
    import sys

    out = tmp_path / "bench.json"
    proc = subprocess.run([sys.executable, "-m", "assistant", "bench", "all", "--embedder", "fake", "--sizes", "1000",
                           "--ingest-size", "400", "--officers", "2", "--think", "0.05", "--repeat", "1",
                           "--out", str(out)], capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    record = json.loads(out.read_text(encoding="utf-8"))
    assert set(record["parts"]) == {"core", "ingest", "retrieval", "interview", "parse", "turns", "server"} and record["errors"] == 0
    prefixes = {r["figure"].split("]")[0] + "]" for r in record["summary"]}
    assert prefixes == {"[core]", "[ingest]", "[retrieval]", "[interview]", "[parse]", "[turns]", "[server]"}
    assert all(r["bound"] is not None for r in record["summary"] if r["kind"] == "goal")
    assert record["parts"]["retrieval"]["scale"]["vectors"] == "real base embeddings + noise"
    # the printed table shows the same figures, and the JSON record is its last line
    assert "[server] 错误数" in proc.stdout and json.loads(proc.stdout.strip().splitlines()[-1]) == record
