"""Pasted tables: telling a paste from words, adding it to what earlier pastes gave, the card that shows
what this paste added (to confirm, with cells the officer can correct and the direction of each
indicator they can flip), and the answers given meanwhile carried over when it is confirmed."""
from __future__ import annotations

import re

from ..core import calc
from ..core.forms import money_words
from ..core.models import FUNDING_COLUMNS, Funding, Indicator, ParseWarning, Report
from ..core.numbers import NumberFormatError, fmt_decimal, parse_money_cell
from ..core.parse import ParseError
from .answers import TYPED

UP, DOWN = "升", "降"  # more is better / less is better
_NOT_FOUND = re.compile(r"^未找到")  # 'no funding table here': the interview asks for what is missing


_TABLE_HEAD = ("支出内容", "实际支出数", "资金来源", "计划安排", "实际到位", "实际支出", "一级指标", "二级指标", "指标内容",
               "目标值", "实际完成值", "年初预算数", "全年预算数", "全年执行数", "会计凭证号", "凭证号", "金额", "备注")


def looks_like_paste(text: str) -> bool:
    lines = [ln for ln in text.splitlines() if ln.strip()]
    tabbed = sum(1 for ln in lines if "\t" in ln.strip("\t") or ln.count("|") >= 2)
    money = len(re.findall(r"(?<![\d.])\d+(?:\.\d+)?\s*(?:万元|元)|[:：]\s*\d", text))
    # a Word table copied cell by cell: its headers on lines of their own, then short value lines
    heads = sum(1 for ln in lines[:8] if ln.strip().startswith(_TABLE_HEAD) and len(ln.strip()) <= 12)
    numbers = sum(1 for ln in lines if re.fullmatch(r"[\d.,，%％\s]+", ln.strip()))
    return tabbed >= 2 or (len(lines) >= 3 and money >= 2) or money >= 3 or (heads >= 2 and numbers >= 2)


def carried(new: Report) -> set[str]:
    """The tables a paste carries."""
    out = set()
    if new.funding.origin != "none":
        out.add("funding")
    if new.expenses:
        out.add("expenses")
    if [i for i in new.indicators if i.name or i.target]:
        out.add("indicators")
    return out


def _merge_funding(old: Funding, new: Funding) -> tuple[Funding, list[str]]:
    """A grid pasted again replaces the grid; figures said in a sentence change only the cells they state."""
    said: list[str] = []
    if old.origin == "none" or calc.total_of(old).is_empty():
        return new, said
    if new.origin == "table" and (new.sources or sum(new.total.get(c) is not None for c in FUNDING_COLUMNS) >= 3):
        said.append("资金表已按这次粘贴的替换")
        merged = new.model_copy(deep=True)
        merged.execution_reason, merged.adjustment_reason = old.execution_reason, old.adjustment_reason
        return merged, said
    merged = old.model_copy(deep=True)
    for col in FUNDING_COLUMNS:
        value = new.total.get(col)
        if value is not None and value != merged.total.get(col):
            if merged.total.get(col) is not None:
                said.append(f"{_LABELS[col]}由{fmt_decimal(merged.total.get(col))}改为{fmt_decimal(value)}万元")
            setattr(merged.total, col, value)
    for row in new.sources:
        mine = next((r for r in merged.sources if r.source == row.source), None)
        if mine is None:
            merged.sources.append(row)
            continue
        for col in FUNDING_COLUMNS:
            if row.get(col) is not None:
                setattr(mine, col, row.get(col))
    return merged, said


