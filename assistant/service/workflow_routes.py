"""The review workflow of a draft: 送审 → the reviewer's comments per section → 退回整改 or 通过; the reviewer
view of a draft (findings, claimed vs rule scores, each section's nearest precedent); an approved report
added to the knowledge base as precedent."""
from __future__ import annotations

from aiohttp import web

from ..core.forms import note_kinds
from ..core.models import Section
from ..storage.drafts import WorkflowConflict
from .access import editable_draft, reviewable_draft, visible_draft
from .auth import PRINCIPAL, actor, audit, needs
from .context import ACCOUNTS, ENGINE, HEAVY, KB, REPO, ApiError, draft_lock, in_db, json_body, json_response
from .heavy import user_of

STATUS_NAMES = {"draft": "起草中", "submitted": "已送审", "returned": "退回整改", "approved": "已通过"}
PRECEDENT_MODES = ("auto", "request", "off")  # an approved report joins the precedents: at once, when asked, never
MAX_COMMENT = 2000


def _conflict(status: str) -> ApiError:
    return ApiError(409, f"草稿当前状态为“{STATUS_NAMES.get(status, status)}”，不能进行这项操作", "请刷新页面查看最新状态")


async def _move(request: web.Request, action: str, note: str = "") -> str:
    try:
        return await in_db(request, request.app[REPO].move, request.match_info["draft_id"], action, actor(request), note)
    except WorkflowConflict as exc:
        raise _conflict(str(exc)) from exc


@needs(("officer",))
async def submit(request: web.Request) -> web.Response:
    """送审: the draft is locked and appears in the queue of the reviewers of its unit."""
    body = await json_body(request)
    async with draft_lock(request):
        record = await editable_draft(request)
        if record.report is None:
            raise ApiError(409, "还没有确认的数据，不能送审", "请先粘贴并确认资金、指标数据")
        status = await _move(request, "submit", str(body.get("note") or "")[:MAX_COMMENT])
    await audit(request, "draft_submit", record.id, record.title)
    reviewers = [u for u in await in_db(request, request.app[ACCOUNTS].users)
                 if u.role == "reviewer" and not u.disabled and record.unit in u.units]
    hint = "" if reviewers or request[PRINCIPAL].local else "本单位尚未指定审核人，请联系管理员"
    return json_response({"ok": True, "status": status, "reviewers": [u.display_name for u in reviewers],
                          "hint": hint})


@needs(("reviewer",))
async def add_comment(request: web.Request) -> web.Response:
    """A reviewer's comment on one section ('' for the report as a whole), on the submission under review."""
    body = await json_body(request)
    record = await reviewable_draft(request)
    section = str(body.get("section") or "")
    kinds = note_kinds(record.form)
    if section and section not in kinds:
        raise ApiError(400, f"本报告格式没有“{section}”这一节", f"可选：{'、'.join(kinds)}")
    text = str(body.get("text") or "").strip()
    if not text:
        raise ApiError(400, "意见不能为空")
    if len(text) > MAX_COMMENT:
        raise ApiError(400, f"意见不超过 {MAX_COMMENT} 字")
    try:
        comment = await in_db(request, request.app[REPO].add_comment, record.id, section, text, actor(request))
    except WorkflowConflict as exc:
        raise _conflict(str(exc)) from exc
    await audit(request, "comment", record.id, f"{section or '全文'}：{text[:80]}")
    return json_response({"ok": True, "comment": comment}, 201)


@needs(("reviewer",))
async def return_draft(request: web.Request) -> web.Response:
    """退回整改: the officer can edit again; a return says why (a note, or comments on this submission)."""
    body = await json_body(request)
    note = str(body.get("note") or "").strip()[:MAX_COMMENT]
    async with draft_lock(request):
        record = await reviewable_draft(request)
        repo = request.app[REPO]
        current = await in_db(request, repo.round, record.id)
        if not note and not any(c["round"] == current for c in await in_db(request, repo.comments, record.id)):
            raise ApiError(400, "退回须写明整改意见", "请在有问题的章节旁写意见，或填写退回说明")
        status = await _move(request, "return", note)
    await audit(request, "draft_return", record.id, note[:80])
    return json_response({"ok": True, "status": status})


