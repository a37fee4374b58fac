"""The interview: which questions a form needs, reading answers in words, routing notes, pastes."""
from decimal import Decimal

import pytest

from assistant.core.models import Indicator, Note, Report
from assistant.core.parse import parse_text
from assistant.core.scoring import ruleset_for_form
from assistant.interview.answers import apply_answer, indicator_line, project_statements
from assistant.interview.items import find, items_for, next_item, progress
from assistant.interview.notes import route_note
from assistant.interview.paste import apply_edits, carry_answers, looks_like_paste, merge_paste, paste_card

from .conftest import DATA

D = Decimal
RULES = ruleset_for_form("yueyang")
ROAD = DATA / "conversations" / "road_tables.tsv"


def _item(form, suffix, report=None):
    return next(i for i in items_for(form, report or Report()) if i.id.endswith(suffix))


def test_a_yueyang_report_needs_project_data_goals_judgements_and_narrative():
    items = items_for("yueyang", Report())
    groups = [i.group for i in items]
    assert groups.index("项目信息") < groups.index("数据") < groups.index("评分") < groups.index("叙述")
    judgements = [i for i in items if i.group == "评分"]
    assert len(judgements) == 12  # 11 judgement items and 资金使用's deductions: the rest is computed
    assert _item("yueyang", "目标内容").options == ["设有绩效目标", "目标明确", "目标细化", "目标量化"]
    assert _item("yueyang", "到位时效").kind == "choice"
    assert progress(items) == {"done": 0, "total": len(items)}
    national = [i.id for i in items_for("national", Report())]
    assert "table.expenses" not in national and not any(i.startswith("score.") for i in national)


def test_answered_items_are_not_asked_again_and_shortfalls_add_reasons():
    report = parse_text(ROAD.read_text(encoding="utf-8"), form="yueyang")
    report.project.name, report.project.unit = "华容县2023年农村公路养护项目", "华容县交通运输局"
    items = items_for("yueyang", report)
    assert find(items, "project.unit").done and find(items, "table.funding").done
    assert next_item(items).id == "project.department"
    reasons = [i.id for i in items if i.group == "偏差原因"]
    assert reasons == ["reason.execution", "reason.indicator.危桥改造数量"]  # 95.04%, 10 of 12 bridges
    # families the table does not set are asked for: 生态效益 and 可持续影响
    assert {i.label for i in items if i.kind == "indicator"} == {"环境效益", "可持续影响"}
    assert next_item(items, skipped=["project.department"]).id == "project.leader"


@pytest.mark.parametrize("text, picked", [
    ("都符合", ["设有绩效目标", "目标明确", "目标细化", "目标量化"]),
    ("都符合，但没有量化", ["设有绩效目标", "目标明确", "目标细化"]),
    ("目标明确、细化，没有量化", ["目标明确", "目标细化"]),
    ("均不符合", []),
])
def test_criteria_met_are_read_from_words(text, picked):
    applied = apply_answer(_item("yueyang", "目标内容"), Report(), text, rules=RULES)
    assert applied.report.judgements[0].selected == picked


@pytest.mark.parametrize("text, choice", [
    ("及时到位", "及时到位"), ("不及时，但没影响进度", "不及时但未影响项目进度"),
    ("不及时，影响了进度", "不及时并影响了项目进度"),
])
def test_a_choice_is_the_longest_word_said_not_negated(text, choice):
    applied = apply_answer(_item("yueyang", "到位时效"), Report(), text, rules=RULES)
    assert applied.report.judgements[0].selected == [choice]


def test_a_word_that_carries_its_own_negation_is_not_read_as_negated():
    applied = apply_answer(_item("yueyang", "决策程序"), Report(), "符合申报条件，履行了申报批复程序，没有调整",
                           rules=RULES)
    assert applied.report.judgements[0].selected == ["符合申报条件", "履行了申报批复程序", "调整履行了相应手续（或未调整）"]