def merge_paste(base: Report | None, new: Report) -> Report:
    """A later paste adds to or corrects what earlier pastes gave; nothing confirmed is lost without the
    card saying so (`merged_notes`)."""
    merged = (base or Report()).model_copy(deep=True)
    tables = carried(new)
    notes: list[str] = []
    if "funding" in tables:
        merged.funding, said = _merge_funding(merged.funding, new.funding)
        notes += said
    if "expenses" in tables:
        if merged.expenses:
            notes.append(f"支出明细已按这次的替换（原{len(merged.expenses)}行）")
        merged.expenses, merged.expense_total, merged.expense_total_where = \
            new.expenses, new.expense_total, new.expense_total_where
    if "indicators" in tables:
        merged.indicators, said = _merge_indicators(merged.indicators, [i for i in new.indicators if i.name or i.target])
        notes += said
    if new.goals:
        merged.goals = new.goals
    if new.claimed_scores:
        merged.claimed_scores, merged.claimed_total = new.claimed_scores, new.claimed_total
    for key, value in new.project.model_dump().items():
        if value not in (None, "generic") and key != "form":
            setattr(merged.project, key, value)
    for attr in ("summary_total", "claimed_grade"):
        if getattr(new, attr) is not None:
            setattr(merged, attr, getattr(new, attr))
    if new.sections:
        merged.sections = new.sections
    merged.warnings = [w for w in new.warnings if w.where.label() or not _NOT_FOUND.match(w.message)]
    merged.warnings += [ParseWarning(message=n, severity="info", code="paste.merged") for n in notes]
    return merged


def _merge_indicators(old: list[Indicator], new: list[Indicator]) -> tuple[list[Indicator], list[str]]:
    """A table pasted again (three rows or more) replaces the table, keeping each indicator's reason and the
    ones the officer typed; one or two rows update the indicators they name, or are added."""
    reasons = {i.name: i.reason for i in old if i.reason}
    if len(new) >= 3 or not old:
        names = {i.name for i in new}
        typed = [i for i in old if i.where == TYPED and i.name not in names]
        dropped = [i.name for i in old if i.name and i.where != TYPED and i.name not in names]
        out = [i.model_copy(deep=True) for i in new] + typed
        for ind in out:
            ind.reason = ind.reason or reasons.get(ind.name, "")
        said = [f"指标表已按这次粘贴的替换（原{len(old)}条）" + (f"，不再包含：{'、'.join(dropped)}" if dropped else "")] \
            if old and [i for i in old if i.name] else []
        return out, said
    out = [i.model_copy(deep=True) for i in old]
    said = []
    for ind in new:
        mine = next((i for i in out if i.name == ind.name), None)
        if mine is None:
            out.append(ind)
            said.append(f"新增指标“{ind.name}”")
            continue
        for col in ("target", "actual"):
            value = getattr(ind, col)
            if value and value != getattr(mine, col):
                said.append(f"“{ind.name}”{_LABELS[col]}由“{getattr(mine, col)}”改为“{value}”")
                setattr(mine, col, value)
    return out, said


def carry_answers(current: Report | None, confirmed: Report) -> Report:
    """What the officer answered while a paste waited for confirmation is kept when it is confirmed."""
    if current is None:
        return confirmed
    out = confirmed.model_copy(deep=True)
    for key, value in current.project.model_dump().items():
        if key != "form" and value is not None and getattr(out.project, key) in (None, ""):
            setattr(out.project, key, value)
    out.judgements = current.judgements or out.judgements
    out.notes = current.notes or out.notes
    out.funding.execution_reason = out.funding.execution_reason or current.funding.execution_reason
    out.funding.adjustment_reason = out.funding.adjustment_reason or current.funding.adjustment_reason
    reasons = {i.name: i.reason for i in current.indicators if i.reason}
    for ind in out.indicators:
        ind.reason = ind.reason or reasons.get(ind.name, "")
    return out


def _s(value) -> str | None:
    return None if value is None else fmt_decimal(value)


def paste_card(report: Report, added: set[str] | None = None, form: str | None = None) -> dict:
    """The card for a paste: the tables it added (all tables when `added` is None), in `form`'s words."""
    show = added if added is not None else {"funding", "expenses", "indicators"}
    total = calc.total_of(report.funding)
    words = money_words(form or report.project.form)
    return {
        "type": "paste",
        "project": {"name": report.project.name, "unit": report.project.unit},
        # the form's own column words (年初预算数 / 全年预算数 / 全年执行数 on the national 自评表)
        "columns": [words[c] for c in ("planned", "arrived", "spent", "balance")],
        "funding": [{"source": r.source, **{c: _s(r.get(c)) for c in ("planned", "arrived", "spent", "balance")}}
                    for r in [total, *report.funding.sources] if not r.is_empty()] if "funding" in show else [],
        "expenses": [{"content": e.content, "amount": _s(e.amount), "voucher": e.voucher or ""}
                     for e in report.expenses] if "expenses" in show else [],
        "indicators": [{"level2": i.level2, "name": i.name, "target": i.target, "actual": i.actual,
                        "direction": DOWN if calc.completion(i).lower_is_better else UP,
                        "direction_set": i.direction != "auto"}
                       for i in report.indicators if i.name or i.target] if "indicators" in show else [],
        "kept": sorted(({"funding", "expenses", "indicators"} - show) & carried(report)),  # confirmed before
        "warnings": [w.message + (f"（{w.where.label()}）" if w.where.label() else "") for w in report.warnings
                     if w.code != "paste.merged"],
        "changes": [w.message for w in report.warnings if w.code == "paste.merged"],
        "actions": ["confirm", "edit"],
    }


