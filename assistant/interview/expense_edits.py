"""Edits of the expense table said in words: a row renamed ('支出明细第5行名称改成…'), its voucher or amount
corrected ('X的凭证号错了 应该是…'), a row deleted ('删掉差旅费那条 那个是别的项目的')."""
from __future__ import annotations

import re
from decimal import Decimal

from ..core.models import Report
from ..core.numbers import compact, fmt_decimal, to_halfwidth
from .corrections import SECTION_NAMED, Change, _fmt, _lcs


_QUOTED_PAIR = re.compile(r"[“\"‘'「](?P<old>[^”\"’'」]{2,40})[”\"’'」].{0,12}?(?:改成|改为|换成|叫)[“\"‘'「]?(?P<new>[^”\"’'」，,。；;]{2,40})")
_ROW_RENAMED = re.compile(r"(?:第\s*(?P<n>\d+|[一二三四五六七八九十])\s*(?:行|条|笔|项)|(?P<named>[^，,。；;\s]{2,30}?)(?:那行|这行|那笔|这笔|那条|这条))"
                          r"(?:的)?(?:名称|内容|支出内容|名字)?(?:改成|改为|换成|应该是|叫)[“\"‘'「]?(?P<new>[^”\"’'」，,。；;\s]{2,40})")


def rename_expense(report: Report, text: str) -> Change | None:
    """'支出明细第5行名称改成村级文化管理员业务培训', '把“文化管理员培训”改成“村级文化管理员业务培训”',
    '文化管理员培训那行名称改成…': an expense row's 支出内容 renamed; its amount and voucher stay."""
    if not report.expenses:
        return None
    half = to_halfwidth(text)
    row, new = None, None
    m = _QUOTED_PAIR.search(half)
    if m:
        row, new = _row_called(report, m.group("old")), m.group("new")
    if row is None:  # '把第三方服务费改成第三方保洁转运服务费 名字写全一点': a row named by its whole name
        m = re.search(r"把\s*(?P<old>[^，,。；;\s]{2,30}?)\s*(?:改成|改为|换成)\s*(?P<new>[^，,。；;\s…]{2,40})(?![….])", half)
        if m and not re.match(r"\s*(?:删掉|删除|删了|去掉)", half):
            row = _row_called(report, m.group("old"))
            new = m.group("new") if row is not None else None
    if row is None:
        m = _ROW_RENAMED.search(half)
        if m is None or not (m.group("n") or re.search(r"明细|支出", half) or m.group("named")):
            return None
        if m.group("n"):
            n = int(m.group("n")) if m.group("n").isdigit() else _CN_SMALL.get(m.group("n"), 0)
            row = n - 1 if 0 < n <= len(report.expenses) and re.search(r"明细|支出|这笔|那笔", half) else None
        else:
            scored = sorted(((len(_lcs(compact(e.content), compact(m.group("named")))), k)
                             for k, e in enumerate(report.expenses)), reverse=True)
            if scored and scored[0][0] >= max(3, len(compact(m.group("named"))) - 2) and \
                    (len(scored) == 1 or scored[1][0] < scored[0][0]):
                row = scored[0][1]
        new = m.group("new")
    if row is None or not new:
        return None
    out = report.model_copy(deep=True)
    previous, out.expenses[row].content = out.expenses[row].content, new.strip()
    return Change(out, f"已把支出明细“{previous}”改名为“{out.expenses[row].content}”（金额、凭证号不变）", "支出改名")


_CN_SMALL = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}


def _row_called(report: Report, name: str) -> int | None:
    """The expense row whose 支出内容 is `name` exactly."""
    return next((k for k, e in enumerate(report.expenses) if compact(e.content) == compact(name)), None)


def _row_named(report: Report, half: str, bonus: dict[int, int]) -> tuple[int, int] | None:
    """(score, row) of the one expense row the words name best: the longest stretch of its 支出内容 they hold, plus
    `bonus` for a row named another way (its amount said); None when two rows tie."""
    scored = sorted(((len(_lcs(compact(e.content), compact(half))) + bonus.get(k, 0), k)
                     for k, e in enumerate(report.expenses)), reverse=True)
    if not scored or (len(scored) > 1 and scored[1][0] == scored[0][0]):
        return None
    return scored[0]


