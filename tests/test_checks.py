"""Findings reviewers catch in the seeds (DOMAIN.md §4) and in written fixtures."""
from decimal import Decimal

import pytest

from assistant.core.checks import check_report
from assistant.core import check_file
from assistant.core.models import ExpenseLine, Funding, FundingRow, Report
from assistant.core.scoring import load_ruleset

from .conftest import DATA, SEEDS

D = Decimal


def codes(result):
    return [f.code for f in result.findings]


def finding(result, code):
    return [f for f in result.findings if f.code == code]


def test_000_arrival_rate_scores_272_but_claims_3():
    r = check_file(SEEDS["000"])
    item = next(i for i in r.score.items if i.path[-1] == "到位率")
    assert (item.claimed, item.computed) == (D("3"), D("2.72"))
    assert "90.56%" in item.reason
    f = finding(r, "score.item_above_rule")
    assert [x.evidence["item"] for x in f] == ["到位率"]
    assert f[0].evidence["computed"] == "2.72"


def test_002_low_execution_with_full_marks():
    r = check_file(SEEDS["002"])
    f = finding(r, "score.low_execution_full_marks")
    assert len(f) == 1 and f[0].evidence["execution_rate"] == "27.63%"
    assert "funding.low_execution" in codes(r)


def test_003_empty_families_with_full_marks_and_impossible_date():
    r = check_file(SEEDS["003"])
    empty = {f.evidence["item"] for f in finding(r, "score.empty_family_full_marks")}
    assert {"服务对象满意度", "环境效益"} <= empty
    dates = finding(r, "text.impossible_date")
    assert [f.evidence["date"] for f in dates] == ["2020年9月31日"]
    assert dates[0].severity == "error"


def test_004_same_contract_written_two_ways():
    r = check_file(SEEDS["004"])
    f = finding(r, "text.amount_variant")
    assert len(f) == 1 and set(f[0].evidence["values"]) == {"359.95", "359.5"}


def test_001_regrouped_sums_are_consistent():
    r = check_file(SEEDS["001"])
    bad = [f for f in r.findings if f.code.startswith(("funding.", "expense.")) and f.severity != "info"]
    assert bad == []
    assert "expense.narrative_unmatched" not in codes(r)  # 67.7 = 29.5 + 20.24 + 17.96, 189.5 = 80 + 70 + 39.5


def test_000_contract_split_in_narrative_is_consistent():
    # 130.41 + 14.49 = the 144.9 balance: parts of a table figure, both stated
    assert "expense.narrative_unmatched" not in codes(check_file(SEEDS["000"]))


def test_computed_totals_and_grades():
    assert check_file(SEEDS["000"]).score.computed_total == D("98.72")
    for seed in ("001", "002", "003"):
        s = check_file(SEEDS[seed]).score
        assert (s.claimed_total, s.computed_total, s.computed_grade) == (D(98), D(98), "优")


def test_no_false_alarms_on_consistent_seeds():
    for seed in ("000", "001", "002", "003"):
        r = check_file(SEEDS[seed])
        assert not {"funding.balance_mismatch", "funding.sources_mismatch", "expense.total_mismatch",
                    "expense.spent_mismatch", "score.total_mismatch", "score.grade_mismatch"} & set(codes(r)), seed


def _report(**kw):
    return Report(**kw)


def test_funding_arithmetic_findings():
    f = Funding(total=FundingRow(source="合计", planned=D(100), arrived=D(90), spent=D(95), balance=D(10)),
                sources=[FundingRow(source="市财政", planned=D(60), arrived=D(90), spent=D(95), balance=D(-5))],
                origin="table")
    r = check_report(_report(funding=f), None)
    c = codes(r)
    assert "funding.balance_mismatch" in c  # 10 ≠ 90 − 95
    assert "funding.overspent" in c
    assert any(x.evidence.get("column") == "planned" for x in finding(r, "funding.sources_mismatch"))


def test_detail_rows_must_add_up():
    f = Funding(total=FundingRow(source="合计", arrived=D(100), spent=D(80)), origin="table")
    rep = _report(funding=f, expenses=[ExpenseLine(content="a", amount=D("50")), ExpenseLine(content="b", amount=D("25"))],
                  expense_total=D("80"))
    c = codes(check_report(rep, None))
    assert "expense.total_mismatch" in c and "expense.spent_mismatch" not in c


def test_overspending_deducts_from_fund_use_by_rule():
    rules = load_ruleset("yueyang_3_2")
    rep = check_file(SEEDS["001"]).report
    rep.funding.total.spent = D("450")
    rep.funding.total.balance = D("-12.3")
    r = check_report(rep, rules)
    item = next(i for i in r.score.items if i.path[-1] == "资金使用")
    assert item.computed == D(5) and "超预算" in item.reason


def test_prose_fixture_balance_and_date():
    r = check_file(DATA / "prose_yuan.txt")
    assert finding(r, "funding.balance_mismatch")[0].evidence["expected"] == "22"
    assert [f.evidence["date"] for f in finding(r, "text.impossible_date")] == ["2022年2月30日"]


def test_stated_rate_checked_against_computed():
    r = check_file(DATA / "prose_wanyuan.txt")
    assert "funding.rate_mismatch" not in codes(r)  # 782.5/850 = 92.06% as written
    rep = r.report
    rep.funding.stated_execution_rate = D("0.95")
    assert "funding.rate_mismatch" in codes(check_report(rep, None))


def test_national_fixture_scores_and_findings():
    r = check_file(DATA / "national_space_yuan.txt")
    assert r.score.computed_total == D("95.32")
    items = {i.path[-1]: i for i in r.score.items}
    assert items["预算执行率"].computed == D("8.24")
    assert items["服务老人人数"].computed == D("22.08")
    assert items["居家养老服务覆盖面"].computed == D(30)  # 定性, claimed inside the 100–80% band
    assert "score.total_mismatch" in codes(r)  # items add to 99, 总分 says 98
    assert {f.evidence["item"] for f in finding(r, "score.item_above_rule")} == {"预算执行率", "服务老人人数"}


def test_grade_must_match_band():
    rep = check_file(SEEDS["002"]).report
    rep.claimed_grade = "良好"
    r = check_report(rep, load_ruleset("yueyang_3_2"))
    assert "score.grade_mismatch" in codes(r)


@pytest.mark.parametrize("code", ["funding.", "expense.", "indicator.", "score.", "text."])
def test_codes_are_dotted_families(code):
    all_codes = {f.code for s in SEEDS.values() for f in check_file(s).findings}
    assert all(c.count(".") == 1 for c in all_codes)
    assert any(c.startswith(code) for c in all_codes) or code == "expense."


def test_an_expense_row_written_in_yuan_in_a_wan_table_is_flagged():
    from assistant.core.checks import check_report
    from assistant.core.models import ExpenseLine, Funding, FundingRow, Report

    report = Report(funding=Funding(total=FundingRow(source="合计", planned=Decimal(300), arrived=Decimal(300),
                                                     spent=Decimal("288.2")), origin="table"),
                    expenses=[ExpenseLine(content="设备购置", amount=Decimal(1862000)),
                              ExpenseLine(content="劳务费", amount=Decimal("102"))])
    found = [f for f in check_report(report, None).findings if f.code == "expense.unit_suspect"]
    assert len(found) == 1 and "设备购置" in found[0].message and found[0].evidence["as_wan"] == "186.2"
