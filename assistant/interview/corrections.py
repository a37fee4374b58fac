"""Corrections and edits of what is recorded: an indicator renamed, deleted, added or given another target,
actual or direction; a figure corrected wherever it appears (indicators, notes, goals, reasons); a funding
cell; a goal or a reason rewritten. Each returns the changed report and one line saying what changed, or
None when the text names nothing it can change.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from ..core.models import FundingRow, Indicator, Report, Where
from ..core.numbers import compact, fmt_decimal, parse_money_cell, NumberFormatError, to_halfwidth
from ..core.parse.paste import FAMILIES
from .spec import turn_words

_GENERIC = {"指标", "数量", "完成", "情况", "目标", "实际", "项目", "资金", "群众", "那条", "这条", "一条", "名称"}
_UNIT = (r"%|‰|个百分点|(?:万|亿)?(?:元|吨|亩|人次|人|户|次|座|所|处|台|套|件|起|家|名|篇|场|期|条|份|项|头|只|羽|株|棵|辆|册|本|间|"
         r"栋|块|批|宗|例|剂|盒|斤|公斤|kg)|平方米|立方米|公顷|公里|千米|km|米|个月|个|天|小时|分钟|月|年|周|万")
_NUM = re.compile(r"(?P<pre>[≥≤><]=?|不低于|不少于|不超过|不高于)?(?P<num>\d+(?:\.\d+)?)(?P<unit>" + _UNIT + r")?")


@dataclass
class Change:
    report: Report
    said: str            # one line: what changed
    what: str = ""       # the decision's name: 更正指标实际值, 删除指标 …


def _lcs(a: str, b: str) -> str:
    """The longest common substring of two short strings."""
    best = ""
    for i in range(len(a)):
        for j in range(i + len(best) + 1, len(a) + 1):
            if a[i:j] in b:
                best = a[i:j]
            else:
                break
    return best


def find_indicator(text: str, indicators: list[Indicator]) -> Indicator | None:
    """The indicator a sentence names: its whole name, or the longest distinctive part of it ('演练次数')."""
    key = compact(text)
    named = [i for i in indicators if i.name and compact(i.name) in key]
    if named:
        return max(named, key=lambda i: len(i.name))
    family = re.match(r"^(?:那个|这个)?(成本|满意度|时效|质量|经济效益|社会效益|生态效益|可持续)(?:指标)?(?:那个|那条|这个|这条)", key)
    if family:  # '成本那个是越低越好': the one indicator of that family
        of_family = [i for i in indicators if family.group(1) in i.level2]
        if len(of_family) == 1:
            return of_family[0]
    scored = []
    for ind in indicators:
        if not ind.name:
            continue
        common = _lcs(compact(ind.name), key)
        if len(common) >= 3 and common not in _GENERIC and not all(ch in "率数量次人" for ch in common):
            scored.append((len(common), ind))
    if not scored:
        return _by_subsequence(key, indicators)
    scored.sort(key=lambda p: -p[0])
    if len(scored) > 1 and scored[0][0] == scored[1][0]:
        return None
    return scored[0][1]


def _subsequence(a: str, b: str) -> int:
    """Length of the longest common subsequence: '资助人数' and '资助家庭经济困难学生人数' share 4."""
    prev = [0] * (len(b) + 1)
    for ch in a:
        cur = [0]
        for j, other in enumerate(b):
            cur.append(prev[j] + 1 if ch == other else max(prev[j + 1], cur[j]))
        prev = cur
    return prev[-1]


def _by_subsequence(key: str, indicators: list[Indicator]) -> Indicator | None:
    """A name said short, its characters in order ('享受补贴的老人' for 享受居家养老服务补贴老人人数)."""
    head = re.split(r"\d", key, maxsplit=1)[0][:20]
    head = re.sub(r"(?:那个|那条|这个|这条|其实|实际|目标|的|是|了)", "", head)
    if len(head) < 3:
        return None
    scored = sorted(((_subsequence(head, compact(i.name)), i) for i in indicators if i.name), key=lambda p: -p[0])
    if not scored or scored[0][0] < 3 or scored[0][0] < 0.6 * len(head):
        return None
    if len(scored) > 1 and scored[1][0] == scored[0][0]:
        return None
    return scored[0][1]


def _tokens(text: str) -> list[re.Match]:
    half = to_halfwidth(text)
    return [m for m in _NUM.finditer(half) if not re.match(r"\d", half[m.end():m.end() + 1] or "x")
            and not (m.start() and re.match(r"[\d.]", half[m.start() - 1]))]


_OLD_BEFORE = re.compile(r"(?:不是|而非|原来|原先|之前|前面说|说的|写的|写成|写了)\s*$")
_OLD_AFTER = re.compile(r"^\s*(?:是错的|错了|不对|有误|写错|说错|搞错|看错|改成|改为|改|→|->|应该|应为|不准确)")
_NEW_BEFORE = re.compile(r"(?:是|为|改成|改为|应该是|应为|其实是|实际是|实际|达到|→|->|到)\s*$")


def old_new(text: str) -> tuple[re.Match | None, re.Match | None]:
    """The figure a correction says is wrong and the one it says is right."""
    half = to_halfwidth(text)
    toks = _tokens(half)
    old = new = None
    for m in toks:
        before, after = half[max(0, m.start() - 6):m.start()], half[m.end():m.end() + 6]
        if _OLD_BEFORE.search(before) or _OLD_AFTER.match(after):
            old = old or m
        elif _NEW_BEFORE.search(before) or new is None:
            new = m
    if new is old:
        new = None
    return old, new


def _unit_like(value: str, like: str) -> str:
    """'4' said for '3次' is '4次'; '≥35' for '≥30公里' keeps the unit."""
    m_new, m_old = _NUM.fullmatch(to_halfwidth(value)), _NUM.search(to_halfwidth(like))
    if not m_new or not m_old:
        return value
    pre = m_new.group("pre") or (m_old.group("pre") or "")
    unit = m_new.group("unit") or (m_old.group("unit") or "")
    return f"{pre}{m_new.group('num')}{unit}"


def _replace_figure(text: str, old: str, new: str) -> str:
    """Every standalone occurrence of a figure: '18亩' in '受害面积18亩' but not in '118亩'."""
    return re.sub(rf"(?<![\d.]){re.escape(old)}(?![\d])", new, text)


def _texts_with(report: Report, figure: str) -> int:
    pattern = re.compile(rf"(?<![\d.]){re.escape(figure)}(?![\d])")
    count = sum(bool(pattern.search(n.text)) for n in report.notes)
    count += sum(bool(pattern.search(g.expected)) + bool(pattern.search(g.actual)) for g in report.goals)
    count += sum(bool(pattern.search(i.target)) + bool(pattern.search(i.actual)) + bool(pattern.search(i.reason))
                 for i in report.indicators)
    count += sum(bool(pattern.search(r or "")) for r in (report.funding.execution_reason, report.funding.adjustment_reason))
    return count


def _columns_meant(text: str) -> tuple[str, ...]:
    """The indicator columns a correction means: the one it names ('实际值改成4座'), else both."""
    actual, target = bool(re.search(r"实际|完成|其实", text)), bool(re.search(r"目标|计划|指标值", text))
    return ("actual",) if actual and not target else ("target",) if target and not actual else ("target", "actual")


def replace_everywhere(report: Report, old: str, new: str, columns: tuple[str, ...] = ("target", "actual")
                       ) -> tuple[Report, int]:
    out = report.model_copy(deep=True)
    n = 0
    for note in out.notes:
        fixed = _replace_figure(note.text, old, new)
        n += fixed != note.text
        note.text = fixed
    for g in out.goals:
        for attr in ("expected", "actual"):
            fixed = _replace_figure(getattr(g, attr), old, new)
            n += fixed != getattr(g, attr)
            setattr(g, attr, fixed)
    for ind in out.indicators:
        for attr in (*columns, "reason"):
            fixed = _replace_figure(getattr(ind, attr), old, new)
            n += fixed != getattr(ind, attr)
            setattr(ind, attr, fixed)
    for attr in ("execution_reason", "adjustment_reason"):
        value = getattr(out.funding, attr)
        if value:
            fixed = _replace_figure(value, old, new)
            n += fixed != value
            setattr(out.funding, attr, fixed)
    return out, n


def _with_unit_in_record(report: Report, number: str) -> str | None:
    """'93.5' said for the recorded '93.5%': the figure as recorded."""
    texts = [n.text for n in report.notes] + [g.expected + " " + g.actual for g in report.goals] + \
        [f"{i.target} {i.actual}" for i in report.indicators]
    for text in texts:
        for m in _tokens(text):
            if m.group("num") == number and m.group("unit"):
                return m.group("num") + m.group("unit")
    return None


def correct_figure(report: Report, text: str) -> Change | None:
    """'前面说受害森林面积18亩是错的，是118亩': the old figure found in what is recorded, replaced everywhere."""
    old, new = old_new(text)
    if old is None and re.search(r"准确|核对|其实|实际是|应该是|改成|不对|错了|说错|记错|打错|台账|查了|翻了", text):
        # '前面说受害森林面积18亩，今天核对了，准确数是16.5亩': of two figures in one unit, the recorded one is old
        toks = [m for m in _tokens(text) if m.group("unit")]
        recorded = [m for m in toks if _texts_with(report, m.group("num") + m.group("unit"))]
        unit = recorded[0].group("unit") if len(recorded) == 1 else None  # '…11月底验收' is another kind of figure
        others = list({(m.group("num"), m.group("unit")): m for m in toks if m not in recorded and m.group("unit") == unit}.values())
        # '目标里3200人以上 应该是3300人 …目标值也改成≥3300人': the new figure said twice is one figure
        if len(recorded) == 1 and len(others) == 1 and recorded[0].group("unit") == others[0].group("unit"):
            old, new = recorded[0], others[0]
    if old is None or new is None:
        return None
    old_s = old.group("num") + (old.group("unit") or "")
    new_s = new.group("num") + (new.group("unit") or old.group("unit") or "")
    if not old.group("unit") and new.group("unit") and _texts_with(report, old.group("num") + new.group("unit")):
        old_s = old.group("num") + new.group("unit")
    elif not old.group("unit") and not (new.group("unit") or re.search(r"万|元|预算|执行|到位|支出|资金", text)):
        recorded = _with_unit_in_record(report, old.group("num"))
        if recorded:
            old_s = recorded
            new_s = new.group("num") + (new.group("unit") or recorded[len(old.group("num")):])
    if old_s == new_s or not _texts_with(report, old_s):
        return None
    out, n = replace_everywhere(report, old_s, new_s, _columns_meant(text))
    return Change(out, f"已把“{old_s}”更正为“{new_s}”（{n}处）", "更正数字") if n else None


_COLUMN_LABEL = {"target": "目标值", "actual": "实际完成值", "name": "名称", "direction": "方向"}


def _column_said(text: str, before: int) -> str | None:
    """The indicator column named nearest before a position."""
    words = turn_words().corrections.columns
    best = None
    for col, says in words.items():
        for w in says:
            pos = to_halfwidth(text).rfind(w, 0, before)
            if pos >= 0 and (best is None or pos > best[0]):
                best = (pos, col)
    return best[1] if best else None


_COLUMN_PAIR = re.compile(r"(?P<col>目标值?|年度指标值|指标值|实际完成值?|实际值|实际|完成值?|完成了)[^\d≥≤<>，,。；;]{0,8}?"
                          r"(?P<value>(?:[≥≤<>]=?|不低于|不少于|不超过|不高于)?\d+(?:\.\d+)?(?:" + _UNIT + r")?)")


def edit_indicator(report: Report, text: str) -> Change | None:
    """'演练次数实际是4次不是3次', '隔离带目标应该是35公里以上', '受害率那个是越低越好', '目标值写错了，是≤500元，实际也是500元'."""
    ind = find_indicator(text, report.indicators)
    if ind is None:
        return None
    out = report.model_copy(deep=True)
    target = next(i for i in out.indicators if i.name == ind.name)
    half = to_halfwidth(text)
    lower = re.search(r"越(?:低|小|少)越好|反向|逆向|降低类", half)
    higher = re.search(r"越(?:高|大|多)越好|正向", half)
    if lower and (not higher or lower.start() < higher.start()):
        target.direction = "lower"
        return Change(out, f"已把“{ind.name}”改为越低越好（降），完成率重新计算", "更正指标方向")
    if higher:
        target.direction = "higher"
        return Change(out, f"已把“{ind.name}”改为越高越好（升），完成率重新计算", "更正指标方向")
    common = _lcs(compact(ind.name), compact(half))
    said = _columns_said(half.replace(common, "□" * len(common)) if len(common) >= 2 else half, ind)
    if not said:
        return None
    lines = []
    for col, value in said.items():
        previous = getattr(target, col)
        setattr(target, col, value)
        lines.append(f"{_COLUMN_LABEL[col]}由“{previous}”改为“{value}”")
        old_core, new_core = _core(previous), _core(value)
        if old_core and new_core and old_core != new_core and _shares_words(out, old_core, text):
            out, _ = _replace_in_texts(out, old_core, new_core)
    return Change(out, f"已把“{ind.name}”的" + "，".join(lines), f"更正指标{'、'.join(_COLUMN_LABEL[c] for c in said)}")


def bare_value(half: str, ind: Indicator) -> str | None:
    """'资助代表性传承人是16人，年中新增了1个': a figure in the unit of the indicator's actual, other than it."""
    unit = _NUM.search(to_halfwidth(ind.actual or ""))
    if not unit or not unit.group("unit"):
        return None
    m = re.search(r"(?:是|为|有|达到|共|到了|完成了?)\s*(?:搞了|做了|办了|开展了|组织了|举办了|弄了|干了|建了|修了)?\s*"
                  r"(\d+(?:\.\d+)?)" + re.escape(unit.group("unit")), half)  # '其实是搞了4次的
    if m and m.group(1) + unit.group("unit") != compact(ind.actual):
        return m.group(1) + unit.group("unit")
    return None


