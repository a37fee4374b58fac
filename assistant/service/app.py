"""The chat service: aiohttp app factory, typed AppKeys, cleanup contexts, one JSON error shape.

Blocking work runs off the event loop: every SQLite call on one writer thread (so writes never
interleave), parsing/checking/composing/.docx on a small worker pool, embedding for the background
fill on a thread of its own. Turns on one draft run one at a time (a lock per draft); turns on
different drafts overlap. The knowledge base and its models load
lazily so the server is ready at once; dense vectors fill in the background and report progress
over server-sent events.
"""
from __future__ import annotations

import asyncio
import functools
import json
import logging
import secrets
import weakref
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Callable

import jinja2
from aiohttp import web

from ..interview.items import progress
from ..interview.paste import apply_edits, paste_card
from .chat import ChatEngine, move_note
from .drafts import DraftNotFound, DraftRepository
from ..core.forms import all_forms, default_form, form_ids, section_kinds
from ..core.models import Report
from ..core.parse import ParseError, ReadError
from ..storage.database import Store

log = logging.getLogger("assistant.server")
WEB = Path(__file__).resolve().parent.parent.parent / "web"
MAX_BODY = 2 * 1024 * 1024  # pastes and edits; uploads come with the reviewer page

STORE = web.AppKey("store", Store)
REPO = web.AppKey("repo", DraftRepository)
DB_POOL = web.AppKey("db_pool", ThreadPoolExecutor)
WORK_POOL = web.AppKey("work_pool", ThreadPoolExecutor)
FILL_POOL = web.AppKey("fill_pool", ThreadPoolExecutor)
DRAFT_LOCKS = web.AppKey("draft_locks", weakref.WeakValueDictionary)
ENGINE = web.AppKey("engine", ChatEngine)
KB = web.AppKey("kb", object)
PROGRESS = web.AppKey("progress", dict)
SETTINGS = web.AppKey("settings", dict)


class ApiError(Exception):
    def __init__(self, status: int, error: str, hint: str = ""):
        super().__init__(error)
        self.status, self.error, self.hint = status, error, hint


def _json(data: Any, status: int = 200) -> web.Response:
    return web.json_response(data, status=status, dumps=lambda d: json.dumps(d, ensure_ascii=False, default=str))


async def _db(request_or_app, fn: Callable, *args):
    app = request_or_app.app if isinstance(request_or_app, web.Request) else request_or_app
    return await asyncio.get_running_loop().run_in_executor(app[DB_POOL], fn, *args)


async def _work(request: web.Request, fn: Callable, *args):
    return await asyncio.get_running_loop().run_in_executor(request.app[WORK_POOL], fn, *args)


def _draft_lock(request: web.Request) -> asyncio.Lock:
    """One lock per draft in use, dropped with its last holder: a draft's turns never interleave."""
    locks = request.app[DRAFT_LOCKS]
    draft_id = request.match_info["draft_id"]
    lock = locks.get(draft_id)
    if lock is None:
        lock = locks[draft_id] = asyncio.Lock()
    return lock


# ---------------------------------------------------------------------------------------------- middleware


@web.middleware
async def errors(request: web.Request, handler):
    """One error shape for the API: {ok: false, error, hint}; never a traceback."""
    try:
        return await handler(request)
    except ApiError as exc:
        return _json({"ok": False, "error": exc.error, "hint": exc.hint}, exc.status)
    except DraftNotFound:
        return _json({"ok": False, "error": "草稿不存在", "hint": "请从草稿列表重新打开"}, 404)
    except web.HTTPRequestEntityTooLarge:
        return _json({"ok": False, "error": "内容过大", "hint": f"单次提交不超过 {MAX_BODY // 1024 // 1024} MB"}, 413)
    except web.HTTPException as exc:
        if request.path.startswith("/api/"):
            return _json({"ok": False, "error": exc.reason, "hint": ""}, exc.status)
        raise
    except Exception:  # noqa: BLE001 - logged for the operator, one line for the user
        log.exception("request failed: %s %s", request.method, request.path)
        return _json({"ok": False, "error": "服务器内部错误", "hint": "请稍后重试；草稿已自动保存"}, 500)


