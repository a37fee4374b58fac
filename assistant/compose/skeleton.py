"""Section skeletons (prompts/sections/skeletons.yaml): the parts a narrative section is made of, the
words that place an officer's note in a section and a part, and the section written from those notes."""
from __future__ import annotations

import re
from functools import lru_cache

import yaml
from pydantic import BaseModel, ConfigDict, Field

from ..core.models import Note
from .register import once, unseen, written
from .templates import PROMPTS, render

ORDINALS = ("一是", "二是", "三是", "四是", "五是", "六是")


class Part(BaseModel):
    model_config = ConfigDict(extra="forbid")
    key: str
    label: str
    ask: str
    words: list[str] = Field(default_factory=list)
    lead: str = ""


class SectionSkeleton(BaseModel):
    model_config = ConfigDict(extra="forbid")
    words: list[str] = Field(default_factory=list)
    parts: list[Part] = Field(default_factory=list)


@lru_cache(maxsize=1)
def skeletons() -> dict[str, SectionSkeleton]:
    data = yaml.safe_load((PROMPTS / "sections" / "skeletons.yaml").read_text(encoding="utf-8"))
    return {kind: SectionSkeleton.model_validate(spec) for kind, spec in data["sections"].items()}


def skeleton_of(kind: str) -> SectionSkeleton:
    return skeletons().get(kind) or SectionSkeleton()


def part_for(kind: str, text: str, default: str | None = None) -> str | None:
    """The part of a section whose words the text uses most; `default` (the part just asked about, which
    keeps an answer unless two more words say otherwise) when it uses none of them."""
    parts = skeleton_of(kind).parts
    if not parts:
        return None
    scores = [(sum(1 for w in p.words if w in text) + (2 if p.key == default else 0), -i, p.key)
              for i, p in enumerate(parts)]
    best = max(scores)
    if best[0] > 0:
        return best[2]
    return default if default in {p.key for p in parts} else None


def part_of(note: Note) -> str | None:
    """The skeleton part a note speaks to: its own, else the one its words name (None: no part)."""
    keys = {p.key for p in skeleton_of(note.section).parts}
    return note.part if note.part in keys else part_for(note.section, note.text)


def as_report_text(note: str, exact: frozenset[str] = frozenset()) -> str:
    """An officer's sentence as report prose (knowledge/register.yaml), amounts in 万元."""
    return written(note, exact)


def notes_by_part(kind: str, notes: list[Note], exact: frozenset[str] = frozenset()) -> dict[str, list[str]]:
    """The section's notes grouped under its parts (a note's own part, else the best by words), each statement
    once in the whole section (a sentence routed to two parts, or said twice, is written at its first place)."""
    out: dict[str, list[str]] = {p.key: [] for p in skeleton_of(kind).parts}
    seen: set[str] = set()
    for note in notes:
        key = part_of(note)
        if key is None and out:  # a note that names no part is written in the first
            key = next(iter(out))
        text = unseen(as_report_text(note.text, exact), seen) if key is not None else ""
        if text:
            out[key].append(text)
    return out


def skeleton_text(kind: str, notes: list[Note], exact: frozenset[str] = frozenset()) -> str | None:
    """The section written part by part from the notes; a part nobody spoke to is a 【待补充】 slot."""
    skeleton = skeleton_of(kind)
    if not skeleton.parts:
        return None
    grouped = notes_by_part(kind, notes, exact)
    parts = [{"label": p.label, "lead": p.lead, "text": "".join(grouped[p.key])} for p in skeleton.parts]
    return render("sections/skeleton.j2", parts=parts, ordinals=ORDINALS)


def notes_text(notes: list[Note], exact: frozenset[str] = frozenset()) -> str:
    """Notes appended to a section made of figures or findings, each statement once."""
    return "".join(once([as_report_text(n.text, exact) for n in notes]))
