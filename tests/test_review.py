"""Reviewer view: shared text found and highlighted both ways, near copies, boilerplate, no false alarms."""
import json

import pytest

from assistant.core.checks import check_report
from assistant.core import check_file
from assistant.core.models import Section
from assistant.core.parse import read_report
from assistant.review import corpus_signals, review, sentence_index
from assistant.review.overlap import highlight, overlap
from assistant.core.scoring import ruleset_for_form

from .conftest import DATA, SEEDS, run_cli

SHARED = "项目建设对照投标合同，已达到原来的建设目标。"


def _review(kb, result):
    return review(result, kb, sentence_index(kb.report_texts()))


@pytest.mark.parametrize("seed,other", [("002", "003"), ("003", "002")])
def test_shared_sentence_found_and_highlighted_both_ways(seeds_kb, seed, other):
    rv = _review(seeds_kb, check_file(SEEDS[seed]))
    conclusion = next(s for s in rv.sections if s.section == "conclusion")
    top = conclusion.passages[0]
    assert top["source"] == SEEDS[other].name and top["overlap"] == 1.0
    start, end = top["shared"][0]
    assert SHARED in conclusion.text[start:end]
    ps, pe = top["shared_in_passage"][0]
    assert SHARED in top["text"][ps:pe]
    assert f"【{SHARED}" in highlight(conclusion.text, [tuple(x) for x in top["shared"]])
    boiler = [f for f in rv.findings if f.code == "precedent.boilerplate"]
    assert any(f.evidence["sentence"] == SHARED for f in boiler)
    # same unit (岳阳市政务服务中心) reusing its own sentence is boilerplate, not a near copy
    assert not [f for f in rv.findings if f.code == "precedent.near_copy"]


def test_section_copied_from_another_units_report_is_a_near_copy(seeds_kb):
    result = check_file(DATA / "label_values.txt")  # 某县卫生健康局
    copied = read_report(SEEDS["001"]).section("experience").text
    result.report.sections = [Section(kind="experience", heading="（六）主要经验及做法", text=copied, line=30)]
    rv = _review(seeds_kb, check_report(result.report, ruleset_for_form("yueyang")))
    near = [f for f in rv.findings if f.code == "precedent.near_copy"]
    assert len(near) == 1
    assert near[0].evidence["source"] == SEEDS["001"].name and near[0].evidence["overlap"] >= 0.9
    assert "电子政务外网平台建设二期" in near[0].message


def test_no_precedent_means_no_precedent_findings(seeds_kb):
    rv = _review(seeds_kb, check_file(DATA / "review_no_precedent.txt"))
    assert [f for f in rv.findings if f.code.startswith("precedent.")] == []
    # it cites the same 文号 as seeds 000 and 001, which are not text in common
    assert all(p["overlap"] < 0.2 for s in rv.sections for p in s.passages)


def test_citations_are_not_shared_text():
    a = "根据《国务院办公厅关于印发政府网站发展指引的通知》（国办发〔2017〕47号），我县整合了网站。"
    b = "为落实《国务院办公厅关于印发政府网站发展指引的通知》（国办发〔2017〕47号），市里建设了平台。"
    assert overlap(a, b).ratio == 0.0


def test_corpus_signals_show_98_everywhere(seeds_kb):
    signals = corpus_signals(seeds_kb.report_figures(), sentence_index(seeds_kb.report_texts()))
    assert signals["claimed_totals"] == {"98": 4} and signals["grades"] == {"优": 5}
    assert any(r["sentence"] == SHARED and len(r["reports"]) == 2 for r in signals["recurring_sentences"])


def test_check_json_adds_precedents_when_a_knowledge_base_exists(seeds_kb, tmp_path):
    data = seeds_kb.store.data_dir
    proc = run_cli("check", SEEDS["003"], "--json", "--data", data)
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    conclusion = next(p for p in out["precedents"] if p["section"] == "conclusion")
    assert conclusion["passages"][0]["source"] == SEEDS["002"].name
    assert {"source", "similarity", "overlap"} <= set(conclusion["passages"][0])
    assert "precedent.boilerplate" in {f["code"] for f in out["findings"]}
    plain = json.loads(run_cli("check", SEEDS["003"], "--json", "--data", tmp_path / "none").stdout)
    assert "precedents" not in plain


def test_review_cli_writes_markdown_and_docx(seeds_kb, tmp_path):
    for suffix in ("md", "docx"):
        out = tmp_path / f"review.{suffix}"
        proc = run_cli("review", SEEDS["002"], "--data", seeds_kb.store.data_dir, "--embedder", "fake", "-o", out)
        assert proc.returncode == 0, proc.stderr
        assert out.exists() and out.stat().st_size > 1000
    text = (tmp_path / "review.md").read_text(encoding="utf-8")
    assert "相同文字 100%" in text and f"**{SHARED}" in text and "98 分 4 份" in text


def test_a_report_of_a_kind_the_corpus_lacks_has_no_comparable_precedent(seeds_kb):
    # a road maintenance report against the five e-government seeds: nothing of its kind to compare with
    road = check_report(read_report(DATA / "precedents" / "road_maintenance_report.txt"), ruleset_for_form("yueyang"))
    rv = review(road, seeds_kb, sentence_index(seeds_kb.report_texts()))
    assert rv.sections and all(s.passages == [] for s in rv.sections), [(s.section, s.passages[:1]) for s in rv.sections]
    assert not [f for f in rv.findings if f.code == "precedent.near_copy"]


def test_similarity_reads_as_a_percentage_near_0_for_unrelated_work_and_near_1_for_a_copy():
    from assistant.review import readable_similarity

    road = "县交通运输局成立农村公路养护工作领导小组，实行县、乡、村三级养护责任制，路面病害修补通过公开招标确定施工单位。"
    egov = "电子政务外网平台建设二期完成核心交换机、汇聚层设备采购安装，实现县乡两级全覆盖，网络安全等级保护测评通过。"
    assert readable_similarity(road, egov) < 0.05
    copy = road.replace("县交通运输局", "市交通运输局")
    assert readable_similarity(road, copy) > 0.85
