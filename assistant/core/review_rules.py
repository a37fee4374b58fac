"""The rules finance bureaus apply when they review a 自评 (预算管理一体化 performance modules, 抽查复核).

Rules and their thresholds are data: a pack per region in `knowledge/rulesets/review/` (national.yaml
the default; a region's pack `extends: national` and overrides only what differs, and is chosen by the
words of the report's region, unit or department). Each rule gives findings with a stable code.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable

import yaml

from . import calc
from .models import Finding, Indicator, Report, Where
from .numbers import compact, fmt_decimal, fmt_percent, to_halfwidth

PACK_DIR = Path(__file__).resolve().parent.parent.parent / "knowledge" / "rulesets" / "review"
DEFAULT_PACK = "national"


@dataclass(frozen=True)
class ReviewPack:
    id: str
    name: str
    match: tuple[str, ...] = ()
    rules: dict[str, dict[str, Any]] = field(default_factory=dict)


class PackError(ValueError):
    """A review rule pack that cannot be used (named in Chinese for the operator)."""


def _merge(base: dict[str, dict], over: dict[str, dict]) -> dict[str, dict]:
    out = {k: dict(v) for k, v in base.items()}
    for name, settings in (over or {}).items():
        if settings is None:  # `rule: null` switches a national rule off for the region
            out.pop(name, None)
        else:
            out.setdefault(name, {}).update(settings)
    return out


@lru_cache(maxsize=None)
def load_pack(ref: str) -> ReviewPack:
    """A pack by id ('hunan') or path, with the pack it extends merged in."""
    path = Path(ref) if Path(ref).suffix else PACK_DIR / f"{ref}.yaml"
    if not path.is_file():
        known = "、".join(p.stem for p in sorted(PACK_DIR.glob("*.yaml")))
        raise PackError(f"复核规则包“{ref}”不存在，可选：{known}，或给出 YAML 文件路径")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise PackError(f"复核规则包 {path.name} 无法读取：{exc}") from exc
    rules = data.get("rules") or {}
    if data.get("extends"):
        rules = _merge(load_pack(str(data["extends"])).rules, rules)
    unknown = sorted(set(rules) - set(_RULES))
    if unknown:
        raise PackError(f"复核规则包 {path.name} 含未知规则：{'、'.join(unknown)}")
    return ReviewPack(id=str(data.get("id") or path.stem), name=str(data.get("name") or path.stem),
                      match=tuple(str(w) for w in data.get("match") or ()), rules=rules)


def all_packs() -> list[ReviewPack]:
    return [load_pack(p.stem) for p in sorted(PACK_DIR.glob("*.yaml"))]


def pack_for(report: Report) -> ReviewPack:
    """The region's pack, by the words of the report's region, unit, department or name; else national."""
    p = report.project
    where = "".join(filter(None, (p.region, p.unit, p.department, p.name)))
    for pack in all_packs():
        if pack.id != DEFAULT_PACK and any(w in where for w in pack.match):
            return pack
    return load_pack(DEFAULT_PACK)


def _d(value: Any) -> Decimal:
    return Decimal(str(value))


def _finding(rule: dict, message: str, where: Where | None = None, **evidence) -> Finding:
    ev = {k: (fmt_decimal(v) if isinstance(v, Decimal) else v) for k, v in evidence.items() if v is not None}
    return Finding(code=rule["code"], severity=rule.get("severity", "warning"), message=message, evidence=ev,
                   where=where or Where())


def _execution(report: Report) -> Decimal | None:
    total = calc.total_of(report.funding)
    rate = calc.execution_rate(total)
    return rate if rate is not None else report.funding.stated_execution_rate


def _label(ind: Indicator) -> str:
    return ind.name or ind.level2


# ---------------------------------------------------------------------------------------------
# The rules: each takes the report, its claimed total and its settings, and returns findings


def _execution_cap(report: Report, claimed: Decimal | None, rule: dict) -> list[Finding]:
    rate = _execution(report)
    if rate is None or claimed is None:
        return []
    for cap in sorted(rule.get("caps") or [], key=lambda c: _d(c["below"])):
        if rate < _d(cap["below"]):
            limit = _d(cap["max"])
            if claimed > limit:
                excess = claimed - limit
                return [_finding(rule, f"预算执行率 {fmt_percent(rate)}，自评得分不应超过 {fmt_decimal(limit)} 分；"
                                       f"报告自评 {fmt_decimal(claimed)} 分，超出的 {fmt_decimal(excess)} 分应扣减",
                                 execution_rate=fmt_percent(rate), cap=limit, claimed_total=claimed, excess=excess)]
            return []
    return []


def _target_too_low(report: Report, claimed: Decimal | None, rule: dict) -> list[Finding]:
    over, deduct = _d(rule.get("over", "0.30")), _d(rule.get("deduct", "0"))
    out = []
    for ind in report.indicators:
        c = calc.completion(ind)
        if c.ratio is None or c.lower_is_better or not c.target.numeric or c.ratio < 1 + over:
            continue
        tail = f"，按本地区规则扣 {fmt_decimal(deduct)} 分" if deduct > 0 else ""
        out.append(_finding(rule, f"指标“{_label(ind)}”完成 {ind.actual}，比目标 {ind.target} 高出 "
                                  f"{fmt_percent(c.ratio - 1)}（≥{fmt_percent(over)}）：年初指标值设定偏低（偏离）{tail}",
                            ind.where, indicator=_label(ind), target=ind.target, actual=ind.actual,
                            completion=fmt_percent(c.ratio), deduct=deduct if deduct > 0 else None))
    return out


def _indicator_score(report: Report, default_weight: Decimal) -> tuple[Decimal, Decimal] | None:
    """(claimed points, their weight) of the performance indicators: the national table's own 得分/分值,
    else the score table's 产出/效益/满意度 items."""
    scored: list = [i for i in report.indicators if i.claimed is not None] or [
        s for s in report.claimed_scores if s.claimed is not None
        and any(w in part for part in s.path[:2] for w in ("产出", "效果", "效益", "满意"))]
    if not scored:
        return None
    weights = [x.weight for x in scored]
    weight = sum(weights, Decimal(0)) if all(w is not None for w in weights) else default_weight
    return sum((x.claimed for x in scored), Decimal(0)), weight


