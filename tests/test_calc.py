from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from assistant.core import calc
from assistant.core.models import Funding, FundingRow, Indicator

D = Decimal


def test_rates_and_balance():
    row = FundingRow(source="合计", planned=D("320"), arrived=D("289.8"), spent=D("144.9"))
    assert calc.balance(row) == D("144.9")
    assert calc.arrival_rate(row) == D("289.8") / D("320")
    assert calc.execution_rate(row) == D("0.5")
    assert calc.execution_rate(FundingRow(source="合计", spent=D(1))) is None  # nothing invented


def test_total_filled_from_sources_only_when_blank():
    f = Funding(sources=[FundingRow(source="市财政", planned=D(100)), FundingRow(source="省财政", planned=D(50))])
    assert calc.total_of(f).planned == D(150)


def test_subset_sum_recognises_regrouping():
    rows = [D("12.6"), D("29.5"), D("167.9"), D("80"), D("20.24"), D("70"), D("39.5"), D("17.96")]
    picked = calc.subset_summing_to(rows, D("67.7"))
    assert picked is not None and sum(rows[i] for i in picked) == D("67.7")
    assert calc.subset_summing_to(rows, D("189.5")) is not None
    assert calc.subset_summing_to(rows, D("1.01")) is None


def test_grades():
    assert [calc.grade_of(D(x)) for x in ("100", "90", "89.99", "80", "60", "59.9")] == ["优", "优", "良", "良", "中", "差"]
    assert calc.normalise_grade("优秀") == "优" and calc.normalise_grade("良好") == "良"


def ind(level2, name, target, actual, **kw):
    return Indicator(level1="产出指标", level2=level2, name=name, target=target, actual=actual, **kw)


def test_completion_higher_is_better_and_capped():
    c = calc.completion(ind("数量指标", "计算节点", "32", "60"))
    assert c.ratio == D(60) / D(32) and c.capped == 1 and c.over


def test_completion_units_normalised():
    c = calc.completion(ind("质量指标", "政务数据", "5000万", "1.35亿"))
    assert c.ratio == D("2.7")


def test_completion_lower_is_better_for_cost_bounds():
    c = calc.completion(ind("成本指标", "总成本不超过870万", "870万", "868万"))
    assert c.lower_is_better and c.met
    over = calc.completion(ind("成本指标", "建设成本", "≤300万", "330万"))
    assert over.lower_is_better and over.ratio == D("0.9")


def test_completion_time_is_lower_is_better():
    assert calc.completion(ind("时效指标", "完工时间", "≤10个月", "9个月")).met
    assert calc.completion(ind("时效指标", "完工时间", "10个月", "12个月")).ratio < 1
    assert calc.completion(ind("时效指标", "开发", "1年", "3个月")).met


def test_misfiled_cost_row_is_read_from_the_name():
    c = calc.completion(ind("成本指标", "建设成本不超过300万", "289.8万", "已完成"))
    assert c.target.value == D(3000000) and c.actual.value == D(2898000) and c.met
    assert "按指标内容" in c.note


def test_qualitative_completion():
    assert calc.completion(ind("质量指标", "IPV6改造", "完成", "已完成")).met
    assert calc.completion(ind("质量指标", "验收", "完成", "未完成")).ratio == 0
    assert calc.completion(ind("数量指标", "四端覆盖", "四端覆盖", "四端覆盖")).met
    assert calc.completion(ind("数量指标", "x", "100", "")).ratio is None


def test_family_of():
    assert [calc.family_of(x) for x in ("数量指标", "服务对象满意度指标", "生态效益\n指标", "经济效益指标")] == [
        "数量", "满意度", "生态效益", "经济效益"]


money = st.decimals(min_value=D("0"), max_value=D("1000000"), places=2)


@given(money, money)
def test_balance_identity(arrived, spent):
    row = FundingRow(source="合计", arrived=arrived, spent=spent)
    b = calc.balance(row)
    assert isinstance(b, Decimal) and b + spent == arrived