def _columns_said(half: str, ind: Indicator) -> dict[str, str]:
    """The columns a correction sets, each with its new value ('不是3次' is the old one, never the new)."""
    out: dict[str, str] = {}
    for m in _COLUMN_PAIR.finditer(half):
        if re.search(r"不是\s*$", half[max(0, m.start("value") - 3):m.start("value")]):
            continue
        col = "target" if m.group("col").startswith(("目标", "年度指标", "指标值")) else "actual"
        if col in out:
            continue
        value = _bound_value(half, m.start("value"), m.end("value"))
        value = _unit_like(value, getattr(ind, col))
        if compact(value) != compact(getattr(ind, col)):
            out[col] = value
    if out:
        return out
    old, new = old_new(half)
    if new is None:
        return {}
    named = compact(ind.name) in compact(half)  # only a name said in part can be a month's sentence about the work
    if len(compact(half)) <= 24 and _column_said(half, new.start()) is None and \
            (named or not _other_unit(half[new.start():], ind.actual)):
        value = _unit_like(_bound_value(half, new.start(), new.end()), ind.actual)
        if compact(value) != compact(ind.actual) and (old is None or compact(_unit_like(old.group(0), ind.actual)) ==
                                                       compact(ind.actual)):
            return {"actual": value}  # a short message: the figure is the indicator's actual
    if _column_said(half, new.start()) is None and old is None:
        value = bare_value(half, ind)
        return {"actual": value} if value else {}
    col = _column_said(half, new.start())
    if col not in ("target", "actual"):
        if old is not None and compact(old.group(0)) in (compact(ind.target), compact(ind.actual)):
            col = "target" if compact(old.group(0)) == compact(ind.target) else "actual"
        else:
            col = "actual"
            if _other_unit(new.group(0), ind.actual) and compact(ind.name) not in compact(half):
                return {}  # no column named: '6月开工…验收 合格' gives a month, and 合格率 is in %
    value = _unit_like(_bound_value(half, new.start(), new.end()), getattr(ind, col))
    return {} if compact(value) == compact(getattr(ind, col)) else {col: value}


