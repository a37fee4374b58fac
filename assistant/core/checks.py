"""Findings: what does not add up in a report, each with a stable dotted code and its evidence.

Codes are a contract (DESIGN.md): add freely, never rename one that has shipped.
"""
from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field

from . import calc, review_rules
from .forms import layout_of
from .models import FUNDING_COLUMNS, Finding, Report, Severity, Where
from .numbers import compact, find_money, fmt_decimal, fmt_percent, quantize, to_halfwidth
from .scoring import RuleSet, ScoreResult, family_indicators, score_report

TOLERANCE = Decimal("0.005")  # amounts are written to 2 decimals in 万元
LOW_EXECUTION = Decimal("0.6")  # below this, full output/effect marks are suspicious
OVER_ACHIEVED = Decimal("1.2")  # 财预〔2020〕10号: far above target → analyse, maybe adjust
_COL = {"planned": "计划安排资金", "arrived": "实际到位资金", "spent": "实际支出", "balance": "结余"}


class CheckResult(BaseModel):
    model_config = ConfigDict(extra="forbid")
    report: Report
    score: ScoreResult
    findings: list[Finding] = Field(default_factory=list)
    review_pack: str = ""  # the region's review rules (knowledge/rulesets/review/<id>.yaml)


def _f(code: str, severity: Severity, message: str, where: Where | None = None, **evidence) -> Finding:
    ev = {k: (fmt_decimal(v) if isinstance(v, Decimal) else v) for k, v in evidence.items()}
    return Finding(code=code, severity=severity, message=message, evidence=ev, where=where or Where())


def _differs(a: Decimal, b: Decimal) -> bool:
    return abs(a - b) > TOLERANCE


# ---------------------------------------------------------------------------------------------
# Funding


def funding_findings(report: Report) -> list[Finding]:
    f = report.funding
    out: list[Finding] = []
    if f.origin == "none" or calc.total_of(f).is_empty():
        # a table whose amounts could not be read or placed has its own findings, listed first
        unread = [w for w in report.warnings if w.code in ("funding.unreadable_amount", "funding.unplaced_amounts")]
        message = ("资金表的金额未能读取（原因见上）" if unread else
                   "未找到资金数据：请提供计划安排、实际到位、实际支出金额")
        return [_f("funding.missing", "warning", message, unread[0].where if unread else None)]
    national = layout_of(report.project.form) == "national"
    names = {"spent": "全年执行数", "arrived": "全年预算数"} if national else {"spent": "实际支出", "arrived": "实际到位资金"}
    rows = [f.total, *f.sources]
    for row in rows:
        expected = calc.balance(row)
        if row.balance is not None and expected is not None and _differs(row.balance, expected):
            out.append(_f("funding.balance_mismatch", "error",
                          f"{row.source}结余 {fmt_decimal(row.balance)} 万元 ≠ 实际到位 {fmt_decimal(row.arrived)}"
                          f" − 实际支出 {fmt_decimal(row.spent)} = {fmt_decimal(expected)} 万元",
                          row.where, source=row.source, balance=row.balance, arrived=row.arrived,
                          spent=row.spent, expected=expected))
        if row.arrived is not None and row.spent is not None and row.spent - row.arrived > TOLERANCE:
            out.append(_f("funding.overspent", "error",
                          f"{row.source}{names['spent']} {fmt_decimal(row.spent)} 万元超过{names['arrived']} "
                          f"{fmt_decimal(row.arrived)} 万元", row.where, source=row.source,
                          spent=row.spent, arrived=row.arrived))
        if row.planned is not None and row.arrived is not None and row.arrived - row.planned > TOLERANCE:
            if national:  # 全年预算数 above 年初预算数 is a mid-year addition, which must be explained
                out.append(_f("funding.budget_adjusted", "info",
                              f"{row.source}全年预算数 {fmt_decimal(row.arrived)} 万元高于年初预算数 "
                              f"{fmt_decimal(row.planned)} 万元（年中追加 {fmt_decimal(row.arrived - row.planned)} 万元），"
                              "应说明预算调整原因", row.where, source=row.source, arrived=row.arrived,
                              planned=row.planned))
                continue
            out.append(_f("funding.arrived_exceeds_planned", "warning",
                          f"{row.source}实际到位 {fmt_decimal(row.arrived)} 万元超过计划安排 "
                          f"{fmt_decimal(row.planned)} 万元", row.where, source=row.source,
                          arrived=row.arrived, planned=row.planned))
    if calc.total_left_zero(f):
        out.append(_f("funding.total_unfilled", "warning",
                      "资金表“合计/年度资金总额”行全为 0，而各资金来源填有金额：按各来源之和计算", f.total.where))
    elif f.sources and not f.total.is_empty():
        for col in FUNDING_COLUMNS:
            parts = [r.get(col) for r in f.sources if r.get(col) is not None]
            total = f.total.get(col)
            if parts and total is not None and _differs(sum(parts, Decimal(0)), total):
                out.append(_f("funding.sources_mismatch", "error",
                              f"各资金来源{_COL[col]}之和 {fmt_decimal(sum(parts, Decimal(0)))} 万元 ≠ 合计 "
                              f"{fmt_decimal(total)} 万元", f.total.where, column=col,
                              sources_sum=sum(parts, Decimal(0)), total=total))
    total = calc.total_of(f)
    for label, stated, computed in (("预算执行率", f.stated_execution_rate, calc.execution_rate(total)),
                                    ("资金到位率", f.stated_arrival_rate, calc.arrival_rate(total))):
        if stated is None or computed is None:
            continue
        places = max(2, -stated.normalize().as_tuple().exponent)  # compare at the precision written
        if quantize(computed, places) != quantize(stated, places):
            out.append(_f("funding.rate_mismatch", "warning",
                          f"报告所写{label} {fmt_percent(stated)} 与按资金数计算的 {fmt_percent(computed)} 不符",
                          None, figure=label, stated=fmt_percent(stated), computed=fmt_percent(computed)))
    execution = calc.execution_rate(total)
    if execution is not None and execution < Decimal("0.8"):
        basis = total.get(calc.execution_basis(total) or "arrived")
        out.append(_f("funding.low_execution", "warning",
                      f"预算执行率仅 {fmt_percent(execution)}（{fmt_decimal(total.spent)}/{fmt_decimal(basis)}），"
                      "按财预〔2020〕10号应单独说明原因并提出整改措施", total.where,
                      execution_rate=fmt_percent(execution)))
    return out


