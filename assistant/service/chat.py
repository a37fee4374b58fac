"""One chat turn: recognise what the officer wants (in Chinese), call the core, answer with cards, and
ask for the next thing the form still needs.

Cards are plain dicts the page renders: paste (parsed tables to confirm), question (the next item of
the interview, with quick replies and progress), recorded (what an answer set), note (where a
statement went, with buttons to move it), suggestions (采用/换一条/编辑), findings, score, export, help.
Figures only ever come from the core; a paste is shown back for confirmation before anything is
computed from it.
"""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field, replace

from ..compose import compose_draft, load_form
from ..compose.skeleton import part_for, part_of, skeleton_of
from ..core import calc
from ..core.checks import CheckResult, check_report
from ..core.contract import check_json
from ..core.forms import layout_of
from ..core.models import Draft, Note, Report
from ..core.numbers import fmt_decimal, fmt_percent
from ..core.parse import ParseError, ReadError, parse_text
from ..core.parse.paste import read_paste
from ..core.scoring import ruleset_for_form
from ..interview.corrections import carry_figures
from ..interview.items import Item, find, form_of, items_for, next_item, progress
from ..interview.decision import (ANSWER, CLARIFY, COMMAND, CORRECTION, EMPTY, ERROR, PASTE, REQUEST,
                                  UNCLEAR, Decision, TurnContext, decision_card)
from ..interview.cues import question_above_table
from ..interview.turns import read_turn
from ..interview.paste import carried, carry_answers, looks_like_paste, merge_paste, paste_card
from ..interview.spec import interview_spec
from ..retrieval.hits import PrecedentSource
from ..storage.drafts import DraftRecord, DraftRepository

SECTION_WORDS = (
    ("overview", ("概况", "背景", "基本情况")), ("funding_use", ("资金使用", "资金管理", "财务管理", "资金")),
    ("implementation", ("组织实施", "实施情况", "执行情况", "实施")), ("conclusion", ("结论", "综合评价")),
    ("performance", ("绩效情况", "绩效分析", "成效")), ("experience", ("经验", "做法")),
    ("problems", ("问题", "建议", "不足")), ("goals", ("目标",)),
)
log = logging.getLogger(__name__)
UNNAMED = "未命名草稿"
# the embedder's cosine for the nearest option, and its lead over the next (multilingual-e5-small puts short Chinese
# phrases between 0.80 and 0.90: only a clear lead decides)
SIMILAR_FLOOR, SIMILAR_MARGIN = 0.85, 0.012
_WRITE = re.compile(r"^(?:请|帮我|麻烦|再)?(?:写|生成|起草|草拟|拟写|拟|给我写|来一段|出一稿|重写)")
HELP = ("可以这样和我说：\n"
        "• 直接粘贴资金表、支出明细或绩效指标（从 Excel/WPS/Word 复制），我会先把识别结果给您确认；\n"
        "• 回答我提的问题（可点按钮，也可直接说），“跳过”“上一题”随时可用；\n"
        "• 说项目信息：“项目单位是…”“起止时间2023年1月至12月”“负责人张三 电话…”；\n"
        "• 说做法和成效：我会记入相应章节，并据此起草；\n"
        "• “写存在问题和建议” / “起草全文”；“检查”；“为什么扣分”；“导出”。")


@dataclass
class Reply:
    """What the assistant answers, and what the answer changes in the draft (saved by `ChatEngine.save`)."""
    text: str
    cards: list[dict] = field(default_factory=list)
    pending: Report | None = None    # a parsed paste waiting for confirmation
    confirmed: Report | None = None  # data the officer confirmed: the draft's new input
    report: Report | None = None     # an answer recorded in the draft's input (a pending paste stays)
    interview: dict | None = None    # the interview's new state
    ask: bool = True                 # put the next question after this reply
    decision: Decision | None = None  # what the turn was read as, and why
    drop_pending: bool = False       # the pasted table waiting for confirmation is given up


def sections_in(text: str, form: str) -> list[str]:
    kinds = [s["kind"] for s in load_form(form)["sections"]]
    if re.search(r"全文|全部|整篇|报告|所有", text):
        return kinds
    hits = []
    for kind, words in SECTION_WORDS:
        if kind in kinds and any(w in text for w in words) and kind not in hits:
            hits.append(kind)
    return hits[:1] if hits else []


