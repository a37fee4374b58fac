"""Drafting engine: figures from the core, cited precedent, number lock, findings-driven problems."""
import re
from decimal import Decimal

import jinja2
import pytest

from assistant.core.checks import check_report
from assistant.compose import compose_draft, facts_of
from assistant.compose.numberlock import Facts, lock_numbers
from assistant.compose.templates import environment
from assistant.core import check_file
from assistant.core.models import Report
from assistant.core.parse import read_report
from assistant.core.scoring import ruleset_for_form
from assistant.render.docx_report import write_docx
from assistant.retrieval.hits import Hit

from .conftest import DATA, SEEDS

D = Decimal


class OneHit:
    """A precedent source that always returns one passage."""

    def __init__(self, hit):
        self.hit = hit

    def search(self, query="", k=5, kind=None, section=None, **filters):
        return [self.hit]


def _hit(text, title="岳阳市政府门户网站集约化平台提质改造", region="岳阳市", issuer="岳阳市政务服务中心", section="experience"):
    return Hit(passage_id=7, source="000.txt", title=title, doc_kind="report", section=section, heading="（六）",
               text=text, score=1.0, retrievers=["bm25"], ranks={"bm25": 1}, region=region, issuer=issuer)


def test_number_lock_marks_a_precedent_figure_in_another_project():
    result = check_file(SEEDS["001"])  # 华容县 电子政务外网: nobody there has 80余万 followers
    source = OneHit(_hit("岳阳政务有80余万人关注，公众号提供“我要查”“我要办”等栏目。"))
    draft = compose_draft(result, precedents=source)
    sug = next(s for s in draft.section("experience").suggestions if s.origin == "precedent")
    assert "【待核实：80余万人】" in sug.text
    assert "80余万人" in sug.unverified
    assert "华容政务" in sug.text  # the place inside the name is adapted to this project's region
    assert sug.citations[0].source == "000.txt" and sug.citations[0].passage_id == 7


def test_number_lock_passes_project_figures_and_references():
    facts = facts_of(check_file(SEEDS["000"]))
    text = ("本项目计划安排资金320万元，实际到位289.8万元，到位率90.56%，执行率50%，到位率得2.72分（分值3分）。"
            "依据国办发〔2017〕47号，（1）站点45个；于2021年6月8日完成评价。")
    locked = lock_numbers(text, facts)
    assert locked.unverified == [] and locked.text == text
    odd = lock_numbers("累计部署约50个系统，节约资金上千万元，2016年8月完成招标，得9分。", facts)
    assert odd.unverified == ["约50个", "千万元", "2016年8月", "9分"]
    # '上百万元' is this project's own figure (its indicator '运维成本节约100万'): it passes
    assert lock_numbers("每年节约运维资金上百万元。", facts).unverified == []


def test_lock_is_idempotent():
    facts = Facts()
    once = lock_numbers("共有80余万人关注", facts).text
    assert lock_numbers(once, facts).text == once


def test_adaptation_replaces_names_and_marks_other_companies():
    result = check_file(SEEDS["001"])
    hit = _hit("岳阳市政府门户网站集约化平台提质改造由岳阳市政务服务中心实施，中标单位为江苏国泰新点软件有限公司。",
               section="implementation")
    sug = compose_draft(result, precedents=OneHit(hit)).section("implementation").suggestions[0]
    assert sug.text.startswith("电子政务外网平台建设二期由华容县行政审批服务局实施")
    assert "【待核实：江苏国泰新点软件有限公司】" in sug.text


@pytest.mark.parametrize("seed", ["000", "001", "002", "003"])
def test_every_narrative_section_has_a_cited_suggestion_from_another_report(seed, seeds_kb):
    result = check_file(SEEDS[seed])
    draft = compose_draft(result, precedents=seeds_kb)
    assert [s.kind for s in draft.sections] == ["overview", "funding_use", "implementation", "conclusion",
                                                "performance", "experience", "problems"]
    for sec in draft.sections:
        if sec.kind == "funding_use":
            assert sec.suggestions[0].origin == "figures"
            continue
        cited = [s for s in sec.suggestions if s.citations]
        assert cited, sec.kind
        assert all(c.title != result.report.project.name for s in cited for c in s.citations)


