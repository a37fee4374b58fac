"""The chat service in-process: paste → confirm → suggest → adopt → export, restart, errors, safety."""
import io
import json

import docx
import pytest

from assistant.service.app import create_app

from .conftest import DATA


@pytest.fixture
def data_dir(tmp_path):
    return tmp_path / "data"


async def _client(aiohttp_client, data_dir):
    return await aiohttp_client(create_app(data_dir, embedder="fake"))


async def _json(resp, status=200):
    assert resp.status == status, await resp.text()
    return await resp.json()


async def test_journey_and_restart(aiohttp_client, data_dir):
    client = await _client(aiohttp_client, data_dir)
    created = await _json(await client.post("/api/drafts", json={"title": "背街小巷改造", "form": "yueyang"}), 201)
    draft_id = created["draft"]["id"]
    paste = (DATA / "paste_tsv.txt").read_text(encoding="utf-8")
    reply = (await _json(await client.post(f"/api/drafts/{draft_id}/turns", json={"text": paste})))["reply"]
    card = reply["cards"][0]
    assert card["type"] == "paste" and card["funding"][0]["arrived"] == "1150"
    assert len(card["indicators"]) == 6
    confirmed = (await _json(await client.post(f"/api/drafts/{draft_id}/confirm", json={})))["reply"]
    assert "预算执行率 94.99%" in confirmed["text"]
    reply = (await _json(await client.post(f"/api/drafts/{draft_id}/turns", json={"text": "写存在问题和建议"})))["reply"]
    sug = reply["cards"][0]
    assert sug["type"] == "suggestions" and sug["section"] == "problems"
    first = sug["options"][0]
    assert "预算执行率94.99%" in first["text"]
    state = (await _json(await client.put(f"/api/drafts/{draft_id}/sections/problems",
                                          json={"text": first["text"], "origin": first["origin"]})))["section"]
    assert state["text"] == first["text"] and not state["can_undo"]
    await _json(await client.put(f"/api/drafts/{draft_id}/sections/problems", json={"text": "我改过的问题和建议。"}))
    undone = (await _json(await client.post(f"/api/drafts/{draft_id}/sections/problems/undo", json={})))["section"]
    assert undone["text"] == first["text"] and undone["can_redo"]
    redone = (await _json(await client.post(f"/api/drafts/{draft_id}/sections/problems/redo", json={})))["section"]
    assert redone["text"] == "我改过的问题和建议。"
    resp = await client.get(f"/api/drafts/{draft_id}/export?format=docx")
    assert resp.status == 200
    document = docx.Document(io.BytesIO(await resp.read()))
    body = "\n".join(p.text for p in document.paragraphs)
    assert "我改过的问题和建议。" in body
    assert any("1,150.00" in c.text or "1150" in c.text for t in document.tables for r in t.rows for c in r.cells)
    view = await _json(await client.get(f"/api/drafts/{draft_id}"))
    await client.close()

    # a new app on the same data folder: the draft, its history and its sections are intact
    client = await _client(aiohttp_client, data_dir)
    again = await _json(await client.get(f"/api/drafts/{draft_id}"))
    assert again["turns"] == view["turns"] and len(again["turns"]) == 6  # the first question, then two turns each
    assert again["sections"]["problems"]["text"] == "我改过的问题和建议。"
    assert again["sections"]["problems"]["can_undo"]
    assert again["data"]["funding"][0]["spent"] == "1092.36"
    drafts = await _json(await client.get("/api/drafts"))
    assert [d["id"] for d in drafts["drafts"]] == [draft_id]


