"""The seven parse paths: text dumps, prose, flattened tables, TSV/labels, JSON, .docx, .xlsx."""
from decimal import Decimal

import pytest

from assistant.core import check_file
from assistant.core.parse import ParseError, ReadError, parse_text, read_report
from assistant.core.parse.document import from_text
from assistant.core.parse.sections import heading_kind

from .conftest import DATA, SEEDS, check_json

D = Decimal


def test_prose_report_in_wanyuan_with_stated_rate():
    r = read_report(DATA / "prose_wanyuan.txt")
    t = r.funding.total
    assert r.funding.origin == "prose"
    assert (t.planned, t.arrived, t.spent, t.balance) == (D(850), D(850), D("782.5"), D("67.5"))
    assert r.funding.stated_execution_rate == D("0.9206")
    assert {s.source: s.planned for s in r.funding.sources} == {"中央财政": D(600), "县市区财政": D(250)}
    assert [(e.content, e.amount) for e in r.expenses] == [("管网铺设", D("512.3")), ("水厂设备购置", D("170.2")),
                                                         ("水质检测费", D(100))]
    assert r.project.name == "某县2022年农村饮水安全巩固提升工程项目"
    assert (r.summary_total, r.claimed_grade) == (D(92), "优")
    assert [s.kind for s in r.sections] == ["overview", "funding_use", "performance", "experience", "problems",
                                            "conclusion"]


def test_prose_report_in_yuan_without_stated_rate():
    j = check_json(DATA / "prose_yuan.txt")
    f = j["funding"]
    assert (f["planned"], f["arrived"], f["spent"], f["balance"]) == ("120", "120", "98", "23")
    assert f["execution_rate"] == "0.8167" and f["origin"] == "prose"
    assert j["project"]["name"] == "某街道2021年社区文化活动中心运营项目"


def test_national_table_with_pipes_in_wanyuan():
    j = check_json(DATA / "national_pipe_wanyuan.txt")
    assert j["project"]["form"] == "national"
    assert j["project"]["name"] == "城乡居民医疗保障信息系统运维"
    assert j["project"]["unit"] == "某市医疗保障信息中心"
    f = j["funding"]
    assert (f["planned"], f["arrived"], f["spent"], f["execution_rate"]) == ("200", "180", "162", "0.9000")
    assert j["score"]["claimed_total"] == "97" and j["score"]["computed_total"] == "96.95"
    assert [i["path"][-1] for i in j["score"]["items"]] == ["预算执行率", "运维服务器数量", "系统可用率",
                                                            "故障响应时间", "参保群众办事便利度", "参保群众满意度"]
    time_row = next(i for i in j["indicators"] if i["name"] == "故障响应时间")
    assert time_row["lower_is_better"] is True


def test_national_table_with_spaces_in_yuan():
    r = read_report(DATA / "national_space_yuan.txt")
    assert r.funding.unit == "元"
    assert (r.funding.total.planned, r.funding.total.spent) == (D(150), D("123.6"))
    assert r.funding.stated_execution_rate == D("0.824")
    assert [i.name for i in r.indicators] == ["服务老人人数", "服务质量抽查合格率", "居家养老服务覆盖面", "服务对象满意度"]
    assert r.claimed_total == D(98)
    assert r.claimed_scores[0].path == ["预算执行率"] and r.claimed_scores[0].claimed == D(9)


def test_pasted_tsv_from_excel():
    r = read_report(DATA / "paste_tsv.txt")
    t = r.funding.total
    assert (t.planned, t.arrived, t.spent, t.balance) == (D(1200), D(1150), D("1092.36"), D("57.64"))
    assert {s.source: s.arrived for s in r.funding.sources} == {"中央财政": D(0), "省财政": D(400), "市财政": D(750)}
    assert [e.content for e in r.expenses] == ["道路铺装工程款", "排水管网改造工程款", "监理费", "设计费"]
    assert r.expense_total == D("1092.36")
    assert [(i.level1, i.level2) for i in r.indicators][:2] == [("产出指标", "数量指标"), ("产出指标", "质量指标")]
    assert len(r.indicators) == 6
    assert check_file(DATA / "paste_tsv.txt").findings == []


def test_label_value_lines():
    r = read_report(DATA / "label_values.txt")
    t = r.funding.total
    assert r.funding.origin == "fields"
    assert (t.planned, t.arrived, t.spent, t.balance) == (D(320), D(320), D("298.6"), D("21.4"))
    assert r.project.period_start == "2022-01" and r.project.period_end == "2022-12"


