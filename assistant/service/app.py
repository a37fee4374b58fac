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
import errno
import functools
import json
import logging
import secrets
import signal
import socket
import weakref
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import jinja2
from aiohttp import web

from ..core.forms import all_forms
from ..storage.accounts import AccountRepository
from ..storage.database import Store
from ..storage.drafts import DraftNotFound, DraftRepository
from . import admin_routes as admin
from . import auth
from . import draft_routes as drafts
from . import kb_routes as kb_routes
from . import review_routes as review
from . import model_routes
from . import workflow_routes as workflow
from .auth import PRINCIPAL, needs
from .chat import ChatEngine
from .context import (ACCOUNTS, DB_POOL, DRAFT_LOCKS, ENGINE, FILL_POOL, FILL_WAKE, GENERATOR, HEAVY, KB, MAX_BODY,
                      PROGRESS, REPO, SETTINGS, STORE, WEB, WORK_POOL, ApiError, json_response)
from .heavy import CAPACITY, PER_USER, HeavyWork, client_key
from .isolated import TIME_LIMIT, IsolatedPool

__all__ = ["create_app", "serve", "REPO", "ENGINE", "KB", "STORE"]

log = logging.getLogger("assistant.server")

# ---------------------------------------------------------------------------------------------- middleware


@web.middleware
async def errors(request: web.Request, handler):
    """One error shape for the API: {ok: false, error, hint}; never a traceback."""
    try:
        return await handler(request)
    except ApiError as exc:
        response = json_response({"ok": False, "error": exc.error, "hint": exc.hint}, exc.status)
        response.headers.update(exc.headers)
        return response
    except DraftNotFound:
        return json_response({"ok": False, "error": "草稿不存在", "hint": "请从草稿列表重新打开"}, 404)
    except web.HTTPRequestEntityTooLarge:
        return json_response({"ok": False, "error": "内容过大", "hint": f"单次提交不超过 {MAX_BODY // 1024 // 1024} MB"}, 413)
    except web.HTTPException as exc:
        if request.path.startswith("/api/"):
            error, hint = HTTP_WORDS.get(exc.status, ("请求无法处理", ""))
            return json_response({"ok": False, "error": error, "hint": hint}, exc.status)
        raise
    except Exception:  # noqa: BLE001 - logged for the operator, one line for the user
        log.exception("request failed: %s %s", request.method, request.path)
        return json_response({"ok": False, "error": "服务器内部错误", "hint": "请稍后重试；草稿已自动保存"}, 500)


HTTP_WORDS = {400: ("请求有误", "请检查提交的内容"), 404: ("没有这个接口", "接口列表见 /api/openapi.json"),
              405: ("不支持这种请求方法", "接口列表见 /api/openapi.json"), 413: ("内容过大", ""),
              415: ("请求类型不支持", "Content-Type: application/json")}
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                               "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; "
                               "form-action 'self'",
    "X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer", "X-Frame-Options": "DENY",
}


async def security_headers(request: web.Request, response: web.StreamResponse) -> None:
    """On every response — pages, API, errors, static files, the event stream — before its headers go out;
    and no Server header naming the software."""
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    response.headers["Server"] = "assistant"


@web.middleware
async def known_host(request: web.Request, handler):
    """A request must name this service by a name it answers to: a page of another site whose name was
    re-pointed at this address (DNS rebinding) is refused, Origin or not."""
    allowed = request.app[SETTINGS].get("allowed_hosts")
    if allowed is not None and (request.host or "").rsplit(":", 1)[0].strip("[]").lower() not in allowed:
        raise ApiError(421, "拒绝未知的访问地址", "请用本服务的地址访问；其他地址须以 --allowed-host 加入")
    return await handler(request)


MULTIPART_PATHS = ("/api/review", "/api/kb/documents")


@web.middleware
async def same_origin_writes(request: web.Request, handler):
    """State changes come from our page: JSON (uploads: multipart), and no other site's Origin or fetch."""
    if request.method in ("POST", "PUT", "PATCH", "DELETE") and request.path.startswith("/api/"):
        bodiless_delete = request.method == "DELETE" and not request.body_exists
        if request.content_type != "application/json" and not bodiless_delete and not (
                request.path.startswith(MULTIPART_PATHS) and request.content_type.startswith("multipart/")):
            raise ApiError(415, "请求须为 JSON", "Content-Type: application/json")
        origin = request.headers.get("Origin")
        if (origin and origin != f"{request.scheme}://{request.host}") or \
                request.headers.get("Sec-Fetch-Site", "same-origin") not in ("same-origin", "none"):
            raise ApiError(403, "拒绝跨站请求", "请从本服务的页面操作")
    return await handler(request)


# ---------------------------------------------------------------------------------------------- handlers


