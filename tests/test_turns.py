"""Every turn understood (issue 22): the reader's kinds on the labelled corpus of officer turns, and each case
officers ran into, on wordings and figures of our own (not the corpus's)."""
from decimal import Decimal as D

import pytest

from assistant.bench.turn_corpus import TURNS, replay, summarise
from assistant.core.models import (ExpenseLine, Funding, FundingRow, Indicator, Note, ProjectInfo, QualitativeGoal,
                                   Report)
from assistant.core.scoring import ruleset_for_form
from assistant.interview.items import find, items_for
from assistant.interview.spec import interview_spec, turn_words
from assistant.interview.cues import command_of, is_chitchat, is_question
from assistant.interview.decision import TurnContext
from assistant.interview.turns import read_turn
from assistant.service.app import REPO, create_app
from assistant.service.chat import ChatEngine, working_report

from .conftest import DATA
from assistant.storage.drafts import DraftRecord

# what the corpus measures today, as (accuracy, turns filed into the report unasked): batch 1 is the set the reader
# was fixed against (93.3% of 2520, its newest file k written on the hardest phrasings); batches 2–4 were never looked
# at while fixing (86.6% of 269, 88.9% of 225, 86.4% of 220); of batch 5 (82% of 200) only l001–l100 were looked at,
# l101–l200 are held out. A change that reads fewer turns as labelled fails here.
FLOORS = {"batch1": (0.93, 1), "batch2": (0.86, 2), "batch3": (0.88, 1), "batch4": (0.86, 2), "batch5": (0.83, 1), "batch6": (0.87, 1)}


@pytest.mark.parametrize("batch", sorted(FLOORS))
def test_the_labelled_turns_are_read_as_labelled(batch):
    paths = sorted(TURNS.glob(f"{batch}_*.yaml"))
    if not paths:
        pytest.skip(f"no {batch} files in tests/data/turns")
    outcomes = replay(paths)
    summary = summarise(outcomes)
    floor, filed = FLOORS[batch]
    assert summary["turns"] >= 150
    # batches 2 and 3 are held out: their misses are not printed here, so nobody fixes the reader against them
    shown = [(o.id, o.got, o.problems) for o in outcomes if not o.ok][:20] if batch == "batch1" else summary["by_kind"]
    assert summary["accuracy"] >= floor, shown
    assert summary["filed_unasked"] <= filed


def test_every_example_in_the_words_file_reads_as_its_kind():
    words = turn_words()
    for name, command in words.commands.items():
        for example in command.examples:
            assert command_of(example) == name, example
    for example in words.chitchat.examples:
        assert is_chitchat(example), example
    for example in words.questions.examples:
        assert is_question(example), example


def test_a_waiting_table_is_confirmed_in_plain_words_and_the_same_words_answer_otherwise():
    report = _library()
    for said in ("没问题 就这样", "表格对的", "数没错 录进去吧", "对的对的"):
        waiting = read_turn(said, _ctx(None, "national", "table.funding", pending=True))
        assert waiting.command == "confirm", said
    # with nothing waiting, '没问题' to a deduction question is its answer, not a confirmation
    answered = read_turn("没问题", _ctx(report, "yueyang", "score.项目管理/资金管理/资金使用"))
    assert answered.kind == "answer" and answered.report.judgements[-1].selected == []


# ------------------------------------------------------------------------------ one reader, its decisions

