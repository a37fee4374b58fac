"""Rows back for the label/value parts of a flattened report (the Yueyang and Huainan forms).

Alongside `reflow` (the national 自评表 grid): a funding block written as label, value pairs
('计划安排资金' '（万元）' '320' '实际到位资金' …) with its per-source lines, the expense rows
(支出内容 | 实际支出数 | 会计凭证号 | 备注), the 综合得分 / 评价等次 pairs and the 附件3-2 score
table, each rebuilt from the cell stream so that `tables` and `scores` read them as usual.
"""
from __future__ import annotations

import re

from ..numbers import compact, to_halfwidth
from .document import Cell, Row
from .tables import column_of, source_of

_UNIT_NOTE = re.compile(r"^[（(](?:万元|元|亿元)[)）]$")
_MONEY_CELL = re.compile(r"^[-+]?[\d,.]*\d[\d,.OolI|]*\s*(?:万元|元|亿元|万)?$")
_VOUCHER = re.compile(r"#|＃|凭证|记字|\d{4}\s*年\s*\d{1,2}\s*月\s*\d*\s*号?$")
_SUMMARY_LABELS = ("绩效自评综合得分", "自评综合得分", "综合得分", "评价等次", "考评等次", "自评等次")
_GRADES = ("优秀", "良好", "优", "良", "中等", "中", "合格", "差", "较差")
_EXPENSE_HEAD = ("支出内容", "支出项目", "开支内容")
_EXPENSE_COLS = {"实际支出数": "amount", "支出金额": "amount", "金额": "amount", "会计凭证号": "voucher",
                 "凭证号": "voucher", "备注": "note"}


def expense_column(key: str) -> str | None:
    """An expense table's column header, its unit in brackets allowed: '金额（万元）' is the amount."""
    return _EXPENSE_COLS.get(re.sub(r"[（(][^（(）)]*[）)]$", "", key))


def cell_key(cell: Cell) -> str:
    return compact(cell.text)


def _is_money(cell: Cell) -> bool:
    return bool(_MONEY_CELL.match(to_halfwidth(cell.text).strip().replace(" ", "")))


def row_of(cells: list[Cell]) -> Row:
    """A rebuilt row, at the line of its first cell that has one."""
    return Row(cells, next((c.line for c in cells if c.line), None))


def next_filled(tokens: list[Cell], k: int) -> int:
    """Index of the first non-blank token at or after k."""
    while k < len(tokens) and not tokens[k].text.strip():
        k += 1
    return k


def is_score(text: str) -> bool:
    """A bare score or 分值: '8', '2.72', at most 100."""
    half = to_halfwidth(text).strip()
    return bool(re.fullmatch(r"\d{1,3}(?:\.\d{1,2})?", half)) and float(half) <= 100


def pair_funding_rows(tokens: list[Cell]) -> tuple[list[Row], set[int]]:
    """'计划安排资金（万元）' 320 '实际到位资金（万元）' 289.8 … and the source lines after it."""
    k = 0
    while k < len(tokens):
        pairs, j = _label_pairs(tokens, k)
        if len(pairs) >= 2:
            break
        k += 1
    else:
        return [], set()
    header: list[Cell] = []
    used: set[int] = set()
    for label_cells, value in pairs:
        header += [Cell("".join(c.text.strip() for c in label_cells), label_cells[0].line), value]
        used.update(id(c) for c in [*label_cells, value])
    rows = [row_of(header)]
    width = len(pairs)
    while True:  # per source: its label repeated once per column, each followed by its value if any
        j = next_filled(tokens, j)
        if j >= len(tokens) or source_of(tokens[j].text) is None:
            break
        source, cells = source_of(tokens[j].text), []
        while j < len(tokens) and source_of(tokens[j].text) == source and len(cells) < 2 * width:
            label, j = tokens[j], j + 1
            value = Cell("", label.line)
            if j < len(tokens) and _is_money(tokens[j]):
                value, j = tokens[j], j + 1
            cells += [label, value]
            used.update({id(label), id(value)})
            j = next_filled(tokens, j)
        rows.append(row_of(cells))
    return rows, used