def _other_unit(said: str, recorded: str) -> bool:
    """A month or a day where a value was recorded in no such unit ('6月开工…验收 合格' for 合格率 '100%')."""
    half = to_halfwidth(said)
    m_new = _NUM.search(half)  # a month is the figure's own unit: '6月' reads as 6 and 月
    if not m_new or m_new.group("unit") != "月" or re.search(r"[月日号年]", recorded or ""):
        return False
    return bool(re.match(r"\s*(?:份|底|初|中旬|上旬|下旬)?\s*(?:开工|完工|开始|进场|验收|结束|完成|启动|动工)", half[m_new.end():]))


def _bound_value(half: str, start: int, end: int) -> str:
    value = half[start:end].strip()
    value = re.sub(r"(?:吧|啊|了|的|呢)+$", "", value)
    m = re.match(r"^(?:不低于|不少于)(.+)$", value)
    if m:
        value = "≥" + m.group(1)
    m = re.match(r"^(?:不超过|不高于)(.+)$", value)
    if m:
        value = "≤" + m.group(1)
    if re.match(r"^\s*(?:以上|及以上)", half[end:end + 3]):
        value = "≥" + value.lstrip("≥")
    if re.match(r"^\s*(?:以内|以下)", half[end:end + 3]):
        value = "≤" + value.lstrip("≤")
    return value


def _core(value: str) -> str:
    """The figure inside a target or actual: '≤0.9‰' → '0.9‰', '32公里' → '32公里'."""
    m = _NUM.search(to_halfwidth(value or ""))
    return m.group("num") + (m.group("unit") or "") if m else ""


def _replace_in_texts(report: Report, old: str, new: str) -> tuple[Report, int]:
    """The old figure replaced in notes, goals and reasons (not in other indicators' cells)."""
    out = report.model_copy(deep=True)
    n = 0
    for note in out.notes:
        fixed = _replace_figure(note.text, old, new)
        n += fixed != note.text
        note.text = fixed
    for g in out.goals:
        for attr in ("expected", "actual"):
            fixed = _replace_figure(getattr(g, attr), old, new)
            n += fixed != getattr(g, attr)
            setattr(g, attr, fixed)
    return out, n


def said_texts(report: Report, reasons: bool = True) -> list[str]:
    """What the officer said as it is recorded: the notes, the goal cells and (with `reasons`) the funding reasons."""
    texts = [n.text for n in report.notes] + [g.expected for g in report.goals] + [g.actual for g in report.goals]
    return texts + ([report.funding.execution_reason or "", report.funding.adjustment_reason or ""] if reasons else [])


def _shares_words(report: Report, figure: str, text: str) -> bool:
    """A note or goal that states the old figure and shares words with the correction speaks of the same thing."""
    key = compact(re.sub(r"[\d.]+", " ", text))
    pattern = re.compile(rf"(?<![\d.]){re.escape(figure)}(?![\d])")
    texts = said_texts(report, reasons=False)
    for body in texts:
        for sentence in re.split(r"[。；;，,]", body):
            if pattern.search(sentence) and len(_lcs(compact(re.sub(r"[\d.]+", " ", sentence)), key)) >= 2:
                return True
    return False


