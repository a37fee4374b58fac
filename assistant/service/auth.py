"""Who is asking: accounts, sessions, login throttling, CSRF, and the role each route needs.

Passwords are hashed with Argon2id (argon2-cffi). The browser holds an encrypted, HttpOnly, SameSite=Strict
cookie (aiohttp-session with Fernet from cryptography) carrying only a random session id; the session itself
lives in the database, so logging out, a new password or a disabled account ends it everywhere — a copy of
the cookie taken before logout opens nothing. Every state-changing API call carries the session's CSRF token
in `X-CSRF-Token` (compared in constant time), on top of SameSite and the same-origin check.

With no accounts yet the service runs in single-user mode (本机单用户模式): the one person at this computer is
officer, reviewer and admin of the local unit, and only requests from this computer are answered.
"""
from __future__ import annotations

import hmac
import ipaddress
import os
import secrets
import time
from dataclasses import dataclass, field
from pathlib import Path

from aiohttp import web
from aiohttp_session import get_session, new_session, setup as setup_sessions
from aiohttp_session.cookie_storage import EncryptedCookieStorage
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from ..storage.accounts import ROLES, AccountRepository, User, UserExists
from .context import ACCOUNTS, GENERATOR, SETTINGS, ApiError, in_db, in_worker, json_body, json_response

SESSION_COOKIE = "assistant_session"
IDLE_SECONDS = 4 * 3600  # a session unused this long is closed
ABSOLUTE_SECONDS = 12 * 3600  # and none lives longer than a working day
THROTTLE_WINDOW = 15 * 60
ACCOUNT_LIMIT = 5  # failed logins of one account within the window before it is held
ADDRESS_LIMIT = 20  # failed logins from one address (any accounts) within the window
MIN_PASSWORD = 8
LOCAL_NAME = "本机"
ROLE_NAMES = {"officer": "经办人", "reviewer": "审核人", "admin": "管理员"}

_hasher = PasswordHasher()  # argon2id, 64 MiB, t=3: the library's recommended defaults
_DUMMY_HASH = _hasher.hash(secrets.token_hex(16))  # an unknown user costs the same time as a wrong password

PRINCIPAL = web.RequestKey("principal", object)


@dataclass
class Principal:
    """The one asking: a logged-in user, the local user of single-user mode, or nobody."""
    roles: frozenset[str]
    unit: str = ""
    units: tuple[str, ...] = ()
    name: str = ""
    user: User | None = None
    csrf: str = ""
    session_id: str = ""
    local: bool = False
    extra: dict = field(default_factory=dict)

    @property
    def anonymous(self) -> bool:
        return not self.roles

    def public(self) -> dict:
        if self.local:
            return {"username": LOCAL_NAME, "display_name": LOCAL_NAME, "roles": sorted(self.roles), "unit": "",
                    "units": [""], "local": True}
        if self.user is None:
            return {}
        return {**self.user.public(), "roles": sorted(self.roles), "local": False}


NOBODY = Principal(frozenset())
LOCAL = Principal(frozenset(ROLES), unit="", units=("",), name=LOCAL_NAME, local=True)


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def password_problem(password: str, username: str = "") -> str | None:
    """Why a new password cannot be used, in one Chinese line; None when it can."""
    if len(password) < MIN_PASSWORD:
        return f"密码至少 {MIN_PASSWORD} 位"
    if username and password.lower() == username.lower():
        return "密码不能与用户名相同"
    if len(set(password)) < 4:
        return "密码过于简单"
    return None


def is_loopback(address: str | None) -> bool:
    try:
        return ipaddress.ip_address((address or "").split("%")[0]).is_loopback
    except ValueError:
        return False


def secret_key(data: Path) -> bytes:
    """The cookie encryption key: ASSISTANT_SECRET_KEY, else data/secret.key (made on first start, mode 0600)."""
    from cryptography.fernet import Fernet

    env = os.environ.get("ASSISTANT_SECRET_KEY")
    if env:
        return env.encode("ascii")
    path = Path(data) / "secret.key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(Fernet.generate_key())
        os.replace(tmp, path)
    return path.read_bytes().strip()


def setup(app: web.Application) -> None:
    """Encrypted-cookie sessions; call once in the app factory, before the other middlewares."""
    from cryptography.fernet import Fernet

    settings = app[SETTINGS]
    storage = EncryptedCookieStorage(Fernet(secret_key(settings["data"])), cookie_name=SESSION_COOKIE, httponly=True,
                                     samesite="Strict", secure=bool(settings.get("secure_cookies")), max_age=None)
    setup_sessions(app, storage)


# ---------------------------------------------------------------------------------------------- who is asking