def working_report(record: DraftRecord) -> Report:
    """The draft's input with the draft's title standing in for 项目名称 until one is given."""
    report = (record.report or Report()).model_copy(deep=True)
    if not report.project.name and record.title and record.title != UNNAMED:
        report.project.name = record.title
    report.project.form = record.form
    return report


class ChatEngine:
    def __init__(self, repo: DraftRepository, precedents: PrecedentSource | None = None):
        self.repo = repo
        self.precedents = precedents
        self._option_vectors: dict[tuple, object] = {}

    def result(self, record: DraftRecord) -> CheckResult:
        return check_report(working_report(record), ruleset_for_form(record.form))

    def draft(self, record: DraftRecord, with_precedent: bool = True, result: CheckResult | None = None) -> Draft:
        """The composed draft with the officer's adopted section texts in place (from `result` when the
        caller has checked the record already)."""
        draft = compose_draft(result or self.result(record), form=record.form,
                              precedents=self.precedents if with_precedent else None)
        for sec in draft.sections:
            state = record.sections.get(sec.kind)
            if state is not None:
                sec.text = state.text
        return draft

    def items(self, record: DraftRecord, report: Report | None = None) -> list[Item]:
        return items_for(record.form, report or working_report(record), set(record.sections))

    # ------------------------------------------------------------------ turn
    # A turn is read → answer → save. `answer` touches no database, so the server runs it on a worker
    # thread while SQLite stays on its single writer thread.

    def answer(self, record: DraftRecord, text: str, answer: dict | None = None) -> Reply:
        # a paste keeps its trailing tabs: a last row's empty cells are still cells
        pasted = text.strip("\r\n") if looks_like_paste(text) else None
        try:
            reply = self._answer(record, text.strip(), answer or {}, pasted)
        except (ParseError, ReadError):
            raise
        except Exception:  # noqa: BLE001 - the officer's words are saved; a fault here is logged and asked back
            log.exception("turn failed on %r", text[:200])
            reply = Reply("这句我没能处理，原话已保存。能换个说法，或分开说吗？",
                          [{"type": "error", "message": "这句没能处理，原话已保存"}], interview=dict(record.interview or {}))
        return self.with_question(record, reply)

    def _similar(self, text: str, options: list[str]) -> int | None:
        """The option nearest in meaning to free words, by the knowledge base's embedder; None without a clear margin
        (or without an embedder: the rules' own words decide)."""
        vector = getattr(self.precedents, "query_vector", None)  # the knowledge base's query thread: one at a time
        if vector is None or getattr(self.precedents, "embedder", None) is None or len(options) < 2:
            return None
        try:
            import numpy as np

            key = tuple(options)
            cached = self._option_vectors.get(key)
            if cached is None:
                cached = self._option_vectors[key] = np.stack([vector(o) for o in options])
            scores = cached @ vector(text)
        except Exception:  # noqa: BLE001 - the words alone decide when the embedder cannot answer
            return None
        order = np.argsort(-scores)
        best, second = float(scores[order[0]]), float(scores[order[1]])
        return int(order[0]) if best >= SIMILAR_FLOOR and best - second >= SIMILAR_MARGIN else None

    def opening(self, record: DraftRecord) -> Reply:
        """A new draft's first turn: what the assistant does, and the first question."""
        reply = Reply("我来帮您一步步完成这份自评报告：我会逐项提问，您可以直接回答、粘贴表格，或随时问我问题。"
                      "说“跳过”“上一题”“进度”都可以。")
        return self.with_question(record, reply)

    def heavy_turn(self, record: DraftRecord, text: str) -> bool:
        """A turn that drafts three or more sections at once ('全部起草') is heavy work, not a chat turn."""
        kinds = sections_in(text, record.form)
        return len(kinds) >= 3 and bool(_WRITE.search(text) or len(text) <= 12)

    def save(self, draft_id: str, reply: Reply) -> None:
        self.repo.finish_turn(draft_id, reply.text, reply.cards, pending=reply.pending, confirmed=reply.confirmed,
                              report=reply.report, interview=reply.interview, drop_pending=reply.drop_pending)

    def _answer(self, record: DraftRecord, text: str, answer: dict, pasted: str | None = None) -> Reply:
        state = dict(record.interview or {})
        report = working_report(record)
        items = self.items(record, report)
        asked = find(items, answer.get("item") or state.get("asked"))
        if asked is not None and state.get("revisit") == asked.id:
            asked = replace(asked, done=False)  # 上一题: answered again, the new answer replaces the old
        if answer.get("skip"):
            return self._skip(asked, state)
        if pasted is not None and not answer.get("as"):
            return self._paste(record, pasted)
        ctx = TurnContext(form=record.form, title=record.title if record.title != UNNAMED else "", report=report,
                          items=items, asked=asked, rules=ruleset_for_form(record.form),
                          wanted={f.field for f in interview_spec().project},
                          printed=set(form_of(record.form).project_fields or interview_spec().default_project),
                          similar=self._similar, previous=_previous(items, state),
                          has_pending=record.pending is not None, precedents=self.precedents, pending=record.pending)
        if record.pending is not None and not answer:
            on_pending = self._correct_pending(record, text, ctx)
            if on_pending is not None:
                return on_pending
        try:
            decision = read_turn(text, ctx, selected=answer.get("selected"), force=answer.get("as"),
                                 section=answer.get("section"))
        except Exception:  # noqa: BLE001 - a turn is never lost to a reader's fault: it is asked back, and logged
            log.exception("turn reader failed on %r", text[:200])
            decision = Decision(CLARIFY, "没读懂，问一次", reply="这句我没能读懂，能换个说法吗？（原话已保存）",
                                clarify={"type": "clarify", "ask": "这句我没能读懂，能换个说法吗？", "text": text,
                                         "buttons": [{"label": "写进报告", "answer": {"as": "note"}}]})
        undo_before = state.get("undo")
        reply = self._act(record, decision, report, state, text, asked)
        state_after = reply.interview if reply.interview is not None else state
        if undo_before is not None and state_after.get("undo") is undo_before and \
                (reply.report is not None or reply.confirmed is not None):
            state_after.pop("undo", None)  # the record moved on since: '撤销' would take this turn's change back too
        if decision.then in ("progress", "check", "why") and decision.kind != COMMAND:
            # '…报账要局长签字 另外帮我看看还差啥': the answer filed, then the move made on the record as it is now
            now = replace(record, report=reply.report or record.report, interview=state_after)
            made = self._command(now, Decision(COMMAND, decision.then, command=decision.then), dict(state_after), None,
                                 text)
            reply.text = f"{reply.text}\n\n{made.text}".strip()
            reply.cards += [c for c in made.cards if c.get("type") != "question"]
        reply.decision = decision
        if decision.kind not in (EMPTY,):
            reply.cards.append(decision_card(decision))
        return reply

    def _correct_pending(self, record: DraftRecord, text: str, ctx: TurnContext) -> Reply | None:
        """A correction typed while a pasted table waits for confirmation ('苗木成活率应该是质量指标') changes
        the table waiting, and the card is shown again to confirm."""
        pending = record.pending.model_copy(deep=True)  # type: ignore[union-attr]
        decision = read_turn(text, replace(ctx, report=pending, asked=None))
        if decision.kind not in (CORRECTION, REQUEST) or decision.report is None:
            return None
        changed = decision.report
        if changed.indicators == pending.indicators and changed.funding == pending.funding and \
                changed.expenses == pending.expenses:
            return None
        card = paste_card(changed, carried(changed), form=record.form)
        card["changes"] = list(decision.said)
        reply = Reply("已在待确认的数据中修改，请核对后点“确认”：", [card, decision_card(decision)], pending=changed)
        reply.decision = decision
        return reply

    def _act(self, record: DraftRecord, d: Decision, report: Report, state: dict, text: str,
             asked: Item | None) -> Reply:
        """What the decision does: the one switch from a turn's kind to the reply and the change it makes."""
        if d.kind == EMPTY:
            return Reply("消息是空的。可以直接回答上面的问题，粘贴表格，或说“跳过”。", [{"type": "help"}], interview=state)
        if d.kind == ERROR:
            return Reply(d.reply, [{"type": "error", "message": d.reply}], interview=state)
        if d.kind == COMMAND:
            return self._command(record, d, state, asked, text)
        if d.kind == PASTE:
            return self._paste(record, text)
        if d.kind == CLARIFY:
            return Reply(d.reply, [d.clarify], interview=state, ask=False)
        if d.kind == UNCLEAR:
            if asked is not None:
                misses = dict(state.get("misses") or {})
                misses[asked.id] = misses.get(asked.id, 0) + 1
                state["misses"] = misses
            return Reply(d.reply, [], interview=state)
        if d.files_a_note():
            if record.report is not None:
                state["undo"] = record.report.model_dump_json()  # '撤销' takes the note back out
            if d.kind == ANSWER and asked is not None and state.get("revisit") == asked.id:
                report = drop_part_notes(report, asked.section, asked.part)
            if d.kind == ANSWER:
                state.pop("revisit", None)
                _answered_now(state, asked)
            if d.report is not None:  # a figure corrected on the way ('…哦对了 前面水厂填的3座 其实改造了4座')
                report = carry_figures(report, d.report)
            answered_here = d.kind == ANSWER and asked is not None and asked.section == d.section
            noted = self._note(record, report, d.words or text, d.section, d.part, state, unasked=not answered_here)
            noted.cards = [{"type": "recorded", "text": line, "item": None} for line in d.said
                           if not line.startswith("已记入")] + noted.cards  # the note card says that one
            self._file_notes(record, noted, d.notes, state)
            if d.reply:  # '…县政府22年就提出要节能改造 这个要写多详细？': the note filed, the question answered
                noted.text = f"{noted.text}\n{d.reply}"
                noted.cards.append({"type": "answer", "text": d.reply, "about": asked.id if asked else None})
            return noted
        if d.report is not None:
            if d.kind in ("correction", "request") and record.report is not None:
                state["undo"] = record.report.model_dump_json()  # '撤销' brings this back
                d.report = carry_figures(record.report, d.report)  # the officer's sentences say the new value too
            if d.answered:
                state.pop("revisit", None)
                _answered_now(state, d.item)
            cards = [{"type": "recorded", "text": line, "item": d.item.id if d.item else None} for line in d.said]
            fields = _fields_changed(report, d.report)
            if fields:  # project fields: the card the page shows them in, to be said again if wrong
                cards = [{"type": "project", "fields": fields}] + \
                    [c for c in cards if not (c["text"].startswith("已记录") and any(f["label"] in c["text"] for f in fields))]
            if d.reply:  # '2025年3月15号吧 报告日期是不是一定要写 不填会扣分吗': recorded, and the question answered
                cards.append({"type": "answer", "text": d.reply, "about": d.item.id if d.item else None})
            reply = Reply(d.reply, cards, report=d.report, interview=state)
            self._file_notes(record, reply, d.notes, state)
            return reply
        # a question, chitchat, or a request answered with what the officer can do: nothing recorded
        return Reply(d.reply, [{"type": "answer", "text": d.reply, "about": d.item.id if d.item else None}],
                     interview=state)

    def _command(self, record: DraftRecord, d: Decision, state: dict, asked: Item | None, text: str) -> Reply:
        items = self.items(record)
        if d.command == "cancel":
            if record.pending is None:
                return Reply("没有待确认的数据。", [], interview=state)
            return Reply("已取消刚才识别的数据，可以重新粘贴。", [{"type": "recorded", "text": "已取消待确认的数据"}],
                         interview=state, drop_pending=True)
        if d.command == "undo":
            previous = state.pop("undo", None)
            if not previous:
                return Reply("没有可以撤销的修改（只能撤销最近一次更正、改名或删除）。", [], interview=state)
            return Reply("已撤销上一次修改，恢复到修改前的内容。", [{"type": "recorded", "text": "已撤销上一次修改"}],
                         report=Report.model_validate_json(previous), interview=state)
        if d.command == "skip":
            return self._skip(asked, state)
        if d.command == "back":
            return self._back(items, state)
        if d.command == "progress":
            return self._progress(items, state)
        if d.command == "confirm":
            if record.pending is not None:
                return self.confirm(record)
            if record.report is not None and (record.report.indicators or record.report.funding.origin != "none"):
                return Reply("表格已经确认录入了，现在没有待确认的数据（再粘贴表格会先给您确认）。", [], interview=state)
            return Reply("没有待确认的数据（粘贴表格后会先给您确认）。", [], interview=state)
        if d.command == "check":
            return self._needs_data(record) or self._check(record)
        if d.command == "why":
            return self._needs_data(record) or self._why(record)
        if d.command == "polish":  # the page runs the model section by section; nothing reaches the draft unadopted
            return self._needs_data(record) or Reply(
                "用语言模型逐节润色全文：每节写完后可逐节“采用”，或全部写完后点“全部采用”。数字和名称都经过核对，"
                "对不上的标为【待核实】；原稿在采用前不会改动。", [{"type": "polish"}])
        if d.command == "export":
            return Reply("草稿可以导出：", [{
                "type": "export", "links": {f: f"/api/drafts/{record.id}/export?format={f}" for f in ("docx", "md", "html")}}])
        kinds = sections_in(text, record.form) or ([d.section] if d.section else []) or \
            [s["kind"] for s in load_form(record.form)["sections"]]
        return self._needs_data(record) or self.suggest(record, kinds)

    def with_question(self, record: DraftRecord, reply: Reply) -> Reply:
        """After every turn: the next thing the form needs, with quick replies and progress. No question is put
        a third time in a row without an answer: it is set aside (【待补充】) and the interview goes on."""
        if not reply.ask or reply.pending is not None:
            return reply
        state = dict(reply.interview if reply.interview is not None else record.interview or {})
        view = replace(record, report=reply.confirmed or reply.report or record.report)
        items = self.items(view)
        item = find(items, state.get("revisit")) or next_item(items, state.get("skipped"), state.get("given_up"))
        kind = reply.decision.kind if reply.decision is not None else None
        if item is not None and item.id == state.get("asked") and kind not in _NOT_AN_ATTEMPT:
            streak = int(state.get("streak") or 1) + 1
            if streak > 2 or (state.get("misses") or {}).get(item.id, 0) >= 2:
                reply.text = f"{reply.text}\n\n“{item.label}”先放一放，报告中暂留【待补充】，最后再补。".strip()
                _set_aside(state, item.id)
                state.pop("revisit", None)
                item = next_item(items, state.get("skipped"), state.get("given_up"))
                streak = 1
            state["streak"] = streak
        else:
            state["streak"] = 1
        done = progress(items)
        if item is None:
            left = [i.label for i in items if not i.done]
            finished = "表格需要的信息都已齐全。" if not left else \
                f"问题都问完了。以下{len(left)}项暂缺，报告中留【待补充】，随时可以补：{'、'.join(left[:12])}{'等' if len(left) > 12 else ''}。"
            finished += "可以说“起草全文”查看全文，或“导出”下载 Word。"
            reply.cards.append({"type": "question", "item": None, "progress": done, "kind": "done", "ask": finished,
                                "missing": left})
            if state.get("asked"):  # said once, when the last question was answered
                reply.text = f"{reply.text}\n\n{finished}".strip()
            state["asked"] = None
        else:
            if state.get("asked") != item.id:
                state.setdefault("history", []).append(item.id)
                state["history"] = state["history"][-50:]
            state["asked"] = item.id
            card = {"type": "question", **item.card(), "progress": done, "actions": ["skip", "back"]}
            if item.id in (state.get("skipped") or []):
                card["note"] = "这一项之前跳过了；再说“跳过”就留【待补充】，不再问"
            reply.cards.append(card)
            reply.text = f"{reply.text}\n\n{item.ask}".strip()
        reply.interview = state
        return reply

    # ------------------------------------------------------------------ interview moves

    def _skip(self, asked: Item | None, state: dict) -> Reply:
        if asked is None:
            return Reply("现在没有待回答的问题。", [{"type": "help"}], interview=state)
        again = asked.id in (state.get("skipped") or [])
        _set_aside(state, asked.id)
        state.pop("revisit", None)
        if again:
            return Reply(f"“{asked.label}”不再问了，报告中留【待补充】；想补时说“上一题”或直接告诉我。", [], interview=state)
        return Reply(f"已跳过“{asked.label}”，最后再回来问。", [], interview=state)

    def _back(self, items: list[Item], state: dict) -> Reply:
        history = [h for h in state.get("history", []) if find(items, h)]
        if len(history) < 2:
            return Reply("已经是第一题了。", [], interview=state)
        history.pop()
        previous = history[-1]
        state.update(history=history, revisit=previous, asked=previous)
        return Reply("回到上一题，重新回答即可（原回答会被替换）。", [], interview=state)

    def _progress(self, items: list[Item], state: dict | None = None) -> Reply:
        done = progress(items)
        missing = [i.label for i in items if not i.done]
        text = f"已完成 {done['done']}/{done['total']}。" + (f"还需要：{'、'.join(missing[:12])}" +
                                                           ("等" if len(missing) > 12 else "") if missing else "")
        return Reply(text, [{"type": "progress", **done, "missing": missing}], interview=state)

    def _project(self, report: Report, fields: dict[str, str]) -> Reply:
        out = report.model_copy(deep=True)
        spec = interview_spec()
        rows = []
        for name, value in fields.items():
            setattr(out.project, name, value)
            pf = spec.field(name)
            rows.append({"field": name, "label": pf.label if pf else name, "value": value})
        said = "已记录：" + "；".join(f"{r['label']} {r['value']}" for r in rows)
        return Reply(said, [{"type": "project", "fields": rows}], report=out)

    def _file_notes(self, record: DraftRecord, reply: Reply, notes: list[tuple], state: dict) -> None:
        """What was said besides the answer (section, part, words[, answers the question]): each a note of its own,
        added to the reply's report and cards."""
        for section, part, words, *answering in notes:
            noted = self._note(record, reply.report, words, section, part, state, unasked=not any(answering))
            reply.cards += noted.cards
            reply.report = noted.report

    def _note(self, record: DraftRecord, report: Report, text: str, kind: str, part: str | None,
              state: dict | None = None, unasked: bool = False) -> Reply:
        text = note_words(text)
        out = report.model_copy(deep=True)
        note = Note(id=max((n.id for n in out.notes), default=0) + 1, section=kind, text=text, part=part,
                    unasked=unasked)
        out.notes.append(note)
        title = next((s["title"] for s in load_form(record.form)["sections"] if s["kind"] == kind), kind)
        choices = [{"section": s["kind"], "title": s["title"]} for s in load_form(record.form)["sections"]
                   if s["kind"] != kind]
        return Reply(f"已记入{title}。", [{"type": "note", "note_id": note.id, "section": kind, "title": title,
                                          "text": text, "move_to": choices}], report=out, interview=state)

    # ------------------------------------------------------------------ data

    def _needs_data(self, record: DraftRecord) -> Reply | None:
        if record.report is not None:
            return None
        hint = "请先粘贴资金表、支出明细或绩效指标，确认后我再计算。"
        if record.pending is not None:
            hint = "刚才识别的数据还没有确认：请点“确认”或回复“确认”。"
        return Reply(hint, [{"type": "help"}])

    def _paste(self, record: DraftRecord, text: str) -> Reply:
        table, after = _table_and_talk(text)
        try:
            parsed = read_paste(table, record.form, lambda t, f: parse_text(t, form=f))
        except (ParseError, ReadError) as exc:
            return Reply(f"没能读懂这段数据：{exc}", [{"type": "error", "message": str(exc)}])
        tables = carried(parsed)
        if not tables and not parsed.project.name:
            return Reply("这段文字里没有识别出资金、支出或指标数据。" + HELP, [{"type": "help"}])
        said_after: list[str] = []
        if after:  # '…合计 620 580 548.6\n上面县市区财政的实际支出有误，应为98.2': the table as the officer corrects it
            ctx = TurnContext(form=record.form, title=record.title, report=parsed, items=[], asked=None,
                              rules=ruleset_for_form(record.form), wanted=set())
            fixed = read_turn(after, ctx)
            if fixed.kind in (CORRECTION, REQUEST) and fixed.report is not None:
                parsed, said_after = fixed.report, list(fixed.said)
        pending = merge_paste(record.pending or record.report, parsed)
        card = paste_card(pending, tables, form=record.form)  # in the draft's form's words
        card["changes"] = card.get("changes", []) + said_after
        if parsed.project.name and parsed.project.name != record.title:
            card["title_change"] = parsed.project.name
        reply = Reply("我识别出以下数据，请核对后点“确认”（有误可直接修改后再确认）：", [card], pending=pending)
        asked_above = question_above_table(text)
        if asked_above:  # '支出明细还要不要？我贴一下' above the table: the table read, the question answered too
            from ..interview.askback import answer_question

            answer, _ = answer_question(asked_above, None, self.items(record), ruleset_for_form(record.form))
            reply.text = f"{answer}\n\n{reply.text}"
            reply.cards.insert(0, {"type": "answer", "text": answer, "about": None})
        return reply

    def confirm(self, record: DraftRecord, edited: Report | None = None) -> Reply:
        report = edited or record.pending
        if report is None:
            return Reply("没有待确认的数据。", [{"type": "help"}], ask=False)
        report = carry_answers(record.report, report)
        result = self.result(replace(record, report=report, pending=None))
        total = calc.total_of(result.report.funding)
        parts = []
        if not total.is_empty() and layout_of(record.form) == "national":  # 全年预算数 is no 到位: no 到位率
            parts.append(f"预算执行率 {fmt_percent(calc.execution_rate(total))}")
        elif not total.is_empty():
            parts.append(f"资金到位率 {fmt_percent(calc.arrival_rate(total))}，"
                         f"预算执行率 {fmt_percent(calc.execution_rate(total))}")
        parts.append(f"发现 {len(result.findings)} 条需要注意的问题")
        state = {k: v for k, v in (record.interview or {}).items() if k != "undo"}  # '撤销' never takes a table back
        return Reply("已确认。" + "；".join(parts) + "。", [self._findings_card(result)], confirmed=report, interview=state)

    def _findings_card(self, result: CheckResult) -> dict:
        data = check_json(result)
        return {"type": "findings", "findings": data["findings"], "funding": {
            k: data["funding"][k] for k in ("planned", "arrived", "spent", "balance", "arrival_rate", "execution_rate")},
            "score": {k: data["score"][k] for k in ("claimed_total", "computed_total", "claimed_grade", "computed_grade")}}

    def _check(self, record: DraftRecord) -> Reply:
        result = self.result(record)
        errors = sum(1 for f in result.findings if f.severity == "error")
        return Reply(f"检查完成：{len(result.findings)} 条问题，其中错误 {errors} 条。", [self._findings_card(result)])

    def _why(self, record: DraftRecord) -> Reply:
        result = self.result(record)
        items = [{"item": "/".join(it.path), "weight": _s(it.weight), "claimed": _s(it.claimed),
                  "computed": _s(it.computed), "reason": it.reason}
                 for it in result.score.items
                 if (it.computed is not None and it.computed < it.weight) or
                 (it.claimed is not None and it.computed is not None and it.claimed != it.computed)]
        if not items:
            return Reply("各项均按规则得满分，没有扣分。", [{"type": "score", "items": []}])
        return Reply(f"共有 {len(items)} 项扣分或与自评不一致：", [{"type": "score", "items": items}])

    def suggest(self, record: DraftRecord, kinds: list[str]) -> Reply:
        draft = compose_draft(self.result(record), form=record.form, precedents=self.precedents, only=set(kinds))
        cards = []
        for sec in draft.sections:
            if sec.kind not in kinds:
                continue
            options = [{"text": s.text, "origin": s.origin, "unverified": s.unverified, "gaps": s.gaps,
                        "note": s.note, "citations": [c.model_dump() for c in s.citations]} for s in sec.suggestions]
            cards.append({"type": "suggestions", "section": sec.kind, "title": sec.title, "options": options,
                          "actions": ["adopt", "next", "edit"]})
        names = "、".join(c["title"] for c in cards)
        return Reply(f"以下是“{names}”的建议稿，数字均由程序计算；【待核实】处请逐一核对：", cards)


