"""A draft as the region's .docx: cover, tables as real Word tables (merged cells where the form has
them), narrative sections and signature blocks, in 公文 layout. Written atomically."""
from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import docx
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK

from ..core import calc
from ..core.figures import report_region, report_year
from ..core.forms import EVAL_TYPES, Cover, get_form, layout_of, source_label
from ..core.models import SOURCES, Draft, FundingRow
from ..core.numbers import fmt_decimal
from ..core.checks import check_report
from ..compose.templates import cn_date
from ..core.scoring import ruleset_for_form
from ..core.text import without_controls
from . import docx_style as st
from .atomic_file import write_atomically

TICK, BOX = "☑", "□"


def leader_with_title(p) -> str | None:
    """'刘芳（股长）': the leader's name with the title the officer gave."""
    return f"{p.leader}（{p.leader_title}）" if p.leader and p.leader_title else p.leader


def _m(value: Decimal | None) -> str:
    return "" if value is None else fmt_decimal(value)


def _cover(document, draft: Draft, region_title: str) -> None:
    p = draft.report.project
    form = get_form(draft.form)
    if form and form.attachment:
        para = document.add_paragraph()
        st.font(para.add_run(form.attachment), st.H1_FONT, "三号")
    st.title(document, f"{region_title}{form.title if form else '财政支出项目绩效自评报告'}")
    cover = form.cover if form else Cover()
    ticked = "    ".join(f"{said}{TICK if p.eval_type == core else BOX}" for core, said in zip(EVAL_TYPES, cover.types))
    lines = [f"{cover.type_label}：{ticked}", f"项目名称：{p.name or '【待补充：项目名称】'}",
             f"项目单位：{p.unit or '【待补充：项目单位】'}", f"主管部门：{p.department or ''}", *cover.lines,
             f"报告日期：{cn_date(p.report_date) if p.report_date else '    年  月  日'}"]
    for line in lines:
        para = document.add_paragraph()
        st.add_marked_text(para, line)
    para = document.add_paragraph()
    para.alignment = WD_ALIGN_PARAGRAPH.CENTER
    st.font(para.add_run(f"{region_title}财政局（制）"), st.BODY_FONT, "三号")
    para.add_run().add_break(WD_BREAK.PAGE)


def _funding_rows(draft: Draft) -> tuple[FundingRow, dict[str, FundingRow]]:
    funding = draft.report.funding
    total = calc.total_of(funding)
    return total, {r.source: r for r in funding.sources}


def _form_rows(sources: dict[str, FundingRow]) -> dict[str, FundingRow]:
    """The form's own rows (中央 … 其它): money from a source the form has no row for ('乡镇配套', '局自筹') is
    printed in 其它, so the rows still add up to the total."""
    rows = {k: v for k, v in sources.items() if k in SOURCES}
    levels = (("中央", SOURCES[0]), ("省", SOURCES[1]), ("市", SOURCES[2]), ("县", SOURCES[3]), ("区", SOURCES[3]))
    extra: dict[str, list[FundingRow]] = {}
    for name, row in sources.items():
        if name not in SOURCES:  # '省级河长制专项' is the province's money; '乡镇配套', '局自筹' are other money
            level = next((s for word, s in levels if name.startswith(word)), SOURCES[-1])
            extra.setdefault(level, []).append(row)
    for level, more in extra.items():
        base = rows.get(level)
        folded = FundingRow(source=level)
        for col in ("planned", "arrived", "spent", "balance"):
            values = [r.get(col) for r in ([base] if base else []) + more if r.get(col) is not None]
            setattr(folded, col, sum(values) if values else None)
        rows[level] = folded
    return rows


