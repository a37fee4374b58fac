"""A report as two views: narrative lines and table rows of cells.

Every input (text dumps of Word files, pasted TSV, `|` tables, HTML tables, .docx, .xlsx) becomes a
`Document`; the extractors in `tables`, `fields`, `prose` and `sections` read only this.
"""
from __future__ import annotations

import csv
import html
import io
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

from ..models import ParseWarning, Where

_BOOKMARK_RE = re.compile(r"\[bookmark:[^\]]*\]")
_TAG_RE = re.compile(r"</?(?:p|br|span|div|b|i|u|strong|em|font)\b[^>]*>", re.I)
_PAGE_NO_RE = re.compile(r"^\s*(?:[-—–]\s*\d{1,4}\s*[-—–]|第\s*\d{1,4}\s*页(?:\s*[,，/]?\s*共\s*\d{1,4}\s*页)?)\s*$")
_PARA_SPLIT_RE = re.compile(r"</p>\s*|<br\s*/?>", re.I)
# After a blank line, a numbered heading ('二、支出明细') starts the text again, it does not
# continue the last cell; and a number cell is never continued by words, only by a unit note.
_HEADING_START = re.compile(r"^(?:[一二三四五六七八九十]+[、.．]|[（(][一二三四五六七八九十\d]+[)）]|第[一二三四五六七八九十]+[章节部分])")
_NUMBER_CELL = re.compile(r"^[-+]?[\d,，.]+%?$")
_UNIT_NOTE = re.compile(r"^[（(]?(?:万元|元|亿元|%|分)[)）]?$")
_MD_RULE_RE = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$")


def clean_text(text: str) -> str:
    """Remove Word bookmark residue and inline HTML; keep the words."""
    text = _BOOKMARK_RE.sub("", text)
    text = _TAG_RE.sub(" ", text)
    text = html.unescape(text)
    return text.replace("\u3000", " ").replace("\xa0", " ").replace("\u200b", "")


def paragraphs(raw: str) -> list[str]:
    """One cell or line of text → its paragraphs (HTML <p>/<br> split), cleaned."""
    parts = _PARA_SPLIT_RE.split(raw) if "<" in raw else [raw]
    return [t for t in (clean_text(p).strip() for p in parts) if t]


@dataclass
class Cell:
    text: str
    line: int | None = None
    ref: str | None = None

    @property
    def where(self) -> Where:
        return Where(line=self.line, cell=self.ref)


@dataclass
class Row:
    cells: list[Cell]
    line: int | None = None
    table: int = 0

    def texts(self) -> list[str]:
        return [c.text for c in self.cells]

    def nonempty(self) -> list[Cell]:
        return [c for c in self.cells if c.text.strip()]


@dataclass
class Line:
    text: str
    line: int | None = None


@dataclass
class Document:
    source: str = ""
    kind: str = "text"
    lines: list[Line] = field(default_factory=list)  # narrative view, document order
    rows: list[Row] = field(default_factory=list)  # table view, document order
    warnings: list[ParseWarning] = field(default_factory=list)  # what a reader had to leave out

    def full_text(self) -> str:
        return "\n".join(ln.text for ln in self.lines)


# ---------------------------------------------------------------------------------------------
# Plain text


class _HtmlTables(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[str]] = []
        self._row: list[str] | None = None
        self._cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):  # noqa: D401 - HTMLParser hook
        if tag == "tr":
            self._row = []
        elif tag in ("td", "th"):
            self._cell = []
        elif tag == "br" and self._cell is not None:
            self._cell.append("\n")

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._row is not None and self._cell is not None:
            self._row.append("".join(self._cell).strip())
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self.rows.append(self._row)
            self._row = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def _split_spaced(text: str) -> list[str] | None:
    """A flattened table row written with runs of spaces: '年度资金总额  100  120  110'."""
    parts = [p for p in re.split(r"\s{2,}|\t", text.strip()) if p]
    if len(parts) >= 3:
        return parts
    tokens = text.split()
    numeric = sum(1 for t in tokens if re.fullmatch(r"[-+]?[\d,，.]+%?(?:万元|元|分)?|[—-]+", t))
    if len(tokens) >= 3 and numeric >= 2 and len(tokens[0]) <= 30:
        return tokens
    return None


def _pipe_cells(text: str) -> list[str]:
    inner = text.strip()
    if inner.startswith("|"):
        inner = inner[1:]
    if inner.endswith("|"):
        inner = inner[:-1]
    return [c.strip() for c in inner.split("|")]