def _label_pairs(tokens: list[Cell], k: int) -> tuple[list[tuple[list[Cell], Cell]], int]:
    """Consecutive (label cells, value) pairs of funding columns starting at k."""
    pairs: list[tuple[list[Cell], Cell]] = []
    seen: set[str] = set()
    while k < len(tokens):
        k = next_filled(tokens, k)
        if k >= len(tokens) or not column_of(tokens[k].text) or column_of(tokens[k].text) in seen:
            break
        label = [tokens[k]]
        k += 1
        if k < len(tokens) and _UNIT_NOTE.match(cell_key(tokens[k])):
            label.append(tokens[k])
            k += 1
        if k >= len(tokens) or not _is_money(tokens[k]):
            break
        seen.add(column_of(label[0].text) or "")
        pairs.append((label, tokens[k]))
        k += 1
    return pairs, k


def expense_rows(tokens: list[Cell]) -> tuple[list[Row], set[int]]:
    """支出内容 | 实际支出数 | 会计凭证号 | 备注: a row starts where words are followed by an amount."""
    start = next((k for k, t in enumerate(tokens) if cell_key(t) in _EXPENSE_HEAD), None)
    if start is None:
        return [], set()
    head, k = [tokens[start]], start + 1
    while k < len(tokens) and expense_column(cell_key(tokens[k])):
        head.append(tokens[k])
        k += 1
    cols = ["content"] + [expense_column(cell_key(c)) for c in head[1:]]
    if "amount" not in cols:
        return [], set()
    rows, used = [row_of(head)], {id(c) for c in head}
    while True:
        k = next_filled(tokens, k)
        if k + 1 >= len(tokens) or _is_money(tokens[k]) or not _is_money(tokens[k + 1]):
            break
        content, amount, k = tokens[k], tokens[k + 1], k + 2
        got = {"content": content, "amount": amount}
        while k < len(tokens) and tokens[k].text.strip() and not (k + 1 < len(tokens) and _is_money(tokens[k + 1])):
            col = "voucher" if _VOUCHER.search(tokens[k].text) and "voucher" not in got else "note"
            if col not in cols or col in got or re.match(r"^[一二三四五六七八九十]+、", cell_key(tokens[k])):
                break
            got[col] = tokens[k]
            k += 1
        rows.append(row_of([got.get(col, Cell("", content.line)) for col in cols]))
        used.update(id(c) for c in got.values())
        if re.match(r"^(支出合计|合计|总计)", cell_key(content)):
            break
    return rows, used


def summary_rows(tokens: list[Cell]) -> tuple[list[Row], set[int]]:
    """'绩效自评综合得分' 98, '评价等次' 优秀 on lines of their own."""
    rows, used = [], set()
    for k, tok in enumerate(tokens[:-1]):
        if cell_key(tok) not in _SUMMARY_LABELS:
            continue
        v = next_filled(tokens, k + 1)
        if v < len(tokens) and (re.fullmatch(r"\d+(?:\.\d+)?分?", cell_key(tokens[v])) or cell_key(tokens[v]) in _GRADES):
            rows.append(row_of([tok, tokens[v]]))
            used.update({id(tok), id(tokens[v])})
    return rows, used


# ---------------------------------------------------------------------------------------------
# The 附件3-2 score table: 一级 分值 二级 分值 三级 分值 具体指标 评价标准 自评得分

_SCORE_HEAD = ["一级指标", "分值", "二级指标", "分值", "三级指标", "分值", "具体指标", "评价标准", "自评得分"]
_PUNCT = re.compile(r"[，。；;、,：:（）()①②③④⑤⑥%*/]")


def _short(cell: Cell) -> bool:
    """A label or a piece of one wrapped in its cell ('到位' / '时效'): short, no punctuation."""
    key = cell_key(cell)
    return 0 < len(key) <= 8 and not _PUNCT.search(key) and not is_score(cell.text)


