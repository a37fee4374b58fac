"""The written register of a filed report (knowledge/register.yaml): what an officer's spoken sentence becomes
when it reaches the report. The one place that turns chat into report prose — fillers and hedges dropped, first
person as 本单位, spoken verbs in their written form — so sections, table cells and reasons read alike. The
officer's own words stay in the draft's notes; only what is composed from them is rewritten."""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from .templates import in_wan

REGISTER = Path(__file__).resolve().parent.parent.parent / "knowledge" / "register.yaml"


@dataclass(frozen=True)
class RegisterRule:
    name: str
    pattern: re.Pattern
    to: str
    hedged_figure: bool
    examples: tuple[tuple[str, str, tuple[str, ...]], ...]
    numeral: bool = False  # the match (group 1) is a count in Chinese numerals, written in digits


@lru_cache(maxsize=1)
def register_rules() -> tuple[RegisterRule, ...]:
    data = yaml.safe_load(REGISTER.read_text(encoding="utf-8"))
    rules = []
    for spec in data["rules"]:
        examples = tuple((e[0], e[1], tuple(e[2]) if len(e) > 2 else ()) for e in spec.get("examples") or [])
        rules.append(RegisterRule(spec["name"], re.compile(spec["pattern"]), spec.get("to", ""),
                                  bool(spec.get("hedged_figure")), examples, bool(spec.get("numeral"))))
    return tuple(rules)


def _figure(m: re.Match, exact: frozenset[str]) -> str:
    """A hedged figure: as stated when the report holds it exactly, else 约…."""
    figure = re.sub(r"\s+", "", m.group("figure"))
    return figure if figure in exact or "余" in figure else f"约{figure}"  # '7万余元' is hedged already


def _digits(m: re.Match) -> str:
    """'一万二千' → '12000', '三百八十六' → '386': a count said in words, as a report writes it (and as the number
    lock can check it); left as said when it is no number."""
    from ..core.numbers import cn_count

    value = cn_count(m.group(1))
    return m.group(0) if value is None else m.group(0).replace(m.group(1), str(value), 1)


def written(text: str, exact: frozenset[str] = frozenset()) -> str:
    """One sentence (or a few) the officer said, as report prose, ending with a full stop. `exact`: figures the
    report states exactly ('18亩'), whose hedges ('18亩左右') are dropped rather than written as 约."""
    out = re.sub(r"[ \t\u3000]+", " ", text.strip())
    for rule in register_rules():
        if rule.hedged_figure:
            out = rule.pattern.sub(lambda m: _figure(m, exact), out)
        elif rule.numeral:
            out = rule.pattern.sub(_digits, out)
        else:
            out = rule.pattern.sub(rule.to, out)
    out = out.strip(" ，,、；;：:")
    if out and out[-1] not in "。！；.!;":
        out += "。"
    return in_wan(out)


def _sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[。！；!;])", text) if s.strip()]


def unseen(text: str, seen: set[str]) -> str:
    """The sentences of `text` not written already (`seen` holds them, and takes these)."""
    kept = []
    for sentence in _sentences(text):
        key = re.sub(r"[，,。；;！!\s]", "", sentence)
        if key and key not in seen:
            seen.add(key)
            kept.append(sentence)
    return "".join(kept)


def once(texts: list[str]) -> list[str]:
    """Each statement once: a sentence already written earlier is not written again."""
    seen: set[str] = set()
    return [t for t in (unseen(text, seen) for text in texts) if t]


def exact_figures(report) -> frozenset[str]:
    """Figures the report states exactly (indicator values, amounts in 万元): a hedge said around one of them
    ('18亩左右') is dropped, not written as 约."""
    from ..core.numbers import fmt_decimal

    out: set[str] = set()
    for ind in report.indicators:
        for value in (ind.target, ind.actual):
            bare = re.sub(r"^[≥≤<>＞＜=]+|\s+", "", value or "")
            if re.match(r"^\d", bare):
                out.add(bare)
    rows = [report.funding.total, *report.funding.sources] if report.funding.total else report.funding.sources
    amounts = [v for r in rows for v in (r.planned, r.arrived, r.spent, r.balance) if v is not None]
    amounts += [e.amount for e in report.expenses if e.amount is not None]
    for value in amounts:
        out.add(f"{fmt_decimal(value.normalize())}万元")
    return frozenset(out)


_CAUSE_WORDS = re.compile(r"因|由于|原因|主要|导致|是为了|用于|新增|追加|调增|调减")


def _without_restated_figures(reason: str, funding) -> str:
    """'全年预算1926.4万元，实际发了1898.7万元，剩了27.7万元，主要是…': the report states its totals already, so
    the clauses of a reason that only say a total again ('还有13.6万元未支付', '所以全年预算是1926.4万元') are
    left out and the why is kept."""
    from ..core.numbers import parse_decimal

    total = funding.total
    known = {v for v in (total.planned, total.arrived, total.spent, total.balance) if v is not None}
    if total.arrived is not None and total.spent is not None:
        known.add(total.arrived - total.spent)
    if total.planned is not None and total.arrived is not None:
        known.add(abs(total.arrived - total.planned))  # an adjustment said as its amount is a why, kept below

    def restates(clause: str) -> bool:
        amounts = re.findall(r"(\d+(?:\.\d+)?)万元", clause)
        return bool(amounts) and all(parse_decimal(a) in known for a in amounts) and not _CAUSE_WORDS.search(clause)

    clauses = re.split(r"(?<=[，,])", reason)
    while len(clauses) > 1 and restates(clauses[0]):
        clauses.pop(0)
    while len(clauses) > 1 and re.match(r"^(?:所以|因此|这样)", clauses[-1]) and restates(clauses[-1]):
        clauses.pop()
    kept = "".join(clauses).strip("，, ")
    return kept if len(kept) >= 4 else reason


def filed_report(report):
    """The report as it is filed: the sentences the officer typed into cells (实际完成, 偏差原因, the reasons for
    unspent or adjusted funds) in the written register. Figures are untouched."""
    exact = exact_figures(report)
    out = report.model_copy(deep=True)
    for goal in out.goals:
        if goal.actual:
            goal.actual = written(goal.actual, exact)
        if goal.expected:
            goal.expected = written(goal.expected, exact)
    for ind in out.indicators:
        if ind.reason:
            ind.reason = written(ind.reason, exact)
    if out.funding.execution_reason:
        out.funding.execution_reason = _without_restated_figures(written(out.funding.execution_reason, exact),
                                                                 out.funding)
    if out.funding.adjustment_reason:
        out.funding.adjustment_reason = _without_restated_figures(written(out.funding.adjustment_reason, exact),
                                                                  out.funding)
    return out
