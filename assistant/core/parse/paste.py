"""What an officer pastes or types into the chat, read into a `Report`: the same readers as a whole report,
after the damage copying does is undone, and with the shapes a paste takes that a filed report does not:

- header cells broken over lines by Word or quoted by Excel ('计划安排\\n资金（万元）');
- an indicator table of two or three columns (指标名称 | 目标值 | 实际值, no 一级/二级), its family
  guessed from the indicator's own words and shown on the card to confirm;
- a national 自评表 funding row pasted without its header ('年度资金总额 645 645 603.2 10 93.52% 9.35');
- figures said in a sentence the way officers say them ('计划安排280万元，到位280万 实际花了250.7万',
  '年初预算468.5万 全年预算512.3 执行498.76万', '全部花完了'), with the sources or expense parts an 其中
  list names;
- expense lines ('扑火装备购置 624000元 2024年5月12#'), amounts in 元 with no unit in the header.
Money is never guessed: an amount is taken only where its column is said.
"""
from __future__ import annotations

import re
from decimal import Decimal

from ..forms import layout_of
from ..models import SOURCE_TOTAL, ExpenseLine, Funding, FundingRow, Indicator, ParseWarning, Report, Where
from ..numbers import cn_amounts_in_wan, compact, parse_decimal, to_halfwidth
from .errors import ParseError
from .vocab import indicator_column

_DATA = re.compile(r"\d")


def rejoin_broken_cells(text: str) -> str:
    """A tab-separated paste whose header cells hold line breaks: the header lines joined back into one
    row with as many cells as the data rows have ('项目资金\\n（万元）\\t计划安排\\n资金…')."""
    text = re.sub(r'"([^"\t]*)"', lambda m: m.group(1).replace("\n", ""), text)  # Excel quotes a cell with a break
    lines = text.split("\n")
    data_tabs = [ln.count("\t") for ln in lines if "\t" in ln and _DATA.search(ln)]
    if not data_tabs:
        return text
    width = max(set(data_tabs), key=data_tabs.count)
    out: list[str] = []
    k = 0
    while k < len(lines):
        line = lines[k]
        if line.count("\t") < width and not _numbers_row(line) and not re.search(r"[：:。]\s*$", line) and \
                not re.search(r"单位[:：]|表\s*$|明细表|^\s*(?:19|20)\d{2}年", line) and not _LABEL_LINE.match(line) and \
                not (k + 1 < len(lines) and lines[k + 1].count("\t") == width):  # the next line is a whole row
            joined, j = line, k
            while joined.count("\t") < width and j + 1 < len(lines) and not _numbers_row(lines[j + 1]) and \
                    not _LABEL_LINE.match(lines[j + 1]):
                j += 1
                joined += lines[j]
            if joined.count("\t") == width and j > k:
                out.append(joined)
                out.extend([""] * (j - k))  # the lines below keep their numbers: errors name them as pasted
                k = j + 1
                continue
        out.append(line)
        k += 1
    return "\n".join(out)


# '项目名称：2023年城区背街小巷改造' above a grid is a field of its own, never part of a broken header cell
_LABEL_LINE = re.compile(r"^\s*[\u4e00-\u9fa5]{2,8}\s*[：:]\s*\S")


def _numbers_row(line: str) -> bool:
    cells = [c for c in line.split("\t") if c.strip()]
    return sum(1 for c in cells if re.search(r"\d", c)) >= 2


def spaces_to_tabs(text: str) -> str:
    """Cells separated by runs of spaces (full-width ones from Word, or single spaces typed by hand) as tabs:
    '资金来源\u3000\u3000计划投资额…', '指标内容 目标值 实际完成值'."""
    if "\t" in text:
        return text
    text = re.sub(r"(?m)^([合总小])[\u3000 ]{1,4}(计)", r"\1\2", text)  # '合　　计' is one label
    if "|" in text and not text.lstrip().startswith("|") and \
            sum(1 for ln in text.split("\n") if ln.count("|") >= 2) >= 2:
        return text.replace("|", "\t")  # '一级指标|二级指标|…' and '|质量指标|…' (a merged cell kept)
    if re.search(r"\S\u3000+\S", text):
        return re.sub(r"\u3000+| {2,}", "\t", text)
    multi = [ln for ln in text.split("\n") if len(ln.split()) >= 3]
    if multi and sum(1 for ln in multi if re.search(r"\S {2,}\S", ln)) * 3 >= len(multi) * 2:
        return re.sub(r" {2,}", "\t", text)  # cells set apart by runs of spaces
    lines = [ln for ln in text.split("\n") if ln.strip() and not re.match(r"\s*[（(注]", ln)]
    counts = [len(ln.split()) for ln in lines if len(ln.split()) >= 3]
    if len(counts) < 2:
        return text
    width = max(set(counts), key=counts.count)
    rows = [ln for ln in lines if abs(len(ln.split()) - width) <= 1 and len(ln.split()) >= 3]
    if len(rows) < 2 or len(rows) < (len(lines) * 2) // 3 or sum(1 for ln in rows if re.search(r"\d", ln)) < len(rows) - 1:
        return text
    # the table's rows as tabs; a title, a unit line or a remark around it stays as it is
    return "\n".join("\t".join(ln.split()) if ln in rows else ln for ln in text.split("\n"))


