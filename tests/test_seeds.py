"""The four Yueyang-form seeds and the Huainan seed, parsed exactly."""
from decimal import Decimal

import pytest

from assistant.core.parse import read_report

from .conftest import SEEDS

D = Decimal
YUEYANG_ITEMS = ["目标内容", "决策依据", "决策程序", "分配办法", "分配结果", "到位率", "到位时效", "资金使用",
                 "财务管理", "组织机构", "支撑条件", "项目实施", "管理制度", "产出数量", "产出质量", "产出时效",
                 "产出成本", "经济效益", "社会效益", "环境效益", "可持续影响", "服务对象满意度"]
WEIGHTS = [4, 4, 4, 3, 5, 3, 2, 7, 3, 1, 1, 3, 5, 5, 4, 3, 3, 8, 8, 8, 8, 8]

EXPECTED = {
    "000": dict(
        name="岳阳市政府门户网站集约化平台提质改造", unit="岳阳市政务服务中心",
        total=("320", "289.8", "144.9", "144.9"), city=("320", "289.8", "144.9", "144.9"), city_source="市财政",
        expenses=[("支付集约化平台提质改造项目初验", "144.9", "2021年2月11#")], expense_total="144.9",
        claimed=[4, 4, 4, 3, 5, 3, 2, 7, 3, 1, 1, 3, 5, 5, 4, 2, 3, 7, 8, 8, 8, 8], total_score="98",
        grade="优秀", report_date="2021-06-08",
        indicators=[("数量指标", "站点数量", "45", "45"), ("质量指标", "IPV6改造", "完成", "已完成"),
                    ("质量指标", "防护体系", "完成", "已完成"), ("时效指标", "1年之内完成建设", "1年", "已完成"),
                    ("成本指标", "建设成本不超过300万", "289.8万", "已完成"),
                    ("成本指标", "运维成本节约100万", "100万", "已完成"), ("经济效益指标", "无", "", ""),
                    ("社会效益指标", "企业群众互动水平提高30%", "30%", "已完成"), ("生态效益指标", "无", "", ""),
                    ("服务对象满意度指标", "99.9%", "99.9%", "已完成")]),
    "001": dict(
        name="电子政务外网平台建设二期", unit="华容县行政审批服务局",
        total=("437.7", "437.7", "437.7", "0"), city=("437.7", "437.7", "437.7", "0"), city_source="县市区财政",
        expenses=[("工程监理费", "12.6", "2020年8月5#、6#"), ("电信服务费", "29.5", "2020年8月7#、8#"),
                  ("网络设备款", "167.9", "2020年8月9#"), ("机房建设工程款", "80", "2020年9月7#"),
                  ("电信服务费", "20.24", "2020年9月8#"), ("平台建设工程款", "70", "2020年10月1#"),
                  ("平台建设工程款", "39.5", "2020年11月16#"), ("电信服务费", "17.96", "2020年12月28#")],
        expense_total="437.7",
        claimed=[4, 4, 4, 3, 5, 3, 1, 7, 2, 1, 1, 3, 5, 5, 4, 3, 3, 8, 8, 8, 8, 8], total_score="98",
        grade="优", report_date="2021-07-28",
        indicators=[("数量指标", "目标完成率", "100", "100"), ("质量指标", "目标完成质量效果", "100", "100"),
                    ("时效指标", "预定目标完成率", "100", "100"), ("成本指标", "绩效目标成本控制", "100", "100"),
                    ("经济效益指标", "对区域经济的效益影响", "100", "100"), ("社会效益指标", "社会综合效益", "100", "100"),
                    ("生态效益指标", "可持续性影响", "100", "100"), ("服务对象满意度指标", "满意度", "100", "100")]),
    "002": dict(
        name="电子政务云平台租赁及维护项目", unit="岳阳市政务服务中心",
        total=("152", "152", "42", "110"), city=("152", "152", "42", "110"), city_source="市财政",
        expenses=[("云平台运行维护", "42", "2019年6月4号")], expense_total="42",
        claimed=[4, 4, 4, 3, 3, 3, 2, 7, 3, 1, 1, 3, 5, 5, 4, 3, 3, 8, 8, 8, 8, 8], total_score="98",
        grade="优秀", report_date="2020-06-08",
        indicators=[("数量指标", "计算节点", "32", "60"), ("数量指标", "存储", "300T", "500T"),
                    ("质量指标", "运行系统", "20", "50"), ("质量指标", "政务数据", "5000万", "1.35亿"),
                    ("时效指标", "无", "", ""), ("成本指标", "无", "", ""),
                    ("经济效益指标", "节省财政资金", "500万", "1324.48万"), ("社会效益指标", "无", "", ""),
                    ("生态效益指标", "无", "", ""), ("服务对象满意度指标", "单位满意率", "98%", "100%")]),
    "003": dict(
        name="智慧岳阳基层公共服务（一门式）信息化管理平台项目", unit="岳阳市政务服务中心",
        total=("868", "868", "173.6", "694.4"), city=("868", "868", "173.6", "694.4"), city_source="市财政",
        expenses=[("项目支出", "173.6", "2020年12月34#")], expense_total="173.6",
        claimed=[4, 4, 4, 3, 3, 3, 2, 7, 3, 1, 1, 3, 5, 5, 4, 3, 3, 8, 8, 8, 8, 8], total_score="98",
        grade="优秀", report_date="2021-06-08",
        indicators=[("数量指标", "四端覆盖", "四端覆盖", "四端覆盖"),
                    ("质量指标", "端口相联、数据共享、信息互通,构建市县乡村上下贯通、部门联动、安全可靠的信息化服务格局",
                     "端口相联、数据共享、信息互通,构建市县乡村上下贯通、部门联动、安全可靠的信息化服务格局",
                     "端口相联、数据共享、信息互通,构建市县乡村上下贯通、部门联动、安全可靠的信息化服务格局"),
                    ("时效指标", "3个月完成项目开发", "3个月", "3个月"), ("成本指标", "总成本不超过870万", "870万", "868万"),
                    ("经济效益指标", "岳阳市县区、镇村、社区街道系统基本全覆盖", "95%", "95%"),
                    ("社会效益指标", "71个事项实现镇街道可受理，32个事项实现村社区可受理", "103", "103"),
                    ("生态效益指标", "", "", ""), ("服务对象满意度指标", "", "", "")]),
}


