"""The kinds a turn can be, what a turn is read against (`TurnContext`) and what reading it decides (`Decision`,
with its reason, shown in the reply)."""
from __future__ import annotations

from dataclasses import dataclass, field

from ..core.models import Report
from ..core.scoring import RuleSet
from ..retrieval.hits import PrecedentSource
from .facts import Place, place_of
from .items import Item

PASTE, ERROR, COMMAND, CHITCHAT, REQUEST, QUESTION = "paste", "error", "command", "chitchat", "request", "question"

OTHER_QUESTION = "其他问题"  # a question no rule answers: the model (when there is one) may read it

CORRECTION, ANSWER, FACTS, STATEMENT, CLARIFY, UNCLEAR, EMPTY = \
    "correction", "answer", "facts", "statement", "clarify", "unclear", "empty"

@dataclass
class TurnContext:
    form: str
    title: str
    report: Report
    items: list[Item]
    asked: Item | None
    rules: RuleSet | None
    wanted: set[str]                    # the project fields the form prints
    has_pending: bool = False
    precedents: PrecedentSource | None = None
    printed: set[str] | None = None     # the fields the form prints (the others are kept, and the card says so)
    previous: Item | None = None        # the item asked before the one asked now ('上一题…我答错了')
    similar: object = None              # (text, option texts) → the index of the nearest option, or None
    pending: Report | None = None       # the pasted table waiting for confirmation, if any

    @property
    def place(self) -> Place:
        p = self.report.project
        return place_of(self.title or p.name or "", p.unit, p.department)

@dataclass
class Decision:
    kind: str
    reason: str                          # why, in a few Chinese words: 回答「项目单位」, 更正指标实际值 …
    report: Report | None = None         # the record after the turn, when it changes
    said: list[str] = field(default_factory=list)  # what changed, one line each
    command: str | None = None
    reply: str = ""                      # the answer to a question, chitchat, a request that cannot be done
    item: Item | None = None             # the item answered or asked about
    section: str | None = None           # a statement's section (and part)
    part: str | None = None
    clarify: dict | None = None          # the question back, with its buttons
    answered: bool = False               # the item asked is answered by this turn
    notes: list[tuple] = field(default_factory=list)  # (section, part, text) said besides the answer
    fields: list[dict] = field(default_factory=list)  # project fields recorded: {field, label, value}
    words: str = ""                      # a statement's words for the report, when not the whole message
    then: str | None = None              # a move asked for besides ('…另外帮我看看还差啥'): made after this turn

    def files_a_note(self) -> bool:
        """The turn's words go into the report as a note: a statement, or the answer to a narrative question."""
        return self.kind == STATEMENT or (self.kind == ANSWER and bool(self.section))


COMMAND_NAMES = {"cancel": "取消待确认的数据", "undo": "撤销上一次修改", "skip": "跳过", "back": "上一题", "progress": "查看进度", "check": "检查", "export": "导出",
                  "why": "为什么扣分", "write": "起草", "confirm": "确认", "polish": "润色全文"}


def decision_card(decision: Decision) -> dict:
    """What the reply shows of the decision: its kind and why."""
    return {"type": "decision", "kind": decision.kind, "reason": decision.reason,
            "label": f"（{_KIND_WORDS.get(decision.kind, decision.kind)}：{decision.reason}）"}

_KIND_WORDS = {PASTE: "识别数据", ERROR: "无法识别", COMMAND: "指令", CHITCHAT: "闲谈", REQUEST: "按要求处理", QUESTION: "回答您的问题",
               # answers and facts say what they recorded
               CORRECTION: "已更正", ANSWER: "已记录", FACTS: "已记录", STATEMENT: "记入报告", CLARIFY: "请确认", UNCLEAR: "未读懂"}