_FAMILY_LABEL = re.compile(r"^(?:项目)?(?:产出|效益|满意度)指标$|^(?:数量|质量|时效|成本|经济效益|社会效益|生态效益|环境效益|可持续影响|"
                           r"服务对象满意度|满意度)(?:指标)?$")


def one_cell_per_line(text: str) -> list[Indicator]:
    """An indicator table copied from Word one cell per line: family labels, then name, target, actual."""
    lines = [ln.strip() for ln in text.split("\n") if ln.strip()]
    if "\t" in text or len(lines) < 6:
        return []
    out: list[Indicator] = []
    level1 = level2 = ""
    k = 0
    while k < len(lines):
        line = lines[k]
        if _FAMILY_LABEL.match(line):
            if line.endswith("指标") and re.match(r"^(?:项目)?(?:产出|效益|满意度)", line) and "满意度指标" != line[-5:]:
                level1 = re.sub(r"^项目", "", line)
            else:
                level2 = line if line.endswith("指标") else line + "指标"
            k += 1
            continue
        if re.match(r"^(?:一级指标|二级指标|三级指标|指标内容|指标（目标）|指标\(目标\)|值|实际完成|实际完成值|年度指标值|目标值|实际值|分值|得分)$", line):
            k += 1
            continue
        if k + 2 < len(lines) + 0 and k + 2 <= len(lines) - 1 and not _DATA.fullmatch(line) and _quantity(lines[k + 1]) and \
                _quantity(lines[k + 2]) and not _quantity(line):
            guess1, guess2 = family_of(line)
            out.append(Indicator(level1=level1 or guess1, level2=level2 or guess2, name=line, target=lines[k + 1],
                                 actual=lines[k + 2], where=Where(cell=f"第{k + 1}行")))
            k += 3
            continue
        k += 1
    return out if len(out) >= 2 else []


def spread_label_values(text: str) -> str:
    """'计划投资额：１２００万元；实际到位：１１５０万元；…' — one label and value per line."""
    half = to_halfwidth(text)
    if "\t" in half or half.count("：") + half.count(":") < 2:
        return text
    return re.sub(r"[；;]\s*", "\n", half)


# ------------------------------------------------------------------------------------- indicator tables

_FAMILY_WORDS = (
    ("满意度指标", "服务对象满意度指标", ("满意",)),
    ("产出指标", "成本指标", ("成本", "单价", "每公里", "每吨", "人均", "标准", "吨水", "造价", "费用")),
    ("产出指标", "时效指标", ("及时", "按时", "按期", "时限", "时间", "发放率", "拨付率", "完成时间", "周期", "准点", "正点")),
    ("产出指标", "质量指标", ("合格率", "达标率", "验收", "精准", "准确率", "质量", "完好率", "修复")),
    ("效益指标", "经济效益指标", ("经济", "增收", "产能", "收入", "产值", "损失", "节约")),
    ("效益指标", "生态效益指标", ("生态", "削减", "排放", "水质", "森林覆盖", "绿化", "污染", "COD", "化学需氧量")),
    ("效益指标", "可持续影响指标", ("长效", "可持续", "机制", "持续")),
    ("效益指标", "社会效益指标", ("受益", "普及率", "知晓率", "覆盖", "生活质量", "辍学", "失学", "受害率", "安全", "改善")),
)


def family_of(name: str) -> tuple[str, str]:
    """(一级, 二级) of an indicator named without its family: by its own words; a count by default."""
    for level1, level2, words in _FAMILY_WORDS:
        if any(w in name for w in words):
            return level1, level2
    return "产出指标", "数量指标"


def _head(cell: str) -> str | None:
    """The column a short header names (knowledge/columns.yaml)."""
    key = re.sub(r"[（(][^)）]*[)）]", "", compact(to_halfwidth(cell)))
    return indicator_column(key, loose=True) if len(key) <= 8 else None


# the indicator families by the word that names each: (word, 一级, 二级)
FAMILIES = (("满意度", "满意度指标", "服务对象满意度指标"), ("经济效益", "效益指标", "经济效益指标"),
            ("社会效益", "效益指标", "社会效益指标"), ("生态效益", "效益指标", "生态效益指标"),
            ("环境效益", "效益指标", "生态效益指标"), ("可持续", "效益指标", "可持续影响指标"),
            ("数量", "产出指标", "数量指标"), ("质量", "产出指标", "质量指标"), ("时效", "产出指标", "时效指标"),
            ("成本", "产出指标", "成本指标"))