def _library() -> Report:
    """A county library's free-opening project on the national form (no such project in the corpus)."""
    return Report(
        project=ProjectInfo(name="2024年石门县公共图书馆免费开放补助", unit="石门县图书馆", department="石门县文化旅游广电局",
                            period_text="2024年1月至12月"),
        funding=Funding(total=FundingRow(source="合计", planned=D("96"), arrived=D("96"), spent=D("91.3")), origin="table"),
        indicators=[
            Indicator(level1="产出指标", level2="数量指标", name="全年接待读者人次", target="≥12万人次", actual="13.4万人次"),
            Indicator(level1="产出指标", level2="质量指标", name="图书外借率", target="≥60%", actual="64%"),
            Indicator(level1="效益指标", level2="经济效益指标", name="带动周边文创消费", target="≥20万元", actual="26万元"),
            Indicator(level1="满意度指标", level2="服务对象满意度指标", name="读者满意度", target="≥92%", actual="86%"),
        ],
        goals=[QualitativeGoal(expected="全年免费接待读者12万人次以上，读者满意度92%以上。",
                               actual="全年接待读者13.4万人次，组织阅读推广活动46场。")],
        notes=[Note(id=1, section="performance", text="全年组织阅读推广活动46场，少儿借阅量增长两成。")])


def _ctx(report: Report | None, form: str, asked_id: str | None, pending: bool = False) -> TurnContext:
    report = report or Report()
    items = items_for(form, report, set())
    return TurnContext(form=form, title=report.project.name or "", report=report, items=items,
                       asked=find(items, asked_id), rules=ruleset_for_form(form),
                       wanted=set(interview_spec().default_project) | {"report_date"}, has_pending=pending)


def test_an_unmet_indicators_reason_is_taken_on_the_first_answer_without_because():
    report = _library()
    decision = read_turn("读者反映开放时间偏短、周末座位不够；下一步延长周末开放到晚上8点",
                         _ctx(report, "national", "reason.indicator.读者满意度"))
    assert decision.kind == "answer" and decision.answered
    assert "周末座位不够" in next(i for i in decision.report.indicators if i.name == "读者满意度").reason
    assert not decision.notes


def test_a_question_back_is_answered_and_nothing_is_recorded():
    report = _library()
    for text in ("满意度没达到会扣几分", "这个原因要写多详细？", "不写原因的话有什么影响"):
        decision = read_turn(text, _ctx(report, "national", "reason.indicator.读者满意度"))
        assert decision.kind == "question" and decision.report is None and decision.reply, text
    assert "2到4句" in read_turn("这个原因要写多详细？", _ctx(report, "national", "reason.indicator.读者满意度")).reply


def test_several_facts_in_one_message_are_all_taken():
    report = Report(project=ProjectInfo(name="2024年石门县公共图书馆免费开放补助"))
    text = "石门县图书馆，主管部门是县文旅广电局，负责人覃晓燕副馆长 电话0736-5322187，项目从2024年2月开始到11月结束"
    decision = read_turn(text, _ctx(report, "yueyang", "project.unit"))
    p = decision.report.project
    assert (p.unit, p.department, p.leader, p.phone, p.period_text) == (
        "石门县图书馆", "石门县文旅广电局", "覃晓燕", "0736-5322187", "2024年2月至11月")
    assert p.period_start == "2024-02" and p.period_end == "2024-11"


def test_a_correction_of_a_figure_changes_every_place_it_appears():
    report = _library()
    report.goals[0].actual = "全年接待读者13.4万人次，组织阅读推广活动46场。"
    decision = read_turn("前面说阅读推广活动46场是错的，是64场", _ctx(report, "national", "goals.actual"))
    assert decision.kind == "correction"
    texts = [n.text for n in decision.report.notes] + [decision.report.goals[0].actual]
    assert all("64场" in t and "46场" not in t for t in texts), texts


def test_a_field_correction_replaces_the_value():
    report = _library()
    decision = read_turn("不对，项目单位要写全称：石门县图书馆（石门县少年儿童图书馆）", _ctx(report, "national", None))
    assert decision.kind == "correction" and decision.report.project.unit == "石门县图书馆（石门县少年儿童图书馆）"


def test_an_amount_with_a_letter_in_it_is_refused_with_one_line():
    decision = read_turn("实际支出9l.3万元", _ctx(_library(), "national", "table.funding"))
    assert decision.kind == "error" and "9l.3" in decision.reply and decision.report is None


