"""What a turn means: the one place that decides. Every turn is one of a few kinds — a paste (tables, or
figures in sentences), a command, chitchat, a request, a question to the assistant, a correction of
something recorded, the answer to the question just asked, project facts said unasked, a statement for the
report — or, when none reads it, a question back to the officer (never a silent note).

`read_turn` returns a `Decision` carrying its kind, the reason it was taken (shown in the reply:
已按「更正项目单位」处理) and, for the kinds that change the record, the changed report. Commands,
pastes and drafting are carried out by the chat engine, which holds the core and the composer.
The words each kind is recognised by are data: knowledge/turns.yaml.
"""
from __future__ import annotations

import re

from ..core.models import Report
from ..core.numbers import to_halfwidth
from . import corrections, expense_edits
from .answers import apply_answer, indicator_line, record_facts
from .askback import answer_question, glossary_in, item_named
from .correcting import (answered, correction_of, grade_facts, item_by_options, known_fields, record_grade,
                         retake_answer, retake_inside, with_retake)
from .cues import (ADJUSTMENT, COLUMN_VALUE, CONTENT_QUESTION, CORRECTION_TURN, DIRECTIVE, EDIT_ASKED, EDIT_HELP,
                   MONEY_LEFT, NOTHING_MORE, OPENING, RECALLED, SELF_FIX, UNSPENT, command_cued, command_of,
                   destination, edit_request, has_correction_cue, hedged, is_chitchat, is_question, is_request,
                   split_aside, split_question, states_value, substantive, without_hedge)
from .decision import (ANSWER, CHITCHAT, CLARIFY, COMMAND, COMMAND_NAMES, CORRECTION, EMPTY, ERROR, FACTS,
                       OTHER_QUESTION, PASTE, QUESTION, REQUEST, STATEMENT, UNCLEAR, Decision, TurnContext)
from .facts import facts_in
from .items import Item
from .notes import route_note
from .spec import turn_words
from .table_turns import confirms_table, figures_sentence, key_of as _key, table_lines, typo_in_amount


# ---------------------------------------------------------------------------------------------- reading