# ---------------------------------------------------------------------------------------------
# Expenses


def expense_findings(report: Report) -> list[Finding]:
    out: list[Finding] = []
    rows = [e.amount for e in report.expenses if e.amount is not None]
    row_sum = calc.detail_sum(rows)
    if row_sum is not None and report.expense_total is not None and _differs(row_sum, report.expense_total):
        out.append(_f("expense.total_mismatch", "error",
                      f"支出明细合计 {fmt_decimal(row_sum)} 万元 ≠ 支出合计栏 {fmt_decimal(report.expense_total)} 万元",
                      report.expense_total_where, rows_sum=row_sum, stated_total=report.expense_total))
    spent = calc.total_of(report.funding).spent
    shown = report.expense_total if report.expense_total is not None else row_sum
    if shown is not None and spent is not None and _differs(shown, spent):
        out.append(_f("expense.spent_mismatch", "error",
                      f"支出合计 {fmt_decimal(shown)} 万元 ≠ 资金表实际支出 {fmt_decimal(spent)} 万元",
                      report.expense_total_where, expense_total=shown, spent=spent))
    out.extend(_yuan_rows(report, spent))
    out.extend(_voucher_dates(report))
    out.extend(_narrative_amounts(report))
    return out


def _yuan_rows(report: Report, spent) -> list[Finding]:
    """A row written in 元 in a 万元 table: alone larger than everything spent, and right once divided by 10,000."""
    if spent is None or spent <= 0:
        return []
    out = []
    for k, e in enumerate(report.expenses, start=1):
        if e.amount is not None and e.amount > spent * 10 and e.amount / 10000 <= spent:
            wan = quantize(e.amount / 10000, 4)
            out.append(_f("expense.unit_suspect", "warning",
                          f"支出明细第{k}行“{e.content}” {fmt_decimal(e.amount)} 万元大于全部实际支出 {fmt_decimal(spent)} "
                          f"万元，可能是按元填写（{fmt_decimal(wan)} 万元）", e.where, amount=e.amount, as_wan=wan))
    return out


