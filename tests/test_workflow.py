"""送审 → 审核 → 退回/通过 over the API, the reviewer view of a draft, approved reports as precedent, and the
knowledge base managed in the page: twenty uploads searchable by keyword before their vectors exist."""
import asyncio
import threading

import pytest
from aiohttp import FormData

from assistant.retrieval.embedders import FakeEmbedder
from assistant.service.app import create_app

from .conftest import DATA
from .test_access import Actor, make_accounts, snapshot


@pytest.fixture
async def office(aiohttp_client, aiohttp_server, tmp_path):
    data = tmp_path / "data"
    make_accounts(data)
    server = await aiohttp_server(create_app(data, embedder="fake", heavy={"workers": 1}))
    people = {}
    for name in ("officer_a", "officer_b", "reviewer_a", "reviewer_b", "admin1"):
        people[name] = await Actor(await aiohttp_client(server), name).login()
    return {"data": data, **people}


async def _ok(resp, status=200):
    body = await resp.json()
    assert resp.status == status, body
    return body


async def _new_draft(officer, title="城区背街小巷改造") -> str:
    draft_id = (await _ok(await officer.request("POST", "/api/drafts", json={"title": title}), 201))["draft"]["id"]
    paste = (DATA / "paste_tsv.txt").read_text(encoding="utf-8")
    await _ok(await officer.request("POST", f"/api/drafts/{draft_id}/turns", json={"text": paste}))
    await _ok(await officer.request("POST", f"/api/drafts/{draft_id}/confirm", json={}))
    return draft_id


async def test_submit_comment_return_resubmit_approve(office):
    a, rev = office["officer_a"], office["reviewer_a"]
    draft_id = await _new_draft(a)
    await _ok(await a.request("PUT", f"/api/drafts/{draft_id}/sections/problems", json={"text": "存在的问题：部分项目进度滞后，资金拨付不够及时。"}))
    assert (await a.request("POST", f"/api/drafts/{draft_id}/submit", json={})).status == 200

    # locked while under review: the officer's edits are refused and change nothing
    before = snapshot(office["data"])
    for method, path, body in (("PUT", "sections/problems", {"text": "偷偷改"}), ("POST", "turns", {"text": "写经验做法"}),
                               ("POST", "submit", {})):
        resp = await a.request(method, f"/api/drafts/{draft_id}/{path}", json=body)
        assert resp.status == 409, await resp.text()
    assert snapshot(office["data"]) == before

    queue = (await _ok(await rev.request("GET", "/api/drafts")))["drafts"]
    assert [(d["id"], d["status"], d["unit"]) for d in queue] == [(draft_id, "submitted", "甲局")]
    view = (await _ok(await rev.request("GET", f"/api/drafts/{draft_id}/review")))["review"]
    assert any(i["computed"] for i in view["score"]["items"]) and "城区背街小巷改造" in view["project"]["name"]
    assert [p["section"] for p in view["precedents"]] == ["problems"]  # the adopted section, against precedent
    assert (await rev.request("POST", f"/api/drafts/{draft_id}/return", json={})).status == 400  # why, first
    await _ok(await rev.request("POST", f"/api/drafts/{draft_id}/comments",
                                json={"section": "problems", "text": "问题写得过于简单，请对照评分扣分点逐条说明"}), 201)
    bad = await rev.request("POST", f"/api/drafts/{draft_id}/comments", json={"section": "no_such", "text": "x"})
    assert bad.status == 400
    assert (await _ok(await rev.request("POST", f"/api/drafts/{draft_id}/return", json={})))["status"] == "returned"

    # the officer sees the comment beside its section and the history, revises, resubmits
    seen = await _ok(await a.request("GET", f"/api/drafts/{draft_id}"))
    assert seen["draft"]["status"] == "returned"
    assert [(c["section"], c["round"]) for c in seen["comments"]] == [("problems", 1)]
    assert [e["action"] for e in seen["events"]] == ["submit", "return"]
    await _ok(await a.request("PUT", f"/api/drafts/{draft_id}/sections/problems",
                              json={"text": "存在的问题：一是部分指标完成值低于目标；二是资金支付进度偏慢。"}))
    await _ok(await a.request("POST", f"/api/drafts/{draft_id}/turns", json={"text": "市财政那行实际支出改成700"}))
    await _ok(await a.request("POST", f"/api/drafts/{draft_id}/submit", json={}))
    # the resubmission shows what changed since the round returned: the figure, then the section
    changes = (await _ok(await rev.request("GET", f"/api/drafts/{draft_id}/review")))["review"]["changes"]
    assert (changes["since_round"], changes["round"]) == (1, 2)
    assert {"what": "市财政 实际支出", "before": "692.36", "after": "700"} in changes["figures"]
    assert [(c["kind"], c["change"]) for c in changes["sections"]] == [("problems", "修改")]
    assert (await rev.request("POST", f"/api/drafts/{draft_id}/comments",
                              json={"text": "第二轮：可以"})).status == 201
    approved = await _ok(await rev.request("POST", f"/api/drafts/{draft_id}/approve", json={}))
    assert approved["status"] == "approved" and approved["precedent_mode"] == "request" and approved["precedent"] is None
    final = await _ok(await a.request("GET", f"/api/drafts/{draft_id}"))
    assert [e["action"] for e in final["events"]] == ["submit", "return", "submit", "approve"]
    assert [c["round"] for c in final["comments"]] == [1, 2]
    assert (await a.request("PUT", f"/api/drafts/{draft_id}/sections/problems", json={"text": "改"})).status == 409
    # the other unit's people never see it
    assert (await _ok(await office["officer_b"].request("GET", "/api/drafts")))["drafts"] == []
    assert (await _ok(await office["reviewer_b"].request("GET", "/api/drafts")))["drafts"] == []
    assert (await office["reviewer_b"].request("GET", f"/api/drafts/{draft_id}")).status == 404

    # on request, the reviewer adds the approved report to the precedents; it is then found by search
    added = (await _ok(await rev.request("POST", f"/api/drafts/{draft_id}/precedent", json={})))["precedent"]
    assert added["kind"] == "report" and added["passages"] > 0 and "城区背街小巷改造" in added["title"]
    assert (await rev.request("POST", f"/api/drafts/{draft_id}/precedent", json={})).status == 409  # only once
    hits = (await _ok(await a.request("GET", "/api/kb/search?q=部分指标完成值低于目标 资金支付进度偏慢&k=3")))["hits"]
    assert hits[0]["source"] == added["source"]