def read_turn(text: str, ctx: TurnContext, selected: list[str] | None = None, force: str | None = None,
              section: str | None = None) -> Decision:
    text = text.strip()
    asked = ctx.asked
    if force == "note" and text:
        return _statement(text, ctx, section)
    if selected is not None and asked is not None:
        applied = apply_answer(asked, ctx.report, text, selected, ctx.rules, ctx.place)
        if applied is not None:
            return answered(applied, asked)
    if not text:
        return Decision(EMPTY, "空消息")
    typo = typo_in_amount(text)
    if typo:
        return Decision(ERROR, "金额无法识别",
                        reply=f"“{typo}”不是有效的数字（数字中混有字母），没有记录。请改正后再发。")
    if force == "answer" and asked is not None:
        applied = apply_answer(asked, ctx.report, text, None, ctx.rules, ctx.place, lenient=True)
        if applied is not None:
            return answered(applied, asked)
        return Decision(UNCLEAR, f"回答「{asked.label}」", item=asked,
                        reply=f"没能把这句读成“{asked.label}”的回答。")
    command = command_of(text)
    if command is None and ctx.has_pending and confirms_table(text, ctx.pending):
        command = "confirm"
    if command is None and not ctx.has_pending and re.search(r"表", text) and re.search(r"确认(?:一下|下|了|吧|啊)?[。!！]*$", _key(text)) \
            and confirms_table(text, None):
        command = "confirm"  # '刚才的指标表我是要确认的啊 确认' once it is: said back as done, never an answer
    if command == "confirm" and not ctx.has_pending and asked is not None and not asked.done and \
            asked.kind in ("checks", "choice"):
        command = None  # nothing waits: '没问题' to '资金使用有无下列情况' is the answer
    if command == "progress" and glossary_in(text):
        command = None  # '这就完了？还差啥不 支出明细要不要贴': what is missing, and the term asked about, answered
    if command is not None:
        return Decision(COMMAND, COMMAND_NAMES[command], command=command)
    if (has_correction_cue(text) or re.search(r"更新|变了|变成|调整为|调成|[加添补]一行|那一?行|这一?行|没了|漏了|加上|补上", text)) \
            and ctx.report.funding.origin != "none" \
            and not re.search(r"原因|那句|那段|目标|[执到]位?率|凭证|明细", text):
        cue = CORRECTION_TURN.search(text)
        change = None
        if cue is not None and re.search(r"执行数|支出|到位|预算|计划|花了|拨付", text[cue.start():]):
            # '基本完成了，资助了3356人…。还有刚才执行数打错了 是500.2不是498.76': the grid, from the correction on
            change = corrections.correct_funding(ctx.report, text[cue.start():], ctx.form == "national")
        change = change or corrections.correct_funding(ctx.report, text, ctx.form == "national")
        if change is not None:  # '不对，实际到位合计还是600万': the confirmed grid corrected, not a new paste
            return _with_answer_after(Decision(CORRECTION, change.what, report=change.report, said=[change.said]),
                                      text, ctx)
    if figures_sentence(text, asked, ctx.report) or table_lines(text):
        return Decision(PASTE, "资金或指标数字")
    text = re.sub(r"逗号", "，", re.sub(r"句号", "。", text))  # voice input writes the marks out
    fix = list(SELF_FIX.finditer(text))
    if fix and asked is not None and (asked.field or asked.id.startswith("claimed.")) and \
            len(_key(text[fix[-1].end():])) >= 2 and len(_key(text[:fix[-1].start()])) >= 2:
        text = text[fix[-1].end():]  # '凤台县水力局 哦打错了 凤台县水利局', '3月15号吧 哦不对 3月18号': what is said last
    # a remark to the assistant in brackets ('（等下我问下股长是不是这么写的）', '（这个是照申报书上抄的）') is talk
    text = re.sub(r"[（(][^（()）]{0,30}(?:等下|等会|我问|问下|问问|回头|不知道|不确定|是不是这么|抄的|你看着|你帮我)"
                  r"[^（()）]{0,20}[)）]", "", text).strip() or text
    whole, question = split_question(text, asked)
    directed = DIRECTIVE.search(whole)
    if directed and len(_key(whole[directed.end():])) >= 6:
        # '这个等下说。先记一下，报告里要写：今年…': for the report, whatever is asked ('等下说' leaves it asked);
        # '问题的话先记一下 …' names its section before the directive
        decided = _statement(whole, ctx, None)
        decided.words = whole[directed.end():].strip()
        return decided
    main, aside = split_aside(whole)
    if aside and asked is not None and asked.group == "偏差原因" and not has_correction_cue(aside) and \
            re.search(r"没到位|未到位|没付|未付|没拨|未拨|尾款|质保|结余|没完成|未完成|不足|偏低", aside):
        main, aside = whole, ""  # '…质保金…，另外县级配套有50万没到位': one reason, said in two parts
    decided = _read_main(main, ctx)
    if decided.kind in (CORRECTION, REQUEST) and decided.report is not None and not decided.answered:
        decided = _with_answer_after(decided, main, ctx)  # the answer said before or after the correction
    if aside:
        before = (decided.report, len(decided.notes), decided.then)
        decided = _with_aside(decided, aside, ctx)
        taken = (decided.report, len(decided.notes), decided.then) != before
        if decided.files_a_note() and not decided.words:
            # the note is the answer's words when the aside went its own way; an aside nothing took
            # ('…另外争取上级资金 再一个新能源车充电桩不够') stays in the note, never dropped
            decided.words = main if taken else whole
    if question:  # '…三个都符合吧。这个不填的话扣几分？': the answer recorded, and the question answered too
        reply, _ = answer_question(question, ctx.asked, ctx.items, ctx.rules)
        decided.reply = f"{decided.reply}\n{reply}".strip()
        if decided.files_a_note() and not decided.words:
            decided.words = whole  # the note holds the answer, never the question asked with it
    if ctx.has_pending and decided.files_a_note() and re.search(r"列|这张表|表里|卡片|目标值|实际值|指标|识别|读出来|没认出|空的", text):
        # '目标值咋是空的 年初定的那列就是目标值啊 …' while a pasted table waits: about that table, never report text
        said = turn_words().answers["about_the_card"]
        return Decision(CLARIFY, "说的是待确认的表", reply=said, clarify={"type": "answer", "text": said, "about": None})
    return decided


def _aside_was_all(text: str, ctx: TurnContext) -> Decision | None:
    """'没有了' to a narrative question whose part the officer already spoke to in passing: what was said is the
    answer (it is filed already), and the question is done."""
    asked = ctx.asked
    if asked is None or not asked.section or not asked.part or not NOTHING_MORE.match(_key(text)):
        return None
    from ..compose.skeleton import part_of

    mine = [n for n in ctx.report.notes if n.section == asked.section and part_of(n) == asked.part and n.unasked]
    if not mine:
        return None
    out = ctx.report.model_copy(deep=True)
    for note in out.notes:
        if note.id in {n.id for n in mine}:
            note.unasked = False
    return Decision(ANSWER, f"回答「{asked.label}」：以顺带说过的为准", report=out, item=asked, answered=True,
                    said=[f"好的，{asked.label}就按您前面说的写。"])


