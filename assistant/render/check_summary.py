"""`assistant check` without --json: a readable Chinese summary of figures, scores and findings."""
from __future__ import annotations

from decimal import Decimal

from ..core import calc
from ..core.checks import CheckResult
from ..core.forms import get_form, layout_of
from ..compose.templates import cn_date
from ..core.numbers import fmt_decimal, fmt_percent

SEVERITY_NAMES = {"error": "错误", "warning": "警告", "info": "提示"}


def _m(value: Decimal | None) -> str:
    return "—" if value is None else fmt_decimal(value)


def summary_text(result: CheckResult) -> str:
    r, s = result.report, result.score
    p = r.project
    lines = [f"项目：{p.name or '（未识别项目名称）'}" + (f"（{p.unit}）" if p.unit else "")]
    when = f"    报告日期：{cn_date(p.report_date)}" if p.report_date else ""
    form = get_form(p.form)
    lines.append(f"报告格式：{form.name if form else '未识别格式'}{when}")
    total = calc.total_of(r.funding)
    balance = _m(total.balance if total.balance is not None else calc.balance(total))
    if layout_of(p.form) == "national":  # the national form's own words; it has no 到位率
        lines.append(f"资金（万元）：年初预算数 {_m(total.planned)}  全年预算数 {_m(total.arrived)}  "
                     f"全年执行数 {_m(total.spent)}  结余 {balance}")
        lines.append(f"  预算执行率 {fmt_percent(calc.execution_rate(total))}")
    else:
        lines.append(f"资金（万元）：计划安排 {_m(total.planned)}  实际到位 {_m(total.arrived)}  "
                     f"实际支出 {_m(total.spent)}  结余 {balance}")
        lines.append(f"  资金到位率 {fmt_percent(calc.arrival_rate(total))}  预算执行率 {fmt_percent(calc.execution_rate(total))}")
    if r.expenses:
        lines.append(f"支出明细：{len(r.expenses)} 行，明细合计 {_m(calc.detail_sum(e.amount for e in r.expenses))} 万元")
    lines.append(f"绩效指标：{len([i for i in r.indicators if i.name or i.target])} 项")
    if s.items or s.claimed_total is not None or s.claimed_grade:
        lines.append(f"评分：自评总分 {_m(s.claimed_total)}（{s.claimed_grade or '未填等次'}）    "
                     f"按规则计算 {_m(s.computed_total)}（{s.computed_grade or '—'}）")
        for it in s.items:
            if it.claimed != it.computed and it.computed is not None:
                lines.append(f"  {'/'.join(it.path)}：自评 {_m(it.claimed)}，规则 {_m(it.computed)} —— {it.reason}")
    counts = {k: sum(1 for f in result.findings if f.severity == k) for k in SEVERITY_NAMES}
    lines.append(f"发现问题 {len(result.findings)} 条（错误 {counts['error']}，警告 {counts['warning']}，"
                 f"提示 {counts['info']}）")
    order = {"error": 0, "warning": 1, "info": 2}
    for f in sorted(result.findings, key=lambda f: order[f.severity]):
        where = f.where.label()
        lines.append(f"  [{SEVERITY_NAMES[f.severity]}] {f.message}" + (f"（{where}）" if where else "") + f"  {f.code}")
    for w in r.warnings:
        if not w.code:  # a coded warning is already listed among the findings
            lines.append(f"  [读取] {w.message}")
    return "\n".join(lines)
