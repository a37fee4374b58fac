"""Score tables as written: the 附件3-2 table, the national 预算执行率 row, 综合得分 and 等次."""
from __future__ import annotations

import re
from decimal import Decimal

from ..models import SOURCE_TOTAL, ClaimedScore
from ..numbers import compact, parse_decimal, to_halfwidth
from .document import Cell, Document
from .tables import extra_key, indicator_column, column_of, is_number, score_value, source_of


def _cell_text(cells: list[Cell], k: int | None) -> str:
    return cells[k].text.strip() if k is not None and k < len(cells) else ""


def score_table(doc: Document) -> tuple[list[ClaimedScore], Decimal | None]:
    rows_out: list[ClaimedScore] = []
    total: Decimal | None = None
    header: list[str] | None = None
    l1 = l2 = ""
    for row in doc.rows:
        keys = [compact(c.text) for c in row.cells]
        if "一级指标" in keys and "三级指标" in keys and any(k in ("自评得分", "得分", "自评分") for k in keys) \
                and not any(indicator_column(k) in ("target", "actual") for k in keys):
            # (the national indicator table also has 一级/三级/得分, but carries targets and actuals)
            header = keys  # (a page break repeats the header)
            continue
        if header is None:
            continue
        if not row.nonempty():
            continue
        first = compact(row.nonempty()[0].text)
        if first in ("总分", "合计", "总计"):
            nums = [c for c in row.cells if is_number(c.text)]
            if nums:
                total = score_value(nums[-1], "总分")
            break
        cells = row.cells
        if len(cells) == len(header):
            pos = {name: k for k, name in enumerate(header) if name}
            w_pos = [k for k, name in enumerate(header) if name == "分值"]
            n1, n2, n3 = (_cell_text(cells, pos.get(name)) for name in ("一级指标", "二级指标", "三级指标"))
            w3 = cells[w_pos[2]] if len(w_pos) >= 3 else None
            claimed_cell = cells[-1]
        else:
            # rows that dropped their empty cells: name/weight pairs, claimed score last
            texts = [c for c in cells if c.text.strip()]
            pairs = [(texts[k].text.strip(), texts[k + 1]) for k in range(len(texts) - 1)
                     if not is_number(texts[k].text) and is_number(texts[k + 1].text)
                     and len(compact(texts[k].text)) <= 8]
            if not pairs:
                continue
            n1 = n2 = ""
            n3, w3 = pairs[-1]
            if len(pairs) >= 2:
                n2 = pairs[-2][0]
            if len(pairs) >= 3:
                n1 = pairs[-3][0]
            claimed_cell = texts[-1] if texts[-1] is not w3 else Cell("")
        if n1:
            l1 = re.sub(r"\s+", "", n1)
        if n2:
            l2 = re.sub(r"\s+", "", n2)
        if not n3:
            continue
        rows_out.append(ClaimedScore(
            path=[l1, l2, re.sub(r"\s+", "", n3)],
            weight=score_value(w3, f"“{compact(n3)}”分值") if w3 is not None else None,
            claimed=score_value(claimed_cell, f"“{compact(n3)}”自评得分") if is_number(claimed_cell.text)
            or not claimed_cell.text.strip() else None,
            where=claimed_cell.where if claimed_cell.line or claimed_cell.ref else row.cells[0].where,
        ))
    return rows_out, total


_GRADE_WORD = r"(优秀|良好|优|良|中等|中|合格|较差|差)(?![\u4e00-\u9fa5])"
_GRADE_RE = re.compile(r"(?:(?:评价|考评|自评|绩效|评定)?等[次级](?:为|是|评定为|确定为)?[:：\s]*[“\"'「『(（]?"
                       + _GRADE_WORD + r"|(?<![\d.])\d+(?:\.\d+)?\s*分\s*[（(]" + _GRADE_WORD + r"[)）]"
                       r"|(?:自评|评定|评价|考评|综合评定)(?:结果|结论)?为[:：\s]*[“\"'「『(（]?" + _GRADE_WORD + ")")
