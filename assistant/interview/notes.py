"""Where an officer's statement belongs: the narrative section whose words it uses, weighed with how
much it resembles that section kind's passages in the knowledge base, and the question just asked."""
from __future__ import annotations

import re

from ..compose.skeleton import part_for, skeleton_of
from ..retrieval.hits import PrecedentSource
from .items import Item, form_of

ASKED_WEIGHT = 3.0  # an answer to the prompt just put stays there unless three more words say otherwise
SIMILARITY_WEIGHT = 4.0  # the share of similar passages found under a section kind, scaled to words
OPENING_WEIGHT = 2.0  # a section word in the first few characters ('我们的经验是…') counts three times
_QUESTION = re.compile(r"[？?]\s*$|^(?:怎么|如何|为什么|什么|哪)")


def is_question(text: str) -> bool:
    """'这一项怎么填？' asks the assistant something; it is not a note for the report."""
    return bool(_QUESTION.search(text.strip())) and len(text) < 60


def note_sections(form_id: str | None) -> list[str]:
    """The form's sections a note can go to: those whose skeleton has words."""
    return [s.kind for s in form_of(form_id).sections if skeleton_of(s.kind).words]


def _similar_sections(text: str, source: PrecedentSource | None, kinds: list[str]) -> dict[str, float]:
    if source is None:
        return {}
    try:
        hits = source.search(text, k=12, kind="report")
    except Exception:  # noqa: BLE001 - routing works on words alone when the index cannot answer
        return {}
    votes: dict[str, float] = {}
    for rank, hit in enumerate(hits):
        if hit.section in kinds:
            votes[hit.section] = votes.get(hit.section, 0.0) + 1.0 / (rank + 2)
    total = sum(votes.values())
    return {k: v / total for k, v in votes.items()} if total else {}


def route_note(text: str, form_id: str | None, asked: Item | None = None,
               source: PrecedentSource | None = None) -> tuple[str, str | None]:
    """(section kind, skeleton part) for a statement."""
    kinds = note_sections(form_id)
    if not kinds:
        return "implementation", None
    scores = {}
    similar = _similar_sections(text, source, kinds)
    opening = text[:8]
    for kind in kinds:
        skel = skeleton_of(kind)
        words = sum(1 for w in skel.words if w in text) + 0.5 * sum(1 for p in skel.parts for w in p.words if w in text)
        words += OPENING_WEIGHT * sum(1 for w in skel.words if w in opening)
        scores[kind] = words + SIMILARITY_WEIGHT * similar.get(kind, 0.0)
        if asked is not None and asked.section == kind:
            scores[kind] += ASKED_WEIGHT
    best = max(kinds, key=lambda k: (scores[k], -kinds.index(k)))
    if scores[best] <= 0:  # nothing says where: filed, but it answers none of the section's prompts
        return ("implementation" if "implementation" in kinds else kinds[0]), None
    default = asked.part if asked is not None and asked.section == best else None
    return best, part_for(best, text, default)