def test_figure_sections_state_exact_computed_figures():
    draft = compose_draft(check_file(SEEDS["000"]))
    funding = draft.section("funding_use").text
    assert "计划安排资金320万元" in funding and "资金到位率90.56%" in funding and "预算执行率50%" in funding
    assert "结余144.9万元" in funding
    conclusion = draft.section("conclusion").text
    # the report's own 自评 total is its 综合得分; the rule score is said beside it, named as such (one set of figures)
    assert "综合得分98分（按评分规则计算为98.72分）" in conclusion and "“优秀”" in conclusion
    assert "到位率得2.72分（分值3分）" in conclusion


def test_findings_drive_problems_and_suggestions():
    problems = compose_draft(check_file(SEEDS["000"])).section("problems").text
    items = re.findall(r"（\d+）", problems)
    assert len(items) >= 3
    assert "预算执行率50%" in problems and "建议：加快项目实施和资金支付进度" in problems
    assert "资金到位率90.56%" in problems
    assert "【待补充：执行率偏低的具体原因】" in problems
    national = compose_draft(check_file(DATA / "national_pipe_wanyuan.txt")).section("problems").text
    assert "“系统可用率”指标未达成：目标值≥99.5%，实际完成99.2%" in national


def test_missing_input_gives_explicit_gaps_never_values():
    report = Report()
    report.project.name = "某社区养老服务站运营补助"
    result = check_report(report, None)
    draft = compose_draft(result, form="yueyang")
    text = "\n".join(s.text for s in draft.sections)
    assert "【待补充：计划安排资金】" in text and "【待补充：实际支出】" in text
    assert not re.search(r"\d", text.replace("待补充", ""))  # not a single digit was invented
    assert any(m.startswith("资金数据") for m in draft.missing)
    assert any(m.startswith("绩效指标") for m in draft.missing)
    assert "项目单位" in draft.missing


def test_templates_are_strict():
    with pytest.raises(jinja2.UndefinedError):
        environment().get_template("sections/funding_use.j2").render()


@pytest.mark.parametrize("seed", ["000", "001", "002", "003"])
def test_docx_reproduces_the_seed_tables(seed, tmp_path):
    original = read_report(SEEDS[seed])
    path = write_docx(compose_draft(check_file(SEEDS[seed])), tmp_path / "draft.docx")
    back = read_report(path)
    assert back.project.name == original.project.name and back.project.unit == original.project.unit
    t, o = back.funding.total, original.funding.total
    assert (t.planned, t.arrived, t.spent, t.balance) == (o.planned, o.arrived, o.spent, o.balance)
    assert [(s.source, s.planned, s.arrived, s.spent, s.balance) for s in back.funding.sources if not s.is_empty()] == \
        [(s.source, s.planned, s.arrived, s.spent, s.balance) for s in original.funding.sources if not s.is_empty()]
    assert [(e.content, e.amount, e.voucher) for e in back.expenses] == \
        [(e.content, e.amount, e.voucher) for e in original.expenses]
    assert back.expense_total == original.expense_total
    assert [(i.level1, i.level2, i.name, i.target, i.actual) for i in back.indicators] == \
        [(i.level1, i.level2, i.name, i.target, i.actual) for i in original.indicators]
    assert [(c.path, c.weight, c.claimed) for c in back.claimed_scores] == \
        [(c.path, c.weight, c.claimed) for c in original.claimed_scores]
    assert (back.claimed_total, back.summary_total, back.claimed_grade) == \
        (original.claimed_total, original.summary_total, original.claimed_grade)
    assert [s.kind for s in back.sections] == ["overview", "funding_use", "implementation", "conclusion",
                                               "performance", "experience", "problems"]


