"""The attacks a bureau's intranet service must refuse: writes from another site, a cookie copied before
logout, guessing passwords, another unit's draft id; and what the session cookie and stored hashes are."""
import sqlite3
import time

import pytest

from assistant.service import auth
from assistant.service.app import create_app
from assistant.storage import accounts
from assistant.storage.database import DB_NAME

from .test_access import PASSWORD, Actor, make_accounts, snapshot


@pytest.fixture
async def site(aiohttp_client, aiohttp_server, tmp_path):
    data = tmp_path / "data"
    make_accounts(data)
    server = await aiohttp_server(create_app(data, embedder="fake", knowledge=False))

    async def actor(name=None, login=True):
        a = Actor(await aiohttp_client(server), name)
        return await a.login() if login and name else a

    return {"data": data, "server": server, "actor": actor}


async def test_writes_from_another_site_are_refused(site):
    officer = await site["actor"]("officer_a")
    before = snapshot(site["data"])
    attempts = [
        {"headers": {"Origin": "http://evil.example"}},  # a page elsewhere posting with the officer's cookie
        {"headers": {"Sec-Fetch-Site": "cross-site"}},
        {"headers": {"X-CSRF-Token": "forged"}, "no_token": True},
        {"no_token": True},  # SameSite bypassed somehow, still no token
    ]
    statuses = []
    for attempt in attempts:
        headers = dict(attempt.get("headers", {}))
        if not attempt.get("no_token"):
            headers["X-CSRF-Token"] = officer.csrf
        resp = await officer.client.post("/api/drafts", json={"title": "伪造"}, headers=headers)
        statuses.append(resp.status)
        assert "跨站" in (await resp.json())["error"] or "页面已过期" in (await resp.json())["error"]
    # an HTML form from elsewhere cannot send JSON: refused before anything else
    form = await officer.client.post("/api/drafts", data={"title": "表单"}, headers={"X-CSRF-Token": officer.csrf})
    statuses.append(form.status)
    assert statuses == [403, 403, 403, 403, 415]
    assert snapshot(site["data"]) == before
    ok = await officer.request("POST", "/api/drafts", json={"title": "本站"})  # the same call from our page works
    assert ok.status == 201


async def test_a_cookie_copied_before_logout_opens_nothing(site):
    officer = await site["actor"]("officer_a")
    cookie = officer.client.session.cookie_jar.filter_cookies(officer.client.make_url("/"))[auth.SESSION_COOKIE].value
    thief = await site["actor"](login=False)
    stolen = {"Cookie": f"{auth.SESSION_COOKIE}={cookie}"}
    assert (await thief.client.get("/api/drafts", headers=stolen)).status == 200  # the copy works while logged in
    assert (await officer.request("POST", "/api/logout", json={})).status == 200
    after = await thief.client.get("/api/drafts", headers=stolen)
    assert after.status == 401 and (await after.json())["error"] == "请先登录"
    db = sqlite3.connect(site["data"] / DB_NAME)
    assert db.execute("SELECT COUNT(*) FROM sessions").fetchone()[0] == 0  # closed on the server, not just forgotten
    db.close()


async def test_the_session_cookie_is_encrypted_httponly_and_samesite(site):
    browser = await site["actor"](login=False)
    resp = await browser.client.post("/api/login", json={"username": "officer_a", "password": PASSWORD})
    header = resp.headers["Set-Cookie"]
    assert "HttpOnly" in header and "SameSite=Strict" in header and "Path=/" in header
    value = header.split(";")[0].split("=", 1)[1]
    assert "officer_a" not in value and "sid" not in value  # Fernet-encrypted: nothing readable in the browser


async def test_ten_wrong_passwords(site, monkeypatch):
    guesser = await site["actor"](login=False)
    statuses, hints = [], []
    t0 = time.perf_counter()
    for n in range(10):
        resp = await guesser.client.post("/api/login", json={"username": "officer_a", "password": f"guess-{n}-x"})
        statuses.append(resp.status)
        hints.append(resp.headers.get("Retry-After"))
    elapsed = time.perf_counter() - t0
    assert statuses == [401] * 5 + [429] * 5, statuses
    assert all(h and int(h) > 800 for h in hints[5:])  # about 15 minutes
    held = await guesser.client.post("/api/login", json={"username": "officer_a", "password": PASSWORD})
    assert held.status == 429  # the right password does not get through while the account is held
    other = await site["actor"]("officer_b")  # another account from the same address is not held
    assert other.csrf
    # 15 minutes later the account opens again
    later = time.time() + auth.THROTTLE_WINDOW + 1
    monkeypatch.setattr(accounts.time, "time", lambda: later)
    monkeypatch.setattr(auth.time, "time", lambda: later)
    again = await guesser.client.post("/api/login", json={"username": "officer_a", "password": PASSWORD})
    assert again.status == 200
    db = sqlite3.connect(site["data"] / DB_NAME)
    logged = [r[0] for r in db.execute("SELECT action FROM audit WHERE actor = 'officer_a' ORDER BY id")]
    hashes = [r[0] for r in db.execute("SELECT password_hash FROM users")]
    db.close()
    assert logged.count("login_failed") == 5 and logged.count("login_held") == 6 and logged[-1] == "login"
    assert all(h.startswith("$argon2id$") for h in hashes)
    print(f"10 wrong passwords: {statuses}, {elapsed:.2f} s")