def test_an_indicator_added_in_words_has_a_clean_name():
    report = _library()
    report.indicators = [i for i in report.indicators if i.level2 != "经济效益指标"]
    ctx = _ctx(report, "yueyang", "score.项目绩效/项目效果/经济效益")
    decision = read_turn("那就补一条：带动周边文创消费 目标不低于20万元 实际26万元", ctx)
    added = decision.report.indicators[-1]
    assert (added.name, added.target, added.actual) == ("带动周边文创消费", "≥20万元", "26万元")


# ------------------------------------------------------------------------------ through the chat engine

def _record(report: Report | None, form: str, asked: str | None = None, **interview) -> DraftRecord:
    record = DraftRecord(id="t", title="2024年石门县公共图书馆免费开放补助", form=form, created_at="", updated_at="",
                         report=report)
    record.interview = {"asked": asked, "history": [asked] if asked else [], **interview}
    return record


def test_an_indicator_renamed_and_deleted_leaves_no_phantom_row_or_finding():
    from assistant.core.checks import check_report
    from assistant.interview.paste import apply_edits

    report = _library()
    renamed = apply_edits(report, [{"table": "indicators", "row": 2, "col": "name", "value": "带动文创消费额"}])
    assert [i.name for i in renamed.indicators][2] == "带动文创消费额"
    gone = apply_edits(renamed, [{"table": "indicators", "row": 2, "col": "delete"}])
    assert all(i.level2 != "经济效益指标" for i in gone.indicators) and len(gone.indicators) == 3
    blanked = apply_edits(report, [{"table": "indicators", "row": 2, "col": c, "value": ""}
                                   for c in ("name", "target", "actual")])
    assert len(blanked.indicators) == 3
    codes = {f.code for f in check_report(renamed, ruleset_for_form("national")).findings}
    assert not any("economic" in c or "经济" in c for c in codes)
    engine = ChatEngine(repo=None)  # type: ignore[arg-type]
    deleted = engine.answer(_record(report, "yueyang"), "把带动周边文创消费那条删掉")
    assert [i.name for i in deleted.report.indicators] == ["全年接待读者人次", "图书外借率", "读者满意度"]


def test_an_indicator_moved_to_another_family_in_the_card_and_an_edit_kept_when_another_row_is_deleted():
    from assistant.core.parse import ParseError
    from assistant.interview.paste import apply_edits

    report = _library()
    # the column editor sends the unsaved edit of one row together with the delete of another
    edited = apply_edits(report, [{"table": "indicators", "row": 1, "col": "level2", "value": "质量指标"},
                                  {"table": "indicators", "row": 0, "col": "actual", "value": "12.6万人次"},
                                  {"table": "indicators", "row": 2, "col": "delete"}])
    rows = {i.name: i for i in edited.indicators}
    assert (rows["图书外借率"].level1, rows["图书外借率"].level2) == ("产出指标", "质量指标")
    assert rows["全年接待读者人次"].actual == "12.6万人次" and "带动周边文创消费" not in rows
    with pytest.raises(ParseError, match="指标表第2行 二级指标"):
        apply_edits(report, [{"table": "indicators", "row": 1, "col": "level2", "value": "好指标"}])


def test_a_twice_skipped_item_stays_open_and_the_interview_reaches_its_end():
    engine = ChatEngine(repo=None)  # type: ignore[arg-type]
    report = _library()
    record = _record(report, "national", "reason.indicator.读者满意度")
    first = engine.answer(record, "跳过")
    assert "最后再回来问" in first.text
    state = first.interview
    # everything else answered: the skipped item comes back once, at the end
    for item in items_for("national", report, set()):
        if item.id != "reason.indicator.读者满意度" and item.section:
            report.notes.append(Note(id=len(report.notes) + 1, section=item.section, part=item.part, text="已说明。"))
    report.funding.execution_reason = "部分采购合同年底签订，尾款待验收后支付"
    report.goals[0].actual = report.goals[0].actual or "已完成"
    report.project.report_date = "2025-03-10"
    record = _record(report, "national", state["asked"], **{k: v for k, v in state.items() if k not in ("asked", "history")})
    again = engine.with_question(record, engine._skip(find(items_for("national", report, set()), state["asked"]), dict(state)))
    record.interview = again.interview
    assert again.interview["asked"] == "reason.indicator.读者满意度"
    second = engine.answer(record, "先跳过")
    assert "不再问" in second.text
    done = next(c for c in second.cards if c["type"] == "question")
    assert done["item"] is None and "读者满意度未达成原因" in "".join(done["missing"])


