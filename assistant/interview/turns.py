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
from dataclasses import dataclass, field, replace

from ..core.models import Report
from ..core.numbers import compact, to_halfwidth
from ..core.scoring import RuleSet
from ..retrieval.hits import PrecedentSource
from . import corrections, expense_edits
from .answers import Applied, apply_answer, indicator_line, record_facts
from .askback import answer_question, glossary_in, item_named
from .facts import Place, facts_in, place_of
from .items import Item, find
from .notes import route_note
from .spec import turn_words
from .table_turns import confirms_table, figures_sentence, key_of as _key, table_lines, typo_in_amount

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


def _bare(text: str) -> str:
    """The turn without fillers and punctuation at either end: '这个先跳过吧' → '跳过'."""
    fillers = turn_words().fillers
    key = re.sub(r"[，,。.！!？?~～…；;：:、\s]+", "", _key(text))
    previous = None
    while previous != key:
        previous = key
        key = re.sub(rf"^{fillers}+|{fillers}+$", "", key)
    return key


def command_of(text: str) -> str | None:
    key, bare = _key(text), _bare(text)
    if re.search(r"(?:出稿|导出|打印|起草|提交|送审)(?:前|之前|以前|后|之后|以后)", key):
        return None  # '出稿前要把所有问题都答完吗？' asks about the move, it does not make it
    if len(key) > 24:
        return command_cued(text)
    for name, words in turn_words().commands.items():
        if bare in words.says or key in words.says:
            return name
    asking = bool(re.search(r"怎么|为什么|为啥|哪|什么|啥", key))  # '能帮我导出word吗' still asks for the export
    commands = list(turn_words().commands.items())
    if re.search(r"生成报告|起草|出稿", key) and not re.search(r"下载|导出|文件|word|Word", key):  # '生成报告吧 剩下的不填了': the report is asked for, not a skip
        commands.sort(key=lambda c: c[0] != "write")
    for name, words in commands:
        if asking and name not in ("why", "progress", "check"):
            continue  # '导出的怎么没有项目地址和邮编？' asks about the export, it does not ask for one
        if any(re.search(p, key, re.I) for p in words.patterns):
            if name == "write" and not re.search(r"全文|报告|稿|段|节|问题和建议|经验|成效|概况|写一下|写吧|写$|起草", key):
                continue  # '写2025年3月15日' is an answer, not 起草
            return name
    return command_cued(text)


_CUE_ORDER = ("why", "progress", "export", "check", "back", "write", "skip")


def command_cued(text: str) -> str | None:
    """A move said in indirect words inside a short message ('这个我回头问问财务再说', '给我挑挑毛病', '我要打印'):
    the cue words of each command (knowledge/turns.yaml), most specific first. A message with figures in it is an
    answer or a correction, not a move, unless it asks about a score or the progress."""
    key = _key(text)
    if len(key) > 32 or re.search(r"(?:出稿|导出|打印|起草|提交|送审)(?:前|之前|以前|后|之后|以后)", key):
        return None  # '出稿前要把所有问题都答完吗？' asks about the move, it does not make it
    spaced = re.sub(r"\s+", " ", to_halfwidth(text).strip())
    commands = turn_words().commands
    for name in _CUE_ORDER:
        if re.search(r"\d", key) and name not in ("why", "progress"):
            continue
        if any(re.search(p, spaced, re.I) or re.search(p, key, re.I) for p in commands[name].cues):
            return name
    return None


_CHAT_OPENING = re.compile(r"^(?:你好|您好|谢谢|谢啦|多谢|感谢|hhh+|哈哈+|呵呵|不好意思|抱歉|对不起|辛苦了?|好的|嗯嗯|ok)[啊呀哈了啦嘛]*", re.I)


def is_chitchat(text: str) -> bool:
    words = turn_words().chitchat
    key = _key(text)
    if any(re.search(p, key, re.I) for p in words.patterns):
        return True
    opening = _CHAT_OPENING.match(key)
    rest = re.sub(r"项目|资金|自评|报告|群众|农户|学生|老人|主要|管理|服务", "", key[opening.end():]) if opening else ""
    if opening and not re.search(r"\d", key) and len(key) <= 40 and not any(
            re.search(p, rest) for p in turn_words().statements["substance"]):
        return True  # a greeting or an apology with talk around it, nothing for the report
    if len(key) <= 20 and any(re.search(p, key) for p in words.meta):
        return True
    return len(_bare(text)) == 0


def is_question(text: str, weak: bool = False) -> bool:
    """A question to the assistant: its end or its cue words; `weak` adds the rhetorical ones ('哪来的', '…吧'),
    which are read as the answer first."""
    words = turn_words().questions
    key = _key(text)
    if len(key) > 80:
        return False
    spaced = re.sub(r"\s+", " ", to_halfwidth(text).strip())  # a space ends a clause: '一样吗 我们往年…'
    if re.search(r"哪(个|些|家|里)[^，,。？?\s]{1,8}[，,\s]+哪\1", spaced) and not re.search(r"[？?]|吗", key):
        return False  # '哪个厂管网老 哪个厂设备老 分开搞': each one in turn, not a question
    if re.search(words.end, key) or any(re.search(p, key) or re.search(p, spaced) for p in words.cues):
        return True
    return weak and any(re.search(p, key) for p in words.weak)