def _read_main(text: str, ctx: TurnContext) -> Decision:
    asked = ctx.asked
    done_already = _aside_was_all(text, ctx)
    if done_already is not None:
        return done_already
    if asked is not None and not asked.done and asked.kind in ("checks", "choice"):
        # '均无 刚才说了': the answer, then a remark that it was said before
        text = re.sub(r"[，,。\s]+(?:我)?(?:刚才|前面|上面|之前)?(?:都|已经)?(?:说|讲|答)(?:过)?了?(?:啊|嘛|呀|的)?[。!！]*$", "", text) or text
    said_before = re.match(r"^\s*(?:我)?(?:刚才|前面|上面|之前)?(?:不是)?(?:都|已经)?(?:说|讲|提|答)(?:过|了)+(?:吗|啊|嘛|呀)?[，,。！!？?\s]*", text)
    if said_before and said_before.end() and len(_key(text[said_before.end():])) >= 4 and asked is not None and not asked.done:
        text = text[said_before.end():]  # '刚才不是说了吗 成立了领导小组…': the answer said again, not a question
    known = known_fields(ctx.report)
    if asked is not None and (asked.section or asked.group == "偏差原因" or asked.id.startswith("goals.")):
        known |= {"period_text"}  # '全年…收运全覆盖' in a goal is no period: a period in words there must say it is one
    facts = facts_in(text, ctx.place, ctx.wanted, asked.field if asked else None, known)
    if asked is not None and asked.field in ("department", "unit") and \
            re.match(r"^\s*(?:同上|跟上面一样|和上面一样|跟上面的一样|跟上一个一样|同前|同单位|一样的?|也一样)", text):
        applied = apply_answer(asked, ctx.report, text, None, ctx.rules, ctx.place)
        if applied is not None:  # '同上', '跟上面一样': the unit (or 主管部门) just named
            return answered(applied, asked)
    if not facts and is_chitchat(text):
        return Decision(CHITCHAT, "闲谈", reply=_chitchat_reply(text, asked))
    asks = is_question(text) and not edit_request(text) and \
        (not has_correction_cue(text) or (re.search(r"[？?]|吗|会不会|是不是", text) and not states_value(text)))
    if asks and asked is not None and asked.field and facts and asked.field in facts.fields and \
            re.search(r"不是说了|说过了|前面说了|刚才说了|都说了", text) and not re.search(r"区别|什么|啥|怎么|哪个|哪种", text):
        asks = False  # '不是说了吗 2024年全年，1月1号到12月31号': the value asked is in it
    if asks and asked is not None and not asked.done and (
            hedged(text) or (asked.kind in ("checks", "choice") and re.search(r"吧[？?]?$", _key(text)) and
                             not CONTENT_QUESTION.search(_key(text)))):
        # '符合办法的 公平合理应该也算吧?' to a checks question: the options named, said unsure
        # '是华容县林业局吧？', '应该是…优吧？', '报告日期…填2024年4月15日可以吗？': an answer, said unsure
        applied = apply_answer(asked, ctx.report, without_hedge(text), None, ctx.rules, ctx.place,
                               facts=facts if asked.field else None)
        if applied is not None and not applied.section:
            decided = answered(applied, asked)
            decided.reason += "（按您的回答记录，可随时更正）"
            return _with_other_facts(decided, facts, asked, ctx, grade_facts(text, ctx), text)
        if applied is not None and applied.section:
            kind, part = _note_section(text, asked, ctx)
            return Decision(ANSWER, f"回答「{asked.label}」", section=kind, part=part, item=asked, answered=True)
    if asks:
        reply, item = answer_question(text, asked, ctx.items, ctx.rules)
        decided = Decision(QUESTION, f"「{item.label}」" if item else OTHER_QUESTION, reply=reply, item=item)
        from .askback import topic_of
        if topic_of(text) not in ("where", "how"):
            facts.fields.clear()  # a question names things, it does not say them: '主管部门和项目单位有啥不一样'
        if facts:  # '项目地址和邮编在哪填？地址是…，邮编…': the question answered, and the facts kept
            told = _facts(facts, ctx)
            if told.report is not None:
                decided.report, decided.said = told.report, told.said
                decided.answered, decided.item = told.answered, told.item or item
        return decided
    last = re.search(r"(?:刚才|刚刚|上面|前面)(?:记入报告的|写进报告的|记的|发的|说的)?(?:那|这)?(?P<n>两|二|三|几)?(?:句|条|段)(?:话)?"
                     r".{0,12}(?:删掉|删了|删除|去掉|不要|不是写进报告|不是报告内容)|"
                     r"(?:删掉|删除|去掉|删了)(?:刚才|刚刚|上面)(?:记入报告的|写进报告的|记的|发的|说的)?(?:那|这)?(?P<m>两|二|三)?(?:句|条|段)",
                     _key(text))
    if last and ctx.report.notes:  # '刚才那两句不是写进报告的，删掉', '删掉刚才那句', '刚才记入报告的两句都删了'
        n = {"两": 2, "二": 2, "三": 3, "几": 2}.get(last.group("n") or last.group("m") or "", 1)
        out = ctx.report.model_copy(deep=True)
        gone = out.notes[-n:]
        out.notes = out.notes[:-n]
        return Decision(REQUEST, "删去刚才记入的话", report=out, said=[f"已删去刚才记入的{len(gone)}句"])
    if re.search(r"(?:补|加|增加|新增|添加|添)(?:上)?(?:一|个)(?:条|个|项)?|加回来|补回来|加回去", text):
        added = _add_indicator(text, ctx)  # '加一条成本指标 单吨…': a new row, never an existing one moved to 成本
        if added is not None:
            return added
    cell = corrections.correct_goal_cell(ctx.report, text) if not (asked and asked.id.startswith("goals.")) else None
    if cell is not None:  # '总体目标完成情况改成：…' after the interview: that cell, nothing else
        return Decision(REQUEST if is_request(text) else CORRECTION, cell.what, report=cell.report, said=[cell.said])
    for op in (corrections.delete_text, expense_edits.delete_expense, expense_edits.rename_expense,
               expense_edits.edit_expense, corrections.replace_quoted,
               corrections.rename_indicator, corrections.delete_indicator, _reclassified):  # said as a request or not
        change = op(ctx.report, text)
        if change is not None:
            return Decision(REQUEST if is_request(text) else CORRECTION, change.what, report=change.report,
                            said=[change.said])
    if re.match(r"\s*(?:删掉|删除|去掉|删了)", text) and not re.search(r"[“\"「‘']", text):
        return Decision(UNCLEAR, "要删的内容没找到", reply=EDIT_HELP)  # '删掉问题与建议里 …那条', matching nothing
    quoted = re.search(r"[“\"「‘'](?P<words>[^”\"」’']{2,80})[”\"」’']", text)
    if quoted and re.search(r"删|去掉|拿掉|不是报告|不要了", text):
        # '问题与建议最后那句“这块不写会扣分吗”是我问你的 不是报告内容 删掉', and nothing holds those words
        return Decision(UNCLEAR, "要删的内容没找到",
                        reply=f"报告里没有找到“{quoted.group('words')[:30]}”这句（可能没有记入，或写法不同），什么也没有改，这句话也没有记入报告。"
                              "可以在右侧草稿栏直接删改，或说“删掉刚才那句”。")
    if is_request(text):
        decided = _request(text, ctx)
        if decided is not None:
            return decided
    grade = grade_facts(text, ctx)
    if any(grade) and not facts and len(_key(text)) <= 24 and re.search(r"自评|得分|总分|等次|等级", text) and \
            (asked is None or asked.id not in ("claimed.grade", "claimed.total")):
        out = ctx.report.model_copy(deep=True)  # '帮我把自评得分填88分' while something else is asked
        decided = Decision(REQUEST if is_request(text) else FACTS, "自评等次和得分", report=out)
        record_grade(decided, out, grade)
        return decided
    if re.search(r"越(?:低|小|少|高|大|多)越好|正向指标|反向指标|逆向指标", text):
        flip = corrections.edit_indicator(ctx.report, text)
        if flip is not None:
            return Decision(CORRECTION, flip.what, report=flip.report, said=[flip.said])
    if has_correction_cue(text) or (_states_new_value(text, ctx) and
                                    (asked is None or asked.done or
                                     (len(_key(text)) <= 30 and (asked.kind not in ("choice", "checks") or
                                                                  COLUMN_VALUE.search(_key(text)) or "→" in text)))):
        decided = correction_of(text, ctx, facts)
        if decided is not None:
            return _with_answer_after(decided, text, ctx)
    if facts and facts.covered(text) >= 0.6 and (asked is None or asked.field is None):
        rest = _without_spans(text, facts.spans)
        if asked is not None and not asked.done and len(_key(rest)) >= 4:
            applied = apply_answer(asked, ctx.report, rest, None, ctx.rules, ctx.place)
            if applied is not None and not applied.section:  # '质保金113.75万元没付。负责人张德明，电话…'
                return _with_other_facts(answered(applied, asked), facts, asked, ctx, grade, text)
        return _facts(facts, ctx, grade)
    if destination(text, ctx.form) and not (asked is not None and asked.section == destination(text, ctx.form)):
        return _statement(text, ctx, None)  # '这个放到成效里': a statement for the section named
    done = [i for i in ctx.items if i.path and (i.done or re.search(r"那题|那一题|那项", text))]
    # options named that the question asked also has ('制度健全 执行也严格' to 管理制度) answer it, not another item
    open_now = [asked] if asked is not None and not asked.done and asked.kind == "checks" else []
    # a narrative answer may use an option's words ('…没有截留挤占挪用' to 资金是怎么管的): no earlier answer is taken again
    by_options = item_by_options(text, done + open_now) if not (asked is not None and asked.section and not asked.done) else None
    other = item_named(text, done) or by_options
    if other is not None and other is not asked and (
            re.search(r"那题|这题|那一题|那项|改一下|改成|也勾|也要勾|也算|全部符合|都符合|只勾|只选|别勾|不勾|勾上|不符合|不算|"
                      r"弄掉|去掉了|漏了|少了|都要|都勾|全勾|都算|都是", text) or item_by_options(text, [other])):
        retaken = retake_answer(text, ctx, other)  # '分配办法那题改一下，分配因素全面合理也勾上'
        if retaken is not None:
            return retaken
    if asked is not None and not asked.done and not _opens_elsewhere(text, asked):
        applied = apply_answer(asked, ctx.report, text, None, ctx.rules, ctx.place, facts=facts, similar=ctx.similar)
        if applied is not None and applied.section:
            kind, part = _note_section(text, asked, ctx)
            if kind != asked.section:
                return Decision(STATEMENT, "写进报告", section=kind, part=part)
            applied.part = part or asked.part
        head, retake = retake_inside(text, ctx)
        if retake is not None:  # '制度健全 执行也严格 对了不对 刚才那个项目实施进度 开工 开展 完工三个都是按计划的'
            again = apply_answer(asked, ctx.report, head, None, ctx.rules, ctx.place, facts=facts, similar=ctx.similar)
            if again is not None and not again.section:
                decided = answered(again, asked, head, ctx)
                return with_retake(decided, retake, ctx)
        if applied is not None:
            decided = answered(applied, asked, text, ctx)
            decided = _with_other_facts(decided, facts, asked, ctx, grade, text)
            return _with_embedded_correction(decided, text, ctx)
    if facts or any(grade):
        return _facts(facts, ctx, grade)
    elsewhere = _reason_for_another_item(text, ctx)
    if elsewhere is not None:
        return elsewhere
    if is_question(text, weak=True):
        reply, item = answer_question(text, asked, ctx.items, ctx.rules)
        return Decision(QUESTION, f"「{item.label}」" if item else OTHER_QUESTION, reply=reply, item=item)
    if asked is not None and not asked.done and not substantive(text):
        return Decision(UNCLEAR, f"回答「{asked.label}」", item=asked, reply=f"没能把“{text}”读成“{asked.label}”的回答。")
    if EDIT_ASKED.search(text):
        # '删掉“…”这句', '把…加回来', '…不是报告内容': an edit that matched nothing is said back, never filed as text
        return Decision(UNCLEAR, "要改的内容没找到", reply=EDIT_HELP)
    if substantive(text):
        return _statement(text, ctx, None)
    return _clarify(text, ctx)