# turns after which the same question returns without counting as a failed answer: only a turn that tried to
# answer and was not understood counts towards setting the question aside
_NOT_AN_ATTEMPT = ("question", "chitchat", "command", "request", "empty", "statement", "facts", "correction", "answer",
                   "paste")


_WRAPPERS = re.compile(r"^(?:(?:这个|这个问题)?等(?:下|会儿?)(?:说|答|再说)[。，,\s]*)?(?:对了|另外|顺便|补充一下|插一句|提一句|题外话|(?:先)?(?:跟你)?说(?:个|件)事|"
                       r"顺带说一下|跟你说一下|再补一句|那个)?[，,：:\s]*(?:先记一下|先记一条|记一下|报告里(?:要|得)?(?:写|加|补)(?:一句|一条|上|一下)?|"
                       r"写进报告)?[，,：:\s]*")
# the trailing direction names a section ('…，放到成效里'), so '直接发放到个人。' stays whole
_TRAILING = re.compile(r"[，,。\s]*(?:这个|这些|这句)?(?:要)?(?:写|放|记|归)(?:到|在|进|入)?(?:报告)?(?:的)?[^，,。]{0,4}"
                       r"(?:实施|成效|效益|绩效|资金|财务|经验|做法|问题|不足|概况|情况|背景|过程|目标|报告)[^，,。]{0,4}"
                       r"(?:里|中|那段|那块|部分)?(?:吧|啊)?[。！!]*$|"
                       r"[，,。\s]*(?:算成效吧|这个要写进去|这个写上)[。！!]*$")


