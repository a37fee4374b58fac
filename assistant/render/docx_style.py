"""公文 layout helpers for python-docx: A4, GB/T 9704 margins, Chinese fonts and sizes, marked spans.

GB/T 9704: A4, top 37 mm, bottom 35 mm, left 28 mm, right 26 mm; title 方正小标宋简体 二号 (22 pt);
body 仿宋_GB2312 三号 (16 pt); level-1 headings 黑体, level-2 楷体_GB2312. Tables use 四号/小四.
"""
from __future__ import annotations

import re

from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_COLOR_INDEX
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

TITLE_FONT, BODY_FONT, H1_FONT, H2_FONT = "方正小标宋简体", "仿宋_GB2312", "黑体", "楷体_GB2312"
SIZE = {"二号": 22, "三号": 16, "四号": 14, "小四": 12, "五号": 10.5}
_MARK = re.compile(r"(【待(?:核实|补充)：[^】]*】)")


def page_setup(document) -> None:
    for section in document.sections:
        section.page_width, section.page_height = Mm(210), Mm(297)
        section.top_margin, section.bottom_margin = Mm(37), Mm(35)
        section.left_margin, section.right_margin = Mm(28), Mm(26)
    normal = document.styles["Normal"]
    normal.font.name = BODY_FONT
    normal.font.size = Pt(SIZE["三号"])
    normal.element.rPr.rFonts.set(qn("w:eastAsia"), BODY_FONT)


def font(run, name: str = BODY_FONT, size: str = "三号", bold: bool = False):
    run.font.name = name
    run.font.size = Pt(SIZE[size])
    run.font.bold = bold
    rpr = run._element.get_or_add_rPr()
    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.append(rfonts)
    rfonts.set(qn("w:eastAsia"), name)
    return run


def add_marked_text(paragraph, text: str, name: str = BODY_FONT, size: str = "三号", bold: bool = False) -> None:
    """Text with 【待核实】/【待补充】 spans highlighted, so nobody submits them unread."""
    for part in _MARK.split(text):
        if not part:
            continue
        run = font(paragraph.add_run(part), name, size, bold)
        if part.startswith("【待核实"):
            run.font.highlight_color = WD_COLOR_INDEX.YELLOW
        elif part.startswith("【待补充"):
            run.font.highlight_color = WD_COLOR_INDEX.TURQUOISE


def title(document, text: str) -> None:
    p = document.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    font(p.add_run(text), TITLE_FONT, "二号")


def heading(document, text: str, level: int = 1) -> None:
    p = document.add_paragraph()
    font(p.add_run(text), H1_FONT if level == 1 else H2_FONT, "三号", bold=level == 1)


def body(document, text: str, indent: bool = True) -> None:
    """Paragraphs of body text, first-line indent of two characters as 公文 requires."""
    for line in text.split("\n"):
        if not line.strip():
            continue
        p = document.add_paragraph()
        if indent:
            p.paragraph_format.first_line_indent = Pt(SIZE["三号"] * 2)
        p.paragraph_format.line_spacing = Pt(28)
        add_marked_text(p, line.strip())


def cell_text(cell, text: str, size: str = "小四", bold: bool = False, center: bool = False) -> None:
    cell.text = ""
    p = cell.paragraphs[0]
    if center:
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    add_marked_text(p, text, BODY_FONT, size, bold)


def table(document, rows: int, cols: int):
    t = document.add_table(rows=rows, cols=cols)
    t.style = "Table Grid"
    return t


def cell(table, row: int, col: int):
    """`table.cell(row, col)` without its cost: python-docx lays out every cell of the table on each call
    (0.9 s of a 1 s export on a 22-row score table); this walks one row. Same answer, merges included."""
    from docx.oxml.simpletypes import ST_Merge
    from docx.table import _Cell

    grid = 0
    for tc in table._tbl.tr_lst[row].tc_lst:
        if grid <= col < grid + tc.grid_span:
            if tc.vMerge == ST_Merge.CONTINUE:
                return cell(table, row - 1, col)
            return _Cell(tc, table)
        grid += tc.grid_span
    raise IndexError(f"no cell at row {row}, column {col}")


