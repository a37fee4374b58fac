"""The knowledge base in the page (admin): upload past reports and policy documents, list, delete and
replace them, search them; the service's settings.

An upload is read in a worker process (an untrusted file: time limit, memory cap), stored, and searchable
by keyword the moment the request returns; its vectors are made by the background fill, which the
upload wakes. Uploaded files are kept in `data/library/`, so `assistant ingest` and the page work on the
same documents.
"""
from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

from aiohttp import web

from ..core.text import without_controls
from .auth import audit, needs
from .context import (ACCOUNTS, FILL_WAKE, HEAVY, KB, PROGRESS, SETTINGS, ApiError, in_db, in_worker, int_param,
                      json_response)
from .heavy import user_of
from .review_routes import file_part, receive_part
from .workflow_routes import PRECEDENT_MODES, precedent_mode

KB_SUFFIXES = (".txt", ".md", ".docx", ".xlsx")
KINDS = ("auto", "report", "policy")


def _kb(request: web.Request):
    kb = request.app.get(KB)
    if kb is None:
        raise ApiError(503, "知识库未启用", "服务以 knowledge=False 启动")
    return kb


def library(request: web.Request) -> Path:
    path = Path(request.app[SETTINGS]["data"]) / "library"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _safe_name(name: str) -> str:
    name = without_controls(Path(name or "upload.txt").name).strip() or "upload.txt"
    stem, suffix = os.path.splitext(name)
    return re.sub(r"[\\/:*?\"<>|]", "_", stem)[:80] + suffix.lower()


async def _receive(request: web.Request) -> tuple[str, Path, str]:
    """The uploaded file (multipart field `file`) saved under data/library: (shown name, path, sha256)."""
    part = await file_part(request)
    name = _safe_name(part.filename or "")
    if Path(name).suffix not in KB_SUFFIXES:
        raise ApiError(400, f"不支持的文件类型“{Path(name).suffix or name}”", "支持 .docx、.xlsx、.txt、.md")
    folder = library(request)
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".upload-")
    os.close(fd)
    try:
        size, digest = await receive_part(part, Path(tmp))
        if size == 0:
            raise ApiError(400, f"“{name}”是空文件")
        path = folder / f"{digest[:12]}-{name}"
        os.replace(tmp, path)  # whole or not at all: a half-received file never sits in the library
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return name, path, digest


async def _index(request: web.Request, name: str, path: Path, kind: str, digest: str | None = None,
                 trusted: bool = False) -> dict:
    """Read the file (an upload in a worker process; text this service wrote on the heavy thread), store
    it, wake the vector fill; the stored document's row. `digest`: its sha256, when already known."""
    from ..retrieval.prepare import digest_of, prepare_file

    kb = _kb(request)
    digest = digest or await in_db(request, digest_of, path)
    known = await in_db(request, kb.known_digest, digest)
    if known is not None:
        if Path(path).name != Path(known.get("source", "")).name:
            path.unlink(missing_ok=True)  # the same content under another name is the same document
        return {"unchanged": True, **known}
    heavy = request.app[HEAVY]
    async with heavy.admitted(user_of(request)):
        if trusted:
            prepared = await heavy.in_thread(prepare_file, path, kind, digest)
        else:
            prepared = await heavy.isolated("assistant.retrieval.prepare:prepare_file", path, kind, digest, what="文件")
    if isinstance(prepared, str):
        path.unlink(missing_ok=True)
        raise ApiError(400, f"“{name}”无法读取：{prepared}", "请检查文件后重新上传")
    replaced = await in_db(request, kb.add_prepared, prepared)
    request.app[FILL_WAKE].set()
    doc = (await in_db(request, kb.documents, path.name))[0]
    return {**doc, "unchanged": False, "replaced": replaced, "name": name}


async def index_text(request: web.Request, name: str, text: str, kind: str) -> dict:
    """A text the service wrote (an approved report) into the library and the index."""
    path = library(request) / _safe_name(name)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)
    return await _index(request, name, path, kind, trusted=True)