def _level1_cell(text: str) -> str | None:
    """The broad family a cell names: '效益指标', '产出', '满意度指标'."""
    key = compact(to_halfwidth(text or ""))
    return next((l1 for word, l1 in (("产出", "产出指标"), ("效益", "效益指标"), ("满意", "满意度指标")) if key.startswith(word)),
                None) if key else None


def _points(text: str) -> Decimal | None:
    """A 分值 or 自评分 cell: '15', '8分'; anything else is no score."""
    m = re.fullmatch(r"\s*(\d{1,3}(?:\.\d{1,2})?)\s*分?\s*", to_halfwidth(text or ""))
    return Decimal(m.group(1)) if m else None


def _family_cell(text: str) -> tuple[str, str] | None:
    """(一级, 二级) a family cell names: '质量指标', '质量', '社会效益', '社会' (a cell says its family's first two
    characters at least)."""
    key = compact(to_halfwidth(text or ""))
    return next(((l1, l2) for word, l1, l2 in FAMILIES if key.startswith(word[:2])), None) if key else None


def simple_indicators(text: str) -> list[Indicator]:
    """An indicator table of two or three columns: a header naming the indicator and its target and/or
    actual, or rows of 'name <tab> value' with percents and units."""
    rows = [[c.strip() for c in ln.split("\t")] for ln in text.split("\n") if ln.strip()]
    rows = [r for r in rows if any(r) and not re.match(r"[（(注]", r[0] or "")]
    if not rows:
        return []
    heads = [k for k, r in enumerate(rows[:3]) if any(_head(c) == "name" for c in r) and
             any(_head(c) in ("target", "actual") for c in r)]
    if heads:
        rows = rows[heads[0]:]  # '补充两个指标：' above the header
    head = rows[0]
    cols: dict[str, int] = {}
    for k, cell in enumerate(head):
        col = _head(cell)
        if col in ("name", "target", "actual", "level1", "level2", "note", "weight", "claimed") and col not in cols:
            cols[col] = k  # '类别 | 指标 | 年度目标 | 实际完成', '二级指标 | 指标 | 目标值 | 实际完成'
    body = rows[1:] if "name" in cols and ("actual" in cols or "target" in cols) else None
    if body is None and all(len([c for c in r if c]) >= 4 for r in rows) and \
            sum(1 for r in rows if any(_FAMILY_LABEL.match(c) for c in r[:2])) >= len(rows) // 2 + 1:
        return _labelled_rows(rows)
    if body is None:
        if len(rows) >= 2 and all(len([c for c in r if c]) in (2, 3) and not _DATA.search(r[0]) and
                                  all(_quantity(c) for c in r[1:] if c) for r in rows):
            cols = {"name": 0, "actual": 1} if all(len([c for c in r if c]) == 2 for r in rows) else \
                {"name": 0, "target": 1, "actual": 2}
            body = rows
        else:
            return []
    out = []
    for line_no, row in enumerate(body, start=2 if body is not rows else 1):
        def cell(key: str) -> str:
            k = cols.get(key)
            return row[k] if k is not None and k < len(row) else ""
        name = cell("name")
        if not name or _DATA.fullmatch(name):
            continue
        row = [re.sub(r"(?<=\d),(?=\d{3})", "", c) for c in row]  # '3,721户' is 3721户
        level1, level2 = family_of(name)
        said = _family_cell(cell("level2")) or _family_cell(cell("level1"))
        if said is not None:  # the table's own family ('质量指标' in a 类别 column) over a guess from the name
            level1, level2 = said
        else:
            broad = _level1_cell(cell("level2") or cell("level1"))
            if broad is not None and broad != level1:  # '效益指标' said, the name guessed a count
                level1, level2 = broad, {"效益指标": "社会效益指标", "满意度指标": "服务对象满意度指标"}.get(broad, "数量指标")
        target, actual = cell("target"), cell("actual")
        direction = "lower" if target.startswith(("≤", "<", "不超过", "不高于")) or level2 == "成本指标" else "auto"
        out.append(Indicator(level1=level1, level2=level2, name=name, target=target, actual=actual,
                             direction=direction, reason=cell("note"), weight=_points(cell("weight")),
                             claimed=_points(cell("claimed")), where=Where(cell=f"指标表第{line_no}行")))
    return out


_LINE = re.compile(r"^(?P<name>[^：:\t\d]{3,40}?)[：:\s]+(?:目标值?|指标值)[:：]?\s*(?P<target>[^，,；;\s]+)[，,；;\s]+"
                   r"(?:实际(?:完成)?值?|完成值?)[:：]?\s*(?P<actual>[^，,；;\s]+)")


# several said in one line ('先说两个 新建高标准农田面积目标3万亩实际完成3万亩 新建机耕路目标45公里实际47.2公里')
_INLINE = re.compile(r"(?P<name>[^：:\t\d\s，,；;。]{3,40}?)[：:]?\s*(?:目标值?|指标值)[:：]?\s*(?P<target>[^，,；;\s]+?)[，,\s]*"
                     r"(?:实际(?:完成)?值?|完成值?)[:：]?\s*(?P<actual>[^，,；;。\s]+)")