def test_a_question_is_not_put_a_third_time_without_an_answer():
    engine = ChatEngine(repo=None)  # type: ignore[arg-type]
    report = _library()
    record = _record(report, "national", "project.report_date", streak=2)
    reply = engine.answer(record, "下周")
    assert reply.interview["asked"] != "project.report_date" and "先放一放" in reply.text


async def test_a_spent_sentence_after_the_grid_keeps_planned_and_arrived(aiohttp_client, tmp_path):
    client = await aiohttp_client(create_app(tmp_path / "data", embedder="fake"))
    draft = (await (await client.post("/api/drafts", json={"title": "2023年凤阳县文化惠民演出", "form": "huainan"})).json())
    draft_id = draft["draft"]["id"]
    grid = "资金来源\t计划投资额\t实际到位资金\n合计\t120万元\t110万元\n省财政\t60万元\t60万元\n县市区财政\t60万元\t50万元"
    first = (await (await client.post(f"/api/drafts/{draft_id}/turns", json={"text": grid})).json())["reply"]
    assert first["cards"][0]["type"] == "paste"
    await client.post(f"/api/drafts/{draft_id}/confirm", json={})
    said = "实际支出104.6万元，其中演出场租31.2万元、演员劳务58.4万元、宣传印刷15万元"
    second = (await (await client.post(f"/api/drafts/{draft_id}/turns", json={"text": said})).json())["reply"]
    card = second["cards"][0]
    assert card["type"] == "paste"
    total = card["funding"][0]
    assert (total["planned"], total["arrived"], total["spent"]) == ("120", "110", "104.6")
    assert [(e["content"], e["amount"]) for e in card["expenses"]] == [
        ("演出场租", "31.2"), ("演员劳务", "58.4"), ("宣传印刷", "15")]


async def test_a_three_column_indicator_table_and_word_headers_are_read(aiohttp_client, tmp_path):
    client = await aiohttp_client(create_app(tmp_path / "data", embedder="fake"))
    draft_id = (await (await client.post("/api/drafts", json={"title": "图书馆", "form": "yueyang"})).json())["draft"]["id"]
    table = "指标名称\t目标值\t实际值\n全年接待读者人次\t≥12万人次\t13.4万人次\n读者满意度\t≥92%\t86%\n图书外借率\t≥60%\t64%"
    card = (await (await client.post(f"/api/drafts/{draft_id}/turns", json={"text": table})).json())["reply"]["cards"][0]
    assert card["type"] == "paste"
    assert [(i["name"], i["target"], i["actual"], i["level2"]) for i in card["indicators"]] == [
        ("全年接待读者人次", "≥12万人次", "13.4万人次", "数量指标"), ("读者满意度", "≥92%", "86%", "服务对象满意度指标"),
        ("图书外借率", "≥60%", "64%", "数量指标")]
    grid = "项目资金\n（万元）\t计划安排\n资金\t实际到位\n资金\t实际支出\n合计\t96\t96\t91.3"
    card = (await (await client.post(f"/api/drafts/{draft_id}/turns", json={"text": grid})).json())["reply"]["cards"][0]
    assert card["funding"][0]["planned"] == "96" and card["funding"][0]["spent"] == "91.3"