def _results_outpace_spending(report: Report, claimed: Decimal | None, rule: dict) -> list[Finding]:
    rate = _execution(report)
    got = _indicator_score(report, _d(rule.get("indicator_weight", "90")))
    if rate is None or got is None or got[1] <= 0 or got[0] <= 0:
        return []
    points, weight = got
    share = points / weight
    gap = (share - rate) / share
    if gap <= _d(rule.get("threshold", "0.05")):
        return []
    return [_finding(rule, f"绩效指标得分 {fmt_decimal(points)}/{fmt_decimal(weight)}（{fmt_percent(share)}）明显高于"
                           f"预算执行率 {fmt_percent(rate)}：偏离度 {fmt_percent(gap)}，产出效益与资金使用不匹配",
                     indicator_points=points, indicator_weight=weight, execution_rate=fmt_percent(rate),
                     gap=fmt_percent(gap))]


def _unspent_share(report: Report, claimed: Decimal | None, rule: dict) -> list[Finding]:
    total = calc.total_of(report.funding)
    basis = calc.execution_basis(total)
    if basis is None or total.spent is None:
        return []
    available = total.get(basis)  # type: ignore[arg-type]
    assert available is not None
    unspent = available - total.spent
    if available <= 0 or unspent / available <= _d(rule.get("above", "0.20")):
        return []
    return [_finding(rule, f"可用资金 {fmt_decimal(available)} 万元中 {fmt_decimal(unspent)} 万元未支出"
                           f"（{fmt_percent(unspent / available)}，超过 {fmt_percent(_d(rule.get('above', '0.20')))}），"
                           "应说明原因及结余资金的处理（收回或结转）", total.where,
                     available=available, spent=total.spent, unspent=unspent, share=fmt_percent(unspent / available))]


def _budget_zero(report: Report, claimed: Decimal | None, rule: dict) -> list[Finding]:
    f = report.funding
    out = []
    for row in (calc.total_of(f), *f.sources):
        if row.planned == 0 and row.spent:
            out.append(_finding(rule, f"{row.source}年初预算（计划）为 0，却支出 {fmt_decimal(row.spent)} 万元："
                                      "应说明资金来源和预算调整依据", row.where, source=row.source, spent=row.spent))
    return out[:1]  # the total, or else the first source: one finding says it


