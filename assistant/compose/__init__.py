"""The drafting engine: every section of a form, figures from the core, narrative from cited precedent.

Sections made of figures are rendered from the core's numbers through prompts/ templates; narrative
sections get precedent passages of the same kind from other projects, adapted and number-locked;
存在问题和建议 is built from what the core found. Nothing here invents a value: a missing input
shows as 【待补充：…】 and is listed in `Draft.missing`.
"""
from __future__ import annotations

import re

from ..core import calc
from ..core.checks import CheckResult
from ..core.figures import key_figures
from ..core.forms import source_label, default_form, get_form, layout_of, money_words
from ..core.models import Draft, DraftSection, Suggestion
from ..retrieval.hits import PrecedentSource
from ..retrieval.metadata import report_type
from .facts import facts_of
from .namelock import lock
from .numberlock import Facts, lock_numbers
from .problems import lost_points, problems_text
from .register import exact_figures, filed_report
from .skeleton import notes_text, skeleton_text
from .suggest import precedent_suggestions
from .templates import render

_GAP = re.compile(r"【待补充：([^】]*)】")

__all__ = ["compose_draft", "load_form", "lock", "lock_numbers", "Facts", "facts_of"]


def load_form(form: str) -> dict:
    """The form's sections and settings (knowledge/forms); an unknown form id gets the default form."""
    spec = get_form(form) or get_form(default_form())
    return spec.model_dump()


def _context(result: CheckResult) -> dict:
    r, s = result.report, result.score
    total = calc.total_of(r.funding)
    indicators = []
    for ind in r.indicators:
        if not (ind.name or ind.target or ind.actual) or ind.name.strip() in ("无",):
            continue
        c = calc.completion(ind)
        indicators.append({"family": ind.level2 or calc.family_of(ind.level2, ind.name), "name": ind.name,
                           "target": c.target.raw or ind.target, "actual": c.actual.raw or ind.actual,
                           "completion": c.ratio, "met": c.met, "lower": c.lower_is_better,
                           "numeric": c.target.numeric and c.actual.numeric})
    return {
        "p": r.project, "total": total, "goals": r.goals, "expenses": r.expenses, "indicators": indicators,
        "sources": [row for row in r.funding.sources if row.arrived],
        "spent_sources": [row for row in r.funding.sources if row.spent is not None],
        "arrival_rate": calc.arrival_rate(total), "execution_rate": calc.execution_rate(total),
        "balance": total.balance if total.balance is not None else calc.balance(total),
        # one set of figures: the form's 自评得分 is the unit's own; where the rules give another total the narrative
        # says both, the rule score named as such (the review's own check reads them the same way)
        "total_score": s.claimed_total if s.claimed_total is not None else s.computed_total,
        "rule_total": s.computed_total if s.claimed_total is not None and s.computed_total is not None
        and s.computed_total != s.claimed_total else None,
        "grade": (s.claimed_grade or s.computed_grade) if s.claimed_total is not None else (s.computed_grade or s.claimed_grade),
        "ruleset_title": "项目支出绩效评价指标体系",
        "adjustment_reason": r.funding.adjustment_reason,
        "lost": lost_points(result),
        "execution_reason": r.funding.execution_reason,
    }


NO_PRECEDENT = "知识库中还没有“{ptype}”类项目的先例，先按提纲和您的说明起草。"


def _locked(text: str, origin: str, facts: Facts) -> Suggestion:
    """Text written here passes the same gate as any generator's."""
    locked = lock(text, facts)
    return Suggestion(text=locked.text, origin=origin, unverified=locked.unverified, gaps=_GAP.findall(text))


