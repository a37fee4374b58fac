"""National 自评表 that lost its row breaks: PDF text (one value per line, blanks dropped) and Word
cells dumped without blank lines between rows."""
from decimal import Decimal

import pytest

from assistant.core import check_file
from assistant.core.parse import parse_text, read_report

from .conftest import DATA, SEEDS

D = Decimal


def _codes(result, code):
    return [f for f in result.findings if f.code == code]


def test_pdf_lines_rebuild_funding_goals_and_indicators():
    r = read_report(DATA / "national_pdf_lines.txt")
    assert (r.project.name, r.project.department, r.project.unit, r.project.year) == (
        "城区老旧小区改造配套设施", "某市住房和城乡建设局", "某市城市更新服务中心", 2023)
    t = r.funding.total
    # the total row lost its blank 年初预算数: the two amounts are placed because 216/240 = the stated 90%
    assert (t.planned, t.arrived, t.spent) == (None, D(240), D(216))
    assert r.funding.stated_execution_rate == D("0.9")
    sources = {s.source: (s.arrived, s.spent) for s in r.funding.sources if s.arrived is not None}
    assert sources == {"当年财政拨款": (D(200), D(180)), "上年结转资金": (D(40), D(36))}
    assert [(g.expected, g.actual) for g in r.goals] == [
        ("完成8个老旧小区雨污分流和照明改造，惠及居民2000户以上。", "完成7个小区改造，惠及居民1860户。")]
    assert [(i.level1, i.level2, i.name, i.target, i.actual, i.weight, i.claimed) for i in r.indicators] == [
        ("产出指标", "数量指标", "改造小区数量", "8个", "7个", D(15), D(15)),
        ("产出指标", "数量指标", "新增路灯数量", "≥300盏", "320盏", D(10), D(10)),
        ("产出指标", "质量指标", "验收合格率", "100%", "100%", D(10), D(10)),
        ("产出指标", "时效指标", "完工时间", "2023年11月底前", "2023年12月20日", D(10), D(10)),
        ("成本指标", "经济成本指标", "单个小区改造成本", "≤30万元", "30.9万元", D(5), D(5)),
        ("效益指标", "社会效益指标", "惠及居民户数", "≥2000户", "1860户", D(20), D(20)),
        ("效益指标", "可持续影响指标", "设施维护长效机制", "建立", "已建立", D(10), D(10)),
        ("满意度指标", "服务对象满意度指标", "居民满意度", "≥90%", "", D(10), D(10)),
    ]
    assert r.claimed_total == D(99)
    assert r.claimed_scores[0].path == ["预算执行率"] and r.claimed_scores[0].claimed == D(9)


def test_pdf_lines_findings_name_the_late_and_the_empty_indicator():
    result = check_file(DATA / "national_pdf_lines.txt")
    late = next(f for f in _codes(result, "indicator.unmet") if "完工时间" in f.message)
    assert "未按期完成" in late.message and "20天" in late.message
    item = next(i for i in result.score.items if i.path[-1] == "完工时间")
    assert (item.claimed, item.computed, item.basis) == (D(10), D(0), "rule")
    empty = _codes(result, "score.no_actual_full_marks")
    assert [f.evidence["item"] for f in empty] == ["居民满意度"]
    assert not _codes(result, "funding.missing") and not _codes(result, "indicator.missing")


def test_cells_without_row_breaks_read_like_the_separated_dump():
    r = read_report(DATA / "national_cells_no_breaks.txt")
    t = r.funding.total
    assert (t.planned, t.arrived, t.spent, r.project.year) == (D(500), D(480), D("360.5"), 2022)
    assert [i.name for i in r.indicators] == ["改造供水管网行政村数", "水质达标率", "完工时间", "受益人口",
                                             "受益群众满意度"]
    assert [i.actual for i in r.indicators] == ["10个", "96%", "2023年3月", "10500人", ""]
    assert r.claimed_total == D(100)
    separated = "\n\n".join(  # the same rows with the blank lines a Word dump puts between them
        "\n".join(f"\t{c}" for c in row) for row in (
            ["项目名称", "农村饮水安全巩固提升工程"],
            ["项目资金（万元）", "", "年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分"],
            ["", "年度资金总额", "500", "480", "360.5", "10", "75.1%", "10"]))
    s = parse_text(separated).funding.total
    assert (s.planned, s.arrived, s.spent) == (t.planned, t.arrived, t.spent)


def test_amounts_that_the_rate_does_not_confirm_are_left_out():
    text = "\n".join(["项目支出绩效自评表", "项目资金（万元）", "年初预算数", "全年预算数", "全年执行数", "分值",
                      "执行率", "得分", "年度资金总额", "480", "300", "10", "90%", "9",
                      "一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分",
                      "产出指标", "数量指标", "培训人次", "100人次", "100人次", "90", "90", "总分", "100", "99"])
    r = parse_text(text)
    # 300/480 = 62.5%, not the stated 90%: which two of the three columns they are is unknown
    assert (r.funding.total.arrived, r.funding.total.spent) == (None, None)
    assert r.funding.stated_execution_rate == D("0.9")
    assert [(i.name, i.weight, i.claimed) for i in r.indicators] == [("培训人次", D(90), D(90))]