def test_docx_huainan_and_national_round_trip(tmp_path):
    r004 = read_report(SEEDS["004"])
    back = read_report(write_docx(compose_draft(check_file(SEEDS["004"])), tmp_path / "h.docx"))
    assert back.project.form == "huainan"
    assert (back.funding.total.planned, back.funding.total.arrived) == (r004.funding.total.planned, D("359.95"))
    assert back.claimed_grade == "优"
    nat = read_report(DATA / "national_pipe_wanyuan.txt")
    back = read_report(write_docx(compose_draft(check_file(DATA / "national_pipe_wanyuan.txt")), tmp_path / "n.docx"))
    assert back.project.form == "national"
    assert (back.funding.total.planned, back.funding.total.arrived, back.funding.total.spent) == (D(200), D(180), D(162))
    assert [(i.name, i.target, i.actual, i.weight, i.claimed) for i in back.indicators] == \
        [(i.name, i.target, i.actual, i.weight, i.claimed) for i in nat.indicators]
    assert back.claimed_total == D(97)


def test_unverified_spans_are_highlighted_in_the_docx(tmp_path):
    import docx
    from docx.enum.text import WD_COLOR_INDEX

    result = check_file(SEEDS["001"])
    draft = compose_draft(result, precedents=OneHit(_hit("岳阳政务有80余万人关注。")))
    sec = draft.section("experience")
    sec.text = sec.suggestions[0].text
    path = write_docx(draft, tmp_path / "d.docx")
    runs = [r for p in docx.Document(str(path)).paragraphs for r in p.runs if "80余万人" in r.text]
    assert runs and runs[0].text == "【待核实：80余万人】"
    assert runs[0].font.highlight_color == WD_COLOR_INDEX.YELLOW


def test_precedent_figures_are_mapped_onto_this_project():
    result = check_file(SEEDS["001"])  # 437.7 planned/arrived/spent, execution 100%, report 2021-07-28
    hit = _hit("本项目总投资为289.8万元，已支付144.9万元，执行率为50%，另有合同尾款14.49万元。"
               "报告于2021年6月8日完成。", section="implementation")
    hit.figures = {"planned": "320", "arrived": "289.8", "spent": "144.9", "balance": "144.9",
                   "execution_rate": "50", "report_date": "2021-06-08"}
    sug = compose_draft(result, precedents=OneHit(hit)).section("implementation").suggestions[0]
    assert "总投资为437.7万元" in sug.text and "已支付437.7万元" in sug.text and "执行率为100%" in sug.text
    assert "2021年7月28日" in sug.text
    assert "【待核实：14.49万元】" in sug.text  # no mapping for a contract instalment: marked, not guessed


def test_compose_only_the_sections_asked_for():
    draft = compose_draft(check_file(SEEDS["000"]), only={"problems"})
    assert [s.kind for s in draft.sections] == ["problems"]
    assert "预算执行率50%" in draft.sections[0].text


def test_what_the_officer_typed_and_the_core_computed_is_never_marked():
    from assistant.core.models import Indicator, Note

    report = read_report(SEEDS["000"])
    report.indicators.append(Indicator(level1="产出指标", level2="时效指标", name="完工时间", target="2023年12月底前",
                                       actual="2023年12月20日"))
    report.project.period_text = "2023年1月至12月"
    report.notes = [Note(id=1, section="implementation", text="每月巡查两次，全年出动养护人员1260人次。")]
    result = check_report(report, ruleset_for_form("yueyang"))
    facts = facts_of(result)
    reasons = " ".join(i.reason for i in result.score.items)
    for text in ("2023年12月20日完工", "2023年1月至12月", "全年出动养护人员1260人次", reasons):
        assert lock_numbers(text, facts).unverified == [], text
    assert lock_numbers("全年出动养护人员1300人次", facts).unverified == ["1300人次"]


def _road_result():
    report = read_report(DATA / "conversations" / "road_tables.tsv")
    report.project.name, report.project.unit = "华容县2023年农村公路养护项目", "华容县交通运输局"
    report.project.region, report.project.form = "华容县", "yueyang"
    return check_report(report, ruleset_for_form("yueyang"))


