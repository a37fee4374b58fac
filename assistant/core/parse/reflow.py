"""Rows back for a report whose tables lost their row breaks (the national 自评表 here; the
label/value forms in `reflow_pairs`).

Text taken from a PDF, or a Word table dumped without blank lines between rows, arrives as one
cell per line: '年度资金总额' / '500' / '480' / … with nothing marking where a row ends, and from
a PDF the empty cells are gone too. The form's own labels say where rows start (年度资金总额,
其中：当年财政拨款, 产出指标, 数量指标 …), and its fixed columns say how many values follow, so the
rows can be rebuilt; the extractors in `tables` and `scores` then read them like any other table.
Values that cannot be placed unambiguously are left out rather than guessed.
"""
from __future__ import annotations

import re

from ..models import SOURCE_TOTAL, ParseWarning
from ..numbers import DATE_UNIT, compact, parse_quantity, to_halfwidth
from .document import Cell, Document, Row
from .reflow_pairs import (_EXPENSE_HEAD, cell_key, expense_column, expense_rows, is_score, next_filled, pair_funding_rows, row_of, score_rows,
                           summary_rows)
from .tables import column_of, extra_key, indicator_column, source_of

_IND_STOP = re.compile(r"^(总分|合计|绩效自评综合得分|综合得分|评价等次|自评等次|填表人|联系电话|单位负责人)")
_LEVEL1 = {"产出指标", "效益指标", "满意度指标", "成本指标", "效果指标", "产出", "效益", "满意度",
           "项目产出指标", "项目效益指标", "项目产出", "项目效益"}
_LEVEL2_WORDS = ("数量", "质量", "时效", "成本", "经济效益", "社会效益", "生态效益", "环境效益",
                 "可持续影响", "满意度", "经济成本", "社会成本", "生态环境成本")
_PROJECT_LABELS = ("项目名称", "主管部门", "实施单位", "项目单位", "预算单位")


def _is_level1(text: str) -> bool:
    return compact(text) in _LEVEL1


def _is_level2(text: str) -> bool:
    key = compact(text)
    return len(key) <= 14 and key.endswith("指标") and any(w in key for w in _LEVEL2_WORDS) \
        and key not in _LEVEL1 - {"成本指标"}


def _is_value(text: str) -> bool:
    """A funding cell: a number, a percentage, a dash or nothing."""
    half = to_halfwidth(text).strip().replace(" ", "")
    # OCR turns digits into look-alike letters ('2,l60,000'): still a value cell, which the money
    # reader then reports as unreadable instead of the row ending early
    return not half or bool(re.fullmatch(r"[-+]?[\d,.]*\d[\d,.OolI|]*%?|[—\-－/]+|无", half))


def _valueish_target(text: str) -> bool:
    q = parse_quantity(text)
    return q.numeric or q.qualitative is not None or q.unit == DATE_UNIT or bool(re.search(r"[≥≤<>]", text))


def stream(doc: Document) -> list[Cell]:
    """Every cell and narrative line in document order, one token each."""
    tokens: list[tuple[int, int, Cell]] = []
    covered: set[int] = set()
    for r, row in enumerate(doc.rows):
        for k, cell in enumerate(row.cells):
            line = cell.line or row.line or 0
            tokens.append((line, r * 10000 + k, cell))
            covered.update(range(line, line + cell.text.count("\n") + 1))
    for ln in doc.lines:
        if ln.line is None or ln.line not in covered:
            tokens.append((ln.line or 0, 10 ** 9, Cell(ln.text.strip(), ln.line)))
    tokens.sort(key=lambda t: (t[0], t[1]))
    return [t[2] for t in tokens]


