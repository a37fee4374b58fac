"""The `check --json` contract (DESIGN.md): one JSON object other parts and tools rely on.

Money in 万元 and rates as fractions, both as decimal strings; absent values are null.
"""
from __future__ import annotations

from decimal import Decimal
from typing import Any

from . import calc
from .checks import CheckResult
from .forms import layout_of
from .models import FUNDING_COLUMNS, Finding, FundingRow
from .numbers import fmt_decimal, fmt_rate


def _s(value: Decimal | None) -> str | None:
    return None if value is None else fmt_decimal(value)


def _row(row: FundingRow) -> dict[str, Any]:
    return {"source": row.source, **{c: _s(row.get(c)) for c in FUNDING_COLUMNS}}


def _finding(f: Finding) -> dict[str, Any]:
    evidence = dict(f.evidence)
    if f.where.line is not None:
        evidence.setdefault("line", f.where.line)
    if f.where.cell:
        evidence.setdefault("cell", f.where.cell)
    return {"code": f.code, "severity": f.severity, "message": f.message, "evidence": evidence}


def check_json(result: CheckResult, precedents: list | None = None) -> dict[str, Any]:
    report, score = result.report, result.score
    funding = report.funding
    total = calc.total_of(funding)
    balance = total.balance
    computed_fields = []
    if balance is None and calc.balance(total) is not None:
        balance = calc.balance(total)
        computed_fields.append("balance")
    p = report.project
    national = layout_of(p.form) == "national"
    basis = calc.execution_basis(total)
    out: dict[str, Any] = {
        "project": {
            "name": p.name, "unit": p.unit, "form": p.form, "department": p.department,
            "region": p.region, "year": p.year, "report_date": p.report_date,
            "period": p.period_text, "eval_type": p.eval_type, "kind": p.kind,
        },
        "projects": [{"name": b.name, "planned": _s(b.planned), "arrived": _s(b.arrived), "spent": _s(b.spent),
                      "execution_rate": fmt_rate(calc.ratio(b.spent, b.arrived if b.arrived is not None else b.planned))}
                     for b in report.projects],
        "funding": {
            "planned": _s(total.planned), "arrived": _s(total.arrived), "spent": _s(total.spent),
            "balance": _s(balance),
            # no 到位 column on the national form (全年预算数 stands in), and no 到位率 of a whole department
            "arrival_rate": None if national or p.kind == "department" else fmt_rate(calc.arrival_rate(total)),
            "execution_rate": fmt_rate(calc.execution_rate(total)),
            "execution_basis": basis,
            "execution_basis_label": _labels(p.kind, national).get(basis or ""),
            "labels": _labels(p.kind, national),
            "stated_execution_rate": fmt_rate(funding.stated_execution_rate),
            "stated_arrival_rate": fmt_rate(funding.stated_arrival_rate),
            "rate_mismatch": _mismatch(result),
            "unit": "万元", "unit_in_source": funding.unit, "origin": funding.origin,
            "computed": computed_fields,
            "sources": [_row(r) for r in funding.sources if not r.is_empty()],
        },
        "score": {
            "ruleset": score.ruleset, "review_pack": result.review_pack,
            "claimed_total": _s(score.claimed_total), "computed_total": _s(score.computed_total),
            "claimed_grade": score.claimed_grade, "computed_grade": score.computed_grade,
            "items": [{"path": it.path, "weight": _s(it.weight), "claimed": _s(it.claimed),
                       "computed": _s(it.computed), "basis": it.basis, "reason": it.reason}
                      for it in score.items],
        },
        "findings": [_finding(f) for f in result.findings],
        "expenses": {
            "rows": [{"content": e.content, "amount": _s(e.amount), "voucher": e.voucher, "note": e.note}
                     for e in report.expenses],
            "stated_total": _s(report.expense_total),
            "rows_total": _s(calc.detail_sum(e.amount for e in report.expenses)),
        },
        "indicators": [_indicator(i) for i in report.indicators],
        "sections": [{"kind": s.kind, "heading": s.heading, "chars": len(s.text)} for s in report.sections],
        "warnings": [w.message for w in report.warnings],
    }
    if precedents is not None:
        out["precedents"] = precedents
    return out


# what each funding column means in the report's own words (and so what 执行率 was divided by)
_LABELS = {"national": {"planned": "年初预算数", "arrived": "全年预算数", "spent": "全年执行数", "balance": "结余"},
           "form": {"planned": "计划安排资金", "arrived": "实际到位资金", "spent": "实际支出", "balance": "结余"},
           "department": {"planned": "年初预算", "arrived": "全年收入", "spent": "全年支出", "balance": "年末结转结余"}}


def _labels(kind: str, national: bool) -> dict[str, str]:
    return _LABELS["department" if kind == "department" else "national" if national else "form"]


def _mismatch(result: CheckResult) -> dict[str, Any] | None:
    """The stated rate that differs from the computed one (the funding.rate_mismatch finding), or null."""
    for f in result.findings:
        if f.code == "funding.rate_mismatch" and f.evidence.get("figure") == "预算执行率":
            return {"stated": f.evidence["stated"], "computed": f.evidence["computed"]}
    return None


def _indicator(ind) -> dict[str, Any]:
    c = calc.completion(ind)
    return {"level1": ind.level1, "level2": ind.level2, "name": ind.name, "target": ind.target,
            "actual": ind.actual, "family": calc.family_of(ind.level2, ind.name),
            "completion": fmt_rate(c.ratio), "lower_is_better": c.lower_is_better, "note": c.note}
