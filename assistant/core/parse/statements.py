"""Figures a report states in sentences: budget, funds received, spending, and what they add up to.

Each amount with a money unit becomes a *reading* of one funding column, with a strength:
3 for a stated sum (共计/合计/总计 … 84.47万元), 2 for an amount a funding word names (下达、到位、
实际支出、已拨付 …, or a phrase after it: 已全部到位、使用完毕), 1 for an amount only its context
suggests (项目资金X万元, 总投资, the heading 项目资金到位情况分析). Parts are not readings: amounts
after 其中, inside brackets, per-unit prices (3元/人), goal statements. For each column the
strongest readings decide; when they disagree the column is left empty and the disagreement is a
warning naming both lines — a wrong figure is worse than a missing one.

Also here: figures stated as `标签：值` lines or two-cell rows, stated rates, and an OCR'd grid whose
amounts ran together.
"""
from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass, field
from decimal import Decimal

from ..models import Funding, FundingRow, ParseWarning, SOURCE_TOTAL, Where
from ..numbers import find_money, fmt_decimal, to_halfwidth
from .document import Cell, Document, Line
from .prose import source_parts
from .tables import unit_in, valueish, column_of, money

COLUMNS = ("planned", "arrived", "spent", "balance")
_COLUMN_WORDS = {"planned": "预算", "arrived": "到位", "spent": "支出", "balance": "结余"}

# funding words → (column, strength); the word nearest before an amount in its clause decides
_KEYWORDS: tuple[tuple[str, str, int], ...] = (
    ("总收入", "arrived", 3), ("收入总额", "arrived", 3), ("总支出", "spent", 3), ("支出总额", "spent", 3),
    ("全年预算", "arrived", 2), ("调整后预算", "arrived", 2), ("调整预算", "arrived", 2),
    ("全年执行", "spent", 2), ("年初预算", "planned", 2), ("资金总额", "planned", 2), ("总金额", "planned", 2),
    ("实际到位", "arrived", 2), ("到位", "arrived", 2), ("收到", "arrived", 2), ("拨入", "arrived", 2),
    ("到账", "arrived", 2), ("实际下达", "arrived", 2), ("实际收入", "arrived", 2), ("全年收入", "arrived", 2),
    ("收入", "arrived", 1), ("可用资金", "arrived", 2),
    ("实际支出", "spent", 2), ("实际使用", "spent", 2), ("实际支付", "spent", 2), ("支出", "spent", 2),
    ("支付", "spent", 2), ("使用", "spent", 2), ("执行", "spent", 2), ("付款", "spent", 2), ("花费", "spent", 2),
    ("兑付", "spent", 2), ("发放", "spent", 2), ("拨付", "spent", 2), ("下拨", "spent", 2), ("完成", "spent", 1),
    ("结余", "balance", 2), ("结转", "balance", 2), ("剩余", "balance", 2), ("余额", "balance", 2),
    ("预算", "planned", 2), ("安排", "planned", 2), ("下达", "planned", 2), ("批复", "planned", 2),
    ("计划", "planned", 2), ("申报", "planned", 1), ("转移支付", "planned", 2),
    ("总投资", "planned", 1), ("投资", "planned", 1), ("投入", "planned", 1),
    ("资金", "planned", 1), ("经费", "planned", 1), ("配套", "planned", 1),
)
# 拨付 from above (中央拨付、拨付我区) is money received, not spent
_FROM_ABOVE = re.compile(r"(中央|省级|省|市级|自治区|上级|财政厅|财政局)(财政)?$")
_TO_US = re.compile(r"^(给)?(我|本)(区|市|县|局|镇|乡|委|单位|中心|院|校|处|部门)")
_TOTAL_MARK = re.compile(r"合计|共计|总计|累计|(总共|共|总额为?)[为是:：]?\s*$")
# a sentence about something else than this year's whole figure: 三公经费, last year, a comparison
_OTHER_SUBJECT = re.compile(r"三公|公务接待|公务用车|因公出国")  # in the sentence
_LAST_YEAR = re.compile(r"上年度|去年|上一年度|同比")  # in the clause: '上年度结余的资金6.47万元,共计84.47万元
_YEAR = re.compile(r"((?:19|20)\d{2})\s*年")
_ESTIMATE = re.compile(r"(约|近|逾|将近|大约|不到|超过)\s*$")
_GOAL_HEADING = re.compile(r"目标")
_NOT_GOAL_HEADING = re.compile(r"下达|分解|完成|实现|情况|自评|分析")
_AFTER_ARRIVED = re.compile(r"^[^0-9。；;]{0,30}?(全部到位|已全部到位|足额到位|已到位|全额到位|均已到位)")
_AFTER_SPENT = re.compile(r"^[^0-9。；;]{0,40}?(使用完毕|执行完毕|支出完毕|支付完毕|拨付完毕|全部支出|全部使用|"
                          r"全额支付|全部执行|已全额划转|已全额拨付|全部拨付)")
