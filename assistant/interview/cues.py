"""What a turn sounds like, from its words alone: a move (command), chitchat, a question, a correction or a
request; where one message holds several parts (an answer and a question, an answer and an aside, words and the
correction after them). The words are data (knowledge/turns.yaml); these readers need no record."""
from __future__ import annotations

import re

from ..core.numbers import to_halfwidth
from .items import Item
from .spec import turn_words
from .table_turns import key_of as _key

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

def split_question(text: str, asked: Item | None = None) -> tuple[str, str]:
    """A message that answers and asks: the answer, and the questions in it ('符合申报条件，也报批了。调整手续是啥意思？
    我们年中没调整过预算', '23年全年 1月1号到12月31号，要不要写到日啊？')."""
    parts = [p for p in re.split(r"(?<=[。！!；;？?])|(?<=[吧啊呀])\s+", text.strip()) if p.strip()]
    if len(parts) < 2 and asked is not None and asked.kind not in ("choice", "checks"):
        # '…县政府22年就提出要节能改造 这个要写多详细？', '2024年一月至十二月 … 这个要写多详细啊', '…考核合格才拨 不涉及采购的话
        # 这个怎么写': words for the report (or the field), then a question set apart by a space
        tail = re.search(r"\s+((?:[^\s]{0,8}的话\s*)?(?:这个|这块|这里|这段|这项|那这个|这些|以上|这样)[^\s]{0,4}?"
                         r"(?:要写多|写多|要不要|不写|不填|会不会|能不能|是不是|算不算|要写到|需要写|扣分|扣几分|怎么写|咋写|怎么填|"
                         r"要跟|够不|够吗|行不|行吗|可以吗)[^\n]{0,24})$", text.strip())
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

NOTHING_MORE = re.compile(r"^(?:没有了|没了|没有|没有补充的?|没有要补充的|没什么要?补充的?|不用补充了?|就这些|就这样|就这些了|"
                           r"刚才说的就是|前面说了|说过了|就是刚才那些|就刚才那些)"
                           r"(?:[，,]?(?:前面|刚才|上面)(?:都)?(?:说|讲)(?:的|过|了)(?:就是|那些)?了?)?[了啊吧。!！,，]*$")

SELF_FIX = re.compile(r"[，,。\s]*(?:(?:哦|噢|呃|啊|诶)[，,\s]*(?:不对|打错了|说错了|写错了|不是|错了)|不对不对|不是不是|"
                       r"(?<=[\s，,])(?:不对|(?:刚才)?说错了|(?:刚才)?打错了|(?:刚才)?写错了))[，,。\s]*")

EDIT_ASKED = re.compile(r"删掉|删除|删了|去掉|加回来|恢复|撤回|不是报告(?:的)?内容|别写进|不要写进|不用写进|不要记|别记|"
                         r"^[^，,。\s]{2,20}(?:应该是|应为|应改为)[^，,。\s]{2,20}$|"
                         r"(?:改成|改为|换成)[：:“\"]|^把.{1,20}(?:改成|改为|换成)")

EDIT_HELP = ("没有找到要改动的内容，这句话没有记入报告。可以这样说：“删掉刚才那句”“把‘原文字’改成‘新文字’”"
              "“XX指标实际值改成…”；也可以在右侧草稿栏直接修改，或说“撤销”退回上一次修改。")

_ASIDE_SPLIT = re.compile(r"(?:[。；;！!，,\s]+(?:哦|噢|啊|诶|哎)?|^|(?:哦|噢|啊|诶|哎))(?=(?:另外|对了|顺便|补充一下|还有就是|再说一下|另外说下|顺便说下|顺便把|插一句|提一句|补一句|题外话|再补一句|顺带说一下)[，,：:\s]?)")

