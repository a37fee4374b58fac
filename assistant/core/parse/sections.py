"""Split a report's narrative into sections by heading kind.

Tolerant of the headings real reports use: '（6）', bare headings, '（一）项目概述', spaced
letters ('项 目 执 行 情 况'), Word bookmark residue and the combined
'主要经验及做法、存在问题和建议' heading, which is split into its two parts.
"""
from __future__ import annotations

import re

from ..models import Section
from ..numbers import compact, to_halfwidth
from .document import Line

SECTION_KINDS: dict[str, str] = {
    "overview": "项目基本概况",
    "goals": "项目绩效目标",
    "funding_use": "项目资金使用及管理情况",
    "implementation": "项目组织实施情况",
    "conclusion": "综合评价情况及评价结论",
    "performance": "项目主要绩效情况分析",
    "experience": "主要经验及做法",
    "problems": "存在问题和建议",
    "attachments": "附件",
    "process": "绩效自评工作开展情况",
    "other": "其他需要说明的问题",
}

# heading text (compact, without numbering) → kind; checked as prefixes, longest first
_HEADINGS: dict[str, str] = {
    "项目基本概况": "overview", "项目概况": "overview", "项目概述": "overview", "基本情况": "overview",
    "项目基本情况": "overview", "项目简介": "overview",
    "项目绩效预期目标": "goals", "项目绩效目标": "goals", "绩效目标": "goals", "项目预期目标": "goals",
    "项目资金使用及管理情况": "funding_use", "资金使用及管理情况": "funding_use", "资金使用情况": "funding_use",
    "资金管理情况": "funding_use", "财务管理情况": "funding_use", "项目资金情况": "funding_use",
    "预算执行情况": "funding_use", "资金投入和使用情况": "funding_use", "项目资金使用情况": "funding_use",
    "项目组织实施情况": "implementation", "组织实施情况": "implementation", "项目实施情况": "implementation",
    "项目执行情况": "implementation", "项目完成情况": "implementation", "项目管理情况": "implementation",
    "综合评价情况及评价结论": "conclusion", "综合评价情况": "conclusion", "评价结论": "conclusion",
    "自评结论": "conclusion", "综合评价结论": "conclusion", "总体评价": "conclusion",
    "项目主要绩效情况分析": "performance", "主要绩效情况分析": "performance", "绩效情况分析": "performance",
    "绩效分析": "performance", "项目绩效情况": "performance", "绩效目标实现情况": "performance",
    "绩效目标完成情况": "performance", "绩效指标完成情况": "performance", "项目绩效目标完成情况": "performance",
    "主要经验及做法": "experience", "主要经验和做法": "experience", "经验及做法": "experience",
    "经验做法": "experience", "主要做法": "experience", "主要经验": "experience",
    "存在问题和建议": "problems", "存在的问题和建议": "problems", "存在问题及建议": "problems",
    "存在的问题及建议": "problems", "问题与建议": "problems", "问题和建议": "problems",
    "存在的问题": "problems", "存在问题": "problems", "主要问题": "problems", "意见和建议": "problems",
    "改进措施": "problems", "整改措施": "problems",
    "附件": "attachments",
    # the 财预〔2020〕10号 outline used by most provinces: how the evaluation was done, and a last
    # catch-all section; headings of their own, so their text does not swell the section before
    "绩效自评工作开展情况": "process", "自评工作开展情况": "process", "评价工作开展情况": "process",
    "绩效评价工作开展情况": "process", "绩效评价工作情况": "process", "自评工作情况": "process",
    "评价工作情况": "process", "自评组织情况": "process",
    "其他需要说明的问题": "other", "其他需要说明的情况": "other", "其他需说明的问题": "other",
    "其他说明事项": "other",
    # 部门整体 reports: '一、部门基本情况' '二、部门整体支出情况' '三、部门整体绩效目标完成情况' (the unit's
    # prefix is dropped below, so these are what remains of '部门整体支出情况')
    "整体支出情况": "funding_use", "整体支出管理情况": "funding_use",
    "资金基本情况": "funding_use", "实施及绩效情况": "implementation",
}
_ORDERED = sorted(_HEADINGS, key=len, reverse=True)
_NUMBERING = re.compile(r"^(?:第[一二三四五六七八九十]+部分|[(（]?[一二三四五六七八九十\d]{1,3}[)）]|"
                        r"[一二三四五六七八九十]{1,3}、|\d{1,2}[、.．])\s*")
_START_MARKERS = ("评价报告综述", "自评报告综述")
_END_MARKERS = ("附件3-2", "项目支出绩效评价指标体系", "评价人员", "考评工作组组长", "备注:随同",
                "备注：随同")
# inside a combined 经验/问题 section, where the problems part starts
_PROBLEM_START = re.compile(r"^(存在(的)?问题|问题与建议|问题和建议|不足之处)|"
                            r"(仍(有|存在)(一些)?(不足|问题)|存在(以下|一些)?(不足|问题)|下一步[，,]?(重点|将|我们))")


def heading_kind(text: str) -> tuple[str | None, bool]:
    """Kind of a heading line and whether it is a combined 经验+问题 heading; (None, False) if not."""
    key = compact(to_halfwidth(text))
    key = _NUMBERING.sub("", key)
    key = key.rstrip(":：。")
    if not key or len(key) > 24:
        return None, False
    if "经验" in key and "问题" in key:
        return "experience", True
    prefixes = ("项目", "部门整体", "单位整体", "部门", "单位")  # '项目绩效指标完成情况分析', '部门基本情况'
    for candidate in dict.fromkeys((key, *(key.removeprefix(p) for p in prefixes))):
        for h in _ORDERED:
            if candidate.startswith(h) and len(candidate) <= len(h) + 6:
                return _HEADINGS[h], False
    return None, False


def _narrative_lines(lines: list[Line]) -> list[Line]:
    start = 0
    for k, ln in enumerate(lines):
        if any(m in compact(ln.text) for m in _START_MARKERS):
            start = k + 1
            break
    return lines[start:]


def split_sections(lines: list[Line]) -> list[Section]:
    sections: list[Section] = []
    current: Section | None = None
    body: list[str] = []
    combined = False

    def flush() -> None:
        nonlocal current, body
        if current is not None:
            text = "\n".join(body).strip()
            existing = next((s for s in sections if s.kind == current.kind), None)
            if existing is not None:
                existing.text = f"{existing.text}\n{current.heading}\n{text}".strip()
            elif text or current.kind != "attachments":
                current.text = text
                sections.append(current)
        current, body = None, []

    narrative = _narrative_lines(lines)
    for ln in narrative:
        key = compact(to_halfwidth(ln.text))
        if any(key.startswith(compact(m)) for m in _END_MARKERS):
            break
        kind, is_combined = heading_kind(ln.text)
        if kind == "attachments" and compact(_NUMBERING.sub("", key)) != "附件":
            kind = None
        if kind is not None:
            if combined and kind == "experience" and current is not None and current.kind == "experience" \
                    and not body:
                continue  # '主要经验及做法：' right under the combined heading
            flush()
            current = Section(kind=kind, heading=ln.text.strip(), text="", line=ln.line)
            combined = is_combined
            continue
        if current is None:
            continue
        if combined and current.kind == "experience" and body and _PROBLEM_START.search(compact(ln.text)):
            flush()
            current = Section(kind="problems", heading=ln.text.strip() if len(compact(ln.text)) <= 12
                              else SECTION_KINDS["problems"], text="", line=ln.line)
            combined = False
            if len(compact(ln.text)) <= 12:
                continue
        body.append(ln.text.strip())
    flush()
    return sections