async def test_approval_adds_the_report_when_the_admin_says_so(office):
    a, rev, admin = office["officer_a"], office["reviewer_a"], office["admin1"]
    await _ok(await admin.request("PUT", "/api/settings", json={"precedent_on_approve": "auto"}))
    draft_id = await _new_draft(a, "老旧小区改造")
    await _ok(await a.request("POST", f"/api/drafts/{draft_id}/submit", json={}))
    approved = await _ok(await rev.request("POST", f"/api/drafts/{draft_id}/approve", json={}))
    assert approved["precedent"]["passages"] > 0
    docs = (await _ok(await admin.request("GET", "/api/kb/documents")))["documents"]
    assert approved["precedent"]["id"] in {d["id"] for d in docs}
    await _ok(await admin.request("PUT", "/api/settings", json={"precedent_on_approve": "off"}))
    other = await _new_draft(a, "另一个项目")
    await _ok(await a.request("POST", f"/api/drafts/{other}/submit", json={}))
    await _ok(await rev.request("POST", f"/api/drafts/{other}/approve", json={}))
    assert (await rev.request("POST", f"/api/drafts/{other}/precedent", json={})).status == 409


class GatedEmbedder(FakeEmbedder):
    """Passages wait for the test to open the gate: the uploads must be searchable before any vector."""

    def __init__(self):
        super().__init__()
        self.gate = threading.Event()

    def embed_passages(self, texts):
        self.gate.wait(60)
        return super().embed_passages(texts)


def _phrase_of(path) -> str:
    """Thirty characters from the middle of the file's longest line: words only this report has."""
    line = max(path.read_text(encoding="utf-8").splitlines(), key=len)
    middle = len(line) // 2
    return line[max(0, middle - 15):middle + 15]