def test_json_input_round_trips():
    j = check_json(DATA / "report.json")
    assert j["funding"]["execution_rate"] == "0.9000" and j["funding"]["balance"] == "60"
    assert j["funding"]["computed"] == ["balance"]
    items = {i["path"][-1]: i for i in j["score"]["items"]}
    assert items["加装电梯台数"]["computed"] == "45"  # 27/30 × 50
    assert items["预算执行率"]["computed"] == "9"
    assert j["score"]["computed_total"] == "94"


def test_json_with_bad_field_names_it(tmp_path):
    p = tmp_path / "bad.json"
    p.write_text('{"funding": {"total": {"source": "合计", "planned": "abc"}}}', encoding="utf-8")
    with pytest.raises(ReadError, match="funding.total.planned"):
        read_report(p)


def make_docx(path, planned="320", narrative=True):
    import docx

    d = docx.Document()
    d.add_paragraph("岳阳市财政支出项目绩效评价自评报告")
    d.add_paragraph("项目名称：城区路灯节能改造")
    d.add_paragraph("项目单位：某市城市管理局")
    t = d.add_table(rows=3, cols=8)
    head = ["计划安排资金（万元）", planned, "实际到位资金（万元）", "300", "实际支出（万元）", "270", "结余（万元）", "30"]
    for k, v in enumerate(head):
        t.rows[0].cells[k].text = v
    src = ["其中：中央财政", "", "其中：中央财政", "", "其中：中央财政", "", "其中：中央财政", ""]
    city = ["市财政", planned, "市财政", "300", "市财政", "270", "市财政", "30"]
    for k in range(8):
        t.rows[1].cells[k].text = src[k]
        t.rows[2].cells[k].text = city[k]
    e = d.add_table(rows=4, cols=4)
    for r_idx, row in enumerate([["支出内容", "实际支出数", "会计凭证号", "备注"], ["灯具采购", "200", "2022年5月3#", ""],
                                 ["安装工程", "70", "2022年7月9#", ""], ["支出合计", "270", "", ""]]):
        for k, v in enumerate(row):
            e.rows[r_idx].cells[k].text = v
    ind = d.add_table(rows=3, cols=5)
    rows = [["一级指标", "二级指标", "指标内容", "指标（目标）值", "实际完成值"],
            ["项目产出指标", "数量指标", "改造路灯", "1200盏", "1150盏"],
            ["", "成本指标", "单盏成本", "≤0.25万元", "0.23万元"]]
    for r_idx, row in enumerate(rows):
        for k, v in enumerate(row):
            ind.rows[r_idx].cells[k].text = v
    # a vertically merged level-1 cell, as Word tables have
    ind.cell(1, 0).merge(ind.cell(2, 0))
    if narrative:
        d.add_paragraph("五、评价报告综述（文字部分）")
        d.add_paragraph("（一）项目基本概况")
        d.add_paragraph("城区路灯节能改造项目更换LED灯具1150盏。")
        d.add_paragraph("（6） 主要经验及做法、存在问题和建议")
        d.add_paragraph("一是统一采购，降低成本。")
        d.add_paragraph("存在问题和建议：")
        d.add_paragraph("部分路段改造滞后，建议加快进度。")
    d.save(path)


def test_docx_paragraphs_tables_and_merged_cells(tmp_path):
    p = tmp_path / "report.docx"
    make_docx(p)
    r = read_report(p)
    assert r.project.name == "城区路灯节能改造"
    t = r.funding.total
    assert (t.planned, t.arrived, t.spent, t.balance) == (D(320), D(300), D(270), D(30))
    assert [(e.content, e.amount) for e in r.expenses] == [("灯具采购", D(200)), ("安装工程", D(70))]
    assert [(i.level1, i.name) for i in r.indicators] == [("项目产出指标", "改造路灯"), ("项目产出指标", "单盏成本")]
    assert [s.kind for s in r.sections] == ["overview", "experience", "problems"]
    unmet = [f for f in check_file(p).findings if f.code == "indicator.unmet"]
    assert [f.evidence["target"] for f in unmet] == ["1200盏"]


