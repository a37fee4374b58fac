"""A real browser (Debian chromium, driven by Playwright) doing the officer's journey by clicks and typing.

Screenshots of the main screens go to $ASSISTANT_SCREENSHOTS when set (else a temporary folder).
"""
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from .conftest import DATA, ROOT

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
try:
    from playwright.sync_api import sync_playwright
except ImportError:  # pragma: no cover - the test extra installs it
    sync_playwright = None

pytestmark = [
    pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed here (make test installs it with apt)"),
    pytest.mark.skipif(sync_playwright is None, reason="playwright (Python) is not installed"),
]
ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start(data: Path, port: int) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, "-m", "assistant", "serve", "--port", str(port), "--data", str(data),
                             "--embedder", "fake"], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    deadline = time.time() + 30
    while time.time() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/api/health", timeout=1)
            return proc
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError(proc.stdout.read().decode())


def test_officer_journey_in_a_real_browser(tmp_path):
    shots = Path(os.environ.get("ASSISTANT_SCREENSHOTS") or tmp_path / "shots")
    shots.mkdir(parents=True, exist_ok=True)
    data, port = tmp_path / "data", _free_port()
    server = _start(data, port)
    url = f"http://127.0.0.1:{port}/"
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            page = browser.new_page(viewport={"width": 1400, "height": 900}, accept_downloads=True)
            dialogs = []
            page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
            page.goto(url)
            page.wait_for_selector("#status:has-text('检索就绪')", timeout=30000)
            page.fill("#new-title", "城区背街小巷改造")
            page.click("#create")
            page.wait_for_selector("#input:not([disabled])")
            page.screenshot(path=str(shots / "1-new-draft.png"))

            page.fill("#input", (DATA / "paste_tsv.txt").read_text(encoding="utf-8"))
            page.click("#send")
            card = page.wait_for_selector(".card-paste")
            assert "1092.36" in card.inner_text() and "居民满意度" in card.inner_text()
            page.screenshot(path=str(shots / "2-paste-card.png"))
            page.click(".card-paste button.confirm")
            page.wait_for_selector(".card-findings")

            page.fill("#input", "写存在问题和建议")
            page.click("#send")
            page.wait_for_selector(".card-suggestions .option")
            page.screenshot(path=str(shots / "3-suggestions.png"))
            page.click(".card-suggestions button.adopt")
            section = page.wait_for_selector(".sec[data-section='problems'] .text")
            assert "预算执行率94.99%" in section.inner_text()
            page.screenshot(path=str(shots / "4-adopted.png"))

            hostile = "<script>alert(1)</script><img src=x onerror=\"window.__xss=1;alert(2)\">"
            page.fill("#input", hostile)
            page.click("#send")
            page.wait_for_selector(f".turn.user:has-text('{hostile[:20]}')")
            page.wait_for_timeout(500)
            assert dialogs == [] and page.evaluate("window.__xss") is None
            assert page.locator("img[src='x']").count() == 0

            with page.expect_download() as info:
                page.click("#exports a.export-link >> nth=0")
            saved = tmp_path / "draft.docx"
            info.value.save_as(saved)
            import docx

            assert "预算执行率94.99%" in "\n".join(p.text for p in docx.Document(str(saved)).paragraphs)
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=30)

    # restart on the same data folder: the draft and its history come back
    server = _start(data, port)
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            page.goto(url)
            page.click("#drafts li >> nth=0")
            page.wait_for_selector(".card-paste")
            assert page.locator(".turn").count() >= 7
            assert "预算执行率94.99%" in page.inner_text(".sec[data-section='problems']")
            page.screenshot(path=str(shots / "5-after-restart.png"))
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert all((shots / f"{n}.png").is_file() for n in ("1-new-draft", "2-paste-card", "3-suggestions", "4-adopted",
                                                          "5-after-restart"))


def _answer_question(page, answers: dict) -> str | None:
    """Answer the live question card as the script says: buttons for choices and criteria, typing otherwise."""
    card = page.locator(".card-question").last
    item = card.get_attribute("data-item")
    if not item:
        return None
    answer = answers[item]
    if isinstance(answer, list):
        answer = answer[-1]
    if isinstance(answer, dict):
        for label in answer["selected"]:
            card.locator(f".quick button:text-is('{label}')").click()
        if card.locator(".quick button.submit").count():
            card.locator(".quick button.submit").click()
    elif card.locator(f".quick button:text-is('{answer}')").count():
        card.locator(f".quick button:text-is('{answer}')").click()
    else:
        page.fill("#input", answer)
        page.click("#send")
    return item


