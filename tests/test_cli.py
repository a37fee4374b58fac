"""The CLI as users and other tools see it: the JSON contract, exit codes, one-line errors."""
import json
import os

import pytest

from .conftest import DATA, SEEDS, check_json, run_cli


def test_check_json_contract_shape():
    j = check_json(SEEDS["000"])
    assert {"project", "funding", "score", "findings"} <= set(j)
    assert {"name", "unit", "form"} <= set(j["project"])
    f = j["funding"]
    assert {k: f[k] for k in ("planned", "arrived", "spent", "balance", "arrival_rate", "execution_rate")} == {
        "planned": "320", "arrived": "289.8", "spent": "144.9", "balance": "144.9",
        "arrival_rate": "0.9056", "execution_rate": "0.5000"}
    s = j["score"]
    assert (s["claimed_total"], s["computed_total"], s["claimed_grade"], s["computed_grade"]) == ("98", "98.72", "优秀", "优")
    assert len(s["items"]) == 22
    assert s["items"][5] == {"path": ["项目管理", "资金到位", "到位率"], "weight": "3", "claimed": "3",
                             "computed": "2.72", "basis": "rule",
                             "reason": "到位率 289.8/320 = 90.56%，3 × 90.56% = 2.72"}
    for fd in j["findings"]:
        assert set(fd) == {"code", "severity", "message", "evidence"}
        assert fd["severity"] in ("info", "warning", "error")
    assert "precedents" not in j  # only when a knowledge base exists


def test_absent_values_are_null():
    j = check_json(SEEDS["004"])
    assert j["funding"]["spent"] is None and j["funding"]["execution_rate"] is None
    assert j["funding"]["arrival_rate"] == "0.9999"
    assert j["score"]["claimed_grade"] == "优" and j["score"]["claimed_total"] is None


def test_human_summary_is_chinese():
    proc = run_cli("check", SEEDS["003"])
    assert proc.returncode == 0
    assert "预算执行率 20%" in proc.stdout and "不存在的日期：2020年9月31日" in proc.stdout


def test_form_override_flag():
    j = check_json(DATA / "label_values.txt", "--form", "yueyang")
    assert j["project"]["form"] == "yueyang"


def _assert_one_line_error(proc, *words):
    assert proc.returncode == 2, proc
    assert proc.stdout == ""
    err = proc.stderr.strip()
    assert "\n" not in err and "Traceback" not in err
    assert err.startswith("错误：")
    for w in words:
        assert w in err, err


def _snapshot(folder):
    return sorted(os.listdir(folder))


@pytest.fixture
def workdir(tmp_path):
    return tmp_path


def test_empty_file(workdir):
    p = workdir / "empty.txt"
    p.write_bytes(b"")
    before = _snapshot(workdir)
    _assert_one_line_error(run_cli("check", p, cwd=workdir), "empty.txt", "空文件")
    assert _snapshot(workdir) == before


def test_blank_text_file(workdir):
    p = workdir / "blank.txt"
    p.write_text("   \n\n", encoding="utf-8")
    _assert_one_line_error(run_cli("check", p, cwd=workdir), "没有任何文字")


def test_binary_file(workdir):
    p = workdir / "image.txt"
    p.write_bytes(bytes(range(256)) * 4)
    _assert_one_line_error(run_cli("check", p, cwd=workdir), "二进制")


def test_docx_that_is_not_a_zip(workdir):
    p = workdir / "fake.docx"
    p.write_text("这不是一个 Word 文件", encoding="utf-8")
    before = _snapshot(workdir)
    _assert_one_line_error(run_cli("check", p, cwd=workdir), "fake.docx", "不是有效的 .docx")
    assert _snapshot(workdir) == before