def test_docx_letters_in_money_cell_name_the_cell(tmp_path):
    p = tmp_path / "bad.docx"
    make_docx(p, planned="32O")
    with pytest.raises(ParseError, match=r"表1 第1行第2列.*计划安排资金.*32O"):
        read_report(p)


def make_xlsx(path, spent=144.9):
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "资金"
    ws.append(["资金来源", "计划安排资金", "实际到位资金", "实际支出", "结余"])
    ws.append(["合计", 320, 289.8, spent, 144.9])
    ws.append(["市财政", 320, 289.8, spent, 144.9])
    ws2 = wb.create_sheet("指标")
    ws2.append(["一级指标", "二级指标", "指标内容", "指标（目标）值", "实际完成值"])
    ws2.append(["产出指标", "数量指标", "站点数量", 45, 45])
    wb.save(path)


def test_xlsx_cell_values(tmp_path):
    p = tmp_path / "grid.xlsx"
    make_xlsx(p)
    r = read_report(p)
    t = r.funding.total
    assert (t.planned, t.arrived, t.spent, t.balance) == (D(320), D("289.8"), D("144.9"), D("144.9"))
    assert isinstance(t.arrived, Decimal)
    assert [(i.name, i.target, i.actual) for i in r.indicators] == [("站点数量", "45", "45")]


def test_xlsx_letters_in_number_cell_name_the_cell(tmp_path):
    p = tmp_path / "bad.xlsx"
    make_xlsx(p, spent="14a.9")
    with pytest.raises(ParseError, match=r"资金!D2.*实际支出.*14a\.9"):
        read_report(p)


@pytest.mark.parametrize("line,kind", [
    ("（6） 主要经验及做法、存在问题和建议", "experience"), ("项目基本概况", "overview"), ("（一）项目概述", "overview"),
    ("项 目 执 行 情 况", "implementation"), ("问题与建议", "problems"), ("自 评 结 论", "conclusion"),
    ("（三）财务管理情况", "funding_use"), ("5.项目主要绩效情况分析", "performance"), ("一、运维成本得到进一步降低", None),
    ("二、项目的政府采购工作", None),
])
def test_heading_kinds(line, kind):
    assert heading_kind(line)[0] == kind


def test_bookmark_residue_and_page_numbers_are_dropped():
    doc = from_text("\t[bookmark: _GoBack]13574754955\n- 11 -\n")
    assert doc.rows[0].cells[0].text == "13574754955"
    assert all("11 -" not in ln.text for ln in doc.lines)


def test_form_override():
    text = (DATA / "label_values.txt").read_text(encoding="utf-8")
    assert parse_text(text).project.form == "generic"
    assert parse_text(text, form="yueyang").project.form == "yueyang"


def test_gb18030_text_is_read(tmp_path):
    p = tmp_path / "gbk.txt"
    p.write_bytes((DATA / "label_values.txt").read_text(encoding="utf-8").encode("gb18030"))
    assert read_report(p).funding.total.spent == D("298.6")


def test_budget_adjusted_grid_common_in_other_provinces():
    text = ("项目名称：全民健身设施补短板\n"
            "资金情况（万元）\t年初预算数\t调整后预算数\t全年执行数\t执行率\n"
            "资金总额\t500\t450\t405\t90%\n"
            "其中：财政拨款\t500\t450\t405\t90%\n")
    r = parse_text(text)
    t = r.funding.total
    assert (t.planned, t.arrived, t.spent) == (D(500), D(450), D(405))
    assert r.funding.stated_execution_rate == D("0.9")


def test_prose_with_budget_adjustment_and_transfer_payment():
    # '上级转移支付资金200万元' is a source of money, not spending; '全年预算数' is the adjusted budget
    r = read_report(DATA / "prose_budget_adjusted.txt")
    t = r.funding.total
    assert (t.planned, t.arrived, t.spent, t.balance) == (D(600), D(650), D("585.6"), D("64.4"))
    assert r.funding.stated_execution_rate == D("0.9009")
    assert (r.project.name, r.project.year) == ("某区学校食堂改造项目", 2022)
    assert (r.summary_total, r.claimed_grade) == (D(91), "优")
    codes = [f.code for f in check_file(DATA / "prose_budget_adjusted.txt").findings]
    assert "funding.budget_adjusted" in codes and "funding.arrived_exceeds_planned" not in codes
    assert "expense.narrative_unmatched" not in codes


