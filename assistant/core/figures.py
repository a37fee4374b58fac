"""A report's key figures as plain strings: what a precedent's numbers meant in its own project."""
from __future__ import annotations

from . import calc
from .models import Report
from .numbers import fmt_decimal, quantize


def key_figures(report: Report) -> dict[str, str]:
    """planned/arrived/spent/balance in 万元, rates in percent (2 places), dates as ISO strings."""
    total = calc.total_of(report.funding)
    out: dict[str, str] = {}
    balance = total.balance if total.balance is not None else calc.balance(total)
    for key, value in (("planned", total.planned), ("arrived", total.arrived), ("spent", total.spent),
                       ("balance", balance)):
        if value is not None:
            out[key] = fmt_decimal(value)
    for key, rate in (("arrival_rate", calc.arrival_rate(total)), ("execution_rate", calc.execution_rate(total))):
        if rate is not None:
            out[key] = fmt_decimal(quantize(rate * 100, 2))
    claimed = report.claimed_total if report.claimed_total is not None else report.summary_total
    if claimed is not None:
        out["claimed_total"] = fmt_decimal(claimed)
    if report.claimed_grade:
        out["claimed_grade"] = calc.normalise_grade(report.claimed_grade) or report.claimed_grade
    p = report.project
    for key in ("report_date", "period_start", "period_end"):
        value = getattr(p, key)
        if value:
            out[key] = value
    return out


def report_year(report: Report) -> int | None:
    """The budget year the report is about: the one recorded, else the one its name or period states, else the
    year before the report date (reports are filed the spring after)."""
    import re

    p = report.project
    if p.year:
        return int(p.year)
    for text in (p.name, p.period_text):
        m = re.search(r"((?:19|20)\d{2})\s*年", text or "")
        if m:
            return int(m.group(1))
    m = re.match(r"((?:19|20)\d{2})-", p.report_date or "")
    return int(m.group(1)) - 1 if m else None


def report_region(report: Report) -> str:
    """The place whose finance bureau the report is filed with (the cover's '寿县财政局（制）'): the one recorded,
    else the place the department, the unit or the project's name opens with."""
    import re

    p = report.project
    if p.region:
        return p.region
    for text in (p.department, p.unit, re.sub(r"^(?:19|20)\d{2}\s*年度?", "", p.name or "")):
        m = re.match(r"([\u4e00-\u9fa5]{1,8}?(?:自治州|自治县|省|市|县|区|州|旗))(?![\u4e00-\u9fa5]{0,2}(?:委员会|政府$))", text or "")
        if m and not re.search(r"^(?:本|该|某)|(?:社区|小区|城区|园区|辖区|库区|景区)$", m.group(1)):
            return m.group(1)
    return ""
