from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from datetime import date

from assistant.core.numbers import (DATE_UNIT, NumberFormatError, calendar_span, cn_numeral, find_money, fmt_decimal,
                               fmt_percent, fmt_rate, parse_money_cell, parse_quantity, qualitative_of)


@pytest.mark.parametrize("text,expected", [
    ("144.9", Decimal("144.9")), ("144.9万元", Decimal("144.9")), ("8680000元", Decimal("868")),
    ("8,680,000元", Decimal("868")), ("1.35亿", Decimal("13500")), ("３２０", Decimal("320")),
    ("１４４．９万元", Decimal("144.9")), ("20.24", Decimal("20.24")), ("0", Decimal("0")),
    (" 42万元 ", Decimal("42")), ("￥1,000元", Decimal("0.1")),
])
def test_money_cells(text, expected):
    assert parse_money_cell(text) == expected


def test_money_cell_in_yuan_column():
    assert parse_money_cell("1,236,000", default_unit="元") == Decimal("123.6")


@pytest.mark.parametrize("blank", ["", "  ", "—", "-", "无", "/"])
def test_blank_money_cells_are_none(blank):
    assert parse_money_cell(blank) is None


@pytest.mark.parametrize("bad", ["32O", "abc", "144.9万元左右", "1.2.3", "十万"])
def test_letters_in_money_cell_raise(bad):
    with pytest.raises(NumberFormatError):
        parse_money_cell(bad)


def test_find_money_in_sentences():
    found = find_money("中标价格为8680000元，一次性投入359.95万元，岳阳政务有80余万人关注，2020年")
    assert [m.value for m in found] == [Decimal("868"), Decimal("359.95")]


@pytest.mark.parametrize("text,value,unit,bound", [
    ("不超过300万", Decimal("3000000"), "", "<="),
    ("建设成本不超过300万", Decimal("3000000"), "", "<="),
    ("≤ 15天", Decimal("15"), "天", "<="),
    ("≥90%", Decimal("90"), "%", ">="),
    ("≧90%", Decimal("90"), "%", ">="),
    ("═95%", Decimal("95"), "%", "="),
    ("不低于95%", Decimal("95"), "%", ">="),
    ("80%（含）以上", Decimal("80"), "%", ">="),
    ("1年", Decimal("12"), "月", "="),
    ("3个月", Decimal("3"), "月", "="),
    ("三个月", Decimal("3"), "月", "="),
    ("300T", Decimal("307200"), "GB", "="),
    ("1.35亿", Decimal("135000000"), "", "="),
    ("5‰", Decimal("0.5"), "%", "="),
    ("10个工作日内", Decimal("10"), "工作日", "<="),
    ("运维成本节约100万", Decimal("1000000"), "", ">="),
])
def test_quantities(text, value, unit, bound):
    q = parse_quantity(text)
    assert (q.value, q.unit, q.bound) == (value, unit, bound)


def test_approximate_quantities():
    assert parse_quantity("约50个").approx
    q = parse_quantity("80余万人")
    assert q.approx and q.value == Decimal("800000") and q.unit == "人" and q.bound == ">="
    assert not parse_quantity("节约100万").approx  # 节约 is not 约


def test_units_normalised_before_comparing():
    assert parse_quantity("1.35亿").value > parse_quantity("5000万").value
    assert parse_quantity("1.35亿").comparable(parse_quantity("5000万"))
    assert not parse_quantity("3个月").comparable(parse_quantity("30%"))


@pytest.mark.parametrize("text,verdict", [
    ("完成", "met"), ("已完成", "met"), ("达到", "met"), ("有效", "met"), ("基本完成", "partial"),
    ("未完成", "unmet"), ("系统尚未验收", "unmet"), ("", None), ("IPV6改造", None),
])
def test_qualitative(text, verdict):
    assert qualitative_of(text) == verdict


def test_ipv6_is_not_a_number():
    assert parse_quantity("IPV6改造").value is None


def test_chinese_numerals():
    assert [cn_numeral(t) for t in ("三", "十", "十二", "二十", "一百零五", "两千")] == [3, 10, 12, 20, 105, 2000]
    assert cn_numeral("四端") is None


