"""Language models behind one small interface: messages in, text chunks out.

`OpenAIChatGenerator` speaks the OpenAI chat-completions protocol with `stream: true` — what vLLM, Ollama,
Xinference and llama.cpp's server offer on an intranet — over aiohttp: a time limit for the first chunk
and for the whole reply, retries with backoff on 429/5xx and refused connections (only before the first
chunk: a half-streamed reply is never silently restarted), and every failure as a GeneratorError whose
text is one Chinese line. `ScriptedGenerator` is the fake the tests drive.
"""
from __future__ import annotations

import asyncio
import json
import os
from dataclasses import dataclass
from typing import AsyncIterator, Protocol

import aiohttp


class GeneratorError(RuntimeError):
    """The model could not answer; str(error) is one Chinese line for the officer."""


class Generator(Protocol):
    name: str

    def stream(self, messages: list[dict]) -> AsyncIterator[str]: ...


@dataclass
class ModelSettings:
    url: str  # base URL of the OpenAI-compatible API, e.g. http://10.0.0.5:8000/v1
    model: str
    key_env: str | None = None  # the environment variable holding the API key, if the server wants one
    first_chunk_timeout: float = 60.0
    total_timeout: float = 300.0
    retries: int = 2
    max_tokens: int = 1200
    temperature: float = 0.3

    @classmethod
    def from_environment(cls, url: str | None = None, model: str | None = None,
                         key_env: str | None = None) -> "ModelSettings | None":
        """--llm-url/--llm-model/--llm-key-env, else ASSISTANT_LLM_URL / _MODEL / _KEY_ENV; None when unset."""
        url = url or os.environ.get("ASSISTANT_LLM_URL")
        model = model or os.environ.get("ASSISTANT_LLM_MODEL")
        if not url or not model:
            return None
        return cls(url=url.rstrip("/"), model=model, key_env=key_env or os.environ.get("ASSISTANT_LLM_KEY_ENV"))


RETRY_STATUS = {429, 500, 502, 503, 504}


class OpenAIChatGenerator:
    def __init__(self, settings: ModelSettings):
        self.settings = settings
        self.name = settings.model
        self._session: aiohttp.ClientSession | None = None

    def _headers(self) -> dict[str, str]:
        headers = {"Content-Type": "application/json", "Accept": "text/event-stream"}
        key = os.environ.get(self.settings.key_env) if self.settings.key_env else None
        if key:
            headers["Authorization"] = f"Bearer {key}"
        return headers

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    def _client(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(trust_env=False)  # an intranet server: no proxy from the env
        return self._session

    async def stream(self, messages: list[dict]) -> AsyncIterator[str]:
        s = self.settings
        body = {"model": s.model, "messages": messages, "stream": True, "max_tokens": s.max_tokens,
                "temperature": s.temperature}
        url = f"{s.url}/chat/completions"
        delay = 0.5
        for attempt in range(s.retries + 1):
            try:
                response = await asyncio.wait_for(
                    self._client().post(url, json=body, headers=self._headers(),
                                        timeout=aiohttp.ClientTimeout(total=None, sock_connect=10)),
                    s.first_chunk_timeout)
            except asyncio.TimeoutError as exc:
                raise GeneratorError(f"语言模型 {s.first_chunk_timeout:g} 秒内没有响应") from exc
            except aiohttp.ClientConnectionError as exc:
                if attempt < s.retries:
                    await asyncio.sleep(delay)
                    delay *= 2
                    continue
                raise GeneratorError(f"连不上语言模型服务（{s.url}）") from exc
            if response.status in RETRY_STATUS and attempt < s.retries:
                retry_after = response.headers.get("Retry-After", "")
                response.release()
                await asyncio.sleep(min(float(retry_after), 10.0) if retry_after.isdigit() else delay)
                delay *= 2
                continue
            if response.status != 200:
                text = (await response.text(errors="replace"))[:200].replace("\n", " ")
                response.release()
                busy = "繁忙" if response.status == 429 else "出错"
                raise GeneratorError(f"语言模型服务{busy}（HTTP {response.status}）{('：' + text) if text else ''}")
            async with response:
                async for chunk in self._chunks(response):
                    yield chunk
            return

    async def _chunks(self, response: aiohttp.ClientResponse) -> AsyncIterator[str]:
        """The text of each `data: {...}` event until `data: [DONE]`, each line within the time limits."""
        s = self.settings
        loop = asyncio.get_running_loop()
        deadline = loop.time() + s.total_timeout
        first = True
        while True:
            wait = min(s.first_chunk_timeout if first else s.total_timeout, deadline - loop.time())
            if wait <= 0:
                raise GeneratorError(f"语言模型超过 {s.total_timeout:g} 秒仍未写完，已停止")
            try:
                raw = await asyncio.wait_for(response.content.readline(), wait)
            except asyncio.TimeoutError as exc:
                raise GeneratorError("语言模型长时间没有输出，已停止") from exc
            except aiohttp.ClientPayloadError as exc:
                raise GeneratorError("语言模型的回复中断了") from exc
            if not raw:
                return  # the server closed the stream without [DONE]: what came is what there is
            line = raw.decode("utf-8", "replace").strip()
            if not line or line.startswith(":") or not line.startswith("data:"):
                continue
            data = line[5:].strip()
            if data == "[DONE]":
                return
            try:
                event = json.loads(data)
                choice = (event.get("choices") or [{}])[0]
                piece = (choice.get("delta") or {}).get("content") or ""
            except (ValueError, AttributeError, IndexError, TypeError) as exc:
                raise GeneratorError("语言模型返回了无法识别的内容") from exc
            if event.get("error"):
                raise GeneratorError(f"语言模型报错：{str(event['error'])[:120]}")
            if piece:
                first = False
                yield piece


class ScriptedGenerator:
    """A fake: replies given in advance, streamed a few characters at a time; records the prompts."""

    def __init__(self, replies: list[str], chunk: int = 4, delay: float = 0.0, name: str = "scripted"):
        self.replies, self.chunk, self.delay, self.name = list(replies), chunk, delay, name
        self.prompts: list[list[dict]] = []

    async def stream(self, messages: list[dict]) -> AsyncIterator[str]:
        self.prompts.append(messages)
        reply = self.replies.pop(0) if self.replies else ""
        for k in range(0, len(reply), self.chunk):
            if self.delay:
                await asyncio.sleep(self.delay)
            yield reply[k:k + self.chunk]
