"""Money written in sentences beside the headline figures (those are `statements`): the sources an
其中 list names, the expense lines a 主要用于 list gives, and the unit of a table that names none.
"""
from __future__ import annotations

import re
from decimal import Decimal

from ..models import ExpenseLine, Funding, ParseWarning, Where
from ..numbers import find_money, fmt_decimal, parse_decimal, to_halfwidth
from .document import Line

_LIST_RE = re.compile(r"(?:主要用于|用于|支出明细为|具体为)[:：]?(.*)")
_ITEM_RE = re.compile(r"([\u4e00-\u9fa5A-Za-z（）()]{2,20}?)(?:支出|费用)?\s*(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
                      r"\s*(万元|元)")
_CLAUSE_REACH = 200  # no clause of a report runs longer; bounds the look-ahead on a text with no punctuation


def sentences(lines: list[Line]) -> list[tuple[str, Line]]:
    out = []
    for ln in lines:
        for sent in re.split(r"(?<=[。；;！!？?])", ln.text):
            if sent.strip():
                out.append((sent.strip(), ln))
    return out


def source_parts(half: str, after: int) -> list[tuple[str, Decimal]]:
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


# '4. 数量指标“规模养殖场先打后补实施数量”：目标值≥60家，实际完成值52家，完成率86.67%' — a report whose form has no
# indicator table (淮南's) states each indicator in a line of its text.
_PROSE_INDICATOR = re.compile(
    r"^\s*(?:\d{1,2}\s*[.、．]\s*|[（(]\d{1,2}[)）]\s*)?(?P<family>数量|质量|时效|成本|经济效益|社会效益|生态效益|环境效益|"
    r"可持续影响|服务对象满意度|满意度)指标\s*[“\"「]?(?P<name>[^“”\"「」：:]{2,40}?)[”\"」]?\s*[：:]\s*"
    r"目标值?\s*[:：]?\s*(?P<target>[^，,；;。]+?)\s*[，,；;]\s*实际完成值?\s*[:：]?\s*(?P<actual>[^，,；;。]+)")
_LEVEL1 = {"数量": "产出指标", "质量": "产出指标", "时效": "产出指标", "成本": "产出指标",
           "服务对象满意度": "满意度指标", "满意度": "满意度指标"}


def prose_indicators(lines: list[Line]) -> list:
    """Indicators stated one per line in the text, each with its target and its actual value."""
    from ..models import Indicator

    out, seen = [], set()
    for ln in lines:
        m = _PROSE_INDICATOR.match(ln.text)
        if not m or m.group("name") in seen:
            continue
        seen.add(m.group("name"))
        family = m.group("family")
        out.append(Indicator(level1=_LEVEL1.get(family, "效益指标"), level2=f"{family}指标", name=m.group("name").strip(),
                             target=m.group("target").strip(), actual=m.group("actual").strip(),
                             where=Where(line=ln.line)))
    return out
