"""The routes of a draft: create, list, open, preview, a chat turn, confirm a paste, move a note, adopt,
undo and redo a section, export."""
from __future__ import annotations

import re
from urllib.parse import quote

from aiohttp import web
from pydantic import ValidationError

from ..core.forms import default_form, form_ids, note_kinds, section_kinds
from ..core.models import Report, first_error
from ..core.parse import ParseError
from ..interview.items import progress
from ..interview.paste import apply_edits, paste_card
from ..interview.decision import OTHER_QUESTION
from ..storage.drafts import DraftRecord, DraftRepository
from .access import editable_draft, listed_units, visible_draft
from .auth import PRINCIPAL, audit, needs
from .chat import move_note
from .context import ENGINE, GENERATOR, HEAVY, REPO, ApiError, draft_lock, in_db, in_worker, json_body, json_response
from .heavy import user_of

OFFICER, READERS = ("officer",), ("officer", "reviewer")


@needs(READERS)
async def list_drafts(request: web.Request) -> web.Response:
    """An officer's unit's drafts; a reviewer's queue (what the units they review submitted)."""
    units, submitted_only = listed_units(request[PRINCIPAL])
    return json_response({"ok": True, "drafts": await in_db(request, request.app[REPO].list, units, submitted_only)})


@needs(OFFICER)
async def create_draft(request: web.Request) -> web.Response:
    body = await json_body(request)
    title = str(body.get("title") or "未命名草稿").strip()[:100]
    form = str(body.get("form") or default_form())
    if form not in form_ids():
        raise ApiError(400, f"未知报告格式“{form}”", f"可选：{'、'.join(form_ids())}")
    who = request[PRINCIPAL]
    repo, engine = request.app[REPO], request.app[ENGINE]
    record = await in_db(request, repo.create, title, form, who.unit, who.name)
    # the draft opens with its first question already put
    reply = await in_worker(request, engine.opening, record)
    await in_db(request, engine.save, record.id, reply)
    await audit(request, "draft_create", record.id, title)
    return json_response({"ok": True, "draft": record.summary(), "reply": {"text": reply.text, "cards": reply.cards}},
                         201)


def _draft_view(repo: DraftRepository, record: DraftRecord) -> dict:
    draft_id = record.id
    return {"ok": True, "draft": record.summary(), "turns": repo.turns(draft_id),
            "sections": {k: vars(v) for k, v in record.sections.items()},
            "pending": paste_card(record.pending, form=record.form) if record.pending else None,
            "data": {**paste_card(record.report, form=record.form), "actions": []} if record.report else None,
            "comments": repo.comments(draft_id), "events": repo.events(draft_id)}


@needs(READERS)
async def get_draft(request: web.Request) -> web.Response:
    """The draft with its turns, sections, data, the reviewer's comments and the workflow's history."""
    record = await visible_draft(request)
    return json_response(await in_db(request, _draft_view, request.app[REPO], record))


@needs(READERS)
async def preview(request: web.Request) -> web.Response:
    """The report as it would be exported now: each section's adopted text or its current draft."""
    record = await visible_draft(request)
    engine = request.app[ENGINE]

    def build() -> dict:
        result = engine.result(record)
        draft = engine.draft(record, result=result)
        sections = []
        for sec in draft.sections:
            first = sec.suggestions[0] if sec.suggestions else None
            sections.append({"kind": sec.kind, "title": sec.title, "text": sec.text,
                             "adopted": sec.kind in record.sections, "origin": first.origin if first else "gap",
                             "note": first.note if first else ""})
        score = result.score
        return {"ok": True, "sections": sections, "progress": progress(engine.items(record)),
                "score": {"total": _s(score.computed_total), "grade": score.computed_grade,
                          "claimed_total": _s(score.claimed_total)}}

    return json_response(await in_worker(request, build))


def _s(value) -> str | None:
    return None if value is None else format(value.normalize(), "f")


@needs(OFFICER)
async def delete_draft(request: web.Request) -> web.Response:
    """Only a draft never submitted: one the reviewer has seen keeps its history."""
    async with draft_lock(request):
        record = await editable_draft(request)
        if record.submitted_at is not None:
            raise ApiError(409, "送审过的草稿不能删除", "审核记录须保留；可以继续修改后再次送审")
        await in_db(request, request.app[REPO].delete, record.id)
    await audit(request, "draft_delete", record.id, record.title)
    return json_response({"ok": True})


