"""What every route of the service shares: the app's typed keys, the one JSON error, running blocking
work off the event loop (SQLite on its writer thread, the rest on the worker pool), a lock per draft."""
from __future__ import annotations

import asyncio
import json
import weakref
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Callable

from aiohttp import web

from ..storage.database import Store
from .chat import ChatEngine
from .drafts import DraftRepository

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


async def json_body(request: web.Request) -> dict:
    try:
        data = await request.json()
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ApiError(400, "请求内容不是有效的 JSON", str(exc).splitlines()[0]) from exc
    if not isinstance(data, dict):
        raise ApiError(400, "请求内容须为 JSON 对象")
    return data