def _with_aside(decided: Decision, aside: str, ctx: TurnContext) -> Decision:
    """The aside read on its own against the record as the main part left it: a correction, facts, a note."""
    base = decided.report if decided.report is not None else ctx.report
    sub_ctx = TurnContext(ctx.form, ctx.title, base, ctx.items, None, ctx.rules, ctx.wanted, ctx.has_pending,
                          ctx.precedents, ctx.printed, ctx.previous, ctx.similar)
    stripped = re.sub(r"^(?:另外|对了|顺便|补充一下|还有就是|再说一下|另外说下|顺便说下|顺便说一下|插一句|提一句|顺便提一句|补一句)"
                      r"(?:说一下|说下|提一下|提下|讲一下)?[，,：:\s]*", "", aside)
    other = _read_main(stripped, sub_ctx)
    if other.kind == COMMAND or (other.kind == QUESTION and command_cued(stripped)):
        decided.then = other.command or command_cued(stripped)  # '另外帮我看看还差啥': done after the answer
        return decided
    if other.report is not None:
        decided.report = other.report
        decided.said += other.said
    elif other.kind == STATEMENT:
        decided.notes.append((other.section, other.part, stripped))
    elif decided.kind == STATEMENT and not decided.report:
        return _statement(f"{aside}", ctx, None) if decided.section is None else decided
    if decided.kind in (CHITCHAT, UNCLEAR, CLARIFY) and other.kind not in (CHITCHAT, UNCLEAR, CLARIFY):
        return other
    return decided