def has_correction_cue(text: str) -> bool:
    key = _key(text)
    return any(re.search(p, key) for p in turn_words().corrections.cues)


def is_request(text: str) -> bool:
    key = _key(text)
    return any(re.search(p, key) for p in turn_words().requests.cues)


def substantive(text: str) -> bool:
    """Something for the report: a sentence about what was done, how, with what result, or what went wrong."""
    key = _key(text)
    if len(key) < 6:
        return False
    return len(key) >= 10 or bool(re.search(r"\d", key)) or \
        any(re.search(p, key) for p in turn_words().statements["substance"])


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
            return _answered(applied, asked)
    if not text:
        return Decision(EMPTY, "空消息")
    typo = typo_in_amount(text)
    if typo:
        return Decision(ERROR, "金额无法识别",
                        reply=f"“{typo}”不是有效的数字（数字中混有字母），没有记录。请改正后再发。")
    if force == "answer" and asked is not None:
        applied = apply_answer(asked, ctx.report, text, None, ctx.rules, ctx.place, lenient=True)
        if applied is not None:
            return _answered(applied, asked)
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
        return Decision(COMMAND, _COMMAND_NAMES[command], command=command)
    if (has_correction_cue(text) or re.search(r"更新|变了|变成|调整为|调成", text)) and ctx.report.funding.origin != "none" \
            and not re.search(r"原因|那句|那段|目标|[执到]位?率|凭证|明细", text):
        cue = _CORRECTION_TURN.search(text)
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
    fix = list(_SELF_FIX.finditer(text))
    if fix and asked is not None and (asked.field or asked.id.startswith("claimed.")) and \
            len(_key(text[fix[-1].end():])) >= 2 and len(_key(text[:fix[-1].start()])) >= 2:
        text = text[fix[-1].end():]  # '凤台县水力局 哦打错了 凤台县水利局', '3月15号吧 哦不对 3月18号': what is said last
    # a remark to the assistant in brackets ('（等下我问下股长是不是这么写的）', '（这个是照申报书上抄的）') is talk
    text = re.sub(r"[（(][^（()）]{0,30}(?:等下|等会|我问|问下|问问|回头|不知道|不确定|是不是这么|抄的|你看着|你帮我)"
                  r"[^（()）]{0,20}[)）]", "", text).strip() or text
    whole, question = split_question(text, asked)
    directed = _DIRECTIVE.search(whole)
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
        decided = _with_aside(decided, aside, ctx)
        if (decided.kind == STATEMENT or (decided.kind == ANSWER and decided.section)) and not decided.words:
            decided.words = main  # the note is the answer's words; the aside went its own way
    if question:  # '…三个都符合吧。这个不填的话扣几分？': the answer recorded, and the question answered too
        reply, _ = answer_question(question, ctx.asked, ctx.items, ctx.rules)
        decided.reply = f"{decided.reply}\n{reply}".strip()
        if (decided.kind == STATEMENT or (decided.kind == ANSWER and decided.section)) and not decided.words:
            decided.words = whole  # the note holds the answer, never the question asked with it
    return decided


def split_question(text: str, asked: Item | None = None) -> tuple[str, str]:
    """A message that answers and asks: the answer, and the questions in it ('符合申报条件，也报批了。调整手续是啥意思？
    我们年中没调整过预算', '23年全年 1月1号到12月31号，要不要写到日啊？')."""
    parts = [p for p in re.split(r"(?<=[。！!；;？?])|(?<=[吧啊呀])\s+", text.strip()) if p.strip()]
    if len(parts) < 2 and asked is not None and (asked.section or asked.group == "偏差原因" or asked.id.startswith("goals.")):
        # '…县政府22年就提出要节能改造 这个要写多详细？': words for the report, then a question set apart by a space
        tail = re.search(r"\s+((?:这个|这块|这里|这段|这项|那这个|这些|以上)[^\s]{0,4}?(?:要写多|写多|要不要|不写|不填|会不会|能不能|是不是|算不算|"
                         r"要写到|需要写|扣分|扣几分)[^\s]{0,14})$", text.strip())
        if tail and is_question(tail.group(1)) and len(_key(text[:tail.start()])) >= 8 and \
                not is_question(text[:tail.start()]):
            return text[:tail.start()].strip(), tail.group(1).strip()
    if len(parts) < 2:
        clauses = [c for c in re.split(r"(?<=[，,])", text.strip()) if c.strip()]
        # a clause-question splits off only after a project field's answer ('1月1号到12月31号，要不要写到日啊？');
        # elsewhere the clauses before it are its premise ('数字化只完成80%，还能评良吗')
        if asked is not None and asked.field and len(clauses) >= 2 and is_question(clauses[-1]) \
                and not re.match(r"\s*(?:还是|或者|或是)", clauses[-1]) and not is_question("".join(clauses[:-1])) and \
                len(_key("".join(clauses[:-1]))) >= 4 and re.search(r"[？?]|吗|要不要|是不是", clauses[-1]):
            return "".join(clauses[:-1]).rstrip("，, "), clauses[-1].strip()
        return text, ""
    # a message that opens with its question is a question, whatever context follows it ('有什么区别？我们中途追加过')
    first = next((i for i, p in enumerate(parts) if is_question(p) and (re.search(r"[？?]", p) or i == len(parts) - 1)),
                 None)
    if not first:
        return text, ""
    rest, question = "".join(parts[:first]).strip(), "".join(parts[first:]).strip()
    if not is_question(rest) and len(_key(rest)) >= 2:
        return rest, question
    return text, ""


