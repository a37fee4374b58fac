"""Reviewer view: a report against precedent — nearest passages per section with the shared text,
near copies of another unit's report, stock sentences recurring across reports, and corpus signals."""
from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from ..core.checks import CheckResult
from ..core.models import Finding, Where
from ..retrieval.hits import Hit, PrecedentSource
from .overlap import content_similarity, overlap, sentences

NEAR_COPY = 0.5  # share of a section's own words found in one precedent passage
# content similarity on a scale a reviewer reads: two sections on unrelated work score about 6% raw (median over the
# shared corpus, 113 reports; 90% of pairs below 14%), so the scale starts at 10% raw and an edited copy reads ~100%
SIM_FLOOR, SIM_CEIL = 0.10, 0.90
COMPARABLE = 0.15  # below this (and with no shared text) a passage is no precedent for the section: 无可比先例
MIN_SECTION_CHARS = 30
NARRATIVE = ("overview", "funding_use", "implementation", "conclusion", "performance", "experience", "problems",
             "goals", "process")
_MASK = re.compile(r"《[^》]{2,80}》|[〔\[(（【]\s*(?:19|20)\d{2}\s*[〕\])）】]\s*\d{1,4}\s*号")


@dataclass
class SectionPrecedents:
    section: str
    heading: str
    text: str
    passages: list[dict] = field(default_factory=list)

    def as_json(self) -> dict:
        return {"section": self.section, "heading": self.heading, "passages": self.passages}


@dataclass
class Review:
    result: CheckResult
    sections: list[SectionPrecedents]
    findings: list[Finding]  # precedent.* findings only; result.findings holds the rest

    def precedents_json(self) -> list[dict]:
        return [s.as_json() for s in self.sections]


def _same_project(hit: Hit, result: CheckResult) -> bool:
    p = result.report.project
    return bool(p.name) and hit.title == p.name


def _candidates(source: PrecedentSource, text: str, kind: str, k: int) -> list[Hit]:
    # copies share words, so the lexical index finds them; embedding a whole section per query would
    # cost seconds on 2 cores for no better candidates
    query = text[:600]
    hits = source.search(query, k=k, kind="report", section=kind, retrievers=("bm25",))
    seen = {h.passage_id for h in hits}
    for h in source.search(query, k=k, kind="report", retrievers=("bm25",)):  # a copy may sit under another heading
        if h.passage_id not in seen:
            hits.append(h)
            seen.add(h.passage_id)
    return hits


def readable_similarity(a: str, b: str) -> float:
    """Content similarity 0–1 on the reviewer's scale (unrelated text near 0, a copy near 1)."""
    raw = content_similarity(_body(a), _body(b))
    return round(min(1.0, max(0.0, (raw - SIM_FLOOR) / (SIM_CEIL - SIM_FLOOR))), 4)


def _body(text: str) -> str:
    """A section's content without its heading line: sections are compared by what they say, not by a title
    every report shares ('（三）项目组织实施情况')."""
    lines = text.strip().split("\n")
    if len(lines) > 1 and len(lines[0]) <= 24 and "。" not in lines[0]:
        return "\n".join(lines[1:])
    return text