async def test_a_new_draft_opens_with_its_first_question(aiohttp_client, tmp_path):
    app = create_app(tmp_path / "data", embedder="fake")
    client = await aiohttp_client(app)
    body = await (await client.post("/api/drafts", json={"title": "2024年石门县公共图书馆免费开放补助", "form": "yueyang"})).json()
    question = next(c for c in body["reply"]["cards"] if c["type"] == "question")
    assert question["item"] == "project.unit"
    turns = app[REPO].turns(body["draft"]["id"])
    assert turns[0]["role"] == "assistant" and "项目单位" in turns[0]["text"]


async def test_a_question_back_offers_both_readings_and_the_choice_is_kept(aiohttp_client, tmp_path):
    app = create_app(tmp_path / "data", embedder="fake")
    client = await aiohttp_client(app)
    draft_id = (await (await client.post("/api/drafts", json={"title": "图书馆", "form": "yueyang"})).json())["draft"]["id"]
    record = app[REPO].get(draft_id)
    app[REPO].set_report(draft_id, _library())
    record = app[REPO].get(draft_id)
    reply = ChatEngine(app[REPO]).answer(record, "哦哦")
    assert reply.cards[-1]["type"] == "question"  # chitchat: the question is put again, nothing filed
    as_note = await client.post(f"/api/drafts/{draft_id}/turns", json={
        "text": "馆里今年新添了两台自助借还机", "answer": {"as": "note", "section": "implementation"}})
    cards = (await as_note.json())["reply"]["cards"]
    assert any(c["type"] == "note" and c["section"] == "implementation" for c in cards)
    notes = working_report(app[REPO].get(draft_id)).notes
    assert notes[-1].text == "馆里今年新添了两台自助借还机"


def test_figures_said_in_a_sentence_merge_with_the_grid():
    from assistant.core.parse import parse_text
    from assistant.core.parse.paste import read_paste
    from assistant.interview.paste import merge_paste

    grid = Report(funding=Funding(total=FundingRow(source="合计", planned=D("120"), arrived=D("110")),
                                  sources=[FundingRow(source="省财政", planned=D("60"), arrived=D("60"))], origin="table"),
                  expenses=[ExpenseLine(content="旧行", amount=D("1"))])
    said = read_paste("到位110万 实际花了104.6万", "yueyang", lambda t, f: parse_text(t, form=f))
    merged = merge_paste(grid, said)
    total = merged.funding.total
    assert (total.planned, total.arrived, total.spent) == (D("120"), D("110"), D("104.6"))
    assert merged.funding.sources[0].planned == D("60")


# ------------------------------------------------------------------ what the officer walks ran into (own wordings)

def test_a_note_can_be_taken_back_and_quoted_words_deleted():
    engine = ChatEngine(repo=None)  # type: ignore[arg-type]
    report = _library()
    record = _record(report, "national", "goals.actual")
    filed = engine.answer(record, "先记一下，报告里要写：馆里今年新添了两台自助借还机")
    assert filed.report.notes[-1].text == "馆里今年新添了两台自助借还机"
    after = _record(filed.report, "national", "goals.actual", undo=filed.interview["undo"])
    undone = engine.answer(after, "撤销")
    assert [n.text for n in undone.report.notes] == [n.text for n in report.notes]
    gone = engine.answer(_record(filed.report, "national", "goals.actual"), "把“两台自助借还机”那句删了")
    assert all("自助借还机" not in n.text for n in gone.report.notes)
    dropped = engine.answer(_record(filed.report, "national", "goals.actual"), "刚才那句不是写进报告的，删掉")
    assert len(dropped.report.notes) == len(report.notes)


def test_a_row_of_the_national_form_is_corrected_by_its_name():
    report = _library()
    report.funding = Funding(total=FundingRow(source="合计", planned=D("116"), arrived=D("126"), spent=D("119.3")),
                             sources=[FundingRow(source="当年财政拨款", planned=D("96"), arrived=D("106"), spent=D("101.3")),
                                      FundingRow(source="上年结转资金", planned=D("20"), arrived=D("20"), spent=D("18"))],
                             origin="table")
    decision = read_turn("上年结转资金那行执行数改成17.5万", _ctx(report, "national", "goals.actual"))
    rows = {r.source: r for r in decision.report.funding.sources}
    assert decision.kind == "correction" and rows["上年结转资金"].spent == D("17.5")
    assert decision.report.funding.total.spent == D("118.8") and rows["当年财政拨款"].spent == D("101.3")
    assert decision.report.indicators == report.indicators and decision.report.goals == report.goals