_GOAL = re.compile(r"(目标|计划将|拟)")
_HEADING_CONTEXT = (("到位", "arrived"), ("执行", "spent"), ("支出", "spent"), ("使用", "spent"))
_HEADING = re.compile(r"^\s*(?:[一二三四五六七八九十]+[、.．]|[（(][一二三四五六七八九十\d]+[)）]|\d+[.、．])")
_CLAUSE_REACH = 80
_SENTENCE_REACH = 800  # the look-back/ahead within a sentence; no real sentence runs longer, a run-on text may
_PARTS = re.compile(r"其中|主要用于|用于[:：]|具体为|具体如下|分别为|明细为")  # what follows lists parts
_CHANGE = re.compile(r"追加|调减|调增|追减|核减|压减|增加了?$|减少了?$")
_LIST_INTRO = re.compile(r"(如下|分别为|明细为|包括)[:：]$")
_ITEM_LINE = re.compile(r"^\s*(?:\d{1,2}[、.．)）]|[（(]\d{1,2}[)）]|[①-⑳])")
_SUB_TITLE = re.compile(r"^\s*(?:\d{1,2}[.、．]|[（(][一二三四五六七八九十\d]{1,2}[)）])\s*([^。：:，,]{2,20})[。：:]")
_MONEY_TITLE = re.compile(r"资金|预算|经费|执行|支出|到位|收支|收入|投入|财务|基本情况|概况|项目")
_SENTENCE_END = "。；;！!？?"
_BRACKETED = re.compile(r"[(（][^()（）]*[)）]")


@dataclass(frozen=True)
class Reading:
    column: str
    value: Decimal  # 万元
    strength: int
    where: Where
    sentence: str = field(default="", compare=False)  # the sentence it stands in (half-width), and where
    end: int = field(default=0, compare=False)  # the amount ends in it: what follows may list its 其中 parts


def _clause_before(half: str, pos: int) -> str:
    floor = max(0, pos - _CLAUSE_REACH)
    start = max(floor - 1, *(half.rfind(p, floor, pos) for p in "，,:：(（、；;。"))
    return half[start + 1:pos]


def _keyword(clause: str) -> tuple[str, int, str] | None:
    """(column, strength, word) of the funding word nearest before the amount."""
    best: tuple[int, int, int, str, str] | None = None  # strength, end, length, word, column
    for word, col, strength in _KEYWORDS:
        pos = clause.rfind(word)
        if pos < 0:
            continue
        end = pos + len(word)
        # a funding word beats a word of context ('拨付我区农机购置补贴资金62万元' is 拨付, not 资金)
        if best is None or (strength, end, len(word)) > best[:3]:
            best = (strength, end, len(word), word, col)
    if best is None:
        return None
    strength, end, _, word, col = best
    if word in ("拨付", "下拨") and (_FROM_ABOVE.search(clause[:end - len(word)]) or _TO_US.match(clause[end:])):
        col = "arrived"
    if col == "planned" and word in ("下达", "预算", "安排") and "实际" in clause[:end]:
        col = "arrived"  # 实际下达 / 实际实施并下达预算指标: what was actually made available
    if col == "spent" and re.search(r"(未|尚未|没有|暂未)$", clause[:end - len(word)]):
        col = "balance"  # 未支付的83.16万元 is what is left, not what was spent
    if col == "balance" and "上年" in clause:
        return None  # 上年结转/结余 is money brought in, a source, not this year's balance
    return col, strength, word


