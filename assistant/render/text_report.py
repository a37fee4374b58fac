"""A draft as Markdown or HTML through jinja2 templates in prompts/render (HTML autoescaped)."""
from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import jinja2
from markupsafe import Markup, escape

from ..core import calc
from ..core.checks import check_report
from ..core.forms import layout_of
from ..compose.templates import cn_date
from ..core.models import Draft
from ..core.numbers import fmt_decimal, fmt_percent
from ..core.scoring import ruleset_for_form
from .atomic_file import write_atomically

PROMPTS = Path(__file__).resolve().parent.parent.parent / "prompts"
_MARK = re.compile(r"(【待(?:核实|补充)：[^】]*】)")


def _m(value: Decimal | None) -> str:
    return "" if value is None else fmt_decimal(value)


def _marks(text: str) -> Markup:
    """Escape, then wrap 【待核实】/【待补充】 spans in <mark> so they stand out."""
    out = []
    for part in _MARK.split(text):
        if part.startswith("【待核实"):
            out.append(Markup('<mark class="verify">') + escape(part) + Markup("</mark>"))
        elif part.startswith("【待补充"):
            out.append(Markup('<mark class="gap">') + escape(part) + Markup("</mark>"))
        else:
            out.append(escape(part))
    return Markup("").join(out)


def _context(draft: Draft) -> dict:
    from ..core.figures import report_region
    from ..core.forms import source_label

    r = draft.report
    result = check_report(r, ruleset_for_form(draft.form))
    total = calc.total_of(r.funding)
    balance = total.balance if total.balance is not None else calc.balance(total)
    rows = [{"source": "合计", "planned": _m(total.planned), "arrived": _m(total.arrived), "spent": _m(total.spent),
             "balance": _m(balance)}]
    rows += [{"source": source_label(draft.form, s.source), "planned": _m(s.planned), "arrived": _m(s.arrived), "spent": _m(s.spent),
              "balance": _m(s.balance)} for s in r.funding.sources if not s.is_empty()]
    p = r.project
    return {
        "title": f"{report_region(r)}财政支出项目绩效自评报告", "p": p, "report_date": cn_date(p.report_date) if p.report_date else "",
        "funding_rows": rows, "arrival_rate": fmt_percent(calc.arrival_rate(total)),
        "execution_rate": fmt_percent(calc.execution_rate(total)),
        "expenses": [{"content": e.content, "amount": _m(e.amount), "voucher": e.voucher or "", "note": e.note or ""}
                     for e in r.expenses],
        "expense_total": _m(r.expense_total if r.expense_total is not None else calc.detail_sum(e.amount for e in r.expenses)),
        "indicators": [i for i in r.indicators if i.name or i.target],
        "score_items": [{"name": it.path[-1], "weight": _m(it.weight), "claimed": _m(it.claimed),
                         "computed": _m(it.computed), "reason": it.reason} for it in result.score.items],
        "claimed_total": _m(result.score.claimed_total), "computed_total": _m(result.score.computed_total),
        "grade": result.score.computed_grade or r.claimed_grade or "",
        "sections": [{"title": s.title, "text": s.text, "paragraphs": [x for x in s.text.split("\n") if x.strip()],
                      "citations": next((sg.citations for sg in s.suggestions if sg.text == s.text), [])}
                     for s in draft.sections],
        "missing": draft.missing,
        "national": layout_of(draft.form) == "national",
        "goal": r.goals[0] if r.goals else None,
    }


def _md_safe(value):
    """Text in Markdown: a pasted <script> or a | inside a cell is shown, never run or taken as a column."""
    if isinstance(value, str):
        return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("|", "\\|")
    return value


def render_text(draft: Draft, kind: str) -> str:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(PROMPTS / "render")), undefined=jinja2.StrictUndefined,
                             autoescape=kind == "html", trim_blocks=True, lstrip_blocks=True,
                             finalize=_md_safe if kind != "html" else None)
    env.filters["marks"] = _marks
    return env.get_template(f"report.{'html' if kind == 'html' else 'md'}.j2").render(**_context(draft))


def write_text(draft: Draft, path: str | Path, kind: str) -> Path:
    text = render_text(draft, kind)
    return write_atomically(path, lambda tmp: Path(tmp).write_text(text, encoding="utf-8"))