# the report's total, not an item's: '自评得分92分', '总得分为92分', '综合评分为 91 分', '最终得分：88分',
# '自评总分(分) 97.93' in a flattened table, '绩效评分100分'
_TOTAL_RE = re.compile(r"(?:(?:自评|综合|评价|绩效|最终|整体)总?(?:得分|评分|总分)|项目总?得分|总得分|总分|自评分)"
                       r"(?:[(（]分[)）])?(?:为|是|达到)?[:：\s]*(\d+(?:\.\d+)?)(?![\d.%])(?:\s*分|(?=[\u4e00-\u9fa5]|$))")
_MAX_TOTAL = Decimal(110)  # 100 and the bonus points some provinces add ('自评得分102.8分')


def summary(doc: Document) -> tuple[Decimal | None, str | None]:
    """绩效自评综合得分 and 评价等次 as written (table rows or '考评等次：优' in text)."""
    total: Decimal | None = None
    grade: str | None = None
    for row in doc.rows:
        cells = row.nonempty()
        for k, cell in enumerate(cells[:-1]):
            key = compact(cell.text)
            if total is None and key in ("绩效自评综合得分", "自评综合得分", "综合得分", "自评得分", "自评总分"):
                if is_number(cells[k + 1].text):
                    total = score_value(cells[k + 1], "综合得分")
            if grade is None and key in ("评价等次", "考评等次", "自评等次", "评价等级", "自评等级", "绩效等级"):
                grade = cells[k + 1].text.strip() or None
    for ln in doc.lines:
        half = to_halfwidth(ln.text)
        if grade is None and (m := _GRADE_RE.search(half)):
            grade = m.group(1) or m.group(2) or m.group(3)
        if total is None:
            for m in _TOTAL_RE.finditer(half):
                value = parse_decimal(m.group(1))
                if 0 < value <= _MAX_TOTAL:
                    total = value
                    break
    return total, grade


def national_execution_score(doc: Document) -> ClaimedScore | None:
    """The 预算执行率 row of the national 自评表: 分值 10 and 得分 on the 年度资金总额 line."""
    for idx, row in enumerate(doc.rows):
        keys = [compact(c.text) for c in row.cells]
        if not (any(k.startswith("分值") for k in keys) and any(k.startswith("得分") for k in keys)
                and any(column_of(c.text) for c in row.cells)):
            continue
        cols = [column_of(c.text) or extra_key(c.text) for c in row.cells]
        first = next(k for k, c in enumerate(cols) if c)
        value_cols = cols[first:]
        for data in doc.rows[idx + 1: idx + 6]:
            label_at = next((k for k, c in enumerate(data.cells) if source_of(c.text) == SOURCE_TOTAL), None)
            if label_at is None:
                continue
            values = data.cells[label_at + 1:]
            if len(values) > len(value_cols):
                values = values[len(values) - len(value_cols):]
            got = {col: cell for col, cell in zip(value_cols, values) if col in ("weight", "score")}
            weight = score_value(got["weight"], "分值") if "weight" in got else None
            claimed = score_value(got["score"], "得分") if "score" in got else None
            if weight is None and claimed is None:
                return None
            return ClaimedScore(path=["预算执行率"], weight=weight, claimed=claimed,
                                where=data.cells[label_at].where)
    return None


def national_total(doc: Document) -> Decimal | None:
    """The 总分 row of a national 自评表."""
    for row in doc.rows:
        cells = row.nonempty()
        if cells and compact(cells[0].text) in ("总分", "合计") and len(cells) >= 2:
            nums = [c for c in cells[1:] if is_number(c.text)]
            # '合计 | 100' alone is the weights' sum (分值), not a score; the score follows the weight
            if nums and (len(nums) >= 2 or compact(cells[0].text) == "总分"):
                return score_value(nums[-1], "总分")
    return None
