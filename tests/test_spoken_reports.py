"""Four reports written from officers who talk (fillers, first person, 搞/弄/买, hedged figures), one per form plus
a second Yueyang project, taken to the end through the API and exported: the exports read as filed reports, and
this product's own `check` and review of each export find nothing about the export's own consistency.

The officer turns were written by someone acting as the officer, who never saw how turns are read
(tests/data/conversations/spoken_*.yaml)."""
import asyncio
import io
import re

import aiohttp
import docx
import pytest
import yaml
from aiohttp.test_utils import TestClient, TestServer

from assistant.bench.interview_run import Officer
from assistant.core import check_file
from assistant.core.checks import check_report
from assistant.core.scoring import ruleset_for_form
from assistant.service.app import REPO, create_app
from assistant.service.chat import working_report

from .conftest import DATA

CONVERSATIONS = DATA / "conversations"
SCRIPTS = ["spoken_forest_yueyang", "spoken_water_yueyang", "spoken_disability_national", "spoken_epidemic_huainan"]

# What each register rule (knowledge/register.yaml) leaves nothing of in a filed report: a reviewer would circle
# any of these as chat.
SPOKEN_MARKERS = {
    "modal particles": r"[吧啊呀嘛呢哈](?=[，。；！,\s]|$)",
    "就是 / 一个是 as fillers": r"就是(?![说])|一个是|另一个是",
    "的话 topics": r"的话",
    "first person": r"我们|咱们|俺们",
    "spoken verbs": r"搞|弄|(?<!采|购)买(?!卖)|干了|花了|没(?:有)?(?:付|完|搞|到)",
    "hedged figures": r"\d[\d.]*[^\d，。；]{0,4}左右|大概|差不多|大约|估计",
    "ellipsis": r"…|\.{3}|。。",
    "questions in statements": r"[？?]",
    "talk about the talk": r"你看着|你帮我|先这样|就这些|先记一下|跟你说",
}
# Findings that say the report contradicts itself: none may come from an export of this product.
SELF_CONSISTENCY = {
    "expense.spent_mismatch", "expense.total_mismatch", "funding.balance_mismatch", "funding.rate_mismatch",
    "funding.sources_mismatch", "funding.missing", "indicator.missing", "score.summary_mismatch",
    "score.total_mismatch", "score.grade_mismatch", "score.weight_mismatch", "score.item_above_weight",
    "text.amount_variant", "text.date_after_report", "text.impossible_date", "text.period_inverted",
}


def _text(document: docx.Document) -> tuple[list[str], list[str]]:
    paragraphs = [p.text.strip() for p in document.paragraphs if p.text.strip()]
    cells = [c.text.strip() for t in document.tables for r in t.rows for c in r.cells if c.text.strip()]
    return paragraphs, cells


def _sentences(paragraphs: list[str]) -> list[str]:
    return [s for p in paragraphs for s in re.split(r"(?<=[。；！])", p) if len(s) >= 12]


async def _talk_to_the_end(name: str, data_dir) -> dict:
    script = yaml.safe_load((CONVERSATIONS / f"{name}.yaml").read_text(encoding="utf-8"))
    app = create_app(data_dir, embedder="fake")
    async with TestClient(TestServer(app)) as client:
        officer = Officer(client, script)
        await officer.run()
        blob = await (await client.get(f"/api/drafts/{officer.draft_id}/export?format=docx")).read()
        md = await (await client.get(f"/api/drafts/{officer.draft_id}/export?format=md")).text()
        upload = aiohttp.FormData()
        upload.add_field("file", blob, filename=f"{name}.docx")
        reviewed = await (await client.post("/api/review", data=upload)).json()
        record = app[REPO].get(officer.draft_id)
        draft_check = check_report(working_report(record), ruleset_for_form(script["form"]))
    return {"script": script, "blob": blob, "md": md, "review": reviewed, "draft_check": draft_check}


@pytest.fixture(scope="module", params=SCRIPTS)
def exported(request, tmp_path_factory):
    run = asyncio.run(_talk_to_the_end(request.param, tmp_path_factory.mktemp("data")))
    script, blob, md, reviewed, draft_check = (run[k] for k in ("script", "blob", "md", "review", "draft_check"))
    path = tmp_path_factory.mktemp("export") / f"{request.param}.docx"
    path.write_bytes(blob)
    return {"script": script, "docx": docx.Document(io.BytesIO(blob)), "md": md, "path": path,
            "review": reviewed, "draft_check": draft_check, "said": _said(script)}