def note_words(text: str) -> str:
    """The officer's words as report material: without '前面说过了', '对了', '报告里加一句：', '这个放到成效里'."""
    from ..interview.answers import without_meta

    words = _WRAPPERS.sub("", without_meta(text.strip()), count=1)
    trimmed = _TRAILING.sub("", words)
    return (trimmed if len(trimmed) >= 6 else words).strip() or text.strip()


def _table_and_talk(text: str) -> tuple[str, str]:
    """A pasted table and the sentence typed below it ('上面县市区财政的实际支出有误，应为98.2'), when there is one."""
    lines = text.rstrip().split("\n")
    k = len(lines)
    while k > 0 and (not lines[k - 1].strip() or ("\t" not in lines[k - 1] and "|" not in lines[k - 1] and
                     len(lines[k - 1].split()) <= 2 and re.search(r"[\u4e00-\u9fa5]{6,}", lines[k - 1]))):
        k -= 1
    talk = "\n".join(ln for ln in lines[k:] if ln.strip())
    if not talk or k < 2 or not re.search(r"不对|有误|错了|应为|应该是|改成|为准|少打|多打", talk):
        return text, ""
    return "\n".join(lines[:k]), talk


def _previous(items: list[Item], state: dict) -> Item | None:
    history = [h for h in (state.get("history") or []) if h]
    return find(items, history[-2]) if len(history) >= 2 else None


