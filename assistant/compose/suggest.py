"""Narrative suggestions from precedent: passages of the same section kind from other projects,
adapted to this project, number-locked, each with its citation."""
from __future__ import annotations

from ..core.models import Citation, ProjectInfo, Suggestion
from ..retrieval.hits import Hit, PrecedentSource
from .adapt import adapt
from .namelock import lock
from .numberlock import Facts

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


def suggestion_from_hit(hit: Hit, project: ProjectInfo, facts: Facts, mine: dict | None = None,
                        note: str = "") -> Suggestion:
    adapted = adapt(hit, project, mine)
    locked = lock(adapted.text, facts)
    return Suggestion(
        text=locked.text, origin="precedent", unverified=adapted.unverified + locked.unverified, note=note,
        citations=[Citation(source=hit.source, title=hit.title, heading=hit.heading, passage_id=hit.passage_id,
                            doc_kind=hit.doc_kind, score=round(hit.score, 6), project_type=hit.project_type)])


def _from_hits(hits: list[Hit], project: ProjectInfo, facts: Facts, k: int, mine: dict | None,
               skip: set[int], note=lambda hit: "") -> list[Suggestion]:
    seen_docs: set[str] = set()
    out: list[Suggestion] = []
    for hit in hits:
        if hit.passage_id in skip or (project.name and hit.title == project.name):
            continue  # the project's own earlier report is not a precedent for itself
        if hit.source in seen_docs:
            continue  # alternatives from different projects read better than two cuts of one
        seen_docs.add(hit.source)
        skip.add(hit.passage_id)
        out.append(suggestion_from_hit(hit, project, facts, mine, note(hit)))
        if len(out) == k:
            break
    return out


def precedent_suggestions(kind: str, project: ProjectInfo, facts: Facts, source: PrecedentSource | None,
                          k: int = 3, project_type: str | None = None, mine: dict | None = None,
                          ) -> tuple[list[Suggestion], list[Suggestion]]:
    """Up to k suggestions for one section kind from other projects' reports of the same project type, best
    first (the second list, other types, stays empty: kept for callers that label them)."""
    if source is None:
        return [], []
    query = precedent_query(kind, project, project_type)
    if project_type is None:  # no type to match: every precedent is as good as another
        return _from_hits(source.search(query, k=k * 4, kind="report", section=kind), project, facts, k, mine,
                          set()), []
    taken: set[int] = set()
    hits = source.search(query, k=k * 4, kind="report", section=kind, project_type=project_type)
    same = _from_hits([h for h in hits if h.project_type in (project_type, None)], project, facts, k, mine, taken)
    # another type's report is never offered: its sentences describe another kind of work (an 电子政务外网 text
    # for a forest-fire project), and no mapping makes them true of this one
    return same, []
