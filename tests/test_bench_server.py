"""The server load bench runs end to end on loopback (small: 4 officers, fake embedder) with no errors."""
from assistant.bench.server_load import CHAT_TURNS, MIXED_TURNS, TURNS, bench_server


def test_server_bench_small():
    record = bench_server(officers=4, embedder="fake", timeout_s=120, think_s=0.05)
    for run in (record["sessions"], record["saturation"]):
        assert run["errors"] == 0 and run["turns"] == 4 * len(TURNS)
        assert set(run["per_turn"]) == set(TURNS)
        assert run["chat_turn_p95_ms"] >= run["chat_turn_p50_ms"] > 0 and run["turns_per_s"] > 0
    assert record["sessions"]["think_s"] == 0.05 and record["saturation"]["think_s"] == 0.0
    assert 0 < record["startup_s"] < 60 and record["goal_startup_s"] == 2.0
    assert record["errors"] == 0 and record["peak_rss_mb"] > 0 and set(record["chat_turns"]) == set(CHAT_TURNS)
    # the think pauses are really taken: 10 pauses of at least 25 ms each per officer
    assert record["sessions"]["wall_s"] >= 10 * 0.025
    mixed = record["mixed"]  # .docx exports in every officer's turns while two bombs are sent and refused
    assert mixed["errors"] == 0 and mixed["turns"] == 4 * len(MIXED_TURNS) and set(mixed["per_turn"]) == set(MIXED_TURNS)
    assert mixed["bombs_refused"] >= 2 and mixed["bomb_refusal_p95_ms"] > 0
    assert mixed["goal_chat_turn_p95_ms"] == 300 and mixed["worker_peak_rss_mb"] > 0 and mixed["busy_429"] == 0
