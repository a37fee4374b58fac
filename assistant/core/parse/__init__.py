"""Text, pasted tables, JSON, .docx and .xlsx → `Report`.

`read_report(path)` is the one entry point the CLI and the server use; it raises `ReadError` with
a one-line Chinese reason (naming the line or cell) when the input cannot be used.
"""
from __future__ import annotations

import json
import logging
import zipfile
from pathlib import Path

from pydantic import ValidationError

from ..forms import all_forms, form_ids, layout_of
from ..models import SOURCE_TOTAL, Funding, FundingRow, ParseWarning, Report, Where, first_error
from ..numbers import compact
from . import document, expense_rows, fields, flat_rows, kinds, normalise, prose, reflow, scores, sections, statements, tables
from .document import Document, Line
from .archive import check_archive
from .errors import ParseError, ReadError

log = logging.getLogger(__name__)
MAX_BYTES = 20 * 1024 * 1024

__all__ = ["ReadError", "ParseError", "read_report", "load_document", "read_text", "parse_text", "parse_document",
           "detect_form"]




def detect_form(doc: Document) -> str:
    text = compact(doc.full_text()[:200000])
    counts = {form.id: sum(1 for m in form.marks if compact(m) in text) for form in all_forms().values()}
    best = max(counts, key=lambda f: counts[f])
    return best if counts[best] > 0 else "generic"


def parse_document(doc: Document, form: str = "auto", lenient: bool = False) -> Report:
    """Every extractor over one document; table funding wins over prose funding.

    `lenient`: a cell that must hold a number but does not ('48O') is read as blank and reported
    in `report.warnings` with a finding code, instead of raising ParseError.
    """
    if lenient:
        with tables.collecting_unreadable() as unreadable:
            report = parse_document(doc, form)
        report.warnings[:0] = unreadable
        return report
    report = Report()
    doc = normalise.split_flattened(normalise.strip_cell_marks(normalise.to_simplified(doc)))
    if doc.kind == "text" and reflow.needs_reflow(doc):
        doc = reflow.reflow(doc)
    report.project = fields.project_info(doc)
    report.project.form = detect_form(doc) if form == "auto" else form
    grid = funding = tables.funding_grid(doc)
    if funding is None or (funding.total.is_empty() and not funding.sources):
        funding = statements.label_funding(doc) or _ocr_grid(doc, report) or _prose_funding(doc, report) or Funding()
        if grid is not None and funding.stated_execution_rate is None:
            funding.stated_execution_rate = grid.stated_execution_rate  # a grid with a rate but no amounts
    if funding.total.is_empty() and not funding.sources:
        flat = flat_rows.total_row(doc.lines)  # a 自评表 whose 年度资金总额 row lost its table on the web
        if flat is not None:
            funding = Funding(total=FundingRow(source=SOURCE_TOTAL, planned=flat.planned, arrived=flat.available,
                                               spent=flat.spent, where=Where(line=flat.line)),
                              origin="table", stated_execution_rate=flat.execution_rate,
                              stated_arrival_rate=flat.arrival_rate)
    if funding.origin == "table" and funding.total.spent is None and funding.total.planned is not None:
        _spent_from_text(doc, funding)  # 淮南's table has 计划投资额 and 实际到位 only: 实际使用 is in the text
    if funding.stated_execution_rate is None or funding.stated_arrival_rate is None:
        exe, arr, notes = statements.stated_rates(doc.lines)
        report.warnings.extend(notes)
        if funding.stated_execution_rate is None:
            funding.stated_execution_rate = exe
        if funding.stated_arrival_rate is None:
            funding.stated_arrival_rate = arr
    report.project.kind = kinds.kind_of(doc.lines, report.project.name)  # type: ignore[assignment]
    outside = doc.lines
    if report.project.kind == "bundle":
        report.projects, outside = kinds.bundled(doc.lines)
        funding = _bundle_funding(doc, report, funding, outside)
    unit_note = prose.settle_unstated_unit(funding, doc.lines)
    if unit_note is not None:
        report.warnings.append(unit_note)
    report.funding = funding
    report.expenses, report.expense_total, report.expense_total_where = expense_rows.expenses(doc, funding.unit)
    if not report.expenses and funding.origin == "prose":
        report.expenses = prose.prose_expenses(doc.lines)
    report.goals = tables.goals(doc)
    report.indicators = tables.indicators(doc) or prose.prose_indicators(doc.lines)
    report.claimed_scores, report.claimed_total = scores.score_table(doc)
    execution = scores.national_execution_score(doc)
    if execution is not None:
        report.claimed_scores.insert(0, execution)
    report.summary_total, report.claimed_grade = scores.summary(_outside_projects(doc, report, outside))
    if report.claimed_total is None and layout_of(report.project.form) == "national":
        report.claimed_total = scores.national_total(doc)
    report.warnings.extend(doc.warnings)
    report.sections = sections.split_sections(doc.lines)
    statements.indicator_reasons(report.indicators, doc.lines)
    report.text_lines = [ln.text for ln in doc.lines]
    if funding.origin == "none":
        report.warnings.append(ParseWarning(message="未找到资金数据（资金表或正文中的金额）"))
    if not report.indicators:
        report.warnings.append(ParseWarning(message="未找到绩效指标表"))
    return report