def _month(text: str | None) -> tuple[int, int] | None:
    if not text:
        return None
    m = re.match(r"(\d{4})(?:-(\d{2}))?", text)
    if not m:
        return None
    return int(m.group(1)), int(m.group(2) or 0)


def _voucher_dates(report: Report) -> list[Finding]:
    start, end = _month(report.project.period_start), _month(report.project.period_end)
    out = []
    for e in report.expenses:
        m = re.search(r"(\d{4})\s*年\s*(\d{1,2})\s*月", to_halfwidth(e.voucher or ""))
        if not m:
            continue
        ym = (int(m.group(1)), int(m.group(2)))
        early = start is not None and (ym[0] < start[0] or (start[1] and ym[0] == start[0] and ym[1] < start[1]))
        late = end is not None and (ym[0] > end[0] or (end[1] and ym[0] == end[0] and ym[1] > end[1]))
        if early or late:
            out.append(_f("expense.date_out_of_period", "warning",
                          f"支出“{e.content}”的凭证日期 {ym[0]}年{ym[1]}月 不在项目起止时间"
                          f"（{report.project.period_text}）内", e.where, voucher=e.voucher,
                          period=report.project.period_text))
    return out


def _narrative_amounts(report: Report) -> list[Finding]:
    """Amounts in the 资金使用 narrative that match no table figure, row, or regrouping of rows."""
    section = report.section("funding_use")
    if section is None:
        return []
    total = calc.total_of(report.funding)
    known = [v for r in (total, *report.funding.sources) for v in (r.planned, r.arrived, r.spent, r.balance)
             if v is not None]
    rows = [e.amount for e in report.expenses if e.amount is not None]
    if report.expense_total is not None:
        known.append(report.expense_total)
    known.extend(rows)
    mentions = [m.value for m in find_money(section.text)]
    out = []
    for k, value in enumerate(mentions):
        if value <= 0 or any(not _differs(value, x) for x in known):
            continue
        if calc.subset_summing_to(rows, value) is not None:
            continue  # the narrative regroups detail rows (电信服务费 67.7 = 29.5 + 20.24 + 17.96)
        others = mentions[:k] + mentions[k + 1:] + rows
        if any(x > value and calc.subset_summing_to(others, x - value) is not None for x in set(known)):
            continue  # a part of a table figure, with the other parts stated too
        out.append(_f("expense.narrative_unmatched", "info",
                      f"资金使用情况中的 {fmt_decimal(value)} 万元 与资金表和支出明细均对不上",
                      Where(line=section.line), amount=value))
    return out


# ---------------------------------------------------------------------------------------------
# Indicators


def indicator_findings(report: Report) -> list[Finding]:
    if not report.indicators:
        return [_f("indicator.missing", "warning", "未找到绩效指标（指标内容、目标值、实际完成值）")]
    out = []
    for ind in report.indicators:
        label = ind.name or ind.level2
        if compact(ind.name) in ("", "无") and not ind.target and not ind.actual:
            out.append(_f("indicator.empty_family", "info", f"{ind.level2 or '该类'}未设指标", ind.where,
                          family=calc.family_of(ind.level2)))
            continue
        c = calc.completion(ind)
        if c.ratio is None:
            if ind.actual or ind.target:
                out.append(_f("indicator.not_comparable", "info",
                              f"指标“{label}”无法计算完成率：{c.note}", ind.where,
                              target=ind.target, actual=ind.actual))
            continue
        if c.target.numeric and not c.actual.numeric and c.actual.qualitative == "met" and not c.note.startswith("实际完成值填为"):
            out.append(_f("indicator.actual_not_numeric", "info",
                          f"指标“{label}”目标为数值“{ind.target}”，实际完成值却写作“{ind.actual}”，应填写实际数值",
                          ind.where, target=ind.target, actual=ind.actual))
        if c.note.startswith("实际完成值填为"):
            out.append(_f("indicator.misfiled", "info", f"指标“{label}”：{c.note}", ind.where,
                          target=ind.target, actual=ind.actual))
        if c.ratio < 1:
            verdict = (f"未按期完成：{c.note}" if c.target.unit == calc.DATE_UNIT else
                       f"未达成：目标 {ind.target or c.target.raw}，实际 {ind.actual or c.actual.raw}，"
                       f"完成率 {fmt_percent(c.ratio)}")
            out.append(_f("indicator.unmet", "warning", f"指标“{label}”{verdict}", ind.where, target=ind.target,
                          actual=ind.actual, completion=fmt_percent(c.ratio)))
        elif c.ratio > OVER_ACHIEVED and not c.lower_is_better:
            out.append(_f("indicator.over_achieved", "info",
                          f"指标“{label}”完成值 {ind.actual} 远高于目标 {ind.target}（{fmt_percent(c.ratio)}），"
                          "应分析原因；如系年初指标值设定明显偏低，应按偏离度适度调减分值", ind.where,
                          target=ind.target, actual=ind.actual, completion=fmt_percent(c.ratio)))
    return out