def indicator_lines(text: str) -> list[Indicator]:
    """'开展非遗展演活动场次：目标≥20场，实际24场' one indicator a line, or several in a line set apart by spaces."""
    out = []
    for k, line in enumerate(text.split("\n"), start=1):
        line = re.sub(r"^\s*(?:[①-⑳]|\d{1,2}[.、．)]|[（(]\d{1,2}[)）]|\d{1,2}(?=[\u4e00-\u9fa5]))\s*", "", line.strip())
        m = _LINE.match(to_halfwidth(line).rstrip("；;。"))
        found = [m] if m else []
        if not m:
            found = list(_INLINE.finditer(to_halfwidth(line)))
            found = found if len(found) >= 2 else []
        for m in found:
            level1, level2 = family_of(m.group("name"))
            out.append(Indicator(level1=level1, level2=level2, name=m.group("name").strip(), target=m.group("target"),
                                 actual=m.group("actual").rstrip("。"), where=Where(line=k)))
    return out if len(out) >= 2 else []


# a voucher said as its number ('2024年9月4#') or as the date it was booked ('3月18号的凭证', '凭证11月20号的')
_EXPENSE_ITEM = re.compile(r"(?P<content>[^\d，,；;。（()）\s]{2,30}?)\s*(?P<num>\d+(?:,\d{3})*(?:\.\d+)?)\s*(?P<unit>万元|万|元)"
                           r"\s*(?:[（(]|凭证(?:号)?[:：]?\s*)?(?P<voucher>(?:19|20)\d{2}年\d{1,2}月\d{1,2}#|\d+#|"
                           r"(?:(?:19|20)\d{2}年)?\d{1,2}月\d{1,2}[号日])?(?:的凭证|的)?[)）]?")


def expense_items(text: str) -> list[ExpenseLine]:
    """'户厕改造奖补资金468万元（2024年11月20#），粪污收运设备购置52.8万元（2024年9月3#）…': rows with vouchers."""
    half = to_halfwidth(text)
    if not re.search(r"#|凭证|支出明细|明细[:：]|我直接说|还有几笔|还有一笔|几笔支出", half):
        return []
    out = []
    for m in _EXPENSE_ITEM.finditer(half):
        content = re.sub(r"^(?:先补两条|补两条|补充|另外|还有几笔|还有|其中|和|及)", "", m.group("content")).strip()
        if content and not re.search(r"合计|总计|计划|到位|预算|执行", content):
            out.append(ExpenseLine(content=content, amount=_wan(m.group("num"), m.group("unit")),
                                   voucher=m.group("voucher"), where=Where(cell="经办人所说")))
    return out if len(out) >= 2 or (out and re.search(r"加上|加一笔|还有一笔|补一笔|补一条|再加|漏了一笔", half)) else []


_ORDER = (("计划投资", "planned"), ("计划安排", "planned"), ("年初预算", "planned"), ("计划", "planned"),
          ("全年预算", "arrived"), ("实际到位", "arrived"), ("到位", "arrived"), ("全年执行", "spent"), ("实际支出", "spent"),
          ("实际使用", "spent"), ("支出", "spent"), ("执行", "spent"), ("结余", "balance"))


def headerless_funding(text: str) -> Funding | None:
    """Source rows pasted without their header ('中央财政 300万元 300万元 300万元' … '（依次为计划安排、实际到位、
    实际支出）'), or a grid turned round (sources as columns, 计划投资额/实际到位资金/实际使用情况 as rows)."""
    from .tables import source_of

    rows = [[c.strip() for c in ln.split("\t")] for ln in text.split("\n") if "\t" in ln]
    legend = re.search(r"(?:依次|分别|顺序)(?:为|是)[:：]?([^）)\n]+)", to_halfwidth(text))
    order = []
    if legend:
        for part in re.split(r"[、，,]", legend.group(1)):
            col = next((c for w, c in _ORDER if w in part), None)
            if col:
                order.append(col)
    # turned round: the first row names sources, the first column names columns
    if rows and sum(1 for c in rows[0][1:] if source_of(c)) >= 2 and \
            sum(1 for r in rows[1:] if r and any(w in r[0] for w, _ in _ORDER)) >= 2:
        sources = [source_of(c) for c in rows[0]]
        grid: dict[str, dict[str, Decimal]] = {}
        for r in rows[1:]:
            col = next((c for w, c in _ORDER if r and w in r[0]), None)
            if col is None:
                continue
            for k, cell in enumerate(r[1:], start=1):
                if k < len(sources) and sources[k] and re.fullmatch(r"[\d,.]+(?:万元|万|元)?", to_halfwidth(cell)):
                    grid.setdefault(sources[k], {})[col] = _wan(re.sub(r"万元|万|元", "", cell).replace(",", ""),
                                                                 "元" if cell.endswith("元") and "万" not in cell else "万元")
        return _funding_of(grid)
    body = []
    for r in rows:
        cells = [c for c in r if c and c not in ("其中", "其中：", "其中:")]
        if len(cells) >= 3 and source_of(cells[0]) and all(re.fullmatch(r"[\d,.]+\s*(?:万元|万|元)?", to_halfwidth(c))
                                                            for c in cells[1:]):
            body.append((source_of(cells[0]), cells[1:]))
    if len(body) < 2:
        return None
    order = order or ["planned", "arrived", "spent", "balance"]
    grid = {}
    for source, cells in body:
        for col, cell in zip(order, cells):
            unit = "元" if cell.endswith("元") and "万" not in cell else "万元"
            grid.setdefault(source, {})[col] = _wan(re.sub(r"\s|万元|万|元", "", cell).replace(",", ""), unit)
    return _funding_of(grid)