def _with_answer_after(decided: Decision, text: str, ctx: TurnContext) -> Decision:
    """'先更正一下，演练其实做了4次…。执行率没到100%是县级配套年底才到，尾款没付。': the correction, and the
    sentence that answers the question asked."""
    asked = ctx.asked
    if asked is None or asked.done or decided.report is None or asked.field:
        return decided
    rest = "".join(s for s in re.split(r"(?<=[。！!；;])", text) if s.strip() and not has_correction_cue(s)
                   and not re.search(r"其实|漏报|少报|之前", s))
    cue = CORRECTION_TURN.search(text)
    least = 2 if asked.kind in ("checks", "choice") else 6  # '均无 不对 上面那个到位时效选错了…': a short answer first
    if (not rest.strip() or rest.strip() == text.strip()) and cue is not None and len(_key(text[:cue.start()])) >= least \
            and not has_correction_cue(text[:cue.start()]) and len(_key(text[cue.end():])) >= 4 and not RECALLED.match(text):
        rest = text[:cue.start()]  # '成效嘛 书屋环境好多了 … 不对 刚才表里那个群众满意度不是93.5% 应该是94.2%'
    if len(_key(rest)) < least or rest.strip() == text.strip():
        return decided
    if is_question(rest, weak=True) or is_request(rest):
        return decided  # a question or a request said with the correction is never an answer for the report
    applied = apply_answer(asked, decided.report, rest, None, ctx.rules, ctx.place)
    if applied is not None and applied.section:  # the note asked for, said before the correction
        kind, part = _note_section(rest, asked, ctx)
        if kind == asked.section:
            decided.notes.append((kind, part or asked.part, rest.strip(), True))
            decided.answered, decided.item = True, asked
        return decided
    if applied is None:
        return decided
    decided.report = applied.report
    decided.said.append(applied.said)
    decided.answered, decided.item = True, asked
    return decided


