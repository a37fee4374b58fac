"""Tables of a report from rows of cells: funding grid, indicators, qualitative goals (expense rows:
`expense_rows`; the score table: `scores`).

Layouts seen in real reports are all handled here, whatever the input format:
- label/value pairs in one row (Yueyang: 计划安排资金（万元）| 320 | 实际到位资金（万元）| 289.8 …);
- a grid with a header row (Excel paste, national 自评表: 年初预算数 | 全年预算数 | 全年执行数 …);
- merged cells flattened with empty leading cells, and rows repeated across page breaks.
"""
from __future__ import annotations

import re
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from decimal import Decimal
from typing import Iterator

from ..models import SOURCE_TOTAL, Funding, FundingRow, Indicator, ParseWarning, QualitativeGoal
from ..numbers import NumberFormatError, compact, parse_decimal, parse_money_cell, to_halfwidth
from .document import Cell, Document, Row
from .errors import ParseError
from .vocab import funding_words, indicator_column  # noqa: F401 - indicator_column: the readers take it from here


# When set, a cell that must hold a number but does not is recorded here (and read as blank)
# instead of stopping the parse: a reviewer's check of a whole report should not fail on one
# OCR-garbled cell, while an officer's paste should (they can fix it and send it again).
_UNREADABLE: ContextVar[list[ParseWarning] | None] = ContextVar("unreadable_cells", default=None)


@contextmanager
def collecting_unreadable() -> Iterator[list[ParseWarning]]:
    """Within this block unreadable number cells become warnings (with a finding code), not errors."""
    found: list[ParseWarning] = []
    token = _UNREADABLE.set(found)
    try:
        yield found
    finally:
        _UNREADABLE.reset(token)


def _unreadable(cell: Cell, message: str, code: str, cause: Exception) -> None:
    found = _UNREADABLE.get()
    if found is None:
        raise ParseError(message) from cause
    found.append(ParseWarning(message=f"{message}，该值按空白处理", where=cell.where, code=code))


def money(cell: Cell, label: str, unit: str, code: str = "funding.unreadable_amount") -> Decimal | None:
    try:
        return parse_money_cell(cell.text, unit)
    except NumberFormatError as exc:
        _unreadable(cell, f"{cell.where.label()} {label}：{exc}".strip(), code, exc)
        return None


def score_value(cell: Cell, label: str) -> Decimal | None:
    half = to_halfwidth(cell.text).strip().replace(" ", "")
    half = half.removesuffix("分")
    if half in ("", "-", "—", "/", "无"):
        return None
    try:
        return parse_decimal(half)
    except NumberFormatError as exc:
        _unreadable(cell, f"{cell.where.label()} {label}：'{' '.join(cell.text.split())}' 不是有效分数".strip(),
                    "score.unreadable", exc)
        return None


def is_number(text: str) -> bool:
    half = to_halfwidth(text).strip().removesuffix("分")
    return bool(re.fullmatch(r"\d+(?:\.\d+)?", half))


def unit_in(text: str) -> str | None:
    half = to_halfwidth(text)
    m = re.search(r"[(（]\s*(万元|元|亿元)\s*[)）]|单位[:：]\s*(万元|元|亿元)", half)
    return (m.group(1) or m.group(2)) if m else None


# ---------------------------------------------------------------------------------------------
# Funding

EXTRA_KEYS = {"分值": "weight", "执行率": "rate", "得分": "score"}
_SOURCE_KEYS = (
    (SOURCE_TOTAL, ("合计", "总计", "小计", "年度资金总额", "资金总额", "总额", "项目资金")),
    ("中央财政", ("中央",)), ("省财政", ("省",)), ("市财政", ("市",)), ("县市区财政", ("县", "区")),
    ("其它", ("其它", "其他", "自筹", "社会")),
)


def column_of(text: str) -> str | None:
    key = compact(text)
    if key.startswith("实际使用情况"):  # the Huainan form's own word for what was spent
        return "spent"
    if not key or len(key) > 16 or any(w in key for w in ("内容", "明细", "率", "说明", "情况")):
        return None
    for col, words in funding_words():
        if any(w in key for w in words):
            return col
    return None


# sources the national 自评表 and other provinces' grids name by kind rather than by level
_NAMED_SOURCES = {
    "当年财政拨款": "当年财政拨款", "本年财政拨款": "当年财政拨款", "本年度财政拨款": "当年财政拨款",
    "财政资金": "财政拨款", "财政拨款": "财政拨款", "上年结转资金": "上年结转资金", "上年结转": "上年结转",
    "其他资金": "其它", "本级财政资金": "本级财政", "本级财政": "本级财政", "本级资金": "本级财政",
    "上级补助资金": "上级补助", "上级补助": "上级补助", "上级转移支付资金": "上级转移支付",
    "上级转移支付": "上级转移支付", "单位自筹资金": "其它", "单位自筹": "其它", "自有资金": "其它",
    "社会资本": "其它", "社会资金": "其它", "专项债券资金": "专项债券", "专项债券": "专项债券",
}


