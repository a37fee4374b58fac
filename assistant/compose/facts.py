"""What the project itself says and what the core computed: the only numbers a draft may state."""
from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

from ..core import calc
from ..core.checks import CheckResult
from ..core.models import FUNDING_COLUMNS
from ..core.numbers import cn_numeral, find_money, parse_quantity, quantize, to_halfwidth
from .numberlock import Facts


def _percent(rate: Decimal | None) -> Decimal | None:
    return None if rate is None else quantize(rate * 100, 2)


_DATE = re.compile(r"((?:19|20)\d{2})\s*年(?:\s*(\d{1,2})\s*月(?:\s*(\d{1,2})\s*[日号])?)?|"
                   r"(?<!\d)(\d{1,2})\s*月(?:\s*(\d{1,2})\s*[日号])?")
_NUM = re.compile(r"\d+(?:,\d{3})*(?:\.\d+)?")
_CN_COUNT = re.compile(r"(?<![一二两三四五六七八九十百千])([一二两三四五六七八九十百千]+)(?:余|多)?(?=个月|个|天|周|年|次|人|项|条|户|名|所|座|处|家|台|套|万|亿)")


def admit_text(f: Facts, text: str | None, year: int | None = None) -> None:
    """Every number, amount and date in words the officer typed (or the core wrote) is a fact."""
    if not text:
        return
    half = to_halfwidth(text)
    dates = list(_DATE.finditer(half))
    moneys = find_money(half)
    taken = bytearray(len(half))  # 1 where a date or an amount already accounts for the character
    for a, b in [(m.start(), m.end()) for m in dates] + [(m.start, m.end) for m in moneys]:
        taken[a:b] = b"\x01" * (b - a)
    for money in moneys:
        f.add_money(money.value)
    for m in _NUM.finditer(half):
        if taken[m.start()]:
            continue
        value = Decimal(m.group(0).replace(",", ""))
        after = half[m.end():m.end() + 2].lstrip()
        if after.startswith(("%", "％")):
            f.add_percent(value)
        elif after.startswith("分") and not after.startswith(("分钟", "分之")):
            f.add_score(value)
        else:  # a count with its unit ('1200人', '3.8万人'), or a bare figure in a reason ('8 × 80% = 6.4')
            f.add(value)
            f.add_score(value)
            if after.startswith("万"):
                f.add(value * 10000)
            elif after.startswith("亿"):
                f.add(value * 100000000)
    for m in _CN_COUNT.finditer(half):  # '公示七天', '两次'
        value = cn_numeral(m.group(1))
        if value is not None:
            f.add(Decimal(value))
    last_year = year
    for m in dates:
        if m.group(1):
            last_year = int(m.group(1))
            f.add_date(last_year, int(m.group(2)) if m.group(2) else None, int(m.group(3)) if m.group(3) else None)
        else:  # '2023年1月至12月': the month after 至 is in the year written before it (or in no year said)
            f.add_date(last_year or 0, int(m.group(4)), int(m.group(5)) if m.group(5) else None)


def _typed(result: CheckResult) -> list[str]:
    """Every text the officer gave: cells, fields, answers, notes; and every reason the core wrote."""
    r = result.report
    p = r.project
    texts = [p.name, p.unit, p.department, p.leader, p.phone, p.address, p.postcode, p.period_text,
             r.funding.execution_reason, r.funding.adjustment_reason]
    for ind in r.indicators:
        texts += [ind.name, ind.target, ind.actual, ind.reason]
    for e in r.expenses:
        texts += [e.content, e.voucher, e.note]
    for g in r.goals:
        texts += [g.expected, g.actual]
    texts += [n.text for n in r.notes]
    texts += [it.reason for it in result.score.items]
    texts += [fd.message for fd in result.findings]
    return [t for t in texts if t]


def facts_of(result: CheckResult) -> Facts:
    r, score = result.report, result.score
    f = Facts()
    total = calc.total_of(r.funding)
    for row in [total, *r.funding.sources]:
        for col in FUNDING_COLUMNS:
            f.add_money(row.get(col))
        f.add_money(calc.balance(row))
    f.add_percent(Decimal(100))  # '预算执行率未达100%': the standard every rate is held to
    for rate in (calc.arrival_rate(total), calc.execution_rate(total), r.funding.stated_execution_rate,
                 r.funding.stated_arrival_rate):
        f.add_percent(_percent(rate))
        if rate is not None:
            f.add_percent(quantize(rate * 100, 1))
            f.add_percent(quantize(rate * 100, 0))
    for e in r.expenses:
        f.add_money(e.amount)
    f.add_money(r.expense_total)
    f.add_money(calc.detail_sum(e.amount for e in r.expenses))
    for ind in r.indicators:
        for text in (ind.name, ind.target, ind.actual):
            q = parse_quantity(text)
            for m in re.finditer(r"\d+(?:\.\d+)?", to_halfwidth(text)):
                f.add(Decimal(m.group(0)))
                f.add_percent(Decimal(m.group(0)))
            if q.numeric and q.unit == "元":
                f.add_money(q.value / 10000)
            elif q.numeric and q.unit != "":
                f.add(q.value)
            elif q.numeric and q.unit == "":
                f.add(q.value)
                f.add_money(q.value / 10000)  # '300万' in a cost indicator is money
        c = calc.completion(ind)
        f.add_percent(_percent(c.ratio))
        f.add_percent(_percent(c.capped))
    for it in score.items:
        for v in (it.weight, it.claimed, it.computed):
            f.add_score(v)
    for v in (score.claimed_total, score.computed_total, r.summary_total):
        f.add_score(v)
    p = r.project
    for iso in (p.report_date,):
        if iso:
            d = date.fromisoformat(iso)
            f.add_date(d.year, d.month, d.day)
    for ym in (p.period_start, p.period_end):
        if ym:
            parts = [int(x) for x in ym.split("-")]
            f.add_date(parts[0], parts[1] if len(parts) > 1 else None)
    for e in r.expenses:
        m = re.search(r"(\d{4})\s*年\s*(\d{1,2})\s*月(?:\s*(\d{1,2})\s*日)?", to_halfwidth(e.voucher or ""))
        if m:
            f.add_date(int(m.group(1)), int(m.group(2)), int(m.group(3)) if m.group(3) else None)
    if p.year:
        f.add_date(p.year)
    typed = _typed(result)
    for text in typed:
        admit_text(f, text, p.year)
    f.names = [t for t in (*typed, p.region, *(row.source for row in r.funding.sources)) if t]
    return f
