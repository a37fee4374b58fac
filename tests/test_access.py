"""Every route of the OpenAPI document, called as each role and as a second unit's officer and reviewer:
the allowed calls get through, the others are refused (401 / 403 / 404 for another unit's draft) with
nothing in the database changed."""
import hashlib
import json
import sqlite3

import pytest
from aiohttp import FormData

from assistant.service.app import create_app
from assistant.service.auth import hash_password
from assistant.storage.accounts import AccountRepository
from assistant.storage.database import DB_NAME, Store

from .conftest import DATA

PASSWORD = "correct-horse-1"
USERS = {  # name: (role, unit, reviewed units)
    "admin1": ("admin", "", []),
    "officer_a": ("officer", "甲局", []),
    "officer_b": ("officer", "乙局", []),
    "reviewer_a": ("reviewer", "", ["甲局"]),
    "reviewer_b": ("reviewer", "", ["乙局"]),
}
# what the database holds that a refused call must not touch (sessions, audit and failed logins may move)
WATCHED = ("drafts", "turns", "revisions", "section_heads", "comments", "draft_events", "users", "reviewer_units",
           "documents", "passages", "settings")


def make_accounts(data) -> None:
    store = Store(data)
    repo = AccountRepository(store)
    hashed = hash_password(PASSWORD)  # one hash for all: argon2 is slow on purpose
    for name, (role, unit, units) in USERS.items():
        repo.add(name, name, role, unit, hashed, units)
    store.close()


class Actor:
    """One browser: its own cookie jar, its CSRF token."""

    def __init__(self, client, name: str | None):
        self.client, self.name, self.csrf = client, name, ""

    async def login(self):
        resp = await self.client.post("/api/login", json={"username": self.name, "password": PASSWORD})
        assert resp.status == 200, await resp.text()
        self.csrf = (await resp.json())["csrf"]
        return self

    def request(self, method: str, path: str, **kwargs):
        headers = kwargs.pop("headers", {})
        if self.csrf and method in ("POST", "PUT", "DELETE"):
            headers["X-CSRF-Token"] = self.csrf
        return self.client.request(method, path, headers=headers, **kwargs)


def snapshot(data) -> str:
    db = sqlite3.connect(data / DB_NAME)
    digest = hashlib.sha256()
    for table in WATCHED:
        for row in db.execute(f"SELECT * FROM {table} ORDER BY rowid"):
            digest.update(repr(tuple(row)).encode())
    db.close()
    return digest.hexdigest()


@pytest.fixture
async def world(aiohttp_client, aiohttp_server, tmp_path):
    data = tmp_path / "data"
    make_accounts(data)
    server = await aiohttp_server(create_app(data, embedder="fake", heavy={"workers": 1}))
    actors = {"anonymous": Actor(await aiohttp_client(server), None)}
    for name in USERS:
        actors[name] = await Actor(await aiohttp_client(server), name).login()
    a = actors["officer_a"]
    paste = (DATA / "paste_tsv.txt").read_text(encoding="utf-8")

    async def draft(title: str, submit: bool) -> str:
        draft_id = (await (await a.request("POST", "/api/drafts", json={"title": title})).json())["draft"]["id"]
        assert (await a.request("POST", f"/api/drafts/{draft_id}/turns", json={"text": paste})).status == 200
        assert (await a.request("POST", f"/api/drafts/{draft_id}/confirm", json={})).status == 200
        if submit:
            assert (await a.request("POST", f"/api/drafts/{draft_id}/submit", json={})).status == 200
        return draft_id

    submitted = await draft("甲局已送审的项目", True)
    unsubmitted = await draft("甲局起草中的项目", False)
    upload = FormData()
    upload.add_field("file", "项目名称：示例先例\n一、项目概况\n示例先例的概况文字。".encode(), filename="先例.txt")
    doc = await (await actors["admin1"].request("POST", "/api/kb/documents", data=upload)).json()
    users = {u["username"]: u["id"] for u in (await (await actors["admin1"].request("GET", "/api/users")).json())["users"]}
    yield {"data": data, "actors": actors, "submitted": submitted, "unsubmitted": unsubmitted,
           "doc_id": doc["document"]["id"], "users": users, "server": server}


def operations(spec: dict):
    for path, ops in spec["paths"].items():
        for method, op in ops.items():
            yield path, method.upper(), op


def _body(path: str, method: str, world: dict, counter: list):
    """A well-formed request for the route, so that an allowed caller gets past validation."""
    counter[0] += 1
    if path in ("/api/review", "/api/kb/documents", "/api/kb/documents/{doc_id}") and method in ("POST", "PUT"):
        form = FormData()
        form.add_field("file", f"项目名称：上传{counter[0]}\n一、项目概况\n第{counter[0]}份。".encode(),
                       filename=f"u{counter[0]}.txt")
        return {"data": form}
    bodies = {
        "/api/login": {"username": "nobody", "password": "x" * 8},
        "/api/setup": {"username": "late", "password": PASSWORD},
        "/api/users": {"username": f"new{counter[0]}", "role": "officer", "unit": "丙局", "password": PASSWORD},
        "/api/users/{user_id}": {"display_name": "改名"},
        "/api/settings": {"precedent_on_approve": "request"},
        "/api/drafts": {"title": "新草稿"},
        "/api/drafts/{draft_id}/turns": {"text": "项目单位：甲局"},
        "/api/drafts/{draft_id}/sections/{section}": {"text": "改写的一段。"},
        "/api/drafts/{draft_id}/notes/{note_id}": {"section": "problems"},
        "/api/drafts/{draft_id}/indicators": {"edits": [{"row": 0, "col": "name", "value": "改名的指标"}]},
        "/api/drafts/{draft_id}/comments": {"section": "", "text": "请补充绩效目标"},
        "/api/drafts/{draft_id}/return": {"note": "请补充"},
    }
    if method in ("POST", "PUT", "DELETE"):
        return {"json": bodies.get(path, {})}
    return {}


