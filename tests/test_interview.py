"""The interview: which questions a form needs, reading answers in words, routing notes, pastes."""
from decimal import Decimal

import pytest

from assistant.core.models import Indicator, Note, Report
from assistant.core.parse import parse_text
from assistant.core.scoring import ruleset_for_form
from assistant.interview.answers import apply_answer, indicator_line, project_statements
from assistant.interview.items import find, items_for, next_item, progress
from assistant.interview.notes import route_note
from assistant.interview.paste import apply_edits, carry_answers, merge_paste, paste_card

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