UPLOADS = sorted((DATA / "heldout").glob("*.txt")) + sorted((DATA / "heldout2").glob("*.txt"))


async def test_twenty_uploads_are_searchable_before_their_vectors(aiohttp_client, aiohttp_server, tmp_path):
    data = tmp_path / "data"
    make_accounts(data)
    embedder = GatedEmbedder()
    server = await aiohttp_server(create_app(data, embedder=embedder, heavy={"workers": 1}))
    admin = await Actor(await aiohttp_client(server), "admin1").login()
    files = UPLOADS[:20]
    assert len(files) == 20
    try:
        found_first = 0
        for n, path in enumerate(files, start=1):
            form = FormData()
            form.add_field("file", path.read_bytes(), filename=path.name)
            body = await _ok(await admin.request("POST", "/api/kb/documents?kind=report", data=form), 201)
            doc = body["document"]
            assert doc["passages"] > 0 and doc["vectors"] == 0 and doc["kind"] == "report"
            query = _phrase_of(path)
            hits = (await _ok(await admin.request("GET", "/api/kb/search", params={"q": query, "k": 3})))["hits"]
            found_first += hits[0]["source"] == doc["source"]
        listing = await _ok(await admin.request("GET", "/api/kb/documents"))
        uploaded = [d for d in listing["documents"] if not d["builtin"]]
        assert len(uploaded) == 20 and all(d["vectors"] == 0 for d in uploaded)
        assert listing["progress"]["state"] == "embedding" and listing["progress"]["done"] == 0
        assert found_first == 20, found_first  # each upload is the top hit for a phrase of its own, by keyword alone
        assert all(d["year"] in (2022, 2023, 2024) for d in uploaded), [(d["source"], d["year"]) for d in uploaded]
        assert sum(1 for d in uploaded if d["region"]) >= 18 and all(d["project_type"] for d in uploaded)
    finally:
        embedder.gate.set()
    for _ in range(300):  # the background fill then gives every passage its vector
        listing = await _ok(await admin.request("GET", "/api/kb/documents"))
        if all(d["vectors"] == d["passages"] for d in listing["documents"]) and listing["progress"]["state"] == "done":
            break
        await asyncio.sleep(0.1)
    assert all(d["vectors"] == d["passages"] for d in listing["documents"])
    again = FormData()
    again.add_field("file", files[0].read_bytes(), filename=files[0].name)
    same = await _ok(await admin.request("POST", "/api/kb/documents", data=again))
    assert same["document"]["unchanged"] is True


async def test_delete_and_replace_a_document(office):
    admin = office["admin1"]
    form = FormData()
    form.add_field("file", "项目名称：甲先例\n一、项目概况\n旧版本的概况，含有旧词条。".encode(), filename="甲先例.txt")
    doc = (await _ok(await admin.request("POST", "/api/kb/documents", data=form), 201))["document"]
    new = FormData()
    new.add_field("file", "项目名称：甲先例\n一、项目概况\n新版本的概况，含有新词条。".encode(), filename="甲先例v2.txt")
    replaced = (await _ok(await admin.request("PUT", f"/api/kb/documents/{doc['id']}", data=new)))["document"]
    hits = (await _ok(await admin.request("GET", "/api/kb/search?q=旧版本 旧词条&k=10")))["hits"]
    assert all(h["source"] != doc["source"] for h in hits)
    await _ok(await admin.request("DELETE", f"/api/kb/documents/{replaced['id']}"))
    ids = {d["id"] for d in (await _ok(await admin.request("GET", "/api/kb/documents")))["documents"]}
    assert doc["id"] not in ids and replaced["id"] not in ids
    builtin = next(d for d in (await _ok(await admin.request("GET", "/api/kb/documents")))["documents"] if d["builtin"])
    assert (await admin.request("DELETE", f"/api/kb/documents/{builtin['id']}")).status == 409
    bad = FormData()
    bad.add_field("file", b"PK\x03\x04 not really a docx", filename="broken.docx")
    resp = await admin.request("POST", "/api/kb/documents", data=bad)
    body = await resp.json()
    assert resp.status == 400 and "broken.docx" in body["error"] and "\n" not in body["error"]
