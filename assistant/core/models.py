"""Pydantic models shared by every part of the assistant.

Money is always `Decimal` in 万元; JSON carries it as strings.
"""
from __future__ import annotations

from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

Severity = Literal["info", "warning", "error"]
FundingColumn = Literal["planned", "arrived", "spent", "balance"]
FUNDING_COLUMNS: tuple[FundingColumn, ...] = ("planned", "arrived", "spent", "balance")

# Canonical funding sources, in the order the Yueyang grid prints them.
SOURCE_TOTAL = "合计"
SOURCES = ("中央财政", "省财政", "市财政", "县市区财政", "其它")


def first_error(exc: ValidationError) -> tuple[str, dict]:
    """Where the first validation error is ('funding.total.planned') and the error itself."""
    err = exc.errors()[0]
    return ".".join(str(p) for p in err["loc"]), err


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)


class Where(_Model):
    """Where a value came from: a text line, a table cell, or a named field."""

    line: int | None = None
    cell: str | None = None  # e.g. "Sheet1!B3" or "表2 第3行第2列"

    def label(self) -> str:
        if self.cell:
            return self.cell
        if self.line is not None:
            return f"第{self.line}行"
        return ""


class ProjectInfo(_Model):
    name: str | None = None
    unit: str | None = None  # 项目单位 / 实施单位
    department: str | None = None  # 主管部门
    leader: str | None = None
    leader_title: str | None = None  # 副局长 …: printed after the leader's name
    phone: str | None = None
    address: str | None = None
    postcode: str | None = None
    period_text: str | None = None
    period_start: str | None = None  # "YYYY-MM" when known
    period_end: str | None = None
    report_date: str | None = None  # ISO date
    eval_type: str | None = None  # 项目实施过程评价 / 项目完成结果评价
    region: str | None = None
    year: int | None = None
    form: str = "generic"
    kind: Literal["project", "department", "bundle"] = "project"  # one project, a 部门整体 report, several projects


class FundingRow(_Model):
    source: str
    planned: Decimal | None = None
    arrived: Decimal | None = None
    spent: Decimal | None = None
    balance: Decimal | None = None
    where: Where = Field(default_factory=Where)

    def get(self, column: FundingColumn) -> Decimal | None:
        return getattr(self, column)

    def is_empty(self) -> bool:
        return all(self.get(c) is None for c in FUNDING_COLUMNS)


class Funding(_Model):
    total: FundingRow = Field(default_factory=lambda: FundingRow(source=SOURCE_TOTAL))
    sources: list[FundingRow] = Field(default_factory=list)
    unit: str = "万元"  # unit as written in the source; values here are always 万元
    origin: Literal["table", "prose", "fields", "json", "none"] = "none"
    stated_execution_rate: Decimal | None = None  # a rate written in the report, as a fraction
    stated_arrival_rate: Decimal | None = None
    unit_stated: bool = True  # False when a table named no unit and 万元 was assumed
    execution_reason: str | None = None  # 偏差原因 of an execution rate below 100%, as the officer gave it
    adjustment_reason: str | None = None  # why 全年预算数 differs from 年初预算数 (a mid-year addition or cut)


class BundledProject(_Model):
    """One of several projects a file reports on, with the figures its own passage states (万元)."""

    name: str
    planned: Decimal | None = None
    arrived: Decimal | None = None
    spent: Decimal | None = None
    where: Where = Field(default_factory=Where)


class ExpenseLine(_Model):
    content: str
    amount: Decimal | None = None
    voucher: str | None = None
    note: str | None = None
    where: Where = Field(default_factory=Where)


class QualitativeGoal(_Model):
    expected: str = ""
    actual: str = ""


class Indicator(_Model):
    level1: str = ""
    level2: str = ""
    name: str = ""
    target: str = ""
    actual: str = ""
    unit: str | None = None
    direction: Literal["higher", "lower", "auto"] = "auto"  # the table's or the officer's; auto: guessed
    reason: str = ""  # 偏差原因: why the indicator was not met (the table's column or the officer's answer)
    weight: Decimal | None = None  # national 自评表: 分值
    claimed: Decimal | None = None  # national 自评表: 得分
    where: Where = Field(default_factory=Where)


class ClaimedScore(_Model):
    """One row of a score table as written in the report."""

    path: list[str]
    weight: Decimal | None = None
    claimed: Decimal | None = None
    where: Where = Field(default_factory=Where)