def _open_bracket(half: str, pos: int) -> bool:
    before = half[max(0, pos - 60):pos]
    return before.count("(") + before.count("（") > before.count(")") + before.count("）")


def _blank_brackets(text: str) -> str:
    """The text with each closed bracket group blanked out, positions kept."""
    return _BRACKETED.sub(lambda m: " " * len(m.group(0)), text)


def _is_part(prefix: str) -> bool:
    """After 其中 (or 主要用于 …) in its sentence, unless a later clause starts a figure of its own again
    ('其中低保100万元…，调减40万元，全年实际下达71万元', '其中中央600万元…，已拨付720万元')."""
    hits = list(_PARTS.finditer(prefix))
    if not hits:
        return False
    tail = prefix[hits[-1].end():]
    return not re.search(r"[,，;；][^,，;；]*(全年|实际|累计|共计|合计|总计|总收入|总支出|收入总额|支出总额|"
                         r"已拨付|已支付|已支出|已到位|已使用)[^,，;；]*$", tail)  # '…，已拨付720万元' is a figure again


def _heading_column(text: str) -> str | None:
    if len(text) > 40 or not (_HEADING.match(text) or "情况" in text):
        return None
    return next((col for word, col in _HEADING_CONTEXT if word in text), None)


def _report_year(lines: list[Line]) -> int | None:
    """The year most of the text speaks of (a report on 2022 names 2022 more than any other year)."""
    counts: dict[int, int] = {}
    for ln in lines[:400]:
        for m in _YEAR.finditer(to_halfwidth(ln.text)):
            counts[int(m.group(1))] = counts.get(int(m.group(1)), 0) + 1
    return max(counts, key=lambda y: (counts[y], y)) if counts else None


def _elsewhere(sentence: str, clause: str, year: int | None) -> bool:
    """An amount that is not this year's figure: another year's, a 三公 sub-total, an estimate, a unit price."""
    if _OTHER_SUBJECT.search(sentence) or _LAST_YEAR.search(clause) or _ESTIMATE.search(clause) or "每" in clause:
        return True
    years = {int(y) for y in _YEAR.findall(sentence)}
    return year is not None and bool(years) and year not in years