def _kind(request: web.Request) -> str:
    kind = request.query.get("kind", "auto")
    if kind not in KINDS:
        raise ApiError(400, f"未知的文件类别“{kind}”", "可选：auto、report、policy")
    return kind


@needs(("admin",))
async def list_documents(request: web.Request) -> web.Response:
    kb = _kb(request)
    docs = await in_db(request, kb.documents)
    return json_response({"ok": True, "documents": docs, "progress": request.app[PROGRESS]})


@needs(("admin",))
async def upload_document(request: web.Request) -> web.Response:
    """One file (multipart `file`) into the knowledge base; searchable by keyword when this returns."""
    kind = _kind(request)
    name, path, digest = await _receive(request)
    doc = await _index(request, name, path, kind, digest)
    await audit(request, "kb_upload", str(doc.get("id")), name)
    return json_response({"ok": True, "document": doc, "progress": request.app[PROGRESS]},
                         200 if doc.get("unchanged") else 201)


def _doc_id(request: web.Request) -> int:
    return int_param(request.match_info["doc_id"], ApiError(404, "没有这份文档"))


async def _existing(request: web.Request) -> dict:
    doc = await in_db(request, _kb(request).document, _doc_id(request))
    if doc is None:
        raise ApiError(404, "没有这份文档", "请刷新文档列表")
    if doc["builtin"]:
        raise ApiError(409, "内置先例不能删除或替换", "内置的五份样例报告随程序提供")
    return doc


@needs(("admin",))
async def replace_document(request: web.Request) -> web.Response:
    """A new version of a document: the new file is indexed first, then the old one goes."""
    old = await _existing(request)
    kind = _kind(request)
    name, path, digest = await _receive(request)
    doc = await _index(request, name, path, kind, digest)
    if not doc.get("unchanged") or doc.get("id") != old["id"]:
        await _delete(request, old)
    await audit(request, "kb_replace", str(old["id"]), f"{old['source']} → {name}")
    return json_response({"ok": True, "document": doc})


async def _delete(request: web.Request, doc: dict) -> None:
    await in_db(request, _kb(request).delete_document, doc["id"])
    path = Path(doc["path"])
    if path.parent == library(request).resolve():
        path.unlink(missing_ok=True)


@needs(("admin",))
async def delete_document(request: web.Request) -> web.Response:
    doc = await _existing(request)
    await _delete(request, doc)
    await audit(request, "kb_delete", str(doc["id"]), doc["source"])
    return json_response({"ok": True})


@needs(("user",))
async def search(request: web.Request) -> web.Response:
    """Keyword and vector search of the knowledge base (what the CLI's `search` does)."""
    kb = _kb(request)
    query = request.query.get("q", "").strip()
    if not query:
        raise ApiError(400, "请输入检索词", "如 /api/kb/search?q=预算执行率")
    k = max(1, min(int_param(request.query.get("k", "5"), ApiError(400, "k 须为正整数")), 50))
    kind = request.query.get("kind") or None
    if kind not in (None, "report", "policy"):
        raise ApiError(400, f"未知的文档类别“{kind}”", "可选：report、policy")
    hits = await in_worker(request, lambda: kb.search(query, k=k, kind=kind))
    return json_response({"ok": True, "query": query, "hits": [h.as_json() for h in hits],
                          "progress": request.app[PROGRESS]})


@needs(("admin",))
async def get_settings(request: web.Request) -> web.Response:
    settings = await in_db(request, request.app[ACCOUNTS].settings)
    return json_response({"ok": True, "settings": {"precedent_on_approve": precedent_mode(settings)}})


@needs(("admin",))
async def put_settings(request: web.Request) -> web.Response:
    from .context import json_body

    body = await json_body(request)
    mode = body.get("precedent_on_approve")
    if mode not in PRECEDENT_MODES:
        raise ApiError(400, "precedent_on_approve 取值有误", "可选：auto（通过即加入）、request（审核人申请）、off（不加入）")
    await in_db(request, request.app[ACCOUNTS].set_setting, "precedent_on_approve", mode)
    await audit(request, "settings", "precedent_on_approve", mode)
    return json_response({"ok": True, "settings": {"precedent_on_approve": mode}})