def needs_reflow(doc: Document) -> bool:
    """A report whose funding or indicator table is not rows of cells (its row breaks were lost)."""
    has_funding_row = any(sum(1 for c in row.cells if column_of(c.text)) >= 2 for row in doc.rows)
    has_indicator_row = any({"level1", "target", "actual"} <= {indicator_column(c.text) for c in row.cells}
                            for row in doc.rows if len(row.cells) <= 14)
    if has_funding_row and has_indicator_row:
        return False
    if has_indicator_row and not re.search(r"计划安排|实际到位|实际支出|预算数|执行数|计划投资|到位资金|资金来源",
                                           doc.full_text()[:200000]):
        return False  # an indicator table in rows of cells and no funding at all: nothing to rebuild
    keys = [compact(ln.text) for ln in doc.lines]
    if not has_funding_row and len(pair_funding_rows([Cell(ln.text) for ln in doc.lines[:400]])[0]) > 0:
        return True  # '计划安排资金（万元）' and its value on lines of their own
    return (not has_funding_row and funding_head([Cell(ln.text) for ln in doc.lines[:2000]]) is not None) or any(
        k.startswith("一级指标") and k2.startswith("二级指标") for k, k2 in zip(keys, keys[1:])) or (
        not doc.rows and any(k in _EXPENSE_HEAD and expense_column(k2) for k, k2 in zip(keys, keys[1:])))


def reflow(doc: Document) -> Document:
    """The document with the national form's rows rebuilt from its cell stream (others kept)."""
    tokens = stream(doc)
    built: list[Row] = []
    used: set[int] = set()
    notes: list[ParseWarning] = []
    for finder in (_project_rows, lambda t: _funding_rows(t, notes), pair_funding_rows, expense_rows, _goal_rows,
                   _indicator_rows, summary_rows, score_rows):
        rows, consumed = finder(tokens)
        built.extend(rows)
        used.update(consumed)
    if not built:
        return doc
    kept = [row for row in doc.rows if not any(id(c) in used for c in row.cells)]
    rows = sorted(kept + built, key=lambda row: row.line or 0)
    return Document(source=doc.source, kind=doc.kind, lines=doc.lines, rows=rows, warnings=doc.warnings + notes)



def _project_rows(tokens: list[Cell]) -> tuple[list[Row], set[int]]:
    rows, used = [], set()
    for k, tok in enumerate(tokens[:-1]):
        if cell_key(tok) in _PROJECT_LABELS:
            v = next_filled(tokens, k + 1)
            if v < len(tokens) and cell_key(tokens[v]) not in _PROJECT_LABELS and len(cell_key(tokens[v])) <= 60:
                rows.append(row_of([tok, tokens[v]]))
                used.update({id(tok), id(tokens[v])})
    return rows, used


_NOTE_HEAD = re.compile(r"^(原因|备注|说明|偏差原因|未完成原因)")


def _past_notes(tokens: list[Cell], k: int) -> int:
    """Past a grid header's trailing 原因/备注 column labels, which hold text, not figures."""
    j = next_filled(tokens, k)
    while j < len(tokens) and _NOTE_HEAD.match(cell_key(tokens[j])) and len(cell_key(tokens[j])) <= 8:
        j = next_filled(tokens, j + 1)
    return j


def funding_head(tokens: list[Cell]) -> int | None:
    """Where a funding grid's header starts in a cell stream: a run of column labels naming at least two
    money columns (年初预算数 | 全年预算数 | 全年执行数, or 年初预算 | 调整后预算数 | 预算执行数), then a row label."""
    k = 0
    while k < len(tokens):
        j = k
        while j < len(tokens) and (column_of(tokens[j].text) or extra_key(tokens[j].text)):
            j += 1
        if j > k:
            money = [column_of(t.text) for t in tokens[k:j] if column_of(t.text)]
            after = next_filled(tokens, _past_notes(tokens, j))
            if len(set(money)) >= 2 and after < len(tokens) and source_of(tokens[after].text) is not None:
                return k
            k = j
        else:
            k += 1
    return None


