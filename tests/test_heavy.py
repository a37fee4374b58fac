"""Heavy work has a pool of its own: per-user admission (429), a time limit that kills the worker, a memory
cap, and chat turns answered while uploads are still being read."""
import asyncio
import os
import time
import zipfile

import pytest
from aiohttp import FormData

from assistant.service.app import create_app
from assistant.service.isolated import IsolatedPool, JobFailed, JobTimedOut

from .conftest import SEEDS



# jobs for the worker process (imported there by name)
def sleep_then(seconds: float, value):
    time.sleep(seconds)
    return value


def die():
    os._exit(3)


def hog_memory():
    return len(bytearray(3 * 1024 ** 3))


def refuse():
    from assistant.core.parse import ReadError

    raise ReadError("示例.docx 不是有效的 .docx 文件")


async def test_a_job_past_its_time_limit_is_killed_and_its_worker_replaced():
    pool = IsolatedPool(size=1, time_limit=1.0)
    try:
        # the first job imports this test module in the worker: a slow machine must not make it "late"
        assert await pool.run("tests.test_heavy:sleep_then", 0, "ok", timeout=120) == "ok"
        with pytest.raises(JobTimedOut):
            await pool.run("tests.test_heavy:sleep_then", 30, "late")
        assert (pool.started, pool.killed) == (1, 1)
        assert await pool.run("tests.test_heavy:sleep_then", 0, "again", timeout=120) == "again"  # a fresh worker
        assert pool.started == 2
    finally:
        pool.close()


async def test_a_worker_that_dies_or_runs_out_of_memory_is_a_failed_job_not_a_dead_service():
    pool = IsolatedPool(size=1, time_limit=30, memory=1024 ** 3)
    try:
        with pytest.raises(JobFailed):
            await pool.run("tests.test_heavy:die")
        with pytest.raises(JobFailed):
            await pool.run("tests.test_heavy:hog_memory")  # 3 GB under a 1 GB cap
        from assistant.core.parse import ReadError

        with pytest.raises(ReadError, match="不是有效的"):  # the job's own error comes back as itself
            await pool.run("tests.test_heavy:refuse")
        assert await pool.run("tests.test_heavy:sleep_then", 0, 7) == 7
    finally:
        pool.close()


def _slow_docx(path, paragraphs: int = 60000):
    """A well-formed report the readers need a few seconds for (every limit respected)."""
    body = "".join(f"<w:p><w:r><w:t>第{i}段：项目资金用于道路养护。</w:t></w:r></w:p>" for i in range(paragraphs))
    ns = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/'
                    'package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-'
                    'package.relationships+xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.'
                    'openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>')
        zf.writestr("_rels/.rels", '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
                    '2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/'
                    '2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>')
        zf.writestr("word/document.xml", f'<?xml version="1.0"?><w:document {ns}><w:body>{body}</w:body></w:document>')
    return path


def _upload(path):
    form = FormData()
    form.add_field("file", path.read_bytes(), filename=path.name)
    return form


async def test_per_user_admission_and_chat_turns_beside_a_running_upload(aiohttp_client, tmp_path):
    client = await aiohttp_client(create_app(tmp_path / "data", embedder="fake", knowledge=False,
                                             heavy={"workers": 1, "per_user": 1}))
    slow = _slow_docx(tmp_path / "slow.docx")
    draft = (await (await client.post("/api/drafts", json={"title": "农村公路养护"})).json())["draft"]
    upload = asyncio.ensure_future(client.post("/api/review", data=_upload(slow)))
    while (await (await client.get("/api/health")).json())["heavy"]["running_or_waiting"] == 0:
        await asyncio.sleep(0.05)
    second = await client.post("/api/review", data=_upload(slow))
    body = await second.json()
    assert second.status == 429 and body["ok"] is False and "正在处理" in body["error"] and body["hint"]
    assert second.headers["Retry-After"] == "5"
    assert "X-Content-Type-Options" in second.headers
    turn = await client.post(f"/api/drafts/{draft['id']}/turns", json={"text": "项目单位是某县交通运输局"})
    assert turn.status == 200
    assert not upload.done()  # the turn did not wait for the upload
    first = await upload
    assert first.status == 200, await first.text()
    health = await (await client.get("/api/health")).json()
    assert health["heavy"]["running_or_waiting"] == 0 and health["heavy"]["refused"] == 1


async def test_an_upload_past_the_time_limit_is_stopped_with_a_chinese_line(aiohttp_client, tmp_path):
    client = await aiohttp_client(create_app(tmp_path / "data", embedder="fake", knowledge=False,
                                             heavy={"workers": 1, "time_limit": 0.5}))
    resp = await client.post("/api/review", data=_upload(_slow_docx(tmp_path / "slow.docx")))
    body = await resp.json()
    assert resp.status == 422 and body["error"] == "文件处理超过 0.5 秒，已停止" and body["hint"]
    ok = await client.post("/api/review", data=_upload(SEEDS["000"]))  # a fresh worker serves the next
    assert ok.status == 200


async def test_export_runs_with_the_heavy_work_and_is_refused_beyond_the_limit(aiohttp_client, tmp_path):
    app = create_app(tmp_path / "data", embedder="fake", knowledge=False, heavy={"workers": 1, "per_user": 1})
    client = await aiohttp_client(app)
    draft = (await (await client.post("/api/drafts", json={"title": "x"})).json())["draft"]
    text = SEEDS["000"].read_text(encoding="utf-8")
    await client.post(f"/api/drafts/{draft['id']}/turns", json={"text": text})
    await client.post(f"/api/drafts/{draft['id']}/confirm", json={})
    exports = await asyncio.gather(*(client.get(f"/api/drafts/{draft['id']}/export?format=docx") for _ in range(3)))
    statuses = sorted(r.status for r in exports)
    assert statuses[0] == 200 and 429 in statuses
    done = next(r for r in exports if r.status == 200)
    assert (await done.read())[:2] == b"PK"