def test_a_waiting_table_can_be_given_up():
    engine = ChatEngine(repo=None)  # type: ignore[arg-type]
    record = _record(_library(), "national", "goals.actual")
    record.pending = _library()
    reply = engine.answer(record, "取消 这个不要确认")
    assert reply.drop_pending and reply.pending is None


def test_an_indicator_moves_family_and_an_expense_voucher_is_corrected():
    report = _library()
    report.expenses = [ExpenseLine(content="少儿阅览区改造", amount=D("31.2"), voucher="2024年6月3#"),
                       ExpenseLine(content="图书采购", amount=D("60.1"), voucher="2024年9月9#")]
    moved = read_turn("图书外借率 归到可持续影响指标", _ctx(report, "yueyang", None))
    assert next(i for i in moved.report.indicators if i.name == "图书外借率").level2 == "可持续影响指标"
    fixed = read_turn("少儿阅览区改造的凭证号错了 应该是2024年6月13#", _ctx(report, "yueyang", None))
    assert fixed.report.expenses[0].voucher == "2024年6月13#" and fixed.report.expenses[1].voucher == "2024年9月9#"


# ------------------------------------------------------------------------------ from the third officer walks

def test_an_expense_row_renamed_keeps_its_amount_and_the_funding():
    from assistant.core.models import ExpenseLine

    report = _library()
    report.expenses = [ExpenseLine(content=c, amount=D(a)) for c, a in
                       (("图书采购", "60"), ("数字资源购置", "25"), ("读者活动", "20"), ("馆员培训", "5"))]
    before = report.funding.total.model_copy()
    for said in ("支出明细第4行名称改成馆员业务培训", "把“馆员培训”改成“馆员业务培训”", "馆员培训那行名称改成馆员业务培训"):
        decision = read_turn(said, _ctx(report, "yueyang", None))
        rows = [(e.content, e.amount) for e in decision.report.expenses]
        assert rows[-1] == ("馆员业务培训", D("5")), said
        assert decision.report.funding.total == before, said  # the 4 of 第4行 is no amount


def test_a_goal_cell_named_is_the_cell_changed_and_nothing_else():
    report = _library()
    report.goals = [QualitativeGoal(expected="全年免费开放，接待读者12万人次以上。", actual="")]
    filled = read_turn("总体目标完成情况改成：全年免费开放350天，接待读者12.6万人次", _ctx(report, "national", None))
    assert filled.report.goals[0].actual == "全年免费开放350天，接待读者12.6万人次"
    assert filled.report.goals[0].expected == report.goals[0].expected
    assert [i.actual for i in filled.report.indicators] == [i.actual for i in report.indicators]
    kept = read_turn("全年接待读者人次实际完成值改成12.6万人次 总体目标完成情况不要动", _ctx(report, "national", None))
    assert len(kept.report.indicators) == len(report.indicators) and kept.report.goals[0].actual == ""


def test_an_edit_that_finds_nothing_is_said_back_never_filed():
    report = _library()
    for said in ("删掉“跟上个项目一样”这句", "怎么删了！把读者满意度加回来"):
        decision = read_turn(said, _ctx(report, "national", None))
        assert decision.kind == "unclear" and decision.section is None and "没有记入报告" in decision.reply, said


def test_the_last_notes_deleted_in_the_words_officers_use():
    report = _library()
    report.notes = [Note(id=1, section="implementation", text="馆内设立少儿阅览区。"),
                    Note(id=2, section="implementation", text="这个跟上个项目一样"),
                    Note(id=3, section="performance", text="再补充一下")]
    assert len(read_turn("删掉刚才那句", _ctx(report, "yueyang", None)).report.notes) == 2
    assert len(read_turn("刚才记入报告的两句都删了", _ctx(report, "yueyang", None)).report.notes) == 1


