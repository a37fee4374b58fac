"""The OpenAPI 3.1 document for every action the page uses (served at /api/openapi.json). Each operation
says which roles may call it (`x-roles`, read from the route's handler: the same mark the server enforces)."""
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
USER_ID = {"name": "user_id", "in": "path", "required": True, "schema": {"type": "integer"}}
DOC_ID = {"name": "doc_id", "in": "path", "required": True, "schema": {"type": "integer"}}
UPLOAD = {"required": True, "content": {"multipart/form-data": {"schema": {
    "type": "object", "properties": {"file": {"type": "string", "format": "binary"}}}}}}
KIND_QUERY = {"name": "kind", "in": "query", "schema": {"enum": ["auto", "report", "policy"]}}
NOTE_BODY = {"type": "object", "properties": {"note": {"type": "string", "maxLength": 2000}}}
USER_BODY = {"type": "object", "properties": {
    "username": {"type": "string"}, "display_name": {"type": "string"}, "password": {"type": "string"},
    "role": {"enum": ["officer", "reviewer", "admin"]}, "unit": {"type": "string"},
    "units": {"type": "array", "items": {"type": "string"}}, "disabled": {"type": "boolean"}}}
ROLE_WORDS = {"public": "无需登录", "user": "任何已登录用户", "officer": "经办人", "reviewer": "审核人", "admin": "管理员"}


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


def _upload(summary: str, params: list) -> dict:
    return {"summary": summary, "parameters": params, "requestBody": UPLOAD,
            "responses": {"200": {"description": "成功"}, "201": {"description": "已加入"},
                          "default": {"description": "错误", "content": {"application/json": {"schema": ERROR}}}}}


def spec(app=None) -> dict:
    """The document; with the running `app`, each operation carries the roles its handler requires."""
    doc = _document()
    if app is not None:
        _add_roles(doc, app)
    return doc


def _add_roles(doc: dict, app) -> None:
    for route in app.router.routes():
        info = route.resource.get_info() if route.resource is not None else {}
        path = info.get("formatter") or info.get("path")
        roles = getattr(route.handler, "roles", None)
        if not path or roles is None or not path.startswith("/api/"):
            continue
        paths = [path.replace("{action}", a) for a in ("undo", "redo")] if "{action}" in path else [path]
        for p in paths:
            op = doc["paths"].get(p, {}).get(route.method.lower())
            if op is None:
                continue
            op["x-roles"] = list(roles)
            op["security"] = [] if "public" in roles else [{"session": [], "csrf": []}]
            op["description"] = "角色：" + "、".join(ROLE_WORDS.get(r, r) for r in roles)


