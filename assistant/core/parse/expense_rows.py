"""The 支出明细 table of a report: one row per expense (content, amount, voucher, note) and its 支出合计."""
from __future__ import annotations

import re
from decimal import Decimal

from ..models import ExpenseLine, Where
from ..numbers import compact
from .document import Document
from .tables import column_of, money, unit_near
from .vocab import expense_column, expense_content_word

_TOTAL_ROW = re.compile(r"^(支出合计|合计|总计|小计|支出总计)")


def expenses(doc: Document, default_unit: str = "万元") -> tuple[list[ExpenseLine], Decimal | None, Where]:
    for idx, row in enumerate(doc.rows):
        cols = [expense_column(c.text) for c in row.cells]
        if "content" not in cols or "amount" not in cols:
            continue
        if any(expense_content_word(c.text) for c in row.cells) and "voucher" not in cols and \
                any(column_of(c.text) in ("planned", "arrived") for c in row.cells):
            continue  # '项目 | 预算数 | 实际支出': a funding grid, not an expense list (a 凭证号 column says it is one)
        unit = unit_near(doc, idx, row.cells, default_unit)
        lines: list[ExpenseLine] = []
        total: Decimal | None = None
        total_where = Where()
        for data in doc.rows[idx + 1:]:
            cells = data.cells
            if len(cells) > len(cols):
                cells = cells[len(cells) - len(cols):]
            got = {col: cell for col, cell in zip(cols, cells) if col}
            content = got.get("content")
            label = compact(content.text) if content else ""
            if not data.nonempty():
                continue
            if _TOTAL_ROW.match(label):
                if "amount" in got:
                    total = money(got["amount"], "支出合计", unit, "expense.unreadable_amount")
                    total_where = got["amount"].where
                break
            if len(data.nonempty()) == 1 and not (content and content.text.strip()):
                break
            if len(cells) < 2 or re.match(r"^[一二三四五六七八九十]+、", label):
                break
            amount_cell = got.get("amount")
            lines.append(ExpenseLine(
                content=(re.sub(r"\s*\n\s*", "", content.text.strip()) if content else ""),
                amount=money(amount_cell, f"支出明细“{label[:12]}”实际支出数", unit,
                             "expense.unreadable_amount") if amount_cell else None,
                voucher=got["voucher"].text.strip() or None if "voucher" in got else None,
                note=got["note"].text.strip() or None if "note" in got else None,
                where=amount_cell.where if amount_cell else data.cells[0].where,
            ))
        return lines, total, total_where
    return [], None, Where()
