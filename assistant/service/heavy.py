"""Heavy work — reviewing an uploaded file, exporting, drafting several sections in one turn — in a
bounded pool of its own, so chat turns, saves and reads always find their workers free.

Admission first: each user may have PER_USER heavy jobs waiting or running, the service CAPACITY in
all; beyond that the answer is 429 with a Chinese hint and Retry-After, at once, rather than a
queue that makes everyone wait. Admitted jobs run on one heavy thread (work that needs the
knowledge base in this process) or in the isolated worker processes (untrusted files, rendering).
"""
from __future__ import annotations

import asyncio
import contextlib
import re
import secrets
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from typing import Callable

from aiohttp import web

from .context import ApiError
from .isolated import IsolatedPool, JobFailed, JobTimedOut

PER_USER = 2  # an export and an upload at once; a third waits for one of them
CAPACITY = 24  # heavy jobs waiting or running in all
RETRY_AFTER = "5"


class HeavyWork:
    def __init__(self, isolated: IsolatedPool, threads: int = 1, per_user: int = PER_USER, capacity: int = CAPACITY):
        self.isolated_pool = isolated
        self.per_user, self.capacity = per_user, capacity
        self._threads = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="heavy")
        self._users: Counter[str] = Counter()
        self.refused = 0

    @contextlib.asynccontextmanager
    async def admitted(self, user: str):
        """Hold one of `user`'s heavy places for the block, or raise a 429 ApiError now."""
        if self._users[user] >= self.per_user:
            self.refused += 1
            raise ApiError(429, f"您已有 {self._users[user]} 项导出或审核正在处理", "请等它们完成后再试",
                           headers={"Retry-After": RETRY_AFTER})
        if sum(self._users.values()) >= self.capacity:
            self.refused += 1
            raise ApiError(429, "服务器正忙，导出和审核的人较多", "请稍等片刻再试；起草对话不受影响",
                           headers={"Retry-After": RETRY_AFTER})
        self._users[user] += 1
        try:
            yield
        finally:
            self._users[user] -= 1
            if self._users[user] <= 0:
                del self._users[user]

    async def in_thread(self, fn: Callable, *args):
        return await asyncio.get_running_loop().run_in_executor(self._threads, fn, *args)

    async def isolated(self, target: str, *args, what: str = "文件"):
        """Run `target` ("module:function") in a worker process; a job past the time limit or out of memory
        is stopped and said in one line."""
        try:
            return await self.isolated_pool.run(target, *args)
        except JobTimedOut as exc:
            raise ApiError(422, f"{what}处理超过 {self.isolated_pool.time_limit:g} 秒，已停止",
                           "文件可能过于复杂或已损坏；请另存为 .docx 或拆分后再试") from exc
        except JobFailed as exc:
            raise ApiError(422, f"{what}处理时内存不足，已停止", "文件可能过于复杂或已损坏；请另存或拆分后再试") from exc

    def busy(self) -> dict:
        return {"running_or_waiting": sum(self._users.values()), "refused": self.refused,
                "workers_started": self.isolated_pool.started, "workers_killed": self.isolated_pool.killed,
                "worker_peak_rss_mb": self.isolated_pool.peak_rss_mb}

    def close(self) -> None:
        self._threads.shutdown(wait=True, cancel_futures=True)
        self.isolated_pool.close()


CLIENT_COOKIE = "assistant_client"
_CLIENT_KEY = re.compile(r"[0-9a-f]{32}")


def user_of(request: web.Request) -> str:
    """Whose heavy places a request uses: the logged-in account, else the browser's client key (officers
    behind one address are counted apart), else the address. The client key is not a credential: a client
    that drops it still meets CAPACITY."""
    from .auth import PRINCIPAL

    who = request.get(PRINCIPAL)
    if who is not None and getattr(who, "user", None) is not None:
        return f"user:{who.user.id}"
    key = request.cookies.get(CLIENT_COOKIE, "")
    return f"client:{key}" if _CLIENT_KEY.fullmatch(key) else f"addr:{request.remote or '?'}"


@web.middleware
async def client_key(request: web.Request, handler):
    """Give a browser its client key on its first response."""
    response = await handler(request)
    if not _CLIENT_KEY.fullmatch(request.cookies.get(CLIENT_COOKIE, "")) and not response.prepared:
        response.set_cookie(CLIENT_COOKIE, secrets.token_hex(16), httponly=True, samesite="Strict",
                            max_age=365 * 24 * 3600)
    return response