def _funding_rows(tokens: list[Cell], notes: list[ParseWarning]) -> tuple[list[Row], set[int]]:
    """The funding grid; a row whose amounts cannot be placed is noted in `notes`, not guessed."""
    start = funding_head(tokens)
    if start is None:
        return [], set()
    head: list[Cell] = []
    k = start
    while k < len(tokens) and (column_of(tokens[k].text) or extra_key(tokens[k].text)):
        head.append(tokens[k])
        k += 1
    if len(head) > 2 and column_of(head[0].text) == column_of(head[1].text):
        start, head = start + 1, head[1:]  # Sichuan: '年度预算数(万元)' heads the labels, 年初预算 … follow
    # the header's first cell ('项目资金（万元）') may have been wrapped over two lines
    before = [t for t in tokens[max(0, start - 3):start] if cell_key(t)]
    label = next((Cell("".join(t.text.strip() for t in before[j:]), before[j].line)
                  for j in range(len(before)) if "资金" in cell_key(before[j])), None)
    lead = [label] if label is not None else [Cell("", head[0].line)]
    rows = [row_of(lead + head)]
    used = {id(c) for c in head} | {id(t) for t in before if label is not None}
    cols = [column_of(c.text) or extra_key(c.text) for c in head]
    pattern: list[int] | None = None
    used.update(id(t) for t in tokens[k:_past_notes(tokens, k)])
    k = _past_notes(tokens, k)
    while True:
        k = next_filled(tokens, k)
        if k >= len(tokens) or source_of(tokens[k].text) is None:
            break
        label_cell, k = tokens[k], k + 1
        values: list[Cell] = []
        while k < len(tokens) and len(values) < len(head) and _is_value(tokens[k].text) \
                and source_of(tokens[k].text) is None:
            values.append(tokens[k])
            k += 1
        cells, placed = _align(values, cols, label_cell.line, pattern)
        if pattern is None and source_of(label_cell.text) == SOURCE_TOTAL:
            pattern = placed or None
        if not placed and any(_amount(v) for v in values):
            notes.append(ParseWarning(message=f"{label_cell.where.label()} {label_cell.text.strip()}：金额前后缺少空白格，"
                                              "无法确定各属哪一列，未读取", where=label_cell.where,
                                      code="funding.unplaced_amounts", severity="warning"))
        rows.append(row_of([label_cell] + cells))
        used.update(id(c) for c in [label_cell] + values)
    return rows, used


_MONEY = ("planned", "arrived", "spent", "balance")


def _amount(cell: Cell) -> bool:
    """An amount, or what OCR left of one ('2,l60,000.00')."""
    return bool(re.fullmatch(r"[-+]?[\d,.]*\d[\d,.OolI|]*", to_halfwidth(cell.text).strip().replace(" ", "")))


def _align(values: list[Cell], cols: list[str | None], line: int | None,
           pattern: list[int] | None = None) -> tuple[list[Cell], list[int]]:
    """Values of one funding row under their columns, and the money columns they filled.

    A PDF drops blank cells, so fewer values than columns must be placed: the leading run of
    amounts goes to the money columns and what follows to 分值/执行率/得分. When amounts are
    missing, their place is taken from `pattern` (the 年度资金总额 row's) or proven by the stated
    execution rate; otherwise the amounts are left out rather than guessed.
    """
    money = [k for k, c in enumerate(cols) if c in _MONEY]
    if len(values) >= len(cols):
        values = values[:len(cols)]
        return values, [k for k in money if values[k].text.strip()]
    out = [Cell("", line) for _ in cols]
    filled = [v for v in values if v.text.strip()]
    lead = 0
    while lead < len(filled) and _amount(filled[lead]):
        lead += 1
    amounts, rest = filled[:lead], filled[lead:]
    if "rate" in cols and any("%" in v.text for v in rest):
        # the amount right before the rate is 分值 when the form has one
        extras = [k for k, c in enumerate(cols) if c not in _MONEY]
        while len(rest) < len(extras) and amounts:
            rest.insert(0, amounts.pop())
    extras = [k for k, c in enumerate(cols) if c not in _MONEY]
    if len(rest) <= len(extras):
        for k, v in zip(extras[len(extras) - len(rest):], rest):
            if not re.fullmatch(r"[—\-－/]+|无", to_halfwidth(v.text).strip()):
                out[k] = v
    if len(amounts) > len(money) or not amounts:
        return out, []
    if len(amounts) == len(money):
        places = money
    elif pattern is not None and len(pattern) == len(amounts):
        places = pattern
    else:
        places = money[len(money) - len(amounts):]
        if not _rate_agrees(amounts, [cols[k] for k in places], out, cols):
            return out, []
    for k, v in zip(places, amounts):
        out[k] = v
    return out, places