def test_sources_as_rows_in_yuan_and_a_heading_right_after_the_table():
    # '二、支出明细' after the last cell is a heading, not more text of the '150,000.00' cell
    r = read_report(DATA / "sources_grid_yuan.txt")
    t = r.funding.total
    assert (t.planned, t.arrived, t.spent, t.balance) == (D(450), D(440), D(425), D(15))
    assert {s.source: s.arrived for s in r.funding.sources} == {"中央财政": D(300), "省财政": D(100),
                                                                "县市区财政": D(40)}
    assert [(e.content, e.amount) for e in r.expenses] == [("土地平整工程款", D(210)), ("灌溉渠道工程款", D(165)),
                                                         ("监理费", D(50))]
    codes = {f.code for f in check_file(DATA / "sources_grid_yuan.txt").findings}
    assert not any(c.startswith(("funding.", "expense.")) for c in codes), codes


def test_indicator_table_with_separate_bound_and_unit_columns():
    # 指标性质 | 指标值 | 度量单位: the bound and unit belong to the target (and the unit to the actual)
    r = read_report(DATA / "national_bound_unit_columns.txt")
    assert [(i.name, i.target, i.actual) for i in r.indicators] == [
        ("养护道路里程", "≥120公里", "118公里"), ("完成时间", "≤12月", "12月"), ("每公里养护成本", "≤2.5万元", "2.3万元"),
        ("道路优良率", "≥85%", "88%"), ("沿线群众满意度", "≥90%", "93%")]
    assert (r.claimed_total, r.project.year) == (D(98), 2023)


def test_the_caiyu_2020_10_outline_used_by_most_provinces():
    r = read_report(DATA / "outline_caiyu_2020_10.txt")
    kinds = [(s.kind, s.heading) for s in r.sections]
    assert kinds == [("overview", "一、基本情况"), ("goals", "（二）项目绩效目标"), ("process", "二、绩效自评工作开展情况"),
                     ("conclusion", "三、综合评价情况及评价结论"), ("performance", "四、绩效目标实现情况分析"),
                     ("funding_use", "（一）项目资金情况分析"), ("problems", "五、存在的问题及原因分析"),
                     ("other", "七、其他需要说明的问题")]
    performance = next(s for s in r.sections if s.kind == "performance")
    assert "产出指标完成情况分析" in performance.text  # '（二）项目绩效指标完成情况分析' is performance, not funding
    t = r.funding.total
    assert (t.planned, t.arrived, t.spent, r.summary_total, r.claimed_grade) == (D(400), D(400), D(372), D(92), "优")


def _without_unit(tmp_path, narrative=""):
    text = (DATA / "national_space_yuan.txt").read_text(encoding="utf-8").replace("项目资金（元）", "项目资金")
    p = tmp_path / "no_unit.txt"
    p.write_text(text + narrative, encoding="utf-8")
    return check_file(p)


def test_table_without_unit_is_read_in_yuan_when_the_narrative_proves_it(tmp_path):
    result = _without_unit(tmp_path, "\n一、项目资金情况\n该项目全年预算数150万元，全年执行数123.6万元。\n")
    t = result.report.funding.total
    assert (t.planned, t.spent, result.report.funding.unit) == (D(150), D("123.6"), "元")
    inferred = [f for f in result.findings if f.code == "funding.unit_inferred"]
    assert len(inferred) == 1 and inferred[0].severity == "info" and "第" in inferred[0].message


def test_table_without_unit_and_no_evidence_is_flagged_not_converted(tmp_path):
    result = _without_unit(tmp_path)
    assert result.report.funding.total.planned == D(1500000)  # as written: the unit is never guessed
    assert [f.severity for f in result.findings if f.code == "funding.unit_unclear"] == ["warning"]


def test_sources_named_by_kind_in_a_national_grid():
    text = "\n".join([
        "项目支出绩效自评表",
        "| 项目资金（万元） | 年初预算数 | 全年预算数 | 全年执行数 | 分值 | 执行率 | 得分 |",
        "| 年度资金总额 | 300 | 320 | 310 | 10 | 96.88% | 9.69 |",
        "| 其中：本级财政资金 | 200 | 200 | 195 | — | — | — |",
        "| 上级补助资金 | 100 | 100 | 100 | — | — | — |",
        "| 单位自筹资金 | | 20 | 15 | — | — | — |"])
    r = parse_text(text)
    assert [(s.source, s.arrived, s.spent) for s in r.funding.sources] == [
        ("本级财政", D(200), D(195)), ("上级补助", D(100), D(100)), ("其它", D(20), D(15))]
    assert (r.funding.total.arrived, r.funding.total.spent) == (D(320), D(310))