def _ocr_grid(doc: Document, report: Report) -> Funding | None:
    funding, note = statements.concatenated_grid(doc.lines)
    if note is not None:
        report.warnings.append(note)
    return funding


def _prose_funding(doc: Document, report: Report) -> Funding | None:
    """Funding stated in sentences (`statements`), with the sources an 其中 list names."""
    funding, notes = statements.prose_funding(doc.lines)
    report.warnings.extend(notes)
    return funding


def _spent_from_text(doc: Document, funding: Funding) -> None:
    """The spending a table leaves out, from the text, when the text states the same budget and arrival."""
    told, _ = statements.prose_funding(doc.lines)
    if told is None or told.total.spent is None:
        return
    same = all(getattr(told.total, k) in (None, getattr(funding.total, k)) for k in ("planned", "arrived"))
    if not same:
        return
    funding.total.spent = told.total.spent
    spent_by_source = {s.source: s.spent for s in told.sources if s.spent is not None}
    for row in funding.sources:
        if row.spent is None and row.source in spent_by_source:
            row.spent = spent_by_source[row.source]


def _outside_projects(doc: Document, report: Report, outside: list[Line]) -> Document:
    """A bundling file without its projects' passages: each project's own score is not the file's."""
    if report.project.kind != "bundle" or not report.projects:
        return doc
    names = [p.name for p in report.projects if len(p.name) >= 4]
    own = [ln for ln in outside if not any(n in ln.text for n in names)]  # '…保障项目自评得分96分' is that project's
    return Document(source=doc.source, kind=doc.kind, lines=own, rows=doc.rows, warnings=doc.warnings)


def _bundle_funding(doc: Document, report: Report, funding: Funding, outside: list[Line]) -> Funding:
    """A file of several projects (listed in `report.projects`): the headline is the title's project, or
    what is stated `outside` the projects' passages (a total for all of them), never the first one's."""
    if funding.origin not in ("prose", "none"):
        return funding  # a table's figures are the file's own
    # the projects' own figures differ by design: not a disagreement about one figure
    report.warnings = [w for w in report.warnings if w.code != "funding.conflicting_statements"]
    title = report.project.name or next((ln.text for ln in doc.lines if ln.text.strip()), "")
    own = kinds.titled(report.projects, title)
    if own is not None:
        total = FundingRow(source=SOURCE_TOTAL, planned=own.planned, arrived=own.arrived, spent=own.spent,
                           where=own.where)
        return Funding(total=total, origin="prose", stated_execution_rate=funding.stated_execution_rate)
    if not report.projects:
        # the projects could not be told apart: only a sum stated for all of them is a headline figure
        chosen, notes = statements.settle([r for r in statements.readings(outside) if r.strength >= 3])
        report.warnings.extend(notes)
        total = FundingRow(source=SOURCE_TOTAL, **{c: r.value for c, r in chosen.items()})
        return Funding(total=total, origin="prose" if chosen else "none")
    stated, notes = statements.prose_funding(outside)
    report.warnings.extend(notes)
    exe, arr, notes = statements.stated_rates(outside)
    report.warnings.extend(notes)
    stated = stated or Funding()
    stated.stated_execution_rate, stated.stated_arrival_rate = exe, arr
    return stated


def parse_text(text: str, form: str = "auto", source: str = "") -> Report:
    stripped = text.strip()
    if stripped.startswith("{"):
        return _from_json(stripped, source)
    return parse_document(document.from_text(text, source), form)


def _utf16_without_bom(data: bytes) -> str | None:
    """UTF-16 saved without its byte-order mark: the NUL bytes of its ASCII characters (newlines, digits)
    all fall on one side of each pair."""
    head = data[:8192]
    odd, even = head[1::2].count(0), head[0::2].count(0)
    for enc, nuls, other in (("utf-16-le", odd, even), ("utf-16-be", even, odd)):
        if nuls and not other and len(data) % 2 == 0:
            try:
                return data.decode(enc)
            except UnicodeDecodeError:
                return None
    return None


