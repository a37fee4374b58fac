"""The review workflow and the knowledge base in a real browser (Debian chromium, Playwright), with accounts:
officer A drafts and submits; the reviewer comments and returns; officer A sees the comment, revises and
resubmits; the reviewer approves; officer B never sees the draft; the admin uploads twenty reports and
searches them while their vectors are computed.

Screenshots go to $ASSISTANT_SCREENSHOTS when set (else a temporary folder).
"""
import os
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import DATA, ROOT, draft_with_tables, served_in_thread
from .test_e2e import ARGS, CHROMIUM, _free_port, _start, sync_playwright

pytestmark = [
    pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed here (make test installs it with apt)"),
    pytest.mark.skipif(sync_playwright is None, reason="playwright (Python) is not installed"),
]
PASSWORD = "browser-pass-1"
ACCOUNTS = [("admin1", "admin", []), ("officer_a", "officer", ["--unit", "甲局"]),
            ("officer_b", "officer", ["--unit", "乙局"]), ("reviewer_a", "reviewer", ["--units", "甲局"])]
UPLOADS = (sorted((DATA / "heldout").glob("*.txt")) + sorted((DATA / "heldout2").glob("*.txt")))[:20]


def _accounts(data: Path) -> None:
    for name, role, extra in ACCOUNTS:
        made = subprocess.run([sys.executable, "-m", "assistant", "user", "add", name, "--role", role, *extra,
                               "--display-name", name, "--data", str(data), "--password-stdin"],
                              input=PASSWORD + "\n", cwd=ROOT, capture_output=True, text=True, timeout=60)
        assert made.returncode == 0, made.stderr


def _login(browser, url: str, name: str):
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    page.goto(url + "/login")
    page.fill("#username", name)
    page.fill("#password", PASSWORD)
    page.click("#login")
    page.wait_for_selector("#user-name")
    return page


def test_submit_return_resubmit_approve_in_a_real_browser(tmp_path):
    shots = Path(os.environ.get("ASSISTANT_SCREENSHOTS") or tmp_path / "shots")
    shots.mkdir(parents=True, exist_ok=True)
    data, port = tmp_path / "data", _free_port()
    _accounts(data)
    server = _start(data, port)
    url = f"http://127.0.0.1:{port}"
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            anonymous = browser.new_page()
            anonymous.goto(url + "/")
            anonymous.wait_for_selector("#login-form:not([hidden])")
            assert anonymous.url.startswith(url + "/login")  # no account, no page
            anonymous.screenshot(path=str(shots / "r0-login.png"))

            a = _login(browser, url, "officer_a")
            a.on("dialog", lambda d: d.accept())
            assert "甲局" in a.inner_text("#user-name")
            draft_with_tables(a)
            a.fill("#input", "写存在问题和建议")
            a.click("#send")
            a.wait_for_selector(".card-suggestions .option")
            a.click(".card-suggestions button.adopt")
            a.wait_for_selector(".sec.adopted[data-section='problems']")
            a.click("#submit-draft")
            a.wait_for_selector("#workflow .status-submitted")
            a.wait_for_selector("#input[disabled]")
            a.screenshot(path=str(shots / "r1-officer-submitted.png"))

            rev = _login(browser, url, "reviewer_a")
            rev.on("dialog", lambda d: d.accept())
            assert rev.url.endswith("/review")  # a reviewer lands on the review page
            rev.click("#queue li[data-id]")
            rev.wait_for_selector(".review-sec[data-section='problems']")
            rev.screenshot(path=str(shots / "r2-reviewer-view.png"), full_page=True)
            shown = rev.inner_text("#result")
            # the report's own tables are in the view, and nothing prints as a literal null
            assert "null" not in shown and "undefined" not in shown
            assert rev.locator("table.data-funding").count() == 1 and "1150" in rev.inner_text("table.data-funding")
            assert rev.locator("table.data-indicators tr").count() > 1
            section = rev.locator(".review-sec[data-section='problems']")
            section.locator("textarea.comment-input").fill("问题分析过于笼统，请对照扣分点逐条说明原因和整改时限")
            section.locator("button.add-comment").click()
            rev.wait_for_selector(".review-sec[data-section='problems'] .comment")
            rev.click("#return-draft")
            rev.wait_for_selector("h2 .status-returned")
            rev.screenshot(path=str(shots / "r3-reviewer-returned.png"), full_page=True)

            b = _login(browser, url, "officer_b")
            assert b.locator("#drafts li").count() == 0  # another unit sees nothing
            b.screenshot(path=str(shots / "r4-officer-b-empty.png"))

            a.reload()
            a.wait_for_selector("#drafts li")
            a.click("#drafts li >> nth=0")
            a.wait_for_selector(".sec[data-section='problems'] .comments")
            comment = a.inner_text(".sec[data-section='problems'] .comments")
            assert "逐条说明原因和整改时限" in comment and "reviewer_a" in comment
            assert a.locator("#workflow .status-returned").count() == 1 and not a.locator("#input").is_disabled()
            a.screenshot(path=str(shots / "r5-officer-sees-comment.png"))
            problems = a.locator(".sec[data-section='problems']")
            problems.locator("button:text-is('编辑')").click()
            problems.locator("textarea").fill("存在的问题：一是部分指标完成值低于目标值；二是资金支付进度偏慢，年底集中支付。"
                                              "整改措施：2024年6月底前建立月度支付台账。")
            problems.locator("button:text-is('保存')").click()
            a.wait_for_selector(".sec[data-section='problems'] .text:has-text('月度支付台账')")
            a.click("#submit-draft")
            a.wait_for_selector("#workflow .status-submitted")

            rev.reload()
            rev.click("#queue li[data-id]")
            rev.wait_for_selector(".review-sec[data-section='problems'] .text:has-text('月度支付台账')")
            shown = rev.inner_text("#result")  # the resubmission says what changed since the round returned
            assert "与第 1 次送审相比（第 2 次）" in shown and "（修改）" in shown
            rev.click("#approve-draft")
            rev.wait_for_selector("h2 .status-approved")
            rev.click("#to-precedents")
            rev.wait_for_selector(".cite:has-text('加入先例库'), #result > .sev-error", timeout=90000)
            assert rev.locator("#result > .sev-error").count() == 0, rev.inner_text("#result > .sev-error")
            rev.screenshot(path=str(shots / "r6-reviewer-approved.png"), full_page=True)

            a.reload()
            a.click("#drafts li >> nth=0")
            a.wait_for_selector("#workflow .status-approved")
            a.click("#workflow .history summary")
            history = a.inner_text("#workflow .history")
            for word in ("送审", "退回整改", "审核通过", "加入先例库"):
                assert word in history
            a.screenshot(path=str(shots / "r7-officer-approved.png"))
            b.reload()
            assert b.locator("#drafts li").count() == 0

            admin = _login(browser, url, "admin1")
            assert admin.url.endswith("/admin")
            admin.click("button.tab[data-tab='audit']")
            admin.wait_for_selector("#audit tr:has-text('退回整改')")
            admin.screenshot(path=str(shots / "r8-admin-audit.png"))
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert len(list(shots.glob("r*.png"))) >= 9


