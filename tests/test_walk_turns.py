"""Turns unscripted officers typed in walks through the page, each in wordings and figures of our own: a yes in
words to a waiting table, a goal said after a complaint, criteria answered in work words, an earlier criteria answer
taken again (also inside another answer), a move asked for besides an answer, and an answer said before a
correction. Run through the HTTP API on a real draft store, as the page sends them."""
from decimal import Decimal

import pytest

from assistant.service.app import create_app
from assistant.service.chat import working_report
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
        return working_report(self.client.app[REPO].get(self.draft_id)).model_dump(mode="json")


async def _officer(aiohttp_client, folder, form, title):
    client = await aiohttp_client(create_app(folder, embedder="fake"))
    resp = await client.post("/api/drafts", json={"title": title, "form": form})
    created = await resp.json()
    return Officer(client, created["draft"]["id"], created["reply"])


@pytest.fixture
async def officer(aiohttp_client, tmp_path):
    return await _officer(aiohttp_client, tmp_path / "data", "yueyang", "2023年城区背街小巷改造")


@pytest.fixture
async def tabled(officer):
    """The officer with the funding, expense and indicator tables pasted and confirmed."""
    await officer.say(PASTE)
    await officer.say("确认")
    return officer


@pytest.fixture
async def national(aiohttp_client, tmp_path):
    return await _officer(aiohttp_client, tmp_path / "data", "national", "2024年某县乡镇综合文化站提升项目")


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


async def test_a_goal_said_after_a_complaint_is_the_goal_and_no_target_moves(tabled):
    before = [(i["name"], i["target"]) for i in (await tabled.report())["indicators"]]
    await tabled.reach("goals.expected")
    reply = await tabled.say("不对不对 刚才那句不是目标 你记错了 预期目标是改造背街小巷35条以上 单条成本不超过35万元 居民满意度90%以上")
    assert _decision(reply)["kind"] == "answer"
    report = await tabled.report()
    assert [(i["name"], i["target"]) for i in report["indicators"]] == before
    goal = report["goals"][0]["expected"]
    assert goal.startswith("改造背街小巷35条以上") and "记错" not in goal


async def test_criteria_in_work_words_and_the_period_said_before_stays(tabled):
    await tabled.reach("project.period_text")
    await tabled.say("2023年1月到12月")
    await tabled.reach(IMPLEMENTATION)
    await tabled.say("4月份开始的 按计划 11月底都干完了")
    report = await tabled.report()
    assert _selected(report, IMPLEMENTATION) == ["按计划开工", "按计划完工"]
    assert report["project"]["period_text"] == "2023年1月至12月"  # the work's months are not the period


async def test_an_earlier_criteria_answer_taken_again_in_the_options_words(tabled):
    await tabled.reach(IMPLEMENTATION)
    await tabled.say("按计划完工")
    assert tabled.asked() == RULES_ITEM
    reply = await tabled.say("怎么把开工弄掉了 开工开展完工三个都要")
    assert _decision(reply)["kind"] == "correction"
    report = await tabled.report()
    assert _selected(report, IMPLEMENTATION) == ["按计划开工", "按计划开展", "按计划完工"]
    assert not [n for n in report["notes"] if "弄掉" in n["text"]]  # nothing filed as report text
    assert tabled.asked() == RULES_ITEM


async def test_an_answer_with_an_earlier_criteria_answer_corrected_inside_it(tabled):
    await tabled.reach(IMPLEMENTATION)
    await tabled.say("按计划开展")
    await tabled.say("制度健全 执行也严格  哦不对 刚才那个项目实施 开工 开展 完工三个都是按计划的 你只记了一个")
    report = await tabled.report()
    assert _selected(report, RULES_ITEM) == ["管理制度健全", "制度执行严格"]
    assert _selected(report, IMPLEMENTATION) == ["按计划开工", "按计划开展", "按计划完工"]


async def test_a_move_asked_for_besides_an_answer_is_made_and_not_filed(tabled):
    await tabled.reach("note.funding_use.management")
    reply = await tabled.say("专款专用 单独建账 按进度拨付 报账要分管领导签字  另外帮我看看还差啥")
    assert "已完成" in reply["text"] and any(c["type"] == "progress" for c in reply["cards"])
    notes = (await tabled.report())["notes"]
    assert [n["text"] for n in notes] == ["专款专用 单独建账 按进度拨付 报账要分管领导签字"]


