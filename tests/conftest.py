import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "knowledge" / "corpus"
DATA = Path(__file__).resolve().parent / "data"
SHARED = ROOT.parent / "shared"

SEEDS = {
    "000": CORPUS / "000_32938e1454f761be.txt",
    "001": CORPUS / "001_536a5fcc301864a5.txt",
    "002": CORPUS / "002_547cfdb616360761.txt",
    "003": CORPUS / "003_3da534d9921d3be4.txt",
    "004": CORPUS / "004_bde0c0f62c0d9a40.txt",
}


# the CLI's default data folder is ./data of the checkout: a developer's own knowledge base there must not
# change what the tests see, so commands without --data get an empty folder of their own
_NO_DATA = tempfile.mkdtemp(prefix="assistant-test-data-")


def run_cli(*args, cwd=None):
    """Run `python -m assistant …` as a user would; returns CompletedProcess."""
    env = {**os.environ, "ASSISTANT_DATA": os.environ.get("ASSISTANT_DATA", _NO_DATA)}
    return subprocess.run([sys.executable, "-m", "assistant", *map(str, args)], capture_output=True,
                          text=True, cwd=cwd or ROOT, timeout=120, env=env)


def check_json(path, *extra):
    proc = run_cli("check", path, "--json", *extra)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


@pytest.fixture(scope="session")
def seeds():
    return SEEDS


@pytest.fixture(scope="module")
def seeds_kb(tmp_path_factory):
    """A knowledge base of the built-in seed reports with fake vectors, one per test module."""
    from assistant.retrieval.knowledge_base import KnowledgeBase

    kb = KnowledgeBase(tmp_path_factory.mktemp("kb"), embedder="fake")
    kb.ensure_builtin()
    kb.fill_dense()
    yield kb
    kb.close()