@functools.lru_cache(maxsize=1)
def _pages() -> jinja2.Environment:
    return jinja2.Environment(loader=jinja2.FileSystemLoader(str(WEB)), autoescape=True,
                              undefined=jinja2.StrictUndefined, auto_reload=True)


def _html(name: str, **values) -> web.Response:
    html = _pages().get_template(name).render(**values)
    return web.Response(text=html, content_type="text/html", charset="utf-8")


@needs(("user",))
async def page(request: web.Request) -> web.Response:
    """The chat page (officers; reviewers see drafts read-only); its form choices are the forms in knowledge/forms."""
    who = request[PRINCIPAL]
    if not who.roles & {"officer", "reviewer"}:
        raise web.HTTPFound("/admin")
    if "officer" not in who.roles:
        raise web.HTTPFound("/review")
    forms = [{"id": f.id, "name": f.name} for f in all_forms().values()]
    return _html("index.html", forms=forms)


@needs(("public",))
async def login_page(request: web.Request) -> web.Response:
    return _html("login.html")


@needs(("admin",))
async def admin_page(request: web.Request) -> web.Response:
    return _html("admin.html")


@needs(("public",))
async def health(request: web.Request) -> web.Response:
    generator = request.app.get(GENERATOR)
    return json_response({"ok": True, "progress": request.app[PROGRESS], "heavy": request.app[HEAVY].busy(),
                          "model": generator.name if generator is not None else None})


@needs(("user",))
async def events(request: web.Request) -> web.StreamResponse:
    """Server-sent events: background progress (dense fill) every second, for up to `limit` ticks."""
    try:
        limit = max(1, min(int(request.query.get("limit", "600")), 3600))
    except ValueError as exc:
        raise ApiError(400, "limit 须为整数", "如 /api/events?limit=60") from exc
    response = web.StreamResponse(headers={"Content-Type": "text/event-stream", "Cache-Control": "no-cache"})
    await response.prepare(request)
    for _ in range(limit):
        payload = json.dumps(request.app[PROGRESS], ensure_ascii=False)
        await response.write(f"data: {payload}\n\n".encode("utf-8"))
        if request.app[PROGRESS].get("state") in ("done", "off", "error"):
            break
        await asyncio.sleep(1)
    return response


@needs(("public",))
async def openapi(request: web.Request) -> web.Response:
    from .openapi import spec

    return json_response(spec(request.app))


# ---------------------------------------------------------------------------------------------- lifecycle


async def _resources(app: web.Application):
    settings = app[SETTINGS]
    app[STORE] = Store(settings["data"])
    app[DB_POOL] = ThreadPoolExecutor(max_workers=1, thread_name_prefix="db-writer")
    app[WORK_POOL] = ThreadPoolExecutor(max_workers=2, thread_name_prefix="worker")
    app[FILL_POOL] = ThreadPoolExecutor(max_workers=1, thread_name_prefix="fill")
    app[DRAFT_LOCKS] = weakref.WeakValueDictionary()
    app[REPO] = DraftRepository(app[STORE])
    app[ACCOUNTS] = AccountRepository(app[STORE])
    settings["accounts_on"] = app[ACCOUNTS].count() > 0
    app[ENGINE] = ChatEngine(app[REPO], None)
    limits = settings["heavy"]
    app[HEAVY] = HeavyWork(IsolatedPool(limits.get("workers", 2), limits.get("time_limit", TIME_LIMIT)),
                           per_user=limits.get("per_user", PER_USER), capacity=limits.get("capacity", CAPACITY))
    if limits.get("warm"):
        warming = asyncio.get_running_loop().create_task(app[HEAVY].isolated_pool.warm())
    yield
    if limits.get("warm"):
        warming.cancel()
    app[HEAVY].close()
    app[WORK_POOL].shutdown(wait=True, cancel_futures=True)
    app[FILL_POOL].shutdown(wait=True, cancel_futures=True)
    app[DB_POOL].shutdown(wait=True, cancel_futures=True)
    app[STORE].close()