class ScoreItem(_Model):
    path: list[str]
    weight: Decimal
    claimed: Decimal | None = None
    computed: Decimal | None = None
    reason: str = ""
    basis: Literal["rule", "judgement", "answered", "missing"] = "judgement"
    where: Where = Field(default_factory=Where)


class JudgementAnswer(_Model):
    """The officer's answer to one judgement item of the score table: the criteria met (or the choice made)."""

    path: list[str]
    selected: list[str] = Field(default_factory=list)  # option labels as the rule set names them
    words: str = ""  # what the officer said, when it was said in words: kept as the item's reason


class Note(_Model):
    """Something the officer said in words, filed under the narrative section it belongs to."""

    id: int
    section: str  # a section kind: implementation, experience …
    text: str
    part: str | None = None  # the skeleton part it fills (组织机构, 采购…), when known
    # said unasked (an aside while another question was put): it is kept, but the part's own question is still put,
    # since an aside rarely says all the part asks for ('趁暑假集中施工' says nothing of 采购 or 验收)
    unasked: bool = False


class Section(_Model):
    kind: str  # e.g. "overview", "funding_use", "problems" (see parse.sections.SECTION_KINDS)
    heading: str
    text: str
    line: int | None = None


class Finding(_Model):
    code: str
    severity: Severity
    message: str
    evidence: dict = Field(default_factory=dict)
    where: Where = Field(default_factory=Where)


class ParseWarning(_Model):
    message: str
    where: Where = Field(default_factory=Where)
    code: str | None = None  # a finding code when the warning is also a finding (an unreadable cell)
    severity: Severity = "error"  # of that finding


class Report(_Model):
    project: ProjectInfo = Field(default_factory=ProjectInfo)
    funding: Funding = Field(default_factory=Funding)
    expenses: list[ExpenseLine] = Field(default_factory=list)
    expense_total: Decimal | None = None  # 支出合计 as written
    expense_total_where: Where = Field(default_factory=Where)
    goals: list[QualitativeGoal] = Field(default_factory=list)
    indicators: list[Indicator] = Field(default_factory=list)
    claimed_scores: list[ClaimedScore] = Field(default_factory=list)
    claimed_total: Decimal | None = None  # total of the score table (总分 row)
    summary_total: Decimal | None = None  # 绩效自评综合得分 in the summary table
    claimed_grade: str | None = None
    sections: list[Section] = Field(default_factory=list)
    projects: list[BundledProject] = Field(default_factory=list)  # a bundling file's projects, title's one included
    judgements: list[JudgementAnswer] = Field(default_factory=list)  # answered judgement items
    notes: list[Note] = Field(default_factory=list)  # the officer's own words per section
    text_lines: list[str] = Field(default_factory=list)  # cleaned lines, 1-based via index+1
    warnings: list[ParseWarning] = Field(default_factory=list)

    def section(self, kind: str) -> Section | None:
        return next((s for s in self.sections if s.kind == kind), None)

    def judgement(self, path: list[str]) -> JudgementAnswer | None:
        return next((j for j in self.judgements if j.path == path), None)


# ---------------------------------------------------------------------------------------------
# Drafting


class Citation(_Model):
    """Where a suggested passage came from, so a user can open it."""

    source: str
    title: str
    heading: str = ""
    passage_id: int | None = None
    doc_kind: str = "report"
    score: float | None = None
    project_type: str | None = None  # the cited report's project type


class Suggestion(_Model):
    text: str
    origin: Literal["figures", "precedent", "findings", "gap", "notes", "skeleton"]
    citations: list[Citation] = Field(default_factory=list)
    unverified: list[str] = Field(default_factory=list)  # spans marked 【待核实：…】
    gaps: list[str] = Field(default_factory=list)  # spans marked 【待补充：…】
    note: str = ""  # shown with the suggestion: why it is offered (another type of project …)


class DraftSection(_Model):
    kind: str
    title: str
    text: str = ""  # the adopted text (the first suggestion until the user picks another)
    suggestions: list[Suggestion] = Field(default_factory=list)


class Draft(_Model):
    form: str
    report: Report
    sections: list[DraftSection] = Field(default_factory=list)
    missing: list[str] = Field(default_factory=list)  # what the officer still has to provide

    def section(self, kind: str) -> DraftSection | None:
        return next((s for s in self.sections if s.kind == kind), None)
