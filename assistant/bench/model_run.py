"""`assistant bench model`: a real OpenAI-compatible server asked to write sections of the seed reports —
time to first token, tokens per second, and how many numbers, dates and names the lock caught.

Tokens are counted as the server reports them (`usage`, asked for with `stream_options`), else as the
stream's chunks (one token each on llama.cpp, vLLM and Ollama)."""
from __future__ import annotations

import asyncio
import re
import statistics
import time
from dataclasses import replace

from ..compose import compose_draft
from ..compose.model_text import locked_model_text, section_messages
from ..core import check_file
from ..service.generator import GeneratorError, ModelSettings, OpenAIChatGenerator
from .suites import CORPUS_DIR, machine, row

SECTIONS = ("overview", "implementation", "problems")
_MARK = re.compile(r"【待核实：([^】]*)】")


async def _one(generator: OpenAIChatGenerator, messages: list[dict]) -> dict:
    t0 = time.perf_counter()
    first = None
    pieces: list[str] = []
    async for piece in generator.stream(messages):
        if first is None:
            first = time.perf_counter() - t0
        pieces.append(piece)
    total = time.perf_counter() - t0
    return {"text": "".join(pieces), "ttft_s": first, "total_s": total, "chunks": len(pieces)}


def _prompts(limit: int) -> list[dict]:
    """(report, section) prompts from the built-in seeds, as the page would send them."""
    out = []
    for path in sorted(CORPUS_DIR.glob("*.txt")):
        result = check_file(path)
        draft = compose_draft(result, only=set(SECTIONS))
        for sec in draft.sections:
            notes = [n.text for n in result.report.notes if n.section == sec.kind]
            out.append({"result": result, "notes": notes, "passages": [], "source": path.name, "section": sec.kind,
                        "messages": section_messages(result, sec.title, sec.text, notes, [])})
            if len(out) >= limit:
                return out
    return out


def bench_model(settings: ModelSettings | None, prompts: int = 6) -> dict:
    if settings is None:
        return {"bench": "model", "machine": machine(), "skipped": "未配置语言模型：--llm-url 与 --llm-model（或环境变量）",
                "summary": [], "errors": 0}
    jobs = _prompts(prompts)
    # a section is 300–600 characters: 600 tokens is room enough, and bounds a slow CPU server's run
    generator = OpenAIChatGenerator(replace(settings, max_tokens=min(settings.max_tokens, 600)))
    runs, errors = [], []

    async def go():
        try:
            for job in jobs:
                try:
                    runs.append({**job, **await _one(generator, job["messages"])})
                except GeneratorError as exc:
                    errors.append(f"{job['source']} {job['section']}: {exc}")
        finally:
            await generator.close()

    asyncio.run(go())
    caught = []
    for r in runs:
        done = locked_model_text(r["text"], r["result"], r["notes"], r["passages"])
        r["marks"] = done.unverified
        r["locked"] = done.text
        caught.extend(done.unverified)
    rate = [r["chunks"] / (r["total_s"] - r["ttft_s"]) for r in runs if r["ttft_s"] is not None and r["total_s"] > r["ttft_s"]]
    ttft = [r["ttft_s"] for r in runs if r["ttft_s"] is not None]
    record = {
        "bench": "model", "machine": machine(), "model": settings.model, "url": settings.url, "prompts": len(jobs),
        "answered": len(runs), "errors": len(errors), "error_lines": errors,
        "runs": [{"source": r["source"], "section": r["section"], "ttft_s": round(r["ttft_s"] or 0, 3),
                  "total_s": round(r["total_s"], 3), "tokens": r["chunks"], "chars": len(r["text"]),
                  "caught": r["marks"], "text": r["locked"]} for r in runs],
    }
    record["summary"] = [
        row("time to first token, median", round(statistics.median(ttft), 3) if ttft else None, "s", None, "reference"),
        row("tokens per second (after the first), median", round(statistics.median(rate), 1) if rate else None,
            "tok/s", None, "reference", lower_is_better=False),
        row("numbers, dates and names the lock marked 【待核实】", len(caught), "", None, "reference"),
        row("replies that came back", len(runs), f"/ {len(jobs)}", len(jobs), "goal", lower_is_better=False),
    ]
    return record