@web.middleware
async def security_headers(request: web.Request, handler):
    response = await handler(request)
    response.headers.setdefault("Content-Security-Policy",
                                "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                                "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; "
                                "form-action 'self'")
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "no-referrer")
    response.headers.setdefault("X-Frame-Options", "DENY")
    return response


@web.middleware
async def same_origin_writes(request: web.Request, handler):
    """No cookies are used, but state changes must still come from our page (JSON, same origin)."""
    if request.method in ("POST", "PUT", "PATCH", "DELETE") and request.path.startswith("/api/"):
        if request.content_type != "application/json" and not (
                request.path == "/api/review" and request.content_type.startswith("multipart/")):
            raise ApiError(415, "请求须为 JSON", "Content-Type: application/json")
        origin = request.headers.get("Origin")
        if origin and origin != f"{request.scheme}://{request.host}":
            raise ApiError(403, "拒绝跨站请求", "请从本服务的页面操作")
    return await handler(request)


async def _body(request: web.Request) -> dict:
    try:
        data = await request.json()
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ApiError(400, "请求内容不是有效的 JSON", str(exc).splitlines()[0]) from exc
    if not isinstance(data, dict):
        raise ApiError(400, "请求内容须为 JSON 对象")
    return data


# ---------------------------------------------------------------------------------------------- handlers


@functools.lru_cache(maxsize=1)
def _pages() -> jinja2.Environment:
    return jinja2.Environment(loader=jinja2.FileSystemLoader(str(WEB)), autoescape=True,
                              undefined=jinja2.StrictUndefined, auto_reload=True)


async def page(request: web.Request) -> web.Response:
    """The chat page; its form choices are the forms in knowledge/forms."""
    forms = [{"id": f.id, "name": f.name} for f in all_forms().values()]
    html = _pages().get_template("index.html").render(forms=forms)
    return web.Response(text=html, content_type="text/html", charset="utf-8")


async def health(request: web.Request) -> web.Response:
    return _json({"ok": True, "progress": request.app[PROGRESS]})


async def list_drafts(request: web.Request) -> web.Response:
    return _json({"ok": True, "drafts": await _db(request, request.app[REPO].list)})


async def create_draft(request: web.Request) -> web.Response:
    body = await _body(request)
    title = str(body.get("title") or "未命名草稿").strip()[:100]
    form = str(body.get("form") or default_form())
    if form not in form_ids():
        raise ApiError(400, f"未知报告格式“{form}”", f"可选：{'、'.join(form_ids())}")
    record = await _db(request, request.app[REPO].create, title, form)
    return _json({"ok": True, "draft": record.summary()}, 201)


def _draft_view(repo: DraftRepository, draft_id: str) -> dict:
    record = repo.get(draft_id)
    return {"ok": True, "draft": record.summary(), "turns": repo.turns(draft_id),
            "sections": {k: vars(v) for k, v in record.sections.items()},
            "pending": paste_card(record.pending) if record.pending else None,
            "data": {**paste_card(record.report), "actions": []} if record.report else None}


async def get_draft(request: web.Request) -> web.Response:
    return _json(await _db(request, _draft_view, request.app[REPO], request.match_info["draft_id"]))


async def preview(request: web.Request) -> web.Response:
    """The report as it would be exported now: each section's adopted text or its current draft."""
    record = await _db(request, request.app[REPO].get, request.match_info["draft_id"])
    engine = request.app[ENGINE]

    def build() -> dict:
        result = engine.result(record)
        draft = engine.draft(record)
        sections = []
        for sec in draft.sections:
            first = sec.suggestions[0] if sec.suggestions else None
            sections.append({"kind": sec.kind, "title": sec.title, "text": sec.text,
                             "adopted": sec.kind in record.sections, "origin": first.origin if first else "gap",
                             "note": first.note if first else ""})
        score = result.score
        return {"ok": True, "sections": sections, "progress": progress(engine.items(record)),
                "score": {"total": _s(score.computed_total), "grade": score.computed_grade,
                          "claimed_total": _s(score.claimed_total)}}

    return _json(await _work(request, build))


