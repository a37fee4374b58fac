"""Report forms as data: each `knowledge/forms/*.yaml` is one region's form (how to recognise it, its score
table, its document layout, its sections). Adding a file adds a form; no code names a form."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from .models import first_error

FORMS_DIR = Path(__file__).resolve().parent.parent.parent / "knowledge" / "forms"
# The document layouts the renderer and the core know: 附件2-2 with tables and the 附件3-2 score table,
# free-text blocks after funding lines, the 财预〔2020〕10号 自评表 (no 到位 column: 全年预算数 stands in).
Layout = Literal["yueyang", "huainan", "national"]


class FormError(ValueError):
    """A form file cannot be used; str(error) names the file and field in Chinese."""


class FormSection(BaseModel):
    model_config = ConfigDict(extra="allow")
    kind: str
    title: str
    template: str | None = None
    precedent: bool = False
    findings: bool = False


class Cover(BaseModel):
    """The cover's own words: 评价类型 (岳阳) or 考评类型 (淮南), its two boxes, and the lines that say who evaluated."""
    type_label: str = "评价类型"
    types: tuple[str, str] = ("项目实施过程评价", "项目完成结果评价")  # in the order of EVAL_TYPES below
    lines: list[str] = ["评价方式：部门（单位）绩效自评", "评价机构：部门（单位）评价组"]


class Form(BaseModel):
    model_config = ConfigDict(extra="allow")
    id: str
    title: str                         # the document's title, after the region: 财政支出项目绩效评价自评报告
    attachment: str | None = None      # printed above the cover title: 附件2-2
    score_table: str | None = None     # the score table's own attachment number: 附件3-2
    name: str                          # how the form is called to users: 岳阳市格式（附件2-2、3-2）
    order: int = 100                   # position in lists and choices
    layout: Layout
    ruleset: str | None = None         # knowledge/rulesets/<id>.yaml scoring this form, if it has one
    marks: list[str] = []              # words its reports carry: the form with the most found is the report's
    project_fields: list[str] | None = None  # the project fields it prints (ProjectInfo names); None: all
    tables: list[Literal["funding", "expenses", "indicators", "goals"]] = ["funding", "expenses", "indicators", "goals"]
    # what the form calls the funding columns (planned, arrived, spent, balance): cards, narrative and exports use
    # these; a form that says nothing uses 计划安排资金 / 实际到位资金 / 实际支出 / 结余
    money_words: dict[Literal["planned", "arrived", "spent", "balance"], str] = {}
    # what the form calls a source of funds where it differs from the core's name (淮南: 区、县（市）财政)
    source_names: dict[str, str] = {}
    cover: Cover = Cover()
    sections: list[FormSection]


@lru_cache(maxsize=1)
def all_forms() -> dict[str, Form]:
    """Every form file, in `order` then id."""
    forms = []
    for path in sorted(FORMS_DIR.glob("*.yaml")):
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
            form = Form.model_validate(data)
        except yaml.YAMLError as exc:
            raise FormError(f"报告格式文件 {path.name} 不是有效的 YAML：{exc}".splitlines()[0]) from exc
        except ValidationError as exc:
            where, err = first_error(exc)
            raise FormError(f"报告格式文件 {path.name} 字段 {where}：{err['msg']}") from exc
        _check_file_name(path, form)
        forms.append(form)
    return {f.id: f for f in sorted(forms, key=lambda f: (f.order, f.id))}


def _check_file_name(path: Path, form: Form) -> None:
    if form.id != path.stem:
        raise FormError(f"报告格式文件 {path.name} 字段 id：应与文件名相同（{path.stem}），现为 {form.id}")


def form_ids() -> tuple[str, ...]:
    return tuple(all_forms())


def default_form() -> str:
    """The form a new draft gets when none is chosen, and an unrecognised report is drafted in: the first."""
    return next(iter(all_forms()))


def section_kinds() -> tuple[str, ...]:
    """Every section kind some form has, in the order forms list them."""
    return tuple(dict.fromkeys(sec.kind for form in all_forms().values() for sec in form.sections))


def note_kinds(form_id: str | None) -> list[str]:
    """The section kinds of a form, in order: where an officer's note can be filed."""
    form = get_form(form_id) or get_form(default_form())
    return [s.kind for s in form.sections] if form else []


def get_form(form_id: str | None) -> Form | None:
    return all_forms().get(form_id or "")


def layout_of(form_id: str | None) -> str | None:
    """The layout a form's reports follow; None for an unrecognised ('generic') report."""
    form = get_form(form_id)
    return form.layout if form else None


MONEY_WORDS = {"planned": "计划安排资金", "arrived": "实际到位资金", "spent": "实际支出", "balance": "结余"}


def money_words(form_id: str | None) -> dict[str, str]:
    """The form's own words for the funding columns."""
    form = all_forms().get(form_id or "") or all_forms().get(default_form())
    return {**MONEY_WORDS, **(form.money_words if form else {})}


EVAL_TYPES = ("项目实施过程评价", "项目完成结果评价")  # the core's names; a form's cover may word them its own way


def source_label(form_id: str | None, source: str) -> str:
    """A source of funds in the form's own words."""
    form = get_form(form_id)
    return form.source_names.get(source, source) if form else source