# ---------------------------------------------------------------------------------------------
# Scores


def score_findings(report: Report, score: ScoreResult, rules: RuleSet | None) -> list[Finding]:
    out: list[Finding] = []
    items = score.items
    for it in items:
        name = it.path[-1]
        if it.claimed is None:
            if it.basis == "missing" and report.claimed_scores:
                out.append(_f("score.item_missing", "warning", f"评分表缺少“{name}”项", it.where, item=name))
            continue
        if it.claimed - it.weight > TOLERANCE:
            out.append(_f("score.item_above_weight", "error",
                          f"“{name}”自评 {fmt_decimal(it.claimed)} 分，超过该项分值 {fmt_decimal(it.weight)} 分",
                          it.where, item=name, claimed=it.claimed, weight=it.weight))
        elif it.basis == "rule" and it.computed is not None and it.claimed - it.computed > TOLERANCE:
            out.append(_f("score.item_above_rule", "warning",
                          f"“{name}”自评 {fmt_decimal(it.claimed)} 分，按规则应得 {fmt_decimal(it.computed)} 分：{it.reason}",
                          it.where, item=name, claimed=it.claimed, computed=it.computed, reason=it.reason))
    if rules is not None:
        for row in report.claimed_scores:
            rule_item = rules.find(row.path[-1]) if row.path else None
            if rule_item and row.weight is not None and row.weight != rule_item.weight:
                out.append(_f("score.weight_mismatch", "info",
                              f"“{row.path[-1]}”分值 {fmt_decimal(row.weight)} 与评分规则 {fmt_decimal(rule_item.weight)} 不同；"
                              "如为单位细化的指标体系，请用 --rules 指定", row.where, item=row.path[-1],
                              table_weight=row.weight, rule_weight=rule_item.weight))
            allowed = rule_item.rule.allowed if rule_item else []
            if allowed and row.claimed is not None and row.claimed <= rule_item.weight and row.claimed not in allowed:
                out.append(_f("score.item_off_rule", "info",
                              f"“{row.path[-1]}”自评 {fmt_decimal(row.claimed)} 分，不是规则允许的分值"
                              f"（{'、'.join(fmt_decimal(a) for a in allowed)}）", row.where,
                              item=row.path[-1], claimed=row.claimed))
    for ind in report.indicators:
        if ind.name and not compact(ind.actual) and ind.weight and ind.claimed is not None \
                and not _differs(ind.claimed, ind.weight):
            out.append(_f("score.no_actual_full_marks", "warning",
                          f"指标“{ind.name}”实际完成值为空，却得满分 {fmt_decimal(ind.claimed)} 分", ind.where,
                          item=ind.name, claimed=ind.claimed, target=ind.target))
    claimed_items = [it.claimed for it in items if it.claimed is not None]
    table_total = report.claimed_total
    if table_total is not None and claimed_items and _differs(sum(claimed_items, Decimal(0)), table_total):
        out.append(_f("score.total_mismatch", "error",
                      f"各项自评得分之和 {fmt_decimal(sum(claimed_items, Decimal(0)))} ≠ 所填总分 {fmt_decimal(table_total)}",
                      None, items_sum=sum(claimed_items, Decimal(0)), claimed_total=table_total))
    if report.summary_total is not None and table_total is not None and _differs(report.summary_total, table_total):
        out.append(_f("score.summary_mismatch", "error",
                      f"绩效自评综合得分 {fmt_decimal(report.summary_total)} ≠ 评分表总分 {fmt_decimal(table_total)}",
                      None, summary_total=report.summary_total, table_total=table_total))
    bands = rules.bands if rules else calc.DEFAULT_GRADES
    claimed_total = score.claimed_total
    claimed_grade = calc.normalise_grade(report.claimed_grade)
    band = calc.grade_of(claimed_total, bands)
    if claimed_grade and band and claimed_grade != band:
        out.append(_f("score.grade_mismatch", "error",
                      f"评价等次“{report.claimed_grade}”与总分 {fmt_decimal(claimed_total)} 对应的等次“{band}”不符",
                      None, claimed_grade=report.claimed_grade, total=claimed_total, band=band))
    if score.computed_grade and claimed_grade and score.computed_grade != claimed_grade and band == claimed_grade:
        out.append(_f("score.computed_grade_differs", "warning",
                      f"按规则计算总分 {fmt_decimal(score.computed_total)}，等次应为“{score.computed_grade}”，"
                      f"报告为“{report.claimed_grade}”", None, computed_total=score.computed_total,
                      computed_grade=score.computed_grade, claimed_grade=report.claimed_grade))
    if rules is not None and report.indicators:
        out.extend(_family_findings(report, score, rules))
    return out


