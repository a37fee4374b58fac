"""Which column a table header names: the header words of indicator tables, funding grids and expense lists,
as data (knowledge/columns.yaml), so a bureau's own header words need no code."""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import yaml

from ..numbers import compact, to_halfwidth

COLUMNS_FILE = Path(__file__).resolve().parent.parent.parent.parent / "knowledge" / "columns.yaml"


@lru_cache(maxsize=1)
def _vocab() -> dict:
    return yaml.safe_load(COLUMNS_FILE.read_text(encoding="utf-8"))


def header_key(text: str) -> str:
    """A header as compared: half-width, no spaces or line breaks, a unit in brackets at its end taken off."""
    key = compact(to_halfwidth(text or ""))
    return re.sub(r"[(（](?:万元|元|亿元|%|个|人|人次)?[)）]$", "", key)


def _named(key: str, table: str, loose: bool = False) -> str | None:
    best: tuple[int, str] | None = None
    for col, words in _vocab()[table].items():
        starts = words.get("starts", []) + (words.get("exact", []) if loose else [])
        for word in starts:
            if key.startswith(word) and (best is None or len(word) > best[0]):
                best = (len(word), col)
        if key in words.get("exact", []) and (best is None or len(key) > best[0]):
            best = (len(key), col)
    return best[1] if best else None


def indicator_column(text: str, loose: bool = False) -> str | None:
    """'指标名称' → name, '年度目标' → target, '完成情况' → actual, '二级' → level2 … `loose`: a short word begins
    the header too ('实际完' cut off by a line break in a pasted header)."""
    key = header_key(text)
    if not 0 < len(key) <= 16:
        return None
    if loose and re.search(r"支付|支出|到位|使用|金额|拨付|资金|预算|凭证", key):
        return None  # '实际支付', '预算数': an expense list's or a grid's money, not an indicator's value
    named = _named(key, "indicators", loose)
    if named is None and loose and len(key) <= 8:  # '年初定的目标', '全年完成', '实际做到'
        named = "actual" if re.search(r"完成|实际|做到", key) else "target" if "目标" in key else None
    return named


def expense_column(text: str) -> str | None:
    """'支出内容' / '项目' → content, '金额（万元）' → amount, '凭证号' → voucher, '备注' → note."""
    key = header_key(text)
    return _named(key, "expenses") if 0 < len(key) <= 12 else None


def expense_content_word(text: str) -> bool:
    """'项目', '内容': a content header only in a row with no funding column beside it."""
    return header_key(text) in _vocab()["expenses"]["content"].get("exact", [])


def funding_words() -> tuple[tuple[str, tuple[str, ...]], ...]:
    """(column, words) in the order tried: the first whose words a header holds."""
    return tuple((col, tuple(words)) for col, words in _vocab()["funding"].items())