_NOTHING_MORE = re.compile(r"^(?:没有了|没了|没有|没有补充的?|没有要补充的|没什么要?补充的?|不用补充了?|就这些|就这样|就这些了|"
                           r"刚才说的就是|前面说了|说过了|就是刚才那些|就刚才那些)"
                           r"(?:[，,]?(?:前面|刚才|上面)(?:都)?(?:说|讲)(?:的|过|了)(?:就是|那些)?了?)?[了啊吧。!！,，]*$")


def _aside_was_all(text: str, ctx: TurnContext) -> Decision | None:
    """'没有了' to a narrative question whose part the officer already spoke to in passing: what was said is the
    answer (it is filed already), and the question is done."""
    asked = ctx.asked
    if asked is None or not asked.section or not asked.part or not _NOTHING_MORE.match(_key(text)):
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
    said_before = re.match(r"^\s*(?:我)?(?:刚才|前面|上面|之前)?(?:不是)?(?:都|已经)?(?:说|讲|提|答)(?:过|了)+(?:吗|啊|嘛|呀)?[，,。！!？?\s]*", text)
    if said_before and said_before.end() and len(_key(text[said_before.end():])) >= 4 and asked is not None and not asked.done:
        text = text[said_before.end():]  # '刚才不是说了吗 成立了领导小组…': the answer said again, not a question
    facts = facts_in(text, ctx.place, ctx.wanted, asked.field if asked else None, _known(ctx.report))
    if asked is not None and asked.field in ("department", "unit") and \
            re.match(r"^\s*(?:同上|跟上面一样|和上面一样|跟上面的一样|跟上一个一样|同前|同单位|一样的?|也一样)", text):
        applied = apply_answer(asked, ctx.report, text, None, ctx.rules, ctx.place)
        if applied is not None:  # '同上', '跟上面一样': the unit (or 主管部门) just named
            return _answered(applied, asked)
    if not facts and is_chitchat(text):
        return Decision(CHITCHAT, "闲谈", reply=_chitchat_reply(text, asked))
    asks = is_question(text) and not _edit_request(text) and \
        (not has_correction_cue(text) or (re.search(r"[？?]|吗|会不会|是不是", text) and not _states_value(text)))
    if asks and asked is not None and asked.field and facts and asked.field in facts.fields and \
            re.search(r"不是说了|说过了|前面说了|刚才说了|都说了", text) and not re.search(r"区别|什么|啥|怎么|哪个|哪种", text):
        asks = False  # '不是说了吗 2024年全年，1月1号到12月31号': the value asked is in it
    if asks and asked is not None and not asked.done and (
            hedged(text) or (asked.kind in ("checks", "choice") and re.search(r"吧[？?]?$", _key(text)) and
                             not _CONTENT_QUESTION.search(_key(text)))):
        # '符合办法的 公平合理应该也算吧?' to a checks question: the options named, said unsure
        # '是华容县林业局吧？', '应该是…优吧？', '报告日期…填2024年4月15日可以吗？': an answer, said unsure
        applied = apply_answer(asked, ctx.report, _without_hedge(text), None, ctx.rules, ctx.place,
                               facts=facts if asked.field else None)
        if applied is not None and not applied.section:
            decided = _answered(applied, asked)
            decided.reason += "（按您的回答记录，可随时更正）"
            return _with_other_facts(decided, facts, asked, ctx, _grade_facts(text, ctx), text)
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
    grade = _grade_facts(text, ctx)
    if any(grade) and not facts and len(_key(text)) <= 24 and re.search(r"自评|得分|总分|等次|等级", text) and \
            (asked is None or asked.id not in ("claimed.grade", "claimed.total")):
        out = ctx.report.model_copy(deep=True)  # '帮我把自评得分填88分' while something else is asked
        decided = Decision(REQUEST if is_request(text) else FACTS, "自评等次和得分", report=out)
        _record_grade(decided, out, grade)
        return decided
    if re.search(r"越(?:低|小|少|高|大|多)越好|正向指标|反向指标|逆向指标", text):
        flip = corrections.edit_indicator(ctx.report, text)
        if flip is not None:
            return Decision(CORRECTION, flip.what, report=flip.report, said=[flip.said])
    if has_correction_cue(text) or (_states_new_value(text, ctx) and
                                    (asked is None or asked.done or
                                     (len(_key(text)) <= 30 and (asked.kind not in ("choice", "checks") or
                                                                  _COLUMN_VALUE.search(_key(text)) or "→" in text)))):
        decided = _correction(text, ctx, facts)
        if decided is not None:
            return _with_answer_after(decided, text, ctx)
    if facts and facts.covered(text) >= 0.6 and (asked is None or asked.field is None):
        rest = _without_spans(text, facts.spans)
        if asked is not None and not asked.done and len(_key(rest)) >= 4:
            applied = apply_answer(asked, ctx.report, rest, None, ctx.rules, ctx.place)
            if applied is not None and not applied.section:  # '质保金113.75万元没付。负责人张德明，电话…'
                return _with_other_facts(_answered(applied, asked), facts, asked, ctx, grade, text)
        return _facts(facts, ctx, grade)
    if destination(text, ctx.form) and not (asked is not None and asked.section == destination(text, ctx.form)):
        return _statement(text, ctx, None)  # '这个放到成效里': a statement for the section named
    done = [i for i in ctx.items if i.path and (i.done or re.search(r"那题|那一题|那项", text))]
    # options named that the question asked also has ('制度健全 执行也严格' to 管理制度) answer it, not another item
    open_now = [asked] if asked is not None and not asked.done and asked.kind == "checks" else []
    other = item_named(text, done) or _item_by_options(text, done + open_now)
    if other is not None and other is not asked and (
            re.search(r"那题|这题|那一题|那项|改一下|改成|也勾|也要勾|也算|全部符合|都符合|只勾|只选|别勾|不勾|勾上|不符合|不算|"
                      r"弄掉|去掉了|漏了|少了|都要|都勾|全勾|都算|都是", text) or _item_by_options(text, [other])):
        retaken = _retake_answer(text, ctx, other)  # '分配办法那题改一下，分配因素全面合理也勾上'
        if retaken is not None:
            return retaken
    if asked is not None and not asked.done and not _opens_elsewhere(text, asked):
        applied = apply_answer(asked, ctx.report, text, None, ctx.rules, ctx.place, facts=facts, similar=ctx.similar)
        if applied is not None and applied.section:
            kind, part = _note_section(text, asked, ctx)
            if kind != asked.section:
                return Decision(STATEMENT, "写进报告", section=kind, part=part)
            applied.part = part or asked.part
        head, retake = _retake_inside(text, ctx)
        if retake is not None:  # '制度健全 执行也严格 对了不对 刚才那个项目实施进度 开工 开展 完工三个都是按计划的'
            again = apply_answer(asked, ctx.report, head, None, ctx.rules, ctx.place, facts=facts, similar=ctx.similar)
            if again is not None and not again.section:
                decided = _answered(again, asked, head, ctx)
                return _with_retake(decided, retake, ctx)
        if applied is not None:
            decided = _answered(applied, asked, text, ctx)
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
    if _EDIT_ASKED.search(text):
        # '删掉“…”这句', '把…加回来', '…不是报告内容': an edit that matched nothing is said back, never filed as text
        return Decision(UNCLEAR, "要改的内容没找到", reply=_EDIT_HELP)
    if substantive(text):
        return _statement(text, ctx, None)
    return _clarify(text, ctx)