def from_text(text: str, source: str = "") -> Document:
    """Text dumps of Word files, pasted Excel/WPS TSV, `|` and space-separated tables, HTML tables."""
    doc = Document(source=source, kind="text")
    raw_lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    table_no = 0
    cur_row: Row | None = None
    cur_cell: Cell | None = None
    blank_since_cell = False

    def close_row() -> None:
        nonlocal cur_row, cur_cell
        if cur_row is not None and cur_row.cells:
            doc.rows.append(cur_row)
        cur_row, cur_cell = None, None

    i = 0
    while i < len(raw_lines):
        raw = raw_lines[i]
        n = i + 1
        i += 1
        if _PAGE_NO_RE.match(raw):
            continue  # page footers ('- 11 -') are print residue, not content
        body = clean_text(raw)
        stripped = body.strip()
        if "<table" in body.lower():
            # gather the whole HTML table, which may span lines
            chunk = [raw]
            while "</table>" not in chunk[-1].lower() and i < len(raw_lines):
                chunk.append(raw_lines[i])
                i += 1
            parser = _HtmlTables()
            parser.feed("\n".join(chunk))
            close_row()
            table_no += 1
            for cells in parser.rows:
                row = Row([Cell(clean_text(c).strip(), n) for c in cells], n, table_no)
                doc.rows.append(row)
                doc.lines.extend(Line(c.text, n) for c in row.cells if c.text)
            continue
        inner_tab = "\t" in body.strip("\t ") or (body.startswith("\t") and body.count("\t") > 1
                                                    and body.strip("\t").strip() != "")
        if not inner_tab and raw.count('"') % 2 == 1 and raw.lstrip("\t").startswith('"'):
            # an Excel cell holding line breaks is pasted as "line one\nline two"\t…
            j = i
            joined = raw
            while j < len(raw_lines) and joined.count('"') % 2 == 1 and j - i < 20:
                joined += "\n" + raw_lines[j]
                j += 1
            if joined.count('"') % 2 == 0 and "\t" in joined:
                inner_tab = True
        if body.startswith("\t") and not inner_tab:
            # one cell per line (Word table dumped by a text converter)
            if cur_row is None or blank_since_cell:
                close_row()
                cur_row = Row([], n, table_no)
            cur_cell = Cell(stripped, n)
            cur_row.cells.append(cur_cell)
            blank_since_cell = False
            doc.lines.extend(Line(t, n) for t in paragraphs(raw))
            continue
        if inner_tab:
            # one row per line: Excel/WPS paste or a Word row dumped on one line
            close_row()
            if raw.count('"') % 2 == 1:  # a quoted multi-line cell from Excel
                chunk = [raw]
                while i < len(raw_lines) and "\n".join(chunk).count('"') % 2 == 1:
                    chunk.append(raw_lines[i])
                    i += 1
                cells = next(csv.reader(io.StringIO("\n".join(chunk)), delimiter="\t"))
            else:
                cells = body.split("\t")
            row = Row([Cell(clean_text(c).strip(), n) for c in cells], n, table_no)
            doc.rows.append(row)
            cur_row = None  # already stored; continuation lines below extend its last cell
            cur_cell = row.cells[-1] if row.cells else None
            blank_since_cell = False
            for cell_raw in raw.split("\t"):
                doc.lines.extend(Line(t, n) for t in paragraphs(cell_raw))
            continue
        if not stripped:
            blank_since_cell = cur_cell is not None
            continue
        if cur_cell is not None and (not blank_since_cell or len(stripped) <= 8) \
                and not _MD_RULE_RE.match(stripped) and stripped.count("|") < 2 \
                and not (blank_since_cell and _HEADING_START.match(stripped)) \
                and not (_NUMBER_CELL.match(cur_cell.text) and not _UNIT_NOTE.match(stripped)):
            # continuation of a multi-line cell ('计划安排资金' / '（万元）')
            cur_cell.text = f"{cur_cell.text}\n{stripped}" if cur_cell.text else stripped
            doc.lines.extend(Line(t, n) for t in paragraphs(raw))
            blank_since_cell = False
            continue
        close_row()
        blank_since_cell = False
        if stripped.count("|") >= 2:
            if _MD_RULE_RE.match(stripped):
                continue
            doc.rows.append(Row([Cell(c, n) for c in _pipe_cells(stripped)], n, table_no))
            doc.lines.append(Line(" ".join(_pipe_cells(stripped)), n))
            continue
        spaced = _split_spaced(body)
        if spaced:
            doc.rows.append(Row([Cell(c, n) for c in spaced], n, table_no))
        else:
            table_no += 1
        doc.lines.extend(Line(t, n) for t in paragraphs(raw))
    close_row()
    return doc


# ---------------------------------------------------------------------------------------------
# .docx and .xlsx (python-docx and openpyxl are imported lazily: they are only needed here)


def _docx_cell_text(cell) -> str:
    return clean_text("\n".join(p.text for p in cell.paragraphs)).strip()


