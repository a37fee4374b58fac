"""Turns unscripted officers typed in walks through the page, each in wordings and figures of our own: a yes in
words to a waiting table, a goal said after a complaint, criteria answered in work words, an earlier criteria answer
taken again (also inside another answer), a move asked for besides an answer, and an answer said before a
correction. Run through the HTTP API on a real draft store, as the page sends them."""
import pytest

from assistant.service.app import create_app
from assistant.service.context import REPO

from .conftest import DATA

PASTE = (DATA / "paste_tsv.txt").read_text(encoding="utf-8")
IMPLEMENTATION = "score.项目管理/组织实施/项目实施"
RULES_ITEM = "score.项目管理/组织实施/管理制度"


class Officer:
    def __init__(self, client, draft_id, first):
        self.client, self.draft_id, self.last = client, draft_id, first

    async def say(self, text: str, **answer) -> dict:
        body = {"text": text, **({"answer": answer} if answer else {})}
        resp = await self.client.post(f"/api/drafts/{self.draft_id}/turns", json=body)
        assert resp.status == 200, await resp.text()
        self.last = (await resp.json())["reply"]
        return self.last

    def asked(self) -> str | None:
        q = next((c for c in reversed(self.last["cards"]) if c["type"] == "question"), None)
        return q and q["item"]

    async def reach(self, item: str) -> None:
        """Skip what comes first until `item` is asked (skipped items wait at the end)."""
        for _ in range(60):
            if self.asked() == item:
                return
            await self.say("跳过")
        raise AssertionError(f"{item} never asked")

    async def report(self) -> dict:
        """The draft's record as stored."""
        return self.client.app[REPO].get(self.draft_id).report.model_dump(mode="json")


@pytest.fixture
async def officer(aiohttp_client, tmp_path):
    client = await aiohttp_client(create_app(tmp_path / "data", embedder="fake"))
    resp = await client.post("/api/drafts", json={"title": "2023年城区背街小巷改造", "form": "yueyang"})
    created = await resp.json()
    return Officer(client, created["draft"]["id"], created["reply"])


def _decision(reply: dict) -> dict:
    return next(c for c in reply["cards"] if c["type"] == "decision")


def _selected(report: dict, item: str) -> list[str]:
    path = item[len("score."):].split("/")
    return next(j["selected"] for j in report["judgements"] if j["path"] == path)


async def test_a_yes_in_words_confirms_the_waiting_table_and_a_later_yes_is_no_answer(officer):
    await officer.say(PASTE)
    reply = await officer.say("嗯嗯 这回对了 就这样")
    assert reply["text"].startswith("已确认"), reply["text"]
    await officer.reach("goals.expected")
    again = await officer.say("等会 刚才那个表我是要确认的啊 确认")
    assert _decision(again)["kind"] == "command" and "已经确认" in again["text"]
    assert officer.asked() == "goals.expected"  # the goal is still to be said: nothing was taken as it


async def test_a_goal_said_after_a_complaint_is_the_goal_and_no_target_moves(officer):
    await officer.say(PASTE)
    await officer.say("确认")
    before = [(i["name"], i["target"]) for i in (await officer.report())["indicators"]]
    await officer.reach("goals.expected")
    reply = await officer.say("不对不对 刚才那句不是目标 你记错了 预期目标是改造背街小巷35条以上 单条成本不超过35万元 居民满意度90%以上")
    assert _decision(reply)["kind"] == "answer"
    report = await officer.report()
    assert [(i["name"], i["target"]) for i in report["indicators"]] == before
    goal = report["goals"][0]["expected"]
    assert goal.startswith("改造背街小巷35条以上") and "记错" not in goal


async def test_criteria_in_work_words_and_the_period_said_before_stays(officer):
    await officer.say(PASTE)
    await officer.say("确认")
    await officer.reach("project.period_text")
    await officer.say("2023年1月到12月")
    await officer.reach(IMPLEMENTATION)
    await officer.say("4月份开始的 按计划 11月底都干完了")
    report = await officer.report()
    assert _selected(report, IMPLEMENTATION) == ["按计划开工", "按计划完工"]
    assert report["project"]["period_text"] == "2023年1月至12月"  # the work's months are not the period


async def test_an_earlier_criteria_answer_taken_again_in_the_options_words(officer):
    await officer.say(PASTE)
    await officer.say("确认")
    await officer.reach(IMPLEMENTATION)
    await officer.say("按计划完工")
    assert officer.asked() == RULES_ITEM
    reply = await officer.say("怎么把开工弄掉了 开工开展完工三个都要")
    assert _decision(reply)["kind"] == "correction"
    report = await officer.report()
    assert _selected(report, IMPLEMENTATION) == ["按计划开工", "按计划开展", "按计划完工"]
    assert not [n for n in report["notes"] if "弄掉" in n["text"]]  # nothing filed as report text
    assert officer.asked() == RULES_ITEM


async def test_an_answer_with_an_earlier_criteria_answer_corrected_inside_it(officer):
    await officer.say(PASTE)
    await officer.say("确认")
    await officer.reach(IMPLEMENTATION)
    await officer.say("按计划开展")
    await officer.say("制度健全 执行也严格  哦不对 刚才那个项目实施 开工 开展 完工三个都是按计划的 你只记了一个")
    report = await officer.report()
    assert _selected(report, RULES_ITEM) == ["管理制度健全", "制度执行严格"]
    assert _selected(report, IMPLEMENTATION) == ["按计划开工", "按计划开展", "按计划完工"]


async def test_a_move_asked_for_besides_an_answer_is_made_and_not_filed(officer):
    await officer.say(PASTE)
    await officer.say("确认")
    await officer.reach("note.funding_use.management")
    reply = await officer.say("专款专用 单独建账 按进度拨付 报账要分管领导签字  另外帮我看看还差啥")
    assert "已完成" in reply["text"] and any(c["type"] == "progress" for c in reply["cards"])
    notes = (await officer.report())["notes"]
    assert [n["text"] for n in notes] == ["专款专用 单独建账 按进度拨付 报账要分管领导签字"]


async def test_an_answer_said_before_a_correction_is_kept_with_it(officer):
    await officer.say(PASTE)
    await officer.say("确认")
    await officer.reach("note.performance.results")
    reply = await officer.say("成效嘛 巷子路面平整了 下雨不积水了 居民出门方便多了  不对 刚才表里那个居民满意度不是96% 应该是95.5%  你改一下")
    report = await officer.report()
    assert next(i["actual"] for i in report["indicators"] if i["name"] == "居民满意度") == "95.5%"
    notes = [n for n in report["notes"] if n["section"] == "performance"]
    assert len(notes) == 1 and notes[0]["text"].startswith("成效嘛 巷子路面平整了") and "95.5" not in notes[0]["text"]
    assert officer.asked() != "note.performance.results", reply["text"]
