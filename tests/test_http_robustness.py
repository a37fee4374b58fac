"""Malformed requests get the JSON error shape with a 4xx and a Chinese hint; every response carries the
security headers; the Host is checked; the service says clearly why it cannot start."""
import json
import socket
import subprocess
import sys

import pytest

from assistant.service.app import create_app, hosts_for

from .conftest import ROOT

HEADERS = ("Content-Security-Policy", "X-Content-Type-Options", "Referrer-Policy", "X-Frame-Options")


@pytest.fixture
async def client(aiohttp_client, tmp_path):
    return await aiohttp_client(create_app(tmp_path / "data", embedder="fake"))


async def _draft(client) -> str:
    resp = await client.post("/api/drafts", json={"title": "稳健性"})
    return (await resp.json())["draft"]["id"]


async def _error(resp, status: int) -> dict:
    assert resp.status == status, await resp.text()
    body = await resp.json()
    assert body["ok"] is False and body["error"] and "Error" not in body["hint"] and "Traceback" not in body["hint"]
    assert all(h in resp.headers for h in HEADERS) and resp.headers["Server"] == "assistant"
    return body


async def test_a_json_body_nested_three_thousand_deep(client):
    draft = await _draft(client)
    body = '{"text": ' + "[" * 3000 + "]" * 3000 + "}"
    resp = await client.post(f"/api/drafts/{draft}/turns", data=body, headers={"Content-Type": "application/json"})
    assert "嵌套" in (await _error(resp, 400))["error"]


async def test_a_bogus_charset(client):
    resp = await client.post("/api/drafts", data=b'{"title": "x"}',
                             headers={"Content-Type": "application/json; charset=bogus"})
    assert "字符集" in (await _error(resp, 400))["error"]


async def test_bytes_that_are_not_utf8(client):
    resp = await client.post("/api/drafts", data='{"title": "项目"}'.encode("gbk"),
                             headers={"Content-Type": "application/json"})
    assert "UTF-8" in (await _error(resp, 400))["hint"]


@pytest.mark.parametrize("field", ["title", "text"])
async def test_a_lone_surrogate_in_a_title_or_a_turn(client, field):
    draft = await _draft(client)
    raw = json.dumps({field: "项目\ud800名称"}, ensure_ascii=True)  # \\ud800 escaped: valid JSON, invalid text
    path = "/api/drafts" if field == "title" else f"/api/drafts/{draft}/turns"
    resp = await client.post(path, data=raw, headers={"Content-Type": "application/json"})
    assert field in (await _error(resp, 400))["error"]
    resp = await client.put(f"/api/drafts/{draft}/sections/overview", data=json.dumps({"text": "\udfff"}),
                            headers={"Content-Type": "application/json"})
    await _error(resp, 400)


async def test_a_bad_events_limit_is_refused_before_the_stream(client):
    assert "limit" in (await _error(await client.get("/api/events?limit=1e3"), 400))["error"]


async def test_unknown_routes_and_methods_answer_in_chinese(client):
    assert (await _error(await client.get("/api/nothing"), 404))["error"] == "没有这个接口"
    assert (await _error(await client.patch("/api/drafts", json={}), 405))["error"] == "不支持这种请求方法"


async def test_every_response_carries_the_headers(client):
    for path in ("/", "/review", "/static/app.js", "/api/health", "/static/missing.js"):
        resp = await client.get(path)
        assert all(h in resp.headers for h in HEADERS), path
        assert resp.headers["Server"] == "assistant", path


async def test_a_host_this_service_does_not_answer_to_is_refused(client):
    resp = await client.get("/api/health", headers={"Host": "evil.example", "Origin": "http://evil.example"})
    assert "访问地址" in (await _error(resp, 421))["error"]
    resp = await client.post("/api/drafts", json={"title": "x"},
                             headers={"Host": "evil.example:8080", "Origin": "http://evil.example:8080"})
    await _error(resp, 421)
    assert (await client.get("/api/health", headers={"Host": "localhost:8080"})).status == 200


