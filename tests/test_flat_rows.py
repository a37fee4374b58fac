"""The 年度资金总额 row of a 自评表 flattened on the web (core/parse/flat_rows.py): which number is which is settled by
the stated rate, on rows of our own in each shape real reports take."""
from decimal import Decimal as D

import pytest

from assistant.core.parse import parse_text
from assistant.core.parse.document import Line
from assistant.core.parse.flat_rows import total_row


def _lines(text: str) -> list[Line]:
    return [Line(text=t, line=k + 1) for k, t in enumerate(text.split("\n"))]


@pytest.mark.parametrize("text, planned, available, spent, rate", [
    # one cell per line, blank lines between (a 自评表 copied out of a PDF)
    ("年度资金总额\n\n58.5\n\n60\n\n51.3\n\n10\n\n85.5%\n\n8.55\n其中：当年财政拨款", D("58.5"), D(60), D("51.3"), D("0.855")),
    # run together with spaces, 分值 and 得分 around the rate
    ("年度资金总额: 120 120 118.8 10 99% 9.9", D(120), D(120), D("118.8"), D("0.99")),
    # glued: only the rate says where one amount ends
    ("年度资金总额:1800162090%", None, D(1800), D(1620), D("0.9")),
    ("资金总额36003600100%20年度绩效指标", None, D(3600), D(3600), D(1)),
    # a province's order: 预算 到位 到位率 执行 执行率
    ("年度资金总额(万元): 1 36.400000\n36.400000 36.400000 100.00% 21.840000 60.00%", D("36.4"), D("36.4"), D("21.84"),
     D("0.6")),
])
def test_the_rate_settles_which_amount_is_which(text, planned, available, spent, rate):
    row = total_row(_lines(text))
    assert (row.planned, row.available, row.spent, row.execution_rate) == (planned, available, spent, rate)


def test_a_row_no_pair_reproduces_and_a_sentence_are_left_unread():
    assert total_row(_lines("年度资金总额: 120 118.8 10 87% 8.7")) is None  # 118.8/120 is 99%, not 87%
    assert total_row(_lines("本项目资金总额100万元，实际支出95万元，执行率95%。")) is None  # words, not a row
    assert total_row(_lines("年度资金总额:12345678%")) is None  # no cut of these digits gives a rate


def test_a_flattened_national_form_gives_its_funding_and_stated_rate():
    r = parse_text("项目支出绩效自评表\n（2023年度）\n项目名称 某县禁毒宣传经费\n年度资金总额: 80 80 76 10 95% 9.5\n"
                   "其中：本年财政拨款 80 80 76 - -\n")
    t = r.funding.total
    assert (t.planned, t.arrived, t.spent) == (D(80), D(80), D(76)) and r.funding.stated_execution_rate == D("0.95")



def test_a_payment_rate_is_the_execution_rate_stated():
    # '支付完成率' is the money's, not a task's: the rate the text states for what was paid out of what was given
    r = parse_text("某县村道硬化项目绩效自评报告\n一、项目概况\n2022年县财政安排专项资金320万元用于村道硬化。"
                   "截至2022年12月31日，累计拨付施工单位291.2万元，支付完成率为91%。\n")
    t = r.funding.total
    assert (t.planned, t.spent, r.funding.stated_execution_rate) == (D(320), D("291.2"), D("0.91"))