_SELF_FIX = re.compile(r"[，,。\s]*(?:(?:哦|噢|呃|啊|诶)[，,\s]*(?:不对|打错了|说错了|写错了|不是|错了)|不对不对|不是不是|"
                       r"(?<=[\s，,])(?:不对|(?:刚才)?说错了|(?:刚才)?打错了|(?:刚才)?写错了))[，,。\s]*")
_EDIT_ASKED = re.compile(r"删掉|删除|删了|去掉|加回来|恢复|撤回|不是报告(?:的)?内容|别写进|不要写进|不用写进|不要记|别记|"
                         r"^[^，,。\s]{2,20}(?:应该是|应为|应改为)[^，,。\s]{2,20}$|"
                         r"(?:改成|改为|换成)[：:“\"]|^把.{1,20}(?:改成|改为|换成)")
_EDIT_HELP = ("没有找到要改动的内容，这句话没有记入报告。可以这样说：“删掉刚才那句”“把‘原文字’改成‘新文字’”"
              "“XX指标实际值改成…”；也可以在右侧草稿栏直接修改，或说“撤销”退回上一次修改。")


_ASIDE_SPLIT = re.compile(r"(?:[。；;！!，,\s]+(?:哦|噢|啊|诶|哎)?|^|(?:哦|噢|啊|诶|哎))(?=(?:另外|对了|顺便|补充一下|还有就是|再说一下|另外说下|顺便说下|顺便把|插一句|提一句|补一句|题外话|再补一句|顺带说一下)[，,：:\s]?)")