async def test_an_answer_said_before_a_correction_is_kept_with_it(tabled):
    await tabled.reach("note.performance.results")
    reply = await tabled.say("成效嘛 巷子路面平整了 下雨不积水了 居民出门方便多了  不对 刚才表里那个居民满意度不是96% 应该是95.5%  你改一下")
    report = await tabled.report()
    assert next(i["actual"] for i in report["indicators"] if i["name"] == "居民满意度") == "95.5%"
    notes = [n for n in report["notes"] if n["section"] == "performance"]
    assert len(notes) == 1 and notes[0]["text"].startswith("成效嘛 巷子路面平整了") and "95.5" not in notes[0]["text"]
    assert tabled.asked() != "note.performance.results", reply["text"]


async def test_a_question_about_the_field_asked_is_answered_not_taken_as_its_value(national):
    await national.reach("project.report_date")
    reply = await national.say("报告日期写哪天啊 是交到财政局那天吗")
    assert _decision(reply)["kind"] == "question" and "落款" in reply["text"]
    assert (await national.report())["project"]["report_date"] is None


async def test_budget_figures_said_with_why_in_one_sentence_are_a_paste(national):
    await national.reach("table.funding")
    reply = await national.say("年初预算86万 后来县里压减调减了4万 全年预算82 到位了82 花了77.9，中央40万省级20万县本级22万")
    card = next(c for c in reply["cards"] if c["type"] == "paste")
    total = card["funding"][0]
    assert (total["planned"], total["arrived"], total["spent"]) == ("86", "82", "77.9")


async def test_an_answer_with_the_spent_figure_corrected_after_it(national):
    await national.reach("table.funding")
    await national.say("年初预算86万 全年预算82万 全年执行77.9万")
    await national.say("确认")
    await national.reach("goals.actual")
    reply = await national.say("基本完成了，16个站都提升了，就是群众满意度差一点。 还有刚才执行数打错了 是79.7不是77.9")
    report = await national.report()
    assert report["funding"]["total"]["spent"] == "79.7"
    assert report["goals"][0]["actual"].startswith("基本完成了，16个站都提升了")
    assert "79.7" not in report["goals"][0]["actual"]
    assert not any("%" in line for line in reply["text"].splitlines() if "改为" in line)


async def test_a_goal_said_with_where_it_comes_from_keeps_only_the_goal(national):
    await national.reach("goals.expected")
    await national.say("对 申报的时候是这么写的：完成16个乡镇综合文化站提升改造，开展文化活动200场以上")
    assert (await national.report())["goals"][0]["expected"] == "完成16个乡镇综合文化站提升改造，开展文化活动200场以上"


async def test_still_missing_is_answered_with_what_is_missing(national):
    await national.reach("project.report_date")
    reply = await national.say("这就完了？还差啥不 支出明细要不要贴")
    assert _decision(reply)["kind"] == "question"
    assert "还需要：" in reply["text"] and "报告日期" in reply["text"] and "不单列支出明细" in reply["text"]
    assert not (await national.report())["notes"]


async def test_an_expense_row_deleted_in_words(tabled):
    reply = await tabled.say("哦 删掉监理费那条 那个是别的项目的 财务拷错了")
    assert _decision(reply)["kind"] == "request"
    report = await tabled.report()
    assert [e["content"] for e in report["expenses"]] == ["道路铺装工程款", "排水管网改造工程款", "设计费"]
    assert not report["notes"]


async def test_two_corrections_in_one_message_are_both_made(tabled):
    await tabled.reach("project.period_text")
    await tabled.say("2023年3月到12月")
    await tabled.say("居民满意度那个实际完成值改成95%，还有项目时间是1月到12月 你记成3月了")
    report = await tabled.report()
    assert report["project"]["period_text"] == "2023年1月至12月"
    assert next(i["actual"] for i in report["indicators"] if i["name"] == "居民满意度") == "95%"


async def test_a_question_set_after_a_narrative_answer_is_answered_and_not_filed(tabled):
    await tabled.reach("note.overview.background")
    reply = await tabled.say("巷子都是八九十年代的老路 坑洼积水 区里21年就列进了民生实事 这个要写多详细？")
    assert "写2到4句" in reply["text"]
    notes = (await tabled.report())["notes"]
    assert [n["text"] for n in notes] == ["巷子都是八九十年代的老路 坑洼积水 区里21年就列进了民生实事"]