def test_interview_in_a_real_browser(tmp_path):
    """Quick replies, a note routed to its section and moved, progress, the exported .docx."""
    import yaml

    script = yaml.safe_load((DATA / "conversations" / "road_yueyang.yaml").read_text(encoding="utf-8"))
    shots = Path(os.environ.get("ASSISTANT_SCREENSHOTS") or tmp_path / "shots")
    shots.mkdir(parents=True, exist_ok=True)
    data, port = tmp_path / "data", _free_port()
    server = _start(data, port)
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            page = browser.new_page(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
            page.goto(f"http://127.0.0.1:{port}/")
            page.wait_for_selector("#status:has-text('检索就绪')", timeout=30000)
            page.fill("#new-title", script["title"])
            page.click("#create")
            page.wait_for_selector("#input:not([disabled])")
            page.fill("#input", (DATA / "conversations" / "road_tables.tsv").read_text(encoding="utf-8"))
            page.click("#send")
            card = page.wait_for_selector(".card-paste")
            directions = page.locator(".card-paste td.direction")
            assert directions.count() == 8 and "降" in [directions.nth(k).inner_text() for k in range(8)]
            page.screenshot(path=str(shots / "6-interview-paste.png"))
            card.query_selector("button.confirm").click()
            page.wait_for_selector(".card-question .progress")

            page.fill("#input", script["opening"][0]["say"])  # 项目单位是…，负责人…，电话…
            page.click("#send")
            assert "华容县交通运输局" in page.wait_for_selector(".card-project").inner_text()
            page.fill("#input", script["aside"]["project.department"])  # a note, said unasked
            page.click("#send")
            note = page.wait_for_selector(".card-note")
            assert "已记入（三）项目组织实施情况" in note.inner_text()
            # the draft column shows the note inside its section
            page.wait_for_selector(".sec[data-section='implementation'] .text:has-text('养护工作领导小组')")
            page.screenshot(path=str(shots / "7-note-routed.png"))
            page.select_option(".card-note select.move", "experience")
            page.wait_for_selector(".card-note .ok:has-text('已移到（六）主要经验及做法')")

            # the note now speaks for （六）; （三） still needs its organisation told
            answers = {**script["answers"], "note.implementation.organization": "县交通运输局牵头，各乡镇明确专人负责。"}
            seen, checks_shot = [], False
            for _ in range(60):
                count = page.locator(".turn").count()
                if page.locator(".card-question").last.get_attribute("data-kind") == "checks" and not checks_shot:
                    page.screenshot(path=str(shots / "8-quick-replies.png"))
                    checks_shot = True
                item = _answer_question(page, answers)
                if item is None:
                    break
                seen.append(item)
                page.locator(".turn").nth(count + 1).wait_for()  # the officer's turn and the reply
            progress = page.locator(".card-question .progress .count").last.inner_text()
            assert page.locator(".card-question").last.get_attribute("data-kind") == "done", seen[-3:]
            done, total = (int(x) for x in progress.replace("已完成", "").strip().split("/"))
            assert done == total and total >= 30
            page.screenshot(path=str(shots / "9-interview-done.png"))
            page.click(".card-question .quick button:text-is('导出')")
            link = page.wait_for_selector(".card-export a.export-link")
            with page.expect_download() as info:
                link.click()
            saved = tmp_path / "report.docx"
            info.value.save_as(saved)
            import docx

            text = "\n".join(p.text for p in docx.Document(str(saved)).paragraphs)
            experience = text.split("（六）主要经验及做法", 1)[1].split("存在问题和建议", 1)[0]
            assert "养护工作领导小组" in experience  # where the officer moved the note
            assert "综合得分" in text and "【待补充" not in text and "【待核实" not in text
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_the_page_meets_a_new_officer(tmp_path):
    """A new draft opens with its first question; an empty send and an over-long paste say what to do beside the
    box and keep the text; an answer with several facts shows them; a draft can be deleted before it is submitted."""
    shots = Path(os.environ.get("ASSISTANT_SCREENSHOTS") or tmp_path / "shots")
    shots.mkdir(parents=True, exist_ok=True)
    data, port = tmp_path / "data", _free_port()
    server = _start(data, port)
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            page.on("dialog", lambda d: d.accept())
            page.goto(f"http://127.0.0.1:{port}/")
            page.fill("#new-title", "2024年石门县公共图书馆免费开放补助")
            page.click("#create")
            first = page.wait_for_selector(".card-question[data-item='project.unit']")
            assert "项目单位" in first.inner_text()
            page.screenshot(path=str(shots / "t1-first-question.png"))

            page.click("#send")
            assert "请输入内容" in page.wait_for_selector("#composer-note:not([hidden])").inner_text()
            page.evaluate("document.getElementById('input').value = '一'.repeat(200001)")
            page.click("#send")
            page.wait_for_selector("#composer-note:has-text('内容过长')")
            assert page.evaluate("document.getElementById('input').value.length") == 200001
            page.screenshot(path=str(shots / "t2-too-long.png"))

            page.fill("#input", "石门县图书馆，主管部门是县文旅广电局，负责人覃晓燕副馆长 电话0736-5322187，项目2024年全年")
            page.click("#send")
            card = page.wait_for_selector(".card-project")
            for value in ("石门县图书馆", "石门县文旅广电局", "覃晓燕", "0736-5322187", "2024年1月至12月"):
                assert value in card.inner_text(), value
            assert page.evaluate("document.getElementById('input').value") == ""
            page.fill("#input", "这个报告日期不填会怎样")
            page.click("#send")
            page.wait_for_selector(".turn.assistant:has-text('不影响其他计算')")
            page.screenshot(path=str(shots / "t3-facts-and-question.png"))

            page.click("#delete-draft")
            page.wait_for_selector("#draft-title:has-text('草稿已删除')")
            assert page.locator("#drafts li").count() == 0
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=30)
