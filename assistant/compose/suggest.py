"""Narrative suggestions from precedent: passages of the same section kind from other projects,
adapted to this project, number-locked, each with its citation."""
from __future__ import annotations

from ..core.models import Citation, ProjectInfo, Suggestion
from ..retrieval.hits import Hit, PrecedentSource
from .adapt import adapt
from .numberlock import Facts, lock_numbers

SECTION_WORDS = {
    "overview": "项目背景 建设内容 基本情况",
    "implementation": "组织实施 项目采购 招标 实施进度 验收",
    "conclusion": "综合评价 评价结论 达到建设目标",
    "performance": "绩效情况 成效 效益 覆盖",
    "experience": "主要经验 做法 坚持",
    "problems": "存在问题 不足 建议 下一步",
    "goals": "绩效目标 总目标 阶段目标",
    "funding_use": "资金使用 管理 支付",
}


def precedent_query(kind: str, project: ProjectInfo, project_type: str | None = None) -> str:
    return " ".join(x for x in (project.name, project_type, SECTION_WORDS.get(kind, "")) if x)


def suggestion_from_hit(hit: Hit, project: ProjectInfo, facts: Facts, mine: dict | None = None) -> Suggestion:
    adapted = adapt(hit, project, mine)
    locked = lock_numbers(adapted.text, facts)
    return Suggestion(
        text=locked.text, origin="precedent", unverified=adapted.unverified + locked.unverified,
        citations=[Citation(source=hit.source, title=hit.title, heading=hit.heading, passage_id=hit.passage_id,
                            doc_kind=hit.doc_kind, score=round(hit.score, 6))])


def precedent_suggestions(kind: str, project: ProjectInfo, facts: Facts, source: PrecedentSource | None,
                          k: int = 3, project_type: str | None = None, mine: dict | None = None) -> list[Suggestion]:
    """Up to k suggestions for one section kind, from other projects' reports, best first."""
    if source is None:
        return []
    hits = source.search(precedent_query(kind, project, project_type), k=k * 4, kind="report", section=kind)
    seen_docs: set[str] = set()
    out: list[Suggestion] = []
    for hit in hits:
        if project.name and hit.title == project.name:
            continue  # the project's own earlier report is not a precedent for itself
        if hit.source in seen_docs:
            continue  # alternatives from different projects read better than two cuts of one
        seen_docs.add(hit.source)
        out.append(suggestion_from_hit(hit, project, facts, mine))
        if len(out) == k:
            break
    return out