def _s(value) -> str | None:
    return None if value is None else format(value.normalize(), "f")


async def delete_draft(request: web.Request) -> web.Response:
    await _db(request, request.app[REPO].delete, request.match_info["draft_id"])
    return _json({"ok": True})


async def post_turn(request: web.Request) -> web.Response:
    body = await _body(request)
    text = str(body.get("text") or "")
    if len(text) > 200_000:
        raise ApiError(413, "粘贴内容过长", "请分几次粘贴（每次不超过 20 万字）")
    answer = _answer_of(body.get("answer"))
    draft_id = request.match_info["draft_id"]
    repo, engine = request.app[REPO], request.app[ENGINE]
    async with _draft_lock(request):
        record = await _db(request, repo.get, draft_id)
        await _db(request, repo.add_turn, draft_id, "user", text)  # kept even if answering fails
        reply = await _work(request, engine.answer, record, text, answer)
        await _db(request, engine.save, draft_id, reply)
    return _json({"ok": True, "reply": {"text": reply.text, "cards": reply.cards}})


def _answer_of(value) -> dict:
    """A quick reply: {item, selected: [labels]} or {item, skip: true}."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ApiError(400, "answer 须为对象", "形如 {\"item\": \"…\", \"selected\": [\"…\"]}")
    out: dict = {}
    if isinstance(value.get("item"), str):
        out["item"] = value["item"][:200]
    if value.get("selected") is not None:
        if not isinstance(value["selected"], list) or not all(isinstance(x, str) for x in value["selected"]):
            raise ApiError(400, "answer.selected 须为文字列表")
        out["selected"] = [x[:200] for x in value["selected"][:50]]
    if value.get("skip"):
        out["skip"] = True
    return out


async def confirm(request: web.Request) -> web.Response:
    body = await _body(request)
    draft_id = request.match_info["draft_id"]
    repo, engine = request.app[REPO], request.app[ENGINE]
    edited = None
    if body.get("report"):
        try:
            edited = Report.model_validate(body["report"])
        except ValueError as exc:
            raise ApiError(400, "修改后的数据有误", str(exc).splitlines()[0]) from exc
    edits = body.get("edits") or []
    if not isinstance(edits, list):
        raise ApiError(400, "edits 须为列表")

    def answer(record):
        report = edited
        if edits:
            if record.pending is None:
                raise ApiError(409, "没有待确认的数据", "请先粘贴数据")
            try:
                report = apply_edits(record.pending, edits)
            except ParseError as exc:
                raise ApiError(400, str(exc), "请改正这一格后再确认") from exc
        return engine.with_question(record, engine.confirm(record, report))

    async with _draft_lock(request):
        record = await _db(request, repo.get, draft_id)
        reply = await _work(request, answer, record)
        await _db(request, engine.save, draft_id, reply)
    return _json({"ok": True, "reply": {"text": reply.text, "cards": reply.cards}})


def _section(request: web.Request) -> str:
    kind = request.match_info["section"]
    if kind not in section_kinds():
        raise ApiError(404, f"没有“{kind}”这一节")
    return kind


async def put_note(request: web.Request) -> web.Response:
    """Move one of the officer's notes to another section of the form."""
    body = await _body(request)
    section = str(body.get("section") or "")
    if section not in section_kinds():
        raise ApiError(400, f"没有“{section}”这一节")
    try:
        note_id = int(request.match_info["note_id"])
    except ValueError as exc:
        raise ApiError(404, "没有这条说明") from exc
    repo = request.app[REPO]
    async with _draft_lock(request):
        record = await _db(request, repo.get, request.match_info["draft_id"])
        if record.report is None:
            raise ApiError(404, "没有这条说明")
        try:
            report = move_note(record.report, note_id, section)
        except KeyError as exc:
            raise ApiError(404, "没有这条说明") from exc
        await _db(request, repo.set_report, record.id, report)
    note = next(n for n in report.notes if n.id == note_id)
    return _json({"ok": True, "note": note.model_dump()})