@needs(OFFICER)
async def post_turn(request: web.Request) -> web.Response:
    body = await json_body(request)
    text = str(body.get("text") or "")
    if len(text) > 200_000:
        raise ApiError(413, "粘贴内容过长", "请分几次粘贴（每次不超过 20 万字）")
    answer = _answer_of(body.get("answer"))
    draft_id = request.match_info["draft_id"]
    repo, engine = request.app[REPO], request.app[ENGINE]
    async with draft_lock(request):
        record = await editable_draft(request)
        await in_db(request, repo.add_turn, draft_id, "user", text)  # kept even if answering fails
        if engine.heavy_turn(record, text):  # several sections drafted at once: heavy work, with its limits
            heavy = request.app[HEAVY]
            async with heavy.admitted(user_of(request)):
                reply = await heavy.in_thread(engine.answer, record, text, answer)
        else:
            reply = await in_worker(request, engine.answer, record, text, answer)
            unread = reply.decision is not None and (reply.decision.kind in ("clarify", "unclear") or
                                                     reply.decision.reason == OTHER_QUESTION)
            if unread and text.strip() and request.app.get(GENERATOR) is not None:
                reply = await _by_model(request, engine, record, text, answer, reply)
        await in_db(request, engine.save, draft_id, reply)
    return json_response({"ok": True, "reply": {"text": reply.text, "cards": reply.cards}})


async def _by_model(request: web.Request, engine, record, text: str, answer: dict, reply):
    """A turn the rules read as nothing: the model names one of the known intents (never a figure), and
    the rules answer that; the model down, the rules' own answer with a one-line note."""
    from .model_routes import read_intent

    words, note = await read_intent(request.app, text)
    if words:
        reply = await in_worker(request, engine.answer, record, words, answer)
    if note:
        reply.text = f"{note}\n{reply.text}" if reply.text else note
    return reply


def _answer_of(value) -> dict:
    """A quick reply: {item, selected: [labels]} or {item, skip: true}."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ApiError(400, "answer 须为对象", "形如 {\"item\": \"…\", \"selected\": [\"…\"]}")
    out: dict = {}
    if isinstance(value.get("item"), str):
        out["item"] = value["item"][:200]
    if value.get("selected") is not None:
        if not isinstance(value["selected"], list) or not all(isinstance(x, str) for x in value["selected"]):
            raise ApiError(400, "answer.selected 须为文字列表")
        out["selected"] = [x[:200] for x in value["selected"][:50]]
    if value.get("skip"):
        out["skip"] = True
    if value.get("as") in ("answer", "note"):  # the officer's choice on a question back: its answer, or report text
        out["as"] = value["as"]
        if isinstance(value.get("section"), str) and value["section"] in section_kinds():
            out["section"] = value["section"]
    return out


@needs(OFFICER)
async def edit_indicators(request: web.Request) -> web.Response:
    """Rename, correct or delete confirmed indicators from the draft column (row = position in the data card)."""
    body = await json_body(request)
    edits = body.get("edits")
    if not isinstance(edits, list) or not edits or len(edits) > 200:
        raise ApiError(400, "edits 须为非空列表", "形如 [{\"row\": 0, \"col\": \"name\", \"value\": \"…\"}]")
    rows = [{"table": "indicators", "row": e.get("row"), "col": "delete" if e.get("delete") else e.get("col"),
             "value": e.get("value", "")} for e in edits if isinstance(e, dict)]
    draft_id = request.match_info["draft_id"]
    repo = request.app[REPO]
    async with draft_lock(request):
        record = await editable_draft(request)
        if record.report is None:
            raise ApiError(409, "还没有确认过的指标", "请先粘贴并确认绩效指标表")
        try:
            report = apply_edits(record.report, rows)
        except ParseError as exc:
            raise ApiError(400, str(exc), "请改正后再保存") from exc
        await in_db(request, repo.set_report, draft_id, report)
    await audit(request, "indicators_edit", draft_id, f"{len(rows)} 处修改")
    return json_response({"ok": True, "data": {**paste_card(report, form=record.form), "actions": []}})


@needs(OFFICER)
async def confirm(request: web.Request) -> web.Response:
    body = await json_body(request)
    draft_id = request.match_info["draft_id"]
    engine = request.app[ENGINE]
    edited = None
    if body.get("report"):
        try:
            edited = Report.model_validate(body["report"])
        except ValidationError as exc:
            where = first_error(exc)[0] or "report"
            raise ApiError(400, "修改后的数据有误", f"字段 {where} 的值无法使用") from exc
    edits = body.get("edits") or []
    if not isinstance(edits, list):
        raise ApiError(400, "edits 须为列表")

    def answer(record):
        report = edited
        if edits:
            if record.pending is None:
                raise ApiError(409, "没有待确认的数据", "请先粘贴数据")
            try:
                report = apply_edits(record.pending, edits)
            except ParseError as exc:
                raise ApiError(400, str(exc), "请改正这一格后再确认") from exc
        return engine.with_question(record, engine.confirm(record, report))

    async with draft_lock(request):
        record = await editable_draft(request)
        reply = await in_worker(request, answer, record)
        await in_db(request, engine.save, draft_id, reply)
    await audit(request, "draft_confirm", draft_id, f"{len(edits)} 处修改" if edits else "")
    return json_response({"ok": True, "reply": {"text": reply.text, "cards": reply.cards}})


def _section(request: web.Request) -> str:
    kind = request.match_info["section"]
    if kind not in section_kinds():
        raise ApiError(404, f"没有“{kind}”这一节")
    return kind


@needs(OFFICER)
async def put_note(request: web.Request) -> web.Response:
    """Move one of the officer's notes to another section of the form."""
    body = await json_body(request)
    section = str(body.get("section") or "")
    if section not in section_kinds():
        raise ApiError(400, f"没有“{section}”这一节")
    try:
        note_id = int(request.match_info["note_id"])
    except ValueError as exc:
        raise ApiError(404, "没有这条说明") from exc
    repo = request.app[REPO]
    async with draft_lock(request):
        record = await editable_draft(request)
        if section not in note_kinds(record.form):
            raise ApiError(400, f"本报告格式没有“{section}”这一节", f"可选：{'、'.join(note_kinds(record.form))}")
        if record.report is None:
            raise ApiError(404, "没有这条说明")
        try:
            report = move_note(record.report, note_id, section)
        except KeyError as exc:
            raise ApiError(404, "没有这条说明") from exc
        await in_db(request, repo.set_report, record.id, report)
    await audit(request, "note_move", record.id, f"说明 {note_id} → {section}")
    note = next(n for n in report.notes if n.id == note_id)
    return json_response({"ok": True, "note": note.model_dump()})