def _decode(data: bytes, name: str) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    utf16 = _utf16_without_bom(data) if b"\x00" in data[:8192] else None
    if utf16 is not None:
        return utf16
    if b"\x00" in data[:8192]:
        raise ReadError(f"{name} 是二进制文件，不是文本、.docx 或 .xlsx")
    for enc in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(enc)
        except UnicodeDecodeError:
            continue
        if enc == "gb18030" and sum(1 for ch in text if "\ue000" <= ch <= "\uf8ff") > 0:
            break
        return text
    raise ReadError(f"{name} 无法按 UTF-8 或 GB18030 解码，可能是二进制文件")


_PYDANTIC_WORDS = {"extra_forbidden": "不是报告的字段", "missing": "缺少这个字段", "decimal_parsing": "不是数字",
                   "decimal_type": "不是数字", "int_parsing": "不是整数", "string_type": "应为文字", "dict_type": "应为对象",
                   "list_type": "应为列表", "model_type": "应为对象", "literal_error": "不是可选的值"}


def _from_json(text: str, name: str) -> Report:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ReadError(f"{name} JSON 格式错误：第{exc.lineno}行第{exc.colno}列 {exc.msg}") from exc
    if not isinstance(data, dict):
        raise ReadError(f"{name} 不是报告数据：JSON 须为对象（{{…}}）")
    try:
        report = Report.model_validate(data)
    except ValidationError as exc:
        where, err = first_error(exc)
        raise ReadError(f"{name} JSON 字段 {where}：{_PYDANTIC_WORDS.get(err['type'], '值无法使用')}") from exc
    if report.funding.origin == "none" and not report.funding.total.is_empty():
        report.funding.origin = "json"
    return report


def _text_of(p: Path) -> str:
    data = p.read_bytes()
    if data[:4] == b"PK\x03\x04":
        raise ReadError(f"{p.name} 是压缩文件（可能是 .docx/.xlsx），请使用正确的扩展名")
    text = _decode(data, p.name)
    if not text.strip():
        raise ReadError(f"{p.name} 没有任何文字内容")
    return text


def read_text(path: str | Path) -> str:
    """A text file's content, decoded, with the same size and binary checks as `load_document`."""
    _check_file(Path(path))
    return _text_of(Path(path))


def _check_file(p: Path) -> None:
    name = p.name
    if not p.exists():
        raise ReadError(f"找不到文件：{p}")
    if p.is_dir():
        raise ReadError(f"{p} 是目录，不是文件")
    size = p.stat().st_size
    if size == 0:
        raise ReadError(f"{name} 是空文件")
    if size > MAX_BYTES:
        raise ReadError(f"{name} 过大（{size / 1024 / 1024:.1f} MB，上限 20 MB）")


def load_document(path: str | Path) -> Document | str:
    """A file as a Document, or its text when it is JSON; ReadError with the reason otherwise."""
    p = Path(path)
    name = p.name
    _check_file(p)
    suffix = p.suffix.lower()
    try:
        if suffix in (".docx", ".docm"):
            check_archive(p, ".docx")
            return document.from_docx(p, name)
        if suffix in (".xlsx", ".xlsm"):
            check_archive(p, ".xlsx")
            return document.from_xlsx(p, name)
        if suffix in (".doc", ".xls", ".wps", ".et", ".pdf"):
            raise ReadError(f"{name}：暂不支持 {suffix} 格式，请另存为 .docx、.xlsx 或文本后再试")
        text = _text_of(p)
        if text.strip().startswith("{"):
            return text
        return document.from_text(text, name)
    except ReadError:
        raise
    except zipfile.BadZipFile as exc:
        raise ReadError(f"{name} 不是有效的 {suffix} 文件（压缩包已损坏），请在 Word/Excel/WPS 中另存后再上传") from exc
    except KeyError as exc:  # python-docx / openpyxl on a zip without the expected parts
        raise ReadError(f"{name} 不是有效的 {suffix} 文件（缺少 {exc}）") from exc
    except Exception as exc:  # noqa: BLE001 - any failure of a reader library means "cannot read this file"
        # the library's own words (English, internal) stay in the log; the officer gets what to do
        log.info("reader failed on %s: %s: %s", name, type(exc).__name__, exc)
        raise ReadError(f"{name} 无法读取：内容不是有效的 {suffix or '文本'} 文件，可能已损坏；"
                        "请在 Word/Excel/WPS 中打开并另存后再试") from exc


def read_report(path: str | Path, form: str = "auto", lenient: bool = False) -> Report:
    """Read any supported input file into a Report; ReadError/ParseError on bad input
    (with `lenient`, unreadable number cells are warnings instead; see `parse_document`)."""
    if form not in ("auto", *form_ids()):
        raise ReadError(f"未知报告格式“{form}”，可选：auto、{'、'.join(form_ids())}")
    loaded = load_document(path)
    if isinstance(loaded, str):
        return _from_json(loaded.strip(), Path(path).name)
    return parse_document(loaded, form, lenient)