async def put_section(request: web.Request) -> web.Response:
    """采用 a suggestion or save an edit: a new revision of one section."""
    body = await _body(request)
    kind = _section(request)
    text = str(body.get("text") or "")
    if not text.strip():
        raise ApiError(400, "内容不能为空")
    origin = str(body.get("origin") or "edit")
    citations = body.get("citations") if isinstance(body.get("citations"), list) else []
    state = await _db(request, request.app[REPO].revise, request.match_info["draft_id"], kind, text, origin, citations)
    return _json({"ok": True, "section": vars(state)})


async def step_section(request: web.Request) -> web.Response:
    kind = _section(request)
    direction = -1 if request.match_info["action"] == "undo" else 1
    state = await _db(request, request.app[REPO].step, request.match_info["draft_id"], kind, direction)
    if state is None:
        raise ApiError(409, "没有可以撤销的修改" if direction < 0 else "没有可以重做的修改")
    return _json({"ok": True, "section": vars(state)})


async def export(request: web.Request) -> web.Response:
    fmt = request.query.get("format", "docx")
    if fmt not in ("docx", "md", "html"):
        raise ApiError(400, f"不支持的导出格式“{fmt}”", "可选：docx、md、html")
    draft_id = request.match_info["draft_id"]
    record = await _db(request, request.app[REPO].get, draft_id)
    if record.report is None:
        raise ApiError(409, "还没有确认的数据，无法导出", "请先粘贴并确认资金、指标数据")
    engine = request.app[ENGINE]
    draft = await _work(request, engine.draft, record)

    def render() -> bytes:
        import tempfile

        from ..render.docx_report import write_docx
        from ..render.text_report import render_text

        if fmt != "docx":
            return render_text(draft, fmt).encode("utf-8")
        with tempfile.TemporaryDirectory() as tmp:
            return write_docx(draft, Path(tmp) / "draft.docx").read_bytes()

    data = await _work(request, render)
    types = {"docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
             "md": "text/markdown; charset=utf-8", "html": "text/html; charset=utf-8"}
    name = f"draft-{draft_id}.{fmt}"
    return web.Response(body=data, headers={"Content-Type": types[fmt],
                                            "Content-Disposition": f'attachment; filename="{name}"'})


async def events(request: web.Request) -> web.StreamResponse:
    """Server-sent events: background progress (dense fill) every second, for up to `limit` ticks."""
    response = web.StreamResponse(headers={"Content-Type": "text/event-stream", "Cache-Control": "no-cache"})
    await response.prepare(request)
    limit = min(int(request.query.get("limit", "600")), 3600)
    for _ in range(limit):
        payload = json.dumps(request.app[PROGRESS], ensure_ascii=False)
        await response.write(f"data: {payload}\n\n".encode("utf-8"))
        if request.app[PROGRESS].get("state") in ("done", "off", "error"):
            break
        await asyncio.sleep(1)
    return response


MAX_UPLOAD = 20 * 1024 * 1024
UPLOAD_SUFFIXES = (".txt", ".md", ".docx", ".xlsx", ".json")


async def review_page(request: web.Request) -> web.Response:
    html = (WEB / "review.html").read_text(encoding="utf-8")
    return web.Response(text=html, content_type="text/html", charset="utf-8")