def test_same_as_above_and_a_federation_with_its_chairwoman():
    report = Report(project=ProjectInfo(name="2024年寿县残疾人康复救助项目", unit="寿县残疾人联合会"))
    same = read_turn("同上", _ctx(report, "huainan", "project.department"))
    assert same.report.project.department == "寿县残疾人联合会"
    both = read_turn("单位 寿县残联 负责人 王秀英 理事长", _ctx(Report(), "huainan", "project.unit"))
    p = both.report.project
    assert (p.unit, p.leader, p.leader_title) == ("寿县残联", "王秀英", "理事长")


def test_a_complaint_about_a_deduction_is_a_question_and_an_indicator_goes_to_the_family_it_names():
    report = _library()
    asked = "score.项目绩效/项目效果/经济效益"
    complaint = read_turn("不设的话就直接扣8分？这也太多了吧", _ctx(report, "yueyang", asked))
    assert complaint.kind == "question" and not complaint.report
    added = read_turn("社会效益补一条：读者人均借阅量 目标≥2册 实际2.4册", _ctx(report, "yueyang", asked))
    new = added.report.indicators[-1]
    assert (new.name, new.level2) == ("读者人均借阅量", "社会效益指标")
    back = read_turn("那还是加回来吧：数量指标 图书外借册次 目标≥8万册 实际8.6万册", _ctx(report, "yueyang", None))
    names = [i.name for i in back.report.indicators]
    assert names[:len(report.indicators)] == [i.name for i in report.indicators] and names[-1] == "图书外借册次"


def test_a_reason_naming_schools_does_not_change_the_unit():
    report = _library()
    said = "合口镇中学和修梅中心小学 6-7月连续强降雨，工期顺延，质保金21.4万元未到支付期"
    decision = read_turn(said, _ctx(report, "national", "reason.execution"))
    assert decision.report.project.unit == "石门县图书馆"


def test_a_contractor_is_not_the_unit_and_a_post_taken_is_not_a_name():
    report = _library()
    said = "施工和监理都是公开招标 中标单位是湖南路桥建设集团和岳阳通达监理公司"
    decision = read_turn(said, _ctx(report, "yueyang", "note.implementation.process"))
    assert (decision.report or report).project.unit == "石门县图书馆"
    again = read_turn("刚才不是说了吗 成立了领导小组 局长任组长", _ctx(report, "yueyang", "score.项目管理/组织实施/组织机构"))
    assert again.kind == "answer" and again.report.project.leader == report.project.leader
    assert again.report.judgements[-1].selected == ["机构健全、分工明确"]


def test_a_name_corrected_in_an_aside_before_the_answer_is_corrected_and_the_answer_kept():
    report = _library()
    report.project.leader = "王建华"
    said = "对了刚才负责人名字打错了，是王建军不是王建华。执行率的话，还有21.4万元是质保金，今年6月到期支付"
    decision = read_turn(said, _ctx(report, "national", "reason.execution"))
    assert decision.report.project.leader == "王建军"
    assert "质保金" in decision.report.funding.execution_reason and not decision.notes


def test_a_lagging_part_of_the_work_in_an_answer_changes_no_indicator_and_numbers_in_a_reason_no_funding():
    report = _library()
    report.indicators.append(Indicator(level1="产出指标", level2="数量指标", name="远程心电诊断覆盖机构数",
                                       target="18家", actual="15家"))
    for asked, said in (("score.项目管理/组织实施/项目实施", "开工开展都按计划 完工的话远程心电那3家没完"),
                        ("score.项目绩效/项目产出/产出时效", "远程心电那3家拖到明年了 算没如期吧")):
        decision = read_turn(said, _ctx(report, "yueyang", asked))
        ind = next(i for i in (decision.report or report).indicators if i.name == "远程心电诊断覆盖机构数")
        assert (ind.target, ind.actual) == ("18家", "15家"), said
    before = report.funding.total.model_copy()
    for asked, said in (("reason.execution", "结余主要是学生少了150人 伙食补助按实际人数拨付"),
                        (None, "制度都有 执行也严 对了 负责人电话刚才打错了 应该是0736-5322817")):
        decision = read_turn(said, _ctx(report, "national", asked))
        assert (decision.report or report).funding.total == before, said