def rename_indicator(report: Report, text: str) -> Change | None:
    half = to_halfwidth(text.strip())
    for pattern in turn_words().requests.rename:
        m = re.search(pattern, half)
        if not m:
            continue
        ind = find_indicator(m.group("old"), report.indicators) or find_indicator(half[:m.start("new")], report.indicators)
        new = re.sub(r"[。！!；;]+$", "", m.group("new")).strip("“”\"'「」：: ")
        new = re.sub(r"[”\"'」]?(?:吧|啊|呀|哈|了|呢)+$", "", new).strip("“”\"'「」 ")
        if ind is None or not new or compact(new) == compact(ind.name) or re.search(r"…|\.\.\.|那条|那句|这条", new) or \
                re.match(r"\s*(?:删掉|删除|删了|去掉)", half):
            continue  # '删掉问题与建议里 把X改成… 那条' deletes words, it renames nothing
        if re.search(r"\d", new) and re.search(r"目标|实际", new):
            continue  # '改成目标35公里' is an edit, not a name
        if re.fullmatch(r"[≥≤><]?\s*\d+(?:\.\d+)?\s*(?:%|‰|[\u4e00-\u9fa5]{0,2})?", compact(new)) or \
                re.search(r"(?:目标|目标值|实际|实际值|完成值|指标值)(?:值)?\s*$", half[:m.start("new")].rstrip("改成为换 ")) or \
                re.fullmatch(r"(?:数量|质量|时效|成本|经济效益|社会效益|生态效益|可持续影响|满意度|服务对象满意度)(?:指标)?", compact(new)):
            continue  # '把91改成92.4', '把群众满意度的目标改成90%', '把…改成质量指标': a value or a family, never a name
        return _renamed(report, ind.name, new)
    return None


def _renamed(report: Report, old: str, new: str) -> Change:
    out = report.model_copy(deep=True)
    for ind in out.indicators:
        if ind.name == old:
            ind.name = new
    return Change(out, f"已把指标“{old}”改名为“{new}”", "指标改名")


# a section of the report named as where words sit ('删掉问题与建议里 …那条'): words to take out, no table row
SECTION_NAMED = re.compile(r"(?:问题与建议|问题和建议|存在问题|概况|执行情况|实施情况|成效|经验|做法|基本情况|绩效目标|财务管理|"
                           r"资金管理|组织实施)(?:里|中|那段|那里)")


def delete_indicator(report: Report, text: str) -> Change | None:
    half = to_halfwidth(text.strip())
    if re.search(r"不要动|别动|不用动|不动|保持不变|不要改|别改", half) or SECTION_NAMED.search(half) or \
            re.search(r"改成|改为", half):
        return None  # '…实际完成值改成8.4万立方米 总体目标完成情况不要动' deletes nothing
    for pattern in turn_words().requests.delete:
        m = re.search(pattern, half)
        if not m:
            continue
        mention = re.sub(r"[“”\"「」]", "", m.group("name"))
        if re.search(r"句|段|话|字", mention):
            continue  # '那句删掉': words in the text, not an indicator
        ind = find_indicator(mention, report.indicators)
        if ind is None:
            continue
        out = report.model_copy(deep=True)
        out.indicators = [i for i in out.indicators if i.name != ind.name]
        out.judgements = [j for j in out.judgements if j.path[-1:] != [ind.name]]
        return Change(out, f"已删除指标“{ind.name}”（评分和报告中不再出现）", "删除指标")
    return None


_SOURCE_WORDS = (("中央", "中央财政"), ("省级", "省财政"), ("省", "省财政"), ("市级", "市财政"), ("市", "市财政"),
                 ("县级", "县市区财政"), ("县", "县市区财政"), ("区级", "县市区财政"), ("其他", "其它"), ("其它", "其它"))
_FUNDING_COLUMNS = (("年初预算", "planned"), ("计划投资", "planned"), ("计划安排", "planned"), ("计划", "planned"),
                    ("全年预算", "arrived"), ("到位", "arrived"), ("下达", "arrived"), ("执行数", "spent"),
                    ("支出", "spent"), ("执行", "spent"), ("结余", "balance"), ("预算", "planned"))
_COLUMN_NAMES = {"planned": "计划", "arrived": "到位", "spent": "支出", "balance": "结余"}
_FUNDING_COLUMNS = (("实际使用", "spent"), ("使用", "spent"), *_FUNDING_COLUMNS)


_CELL = re.compile(r"(?P<col>年初预算|全年预算|计划投资|计划安排|计划|预算|实际到位|到位|下达|实际支出|支出|全年执行|执行|实际使用|使用|已支付|支付数|支付|用了|花了|结余)"
                   r"(?:数|资金|额)?(?P<gap>[^\d，,。；;]{0,6}?)(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)\s*(?P<unit>万元|万|元)?")
_CELL_COLUMN = {"年初预算": "planned", "全年预算": "arrived", "计划投资": "planned", "计划安排": "planned", "计划": "planned",
                "预算": "planned", "实际到位": "arrived", "到位": "arrived", "下达": "arrived", "实际支出": "spent",
                "支出": "spent", "全年执行": "spent", "执行": "spent", "实际使用": "spent", "使用": "spent", "已支付": "spent",
                "支付数": "spent", "支付": "spent", "用了": "spent", "花了": "spent", "结余": "balance"}
_ROW_SOURCE = re.compile(r"(当年财政拨款|上年结转(?:资金)?|其他资金|乡镇(?:财政)?(?:配套)?|中央|省级?|市级?|县市区|县级?|区级?|县里|省里|市里|本级|自筹|"
                         r"其他|其它|合计)(?:财政|资金|配套)*(?:那一?行|这一?行|那块)?")
_NAMED_ROWS = {"当年财政拨款": "当年财政拨款", "上年结转": "上年结转资金", "上年结转资金": "上年结转资金", "其他资金": "其它"}


_NOT_A_FUNDING_CELL = re.compile(r"原因|因为|由于|主要是|导致|造成|电话|手机|座机|负责人|联系人|满意度|指标|人次|\d+\s*(?:人|所|户|家|个|名|座|亩|公里)|"
                                 r"\d{3,4}-\d{7,8}|1[3-9]\d{9}")
_CELL_SAID = re.compile(r"(?:计划安排|计划投资|年初预算|全年预算|全年执行|实际到位|实际支出|实际使用|到位资金|结余|合计|总计)"
                        r"(?:数|资金|额)?[^，,。；;\d]{0,6}(?:改成|改为|应为|应该是|更正为|是|为)\s*\d")


