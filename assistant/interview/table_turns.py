"""What a turn says about a table: figures pasted or stated in a sentence, an amount with a typo in it, and
the officer's yes to a pasted table that waits for confirmation. Cue words are data (knowledge/turns.yaml)."""
from __future__ import annotations

import re

from ..core.models import Report
from ..core.numbers import compact, to_halfwidth
from .items import Item
from .spec import turn_words


def key_of(text: str) -> str:
    """The turn as compared: half-width, without spaces."""
    return compact(to_halfwidth(text))


_key = key_of


_TYPO = re.compile(r"(?<![A-Za-z])(\d+[OoIlSsZ][\dOoIlSsZ]*(?:\.\d+)?|\d+\.\d*[OoIlSsZ][\dOoIlSsZ]*|\d+\.\.\d+)\s*(?=万元|万|元|亿)")


_TYPO_BARE = re.compile(r"(?<![A-Za-z\d.])(\d+[OoIlSsZ]\d[\d.]*|\d+[OoIlSsZ]?\.\d*[OoIlSsZ]\d*|\d{2,}[OoIlSsZ](?![A-Za-z]))(?![A-Za-z])")


def typo_in_amount(text: str) -> str | None:
    """'实际支出25O.7万元', '执行49S.76': an amount with a letter inside cannot be read (money is never guessed)."""
    half = to_halfwidth(text)
    m = _TYPO.search(half)
    if m:
        return m.group(1)
    if re.search(r"预算|执行|支出|到位|计划|投资|结余|万|元", half):
        m = _TYPO_BARE.search(half)
        if m and re.search(r"\d", m.group(1)) and re.search(r"[OoIlSsZ]", m.group(1)):
            return m.group(1)
    # a date or a count with a letter for a digit: '3月2O日', '实际是2l场' (never read as 3月2日 or 2场)
    m = _TYPO_COUNT.search(half)
    if m:
        return m.group(1)
    # two decimal points ('1096..8', '47.2.5公里'; not a date like 2024.3.15), or a table cell that is a letter
    # and digits ('l7.7' between tabs or spaces)
    m = _TYPO_DOTS.search(half) or _TYPO_CELL.search(half)
    return m.group(1) if m else None


_TYPO_DOTS = re.compile(r"(?<![A-Za-z\d.])((?!(?:19|20)?\d{2}\.\d{1,2}\.\d{1,2}(?![\d万元亩公里吨人户个次%座场]))\d+\.\.?\d+\.\d+|\d+\.\.\d+)(?![\d.])")
_TYPO_CELL = re.compile(r"(?:^|[\t ]|(?<=\n))([lIOo]\d+(?:\.\d+)?|\d+[lIOo]\d*(?:\.\d+)?)(?=[\t ]|$|\n)", re.M)


_TYPO_COUNT = re.compile(r"(?<![A-Za-z\d.])(\d+[OoIl]\d*|[OoIl]\d+)(?=\s*(?:日|号|月|年|场|人次|人|个|次|户|家|座|所|名|亩|公里|吨|%|处|项|台|套))")


_FUNDING_WORD = re.compile(r"(?:计划|预算|到位|下达|拨付|支出|执行|结余|投资|安排|资金|总额|合计|总共|一共|花出去|年初|全年)"
                           r"[^，,。；;\d]{0,12}?$")


def restates_pending(text: str, pending: Report) -> bool:
    """A turn that says the waiting table's figures back and agrees with them: every number in it is one of the
    table's, it says so (都对, 没错, 是这张) and corrects nothing."""
    from ..core.numbers import fmt_decimal

    key = _key(text)
    if "\t" in text or not re.search(r"都对|对的|没错|没问题|是这张|就是这张|就这张|核过|一致|一样", key) or \
            re.search(r"不对|不是|错了|改成|改为|应该是|漏了|少了|多了", key):
        return False
    said = set(re.findall(r"\d+(?:\.\d+)?", to_halfwidth(text)))
    rows = [pending.funding.total, *pending.funding.sources]
    known = {fmt_decimal(v) for r in rows for v in (r.planned, r.arrived, r.spent, r.balance) if v is not None}
    known |= {fmt_decimal(e.amount) for e in pending.expenses if e.amount is not None}
    known |= {n for i in pending.indicators for n in re.findall(r"\d+(?:\.\d+)?", f"{i.target} {i.actual}")}
    return bool(said) and said <= known


def _nothing_new(funding, report: Report) -> bool:
    """Every amount a sentence gives for the total is the one already recorded."""
    said = {c: funding.total.get(c) for c in ("planned", "arrived", "spent") if funding.total.get(c) is not None}
    return bool(said) and all(report.funding.total.get(c) == v for c, v in said.items())