def _with_embedded_correction(decided: Decision, text: str, ctx: TurnContext) -> Decision:
    """'隔离带32公里 演练其实是4次 都完成了': the answer, and the indicator it corrects on the way."""
    if not (has_correction_cue(text) or re.search(r"其实|实际上", text)):
        return decided
    if decided.report is None:  # a note answered: the correction on the way changes the record the note joins
        if decided.kind not in (ANSWER, STATEMENT) or not decided.section:
            return decided
        decided.report = ctx.report
        cue = CORRECTION_TURN.search(text)
        if cue is not None and len(_key(text[:cue.start()])) >= 6 and len(_key(text[cue.end():])) >= 4:
            # '…日常维修每月考核一次。 不对 刚才那个中标单位名字打错了 是安徽恒明照明工程有限公司': the name corrected
            # where it was recorded, and only the words before the correction go into the note
            fixed = corrections.correct_misspelt(ctx.report, text[cue.start():])
            if fixed is not None:
                decided.report = fixed.report
                decided.said.append(fixed.said)
                decided.words = decided.words or text[:cue.start()].strip()
                return decided
    clauses = [c for c in re.split(r"[，,。；;\s（()）]+", text) if c]
    for k, clause in enumerate(clauses):
        if not (has_correction_cue(clause) or re.search(r"其实|实际上", clause)):
            continue
        # the clause alone, then with its neighbours: '前面说…定了3家机构 其实是4家' says the old figure one clause
        # before the new one
        around = " ".join(clauses[max(0, k - 1):k + 2])
        for window in ([clause, around] if re.search(r"\d", clause) else [around]):
            for op in (corrections.correct_figure, corrections.edit_indicator):
                change = op(decided.report, window)
                if change is not None and _changed_indicator_or_text(decided.report, change.report):
                    decided.report = change.report
                    decided.said.append(change.said)
                    return decided
    return decided


def _changed_indicator_or_text(before: Report, after: Report) -> bool:
    return before.indicators != after.indicators or before.notes != after.notes


def _states_new_value(text: str, ctx: TurnContext) -> bool:
    """'处理污水量实际是408万吨', 'COD削减量那个目标是≥750吨', '资助代表性传承人是16人': an indicator named with a
    value other than its own."""
    key = _key(text)
    if len(key) > 60:
        return False
    ind = corrections.find_indicator(text, ctx.report.indicators)
    if ind is None or re.search(r"那\s*\d+|\d+\s*(?:家|个|户|所|座|处|人)?(?:还)?(?:没(?!错|问题)|未|拖|延|在建|在做)", key):
        return False  # '远程心电那3家没完', '那3家拖到明年了': a part of the work that lags, not the indicator's value
    if len(key) <= 24 and re.search(r"\d", key) and corrections.edit_indicator(ctx.report, text) is not None:
        return True  # '精准率 99.6%', '机耕路47.2改47.5'
    return bool(COLUMN_VALUE.search(key)) or corrections.bare_value(to_halfwidth(text), ind) is not None


def _reason_for_another_item(text: str, ctx: TurnContext) -> Decision | None:
    """A reason given for an item other than the one asked — answers come in any order, also for an item
    skipped earlier ('财务回话了，预算追加25万是…'): recorded there, not filed as report text."""
    from .answers import gives_cause

    items = {i.id: i for i in ctx.items}
    choice = None
    ind = corrections.find_indicator(text, ctx.report.indicators)
    if ind is not None and f"reason.indicator.{ind.name}" in items and \
            re.search(r"原因|没达标|未达标|没完成|未完成|没达到|未达到|偏低|不足|下一步", text):
        choice = items[f"reason.indicator.{ind.name}"]
    elif "reason.adjustment" in items and ADJUSTMENT.search(text) and re.search(r"预算|资金|万|经费|补助", text):
        choice = items["reason.adjustment"]
    elif "reason.execution" in items and UNSPENT.search(text) and gives_cause(text):
        choice = items["reason.execution"]
    if choice is None or choice is ctx.asked:
        return None
    words = re.sub(r"^.{0,20}?原因(?:重新说一下|改一下|是|就是|主要是)?[:：，,\s]*", "", text) if "原因" in text[:24] else text
    before = ctx.report.funding.execution_reason if choice.id == "reason.execution" else ""
    if before and MONEY_LEFT.match(_key(text)):
        words = f"{before.rstrip('。；;，, ')}；{words}"  # '结余的钱已交回财政': more on the reason already given
    applied = apply_answer(choice, ctx.report, words, None, ctx.rules, ctx.place, lenient=True)
    if applied is None:
        return None
    return Decision(ANSWER, f"回答「{choice.label}」", report=applied.report, said=[applied.said], item=choice)


