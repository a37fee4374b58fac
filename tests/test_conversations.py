"""Scripted conversations through the HTTP API, one per kind of project the built-in corpus lacks: the
interview leads each to a complete report in its form (tests/data/conversations/*.yaml)."""
import re

import docx
import pytest
import yaml

from assistant.core.checks import check_report
from assistant.core.scoring import ruleset_for_form
from assistant.bench.interview_run import Officer
from assistant.service.app import REPO, create_app
from assistant.service.chat import working_report

from .conftest import DATA

CONVERSATIONS = DATA / "conversations"
# Nouns that belong to the built-in precedents' own projects (the five e-government seeds): none may
# reach another project's draft.
SEED_NOUNS = {
    "000": ["门户网站", "集约化", "政务服务中心", "岳阳政务", "提质改造"],
    "001": ["电子政务外网", "政务外网", "行政审批服务局", "外网平台"],
    "002": ["电子政务云", "政务云", "云平台租赁"],
    "003": ["智慧岳阳", "一门式", "基层公共服务", "信息化管理平台"],
    "004": ["淮南", "政府网站", "人民政府办公室"],
}


def _sections(document: docx.Document, titles: list[str]) -> dict[str, str]:
    """Each narrative section's text in the exported document, by title."""
    out: dict[str, list[str]] = {}
    current = None
    for p in document.paragraphs:
        if p.text.strip() in titles:
            current = p.text.strip()
            out[current] = []
        elif current is not None:
            out[current].append(p.text)
    return {k: "\n".join(v).strip() for k, v in out.items()}


@pytest.mark.parametrize("name", ["road_yueyang", "nutrition_national", "employment_yueyang"])
async def test_a_conversation_ends_in_a_complete_report(aiohttp_client, tmp_path, name):
    script = yaml.safe_load((CONVERSATIONS / f"{name}.yaml").read_text(encoding="utf-8"))
    app = create_app(tmp_path / "data", embedder="fake")
    client = await aiohttp_client(app)
    officer = Officer(client, script)
    await officer.run()
    document = await officer.export_docx()
    cells = [c.text for t in document.tables for r in t.rows for c in r.cells]
    text = "\n".join([p.text for p in document.paragraphs] + cells)

    record = app[REPO].get(officer.draft_id)
    result = check_report(working_report(record), ruleset_for_form(script["form"]))
    unscored = [i.path for i in result.score.items if i.computed is None or not i.reason]
    assert unscored == [] and result.score.computed_total is not None and result.score.computed_grade
    assert f"综合得分{result.score.computed_total.normalize():f}分" in text.replace(" ", "") or \
        re.search(r"综合得分[\d.]+分", text)

    assert "【待补充" not in text, re.findall(r".{0,30}【待补充[^】]*】", text)
    assert "【待核实" not in text, re.findall(r".{0,30}【待核实[^】]*】", text)
    leaked = [w for nouns in SEED_NOUNS.values() for w in nouns if w in text]
    assert leaked == []

    from assistant.core.forms import get_form
    titles = [s.title for s in get_form(script["form"]).sections]
    sections = _sections(document, titles)
    assert all(sections.get(t) for t in titles), {t: sections.get(t, "")[:40] for t in titles}
    by_kind = {s.kind: sections[s.title] for s in get_form(script["form"]).sections}
    words = script["expect"].get("words", {})
    assert [w for w in words.get("present", []) if w not in text] == []
    assert [w for w in words.get("absent", []) if w in text] == []
    for kind, phrases in script["expect"]["notes"].items():
        for phrase in phrases:  # each note landed in the section it belongs to
            assert phrase in by_kind[kind], (kind, phrase, by_kind[kind][:200])