def review(result: CheckResult, source: PrecedentSource, sentence_docs: dict[str, set[str]] | None = None,
           k: int = 3) -> Review:
    """Nearest precedent per narrative section among reports of the same kind of project, by what the sections
    say (shared text, then content similarity), plus precedent findings. A section nothing comparable matches has
    no passages: 无可比先例."""
    from ..retrieval.metadata import report_type

    report = result.report
    kind_of_project = report_type(report)
    out: list[SectionPrecedents] = []
    findings: list[Finding] = []
    for sec in report.sections:
        if sec.kind not in NARRATIVE or len(sec.text.strip()) < 10:
            continue
        sp = SectionPrecedents(sec.kind, sec.heading, sec.text)
        scored = []
        for hit in _candidates(source, _body(sec.text), sec.kind, k * 3):
            if _same_project(hit, result):
                continue
            ov = overlap(_body(sec.text), _body(hit.text))
            # another kind of project is no precedent for this one, unless its text is this section's (a copy)
            if kind_of_project != "其他" and hit.project_type != kind_of_project and ov.ratio < NEAR_COPY:
                continue
            sim = readable_similarity(sec.text, hit.text)
            if sim < COMPARABLE and ov.ratio < 0.05:
                continue
            scored.append((ov.ratio, sim, hit, ov))
        scored.sort(key=lambda t: (-t[0], -t[1]))
        for ratio, sim, hit, ov in scored[:k]:
            ov = overlap(sec.text, hit.text)  # spans on the texts as shown
            sp.passages.append({"source": hit.source, "title": hit.title, "heading": hit.heading,
                                "passage_id": hit.passage_id, "similarity": sim, "overlap": ratio,
                                "issuer": hit.issuer, "shared": ov.spans_a, "shared_in_passage": ov.spans_b,
                                "text": hit.text, "project_type": hit.project_type})
        out.append(sp)
        best = next((p for p in sp.passages if p["overlap"] >= NEAR_COPY), None)
        masked_len = len(_MASK.sub("", re.sub(r"\s+", "", sec.text)))
        if best and masked_len >= MIN_SECTION_CHARS:
            if not (report.project.unit and best["issuer"] == report.project.unit):  # another unit's text
                findings.append(Finding(
                    code="precedent.near_copy", severity="warning",
                    message=f"“{sec.heading}”有 {best['overlap']:.0%} 的文字与《{best['title']}》（{best['source']}）相同",
                    evidence={"section": sec.kind, "source": best["source"], "title": best["title"],
                              "passage_id": best["passage_id"], "overlap": best["overlap"]},
                    where=Where(line=sec.line)))
    if sentence_docs is not None:
        findings.extend(boilerplate(result, sentence_docs))
    return Review(result, out, findings)


def boilerplate(result: CheckResult, sentence_docs: dict[str, set[str]]) -> list[Finding]:
    """Sentences of this report that other reports carry word for word."""
    own_title = result.report.project.name
    found: list[Finding] = []
    seen: set[str] = set()
    for sec in result.report.sections:
        for s in sentences(sec.text):
            if s in seen or len(_MASK.sub("", s)) < 12:
                continue
            seen.add(s)
            others = sorted(d for d in sentence_docs.get(s, set()) if d != own_title)
            if others:
                found.append(Finding(
                    code="precedent.boilerplate", severity="info",
                    message=f"套话：“{s}”也出现在其他 {len(others)} 份报告中（{'、'.join(others[:3])}）",
                    evidence={"sentence": s, "documents": others, "section": sec.kind}, where=Where(line=sec.line)))
    return found


def sentence_index(passages: list[tuple[str, str]]) -> dict[str, set[str]]:
    """sentence → titles of the reports containing it, from (title, passage text) pairs."""
    index: dict[str, set[str]] = defaultdict(set)
    for title, text in passages:
        for s in sentences(text):
            index[s].add(title)
    return index


def corpus_signals(figures: list[dict], index: dict[str, set[str]], top: int = 20, kind: str | None = None) -> dict:
    """Distribution of claimed totals and grades, and the sentences most reports share — of reports of `kind`
    (the project type of the report under review) only, when given."""
    if kind and kind != "其他":
        from ..retrieval.metadata import project_type

        figures = [f for f in figures if project_type(f.get("title") or "") == kind]
        same = {f.get("title") for f in figures}
        index = {s: docs & same for s, docs in index.items() if docs & same}
    totals = Counter(f["claimed_total"] for f in figures if f.get("claimed_total"))
    grades = Counter(f["claimed_grade"] for f in figures if f.get("claimed_grade"))
    recurring = sorted(((s, docs) for s, docs in index.items() if len(docs) >= 2), key=lambda t: (-len(t[1]), t[0]))
    return {"reports": len(figures), "project_type": kind, "claimed_totals": dict(totals.most_common()), "grades": dict(grades.most_common()),
            "recurring_sentences": [{"sentence": s, "reports": sorted(d)} for s, d in recurring[:top]]}
