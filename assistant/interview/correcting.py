"""Corrections read against the record: a project field, the self-assessed grade and score, a goal said again,
an indicator, a funding cell, an expense row, a figure or phrase wherever it was recorded, an earlier criteria answer
given again (also inside another answer). `turns` decides that a turn corrects; this module finds what it corrects."""
from __future__ import annotations

import re
from dataclasses import replace

from ..core.models import Report
from ..core.numbers import to_halfwidth
from . import corrections
from .answers import Applied, apply_answer, record_facts
from .askback import item_named
from .cues import CORRECTION_TURN, GOAL_SAID, RECALLED, RETAKE_CUE, has_correction_cue
from .decision import ANSWER, CORRECTION, Decision, TurnContext
from .facts import facts_in
from .items import Item
from .notes import route_note
from .table_turns import key_of as _key
from .cues import GOAL_WORDS

def grade_facts(text: str, ctx: TurnContext) -> tuple[str | None, str | None]:
    """A form with no score table of its own: the unit's grade and score said anywhere ('自评我们定的良 88分')."""
    if not any(i.id in ("claimed.grade", "claimed.total") for i in ctx.items):
        return None, None
    key = _key(text)
    if not re.search(r"自评|等次|等级|得分|打分|评为|定的|报优|报良|打个|给个|分数|分$|打\d+(?:\.\d+)?分|\d分.{0,12}改", key) and \
            not (ctx.asked is not None and ctx.asked.id in ("claimed.grade", "claimed.total")):
        return None, None
    from .facts import grade_total_in
    tail = re.split(r"改成|改为|应该是|其实是|不对|说错了|打错了|哦不是|噢不是|不是不是", text)[-1]
    return grade_total_in(tail)

def answered(applied: Applied, item: Item, text: str = "", ctx: TurnContext | None = None) -> Decision:
    decided = Decision(ANSWER, f"回答「{item.label}」", report=applied.report, said=[applied.said], item=item,
                       answered=True, section=applied.section, part=applied.part)
    if applied.note_too and text and ctx is not None:  # '是县卫生健康局牵头，具体由各乡镇卫生院实施': a note as well
        kind, part = route_note(text, ctx.form, None, ctx.precedents)
        decided.notes.append((kind, part, text))
    return decided

def known_fields(report: Report) -> frozenset[str]:
    p = report.project
    return frozenset(k for k in ("period_text",) if getattr(p, k, None))

def record_grade(decided: Decision, report: Report, grade: tuple) -> None:
    from decimal import Decimal

    value, total = grade
    if value and report.claimed_grade != value:
        report.claimed_grade = value
        decided.said.append(f"已记录自评等次：{value}")
    if total and report.claimed_total != Decimal(total):
        report.claimed_total = Decimal(total)
        decided.said.append(f"已记录自评得分：{total}分")