def _basic_table(document, draft: Draft) -> None:
    """一、项目基本概况: the header facts, then the funding grid in the form's label/value pairs."""
    p = draft.report.project
    total, sources = _funding_rows(draft)
    sources = _form_rows(sources)
    t = st.table(document, 4 + 1 + len(SOURCES), 8)
    head = [("项目负责人", leader_with_title(p)), ("联系电话", p.phone)], [("项目地址", p.address), ("邮编", p.postcode)]
    for r, pairs in enumerate(head):
        for k, (label, value) in enumerate(pairs):
            a = st.cell(t, r, k * 4).merge(st.cell(t, r, k * 4 + 1))
            b = st.cell(t, r, k * 4 + 2).merge(st.cell(t, r, k * 4 + 3))
            st.cell_text(a, label)
            st.cell_text(b, value or "")
    st.cell_text(st.cell(t, 2, 0).merge(st.cell(t, 2, 1)), "项目起止时间")
    st.cell_text(st.cell(t, 2, 2).merge(st.cell(t, 2, 7)), p.period_text or "【待补充：项目起止时间】")
    st.cell_text(st.cell(t, 3, 0).merge(st.cell(t, 3, 7)), "资金情况", center=True)
    labels = ("计划安排资金（万元）", "实际到位资金（万元）", "实际支出（万元）", "结余（万元）")
    columns = ("planned", "arrived", "spent", "balance")
    balance = total.balance if total.balance is not None else calc.balance(total)
    for k, (label, col) in enumerate(zip(labels, columns)):
        st.cell_text(st.cell(t, 4, k * 2), label)
        st.cell_text(st.cell(t, 4, k * 2 + 1), _m(balance if col == "balance" else total.get(col)))
    for r, source in enumerate(SOURCES, start=5):
        row = sources.get(source)
        name = source_label(draft.form, source)
        name = f"其中：{name}" if source == SOURCES[0] else name
        for k, col in enumerate(columns):
            st.cell_text(st.cell(t, r, k * 2), name)
            st.cell_text(st.cell(t, r, k * 2 + 1), _m(row.get(col)) if row else "")
    st.fit_columns(t)  # '456.2' never broken across lines


def _expense_table(document, draft: Draft) -> None:
    r = draft.report
    rows = r.expenses or []
    t = st.table(document, len(rows) + 2, 4)
    for k, label in enumerate(("支出内容", "实际支出数", "会计凭证号", "备注")):
        st.cell_text(st.cell(t, 0, k), label, bold=True, center=True)
    for i, e in enumerate(rows, start=1):
        for k, value in enumerate((e.content, _m(e.amount), e.voucher or "", e.note or "")):
            st.cell_text(st.cell(t, i, k), value)
    total = r.expense_total if r.expense_total is not None else calc.detail_sum(e.amount for e in rows)
    st.cell_text(st.cell(t, len(rows) + 1, 0), "支出合计")
    st.cell_text(st.cell(t, len(rows) + 1, 1), _m(total))
    st.fit_columns(t, wide=(0, 3))


def _indicator_table(document, draft: Draft, score_total: Decimal | None, grade: str | None) -> None:
    r = draft.report
    goals = r.goals[0] if r.goals else None
    g = st.table(document, 2, 2)
    st.cell_text(st.cell(g, 0, 0), "预期目标", bold=True, center=True)
    st.cell_text(st.cell(g, 0, 1), "实际完成", bold=True, center=True)
    st.cell_text(st.cell(g, 1, 0), goals.expected if goals else "【待补充：预期目标】")
    st.cell_text(st.cell(g, 1, 1), goals.actual if goals else "【待补充：实际完成】")
    document.add_paragraph()
    inds = [i for i in r.indicators]
    t = st.table(document, len(inds) + 3, 5)
    for k, label in enumerate(("一级指标", "二级指标", "指标内容", "指标（目标）值", "实际完成值")):
        st.cell_text(st.cell(t, 0, k), label, bold=True, center=True)
    start = 1
    for i, ind in enumerate(inds, start=1):
        for k, value in enumerate((ind.level1, ind.level2, ind.name, ind.target, ind.actual)):
            st.cell_text(st.cell(t, i, k), value)
        # 一级指标 spans its rows, as in the form
        if i == len(inds) or inds[i].level1 != ind.level1:
            if i > start:
                merged = st.cell(t, start, 0).merge(st.cell(t, i, 0))
                st.cell_text(merged, ind.level1)
            start = i + 1
    n = len(inds) + 1
    st.cell_text(st.cell(t, n, 0).merge(st.cell(t, n, 1)), "绩效自评综合得分")
    st.cell_text(st.cell(t, n, 2).merge(st.cell(t, n, 4)), _m(score_total))
    st.cell_text(st.cell(t, n + 1, 0).merge(st.cell(t, n + 1, 1)), "评价等次")
    st.cell_text(st.cell(t, n + 1, 2).merge(st.cell(t, n + 1, 4)), grade or "")
    st.fit_columns(t, wide=(2,))


