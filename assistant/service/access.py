"""Who may see and change a draft: the rules every draft route applies on the server.

An officer sees and edits the drafts of their own unit while they are being written or after they were
returned; a reviewer sees the drafts of the units they review once they have been submitted; an admin
sees none. A draft someone may not see is "not found" (404), never "forbidden": its id tells nothing.
"""
from __future__ import annotations

from aiohttp import web

from ..storage.drafts import DraftNotFound, DraftRecord
from .auth import PRINCIPAL, Principal
from .context import REPO, ApiError, in_db

LOCKED = {"submitted": ("草稿已送审，审核期间不能修改", "如需修改，请等审核人退回"),
          "approved": ("报告已通过审核，不能再修改", "如需修改，请联系审核人")}


def can_read(who: Principal, record: DraftRecord) -> bool:
    if who.local:
        return True
    if "officer" in who.roles and record.unit == who.unit:
        return True
    return "reviewer" in who.roles and record.unit in who.units and record.submitted_at is not None


def can_edit(who: Principal, record: DraftRecord) -> bool:
    return who.local or ("officer" in who.roles and record.unit == who.unit)


def can_review(who: Principal, record: DraftRecord) -> bool:
    return who.local or ("reviewer" in who.roles and record.unit in who.units and record.submitted_at is not None)


async def visible_draft(request: web.Request, draft_id: str | None = None) -> DraftRecord:
    """The draft of the route, if the one asking may see it; else DraftNotFound (404)."""
    record = await in_db(request, request.app[REPO].get, draft_id or request.match_info["draft_id"])
    if not can_read(request[PRINCIPAL], record):
        raise DraftNotFound(record.id)
    return record


async def editable_draft(request: web.Request) -> DraftRecord:
    """The draft, if the one asking may change it now: 404 when not theirs, 409 while it is locked."""
    record = await visible_draft(request)
    if not can_edit(request[PRINCIPAL], record):
        raise DraftNotFound(record.id)
    if not record.editable:
        error, hint = LOCKED[record.status]
        raise ApiError(409, error, hint)
    return record


async def reviewable_draft(request: web.Request) -> DraftRecord:
    record = await visible_draft(request)
    if not can_review(request[PRINCIPAL], record):
        raise DraftNotFound(record.id)
    return record


def listed_units(who: Principal) -> tuple[list[str] | None, bool]:
    """The draft list's filter: (units, submitted only)."""
    if who.local:
        return None, False
    if "officer" in who.roles:
        return [who.unit], False
    if "reviewer" in who.roles:
        return list(who.units), True
    return [], False
