"""Cover and label fields: 项目名称, 项目单位, 主管部门, 负责人, 起止时间, 报告日期, 评价类型 …"""
from __future__ import annotations

import re
from datetime import date

from ..models import ProjectInfo
from ..numbers import compact, to_halfwidth
from .document import Document

# field → label keys (compact form); the first matching label wins
FIELD_LABELS: dict[str, tuple[str, ...]] = {
    "name": ("项目名称",),
    "unit": ("项目单位", "实施单位", "项目实施单位", "预算单位", "单位名称"),
    "department": ("主管部门", "主管单位"),
    "leader": ("项目负责人",),
    "phone": ("联系电话",),
    "address": ("项目地址", "地址"),
    "postcode": ("邮编", "邮政编码"),
    "period_text": ("项目起止时间", "起止时间", "实施期限", "项目期限"),
    "report_date": ("报告日期", "填报日期", "评价日期"),
    "eval_type": ("评价类型", "考评类型"),
}
_ALL_LABELS = {lab: f for f, labs in FIELD_LABELS.items() for lab in labs}
# spaced labels ('邮  编') followed by whitespace and a value, longest label first
_SPACED_LABEL = re.compile(
    "(" + "|".join(r"\s*".join(lab) for lab in sorted(_ALL_LABELS, key=len, reverse=True)) + r")(?:\s+|$)(.*)$")
_EMPTY_VALUE = re.compile(r"^[_＿\s—-]*$")
_DATE_RE = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]")
_YM_RE = re.compile(r"(\d{4})\s*年\s*(\d{1,2})?\s*月?")
_REGION_RE = re.compile(r"([\u4e00-\u9fa5]{2,8}?(?:自治州|自治县|省|市|县|区|州|盟|旗))")
_EVAL_TYPES = ("项目实施过程评价", "项目完成结果评价", "项目实施过程考评", "项目完成结果考评")
_TICKS = "☑√✓✔■▣☒"


def _label_value(text: str) -> tuple[str, str] | None:
    """'项目名称：X' / '项目名称  X' / '邮  编 414000' → (field, value)."""
    half = text.strip()
    m = re.match(r"^([\u4e00-\u9fa5 ]{2,12}?)\s*[:：]\s*(.*)$", half)
    if m and compact(m.group(1)) in _ALL_LABELS:
        return _ALL_LABELS[compact(m.group(1))], m.group(2).strip()
    m = _SPACED_LABEL.match(half)
    if m:
        return _ALL_LABELS[compact(m.group(1))], m.group(2).strip()
    return None


def parse_date(text: str) -> date | None:
    m = _DATE_RE.search(to_halfwidth(text))
    if not m:
        return None
    try:
        return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None


def _period(text: str) -> tuple[str | None, str | None]:
    """'2019年11 月起至2021年 月止' → ('2019-11', '2021'); '2019~2020' → ('2019', '2020')."""
    half = to_halfwidth(text)
    parts = re.split(r"起至|至|~|－|—|-|到", half, maxsplit=1)
    out: list[str | None] = []
    for part in parts[:2]:
        m = _YM_RE.search(part) or re.search(r"(\d{4})()", part)
        if not m:
            out.append(None)
            continue
        year, month = m.group(1), (m.group(2) or "").strip()
        out.append(f"{year}-{int(month):02d}" if month else year)
    while len(out) < 2:
        out.append(None)
    return out[0], out[1]


def _eval_type(value: str) -> str | None:
    """Which of the two types is ticked: '项目实施过程评价☑ 项目完成结果评价□'."""
    half = value
    chosen = None
    for t in _EVAL_TYPES:
        idx = half.find(t)
        if idx < 0:
            continue
        after = half[idx + len(t): idx + len(t) + 2]
        before = half[max(0, idx - 2): idx]
        if any(ch in _TICKS for ch in after + before):
            chosen = t
    return chosen


# a column header beside '项目名称' in a table of projects ('| 项目名称 | 下达资金（万元） |') is not a name
_COLUMN_HEADER = re.compile(r"[（(]\s*(?:万元|元|亿元|%|％|分)\s*[）)]$|^(?:序号|金额|资金|预算数|执行数|执行率|得分|"
                            r"自评得分|备注|实际支出|下达资金|项目单位|实施单位)$")


def project_info(doc: Document) -> ProjectInfo:
    info: dict[str, str] = {}

    def put(fname: str, value: str) -> None:
        value = value.strip().strip("：:").strip()
        if _COLUMN_HEADER.search(compact(value)):
            return
        if fname not in info and value and not _EMPTY_VALUE.match(value):
            info[fname] = value

    # label/value pairs inside table rows: [项目负责人, 彭璞, 联系电话, 151…]
    for row in doc.rows:
        cells = row.cells
        for k, cell in enumerate(cells[:-1]):
            fname = _ALL_LABELS.get(compact(cell.text))
            if fname and cells[k + 1].text.strip() and compact(cells[k + 1].text) not in _ALL_LABELS:
                put(fname, cells[k + 1].text)
    for ln in doc.lines[:400]:
        lv = _label_value(ln.text)
        if lv:
            fname, value = lv
            if fname == "eval_type":
                info.setdefault("eval_type_raw", ln.text)
                continue
            put(fname, value)
        elif any(t in ln.text for t in _EVAL_TYPES):
            info.setdefault("eval_type_raw", ln.text)

    if "name" not in info:
        title = _title(doc)
        if title:
            info["name"] = title
    result = ProjectInfo()
    for fname in ("name", "unit", "department", "leader", "phone", "address", "postcode", "period_text"):
        if fname in info:
            setattr(result, fname, re.sub(r"\s+", " ", info[fname]).strip())
    if result.period_text:
        result.period_start, result.period_end = _period(result.period_text)
    if "eval_type_raw" in info:
        result.eval_type = _eval_type(info["eval_type_raw"])

    report_date = parse_date(info.get("report_date", ""))
    if report_date is None:
        # the Huainan cover prints the date alone on a line before '…财政局(制)'
        for k, ln in enumerate(doc.lines[:40]):
            if "(制)" in to_halfwidth(ln.text) and k > 0:
                report_date = parse_date(doc.lines[k - 1].text) or report_date
    if report_date:
        result.report_date = report_date.isoformat()
        result.year = report_date.year
    elif result.period_end and result.period_end[:4].isdigit():
        result.year = int(result.period_end[:4])
    result.year = _budget_year(doc) or result.year  # a form that names its 年度 says it best
    result.region = _region(doc, result)
    return result