def _people_table(document) -> None:
    t = st.table(document, 4, 4)
    for k, label in enumerate(("姓名", "职称/职务", "单  位", "签字")):
        st.cell_text(st.cell(t, 0, k), label, bold=True, center=True)


def _signatures(document) -> None:
    for label in ("评价组组长（签字）：", "项目单位意见：\n项目单位负责人（签章）：", "主管部门意见：\n主管部门负责人（签章）：",
                  "财政部门归口业务科室意见：\n财政部门归口业务科室负责人（签章）："):
        for line in label.split("\n"):
            para = document.add_paragraph()
            st.font(para.add_run(line), st.BODY_FONT, "三号")
        para = document.add_paragraph()
        para.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        st.font(para.add_run("年    月    日"), st.BODY_FONT, "三号")


def _score_table(document, draft: Draft, items: list) -> None:
    """The form's score table (附件3-2) with its rule set's levels, level-1/2 cells merged down their rows."""
    rules, form = ruleset_for_form(draft.form), get_form(draft.form)
    l1w: dict[str, Decimal] = {}
    l2w: dict[tuple[str, str], Decimal] = {}
    for it in items:
        l1w[it.path[0]] = l1w.get(it.path[0], Decimal(0)) + it.weight
        l2w[(it.path[0], it.path[1])] = l2w.get((it.path[0], it.path[1]), Decimal(0)) + it.weight
    if form and form.score_table:
        para = document.add_paragraph()
        st.font(para.add_run(form.score_table), st.H1_FONT, "三号")
    st.title(document, "项目支出绩效评价指标体系")
    t = st.table(document, len(items) + 2, 8)
    for k, label in enumerate(("一级指标", "分值", "二级指标", "分值", "三级指标", "分值", "评价标准", "自评得分")):
        st.cell_text(st.cell(t, 0, k), label, size="五号", bold=True, center=True)
    criteria = {tuple(i.path): i.rule.criteria for i in rules.items} if rules else {}
    for r, it in enumerate(items, start=1):
        score = it.claimed if it.claimed is not None else it.computed
        values = (it.path[0], _m(l1w[it.path[0]]), it.path[1], _m(l2w[(it.path[0], it.path[1])]), it.path[2],
                  _m(it.weight), criteria.get(tuple(it.path), ""), _m(score))
        for k, value in enumerate(values):
            st.cell_text(st.cell(t, r, k), value, size="五号")
    for col, key in ((0, lambda it: it.path[0]), (2, lambda it: (it.path[0], it.path[1]))):
        start = 1
        for r in range(1, len(items) + 1):
            last = r == len(items) or key(items[r]) != key(items[r - 1])
            if last:
                if r > start:
                    text, weight = st.cell(t, start, col).text, st.cell(t, start, col + 1).text
                    st.cell_text(st.cell(t, start, col).merge(st.cell(t, r, col)), text, size="五号")
                    st.cell_text(st.cell(t, start, col + 1).merge(st.cell(t, r, col + 1)), weight, size="五号")
                start = r + 1
    n = len(items) + 1
    claimed = [it.claimed if it.claimed is not None else it.computed for it in items]
    total = draft.report.claimed_total
    if total is None and all(c is not None for c in claimed):
        total = sum(claimed, Decimal(0))  # type: ignore[arg-type]
    for k, value in enumerate(("总分", "100", "", "100", "", "100", "", _m(total))):
        st.cell_text(st.cell(t, n, k), value, size="五号")
    st.fit_columns(t, size="五号", wide=(6,))