def test_what_does_not_answer_a_question_is_not_taken_as_its_answer():
    assert apply_answer(_item("yueyang", "目标内容"), Report(), "你好", rules=RULES) is None
    unit = _item("yueyang", "project.unit")
    assert apply_answer(unit, Report(), "我们成立了领导小组，组长是局长") is None
    assert apply_answer(unit, Report(), "好的") is None
    assert apply_answer(unit, Report(), "华容县交通运输局").report.project.unit == "华容县交通运输局"
    long_note = "项目实施过程中，我们按计划开工建设。每月召开一次调度会，及时解决实施中遇到的问题。"
    assert apply_answer(_item("yueyang", "项目实施"), Report(), long_note, rules=RULES) is None


def test_a_deduction_question_answered_none_keeps_full_marks():
    applied = apply_answer(_item("yueyang", "资金使用"), Report(), "没有", rules=RULES)
    assert applied.report.judgements[0].selected == []


def test_project_fields_stated_in_a_sentence():
    assert project_statements("项目单位是华容县交通运输局，负责人李明，电话0730-4212345，起止时间2023年1月至12月") == {
        "unit": "华容县交通运输局", "leader": "李明", "phone": "0730-4212345", "period_text": "2023年1月至12月"}
    assert project_statements("项目单位高度重视，成立了领导小组") == {}
    assert project_statements("实施单位是某县公共就业服务中心，主管部门是某县人力资源和社会保障局") == {
        "unit": "某县公共就业服务中心", "department": "某县人力资源和社会保障局"}


def test_a_missing_family_can_be_typed_as_an_indicator_line():
    ind = indicator_line("路域绿化率 目标60% 实际65%", "生态效益")
    assert (ind.level1, ind.level2, ind.name, ind.target, ind.actual) == ("效益指标", "生态效益指标", "路域绿化率",
                                                                          "60%", "65%")


@pytest.mark.parametrize("text, where", [
    ("我们今年成立了由局长任组长的养护工作领导小组，制定了养护考核办法，每月巡查两次。", ("implementation", "organization")),
    ("路面修补通过公开招标确定施工单位，委托第三方监理，年底组织交工验收。", ("implementation", "process")),
    ("通过养护，沿线群众满意度明显提升，带动了农产品销售。", ("performance", "results")),
    ("下一步将加大投入，完善长效机制。", ("problems", "next")),
    ("资金实行专账核算，按进度拨付。", ("funding_use", "management")),
])
def test_a_statement_goes_to_the_section_whose_words_it_uses(text, where):
    assert route_note(text, "yueyang") == where


def test_an_answer_to_a_prompt_stays_in_the_section_asked_about():
    asked = _item("yueyang", "note.overview.background")
    text = "全县农村公路总里程1236公里，本项目对县乡村道开展日常养护，改善群众出行条件。"
    assert route_note(text, "yueyang", asked) == ("overview", "background")
    assert route_note(text, "yueyang")[0] != "implementation"


def test_a_paste_card_shows_what_this_paste_added():
    text = ROAD.read_text(encoding="utf-8")
    funding_only = text.split("\n\n")[0]
    indicators_only = text.split("\n\n")[2]
    confirmed = merge_paste(None, parse_text(funding_only, form="yueyang"))
    second = parse_text(indicators_only, form="yueyang")
    card = paste_card(merge_paste(confirmed, second), {"indicators"})
    assert card["funding"] == [] and card["kept"] == ["funding"] and len(card["indicators"]) == 8
    assert not any("资金" in w for w in card["warnings"])  # no 未找到资金数据 after funding was confirmed
    directions = {i["name"]: i["direction"] for i in card["indicators"]}
    assert directions["群众出行时间缩短"] == "升" and directions["每公里日常养护成本"] == "降"


def test_the_officer_flips_an_indicators_direction_on_the_card():
    report = parse_text(ROAD.read_text(encoding="utf-8"), form="yueyang")
    row = next(k for k, i in enumerate(report.indicators) if i.name == "群众出行时间缩短")
    fixed = apply_edits(report, [{"table": "indicators", "row": row, "col": "direction", "value": "降"}])
    assert fixed.indicators[row].direction == "lower"
    with pytest.raises(Exception, match="升"):
        apply_edits(report, [{"table": "indicators", "row": row, "col": "direction", "value": "横"}])