@needs(OFFICER)
async def put_section(request: web.Request) -> web.Response:
    """采用 a suggestion or save an edit: a new revision of one section."""
    body = await json_body(request)
    kind = _section(request)
    text = str(body.get("text") or "")
    if not text.strip():
        raise ApiError(400, "内容不能为空")
    origin = str(body.get("origin") or "edit")
    citations = body.get("citations") if isinstance(body.get("citations"), list) else []
    async with draft_lock(request):
        record = await editable_draft(request)
        state = await in_db(request, request.app[REPO].revise, record.id, kind, text, origin, citations)
    await audit(request, "section_save", record.id, f"{kind}（{origin}，{len(text)} 字）")
    return json_response({"ok": True, "section": vars(state)})


@needs(OFFICER)
async def step_section(request: web.Request) -> web.Response:
    kind = _section(request)
    direction = -1 if request.match_info["action"] == "undo" else 1
    async with draft_lock(request):
        record = await editable_draft(request)
        state = await in_db(request, request.app[REPO].step, record.id, kind, direction)
    if state is None:
        raise ApiError(409, "没有可以撤销的修改" if direction < 0 else "没有可以重做的修改")
    await audit(request, "section_" + request.match_info["action"], record.id, kind)
    return json_response({"ok": True, "section": vars(state)})


@needs(READERS)
async def export(request: web.Request) -> web.Response:
    fmt = request.query.get("format", "docx")
    if fmt not in ("docx", "md", "html"):
        raise ApiError(400, f"不支持的导出格式“{fmt}”", "可选：docx、md、html")
    record = await visible_draft(request)
    draft_id = record.id
    if record.report is None:
        raise ApiError(409, "还没有确认的数据，无法导出", "请先粘贴并确认资金、指标数据")
    engine, heavy = request.app[ENGINE], request.app[HEAVY]
    async with heavy.admitted(user_of(request)):
        draft = await heavy.in_thread(engine.draft, record)
        if fmt == "docx":  # python-docx is CPU only: in a worker process it takes no time from chat turns
            data = await heavy.isolated("assistant.render.docx_report:docx_bytes", draft, what="导出")
        else:
            from ..render.text_report import render_text

            data = (await heavy.in_thread(render_text, draft, fmt)).encode("utf-8")
    types = {"docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
             "md": "text/markdown; charset=utf-8", "html": "text/html; charset=utf-8"}
    await audit(request, "draft_export", draft_id, fmt)
    name = export_name(record, fmt)
    return web.Response(body=data, headers={"Content-Type": types[fmt],
                                            "Content-Disposition": f"attachment; filename=\"{_ascii_name(draft_id, fmt)}\"; "
                                                                   f"filename*=UTF-8''{quote(name)}"})


def export_name(record, fmt: str) -> str:
    """The file named as it is filed: '2024年华容县森林防火项目绩效自评报告.docx' (the year once, no characters a file
    system refuses)."""
    from ..core.figures import report_year

    title = (record.report.project.name if record.report and record.report.project.name else record.title) or "绩效自评报告"
    year = report_year(record.report) if record.report else None
    if year and not re.search(rf"{year}\s*年", title):  # '寿县2024年农村生活垃圾治理项目' has its year already
        title = f"{year}年度{title}"
    name = re.sub(r'[\\/:*?"<>|\r\n\t]+', "", title).strip()[:80] or "绩效自评报告"
    if not name.endswith(("报告", "自评表")):
        name += "绩效自评表" if record.form == "national" else "绩效自评报告"
    return f"{name}.{fmt}"


def _ascii_name(draft_id: str, fmt: str) -> str:
    return f"report-{draft_id}.{fmt}"  # for clients that cannot read filename*
