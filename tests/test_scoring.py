from decimal import Decimal

import pytest

from assistant.core.checks import check_report
from assistant.core import check_file
from assistant.core.models import ClaimedScore
from assistant.core.parse import read_report
from assistant.core.scoring import RuleSetError, load_ruleset, score_report

from .conftest import DATA, SEEDS

D = Decimal


def test_builtin_rulesets_add_up_to_100():
    y = load_ruleset("yueyang_3_2")
    assert len(y.items) == 22 and sum(i.weight for i in y.items) == 100
    n = load_ruleset("national_2020_10")
    assert n.items[0].weight == 10 and n.indicator_scoring.total == 90
    assert [g.name for g in y.grades] == ["优", "良", "中", "差"]


def test_refined_unit_table_loads_and_scores():
    rules = load_ruleset(DATA / "refined_rules.yaml")
    report = read_report(SEEDS["000"])
    # the unit's own table: 到位率 4, 可持续影响 4 and a new 信息安全 item
    scores = {c.path[-1]: c for c in report.claimed_scores}
    scores["到位率"].weight = D(4)
    scores["可持续影响"].weight, scores["可持续影响"].claimed = D(4), D(4)
    report.claimed_scores.append(ClaimedScore(path=["项目绩效", "项目效果", "信息安全"], weight=D(4), claimed=D(3)))
    result = check_report(report, rules)
    items = {i.path[-1]: i for i in result.score.items}
    assert items["到位率"].computed == D("3.62")  # 4 × 90.5625%
    assert items["信息安全"].computed == D(3) and items["信息安全"].basis == "judgement"
    codes = [f.code for f in result.findings]
    assert "score.item_off_rule" in codes  # 3 is not one of 4/2/0
    assert "score.weight_mismatch" in codes  # 到位时效 still printed as 2 in the table


def test_ruleset_errors_are_one_line(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: x\ntitle: t\ngrades: []\nitems:\n  - path: [a]\n    weight: 100\n    rule: {kind: magic}\n",
                   encoding="utf-8")
    with pytest.raises(RuleSetError, match="items.0.rule.kind"):
        load_ruleset(bad)
    with pytest.raises(RuleSetError, match="找不到"):
        load_ruleset(tmp_path / "none.yaml")


def test_judgement_items_keep_claimed_and_say_so():
    r = check_file(SEEDS["000"])
    item = next(i for i in r.score.items if i.path[-1] == "决策依据")
    assert item.computed == item.claimed == D(4) and "保留自评分" in item.reason


def test_empty_family_keeps_claimed_with_reason():
    r = check_file(SEEDS["003"])
    item = next(i for i in r.score.items if i.path[-1] == "服务对象满意度")
    assert item.computed == D(8) and "未设满意度指标" in item.reason


def test_satisfaction_tiers():
    rules = load_ruleset("yueyang_3_2")
    report = read_report(SEEDS["002"])
    sat = next(i for i in report.indicators if i.level2.startswith("服务对象"))
    for actual, expected in (("95%", 8), ("85%", 6), ("70%", 4), ("65%", 2), ("50%", 0)):
        sat.actual = actual
        item = next(i for i in score_report(report, rules).items if i.path[-1] == "服务对象满意度")
        assert item.computed == D(expected), actual


def test_national_default_split_when_table_has_no_weights():
    rules = load_ruleset("national_2020_10")
    report = read_report(DATA / "national_space_yuan.txt")
    for ind in report.indicators:
        ind.weight = None
    items = {i.path[-1]: i for i in score_report(report, rules).items}
    assert items["服务老人人数"].weight == D(25)  # 产出 50 shared by two indicators
    assert items["居家养老服务覆盖面"].weight == D(30)
    assert items["服务对象满意度"].weight == D(10)