DIRECTIVE = re.compile(r"(?:先记一下|先记一条|记一下|报告里(?:要|得)?(?:写|加|补)(?:一句|一条|上|一下)?|写进报告|记到报告里|记进报告|"
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

# '前面说招标确定了3家服务机构 不对 是4家': the words before the cue recall what is corrected; they answer nothing
RECALLED = re.compile(r"^\s*(?:我)?(?:前面|刚才|之前|上面|刚刚)(?:说|写|讲|填|报|记)")

CORRECTION_TURN = re.compile(r"[，,。；;\s](?:(?:哦|噢|诶|哎|对了|还有)[，,\s]*)?(?:刚才|前面|上面)?[^，,。；;\s]{0,6}?"
                              r"(?:不对|更正一下|更正|说错了|打错了|写错了|搞错了|记错了)")

COLUMN_VALUE = re.compile(r"(?:目标值?|指标值|实际(?:完成)?值?|完成值?)(?:应该|应|其实|实际上)?(?:是|为|达到|只有|有)?\s*[≥≤><]?\s*\d")

ADJUSTMENT = re.compile(r"追加|调增|调减|调整|追减|增加了?预算|减少了?预算")

UNSPENT = re.compile(r"结余|没花完|未花完|未支付|没付|尾款|质保金|剩下|剩余|未拨付|没拨付|结算|没用完|来不及|才到账|没来得及|支付不了")

CONTENT_QUESTION = re.compile(r"什么|啥|怎么|怎样|为什么|为啥|为何|哪(?!怕)|多少|区别|要不要|需不需要|是否|能不能|可不可以|有没有|几分|扣分")

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
    return bool(_HEDGE.search(key)) and not CONTENT_QUESTION.search(plain)

_ABOUT_THE_FORM = re.compile(r"写几|写多|写一句|写一遍|一定要|必须|合理|一回事|算达标|算没完成|才是|也算|就行|要写|要填|算不算|答完|"
                             r"单独写|重复了|要单独|直接扣|太多了|"
                             r"能不能|扣分|得分")

def without_hedge(text: str) -> str:
    return re.sub(r"(?:可以吗|对吗|对吧|是吧|算吗|行吗)[？?]?|[？?]", "", text).strip()

def states_value(text: str) -> bool:
    """A correction that gives its new value: a figure, or words in quotes."""
    return bool(re.search(r"(?:是|为|改成|改为|应该是)\s*[≥≤<>]?\d|[“\"「][^”\"」]+[”\"」]", to_halfwidth(text)))

def edit_request(text: str) -> bool:
    return bool(re.search(r"(?:改成|改为|改个名|改名|删掉|删除|去掉|加一条|补一条)", _key(text)))

MONEY_LEFT = re.compile(r"^(?:结余|剩余|剩下|没花完|没用完)(?:的)?(?:钱|资金|部分|那部分)|^(?:这|那)(?:部分|笔)(?:钱|资金|结余)")

OPENING = re.compile(r"^(?:存在的|主要)?(?:问题|不足|困难)(?:是|主要是|就是|在于|的话|先记一下|记一下)|^(?:我们的)?(?:经验|做法)(?:就是|是|的话)|"
                      r"^(?:当时)?立项(?:是|时)|^资金(?:这块|方面)|^(?:说个|说一下|说说|提一下|再说个)(?:成效|效果|问题|经验|做法)|"
                      r"^(?:成效|效果)(?:的话|方面|这块|是)|^(?:有个|还有个|另外有个)问题")

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

GOAL_WORDS = re.compile(r"(?:年度)?(?:预期|总体|绩效|年度)目标")

GOAL_SAID = re.compile(r"(?:(?:预期|总体|绩效|年度)目标|目标)(?:应该|其实|实际上)?(?:是|为|就是|应是)[：:，,\s]*")

RETAKE_CUE = re.compile(r"(?:(?:对了|哦|噢|诶|哎|还有)[，,\s]*)?(?:不对|说错了|搞错了|记错了|刚才那个|刚才那题|刚才那项|前面那题|上一题)")


def question_above_table(text: str) -> str | None:
    """A question typed on the lines above a pasted table ('支出明细还要不要？我贴一下')."""
    lines = text.split("\n")
    first = next((k for k, ln in enumerate(lines) if "\t" in ln.strip("\t")), 0)
    for line in lines[:first]:
        for part in re.split(r"(?<=[？?])", line):
            if part.strip() and "\t" not in part and not re.search(r"\d", part) and is_question(part):
                return part.strip()
    return None