def _narrative(document, draft: Draft) -> None:
    for sec in draft.sections:
        st.heading(document, sec.title, level=2 if layout_of(draft.form) == "yueyang" else 1)
        st.body(document, sec.text)


def _huainan(document, draft: Draft, region_title: str, score_total, grade) -> None:
    p = draft.report.project
    total, sources = _funding_rows(draft)
    sources = _form_rows(sources)
    t = st.table(document, 4 + len(SOURCES), 4)
    rows = [("项目负责人", leader_with_title(p), "联系电话", p.phone), ("地址", p.address, "邮编", p.postcode),
            ("项目起止时间", p.period_text),
            ("计划投资额（万元）", _m(total.planned), "实际到位资金（万元）", _m(total.arrived))]
    st.cell(t, 2, 1).merge(st.cell(t, 2, 3))  # the period spans the row, as the form prints it
    for r, row in enumerate(rows):
        for k, value in enumerate(row):
            st.cell_text(st.cell(t, r, k), value or "")
    for r, source in enumerate(SOURCES, start=4):
        row = sources.get(source)
        name = source_label(draft.form, source)
        name = f"其中：{name}" if source == SOURCES[0] else name
        st.cell_text(st.cell(t, r, 0), name)
        st.cell_text(st.cell(t, r, 1), _m(row.planned) if row else "")
        st.cell_text(st.cell(t, r, 2), name)
        st.cell_text(st.cell(t, r, 3), _m(row.arrived) if row else "")
    document.add_paragraph()
    for sec in draft.sections:
        st.heading(document, sec.title)
        st.body(document, sec.text)
        if sec.kind == "conclusion":
            st.body(document, f"考评等次：{grade or '【待补充：考评等次】'}")
    _people_table(document)