async def _knowledge(app: web.Application):
    """Open the knowledge base lazily, index the built-in corpus, then fill vectors in the background."""
    settings = app[SETTINGS]
    progress = app[PROGRESS]
    app[FILL_WAKE] = asyncio.Event()
    stop = {"flag": False}
    task = None
    if settings.get("knowledge", True):
        from ..retrieval.knowledge_base import KnowledgeBase

        kb = KnowledgeBase(settings["data"], embedder=settings.get("embedder"), store=app[STORE])  # one writer
        app[KB] = kb
        app[ENGINE].precedents = kb

        async def fill_pass(loop) -> None:
            pending = await loop.run_in_executor(app[DB_POOL], kb.pending_vectors)
            progress.update(state="embedding", done=0, total=pending)
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

        async def fill():
            loop = asyncio.get_running_loop()
            try:
                progress.update(state="indexing")
                await loop.run_in_executor(app[DB_POOL], kb.ensure_builtin)
                # load (or build) both indexes now, not on the first officer's search: ~10 s at 100k passages
                await loop.run_in_executor(app[FILL_POOL], kb.lexical)
                await loop.run_in_executor(app[FILL_POOL], kb.dense)
                while not stop["flag"]:  # then again whenever an upload adds passages without vectors
                    app[FILL_WAKE].clear()
                    await fill_pass(loop)
                    await app[FILL_WAKE].wait()
            except Exception as exc:  # noqa: BLE001 - search still works on BM25
                log.exception("background fill failed")
                progress.update(state="error", error=str(exc).splitlines()[0] if str(exc) else type(exc).__name__)

        task = asyncio.get_running_loop().create_task(fill())
    else:
        progress.update(state="off")
    yield
    stop["flag"] = True
    app[FILL_WAKE].set()
    if task is not None:
        task.cancel()
        try:
            await task
        except (asyncio.CancelledError, Exception):  # noqa: BLE001
            pass


async def _model(model, app: web.Application):
    """The language model client for the app's life (its connection pool closed at the end)."""
    from .generator import ModelSettings, OpenAIChatGenerator

    generator = OpenAIChatGenerator(model) if isinstance(model, ModelSettings) else model
    app[GENERATOR] = generator
    yield
    if hasattr(generator, "close"):
        await generator.close()


LOOPBACK = {"127.0.0.1", "localhost", "::1"}


def hosts_for(bind: str, extra: list[str] | None = None) -> set[str] | None:
    """The names a service bound to `bind` answers to: loopback, the bind address, this machine's own names,
    and `extra`; None (any name) only for a wildcard bind with nothing configured."""
    names = set(LOOPBACK) | {h.lower() for h in extra or []}
    if bind in ("0.0.0.0", "::", ""):
        if not extra:
            return None
    else:
        names.add(bind.lower())
    try:
        host = socket.gethostname()
        names |= {host.lower(), socket.getfqdn().lower(), *socket.gethostbyname_ex(host)[2]}
    except OSError:
        pass
    return names


def create_app(data: str | Path = "data", embedder: str | None = None, knowledge: bool = True,
               allowed_hosts: set[str] | None = LOOPBACK, heavy: dict | None = None,
               secure_cookies: bool = False, model=None) -> web.Application:
    """The service; `heavy` sets its heavy-work pool: workers, time_limit, per_user, capacity, warm.
    `secure_cookies`: the session cookie only over HTTPS (behind a TLS proxy). `model`: the intranet
    language model — ModelSettings, or any Generator (a test's fake); None: the rule-based path only."""
    app = web.Application(client_max_size=MAX_BODY, middlewares=[client_key, errors, known_host, same_origin_writes])
    app.on_response_prepare.append(security_headers)
    app[SETTINGS] = {"data": Path(data), "embedder": embedder, "knowledge": knowledge,
                     "instance": secrets.token_hex(4), "allowed_hosts": allowed_hosts, "heavy": heavy or {},
                     "secure_cookies": secure_cookies}
    app[PROGRESS] = {"state": "starting"}
    auth.setup(app)  # the session middleware, then who is asking and what their role may call
    app.middlewares.append(auth.access)
    app.cleanup_ctx.append(_resources)
    app.cleanup_ctx.append(_knowledge)
    if model is not None:
        app.cleanup_ctx.append(functools.partial(_model, model))
    app.router.add_get("/", page)
    app.router.add_get("/login", login_page)
    app.router.add_get("/admin", admin_page)
    app.router.add_get("/review", review.review_page)
    app.router.add_post("/api/review", review.post_review)
    app.router.add_static("/static/", WEB / "static", show_index=False)
    app.router.add_get("/api/health", health)
    app.router.add_get("/api/openapi.json", openapi)
    app.router.add_get("/api/events", events)
    app.router.add_get("/api/me", auth.me)
    app.router.add_post("/api/login", auth.login)
    app.router.add_post("/api/logout", auth.logout)
    app.router.add_post("/api/setup", auth.first_admin)
    app.router.add_get("/api/users", admin.list_users)
    app.router.add_post("/api/users", admin.add_user)
    app.router.add_put("/api/users/{user_id}", admin.update_user)
    app.router.add_get("/api/audit", admin.audit_log)
    app.router.add_get("/api/settings", kb_routes.get_settings)
    app.router.add_put("/api/settings", kb_routes.put_settings)
    app.router.add_get("/api/kb/documents", kb_routes.list_documents)
    app.router.add_post("/api/kb/documents", kb_routes.upload_document)
    app.router.add_put("/api/kb/documents/{doc_id}", kb_routes.replace_document)
    app.router.add_delete("/api/kb/documents/{doc_id}", kb_routes.delete_document)
    app.router.add_get("/api/kb/search", kb_routes.search)
    app.router.add_get("/api/drafts", drafts.list_drafts)
    app.router.add_post("/api/drafts", drafts.create_draft)
    app.router.add_get("/api/drafts/{draft_id}", drafts.get_draft)
    app.router.add_delete("/api/drafts/{draft_id}", drafts.delete_draft)
    app.router.add_get("/api/drafts/{draft_id}/preview", drafts.preview)
    app.router.add_post("/api/drafts/{draft_id}/turns", drafts.post_turn)
    app.router.add_post("/api/drafts/{draft_id}/confirm", drafts.confirm)
    app.router.add_put("/api/drafts/{draft_id}/indicators", drafts.edit_indicators)
    app.router.add_put("/api/drafts/{draft_id}/sections/{section}", drafts.put_section)
    app.router.add_put("/api/drafts/{draft_id}/notes/{note_id}", drafts.put_note)
    app.router.add_post("/api/drafts/{draft_id}/sections/{section}/{action:undo|redo}", drafts.step_section)
    app.router.add_post("/api/drafts/{draft_id}/sections/{section}/generate", model_routes.generate_section)
    app.router.add_get("/api/drafts/{draft_id}/export", drafts.export)
    app.router.add_get("/api/drafts/{draft_id}/review", workflow.draft_review)
    app.router.add_post("/api/drafts/{draft_id}/submit", workflow.submit)
    app.router.add_post("/api/drafts/{draft_id}/comments", workflow.add_comment)
    app.router.add_post("/api/drafts/{draft_id}/return", workflow.return_draft)
    app.router.add_post("/api/drafts/{draft_id}/approve", workflow.approve)
    app.router.add_post("/api/drafts/{draft_id}/precedent", workflow.to_precedents)
    auth.check_marked(app)
    return app


