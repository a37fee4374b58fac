import atexit
import json
import os
import shutil
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
atexit.register(shutil.rmtree, _NO_DATA, ignore_errors=True)  # one per run (and per worker): never left behind


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


from contextlib import contextmanager  # noqa: E402


@contextmanager
def served_in_thread(*apps):
    """aiohttp apps on 127.0.0.1 ports, on one event loop in a thread of this process (so a synchronous
    test — a browser, a benchmark, schemathesis — can call them); yields their ports; cleaned up after."""
    import asyncio
    import threading

    from aiohttp import web

    loop = asyncio.new_event_loop()
    runners, ports = [], []
    for app in apps:
        runner = web.AppRunner(app)
        loop.run_until_complete(runner.setup())
        site = web.TCPSite(runner, "127.0.0.1", 0)
        loop.run_until_complete(site.start())
        runners.append(runner)
        ports.append(site._server.sockets[0].getsockname()[1])
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    try:
        yield ports
    finally:
        for runner in reversed(runners):
            asyncio.run_coroutine_threadsafe(runner.cleanup(), loop).result(timeout=60)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=10)


def draft_with_tables(page, title: str = "城区背街小巷改造") -> None:
    """In the browser: a new draft, with the tables of tests/data/paste_tsv.txt pasted and confirmed."""
    page.fill("#new-title", title)
    page.click("#create")
    page.wait_for_selector("#input:not([disabled])")
    page.fill("#input", (DATA / "paste_tsv.txt").read_text(encoding="utf-8"))
    page.click("#send")
    page.wait_for_selector(".card-paste button.confirm")
    page.click(".card-paste button.confirm")
    page.wait_for_selector(".card-findings")