_DIRECTIVE = re.compile(r"(?:先记一下|先记一条|记一下|报告里(?:要|得)?(?:写|加|补)(?:一句|一条|上|一下)?|写进报告|记到报告里|记进报告|"
                        r"报告里(?:面)?(?:要)?(?:说|写)一下)[:：，,\s]*")


def split_aside(text: str) -> tuple[str, str]:
    """'…明年多进村入户。另外满意度实际其实是88.5%': the answer, and what is said besides it; also a sentence at
    the end that corrects something ('…专款专用。事故下降那个指标实际值改成13%')."""
    for m in _ASIDE_SPLIT.finditer(text):
        if len(_key(text[:m.start()])) >= 3 and len(text) - m.end() >= 6:  # '等次报优 另外起止时间…'
            if not _key(text[m.start():]).startswith(("另外", "对了", "顺便")) and len(_key(text[:m.start()])) < 5:
                continue
            return text[:m.start()].strip(), text[m.end():].strip()
    sentences = [s for s in re.split(r"(?<=[。；;！!])", text) if s.strip()]
    if len(sentences) >= 2:
        last = sentences[-1]
        if re.search(r"改成|改为|应该是|不对|删掉|删除|名字改|归到|还有把", last) and \
                (re.search(r"\d|[“\"「]", last) or re.search(r"指标|名字|删", last)) and len(_key("".join(sentences[:-1]))) >= 8:
            return "".join(sentences[:-1]).strip(), last.strip()
    fixes = r"改成|改为|改回|换成|应该是|不对|错了|记错|打错|不是|记成|写成|搞成|弄成"
    m = re.search(r"[，,。；;\s]+(?:还有|再就是|然后)[，,\s]*", text)
    if m and re.search(fixes, text[:m.start()]) and re.search(fixes, text[m.end():]) and \
            len(_key(text[:m.start()])) >= 6 and len(_key(text[m.end():])) >= 6:
        return text[:m.start()].strip(), text[m.end():].strip()  # two corrections: '…改回22个，还有项目时间是3月到12月…'
    m = re.search(r"[，,\s]还有(?=把)", text)  # '…有分工。还有把X这个指标名字改成Y'
    if m and m.start() >= 8:
        return text[:m.start()].strip(), text[m.end():].strip()
    return text, ""


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


# '前面说招标确定了3家服务机构 不对 是4家': the words before the cue recall what is corrected; they answer nothing
_RECALLED = re.compile(r"^\s*(?:我)?(?:前面|刚才|之前|上面|刚刚)(?:说|写|讲|填|报|记)")
_CORRECTION_TURN = re.compile(r"[，,。；;\s](?:(?:哦|噢|诶|哎|对了|还有)[，,\s]*)?(?:刚才|前面|上面)?[^，,。；;\s]{0,6}?"
                              r"(?:不对|更正一下|更正|说错了|打错了|写错了|搞错了|记错了)")


def _with_answer_after(decided: Decision, text: str, ctx: TurnContext) -> Decision:
    """'先更正一下，演练其实做了4次…。执行率没到100%是县级配套年底才到，尾款没付。': the correction, and the
    sentence that answers the question asked."""
    asked = ctx.asked
    if asked is None or asked.done or decided.report is None or asked.field:
        return decided
    rest = "".join(s for s in re.split(r"(?<=[。！!；;])", text) if s.strip() and not has_correction_cue(s)
                   and not re.search(r"其实|漏报|少报|之前", s))
    cue = _CORRECTION_TURN.search(text)
    if (not rest.strip() or rest.strip() == text.strip()) and cue is not None and len(_key(text[:cue.start()])) >= 6 \
            and not has_correction_cue(text[:cue.start()]) and len(_key(text[cue.end():])) >= 4 and not _RECALLED.match(text):
        rest = text[:cue.start()]  # '成效嘛 书屋环境好多了 … 不对 刚才表里那个群众满意度不是93.5% 应该是94.2%'
    if len(_key(rest)) < 6 or rest.strip() == text.strip():
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
        cue = _CORRECTION_TURN.search(text)
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


_COLUMN_VALUE = re.compile(r"(?:目标值?|指标值|实际(?:完成)?值?|完成值?)(?:应该|应|其实|实际上)?(?:是|为|达到|只有|有)?\s*[≥≤><]?\s*\d")


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
    return bool(_COLUMN_VALUE.search(key)) or corrections.bare_value(to_halfwidth(text), ind) is not None


_ADJUSTMENT = re.compile(r"追加|调增|调减|调整|追减|增加了?预算|减少了?预算")


_UNSPENT = re.compile(r"结余|没花完|未花完|未支付|没付|尾款|质保金|剩下|剩余|未拨付|没拨付|结算|没用完|来不及|才到账|没来得及|支付不了")


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
    elif "reason.adjustment" in items and _ADJUSTMENT.search(text) and re.search(r"预算|资金|万|经费|补助", text):
        choice = items["reason.adjustment"]
    elif "reason.execution" in items and _UNSPENT.search(text) and gives_cause(text):
        choice = items["reason.execution"]
    if choice is None or choice is ctx.asked:
        return None
    words = re.sub(r"^.{0,20}?原因(?:重新说一下|改一下|是|就是|主要是)?[:：，,\s]*", "", text) if "原因" in text[:24] else text
    before = ctx.report.funding.execution_reason if choice.id == "reason.execution" else ""
    if before and _MONEY_LEFT.match(_key(text)):
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


