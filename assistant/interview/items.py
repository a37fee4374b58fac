"""What a complete report in a form still needs, as an ordered list of questions (items).

Whether an item is answered is read from the report itself, so nothing answered is asked again:
project fields, the tables, a reason for each shortfall, every judgement item of the form's score
table, and the prompts of each narrative section (prompts/sections/skeletons.yaml).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from ..compose.skeleton import part_of, skeleton_of
from ..core import calc
from ..core.forms import Form, default_form, get_form
from ..core.models import Report
from ..core.numbers import fmt_decimal, fmt_percent
from ..core.scoring import RuleItem, family_indicators, ruleset_for_form
from .spec import interview_spec

NONE_OF_THEM = "均无"  # the answer to a deduction's list of situations when none happened
FAMILY_LEVEL = {"数量": "产出指标", "质量": "产出指标", "时效": "产出指标", "成本": "产出指标",
                "经济效益": "效益指标", "社会效益": "效益指标", "生态效益": "效益指标", "可持续影响": "效益指标",
                "满意度": "满意度指标"}
FAMILY_EXAMPLE = {"数量": "完成养护里程", "质量": "验收合格率", "时效": "按期完成率", "成本": "单位成本",
                  "经济效益": "带动群众增收", "社会效益": "受益群众人数", "生态效益": "绿化覆盖率",
                  "可持续影响": "长效管护机制运行", "满意度": "服务对象满意度"}


@dataclass
class Item:
    id: str
    group: str   # 项目信息 | 数据 | 偏差原因 | 评分 | 叙述
    label: str
    ask: str
    kind: str    # text | choice | checks | paste | indicator (a missing family: a choice or an indicator line)
    done: bool
    options: list[str] = field(default_factory=list)
    field: str | None = None         # project field
    path: list[str] | None = None    # score item
    indicator: str | None = None     # the indicator a reason is for
    section: str | None = None       # narrative prompt: section kind and part
    part: str | None = None

    def card(self) -> dict:
        return {"item": self.id, "group": self.group, "label": self.label, "ask": self.ask, "kind": self.kind,
                "options": self.options}


def form_of(form_id: str | None) -> Form:
    return get_form(form_id) or get_form(default_form())  # type: ignore[return-value]


def _project_items(form: Form, report: Report) -> list[Item]:
    spec = interview_spec()
    out = []
    for name in form.project_fields or spec.default_project:
        pf = spec.field(name)
        if pf is None:
            continue
        label, ask, choices = pf.label, pf.ask, list(pf.choices)
        if name == "eval_type" and form.cover.type_label != label:
            # the form's own words: 淮南's cover says 考评类型 and 项目完成结果考评
            label, ask = form.cover.type_label, f"本次是哪种{form.cover.type_label[:2]}？"
            choices = list(reversed(form.cover.types))  # completed first, as the default asks
        out.append(Item(id=f"project.{name}", group="项目信息", label=label, ask=ask,
                        kind="choice" if choices else "text", options=choices, field=name,
                        done=bool(getattr(report.project, name, None))))
    return out


def _table_done(key: str, report: Report) -> bool:
    if key == "funding":
        return report.funding.origin != "none" and not calc.total_of(report.funding).is_empty()
    if key == "expenses":
        return bool(report.expenses)
    return any(i.name or i.target for i in report.indicators)


def _reason_items(report: Report, layout: str) -> list[Item]:
    spec = interview_spec().reasons
    out = []
    total = calc.total_of(report.funding)
    if layout == "national" and total.planned is not None and total.arrived is not None \
            and total.arrived != total.planned and "adjustment" in spec:
        change = total.arrived - total.planned
        out.append(Item(id="reason.adjustment", group="偏差原因", label=spec["adjustment"].label, kind="text",
                        done=bool(report.funding.adjustment_reason),
                        ask=spec["adjustment"].ask.format(arrived=fmt_decimal(total.arrived),
                                                          planned=fmt_decimal(total.planned),
                                                          change=f"{'追加' if change > 0 else '调减'}{fmt_decimal(abs(change))}万元")))
    rate = calc.execution_rate(total)
    if rate is not None and rate < 1:
        out.append(Item(id="reason.execution", group="偏差原因", label=spec["execution"].label, kind="text",
                        ask=spec["execution"].ask.format(rate=fmt_percent(rate)),
                        done=bool(report.funding.execution_reason)))
    for ind in report.indicators:
        c = calc.completion(ind)
        if c.ratio is not None and c.ratio < 1 and ind.name:
            out.append(Item(id=f"reason.indicator.{ind.name}", group="偏差原因", label=f"{ind.name}{spec['indicator'].label}",
                            kind="text", indicator=ind.name, done=bool(ind.reason),
                            ask=spec["indicator"].ask.format(name=ind.name, target=ind.target, actual=ind.actual)))
    return out


def _score_item(item: RuleItem, report: Report, indicators_done: bool) -> Item | None:
    rule, path = item.rule, item.path
    answered = report.judgement(path) is not None
    name = path[-1]
    if rule.kind == "judgement" and (rule.checks or rule.choices):
        options = [o.label for o in (rule.checks or rule.choices)]
        return Item(id="score." + "/".join(path), group="评分", label=name, kind="checks" if rule.checks else "choice",
                    ask=rule.ask or f"{name}：以下哪些符合？", options=options, path=path, done=answered)
    if rule.kind == "deduction" and rule.checks:
        return Item(id="score." + "/".join(path), group="评分", label=name, kind="checks",
                    ask=rule.ask or f"{name}：是否有以下情形？", path=path, done=answered,
                    options=[o.label for o in rule.checks] + [NONE_OF_THEM])
    if rule.kind in ("indicators", "on_time", "tiers") and rule.choices and indicators_done \
            and not family_indicators(report, rule.families):
        family = rule.families[0] if rule.families else name
        options = [o.label for o in rule.choices]
        ask = rule.ask or interview_spec().reasons["family"].ask.format(
            family=family, item=name, weight=fmt_decimal(item.weight), example=FAMILY_EXAMPLE.get(family, name),
            none=options[0] if len(options) == 1 else options[-1])
        return Item(id="score." + "/".join(path), group="评分", label=name, kind="indicator", ask=ask,
                    options=options, path=path, done=answered)
    return None


def _narrative_items(form: Form, report: Report, adopted: set[str]) -> list[Item]:
    out = []
    for sec in form.sections:
        notes = [n for n in report.notes if n.section == sec.kind]
        for part in skeleton_of(sec.kind).parts:
            mine = [n for n in notes if part_of(n) == part.key]
            covered = any(not n.unasked for n in mine)
            ask = part.ask
            if mine and not covered:  # only said in passing: asked, with what was said, so it is not said twice
                ask = f"{part.ask}（已记下您顺带说的：“{mine[0].text[:18]}…”；还有要补充的吗？没有请说“没有了”）"
            out.append(Item(id=f"note.{sec.kind}.{part.key}", group="叙述", label=f"{sec.title}：{part.label}",
                            ask=ask, kind="text", section=sec.kind, part=part.key,
                            done=covered or sec.kind in adopted))
    return out


def items_for(form_id: str | None, report: Report | None, adopted: set[str] | None = None) -> list[Item]:
    """Every question a complete report in this form needs, in the order the interview asks them."""
    form = form_of(form_id)
    report = report or Report()
    spec = interview_spec()
    items = _project_items(form, report)
    for table in spec.tables:
        if table.key in form.tables:
            items.append(Item(id=f"table.{table.key}", group="数据", label=table.label,
                              ask=table.asks.get(form.layout, table.ask), kind="paste",
                              done=_table_done(table.key, report)))
    if "goals" in form.tables:
        goal = report.goals[0] if report.goals else None
        for g in spec.goals:
            items.append(Item(id=f"goals.{g.key}", group="数据", label=g.label, ask=g.ask, kind="text",
                              done=bool(goal and getattr(goal, g.key).strip())))
    items += _reason_items(report, form.layout)
    rules = ruleset_for_form(form.id)
    if rules is None and spec.claimed_grade is not None:  # no table to score by: the unit's own grade
        g = spec.claimed_grade
        items.append(Item(id="claimed.grade", group="评分", label=g.label, ask=g.ask, kind="choice",
                          options=list(g.choices), done=bool(report.claimed_grade)))
        if spec.claimed_total is not None:
            t = spec.claimed_total
            items.append(Item(id="claimed.total", group="评分", label=t.label, ask=t.ask, kind="text",
                              done=report.claimed_total is not None))
    indicators_done = _table_done("indicators", report)
    for rule_item in rules.items if rules else []:
        item = _score_item(rule_item, report, indicators_done)
        if item is not None:
            items.append(item)
    items += _narrative_items(form, report, adopted or set())
    return items


def next_item(items: list[Item], skipped: list[str] | None = None, given_up: list[str] | None = None) -> Item | None:
    """The first unanswered question not skipped; the skipped ones come back once at the end; those skipped
    twice (given up) stay 【待补充】 and are not asked again."""
    skipped_set, gone = set(skipped or []), set(given_up or [])
    return next((i for i in items if not i.done and i.id not in skipped_set), None) or \
        next((i for i in items if not i.done and i.id not in gone), None)


def progress(items: list[Item]) -> dict:
    return {"done": sum(1 for i in items if i.done), "total": len(items)}


def find(items: list[Item], item_id: str | None) -> Item | None:
    return next((i for i in items if i.id == item_id), None) if item_id else None


def family_level(family: str) -> str:
    return FAMILY_LEVEL.get(family, "效益指标")
