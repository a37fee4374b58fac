"""The hand annotation of the real reports is itself checked: every snippet is in its file and states its
value; `bench parse` counts every annotated figure exactly once (its goals are issue 14's, not asserted here)."""
from decimal import Decimal

import pytest
import yaml

from .conftest import DATA, SHARED

REPORTS = SHARED / "corpus" / "reports"
pytestmark = pytest.mark.skipif(not REPORTS.is_dir(), reason="../shared/corpus/reports is not on this machine")
KINDS = {"planned", "available", "spent", "execution_rate", "arrival_rate", "claimed_total", "claimed_grade"}


def _annotated() -> dict:
    return yaml.safe_load((DATA / "expected_figures.yaml").read_text(encoding="utf-8"))


def test_every_report_is_annotated_and_every_snippet_is_in_its_file():
    annotated = _annotated()
    assert set(annotated) == {p.name for p in REPORTS.glob("*.txt")}
    for name, entry in annotated.items():
        text = (REPORTS / name).read_text(encoding="utf-8")
        assert entry["kind"] in ("project", "department", "bundle"), name
        for kind, fig in (entry.get("figures") or {}).items():
            assert kind in KINDS, (name, kind)
            assert fig["snippet"] in text, (name, kind, fig["snippet"])
            if kind != "claimed_grade":
                Decimal(fig["value"])  # a number, as a string


def test_bench_parse_counts_each_annotated_figure_once():
    from assistant.bench.parse_figures import bench_parse

    record = bench_parse()
    stated = sum(len(e.get("figures") or {}) for e in _annotated().values())
    per_kind = record["per_kind"].values()
    assert sum(c["stated"] for c in per_kind) == stated
    assert all(c["found"] + c["wrong"] + c["missed"] == c["stated"] for c in per_kind)
    assert record["reports"] == len(_annotated()) and record["report_p95_ms"] > 0
