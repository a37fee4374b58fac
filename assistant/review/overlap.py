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