def _without_spans(text: str, spans: list[tuple[int, int]]) -> str:
    half = to_halfwidth(text)
    keep = bytearray(b"\x01" * len(half))
    for a, b in spans:
        keep[a:b] = b"\x00" * (b - a)
    return re.sub(r"^[，,。；;\s]+|[，,。；;\s]+$", "", "".join(ch for ch, k in zip(half, keep) if k))


def _reclassified(report: Report, text: str):
    """An indicator put in another family, said as a correction or plainly ('通客车率算质量指标')."""
    if not re.search(r"效益|满意度|数量|质量|时效|成本|可持续", text) or not re.search(r"指标|算|属于|归|的", text):
        return None
    return corrections.reclassify(report, text)


def _opens_elsewhere(text: str, asked: Item) -> bool:
    """An aside that opens with another section's own word, typed while a field, goal or reason is asked."""
    if asked.section:
        return False
    key = _key(text)
    if asked.indicator and MONEY_LEFT.match(key) and not re.search(r"资金|金额|经费|支付", asked.indicator):
        return True  # '结余的钱年底已交回财政了', said while an indicator's reason is asked, is about the money
    # '还有13.6万没付…' answers why money is left, it opens no aside
    return bool(re.match(r"^(?:对了|另外|顺便|还有(?![\d一二两三四五六七八九十几]|.{0,12}(?:没|未|尚))|补充一下|插一句|提一句|补一句|题外话|跟你说一下|(?:先)?(?:跟你)?说(?:个|件)事|顺带说一下|顺带|再补一句|"
                         r"记一下|补充[:：]|今年(?:我们)?还|我们(?:今年)?还)", key)) or \
        bool(OPENING.match(key) and asked.group in ("偏差原因", "项目信息") or
             (asked.id.startswith("goals.") and OPENING.match(key)))


def _note_section(text: str, asked: Item, ctx: TurnContext) -> tuple[str, str | None]:
    """A narrative prompt's answer stays in its section unless it opens with another section's own word."""
    key = _key(text)
    if OPENING.match(key):
        kind, part = route_note(text, ctx.form, None, ctx.precedents)
        if kind != asked.section:
            return kind, part
    from ..compose.skeleton import part_for
    return asked.section, part_for(asked.section, text, asked.part)


def _with_other_facts(decided: Decision, facts, asked: Item | None, ctx: TurnContext,
                      grade: tuple = (None, None), text: str = "") -> Decision:
    recorded = ctx.report.project
    # a fact said in passing adds what is not recorded; a recorded value changes only when the words correct it
    # ('3月份开始的 按计划 12月底都弄完了' to 项目实施 never moves the period already confirmed)
    rest = {k: v for k, v in facts.fields.items() if not (asked and asked.field == k) and
            (getattr(recorded, k, None) in (None, "", v) or has_correction_cue(text) or
             re.search(r"改成|改为|换成|更正|应该是", text))}
    if decided.report is None:
        return decided
    if rest:
        applied = record_facts(decided.report, rest, facts.extra)
        if applied is not None:
            decided.report = applied.report
            decided.said.append(applied.said)
            decided.reason += "，另记项目信息"
    record_grade(decided, decided.report, grade)
    return decided


def _facts(facts, ctx: TurnContext, grade: tuple = (None, None)) -> Decision:
    p = ctx.report.project
    changed = [k for k, v in facts.fields.items() if getattr(p, k, None) and getattr(p, k) != v]
    applied = record_facts(ctx.report, facts.fields, facts.extra)
    if applied is None:
        if grade[0] or grade[1]:
            out = ctx.report.model_copy(deep=True)
            decided = Decision(ANSWER, "自评等次和得分", report=out)
            record_grade(decided, out, grade)
            decided.answered = ctx.asked is not None and ctx.asked.id in ("claimed.grade", "claimed.total")
            decided.item = ctx.asked if decided.answered else None
            return decided
        return Decision(UNCLEAR, "项目信息", reply="没有读出要记录的内容。")
    from .spec import interview_spec

    labels = "、".join((interview_spec().field(k).label if interview_spec().field(k) else k) for k in facts.fields)
    answered = ctx.asked is not None and ctx.asked.field in facts.fields
    kind = CORRECTION if changed else ANSWER if answered else FACTS
    decided = Decision(kind, f"{'更正' if changed else '记录'}{labels}", report=applied.report, said=[applied.said],
                       item=ctx.asked if answered else None, answered=answered,
                       fields=[{"field": k, "label": interview_spec().field(k).label if interview_spec().field(k) else k,
                                "value": v} for k, v in facts.fields.items()])
    unprinted = [interview_spec().field(k).label for k in facts.fields
                 if ctx.printed is not None and k not in ctx.printed and interview_spec().field(k)]
    if unprinted:
        decided.said.append(f"（本格式的表中没有{'、'.join(unprinted)}一栏，已记下备用）")
    record_grade(decided, decided.report, grade)
    return decided


