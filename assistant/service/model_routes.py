"""A section written by the intranet language model, streamed to the page; a free-text turn the rules do
not understand, read by the model into one of the known intents.

Nothing the model writes reaches the draft: the stream ends with the locked text and its citations, and
the officer adopts it (PUT /sections/{kind}) or not. Closing the stream (the page's 停止) stops the
request to the model. With no model configured, or the model down, the rule-based path answers and the
page says so in one line.
"""
from __future__ import annotations

import asyncio
import json
import logging

from aiohttp import web

from ..compose import compose_draft
from ..compose.model_text import intent_messages, intent_of, locked_model_text, section_messages
from ..core.forms import get_form
from .access import editable_draft
from .auth import audit, needs
from .context import ENGINE, GENERATOR, ApiError, in_worker, json_body
from .generator import GeneratorError

log = logging.getLogger("assistant.model")
INTENT_TIMEOUT = 15.0
MAX_INSTRUCTION = 300
DISCONNECTED = (ConnectionResetError, ConnectionError)


def _generator(request: web.Request):
    generator = request.app.get(GENERATOR)
    if generator is None:
        raise ApiError(409, "未配置语言模型", "以规则生成的草稿和先例建议照常可用；配置见 serve --llm-url")
    return generator


def _prompt(engine, record, kind: str, instruction: str, passage_id: int | None) -> dict:
    """The messages for one section, and what the lock and the citations need afterwards."""
    result = engine.result(record)
    form = get_form(record.form)
    draft = compose_draft(result, form=record.form, precedents=engine.precedents, only={kind})
    if not draft.sections:
        raise ApiError(404, f"本报告格式没有“{kind}”这一节")
    sec = draft.sections[0]
    adopted = record.sections.get(kind)
    current = adopted.text if adopted is not None else sec.text
    passages = []
    for s in sec.suggestions:
        if s.origin == "precedent" and s.citations:
            c = s.citations[0]
            passages.append({"passage_id": c.passage_id, "title": c.title, "heading": c.heading, "source": c.source,
                             "text": s.text})
    if passage_id is not None:
        passages = [p for p in passages if p["passage_id"] == passage_id]
        if not passages:
            raise ApiError(400, "这条先例不在本节的建议中", "请从本节的先例建议中选择")
    notes = [n.text for n in result.report.notes if n.section == kind]
    region = f"{form.name}" if form is not None else ""
    messages = section_messages(result, sec.title, current, notes, passages[:3], instruction, region)
    return {"messages": messages, "result": result, "notes": notes, "passages": passages[:3], "title": sec.title,
            "current": current}


def _event(name: str, data: dict) -> bytes:
    return f"event: {name}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n".encode("utf-8")


@needs(("officer",))
async def generate_section(request: web.Request) -> web.StreamResponse:
    """Server-sent events: `token` {text} as the model writes, then `done` {text, marks, unverified,
    paragraphs} — the locked text with each paragraph's passages — or `error` {error, hint}."""
    body = await json_body(request)
    kind = request.match_info["section"]
    instruction = str(body.get("instruction") or "").strip()[:MAX_INSTRUCTION]
    passage_id = body.get("passage_id")
    if passage_id is not None and not isinstance(passage_id, int):
        raise ApiError(400, "passage_id 须为整数")
    record = await editable_draft(request)
    generator = _generator(request)
    if get_form(record.form) is not None and kind not in [s.kind for s in get_form(record.form).sections]:
        raise ApiError(404, f"本报告格式没有“{kind}”这一节")
    engine = request.app[ENGINE]
    prompt = await in_worker(request, _prompt, engine, record, kind, instruction, passage_id)
    response = web.StreamResponse(headers={"Content-Type": "text/event-stream", "Cache-Control": "no-cache",
                                           "X-Accel-Buffering": "no"})
    await response.prepare(request)
    raw: list[str] = []
    stream = generator.stream(prompt["messages"])
    try:
        async for piece in stream:
            raw.append(piece)
            await response.write(_event("token", {"text": piece}))
    except GeneratorError as exc:
        await audit(request, "model_failed", record.id, f"{kind}：{exc}")
        await _try_write(response, _event("error", {"error": str(exc), "hint": "草稿未改动；下方规则生成的草稿和先例建议照常可用"}))
        return response
    except DISCONNECTED:  # the page's 停止: the request to the model ends with this one
        await audit(request, "model_stopped", record.id, f"{kind}：{len(''.join(raw))} 字后停止")
        return response
    except Exception:  # noqa: BLE001 - the stream is open: the error goes as an event, never a traceback
        log.exception("model stream failed")
        await _try_write(response, _event("error", {"error": "服务器内部错误", "hint": "草稿未改动；请稍后重试"}))
        return response
    finally:
        await stream.aclose()
    done = await in_worker(request, locked_model_text, "".join(raw), prompt["result"], prompt["notes"],
                           prompt["passages"], prompt["current"])
    await audit(request, "model_generate", record.id, f"{kind}：{len(done.text)} 字，待核实 {len(done.unverified)} 处")
    await _try_write(response, _event("done", {**done.as_json(), "section": kind, "model": generator.name,
                                               "citations": [{k: p[k] for k in ("passage_id", "title", "heading", "source")}
                                                             for p in prompt["passages"]]}))
    return response


async def _try_write(response: web.StreamResponse, data: bytes) -> None:
    try:
        await response.write(data)
        await response.write_eof()
    except DISCONNECTED:
        pass


async def read_intent(app: web.Application, text: str) -> tuple[str | None, str]:
    """(the words the rules understand, a note for the officer) for a turn the rules read as nothing;
    (None, note) when the model is down or names nothing."""
    generator = app.get(GENERATOR)
    if generator is None or not text.strip():
        return None, ""
    pieces: list[str] = []

    async def collect():
        async for piece in generator.stream(intent_messages(text)):
            pieces.append(piece)
            if len("".join(pieces)) > 40:
                break
    try:
        await asyncio.wait_for(collect(), INTENT_TIMEOUT)
    except (GeneratorError, asyncio.TimeoutError) as exc:
        reason = str(exc) if isinstance(exc, GeneratorError) else "语言模型响应超时"
        return None, f"（{reason}，已按规则回答）"
    words = intent_of("".join(pieces))
    return words, (f"（按“{words}”理解）" if words else "")