def correction_of(text: str, ctx: TurnContext, facts) -> Decision | None:
    cue = CORRECTION_TURN.search(text)
    if cue is not None and len(_key(text[:cue.start()])) >= 8 and not has_correction_cue(text[:cue.start()]) and \
            len(_key(text[cue.end():])) >= 4 and not RECALLED.match(text):  # '…实际是2951人 前面打错了': the cue closes the correction, nothing after it
        # '6月开工 11月完工 12月组织了验收 合格。 不对 刚才那个中标单位名字打错了 是…': what is corrected is said after
        # the cue; the words before it are an answer (_with_answer_after), never read for values to change
        tail = text[cue.start():]
        return correction_of(tail, ctx, facts_in(tail, ctx.place, ctx.wanted, None, known_fields(ctx.report)))
    report = ctx.report
    p = report.project
    retaken = retake_answer(text, ctx) if re.search(r"(?:那题|这题|上一题|那一题|那项)", text) else None
    if retaken is not None:  # '刚才支撑条件那题我说条件不足是说错了…': an earlier answer, given again
        return retaken
    phone = corrections.phone_tail(report, text)
    if phone is not None:
        return Decision(CORRECTION, phone.what, report=phone.report, said=[phone.said])
    # months of the work ('6月开工 11月完工') are no correction of a period never recorded
    differing = {k: v for k, v in facts.fields.items() if getattr(p, k, None) != v and
                 (k != "period_text" or getattr(p, k, None) or re.search(r"起止|项目时间|实施期|周期|期限|时间", text))}
    if differing:
        applied = record_facts(report, differing, facts.extra)
        if applied is not None:
            from .spec import interview_spec
            label = "、".join(interview_spec().field(k).label for k in differing if interview_spec().field(k))
            return Decision(CORRECTION, f"更正{label}", report=applied.report, said=[applied.said])
    full = _full_name(text, ctx)
    if full is not None:
        return full
    national = ctx.form == "national"
    grade = grade_facts(text, ctx)
    if grade[0] or grade[1]:
        out = report.model_copy(deep=True)
        decided = Decision(CORRECTION, "更正自评等次和得分", report=out)
        record_grade(decided, out, grade)
        if decided.said:
            decided.item = next((i for i in ctx.items if i.id == ("claimed.grade" if grade[0] else "claimed.total")), None)
            decided.answered = decided.item is not None
            return decided
    goal = _goal_restated(text, ctx)
    if goal is not None:
        return goal
    ops = [corrections.correct_list]  # a list said again in full ('钱庙、杨村、丁集、顾桥4个乡镇'): before its count alone
    goal_cell = corrections.correct_goal_cell(report, text)
    if goal_cell is not None:  # '总体目标完成情况改成：…' names the cell; nothing else is changed
        return Decision(CORRECTION, goal_cell.what, report=goal_cell.report, said=[goal_cell.said])
    keep_goal = re.search(r"(?:总体目标|目标|完成情况)[^，,。]{0,8}(?:不要动|别动|不动|不用改|不要改)", text)
    if re.search(r"年度总体目标|预期目标|总体目标|绩效目标|完成情况那段|目标那段|原因", text) and not keep_goal:
        old, new = corrections.old_new(text)
        if old is not None and new is not None:
            ops.append(corrections.correct_figure)
        ops.append(corrections.correct_text)
    named = corrections.find_indicator(text, report.indicators) is not None and \
        bool(re.search(r"目标|实际|完成|指标值", GOAL_WORDS.sub("", text)))
    ops += [lambda r, t: corrections.correct_funding(r, t, national)]
    ops += [corrections.edit_indicator, corrections.correct_figure] if named else \
        [corrections.correct_figure, corrections.edit_indicator]
    ops += [corrections.correct_misspelt, corrections.correct_phrase, corrections.correct_text]
    if ctx.asked is not None and ctx.asked.indicator and corrections.find_indicator(text, report.indicators) is None:
        # '不对，实际是4次…' while that indicator's reason is asked: the indicator asked about
        ops.insert(0, lambda r, t: corrections.edit_indicator(r, f"{ctx.asked.indicator} {t}"))
    for k, op in enumerate(ops):
        change = op(report, text)
        if change is None:
            continue
        decided = Decision(CORRECTION, change.what, report=change.report, said=[change.said])
        if re.search(r"也改|同步改|都改|也是|同步|指标表|表里|目标值|实际值|那段|里的", text) and \
                not re.search(r"只改|别的别动|其他地方别动|其他别动|别的地方别动|其他不动|只动", text):
            # '…预期目标里的33家也改掉': every place the sentence names
            for other in ops[k + 1:]:
                more = other(decided.report, text)
                if more is not None and more.report != decided.report:
                    decided.report = more.report
                    decided.said.append(more.said)
        return decided
    retaken = retake_answer(text, ctx)
    if retaken is not None:
        return retaken
    return None

def _goal_restated(text: str, ctx: TurnContext) -> Decision | None:
    """'不对不对 刚才那句不是目标啊 你记错了 预期目标是对全县120个农家书屋搞提质…' while the goal is asked: the goal,
    said after the complaint, is the answer; the indicators' targets are not touched."""
    asked = ctx.asked
    if asked is None or asked.done or asked.id != "goals.expected":
        return None
    said = list(GOAL_SAID.finditer(text))
    if not said or len(_key(text[said[-1].end():])) < 8:
        return None
    applied = apply_answer(asked, ctx.report, text[said[-1].end():].strip(), None, ctx.rules, ctx.place)
    if applied is None:
        return None
    decided = answered(applied, asked)
    decided.reason += "（以更正后的说法为准）"
    return decided