def figures_sentence(text: str, asked: Item | None, report: Report | None = None) -> bool:
    """Figures stated in a sentence ('实际支出250.7万元，其中扑火装备62.4万元…'): read like a paste."""
    from ..core.numbers import find_money

    from ..core.parse.paste import expense_items, indicator_lines, spoken_funding, total_line

    half = to_halfwidth(text)
    if total_line(half) is not None:
        return True  # '合计 85 85 79.6 5.4'

    if len(indicator_lines(half)) >= 2:
        return True  # indicators said in a line: '新建机耕路目标45公里实际47.2公里 …'
    amounts = find_money(half)
    if not amounts:
        bare, _ = spoken_funding(half, False)  # '年初预算1360 全年预算1312.5 执行1312.5'
        return bare is not None and sum(bare.total.get(c) is not None for c in ("planned", "arrived", "spent")) >= 2

    if len(expense_items(half)) >= 2 or (asked is not None and asked.id == "table.expenses" and expense_items(half)):
        return True  # '防火宣传8.6万 3月18号的凭证；瞭望塔维修27.5万 9月4号': expense rows said in a sentence
    from ..core.parse.paste import spoken_expenses

    funding, _ = spoken_funding(half, False)
    text_question = asked is not None and (asked.group in ("偏差原因", "叙述") or asked.id.startswith("goals."))
    if funding is not None and not text_question and \
            sum(funding.total.get(c) is not None for c in ("planned", "arrived", "spent")) >= 2:
        return True  # '年初预算120万 后面…调减了5万 全年预算115 到位了115 花了106.8，中央50万…': two columns or more
    said = [m for m in amounts if _FUNDING_WORD.search(half[max(0, m.start - 14):m.start])]
    if not said:
        return False
    if funding is None and not spoken_expenses(half):
        return False  # only differences ('少到位了20万') or amounts no column word names: words, not figures
    if text_question and report is not None and funding is not None and _nothing_new(funding, report):
        return False  # '年初预算是1260万 后来调成1385万 多了125万 一个是…': the recorded figures said again, then why
    if text_question:  # a reason may name an amount ('尾款31万元未付'): figures only when they lead
        return bool(re.match(r"^\s*(?:实际|计划|年初|全年|项目)?(?:支出|到位|预算|投资|安排|下达|执行)", half)) and len(said) >= 1 \
            and len(half) < 160 and not re.search(r"原因|因为|由于|导致|主要是|是因为", half)
    return len(said) >= 2 or bool(re.search(r"其中", half)) or len(_key(half)) <= 40


def table_lines(text: str) -> bool:
    """Lines of a table copied cell by cell, as 'name value' rows ('出水水质达标率\t96.8%'), with cells set apart
    by spaces, or one cell per line."""
    from ..core.parse.paste import one_cell_per_line, spaces_to_tabs

    lines = [ln for ln in text.splitlines() if ln.strip()]
    if len(lines) < 2 or sum(1 for ln in lines if re.search(r"\d", ln)) < 2:
        return False
    if sum(1 for ln in lines if "\t" in ln.strip() or ln.count("|") >= 2) >= 1:
        return True
    return spaces_to_tabs(text) != text or bool(one_cell_per_line(text))


def confirms_table(text: str, pending: Report | None) -> bool:
    """The officer's yes to the table that waits: a cue ('对的', '数没错 录进去吧'), the table's own figures said
    back and agreed ('嗯 是这张 年初1260 后来调到1385 执行了1342.6 数都对的'), 确认 at the end of a short message
    that corrects nothing ('等下 刚才的指标表我是要确认的啊 确认'), or nothing but yes-words ('好 这个对了 就这样')."""
    key = key_of(text)
    words = turn_words().commands["confirm"]
    if any(re.search(p, key, re.I) for p in words.cues):
        return True
    if pending is not None and restates_pending(text, pending):
        return True
    if "确认" in key and not re.search(r"不|别|先不|再|吗|？|\?", key) and (
            len(key) <= 12 or (len(key) <= 32 and not re.search(r"\d|改|错|删", key) and
                               re.search(r"确认(?:一下|下|了|吧|啊)?[。!！]*$", key))):
        return True
    rest = key
    for word in sorted(words.agree, key=len, reverse=True):
        rest = rest.replace(word, "")
    return not re.sub(r"[，,。.！!~～、]", "", rest) and bool(re.search(r"对|没问题|没错|可以|就这样|确认|行|好", key))
