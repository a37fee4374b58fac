"""What a report evaluates: one project, a whole department (部门整体支出), or several projects in one file.

A 部门整体 report states a department's 收入/支出/预算, which `statements` reads as it stands (收入 as the
money available, 支出 as spent); it is only named, never forced into a project's grid. A file bundling
several projects ('共有5个项目', '1、烈士纪念设施维修项目：预算35.3万元…') has each project read from its
own passage and listed in `Report.projects`; its headline figures are the ones stated outside those
passages (a total for them all), or the passage of the project its title names.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from ..models import BundledProject, Where
from ..numbers import compact, find_money, to_halfwidth
from . import statements
from .document import Line

_DEPARTMENT = re.compile(r"部门整体|整体支出|单位整体|整体绩效")
_COUNT = re.compile(r"(?:共有|共计|共|涉及|包括|参与绩效评价的项目共)\s*(\d{1,2}|[两二三四五六七八九十])\s*(?:个|类)项目"
                    r"|项目共\s*(\d{1,2}|[两二三四五六七八九十])\s*个")
# '1、烈士纪念设施维修项目：' / '2、失业保险及城乡就业稽查核查费用8万元' / '土壤污染防治类：'
_ITEM = re.compile(r"(?:(?<![\d.])(?:\d{1,2}|[一二三四五六七八九十])[、.．]\s*|^\s*[（(](?:\d{1,2}|[一二三四五六七八九十])[)）]\s*"
                   r"|(?:^|(?<=[。；;]))\s*(?=[^。；;]{2,20}类[:：]))"
                   r"(?P<name>[^:：。；;,，()（）]{2,40}?(?:项目|经费|资金|费用|费|工程|类))"
                   r"\s*(?:[:：。]|(?=[\d(（])|$)")
_GENERIC = re.compile(r"^(本|该)?(项目|专项)?(资金|经费|费用|项目)$")  # '（二）项目资金' is a heading, not a project
_PART_HEADING = re.compile(r"^\s*[一二三四五六七八九十]+[、.．]")
_CN_NUMBERS = {"两": 2, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}


@dataclass
class _Item:
    name: str
    line: int | None
    text: str
    covers: tuple[int | None, ...]  # the lines its passage spans


def kind_of(lines: list[Line], title: str | None) -> str:
    # the title and opening lines, without the documents they cite (《…部门整体支出和项目支出…的通知》)
    head = compact("".join([title or "", *(ln.text for ln in lines[:6] if "通知" not in ln.text)]))
    head = re.sub(r"《[^》]*》|[(（][^()（）]*[)）]", "", head)
    if _DEPARTMENT.search(head):
        return "department"
    return "bundle" if len(_items(lines)) >= 2 or _stated_count(lines) >= 2 else "project"


def _stated_count(lines: list[Line]) -> int:
    for ln in lines[:60]:
        m = _COUNT.search(to_halfwidth(ln.text))
        if m:
            word = m.group(1) or m.group(2)
            return int(word) if word.isdigit() else _CN_NUMBERS.get(word, 0)
    return 0


def _items(lines: list[Line]) -> list[_Item]:
    """Each enumerated project with money in its passage (a passage runs to the next item)."""
    starts: list[tuple[int, int, str]] = []  # line index, offset, name
    for k, ln in enumerate(lines):
        text = to_halfwidth(ln.text)
        for m in _ITEM.finditer(text):
            name = m.group("name").strip()
            heading_only = not text[m.end():].strip()  # '一、安全生产专项整治项目' on a line of its own
            if find_money(name) or _GENERIC.match(compact(name)) or (heading_only and not name.endswith(("项目", "工程"))):
                continue
            starts.append((k, m.start(), name))
    items: list[_Item] = []
    for n, (k, offset, name) in enumerate(starts):
        end_k, end_off = (starts[n + 1][0], starts[n + 1][1]) if n + 1 < len(starts) else (len(lines) - 1, None)
        if end_k > k + 6:
            end_k, end_off = k + 6, None  # a passage is a few lines, not the rest of the report
        for j in range(k + 1, end_k + 1):
            if _PART_HEADING.match(lines[j].text):  # '三、综合评价结论' ends the projects' part
                end_k, end_off = j - 1, None
                break
        parts = []
        for j in range(k, end_k + 1):
            text = to_halfwidth(lines[j].text)
            lo = offset if j == k else 0
            hi = end_off if j == end_k and end_off is not None else len(text)
            parts.append(text[lo:hi])
        passage = "\n".join(parts)
        if find_money(passage):
            items.append(_Item(name, lines[k].line, passage, tuple(lines[j].line for j in range(k, end_k + 1))))
    names = {i.name for i in items}
    return items if len(names) >= 2 else []


def _figures(item: _Item) -> dict:
    chosen, _ = statements.settle(statements.readings([Line(t, item.line) for t in item.text.split("\n")]))
    out = {c: r.value for c, r in chosen.items() if c in ("planned", "arrived", "spent")}
    if "planned" not in out:
        # '1、档案整理费5万元，…': the amount right after a listed project's name is its budget
        head = re.match(r"^\s*(?:\d{1,2}|[一二三四五六七八九十])?[、.．]?\s*" + re.escape(item.name) + r"[:：]?\s*", item.text)
        money = find_money(item.text)
        if head and money and money[0].start == head.end():
            out["planned"] = money[0].value
    return out


def _merged(items: list[_Item]) -> list[BundledProject]:
    """One entry per project, however often the file lists it; a figure its passages disagree on is left out."""
    out: dict[str, BundledProject] = {}
    for item in items:
        figures = _figures(item)
        known = out.get(item.name)
        if known is None:
            out[item.name] = BundledProject(name=item.name, where=Where(line=item.line), **figures)
            continue
        for col, value in figures.items():
            have = getattr(known, col)
            if have is None:
                setattr(known, col, value)
            elif have != value:
                setattr(known, col, None)
    return list(out.values())


def bundled(lines: list[Line]) -> tuple[list[BundledProject], list[Line]]:
    """The projects a bundling file lists, each with its own figures, and the lines outside their passages."""
    items = _items(lines)
    projects = _merged(items)
    inside = {n for i in items for n in i.covers}
    outside = [ln for ln in lines if ln.line not in inside]
    return projects, outside


def titled(projects: list[BundledProject], title: str | None) -> BundledProject | None:
    """The listed project the file's title names, if it names one."""
    key = compact(title or "")
    if not key:
        return None
    named = [p for p in projects if compact(p.name) and compact(p.name) in key]
    return named[0] if len(named) == 1 else None