def _full(it) -> bool:
    return it.claimed is not None and not _differs(it.claimed, it.weight)


def _family_findings(report: Report, score: ScoreResult, rules: RuleSet) -> list[Finding]:
    out = []
    by_path = {tuple(it.path): it for it in score.items}
    effect_output = []
    for rule_item in rules.items:
        if rule_item.rule.kind not in ("indicators", "on_time", "tiers"):
            continue
        it = by_path.get(tuple(rule_item.path))
        if it is None:
            continue
        effect_output.append(it)
        if rule_item.rule.optional_family or not _full(it):
            continue
        inds = family_indicators(report, rule_item.rule.families)
        name = rule_item.path[-1]
        if not inds:
            out.append(_f("score.empty_family_full_marks", "warning",
                          f"“{name}”未设任何{'、'.join(rule_item.rule.families)}指标，却得满分 {fmt_decimal(it.claimed)} 分",
                          it.where, item=name, claimed=it.claimed, family="、".join(rule_item.rule.families)))
            continue
        unmet = [i for i in inds if calc.completion(i).met is False]
        if unmet:
            out.append(_f("score.unmet_family_full_marks", "warning",
                          f"“{name}”有未达成的指标（{unmet[0].name}），却得满分 {fmt_decimal(it.claimed)} 分",
                          it.where, item=name, claimed=it.claimed, indicator=unmet[0].name))
    execution = calc.execution_rate(calc.total_of(report.funding))
    if execution is not None and execution < LOW_EXECUTION and effect_output and all(_full(i) for i in effect_output):
        out.append(_f("score.low_execution_full_marks", "warning",
                      f"预算执行率仅 {fmt_percent(execution)}，产出和效果各项却全部满分",
                      None, execution_rate=fmt_percent(execution),
                      items=[i.path[-1] for i in effect_output]))
    return out


# ---------------------------------------------------------------------------------------------
# Text: amounts written two ways, impossible and out-of-period dates

_FULL_DATE = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]")
_FUTURE_WORDS = ("计划", "预计", "将于", "拟", "力争", "下一步", "争取", "预期", "截止", "截至")


def _digits(value: Decimal) -> str:
    return fmt_decimal(value).replace(".", "")


def _one_edit(a: str, b: str) -> bool:
    if a == b:
        return False
    if len(a) == len(b):
        diff = [k for k in range(len(a)) if a[k] != b[k]]
        return len(diff) == 1 or (len(diff) == 2 and diff[1] == diff[0] + 1
                                  and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]])
    if abs(len(a) - len(b)) != 1:
        return False
    short, long_ = sorted((a, b), key=len)
    return any(long_[:k] + long_[k + 1:] == short for k in range(len(long_)))


_NEIGHBOURS = 64  # values within 1% of one another that are compared; a report has a handful
_VARIANT_LIMIT = 20  # beyond this many the text is not a report with a typo but a list of numbers