async def test_a_field_answered_with_a_question_after_it(officer):
    await officer.reach("project.report_date")
    reply = await officer.say("2024年3月12号吧 报告日期是不是一定要写 不填会扣分吗")
    assert (await officer.report())["project"]["report_date"] == "2024-03-12"
    assert "不计分" in reply["text"]


async def test_an_expense_amount_corrected_by_the_wrong_one_said(tabled):
    reply = await tabled.say("监理那笔不是37.16 是36.17")
    assert _decision(reply)["kind"] == "correction"
    report = await tabled.report()
    assert next(e["amount"] for e in report["expenses"] if e["content"] == "监理费") == "36.17"
    assert not report["notes"]


async def test_a_misspelt_name_corrected_inside_a_narrative_answer(tabled):
    await tabled.reach("note.implementation.organization")
    await tabled.say("局里成立了领导小组 施工是公开招标的 中标单位湖南宏远路桥建设有限公司")
    await tabled.reach("note.implementation.process")
    await tabled.say("6月开工 11月完工 12月组织了验收 合格。 不对 刚才那个中标单位名字打错了 是湖南鸿远路桥建设有限公司")
    texts = [n["text"] for n in (await tabled.report())["notes"]]
    assert any("湖南鸿远路桥建设有限公司" in t for t in texts) and not any("宏远" in t for t in texts)
    assert "6月开工 11月完工 12月组织了验收 合格。" in texts and not any("打错" in t for t in texts)


async def test_words_quoted_as_the_draft_shows_them_are_deleted(tabled):
    await tabled.say("先记一下 报告里写：年初计划改造40条 后来压减到37条 市里财力紧张")
    reply = await tabled.say("“年初计划改造40条，后来压减到37条”那句删掉 跟表里重复了")
    assert _decision(reply)["kind"] in ("request", "correction")
    assert [n["text"] for n in (await tabled.report())["notes"]] == ["市里财力紧张"]
    missing = await tabled.say("把“这句话从来没说过”删掉")
    assert "没有找到" in missing["text"]


async def test_undo_never_takes_back_more_than_the_last_change(tabled):
    await tabled.say("先记一下 报告里写：居民自发成立了巷道保洁志愿队")
    await tabled.say("把“志愿队”改成“志愿服务队”")
    await tabled.reach("project.department")
    await tabled.say("某市住房和城乡建设局")  # an answer: the record moves on past the correction
    reply = await tabled.say("撤销")
    report = await tabled.report()
    assert any("志愿服务队" in n["text"] for n in report["notes"]), reply["text"]
    assert report["project"]["department"] == "某市住房和城乡建设局"


async def test_a_funding_row_the_grid_left_out_is_added_and_the_total_kept(tabled):
    reply = await tabled.say("镇级配套那行咋没了 乡镇配套计划50 到位40 用了35 要加上")
    assert "补上" in reply["text"] or any("补上" in (c.get("text") or "") for c in reply["cards"])
    funding = (await tabled.report())["funding"]
    assert (Decimal(funding["total"]["planned"]), Decimal(funding["total"]["arrived"])) == (1200, 1150)  # kept
    town = next(r for r in funding["sources"] if r["source"].startswith("乡镇"))
    assert (town["planned"], town["arrived"], town["spent"]) == ("50", "40", "35")


async def test_a_spent_cell_corrected_by_its_row_and_the_word_paid(tabled):
    await tabled.say("不对 市级那行支付数是702.36 刚才打错了")
    funding = (await tabled.report())["funding"]
    assert next(r["spent"] for r in funding["sources"] if r["source"] == "市财政") == "702.36"
    assert Decimal(funding["total"]["spent"]) == Decimal("1102.36")


async def test_deleting_words_in_a_section_never_deletes_a_table_row(tabled):
    reply = await tabled.say("删掉问题与建议里 把设计费改成… 那条")
    report = await tabled.report()
    assert [e["content"] for e in report["expenses"]] == ["道路铺装工程款", "排水管网改造工程款", "监理费", "设计费"]
    assert len(report["indicators"]) == 6 and _decision(reply)["kind"] == "unclear"