_CONTENT_QUESTION = re.compile(r"什么|啥|怎么|怎样|为什么|为啥|为何|哪(?!怕)|多少|区别|要不要|需不需要|是否|能不能|可不可以|有没有|几分|扣分")
_HEDGE = re.compile(r"吧[？?]?|吗[？?]|可以吗|对吗|对吧|是吧|算吗|行吗|应该是|应该算|应该选|应该填|应该写|那就选|好像|可能|大概|不太确定|不确定|估计|"
                    r"^[^？?，,]{1,4}[？?]")


def hedged(text: str) -> bool:
    """An answer said unsure ('应该是…优吧？', '量化应该算吧？'), not a question about something: a hedge and no
    word asking for content (什么/怎么/多少/区别 …) outside the hedge."""
    key = _key(text)
    if _ABOUT_THE_FORM.search(key):
        return False  # '成效写几句就行吗', '满意度90%算达标了吧': about the report, not an answer to it
    if re.search(r"吗[？?]?$|吗[，,？?]", key) and not re.search(r"\d|局|中心|委|办", key):
        return False
    # a content word inside a clause that says the officer does not understand ('细化我不太懂是啥意思，先不勾') is
    # uncertainty, not the question
    plain = ",".join(c for c in re.split(r"[，,。；;！!]", re.sub(r"可以吗|对吗|行吗|算吗", "", key))
                     if not re.search(r"不懂|不太懂|不清楚|不知道|不太确定", c))
    return bool(_HEDGE.search(key)) and not _CONTENT_QUESTION.search(plain)


_ABOUT_THE_FORM = re.compile(r"写几|写多|写一句|写一遍|一定要|必须|合理|一回事|算达标|算没完成|才是|也算|就行|要写|要填|算不算|答完|"
                             r"单独写|重复了|要单独|直接扣|太多了|"
                             r"能不能|扣分|得分")


def _without_hedge(text: str) -> str:
    return re.sub(r"(?:可以吗|对吗|对吧|是吧|算吗|行吗)[？?]?|[？?]", "", text).strip()


def _states_value(text: str) -> bool:
    """A correction that gives its new value: a figure, or words in quotes."""
    return bool(re.search(r"(?:是|为|改成|改为|应该是)\s*[≥≤<>]?\d|[“\"「][^”\"」]+[”\"」]", to_halfwidth(text)))


def _edit_request(text: str) -> bool:
    return bool(re.search(r"(?:改成|改为|改个名|改名|删掉|删除|去掉|加一条|补一条)", _key(text)))


def _opens_elsewhere(text: str, asked: Item) -> bool:
    """An aside that opens with another section's own word, typed while a field, goal or reason is asked."""
    if asked.section:
        return False
    key = _key(text)
    if asked.indicator and _MONEY_LEFT.match(key) and not re.search(r"资金|金额|经费|支付", asked.indicator):
        return True  # '结余的钱年底已交回财政了', said while an indicator's reason is asked, is about the money
    # '还有13.6万没付…' answers why money is left, it opens no aside
    return bool(re.match(r"^(?:对了|另外|顺便|还有(?![\d一二两三四五六七八九十几]|.{0,12}(?:没|未|尚))|补充一下|插一句|提一句|补一句|题外话|跟你说一下|(?:先)?(?:跟你)?说(?:个|件)事|顺带说一下|顺带|再补一句|"
                         r"记一下|补充[:：]|今年(?:我们)?还|我们(?:今年)?还)", key)) or \
        bool(_OPENING.match(key) and asked.group in ("偏差原因", "项目信息") or
             (asked.id.startswith("goals.") and _OPENING.match(key)))


_MONEY_LEFT = re.compile(r"^(?:结余|剩余|剩下|没花完|没用完)(?:的)?(?:钱|资金|部分|那部分)|^(?:这|那)(?:部分|笔)(?:钱|资金|结余)")
_OPENING = re.compile(r"^(?:存在的|主要)?(?:问题|不足|困难)(?:是|主要是|就是|在于|的话|先记一下|记一下)|^(?:我们的)?(?:经验|做法)(?:就是|是|的话)|"
                      r"^(?:当时)?立项(?:是|时)|^资金(?:这块|方面)|^(?:说个|说一下|说说|提一下|再说个)(?:成效|效果|问题|经验|做法)|"
                      r"^(?:成效|效果)(?:的话|方面|这块|是)|^(?:有个|还有个|另外有个)问题")


def _note_section(text: str, asked: Item, ctx: TurnContext) -> tuple[str, str | None]:
    """A narrative prompt's answer stays in its section unless it opens with another section's own word."""
    key = _key(text)
    if _OPENING.match(key):
        kind, part = route_note(text, ctx.form, None, ctx.precedents)
        if kind != asked.section:
            return kind, part
    from ..compose.skeleton import part_for
    return asked.section, part_for(asked.section, text, asked.part)