def _full_name(text: str, ctx: TurnContext) -> Decision | None:
    """'要写全称：华容县学生资助管理中心' with no field word: the unit or 主管部门 whose name it completes."""
    from .facts import _ORG

    if not re.search(r"全称|全名|写全", text):
        return None
    m = None
    for m in _ORG.finditer(to_halfwidth(text)):
        pass
    if m is None:
        return None
    name = re.sub(r"^(?:是|为|叫|写|：|:)+", "", m.group(1))
    p = ctx.report.project
    for key in ("unit", "department"):
        current = getattr(p, key) or ""
        if current and current != name and (name.endswith(current[-2:]) or current in name):
            applied = record_facts(ctx.report, {key: name}, {})
            if applied is not None:
                return Decision(CORRECTION, f"更正{'项目单位' if key == 'unit' else '主管部门'}", report=applied.report,
                                said=[applied.said])
    return None

def retake_answer(text: str, ctx: TurnContext, item: Item | None = None) -> Decision | None:
    """'财务管理那题我刚才说都符合，其实严格执行那条算不上', '上一题资金到位我说的不及时…改成及时到位': an earlier answer
    given again, read from what follows the correction."""

    item = item or item_named(text, [i for i in ctx.items if i.path or i.id.startswith("claimed.")])
    if item is None and re.search(r"上一题|上一个问题|上个问题", text) and ctx.previous is not None:
        item = ctx.previous
    if item is None or item is ctx.asked:
        return None
    cue = None
    for cue in re.finditer(r"说错了|看错了|选错了|勾错了|撤回|其实|实际上|改成|改为|应该是|是错的", text):
        pass
    words = text[cue.end():] if cue is not None and len(_key(text[cue.end():])) >= 2 else text
    applied = apply_answer(item, ctx.report, words, None, ctx.rules, ctx.place, retake=True)
    earlier = ctx.report.judgement(item.path) if item.path else None
    if applied is not None and earlier is not None and re.search(r"也(?:要|得|需要|应该)?(?:勾|算|有|符合|选)|加上|补上", text):
        now = applied.report.judgement(item.path)
        if now is not None:  # '分配因素全面合理也勾上': added to what was ticked
            now.selected = list(dict.fromkeys([*earlier.selected, *now.selected]))
            applied.said = f"已记录{item.label}：{'、'.join(now.selected)}"
    if applied is None:
        return None
    return Decision(CORRECTION, f"重答「{item.label}」", report=applied.report, said=[applied.said], item=item)

def retake_inside(text: str, ctx: TurnContext) -> tuple[str, tuple[str, Item] | None]:
    """An answer followed by a correction of an earlier criteria answer: the answer's words, and the correction with
    the item it names."""
    done = [i for i in ctx.items if i.path and i.done and i is not ctx.asked]
    for m in RETAKE_CUE.finditer(text):
        head, tail = text[:m.start()].strip(), text[m.start():]
        if len(_key(head)) < 2:
            continue
        item = item_named(tail, done) or item_by_options(tail, done)
        if item is not None:
            return head, (tail, item)
    return text, None

def with_retake(decided: Decision, retake: tuple[str, Item], ctx: TurnContext) -> Decision:
    tail, item = retake
    again = retake_answer(tail, replace(ctx, report=decided.report or ctx.report, asked=None), item)
    if again is None or again.report is None:
        return decided
    decided.report = again.report
    decided.said += again.said
    decided.reason += f"，并{again.reason}"
    return decided

def item_by_options(text: str, items: list[Item]) -> Item | None:
    """The one answered criteria item two or more of whose options the words name ('项目实施 按计划开工 按计划开展
    按计划完工', '怎么又把开工弄掉了 开工开展完工三个都要'): its options' labels, or their distinct last words."""
    key = _key(text)
    hits = []
    for item in items:
        if item.kind != "checks" or len(item.options) < 2:
            continue
        tails = [o[-2:] for o in item.options]
        named = sum(1 for o, t in zip(item.options, tails)
                    if _key(o) in key or (tails.count(t) == 1 and len(t) == 2 and t in key))
        if named >= 2:
            hits.append(item)
    return hits[0] if len(hits) == 1 else None