def test_answers_given_while_a_paste_waits_are_kept_when_it_is_confirmed():
    current = Report()
    current.project.leader = "李明"
    current.notes = [Note(id=1, section="implementation", text="每月巡查两次")]
    pasted = parse_text(ROAD.read_text(encoding="utf-8"), form="yueyang")
    kept = carry_answers(current, pasted)
    assert kept.project.leader == "李明" and kept.notes == current.notes and kept.expenses


def test_a_reduction_indicator_with_a_larger_actual_costs_no_points():
    from assistant.core.checks import check_report

    report = parse_text(ROAD.read_text(encoding="utf-8"), form="yueyang")
    report.indicators = [i for i in report.indicators if i.level2 != "社会效益指标"]
    report.indicators.append(Indicator(level1="效益指标", level2="社会效益指标", name="群众出行时间缩短", target="10%",
                                       actual="12%"))
    items = {i.path[-1]: i for i in check_report(report, RULES).score.items}
    assert items["社会效益"].computed == D(8)
    report.indicators[-1].actual = "8%"
    items = {i.path[-1]: i for i in check_report(report, RULES).score.items}
    assert items["社会效益"].computed == D("6.4") and "80%" in items["社会效益"].reason


@pytest.mark.parametrize("text, choice", [("是的", "机构健全、分工明确"), ("不是", "机构不健全或分工不明确"),
                                          ("否", "机构不健全或分工不明确")])
def test_yes_or_no_to_a_yes_or_no_question(text, choice):
    applied = apply_answer(_item("yueyang", "组织机构"), Report(), text, rules=RULES)
    assert applied.report.judgements[0].selected == [choice]


def test_a_form_without_a_score_table_asks_for_the_units_own_grade():
    item = _item("huainan", "claimed.grade")
    assert item.options == ["优", "良", "中", "差"]
    assert apply_answer(item, Report(), "良好").report.claimed_grade == "良"
    assert not any(i.id == "claimed.grade" for i in items_for("yueyang", Report()))


# What an officer walking the interview without a script ran into (each once misread or lost).

def test_a_name_and_a_phone_given_for_the_leader():
    applied = apply_answer(_item("yueyang", "project.leader"), Report(), "李红梅 电化0730-4821356")
    assert (applied.report.project.leader, applied.report.project.phone) == ("李红梅", "0730-4821356")


def test_the_unit_named_inside_a_sentence_is_recorded_and_the_sentence_kept_as_a_note():
    applied = apply_answer(_item("yueyang", "project.unit"), Report(), "是我们县卫生健康局牵头，具体由各乡镇卫生院实施。")
    assert applied.report.project.unit == "县卫生健康局" and applied.note_too
    assert project_statements("主要负责…主管部门就是县卫健局") == {"department": "县卫生健康局"}  # the abbreviation written out


def test_talk_about_the_talk_is_not_a_note():
    from assistant.interview.answers import is_chitchat

    assert is_chitchat("前面说过了，就是先考核后拨付那个") and is_chitchat("刚才说过了，人均补助标准89元")
    assert not is_chitchat("推行先考核后拨付，考核结果与资金挂钩")


def test_the_grade_said_in_words():
    item = _item("huainan", "claimed.grade")
    assert apply_answer(item, Report(), "应该是优吧").report.claimed_grade == "优"
    assert apply_answer(_item("huainan", "claimed.total"), Report(), "大概92分").report.claimed_total == D(92)


@pytest.mark.parametrize("suffix, text, picked", [
    ("决策程序", "符合申报条件，履行了申报批复程序，中途没调整", ["符合申报条件", "履行了申报批复程序", "调整履行了相应手续（或未调整）"]),
    ("项目实施", "基本按计划推进，全年工作都完成了", ["按计划开工", "按计划开展", "按计划完工"]),
    ("到位时效", "县级配套到位晚了点，没有影响工作开展", ["不及时但未影响项目进度"]),
])
def test_answers_in_an_officers_own_words(suffix, text, picked):
    assert apply_answer(_item("yueyang", suffix), Report(), text, rules=RULES).report.judgements[0].selected == picked


