"""Texts of one enormous line (no sentence ends, a run of digits or numerals) are read in linear time
and still give the same answers: the paths that were quadratic, each with what it must still find."""
from decimal import Decimal

from assistant.compose.facts import Facts, admit_text
from assistant.compose.numberlock import lock_numbers
from assistant.core import check_report, rules_for
from assistant.core.parse import parse_text
from assistant.core.parse.statements import prose_funding, readings
from assistant.core.parse.document import from_text
from assistant.interview.paste import looks_like_paste


def test_amounts_in_a_sentence_that_never_ends_keep_their_own_keywords():
    filler = "，群众满意度较高" * 20000  # 160,000 characters, commas only
    lines = from_text("项目名称：乡村道路\n本年度项目预算850万元，其中中央财政600万元、县级配套250万元" + filler
                      + "，已拨付720万元" + filler, "x").lines
    amounts = readings(lines)
    assert [(a.column, a.value) for a in amounts if a.column in ("planned", "spent")][:2] == [
        ("planned", Decimal(850)), ("spent", Decimal(720))]
    funding, _ = prose_funding(lines)
    assert funding.total.planned == 850 and funding.total.spent == 720
    assert {s.source: s.planned for s in funding.sources} == {"中央财政": 600, "县市区财政": 250}


def test_one_mistyped_amount_among_thousands_is_still_found_and_the_list_is_bounded():
    text = "项目名称：测试\n" + "，".join(["支出100万元"] * 30000) + "\n预算3456.7万元，实际支出3465.7万元"
    report = parse_text(text)
    variants = [f for f in check_report(report, rules_for(report)).findings if f.code == "text.amount_variant"]
    assert [f.evidence["values"] for f in variants] == [["3456.7", "3465.7"]]
    many = parse_text("项目名称：测试\n" + "，".join(f"支出{1000 + 7 * k}.5万元" for k in range(30000)))
    variants = [f for f in check_report(many, rules_for(many)).findings if f.code == "text.amount_variant"]
    assert 0 < len(variants) <= 20  # a list of numbers, not a report with a typo: bounded


def test_digits_and_numerals_without_end_are_no_money_and_no_fact():
    digits = "1234567890" * 20000
    assert not looks_like_paste(digits)
    facts = Facts()
    admit_text(facts, "一" * 100000 + "万元，完成120人次，" + "2" * 50000)
    assert facts.knows(Decimal(120), "other")
    locked = lock_numbers("共" + "三" * 50000 + "个月完成，涉及45人", facts)
    assert "【待核实：45人】" in locked.text


def test_a_label_line_with_a_long_run_of_blanks_is_still_a_label():
    text = "计划安排资金：" + " " * 100000 + "500万元\n实际支出：450万元"
    report = parse_text(text)
    assert report.funding.total.planned == 500 and report.funding.total.spent == 450