def test_zip_bomb_docx_refused(workdir):
    import zipfile

    p = workdir / "bomb.docx"
    with zipfile.ZipFile(p, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("word/document.xml", b"\0" * (17 * 1024 * 1024))
    _assert_one_line_error(run_cli("check", p, cwd=workdir), "解压后超过 16 MB")


def test_file_over_20_mb(workdir):
    p = workdir / "huge.txt"
    with open(p, "wb") as fh:
        fh.truncate(21 * 1024 * 1024)
    _assert_one_line_error(run_cli("check", p, cwd=workdir), "过大", "20 MB")


def test_letters_in_a_number_cell_are_a_finding_naming_line_and_cell(workdir):
    # a reviewer cannot fix the officer's file: one OCR-garbled cell must not hide every other finding
    p = workdir / "paste.txt"
    text = (DATA / "paste_tsv.txt").read_text(encoding="utf-8").replace("1,150.00", "1,15O.00")
    p.write_text(text, encoding="utf-8")
    before = _snapshot(workdir)
    proc = run_cli("check", p, "--json", cwd=workdir)
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    bad = [f for f in data["findings"] if f["code"] == "funding.unreadable_amount"]
    assert len(bad) == 1 and bad[0]["severity"] == "error"
    assert all(w in bad[0]["message"] for w in ("第4行", "实际到位资金", "1,15O.00"))
    assert data["funding"]["arrived"] is None and data["funding"]["spent"] is not None
    human = run_cli("check", p, cwd=workdir)
    assert human.returncode == 0 and human.stdout.count("1,15O.00") == 1
    assert _snapshot(workdir) == before


def test_missing_file(workdir):
    _assert_one_line_error(run_cli("check", workdir / "nope.txt", cwd=workdir), "找不到文件")


def test_bad_rules_file(workdir):
    p = workdir / "rules.yaml"
    p.write_text("id: x\ntitle: y\ngrades: []\nitems:\n  - path: [a]\n    weight: 50\n    rule: {kind: judgement}\n",
                 encoding="utf-8")
    _assert_one_line_error(run_cli("check", SEEDS["000"], "--rules", p, cwd=workdir), "分值合计 50", "总分 100")


def test_bench_core_prints_figures():
    proc = run_cli("bench", "core", "--repeat", "2", "--embedder", "fake", "--json")
    assert proc.returncode == 0, proc.stderr
    record = json.loads(proc.stdout)
    assert record["bench"] == "core" and record["machine"]["cpus"] >= 1
    assert [r["file"] for r in record["results"]] == sorted(p.name for p in SEEDS.values())
    assert all(r["check_p50_ms"] > 0 and r["draft_cold_ms"] > 0 for r in record["results"])
    goals = {r["figure"]: r for r in record["summary"] if r["kind"] == "goal"}
    assert len(goals) == 3 and all(r["bound"] in (100.0, 1000.0) and r["ok"] is not None for r in goals.values())
    table = run_cli("bench", "core", "--repeat", "1", "--embedder", "fake")
    assert table.returncode == 0 and "界限" in table.stdout and "≤ 100.0" in table.stdout


def test_human_summary_uses_the_national_forms_words():
    proc = run_cli("check", DATA / "national_pdf_lines.txt")
    assert proc.returncode == 0, proc.stderr
    assert "年初预算数 —  全年预算数 240  全年执行数 216" in proc.stdout and "资金到位率" not in proc.stdout


def test_ingest_skips_json_with_its_reason_and_fails_when_nothing_was_ingested(tmp_path):
    (tmp_path / "data.json").write_text('{"project": {"name": "x"}}', encoding="utf-8")
    proc = run_cli("ingest", tmp_path / "data.json", "--data", tmp_path / "kb", "--embedder", "none")
    assert proc.returncode == 2 and "JSON 数据，不是可检索的文档" in proc.stdout and "Traceback" not in proc.stderr
    (tmp_path / "ok.txt").write_text("某市项目支出预算执行管理办法\n第一条 为加强预算执行管理，制定本办法。\n", encoding="utf-8")
    proc = run_cli("ingest", tmp_path / "data.json", tmp_path / "ok.txt", "--data", tmp_path / "kb", "--embedder", "none")
    assert proc.returncode == 0 and "跳过 data.json" in proc.stdout  # one file unreadable, the others go in
    proc = run_cli("ingest", tmp_path / "empty_dir_does_not_exist", "--data", tmp_path / "kb", "--embedder", "none")
    assert proc.returncode == 2


def test_check_names_a_json_field_in_chinese_and_exits_2(tmp_path):
    path = tmp_path / "nested.json"
    path.write_text('{"a": {"b": [1, {"c": 2}]}}', encoding="utf-8")
    proc = run_cli("check", path)
    assert proc.returncode == 2 and "JSON 字段 a：不是报告的字段" in proc.stderr


def test_utf16_without_a_byte_order_mark_is_text(tmp_path):
    text = "项目名称：测试项目\n计划安排资金：100万元\n实际到位资金：90万元\n实际支出：80万元\n"
    for enc in ("utf-16-le", "utf-16-be"):
        path = tmp_path / f"{enc}.txt"
        path.write_bytes(text.encode(enc))
        data = check_json(path)
        assert data["project"]["name"] == "测试项目" and data["funding"]["spent"] == "80", enc