def _rate_agrees(amounts: list[Cell], names: list[str | None], out: list[Cell], cols: list[str | None]) -> bool:
    """Amounts placed as 全年预算数/全年执行数 agree with the row's stated execution rate."""
    if "rate" not in cols or "arrived" not in names or "spent" not in names:
        return False
    stated = to_halfwidth(out[cols.index("rate")].text).strip().rstrip("%")
    try:
        arrived = float(to_halfwidth(amounts[names.index("arrived")].text).replace(",", ""))
        spent = float(to_halfwidth(amounts[names.index("spent")].text).replace(",", ""))
        rate = float(stated)
    except ValueError:  # an OCR-garbled amount cannot prove its place either
        return False
    return arrived > 0 and abs(spent / arrived * 100 - rate) <= 0.6


def _goal_rows(tokens: list[Cell]) -> tuple[list[Row], set[int]]:
    for k, tok in enumerate(tokens[:-1]):
        if not cell_key(tok).startswith("预期目标"):
            continue
        a = next_filled(tokens, k + 1)
        if a >= len(tokens) or not cell_key(tokens[a]).startswith("实际完成"):
            continue
        texts: list[Cell] = []
        j = a + 1
        while j < len(tokens) and not (cell_key(tokens[j]).startswith(("绩效指标", "一级指标"))):
            if tokens[j].text.strip():
                texts.append(tokens[j])
            j += 1
        pair = _goal_pair(texts)
        rows = [row_of([tok, tokens[a]])] + ([row_of(pair)] if pair else [])
        return rows, {id(c) for c in [tok, tokens[a]] + (texts if pair else [])}
    return [], set()


def _goal_pair(texts: list[Cell]) -> list[Cell] | None:
    """预期目标 and 实际完成情况 as two cells; a PDF wraps them over lines, so join the lines back
    when exactly one line ends a sentence before the last; otherwise do not guess."""
    if len(texts) == 2:
        return texts
    ends = [k for k, c in enumerate(texts[:-1]) if c.text.strip().endswith(("。", "；", ";"))]
    if len(texts) < 2 or len(ends) != 1:
        return None
    cut = ends[0] + 1
    return [Cell("".join(c.text.strip() for c in part), part[0].line) for part in (texts[:cut], texts[cut:])]


def _indicator_rows(tokens: list[Cell]) -> tuple[list[Row], set[int]]:
    start = next((k for k, t in enumerate(tokens) if cell_key(t).startswith("一级指标")), None)
    if start is None:
        return [], set()
    head: list[Cell] = []
    k = start
    while k < len(tokens) and (indicator_column(tokens[k].text) or not tokens[k].text.strip()):
        if tokens[k].text.strip():
            head.append(tokens[k])
        k += 1
    cols = [indicator_column(c.text) for c in head]
    if not {"level1", "level2", "name", "target", "actual"} <= set(cols):
        return [], set()
    used = {id(c) for c in head}
    rows = [row_of(head)]
    body: list[Cell] = []
    while k < len(tokens) and not _IND_STOP.match(cell_key(tokens[k])):
        if tokens[k].text.strip():
            body.append(tokens[k])
        k += 1
    level1 = level2 = Cell("")
    segment: list[Cell] = []
    parsed: list[dict[str, Cell]] = []

    scored = "weight" in cols or "claimed" in cols

    family_open = False

    def flush() -> None:
        nonlocal family_open
        items = _split_segment(segment, parsed) if scored else _split_triples(segment)
        if not segment and family_open:
            items = [{}]  # a family label with nothing under it: an empty family, as in the table
        for item in items:
            item.setdefault("level1", level1)
            item.setdefault("level2", level2)
            parsed.append(item)
        segment.clear()
        family_open = False

    body = _join_wrapped_levels(body)
    for j, tok in enumerate(body):
        nxt = body[j + 1].text if j + 1 < len(body) else ""
        # a 一级 label is always followed by its first 二级 label: alone, '成本指标' is a 二级 label
        # and '满意度' an indicator name
        if _is_level1(tok.text) and _is_level2(nxt):
            flush()
            level1, level2 = tok, Cell("")
        elif _is_level2(tok.text):
            flush()
            level2, family_open = tok, True
        else:
            segment.append(tok)
        used.add(id(tok))
    flush()
    for item in parsed:
        line = (item.get("name") or item["level2"]).line
        rows.append(row_of([item.get(col or "", Cell("", line)) for col in cols]))
    if k < len(tokens) and cell_key(tokens[k]).startswith(("总分", "合计")):
        tail = [tokens[k]]
        j = k + 1
        while j < len(tokens) and (is_score(tokens[j].text) or not tokens[j].text.strip()) and len(tail) < 9:
            tail.append(tokens[j])
            j += 1
        rows.append(row_of(tail))
        used.update(id(c) for c in tail)
    return rows, used


