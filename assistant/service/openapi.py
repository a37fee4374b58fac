"""The OpenAPI 3.1 document for every action the page uses (served at /api/openapi.json)."""
from __future__ import annotations

from ..core.forms import form_ids, section_kinds

ERROR = {"type": "object", "required": ["ok", "error", "hint"],
         "properties": {"ok": {"const": False}, "error": {"type": "string"}, "hint": {"type": "string"}}}
REPLY = {"type": "object", "properties": {"ok": {"const": True}, "reply": {"type": "object", "properties": {
    "text": {"type": "string"}, "cards": {"type": "array", "items": {"type": "object"}}}}}}
SECTION = {"type": "object", "properties": {"ok": {"const": True}, "section": {"type": "object", "properties": {
    "section": {"type": "string"}, "text": {"type": "string"}, "origin": {"type": "string"},
    "citations": {"type": "array"}, "revision_id": {"type": "integer"}, "can_undo": {"type": "boolean"},
    "can_redo": {"type": "boolean"}}}}}
DRAFT_ID = {"name": "draft_id", "in": "path", "required": True, "schema": {"type": "string"}}
NOTE_ID = {"name": "note_id", "in": "path", "required": True, "schema": {"type": "integer"}}


def _section_name() -> dict:
    return {"name": "section", "in": "path", "required": True, "schema": {"enum": list(section_kinds())}}


def _op(summary: str, ok: dict, body: dict | None = None, params: list | None = None, status: str = "200") -> dict:
    op: dict = {"summary": summary, "responses": {
        status: {"description": "成功", "content": {"application/json": {"schema": ok}}},
        "default": {"description": "错误", "content": {"application/json": {"schema": ERROR}}}}}
    if body is not None:
        op["requestBody"] = {"required": True, "content": {"application/json": {"schema": body}}}
    if params:
        op["parameters"] = params
    return op


def spec() -> dict:
    ok = {"type": "object", "properties": {"ok": {"const": True}}}
    return {
        "openapi": "3.1.0",
        "info": {"title": "绩效自评报告起草助手 API", "version": "0.1.0"},
        "paths": {
            "/api/health": {"get": _op("服务状态与后台向量填充进度", ok)},
            "/api/events": {"get": {"summary": "后台进度（server-sent events）",
                                    "responses": {"200": {"description": "text/event-stream"}}}},
            "/api/drafts": {
                "get": _op("草稿列表", ok),
                "post": _op("新建草稿", ok, {"type": "object", "properties": {
                    "title": {"type": "string", "maxLength": 100},
                    "form": {"enum": list(form_ids())}}}, status="201")},
            "/api/drafts/{draft_id}": {
                "get": _op("草稿：对话记录、各节当前文字、待确认与已确认的数据", ok, params=[DRAFT_ID]),
                "delete": _op("删除草稿", ok, params=[DRAFT_ID])},
            "/api/drafts/{draft_id}/turns": {"post": _op(
                "一轮对话：粘贴数据、写某一节、检查、为什么扣分、导出", REPLY,
                {"type": "object", "required": ["text"], "properties": {
                    "text": {"type": "string"},
                    "answer": {"type": "object", "description": "快捷回答：问题编号与所选项，或跳过", "properties": {
                        "item": {"type": "string"}, "selected": {"type": "array", "items": {"type": "string"}},
                        "skip": {"type": "boolean"}}}}}, [DRAFT_ID])},
            "/api/drafts/{draft_id}/preview": {"get": _op(
                "报告现稿：各节已采用的文字或当前草稿，评分与问答进度",
                {"type": "object", "properties": {"ok": {"const": True}, "sections": {"type": "array"},
                                                  "progress": {"type": "object"}, "score": {"type": "object"}}},
                params=[DRAFT_ID])},
            "/api/drafts/{draft_id}/notes/{note_id}": {"put": _op(
                "把一条说明移到另一节", {"type": "object", "properties": {"ok": {"const": True}, "note": {"type": "object"}}},
                {"type": "object", "required": ["section"], "properties": {"section": {"enum": list(section_kinds())}}},
                [DRAFT_ID, NOTE_ID])},
            "/api/drafts/{draft_id}/confirm": {"post": _op(
                "确认识别出的数据（可附修改后的 report）", REPLY,
                {"type": "object", "properties": {"report": {"type": "object"}, "edits": {"type": "array", "items": {
                    "type": "object", "properties": {"table": {"enum": ["funding", "expenses", "indicators"]},
                                                     "row": {"type": "integer"}, "col": {"type": "string"},
                                                     "value": {"type": "string"}}}}}}, [DRAFT_ID])},
            "/api/drafts/{draft_id}/sections/{section}": {"put": _op(
                "采用建议或保存编辑：该节的新版本", SECTION,
                {"type": "object", "required": ["text"], "properties": {
                    "text": {"type": "string"}, "origin": {"type": "string"}, "citations": {"type": "array"}}},
                [DRAFT_ID, _section_name()])},
            "/api/drafts/{draft_id}/sections/{section}/undo": {"post": _op(
                "撤销该节上一次修改", SECTION, {"type": "object"}, [DRAFT_ID, _section_name()])},
            "/api/drafts/{draft_id}/sections/{section}/redo": {"post": _op(
                "重做该节被撤销的修改", SECTION, {"type": "object"}, [DRAFT_ID, _section_name()])},
            "/api/review": {"post": {
                "summary": "审核一份上传的报告（.docx/.xlsx/.txt/.md/.json，≤ 20 MB）",
                "parameters": [{"name": "format", "in": "query", "schema": {"enum": ["json", "md", "docx"]}}],
                "requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
                    "type": "object", "properties": {"file": {"type": "string", "format": "binary"}}}}}},
                "responses": {"200": {"description": "审核结果（JSON）或审核意见文件"},
                              "default": {"description": "错误", "content": {"application/json": {"schema": ERROR}}}}}},
            "/api/drafts/{draft_id}/export": {"get": {
                "summary": "导出 .docx / Markdown / HTML",
                "parameters": [DRAFT_ID, {"name": "format", "in": "query", "schema": {"enum": ["docx", "md", "html"]}}],
                "responses": {"200": {"description": "文件"},
                              "default": {"description": "错误", "content": {"application/json": {"schema": ERROR}}}}}},
        },
    }