def _funding_of(grid: dict[str, dict[str, Decimal]]) -> Funding | None:
    if not grid:
        return None
    total = grid.pop(SOURCE_TOTAL, None)
    sources = [FundingRow(source=s, where=Where(cell="粘贴的资金表"), **cols) for s, cols in grid.items()]
    if total is None:
        total = {c: sum((r.get(c) for r in sources if r.get(c) is not None), Decimal(0))  # type: ignore[misc]
                 for c in ("planned", "arrived", "spent", "balance") if any(r.get(c) is not None for r in sources)}
    return Funding(total=FundingRow(source=SOURCE_TOTAL, where=Where(cell="粘贴的资金表"), **total), sources=sources,
                   origin="table")


def _labelled_rows(rows: list[list[str]]) -> list[Indicator]:
    """Rows of the national 自评表 pasted without a header: family labels, the name, target and actual, then
    分值 and 得分 ('产出指标 数量指标 运维乡镇污水处理厂数量 12座 12座 15 15')."""
    out = []
    level1 = level2 = ""
    for line_no, row in enumerate(rows, start=1):
        cells = [c for c in row if c and c not in ("_", "—", "-")]
        labels = [c for c in cells[:2] if _FAMILY_LABEL.match(c)]
        for label in labels:
            if re.match(r"^(?:项目)?(?:产出|效益)指标$|^满意度指标$", label) and len(labels) == 2 and label == labels[0]:
                level1 = re.sub(r"^项目", "", label)
            else:
                level2 = label if label.endswith("指标") else label + "指标"
        rest = cells[len(labels):]
        if len(rest) < 3 or _quantity(rest[0]):
            continue
        name, target, actual = rest[0], rest[1], rest[2]
        numbers = [c for c in rest[3:5] if re.fullmatch(r"\d+(?:\.\d+)?", c)]
        guess1, guess2 = family_of(name)
        out.append(Indicator(level1=level1 or guess1, level2=level2 or guess2, name=name, target=target, actual=actual,
                             weight=parse_decimal(numbers[0]) if numbers else None,
                             claimed=parse_decimal(numbers[1]) if len(numbers) > 1 else None,
                             where=Where(cell=f"指标表第{line_no}行")))
    return out


def _quantity(text: str) -> bool:
    return bool(re.search(r"\d", text)) or text in ("完成", "已完成", "达到", "明显改善", "长期", "是", "否")


# ------------------------------------------------------------------------------------------ funding

_SPOKEN_COLUMNS = (  # what officers call each column in a sentence, longest first within a column
    ("balance", r"结余|剩余|剩下"),  # 上年结转 is a source of the national 自评表, not a balance
    ("spent", r"实际支出|全年执行数?|执行数|实际执行|执行了|执行|支出了|支出|花出去了?|花了|花掉了|花掉|用了|用掉了?|使用了|实际使用|已支付|支付了|拨付使用"),
    ("arrived_national", r"全年预算数?|调整后预算|调整后的预算|预算调整为|调成了|调整为|(?:后来)?追加到|调增到|调减到|调整到|调到|全年(?=\s*\d)"),
    ("arrived", r"实际到位资金|实际到位|到位资金|到位了|到位|到账|下达了|下达|拨付到位|拨下来"),
    ("planned", r"年初预算数?|计划投资额?|计划安排资金|计划安排|预算安排|计划资金|计划|批复|预算|总投资|总共|一共|年初(?=\s*\d)"),
)
_AMOUNT = r"(?P<num>\d+(?:,\d{3})*(?:\.\d+)?)\s*(?P<unit>亿元|万元|万|元)?"
_SOURCES = (("中央", "中央财政"), ("省", "省财政"), ("市", "市财政"), ("县", "县市区财政"), ("区", "县市区财政"),
            ("本级", "县市区财政"), ("自筹", "其它"), ("其他", "其它"), ("其它", "其它"), ("上年结转", "上年结转资金"))