def test_a_reason_gives_a_cause_and_a_direction_said_in_words_flips_the_indicator():
    report = Report(indicators=[Indicator(level1="产出指标", level2="质量指标", name="居民健康档案错误率", target="3%",
                                          actual="3.6%")])
    item = next(i for i in items_for("yueyang", report) if i.indicator == "居民健康档案错误率")
    assert apply_answer(item, report, "今年我们还开展了健康素养进村入户活动，群众参与度很高。") is None
    flipped = apply_answer(item, report, "这个指标是越低越好的")
    assert flipped.report.indicators[0].direction == "lower" and "越低越好" in flipped.said
    assert apply_answer(item, report, "因系统迁移部分档案重复录入").report.indicators[0].reason


def test_error_rates_are_less_is_better():
    from assistant.core import calc

    c = calc.completion(Indicator(level2="质量指标", name="居民健康档案错误率", target="3%", actual="2.1%"))
    assert c.lower_is_better and c.met


def test_a_statement_that_opens_with_its_sections_word_goes_there():
    assert route_note("我们的经验是推行“先考核后拨付”，考核结果与资金拨付挂钩。", "yueyang")[0] == "experience"


def test_an_indicator_typed_in_words_survives_a_later_paste():
    report = parse_text(ROAD.read_text(encoding="utf-8"), form="yueyang")
    item = next(i for i in items_for("yueyang", report) if i.label == "环境效益")
    typed = apply_answer(item, report, "路域绿化率 目标60% 实际65%", rules=RULES).report
    again = merge_paste(typed, parse_text(ROAD.read_text(encoding="utf-8").split("\n\n")[2], form="yueyang"))
    assert "路域绿化率" in [i.name for i in again.indicators] and len(again.indicators) == 9


def test_counts_in_wan_and_months_without_a_year_are_facts():
    from assistant.compose.facts import admit_text
    from assistant.compose.numberlock import Facts, lock_numbers

    facts = Facts()
    admit_text(facts, "我县常住人口约52.3万人，老年人健康管理3.8万人，全年，1月到12月")
    assert lock_numbers("常住人口约52.3万人，管理3.8万人，1月到12月", facts).unverified == []
    assert lock_numbers("共53万人", facts).unverified == ["53万人"]


def test_notes_on_a_section_drawn_from_another_kinds_template_are_written_there():
    """Huainan's 项目执行情况 is an implementation section rendered by the performance template."""
    from assistant.compose import compose_draft
    from assistant.core.checks import check_report

    report = parse_text(ROAD.read_text(encoding="utf-8"), form="huainan")
    report.project.form = "huainan"
    report.notes = [Note(id=1, section="implementation", text="成立了由分管副县长任组长的领导小组")]
    draft = compose_draft(check_report(report, None), form="huainan")
    assert "分管副县长任组长" in draft.section("implementation").text


def test_a_word_table_copied_cell_by_cell_is_a_paste_and_is_read():
    text = (DATA / "word_cells_expenses.txt").read_text(encoding="utf-8")
    assert looks_like_paste(text) and not looks_like_paste("我们今年成立了领导小组。\n金额不大但效果好。")
    report = parse_text(text, form="yueyang")
    assert [(e.content, e.amount) for e in report.expenses] == [("土地平整工程", D("812.4")), ("灌溉与排水工程", D(640)),
                                                                 ("田间道路工程", D("398.2"))]


def test_a_correction_of_another_field_is_not_taken_as_the_field_asked():
    leader = _item("yueyang", "project.leader")
    assert apply_answer(leader, Report(), "不对，主管部门应该是县农业农村局") is None
    assert project_statements("不对，主管部门应该是县农业农村局") == {"department": "县农业农村局"}
    assert apply_answer(leader, Report(), "就是区城管局") is None
    period = _item("yueyang", "project.period_text")
    assert apply_answer(period, Report(), "投诉件数是越少越好，32件比目标50件少") is None
    phone = apply_answer(_item("yueyang", "project.phone"), Report(), "0730-6223817 手机13907301234")
    assert phone.report.project.phone == "0730-6223817、13907301234"