def source_of(text: str) -> str | None:
    key = re.sub(r"^其中[:：]?", "", compact(text))
    key = re.sub(r"[(（][^()（）]*[)）]", "", key)
    if key in _NAMED_SOURCES:
        return _NAMED_SOURCES[key]  # before column_of: '结转' is also a balance header
    if not key or len(key) > 12:
        return None
    if key.endswith(("合计", "总计")) and len(key) <= 6:
        return SOURCE_TOTAL  # 支出合计 / 资金合计 / 收入总计
    if column_of(key):
        return None
    for source, words in _SOURCE_KEYS:
        if source == SOURCE_TOTAL and any(key.startswith(w) for w in words):
            return source
        if source != SOURCE_TOTAL and any(key.startswith(w) for w in words) and key.endswith(
                ("财政", "级", "资金", "其它", "其他", "筹", "配套", "补助")):
            return source
    return None


@dataclass
class _Grid:
    columns: list[str | None]  # per header cell: funding column, extra key, or None
    unit: str
    start: int  # index of the first value cell in the header


def valueish(cell: Cell) -> bool:
    """A cell that is meant to hold a figure: blank, or short (a typo like '32O' still counts)."""
    key = compact(cell.text)
    return len(key) <= 16 and "\n" not in cell.text.strip()


def _pairs(row: Row, key) -> list[tuple[str, Cell]]:
    """[(label key, value cell)] for rows laid out as label, value, label, value …"""
    out = []
    cells = row.cells
    k = 0
    while k < len(cells) - 1:
        lab = key(cells[k].text)
        if lab and valueish(cells[k + 1]):
            out.append((lab, cells[k + 1]))
            k += 2
        else:
            k += 1
    return out


def funding_grid(doc: Document, default_unit: str = "万元") -> Funding | None:
    rows = doc.rows
    for idx, row in enumerate(rows):
        pairs = _pairs(row, column_of)
        if len(pairs) >= 2 and len({p[0] for p in pairs}) == len(pairs) and all(
                not column_of(c.text) for _, c in pairs):
            return _pair_layout(doc, idx, pairs, default_unit)
        cols = _this_years(row, [column_of(c.text) or extra_key(c.text) for c in row.cells])
        money_cols = [c for c in cols if c in _COL_LABEL]
        if len(money_cols) >= 3 and len(set(money_cols)) == len(money_cols) - 1 and money_cols[0] == money_cols[1]:
            # Sichuan: '年度预算数(万元)' heads the row labels, then 年初预算 | 调整后预算数 | 预算执行数
            first = next(k for k, c in enumerate(cols) if c)
            cols[first] = None
            money_cols = money_cols[1:]
        if len(money_cols) >= 2 and len(set(money_cols)) == len(money_cols):
            return _grid_layout(doc, idx, cols, default_unit)
    return None


def _this_years(row: Row, cols: list[str | None]) -> list[str | None]:
    """A header comparing years ('2022年决算数 | 2023年年初预算数 | … | 2023年决算数'): only the latest year's
    columns are this report's figures."""
    years = [int(m.group(1)) if (m := re.search(r"((?:19|20)\d{2})\s*年", c.text)) else None for c in row.cells]
    if len({y for y in years if y}) < 2:
        return cols
    latest = max(y for y in years if y)
    return [None if y is not None and y < latest else c for c, y in zip(cols, years)]


def extra_key(text: str) -> str | None:
    """A funding grid's non-money header: 分值/权重, 执行率 (also 预算执行率), 得分."""
    key = compact(text)
    if len(key) > 12:
        return None
    if "执行率" in key:
        return "rate"
    return EXTRA_KEYS.get(key[:3]) or ("weight" if key.startswith("权重") else None)


def unit_near(doc: Document, idx: int, cells: list[Cell], default_unit: str) -> str:
    return _stated_unit_near(doc, idx, cells) or default_unit


def _stated_unit_near(doc: Document, idx: int, cells: list[Cell]) -> str | None:
    """The unit a table states in its header, the rows above or the lines just before it."""
    for c in cells:
        u = unit_in(c.text)
        if u:
            return u
    for row in doc.rows[max(0, idx - 2):idx]:
        for c in row.cells:
            u = unit_in(c.text)
            if u:
                return u
    line = cells[0].line if cells else None
    if line:
        for ln in doc.lines:
            if ln.line is not None and line - 3 <= ln.line < line:
                u = unit_in(ln.text)
                if u:
                    return u
    return None