def _reason_missing(report: Report, claimed: Decimal | None, rule: dict) -> list[Finding]:
    out = []
    for ind in report.indicators:
        c = calc.completion(ind)
        if c.ratio is not None and c.ratio < 1 and not ind.reason.strip():
            out.append(_finding(rule, f"指标“{_label(ind)}”未完成（目标 {ind.target}，实际 {ind.actual}），"
                                      "未填写偏差原因分析及改进措施", ind.where, indicator=_label(ind),
                                target=ind.target, actual=ind.actual, completion=fmt_percent(c.ratio)))
    return out


def _boilerplate_actuals(report: Report, claimed: Decimal | None, rule: dict) -> list[Finding]:
    full = []
    for ind in report.indicators:
        c = calc.completion(ind)
        if c.target.numeric or not ind.actual.strip() or ind.weight is None or ind.claimed is None:
            continue
        if ind.claimed >= ind.weight > 0:
            full.append(ind)
    if len(full) < int(rule.get("min_count", 3)):
        return []
    texts = {compact(i.actual) for i in full}
    if len(texts) != 1:
        return []
    return [_finding(rule, f"{len(full)} 项定性指标的完成值都写作“{full[0].actual.strip()}”且全部满分：完成值应写明实际"
                           "做到了什么，并附佐证", full[0].where, count=len(full), actual=full[0].actual.strip(),
                     indicators=[_label(i) for i in full])]


_PERCENT = re.compile(r"(\d+(?:\.\d+)?)\s*(?:%|％|百分比)")


def _rate_over_100(report: Report, claimed: Decimal | None, rule: dict) -> list[Finding]:
    bounded, unbounded = tuple(rule.get("bounded") or ()), tuple(rule.get("unbounded") or ())
    out = []
    for ind in report.indicators:
        name = compact(ind.name or ind.level2)
        if not any(w in name for w in bounded) or any(w in name for w in unbounded):
            continue
        for side, text in (("目标值", ind.target), ("完成值", ind.actual)):
            m = _PERCENT.search(to_halfwidth(text))
            if m and Decimal(m.group(1)) > 100:
                out.append(_finding(rule, f"指标“{_label(ind)}”{side} {text.strip()} 超过 100%，这一比率不可能超过 100%",
                                    ind.where, indicator=_label(ind), side=side, value=text.strip()))
                break
    return out


_GE = re.compile(r"^\s*(≥|>=|>|不低于|不少于|大于|高于|达到)")


def _cost_with_ge(report: Report, claimed: Decimal | None, rule: dict) -> list[Finding]:
    out = []
    for ind in report.indicators:
        if calc.family_of(ind.level2, ind.name) != "成本" and "成本" not in ind.name:
            continue
        if _GE.match(to_halfwidth(ind.target)):
            out.append(_finding(rule, f"成本指标“{_label(ind)}”目标写作“{ind.target}”：成本指标应为上限（≤）",
                                ind.where, indicator=_label(ind), target=ind.target))
    return out


_RULES: dict[str, Callable[[Report, Decimal | None, dict], list[Finding]]] = {
    "execution_cap": _execution_cap, "target_too_low": _target_too_low,
    "results_outpace_spending": _results_outpace_spending, "unspent_share": _unspent_share,
    "budget_zero": _budget_zero, "reason_missing": _reason_missing, "boilerplate_actuals": _boilerplate_actuals,
    "rate_over_100": _rate_over_100, "cost_with_ge": _cost_with_ge,
}


def review_findings(report: Report, claimed_total: Decimal | None, pack: ReviewPack | None = None) -> list[Finding]:
    """Every finding the pack's rules raise on the report, in the pack's order."""
    pack = pack or pack_for(report)
    out: list[Finding] = []
    for name, settings in pack.rules.items():
        out.extend(_RULES[name](report, claimed_total, settings))
    return out


def superseded(findings: list[Finding], pack: ReviewPack) -> list[Finding]:
    """The findings without those a review rule's finding says again for the same place (`supersedes`)."""
    by_code = {rule["code"]: set(rule.get("supersedes") or ()) for rule in pack.rules.values()}
    places = {(old, f.where.line, f.where.cell) for f in findings for old in by_code.get(f.code, ())}
    return [f for f in findings if (f.code, f.where.line, f.where.cell) not in places]