async def test_many_accounts_from_one_address_are_held_too(site):
    guesser = await site["actor"](login=False)
    statuses = []
    for n in range(auth.ADDRESS_LIMIT + 1):
        resp = await guesser.client.post("/api/login", json={"username": f"user{n}", "password": "wrong-pass-1"})
        statuses.append(resp.status)
    assert statuses[:auth.ADDRESS_LIMIT] == [401] * auth.ADDRESS_LIMIT and statuses[-1] == 429


async def test_another_units_draft_id_is_not_found(site):
    a, b = await site["actor"]("officer_a"), await site["actor"]("officer_b")
    draft_id = (await (await a.request("POST", "/api/drafts", json={"title": "甲局的项目"})).json())["draft"]["id"]
    before = snapshot(site["data"])
    foreign = [await b.request("GET", f"/api/drafts/{draft_id}"),
               await b.request("POST", f"/api/drafts/{draft_id}/turns", json={"text": "项目单位：乙局"}),
               await b.request("DELETE", f"/api/drafts/{draft_id}"),
               await b.request("GET", f"/api/drafts/{draft_id}/export?format=md")]
    missing = await b.request("GET", "/api/drafts/000000000000")
    bodies = [await r.json() for r in foreign]
    nothing = await missing.json()
    assert [r.status for r in foreign] == [404] * 4 and missing.status == 404
    assert all(body == nothing for body in bodies)  # indistinguishable from an id that does not exist
    assert snapshot(site["data"]) == before


async def test_a_new_password_or_a_disabled_account_ends_its_sessions(site):
    admin, officer = await site["actor"]("admin1"), await site["actor"]("officer_a")
    users = {u["username"]: u["id"] for u in (await (await admin.request("GET", "/api/users")).json())["users"]}
    resp = await admin.request("PUT", f"/api/users/{users['officer_a']}", json={"disabled": True})
    assert resp.status == 200
    assert (await officer.request("GET", "/api/drafts")).status == 401
    refused = await officer.client.post("/api/login", json={"username": "officer_a", "password": PASSWORD})
    assert refused.status == 403 and (await refused.json())["error"] == "账号已停用"
    self_disable = await admin.request("PUT", f"/api/users/{users['admin1']}", json={"disabled": True})
    assert self_disable.status == 409


async def test_an_idle_session_expires(site, monkeypatch):
    officer = await site["actor"]("officer_a")
    assert (await officer.request("GET", "/api/drafts")).status == 200
    later = time.time() + auth.IDLE_SECONDS + 5
    monkeypatch.setattr(accounts.time, "time", lambda: later)
    assert (await officer.request("GET", "/api/drafts")).status == 401


def test_single_user_mode_answers_this_computer_only():
    assert auth.is_loopback("127.0.0.1") and auth.is_loopback("::1")
    assert not auth.is_loopback("10.1.2.3") and not auth.is_loopback("") and not auth.is_loopback("bad")


async def test_the_first_visit_turns_accounts_on(aiohttp_client, tmp_path):
    """Single-user mode until the first admin is made from this computer; then everyone logs in."""
    data = tmp_path / "data"
    client = await aiohttp_client(create_app(data, embedder="fake", knowledge=False))
    me = await (await client.get("/api/me")).json()
    assert me["mode"] == "local" and me["setup_possible"] and me["user"]["local"]
    draft = await (await client.post("/api/drafts", json={"title": "单用户模式下的草稿"})).json()
    officer_first = await client.post("/api/users", json={"username": "zhang", "role": "officer", "unit": "甲局",
                                                          "password": PASSWORD})
    assert officer_first.status == 409  # an officer before any admin would lock this computer out
    weak = await client.post("/api/setup", json={"username": "boss", "password": "short"})
    assert weak.status == 400 and "至少 8 位" in (await weak.json())["error"]
    made = await client.post("/api/setup", json={"username": "boss", "password": PASSWORD, "local_unit": "甲局"})
    assert made.status == 200 and (await made.json())["user"]["role"] == "admin"
    again = await client.post("/api/setup", json={"username": "boss2", "password": PASSWORD})
    assert again.status == 403
    me = await (await client.get("/api/me")).json()
    assert me["mode"] == "accounts" and me["user"]["username"] == "boss" and me["csrf"]
    stranger = await aiohttp_client(create_app(tmp_path / "other", embedder="fake", knowledge=False))
    assert (await stranger.get("/api/drafts")).status == 200  # another, account-less service stays local
    db = sqlite3.connect(data / DB_NAME)
    assert db.execute("SELECT unit FROM drafts WHERE id = ?", (draft["draft"]["id"],)).fetchone() == ("甲局",)
    db.close()
    anonymous = await aiohttp_client(client.server)
    assert (await anonymous.get("/api/drafts")).status == 401
    page = await anonymous.get("/", allow_redirects=False)
    assert page.status == 302 and page.headers["Location"].startswith("/login")