@given(money, st.decimals(min_value=D("0.01"), max_value=D("1000000"), places=2))
def test_rates_are_exact_fractions(num, den):
    r = calc.ratio(num, den)
    assert isinstance(r, Decimal)
    assert abs(r * den - num) < D("1e-15") * max(den, D(1)) * 10


@given(st.decimals(min_value=D("0.01"), max_value=D("10000"), places=2),
       st.decimals(min_value=D("0"), max_value=D("10000"), places=2))
def test_completion_is_capped_and_monotonic(target, actual):
    c = calc.completion(ind("数量指标", "n", fmt(target), fmt(actual)))
    assert c.capped is not None and D(0) <= c.capped <= 1
    assert c.met == (actual >= target)
    lower = calc.completion(ind("成本指标", "成本", "≤" + fmt(target), fmt(actual)))
    assert lower.met == (actual <= target)
    assert D(0) <= lower.capped <= 1


@given(st.decimals(min_value=D("0"), max_value=D("100"), places=2))
def test_grade_bands_partition(total):
    g = calc.grade_of(total)
    expected = "优" if total >= 90 else "良" if total >= 80 else "中" if total >= 60 else "差"
    assert g == expected


def fmt(d):
    from assistant.core.numbers import fmt_decimal
    return fmt_decimal(d)


def test_deadline_targets_compare_dates_not_year_numbers():
    late = calc.completion(ind("时效指标", "完工时间", "2022年12月底前", "2023年3月"))
    assert late.ratio == 0 and "晚于" in late.note  # not 2022/2023 = 99.95%
    assert calc.completion(ind("时效指标", "完工时间", "2022年12月底前", "2022年12月")).met
    assert calc.completion(ind("时效指标", "完工时间", "2022年底前", "2022年11月20日")).met
    assert calc.completion(ind("时效指标", "完工时间", "12月底前", "12月20日")).met  # the same unnamed year
    # one side without its year: late work is what crosses a year, so it is not assumed
    assert calc.completion(ind("时效指标", "完工时间", "12月底前", "2023年1月")).ratio is None
    assert calc.completion(ind("时效指标", "完工时间", "年底前完成", "2023年2月")).ratio is None
    assert calc.completion(ind("时效指标", "完工时间", "6月30日前", "7月2日")).ratio == 0
    assert calc.completion(ind("时效指标", "完工时间", "2022年12月底前", "按期完成")).met
    assert calc.completion(ind("时效指标", "完工时间", "2022年12月底前", "次年1月")).ratio is None


def test_actual_that_restates_the_target_as_done_is_met():
    assert calc.completion(ind("可持续影响指标", "长效机制", "建立", "已建立")).met
    assert calc.completion(ind("质量指标", "平台", "上线运行", "已上线运行")).met


def _ratio(name, target, actual, **kw):
    return calc.completion(Indicator(level2="社会效益", name=name, target=target, actual=actual, **kw))


def test_a_reduction_target_is_a_magnitude_more_is_better():
    more = _ratio("群众出行时间缩短", "10%", "12%")
    assert (more.met, more.ratio, more.lower_is_better) == (True, D("1.2"), False)
    less = _ratio("群众出行时间缩短", "10%", "8%")
    assert (less.met, less.ratio) == (False, D("0.8"))
    assert _ratio("出行时间", "缩短10%", "缩短12%").met is True
    assert _ratio("投诉量下降", "20%", "15%").ratio == D("0.75")
    assert _ratio("节约资金", "100万元", "120万元").met is True


def test_a_reduction_to_a_level_is_a_bound_less_is_better():
    assert _ratio("办理时限缩短至", "3天", "2天").lower_is_better is True
    assert _ratio("平均办理时间", "压缩到5天以内", "6天").met is False
    assert _ratio("故障率", "降低到5%以下", "4%").met is True


def test_the_tables_own_direction_wins_over_the_name():
    # '时间' in the name would guess lower; the officer (or the 指标方向 column) said higher
    assert _ratio("群众办事时间节省", "2小时", "1小时", direction="lower").met is True
    assert _ratio("服务时间", "8小时", "10小时", direction="higher").met is True
