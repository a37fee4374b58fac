"""The 年度资金总额 row of a 自评表 that lost its table on the way to the web: its cells one per line, run together
with spaces ('年度资金总额: 100 100 100 10 100% 10'), glued ('年度资金总额:40004000100%'), or a province's own order
('52.800000 52.800000 100.00% 30.800000 58.33%').

Which number is which is settled by the row itself: the stated 执行率 (and 到位率) is reproduced by exactly one pair
of its amounts — what was available and what was spent — and the amount before that pair is the 年初预算数. A row
no pair reproduces is left unread: a wrong figure is worse than a missing one."""
from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from ..numbers import to_halfwidth
from .document import Line

_ANCHOR = re.compile(r"(?:年度)?资金总额(?:\s*[（(]万元[)）])?\s*[:：]?")
_TOKEN = re.compile(r"\d+(?:\.\d+)?%?|[—-]+")
_ONLY_FIGURES = re.compile(r"^[\s\d.%—\-]*$")


@dataclass
class TotalRow:
    planned: Decimal | None
    available: Decimal
    spent: Decimal
    execution_rate: Decimal  # as stated, a fraction
    arrival_rate: Decimal | None = None
    line: int | None = None


def _cells(lines: list[Line], k: int, start: int) -> list[str]:
    """The figures after the anchor: the run of figures its line goes on with, then lines that hold figures only
    (one cell per line). A sentence ('资金总额为100万元…') has words among its figures: it is no row."""
    rest = to_halfwidth(lines[k].text)[start:]
    lead = re.match(r"[\s\d.%—\-]*", rest).group(0)
    if rest[len(lead):].strip() and (not lead.strip() or re.match(r"\s*万|\s*元", rest[len(lead):])):
        return []
    out = _TOKEN.findall(lead)
    for ln in lines[k + 1:k + 16]:
        text = to_halfwidth(ln.text).strip()
        if not text:
            continue
        if not _ONLY_FIGURES.match(text):
            break
        out += _TOKEN.findall(text)
    return out


def _reproduces(a: Decimal, b: Decimal, rate: str) -> bool:
    """b / a, in percent, rounds to the stated rate at the rate's own precision."""
    if a <= 0 or b < 0:
        return False
    places = len(rate.split(".")[1]) if "." in rate else 0
    return abs(b / a * 100 - Decimal(rate)) <= Decimal(5) / (10 ** (places + 1)) + Decimal("0.0001")


def _unglued(token: str) -> list[Decimal] | None:
    """'40004000100%': two amounts and a rate run together; the one way to cut them that the rate reproduces."""
    digits = token.rstrip("%")
    if "." in digits or len(digits) < 4:
        return None
    found = []
    for r in range(1, min(4, len(digits) - 1) + 1):
        rate, amounts = digits[-r:], digits[:-r]
        if (len(rate) > 1 and rate.startswith("0")) or not 0 < Decimal(rate) <= 100:
            continue
        for cut in range(1, len(amounts)):
            a, b = amounts[:cut], amounts[cut:]
            if (len(a) > 1 and a.startswith("0")) or (len(b) > 1 and b.startswith("0")):
                continue
            if _reproduces(Decimal(a), Decimal(b), rate):
                found.append([Decimal(a), Decimal(b), Decimal(rate)])
    return found[0] if len(found) == 1 else None


def _pair_for(amounts: list[tuple[int, Decimal]], at: int, rate: str) -> tuple[int, int] | None:
    """The (available, spent) positions before the rate whose ratio is the rate: the spent nearest the rate, then
    the available nearest that. None when no pair reproduces it."""
    before = [(i, v) for i, v in amounts if i < at]
    for j in range(len(before) - 1, -1, -1):
        hits = [i for i, a in reversed(before[:j]) if _reproduces(a, before[j][1], rate)]
        if hits:
            return hits[0], before[j][0]
    return None


def total_row(lines: list[Line]) -> TotalRow | None:
    """The 年度资金总额 row read from flattened text, or None."""
    for k, ln in enumerate(lines):
        m = _ANCHOR.search(to_halfwidth(ln.text))
        if not m:
            continue
        cells = _cells(lines, k, m.end())
        if cells and cells[0].endswith("%"):
            glued = _unglued(cells[0])
            if glued:
                return TotalRow(planned=None, available=glued[0], spent=glued[1], execution_rate=glued[2] / 100,
                                line=ln.line)
            continue
        amounts = [(i, Decimal(c)) for i, c in enumerate(cells) if not c.endswith("%") and not c.startswith(("—", "-"))]
        rates = [(i, c.rstrip("%")) for i, c in enumerate(cells) if c.endswith("%")]
        if not rates or len(amounts) < 2:
            continue
        # of two rates, the first may be 到位率 (a province's order: 预算 到位 到位率 执行 执行率); the last is 执行率
        at, rate = rates[-1] if len(rates) == 2 else rates[0]
        pair = _pair_for(amounts, at, rate)
        if pair is None:
            continue
        value = dict(amounts)
        earlier = [i for i, _ in amounts if i < pair[0]]
        planned = value[earlier[-1]] if earlier and earlier[-1] == pair[0] - 1 and value[earlier[-1]] > 1 else None
        arrival = None
        if len(rates) == 2 and planned is not None and _reproduces(planned, value[pair[0]], rates[0][1]):
            arrival = Decimal(rates[0][1]) / 100
        return TotalRow(planned=planned, available=value[pair[0]], spent=value[pair[1]],
                        execution_rate=Decimal(rate) / 100, arrival_rate=arrival, line=ln.line)
    return None