_QUALIFIED = re.compile(r"(?:少|多|差|还差|只|仅|剩|欠|缺|超|追加了?|调增了?|调减了?|补了)$")
_SOURCE_IN = re.compile(r"(上年结转|中央|省级?|市级?|县级?|区级?|县里|省里|市里|自筹|本级)(?:财政|资金|配套|那块|那部分|的)?")


def spoken_funding(text: str, national: bool) -> tuple[Funding | None, list[str]]:
    """Figures said in a short sentence; each amount taken only after a word naming its column, and only
    as the total when its clause names no source ('县级配套少到位了20万' is neither the total nor a figure)."""
    half = cn_amounts_in_wan(to_halfwidth(text))  # '计划投资一千二百万'
    if len(half) > 400 or "\t" in half:
        return None, []
    found: dict[str, Decimal] = {}
    where: list[str] = []
    sources: dict[str, FundingRow] = {}
    pattern = re.compile("|".join(f"(?P<{col}>{words})" for col, words in _SPOKEN_COLUMNS))
    # '年初预算1360 全年预算1312.5 执行1312.5': bare numbers, each right after its column word, are the grid in 万元
    bare = len(re.findall(f"(?:{pattern.pattern})(?:数|是|为|：|:|\\s)*\\d", half)) >= 2
    for m in pattern.finditer(half):
        col = m.lastgroup or ""
        col = "arrived" if col == "arrived_national" else col
        rest = half[m.end():m.end() + 14]
        rest = half[m.end():m.end() + 24]
        amount = re.match(r"^(?:数|资金|金额|额|总额|合计|共|是|为|了|也是|达|达到|共计|安排|安排了|\s|：|:|约|还是)*" + _AMOUNT, rest) or \
            re.match(r"^[^\d，,。；;]{0,12}?(?:是|为|：|:)\s*" + _AMOUNT, rest)
        if amount is None or (amount.group("unit") is None and not re.search(r"万|元", half) and not bare):
            continue
        clause = re.split(r"[，,。；;\s]", half[:m.start()])[-1]
        if _QUALIFIED.search(half[max(0, m.start() - 4):m.start()]) or _QUALIFIED.search(clause[-3:]):
            continue  # '少到位了20万', '追加了43.8万': a difference, not the column's figure
        value = _wan(amount.group("num"), amount.group("unit") or _unit_of(half))
        named = _SOURCE_IN.search(clause)
        if named and not re.search(r"合计|总|全部|一共", clause):
            source = next(s for w, s in _SOURCES if named.group(1).startswith(w))
            row = sources.setdefault(source, FundingRow(source=source, where=Where(cell="经办人所说")))
            setattr(row, col, value)
            continue
        if col not in found:
            found[col] = value
            where.append(col)
        tail = half[m.end() + amount.end():m.end() + amount.end() + 60]
        if re.match(r"^[，,\s]*其中", tail):
            _source_parts(tail, col, sources, half)
    both = re.search(r"(?:年初|计划)(?:预算)?(?:数)?和全年(?:预算)?(?:数)?(?:都|均)是\s*" + _AMOUNT, half)
    if both:  # '年初和全年预算都是6450000元'
        value = _wan(both.group("num"), both.group("unit") or _unit_of(half))
        found.setdefault("planned", value)
        found.setdefault("arrived", value)
    unchanged = re.search(r"全年(?:预算)?数?(?:没变|没有变|不变|未变|没调整|未调整|没有调整|一样|相同)", half)
    if unchanged or re.search(r"全部到位|足额到位|已全部到位|全额到位|都到位了", half):
        if "arrived" not in found and "planned" in found:
            found["arrived"] = found["planned"]
        for row in sources.values():  # '其中中央400万 省级200万 … 全部到位了': each source's too
            if row.arrived is None and row.planned is not None:
                row.arrived = row.planned
    if re.search(r"全部花完|全部支出|全部用完|花完了|用完了|全部执行|全部拨付使用|支出完毕|执行完毕|全部使用", half) and "spent" not in found:
        base = found.get("arrived", found.get("planned"))
        if base is not None:
            found["spent"] = base
    if re.search(r"无结余|没有结余|没结余|结余为?0|零结余", half) and "balance" not in found and found:
        found["balance"] = Decimal(0)
    if not found and not sources:
        return None, []
    total = FundingRow(source=SOURCE_TOTAL, where=Where(cell="经办人所说"), **found)
    return Funding(total=total, sources=list(sources.values()), origin="prose"), where


def _unit_of(text: str) -> str:
    return "万元" if "万" in text else "元" if "元" in text else "万元"


def _wan(number: str, unit: str) -> Decimal:
    value = parse_decimal(number.replace(",", ""))
    return {"亿元": value * 10000, "万元": value, "万": value, "元": value / 10000}[unit]


