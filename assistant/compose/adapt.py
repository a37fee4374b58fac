"""Adapt a precedent passage to this project: its names, figures and dates become ours where the mapping
is known. What else names another project (companies, systems, places, papers) the lock marks
【待核实：…】 afterwards (namelock.lock), as it does for any generated text."""
from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from ..core.models import ProjectInfo
from ..core.numbers import find_money
from ..retrieval.hits import Hit
from .templates import cn_date

VERIFY = "【待核实：{}】"


@dataclass
class Adapted:
    text: str
    replaced: list[tuple[str, str]]
    unverified: list[str]


def _short_region(region: str) -> str:
    return re.sub(r"(市|县|区|省|州)$", "", region)


# a sentence about the project's own money says so: 计划/预算/投资/到位/支出/执行/结余 …, not 中标价格 or 合同价
_MONEY_SAID = r"(?:计划|预算|安排|投资|批复|到位|下达|拨付|到账|支出|执行|使用|支付|结余|剩余|结转|资金)"


def _map_figures(text: str, theirs: dict, mine: dict, replaced: list[tuple[str, str]]) -> str:
    """The precedent's own totals, rates and dates become this project's (same meaning, our value)."""
    edits: list[tuple[int, int, str]] = []
    money_keys = ("planned", "arrived", "spent", "balance")
    for m in find_money(text):
        key = next((k for k in money_keys if k in theirs and Decimal(theirs[k]) == m.value), None)
        # only a figure the sentence says is that total: '中标价格为280万元' in another project stays theirs (and is
        # marked), never this project's 280万元 in a sentence that is not about it
        if key and key in mine and re.search(_MONEY_SAID + r"[^，,。；;]{0,12}$", text[max(0, m.start - 16):m.start]):
            edits.append((m.start, m.end, f"{mine[key]}万元"))
    for m in re.finditer(r"(?<![\d.])(\d+(?:\.\d+)?)\s*%", text):
        value = Decimal(m.group(1))
        key = next((k for k in ("execution_rate", "arrival_rate") if k in theirs
                    and abs(Decimal(theirs[k]) - value) < Decimal("0.05")), None)
        if key and key in mine:
            edits.append((m.start(), m.end(), f"{mine[key]}%"))
    for key in ("report_date", "period_start", "period_end"):
        if key in theirs and key in mine:
            old = cn_date(theirs[key])
            for m in re.finditer(re.escape(old) + (r"(?!\d)" if key != "report_date" else ""), text):
                edits.append((m.start(), m.end(), cn_date(mine[key])))
    kept: list[tuple[int, int, str]] = []
    for edit in sorted(edits):
        if not kept or edit[0] >= kept[-1][1]:  # overlapping edits: the earlier one wins
            kept.append(edit)
    for start, end, new in reversed(kept):
        replaced.append((text[start:end], new))
        text = text[:start] + new + text[end:]
    return text


def adapt(hit: Hit, project: ProjectInfo, mine: dict | None = None) -> Adapted:
    text = hit.text
    replaced: list[tuple[str, str]] = []
    unverified: list[str] = []
    if hit.figures and mine:
        text = _map_figures(text, hit.figures, mine, replaced)

    def swap(old: str | None, new: str | None) -> None:
        nonlocal text
        if not old or old not in text or old == new:
            return
        if new:
            text = text.replace(old, new)
            replaced.append((old, new))
        else:
            text = text.replace(old, VERIFY.format(old))
            unverified.append(old)

    swap(hit.title, project.name)  # the precedent project's name
    swap(hit.issuer, project.unit)
    if hit.region:
        swap(hit.region, project.region)
        short_old = _short_region(hit.region)
        short_new = _short_region(project.region) if project.region else None
        if len(short_old) >= 2:
            # '岳阳政务', '岳阳市政府网站' — the place name inside other names
            text = re.sub(rf"(?<!【待核实：){re.escape(short_old)}(?![市县区])",
                          short_new if short_new else VERIFY.format(short_old), text)
            (replaced.append((short_old, short_new)) if short_new else unverified.append(short_old))
    return Adapted(text, replaced, unverified)