async def principal_of(request: web.Request) -> Principal:
    app = request.app
    if not app[SETTINGS].get("accounts_on"):
        # an account made meanwhile on the command line ends single-user mode at once, not at the next start
        if await in_db(request, app[ACCOUNTS].count) == 0:
            return LOCAL if is_loopback(request.remote) else NOBODY
        app[SETTINGS]["accounts_on"] = True
    session = await get_session(request)
    sid = session.get("sid")
    if not isinstance(sid, str):
        return NOBODY
    found = await in_db(request, app[ACCOUNTS].session, sid, IDLE_SECONDS, ABSOLUTE_SECONDS)
    if found is None:
        return NOBODY
    user, csrf = found
    return Principal(frozenset({user.role}), unit=user.unit, units=tuple(user.units), name=user.username, user=user,
                     csrf=csrf, session_id=sid)


def needs(roles: tuple[str, ...]):
    """Mark a handler with the roles that may call it ("public": anyone; "user": anyone logged in)."""
    def mark(handler):
        handler.roles = roles
        return handler
    return mark


UNSAFE = ("POST", "PUT", "PATCH", "DELETE")
NO_CSRF = ("/api/login", "/api/setup")  # no session yet: SameSite, Origin and JSON guard these


@web.middleware
async def access(request: web.Request, handler):
    """Every request: who asks, whether their role may call this route, and the CSRF token on writes."""
    who = await principal_of(request)
    request[PRINCIPAL] = who
    roles = getattr(getattr(request.match_info, "handler", None), "roles", None)
    if roles is None:  # static files and unknown paths (404/405) are public; a route left unmarked is not
        route = request.match_info.route
        open_route = route is None or isinstance(route.resource, web.StaticResource) or request.match_info.http_exception
        roles = ("public",) if open_route else ("admin-only-unmarked",)
    if "public" not in roles:
        if who.anonymous:
            if not request.path.startswith("/api/"):
                raise web.HTTPFound("/login?next=" + request.path)
            raise ApiError(401, "请先登录", "登录已过期或尚未登录")
        if "user" not in roles and not who.roles & set(roles):
            if not request.path.startswith("/api/"):
                raise web.HTTPFound("/")
            raise ApiError(403, "没有权限进行这项操作", f"需要的角色：{'、'.join(ROLE_NAMES.get(r, r) for r in roles)}")
    if request.method in UNSAFE and not who.local and not who.anonymous and request.path not in NO_CSRF:
        token = request.headers.get("X-CSRF-Token", "")
        if not hmac.compare_digest(token.encode("utf-8", "replace"), who.csrf.encode("utf-8")):
            raise ApiError(403, "页面已过期，请刷新后重试", "缺少或不符的 X-CSRF-Token")
    return await handler(request)


def check_marked(app: web.Application) -> None:
    """Every route but the static files says who may call it: a route added without `needs` fails at start."""
    for route in app.router.routes():
        if not isinstance(route.resource, web.StaticResource) and getattr(route.handler, "roles", None) is None:
            raise RuntimeError(f"route {route.method} {route.resource.canonical} has no @needs(...) mark")


def actor(request: web.Request) -> str:
    return request[PRINCIPAL].name or "-"


async def audit(request: web.Request, action: str, target: str = "", detail: str = "") -> None:
    who = request[PRINCIPAL]
    await in_db(request, request.app[ACCOUNTS].audit, who.name or "-", action, target, detail,
                ",".join(sorted(who.roles)), who.unit, request.remote or "")


# ---------------------------------------------------------------------------------------------- handlers


@needs(("public",))
async def me(request: web.Request) -> web.Response:
    who = request[PRINCIPAL]
    accounts_on = bool(request.app[SETTINGS].get("accounts_on"))
    return json_response({"ok": True, "mode": "accounts" if accounts_on else "local", "user": who.public() or None,
                          "csrf": who.csrf or None, "model": getattr(request.app.get(GENERATOR), "name", None),
                          "setup_possible": not accounts_on and is_loopback(request.remote)})


def _held_until(times: list[float], limit: int) -> float:
    """When a login held by `times` (failures within the window, oldest first) may be tried again; 0: not held."""
    if len(times) < limit:
        return 0.0
    return times[-limit] + THROTTLE_WINDOW