def _fill(path: str, world: dict, draft_id: str) -> str:
    return (path.replace("{draft_id}", draft_id).replace("{section}", "problems").replace("{note_id}", "1")
            .replace("{user_id}", str(world["users"]["officer_a"])).replace("{doc_id}", str(world["doc_id"]))
            + ("?limit=1" if path == "/api/events" else "") + ("?q=先例" if path == "/api/kb/search" else ""))


def _allowed(roles: list[str], actor: str) -> bool:
    if "public" in roles:
        return True
    if actor == "anonymous":
        return False
    return "user" in roles or USERS[actor][0] in roles


def _sees(actor: str, data, draft_id: str) -> bool:
    """Whether `actor` may see 甲局's draft as the database has it now (allowed calls before moved it on)."""
    if actor == "officer_a":
        return True
    db = sqlite3.connect(data / DB_NAME)
    submitted = db.execute("SELECT submitted_at FROM drafts WHERE id = ?", (draft_id,)).fetchone()[0]
    db.close()
    return actor == "reviewer_a" and submitted is not None


ACTORS = ("anonymous", *USERS)
SESSION_ROUTES = ("/api/login", "/api/logout", "/api/setup")


async def test_every_route_as_every_role(world):
    resp = await world["actors"]["anonymous"].request("GET", "/api/openapi.json")
    spec = await resp.json()
    ops = list(operations(spec))
    routes = {(r.method, r.resource.canonical.replace("{action}", a)) for r in world["server"].app.router.routes()
              if r.resource.canonical.startswith("/api/") and r.method != "HEAD" for a in ("undo", "redo")}
    assert {(m, p) for p, m, _ in ops} == routes  # the document lists every route the server has, no more
    assert all("x-roles" in op for _, _, op in ops)
    counter = [0]
    figures = {"allowed": 0, "refused": 0, "refused_401": 0, "refused_403": 0, "refused_404": 0}
    for path, method, op in ops:
        roles = op["x-roles"]
        for state in (("submitted", "unsubmitted") if "{draft_id}" in path else ("-",)):
            for actor in ACTORS:
                if path in SESSION_ROUTES:  # checked on their own: they would change the actors' sessions mid-table
                    continue
                who = world["actors"][actor]
                target = _fill(path, world, world.get(state, ""))
                before = snapshot(world["data"])
                allowed = _allowed(roles, actor) and ("{draft_id}" not in path or
                                                      _sees(actor, world["data"], world[state]))
                resp = await who.request(method, target, **_body(path, method, world, counter))
                text = (await resp.read()).decode("utf-8", "replace")
                where = f"{method} {target} as {actor}: {resp.status} {text[:200]}"
                if allowed:
                    figures["allowed"] += 1
                    assert resp.status < 500 and resp.status not in (401, 403), where
                    assert "草稿不存在" not in text, where
                    if method == "GET":
                        assert resp.status == 200, where
                else:
                    figures["refused"] += 1
                    expected = 401 if actor == "anonymous" else 403 if not _allowed(roles, actor) else 404
                    assert resp.status == expected, where
                    figures[f"refused_{expected}"] += 1
                    if expected == 404:  # another unit's draft looks exactly like one that does not exist
                        assert json.loads(text)["error"] == "草稿不存在", where
                    assert snapshot(world["data"]) == before, f"state changed: {where}"
    print("route x role figures:", figures, "operations:", len(ops))
    assert figures["refused_401"] and figures["refused_403"] and figures["refused_404"]


async def test_setup_is_refused_once_accounts_exist(world):
    for actor in ACTORS:
        before = snapshot(world["data"])
        resp = await world["actors"][actor].request("POST", "/api/setup", json={"username": "late", "password": PASSWORD})
        assert resp.status == 403 and snapshot(world["data"]) == before


async def test_logout_needs_a_session_and_ends_it(world):
    anonymous, officer = world["actors"]["anonymous"], world["actors"]["officer_a"]
    assert (await anonymous.request("POST", "/api/logout", json={})).status == 401
    assert (await officer.request("POST", "/api/logout", json={})).status == 200
    assert (await officer.request("GET", "/api/drafts")).status == 401


async def test_each_role_lists_only_its_own(world):
    actors = world["actors"]

    async def listed(name):
        return {d["id"] for d in (await (await actors[name].request("GET", "/api/drafts")).json())["drafts"]}

    assert await listed("officer_a") == {world["submitted"], world["unsubmitted"]}
    assert await listed("officer_b") == set()
    assert await listed("reviewer_a") == {world["submitted"]}  # only what was sent for review
    assert await listed("reviewer_b") == set()
    assert (await actors["admin1"].request("GET", "/api/drafts")).status == 403
    me = await (await actors["reviewer_a"].request("GET", "/api/me")).json()
    assert me["mode"] == "accounts" and me["user"]["units"] == ["甲局"] and me["user"]["role"] == "reviewer"