def _header_end(tokens: list[Cell], k: int) -> int | None:
    """End of the score table's header if one starts at k ('一级' '指标' '分值' … '自评' '得分')."""
    joined, j = "", k
    while j < len(tokens) and j - k < 20 and (_short(tokens[j]) or not tokens[j].text.strip()):
        joined += cell_key(tokens[j])
        j += 1
        if "一级指标" in joined and "三级指标" in joined and joined.endswith("得分"):
            return j
    return None


def score_rows(tokens: list[Cell]) -> tuple[list[Row], set[int]]:
    """The score table rebuilt: label/分值 pairs, then the criteria text, then the claimed score."""
    start = next((k for k in range(len(tokens)) if cell_key(tokens[k]).startswith("一级")
                  and _header_end(tokens, k) is not None), None)
    if start is None:
        return [], set()
    k = _header_end(tokens, start)
    assert k is not None
    used = {id(t) for t in tokens[start:k]}
    rows = [row_of([Cell(text, tokens[start].line) for text in _SCORE_HEAD])]
    while k < len(tokens):
        k = next_filled(tokens, k)
        again = _header_end(tokens, k) if k < len(tokens) and cell_key(tokens[k]).startswith("一级") else None
        if again is not None:  # the header repeated after a page break
            used.update(id(t) for t in tokens[k:again])
            k = again
            continue
        if k < len(tokens) and cell_key(tokens[k]) in ("总分", "合计"):
            total = [tokens[k]]  # '总分' 100 100 100 98: the weights' sums, then the claimed total
            while len(total) < 6 and k + len(total) < len(tokens) and is_score(tokens[k + len(total)].text):
                total.append(tokens[k + len(total)])
            rows.append(row_of(total))
            used.update(id(c) for c in total)
            break
        pairs, k2 = _score_pairs(tokens, k)
        if not pairs:
            break
        texts, claimed, k = _criteria_and_claimed(tokens, k2)
        cells = [Cell("", pairs[0][0].line) for _ in _SCORE_HEAD]
        for slot, (label, weight) in zip(range(3 - len(pairs), 3), pairs):
            cells[2 * slot], cells[2 * slot + 1] = label, weight
        if texts:
            cells[6] = texts[0]
            cells[7] = Cell("\n".join(t.text.strip() for t in texts[1:]), texts[0].line)
        if claimed is not None:
            cells[8] = claimed
        rows.append(row_of(cells))
        used.update(id(t) for t in texts + ([claimed] if claimed is not None else []))
        used.update(id(weight) for _, weight in pairs)
    return (rows, used) if len(rows) > 1 else ([], set())


def _score_pairs(tokens: list[Cell], k: int) -> tuple[list[tuple[Cell, Cell]], int]:
    """Up to three (label, 分值) pairs at k; a label may be wrapped over two or three lines."""
    pairs: list[tuple[Cell, Cell]] = []
    while len(pairs) < 3:
        j = next_filled(tokens, k)
        parts: list[Cell] = []
        while j < len(tokens) and _short(tokens[j]) and len(parts) < 3:
            parts.append(tokens[j])
            j += 1
        if not parts or j >= len(tokens) or not is_score(tokens[j].text):
            break
        pairs.append((Cell("".join(p.text.strip() for p in parts), parts[0].line), tokens[j]))
        k = j + 1
    return pairs, k


def _criteria_and_claimed(tokens: list[Cell], k: int) -> tuple[list[Cell], Cell | None, int]:
    """The 具体指标 and 评价标准 lines, then the 自评得分: a number right after a line of text.

    A number after a short label is the next row's 分值, so a row whose score cell was blank
    ends there with no claimed score."""
    texts: list[Cell] = []
    while k < len(tokens):
        tok = tokens[k]
        if not tok.text.strip():
            k += 1
            continue
        if is_score(tok.text):
            return texts, tok, k + 1
        if _short(tok) and _score_pairs(tokens, k)[0] and texts:
            return texts, None, k
        if cell_key(tok).startswith("一级") and _header_end(tokens, k) is not None:
            return texts, None, k
        texts.append(tok)
        k += 1
    return texts, None, k