@needs(("public",))
async def login(request: web.Request) -> web.Response:
    body = await json_body(request)
    username = str(body.get("username") or "").strip()[:100]
    password = str(body.get("password") or "")[:1000]
    if not username or not password:
        raise ApiError(400, "请输入用户名和密码")
    repo: AccountRepository = request.app[ACCOUNTS]
    address = request.remote or ""
    now = time.time()
    by_user, by_address = await in_db(request, repo.failures, username, address, now - THROTTLE_WINDOW)
    held = max(_held_until(by_user, ACCOUNT_LIMIT), _held_until(by_address, ADDRESS_LIMIT))
    if held > now:
        wait = int(held - now) + 1
        await in_db(request, repo.audit, username, "login_held", "", f"{len(by_user)} 次失败", "", "", address)
        raise ApiError(429, f"登录失败次数过多，请 {max(1, round(wait / 60))} 分钟后再试",
                       "如忘记密码，请联系管理员重置", headers={"Retry-After": str(wait)})
    user = await in_db(request, repo.by_name, username)
    ok = await _verify(request, user.password_hash if user else _DUMMY_HASH, password)
    if not ok or user is None:
        await in_db(request, repo.failed_login, username, address)
        await in_db(request, repo.audit, username, "login_failed", "", "", "", "", address)
        left = ACCOUNT_LIMIT - len(by_user) - 1
        raise ApiError(401, "用户名或密码错误", f"还可尝试 {left} 次" if left > 0 else "账号已暂时锁定 15 分钟")
    if user.disabled:
        await in_db(request, repo.audit, user.username, "login_disabled", "", "", user.role, user.unit, address)
        raise ApiError(403, "账号已停用", "请联系管理员")
    if _hasher.check_needs_rehash(user.password_hash):
        await in_db(request, lambda: repo.update(user.id, password_hash=_hasher.hash(password)))
    await in_db(request, repo.clear_failures, username)
    return await _open(request, user)


async def _verify(request: web.Request, hashed: str, password: str) -> bool:
    def check() -> bool:
        try:
            return _hasher.verify(hashed, password)
        except (VerificationError, InvalidHashError):
            return False
    return await in_worker(request, check)  # ~50 ms of CPU: not on the event loop, not on the writer thread


async def _open(request: web.Request, user: User) -> web.Response:
    """A fresh session (never the one the browser brought: no fixation) and its CSRF token."""
    sid, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    repo: AccountRepository = request.app[ACCOUNTS]
    await in_db(request, repo.open_session, sid, user.id, csrf, request.remote or "")
    session = await new_session(request)
    session["sid"] = sid
    await in_db(request, repo.audit, user.username, "login", "", "", user.role, user.unit, request.remote or "")
    who = Principal(frozenset({user.role}), unit=user.unit, units=tuple(user.units), name=user.username, user=user,
                    csrf=csrf)
    return json_response({"ok": True, "user": who.public(), "csrf": csrf})


@needs(("user",))
async def logout(request: web.Request) -> web.Response:
    who = request[PRINCIPAL]
    if who.session_id:
        await in_db(request, request.app[ACCOUNTS].close_session, who.session_id)
        await audit(request, "logout")
    session = await get_session(request)
    session.invalidate()
    return json_response({"ok": True})


@needs(("public",))
async def first_admin(request: web.Request) -> web.Response:
    """Turn accounts on from this computer: the first account, an admin; the local drafts go to a unit."""
    if request.app[SETTINGS].get("accounts_on") or not is_loopback(request.remote):
        raise ApiError(403, "账号已启用，不能再次初始化", "请用管理员账号登录后添加用户")
    body = await json_body(request)
    username = str(body.get("username") or "").strip()
    password = str(body.get("password") or "")
    display = str(body.get("display_name") or username).strip()[:50]
    local_unit = str(body.get("local_unit") or "").strip()[:100]
    if not valid_username(username):
        raise ApiError(400, USERNAME_RULE)
    problem = password_problem(password, username)
    if problem:
        raise ApiError(400, problem)
    repo: AccountRepository = request.app[ACCOUNTS]
    try:
        user = await in_db(request, repo.add, username, display, "admin", "", hash_password(password), [])
    except UserExists as exc:
        raise ApiError(409, "用户名已存在") from exc
    request.app[SETTINGS]["accounts_on"] = True
    if local_unit:
        from .context import REPO
        moved = await in_db(request, request.app[REPO].move_unit, "", local_unit)
        await in_db(request, repo.audit, username, "local_drafts_moved", local_unit, f"{moved} 份", "admin", "",
                    request.remote or "")
    await in_db(request, repo.audit, username, "accounts_on", "", "", "admin", "", request.remote or "")
    return await _open(request, user)


USERNAME_RULE = "用户名须为 2–32 位字母、数字、下划线或中文"


def valid_username(name: str) -> bool:
    import re
    return bool(re.fullmatch(r"[\w\u4e00-\u9fff.-]{2,32}", name or ""))


def split_units(text: str) -> list[str]:
    """'县交通运输局，县水利局、县教育局' → the units, sorted, each once (the page and the command line)."""
    return sorted({u.strip()[:100] for u in text.replace("，", ",").replace("、", ",").split(",") if u.strip()})