def _pair_layout(doc: Document, idx: int, pairs: list[tuple[str, Cell]], default_unit: str) -> Funding:
    header_row = doc.rows[idx]
    stated = _stated_unit_near(doc, idx, header_row.cells)
    unit = stated or default_unit
    order = [p[0] for p in pairs]
    total = FundingRow(source=SOURCE_TOTAL, where=header_row.cells[0].where)
    for col, cell in pairs:
        setattr(total, col, money(cell, f"{SOURCE_TOTAL} {_COL_LABEL[col]}", unit))
    funding = Funding(total=total, unit=unit, origin="table", unit_stated=stated is not None)
    for row in doc.rows[idx + 1: idx + 12]:
        spairs = _pairs(row, source_of)
        if not spairs:
            later = [(col, cell) for col, cell in _pairs(row, column_of) if total.get(col) is None]  # type: ignore[arg-type]
            if later and len(later) == len(_pairs(row, column_of)):
                for col, cell in later:  # '实际支出(万元) | 1020.02' on a row below the sources
                    setattr(funding.total, col, money(cell, f"{SOURCE_TOTAL} {_COL_LABEL[col]}", unit))
                continue
            if row.nonempty():
                break
            continue
        source = spairs[0][0]
        frow = FundingRow(source=source, where=row.cells[0].where)
        for k, (_, cell) in enumerate(spairs[: len(order)]):
            col = order[k]
            setattr(frow, col, money(cell, f"{source} {_COL_LABEL[col]}", unit))
        if source == SOURCE_TOTAL:
            funding.total = frow
        else:
            funding.sources.append(frow)
    return funding


_COL_LABEL = {"planned": "计划安排资金", "arrived": "实际到位资金", "spent": "实际支出", "balance": "结余"}


def _grid_layout(doc: Document, idx: int, cols: list[str | None], default_unit: str) -> Funding:
    header = doc.rows[idx]
    stated = _stated_unit_near(doc, idx, header.cells)
    unit = stated or default_unit
    first = next(k for k, c in enumerate(cols) if c)
    value_cols = cols[first:]
    funding = Funding(unit=unit, origin="table", unit_stated=stated is not None)
    seen_total = False
    for row in doc.rows[idx + 1: idx + 15]:
        label_at = next((k for k, c in enumerate(row.cells) if source_of(c.text)), None)
        named = _named_source(row) if label_at is None else None
        if label_at is None and named is None:
            if any(column_of(c.text) for c in row.cells) or len(row.nonempty()) > 1 and not any(
                    re.search(r"\d", c.text) for c in row.cells):
                break
            if row.nonempty():
                break
            continue
        if named is not None:
            label_at, source = named
        else:
            source = source_of(row.cells[label_at].text)  # type: ignore[index]
        assert source is not None and label_at is not None
        values = row.cells[label_at + 1:]
        while len(values) > len(value_cols) and not values[-1].text.strip():
            values = values[:-1]  # a row padded with empty cells to the table's width
        if len(values) > len(value_cols):
            values = values[len(values) - len(value_cols):]
        frow = FundingRow(source=source, where=row.cells[label_at].where)
        for col, cell in zip(value_cols, values):
            if col in _COL_LABEL:
                setattr(frow, col, money(cell, f"{source} {_COL_LABEL[col]}", unit))
            elif col == "rate" and source == SOURCE_TOTAL:
                rate = _percent(cell.text)
                if rate is not None:
                    funding.stated_execution_rate = rate
        if source == SOURCE_TOTAL and not seen_total:
            funding.total, seen_total = frow, True
        else:
            funding.sources.append(frow)
    return funding


def _named_source(row: Row) -> tuple[int, str] | None:
    """A grid row for a source no list names ('省级福彩公益金 | 800,000.00 | …'): a short label, then amounts."""
    filled = [k for k, c in enumerate(row.cells) if c.text.strip()]
    if len(filled) < 2:
        return None
    label = compact(row.cells[filled[0]].text)
    if len(label) > 20 or re.search(r"\d", label) or column_of(label) or label.startswith(("其中", "合计")):
        return None
    if not all(re.fullmatch(r"[-+]?[\d,，.]+%?|[—\-－/]+", to_halfwidth(row.cells[k].text).strip()) for k in filled[1:]):
        return None
    return filled[0], label


def _percent(text: str) -> Decimal | None:
    half = to_halfwidth(text).strip().replace(" ", "")
    m = re.fullmatch(r"(\d+(?:\.\d+)?)%", half)
    if m:
        return parse_decimal(m.group(1)) / 100
    return None


# ---------------------------------------------------------------------------------------------
# Indicators and qualitative goals

