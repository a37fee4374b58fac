"""The synthetic scale corpus: labelled, perturbed, deterministic; the bench runs end to end (small)."""
import json

from assistant.scale import synthetic_passages

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
    proc = run_cli("bench", "scale", "--sizes", "2000", "--json")
    assert proc.returncode == 0, proc.stderr
    record = json.loads(proc.stdout)
    row = record["results"][0]
    assert row["passages"] == 2000 and row["bm25_p95_ms"] > 0 and row["flat_scan_bound_ms"] > 0
    assert record["machine"]["read_bandwidth_gbs"] > 0