def correct_funding(report: Report, text: str, national: bool = False) -> Change | None:
    """'县级到位是260万 不是250', '县市区那行：计划160，到位130，支出106.2', '资金表里72.6改成76.2，省财政那行的实际支出…':
    the cells a sentence gives, in the row it names (the 合计 moved with them)."""
    half = to_halfwidth(text)
    if report.funding.origin == "none" or re.search(r"明细|第\s*\d+\s*[行条项笔]|名称|凭证|改名", half):
        return None  # '支出明细第5行名称改成…' is about an expense row: its 5 is no amount
    if _NOT_A_FUNDING_CELL.search(half) and not _CELL_SAID.search(half):
        # a reason ('省里追加下达的42万 应该是这个原因吧', '少了150人'), a phone ('电话…应该是0730-7621385') or an
        # indicator: its numbers are no funding cell unless a cell is named right beside a new value
        return None
    segments = _row_segments(half)
    if len(segments) > 1:  # '当年财政拨款那行漏了：年初1500 全年1550 执行1490.2，上年结转全年预算是100': row by row
        out, said = report, []
        for segment in segments:
            change = correct_funding(out, segment, national)
            if change is not None:
                out, said = change.report, said + [change.said.removeprefix("已更正资金：")]
        return Change(out, "已更正资金：" + "；".join(said), "更正资金") if said else None
    named = _ROW_SOURCE.search(half)
    source = None
    if named and named.group(1) != "合计":
        source = _NAMED_ROWS.get(named.group(1)) or ("县市区财政" if named.group(1) == "县市区" else
                                                    next((s for w, s in _SOURCE_WORDS if named.group(1).startswith(w)), None))
        if named.group(1).startswith("乡镇"):  # a row of the grid by its own name, or a new one ('乡镇配套')
            source = next((r.source for r in report.funding.sources if r.source.startswith("乡镇")), "乡镇配套")
    if source is None and report.funding.sources and re.search(r"(?:那|这|一|新)行|加一行|添一行|行资金", half) and \
            not re.search(r"合计|总计|总数|一共", half):
        return None  # a row the words name but no known source is never the 合计
    cells: dict[str, Decimal] = {}
    for m in _CELL.finditer(half):
        if half[m.end("col"):m.end("col") + 1] == "率":
            continue  # 执行率 / 到位率 are not cells
        if re.search(r"不是\s*$", half[max(0, m.start("num") - 3):m.start("num")]) or \
                re.match(r"\s*(?:没错|不变|对的|是对的|没问题)", half[m.end():m.end() + 4]):
            continue
        col = _CELL_COLUMN[m.group("col")]
        if national and m.group("col") == "预算" and "全年" not in half:
            col = "planned"
        if re.search(r"不对|错了|应该是|改成|改为", m.group("gap")):
            continue  # 'X不对，应该是Y': the value after the cue is read below
        try:
            value = parse_money_cell(m.group("num") + (m.group("unit") or ""))
        except NumberFormatError:
            continue
        if value is not None and col not in cells:
            cells[col] = value
    # the new value: never a rate ('精准率还是99.2%'), nor what stays ('还是', '也是')
    said_new = re.search(r"(?:应该是|改成|改为|→|->|其实是|准确的?是|(?<![不还也])是)\s*(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
                         r"(?![\d.]|,\d|\s*%)\s*(万元|万|元)?", half)
    if said_new and not cells or said_new and re.search(r"不对|不是|改成|改为|→|->|应该是", half):
        # 'X不对，应该是Y' / 'X改成Y': Y, in the column named, or in the cell that holds X
        try:
            value = parse_money_cell(said_new.group(1) + (said_new.group(2) or ""))
        except NumberFormatError:
            return None
        col = next((_CELL_COLUMN[w] for w in sorted(_CELL_COLUMN, key=len, reverse=True) if w in half), None)
        old = re.search(r"(\d+(?:\.\d+)?)\s*(?:万元|万)?\s*(?:不对|改成|改为|→|->|是错的)|不是\s*(\d+(?:\.\d+)?)", half)
        located = _cell_holding(report, old.group(1) or old.group(2)) if old else None
        if located is not None:
            source, col = located
        if col is not None and value is not None:
            cells = {col: value}
    if not cells:
        return None
    out = report.model_copy(deep=True)
    rows = out.funding.sources
    row = next((r for r in rows if r.source == source), None) if source else None
    # a row the grid left out ('乡镇配套那行咋没了 乡镇配套计划150 到位80 用了56 要加上')
    added = row is None and source is not None and \
        bool(re.search(r"漏了|少了|补上|加上|没列|没了|没有了|不见了|加一行|添一行|增加一行|新增|要加|还有", half))
    if added:
        row = FundingRow(source=source, where=Where(cell="经办人补充"))
        rows.append(row)
    said = []
    for col, value in cells.items():
        if row is not None:
            previous = row.get(col)
            if previous == value:
                continue
            setattr(row, col, value)
            said.append(f"{row.source}{_COLUMN_NAMES[col]}由{_fmt(previous)}改为{fmt_decimal(value)}万元")
            if out.funding.total.get(col) is not None and previous is not None:
                setattr(out.funding.total, col, out.funding.total.get(col) + value - previous)
                said.append(f"合计{_COLUMN_NAMES[col]}随之为{fmt_decimal(out.funding.total.get(col))}万元")
        else:
            previous = out.funding.total.get(col)
            if previous == value:
                continue
            setattr(out.funding.total, col, value)
            said.append(f"{_COLUMN_NAMES[col]}合计由{_fmt(previous)}改为{fmt_decimal(value)}万元")
    if not said:
        return None
    for r in [out.funding.total, *rows]:  # a balance shown is the one the new cells give
        if r.balance is not None and r.arrived is not None and r.spent is not None:
            r.balance = r.arrived - r.spent
    if added:
        cells_said = "，".join(f"{_COLUMN_NAMES[c]}{fmt_decimal(v)}万元" for c, v in cells.items())
        return Change(out, f"已在资金表中补上“{row.source}”一行：{cells_said}（合计不变）", "补充资金来源")
    return Change(out, "已更正资金：" + "，".join(said), "更正资金")


def _row_segments(half: str) -> list[str]:
    """A sentence that names two funding rows, cut at the second name."""
    starts = [m.start() for m in _ROW_SOURCE.finditer(half) if m.group(1) != "合计"]
    if len(starts) < 2:
        return [half]
    bounds = starts + [len(half)]
    return [half[a:b] for a, b in zip(bounds, bounds[1:]) if re.search(r"\d", half[a:b])]


def _cell_holding(report: Report, number: str) -> tuple[str | None, str] | None:
    """The row and column of the one funding cell that holds a figure ('72.6' → 省财政 spent)."""
    try:
        value = Decimal(number.replace(",", ""))
    except InvalidOperation:
        return None
    found = [(r.source if r is not report.funding.total else None, c)
             for r in [report.funding.total, *report.funding.sources] for c in ("planned", "arrived", "spent", "balance")
             if r.get(c) == value]  # type: ignore[arg-type]
    return found[0] if len(found) == 1 else None