async def test_chat_answers_check_why_export_and_help(aiohttp_client, data_dir):
    client = await _client(aiohttp_client, data_dir)
    draft_id = (await _json(await client.post("/api/drafts", json={"title": "t"}), 201))["draft"]["id"]

    async def say(text):
        return (await _json(await client.post(f"/api/drafts/{draft_id}/turns", json={"text": text})))["reply"]

    assert (await say("检查"))["text"].startswith("请先粘贴")
    hello = await say("你好")
    assert hello["cards"][0]["type"] == "answer" and any(c.get("kind") == "chitchat" for c in hello["cards"])
    await say((DATA / "paste_tsv.txt").read_text(encoding="utf-8"))
    assert (await say("确认"))["cards"][0]["type"] == "findings"
    assert (await say("检查"))["cards"][0]["type"] == "findings"
    why = await say("为什么扣分")
    assert why["cards"][0]["type"] == "score" and why["cards"][0]["items"][0]["computed"] == "2.88"
    export = await say("导出")
    assert export["cards"][0]["links"]["docx"].endswith("format=docx")


async def test_bad_paste_names_the_cell(aiohttp_client, data_dir):
    client = await _client(aiohttp_client, data_dir)
    draft_id = (await _json(await client.post("/api/drafts", json={}), 201))["draft"]["id"]
    bad = (DATA / "paste_tsv.txt").read_text(encoding="utf-8").replace("1,150.00", "1,15O.00")
    reply = (await _json(await client.post(f"/api/drafts/{draft_id}/turns", json={"text": bad})))["reply"]
    assert reply["cards"][0]["type"] == "error" and "第4行" in reply["text"] and "1,15O.00" in reply["text"]


async def test_one_error_shape(aiohttp_client, data_dir):
    client = await _client(aiohttp_client, data_dir)
    for resp, status in ((await client.get("/api/drafts/nope"), 404),
                         (await client.post("/api/drafts", data="x", headers={"Content-Type": "text/plain"}), 415),
                         (await client.post("/api/drafts", data="{bad", headers={"Content-Type": "application/json"}), 400),
                         (await client.post("/api/drafts", json={"form": "x"}), 400),
                         (await client.get("/api/nothing"), 404)):
        body = await resp.json()
        assert resp.status == status and body["ok"] is False and body["error"] and "hint" in body


async def test_request_size_cap(aiohttp_client, data_dir):
    client = await _client(aiohttp_client, data_dir)
    draft_id = (await _json(await client.post("/api/drafts", json={}), 201))["draft"]["id"]
    resp = await client.post(f"/api/drafts/{draft_id}/turns", json={"text": "数" * (3 * 1024 * 1024)})
    body = await resp.json()
    assert resp.status == 413 and body["ok"] is False


async def test_security_headers_and_cross_site_writes(aiohttp_client, data_dir):
    client = await _client(aiohttp_client, data_dir)
    page = await client.get("/")
    csp = page.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "<script src=\"/static/app.js\"" in await page.text()
    resp = await client.post("/api/drafts", json={}, headers={"Origin": "http://evil.example"})
    assert resp.status == 403 and (await resp.json())["ok"] is False


async def test_openapi_describes_every_route(aiohttp_client, data_dir):
    client = await _client(aiohttp_client, data_dir)
    spec = await _json(await client.get("/api/openapi.json"))
    paths = set(spec["paths"])
    for route in client.server.app.router.routes():
        path = route.resource.canonical if route.resource else ""
        if path.startswith("/api/") and path != "/api/openapi.json":
            path = path.replace("{action}", "undo")
            assert path in paths, path


async def test_background_fill_reports_progress(aiohttp_client, data_dir):
    client = await _client(aiohttp_client, data_dir)
    resp = await client.get("/api/events?limit=30")
    events = [json.loads(line[6:]) for line in (await resp.text()).splitlines() if line.startswith("data: ")]
    assert events[-1]["state"] == "done" and events[-1]["done"] == events[-1]["total"] > 0


