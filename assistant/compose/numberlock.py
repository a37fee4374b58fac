"""The number lock: every number in generated text must be one the project gave or the core computed.

`lock_numbers` is the single gate for any generator (templates, adapted precedent, a language model):
a number that is neither an input nor a computed figure is wrapped as 【待核实：…】, never passed
silently. 文号 (国办发〔2017〕47号) and list ordinals ('（1）', '1、') are references, not figures.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from ..core.numbers import cn_numeral, parse_decimal, to_halfwidth

MARK_OPEN, MARK_CLOSE = "【待核实：", "】"
_DOC_NO = re.compile(r"[\u4e00-\u9fa5]{1,8}[〔\[(（【]\s*(?:19|20)\d{2}\s*[〕\])）】]\s*\d{1,4}\s*号")
_ORDINAL = re.compile(r"(?:(?<=^)|(?<=\n)|(?<=[。；：:]))[^\S\n]*(?:[(（]\d{1,2}[)）]|\d{1,2}[、.．](?!\d))")
_MARKED = re.compile(r"【待(?:核实|补充)：[^】]*】")
_DATE = re.compile(r"(?:19|20)\d{2}\s*年(?:\s*\d{1,2}\s*月(?:\s*\d{1,2}\s*[日号])?)?|\d{1,2}\s*月\s*\d{1,2}\s*[日号]|"
                   r"\d{1,2}\s*月份?")
_NUMBER = re.compile(
    r"(?:约|近|超过|逾)?(?<![A-Za-z\d.])\d+(?:,\d{3})*(?:\.\d+)?\s*(?:余|多)?\s*(?:万|亿)?\s*"
    r"(?:万元|亿元|元|%|‰|个月|个|人次|人|次|项|家|台|套|条|户|名|所|座|处|平方米|平米|公里|千米|米|吨|亩|天|小时|"
    r"分钟|周|年|TB|GB|T|G|倍|分)?")
# each run of numerals is tried from its first character only: from every character it is quadratic
_CN_QTY = re.compile(r"(?<![一二两三四五六七八九十百千])[一二两三四五六七八九十百千]+(?:余|多)?(?:万|亿)(?:元|人|户|条|次)?|"
                     r"(?<![一二两三四五六七八九十百千])[一二两三四五六七八九十]+(?:个月|年|天|周)(?:内|以来)?")


@dataclass
class Facts:
    """Numbers this project may state — inputs and computed figures — by kind: money (万元), percent, other."""

    money: set[Decimal] = field(default_factory=set)
    percent: set[Decimal] = field(default_factory=set)
    other: set[Decimal] = field(default_factory=set)
    score: set[Decimal] = field(default_factory=set)  # points: '得2.72分（分值3分）'
    dates: set[tuple[int, int | None, int | None]] = field(default_factory=set)  # (year, month, day)
    names: list[str] = field(default_factory=list)  # this project's own words: a name they contain is ours

    @staticmethod
    def _d(value: Decimal | int | str) -> Decimal:
        return (value if isinstance(value, Decimal) else Decimal(str(value))).normalize()

    def add_money(self, wan: Decimal | None) -> None:
        if wan is not None:
            self.money.add(self._d(wan))

    def add_percent(self, value: Decimal | None) -> None:
        if value is not None:
            self.percent.add(self._d(value))

    def add(self, value: Decimal | int | str | None) -> None:
        if value is not None:
            self.other.add(self._d(value))

    def add_score(self, value: Decimal | None) -> None:
        if value is not None:
            self.score.add(self._d(value))

    def add_date(self, year: int, month: int | None = None, day: int | None = None) -> None:
        self.dates.update({(year, month, day), (year, month, None), (year, None, None)})

    def knows(self, value: Decimal, kind: str) -> bool:
        v = value.normalize()
        if kind == "money":
            return v in self.money
        if kind == "percent":
            return v in self.percent
        if kind == "score":
            return v in self.score
        return v in self.other


@dataclass
class LockResult:
    text: str
    unverified: list[str]


def _date_known(span: str, facts: Facts) -> bool:
    nums = [int(n) for n in re.findall(r"\d+", span)]
    if "年" in span:
        year = nums[0]
        month = nums[1] if len(nums) > 1 else None
        day = nums[2] if len(nums) > 2 else None
        return (year, month, day) in facts.dates
    month = nums[0]
    day = nums[1] if len(nums) > 1 else None
    return any(m == month and (day is None or d == day) for _, m, d in facts.dates)


def _number_known(span: str, facts: Facts) -> bool:
    half = to_halfwidth(span)
    m = re.search(r"\d+(?:,\d{3})*(?:\.\d+)?", half)
    if m:
        value = parse_decimal(m.group(0))
    else:
        cn = re.match(r"[一二两三四五六七八九十百千]+", half)
        n = cn_numeral(cn.group(0)) if cn else None
        if n is None:
            return False
        value = Decimal(n)
    rest = half[m.end():] if m else half
    measured = re.match(r"\s*(?:余|多)?\s*(?:万|亿)\s*(?:余|多)?\s*(?:亩|吨|株|头|只|棵|套|台|公顷|平方米|人|户|条|次|个)", rest)
    if not measured and re.match(r"\s*(?:余|多)?\s*(?:万元|亿元|元|万|亿)", rest):  # '390万亩' is an area
        if "亿" in rest:
            value *= 10000
        elif "万" not in rest:
            value /= 10000  # 元 → 万元
        return facts.knows(value, "money")
    if "%" in rest:
        return facts.knows(value, "percent")
    if re.match(r"\s*分(?!钟|之)", rest):
        return facts.knows(value, "score")
    if "万" in rest:
        value *= 10000
    elif "亿" in rest:
        value *= 100000000
    return facts.knows(value, "other")


def lock_numbers(text: str, facts: Facts) -> LockResult:
    """Mark every number in `text` that `facts` does not know; already-marked spans are left alone."""
    used = bytearray(len(text))  # 1 where a mark, a document number or a span already decided is

    def take(start: int, end: int) -> None:
        used[start:end] = b"\x01" * (end - start)

    def free(start: int, end: int) -> bool:
        return used.find(1, start, end) < 0

    for rx in (_MARKED, _DOC_NO, _ORDINAL):
        for m in rx.finditer(text):
            take(m.start(), m.end())
    spans: list[tuple[int, int, str]] = []

    for rx, kind in ((_DATE, "date"), (_NUMBER, "number"), (_CN_QTY, "number")):
        for m in rx.finditer(text):
            span = m.group(0).strip()
            if not span or not re.search(r"\d|[一二两三四五六七八九十百千]", span) or not free(m.start(), m.end()):
                continue
            known = _date_known(span, facts) if kind == "date" else _number_known(span, facts)
            if not known:
                start = m.start() + (len(m.group(0)) - len(m.group(0).lstrip()))
                spans.append((start, start + len(span), span))
                take(start, start + len(span))
            else:
                take(m.start(), m.end())
    return mark_spans(text, [(start, end) for start, end, _ in spans])


def mark_spans(text: str, spans: list[tuple[int, int]]) -> LockResult:
    """`text` with each (start, end) span wrapped as 【待核实：…】; spans must not overlap."""
    out, last, unverified = [], 0, []
    for start, end in sorted(spans):
        span = text[start:end]
        out.append(text[last:start])
        out.append(f"{MARK_OPEN}{span}{MARK_CLOSE}")
        unverified.append(span)
        last = end
    out.append(text[last:])
    return LockResult("".join(out), unverified)