async def post_review(request: web.Request) -> web.Response:
    """Upload a report (multipart field `file`, ≤ 20 MB); get findings, scores and precedents back."""
    import tempfile

    fmt = request.query.get("format", "json")
    if fmt not in ("json", "md", "docx"):
        raise ApiError(400, f"不支持的格式“{fmt}”", "可选：json、md、docx")
    if not request.content_type.startswith("multipart/"):
        raise ApiError(415, "请以表单上传文件", "multipart/form-data，字段名 file")
    reader = await request.multipart()
    part = await reader.next()
    while part is not None and getattr(part, "name", None) != "file":
        part = await reader.next()
    if part is None:
        raise ApiError(400, "没有收到文件", "表单字段名应为 file")
    name = Path(part.filename or "upload.txt").name
    suffix = Path(name).suffix.lower()
    if suffix not in UPLOAD_SUFFIXES:
        raise ApiError(400, f"不支持的文件类型“{suffix or name}”", "支持 .docx、.xlsx、.txt、.md、.json")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"upload{suffix}"
        size = 0
        with open(path, "wb") as fh:
            while chunk := await part.read_chunk(65536):
                size += len(chunk)
                if size > MAX_UPLOAD:
                    raise ApiError(413, "文件过大", "上传文件不超过 20 MB")
                fh.write(chunk)
        app = request.app

        def run():
            from ..core import check_file
            from ..review import corpus_signals, review, sentence_index

            result = check_file(path)
            result.report.project.name = result.report.project.name or Path(name).stem
            kb = app.get(KB)
            if kb is None:
                from ..review import Review

                return Review(result, [], []), None
            index = sentence_index(kb.report_texts())
            return review(result, kb, index), corpus_signals(kb.report_figures(), index)

        try:
            rv, corpus = await _work(request, run)
        except (ReadError, ParseError) as exc:
            raise ApiError(400, str(exc).splitlines()[0].replace("upload", Path(name).stem), "请检查文件后重新上传") from exc
    from ..render.review_report import review_docx, review_json, review_markdown

    if fmt == "json":
        return _json({"ok": True, "file": name, "review": review_json(rv, corpus)})
    if fmt == "md":
        return web.Response(text=review_markdown(rv, corpus), content_type="text/markdown", charset="utf-8",
                            headers={"Content-Disposition": 'attachment; filename="review.md"'})

    def to_docx() -> bytes:
        with tempfile.TemporaryDirectory() as tmp:
            return review_docx(rv, Path(tmp) / "review.docx", corpus).read_bytes()

    return web.Response(body=await _work(request, to_docx), headers={
        "Content-Type": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "Content-Disposition": 'attachment; filename="review.docx"'})


async def openapi(request: web.Request) -> web.Response:
    from .openapi import spec

    return _json(spec())


# ---------------------------------------------------------------------------------------------- lifecycle


async def _resources(app: web.Application):
    settings = app[SETTINGS]
    app[STORE] = Store(settings["data"])
    app[DB_POOL] = ThreadPoolExecutor(max_workers=1, thread_name_prefix="db-writer")
    app[WORK_POOL] = ThreadPoolExecutor(max_workers=2, thread_name_prefix="worker")
    app[FILL_POOL] = ThreadPoolExecutor(max_workers=1, thread_name_prefix="fill")
    app[DRAFT_LOCKS] = weakref.WeakValueDictionary()
    app[REPO] = DraftRepository(app[STORE])
    app[ENGINE] = ChatEngine(app[REPO], None)
    yield
    app[WORK_POOL].shutdown(wait=True, cancel_futures=True)
    app[FILL_POOL].shutdown(wait=True, cancel_futures=True)
    app[DB_POOL].shutdown(wait=True, cancel_futures=True)
    app[STORE].close()