def edit_expense(report: Report, text: str) -> Change | None:
    """'农房抗震改造补助的凭证号错了 应该是2024年11月18#', '把X的会计凭证号改成…', 'X的金额是31.5': one expense row."""
    half = to_halfwidth(text)
    if not report.expenses:
        return None
    # a bare figure is an amount only when no other unit follows it ('隔离带…应该是35公里' is a length)
    named_amount = re.search(r"(?:应该是|改为|改成|是)\s*\d+(?:\.\d+)?\s*(?:万元|万)", half) or \
        re.search(r"(?:应该是|改为|改成)\s*\d+(?:\.\d+)?(?![\d.])(?!\s*(?:公里|千米|米|亩|人|户|个|次|家|座|所|名|%|‰|吨|台|套|"
                  r"块|处|项|公顷|年|月|日|号|份|场|批|期|辆|株|头|只|天|小时|分))", half)
    # the row whose amount is said as the wrong one ('宣传打错了 不是8.6 是6.8万', '瞭望塔那笔不是27.5 是25.7')
    wrong = {a or b for a, b in re.findall(r"不是\s*(\d+(?:\.\d+)?)|(\d+(?:\.\d+)?)\s*(?:万元|万)?\s*(?:不对|是错的|错了|改成|改为)", half)}
    by_amount = [k for k, e in enumerate(report.expenses) if e.amount is not None and fmt_decimal(e.amount) in wrong]
    if len(by_amount) == 1:
        said_new = re.search(r"(?:(?<!不)是|应该是|改为|改成)\s*(\d+(?:\.\d+)?)(?![\d.])\s*(?:万元|万)?(?!\s*(?:%|人|户|个|次|公里|亩))",
                             half)
        named_amount = named_amount or said_new
    if not re.search(r"凭证|金额|明细|支出数", half) and not named_amount:
        return None
    best = _row_named(report, half, {k: 3 for k in by_amount})
    if best is None or best[0] < 3:
        return None
    out = report.model_copy(deep=True)
    row = out.expenses[best[1]]
    voucher = re.findall(r"((?:19|20)\d{2}年\d{1,2}月\d{1,2}#|\d+#)", half)
    if "凭证" in half and voucher:
        previous, row.voucher = row.voucher, voucher[-1]
        return Change(out, f"已把“{row.content}”的会计凭证号由{previous or '空'}改为{row.voucher}", "更正凭证号")
    amount = [m.group(1) for m in re.finditer(r"(\d+(?:\.\d+)?)\s*(?:万元|万)?", half)
              if not re.search(r"不是\s*$", half[max(0, m.start() - 3):m.start()])]
    if (re.search(r"金额|支出数", half) or named_amount) and amount:
        value = Decimal(amount[0] if named_amount is None else re.search(r"\d+(?:\.\d+)?", named_amount.group(0)).group(0))
        previous, row.amount = row.amount, value
        return Change(out, f"已把“{row.content}”的金额由{_fmt(previous)}改为{fmt_decimal(value)}万元", "更正支出明细")
    return None


_DELETED = re.compile(r"删掉|删除|删了|去掉|拿掉|不要了|不算|剔除")


def delete_expense(report: Report, text: str) -> Change | None:
    """'哦 删掉差旅费那条 那个是别的项目的', '支出明细里 差旅费 1.2万 删除': the one row the words name goes; the
    totals are computed again from what stays."""
    half = to_halfwidth(text)
    if not report.expenses or not _DELETED.search(half) or re.search(r"指标|那句|那段|这句|这段|[“\"「]|改成|改为", half) or \
            SECTION_NAMED.search(half):
        return None  # '删掉问题与建议里 把第三方服务费改成… 那条': words in a section, not an expense row
    amounts = {m.group(0) for m in re.finditer(r"\d+(?:\.\d+)?", half)}
    # a row named in part, with its amount said too ('宣传 8.6万'), is named as well as by its whole name
    best = _row_named(report, half, {k: 2 for k, e in enumerate(report.expenses)
                                     if e.amount is not None and fmt_decimal(e.amount) in amounts})
    if best is None or best[0] < 2:
        return None
    score, k = best
    row = report.expenses[k]
    if score < min(3, len(compact(row.content))) or (score < len(compact(row.content)) and
                                                     not re.search(r"明细|支出|那条|那笔|那行|这条|这笔|这行", half)):
        return None  # a part of a name is enough only where the words say it is an expense row
    out = report.model_copy(deep=True)
    del out.expenses[k]
    amount = f"{fmt_decimal(row.amount)}万元" if row.amount is not None else ""
    return Change(out, f"已删除支出明细“{row.content}”{amount}（支出合计按余下各笔重新核对）", "删除支出明细")
