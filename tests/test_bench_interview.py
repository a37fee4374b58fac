"""`assistant bench interview` interviews a scripted officer to the end and reports what it measured."""
from assistant.bench.interview_run import bench_interview


def test_bench_interview_runs_a_script_to_the_end():
    record = bench_interview(embedder="fake", names=["nutrition_national"])
    run = record["runs"][0]
    assert run["form"] == "national" and run["items"] >= 10 and run["asked"] <= run["items"]
    assert run["turns"] >= run["asked"] and run["p95_ms"] >= run["p50_ms"] > 0
    goal = record["summary"][-1]
    assert goal["bound"] == 200.0 and goal["value"] == run["p95_ms"]
