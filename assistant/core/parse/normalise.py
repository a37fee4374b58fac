"""Two repairs of a document's text before any extractor reads it.

- Reports mirrored by sites that serve traditional script (資金總額 … 萬元) are read in simplified
  script, so every label and unit the readers know is found; the report says so in a warning.
- A form flattened onto one line with single spaces between its cells ('项目资金 (万元) 年初预算数
  全年预算数 全年执行数 … 年度资金总额: 0 0 0 …') is cut back into one cell per token, the way a
  PDF or a cell-per-line dump arrives, so `reflow` can rebuild its rows from the form's labels.
"""
from __future__ import annotations

import re

from ..models import ParseWarning
from ..numbers import compact
from .document import Cell, Document, Line, Row

try:  # a maintained converter (OpenCC's tables); without it traditional text is read as it is
    import opencc

    _T2S = opencc.OpenCC("t2s")
except ImportError:  # pragma: no cover - opencc is a dependency; this only keeps the core importable
    _T2S = None

_TRADITIONAL_SHARE = 0.02  # of the CJK characters: simplified text has next to none that t2s changes
_MIN_TRADITIONAL = 12
_FORM_WORDS = ("年初预算数", "全年预算数", "全年执行数", "一级指标", "二级指标", "三级指标", "年度资金总额",
               "实际完成值", "年度指标值", "指标值", "分值", "得分", "执行率")
_LONG_LINE = 150
_MIN_TOKENS = 25


def _traditional_count(text: str) -> tuple[int, int]:
    sample = text[:20000]
    cjk = [ch for ch in sample if "\u4e00" <= ch <= "\u9fff"]
    if _T2S is None or not cjk:
        return 0, len(cjk)
    joined = "".join(cjk)
    converted = _T2S.convert(joined)
    changed = sum(1 for a, b in zip(joined, converted) if a != b)
    return changed, len(cjk)


def to_simplified(doc: Document) -> Document:
    """The document in simplified script when it is written in traditional script; else unchanged."""
    changed, total = _traditional_count(doc.full_text())
    if changed < _MIN_TRADITIONAL or changed < _TRADITIONAL_SHARE * total:
        return doc
    convert = _T2S.convert  # type: ignore[union-attr]
    lines = [Line(convert(ln.text), ln.line) for ln in doc.lines]
    rows = [Row([Cell(convert(c.text), c.line, c.ref) for c in row.cells], row.line, row.table) for row in doc.rows]
    note = ParseWarning(message=f"原文为繁体字（{changed} 个），已按简体字读取", code="text.traditional_script",
                        severity="info")
    return Document(source=doc.source, kind=doc.kind, lines=lines, rows=rows, warnings=[*doc.warnings, note])


def _flattened(text: str) -> list[str] | None:
    if len(text) < _LONG_LINE:
        return None
    tokens = text.split()
    if len(tokens) < _MIN_TOKENS:
        return None
    key = compact(text)
    if sum(1 for w in _FORM_WORDS if w in key) < 3:
        return None
    # '年度资金总额:' keeps its label without the colon; '(万元)' stays a token of its own
    return [re.sub(r"[:：]$", "", t) for t in tokens if re.sub(r"[:：]$", "", t)]


def strip_cell_marks(doc: Document) -> Document:
    """A table dumped one cell per line, each ending in a lone '|' ('总额 |' / '238.93 |'): the cells
    without their marks, so the cell stream reads like any other."""
    real_rows = [row for row in doc.rows if row.nonempty()]  # ('|||||' rows are the dump's row separators)
    if doc.kind != "text" or len(real_rows) > max(2, len(doc.lines) // 20) or len(doc.lines) < 10:
        return doc
    marked = sum(1 for ln in doc.lines if ln.text.rstrip().endswith("|") and ln.text.count("|") == 1)
    if marked < 0.5 * len(doc.lines):
        return doc
    lines = [Line(re.sub(r"\s*\|\s*$", "", ln.text) if ln.text.count("|") == 1 else ln.text, ln.line)
             for ln in doc.lines if not re.fullmatch(r"[|\s]*\|[|\s]*", ln.text) or ln.text.count("|") == 1]
    return Document(source=doc.source, kind=doc.kind, lines=lines, rows=real_rows, warnings=doc.warnings)


def split_flattened(doc: Document) -> Document:
    """A form flattened onto long single-spaced lines, one token per line (the cell stream `reflow` reads)."""
    if doc.kind != "text":
        return doc
    out: list[Line] = []
    changed = False
    for ln in doc.lines:
        tokens = _flattened(ln.text)
        if tokens is None:
            out.append(ln)
            continue
        changed = True
        out.extend(Line(t, ln.line) for t in tokens)
    if not changed:
        return doc
    return Document(source=doc.source, kind=doc.kind, lines=out, rows=doc.rows, warnings=doc.warnings)