def _document() -> dict:
    ok = {"type": "object", "properties": {"ok": {"const": True}}}
    return {
        "openapi": "3.1.0",
        "info": {"title": "绩效自评报告起草助手 API", "version": "0.2.0"},
        "components": {"securitySchemes": {
            "session": {"type": "apiKey", "in": "cookie", "name": "assistant_session",
                        "description": "登录后的会话（加密、HttpOnly、SameSite=Strict）；本机单用户模式不需要"},
            "csrf": {"type": "apiKey", "in": "header", "name": "X-CSRF-Token",
                     "description": "写操作须带 /api/me 或登录返回的 csrf"}}},
        "paths": {
            "/api/openapi.json": {"get": {"summary": "本文档", "responses": {"200": {"description": "OpenAPI 3.1"}}}},
            "/api/me": {"get": _op("当前用户、模式（本机单用户 / 账号）与 CSRF 令牌", ok)},
            "/api/login": {"post": _op("登录", ok, {"type": "object", "required": ["username", "password"],
                                                  "properties": {"username": {"type": "string"},
                                                                 "password": {"type": "string"}}})},
            "/api/logout": {"post": _op("退出登录（会话在服务器端作废）", ok, {"type": "object"})},
            "/api/setup": {"post": _op("启用账号：在本机创建第一个管理员（仅无账号时、仅本机）", ok, {
                "type": "object", "required": ["username", "password"], "properties": {
                    "username": {"type": "string"}, "password": {"type": "string"},
                    "display_name": {"type": "string"}, "local_unit": {"type": "string"}}})},
            "/api/users": {"get": _op("用户列表", ok), "post": _op("添加用户", ok, USER_BODY, status="201")},
            "/api/users/{user_id}": {"put": _op("修改用户：姓名、角色、单位、审核单位、重置密码、停用", ok, USER_BODY,
                                                [USER_ID])},
            "/api/audit": {"get": _op("操作日志（谁、何时、做了什么）", ok, params=[
                {"name": "limit", "in": "query", "schema": {"type": "integer"}},
                {"name": "before", "in": "query", "schema": {"type": "integer"}},
                {"name": "actor", "in": "query", "schema": {"type": "string"}}])},
            "/api/settings": {"get": _op("服务设置", ok), "put": _op("修改服务设置", ok, {
                "type": "object", "properties": {"precedent_on_approve": {"enum": ["auto", "request", "off"]}}})},
            "/api/kb/documents": {"get": _op("知识库文档：类别、年度、地区、段落数、向量进度", ok),
                                  "post": _upload("上传一份报告或政策文件（≤ 20 MB），立即可按关键词检索", [KIND_QUERY])},
            "/api/kb/documents/{doc_id}": {"put": _upload("用新文件替换一份文档", [DOC_ID, KIND_QUERY]),
                                           "delete": _op("删除一份文档", ok, params=[DOC_ID])},
            "/api/kb/search": {"get": _op("检索知识库", ok, params=[
                {"name": "q", "in": "query", "required": True, "schema": {"type": "string"}},
                {"name": "k", "in": "query", "schema": {"type": "integer"}},
                {"name": "kind", "in": "query", "schema": {"enum": ["report", "policy"]}}])},
            "/api/drafts/{draft_id}/sections/{section}/generate": {"post": {
                "summary": "用语言模型写该节（server-sent events：token、done 或 error；采用前不改动草稿）",
                "parameters": [DRAFT_ID, _section_name()],
                "requestBody": {"required": True, "content": {"application/json": {"schema": {
                    "type": "object", "properties": {"instruction": {"type": "string", "maxLength": 300},
                                                     "passage_id": {"type": "integer"}}}}}},
                "responses": {"200": {"description": "text/event-stream"},
                              "default": {"description": "错误", "content": {"application/json": {"schema": ERROR}}}}}},
            "/api/drafts/{draft_id}/submit": {"post": _op("送审：锁定草稿，进入审核人的待审列表", ok, NOTE_BODY, [DRAFT_ID])},
            "/api/drafts/{draft_id}/comments": {"post": _op("审核意见（按章节；section 为空表示全文）", ok, {
                "type": "object", "required": ["text"], "properties": {"section": {"type": "string"},
                                                                     "text": {"type": "string"}}},
                [DRAFT_ID], status="201")},
            "/api/drafts/{draft_id}/return": {"post": _op("退回整改", ok, NOTE_BODY, [DRAFT_ID])},
            "/api/drafts/{draft_id}/approve": {"post": _op("审核通过", ok, NOTE_BODY, [DRAFT_ID])},
            "/api/drafts/{draft_id}/precedent": {"post": _op("把通过的报告加入先例库", ok, {"type": "object"}, [DRAFT_ID])},
            "/api/drafts/{draft_id}/review": {"get": _op(
                "审核视图：问题、自评分与规则分、各节最相近的先例及相同文字", ok, params=[DRAFT_ID])},
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
            "/api/drafts/{draft_id}/indicators": {"put": _op(
                "改名、修改或删除已确认的绩效指标", {"type": "object", "properties": {"ok": {"const": True}, "data": {"type": "object"}}},
                {"type": "object", "required": ["edits"], "properties": {"edits": {"type": "array", "minItems": 1, "maxItems": 200,
                 "items": {"type": "object", "required": ["row"], "properties": {
                     "row": {"type": "integer", "minimum": 0, "maximum": 10000},
                     "col": {"enum": ["name", "target", "actual", "direction"]}, "value": {"type": "string", "maxLength": 200},
                     "delete": {"type": "boolean"}}}}}},
                [DRAFT_ID])},
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
