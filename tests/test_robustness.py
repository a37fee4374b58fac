"""Messy input never crashes the core: it reads, or it says why in one line."""
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assistant.core.checks import check_report
from assistant.core import check_file
from assistant.core.parse import ParseError, parse_document, parse_text
from assistant.core.parse.document import from_text
from assistant.core.scoring import load_ruleset

from .conftest import SEEDS, SHARED

SEED_LINES = SEEDS["000"].read_text(encoding="utf-8").split("\n")
RULES = load_ruleset("yueyang_3_2")


def _check_text(text):
    try:
        report = parse_text(text)
    except ParseError as exc:
        assert "\n" not in str(exc)
        return None
    return check_report(report, RULES)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(alphabet=st.sampled_from(list("\t\n 0123456789.,%万元亿年月日合计结余到位支出率|：:（）项目一二三")),
               max_size=400))
def test_arbitrary_text_reads_or_fails_cleanly(text):
    _check_text(text)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.integers(min_value=0, max_value=len(SEED_LINES) - 1), max_size=60, unique=True))
def test_seed_with_lines_missing_reads_or_fails_cleanly(dropped):
    drop = set(dropped)
    _check_text("\n".join(line for k, line in enumerate(SEED_LINES) if k not in drop))


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(min_value=0, max_value=len(SEED_LINES) - 1), st.sampled_from(["\t", "", "\t\t", "|"]))
def test_seed_with_shifted_cells_reads_or_fails_cleanly(k, prefix):
    lines = list(SEED_LINES)
    lines[k] = prefix + lines[k].lstrip("\t")
    _check_text("\n".join(lines))


POLICY = sorted((SHARED / "corpus" / "policy").glob("*.txt")) if (SHARED / "corpus" / "policy").is_dir() else []


@pytest.mark.skipif(not POLICY, reason="../shared/corpus/policy is absent (only the steering checkout has it)")
def test_policy_texts_are_read_without_error():
    for path in POLICY:
        result = check_file(path)
        assert result.report.project.form in ("yueyang", "huainan", "national", "generic")


FLAT_TOKENS = ["年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分", "年度资金总额", "其中：当年财政拨款",
               "上年结转资金", "一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "产出指标", "数量指标",
               "效益指标", "成本指标", "指标", "经济效益", "计划安排资金", "（万元）", "实际到位资金", "市财政",
               "支出内容", "实际支出数", "支出合计", "一级", "三级", "自评", "总分", "绩效自评综合得分", "评价等次", "优秀",
               "10", "100", "98", "45个", "75.1%", "2,l60,000.00", "—", "", "2022年12月底前", "已完成", "改造小区数量"]


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(FLAT_TOKENS), max_size=120), st.booleans())
def test_flattened_tables_in_any_order_read_or_fail_cleanly(tokens, tabbed):
    # one cell per line, as from a PDF (no tabs) or a Word dump without row breaks (tabs)
    lines = [("\t" if tabbed else "") + t for t in tokens]
    text = "项目支出绩效自评表\n" + "\n".join(lines)
    _check_text(text)
    check_report(parse_document(from_text(text), lenient=True), RULES)  # a reviewer's check never fails