def _national(document, draft: Draft, score) -> None:
    r = draft.report
    total, sources = _funding_rows(draft)
    form = get_form(draft.form)
    st.title(document, form.title if form else "项目支出绩效自评表")
    para = document.add_paragraph()
    para.alignment = WD_ALIGN_PARAGRAPH.CENTER
    st.font(para.add_run(f"（{report_year(r) or '    '}年度）"), st.BODY_FONT, "三号")
    t = st.table(document, 3, 8)
    st.cell_text(st.cell(t, 0, 0).merge(st.cell(t, 0, 1)), "项目名称")
    st.cell_text(st.cell(t, 0, 2).merge(st.cell(t, 0, 7)), r.project.name or "【待补充：项目名称】")
    st.cell_text(st.cell(t, 1, 0).merge(st.cell(t, 1, 1)), "主管部门")
    st.cell_text(st.cell(t, 1, 2).merge(st.cell(t, 1, 3)), r.project.department or "")
    st.cell_text(st.cell(t, 1, 4).merge(st.cell(t, 1, 5)), "实施单位")
    st.cell_text(st.cell(t, 1, 6).merge(st.cell(t, 1, 7)), r.project.unit or "")
    heads = ("项目资金（万元）", "", "年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分")
    for k, h in enumerate(heads):
        st.cell_text(st.cell(t, 2, k), h, bold=True)
    exec_item = next((i for i in score.items if i.path == ["预算执行率"]), None)
    money = st.table(document, 1 + len(sources), 8)
    rate = calc.execution_rate(total)
    first = ("", "年度资金总额", _m(total.planned), _m(total.arrived), _m(total.spent), "10",
             f"{fmt_decimal((rate * 100).quantize(Decimal('0.01')))}%" if rate is not None else "",
             _m(exec_item.claimed if exec_item and exec_item.claimed is not None else exec_item.computed if exec_item else None))
    for k, v in enumerate(first):
        st.cell_text(st.cell(money, 0, k), v)
    for i, (name, row) in enumerate(sources.items(), start=1):
        for k, v in enumerate(("", f"其中：{name}", _m(row.planned), _m(row.arrived), _m(row.spent), "—", "—", "—")):
            st.cell_text(st.cell(money, i, k), v)
    st.fit_columns(money, wide=(1,), also=(t,))  # the 项目资金 heads above line up with the figures
    goal = r.goals[0] if r.goals else None
    goals = st.table(document, 2, 8)
    st.cell_text(st.cell(goals, 0, 0).merge(st.cell(goals, 1, 1)), "年度总体目标")
    st.cell_text(st.cell(goals, 0, 2).merge(st.cell(goals, 0, 4)), "预期目标", bold=True)
    st.cell_text(st.cell(goals, 0, 5).merge(st.cell(goals, 0, 7)), "实际完成情况", bold=True)
    st.cell_text(st.cell(goals, 1, 2).merge(st.cell(goals, 1, 4)), goal.expected if goal else "【待补充：预期目标】")
    st.cell_text(st.cell(goals, 1, 5).merge(st.cell(goals, 1, 7)), goal.actual if goal else "【待补充：实际完成情况】")
    inds = [i for i in r.indicators if i.name or i.target]
    ind_t = st.table(document, len(inds) + 2, 9)
    for k, h in enumerate(("绩效指标", "一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分",
                           "偏差原因分析及改进措施")):
        st.cell_text(st.cell(ind_t, 0, k), h, size="五号", bold=True)
    by_name = {i.path[-1]: i for i in score.items}
    for n, ind in enumerate(inds, start=1):
        it = by_name.get(ind.name)
        got = ind.claimed if ind.claimed is not None else (it.computed if it else None)
        weight = ind.weight if ind.weight is not None else (it.weight if it else None)
        for k, v in enumerate(("", ind.level1, ind.level2, ind.name, ind.target, ind.actual, _m(weight), _m(got),
                               ind.reason)):
            st.cell_text(st.cell(ind_t, n, k), v, size="五号")
    last = len(inds) + 1
    total_score = r.claimed_total if r.claimed_total is not None else score.computed_total
    for k, v in enumerate(("总分", "", "", "", "", "", "100", _m(total_score), "")):
        st.cell_text(st.cell(ind_t, last, k), v, size="五号")
    st.fit_columns(ind_t, size="五号", wide=(3, 8))  # 三级指标 and 偏差原因 are sentences
    document.add_paragraph()
    for sec in draft.sections:
        st.heading(document, sec.title)
        st.body(document, sec.text)


def build_document(draft: Draft):
    draft = Draft.model_validate(without_controls(draft.model_dump()))
    document = docx.Document()
    st.page_setup(document)
    region = report_region(draft.report)
    result = check_report(draft.report, ruleset_for_form(draft.form))
    score_total = result.score.claimed_total if result.score.claimed_total is not None else result.score.computed_total
    grade = draft.report.claimed_grade or result.score.computed_grade
    layout = layout_of(draft.form)
    if layout == "national":
        _national(document, draft, result.score)
        return document
    _cover(document, draft, region)
    if layout == "huainan":
        _huainan(document, draft, region, score_total, grade)
        return document
    st.heading(document, "一、项目基本概况")
    _basic_table(document, draft)
    st.heading(document, "二、项目支出明细情况")
    _expense_table(document, draft)
    st.heading(document, "三、项目绩效自评情况")
    _indicator_table(document, draft, score_total, grade)
    st.heading(document, "四、评价人员")
    _people_table(document)
    _signatures(document)
    st.heading(document, "五、评价报告综述（文字部分）")
    _narrative(document, draft)
    document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    _score_table(document, draft, result.score.items)
    return document


def docx_bytes(draft: Draft) -> bytes:
    """The .docx as bytes, for the service (rendered in a worker process, sent without a file)."""
    import io

    buffer = io.BytesIO()
    build_document(draft).save(buffer)
    return buffer.getvalue()


def write_docx(draft: Draft, path: str | Path) -> Path:
    """Write atomically: a half-written file never replaces a good one."""
    return write_atomically(path, build_document(draft).save)