async def test_paste_card_corrections_before_confirming(aiohttp_client, data_dir):
    client = await _client(aiohttp_client, data_dir)
    draft_id = (await _json(await client.post("/api/drafts", json={}), 201))["draft"]["id"]
    await client.post(f"/api/drafts/{draft_id}/turns", json={"text": (DATA / "paste_tsv.txt").read_text(encoding="utf-8")})
    bad = await client.post(f"/api/drafts/{draft_id}/confirm",
                            json={"edits": [{"table": "funding", "row": 0, "col": "spent", "value": "10九2"}]})
    body = await bad.json()
    assert bad.status == 400 and "资金表第1行 实际支出" in body["error"] and "10九2" in body["error"]
    good = await _json(await client.post(f"/api/drafts/{draft_id}/confirm", json={"edits": [
        {"table": "funding", "row": 0, "col": "spent", "value": "1100"},
        {"table": "indicators", "row": 0, "col": "actual", "value": "30条"}]}))
    assert "预算执行率 95.65%" in good["reply"]["text"]
    view = await _json(await client.get(f"/api/drafts/{draft_id}"))
    assert view["data"]["funding"][0]["spent"] == "1100" and view["data"]["indicators"][0]["actual"] == "30条"
    assert view["pending"] is None


async def test_reviewer_upload_and_exports(aiohttp_client, data_dir, tmp_path):
    import aiohttp
    import zipfile

    client = await _client(aiohttp_client, data_dir)
    await (await client.get("/api/events?limit=30")).text()  # the stream ends when the seeds are indexed
    from .conftest import SEEDS

    def form(path, name=None):
        data = aiohttp.FormData()
        data.add_field("file", path.read_bytes(), filename=name or path.name)
        return data

    resp = await client.post("/api/review", data=form(SEEDS["003"]))
    body = await _json(resp)
    review = body["review"]
    assert "text.impossible_date" in {f["code"] for f in review["findings"]}
    assert "precedent.boilerplate" in {f["code"] for f in review["findings"]}
    conclusion = next(p for p in review["precedents"] if p["section"] == "conclusion")
    assert conclusion["passages"][0]["source"] == SEEDS["002"].name and conclusion["passages"][0]["overlap"] == 1.0
    assert review["corpus"]["claimed_totals"] == {"98": 4}
    md = await client.post("/api/review?format=md", data=form(SEEDS["003"]))
    assert md.status == 200 and "相同文字 100%" in await md.text()
    dx = await client.post("/api/review?format=docx", data=form(SEEDS["003"]))
    assert dx.status == 200 and (await dx.read())[:2] == b"PK"

    bomb = tmp_path / "bomb.docx"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("word/document.xml", b"\0" * (17 * 1024 * 1024))
    resp = await client.post("/api/review", data=form(bomb))
    body = await resp.json()
    assert resp.status == 400 and "解压后超过 16 MB" in body["error"]
    big = tmp_path / "big.txt"
    big.write_bytes(b"a" * (21 * 1024 * 1024))
    resp = await client.post("/api/review", data=form(big))
    assert resp.status == 413 and (await resp.json())["ok"] is False
    resp = await client.post("/api/review", data=form(SEEDS["003"], "x.exe"))
    assert resp.status == 400 and "不支持的文件类型" in (await resp.json())["error"]
    page = await client.get("/review")
    assert page.status == 200 and "/static/review.js" in await page.text()


async def test_concurrent_turns_on_one_draft_never_interleave(aiohttp_client, data_dir):
    import asyncio

    client = await _client(aiohttp_client, data_dir)
    draft_id = (await _json(await client.post("/api/drafts", json={"title": "并发"}), 201))["draft"]["id"]
    other = (await _json(await client.post("/api/drafts", json={"title": "另一份"}), 201))["draft"]["id"]
    paste = (DATA / "paste_tsv.txt").read_text(encoding="utf-8")
    says = [paste, "确认", "检查", "为什么扣分", "你好", "写存在问题和建议"]
    replies = await asyncio.gather(*(client.post(f"/api/drafts/{d}/turns", json={"text": t})
                                     for t in says for d in (draft_id, other)))
    assert all(r.status == 200 for r in replies)
    for d in (draft_id, other):
        turns = (await _json(await client.get(f"/api/drafts/{d}")))["turns"][1:]  # after the opening question
        # every user turn is followed by its own answer: the draft lock kept each turn whole
        assert [t["role"] for t in turns] == ["user", "assistant"] * len(says)
        assert sorted(t["text"] for t in turns[::2]) == sorted(says)