def _fields_changed(before: Report, after: Report) -> list[dict]:
    spec = interview_spec()
    rows = []
    for f in spec.project:
        old, new = getattr(before.project, f.field, None), getattr(after.project, f.field, None)
        if new and new != old:
            shown = f"{new}（{after.project.leader_title}）" if f.field == "leader" and after.project.leader_title else new
            rows.append({"field": f.field, "label": f.label, "value": shown})
    return rows


def _set_aside(state: dict, item_id: str) -> None:
    """Skipped once: asked again at the end; skipped twice (or not understood twice): not asked again."""
    skipped = list(state.get("skipped") or [])
    if item_id in skipped:
        given_up = list(state.get("given_up") or [])
        if item_id not in given_up:
            given_up.append(item_id)
        state["given_up"] = given_up
    else:
        skipped.append(item_id)
    state["skipped"] = skipped
    (state.get("misses") or {}).pop(item_id, None)


def _answered_now(state: dict, item: Item | None) -> None:
    if item is not None:
        (state.get("misses") or {}).pop(item.id, None)


def drop_part_notes(report: Report, section: str, part: str | None) -> Report:
    """The notes that answered one prompt, gone: its answer is being given again."""
    out = report.model_copy(deep=True)
    out.notes = [n for n in out.notes if not (n.section == section and part_of(n) == part)]
    return out


def move_note(report: Report, note_id: int, section: str) -> Report:
    """The officer moved a note to another section (its part is chosen again there)."""
    out = report.model_copy(deep=True)
    note = next((n for n in out.notes if n.id == note_id), None)
    if note is None:
        raise KeyError(note_id)
    parts = skeleton_of(section).parts
    # moved there on purpose: it speaks to the part its words name, or to the section's only part
    note.section = section
    note.part = part_for(section, note.text) or (parts[0].key if len(parts) == 1 else None)
    return out


def _s(value) -> str | None:
    return None if value is None else fmt_decimal(value)