@needs(("reviewer",))
async def approve(request: web.Request) -> web.Response:
    body = await json_body(request)
    note = str(body.get("note") or "").strip()[:MAX_COMMENT]
    async with draft_lock(request):
        record = await reviewable_draft(request)
        status = await _move(request, "approve", note)
    await audit(request, "draft_approve", record.id, record.title)
    mode = precedent_mode(await in_db(request, request.app[ACCOUNTS].settings))
    added = None
    if mode == "auto":
        added = await _to_precedents(request, await visible_draft(request))
    return json_response({"ok": True, "status": status, "precedent": added, "precedent_mode": mode})


def precedent_mode(settings: dict) -> str:
    mode = settings.get("precedent_on_approve", "request")
    return mode if mode in PRECEDENT_MODES else "request"


@needs(("reviewer",))
async def to_precedents(request: web.Request) -> web.Response:
    """An approved report into the knowledge base as precedent, when the admin's setting allows it."""
    record = await reviewable_draft(request)
    if record.status != "approved":
        raise ApiError(409, "只有通过审核的报告才能加入先例库")
    if precedent_mode(await in_db(request, request.app[ACCOUNTS].settings)) == "off":
        raise ApiError(409, "管理员已关闭“通过的报告加入先例库”", "请联系管理员")
    return json_response({"ok": True, "precedent": await _to_precedents(request, record)})


async def _to_precedents(request: web.Request, record) -> dict:
    from .kb_routes import index_text

    if any(e["action"] == "precedent" for e in await in_db(request, request.app[REPO].events, record.id)):
        raise ApiError(409, "这份报告已在先例库中")
    engine, heavy = request.app[ENGINE], request.app[HEAVY]
    from ..render.text_report import render_text

    async with heavy.admitted(user_of(request)):
        draft = await heavy.in_thread(engine.draft, record)
        text = await heavy.in_thread(render_text, draft, "md")
    # the project's own name as the precedent's title, not the form's heading the Markdown starts with
    name = (record.report.project.name if record.report else "") or record.title
    added = await index_text(request, f"approved-{record.id}.md", f"TITLE: {name}\n{text}", "report")
    await in_db(request, request.app[REPO].add_event, record.id, actor(request), "precedent", added["title"])
    await audit(request, "precedent_add", record.id, added["title"])
    return added


@needs(("officer", "reviewer"))
async def draft_review(request: web.Request) -> web.Response:
    """The reviewer view of a draft: what `check` finds, claimed vs rule scores, each section's nearest
    precedent with the shared text — the same view an uploaded report gets."""
    record = await visible_draft(request)
    if record.report is None:
        raise ApiError(409, "还没有确认的数据", "草稿尚无资金、指标数据")
    engine, heavy = request.app[ENGINE], request.app[HEAVY]

    def build():
        from ..render.review_report import review_json
        from .review_routes import _compare

        result = engine.result(record)
        draft = engine.draft(record, result=result)
        # the narrative as the reviewer reads it: the officer's adopted text, else the current draft
        result.report.sections = [Section(kind=s.kind, heading=s.title, text=s.text) for s in draft.sections
                                  if s.kind in record.sections]
        rv, corpus = _compare(request.app.get(KB), result)
        return review_json(rv, corpus)

    async with heavy.admitted(user_of(request)):
        data = await heavy.in_thread(build)
    data["changes"] = await in_db(request, _round_changes, request.app[REPO], record)
    return json_response({"ok": True, "draft": record.summary(), "review": data})


def _round_changes(repo, record) -> dict | None:
    """A resubmission: what changed since the round before — figures apart from wording."""
    from ..core.changes import figure_changes, section_changes
    from ..core.forms import get_form, money_words

    rounds = repo.submissions(record.id)
    if len(rounds) < 2:
        return None
    before, after = rounds[-2], rounds[-1]
    form = get_form(record.form)
    titles = {s.kind: s.title for s in form.sections} if form else {}
    figures = figure_changes(before["report"], after["report"], money_words(record.form)) \
        if before["report"] is not None and after["report"] is not None else []
    return {"since_round": before["round"], "round": after["round"], "figures": figures,
            "sections": section_changes(before["sections"], after["sections"], titles)}