def _statement(text: str, ctx: TurnContext, section: str | None) -> Decision:
    asked = ctx.asked if ctx.asked is not None and ctx.asked.section else None
    named = destination(text, ctx.form) if not section else None
    if named:
        from ..compose.skeleton import part_for
        return Decision(STATEMENT, "写进报告（按您说的位置）", section=named, part=part_for(named, text))
    if section:
        from ..compose.skeleton import part_for
        return Decision(STATEMENT, "写进报告", section=section, part=part_for(section, text))
    kind, part = route_note(text, ctx.form, asked, ctx.precedents)
    return Decision(STATEMENT, "写进报告", section=kind, part=part)


def _clarify(text: str, ctx: TurnContext) -> Decision:
    asked = ctx.asked
    kind, _ = route_note(text, ctx.form, None, ctx.precedents)
    buttons = []
    if asked is not None and not asked.done:
        buttons.append({"label": f"这是对「{asked.label}」的回答", "answer": {"item": asked.id, "as": "answer"}})
    buttons.append({"label": "写进报告", "answer": {"as": "note", "section": kind}})
    ask = f"这句是回答「{asked.label}」，还是写进报告？" if asked is not None and not asked.done else "这句要写进报告吗？"
    return Decision(CLARIFY, "没读懂，问一次", reply=ask, item=asked,
                    clarify={"type": "clarify", "ask": ask, "text": text, "buttons": buttons})


def _chitchat_reply(text: str, asked: Item | None) -> str:
    key = _key(text)
    if any(re.search(p, key) for p in turn_words().chitchat.meta):
        return f"抱歉，没有在已记录的内容里找到。{'能再说一次“' + asked.label + '”吗？' if asked else ''}"
    if re.search(r"稍等|等一下|等等|等会|等下|我去|我问|我查|我找", key):
        return "好的，不急，准备好了直接发给我。"
    if re.search(r"谢", key):
        return "不客气。"
    return "好的。"


def _request(text: str, ctx: TurnContext) -> Decision | None:
    command = _command_inside(text)
    if command == "progress" and glossary_in(text):
        command = None  # '这就完了？还差啥不 支出明细要不要贴': what is missing, and the term asked about, answered
    if command is not None:
        return Decision(COMMAND, COMMAND_NAMES[command], command=command)
    added = _add_indicator(text, ctx)
    if added is not None:
        return added
    if has_correction_cue(text):
        decided = correction_of(text, ctx, facts_in(text, ctx.place, ctx.wanted, None))
        if decided is not None:
            decided.kind = REQUEST
            return decided
    if re.search(r"写|起草|生成|润色|改写|重写", text) and (len(_key(text)) <= 16 or re.match(r"^(?:请|帮我|麻烦|你)", _key(text))
                                                       or re.search(r"(?:你|帮我)(?:帮我)?(?:来)?(?:写|起草)", _key(text))):
        section = ctx.asked.section if ctx.asked is not None and ctx.asked.section else None
        return Decision(COMMAND, "起草", command="write", section=section)
    if re.search(r"想(?:一|个)|推荐|建议|举(?:个)?例|参考", text):
        reply, item = answer_question(text, ctx.asked, ctx.items, ctx.rules)
        return Decision(REQUEST, "请求建议", reply=reply, item=item)
    return None


def _command_inside(text: str) -> str | None:
    key = _key(text)
    for name in ("export", "why", "check", "progress"):
        if any(re.search(p, key, re.I) for p in turn_words().commands[name].patterns):
            return name
    return None


def _add_indicator(text: str, ctx: TurnContext) -> Decision | None:
    half = to_halfwidth(text.strip())
    anywhere = re.search(r"(?:(?:补|加|增加|新增|添加|添)(?:上)?(?:一|个)(?:条|个|项)?|加回来|补回来|加回去)(?:吧|啊)?[：:，,\s]*(?:(?:数量|质量|时效|成本|经济效益|"
                         r"社会效益|生态效益|可持续影响|服务对象满意度|满意度)(?:类)?)?(?:指标)?[:：，,\s]*", half)
    for pattern in turn_words().requests.add:
        m = re.match(pattern, half) or (anywhere if anywhere and re.search(r"目标|实际", half[anywhere.end():]) else None)
        if not m:
            continue
        family = _family_said(half[:m.end() + 12])  # '经济效益补一条：…' names its family, whatever is asked
        if family is None and ctx.asked is not None and ctx.asked.kind == "indicator" and ctx.asked.path:
            family = ctx.asked.path[-1]
        ind = indicator_line(half[m.end():], family or _family_said(half) or "社会效益")
        if ind is None:
            return None
        out = ctx.report.model_copy(deep=True)
        out.indicators.append(ind)
        return Decision(REQUEST, "补充指标", report=out, said=[f"已补充指标：{ind.name}，目标{ind.target}，实际{ind.actual}"])
    return None


def _family_said(text: str) -> str | None:
    for family in ("经济效益", "社会效益", "生态效益", "可持续影响", "满意度", "数量", "质量", "时效", "成本"):
        if family in text:
            return family
    return None


