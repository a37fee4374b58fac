"""jinja2 over prompts/ with StrictUndefined, and the Chinese number and date filters templates use."""
from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

import jinja2

from ..core.numbers import fmt_decimal, fmt_percent, quantize

PROMPTS = Path(__file__).resolve().parent.parent.parent / "prompts"


def gap(label: str) -> str:
    return f"【待补充：{label}】"


def wan(value: Decimal | None, label: str = "金额") -> str:
    """289.8 → '289.8万元', 31.245 → '31.245万元' (an amount is stated to the 元, never rounded away: 312450元 is
    31.245万元); a missing figure becomes a visible gap, never a guess."""
    return gap(label) if value is None else f"{fmt_decimal(quantize(value, 4))}万元"


def pct(rate: Decimal | None, label: str = "比率") -> str:
    """0.905625 → '90.56%'."""
    return gap(label) if rate is None else fmt_percent(rate)


def num(value: Decimal | None, label: str = "数值") -> str:
    return gap(label) if value is None else fmt_decimal(quantize(value, 2))


def cn_date(iso: str | None, label: str = "日期") -> str:
    """'2021-06-08' → '2021年6月8日'; '2019-11' → '2019年11月'."""
    if not iso:
        return gap(label)
    parts = [int(x) for x in iso.split("-")]
    if len(parts) == 3:
        d = date(*parts)
        return f"{d.year}年{d.month}月{d.day}日"
    return f"{parts[0]}年{parts[1]}月" if len(parts) == 2 else f"{parts[0]}年"


def oneline(value: str | None) -> str:
    """A multi-line cell as one paragraph (its line breaks were table layout, not structure)."""
    return "".join(part.strip() for part in (value or "").splitlines())


_YUAN = re.compile(r"(?<![\d.,万亿])(\d{1,3}(?:,\d{3})+|\d{5,})(?:\.(\d+))?\s*元")


def in_wan(text: str) -> str:
    """Amounts the officer wrote in 元 read in 万元, as the report states money: '234000元' → '23.4万元'."""
    def one(m: re.Match) -> str:
        value = Decimal(m.group(1).replace(",", "") + (f".{m.group(2)}" if m.group(2) else "")) / 10000
        return f"{fmt_decimal(value.normalize())}万元"
    return _YUAN.sub(one, text)


def unstop(value: str) -> str:
    """An officer's sentence inside a template's sentence: in 万元, without its own closing stop."""
    return in_wan(value).rstrip("。.；; ")


def text_or_gap(value: str | None, label: str) -> str:
    return value.strip() if value and value.strip() else gap(label)


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(PROMPTS)), undefined=jinja2.StrictUndefined,
                             autoescape=False, trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=False)
    env.filters.update(wan=wan, pct=pct, num=num, cn_date=cn_date, or_gap=text_or_gap, oneline=oneline,
                       unstop=unstop)
    env.globals.update(gap=gap)
    return env


def render(name: str, **context) -> str:
    return environment().get_template(name).render(**context).strip()