def from_docx(path, source: str = "") -> Document:
    """Paragraphs and tables of a .docx in body order; merged cells repeat their text once."""
    import docx  # python-docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    document = docx.Document(str(path))
    doc = Document(source=source, kind="docx")
    para_no = 0
    table_no = 0
    for block in document.element.body.iterchildren():
        tag = block.tag.rsplit("}", 1)[-1]
        if tag == "p":
            para_no += 1
            text = clean_text(Paragraph(block, document).text).strip()
            if text:
                doc.lines.append(Line(text, None))
        elif tag == "tbl":
            table_no += 1
            table = Table(block, document)
            for r_idx, row in enumerate(table.rows, start=1):
                cells: list[Cell] = []
                previous = None
                for cell in row.cells:
                    # python-docx returns a horizontally merged cell once per grid column
                    if previous is not None and cell._tc is previous:
                        continue
                    previous = cell._tc
                    text = _docx_cell_text(cell)
                    cells.append(Cell(text, None, f"表{table_no} 第{r_idx}行第{len(cells) + 1}列"))
                doc.rows.append(Row(cells, None, table_no))
                for c in cells:
                    if c.text:
                        doc.lines.extend(Line(t.strip(), None) for t in c.text.split("\n") if t.strip())
    return doc


XLSX_ROWS, XLSX_COLS = 20000, 100  # a report's sheets are far smaller; a declared A1:XFD1048576 is not read


def _sheet_rows(ws):
    """A sheet's rows of values within XLSX_ROWS × XLSX_COLS. The dimension a file declares is not trusted:
    openpyxl pads every row to it, so two cells at A1 and XFD1048576 would make 17 billion."""
    ws.reset_dimensions()
    return ws.iter_rows(max_row=XLSX_ROWS, max_col=XLSX_COLS, values_only=True)


def from_xlsx(path, source: str = "") -> Document:
    """Every sheet as a table of cell values (not formulas), with A1 references."""
    import openpyxl
    from openpyxl.utils import get_column_letter

    wb = openpyxl.load_workbook(str(path), read_only=True, data_only=True)
    doc = Document(source=source, kind="xlsx")
    unsaved = _formulas_without_values(path)
    unsaved_rows = {(ref.rsplit("!", 1)[0], int(ref.rsplit("!", 1)[1].lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")))
                    for ref in unsaved}
    try:
        for t_idx, ws in enumerate(wb.worksheets, start=1):
            if (ws.max_row or 0) > XLSX_ROWS or (ws.max_column or 0) > XLSX_COLS:
                doc.warnings.append(ParseWarning(
                    message=f"工作表“{ws.title}”超过 {XLSX_ROWS} 行或 {XLSX_COLS} 列，只读取了这个范围内的单元格",
                    code="xlsx.sheet_truncated", severity="warning"))
            for r_idx, values in enumerate(_sheet_rows(ws), start=1):
                if values.count(None) == len(values) and (ws.title, r_idx) not in unsaved_rows:
                    continue
                cells = []
                for c_idx, value in enumerate(values, start=1):
                    text = "" if value is None else _xlsx_text(value)
                    ref = f"{ws.title}!{get_column_letter(c_idx)}{r_idx}"
                    if value is None and ref in unsaved:
                        doc.warnings.append(ParseWarning(
                            message=f"{ref} 是公式，但文件里没有它的计算结果（请在 Excel 或 WPS 中打开、保存后再上传）",
                            where=Where(cell=ref), code="xlsx.formula_without_value", severity="warning"))
                    cells.append(Cell(text, None, ref))
                while cells and not cells[-1].text:
                    cells.pop()
                if cells:
                    doc.rows.append(Row(cells, None, t_idx))
                    doc.lines.append(Line(" ".join(c.text for c in cells if c.text), None))
    finally:
        wb.close()
    return doc


def _formulas_without_values(path) -> set[str]:
    """A1 references of formula cells: files written by programs (not Excel or WPS) carry no cached result,
    and openpyxl reads those cells as empty."""
    import openpyxl
    from openpyxl.utils import get_column_letter

    out: set[str] = set()
    wb = openpyxl.load_workbook(str(path), read_only=True, data_only=False)
    try:
        for ws in wb.worksheets:
            for r_idx, values in enumerate(_sheet_rows(ws), start=1):
                if values.count(None) == len(values):
                    continue
                for c_idx, value in enumerate(values, start=1):
                    if isinstance(value, str) and value.startswith("="):
                        out.add(f"{ws.title}!{get_column_letter(c_idx)}{r_idx}")
    finally:
        wb.close()
    return out


def _xlsx_text(value) -> str:
    from decimal import Decimal

    if isinstance(value, float):
        # Excel stores 144.9 as a binary float; repr gives the shortest exact decimal form
        return format(Decimal(repr(value)).normalize(), "f")
    if hasattr(value, "strftime"):
        return f"{value.year}年{value.month}月{value.day}日"
    return clean_text(str(value)).strip()
