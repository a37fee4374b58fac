"""Worker processes for work on untrusted files and for rendering: killed at a time limit, replaced.

A thread cannot be stopped; a process can. Reading an uploaded file (and rendering a .docx, which is
CPU only) runs in one of a few spawned processes, each at a lower CPU priority and under a memory
cap, so a file that takes minutes or gigabytes costs that worker, not the chat turns of everyone
else. A job names a function by "module:function" and sends picklable arguments.
"""
from __future__ import annotations

import asyncio
import importlib
import logging
import multiprocessing
import os
import pickle
import threading
from concurrent.futures import ThreadPoolExecutor

log = logging.getLogger(__name__)

TIME_LIMIT = 60.0  # seconds for one job
MEMORY_LIMIT = 2 * 1024 ** 3  # bytes of address space per worker
NICE = 10  # chat turns in the server process come first on a busy machine
STARTUP_LIMIT = 120.0  # a new worker's start and imports, not counted against a job's time limit


class JobTimedOut(Exception):
    """The job ran past its time limit; its worker was killed."""


class JobFailed(Exception):
    """The worker died or ran out of memory during the job."""


def _serve(conn, nice: int, memory: int) -> None:  # pragma: no cover - runs in the child process
    try:
        os.nice(nice)
    except OSError:
        pass
    if memory:
        try:
            import resource

            resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
        except (ImportError, ValueError, OSError):
            pass
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        if job is None:
            return
        target, args = job
        try:
            module, name = target.split(":")
            outcome = ("ok", getattr(importlib.import_module(module), name)(*args))
        except MemoryError:
            outcome = ("memory", None)
        except Exception as exc:  # noqa: BLE001 - the caller re-raises it as its own
            outcome = ("error", exc)
        try:
            conn.send(outcome)
        except (pickle.PicklingError, TypeError, AttributeError):
            conn.send(("error", RuntimeError(str(outcome[1]))))
        except MemoryError:
            conn.send(("memory", None))


class _Worker:
    def __init__(self, ctx, nice: int, memory: int):
        self.conn, child = ctx.Pipe()
        self.process = ctx.Process(target=_serve, args=(child, nice, memory), daemon=True, name="assistant-heavy")
        self.process.start()
        child.close()

    def call(self, target: str, args: tuple, timeout: float):
        """Blocking: send the job, wait for its outcome up to `timeout`; kill the worker past it."""
        try:
            self.conn.send((target, args))
            if not self.conn.poll(timeout):
                self.kill()
                raise JobTimedOut(target)
            status, value = self.conn.recv()
        except (EOFError, OSError, BrokenPipeError) as exc:
            self.kill()
            raise JobFailed(target) from exc
        if status == "ok":
            return value
        if status == "memory":
            self.kill()
            raise JobFailed(target)
        raise value

    def alive(self) -> bool:
        return self.process.is_alive()

    def peak_rss_mb(self) -> int:
        """The worker's peak resident set so far (VmHWM; 0 where /proc is not there)."""
        try:
            with open(f"/proc/{self.process.pid}/status", encoding="ascii") as fh:
                for line in fh:
                    if line.startswith("VmHWM:"):
                        return int(line.split()[1]) // 1024
        except OSError:
            pass
        return 0

    def kill(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join(timeout=5)
        self.conn.close()

    def stop(self) -> None:
        try:
            self.conn.send(None)
        except (OSError, BrokenPipeError):
            pass
        self.process.join(timeout=2)
        self.kill()


class IsolatedPool:
    """At most `size` jobs at once, each in its own process; workers start on first use and are reused."""

    def __init__(self, size: int = 2, time_limit: float = TIME_LIMIT, memory: int = MEMORY_LIMIT, nice: int = NICE):
        self.size, self.time_limit, self.memory, self.nice = size, time_limit, memory, nice
        self._ctx = multiprocessing.get_context("spawn")  # the server has threads: never fork it
        self._idle: list[_Worker] = []
        self._lock = threading.Lock()
        self._slots = asyncio.Semaphore(size)
        self._waiters = ThreadPoolExecutor(max_workers=size, thread_name_prefix="isolated")
        self.started = self.killed = self.peak_rss_mb = 0

    async def run(self, target: str, *args, timeout: float | None = None):
        async with self._slots:
            return await asyncio.get_running_loop().run_in_executor(
                self._waiters, self._call, target, args, timeout or self.time_limit)

    def _fresh(self) -> _Worker:
        """A new worker with the readers imported: the job's clock starts after that, its limit is its own time."""
        worker = _Worker(self._ctx, self.nice, self.memory)
        self.started += 1
        try:
            worker.call("assistant.service.isolated:_ready", (), STARTUP_LIMIT)
        except (JobTimedOut, JobFailed):
            self.killed += 1
            raise
        return worker

    def _call(self, target: str, args: tuple, timeout: float):
        with self._lock:
            worker = self._idle.pop() if self._idle else None
        if worker is None or not worker.alive():
            worker = self._fresh()
        try:
            result = worker.call(target, args, timeout)
            self.peak_rss_mb = max(self.peak_rss_mb, worker.peak_rss_mb())
            return result
        except (JobTimedOut, JobFailed):
            self.killed += 1
            log.warning("heavy job %s stopped; its worker was replaced", target)
            raise
        finally:  # a worker that survived its job (the job's own error included) serves the next one
            if worker.alive():
                with self._lock:
                    self._idle.append(worker)

    async def warm(self) -> None:
        """Start the workers and import the readers now, not on the first officer's upload."""
        async def one() -> None:
            async with self._slots:  # a slot each, as a job would take: never more than `size` workers
                worker = await asyncio.get_running_loop().run_in_executor(self._waiters, self._fresh)
            with self._lock:
                self._idle.append(worker)

        await asyncio.gather(*(one() for _ in range(self.size)), return_exceptions=True)

    def close(self) -> None:
        with self._lock:
            workers, self._idle = self._idle, []
        for worker in workers:
            worker.stop()
        self._waiters.shutdown(wait=False, cancel_futures=True)


def _ready() -> bool:
    """Imported in a fresh worker: the readers and renderers a job will need."""
    for module in ("assistant.core", "assistant.render.docx_report", "assistant.render.review_report"):
        importlib.import_module(module)
    return True