_EDITABLE = {"funding": ("planned", "arrived", "spent", "balance"), "expenses": ("content", "amount", "voucher"),
             "indicators": ("level2", "name", "target", "actual", "direction")}
_LABELS = {"planned": "计划安排资金", "arrived": "实际到位资金", "spent": "实际支出", "balance": "结余",
           "content": "支出内容", "amount": "实际支出数", "voucher": "会计凭证号", "name": "指标内容",
           "target": "目标值", "actual": "实际完成值", "direction": "指标方向", "level2": "二级指标"}
_DIRECTIONS = {UP: "higher", "正向": "higher", "higher": "higher", DOWN: "lower", "反向": "lower", "lower": "lower"}


def apply_edits(report: Report, edits: list[dict]) -> Report:
    """Corrections typed into the paste card; money cells are parsed strictly and named on error."""
    fixed = report.model_copy(deep=True)
    total = calc.total_of(fixed.funding)
    funding_rows = [r for r in [total, *fixed.funding.sources] if not r.is_empty()]
    tables = {"funding": funding_rows, "expenses": fixed.expenses,
              "indicators": [i for i in fixed.indicators if i.name or i.target]}
    dropped: list = []
    touched: list = []
    for edit in edits:
        table, row, col = edit.get("table"), edit.get("row"), edit.get("col")
        value = str(edit.get("value", "")).strip()
        if table == "indicators" and col == "delete" and isinstance(row, int) and 0 <= row < len(tables[table]):
            dropped.append(tables[table][row])
            continue
        if table not in _EDITABLE or col not in _EDITABLE[table] or not isinstance(row, int) \
                or not 0 <= row < len(tables[table]):
            raise ParseError(f"无法修改：{table} 第{row}行 {col}")
        target = tables[table][row]
        touched.append(target)
        label = f"{'资金表' if table == 'funding' else '支出明细' if table == 'expenses' else '指标表'}第{row + 1}行 {_LABELS[col]}"
        if (table == "funding") or (table == "expenses" and col == "amount"):
            try:
                setattr(target, col, parse_money_cell(value))
            except NumberFormatError as exc:
                raise ParseError(f"{label}：{exc}") from exc
        elif col == "level2":
            from .items import FAMILY_LEVEL

            family = re.sub(r"(?:类)?指标$", "", value).replace("环境效益", "生态效益").replace("服务对象满意度", "满意度")
            if family not in FAMILY_LEVEL:
                raise ParseError(f"{label}：请填{'、'.join(f + '指标' for f in FAMILY_LEVEL)}之一")
            target.level1, target.level2 = FAMILY_LEVEL[family], value if value.endswith("指标") else f"{value}指标"
        elif col == "direction":
            if value not in _DIRECTIONS:
                raise ParseError(f"{label}：请填“升”（越大越好）或“降”（越小越好）")
            target.direction = _DIRECTIONS[value]
        else:
            setattr(target, col, value)
    if funding_rows and funding_rows[0] is total and any(e.get("table") == "funding" and e.get("row") == 0
                                                         for e in edits):
        fixed.funding.total = total  # a 合计 derived from the sources, now typed by the officer
    # a row deleted, or emptied of name, target and actual, is gone: no phantom row keeps its family "set"
    fixed.indicators = [i for i in fixed.indicators if not any(i is d for d in dropped) and
                        not (any(i is t for t in touched) and not (i.name.strip() or i.target.strip() or i.actual.strip()))]
    return fixed