def test_formatting():
    assert fmt_decimal(Decimal("289.80")) == "289.8"
    assert fmt_decimal(Decimal("1E+2")) == "100"
    assert fmt_rate(Decimal("289.8") / Decimal("320")) == "0.9056"
    assert fmt_percent(Decimal("289.8") / Decimal("320")) == "90.56%"


# --- properties ---------------------------------------------------------------------------

amounts = st.decimals(min_value=Decimal("0"), max_value=Decimal("999999999.99"), places=2,
                      allow_nan=False, allow_infinity=False)


@given(amounts)
def test_money_roundtrip_wan(value):
    assert parse_money_cell(fmt_decimal(value) + "万元") == value
    assert parse_money_cell(fmt_decimal(value)) == value


@given(amounts)
def test_money_roundtrip_yuan_is_exact(value):
    yuan = value * 10000
    parsed = parse_money_cell(f"{yuan:,.2f}元")
    assert isinstance(parsed, Decimal)
    assert parsed == value


@given(amounts)
def test_fullwidth_digits_equal_ascii(value):
    text = fmt_decimal(value)
    full = text.translate(str.maketrans("0123456789.", "０１２３４５６７８９．"))
    assert parse_money_cell(full) == parse_money_cell(text)


@given(st.decimals(min_value=Decimal("0.01"), max_value=Decimal("99999"), places=2),
       st.sampled_from([("不超过", "<="), ("≤", "<="), ("不低于", ">="), ("≥", ">="), ("", "=")]))
def test_bounds_roundtrip(value, word_bound):
    word, bound = word_bound
    q = parse_quantity(f"{word}{fmt_decimal(value)}%")
    assert q.value == value and q.bound == bound and q.unit == "%"
    assert isinstance(q.value, Decimal)


@given(st.integers(min_value=0, max_value=10**12))
def test_thousands_separators(n):
    assert parse_money_cell(f"{n:,}元") == Decimal(n) / 10000


@pytest.mark.parametrize("text,first,last", [
    ("2023年3月", date(2023, 3, 1), date(2023, 3, 31)),
    ("2022年12月底前", date(2022, 12, 31), date(2022, 12, 31)),
    ("2022年度", date(2022, 1, 1), date(2022, 12, 31)),
    ("２０２１年６月３０日", date(2021, 6, 30), date(2021, 6, 30)),
    ("2024年2月", date(2024, 2, 1), date(2024, 2, 29)),
    ("2023年5月上旬", date(2023, 5, 1), date(2023, 5, 10)),
])
def test_calendar_spans(text, first, last):
    span = calendar_span(text)
    assert (span.first, span.last) == (first, last)


@pytest.mark.parametrize("text", ["3个月", "1年", "12月", "不超过3年", "2000人"])
def test_durations_and_counts_are_not_dates(text):
    assert calendar_span(text) is None
    assert parse_quantity(text).unit != DATE_UNIT


def test_impossible_date_is_no_span():
    assert calendar_span("2022年9月31日") is None


def test_dated_targets_are_deadlines():
    q = parse_quantity("2022年12月底前")
    assert (q.unit, q.bound) == (DATE_UNIT, "<=")
    assert parse_quantity("2022年以后").bound == ">="
    assert parse_quantity("2000年以上").unit == "月"  # a duration of years, not a date


@pytest.mark.parametrize("text,value", [
    ("实际支出585. 6万元", Decimal("585.6")),  # OCR space after the decimal point: not '6万元'
    ("支出1 236 000元", Decimal("123.6")),  # thousands grouped by spaces
    ("资金1, 236, 000元", Decimal("123.6")),
])
def test_money_with_spaces_inside_the_number(text, value):
    assert [m.value for m in find_money(text)] == [value]


@pytest.mark.parametrize("text,value,unit", [
    ("2022年新增就业200人", Decimal(200), "人"),  # the year dates the quantity, it is not the quantity
    ("新增就业200人（2022年）", Decimal(200), "人"),
    ("2022年12月31日前完成80%", Decimal(80), "%"),
])
def test_a_year_in_front_of_a_quantity(text, value, unit):
    q = parse_quantity(text)
    assert (q.value, q.unit) == (value, unit)