def _grade_facts(text: str, ctx: TurnContext) -> tuple[str | None, str | None]:
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


_COMMAND_NAMES = {"cancel": "取消待确认的数据", "undo": "撤销上一次修改", "skip": "跳过", "back": "上一题", "progress": "查看进度", "check": "检查", "export": "导出",
                  "why": "为什么扣分", "write": "起草", "confirm": "确认", "polish": "润色全文"}


def _answered(applied: Applied, item: Item, text: str = "", ctx: TurnContext | None = None) -> Decision:
    decided = Decision(ANSWER, f"回答「{item.label}」", report=applied.report, said=[applied.said], item=item,
                       answered=True, section=applied.section, part=applied.part)
    if applied.note_too and text and ctx is not None:  # '是县卫生健康局牵头，具体由各乡镇卫生院实施': a note as well
        kind, part = route_note(text, ctx.form, None, ctx.precedents)
        decided.notes.append((kind, part, text))
    return decided


def _known(report: Report) -> frozenset[str]:
    p = report.project
    return frozenset(k for k in ("period_text",) if getattr(p, k, None))


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
    _record_grade(decided, decided.report, grade)
    return decided


def _record_grade(decided: Decision, report: Report, grade: tuple) -> None:
    from decimal import Decimal

    value, total = grade
    if value and report.claimed_grade != value:
        report.claimed_grade = value
        decided.said.append(f"已记录自评等次：{value}")
    if total and report.claimed_total != Decimal(total):
        report.claimed_total = Decimal(total)
        decided.said.append(f"已记录自评得分：{total}分")


def _facts(facts, ctx: TurnContext, grade: tuple = (None, None)) -> Decision:
    p = ctx.report.project
    changed = [k for k, v in facts.fields.items() if getattr(p, k, None) and getattr(p, k) != v]
    applied = record_facts(ctx.report, facts.fields, facts.extra)
    if applied is None:
        if grade[0] or grade[1]:
            out = ctx.report.model_copy(deep=True)
            decided = Decision(ANSWER, "自评等次和得分", report=out)
            _record_grade(decided, out, grade)
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
    _record_grade(decided, decided.report, grade)
    return decided


def _section_words(text: str) -> bool:
    from ..compose.skeleton import skeleton_of

    return any(w in text for kind in ("overview", "implementation", "performance", "experience", "problems",
                                      "funding_use") for w in skeleton_of(kind).words)


_DESTINATION = re.compile(r"(?:写|放|记|归|列)(?:到|在|进|入)?(?P<where>实施情况|组织实施|实施|成效|效益|绩效|资金使用情况|资金管理|资金|财务|经验做法|经验|做法|"
                          r"问题和建议|问题|不足|概况|基本情况|背景|自评过程|自评工作|评价过程|过程|目标)(?:里|中|那段|那块|部分|那一节)?|"
                          r"(?P<where2>经验做法|经验|成效|问题|自评过程|实施情况)(?:可以写|记一下|补充|写一下)[:：]|"
                          r"(?:算|当|作为)(?P<where3>成效|经验|问题|做法)(?:吧|的)?[。！]?$|"
                          # '存在问题里加上：…', '资金管理这块补充：…', '实施上还有一点：…', '…，报告资金管理部分写上。'
                          r"(?:存在)?(?P<where4>问题和建议|问题|资金管理|资金使用|实施|成效|经验做法|经验|目标|概况|自评过程)"
                          r"(?:情况)?(?:里|中|上|这块|那块|这一块|部分|方面|那段)?(?:要|得|再|也)?"
                          r"(?:加上|加一句|补一句|补充一下|补充|说明一下|还有一点|写上|写一下|添上)(?:[:：，,]|$)|"
                          r"报告(?:的)?(?P<where5>问题|资金管理|资金使用|实施|成效|经验|目标|概况)\w{0,4}(?:部分|那段|里)(?:要)?写上")
_DESTINATION_KIND = (("实施", "implementation"), ("成效", "performance"), ("效益", "performance"), ("绩效", "performance"),
                     ("资金", "funding_use"), ("财务", "funding_use"), ("经验", "experience"), ("做法", "experience"),
                     ("问题", "problems"), ("不足", "problems"), ("概况", "overview"), ("基本情况", "overview"),
                     ("背景", "overview"), ("过程", "process"), ("自评", "process"), ("目标", "goals"))


def destination(text: str, form: str) -> str | None:
    """'这个写实施情况里', '放到成效里', '经验做法可以写：…': the section the officer names for a statement (when the
    form has it)."""
    from .items import form_of

    m = _DESTINATION.search(_key(text))
    if not m:
        return None
    where = next(w for w in m.groups() if w)
    kind = next((k for w, k in _DESTINATION_KIND if w in where), None)
    kinds = [s.kind for s in form_of(form).sections]
    return kind if kind in kinds else None


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
        return Decision(COMMAND, _COMMAND_NAMES[command], command=command)
    added = _add_indicator(text, ctx)
    if added is not None:
        return added
    if has_correction_cue(text):
        decided = _correction(text, ctx, facts_in(text, ctx.place, ctx.wanted, None))
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