def _source_parts(tail: str, col: str, sources: dict[str, FundingRow], whole: str) -> None:
    """'…到位1150万，其中中央600 省300 县里250' — the sources of the amount just read."""
    body = re.split(r"[，,。；;](?!\s*(?:省|市|县|区|中央))", re.sub(r"^[，,\s]*其中[:：]?", "", tail), maxsplit=1)[0]
    for m in re.finditer(r"(中央|省|市|县|区|自筹|其他|其它)[里级财政资金配套本]*\s*(\d+(?:\.\d+)?)\s*(亿元|万元|万|元)?", body):
        name = next(s for w, s in _SOURCES if m.group(1).startswith(w))
        row = sources.setdefault(name, FundingRow(source=name, where=Where(cell="经办人所说")))
        setattr(row, col, _wan(m.group(2), m.group(3) or _unit_of(whole)))


_TOTAL_LINE = re.compile(r"^\s*(?:合计|总计|小计|合计数)[\s\t:：|]+(\d[\d,]*(?:\.\d+)?)[\s\t|]+(\d[\d,]*(?:\.\d+)?)"
                         r"[\s\t|]+(\d[\d,]*(?:\.\d+)?)(?:[\s\t|]+(\d[\d,]*(?:\.\d+)?))?\s*$")


def total_line(text: str) -> Funding | None:
    """'合计 85 85 79.6 5.4' pasted alone, under the question for the funding grid: the form's column order
    (计划安排 / 年初预算, 实际到位 / 全年预算, 实际支出 / 全年执行, 结余)."""
    lines = [ln for ln in text.split("\n") if ln.strip()]
    m = _TOTAL_LINE.match(to_halfwidth(lines[0])) if len(lines) == 1 else None
    if m is None:
        return None
    nums = [parse_decimal(g.replace(",", "")) if g else None for g in m.groups()]
    total = FundingRow(source=SOURCE_TOTAL, planned=nums[0], arrived=nums[1], spent=nums[2], balance=nums[3],
                       where=Where(cell="合计行"))
    return Funding(total=total, origin="table")


def national_row(text: str) -> Funding | None:
    """'年度资金总额 | 645 | 645 | 603.2 | 10 | 93.52% | 9.35' pasted without its header: 年初预算数,
    全年预算数, 全年执行数 (then 分值, 执行率, 得分)."""
    half = to_halfwidth(text)
    m = re.search(r"(年度资金总额|资金总额)[:：\s|\t]*([\d.,]+)[\s|\t]+([\d.,]+)[\s|\t]+([\d.,]+)", half)
    if not m:
        return None
    nums = [parse_decimal(g.replace(",", "")) for g in m.groups()[1:]]
    total = FundingRow(source=SOURCE_TOTAL, planned=nums[0], arrived=nums[1], spent=nums[2],
                       where=Where(cell="年度资金总额行"))
    return Funding(total=total, origin="table")


# ------------------------------------------------------------------------------------------ expenses

_EXPENSE_LINE = re.compile(r"^\s*(?P<content>[^\d\t|，,]{2,40}?)[\s\t|：:]+(?P<num>\d+(?:,\d{3})*(?:\.\d+)?)\s*(?P<unit>万元|元|万)"
                           r"(?:[\s\t|]+(?P<voucher>[^\s\t|]{2,30}))?\s*$")


def expense_lines(text: str) -> list[ExpenseLine]:
    out = []
    for k, line in enumerate(text.split("\n"), start=1):
        m = _EXPENSE_LINE.match(to_halfwidth(line))
        if m and not re.search(r"合计|总计|计划|到位|预算", m.group("content")):
            out.append(ExpenseLine(content=m.group("content").strip(), amount=_wan(m.group("num"), m.group("unit")),
                                   voucher=m.group("voucher"), where=Where(line=k)))
    return out if len(out) >= 2 else []


def spoken_expenses(text: str) -> list[ExpenseLine]:
    """'实际支出250.7万元，其中扑火装备62.4万元、隔离带58.3万元…' — the parts of what was spent."""
    half = to_halfwidth(text)
    m = re.search(r"(?:支出|花了|花掉|用了|执行)[^，,。]{0,12}?\d+(?:\.\d+)?\s*(?:万元|万|元)?[，,\s]*其中[:：]?", half)
    if not m:
        return []
    body = half[m.end():]
    out = []
    for part in re.finditer(r"(?P<content>[^\d、，,；;。\s]{2,30}?)\s*(?P<num>\d+(?:\.\d+)?)\s*(?P<unit>万元|万|元)?", body):
        content = re.sub(r"^(?:用于|是|为|和|及|还有|另外)", "", part.group("content"))
        if re.search(r"中央|省级|市级|县级|财政", content):
            return []  # an 其中 list of sources, not of expenses
        out.append(ExpenseLine(content=content, amount=_wan(part.group("num"), part.group("unit") or _unit_of(half)),
                               where=Where(cell="经办人所说")))
    return out if len(out) >= 2 else []