def test_a_self_correction_inside_one_answer_keeps_what_is_said_last():
    decision = read_turn("凤台县水力局 哦打错了 凤台县水利局", _ctx(Report(), "huainan", "project.unit"))
    assert decision.report.project.unit == "凤台县水利局"
    decision = read_turn("3月15号吧 哦不对 3月18号", _ctx(_library(), "huainan", "project.report_date"))
    assert decision.report.project.report_date.endswith("-03-18")


def test_sources_said_with_their_total_and_a_total_row_under_an_expense_list():
    from assistant.core.parse import parse_text
    from assistant.core.parse.paste import read_paste

    said = "年初预算安排860万 其中中央400万 省级200万 县本级260万 全部到位了 实际支出812.46万"
    r = read_paste(said, "yueyang", lambda t, f: parse_text(t, form=f))
    assert (r.funding.total.planned, r.funding.total.arrived, r.funding.total.spent) == (D("860"), D("860"), D("812.46"))
    assert {s.source: s.arrived for s in r.funding.sources} == {"中央财政": D("400"), "省财政": D("200"),
                                                                 "县市区财政": D("260")}
    pasted = "支出内容\t金额\t凭证号\n工程施工\t1100.5\t2024年10月8#\n工程监理\t241.5\t2024年12月2#\n合  计\t1342\t"
    r = read_paste(pasted, "yueyang", lambda t, f: parse_text(t, form=f))
    assert [e.content for e in r.expenses] == ["工程施工", "工程监理"] and r.expense_total == D("1342")


def test_label_lines_above_a_grid_stay_fields_of_their_own():
    from assistant.core.parse import parse_text
    from assistant.core.parse.paste import read_paste

    pasted = (DATA / "paste_tsv.txt").read_text(encoding="utf-8")
    r = read_paste(pasted, "yueyang", lambda t, f: parse_text(t, form=f))
    assert (r.project.name, r.project.unit) == ("2023年城区背街小巷改造", "某市城市管理局")
    assert r.funding.total.planned == D("1200.00")


@pytest.mark.parametrize("said, field, value", [
    ("负责人不是刘建华了 换成王海军 电话也换成13907301234", "leader", "王海军"),
    ("负责人换成王海军", "leader", "王海军"),
])
def test_a_person_replaced_is_a_correction_never_a_note(said, field, value):
    from assistant.bench.turn_corpus import load_scenes, scene_record

    scenes = load_scenes()
    record = scene_record("forest", "data", "note.performance.results", scenes)
    reply = ChatEngine(repo=None, precedents=None).answer(record, said, {})
    assert reply.decision.kind == "correction" and getattr(reply.report.project, field) == value
    assert len(reply.report.notes) == len(working_report(record).notes)  # nothing filed as report text


def test_a_value_said_wrong_inside_what_it_is_of_is_replaced_alone():
    # '指挥部组长是副县长 不对 是县长': 副县长 is the wrong value; 指挥部 stays
    from assistant.bench.turn_corpus import load_scenes, scene_record

    record = scene_record("forest", "data", "note.performance.results", load_scenes())
    reply = ChatEngine(repo=None, precedents=None).answer(record, "前面说的指挥部组长是副县长 不对 是县长", {})
    texts = [n.text for n in reply.report.notes]
    assert reply.decision.kind == "correction" and any("以分管县长为组长的森林防火指挥部" in t for t in texts), texts
