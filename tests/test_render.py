"""Drafts on paper: .docx pages rendered by LibreOffice, Markdown/HTML, and the `draft` command."""
import shutil
import subprocess

import pytest

from assistant.compose import compose_draft
from assistant.core import check_file
from assistant.render.docx_report import write_docx
from assistant.render.text_report import render_text

from .conftest import DATA, SEEDS, run_cli

OFFICE = shutil.which("soffice") or shutil.which("libreoffice")
PDFTOPPM = shutil.which("pdftoppm")


@pytest.mark.skipif(not (OFFICE and PDFTOPPM), reason="LibreOffice or pdftoppm is not installed on this machine")
def test_docx_renders_to_pages(tmp_path):
    docx_path = write_docx(compose_draft(check_file(SEEDS["000"])), tmp_path / "draft.docx")
    # a profile of its own: a LibreOffice already open on this machine holds the default one's lock
    profile = f"-env:UserInstallation={(tmp_path / 'lo-profile').as_uri()}"
    subprocess.run([OFFICE, profile, "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(docx_path)],
                   check=True, capture_output=True, timeout=240)
    pdf = tmp_path / "draft.pdf"
    assert pdf.exists() and pdf.stat().st_size > 10_000
    subprocess.run([PDFTOPPM, "-r", "40", "-png", str(pdf), str(tmp_path / "page")], check=True, timeout=120)
    pages = sorted(tmp_path.glob("page-*.png"))
    assert 6 <= len(pages) <= 20  # cover, tables, narrative, score table: a real report's length
    assert all(p.stat().st_size > 2_000 for p in pages)


def test_markdown_has_tables_sections_citations_and_gaps():
    text = render_text(compose_draft(check_file(SEEDS["000"])), "md")
    assert "| 合计 | 320 | 289.8 | 144.9 | 144.9 |" in text
    assert "| 到位率 | 3 | 3 | 2.72 |" in text
    assert "### （二）项目资金使用及管理情况" in text and "## 待补充" in text


def test_html_escapes_pasted_markup(tmp_path):
    result = check_file(DATA / "label_values.txt")
    result.report.project.name = "<script>alert(1)</script><img src=x onerror=alert(2)>"
    html = render_text(compose_draft(result), "html")
    assert "<script>alert(1)</script>" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert '<mark class="gap">' in html


def test_draft_cli_writes_each_format(tmp_path):
    for suffix in ("docx", "md", "html"):
        out = tmp_path / f"draft.{suffix}"
        proc = run_cli("draft", DATA / "paste_tsv.txt", "-o", out, "--data", tmp_path / "data", "--embedder", "none")
        assert proc.returncode == 0, proc.stderr
        assert out.exists() and out.stat().st_size > 1000
        assert "已生成草稿" in proc.stdout and "还需提供" in proc.stdout


def test_draft_cli_bad_input_writes_nothing(tmp_path):
    out = tmp_path / "x.docx"
    bad = tmp_path / "bad.docx"
    bad.write_text("not a zip", encoding="utf-8")
    proc = run_cli("draft", bad, "-o", out, "--no-precedent")
    assert proc.returncode == 2 and "不是有效的 .docx" in proc.stderr and not out.exists()
    proc = run_cli("draft", DATA / "label_values.txt", "-o", tmp_path / "x.pdf", "--no-precedent")
    assert proc.returncode == 2 and ".docx、.md 或 .html" in proc.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.docx"]


def test_markdown_shows_pasted_markup_as_text(tmp_path):
    from assistant.compose import compose_draft
    from assistant.render.text_report import render_text

    result = check_file(SEEDS["000"])
    result.report.project.name = "<script>alert(1)</script>项目|名称"
    md = render_text(compose_draft(result), "md")
    assert "<script>" not in md and "&lt;script&gt;alert(1)&lt;/script&gt;项目\\|名称" in md


def test_formula_cells_without_a_saved_result_are_a_finding(tmp_path):
    import openpyxl

    from assistant.core import check_file as check

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["资金来源", "计划安排资金（万元）", "实际到位资金（万元）", "实际支出（万元）"])
    ws.append(["合计", "=B3", 90, 80])
    ws.append(["市财政", 100, 90, 80])
    path = tmp_path / "formulas.xlsx"
    wb.save(path)  # openpyxl writes the formula, never its result
    found = [f for f in check(path).findings if f.code == "xlsx.formula_without_value"]
    assert found and "B2" in found[0].message and "保存后再上传" in found[0].message


def test_the_fast_cell_lookup_answers_as_python_docx_does_across_merges():
    """st.cell walks one row instead of laying out the whole table; every grid position must agree."""
    import docx

    from assistant.render import docx_style as st

    table = st.table(docx.Document(), 6, 5)
    table.cell(0, 0).merge(table.cell(0, 2))  # across
    table.cell(1, 1).merge(table.cell(4, 1))  # down
    table.cell(2, 3).merge(table.cell(3, 4))  # a block
    table.cell(5, 0).merge(table.cell(5, 4))
    for r in range(6):
        for c in range(5):
            assert st.cell(table, r, c)._tc is table.cell(r, c)._tc, (r, c)


_GRID_HEAD = "资金来源\t计划安排资金（万元）\t实际到位资金（万元）\t实际支出（万元）\n"


def _cover_cells(tmp_path, grid: str) -> list[str]:
    """The Yueyang draft of a pasted funding grid, exported: the texts of its tables' cells, row by row."""
    import docx

    source = tmp_path / "grid.txt"
    source.write_text(grid, encoding="utf-8")
    path = write_docx(compose_draft(check_file(source, form="yueyang")), tmp_path / "grid.docx")
    return [c.text for t in docx.Document(str(path)).tables for r in t.rows for c in r.cells]


def test_money_from_a_source_the_form_has_no_row_for_is_printed_in_its_other_row(tmp_path):
    cells = _cover_cells(tmp_path, "项目名称：2024年城区垃圾清运\n" + _GRID_HEAD +
                         "合计\t500\t480\t470\n县财政\t300\t300\t295\n省财政\t120\t120\t118\n乡镇配套\t50\t40\t40\n"
                         "单位自筹\t30\t20\t17\n")
    k = cells.index("其它")  # the form's own last row holds 乡镇配套 and 单位自筹 together: the rows add up to 合计
    assert cells[k + 1] == "80" and cells[k + 3] == "60"


def test_a_source_named_by_its_level_is_printed_in_that_levels_row(tmp_path):
    cells = _cover_cells(tmp_path, "项目名称：2024年河湖长制工作经费\n" + _GRID_HEAD +
                         "合计\t270\t260\t248.2\n县级财政资金\t100\t90\t90\n省级河长制专项\t150\t150\t140.2\n"
                         "乡镇配套\t20\t20\t18\n")
    assert cells[cells.index("省财政") + 1] == "150" and cells[cells.index("其它") + 1] == "20"