def readings(lines: list[Line], year: int | None = None) -> list[Reading]:
    """Every amount of the narrative read as a funding column, in document order."""
    out: list[Reading] = []
    context: str | None = None
    listing = goals = False
    year = year or _report_year(lines)
    for ln in lines:
        # '…其他资金859.6万元2023年支出2310.4万元': a sentence mark lost where one amount ends and a year begins
        half = re.sub(r"(万元|亿元)(?=(?:19|20)\d{2}年)", r"\1。", to_halfwidth(ln.text))
        heading = _heading_column(half.strip())
        mentions = find_money(half)
        if not mentions and (heading is not None or (_HEADING.match(half) and len(half) <= 40)):
            context = heading
            # amounts under '（二）项目绩效目标' are targets; under '绩效目标分解下达情况' they are figures
            goals = bool(_GOAL_HEADING.search(half)) and not _NOT_GOAL_HEADING.search(half)
            continue
        if goals:
            continue
        if _LIST_INTRO.search(half.strip()):
            listing = True  # '具体如下：' — the numbered lines after it are the parts of what came before
        elif listing and _ITEM_LINE.match(half):
            continue
        else:
            listing = False
        last_col: str | None = None
        titled = _SUB_TITLE.match(half)
        # '1.残疾人两项补贴。…支出177.6万元': a passage on one item under a title that is not about the money
        cap = 1 if titled and not _MONEY_TITLE.search(titled.group(1)) else 3
        flat = _blank_brackets(half)  # clause marks inside a bracket do not end the clause around it
        # sentence marks found once per line: a line of thousands of amounts stays linear
        stops = [i for i, ch in enumerate(half) if ch in "。!?！？"] if mentions else []
        ends_at = [i for i, ch in enumerate(half) if ch in _SENTENCE_END] if mentions else []
        for k, m in enumerate(mentions):
            at = bisect_left(stops, m.start)
            sentence_start = stops[at - 1] if at else -1
            if sentence_start > (mentions[k - 1].start if k else -1):
                last_col = None
            lo = max(sentence_start + 1, m.start - _SENTENCE_REACH)
            sentence = half[lo:m.start]
            after = half[m.end:m.end + 1]
            if _is_part(flat[lo:m.start]) or after in ("/", "每", "、") \
                    or not flat[m.start:m.end].strip() \
                    or _open_bracket(half, m.start) \
                    or _GOAL.search(sentence) or m.value <= 0:
                continue
            clause = _clause_before(flat, m.start)
            if _CHANGE.search(_clause_before(flat.replace("、", " "), m.start)) or _elsewhere(sentence, clause, year):
                continue  # 年中追加50万元 / 调减40万元 changes a figure; it is not one
            found = _keyword(clause)
            col: str | None
            strength = 1
            if found is not None and found[1] == 3:
                col, strength = found[0], 3  # 总收入 / 总支出 of a whole department
            elif _TOTAL_MARK.search(clause):
                # a sum of the amounts listed before it in the sentence outranks them; a lone 共 does not
                col = found[0] if found and found[1] >= 2 else last_col or context or "planned"
                strength = 3 if (k and mentions[k - 1].start > sentence_start) or "全年" in clause else 2
            elif found is not None:
                col, strength = found[0], found[1]
            else:
                col = context
            nxt = mentions[k + 1].start if k + 1 < len(mentions) else len(half)
            rest = half[m.end:nxt]
            extra = []
            if _AFTER_ARRIVED.match(rest):
                extra.append("arrived")
            if _AFTER_SPENT.match(rest):
                extra.append("spent")
            where = Where(line=ln.line)
            strength = min(strength, cap)
            at = bisect_left(ends_at, m.end)
            said = half[lo:min(ends_at[at] + 1 if at < len(ends_at) else len(half), m.end + _SENTENCE_REACH)]
            if col is not None:
                out.append(Reading(col, m.value, strength, where, said, m.end - lo))
                last_col = col
            for c in extra:
                if c != col:
                    out.append(Reading(c, m.value, min(2, cap), where))
    return out


def settle(found: list[Reading]) -> tuple[dict[str, Reading], list[ParseWarning]]:
    """Per column the one value its strongest readings agree on; a disagreement is a warning instead."""
    chosen: dict[str, Reading] = {}
    notes: list[ParseWarning] = []
    for col in COLUMNS:
        own = [r for r in found if r.column == col]
        if not own:
            continue
        top = max(r.strength for r in own)
        best = [r for r in own if r.strength == top]
        counts: dict[Decimal, int] = {}
        for r in best:
            counts[r.value.normalize()] = counts.get(r.value.normalize(), 0) + 1
        lead = max(counts, key=lambda v: counts[v])
        if len(counts) == 1 or (counts[lead] >= 3 and counts[lead] > sum(counts.values()) - counts[lead]):
            # one value, or one the report repeats more often than all the others together
            chosen[col] = next(r for r in best if r.value.normalize() == lead)
            continue
        shown = []
        for r in best:
            label = f"{r.where.label()} {fmt_decimal(r.value)} 万元"
            if label not in shown:
                shown.append(label)
        notes.append(ParseWarning(
            message=f"正文所写的{_COLUMN_WORDS[col]}金额不一致（{'、'.join(shown[:4])}），未采用任何一个，请核对",
            where=best[0].where, code="funding.conflicting_statements", severity="warning"))
    return chosen, notes


def prose_funding(lines: list[Line]) -> tuple[Funding | None, list[ParseWarning]]:
    """Funding of a report that states money only in sentences (None when it states none), with the
    sources an 其中 list after a chosen figure names, and the disagreements that left a column empty."""
    chosen, notes = settle(readings(lines))
    if not chosen:
        return None, notes
    first = min((r.where for r in chosen.values()), key=lambda w: w.line or 0)
    total = FundingRow(source=SOURCE_TOTAL, where=first, **{c: r.value for c, r in chosen.items()})
    sources: dict[str, FundingRow] = {}
    for col, r in chosen.items():
        for source, value in source_parts(r.sentence, r.end):
            row = sources.setdefault(source, FundingRow(source=source, where=r.where))
            if row.get(col) is None:  # type: ignore[arg-type]
                setattr(row, col, value)
    return Funding(total=total, sources=list(sources.values()), origin="prose"), notes


