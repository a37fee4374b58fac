"""What every route of the service shares: the app's typed keys, the one JSON error, running blocking
work off the event loop (SQLite on its writer thread, the rest on the worker pool), a lock per draft."""
from __future__ import annotations

import asyncio
import codecs
import json
import re
import weakref
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Callable

from aiohttp import web

from ..core.text import without_controls
from ..storage.accounts import AccountRepository
from ..storage.database import Store
from .chat import ChatEngine
from ..storage.drafts import DraftRepository

WEB = Path(__file__).resolve().parent.parent.parent / "web"
MAX_BODY = 2 * 1024 * 1024  # pastes and edits; uploads come with the reviewer page

STORE = web.AppKey("store", Store)
REPO = web.AppKey("repo", DraftRepository)
ACCOUNTS = web.AppKey("accounts", AccountRepository)
DB_POOL = web.AppKey("db_pool", ThreadPoolExecutor)
WORK_POOL = web.AppKey("work_pool", ThreadPoolExecutor)
FILL_POOL = web.AppKey("fill_pool", ThreadPoolExecutor)
DRAFT_LOCKS = web.AppKey("draft_locks", weakref.WeakValueDictionary)
ENGINE = web.AppKey("engine", ChatEngine)
KB = web.AppKey("kb", object)
PROGRESS = web.AppKey("progress", dict)
FILL_WAKE = web.AppKey("fill_wake", asyncio.Event)  # set when an upload leaves passages without vectors
HEAVY = web.AppKey("heavy", object)  # HeavyWork: uploads, exports and many-section drafting
SETTINGS = web.AppKey("settings", dict)
GENERATOR = web.AppKey("generator", object)  # the intranet language model (service/generator.py), when configured


class ApiError(Exception):
    def __init__(self, status: int, error: str, hint: str = "", headers: dict[str, str] | None = None):
        super().__init__(error)
        self.status, self.error, self.hint, self.headers = status, error, hint, headers or {}


def json_response(data: Any, status: int = 200) -> web.Response:
    return web.json_response(data, status=status, dumps=lambda d: json.dumps(d, ensure_ascii=False, default=str))


async def in_db(request_or_app, fn: Callable, *args):
    app = request_or_app.app if isinstance(request_or_app, web.Request) else request_or_app
    return await asyncio.get_running_loop().run_in_executor(app[DB_POOL], fn, *args)


async def in_worker(request: web.Request, fn: Callable, *args):
    return await asyncio.get_running_loop().run_in_executor(request.app[WORK_POOL], fn, *args)


def draft_lock(request: web.Request) -> asyncio.Lock:
    """One lock per draft in use, dropped with its last holder: a draft's turns never interleave."""
    locks = request.app[DRAFT_LOCKS]
    draft_id = request.match_info["draft_id"]
    lock = locks.get(draft_id)
    if lock is None:
        lock = locks[draft_id] = asyncio.Lock()
    return lock


SQL_INT_MAX = 2**63 - 1


def int_param(text: str, error: ApiError, low: int = 0, high: int = SQL_INT_MAX) -> int:
    """An integer from a path or query, within what the database can hold; `error` otherwise."""
    try:
        value = int(text)
    except (TypeError, ValueError) as exc:
        raise error from exc
    if not low <= value <= high:
        raise error
    return value


MAX_DEPTH = 32  # no request of the page nests deeper; 3,000 levels would exhaust the parser's stack
_SURROGATE = re.compile("[\ud800-\udfff]")


async def json_body(request: web.Request) -> dict:
    """The request's JSON object, or a 400 in Chinese: bad charset, bad encoding, bad JSON, too deep, bad text."""
    raw = await request.read()
    charset = request.charset or "utf-8"
    try:
        codecs.lookup(charset)
    except LookupError as exc:
        raise ApiError(400, f"不支持的字符集“{charset[:40]}”", "请以 UTF-8 编码提交") from exc
    try:
        text = raw.decode(charset)
    except UnicodeDecodeError as exc:
        raise ApiError(400, f"请求内容不是 {charset} 编码", f"第 {exc.start + 1} 个字节无法解码；请以 UTF-8 编码提交") from exc
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ApiError(400, "请求内容不是有效的 JSON", f"第 {exc.lineno} 行第 {exc.colno} 列附近有误") from exc
    except RecursionError as exc:
        raise ApiError(400, "请求内容嵌套过深", f"JSON 嵌套不超过 {MAX_DEPTH} 层") from exc
    if not isinstance(data, dict):
        raise ApiError(400, "请求内容须为 JSON 对象")
    _check_values(data)
    return without_controls(data)


def _check_values(data: dict) -> None:
    """Nesting within MAX_DEPTH and no lone surrogate in any text (it cannot be stored or shown)."""
    stack: list[tuple[object, str, int]] = [(data, "", 1)]
    while stack:
        value, where, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise ApiError(400, "请求内容嵌套过深", f"JSON 嵌套不超过 {MAX_DEPTH} 层")
        if isinstance(value, dict):
            for key, item in value.items():
                stack.append((key, where, depth + 1))
                stack.append((item, f"{where}.{key}" if where else str(key), depth + 1))
        elif isinstance(value, list):
            stack.extend((item, f"{where}[{k}]", depth + 1) for k, item in enumerate(value))
        elif isinstance(value, str) and _SURROGATE.search(value):
            raise ApiError(400, f"“{where or '内容'}”含有无法识别的字符",
                           "可能是从其他软件复制时带入的残缺字符，请删除后重试")