def phone_tail(report: Report, text: str) -> Change | None:
    """'电话后四位应该是1243，不是1234': the last digits of the phone recorded."""
    m = re.search(r"(?:电话|手机|号码)[^\d]{0,6}后(?:四|4|三|3)位(?:应该)?(?:是|为|改成)\s*(\d{3,4})", to_halfwidth(text))
    phone = report.project.phone or ""
    if not m or len(re.sub(r"\D", "", phone)) < 7:
        return None
    digits = m.group(1)
    out = report.model_copy(deep=True)
    out.project.phone = phone[:-len(digits)] + digits
    return Change(out, f"已更正联系电话：{out.project.phone}", "更正联系电话")


def _fmt(value) -> str:
    return "空" if value is None else fmt_decimal(value)


def correct_text(report: Report, text: str) -> Change | None:
    """'预期目标改成：…', '执行率的原因改一下：…': the text after the colon or 改成 replaces the recorded one."""
    half = to_halfwidth(text)
    m = re.search(r"(?:改成|改为|换成|应该是|应为|写成|重写为|[:：])\s*(?P<new>.{6,})$", half)
    if not m:
        return None
    new = m.group("new").strip()
    head = half[:m.start()]
    words = turn_words().corrections
    out = report.model_copy(deep=True)
    for key, says in words.goal.items():
        if any(w in head for w in says):
            goal = out.goals[0] if out.goals else None
            if goal is None:
                from ..core.models import QualitativeGoal
                goal = QualitativeGoal()
                out.goals = [goal]
            setattr(goal, key, new)
            return Change(out, f"已改写{'年度总体目标' if key == 'expected' else '总体目标完成情况'}", "改写目标")
    for key, says in words.reason.items():
        if any(w in head for w in says) and re.search(r"原因", head):
            setattr(out.funding, f"{key}_reason", new)
            return Change(out, f"已改写{'执行率偏差原因' if key == 'execution' else '预算调整原因'}", "改写原因")
    ind = find_indicator(head, report.indicators)
    if ind is not None and "原因" in head:
        for i in out.indicators:
            if i.name == ind.name:
                i.reason = new
        return Change(out, f"已改写“{ind.name}”未达成原因", "改写原因")
    return None


def number_of(text: str) -> Decimal | None:
    try:
        return Decimal(text)
    except InvalidOperation:
        return None


_PHRASE = (re.compile(r"(?:前面|刚才|之前)?(?:说的|写的)?(?:说)?(?P<old>[^，,。；;\s]{2,16}?)[，,\s]*(?:不对|是错的|错了|有误|写错了|说错了|不准确|不完整|不太对)"
                      r"[，,\s]*(?:应该|其实|实际|今年|准确的?|我们)?是(?P<new>[^，,。；;\s]{2,24}(?:\s+[^，,。；;\s]{2,12}){0,2}$|"
                      r"[^，,。；;\s]{2,24})"),
           re.compile(r"(?P<old>[^，,。；;\s]{2,8}?)(?:应该是|应为|应该叫)(?P<new>[^，,。；;\s]{2,12})"),
           re.compile(r"不是(?P<old>[^，,。；;\s]{2,16}?)[，,\s]*(?:而)?是(?P<new>[^，,。；;\s]{2,24})"),
           re.compile(r"是(?P<new>[^，,。；;\s]{2,16}?)[，,\s]*(?:而)?不是(?P<old>[^，,。；;\s]{2,16})$"))


