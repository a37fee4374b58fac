"""存在问题和建议 from what the core found: each deduction and shortfall with its cause and a 建议."""
from __future__ import annotations

import re

from functools import lru_cache

import jinja2
import yaml

from ..core import calc
from ..core.checks import CheckResult
from ..core.forms import layout_of, money_words
from ..core.numbers import fmt_decimal, fmt_percent, quantize
from .templates import PROMPTS, gap, in_wan, wan


@lru_cache(maxsize=1)
def _rules() -> dict:
    return yaml.safe_load((PROMPTS / "problems.yaml").read_text(encoding="utf-8"))


def _render(template: str, **values) -> str:
    env = jinja2.Environment(undefined=jinja2.StrictUndefined, autoescape=False)
    return env.from_string(template).render(gap=gap, **values).strip()


def _clause(text: str | None) -> str:
    """The officer's reason as a clause of the problem's sentence."""
    return in_wan((text or "").strip()).rstrip("。.；; ").replace("。", "；")


def problem_items(result: CheckResult) -> list[tuple[str, str]]:
    """(problem, suggestion) pairs in a stable order: money first, then indicators, then score items."""
    rules = _rules()
    r, score = result.report, result.score
    total = calc.total_of(r.funding)
    items: list[tuple[str, str]] = []

    words = money_words(r.project.form)  # the form's own column words: 全年预算数 on the national 自评表

    def add(key: str, **values) -> None:
        rule = rules[key]
        items.append((_render(rule["problem"], words=words, **values), _render(rule["suggestion"], words=words, **values)))

    execution = calc.execution_rate(total)
    if execution is not None and execution < 1:
        add("low_execution", arrived=wan(total.arrived), spent=wan(total.spent), rate=fmt_percent(execution),
            balance=wan(total.balance if total.balance is not None else calc.balance(total)),
            reason=_clause(r.funding.execution_reason))
    arrival = calc.arrival_rate(total) if layout_of(r.project.form) != "national" else None  # no 到位 there
    if arrival is not None and arrival < 1:
        add("late_funds", planned=wan(total.planned), arrived=wan(total.arrived), rate=fmt_percent(arrival))
    for ind in r.indicators:
        c = calc.completion(ind)
        if c.ratio is not None and c.ratio < 1:
            add("unmet_indicator", name=ind.name or ind.level2, target=ind.target, actual=ind.actual,
                rate=fmt_percent(c.ratio), reason=_clause(ind.reason))
    empty = sorted({f.evidence.get("family") for f in result.findings
                    if f.code in ("indicator.empty_family", "score.empty_family_full_marks") and f.evidence.get("family")})
    if empty:
        add("empty_families", families="、".join(str(e) for e in empty))
    covered = {"到位率"} if arrival is not None and arrival < 1 else set()
    for it in score.items:
        got = it.computed if it.computed is not None else it.claimed
        if got is None or got >= it.weight or it.path[-1] in covered:
            continue
        advice = rules["advice"].get(it.path[-1], rules["advice"]["default"])
        reason = _prose_reason(it.reason) if it.basis in ("rule", "answered") else \
            f"{_prose_reason(it.reason.split('（')[0].removesuffix('，保留自评分'))}，{gap('扣分原因')}"
        add("deducted", item=it.path[-1], score=fmt_decimal(quantize(got, 2)), weight=fmt_decimal(it.weight),
            reason=reason, advice=advice)
    return items


def _prose_reason(reason: str) -> str:
    """A score's reason as report prose: the scorer's arithmetic ('4 × 97.16% = 3.89', '685.5/720 = ') and its
    bookkeeping ('按经办人回答：', '，得 4 分') belong to the check view, not to 存在问题和建议."""
    text = re.sub(r"^按经办人回答[：:]", "", reason or "")
    text = re.sub(r"[，,]?\s*\d+(?:\.\d+)?\s*×\s*\d+(?:\.\d+)?%\s*=\s*\d+(?:\.\d+)?", "", text)
    text = re.sub(r"\d+(?:\.\d+)?/\d+(?:\.\d+)?\s*=\s*", "", text)
    text = re.sub(r"[，,]\s*得\s*\d+(?:\.\d+)?\s*分\s*$", "", text)
    return text.strip("，, ")


def problems_text(result: CheckResult) -> str:
    lines = []
    for n, (problem, suggestion) in enumerate(problem_items(result), start=1):
        lines.append(f"（{n}）{problem}建议：{suggestion}")
    return "\n".join(lines)


def lost_points(result: CheckResult) -> list[dict]:
    out = []
    for it in result.score.items:
        got = it.computed if it.computed is not None else it.claimed
        if got is not None and got < it.weight:
            out.append({"name": it.path[-1], "score": got, "weight": it.weight})
    return out


