"""Scripted conversations through the HTTP API, one per kind of project the built-in corpus lacks: the
interview leads each to a complete report in its form (tests/data/conversations/*.yaml)."""
import asyncio
import io
import re

import docx
import pytest
import yaml

from assistant.core.checks import check_report
from assistant.core.scoring import ruleset_for_form
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


class Officer:
    """Drives one draft through the API as the script says, answering each question it is asked."""

    def __init__(self, client, script: dict):
        self.client, self.script = client, script
        self.draft_id = None
        self.last: dict | None = None
        self.turns = 0

    async def say(self, text: str, answer: dict | None = None) -> dict:
        body = {"text": text, **({"answer": answer} if answer else {})}
        resp = await self.client.post(f"/api/drafts/{self.draft_id}/turns", json=body)
        assert resp.status == 200, await resp.text()
        self.last = (await resp.json())["reply"]
        self.turns += 1
        return self.last

    def question(self) -> dict | None:
        return next((c for c in reversed(self.last["cards"]) if c["type"] == "question"), None) if self.last else None

    async def ready(self) -> None:
        """The knowledge base is loaded (routing weighs similarity to its passages)."""
        for _ in range(600):
            progress = (await (await self.client.get("/api/health")).json())["progress"]
            if progress.get("state") in ("done", "off", "error"):
                return
            await asyncio.sleep(0.05)
        pytest.fail(f"knowledge base not ready: {progress}")

    async def run(self) -> None:
        await self.ready()
        resp = await self.client.post("/api/drafts", json={"title": self.script["title"], "form": self.script["form"]})
        assert resp.status == 201
        self.draft_id = (await resp.json())["draft"]["id"]
        for step in self.script["opening"]:
            if "paste" in step:
                await self.say((CONVERSATIONS / step["paste"]).read_text(encoding="utf-8"))
                assert self.last["cards"][0]["type"] == "paste", self.last
            else:
                await self.say(step["say"])
        asides, then = dict(self.script.get("aside") or {}), dict(self.script.get("then") or {})
        answers = {k: list(v) if isinstance(v, list) else [v] for k, v in self.script["answers"].items()}
        repeats, previous = 0, None
        for _ in range(150):
            q = self.question()
            assert q is not None, f"no question after: {self.last['text']}"
            item = q["item"]
            if item is None:
                return
            repeats = repeats + 1 if item == previous else 0
            assert repeats < 2, f"answer to {item} not understood: {self.last['text']}"
            previous = item
            if item in asides:
                await self.say(asides.pop(item))
                previous = None  # the aside is not an answer: the same question comes back once
                continue
            assert item in answers, f"unscripted question {item}: {q['ask']}"
            answer = answers[item].pop(0) if len(answers[item]) > 1 else answers[item][0]
            if isinstance(answer, dict):
                await self.say("、".join(answer["selected"]), {"item": item, "selected": answer["selected"]})
            else:
                await self.say(answer)
            if item in then:  # '上一题': the same question again, answered anew
                await self.say(then.pop(item))
                previous = None
        pytest.fail("the interview did not end")

    async def export_text(self) -> tuple[str, docx.Document]:
        resp = await self.client.get(f"/api/drafts/{self.draft_id}/export?format=docx")
        assert resp.status == 200
        document = docx.Document(io.BytesIO(await resp.read()))
        cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
        return "\n".join([p.text for p in document.paragraphs] + cells), document


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
    text, document = await officer.export_text()

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
    for kind, phrases in script["expect"]["notes"].items():
        for phrase in phrases:  # each note landed in the section it belongs to
            assert phrase in by_kind[kind], (kind, phrase, by_kind[kind][:200])