def set_widths(table, widths_mm: list[float]) -> None:
    """Column widths (Word reads the cell widths, LibreOffice the grid): set both."""
    table.autofit = False
    for k, col in enumerate(table.columns):
        if k < len(widths_mm):
            col.width = Mm(widths_mm[k])
    for row in table.rows:
        for k, cell in enumerate(row.cells):
            if k < len(widths_mm):
                cell.width = Mm(widths_mm[k])


# how wide one character prints, in mm, at the sizes the tables use (a CJK character is about its point size;
# Latin digits about half)
_CHAR_MM = {"小四": 4.3, "五号": 3.8}
# what must not break across lines: a voucher ('2023年12月18#'), a figure with its unit ('≥10800人', '≥1200公里')
_UNBREAKABLE = re.compile(r"(?:19|20)\d{2}年\d{1,2}月(?:\d{1,2}[日号]?)?#?|"
                          r"[0-9A-Za-z.,%#≥≤<>＜＞=+\-/:：()（）]+(?:万人次|万元|万人|万亩|万吨|公里|人次|平方米|立方米|"
                          r"[人户个次家座所名亩吨场份元%])?")


def _print_mm(text: str, size: str) -> float:
    cjk = _CHAR_MM.get(size, 4.3)
    return sum(cjk if ord(ch) > 0x2E80 else cjk * 0.72 for ch in text)


TEXT_WIDTH_MM = 156.0  # A4 less the 公文 margins (28 + 26 mm)


def fitted_widths(columns: list[list[str]], total_mm: float = TEXT_WIDTH_MM, size: str = "小四",
                  wide: tuple[int, ...] = ()) -> list[float]:
    """Column widths from what the columns hold: no number, rate or voucher number is ever broken across lines
    (each column is at least as wide as its longest unbroken run of digits, plus padding), and the width left
    goes to the columns with the most text — `wide` ones (reasons, 评价标准) first."""
    pad = 4.5  # the cell's own margins, both sides, and a little air
    floor = [max([_print_mm(m.group(0), size) for t in col for m in _UNBREAKABLE.finditer(t or "")] +
                 [_print_mm("二字", size)]) + pad for col in columns]
    want = [max([_print_mm(t or "", size) for t in col] + [0.0]) + pad for col in columns]
    if sum(floor) >= total_mm:
        return [round(f, 1) for f in floor]
    spare = total_mm - sum(floor)
    extra = [max(w - f, 0.0) * (3 if k in wide else 1) for k, (w, f) in enumerate(zip(want, floor))]
    if sum(extra) == 0:
        return [round(f + spare / len(floor), 1) for f in floor]
    widths = [f + spare * e / sum(extra) for f, e in zip(floor, extra)]
    # a column never wider than it needs while another could use the room
    for _ in range(3):
        over = [(k, w - want[k]) for k, w in enumerate(widths) if w > want[k] and k not in wide]
        room = sum(x for _, x in over)
        takers = [k for k, w in enumerate(widths) if w < want[k] or k in wide]
        if not over or not takers:
            break
        for k, x in over:
            widths[k] -= x
        for k in takers:
            widths[k] += room / len(takers)
    return [round(w, 1) for w in widths]


def fit_columns(table, size: str = "小四", total_mm: float = TEXT_WIDTH_MM, wide: tuple[int, ...] = (),
                also: tuple = ()) -> list[float]:
    """Set a table's column widths from its own cells (see fitted_widths); `also`: tables printed as one with it
    (a header table above a grid) get the same widths, so their columns line up."""
    n = len(table.columns)
    columns: list[list[str]] = [[] for _ in range(n)]
    for tr in [tr for t in (table, *also) for tr in t._tbl.tr_lst]:
        grid = 0
        for tc in tr.tc_lst:
            if tc.grid_span == 1 and grid < n:  # a merged cell says nothing about one column's width
                columns[grid].append("".join(t.text or "" for t in tc.iter() if t.tag.endswith("}t")))
            grid += tc.grid_span
    widths = fitted_widths(columns, total_mm, size, wide)
    for t in (table, *also):
        set_widths(t, widths)
    return widths