def _correction(text: str, ctx: TurnContext, facts) -> Decision | None:
    cue = _CORRECTION_TURN.search(text)
    if cue is not None and len(_key(text[:cue.start()])) >= 8 and not has_correction_cue(text[:cue.start()]) and \
            len(_key(text[cue.end():])) >= 4 and not _RECALLED.match(text):  # '…实际是2951人 前面打错了': the cue closes the correction, nothing after it
        # '6月开工 11月完工 12月组织了验收 合格。 不对 刚才那个中标单位名字打错了 是…': what is corrected is said after
        # the cue; the words before it are an answer (_with_answer_after), never read for values to change
        tail = text[cue.start():]
        return _correction(tail, ctx, facts_in(tail, ctx.place, ctx.wanted, None, _known(ctx.report)))
    report = ctx.report
    p = report.project
    retaken = _retake_answer(text, ctx) if re.search(r"(?:那题|这题|上一题|那一题|那项)", text) else None
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
    grade = _grade_facts(text, ctx)
    if grade[0] or grade[1]:
        out = report.model_copy(deep=True)
        decided = Decision(CORRECTION, "更正自评等次和得分", report=out)
        _record_grade(decided, out, grade)
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
        bool(re.search(r"目标|实际|完成|指标值", _GOAL_WORDS.sub("", text)))
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
    retaken = _retake_answer(text, ctx)
    if retaken is not None:
        return retaken
    return None


_GOAL_WORDS = re.compile(r"(?:年度)?(?:预期|总体|绩效|年度)目标")
_GOAL_SAID = re.compile(r"(?:(?:预期|总体|绩效|年度)目标|目标)(?:应该|其实|实际上)?(?:是|为|就是|应是)[：:，,\s]*")


def _goal_restated(text: str, ctx: TurnContext) -> Decision | None:
    """'不对不对 刚才那句不是目标啊 你记错了 预期目标是对全县120个农家书屋搞提质…' while the goal is asked: the goal,
    said after the complaint, is the answer; the indicators' targets are not touched."""
    asked = ctx.asked
    if asked is None or asked.done or asked.id != "goals.expected":
        return None
    said = list(_GOAL_SAID.finditer(text))
    if not said or len(_key(text[said[-1].end():])) < 8:
        return None
    applied = apply_answer(asked, ctx.report, text[said[-1].end():].strip(), None, ctx.rules, ctx.place)
    if applied is None:
        return None
    decided = _answered(applied, asked)
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


def _retake_answer(text: str, ctx: TurnContext, item: Item | None = None) -> Decision | None:
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


_RETAKE_CUE = re.compile(r"(?:(?:对了|哦|噢|诶|哎|还有)[，,\s]*)?(?:不对|说错了|搞错了|记错了|刚才那个|刚才那题|刚才那项|前面那题|上一题)")


def _retake_inside(text: str, ctx: TurnContext) -> tuple[str, tuple[str, Item] | None]:
    """An answer followed by a correction of an earlier criteria answer: the answer's words, and the correction with
    the item it names."""
    done = [i for i in ctx.items if i.path and i.done and i is not ctx.asked]
    for m in _RETAKE_CUE.finditer(text):
        head, tail = text[:m.start()].strip(), text[m.start():]
        if len(_key(head)) < 2:
            continue
        item = item_named(tail, done) or _item_by_options(tail, done)
        if item is not None:
            return head, (tail, item)
    return text, None


def _with_retake(decided: Decision, retake: tuple[str, Item], ctx: TurnContext) -> Decision:
    tail, item = retake
    again = _retake_answer(tail, replace(ctx, report=decided.report or ctx.report, asked=None), item)
    if again is None or again.report is None:
        return decided
    decided.report = again.report
    decided.said += again.said
    decided.reason += f"，并{again.reason}"
    return decided


def _item_by_options(text: str, items: list[Item]) -> Item | None:
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


def decision_card(decision: Decision) -> dict:
    """What the reply shows of the decision: its kind and why."""
    return {"type": "decision", "kind": decision.kind, "reason": decision.reason,
            "label": f"（{_KIND_WORDS.get(decision.kind, decision.kind)}：{decision.reason}）"}


_KIND_WORDS = {PASTE: "识别数据", ERROR: "无法识别", COMMAND: "指令", CHITCHAT: "闲谈", REQUEST: "按要求处理", QUESTION: "回答您的问题",
               # answers and facts say what they recorded
               CORRECTION: "已更正", ANSWER: "已记录", FACTS: "已记录", STATEMENT: "记入报告", CLARIFY: "请确认", UNCLEAR: "未读懂"}


def asked_item(items: list[Item], state: dict, answer: dict) -> Item | None:
    return find(items, answer.get("item") or state.get("asked"))