def _missing(result: CheckResult, form: str) -> list[str]:
    r = result.report
    out = []
    total = calc.total_of(r.funding)
    spec = get_form(form)
    labels = (("planned", "年初预算数"), ("arrived", "全年预算数"), ("spent", "全年执行数")) \
        if layout_of(form) == "national" else (("planned", "计划安排资金"), ("arrived", "实际到位资金"), ("spent", "实际支出"))
    if r.funding.origin == "none" or all(total.get(c) is None for c in ("planned", "arrived", "spent")):
        out.append(f"资金数据：{'、'.join(label for _, label in labels)}（万元），可粘贴资金表")
    else:
        for col, label in labels:
            if total.get(col) is None:
                out.append(f"资金数据：{label}")
    if not [i for i in r.indicators if i.name or i.target]:
        out.append("绩效指标：一级/二级指标、指标内容、目标值、实际完成值，可粘贴指标表")
    if not r.expenses and (spec is None or "expenses" in spec.tables):
        out.append("支出明细：支出内容、实际支出数、会计凭证号")
    for label, value in (("项目名称", r.project.name), ("项目单位", r.project.unit),
                         ("项目起止时间", r.project.period_text)):
        if not value:
            out.append(label)
    return out


def compose_draft(result: CheckResult, form: str | None = None, precedents: PrecedentSource | None = None,
                  k: int = 3, only: set[str] | None = None) -> Draft:
    """A complete draft for the report in `result`, in `form` (default: the report's own form).

    `only` limits the work to some section kinds (a chat turn asking for one section)."""
    form = form or (result.report.project.form if get_form(result.report.project.form) else default_form())
    exact = exact_figures(result.report)
    # what the officer typed into cells, in the written register; figures and scores stay as checked
    result = result.model_copy(update={"report": filed_report(result.report)})
    spec = load_form(form)
    facts = facts_of(result)
    ctx = {**_context(result), "layout": layout_of(form) or "yueyang", "words": money_words(form)}
    for key in ("sources", "spent_sources"):  # each source in the form's own words (淮南: 区、县（市）财政)
        ctx[key] = [row.model_copy(update={"source": source_label(form, row.source)}) for row in ctx[key]]
    ptype = report_type(result.report)
    mine = key_figures(result.report)
    draft = Draft(form=spec["id"], report=result.report, missing=_missing(result, spec["id"]))
    for sec in spec["sections"]:
        kind = sec["kind"]
        if only is not None and kind not in only:
            continue
        notes = [n for n in result.report.notes if n.section == kind]
        own: list[Suggestion] = []  # written from this project's figures, findings and the officer's notes
        if sec.get("findings"):
            text = problems_text(result)
            if text:
                own.append(_locked(text + ("\n" + notes_text(notes, exact) if notes else ""), "findings", facts))
        if sec.get("template"):  # the template places the section's notes itself
            own.append(_locked(render(sec["template"], **ctx, section_notes=notes_text(notes, exact)), "notes" if notes else "figures",
                               facts))
        same, others = (precedent_suggestions(kind, result.report.project, facts, precedents, k, ptype, mine)
                        if sec.get("precedent") else ([], []))
        skeleton = skeleton_text(kind, notes, exact) if not own else None
        if skeleton is not None:
            written = _locked(skeleton, "notes" if notes else "skeleton", facts)
            if not same and sec.get("precedent") and precedents is not None:
                written.note = NO_PRECEDENT.format(ptype=ptype)
            own.append(written)
        # a precedent of this kind of project leads only where the officer has said nothing yet
        suggestions = same + own + others if same and not notes and skeleton is not None else own + same + others
        if not suggestions:
            label = sec["title"].lstrip("（一二三四五六七八九十）")
            suggestions.append(Suggestion(text=f"【待补充：{label}】", origin="gap", gaps=[label]))
        draft.sections.append(DraftSection(kind=kind, title=sec["title"], text=suggestions[0].text,
                                           suggestions=suggestions))
    for sec in draft.sections:
        for s in sec.suggestions[:1]:
            for g in s.gaps:
                item = f"{sec.title}：{g}"
                if item not in draft.missing:
                    draft.missing.append(item)
    return draft
