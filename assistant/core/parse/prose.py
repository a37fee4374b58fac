"""Money written in sentences: 下达/安排/到位/拨付/支出/执行 … 万元/元, and stated rates.

Used for prose-only reports (no funding grid), and to compare what the narrative states with
what the tables and the core compute.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from ..models import ExpenseLine, Funding, FundingRow, ParseWarning, SOURCE_TOTAL, Where
from ..numbers import find_money, fmt_decimal, parse_decimal, to_halfwidth
from .document import Line

# keyword → funding column; the keyword nearest before an amount (same clause) decides
_KEYWORDS: tuple[tuple[str, str], ...] = (
    # the national form's words first: on a tie ('全年预算数' also ends in '预算') the earlier wins
    ("全年预算", "arrived"), ("调整后预算", "arrived"), ("调整预算", "arrived"), ("全年执行", "spent"),
    ("年初预算", "planned"), ("转移支付", "planned"), ("资金总额", "planned"), ("总金额", "planned"),
    ("结余", "balance"), ("结转", "balance"), ("剩余", "balance"), ("余额", "balance"),
    ("到位", "arrived"), ("收到", "arrived"), ("拨入", "arrived"), ("到账", "arrived"),
    ("实际支出", "spent"), ("支出", "spent"), ("支付", "spent"), ("拨付", "spent"), ("使用", "spent"),
    ("执行", "spent"), ("付款", "spent"), ("花费", "spent"),
    ("预算", "planned"), ("安排", "planned"), ("下达", "planned"), ("批复", "planned"),
    ("计划", "planned"), ("总投资", "planned"), ("投入", "planned"),
)
_LIST_RE = re.compile(r"(?:主要用于|用于|支出明细为|具体为)[:：]?(.*)")
_ITEM_RE = re.compile(r"([\u4e00-\u9fa5A-Za-z（）()]{2,20}?)(?:支出|费用)?\s*(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
                      r"\s*(万元|元)")


@dataclass(frozen=True)
class StatedAmount:
    column: str
    value: Decimal  # 万元
    raw: str
    where: Where
    sentence: str  # half-width
    start: int  # the amount's span in `sentence`
    end: int


_CLAUSE_REACH = 200  # no clause of a report runs longer; bounds the look-back on a text with no punctuation


def sentences(lines: list[Line]) -> list[tuple[str, Line]]:
    out = []
    for ln in lines:
        for sent in re.split(r"(?<=[。；;！!？?])", ln.text):
            if sent.strip():
                out.append((sent.strip(), ln))
    return out


def _clause_start(half: str, pos: int, marks: str) -> int:
    """Index of the last of `marks` before `pos` within a clause's reach, or the reach's start - 1."""
    floor = max(0, pos - _CLAUSE_REACH)
    return max(floor - 1, *(half.rfind(p, floor, pos) for p in marks))


def _column_for(clause_before: str) -> str | None:
    best: tuple[int, str] | None = None
    for word, col in _KEYWORDS:
        pos = clause_before.rfind(word)
        if pos >= 0 and (best is None or pos + len(word) > best[0]):
            best = (pos + len(word), col)
    return best[1] if best else None


def stated_amounts(lines: list[Line]) -> list[StatedAmount]:
    """Amounts tied to a funding keyword, in document order."""
    out = []
    for sent, ln in sentences(lines):
        half = to_halfwidth(sent)
        for mention in find_money(half):
            before = half[_clause_start(half, mention.start, "，,：:（(") + 1: mention.start]
            col = _column_for(before)
            if col is None:
                continue
            if "执行率" in before or "到位率" in before:
                continue
            out.append(StatedAmount(col, mention.value, mention.raw, Where(line=ln.line), half,
                                    mention.start, mention.end))
    return out


def _source_parts(half: str, after: int) -> list[tuple[str, Decimal]]:
    """'…850万元，其中中央财政衔接资金600万元、县级配套资金250万元' → [(中央财政, 600), (县市区财政, 250)]."""
    from .tables import source_of

    rest = half[after: after + 4 * _CLAUSE_REACH]
    m = re.match(r"^[，,]?\s*其中[:：]?(.*)", rest)
    if not m:
        return []
    parts = []
    for name, num, unit in _ITEM_RE.findall(m.group(1)):
        source = source_of(name)
        if source is None:
            return []
        parts.append((source, parse_decimal(num) / (10000 if unit == "元" else 1)))
    return parts


def prose_funding(lines: list[Line]) -> Funding | None:
    """Funding of a report that states money only in sentences; None when none is stated."""
    total = FundingRow(source=SOURCE_TOTAL)
    sources: dict[str, FundingRow] = {}
    first_where: Where | None = None
    for amount in stated_amounts(lines):
        half, pos = amount.sentence, amount.start
        clause = half[_clause_start(half, pos, "，,。；;") + 1: pos]
        if "其中" in half[max(0, pos - 12): pos] or "其中" in clause:
            continue  # a part ('其中区级450万元、上级转移支付200万元'), not the headline figure
        if getattr(total, amount.column) is not None:
            continue
        setattr(total, amount.column, amount.value)
        first_where = first_where or amount.where
        for source, value in _source_parts(half, amount.end):
            row = sources.setdefault(source, FundingRow(source=source, where=amount.where))
            if getattr(row, amount.column) is None:
                setattr(row, amount.column, value)
    if total.is_empty():
        return None
    total.where = first_where or Where()
    return Funding(total=total, sources=list(sources.values()), origin="prose")


def prose_expenses(lines: list[Line]) -> list[ExpenseLine]:
    """'主要用于：工程监理费12.6万元，电信服务费67.7万元…' → expense lines."""
    out: list[ExpenseLine] = []
    for sent, ln in sentences(lines):
        m = _LIST_RE.search(to_halfwidth(sent))
        if not m:
            continue
        items = _ITEM_RE.findall(m.group(1))
        if len(items) < 2:
            continue
        for name, num, unit in items:
            value = parse_decimal(num) / (10000 if unit == "元" else 1)
            out.append(ExpenseLine(content=name.strip("、，, "), amount=value, where=Where(line=ln.line)))
        if out:
            return out
    return out


_YUAN_LIKE = Decimal(100000)  # 10亿元 when read as 万元: no single project budget is that large


def settle_unstated_unit(funding: Funding, lines: list[Line]) -> ParseWarning | None:
    """A funding table that names no unit was read in 万元; decide from the narrative.

    When the narrative states the table's amounts ÷ 10,000 in 万元 (table 1,500,000, text
    '150万元') and never the amounts themselves, the table is in 元 and is converted exactly.
    Without such evidence an implausibly large amount is only flagged: the unit is never guessed.
    """
    if funding.unit_stated or funding.origin != "table":
        return None
    rows = [funding.total, *funding.sources]
    values = {v for row in rows for v in (row.planned, row.arrived, row.spent, row.balance) if v}
    if not values:
        return None
    stated: dict[Decimal, Where] = {}
    for ln in lines:
        for m in find_money(to_halfwidth(ln.text)):
            stated.setdefault(m.value.normalize(), Where(line=ln.line))
    as_yuan = [v for v in values if (v / 10000).normalize() in stated]
    if as_yuan and not any(v.normalize() in stated for v in values):
        for row in rows:
            for col in ("planned", "arrived", "spent", "balance"):
                if row.get(col) is not None:
                    setattr(row, col, row.get(col) / 10000)
        funding.unit, funding.unit_stated = "元", True
        evidence = stated[(as_yuan[0] / 10000).normalize()]
        return ParseWarning(message=f"资金表未注明单位：正文{evidence.label()}所写 {fmt_decimal(as_yuan[0] / 10000)} 万元"
                                    f"即表中 {fmt_decimal(as_yuan[0])}，按“元”读取", where=evidence,
                            code="funding.unit_inferred", severity="info")
    largest = max(values)
    if largest >= _YUAN_LIKE:
        return ParseWarning(message=f"资金表未注明单位，按万元读取为 {fmt_decimal(largest)} 万元，数额异常，"
                                    "可能是以“元”填写，请核对单位", where=funding.total.where,
                            code="funding.unit_unclear", severity="warning")
    return None