async def test_an_expense_renamed_by_its_whole_name(tabled):
    await tabled.say("把监理费改成工程监理服务费 名字写全一点")
    report = await tabled.report()
    assert [e["content"] for e in report["expenses"]][2] == "工程监理服务费" and not report["notes"]


async def test_an_aside_no_reader_takes_is_kept_with_the_answer(tabled):
    await tabled.reach("note.problems.next")
    await tabled.say("不足是老城区管线复杂 下一步摸清地下管网 另外争取上级资金 再一个排水口还要改造")
    texts = " ".join(n["text"] for n in (await tabled.report())["notes"])
    assert "摸清地下管网" in texts and "排水口还要改造" in texts


async def test_several_quoted_passages_are_all_deleted_also_as_the_draft_shows_them(tabled):
    await tabled.say("先记一下 报告里写：年初计划改造40条 后来压减到37条 区里财力紧张")
    await tabled.say("另外 报告里加一句：居民自发成立了保洁队 就是说大家都很积极")
    await tabled.say("删掉“居民自发成立了保洁队，大家都很积极。”这句 还有“区里财力紧张”也删")
    texts = [n["text"] for n in (await tabled.report())["notes"]]
    assert texts == ["年初计划改造40条 后来压减到37条"]


async def test_answers_with_a_remark_or_a_correction_of_an_earlier_choice(tabled):
    await tabled.reach("score.项目管理/资金管理/资金使用")
    await tabled.say("均无 不对 上面那个到位时效选错了 市级的钱年底才到 应该是不及时但未影响项目进度")
    report = await tabled.report()
    assert _selected(report, "score.项目管理/资金到位/到位时效") == ["不及时但未影响项目进度"]
    assert _selected(report, "score.项目管理/资金管理/资金使用") == []
    assert tabled.asked() != "score.项目管理/资金管理/资金使用"


async def test_a_goal_handed_over_with_a_lead_in_is_the_goal_and_sets_no_period(national):
    await national.reach("goals.expected")
    await national.say("行，目标是全年乡镇综合文化站免费开放 开展文化活动200场以上")
    report = await national.report()
    assert report["goals"][0]["expected"] == "全年乡镇综合文化站免费开放 开展文化活动200场以上"
    assert not report["project"]["period_text"]


async def test_a_value_or_a_family_said_with_gai_cheng_is_never_a_name(tabled):
    await tabled.say("把96%改成95.5%")
    await tabled.say("还有把居民满意度的目标改成≥92% 年初定的是92不是90")
    await tabled.say("把完工时间改成质量指标")
    indicators = {i["name"]: i for i in (await tabled.report())["indicators"]}
    assert indicators["居民满意度"]["actual"] == "95.5%" and indicators["居民满意度"]["target"] == "≥92%"
    assert indicators["完工时间"]["level2"] == "质量指标"


async def test_a_complaint_about_the_waiting_table_is_never_report_text(officer):
    await officer.say("指标\t年初定的\t实际做到\n背街小巷改造条数\t≥35条\t37条")
    reply = await officer.say("目标值咋是空的 年初定的那列就是目标值啊")
    assert _decision(reply)["kind"] == "clarify" and "待确认的表" in reply["text"]
    assert not (await officer.report())["notes"]


async def test_the_forms_that_print_an_address_ask_for_it_and_keep_only_the_address(officer):
    await officer.reach("project.address")
    await officer.say("地址就是城关镇人民路那个住建局大楼 人民路66号")
    await officer.reach("project.postcode")
    await officer.say("邮编是414400")
    project = (await officer.report())["project"]
    assert (project["address"], project["postcode"]) == ("城关镇人民路66号", "414400")


async def test_a_question_typed_above_a_pasted_table_is_answered_and_the_table_read(officer):
    reply = await officer.say("支出明细还要不要？我贴一下\n支出内容\t支出金额\n道路铺装工程款\t655.2\n监理费\t37.16")
    assert "支出明细" in reply["text"] and any(c["type"] == "answer" for c in reply["cards"])
    card = next(c for c in reply["cards"] if c["type"] == "paste")
    assert [e["content"] for e in card["expenses"]] == ["道路铺装工程款", "监理费"]
