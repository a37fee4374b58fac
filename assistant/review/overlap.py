"""Shared text between two passages: aligned spans in both, and how much of one the other covers.

Alignment is longest-common-substring blocks (difflib) of at least MIN_SPAN characters, computed on
text whose citations — 《document titles》 and 文号 — are masked, so two reports that merely cite
the same policy are not near copies of each other.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher

MIN_SPAN = 10  # characters; shorter common runs are ordinary phrasing
_CITATION = re.compile(r"《[^》]{2,80}》|[\u4e00-\u9fa5]{1,8}[〔\[(（【]\s*(?:19|20)\d{2}\s*[〕\])）】]\s*\d{1,4}\s*号|"
                       r"[(（][\u4e00-\u9fa5]{1,8}[〔\[(（【]\s*(?:19|20)\d{2}\s*[〕\])）】]\s*\d{1,4}\s*号[)）]")
_SENTENCE = re.compile(r"[^。！？!?；;\n]+[。！？!?；;]?")


@dataclass
class Overlap:
    ratio: float  # share of A's characters (citations excluded) that B also has
    spans_a: list[tuple[int, int]]
    spans_b: list[tuple[int, int]]


def _masked(text: str, fill: str) -> str:
    """Citations replaced by a filler character unique to each side, keeping offsets."""
    return _CITATION.sub(lambda m: fill * len(m.group(0)), text)


def overlap(a: str, b: str, min_span: int = MIN_SPAN) -> Overlap:
    if not a or not b:
        return Overlap(0.0, [], [])
    ma, mb = _masked(a, "\x01"), _masked(b, "\x02")
    matcher = SequenceMatcher(None, ma, mb, autojunk=False)
    spans_a, spans_b = [], []
    for block in matcher.get_matching_blocks():
        if block.size >= min_span:
            spans_a.append((block.a, block.a + block.size))
            spans_b.append((block.b, block.b + block.size))
    countable = len(ma) - ma.count("\x01") - sum(1 for ch in ma if ch.isspace())
    covered = sum(end - start for start, end in spans_a)
    return Overlap(round(covered / countable, 4) if countable > 0 else 0.0, spans_a, spans_b)


def highlight(text: str, spans: list[tuple[int, int]], open_mark: str = "【", close_mark: str = "】") -> str:
    out, last = [], 0
    for start, end in sorted(spans):
        out.append(text[last:start])
        out.append(f"{open_mark}{text[start:end]}{close_mark}")
        last = end
    out.append(text[last:])
    return "".join(out)


def sentences(text: str, min_chars: int = 12) -> list[str]:
    """Sentences long enough to mean something, whitespace removed, citations kept."""
    out = []
    for m in _SENTENCE.finditer(text):
        s = re.sub(r"\s+", "", m.group(0))
        if len(s) >= min_chars:
            out.append(s)
    return out


# bigrams nearly every report uses: they say nothing about what a section is about
_STOCK = set("项目 资金 绩效 评价 实施 单位 工作 管理 年度 目标 完成 情况 进行 开展 加强 落实 按照 相关 有关 要求 进一步 "
             "一是 二是 三是 我们 本单位 全年 全县 全市 部门 财政 预算 支出 指标 提高 保障 推进 建设 组织 及时 严格 "
             "规定 制度 明显 有效 成效 问题 建议 下一步 存在".split())


def _bigrams(text: str) -> dict[str, int]:
    clean = re.sub(r"[^\u4e00-\u9fa5A-Za-z0-9]", "", _CITATION.sub("", text))
    out: dict[str, int] = {}
    for k in range(len(clean) - 1):
        gram = clean[k:k + 2]
        if gram in _STOCK or gram.isdigit():
            continue
        out[gram] = out.get(gram, 0) + 1
    return out


def content_similarity(a: str, b: str) -> float:
    """How alike two passages are in what they say, 0–1: the cosine of their character bigrams with the words
    every report uses left out, so two texts on unrelated work score near 0 (the figure a reviewer reads as %)."""
    x, y = _bigrams(a), _bigrams(b)
    if not x or not y:
        return 0.0
    dot = sum(v * y.get(k, 0) for k, v in x.items())
    norm = (sum(v * v for v in x.values()) * sum(v * v for v in y.values())) ** 0.5
    return round(dot / norm, 4) if norm else 0.0