# ---------------------------------------------------------------------------------------------
# Label/value lines and two-cell rows: '计划安排资金：500万元', '实际支出\t450'

_LABEL_LINE = re.compile(r"^\s*([^:：\d]{2,16}?)\s*[:：]\s*(.+)$")


def label_funding(doc: Document, default_unit: str = "万元") -> Funding | None:
    """Funding from `标签：值` lines or two-cell rows ('计划安排资金：500万元', '实际支出\t450')."""
    found: dict[str, Decimal | None] = {}
    first: Where | None = None
    candidates: list[tuple[str, Cell]] = []
    for row in doc.rows:
        cells = row.nonempty()
        if len(cells) == 2 and column_of(cells[0].text) and valueish(cells[1]) and re.search(r"\d", cells[1].text):
            candidates.append((cells[0].text, cells[1]))
    for ln in doc.lines:
        m = _LABEL_LINE.match(ln.text)
        if m and column_of(m.group(1)) and re.search(r"\d", m.group(2)):
            candidates.append((m.group(1), Cell(m.group(2).strip(), ln.line)))
    for label, cell in candidates:
        col = column_of(label)
        if col is None or col in found:
            continue
        unit = unit_in(label) or default_unit
        found[col] = money(cell, label.strip(), unit)
        first = first or cell.where
    if len(found) < 2:
        return None
    total = FundingRow(source=SOURCE_TOTAL, where=first or Where(), **found)
    return Funding(total=total, origin="fields")


# ---------------------------------------------------------------------------------------------
# Rates the text states: 预算执行率100%, 支付进度 95%, 使用率100%, 资金到位率100%

_RATE_RE = re.compile(r"([\u4e00-\u9fa5]{0,8}?)(执行率|执行进度|支出进度|支付进度|使用率|支付率|支出率|完成率|到位率)"
                      r"(?:为|达到|达|是|了)?[:：\s]*(\d+(?:\.\d+)?)\s*%")
_MONEY_WORDS = ("资金", "经费", "预算", "补贴", "补助", "财政", "支付")  # 支付完成率 is money's
_SURE = ("执行率", "执行进度", "支出进度", "支付进度")


def _rate_kind(prefix: str, label: str, before: str) -> tuple[str, int] | None:
    """('execution' | 'arrival', strength) of a stated rate, or None when it is an indicator's rate."""
    money_near = any(w in prefix for w in _MONEY_WORDS)
    money_before = money_near or bool(find_money(before)) or "资金" in before
    if label == "到位率":
        return ("arrival", 2) if money_before else None
    if label in _SURE:
        return "execution", 3 if money_near or prefix.endswith(("预算", "资金")) else 2
    if label == "完成率":
        return ("execution", 1) if money_near else None  # 资金补贴完成率, never 任务完成率
    return ("execution", 2) if money_before else None  # 使用率/支付率/支出率 of money, not of a venue


def stated_rates(lines: list[Line]) -> tuple[Decimal | None, Decimal | None, list[ParseWarning]]:
    """(执行率, 到位率) as the text states them, as fractions; a disagreement leaves the rate empty."""
    found: dict[str, list[tuple[int, Decimal, Where]]] = {"execution": [], "arrival": []}
    for ln in lines:
        half = to_halfwidth(ln.text)
        stops = [i for i, ch in enumerate(half) if ch in "。!?！？;；"]
        for m in _RATE_RE.finditer(half):
            at = bisect_left(stops, m.start())
            sentence_start = max(stops[at - 1] if at else -1, m.start() - _SENTENCE_REACH)
            kind = _rate_kind(m.group(1), m.group(2), half[sentence_start + 1:m.start()])
            if kind is not None:
                found[kind[0]].append((kind[1], Decimal(m.group(3)) / 100, Where(line=ln.line)))
    out: dict[str, Decimal | None] = {}
    notes: list[ParseWarning] = []
    for kind, got in found.items():
        out[kind] = None
        if not got:
            continue
        top = max(g[0] for g in got)
        values = {g[1].normalize() for g in got if g[0] == top}
        best = [g for g in got if g[0] == top]
        if len(values) == 1:
            out[kind] = best[0][1]
            continue
        word = "执行率" if kind == "execution" else "到位率"
        shown = "、".join(f"{g[2].label()} {fmt_decimal(g[1] * 100)}%" for g in best[:4])
        notes.append(ParseWarning(message=f"正文所写的{word}不一致（{shown}），未采用任何一个，请核对",
                                  where=best[0][2], code="funding.conflicting_statements", severity="warning"))
    return out["execution"], out["arrival"], notes