async def _knowledge(app: web.Application):
    """Open the knowledge base lazily, index the built-in corpus, then fill vectors in the background."""
    settings = app[SETTINGS]
    progress = app[PROGRESS]
    stop = {"flag": False}
    task = None
    if settings.get("knowledge", True):
        from ..retrieval.knowledge_base import KnowledgeBase

        kb = KnowledgeBase(settings["data"], embedder=settings.get("embedder"), store=app[STORE])  # one writer
        app[KB] = kb
        app[ENGINE].precedents = kb

        async def fill():
            loop = asyncio.get_running_loop()
            try:
                progress.update(state="indexing")
                await loop.run_in_executor(app[DB_POOL], kb.ensure_builtin)
                # load (or build) both indexes now, not on the first officer's search: ~10 s at 100k passages
                await loop.run_in_executor(app[FILL_POOL], kb.lexical)
                await loop.run_in_executor(app[FILL_POOL], kb.dense)
                pending = await loop.run_in_executor(app[DB_POOL], kb.pending_vectors)
                progress.update(state="embedding", done=0, total=pending)
                if pending == 0:
                    progress.update(state="done")
                    return
                last = 0
                while not stop["flag"]:
                    batch = await loop.run_in_executor(app[DB_POOL], kb.pending_batch, 8, last)
                    if not batch:
                        break
                    last = batch[-1]["id"]
                    vectors = await loop.run_in_executor(app[FILL_POOL], kb.embed_batch, batch)  # slow part
                    progress["done"] = progress.get("done", 0) + await loop.run_in_executor(
                        app[DB_POOL], kb.save_vectors, batch, vectors)
                progress.update(state="done")
            except Exception as exc:  # noqa: BLE001 - search still works on BM25
                log.exception("background fill failed")
                progress.update(state="error", error=str(exc).splitlines()[0] if str(exc) else type(exc).__name__)

        task = asyncio.get_running_loop().create_task(fill())
    else:
        progress.update(state="off")
    yield
    stop["flag"] = True
    if task is not None:
        task.cancel()
        try:
            await task
        except (asyncio.CancelledError, Exception):  # noqa: BLE001
            pass


def create_app(data: str | Path = "data", embedder: str | None = None, knowledge: bool = True) -> web.Application:
    app = web.Application(client_max_size=MAX_BODY, middlewares=[errors, security_headers, same_origin_writes])
    app[SETTINGS] = {"data": Path(data), "embedder": embedder, "knowledge": knowledge,
                     "instance": secrets.token_hex(4)}
    app[PROGRESS] = {"state": "starting"}
    app.cleanup_ctx.append(_resources)
    app.cleanup_ctx.append(_knowledge)
    app.router.add_get("/", page)
    app.router.add_get("/review", review_page)
    app.router.add_post("/api/review", post_review)
    app.router.add_static("/static/", WEB / "static", show_index=False)
    app.router.add_get("/api/health", health)
    app.router.add_get("/api/openapi.json", openapi)
    app.router.add_get("/api/events", events)
    app.router.add_get("/api/drafts", list_drafts)
    app.router.add_post("/api/drafts", create_draft)
    app.router.add_get("/api/drafts/{draft_id}", get_draft)
    app.router.add_delete("/api/drafts/{draft_id}", delete_draft)
    app.router.add_get("/api/drafts/{draft_id}/preview", preview)
    app.router.add_post("/api/drafts/{draft_id}/turns", post_turn)
    app.router.add_post("/api/drafts/{draft_id}/confirm", confirm)
    app.router.add_put("/api/drafts/{draft_id}/sections/{section}", put_section)
    app.router.add_put("/api/drafts/{draft_id}/notes/{note_id}", put_note)
    app.router.add_post("/api/drafts/{draft_id}/sections/{section}/{action:undo|redo}", step_section)
    app.router.add_get("/api/drafts/{draft_id}/export", export)
    return app


def serve(host: str = "127.0.0.1", port: int = 8080, data: str | Path = "data", embedder: str | None = None) -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    logging.getLogger("bm25s").setLevel(logging.WARNING)
    print(f"绩效自评报告起草助手已启动：http://{host}:{port}/  （数据目录：{Path(data).resolve()}，按 Ctrl+C 停止）",
          flush=True)
    web.run_app(create_app(data, embedder), host=host, port=port, print=None, access_log=None)