def yuan_without_unit(funding: Funding) -> ParseWarning | None:
    """A grid stating no unit whose amounts are whole numbers of six digits or more is in 元, not 万元."""
    if funding.unit_stated or funding.origin != "table":
        return None
    rows = [funding.total, *funding.sources]
    values = [v for r in rows for v in (r.planned, r.arrived, r.spent, r.balance) if v is not None]
    if not values or not all(v >= 100000 and v == v.to_integral_value() for v in values if v != 0):
        return None
    for r in rows:
        for col in ("planned", "arrived", "spent", "balance"):
            value = r.get(col)  # type: ignore[arg-type]
            if value is not None:
                setattr(r, col, value / 10000)
    funding.unit = "元"
    return ParseWarning(message="表中未注明单位，金额均为六位以上整数，已按“元”换算为万元，请核对", severity="warning")


def _without_preface(text: str) -> str:
    """'就这个表 从excel拷的' above a pasted table: talk, not a row (blanked, so line numbers stay)."""
    lines = text.split("\n")
    tabbed = [k for k, ln in enumerate(lines) if "\t" in ln.strip("\t")]
    if len(tabbed) < 2:
        return text
    first = tabbed[0]
    head = [ln for ln in lines[:first] if ln.strip()]
    if head and all(not re.search(r"\d", ln) and len(ln.strip()) <= 30 and not re.search(r"表$|情况表|明细", ln.strip())
                    for ln in head) and any(re.search(r"表|贴|拷|复制|粘|这个|如下|[：:]\s*$", ln) for ln in head):
        return "\n".join([""] * first + lines[first:])
    return text


def read_paste(text: str, form: str, parse) -> Report:
    """A paste read with the report readers (`parse`: text, form → Report) and then the paste's own shapes."""
    fixed = spread_label_values(rejoin_broken_cells(spaces_to_tabs(_without_preface(text.replace("\r\n", "\n")))))
    fixed = re.sub(r"(?<=\t)[_＿]+(?=\t|$)", "", fixed, flags=re.M)  # '_' in a cell: nothing there
    try:
        report = parse(fixed, form)
    except ParseError:
        # '计划投资额：4500万元（中央3000、省900、县600）': not a cell, a sentence with its sources in brackets
        said = re.sub(r"[（(]([^（()）]*\d[^（()）]*)[)）]", r"，其中\1", to_halfwidth(fixed))
        funding, _ = spoken_funding(said.replace("\n", "，"), layout_of(form) == "national")
        if funding is None or sum(funding.total.get(c) is not None for c in ("planned", "arrived", "spent")) < 2:
            raise
        report = parse("", form)
        report.funding = funding
    national = layout_of(form) == "national"
    if not [i for i in report.indicators if i.name]:
        simple = simple_indicators(fixed) or one_cell_per_line(fixed) or indicator_lines(fixed)
        if simple:
            report.indicators = simple
            report.warnings = [w for w in report.warnings if w.message != "未找到绩效指标表"]
            levelled = any(_head(c) in ("level1", "level2") for ln in fixed.split("\n")[:3] for c in ln.split("\t"))
            if not levelled:
                report.warnings.append(ParseWarning(message="表中没有一级、二级指标列：已按指标名称归类，请在卡片上核对",
                                                    severity="info"))
    if report.funding.origin in ("none", "prose"):
        row = national_row(fixed)
        spoken, _ = (None, []) if row is not None else spoken_funding(fixed, national)
        chosen = row or spoken
        if chosen is not None and (report.funding.origin == "none" or _more(chosen, report.funding)):
            report.funding = chosen
            report.warnings = [w for w in report.warnings if not w.message.startswith(("未找到资金", "正文所写"))]
    note = yuan_without_unit(report.funding)
    if note is not None:
        report.warnings.append(note)
    if report.funding.origin == "none":
        rows = headerless_funding(fixed) or total_line(fixed)
        if rows is not None:
            report.funding = rows
            report.warnings = [w for w in report.warnings if not w.message.startswith("未找到资金")]
    totals = [e for e in report.expenses if re.fullmatch(r"\s*(?:合\s*计|总\s*计|小\s*计|共\s*计|支出合计)?\s*", e.content or "")]
    if totals:  # a 合计 row (or one with no 支出内容) is the list's total, never an expense of its own
        report.expenses = [e for e in report.expenses if e not in totals]
        if report.expense_total is None and totals[-1].amount is not None:
            report.expense_total = totals[-1].amount
    if not report.expenses:
        listed = expense_lines(fixed) or expense_items(fixed)
        report.expenses = listed or spoken_expenses(fixed)
        if listed and report.funding.origin == "prose" and spoken_funding(fixed, national)[0] is None:
            report.funding = Funding()  # an expense list: its amounts are rows, not the project's funding
    return report


def _more(a: Funding, b: Funding) -> bool:
    count = lambda f: sum(1 for c in ("planned", "arrived", "spent", "balance") if f.total.get(c) is not None)  # noqa: E731
    return count(a) > count(b)