def test_an_indicator_named_with_its_direction_is_turned_round():
    from assistant.interview.answers import flip_direction

    report = Report(indicators=[Indicator(level2="社会效益指标", name="垃圾清运满意回访次数", target="50次", actual="32次")])
    flipped = flip_direction(report, "垃圾清运满意回访次数是越少越好")
    assert flipped.report.indicators[0].direction == "lower"
    assert flip_direction(report, "越少越好") is None  # which indicator? none named


def test_partial_and_late_answers_in_words():
    goal = apply_answer(_item("yueyang", "目标内容"), Report(), "明确和细化了，量化还不够", rules=RULES)
    assert goal.report.judgements[0].selected == ["目标明确", "目标细化"]
    late = apply_answer(_item("yueyang", "到位时效"), Report(), "县级配套晚了几个月，但没耽误施工", rules=RULES)
    assert late.report.judgements[0].selected == ["不及时但未影响项目进度"]
    started_late = apply_answer(_item("yueyang", "项目实施"), Report(), "开工晚了半个月，后面按计划推进，按期完工",
                                rules=RULES)
    assert "按计划开工" not in started_late.report.judgements[0].selected
    none = apply_answer(_item("yueyang", "资金使用"), Report(), "这些情况都没有", rules=RULES)
    assert none.report.judgements[0].selected == []


def test_budget_talk_is_not_the_annual_goal():
    goal = _item("national", "goals.expected")
    assert apply_answer(goal, Report(), "年中省里追加了45万元，用于乡镇文化站设备") is None
    assert apply_answer(goal, Report(), "完成全县18个乡镇综合文化站免费开放").report.goals[0].expected


def test_the_national_form_asks_why_its_budget_changed():
    from assistant.core.models import Funding, FundingRow

    report = Report(funding=Funding(total=FundingRow(source="合计", planned=D(320), arrived=D(365), spent=D(350)),
                                    origin="table"))
    item = next(i for i in items_for("national", report) if i.id == "reason.adjustment")
    assert "追加45万元" in item.ask
    assert apply_answer(item, report, "年中省里追加了45万元用于乡镇文化站设备").report.funding.adjustment_reason


def test_a_length_said_as_correct_is_never_an_expense_amount():
    # '隔离带…应该是35公里' once set the expense row 防火隔离带建设 from 58.3 to 35万元: a confirmed amount replaced
    from assistant.bench.turn_corpus import load_scenes, scene_report
    from assistant.interview.expense_edits import edit_expense

    report = scene_report(load_scenes()["forest"], "data")
    said = "目标那里写的隔离带30公里以上 应该是35公里 当时批复改过的 指标目标值也一起改成≥35公里"
    assert edit_expense(report, said) is None
    change = edit_expense(report, "防火隔离带建设应该是58.8")  # a bare figure with no other unit is still an amount
    assert change is not None and next(e for e in change.report.expenses if e.content == "防火隔离带建设").amount == D("58.8")


def test_a_correction_of_the_actual_value_leaves_an_equal_target_alone():
    # target 3座 and actual 3座: '前面水厂填的3座 其实改造了4座 … 实际值改成4座' is the actual only
    from assistant.bench.turn_corpus import load_scenes, scene_report
    from assistant.interview.corrections import correct_figure

    report = scene_report(load_scenes()["water"], "data")
    change = correct_figure(report, "前面水厂填的3座 其实改造了4座 有一座是后来追加的 实际值改成4座 然后验收是11月底县里组织的")
    row = next(i for i in change.report.indicators if i.name == "改造提升水厂数量")
    assert (row.target, row.actual) == ("3座", "4座")


def test_a_part_said_in_passing_is_still_asked_and_nothing_more_keeps_what_was_said():
    # '趁暑假集中施工' said unasked says nothing of 采购 or 验收: the part's question is put, naming what was said;
    # '没有了' makes the aside the answer, and nothing is filed twice
    from assistant.interview.decision import TurnContext
    from assistant.interview.turns import read_turn

    report = Report(notes=[Note(id=1, section="implementation", part="process", text="趁暑假集中施工，8月底前完工",
                                unasked=True)])
    item = _item("yueyang", "note.implementation.process", report)
    assert not item.done and "已记下您顺带说的" in item.ask
    ctx = TurnContext(form="yueyang", title="", report=report, items=items_for("yueyang", report), asked=item,
                      rules=ruleset_for_form("yueyang"), wanted=set())
    decided = read_turn("没有了 前面都说了", ctx)
    assert decided.kind == "answer" and decided.answered and [n.unasked for n in decided.report.notes] == [False]
    assert _item("yueyang", "note.implementation.process", decided.report).done