def _said(script: dict) -> list[str]:
    """Everything the officer typed in words (not the pasted tables)."""
    texts = [s["say"] for s in script.get("opening", []) if "say" in s]
    for group in ("answers", "aside", "then"):
        for value in (script.get(group) or {}).values():
            for v in value if isinstance(value, list) else [value]:
                if isinstance(v, str):
                    texts.append(v)
    return texts


def test_the_officer_talked(exported):
    # the scripts are spoken: if they were not, the checks below would prove nothing
    said = "\n".join(exported["said"])
    talked = [name for name, pattern in SPOKEN_MARKERS.items() if re.search(pattern, said)]
    assert len(talked) >= 4, talked


@pytest.mark.parametrize("rule", list(SPOKEN_MARKERS))
def test_no_spoken_marker_in_the_export(exported, rule):
    paragraphs, cells = _text(exported["docx"])
    pattern = re.compile(SPOKEN_MARKERS[rule])
    for where, texts in (("docx", paragraphs + cells), ("md", exported["md"].splitlines())):
        hits = [f"{m.group(0)!r} in {t[max(0, m.start() - 15):m.end() + 15]}" for t in texts for m in pattern.finditer(t)]
        assert hits == [], (where, hits)


def test_no_note_twice_and_nothing_to_verify(exported):
    paragraphs, cells = _text(exported["docx"])
    long = [p for p in paragraphs if len(p) >= 12]
    assert sorted({p for p in long if long.count(p) > 1}) == []
    # within a section, each statement once (a reason may be said in 资金 and again in 存在问题, not twice in one)
    for section in re.split(r"^#{2,3} ", exported["md"], flags=re.M):
        sentences = _sentences(section.splitlines())
        assert sorted({s for s in sentences if sentences.count(s) > 1}) == [], section[:30]
    text = "\n".join(paragraphs + cells) + exported["md"]
    assert "【待核实" not in text and "【待补充" not in text, re.findall(r".{0,25}【待[^】]*】", text)


def test_the_officer_facts_reach_their_sections(exported):
    paragraphs, cells = _text(exported["docx"])
    text = "\n".join(paragraphs + cells)
    missing = [phrase for phrases in exported["script"]["expect"]["notes"].values() for phrase in phrases
               if phrase not in text]
    assert missing == []


def test_check_of_the_export_finds_nothing_the_draft_does_not(exported):
    result = check_file(exported["path"])
    codes = {f.code for f in result.findings}
    assert codes & SELF_CONSISTENCY == set(), [f.message for f in result.findings if f.code in SELF_CONSISTENCY]
    draft_codes = {f.code for f in exported["draft_check"].findings}
    assert codes - draft_codes == set(), [f.message for f in result.findings if f.code not in draft_codes]
    assert result.report.project.name == exported["script"]["title"] or \
        exported["script"]["title"] in (result.report.project.name or "")


def test_review_of_the_export_finds_nothing_about_itself(exported):
    review = exported["review"]["review"]
    own = [f["message"] for f in review["findings"] if f["code"] in SELF_CONSISTENCY]
    assert own == []


# each form's own words, and words of the other forms that must not leak into it
FORM_WORDS = {
    "yueyang": ({"计划安排资金", "实际到位资金", "评价类型", "县市区财政"}, {"计划投资额", "考评类型", "年初预算数"}),
    "huainan": ({"计划投资额", "区、县（市）财政", "考评类型"}, {"县市区财政", "计划安排资金", "评价类型"}),
    "national": ({"年初预算数", "全年预算数", "全年执行数"}, {"计划安排资金", "实际到位资金", "资金到位率", "县市区财政"}),
}
# nouns of the built-in precedents' own projects (e-government): none may reach these projects' reports
FOREIGN = ["门户网站", "集约化", "政务服务中心", "电子政务", "政务外网", "行政审批服务局", "政务云", "智慧岳阳", "淮南"]


def test_the_form_s_own_words_and_no_other_project_s(exported):
    paragraphs, cells = _text(exported["docx"])
    text = "\n".join(paragraphs + cells)
    present, absent = FORM_WORDS[exported["script"]["form"]]
    assert sorted(w for w in present if w not in text) == []
    assert sorted(w for w in absent if w in text) == []
    assert [w for w in FOREIGN if w in text + exported["md"]] == []
    if exported["script"]["form"] != "national":  # the cover names the bureau it is filed with
        assert re.search(r"[省市县区旗]财政局（制）", text), text[:300]