@pytest.mark.parametrize("seed", sorted(EXPECTED))
def test_yueyang_seed_parsed_exactly(seed):
    exp = EXPECTED[seed]
    r = read_report(SEEDS[seed])
    assert r.project.form == "yueyang"
    assert r.project.name == exp["name"] and r.project.unit == exp["unit"]
    assert r.project.report_date == exp["report_date"]
    t = r.funding.total
    assert (t.planned, t.arrived, t.spent, t.balance) == tuple(D(x) for x in exp["total"])
    by_source = {s.source: s for s in r.funding.sources}
    assert set(by_source) == {"中央财政", "省财政", "市财政", "县市区财政", "其它"}
    for source, row in by_source.items():
        got = (row.planned, row.arrived, row.spent, row.balance)
        if source == exp["city_source"]:
            assert got == tuple(D(x) for x in exp["city"])
        else:
            assert got == (None, None, None, None), source
    assert [(e.content, e.amount, e.voucher) for e in r.expenses] == [(c, D(a), v) for c, a, v in exp["expenses"]]
    assert r.expense_total == D(exp["expense_total"])
    got_inds = [(i.level2, i.name, i.target, i.actual) for i in r.indicators]
    assert got_inds == exp["indicators"]
    assert [c.path[-1] for c in r.claimed_scores] == YUEYANG_ITEMS
    assert [c.weight for c in r.claimed_scores] == [D(w) for w in WEIGHTS]
    assert [c.claimed for c in r.claimed_scores] == [D(x) for x in exp["claimed"]]
    assert r.claimed_total == D(exp["total_score"]) and r.summary_total == D(exp["total_score"])
    assert r.claimed_grade == exp["grade"]
    assert sum(WEIGHTS) == 100


def test_level_names_carry_down_merged_cells():
    r = read_report(SEEDS["002"])
    assert [c.path for c in r.claimed_scores][6] == ["项目管理", "资金到位", "到位时效"]
    assert r.claimed_scores[-1].path == ["项目绩效", "项目效果", "服务对象满意度"]
    assert {i.level1 for i in r.indicators} == {"项目产出指标", "项目效益指标"}


def test_huainan_seed_amounts_and_grade():
    r = read_report(SEEDS["004"])
    assert r.project.form == "huainan"
    assert r.project.name == "淮南市市级政府网站集约化平台升级改造项目"
    assert r.project.unit == "淮南市人民政府办公室"
    assert r.project.report_date == "2020-05-12"
    assert (r.funding.total.planned, r.funding.total.arrived) == (D("360"), D("359.95"))
    assert r.funding.total.spent is None  # '已支付项目总额的60%' is not an amount: never estimated
    assert r.claimed_grade == "优"
    kinds = [s.kind for s in r.sections]
    assert kinds == ["overview", "goals", "implementation", "funding_use", "conclusion", "problems"]
    assert "359.5万元" in r.section("funding_use").text


@pytest.mark.parametrize("seed,kinds", [
    ("000", ["overview", "funding_use", "implementation", "conclusion", "performance", "experience", "problems"]),
    ("001", ["overview", "funding_use", "implementation", "conclusion", "performance", "experience", "problems"]),
    ("002", ["overview", "funding_use", "implementation", "conclusion", "performance", "experience"]),
    ("003", ["overview", "funding_use", "implementation", "conclusion", "performance", "experience"]),
])
def test_narrative_sections_by_heading_kind(seed, kinds):
    r = read_report(SEEDS[seed])
    assert [s.kind for s in r.sections] == kinds
    assert all(s.text for s in r.sections)


def test_combined_experience_and_problems_split():
    r = read_report(SEEDS["000"])
    assert r.section("problems").text.startswith("目前，我市集约化建设仍有不足")
    assert "运维成本得到进一步降低" in r.section("experience").text
    assert "巩固集约成果" in r.section("problems").text
    r1 = read_report(SEEDS["001"])
    assert r1.section("experience").text.startswith("一是坚持科学设计")
    assert r1.section("problems").text.startswith("一是专网整合的问题")