@pytest.mark.parametrize("paste, want", [
    # the officer's own header words (knowledge/columns.yaml): 一级/二级, 年度目标, 完成情况
    ("一级\t二级\t指标名称\t年度目标\t完成情况\n产出指标\t数量指标\t新增图书册数\t≥30000册\t32600册\n"
     "效益指标\t社会效益\t年借阅人次\t≥5万人次\t4.2万人次",
     [("数量指标", "新增图书册数", "≥30000册", "32600册"), ("社会效益", "年借阅人次", "≥5万人次", "4.2万人次")]),
    # a 类别 column says the family; the name does not have to
    ("类别\t指标\t年度目标\t实际完成\n质量指标\t城区路灯亮灯率\t≥98%\t98.6%\n数量指标\t钠灯换LED\t1200盏\t1080盏",
     [("质量指标", "城区路灯亮灯率", "≥98%", "98.6%"), ("数量指标", "钠灯换LED", "1200盏", "1080盏")]),
    ("二级指标\t指标\t目标值\t实际完成\n时效指标\t故障修复时限\t≤24小时\t18小时",
     [("时效指标", "故障修复时限", "≤24小时", "18小时")]),
])
def test_indicator_tables_under_the_officers_own_headers(paste, want):
    report = _pasted(paste)
    assert [(i.level2, i.name, i.target, i.actual) for i in report.indicators] == want
    assert not any("没有一级、二级指标列" in w.message for w in report.warnings)


def _pasted(text: str) -> Report:
    from assistant.core.parse.paste import read_paste
    return read_paste(text, "yueyang", lambda t, f: parse_text(t, form=f))


def test_expense_and_funding_tables_under_the_officers_own_headers():
    expenses = _pasted("项目\t金额（万元）\t凭证号\t说明\n图书采购\t32.5\t2024年5月12#\t政府采购\n管理员培训\t3.2\t2024年9月3#\t")
    assert [(e.content, e.amount, e.voucher) for e in expenses.expenses] == [
        ("图书采购", D("32.5"), "2024年5月12#"), ("管理员培训", D("3.2"), "2024年9月3#")]
    funding = _pasted("来源\t年初安排\t到位\t已支出\n县财政\t200\t200\t198.6\n局自筹\t60\t45\t40\n合计\t260\t245\t238.6")
    total = funding.funding.total
    assert (total.planned, total.arrived, total.spent) == (D("260"), D("245"), D("238.6"))
    # '项目 | 预算数 | 实际支出' is a funding grid, never an expense list
    grid = _pasted("项目\t预算数\t实际支出\n合计\t100\t96.5")
    assert not grid.expenses and grid.funding.total.spent == D("96.5")


def test_an_expense_list_with_budget_and_paid_columns_is_no_indicator_table():
    listed = _pasted("项目\t预算数\t实际支付\t凭证号\n河道保洁外包服务\t190\t188.6\t2024年12月20#\n水质监测\t35\t23.1\t2024年11月5#")
    assert [(e.content, e.amount) for e in listed.expenses] == [("河道保洁外包服务", D("188.6")), ("水质监测", D("23.1"))]
    assert not listed.indicators


def test_an_indicator_table_with_its_points_and_the_units_own_scores():
    table = _pasted("类型\t指标\t年初定的\t实际做到\t分\t自评分\t备注\n数量指标\t居民电子健康档案建档率\t≥90%\t92.1%\t15\t15\t\n"
                    "效益指标\t65岁以上老年人健康管理率\t≥70%\t66.8%\t10\t8\t体检参与率低")
    assert [(i.level1, i.level2, i.target, i.actual, i.weight, i.claimed) for i in table.indicators] == [
        ("产出指标", "数量指标", "≥90%", "92.1%", D("15"), D("15")),
        ("效益指标", "社会效益指标", "≥70%", "66.8%", D("10"), D("8"))]
