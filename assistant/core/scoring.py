"""Score tables as data: load a rule set (knowledge/rulesets/*.yaml) and score a report.

Every computed item carries a one-line Chinese reason. Judgement items with no data keep the
claimed score and say so.
"""
from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from . import calc
from .forms import get_form
from .models import ClaimedScore, Indicator, JudgementAnswer, Report, ScoreItem, Where, first_error
from .numbers import DATE_UNIT, compact, fmt_decimal, fmt_percent, quantize

RULESET_DIR = Path(__file__).resolve().parent.parent.parent / "knowledge" / "rulesets"


class RuleSetError(ValueError):
    """A rule-set file that cannot be used; the message names the file and the field."""


class Tier(BaseModel):
    model_config = ConfigDict(extra="forbid")
    min: Decimal
    score: Decimal


class Trigger(BaseModel):
    model_config = ConfigDict(extra="forbid")
    points: Decimal
    label: str


class Option(BaseModel):
    """One criterion or choice an officer answers: its label, its points, and words that mean it."""
    model_config = ConfigDict(extra="forbid")
    label: str
    points: Decimal
    words: list[str] = Field(default_factory=list)


class Rule(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: Literal["judgement", "rate", "deduction", "indicators", "on_time", "tiers"]
    criteria: str = ""
    ask: str = ""  # the question the interview puts; default: from the item's name and options
    # judgement: criteria each worth points (checks, any number met) or one-of choices. deduction: checks
    # are the situations that deduct their points. indicators/on_time/tiers: choices score an item whose
    # indicator family the report does not set.
    checks: list[Option] = Field(default_factory=list)
    choices: list[Option] = Field(default_factory=list)
    figure: Literal["arrival_rate", "execution_rate"] | None = None
    families: list[str] = Field(default_factory=list)
    optional_family: bool = False
    allowed: list[Decimal] = Field(default_factory=list)
    tiers: list[Tier] = Field(default_factory=list)
    triggers: dict[str, Trigger] = Field(default_factory=dict)


class RuleItem(BaseModel):
    model_config = ConfigDict(extra="forbid")
    path: list[str]
    weight: Decimal
    aliases: list[str] = Field(default_factory=list)
    rule: Rule

    def keys(self) -> set[str]:
        return {compact(self.path[-1])} | {compact(a) for a in self.aliases}


class Grade(BaseModel):
    model_config = ConfigDict(extra="forbid")
    min: Decimal
    name: str


class IndicatorScoring(BaseModel):
    model_config = ConfigDict(extra="forbid")
    total: Decimal
    default_split: dict[str, Decimal] = Field(default_factory=dict)
    qualitative_tiers: dict[str, tuple[Decimal, Decimal]] = Field(default_factory=dict)


class RuleSet(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str
    title: str
    forms: list[str] = Field(default_factory=list)
    total: Decimal = Decimal(100)
    grades: list[Grade]
    items: list[RuleItem] = Field(default_factory=list)
    indicator_scoring: IndicatorScoring | None = None

    @property
    def bands(self) -> tuple[tuple[Decimal, str], ...]:
        return tuple((g.min, g.name) for g in sorted(self.grades, key=lambda g: g.min, reverse=True))

    def find(self, name: str) -> RuleItem | None:
        key = compact(name)
        return next((it for it in self.items if key in it.keys()), None)


def load_ruleset(ref: str | Path) -> RuleSet:
    """A rule set by id ('yueyang_3_2') or by path to a YAML file; cached until the file changes."""
    path = Path(ref)
    if not path.suffix:
        path = RULESET_DIR / f"{ref}.yaml"
    try:
        stamp = path.stat().st_mtime_ns
    except OSError:
        stamp = None
    return _load_ruleset(path, stamp)


_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@lru_cache(maxsize=32)
def _load_ruleset(path: Path, stamp: int | None) -> RuleSet:
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_YAML_LOADER)  # noqa: S506 - safe loader
    except FileNotFoundError as exc:
        raise RuleSetError(f"找不到评分规则文件：{path}") from exc
    except yaml.YAMLError as exc:
        raise RuleSetError(f"评分规则文件 {path.name} 不是有效的 YAML：{exc}".splitlines()[0]) from exc
    try:
        rules = RuleSet.model_validate(data)
    except ValidationError as exc:
        where, err = first_error(exc)
        raise RuleSetError(f"评分规则文件 {path.name} 字段 {where}：{err['msg']}") from exc
    for it in rules.items:
        _check_options(path.name, it)
    weights = sum((it.weight for it in rules.items), Decimal(0))
    if rules.indicator_scoring:
        weights += rules.indicator_scoring.total
    if weights != rules.total:
        raise RuleSetError(f"评分规则文件 {path.name} 各项分值合计 {fmt_decimal(weights)}，"
                           f"与总分 {fmt_decimal(rules.total)} 不符")
    return rules


def _check_options(file: str, item: RuleItem) -> None:
    """Options must be able to reach the item's weight and never exceed it."""
    name, rule = "/".join(item.path), item.rule
    if rule.checks and rule.kind == "judgement" and sum((o.points for o in rule.checks), Decimal(0)) != item.weight:
        raise RuleSetError(f"评分规则文件 {file} 中“{name}”各判断要点分值合计不等于该项分值 {fmt_decimal(item.weight)}")
    if rule.choices and max(o.points for o in rule.choices) > item.weight:
        raise RuleSetError(f"评分规则文件 {file} 中“{name}”的选项分值超过该项分值 {fmt_decimal(item.weight)}")
    if rule.checks and rule.choices and rule.kind == "judgement":
        raise RuleSetError(f"评分规则文件 {file} 中“{name}”不能同时有 checks 和 choices")


def ruleset_for_form(form: str) -> RuleSet | None:
    """The score table a form names (`ruleset:` in its knowledge/forms file), if it names one."""
    spec = get_form(form)
    return load_ruleset(spec.ruleset) if spec and spec.ruleset else None


# ---------------------------------------------------------------------------------------------


class ScoreResult(BaseModel):
    model_config = ConfigDict(extra="forbid")
    ruleset: str | None = None
    items: list[ScoreItem] = Field(default_factory=list)
    claimed_total: Decimal | None = None
    computed_total: Decimal | None = None
    claimed_grade: str | None = None
    computed_grade: str | None = None


def _d(value: Decimal) -> str:
    return fmt_decimal(quantize(value, 2))


def _families(indicators: list[Indicator]) -> dict[str, list[Indicator]]:
    out: dict[str, list[Indicator]] = defaultdict(list)
    for ind in indicators:
        if ind.name or ind.target or ind.actual:
            out[calc.family_of(ind.level2, ind.name)].append(ind)
    return out


def _is_placeholder(ind: Indicator) -> bool:
    """Rows that only say '无' (no indicator set) count as an empty family."""
    return all(compact(v) in ("", "无", "/", "-", "—") for v in (ind.name, ind.target, ind.actual))


def family_indicators(report: Report, families: list[str]) -> list[Indicator]:
    fam = _families(report.indicators)
    return [i for f in families for i in fam.get(f, []) if not _is_placeholder(i)]


def _keep(item: RuleItem, claimed: ClaimedScore | None, why: str) -> ScoreItem:
    value = claimed.claimed if claimed else None
    reason = f"{why}，保留自评分" if value is not None else f"{why}，报告未填自评分"
    return ScoreItem(path=item.path, weight=item.weight, claimed=value, computed=value,
                     reason=reason, basis="judgement" if claimed else "missing",
                     where=claimed.where if claimed else Where())


ANSWERED = Where(cell="经办人回答")


def _by_answer(item: RuleItem, answer: JudgementAnswer, claimed: ClaimedScore | None) -> ScoreItem | None:
    """A judgement item (or an item whose family is not set) scored from the officer's answer."""
    rule = item.rule
    options = rule.checks if rule.kind == "judgement" and rule.checks else rule.choices
    picked = [o for o in options if o.label in answer.selected]
    if rule.kind == "judgement" and rule.checks:
        points = sum((o.points for o in picked), Decimal(0))
        missed = [o.label for o in options if o not in picked]
        why = "、".join(f"{o.label}（{fmt_decimal(o.points)}分）" for o in picked) if picked else "各项均不符合"
        if picked and missed:
            why += f"；未得分：{'、'.join(missed)}"
    elif picked:
        points, why = picked[0].points, picked[0].label
    else:
        return None
    score = min(points, item.weight)
    return ScoreItem(path=item.path, weight=item.weight, claimed=claimed.claimed if claimed else None,
                     computed=quantize(score, 2), basis="answered", where=claimed.where if claimed else ANSWERED,
                     reason=f"按经办人回答：{why}，得 {_d(score)} 分")


def _rule_item(item: RuleItem, claimed: ClaimedScore | None, report: Report,
               triggered: set[str]) -> ScoreItem:
    rule, w = item.rule, item.weight
    value = claimed.claimed if claimed else None
    where = claimed.where if claimed else Where()
    answer = report.judgement(item.path)

    def done(computed: Decimal, reason: str) -> ScoreItem:
        return ScoreItem(path=item.path, weight=w, claimed=value, computed=quantize(computed, 2),
                         reason=reason, basis="rule", where=where)

    if rule.kind == "judgement":
        scored = _by_answer(item, answer, claimed) if answer else None
        if scored is not None:
            return scored
        if value is None:
            return _keep(item, claimed, "判断项")
        why = f"判断项（{rule.criteria}）" if rule.criteria else "判断项"
        return _keep(item, claimed, why)

    if rule.kind == "rate":
        total = calc.total_of(report.funding)
        if rule.figure == "arrival_rate":
            r, label, num, den = calc.arrival_rate(total), "到位率", total.arrived, total.planned
        else:  # over what was available, or the budget when that is all the report gives (calc.execution_basis)
            basis = calc.execution_basis(total)
            r, label, num, den = calc.execution_rate(total), "执行率", total.spent, total.get(basis) if basis else None
        if r is None:
            return _keep(item, claimed, f"缺少计算{label}所需的资金数")
        score = w * min(r, calc.ONE)
        fraction = f"{fmt_decimal(num)}/{fmt_decimal(den)} = " if num is not None and den is not None else ""
        return done(score, f"{label} {fraction}{fmt_percent(r)}，"
                           f"{fmt_decimal(w)} × {fmt_percent(min(r, calc.ONE))} = {_d(score)}")

    if rule.kind == "deduction":
        hits = [(t.label, t.points) for code, t in rule.triggers.items() if code in triggered]
        if answer:  # situations the officer said happened, unless a computed trigger already names them
            hits += [(o.label, o.points) for o in rule.checks if o.label in answer.selected
                     and not any(label.startswith(o.label) for label, _ in hits)]
        if not hits:
            if answer:
                return done(w, f"按经办人回答：未发生{'、'.join(o.label for o in rule.checks)}等情形，得 {_d(w)} 分")
            return _keep(item, claimed, "未发现可计算的扣分情形")
        deducted = sum((points for _, points in hits), Decimal(0))
        score = max(Decimal(0), w - deducted)
        labels = "、".join(f"{label}扣{fmt_decimal(points)}分" for label, points in hits)
        return done(score, f"{labels}，{fmt_decimal(w)} − {fmt_decimal(deducted)} = {_d(score)}")

    inds = family_indicators(report, rule.families)
    fam_label = "、".join(rule.families)
    if not inds:
        scored = _by_answer(item, answer, claimed) if answer else None
        if scored is not None:
            return scored
        why = f"未设{fam_label}指标，无数据可算" if not rule.optional_family else "表中无此类指标，按判断项"
        return _keep(item, claimed, why)
    comps = [calc.completion(i) for i in inds]

    if rule.kind == "tiers":
        pct, note = _percent_actual(inds)
        if pct is None:
            return _keep(item, claimed, f"{fam_label}实际值不是百分比")
        tier = next((t for t in sorted(rule.tiers, key=lambda t: t.min, reverse=True) if pct >= t.min),
                    None)
        score = tier.score if tier else Decimal(0)
        return done(score, f"{fam_label} {fmt_decimal(pct)}%{note}，达到 {fmt_decimal(tier.min) if tier else 0}% "
                           f"档得 {fmt_decimal(score)} 分")

    unknown = [(i, c) for i, c in zip(inds, comps) if c.ratio is None]
    if unknown:
        i, c = unknown[0]
        return _keep(item, claimed, f"指标“{i.name or i.target}”无法计算完成率（{c.note}）")

    if rule.kind == "on_time":
        late = [i for i, c in zip(inds, comps) if not c.met]
        score = w if not late else Decimal(0)
        why = "时效指标均如期完成" if not late else f"时效指标“{late[0].name}”未如期完成"
        return done(score, f"{why}，得 {fmt_decimal(score)} 分")

    mean = sum((c.capped for c in comps), Decimal(0)) / len(comps)  # type: ignore[misc]
    score = w * mean
    parts = "、".join(f"{i.name or i.target} {fmt_percent(c.capped)}" for i, c in zip(inds, comps))
    return done(score, f"{fam_label}指标{len(inds)}项完成率 {parts}，"
                       f"{fmt_decimal(w)} × {fmt_percent(mean)} = {_d(score)}")


def _percent_actual(inds: list[Indicator]) -> tuple[Decimal | None, str]:
    for ind in inds:
        target, actual, _ = calc.resolve_indicator(ind)
        if actual.numeric and actual.unit == "%":
            return actual.value, ""
        if actual.qualitative == "met" and target.numeric and target.unit == "%":
            return target.value, f"（实际完成值为“{ind.actual}”，按目标值计）"
    for ind in inds:  # a bare name such as '99.9%' with a qualitative actual
        q = calc.parse_quantity(ind.name)
        actual = calc.parse_quantity(ind.actual)
        if q.numeric and q.unit == "%" and actual.qualitative == "met":
            return q.value, f"（实际完成值为“{ind.actual}”，按指标内容计）"
    return None, ""


def _claimed_lookup(report: Report, rules: RuleSet) -> tuple[dict[int, ClaimedScore], list[ClaimedScore]]:
    matched: dict[int, ClaimedScore] = {}
    extra: list[ClaimedScore] = []
    for row in report.claimed_scores:
        item = rules.find(row.path[-1]) if row.path else None
        if item is None:
            extra.append(row)
            continue
        idx = rules.items.index(item)
        matched.setdefault(idx, row)
    return matched, extra


def _national_indicator_items(report: Report, rules: RuleSet) -> list[ScoreItem]:
    cfg = rules.indicator_scoring
    assert cfg is not None
    inds = [i for i in report.indicators if not _is_placeholder(i)]
    weights: list[Decimal | None] = [i.weight for i in inds]
    if any(w is None for w in weights):
        by_level: dict[str, list[int]] = defaultdict(list)
        for k, ind in enumerate(inds):
            level = next((lv for lv in cfg.default_split if lv[:2] in compact(ind.level1)), "产出指标")
            by_level[level].append(k)
        for level, idx in by_level.items():
            share = cfg.default_split[level] / len(idx)
            for k in idx:
                if weights[k] is None:
                    weights[k] = share
    items = []
    for ind, w in zip(inds, weights):
        assert w is not None
        c = calc.completion(ind)
        path = [p for p in (ind.level1, ind.level2, ind.name) if p]
        base = dict(path=path, weight=quantize(w, 2), claimed=ind.claimed, where=ind.where)
        if c.target.unit == DATE_UNIT and c.ratio is not None:
            score = w * c.capped  # type: ignore[operator]
            when = c.note if c.ratio < 1 else "按期完成"
            reason = f"时限指标，{when}，{_d(w)} × {fmt_percent(c.capped)} = {_d(score)}"
            items.append(ScoreItem(computed=quantize(score, 2), reason=reason, basis="rule", **base))
            continue
        if c.target.numeric and c.ratio is not None:
            score = w * c.capped  # type: ignore[operator]
            reason = f"定量指标，完成率 {fmt_percent(c.ratio)}，{_d(w)} × {fmt_percent(c.capped)} = {_d(score)}"
            items.append(ScoreItem(computed=quantize(score, 2), reason=reason, basis="rule", **base))
            continue
        verdict = c.actual.qualitative or ("met" if c.met else None)
        band = cfg.qualitative_tiers.get(verdict or "")
        if band is None:
            items.append(ScoreItem(computed=ind.claimed, reason=f"无法判断完成情况（{c.note}），保留自评分",
                                   basis="judgement", **base))
            continue
        lo, hi = (w * band[0], w * band[1])
        tier = {"met": "达成年度指标", "partial": "部分达成", "unmet": "未达成"}[verdict]
        if ind.claimed is not None and lo <= ind.claimed <= hi:
            computed, how = ind.claimed, "自评分在档内"
        else:
            computed = hi if ind.claimed is None or ind.claimed > hi else lo
            how = "按档取值"
        reason = f"定性指标，{tier}，分值区间 {_d(lo)}–{_d(hi)}，{how}"
        items.append(ScoreItem(computed=quantize(computed, 2), reason=reason, basis="rule", **base))
    return items


def score_report(report: Report, rules: RuleSet | None, triggered: set[str] | None = None) -> ScoreResult:
    """Score a report against a rule set; `triggered` holds finding codes that deduct points."""
    triggered = triggered or set()
    claimed_total = report.claimed_total if report.claimed_total is not None else report.summary_total
    result = ScoreResult(claimed_total=claimed_total, claimed_grade=report.claimed_grade)
    if rules is None:
        result.computed_grade = None
        return result
    result.ruleset = rules.id
    matched, extra = _claimed_lookup(report, rules)
    for idx, item in enumerate(rules.items):
        claimed = matched.get(idx)
        if claimed is None and rules.indicator_scoring is None and not report.claimed_scores \
                and not report.judgements and item.rule.kind == "judgement":
            continue  # no score table and no answers: judgement items cannot be shown
        result.items.append(_rule_item(item, claimed, report, triggered))
    if rules.indicator_scoring is not None:
        result.items.extend(_national_indicator_items(report, rules))
    for row in extra:  # a refined table's own items: kept as written
        result.items.append(ScoreItem(path=row.path, weight=row.weight or Decimal(0), claimed=row.claimed,
                                      computed=row.claimed, basis="judgement", where=row.where,
                                      reason="评分规则中无此项，保留自评分"))
    computed = [i.computed for i in result.items if i.computed is not None]
    has_table = bool(report.claimed_scores) or (rules.indicator_scoring is not None and report.indicators)
    # answered in the interview: a total only once every item of the table has its score
    complete = bool(report.judgements) and all(i.computed is not None for i in result.items)
    if computed and (has_table or complete):
        result.computed_total = quantize(sum(computed, Decimal(0)), 2)
        result.computed_grade = calc.grade_of(result.computed_total, rules.bands)
    return result