@pytest.fixture
def gated_server(tmp_path):
    """The service in a thread of this process, its embedder held shut until the test opens it: what the
    page shows while no vector exists yet is then certain, not a race."""
    from assistant.service.app import create_app

    from .test_workflow import GatedEmbedder

    data = tmp_path / "data"
    _accounts(data)
    embedder = GatedEmbedder()
    with served_in_thread(create_app(data, embedder=embedder, heavy={"workers": 1})) as (port,):
        try:
            yield f"http://127.0.0.1:{port}", embedder
        finally:
            embedder.gate.set()  # the fill must finish its batch for the service to stop


def test_twenty_uploads_in_the_page_are_searchable_before_their_vectors(gated_server, tmp_path):
    shots = Path(os.environ.get("ASSISTANT_SCREENSHOTS") or tmp_path / "shots")
    shots.mkdir(parents=True, exist_ok=True)
    url, embedder = gated_server
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        admin = _login(browser, url, "admin1")
        admin.click("button.tab[data-tab='kb']")
        admin.set_input_files("#kb-files", [str(p) for p in UPLOADS])
        admin.click("#kb-upload-button")
        admin.wait_for_selector("#kb-summary:has-text('已索引 20 / 20')", timeout=120000)
        assert admin.locator(".upload-row[data-state='indexed']").count() == 20
        admin.wait_for_selector("#kb-status:has-text('向量计算中：0 /')")  # not one vector yet
        admin.fill("#kb-query", "中药材种植基地建设")
        admin.click("#kb-search button")
        admin.wait_for_selector("#kb-hits .hit")
        first = admin.inner_text("#kb-hits .hit >> nth=0")
        assert "巫溪县文峰镇" in first and "bm25+dense" not in first  # found by keyword alone
        assert admin.locator("#kb-docs tr[data-doc]:has-text('/ ')").count() >= 25
        admin.screenshot(path=str(shots / "r9-admin-uploads-before-vectors.png"), full_page=True)
        embedder.gate.set()
        admin.wait_for_selector("#kb-status:has-text('检索就绪')", timeout=120000)
        admin.click("button.tab[data-tab='users']")
        admin.click("button.tab[data-tab='kb']")
        admin.wait_for_selector("#kb-docs tr[data-doc]")
        cells = admin.locator("#kb-docs tr[data-doc] td:nth-child(7)").all_inner_texts()
        assert len(cells) == 25 and all(c.split(" / ")[0] == c.split(" / ")[1] for c in cells), cells
        admin.screenshot(path=str(shots / "r10-admin-vectors-done.png"))
        browser.close()
