"""User management and the audit log, for admins. The command line (`assistant user …`) does the same on
the same database."""
from __future__ import annotations

from aiohttp import web

from ..storage.accounts import ROLES, UserExists
from .auth import (PRINCIPAL, ROLE_NAMES, USERNAME_RULE, audit, hash_password, needs, password_problem, split_units,
                   valid_username)
from .context import ACCOUNTS, ApiError, in_db, int_param, json_body, json_response


def _units(value) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return split_units(value)
    if not isinstance(value, list) or not all(isinstance(u, str) for u in value):
        raise ApiError(400, "units 须为单位名称的列表")
    return sorted({u.strip()[:100] for u in value if u.strip()})


def _role(value) -> str:
    if value not in ROLES:
        raise ApiError(400, f"未知角色“{value}”", "可选：officer（经办人）、reviewer（审核人）、admin（管理员）")
    return value


@needs(("admin",))
async def list_users(request: web.Request) -> web.Response:
    users = await in_db(request, request.app[ACCOUNTS].users)
    units = await in_db(request, request.app[ACCOUNTS].units)
    return json_response({"ok": True, "users": [u.public() for u in users], "units": units,
                          "roles": [{"id": r, "name": ROLE_NAMES[r]} for r in ROLES]})


@needs(("admin",))
async def add_user(request: web.Request) -> web.Response:
    if request[PRINCIPAL].local:  # an officer made first would lock this computer out: no admin to log in as
        raise ApiError(409, "请先启用账号：创建第一个管理员", "打开 /login?setup=1，或命令行 assistant user add 用户名 --role admin")
    body = await json_body(request)
    username = str(body.get("username") or "").strip()
    if not valid_username(username):
        raise ApiError(400, USERNAME_RULE)
    role = _role(body.get("role"))
    unit = str(body.get("unit") or "").strip()[:100]
    if role == "officer" and not unit:
        raise ApiError(400, "经办人须填写所在单位")
    units = _units(body.get("units"))
    if role == "reviewer" and not units:
        raise ApiError(400, "审核人须填写负责审核的单位")
    password = str(body.get("password") or "")
    problem = password_problem(password, username)
    if problem:
        raise ApiError(400, problem)
    display = str(body.get("display_name") or username).strip()[:50]
    try:
        user = await in_db(request, request.app[ACCOUNTS].add, username, display, role, unit,
                           hash_password(password), units if role == "reviewer" else [])
    except UserExists as exc:
        raise ApiError(409, f"用户名“{username}”已存在") from exc
    await audit(request, "user_add", username, f"{ROLE_NAMES[role]} {unit or '、'.join(units)}")
    return json_response({"ok": True, "user": user.public()}, 201)


@needs(("admin",))
async def update_user(request: web.Request) -> web.Response:
    """Change a user's name, role, unit, reviewed units, password or disable them; sessions end on change."""
    user_id = int_param(request.match_info["user_id"], ApiError(404, "没有这个用户"))
    body = await json_body(request)
    repo = request.app[ACCOUNTS]
    user = await in_db(request, repo.get, user_id)
    if user is None:
        raise ApiError(404, "没有这个用户")
    me = request[PRINCIPAL]
    changes: dict = {}
    if "display_name" in body:
        changes["display_name"] = str(body["display_name"] or user.username).strip()[:50]
    if "role" in body:
        changes["role"] = _role(body["role"])
    if "unit" in body:
        changes["unit"] = str(body["unit"] or "").strip()[:100]
    if "units" in body:
        changes["units"] = _units(body["units"])
    if "disabled" in body:
        changes["disabled"] = bool(body["disabled"])
    if body.get("password"):
        problem = password_problem(str(body["password"]), user.username)
        if problem:
            raise ApiError(400, problem)
        changes["password_hash"] = hash_password(str(body["password"]))
    if me.user is not None and me.user.id == user_id and (changes.get("disabled") or changes.get("role", "admin") != "admin"):
        raise ApiError(409, "不能停用自己或取消自己的管理员角色", "请由另一位管理员操作")
    updated = await in_db(request, lambda: repo.update(user_id, **changes))
    said = "、".join(k if k != "password_hash" else "password" for k in changes)
    await audit(request, "user_update", user.username, said)
    return json_response({"ok": True, "user": updated.public()})


@needs(("admin",))
async def audit_log(request: web.Request) -> web.Response:
    bad = ApiError(400, "limit / before 须为正整数")
    limit = max(1, min(int_param(request.query.get("limit", "200"), bad), 1000))
    before = int_param(request.query["before"], bad) if "before" in request.query else None
    rows = await in_db(request, request.app[ACCOUNTS].audit_log, limit, before, request.query.get("actor"))
    return json_response({"ok": True, "entries": rows})