def test_the_names_a_service_answers_to():
    assert {"127.0.0.1", "localhost"} <= hosts_for("127.0.0.1")
    assert "10.0.0.8" in hosts_for("10.0.0.8") and "evil.example" not in hosts_for("10.0.0.8")
    assert hosts_for("0.0.0.0") is None  # a wildcard bind with no names given answers any (and is warned about)
    assert "assistant.intranet" in hosts_for("0.0.0.0", ["assistant.intranet"])


def test_a_port_in_use_is_one_line_and_exit_2(tmp_path):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        proc = subprocess.run([sys.executable, "-m", "assistant", "serve", "--port", str(port), "--data",
                               str(tmp_path / "data"), "--embedder", "none"], cwd=ROOT, capture_output=True, text=True,
                              timeout=60)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert f"端口 {port} 已被占用" in proc.stderr and "已启动" not in proc.stdout
    assert "Traceback" not in proc.stderr and len(proc.stderr.strip().splitlines()) == 1


def test_binding_beyond_loopback_needs_accounts(tmp_path):
    data = tmp_path / "data"

    def serve_all(port: int) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "assistant", "serve", "--host", "0.0.0.0", "--port", str(port),
                               "--data", str(data), "--embedder", "none"], cwd=ROOT, capture_output=True, text=True,
                              timeout=60)

    with socket.socket() as busy:  # the port is taken: a run that got past the account check fails on it
        busy.bind(("0.0.0.0", 0))
        busy.listen()
        port = busy.getsockname()[1]
        refused = serve_all(port)
        assert refused.returncode == 2 and "已启动" not in refused.stdout
        line = refused.stderr.strip()
        assert len(line.splitlines()) == 1 and "还没有任何账号" in line and "assistant user add" in line, line
        made = subprocess.run([sys.executable, "-m", "assistant", "user", "add", "admin1", "--role", "admin",
                               "--data", str(data), "--password-stdin"], input="long-enough-1\n", cwd=ROOT,
                              capture_output=True, text=True, timeout=60)
        assert made.returncode == 0, made.stderr
        past = serve_all(port)  # with an account, the only thing in the way is the busy port
        assert past.returncode == 2 and f"端口 {port} 已被占用" in past.stderr, past.stderr


@pytest.mark.parametrize("content_type, body", [
    ("multipart/form-data", b"--x\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\nabc\r\n--x--\r\n"),  # no boundary
    ("multipart/form-data; boundary=x",
     b"--x\r\nContent-Disposition: form-data; name=\"\x01\xff\xfe\"; filename=\"a.txt\"\r\n\r\nabc\r\n--x--\r\n"),
    ("multipart/form-data; boundary=x", b"--x\r\nno headers at all\r\n--x--\r\n"),
])
async def test_a_malformed_upload_form(client, content_type, body):
    resp = await client.post("/api/review", data=body, headers={"Content-Type": content_type})
    assert 400 <= resp.status < 500
    await _error(resp, resp.status)


async def test_a_report_that_does_not_fit_the_model_is_named_not_dumped(client):
    draft = await _draft(client)
    resp = await client.post(f"/api/drafts/{draft}/confirm", json={"report": {"funding": {"total": "lots"}}})
    body = await _error(resp, 400)
    assert body["hint"] == "字段 funding.total 的值无法使用" and "validation" not in body["hint"]


async def test_control_characters_from_a_paste_are_line_breaks_or_dropped_and_the_docx_still_exports(client):
    """Found by schemathesis: a NUL or a vertical tab in a turn made the .docx export a 500."""
    from .conftest import SEEDS

    draft_id = await _draft(client)
    text = SEEDS["000"].read_text(encoding="utf-8")
    await client.post(f"/api/drafts/{draft_id}/turns", json={"text": text})
    await client.post(f"/api/drafts/{draft_id}/confirm", json={})
    resp = await client.put(f"/api/drafts/{draft_id}/sections/overview",
                            json={"text": "项目概况\x0b第二行\x00\x07结束"})
    assert resp.status == 200, await resp.text()
    draft = await (await client.get(f"/api/drafts/{draft_id}")).json()
    assert draft["sections"]["overview"]["text"] == "项目概况\n第二行结束"
    export = await client.get(f"/api/drafts/{draft_id}/export?format=docx")
    assert export.status == 200 and (await export.read())[:2] == b"PK"