# ---------------------------------------------------------------------------------------------
# An OCR'd national 自评表 whose funding row lost the spaces between its cells:
# '年度资金总额 … 全年执行数(B) 执行率(B/A)64.864.864.8100%'

_RUN = re.compile(r"(?:全年执行数|执行数|执行率)[^0-9%]{0,12}?(?P<run>\d[\d.]{5,60}?)(?P<rate>\d{1,3}(?:\.\d{1,2})?)%")


def _copies(run: str) -> Decimal | None:
    """The amount a run of digits repeats exactly three times ('64.864.864.8' → 64.8), else None."""
    if len(run) % 3:
        return None
    part = run[: len(run) // 3]
    if part * 3 != run or not re.fullmatch(r"\d+(?:\.\d{1,4})?", part):
        return None
    return Decimal(part)


def concatenated_grid(lines: list[Line]) -> tuple[Funding | None, ParseWarning | None]:
    """年初预算数, 全年预算数 and 全年执行数 run together by OCR, read only when the run is one amount three
    times and the rate written after it (全年执行数 ÷ 全年预算数) proves it: 100%. Anything else is left out."""
    for ln in lines:
        half = to_halfwidth(ln.text)
        if "资金总额" not in half:
            continue
        for m in _RUN.finditer(half):
            value = _copies(m.group("run"))
            if value is None or value <= 0 or Decimal(m.group("rate")) != 100:
                continue
            where = Where(line=ln.line)
            total = FundingRow(source=SOURCE_TOTAL, planned=value, arrived=value, spent=value, where=where)
            note = ParseWarning(message=f"{where.label()} 资金数字连在一起（“{m.group('run')}{m.group('rate')}%”），"
                                        f"按三个相同的 {fmt_decimal(value)} 万元和执行率 {m.group('rate')}% 读取，请核对原表",
                                where=where, code="funding.digits_run_together", severity="warning")
            return Funding(total=total, origin="table", stated_execution_rate=Decimal(1)), note
    return None, None


# A sentence that gives a cause, not only the shortfall ('完成率83.33%，未达成目标' says no why).
_CAUSE = re.compile(r"原因|由于|因(?!素|此)|受.{0,8}影响|推迟|延期|滞后|导致|未能|主要是|尚未|暂未|还未|没能|来不及|搬迁")


def indicator_reasons(indicators: list, lines: list[Line]) -> None:
    """Forms whose indicator table has no 偏差原因 column say why an indicator fell short in the text
    ('“危桥改造数量”指标未达成：…，2座危桥因汛期推迟开工…'): the sentence that names the indicator and a cause is
    its reason. An indicator the table already gives a reason keeps it."""
    from .. import calc  # the shortfall is the core's figure, computed once

    for ind in indicators:
        name = (ind.name or "").strip()
        ratio = calc.completion(ind).ratio
        if ind.reason.strip() or len(name) < 3 or ratio is None or ratio >= 1:
            continue
        for ln in lines:
            if "\t" in ln.text or name not in ln.text:
                continue
            sentences = re.split(r"(?<=[。；;])", ln.text)
            for k, sentence in enumerate(sentences):
                if name not in sentence:
                    continue
                # the reason may run on after a '；' ('…完成率88.33%，部分用户不配合；下一步…'), up to the advice
                joined = sentence
                for more in sentences[k + 1:]:
                    if re.match(r"\s*(?:建议|（\d+）|\(\d+\))", more) or not more.strip():
                        break
                    joined += more
                tail = joined[joined.find(name) + len(name):]
                if _CAUSE.search(tail):
                    ind.reason = joined.strip()
                    break
            if ind.reason:
                break