def test_with_only_other_kinds_of_project_the_skeleton_leads_and_nothing_of_theirs_is_offered(seeds_kb):
    draft = compose_draft(_road_result(), precedents=seeds_kb)
    for sec in draft.sections:
        first = sec.suggestions[0]
        assert first.origin != "precedent", sec.kind
        # an e-government report's sentences are never offered to a road project, not even as a second choice
        assert [s for s in sec.suggestions if s.origin == "precedent"] == [], sec.kind
    first = draft.section("implementation").suggestions[0]
    assert first.origin == "skeleton" and "交通运输" in first.note and "【待补充：组织机构和实施方案】" in first.text


def test_a_foreign_sentence_never_carries_this_projects_figure():
    result = check_file(SEEDS["001"])  # 437.7 planned/arrived/spent
    hit = _hit("项目经公开招标，中标价格为289.8万元，由某信息技术咨询公司承建。本项目总投资为289.8万元。",
               section="implementation")
    hit.figures = {"planned": "289.8", "arrived": "289.8", "spent": "289.8"}
    sug = compose_draft(result, precedents=OneHit(hit)).section("implementation").suggestions[0]
    assert "中标价格为437.7万元" not in sug.text and "中标价格为【待核实：289.8万元】" in sug.text
    assert "总投资为437.7万元" in sug.text  # the project's own total, said as one, is mapped


def test_a_precedent_of_the_same_kind_of_project_leads_and_is_cited(tmp_path):
    from assistant.retrieval.knowledge_base import KnowledgeBase

    kb = KnowledgeBase(tmp_path / "kb", embedder="fake")
    try:
        kb.ensure_builtin()
        kb.ingest([DATA / "precedents" / "road_maintenance_report.txt"])
        kb.fill_dense()
        draft = compose_draft(_road_result(), precedents=kb)
        for kind in ("implementation", "experience"):
            first = draft.section(kind).suggestions[0]
            assert first.origin == "precedent" and first.note == "", kind
            assert first.citations[0].source == "road_maintenance_report.txt"
            assert first.citations[0].project_type == "交通运输"
        assert "三级" in draft.section("implementation").suggestions[0].text
    finally:
        kb.close()


def test_notes_come_first_and_fill_the_skeleton_part_they_speak_to(seeds_kb):
    from assistant.core.models import Note

    result = _road_result()
    result.report.notes = [Note(id=1, section="implementation", part="organization",
                                text="我们成立了由局长任组长的养护工作领导小组，每月巡查两次")]
    first = compose_draft(result, precedents=seeds_kb).section("implementation").suggestions[0]
    assert first.origin == "notes" and first.text.startswith("一是加强组织领导。本单位成立了由局长任组长")
    assert "【待补充：采购、实施和验收】" in first.text  # nobody spoke to that part yet: a visible slot


def test_another_projects_names_are_locked_like_numbers():
    from assistant.compose.namelock import lock

    facts = facts_of(_road_result())
    text = ("编制了《华容县电子政务外网平台二期建设技术方案》，依托岳阳政务服务平台开展工作，位于岳阳市的机房由"
            "湖南某某科技有限公司运维。按照《政府网站发展指引》要求，华容县交通运输局负责实施。")
    locked = lock(text, facts)
    assert locked.unverified == ["《华容县电子政务外网平台二期建设技术方案》", "岳阳政务服务平台", "岳阳市",
                                 "湖南某某科技有限公司"]
    assert "按照《政府网站发展指引》要求，华容县交通运输局负责实施。" in locked.text  # a policy, and our own unit
    ours = "华容县交通运输局对县乡村道开展日常养护，省财政300万元、县市区财政180万元。"
    assert lock(ours, facts).unverified == []


def test_a_deduction_in_the_problems_reads_as_prose_not_as_the_scorers_arithmetic(seeds):
    from assistant.compose.problems import _prose_reason, problems_text
    from assistant.core import check_file

    assert _prose_reason("执行率 685.5/720 = 95.21%，4 × 95.21% = 3.81") == "执行率 95.21%"
    assert _prose_reason("按经办人回答：部分实现，得 4 分") == "部分实现"
    for seed in seeds.values():
        text = problems_text(check_file(seed))
        assert "×" not in text and "按经办人回答" not in text and " = " not in text
