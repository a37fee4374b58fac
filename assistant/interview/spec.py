"""The interview's own data (knowledge/interview.yaml): project-field questions, table requests, reasons."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field

INTERVIEW_FILE = Path(__file__).resolve().parent.parent.parent / "knowledge" / "interview.yaml"


class ProjectField(BaseModel):
    model_config = ConfigDict(extra="forbid")
    field: str = ""
    label: str
    ask: str
    says: list[str] = Field(default_factory=list)  # words that introduce the value in a sentence
    choices: list[str] = Field(default_factory=list)


class TableAsk(BaseModel):
    model_config = ConfigDict(extra="forbid")
    key: str
    label: str
    ask: str
    asks: dict[str, str] = Field(default_factory=dict)  # by the form's layout, in its own column words


class ReasonAsk(BaseModel):
    model_config = ConfigDict(extra="forbid")
    label: str
    ask: str


class InterviewSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")
    project: list[ProjectField]
    default_project: list[str]
    tables: list[TableAsk]
    goals: list[TableAsk]
    claimed_grade: ProjectField | None = None
    claimed_total: ProjectField | None = None
    reasons: dict[str, ReasonAsk]

    def field(self, name: str) -> ProjectField | None:
        return next((f for f in self.project if f.field == name), None)


@lru_cache(maxsize=1)
def interview_spec() -> InterviewSpec:
    return InterviewSpec.model_validate(yaml.safe_load(INTERVIEW_FILE.read_text(encoding="utf-8")))


TURNS_FILE = INTERVIEW_FILE.parent / "turns.yaml"


class CriteriaWords(BaseModel):
    """How a clause of a free-word answer says yes, no or not sure (interview/criteria.py)."""
    model_config = ConfigDict(extra="forbid")
    contrast: str
    double_negative: str
    unsure: str
    negative: str
    limits: str
    everything: str
    # a clause said to the assistant about its record ('你只记了一个'): about no option
    to_assistant: str = "^(?:你|您)"
    typos: dict[str, str] = Field(default_factory=dict)


class CommandWords(BaseModel):
    model_config = ConfigDict(extra="forbid")
    says: list[str] = Field(default_factory=list)
    patterns: list[str] = Field(default_factory=list)
    # the intent said anywhere in a short message, in indirect words ('你先问别的', '给我挑挑毛病')
    cues: list[str] = Field(default_factory=list)
    # words that, with nothing else in the message, say yes to what waits ('好 这个对了 就这样')
    agree: list[str] = Field(default_factory=list)
    examples: list[str] = Field(default_factory=list)


class ChitchatWords(BaseModel):
    model_config = ConfigDict(extra="forbid")
    patterns: list[str]
    meta: list[str]
    examples: list[str] = Field(default_factory=list)


class RequestWords(BaseModel):
    model_config = ConfigDict(extra="forbid")
    cues: list[str]
    rename: list[str]
    delete: list[str]
    add: list[str]
    examples: list[str] = Field(default_factory=list)


class QuestionWords(BaseModel):
    model_config = ConfigDict(extra="forbid")
    end: str
    cues: list[str]
    weak: list[str] = Field(default_factory=list)
    topics: dict[str, list[str]]
    examples: list[str] = Field(default_factory=list)


class CorrectionWords(BaseModel):
    model_config = ConfigDict(extra="forbid")
    cues: list[str]
    columns: dict[str, list[str]]
    goal: dict[str, list[str]]
    reason: dict[str, list[str]]
    examples: list[str] = Field(default_factory=list)


class TurnWords(BaseModel):
    """knowledge/turns.yaml: what each kind of turn sounds like, and what questions are answered with."""
    model_config = ConfigDict(extra="forbid")
    fillers: str
    commands: dict[str, CommandWords]
    chitchat: ChitchatWords
    requests: RequestWords
    questions: QuestionWords
    corrections: CorrectionWords
    statements: dict[str, list[str]]
    answers: dict[str, str]
    criteria: CriteriaWords
    glossary: list[dict] = Field(default_factory=list)


@lru_cache(maxsize=1)
def turn_words() -> TurnWords:
    return TurnWords.model_validate(yaml.safe_load(TURNS_FILE.read_text(encoding="utf-8")))