_IND_STOP = re.compile(r"^(绩效自评综合得分|综合得分|总分|合计|评价等次|考评等次|自评等次|四、|评价人员)")


def indicators(doc: Document) -> list[Indicator]:
    for idx, row in enumerate(doc.rows):
        cols = [indicator_column(c.text) for c in row.cells]
        if not {"level2", "target", "actual"} <= set(cols) or "level1" not in cols:
            continue
        out: list[Indicator] = []
        level1 = level2 = ""
        for data in doc.rows[idx + 1:]:
            cells = data.cells
            first = compact(data.nonempty()[0].text) if data.nonempty() else ""
            if _IND_STOP.match(first) or (data.nonempty() and indicator_column(data.nonempty()[0].text) == "level1"):
                break
            if not data.nonempty():
                continue
            if len(cells) > len(cols):
                cells = cells[len(cells) - len(cols):]
            elif len(cells) < len(cols) - 1:
                break
            got = {col: cell for col, cell in zip(cols, cells) if col}
            text = {k: c.text.strip() for k, c in got.items()}
            if text.get("level1"):
                level1 = re.sub(r"\s+", "", text["level1"])
            if text.get("level2"):
                level2 = re.sub(r"\s+", "", text["level2"])
            if not any(text.get(k) for k in ("name", "target", "actual")):
                if text.get("level2"):
                    # a family row with nothing set ('生态效益指标' and blanks) counts as empty
                    out.append(Indicator(level1=level1, level2=level2, where=data.cells[0].where))
                continue
            target, actual = _with_bound_and_unit(text)
            out.append(Indicator(
                level1=level1, level2=level2, name=text.get("name", ""),
                target=target, actual=actual, direction=_direction(text.get("bound", "")),
                reason=re.sub(r"\s+", " ", text.get("note", "")).strip(),
                weight=score_value(got["weight"], "分值") if "weight" in got else None,
                claimed=score_value(got["claimed"], "得分") if "claimed" in got else None,
                where=(got.get("actual") or data.cells[0]).where,
            ))
        return out
    return []


_BARE_NUMBER = re.compile(r"^[-+]?\d+(?:[.,]\d+)*$")
_BOUND_WORDS = {"≥": "≥", ">=": "≥", "大于等于": "≥", "不低于": "≥", "≤": "≤", "<=": "≤", "小于等于": "≤",
                "不高于": "≤", "不超过": "≤", ">": ">", "<": "<", "=": "", "＝": "", "定性": ""}


def _direction(cell: str) -> str:
    """A table's own direction column wins over any guess: 正向 (more is better) / 反向 (less is better)."""
    key = compact(cell)
    if key.startswith(("正向", "越大越好", "越高越好")):
        return "higher"
    if key.startswith(("反向", "逆向", "越小越好", "越低越好")):
        return "lower"
    return "auto"


def _with_bound_and_unit(text: dict[str, str]) -> tuple[str, str]:
    """Target and actual with the 指标性质 and 度量单位 columns folded in: '≥' '120' '公里' → '≥120公里'."""
    target, actual = text.get("target", ""), text.get("actual", "")
    unit = text.get("unit", "").strip()
    if unit:
        target = f"{target}{unit}" if _BARE_NUMBER.match(to_halfwidth(target)) else target
        actual = f"{actual}{unit}" if _BARE_NUMBER.match(to_halfwidth(actual)) else actual
    bound = _BOUND_WORDS.get(to_halfwidth(text.get("bound", "")).strip().replace(" ", ""), "")
    if bound and target and not re.match(r"^[≥≤<>=]|^不|^大于|^小于", to_halfwidth(target)):
        target = f"{bound}{target}"
    return target, actual


def goals(doc: Document) -> list[QualitativeGoal]:
    for idx, row in enumerate(doc.rows):
        keys = [compact(c.text) for c in row.cells]
        exp = next((k for k, t in enumerate(keys) if t.startswith("预期目标")), None)
        act = next((k for k, t in enumerate(keys) if t.startswith("实际完成")), None)
        if exp is None or act is None:
            continue
        for data in doc.rows[idx + 1: idx + 3]:
            cells = data.cells
            if sum(1 for c in cells if indicator_column(c.text)) >= 2:
                break  # the indicator table's header: this goal row has no texts
            if len(cells) == len(row.cells) and len(cells) > max(exp, act):
                e, a = cells[exp].text.strip(), cells[act].text.strip()
            elif len(data.nonempty()) >= 2:
                e, a = data.nonempty()[-2].text.strip(), data.nonempty()[-1].text.strip()
            else:
                continue
            if e or a:
                return [QualitativeGoal(expected=e, actual=a)]
    return []