@pytest.mark.parametrize("sentence,total,grade", [
    ("经自评，该项目总得分为92分，评价等级为优。", D(92), "优"),
    ("自评总分92.5分，等级为“良”。", D("92.5"), "良"),
    ("经综合评定，项目得分86分，绩效评价等级为良好。", D(86), "良好"),
    ("综合评分为 91 分，评定等次为优秀。", D(91), "优秀"),
    ("最终得分：88分（良）", D(88), "良"),
    ("到位率得分2.72分，公路等级为中级。", None, None),  # an item's score and another kind of 等级
    ("项目绩效评价整体得分87.6分，评价等级为良。", D("87.6"), "良"),
    ("经单位自评，自评分为95分。", D(95), None),
    ("含加分项，自评得分101.5分，评价等级为优。", D("101.5"), "优"),  # bonus points some provinces add
])
def test_total_and_grade_as_written_in_the_conclusion(sentence, total, grade):
    r = parse_text(f"某项目绩效自评报告\n三、自评结论\n{sentence}\n")
    assert (r.summary_total, r.claimed_grade) == (total, grade)


def test_year_is_the_stated_budget_year_else_the_report_date_year():
    r = read_report(SEEDS["001"])  # 报告日期 2021-07-28, 起止时间 2020年1月至2020年12月, no 年度 line
    assert (r.project.report_date, r.project.year) == ("2021-07-28", 2021)
    assert read_report(DATA / "national_pdf_lines.txt").project.year == 2023  # '2023年度项目支出绩效自评表'


def test_prose_sources_in_yuan_with_thousands_separators():
    r = parse_text("某项目绩效自评报告\n二、资金情况\n项目总投资1,200,000元，其中中央补助800,000元、县级配套400,000元。"
                   "实际到位1,200,000元，已支付1,080,000.50元，结余119,999.50元。\n")
    t = r.funding.total
    assert (t.planned, t.arrived, t.spent, t.balance) == (D(120), D(120), D("108.00005"), D("11.99995"))
    assert {s.source: s.planned for s in r.funding.sources} == {"中央财政": D(80), "县市区财政": D(40)}


@pytest.mark.parametrize("title, name", [
    # the project named in brackets after whose report it is
    ("宝山区卫健委2022年度项目绩效自评报告(春节慰问经费项目)", "2022年春节慰问经费项目"),
    ("TITLE: 建设项目绩效自评报告(某县2021年度道路建设项目;范文站转载,篇1)", "某县2021年度道路建设项目"),
    ("龙感湖管理区2023年度农机购置补贴实施情况", "龙感湖管理区2023年度农机购置补贴"),
    ("关于2021年度地质灾害群测群防项目资金绩效自评报告", "地质灾害群测群防项目资金"),
    ("《重庆市梁平区林业局2022年度部门整体支出绩效自评表", "重庆市梁平区林业局2022年度部门整体"),
    ("中央车购税对地方补助资金绩效目标自评表", "中央车购税对地方补助资金"),
    # a title that names no project leaves the name unknown rather than '项目'
    ("《2022年度项目绩效自评报告》", None),
    ("项目支出绩效自评报告", None),
])
def test_project_name_from_real_report_titles(title, name):
    r = parse_text(f"{title}\n一、基本情况\n本项目年初预算100万元，实际支出90万元。\n")
    assert r.project.name == name


def test_a_sentence_mark_lost_between_an_amount_and_a_year_still_ends_the_sentence():
    # '…其他资金40万元2023年支出295.5万元' (a copy site dropped the 。): the 支出 is the year's spending, not a part
    # of what was received; a payment to some of the people served is no total
    r = parse_text("某区优抚对象补助项目绩效自评报告\n一、资金情况\n2023年收到财政资金共300万元，其中：中央资金200万元，"
                   "地方资金60万元，其他资金40万元2023年支出295.5万元，其中中央资金200万元。\n"
                   "二、绩效情况\n1.数量指标。120名服务对象发放补助金260.3万元。\n")
    assert (r.funding.total.arrived, r.funding.total.spent) == (D(300), D("295.5"))
