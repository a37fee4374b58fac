"""Deterministic figures: 结余, 到位率, 执行率, detail sums, indicator completion, grades.

Pure functions on Decimal. Nothing here estimates: when an input is missing the figure is None.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Iterable, Sequence

from .models import FUNDING_COLUMNS, Funding, FundingRow, Indicator
from .numbers import DATE_UNIT, Quantity, calendar_span, compact, parse_quantity

ONE = Decimal(1)
ZERO = Decimal(0)
CENT = Decimal("0.01")

# Default grade bands of 财预〔2020〕10号 第十八条; rule sets may override.
DEFAULT_GRADES: tuple[tuple[Decimal, str], ...] = (
    (Decimal(90), "优"), (Decimal(80), "良"), (Decimal(60), "中"), (Decimal(0), "差"))
_GRADE_ALIASES = {"优秀": "优", "良好": "良", "中等": "中", "合格": "中", "较差": "差", "不合格": "差"}


def ratio(numerator: Decimal | None, denominator: Decimal | None) -> Decimal | None:
    """numerator ÷ denominator as an exact-as-possible fraction; None when undefined."""
    if numerator is None or denominator is None or denominator == 0:
        return None
    return numerator / denominator


def balance(row: FundingRow) -> Decimal | None:
    """结余 = 实际到位 − 实际支出."""
    if row.arrived is None or row.spent is None:
        return None
    return row.arrived - row.spent


def arrival_rate(row: FundingRow) -> Decimal | None:
    """资金到位率 = 实际到位 ÷ 计划安排."""
    return ratio(row.arrived, row.planned)


def execution_basis(row: FundingRow) -> str | None:
    """The column 执行率 divides by: 实际到位 (the national form's 全年预算数), else the one budget figure."""
    if row.spent is None:
        return None
    for column in ("arrived", "planned"):
        value = row.get(column)
        if value is not None and value != 0:
            return column
    return None


def execution_rate(row: FundingRow) -> Decimal | None:
    """预算执行率 = 实际支出 ÷ 实际到位 (全年预算数); a report that gives only its budget, ÷ that budget."""
    basis = execution_basis(row)
    return None if basis is None else ratio(row.spent, row.get(basis))  # type: ignore[arg-type]


def total_of(funding: Funding) -> FundingRow:
    """The 合计 row, filled from the sources when the report left it blank."""
    total = funding.total
    if not funding.sources or not (total.is_empty() or total_left_zero(funding)):
        return total
    filled = {}
    for col in ("planned", "arrived", "spent", "balance"):
        values = [r.get(col) for r in funding.sources if r.get(col) is not None]
        filled[col] = sum(values, ZERO) if values else None
    return FundingRow(source=total.source, where=total.where, **filled)


def total_left_zero(funding: Funding) -> bool:
    """A 合计 row of zeros above sources with amounts: a form whose total line was never filled in."""
    total = funding.total
    values = [total.get(c) for c in FUNDING_COLUMNS if total.get(c) is not None]
    return bool(values) and all(v == 0 for v in values) and any(
        r.get(c) for r in funding.sources for c in ("planned", "arrived", "spent"))


def detail_sum(amounts: Iterable[Decimal | None]) -> Decimal | None:
    values = [a for a in amounts if a is not None]
    return sum(values, ZERO) if values else None


def subset_summing_to(values: Sequence[Decimal], target: Decimal, limit: int = 40) -> list[int] | None:
    """Indices of a subset of `values` adding up exactly to `target` (to the cent), or None.

    Used to recognise a narrative that regroups detail rows (电信服务费 67.7 = 29.5 + 20.24 + 17.96).
    Dynamic programming over cents; bounded by `limit` rows so it stays instant.
    """
    if len(values) > limit or target <= 0:
        return None
    cents = [int((v / CENT).to_integral_value()) for v in values]
    goal = int((target / CENT).to_integral_value())
    reach: dict[int, list[int]] = {0: []}
    for i, c in enumerate(cents):
        if c <= 0:
            continue
        for s, picked in list(reach.items()):
            t = s + c
            if t <= goal and t not in reach:
                reach[t] = picked + [i]
        if goal in reach:
            return reach[goal]
    return reach.get(goal) if goal in reach else None


def grade_of(total: Decimal | None, bands: Sequence[tuple[Decimal, str]] = DEFAULT_GRADES) -> str | None:
    """Grade band of a total (≥90 优, ≥80 良, ≥60 中, else 差 by default)."""
    if total is None:
        return None
    for floor, name in bands:
        if total >= floor:
            return name
    return bands[-1][1]


def normalise_grade(grade: str | None) -> str | None:
    """'优秀' → '优', '良好' → '良'; unknown text stays as written."""
    if not grade:
        return None
    g = compact(grade).rstrip("级等")
    g = _GRADE_ALIASES.get(g, g)
    return g


# ---------------------------------------------------------------------------------------------
# Indicator completion

_LOWER_NAME = re.compile(r"成本|费用|造价|支出|时间|时限|周期|工期|天数|用时|故障率|投诉率|差错率|错误率|失误率|误差|"
                         r"不合格率|不良率|次品率|返工率|漏报率|违规率|超标率|死亡率|发病率|患病率|辍学率|流失率|空置率|"
                         r"事故|发生率|损耗|能耗|超支|延误|滞后|不超过|"
                         r"投诉(?!.{0,3}(?:处理|办结|回复|受理|解决|响应|满意))|举报(?!.{0,3}(?:处理|办结|查处))|信访量|"
                         r"发案|违章|违法|差评")
# A reduction or a saving named as such (缩短出行时间10%, 降低能耗5%, 节约资金100万) is a magnitude of
# improvement: more is better, whatever '时间' or '成本' in the name suggests. A reduction *to* a level
# (缩短至3天, 降低到5%以下, 控制在…以内) is a bound: lower is better.
_HIGHER_NAME = re.compile(r"节约|节省|降低|减少|下降|压缩|缩短|压减|减轻|减幅|降幅")
_REDUCED_TO = re.compile(r"(?:节约|节省|降低|减少|下降|压缩|缩短|压减)(?:至|到)|控制在|以内|以下")


@dataclass(frozen=True)
class Completion:
    """How far an indicator's actual meets its target."""

    target: Quantity
    actual: Quantity
    ratio: Decimal | None  # uncapped completion (1 = met exactly); None when not computable
    lower_is_better: bool = False
    note: str = ""

    @property
    def capped(self) -> Decimal | None:
        """Completion capped at 100% for scoring."""
        return None if self.ratio is None else min(self.ratio, ONE)

    @property
    def met(self) -> bool | None:
        return None if self.ratio is None else self.ratio >= ONE

    @property
    def over(self) -> bool:
        return self.ratio is not None and self.ratio > ONE


def family_of(level2: str, name: str = "") -> str:
    """Indicator family from the 二级指标 label: 数量, 质量, 时效, 成本, 经济效益 …"""
    key = compact(level2) or compact(name)
    for family, words in (
        ("满意度", ("满意",)), ("数量", ("数量",)), ("质量", ("质量",)), ("时效", ("时效", "进度")),
        ("成本", ("成本",)), ("经济效益", ("经济",)), ("社会效益", ("社会",)),
        ("生态效益", ("生态", "环境")), ("可持续影响", ("可持续",)),
    ):
        if any(w in key for w in words):
            return family
    return key or "其他"


def _quantity_in_name(name: str) -> Quantity | None:
    q = parse_quantity(name)
    if q.numeric and (q.bound != "=" or q.unit in ("%", "元")):
        return q
    return None


def resolve_indicator(ind: Indicator) -> tuple[Quantity, Quantity, str]:
    """Target and actual of an indicator, repairing common misfilings.

    Officers often write the bound in the name ('建设成本不超过300万'), the actual in the target
    column ('289.8万') and '已完成' as the actual. That reading is made explicit in the note.
    """
    target, actual = parse_quantity(ind.target), parse_quantity(ind.actual)
    in_name = _quantity_in_name(ind.name)
    note = ""
    if (in_name and actual.qualitative == "met" and target.numeric and not actual.numeric
            and in_name.comparable(target) and in_name.value != target.value):
        note = (f"实际完成值填为“{ind.actual}”，按指标内容“{ind.name}”为目标、"
                f"目标栏“{ind.target}”为实际值计算")
        return in_name, target, note
    if in_name and target.numeric and target.bound == "=" and in_name.value == target.value \
            and in_name.unit == target.unit:
        target = Quantity(target.raw, target.value, target.unit, in_name.bound, target.approx)
    elif in_name and not target.numeric and target.qualitative is None and not target.raw:
        target = in_name
    return target, actual, note


def lower_is_better(ind: Indicator, target: Quantity) -> bool:
    if ind.direction != "auto":
        return ind.direction == "lower"
    if target.bound in ("<=", "<"):
        return True
    if target.bound in (">=", ">"):
        return False
    name = compact(ind.name)
    said = name + compact(target.raw)
    if _REDUCED_TO.search(said):
        return True
    if _HIGHER_NAME.search(said):
        return False
    family = family_of(ind.level2, ind.name)
    if family in ("成本", "时效") and target.unit not in ("%",):
        return True
    return bool(_LOWER_NAME.search(name))


def _deadline(target: Quantity, actual: Quantity, lower: bool, note: str) -> Completion:
    """A date target: met (100%) when the actual falls within it, else 0 (产出时效: late scores 0)."""
    t_span, a_span = calendar_span(target.raw), calendar_span(actual.raw)
    if t_span is None and a_span is None:  # (one side is a date: that is why we are here)
        # neither names a year ('12月底前' / '11月20日'): the same year; 2000 so that 2月29日 exists
        t_span, a_span = calendar_span(target.raw, default_year=2000), calendar_span(actual.raw, default_year=2000)
    elif (t_span is None) != (a_span is None):
        yearless = target if t_span is None else actual
        if calendar_span(yearless.raw, default_year=2000) is not None:
            # one side is a date without its year ('12月底前' against '2023年1月'): late work is
            # exactly the kind that crosses a year, so the year is not assumed
            return Completion(target, actual, None, True, note or f"“{yearless.raw}”未写年份，无法判断是否按期")
    if t_span is None:
        return Completion(target, actual, None, lower, note or f"目标“{target.raw}”不是日期，无法与实际日期比较")
    if a_span is None:
        if actual.qualitative == "met":
            return Completion(target, actual, ONE, True, note or f"实际完成值为“{actual.raw}”")
        return Completion(target, actual, None, True, note or f"实际完成值“{actual.raw}”不是日期，无法判断是否按期")
    if target.bound in (">=", ">"):
        on_time = a_span.last >= t_span.first
        return Completion(target, actual, ONE if on_time else ZERO, False,
                          note or ("" if on_time else f"实际“{actual.raw}”早于目标“{target.raw}”"))
    if a_span.first <= t_span.last:
        return Completion(target, actual, ONE, True, note)
    late = (a_span.first - t_span.last).days
    return Completion(target, actual, ZERO, True, note or f"实际“{actual.raw}”晚于目标“{target.raw}”{late}天，按期未完成")


def completion(ind: Indicator) -> Completion:
    """Completion of one indicator; lower-is-better for cost and time bounds."""
    target, actual, note = resolve_indicator(ind)
    lower = lower_is_better(ind, target)
    if not actual.raw:
        return Completion(target, actual, None, lower, note or "实际完成值为空")
    if actual.qualitative == "unmet" and not actual.numeric:
        return Completion(target, actual, ZERO, lower, note or f"实际完成值“{actual.raw}”表示未完成")
    if DATE_UNIT in (target.unit, actual.unit):
        return _deadline(target, actual, lower, note)
    if target.numeric and actual.numeric:
        if not target.comparable(actual):
            return Completion(target, actual, None, lower,
                              f"目标单位“{target.unit}”与实际单位“{actual.unit}”不可比")
        t, a = target.value, actual.value
        assert t is not None and a is not None
        if lower:
            if a <= t:
                r = ONE if a == t or t == 0 else ONE + (t - a) / t
            else:
                r = max(ZERO, ONE - (a - t) / t) if t else ZERO
        else:
            if t == 0:
                r = ONE if a >= 0 else ZERO
            else:
                r = a / t
        return Completion(target, actual, r, lower, note)
    if actual.qualitative == "met" and not actual.numeric:
        return Completion(target, actual, ONE, lower, note or f"实际完成值为“{actual.raw}”")
    if actual.qualitative == "partial":
        return Completion(target, actual, None, lower, f"实际完成值“{actual.raw}”为部分完成，需判断")
    t_key, a_key = compact(ind.target), compact(ind.actual)
    if t_key and a_key in (t_key, f"已{t_key}", f"{t_key}完成", f"已{t_key}完成", f"已经{t_key}"):
        return Completion(target, actual, ONE, lower, note or "实际完成值与目标值一致")
    if target.qualitative == "met" and actual.numeric:
        return Completion(target, actual, ONE, lower, note)
    return Completion(target, actual, None, lower, note or "目标或实际值不是可比较的数量")