def _split_segment(seg: list[Cell], parsed: list[dict[str, Cell]]) -> list[dict[str, Cell]]:
    """Rows of one indicator family: name, target, actual, 分值, 得分 [, 偏差原因] repeated.

    分值 and 得分 are the last two of a run of bare numbers; what stands between one row's 得分
    and the next row's name is the first row's 偏差原因. A row's 偏差原因 comes before the next
    row's family label, so extra words at the start of a family are its first name wrapped over
    lines ('改造供水管网行政' / '村数'), not a note.
    """
    out: list[dict[str, Cell]] = []
    i = 0
    n = len(seg)
    while i < n:
        j = next((j for j in range(i + 1, n - 1) if is_score(seg[j].text) and is_score(seg[j + 1].text)
                  and (j + 2 >= n or not is_score(seg[j + 2].text))), None)
        if j is None:
            _add_note(out or parsed, seg[i:])  # a trailing note (or one of a family with no rows)
            break
        body = seg[i:j]
        wrapped = not out and (len(body) > 3 or len(body) == 3 and not _valueish_target(body[1].text)
                               and _valueish_target(body[2].text))
        if wrapped:
            keep = 1 if len(body) == 3 else 2  # target (and actual) after the wrapped name
            body = [Cell("".join(c.text.strip() for c in body[:-keep]), body[0].line)] + body[-keep:]
        elif len(body) == 3 and not _valueish_target(body[1].text) and _valueish_target(body[2].text):
            _add_note(out, body[:1])  # previous row's note, then name and target
            body = body[1:]
        elif len(body) > 3:
            _add_note(out, body[:-3])
            body = body[-3:]
        item = {"name": body[0], "weight": seg[j], "claimed": seg[j + 1]}
        if len(body) >= 2:
            item["target"] = body[1]
        if len(body) >= 3:
            item["actual"] = body[2]
        out.append(item)
        i = j + 2
    return out


def _join_wrapped_levels(body: list[Cell]) -> list[Cell]:
    """'经济效益' / '指标' (a family label wrapped in its cell) back into one token."""
    out: list[Cell] = []
    k = 0
    while k < len(body):
        if k + 1 < len(body) and cell_key(body[k + 1]) == "指标" and _is_level2(body[k].text + "指标"):
            out.append(Cell(body[k].text.strip() + "指标", body[k].line))
            k += 2
            continue
        out.append(body[k])
        k += 1
    return out


def _split_triples(seg: list[Cell]) -> list[dict[str, Cell]]:
    """Rows of a table without score columns: name, target, actual; a lone '无' is an empty family."""
    if len(seg) % 3 and len(seg) != 1:
        return []  # a blank cell was dropped somewhere: which one cannot be told
    return [dict(zip(("name", "target", "actual"), seg[k:k + 3])) for k in range(0, len(seg), 3)]


def _add_note(rows: list[dict[str, Cell]], cells: list[Cell]) -> None:
    if rows and cells:
        text = "".join(c.text.strip() for c in cells)
        prev = rows[-1].get("note")
        rows[-1]["note"] = Cell(f"{prev.text}{text}" if prev else text, cells[0].line)
