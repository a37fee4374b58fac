"""Report forms are data: a region's form added as one file in knowledge/forms works end to end, no code."""
import io
import shutil

import docx
import pytest

from assistant.compose import compose_draft
from assistant.compose.templates import PROMPTS
from assistant.core import forms
from assistant.core.checks import check_report
from assistant.core.contract import check_json
from assistant.core.parse import parse_text
from assistant.core.scoring import load_ruleset, ruleset_for_form
from assistant.render.check_summary import summary_text
from assistant.render.docx_report import build_document
from assistant.service.app import create_app

from .conftest import DATA

CHANGSHA_TITLES = ["一、绩效目标完成情况", "二、预算执行情况", "三、偏差原因及整改措施"]


@pytest.fixture
def forms_dir(tmp_path, monkeypatch):
    """The shipped forms plus the fixture region's form file, as knowledge/forms."""
    folder = tmp_path / "forms"
    shutil.copytree(forms.FORMS_DIR, folder)
    monkeypatch.setattr(forms, "FORMS_DIR", folder)
    forms.all_forms.cache_clear()
    yield folder
    forms.all_forms.cache_clear()


@pytest.fixture
def changsha(forms_dir):
    shutil.copy(DATA / "forms" / "changsha.yaml", forms_dir)
    forms.all_forms.cache_clear()
    return forms_dir


def test_shipped_forms_are_complete():
    assert forms.form_ids() == ("yueyang", "huainan", "national")
    assert forms.default_form() == "yueyang"
    for form in forms.all_forms().values():
        if form.ruleset:
            assert load_ruleset(form.ruleset).id == form.ruleset
        for sec in form.sections:
            assert sec.template is None or (PROMPTS / sec.template).is_file(), (form.id, sec.template)
    assert forms.get_form("huainan").ruleset is None and ruleset_for_form("huainan") is None


def test_a_regions_form_file_is_recognised_scored_drafted_and_rendered(changsha):
    report = parse_text((DATA / "changsha_selfeval.txt").read_text(encoding="utf-8"))
    assert report.project.form == "changsha"
    result = check_report(report, ruleset_for_form(report.project.form))
    assert result.score.ruleset == "national_2020_10"
    data = check_json(result)
    # the national layout: 全年预算数 stands in for 到位, so there is no 到位率
    assert data["funding"]["arrived"] == "280" and data["funding"]["arrival_rate"] is None
    assert data["funding"]["execution_rate"] == "0.9000"
    assert "长沙市区县格式（自评表）" in summary_text(result) and "全年预算数 280" in summary_text(result)

    draft = compose_draft(result)
    assert draft.form == "changsha" and [s.title for s in draft.sections] == CHANGSHA_TITLES
    document = build_document(draft)
    paragraphs = [p.text for p in document.paragraphs]
    assert paragraphs[0] == "区县项目支出绩效自评表"
    assert [t for t in paragraphs if t in CHANGSHA_TITLES] == CHANGSHA_TITLES
    assert "年初预算数" in [c.text for c in document.tables[0].rows[2].cells]


def test_without_the_file_the_same_report_is_the_national_form(forms_dir):
    report = parse_text((DATA / "changsha_selfeval.txt").read_text(encoding="utf-8"))
    assert report.project.form == "national"


async def test_the_page_and_the_api_offer_a_new_form(aiohttp_client, changsha, tmp_path):
    client = await aiohttp_client(create_app(tmp_path / "data", embedder="fake"))
    page = await (await client.get("/")).text()
    assert '<option value="changsha">长沙市区县格式（自评表）</option>' in page
    spec = await (await client.get("/api/openapi.json")).json()
    enum = spec["paths"]["/api/drafts"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert "changsha" in enum["properties"]["form"]["enum"]
    resp = await client.post("/api/drafts", json={"title": "社区居家养老服务补贴", "form": "changsha"})
    assert resp.status == 201, await resp.text()
    draft_id = (await resp.json())["draft"]["id"]
    paste = (DATA / "changsha_selfeval.txt").read_text(encoding="utf-8")
    assert (await client.post(f"/api/drafts/{draft_id}/turns", json={"text": paste})).status == 200
    assert (await client.post(f"/api/drafts/{draft_id}/confirm", json={})).status == 200
    resp = await client.get(f"/api/drafts/{draft_id}/export?format=docx")
    assert resp.status == 200
    exported = docx.Document(io.BytesIO(await resp.read()))
    assert [p.text for p in exported.paragraphs if p.text in CHANGSHA_TITLES] == CHANGSHA_TITLES
    bad = await client.post("/api/drafts", json={"form": "wuhan"})
    assert bad.status == 400 and "changsha" in (await bad.json())["hint"]


@pytest.mark.parametrize("text, field", [
    ("id: bad\ntitle: 某表\nname: 某格式\nlayout: wuhan\nsections: []\n", "layout"),
    ("id: other\ntitle: 某表\nname: 某格式\nlayout: national\nsections: []\n", "id"),
    ("id: bad\ntitle: 某表\nlayout: national\nsections: []\n", "name"),
])
def test_a_broken_form_file_is_named_with_its_field(forms_dir, text, field):
    (forms_dir / "bad.yaml").write_text(text, encoding="utf-8")
    forms.all_forms.cache_clear()
    with pytest.raises(forms.FormError) as err:
        forms.all_forms()
    assert "bad.yaml" in str(err.value) and f"字段 {field}" in str(err.value)


async def test_the_national_form_speaks_its_own_words_and_the_file_is_named_after_the_project(aiohttp_client, tmp_path):
    from urllib.parse import unquote

    client = await aiohttp_client(create_app(tmp_path / "data", embedder="fake"))
    resp = await client.post("/api/drafts", json={"title": "2024年临澧县中小学校舍维修改造项目", "form": "national"})
    draft_id = (await resp.json())["draft"]["id"]
    turn = await (await client.post(f"/api/drafts/{draft_id}/turns",
                                     json={"text": "年初预算680万 全年预算720万 全年执行698.6万"})).json()
    card = next(c for c in turn["reply"]["cards"] if c["type"] == "paste")
    assert card["columns"] == ["年初预算数", "全年预算数", "全年执行数", "结余"]
    assert (await client.post(f"/api/drafts/{draft_id}/confirm", json={})).status == 200
    resp = await client.get(f"/api/drafts/{draft_id}/export?format=docx")
    assert unquote(resp.headers["Content-Disposition"].split("filename*=UTF-8''")[1]) == \
        "2024年临澧县中小学校舍维修改造项目绩效自评表.docx"
    exported = docx.Document(io.BytesIO(await resp.read()))
    text = "\n".join(p.text for p in exported.paragraphs)
    assert "（2024年度）" in text and "实际到位" not in text and "计划安排" not in text


def test_the_export_is_named_with_its_year_once():
    from assistant.core.models import ProjectInfo, Report
    from assistant.service.draft_routes import export_name
    from assistant.storage.drafts import DraftRecord

    def named(title: str) -> str:
        report = Report(project=ProjectInfo(name=title, period_text="2024年1月至12月"))
        return export_name(DraftRecord(id="x", title=title, form="huainan", created_at="", updated_at="", report=report),
                           "docx")

    assert named("寿县2024年农村生活垃圾治理项目") == "寿县2024年农村生活垃圾治理项目绩效自评报告.docx"
    assert named("寿县农村生活垃圾治理项目") == "2024年度寿县农村生活垃圾治理项目绩效自评报告.docx"