def test_deviation_notes_do_not_become_indicator_names():
    text = "\n".join(["项目支出绩效自评表", "一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值",
                      "得分", "偏差原因分析及改进措施", "产出指标", "数量指标", "新建站点", "12个", "10个", "20",
                      "17", "两处选址调整", "培训人次", "≥500人次", "520人次", "20", "20", "效益指标", "社会效益指标",
                      "群众知晓率", "≥80%", "85%", "30", "30", "总分", "70", "67"])
    r = parse_text(text)
    assert [(i.level2, i.name, i.target, i.actual) for i in r.indicators] == [
        ("数量指标", "新建站点", "12个", "10个"), ("数量指标", "培训人次", "≥500人次", "520人次"),
        ("社会效益指标", "群众知晓率", "≥80%", "85%")]


def test_ocr_garbled_amount_leaves_the_row_out_and_says_so(tmp_path):
    text = (DATA / "national_pdf_lines.txt").read_text(encoding="utf-8")
    p = tmp_path / "ocr.txt"
    p.write_text(text.replace("\n2,160,000.00\n", "\n2,l60,000.00\n"), encoding="utf-8")
    result = check_file(p)  # a check, not an error: the rest of the report is still checked
    unplaced = _codes(result, "funding.unplaced_amounts")
    assert "第17行 年度资金总额" in unplaced[0].message and "无法确定" in unplaced[0].message
    assert [f.severity for f in unplaced] == ["warning"] * 3  # the total and both source rows
    missing = _codes(result, "funding.missing")
    assert len(missing) == 1 and "未能读取" in missing[0].message and missing[0].where.line == 17
    assert result.report.funding.total.arrived is None
    assert len(result.report.indicators) == 8 and _codes(result, "score.no_actual_full_marks")


def test_garbled_amount_in_a_complete_row_is_an_unreadable_cell(tmp_path):
    text = (DATA / "national_cells_no_breaks.txt").read_text(encoding="utf-8")
    p = tmp_path / "ocr.txt"
    p.write_text(text.replace("\t360.5\n", "\t36O.5\n", 1), encoding="utf-8")  # the 当年财政拨款 row
    result = check_file(p)
    bad = _codes(result, "funding.unreadable_amount")
    assert len(bad) == 1 and "当年财政拨款 实际支出" in bad[0].message and "36O.5" in bad[0].message
    assert bad[0].severity == "error"
    source = result.report.funding.sources[0]
    assert (source.planned, source.arrived, source.spent) == (D(500), D(480), None)
    assert result.report.funding.total.spent == D("360.5")  # the row itself was placed, the rest read


def test_an_indicator_name_wrapped_over_two_lines_is_joined():
    text = "\n".join(["项目支出绩效自评表", "一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值",
                      "得分", "偏差原因分析及改进措施", "产出指标", "数量指标", "改造供水管网行政", "村数", "12个",
                      "10个", "20", "17", "征地未完成", "质量指标", "水质达标率", "≥95%", "96%", "20", "20",
                      "总分", "40", "37"])
    r = parse_text(text)
    assert [(i.name, i.target, i.actual) for i in r.indicators] == [
        ("改造供水管网行政村数", "12个", "10个"), ("水质达标率", "≥95%", "96%")]


def _summary(result):
    r, s = result.report, result.score
    t = r.funding.total
    return ((t.planned, t.arrived, t.spent, t.balance), [(e.content, e.amount, e.voucher) for e in r.expenses],
            [(i.level1, i.level2, i.name, i.target, i.actual) for i in r.indicators],
            [(c.path, c.weight, c.claimed) for c in r.claimed_scores], r.claimed_total, r.summary_total,
            r.claimed_grade, s.computed_total, sorted(f.code for f in result.findings))


@pytest.mark.parametrize("seed", ["000", "001", "002", "003", "004"])
@pytest.mark.parametrize("flatten", ["pdf", "no_blank_lines"])
def test_flattened_seed_reports_check_like_the_word_dump(seed, flatten, tmp_path):
    # 'pdf': no tabs and no blank lines (text taken from a PDF); the Yueyang forms' pairs, expense
    # rows, indicator triples and the 附件3-2 score table all come back, and so do the findings
    text = SEEDS[seed].read_text(encoding="utf-8")
    lines = [ln for ln in text.splitlines() if ln.strip()]
    if flatten == "pdf":
        lines = [ln.lstrip("\t") for ln in lines]
    p = tmp_path / f"{seed}.txt"
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert _summary(check_file(p)) == _summary(check_file(SEEDS[seed]))