def _amount_variants(amounts: list[tuple[Decimal, str, int]]) -> list[Finding]:
    """Two amounts within 1% whose digits differ by one edit (1250.5 / 1205.5): one amount mistyped.

    Each distinct value is represented by its first mention; values are compared with their
    neighbours in sorted order only, so a text with 200,000 amounts costs a sort, not 10^10 pairs."""
    first: dict[Decimal, tuple[int, str, int]] = {}
    for order, (value, raw, line) in enumerate(amounts):
        if value >= 10 and len(_digits(value)) >= 4:
            first.setdefault(value, (order, raw, line))
    values = sorted(first)
    pairs = []
    for i, a in enumerate(values):
        for b in values[i + 1: i + 1 + _NEIGHBOURS]:
            if (b - a) / b >= Decimal("0.01"):
                break  # sorted: every later value is further away
            if _one_edit(_digits(a), _digits(b)):
                pairs.append(tuple(sorted((first[a], first[b]), key=lambda m: m[0])) + ((a, b),))
        if len(pairs) >= _VARIANT_LIMIT:
            break
    out = []
    for (_, raw_a, line_a), (_, raw_b, line_b), (low, high) in sorted(pairs, key=lambda p: (p[0][0], p[1][0])):
        a, b = (low, high) if first[low][0] < first[high][0] else (high, low)
        out.append(_f("text.amount_variant", "warning",
                      f"同一金额疑似两种写法：{fmt_decimal(a)} 万元（{raw_a}）与 {fmt_decimal(b)} 万元（{raw_b}）",
                      Where(line=line_b or None), values=[fmt_decimal(a), fmt_decimal(b)], lines=[line_a, line_b]))
    return out


def text_findings(report: Report) -> list[Finding]:
    out: list[Finding] = []
    amounts: list[tuple[Decimal, str, int]] = []  # (万元, raw, line)
    total = report.funding.total
    for col in FUNDING_COLUMNS:
        v = total.get(col)
        if v is not None:
            amounts.append((v, f"{_COL[col]} {fmt_decimal(v)}", total.where.line or 0))
    for k, line in enumerate(report.text_lines, start=1):
        for m in find_money(line):
            amounts.append((m.value, m.raw, k))
    out.extend(_amount_variants(amounts))
    report_date = date.fromisoformat(report.project.report_date) if report.project.report_date else None
    for k, line in enumerate(report.text_lines, start=1):
        half = to_halfwidth(line)
        for m in _FULL_DATE.finditer(half):
            y, mo, d = int(m.group(1)), int(m.group(2)), int(m.group(3))
            try:
                when = date(y, mo, d)
            except ValueError:
                out.append(_f("text.impossible_date", "error", f"不存在的日期：{m.group(0)}", Where(line=k),
                              date=m.group(0)))
                continue
            context = half[max(0, m.start() - 12): m.start()]
            if report_date and when > report_date and not any(w in context for w in _FUTURE_WORDS):
                out.append(_f("text.date_after_report", "warning",
                              f"日期 {m.group(0)} 晚于报告日期 {report_date.year}年{report_date.month}月{report_date.day}日",
                              Where(line=k), date=m.group(0), report_date=report.project.report_date))
    start, end = _month(report.project.period_start), _month(report.project.period_end)
    if start and end and (end[0] < start[0] or (end[0] == start[0] and end[1] and start[1] and end[1] < start[1])):
        out.append(_f("text.period_inverted", "error",
                      f"项目起止时间“{report.project.period_text}”结束早于开始", None,
                      period=report.project.period_text))
    return out


# ---------------------------------------------------------------------------------------------


def check_report(report: Report, rules: RuleSet | None, pack: review_rules.ReviewPack | None = None) -> CheckResult:
    """Score a report and list every finding, in a stable order."""
    # cells that had to hold a number and did not: first, since every figure after them lacks it
    findings = [_f(w.code, w.severity, w.message, w.where) for w in report.warnings if w.code]
    findings += funding_findings(report)
    score = score_report(report, rules, {f.code for f in findings})
    findings += expense_findings(report)
    findings += indicator_findings(report)
    findings += score_findings(report, score, rules)
    findings += text_findings(report)
    pack = pack or review_rules.pack_for(report)
    findings = review_rules.superseded(findings + review_rules.review_findings(report, score.claimed_total, pack), pack)
    return CheckResult(report=report, score=score, findings=findings, review_pack=pack.id)
