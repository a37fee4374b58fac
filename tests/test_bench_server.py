"""The server load bench runs end to end on loopback (small: 4 officers, fake embedder) with no errors."""
from assistant.bench_server import TURNS, bench_server


def test_server_bench_small():
    record = bench_server(officers=4, embedder="fake", timeout_s=120)
    assert record["errors"] == 0 and record["turns"] == 4 * len(TURNS)
    assert set(record["per_turn"]) == set(TURNS)
    assert record["chat_turn_p95_ms"] > 0 and record["peak_rss_mb"] > 0