_BUDGET_YEAR_RE = re.compile(r"^[（(]?\s*((?:19|20)\d{2})\s*年度\s*[）)]?$|^((?:19|20)\d{2})\s*年度.{0,30}(?:自评表|自评报告|评价报告)")


def _budget_year(doc: Document) -> int | None:
    """The year a form states for itself: '（2022年度）' under the title, or '2022年度…自评表'."""
    for ln in doc.lines[:12]:
        m = _BUDGET_YEAR_RE.search(compact(ln.text))
        if m:
            return int(m.group(1) or m.group(2))
    return None


_TITLE_SUFFIX = re.compile(r"(?:财政支出|支出)?绩效(?:自评|评价)(?:自评)?报告$|自评报告$")
_TITLE_YEAR = re.compile(r"^(?:19|20)\d{2}\s*年度?\s*")  # '2022年度…项目' names the project without its year


_TITLE_AT = re.compile(r"(?:财政支出|支出)?(?:区域)?绩效(?:自评|评价|目标)(?:自评)?(?:报告|表)?|自评(?:报告|表)|实施情况$")
# Whose report it is or what it is about, without naming a project: such a title leaves the name to the text.
_GENERIC_NAME = re.compile(r"^(?:(?:19|20)(?:\d{2}|xx)年度?)?(?:项目|预算|资金|项目资金|专项资金|部门整体|整体)?$", re.I)
_NAMED_IN_BRACKETS = re.compile(r"[（(]([^（()）;；]*(?:项目|资金|经费|工程|计划|补助|补贴)[^（()）]*)[)）]")


def _title(doc: Document) -> str | None:
    """A prose report's project name from its title ('某县…工程项目绩效自评报告', '…2022年度项目绩效自评报告
    (春节慰问经费项目)', '…2023年度农机购置补贴实施情况'): what comes before the title's own words, or the project
    named in its brackets when what comes before says only whose report it is."""
    head = [ln.text.strip() for ln in doc.lines[:8] if ln.text.strip()]
    for k, text in enumerate(head):
        text = re.sub(r"^(?:TITLE|标题)\s*[:：]\s*", "", text)
        if "财政支出" in text or text.startswith("附件") or text.startswith("SOURCE"):
            continue
        core = re.sub(r"[（(][^（()）]*[)）]", "", text).strip()
        m = _TITLE_AT.search(core)
        if not m:
            continue
        name = _tidy_title_name(core[:m.start()])
        bracket = _NAMED_IN_BRACKETS.search(text)
        if bracket and (not name or re.search(r"(?:年度?|项目|部门)$", name)):
            year = re.search(r"(?:19|20)\d{2}", text)
            name = (f"{year.group(0)}年" if year and not re.search(r"(?:19|20)\d{2}", bracket.group(1)) else "") + \
                _tidy_title_name(bracket.group(1))
        if not name and k > 0:
            name = _tidy_title_name(head[k - 1])
        return None if not name or _GENERIC_NAME.match(name) else name
    return None


def _tidy_title_name(text: str) -> str:
    """What is left of a title line once the words around the name are gone: a remark after ';' (a copy
    site's note), an unmatched '《', '关于（上报）' and who sends it, a project code ('5109…-'), the leading year."""
    text = re.split(r"[;；]", text, maxsplit=1)[0].strip()
    text = re.sub(r"^.{0,20}?关于(?:上报|报送)?", "", text) if "关于" in text[:24] else text
    text = re.sub(r"^[A-Za-z0-9]{12,}\s*[-－—]\s*", "", text)
    if text.count("《") > text.count("》"):
        text = text.replace("《", "")
    return _TITLE_YEAR.sub("", text.strip(" 《》"))


def _region(doc: Document, info: ProjectInfo) -> str | None:
    for ln in doc.lines[:60]:
        half = to_halfwidth(ln.text)
        m = re.match(r"^\s*([\u4e00-\u9fa5]{2,8}?(?:省|市|县|区|州))财政(?:局|厅)\s*\(制\)", half)
        if m:
            return m.group(1)
    for ln in doc.lines[:10]:
        m = re.match(r"^\s*([\u4e00-\u9fa5]{2,8}?(?:省|市|县|区|州))财政支出", ln.text.strip())
        if m:
            return m.group(1)
    for text in (info.unit, info.name, info.department):
        if text:
            m = _REGION_RE.match(text)
            if m:
                return m.group(1)
    return None
