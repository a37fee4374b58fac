"""Document metadata: title, 文号, issuing body, region, year, kind, form and project type."""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Iterable

import yaml

from ..core.models import Report
from ..core.numbers import to_halfwidth
from .tokenize import normalise_doc_no

_KNOWLEDGE = Path(__file__).resolve().parent.parent.parent / "knowledge"
_DOC_NO = re.compile(r"([\u4e00-\u9fa5]{1,8}?)\s*[〔\[(（【]\s*((?:19|20)\d{2})\s*[〕\])）】]\s*(\d{1,4})\s*号")
_ISSUER = re.compile(r"^(?:中共)?([\u4e00-\u9fa5 ]{2,30}?)(?:关于|印发)")
_REGION = re.compile(r"(北京|天津|上海|重庆|河北|山西|辽宁|吉林|黑龙江|江苏|浙江|安徽|福建|江西|山东|河南|湖北|湖南|广东|"
                     r"海南|四川|贵州|云南|陕西|甘肃|青海|内蒙古|广西|西藏|宁夏|新疆)(?:省|市|自治区)?|"
                     r"([\u4e00-\u9fa5]{2,4}?(?:市|县|区|州))")
_NATIONAL = ("财政部", "国务院", "中共中央", "中华人民共和国", "国家", "全国人民代表大会")
_POLICY_WORDS = ("办法", "条例", "通知", "意见", "规定", "指引", "细则", "方案", "解读", "预算法", "框架")
_REPORT_WORDS = ("自评报告", "绩效评价报告", "绩效自评", "评价报告综述")


@dataclass
class DocMeta:
    title: str
    kind: str  # report | policy
    doc_no: str | None = None
    doc_no_key: str | None = None
    issuer: str | None = None
    region: str | None = None
    year: int | None = None
    form: str | None = None
    project_type: str | None = None


NAME_WEIGHT = 100  # '政府门户网站集约化平台提质改造' is 信息化 whatever its rows say about 改造


@lru_cache(maxsize=1)
def _project_types() -> dict[str, list[str]]:
    data = yaml.safe_load((_KNOWLEDGE / "project_types.yaml").read_text(encoding="utf-8"))
    return data["types"]


def project_type(title: str, indicators: Iterable[str] = (), expenses: Iterable[str] = (), units: Iterable[str] = ()) -> str:
    """The type whose words the name uses most. The unit and department (a name word counts as much as
    NAME_WEIGHT // 2 unit words) and then the indicator names and expense rows decide between types the name
    does not tell apart — rows only by their weight: a type needs two rows, so one '林火视频监控系统运维'
    row never makes a forest-fire project 信息化. 其他 if none."""
    rows = [t for t in (*indicators, *expenses) if t]
    orgs = " ".join(u for u in units if u)
    best, best_score = "其他", 0
    for name, words in _project_types().items():
        hits = sum(1 for t in rows if any(w in t for w in words))
        weight = hits if hits >= 2 else 0
        score = NAME_WEIGHT * sum(1 for w in words if w in (title or "")) + \
            NAME_WEIGHT // 2 * sum(1 for w in words if w in orgs) + weight
        if score > best_score:
            best, best_score = name, score
    return best


def report_type(report: Report, title: str | None = None) -> str:
    """A report's project type from the whole project: its name, its unit and department, and the weight of its
    indicators and expense rows."""
    p = report.project
    return project_type(title or p.name or "", [i.name for i in report.indicators],
                        [e.content for e in report.expenses], (p.unit or "", p.department or ""))


def doc_no_of(text: str) -> str | None:
    m = _DOC_NO.search(to_halfwidth(text)) if text else None
    if not m:
        return None
    return f"{m.group(1)}〔{m.group(2)}〕{m.group(3)}号"


def guess_kind(text: str, report: Report | None) -> str:
    """'policy' or 'report': a policy's title or its 第X条 articles outweigh report words it quotes."""
    head = text[:3000]
    title = next((ln[6:] for ln in head.splitlines()[:5] if ln.startswith("TITLE:")), head[:120])
    if any(w in title for w in _POLICY_WORDS) and not any(w in title for w in _REPORT_WORDS):
        return "policy"
    if len(re.findall(r"^\s*第[一二三四五六七八九十百]+条", text, re.M)) >= 3:
        return "policy"
    if report is not None and report.project.form != "generic":
        return "report"
    if any(w in head for w in _REPORT_WORDS):
        return "report"
    return "report" if report is not None and report.funding.origin != "none" else "policy"


def describe(text: str, source: str, report: Report | None, kind: str = "auto") -> DocMeta:
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    title = next((ln[6:].strip() for ln in lines[:5] if ln.startswith("TITLE:")), None)
    if kind == "auto":
        kind = guess_kind(text, report)
    if title is None and report is not None and report.project.name:
        title = report.project.name
    if title is None:
        title = next((ln.lstrip("# ").strip() for ln in lines[:10] if not ln.startswith("SOURCE:")), Path(source).stem)
    doc_no = doc_no_of(title) or doc_no_of(" ".join(lines[:15]))
    meta = DocMeta(title=title[:200], kind=kind, doc_no=doc_no,
                   doc_no_key=normalise_doc_no(doc_no) if doc_no else None)
    if kind == "report" and report is not None:
        meta.issuer = report.project.unit
        meta.region = report.project.region
        meta.year = report.project.year or _year_in(title) or _year_in(" ".join(lines[:5]))
        meta.form = report.project.form
        meta.project_type = report_type(report, title)
    else:
        m = _ISSUER.match(re.sub(r"^《", "", title))
        meta.issuer = m.group(1).strip() if m else None
        where = f"{meta.issuer or ''}{title}"
        if any(w in where for w in _NATIONAL) and not re.search(r"[\u4e00-\u9fa5]{2,3}省", where):
            meta.region = "全国"
        else:
            r = _REGION.search(where)
            meta.region = (r.group(1) or r.group(2)) if r else None
        meta.year = _year_in(title)
    return meta


_YEAR = re.compile(r"[〔\[(（]((?:19|20)\d{2})[〕\])）]|((?:19|20)\d{2})\s*年|((?:19|20)\d{2})-\d{2}-\d{2}")


def _year_in(text: str) -> int | None:
    """The first year a title names: 〔2020〕, 2022年(度), 2021-03-05."""
    found = _YEAR.search(text or "")
    return int(next(g for g in found.groups() if g)) if found else None
