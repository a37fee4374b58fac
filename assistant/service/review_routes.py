"""The reviewer's page and upload: a report file checked, scored and compared with precedent."""
from __future__ import annotations

import hashlib
from pathlib import Path

from aiohttp import web
from aiohttp.http_exceptions import HttpProcessingError

from ..core.parse import ParseError, ReadError
from .auth import needs
from .context import HEAVY, KB, WEB, ApiError, json_response
from .heavy import user_of


MAX_UPLOAD = 20 * 1024 * 1024
BAD_FORM = (ValueError, AssertionError, KeyError, UnicodeError, TypeError, HttpProcessingError)
UPLOAD_SUFFIXES = (".txt", ".md", ".docx", ".xlsx", ".json")


@needs(("reviewer",))
async def review_page(request: web.Request) -> web.Response:
    html = (WEB / "review.html").read_text(encoding="utf-8")
    return web.Response(text=html, content_type="text/html", charset="utf-8")


@needs(("reviewer",))
async def post_review(request: web.Request) -> web.Response:
    """Upload a report (multipart field `file`, ≤ 20 MB); get findings, scores and precedents back."""
    import tempfile

    fmt = request.query.get("format", "json")
    if fmt not in ("json", "md", "docx"):
        raise ApiError(400, f"不支持的格式“{fmt}”", "可选：json、md、docx")
    part = await file_part(request)
    name = Path(part.filename or "upload.txt").name
    suffix = Path(name).suffix.lower()
    if suffix not in UPLOAD_SUFFIXES:
        raise ApiError(400, f"不支持的文件类型“{suffix or name}”", "支持 .docx、.xlsx、.txt、.md、.json")
    heavy = request.app[HEAVY]
    async with heavy.admitted(user_of(request)):
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / f"upload{suffix}"
            await receive_part(part, path)
            try:  # the untrusted file is read in a worker process: a time limit, a memory cap, killable
                result = await heavy.isolated("assistant.core:check_file", path, what="文件")
            except (ReadError, ParseError) as exc:
                raise ApiError(400, str(exc).splitlines()[0].replace("upload", Path(name).stem),
                               "请检查文件后重新上传") from exc
        result.report.project.name = result.report.project.name or Path(name).stem
        rv, corpus = await heavy.in_thread(_compare, request.app.get(KB), result)
        from ..render.review_report import review_json, review_markdown

        if fmt == "json":
            return json_response({"ok": True, "file": name, "review": review_json(rv, corpus)})
        if fmt == "md":
            return web.Response(text=review_markdown(rv, corpus), content_type="text/markdown", charset="utf-8",
                                headers={"Content-Disposition": 'attachment; filename="review.md"'})
        data = await heavy.isolated("assistant.render.review_report:review_docx_bytes", rv, corpus, what="审核意见")
    return web.Response(body=data, headers={
        "Content-Type": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "Content-Disposition": 'attachment; filename="review.docx"'})


async def file_part(request: web.Request):
    """The form's `file` part of a multipart upload, or a one-line 4xx."""
    if not request.content_type.startswith("multipart/"):
        raise ApiError(415, "请以表单上传文件", "multipart/form-data，字段名 file")
    try:  # a malformed form (no boundary, part headers in odd bytes) is the sender's error, said in one line
        reader = await request.multipart()
        part = await reader.next()
        while part is not None and getattr(part, "name", None) != "file":
            part = await reader.next()
    except BAD_FORM as exc:
        raise ApiError(400, "上传的表单格式有误", "请用页面上的上传按钮，或 multipart/form-data 的 file 字段") from exc
    if part is None:
        raise ApiError(400, "没有收到文件", "表单字段名应为 file")
    return part


async def receive_part(part, path: Path) -> tuple[int, str]:
    """The part written to `path`, at most MAX_UPLOAD bytes: (size, sha256 hex of the content)."""
    size = 0
    digest = hashlib.sha256()
    with open(path, "wb") as fh:
        try:
            while chunk := await part.read_chunk(65536):
                size += len(chunk)
                if size > MAX_UPLOAD:
                    raise ApiError(413, "文件过大", "上传文件不超过 20 MB")
                digest.update(chunk)
                fh.write(chunk)
        except BAD_FORM as exc:
            raise ApiError(400, "上传的文件没有传完整", "请重新上传") from exc
    return size, digest.hexdigest()


def _compare(kb, result):
    """Findings, scores and each section's nearest precedent (the knowledge base lives in this process)."""
    from ..review import Review, corpus_signals, review, sentence_index

    if kb is None:
        return Review(result, [], []), None
    from ..retrieval.metadata import report_type

    index = sentence_index(kb.report_texts())
    return review(result, kb, index), corpus_signals(kb.report_figures(), index, kind=report_type(result.report))
