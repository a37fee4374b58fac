"""One chat turn: recognise what the officer wants (in Chinese), call the core, answer with cards.

Cards are plain dicts the page renders: paste (parsed tables to confirm), suggestions (采用/换一条/编辑),
findings, score, export, help. Figures only ever come from the core; a paste is shown back for
confirmation before anything is computed from it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from ..core import calc
from ..core.checks import CheckResult, check_report
from ..compose import compose_draft, load_form
from ..core.contract import check_json
from .drafts import DraftRecord, DraftRepository
from ..core.models import Draft, Report
from ..core.numbers import fmt_decimal, fmt_percent
from ..core.parse import ParseError, ReadError, parse_text
from ..retrieval.hits import PrecedentSource
from ..core.scoring import ruleset_for_form

SECTION_WORDS = (
    ("overview", ("概况", "背景", "基本情况")), ("funding_use", ("资金使用", "资金管理", "财务管理", "资金")),
    ("implementation", ("组织实施", "实施情况", "执行情况", "实施")), ("conclusion", ("结论", "综合评价")),
    ("performance", ("绩效情况", "绩效分析", "成效")), ("experience", ("经验", "做法")),
    ("problems", ("问题", "建议", "不足")), ("goals", ("目标",)),
)
_WRITE = re.compile(r"(写|生成|起草|草拟|拟|给我|来一段|出一稿)")
_CHECK = re.compile(r"^(检查|核对|审核|体检|查一下|检查一下)|检查(报告|数据|一下)")
_WHY = re.compile(r"(为什么|为何|怎么).{0,6}(扣分|扣了|没满分|不满分)|扣分(原因|理由)?")
_EXPORT = re.compile(r"(导出|下载|生成文件|输出).{0,6}(word|docx|文档|markdown|md)?", re.I)
_CONFIRM = re.compile(r"^(确认|对的|没问题|正确|确定)[。！!]?$")
HELP = ("可以这样和我说：\n"
        "• 直接粘贴资金表、支出明细或绩效指标（从 Excel/WPS/Word 复制），我会先把识别结果给您确认；\n"
        "• “写存在问题和建议” / “生成项目组织实施情况” / “起草全文”；\n"
        "• “检查”：列出对不上的数字和评分问题；\n"
        "• “为什么扣分”：逐项说明规则得分；\n"
        "• “导出”：下载 Word（.docx）或 Markdown。")


@dataclass
class Reply:
    """What the assistant answers, and what the answer changes in the draft (saved by `ChatEngine.save`)."""
    text: str
    cards: list[dict] = field(default_factory=list)
    pending: Report | None = None    # a parsed paste waiting for confirmation
    confirmed: Report | None = None  # data the officer confirmed: the draft's new input


def looks_like_paste(text: str) -> bool:
    lines = [ln for ln in text.splitlines() if ln.strip()]
    tabbed = sum(1 for ln in lines if "\t" in ln.strip("\t") or ln.count("|") >= 2)
    money = len(re.findall(r"\d+(?:\.\d+)?\s*(?:万元|元)|[:：]\s*\d", text))
    return tabbed >= 2 or (len(lines) >= 3 and money >= 2) or money >= 3


def sections_in(text: str, form: str) -> list[str]:
    kinds = [s["kind"] for s in load_form(form)["sections"]]
    if re.search(r"全文|全部|整篇|报告|所有", text):
        return kinds
    hits = []
    for kind, words in SECTION_WORDS:
        if kind in kinds and any(w in text for w in words) and kind not in hits:
            hits.append(kind)
    return hits[:1] if hits else []


def merge_paste(base: Report | None, new: Report) -> Report:
    """A later paste adds to what earlier pastes gave: each table it carries replaces the old one."""
    merged = (base or Report()).model_copy(deep=True)
    if new.funding.origin != "none":
        merged.funding = new.funding
    if new.expenses:
        merged.expenses, merged.expense_total, merged.expense_total_where = \
            new.expenses, new.expense_total, new.expense_total_where
    if [i for i in new.indicators if i.name or i.target]:
        merged.indicators = new.indicators
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
    merged.warnings = new.warnings
    return merged


def paste_card(report: Report) -> dict:
    total = calc.total_of(report.funding)
    return {
        "type": "paste",
        "project": {"name": report.project.name, "unit": report.project.unit},
        "funding": [{"source": r.source, **{c: _s(r.get(c)) for c in ("planned", "arrived", "spent", "balance")}}
                    for r in [total, *report.funding.sources] if not r.is_empty()],
        "expenses": [{"content": e.content, "amount": _s(e.amount), "voucher": e.voucher or ""} for e in report.expenses],
        "indicators": [{"level2": i.level2, "name": i.name, "target": i.target, "actual": i.actual}
                       for i in report.indicators if i.name or i.target],
        "warnings": [w.message for w in report.warnings],
        "actions": ["confirm", "edit"],
    }


_EDITABLE = {"funding": ("planned", "arrived", "spent", "balance"), "expenses": ("content", "amount", "voucher"),
             "indicators": ("name", "target", "actual")}
_LABELS = {"planned": "计划安排资金", "arrived": "实际到位资金", "spent": "实际支出", "balance": "结余",
           "content": "支出内容", "amount": "实际支出数", "voucher": "会计凭证号", "name": "指标内容",
           "target": "目标值", "actual": "实际完成值"}


def apply_edits(report: Report, edits: list[dict]) -> Report:
    """Corrections typed into the paste card; money cells are parsed strictly and named on error."""
    from ..core.numbers import NumberFormatError, parse_money_cell

    fixed = report.model_copy(deep=True)
    total = calc.total_of(fixed.funding)
    funding_rows = [r for r in [total, *fixed.funding.sources] if not r.is_empty()]
    tables = {"funding": funding_rows, "expenses": fixed.expenses,
              "indicators": [i for i in fixed.indicators if i.name or i.target]}
    for edit in edits:
        table, row, col = edit.get("table"), edit.get("row"), edit.get("col")
        value = str(edit.get("value", "")).strip()
        if table not in _EDITABLE or col not in _EDITABLE[table] or not isinstance(row, int) \
                or not 0 <= row < len(tables[table]):
            raise ParseError(f"无法修改：{table} 第{row}行 {col}")
        target = tables[table][row]
        label = f"{'资金表' if table == 'funding' else '支出明细' if table == 'expenses' else '指标表'}第{row + 1}行 {_LABELS[col]}"
        if (table == "funding") or (table == "expenses" and col == "amount"):
            try:
                setattr(target, col, parse_money_cell(value))
            except NumberFormatError as exc:
                raise ParseError(f"{label}：{exc}") from exc
        else:
            setattr(target, col, value)
    if funding_rows and funding_rows[0] is total and any(e.get("table") == "funding" and e.get("row") == 0
                                                         for e in edits):
        fixed.funding.total = total  # a 合计 derived from the sources, now typed by the officer
    return fixed


def _s(value) -> str | None:
    return None if value is None else fmt_decimal(value)


class ChatEngine:
    def __init__(self, repo: DraftRepository, precedents: PrecedentSource | None = None):
        self.repo = repo
        self.precedents = precedents

    def result(self, record: DraftRecord) -> CheckResult:
        assert record.report is not None
        report = record.report.model_copy(deep=True)
        report.project.form = record.form
        return check_report(report, ruleset_for_form(record.form))

    def draft(self, record: DraftRecord, with_precedent: bool = True) -> Draft:
        """The composed draft with the officer's adopted section texts in place."""
        draft = compose_draft(self.result(record), form=record.form,
                              precedents=self.precedents if with_precedent else None)
        for sec in draft.sections:
            state = record.sections.get(sec.kind)
            if state is not None:
                sec.text = state.text
        return draft

    # ------------------------------------------------------------------ turn
    # A turn is read → answer → save. `answer` touches no database, so the server runs it on a worker
    # thread while SQLite stays on its single writer thread.

    def answer(self, record: DraftRecord, text: str) -> Reply:
        return self._answer(record, text.strip())

    def save(self, draft_id: str, reply: Reply) -> None:
        self.repo.finish_turn(draft_id, reply.text, reply.cards, pending=reply.pending, confirmed=reply.confirmed)

    def _answer(self, record: DraftRecord, text: str) -> Reply:
        if not text:
            return Reply(HELP, [{"type": "help"}])
        if _CONFIRM.match(text) and record.pending is not None:
            return self.confirm(record)
        if looks_like_paste(text):
            return self._paste(record, text)
        if _CHECK.search(text):
            return self._needs_data(record) or self._check(record)
        if _WHY.search(text):
            return self._needs_data(record) or self._why(record)
        if _EXPORT.search(text):
            return self._needs_data(record) or Reply("草稿可以导出：", [{
                "type": "export", "links": {f: f"/api/drafts/{record.id}/export?format={f}" for f in ("docx", "md", "html")}}])
        kinds = sections_in(text, record.form)
        if kinds and (_WRITE.search(text) or len(text) <= 12):
            return self._needs_data(record) or self.suggest(record, kinds)
        return Reply(HELP, [{"type": "help"}])

    def _needs_data(self, record: DraftRecord) -> Reply | None:
        if record.report is not None:
            return None
        hint = "请先粘贴资金表、支出明细或绩效指标，确认后我再计算。"
        if record.pending is not None:
            hint = "刚才识别的数据还没有确认：请点“确认”或回复“确认”。"
        return Reply(hint, [{"type": "help"}])

    def _paste(self, record: DraftRecord, text: str) -> Reply:
        try:
            parsed = parse_text(text, form=record.form)
        except (ParseError, ReadError) as exc:
            return Reply(f"没能读懂这段数据：{exc}", [{"type": "error", "message": str(exc)}])
        found = parsed.funding.origin != "none" or parsed.expenses or parsed.indicators or parsed.project.name
        if not found:
            return Reply("这段文字里没有识别出资金、支出或指标数据。" + HELP, [{"type": "help"}])
        pending = merge_paste(record.pending or record.report, parsed)
        return Reply("我识别出以下数据，请核对后点“确认”（有误可直接修改后再确认）：", [paste_card(pending)],
                     pending=pending)

    def confirm(self, record: DraftRecord, edited: Report | None = None) -> Reply:
        report = edited or record.pending
        if report is None:
            return Reply("没有待确认的数据。", [{"type": "help"}])
        result = self.result(replace(record, report=report, pending=None))
        total = calc.total_of(result.report.funding)
        text = (f"已确认。资金到位率 {fmt_percent(calc.arrival_rate(total))}，"
                f"预算执行率 {fmt_percent(calc.execution_rate(total))}；发现 {len(result.findings)} 条需要注意的问题。")
        return Reply(text, [self._findings_card(result)], confirmed=report)

    def _findings_card(self, result: CheckResult) -> dict:
        data = check_json(result)
        return {"type": "findings", "findings": data["findings"], "funding": {
            k: data["funding"][k] for k in ("planned", "arrived", "spent", "balance", "arrival_rate", "execution_rate")},
            "score": {k: data["score"][k] for k in ("claimed_total", "computed_total", "claimed_grade", "computed_grade")}}

    def _check(self, record: DraftRecord) -> Reply:
        result = self.result(record)
        errors = sum(1 for f in result.findings if f.severity == "error")
        return Reply(f"检查完成：{len(result.findings)} 条问题，其中错误 {errors} 条。", [self._findings_card(result)])

    def _why(self, record: DraftRecord) -> Reply:
        result = self.result(record)
        items = [{"item": "/".join(it.path), "weight": _s(it.weight), "claimed": _s(it.claimed),
                  "computed": _s(it.computed), "reason": it.reason}
                 for it in result.score.items
                 if (it.computed is not None and it.computed < it.weight) or
                 (it.claimed is not None and it.computed is not None and it.claimed != it.computed)]
        if not items:
            return Reply("各项均按规则得满分，没有扣分。", [{"type": "score", "items": []}])
        return Reply(f"共有 {len(items)} 项扣分或与自评不一致：", [{"type": "score", "items": items}])

    def suggest(self, record: DraftRecord, kinds: list[str]) -> Reply:
        draft = compose_draft(self.result(record), form=record.form, precedents=self.precedents, only=set(kinds))
        cards = []
        for sec in draft.sections:
            if sec.kind not in kinds:
                continue
            options = [{"text": s.text, "origin": s.origin, "unverified": s.unverified, "gaps": s.gaps,
                        "citations": [c.model_dump() for c in s.citations]} for s in sec.suggestions]
            cards.append({"type": "suggestions", "section": sec.kind, "title": sec.title, "options": options,
                          "actions": ["adopt", "next", "edit"]})
        names = "、".join(c["title"] for c in cards)
        return Reply(f"以下是“{names}”的建议稿，数字均由程序计算；【待核实】处请逐一核对：", cards)