def correct_phrase(report: Report, text: str) -> Change | None:
    """'资金那块不是按月拨付，是按季度拨的', '写的分管副县长当组长 不对 是县长亲自当的组长': a phrase in what is
    recorded, said again; what the two share keeps its place ('按月拨付' → '按季度拨付')."""
    half = to_halfwidth(text)
    for pattern in _PHRASE:
        m = pattern.search(half)
        if not m:
            continue
        old, new = m.group("old"), re.sub(r"(?:的|了|吧|啊)+$", "", m.group("new").strip())
        parts = new.split()
        if len(parts) > 1 and any(re.search(r"[没不在是了因由]", p) or old in p for p in parts[1:]):
            new = parts[0]  # '应该是顾桥 项目没在丁集': the value, then why
        new = re.sub(r"\s+", "、", new)  # '是乡镇初验 市里抽查复验': the parts of one phrase
        said_value = re.split(r"是|为", old)[-1]
        if said_value != old and len(said_value) >= 2:
            old = said_value  # '指挥部组长是副县长 不对 是县长': the value said wrong, not what it is the value of
        if re.search(r"名字|名称|全称|叫法|写法", m.group("old")):
            continue  # '中标单位名字打错了 是…': the name is what is said, not the words before it (correct_misspelt)
        if re.search(r"我|你|顺便|刚才|说的|那个|原因|指标|改一下", new) or len(old) < 2:
            continue  # talk about the talk, or about the record's structure: not words to put into a text
        found = _longest_recorded(report, old)
        if not found or not new or len(found) < max(2, len(old) // 2) or (found in new and found != old):
            continue  # '卫生建康局应该是卫生健康局': 卫生 is what stays, not what is wrong — never replaced everywhere
        replacement = _align(found, new)
        if replacement == found:
            continue
        out, n = replace_phrase(report, found, replacement)
        if n:
            return Change(out, f"已把“{found}”改为“{replacement}”（{n}处）", "更正文字")
    return None


def _longest_recorded(report: Report, phrase: str) -> str | None:
    """The longest part of a phrase (at least two characters) that a recorded text holds."""
    texts = said_texts(report)
    for size in range(len(phrase), 1, -1):
        for i in range(0, len(phrase) - size + 1):
            piece = phrase[i:i + size]
            if any(piece in t for t in texts):
                return piece
    return None


def _align(old: str, new: str) -> str:
    """'按月拨付' said again as '按季度拨' → '按季度拨付': the new words, with the old one's tail they leave out."""
    import os
    tail = old[-2:]
    if len(old) >= 3 and tail in new and not new.endswith(tail):  # '县长亲自挂帅' for '分管副县长': up to '县长'
        new = new[:new.index(tail) + len(tail)]
        return new
    prefix = os.path.commonprefix([old, new])
    a_rest, b_rest = old[len(prefix):], new[len(prefix):]
    common = _lcs(a_rest, b_rest)
    if not common or new.endswith(old[-1:]):
        return new
    a_tail = a_rest[a_rest.find(common) + len(common):]
    b_tail = b_rest[b_rest.find(common) + len(common):]
    return new if b_tail else new + a_tail


def correct_misspelt(report: Report, text: str) -> Change | None:
    """'中标单位名字打错了 是安徽恒明照明工程有限公司': a name said again right, where the record holds it with one or
    two characters wrong ('安徽恒亮照明工程有限公司'); the name said, never the word that introduced it."""
    if not re.search(r"打错|写错|说错|错了|不对|有误|错别字|应该是|应为", text):
        return None
    m = re.search(r"(?:(?<!不)是|应该是|应为|叫|改成|改为)\s*[“\"「]?(?P<new>[^，,。；;\s“”\"「」]{4,30})[”\"」]?\s*[。！!]*$", text.strip())
    if not m:
        return None
    new = m.group("new")
    texts = said_texts(report)
    found = set()
    for t in texts:
        for i in range(0, len(t) - len(new) + 1):
            window = t[i:i + len(new)]
            wrong = sum(1 for a, b in zip(window, new) if a != b)
            if 0 < wrong <= min(2, len(new) // 4) and window[0] == new[0] and window[-1] == new[-1]:
                found.add(window)
    if len(found) != 1:
        return None
    old = found.pop()
    out, n = replace_phrase(report, old, new)
    return Change(out, f"已把“{old}”改为“{new}”（{n}处）", "更正文字") if n else None


def replace_phrase(report: Report, old: str, new: str) -> tuple[Report, int]:
    out = report.model_copy(deep=True)
    n = 0
    for note in out.notes:
        if old in note.text:
            note.text, n = note.text.replace(old, new), n + 1
    for g in out.goals:
        for attr in ("expected", "actual"):
            if old in getattr(g, attr):
                setattr(g, attr, getattr(g, attr).replace(old, new))
                n += 1
    for attr in ("execution_reason", "adjustment_reason"):
        value = getattr(out.funding, attr)
        if value and old in value:
            setattr(out.funding, attr, value.replace(old, new))
            n += 1
    return out, n


def family_said(text: str) -> tuple[str, str] | None:
    """(一级, 二级) a clause names as an indicator's family, not the one it says it is not ('不是数量的')."""
    half = re.sub(r"不是[^，,。；;]{0,8}", "", to_halfwidth(text))
    for word, level1, level2 in FAMILIES:
        if re.search(rf"{word}(?:影响)?(?:指标|的|类|$|[，,。\s])", half):
            return level1, level2
    return None


def reclassify(report: Report, text: str) -> Change | None:
    """'年客运量应该是效益指标里的社会效益 不是数量的，通客车率算质量指标': each named indicator moved to the family
    its clause names."""
    out = report.model_copy(deep=True)
    said = []
    for clause in re.split(r"[，,。；;]", to_halfwidth(text)):
        if not re.search(r"指标|算|属于|归|应该是|是|的", clause):
            continue
        ind = find_indicator(clause, out.indicators)
        family = family_said(clause.replace(ind.name, "") if ind else clause)
        if ind is None or family is None or ind.level2 == family[1]:
            continue
        ind.level1, ind.level2 = family
        said.append(f"“{ind.name}”归为{family[1]}")
    return Change(out, "已改：" + "；".join(said) + "（评分按新的归类计算）", "指标改归类") if said else None


_QUOTED = re.compile(r"把?\s*[“\"‘'「](?P<old>[^”\"’'」]{1,40})[”\"’'」][^“\"‘'「]{0,14}?(?:的)?(?:不准确|不对|有误|错了|写错了)?[，,\s]*"
                     r"(?:改成|改为|换成|替换成|改回|改回成|应该是|应为|应该写|我们是|是)\s*[“\"‘'「]?(?P<new>[^”\"’'」，,。；;]{1,40})[”\"’'」]?")


def replace_quoted(report: Report, text: str) -> Change | None:
    """'把“社会效益指标班线”改成“农村客运班线”': the quoted words wherever they were recorded (or the indicator so named)."""
    m = _QUOTED.search(to_halfwidth(text).replace("\u201c", "“").replace("\u201d", "”"))
    if not m:
        return None
    old, new = m.group("old").strip(), m.group("new").strip()
    if any(i.name == old for i in report.indicators):
        return _renamed(report, old, new)
    out, n = replace_phrase(report, old, new)
    return Change(out, f"已把“{old}”改为“{new}”（{n}处）", "更正文字") if n else None


def _loose_pattern(words: str) -> re.Pattern | None:
    """The words with marks, spaces and a 元 after 万 left optional between their characters."""
    key = re.sub(r"[\s，,。；;、：:！!“”\"]", "", words).replace("万元", "万")
    if len(key) < 6:
        return None
    gap = r"[\s，,。；;、：:！!]*"
    return re.compile(gap.join(re.escape(c) + ("元?" if c == "万" else "") for c in key) + "[，,。；;]?")


def delete_text(report: Report, text: str) -> Change | None:
    """'把“这个先放放”那句删了', '偏差原因里多了一句“…”，那句删掉': quoted words taken out of what was recorded (a note
    left empty goes); every passage quoted in the message ('删掉“A” 还有“B”也删')."""
    half = to_halfwidth(text).replace("\u201c", "“").replace("\u201d", "”")
    if not re.search(r"删|去掉|不要|拿掉|多了", half):
        return None
    quoted = [m.group("words") for m in re.finditer(r"[“\"「](?P<words>[^”\"」]{2,200})[”\"」]", half)]
    if not quoted:
        bare = re.search(r"^\s*(?:删掉|删除|去掉)\s*(?:[^，,。\s]{2,8}(?:里|中)的?)?\s*(?P<words>[^“”\"]{4,60}?)[…\s]*"
                         r"(?:那条|那句|那段|这句|这条)", half)  # '删掉问题与建议里 把第三方服务费改成… 那条'
        quoted = [bare.group("words")] if bare else []
    out, gone = report, []
    for words in (w.strip().rstrip("…") for w in quoted):
        if any(i.name == words for i in report.indicators):
            continue  # '删掉“资助政策知晓率”这一行': the indicator, not words in a text
        out, n = _without_words(out, words)
        if n:
            gone.append(f"“{words[:20]}”（{n}处）")
    return Change(out, "已删去" + "、".join(gone), "删去文字") if gone else None


def _without_words(report: Report, words: str) -> tuple[Report, int]:
    out = report.model_copy(deep=True)
    n = 0
    loose = _loose_pattern(words)
    key = _plain(words)
    for note in list(out.notes):
        if words in note.text:
            note.text = note.text.replace(words, "").strip("，,。；; ")
        elif loose is not None and loose.search(note.text):
            # quoted as the draft shows it ('年初预算120万元，后面…调减了5万元') where the officer's words were
            # '年初预算120万 后面…调减了5万': the same words, marks and 元 aside
            note.text = loose.sub("", note.text, count=1).strip("，,。；; ")
        elif len(key) >= 8 and _subsequence(key, _plain(note.text)) >= 0.8 * max(len(key), len(_plain(note.text))):
            note.text = ""  # the whole note quoted as the draft shows it, its spoken words put in report prose
        else:
            continue
        n += 1
        if not note.text:
            out.notes.remove(note)
    for g in out.goals:
        for attr in ("expected", "actual"):
            if words in getattr(g, attr):
                setattr(g, attr, getattr(g, attr).replace(words, "").strip("，,。；; "))
                n += 1
    for attr in ("execution_reason", "adjustment_reason"):
        value = getattr(out.funding, attr)
        if value and words in value:
            setattr(out.funding, attr, value.replace(words, "").strip("，,。；; ") or None)
            n += 1
    for ind in out.indicators:
        if ind.reason and words in ind.reason:
            ind.reason, n = ind.reason.replace(words, "").strip("，,。；; "), n + 1
    return out, n


def _plain(text: str) -> str:
    return re.sub(r"[\s，,。；;、：:！!？?“”\"]", "", to_halfwidth(text)).replace("万元", "万")


_GOAL_CELL = re.compile(r"(?P<which>(?:(?:年度)?总体目标|年度目标|绩效目标)?(?:的)?(?:实际)?完成情况|实际完成情况|(?:年度)?预期目标|"
                        r"(?:年度)?总体目标(?=(?:那栏|那格|那段)?(?:写错了|不对)?[，,]?(?:改成|改为|应该是|应为|写成)))"
                        r"(?:那栏|那格|那段|那一栏|栏)?(?:写错了|不对|有误)?[，,\s]*(?:改成|改为|应该是|应为|写成|改一下|改下|更新为|换成|是|为)[:：\s]*"
                        r"(?P<value>.{4,})$")


def correct_goal_cell(report: Report, text: str) -> Change | None:
    """'总体目标完成情况改成：…', '实际完成情况是：…', '预期目标改为：…': the 年度总体目标 cell named, its whole text
    replaced — never an indicator's value, never the other cell."""
    if not report.goals:
        return None
    said = text.strip()
    m = _GOAL_CELL.search(to_halfwidth(said))
    if m is None:
        return None
    value = said[m.start("value"):].strip().strip("“”\"「」")  # as typed: to_halfwidth keeps positions
    out = report.model_copy(deep=True)
    goal = out.goals[0]
    if "预期" in m.group("which") or ("完成" not in m.group("which")):
        previous, goal.expected = goal.expected, value
        return Change(out, f"已改写年度总体目标的预期目标（原为：{previous[:30] or '空'}…）", "改写预期目标")
    previous, goal.actual = goal.actual, value
    return Change(out, f"已改写年度总体目标的实际完成情况（原为：{previous[:30] or '空'}…）", "改写实际完成情况")


def _distinct_number(value: str) -> str | None:
    """The number of a recorded value when it is distinctive enough to find in prose by itself ('2915人' → '2915',
    '93.5%' → '93.5'); '3次' is not (a 3 in a sentence may be anything)."""
    m = re.search(r"\d+(?:\.\d+)?", to_halfwidth(value or ""))
    if not m or (len(m.group(0).replace(".", "")) < 3 and "." not in m.group(0)):
        return None
    return m.group(0)


def carry_figures(before: Report, after: Report) -> Report:
    """A figure corrected in a table (an indicator's value, a funding cell) is corrected where the officer's own
    sentences state it too — '2915名' in 实际完成 and in a note after '享受补贴老人人数 实际2951人': one fact, one
    value. Only figures distinctive enough to be the same fact, and only in the officer's texts."""
    pairs: list[tuple[str, str]] = []
    for old_ind, new_ind in zip(before.indicators, after.indicators):
        for attr in ("target", "actual"):
            a, b = _distinct_number(getattr(old_ind, attr)), _distinct_number(getattr(new_ind, attr))
            if a and b and a != b:
                pairs.append((a, b))
    rows = lambda f: [f.total, *f.sources]  # noqa: E731
    for old_row, new_row in zip(rows(before.funding), rows(after.funding)):
        for attr in ("planned", "arrived", "spent", "balance"):
            a, b = getattr(old_row, attr), getattr(new_row, attr)
            if a is not None and b is not None and a != b:
                a_s, b_s = _distinct_number(_fmt(a)), _fmt(b)
                if a_s:
                    pairs.append((a_s, b_s))
    out = after
    for a, b in dict(pairs).items():  # the tables already hold the new value: no indicator column is touched
        out, _ = replace_everywhere(out, a, b, columns=())
    return out


_LISTED = re.compile(r"(?P<items>[\u4e00-\u9fa5]{1,6}(?:、[\u4e00-\u9fa5]{1,6})+?)(?:等|共)?(?P<count>\d+|[一二两三四五六七八九十]+)"
                     r"个(?P<noun>[\u4e00-\u9fa5]{1,4}?)(?=[，,。；;、\s的]|$)")


def correct_list(report: Report, text: str) -> Change | None:
    """'前面说的3个乡镇不对，是钱庙、杨村、丁集、顾桥4个乡镇': a list said again in full, with its count, replaces the
    recorded list of the same things ('钱庙、杨村、丁集3个乡镇') wherever the officer's texts hold it."""
    import os

    said = _LISTED.search(to_halfwidth(text))
    if said is None:
        return None
    new_items = said.group("items").split("、")
    texts = said_texts(report, reasons=False)
    for recorded in (m for t in texts for m in _LISTED.finditer(t)):
        old_items = recorded.group("items").split("、")
        # the first item runs into the words before it ('涉及钱庙', '是钱庙'): the part both end with is the item
        first = os.path.commonprefix([old_items[0][::-1], new_items[0][::-1]])[::-1]
        if recorded.group("noun") != said.group("noun") or len(first) < 2:
            continue
        old_list, new_list = [first, *old_items[1:]], [first, *new_items[1:]]
        if old_list == new_list or new_list[:len(old_list)] != old_list and not set(old_list) <= set(new_list):
            continue  # the same things: the recorded list is the new one's start, or all of it is in the new one
        old = "、".join(old_list) + recorded.group(0)[len(recorded.group("items")):]
        new = "、".join(new_list) + said.group(0)[len(said.group("items")):]
        out, n = replace_phrase(report, old, new)
        if n:
            return Change(out, f"已把“{old}”改为“{new}”（{n}处）", "更正文字")
    return None