class ServeError(RuntimeError):
    """The service cannot start; str(error) is a one-line Chinese reason."""


def accounts_in(data: str | Path) -> int:
    store = Store(data)
    try:
        return AccountRepository(store).count()
    finally:
        store.close()


def serve(host: str = "127.0.0.1", port: int = 8080, data: str | Path = "data", embedder: str | None = None,
          allowed_hosts: list[str] | None = None, secure_cookies: bool = False, model=None) -> None:
    """Bind first, then say it started: a port in use is one line, not a traceback after '已启动'.
    Other computers are served only with accounts: without them there is no one to ask who is calling."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    for handler in logging.getLogger().handlers:  # bm25s sets its own logger to DEBUG when it is imported
        handler.addFilter(lambda record: record.name != "bm25s" or record.levelno >= logging.WARNING)
    users = accounts_in(data)
    if host not in LOOPBACK and users == 0:
        raise ServeError(f"监听 {host} 会让其他电脑访问，但还没有任何账号；请先创建管理员："
                         f"assistant user add 用户名 --role admin --data {data}")
    app = create_app(data, embedder, allowed_hosts=hosts_for(host, allowed_hosts), heavy={"warm": True},
                     secure_cookies=secure_cookies, model=model)
    try:
        asyncio.run(_run(app, host, port, data))
    except KeyboardInterrupt:
        print("已停止。", flush=True)


async def _run(app: web.Application, host: str, port: int, data: str | Path) -> None:
    try:  # the port first: nothing loads for a service that cannot listen
        sock = socket.create_server((host, port), family=socket.AF_INET6 if ":" in host else socket.AF_INET)
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise ServeError(f"端口 {port} 已被占用（可能已有一个助手在运行）；换一个端口：assistant serve --port {port + 1}") from exc
        raise ServeError(f"无法在 {host}:{port} 上启动：{exc.strerror or exc}") from exc
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.SockSite(runner, sock).start()
    mode = "账号登录" if app[SETTINGS].get("accounts_on") else "本机单用户模式（首次打开页面可启用账号）"
    generator = app.get(GENERATOR)
    if generator is not None:
        mode += f"；语言模型 {generator.name}"
    print(f"绩效自评报告起草助手已启动：http://{host}:{port}/  （{mode}；数据目录：{Path(data).resolve()}，按 Ctrl+C 停止）",
          flush=True)
    stop = asyncio.Event()
    try:  # SIGTERM (a service manager stopping it) closes the database and the pools like Ctrl+C
        asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    except (NotImplementedError, RuntimeError):
        pass
    try:
        await stop.wait()
    finally:
        await runner.cleanup()
