"""What changed between two submissions of one report: the figures apart from the wording.

A reviewer who returned a draft reads the resubmission for what was fixed; figures first (funding cells,
expenses, indicators, the claimed score), then the sections whose text changed."""
from __future__ import annotations

from decimal import Decimal

from . import calc
from .models import FUNDING_COLUMNS, Report
from .numbers import fmt_decimal

_COLUMN = {"planned": "计划", "arrived": "到位", "spent": "支出", "balance": "结余"}


def _m(value: Decimal | None) -> str:
    return "—" if value is None else fmt_decimal(value)


def figure_changes(before: Report, after: Report, words: dict[str, str] | None = None) -> list[dict]:
    """[{what, before, after}] for every figure that differs; `words`: the form's names for the funding columns."""
    names = {**_COLUMN, **(words or {})}
    out: list[dict] = []

    def add(what: str, old, new) -> None:
        if old != new:
            out.append({"what": what, "before": old, "after": new})

    old_rows = {r.source: r for r in [calc.total_of(before.funding), *before.funding.sources]}
    new_rows = {r.source: r for r in [calc.total_of(after.funding), *after.funding.sources]}
    for source in dict.fromkeys([*old_rows, *new_rows]):
        a, b = old_rows.get(source), new_rows.get(source)
        for col in FUNDING_COLUMNS:
            add(f"{source} {names.get(col, col)}", _m(a.get(col) if a else None), _m(b.get(col) if b else None))
    old_exp = {e.content: e for e in before.expenses}
    new_exp = {e.content: e for e in after.expenses}
    for content in dict.fromkeys([*old_exp, *new_exp]):
        a, b = old_exp.get(content), new_exp.get(content)
        add(f"支出明细“{content}”", _m(a.amount) if a else "（无）", _m(b.amount) if b else "（删去）")
    old_ind = {i.name: i for i in before.indicators if i.name}
    new_ind = {i.name: i for i in after.indicators if i.name}
    for name in dict.fromkeys([*old_ind, *new_ind]):
        a, b = old_ind.get(name), new_ind.get(name)
        if a is None or b is None:
            add(f"指标“{name}”", f"{a.target} / {a.actual}" if a else "（无）", f"{b.target} / {b.actual}" if b else "（删去）")
            continue
        add(f"指标“{name}”目标值", a.target, b.target)
        add(f"指标“{name}”实际完成值", a.actual, b.actual)
    add("自评总分", _m(before.claimed_total), _m(after.claimed_total))
    add("自评等次", before.claimed_grade or "—", after.claimed_grade or "—")
    return out


def section_changes(before: dict[str, str], after: dict[str, str], titles: dict[str, str]) -> list[dict]:
    """[{kind, title, change}] for the sections whose sent text differs: 新增, 删去 or 修改."""
    out = []
    for kind in dict.fromkeys([*before, *after]):
        old, new = before.get(kind), after.get(kind)
        if old == new:
            continue
        change = "新增" if old is None else "删去" if new is None else "修改"
        out.append({"kind": kind, "title": titles.get(kind, kind), "change": change})
    return out
