"""Search hits and the small interface the drafting engine asks precedent from.

Kept apart from the knowledge base so `compose` can depend on it without importing SQLite or faiss.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass
class Hit:
    passage_id: int
    source: str
    title: str
    doc_kind: str
    section: str
    heading: str
    text: str
    score: float
    retrievers: list[str]
    ranks: dict[str, int]
    doc_no: str | None = None
    region: str | None = None
    year: int | None = None
    issuer: str | None = None
    figures: dict | None = None  # a report's key figures: planned, arrived, spent, rates, dates
    project_type: str | None = None  # a report's project type (交通运输, 教育 …)

    def as_json(self) -> dict:
        return {"source": self.source, "title": self.title, "doc_kind": self.doc_kind, "section": self.section,
                "heading": self.heading, "text": self.text, "score": round(self.score, 6),
                "retrievers": self.retrievers, "ranks": self.ranks, "passage_id": self.passage_id,
                "doc_no": self.doc_no, "region": self.region, "year": self.year, "issuer": self.issuer,
                "project_type": self.project_type}


class PrecedentSource(Protocol):
    """Anything that can return passages for a query (the knowledge base, or a fake in tests)."""

    def search(self, query: str = "", k: int = 5, kind: str | None = None, section: str | None = None,
               **filters) -> list[Hit]: ...
