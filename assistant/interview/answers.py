"""Reading the officer's answers: a choice or the criteria met (by button or in words), a project field
stated in a sentence ("项目单位是…", "负责人张三 电话…"), a reason, an indicator typed as a line."""
from __future__ import annotations

import os
import re
from dataclasses import dataclass
from decimal import Decimal

from ..core.models import Indicator, JudgementAnswer, QualitativeGoal, Report, Where
from ..core.numbers import compact, to_halfwidth
from ..core.scoring import Option, RuleSet
from .items import NONE_OF_THEM, Item, family_level
from .criteria import read_choice, read_criteria
from .spec import interview_spec

_NEG = re.compile(r"(?:不|未|没有|没|无|非|说不上|算不上|谈不上|不太|不够|不算|不大|不能算|算没|没法算)(?:按期|按计划|按时|很|太|那么|特别|怎么|大)?$")
_TAKEN_BACK = re.compile(r"^(?:方面|那块|这块|的话|那一块)?(?:还|仍|也|有点|稍)?(?:不够|不足|欠缺|没做到|不到位|待加强|较弱|不明显|还差|晚了|推迟|滞后|延期|延误|偏晚|拖|一般|还行|差一点|"
                         r"没有|没|未|不太|算不上|说不上|不好说|说不好)")
_NOT_FULLY = re.compile(r"别的没考虑|其他没考虑|不全面|比较单一|单一|只(?:按|考虑|有)|不好说|说不好|不确定|不规范|没有专门|没专门|"
                        r"不及时|有问题|不到位|不严格|不太严")
_ALL = re.compile(r"都(?:符合|满足|有|是|具备|做到|达到|完成|按计划|按时|正常|够|齐全|没问题|勾)|全部(?=符合|满足|都|有|是|具备|做到|达到|勾|选|[，,。！!\s]|$)|均符合|均满足|均已完成|全都|以上都|全选|全符合|都对|全勾|[四三两]个(?:都|全)|^按计划$|全按计划|"
                  r"全面完成|基本符合|基本都|基本上都|差不多都")
_NONE = re.compile(r"^(?:均无|都没有|都无|没有|无|均不|都不|都不符合|均不符合|全无|不存在|没有以上情形|以上都没有|都未发生|均未发生)|"
                   r"^.{0,8}(?:都|均|全)(?:没有|没|无|不存在|未发生)")
_LEAD = re.compile(r"^(?:不对|错了|更正|改一下)?[，,：:\s]*(?:应该是|应是|应为|改为|改成|就是|即|是|为|叫|系|：|:|\s)*")


TYPED = Where(cell="经办人补充")  # an indicator the officer typed in the chat, not in a table


@dataclass
class Applied:
    report: Report
    said: str                # one line: what was recorded
    note_too: bool = False   # the answer came inside a longer statement: the statement is a note as well
    section: str | None = None  # a narrative prompt's answer: the section (and part) it is filed under
    part: str | None = None


def _plain(text: str) -> str:
    """没有 and 没 say the same: '没有影响' is '没影响'."""
    return text.replace("没有", "没")


def _mentioned(text: str, word: str) -> bool | None:
    """True when the text says the word, False when any mention of it is negated ('完工的话… 不能算按期完工'),
    None when absent."""
    text, word = _plain(text), _plain(word)
    positions = [m.start() for m in re.finditer(re.escape(word), text)]
    if not positions:
        return None
    for pos in positions:
        after = text[pos + len(word):pos + len(word) + 8]
        if _NEG.search(text[max(0, pos - 5):pos]) or _TAKEN_BACK.match(after) or \
                _NOT_FULLY.search(text[pos + len(word):pos + len(word) + 16]):
            return False
    return True


def _option_says(text: str, option: Option) -> bool | None:
    """The longest of the option's words the text uses decides: '没有调整' says 未调整, not 调整 negated."""
    for word in sorted((w for w in (option.label, *option.words) if w), key=len, reverse=True):
        said = _mentioned(text, word)
        if said is not None:
            return said
    return None


def _choose(text: str, options: list[Option]) -> Option | None:
    exact = next((o for o in options if compact(o.label) == compact(text)), None)
    if exact is not None:
        return exact
    # the longest word said wins: '不及时但未影响' says 未影响 (choice 2), not 及时 (choice 1)
    best: tuple[int, Option] | None = None
    for o in options:
        for w in (o.label, *o.words):
            if w and _mentioned(text, w) and (best is None or len(w) > best[0]):
                best = (len(w), o)
    return best[1] if best else None


_YES = re.compile(r"^(?:是|是的|对|有|具备|符合|嗯|好)[。！!]?$|都有|都具备|都齐|有的$|齐全|都是有的")
_NO = re.compile(r"^(?:不是|否|不|没有|没|无|不具备|不符合|不健全)[。！!]?$")


def _plain_yes_no(text: str, options: list[Option]) -> Option | None:
    """'是' / '不是' to a yes-or-no choice: the option that says 是, or the one that says 否."""
    key = compact(text)
    word = "是" if _YES.search(key) and not re.search(r"没有|不|缺", key) else "否" if _NO.match(key) else None
    hits = [o for o in options if word and word in o.words]
    return hits[0] if len(hits) == 1 else None


def _checked(text: str, options: list[Option]) -> list[Option] | None:
    key = compact(text)
    key = key.replace("木有", "没有").replace("没得", "没有")
    if _NONE.match(key) or key == NONE_OF_THEM:
        return []
    said = {o.label: _option_says(key, o) for o in options}
    if _ALL.search(key):
        named = [o for o in options if said[o.label]]
        if named and len(named) < len(options) and re.search(r"^.{2,10}都(?:有|符合|是)", key) and \
                not re.search(r"^(?:都|全|以上|均|基本)", key):
            return named  # '申报批复都有': those named, not every option
        return [o for o in options if said[o.label] is not False]
    picked = [o for o in options if said[o.label]]
    if picked or any(v is False for v in said.values()):
        return picked
    return None


def _rule(rules: RuleSet | None, path: list[str]):
    return next((it for it in rules.items if it.path == path), None) if rules else None


# '名称 目标≥95% 实际96%', and without the word 目标 when the target opens with its bound ('名称 不超过1.6元 实际1.52元')
_INDICATOR_LINE = re.compile(r"^(?P<name>.+?)[\s,，:：]*(?:(?:目标值?|年度指标值|指标值)\s*[:：]?\s*(?P<target>[^，,；;\s]+?)|"
                             r"(?P<bounded>(?:不超过|不高于|不低于|不少于|≤|≥|<=|>=|＜|＞|<|>)\s*\d[^，,；;\s]*?))"
                             r"[\s,，；;]*(?:实际(?:完成)?值?|完成值?)\s*[:：]?\s*(?P<actual>[^，,；;\s]+)")


def indicator_line(text: str, family: str) -> Indicator | None:
    """'带动沿线群众增收 目标5% 实际6%' as an indicator row of a family the table did not set."""
    if len(text) > 300:  # an indicator said in one line is short; the pattern is quadratic in a long one
        return None
    m = _INDICATOR_LINE.search(to_halfwidth(text.strip()))
    if not m:
        return None
    name = re.sub(r"^(?:(?:补充|增加|新增)?一[条项个](?:指标)?[:：]?|(?:补充|增加)(?:指标)?[:：]|指标[:：])", "", m.group("name").strip())
    said = re.match(r"^(经济效益|社会效益|生态效益|环境效益|可持续影响|满意度|数量|质量|时效|成本)(?:类)?(?:指标)?[\s:：，,]*", name)
    if said and len(name) > said.end():
        family = "生态效益" if said.group(1) == "环境效益" else said.group(1)
        name = name[said.end():]
    target = _bound(re.sub(r"^(?:是|为|要求|定的是|定的)", "", m.group("target") or m.group("bounded")))
    actual = re.sub(r"^(?:也|都|也都)?(?:降到了|降至|降到|提高到了|提高到|升到了|升到|弄了|搞了|完成了|达到了|做到了|做到|达到|完成|实际|是|为|有)", "", m.group("actual"))
    ind = Indicator(level1=family_level(family), level2=f"{family}指标", name=_spoken_name(name), target=target,
                    actual=actual, where=TYPED)
    if target.startswith("≤") or family == "成本":
        ind.direction = "lower"
    return ind


def _spoken_name(name: str) -> str:
    """An indicator's name as a table states it, from the words it was said in: '可持续的话就是那个网格化管理嘛
    全县行政村都覆盖了' → '网格化管理全县行政村覆盖'."""
    name = re.sub(r"^[\u4e00-\u9fa5]{1,6}(?:的话|这块|这一块|方面)[，,\s]*", "", name.strip())
    # '管网漏损率降了 原来差不多28%左右': the measure, not how it moved or where it started
    moved = re.search(r"(?:降|升|提高|下降|减少|增加|上升)了|原来|以前|之前", name)
    if moved and moved.start() >= 4:
        name = name[:moved.start()]
    name = re.sub(r"^(?:就是|也就是)?(?:那个|这个|那条|这条)?", "", name)
    name = re.sub(r"[吧啊呀嘛呢哈]+(?=[\s，,]|$)|\s+", "", name)
    name = re.sub(r"都(?=覆盖|完成|达到|实现|落实)", "", name)
    return re.sub(r"了$", "", name).strip(" ：:，,")


def _bound(value: str) -> str:
    """'不超过2万元' → '≤2万元', '不低于95%' → '≥95%', '35公里以上' → '≥35公里'."""
    value = re.sub(r"^(?:降到|降至|下降到|减少到|提高到|提升到|升到|增加到)", "", value.strip())
    for words, sign in (("不超过|不高于|不大于|不多于|控制在|低于", "≤"), ("不低于|不少于|不小于|超过|高于|达到", "≥")):
        m = re.match(rf"^(?:{words})(.+)$", value)
        if m:
            return sign + m.group(1)
    m = re.match(r"^(.+?)(以内|以下)$", value)
    if m:
        return "≤" + m.group(1)
    m = re.match(r"^(.+?)(?:以上|及以上)$", value)
    if m:
        return "≥" + m.group(1)
    return value


def _pick(text: str, options: list[str]) -> str | None:
    """One of a field's choices said in words: '完成结果评价', '过程评价' for 项目完成结果评价 / 项目实施过程评价."""
    key = compact(text)
    if not key:
        return None
    m = re.search(r"第([一二1-2])(?:个|种|项)", key)
    if m:  # '选第一个'
        return options[{"一": 0, "二": 1, "1": 0, "2": 1}[m.group(1)]] if len(options) >= 2 else None
    hits = [o for o in options if key in compact(o) or compact(o) in key]
    if len(hits) == 1:
        return hits[0]
    if set(options) == {"项目完成结果评价", "项目实施过程评价"}:  # said as the state of the project
        if re.search(r"还在(?:实施|建设|进行|施工)|没完工|未完工|实施中|跨年|还没(?:完|结束)", key):
            return "项目实施过程评价"
        if re.search(r"(?:全部|都)?(?:做完|干完|完工|结束|完成)(?:了|以后|之后|后)|已(?:经)?(?:完工|结束|完成)", key):
            return "项目完成结果评价"
    head = len(os.path.commonprefix([compact(o) for o in options]))
    tail = len(os.path.commonprefix([compact(o)[::-1] for o in options]))
    own = {o: compact(o)[head:len(compact(o)) - tail] for o in options}  # what tells the choices apart
    hits = [o for o, part in own.items() if part and (part in key or part[:2] in key)]
    return hits[0] if len(hits) == 1 else None


def _clean_value(text: str) -> str:
    value = _LEAD.sub("", text.strip())
    return value.rstrip("。.；;，, ")


_CHAT = re.compile(r"^(?:你好|您好|谢谢|好的|好|嗯|哦|ok|hi|hello|在吗|收到|可以|行)[!！。.~]*$", re.I)
_ORG_END = re.compile(r"(?:局|委|办|中心|院|所|站|队|公司|学校|小学|中学|大学|政府|处|科|馆|部|会|社|厅|室|园|场|区|镇|乡|街道|集团)$")


_META = re.compile(r"(?:前面|刚才|上面|之前|已经)(?:都)?(?:说|讲|提|填|答)(?:过|了)|说过了|讲过了|同上|见上|如上|"
                   r"^.{0,6}(?:跟|和|与|同)[\u4e00-\u9fa5]{0,6}一样.{0,3}$")


def is_chitchat(text: str) -> bool:
    """A greeting, an acknowledgement or talk about the talk ('前面说过了'): nothing to record. Talk about the talk
    followed by the answer itself ('前面说了啊。86条班线全年正常运营…') is the answer."""
    rest = without_meta(text)
    pointer = len(compact(rest)) < 12 or bool(re.search(r"(?:那个|那些|那块|那句|那条)[。.！!]*$", rest))
    return bool(_CHAT.match(text.strip())) or len(compact(text)) < 5 or (bool(_META.search(text)) and pointer)


_SAID_AGAIN = re.compile(r"^[^，,。！!？?]{0,8}?(?:前面|刚才|上面|之前|已经)(?:都|不是)?(?:说|讲|提|填|答|写)(?:过|了)+(?:嘛|吗|啊|呀)?"
                         r"[，,。！!\s]*")
# talk before the words themselves: '对 申报的时候是这么写的：…', '那还是写吧。…'
_LEAD_IN = re.compile(r"^(?:(?:对|嗯|是的|对的|好)[，,\s]*)?(?:申报(?:的)?时候|申报时|当时|申报书上|原来|文件上)?(?:就)?(?:是)?"
                      r"(?:这么|这样|如下)(?:写|填|说|报)(?:的)?[：:，,。\s]+|"
                      r"^(?:那|那就|那我)?(?:还是)?(?:写|填|答)(?:一下)?(?:吧|上吧)[。，,！!\s]+|"
                      # '行，目标是全年农村生活垃圾收运全覆盖…': the goal, not the words that hand it over
                      r"^(?:(?:行|好|嗯|那|对)[，,\s]+)?(?:年度)?(?:总体|预期)?目标(?:就)?(?:是|为)[：:，,\s]*")


def without_meta(text: str) -> str:
    """The words after '前面说过了啊，' / '刚才不是说了嘛 ' / '对 申报的时候是这么写的：' / '那还是写吧。': what the
    officer says for the report."""
    words = _LEAD_IN.sub("", _SAID_AGAIN.sub("", text.strip()), count=1)
    return words if len(compact(words)) >= 4 else text.strip()


_BUDGET_TALK = re.compile(r"(?:追加|调增|调减|调整|拨付|下达)[^。]{0,12}(?:万元|资金|预算)|(?:万元|资金|预算)[^。]{0,6}(?:追加|调增|调减)")
_CAUSE = re.compile(r"因|由于|原因|受|导致|造成|未|没|尚|待|延|推迟|滞后|不足|不够|减少|下降|影响|暂|结余|结转|调整|"
                    r"变更|取消|缩减|节约|审计|结算|质保|尾款|手续|审批|天气|汛期|疫情|晚了|偏少|偏多|超出|超支|不符|"
                    r"不具备|退出|搬迁|外出|流失|截至|年底|次年|下年|偏低|偏高|反映|希望|下一步|改进|整改|加强|主要是|"
                    r"来不及|才|还|晚|慢|少了|不到|缺|差|只|仅|实际|按|结算|补|追加|增加|新增|提高|标准|政策|要求|需要|"
                    r"误差|核实|剔除|清退|重复|错|漏|变动|转学|死亡|迁出|升学|毕业|停|故障|检修|施工|改造|管网|进水|明年|意见|不满|"
                    r"年底|月底|质保金|剩下|剩余|配套|拨下来|来不及|付款|支付|结账|报账|票据|发票|合同|招标|采购")
# '还有13.6万没付…' answers why money is left; '还有，我们今年…' is an aside
_ASIDE = re.compile(r"^(?:对了|另外|顺便|还有(?![\d一二两三四五六七八九十几]|.{0,12}(?:没|未|尚))|补充一下|另外说下|说一下|今年(?:我们)?(?:还|新)|我们(?:今年)?还|同时还)")
_LOWER_SAID = re.compile(r"越(?:低|小|少)越好|反向指标|应(?:该)?(?:是|为)降|降低类|逆向指标")
_HIGHER_SAID = re.compile(r"越(?:高|大|多)越好|正向指标|应(?:该)?(?:是|为)升")


def gives_cause(text: str) -> bool:
    """A reason says why: '因汛期推迟开工', '服务对象反映标准偏低，希望提高；下一步…' — not an aside about other
    work ('今年我们还开展了…')."""
    return bool(_CAUSE.search(text)) and not _ASIDE.match(text.strip())


def is_reason(text: str) -> bool:
    """A reason question takes any substantive sentence (it need not say 因为), but not an aside about other
    work ('今年我们还开展了…') nor a sentence that opens with another section's word ('经验就是…')."""
    key = compact(text)
    return len(key) >= 4 and gives_cause(text) and not _OTHER_SECTION.match(key)


_OTHER_SECTION = re.compile(r"^(?:我们的)?(?:经验|做法)(?:就是|是|的话)|^(?:当时)?立项(?:是|时)")


def direction_said(text: str) -> str | None:
    """'这个指标是越低越好' → lower; '正向指标' → higher."""
    if _LOWER_SAID.search(text):
        return "lower"
    if _HIGHER_SAID.search(text):
        return "higher"
    return None


def flip_direction(report: Report, text: str) -> Applied | None:
    """'垃圾清运投诉件数是越少越好': the direction said for an indicator the sentence names."""
    direction = direction_said(text)
    if direction is None:
        return None
    key = compact(text)
    named = [i for i in report.indicators if i.name and (compact(i.name) in key or compact(i.name)[:4] in key)]
    if len(named) != 1:
        return None
    out = report.model_copy(deep=True)
    ind = next(i for i in out.indicators if i.name == named[0].name)
    ind.direction = direction
    return Applied(out, f"已把“{ind.name}”改为{'越低越好（降）' if direction == 'lower' else '越高越好（升）'}，完成率重新计算")


def _field_value(field: str, text: str) -> str | None:
    """A field said bare, where the fact reader found none: a project's name, an address."""
    value = _clean_value(text)
    if field == "address" and value:
        from .facts import tidy_address
        value = tidy_address(value)  # '平江县城关镇天岳大道 林业局院子里 天岳大道12号': the address, not the talk
    if not value or len(value) > 60 or _CHAT.match(value) or _META.search(value) or re.search(r"[，,。；;！!？?]", value):
        return None
    if field == "name":
        return value if len(value) >= 4 and not re.match(r"(?:我|咱|今年|去年|本年|通过|为了)", value) else None
    if field in ("address", "postcode"):
        return value
    return None


def apply_answer(item: Item, report: Report, text: str = "", selected: list[str] | None = None,
                 rules: RuleSet | None = None, place=None, lenient: bool = False, facts=None,
                 retake: bool = False, similar=None) -> Applied | None:
    """The item's answer recorded on a copy of the report; None when the text does not answer it.
    `lenient`: the officer said it is the answer (a button), so any words are taken as they are."""
    from .facts import Place, facts_in

    out = report.model_copy(deep=True)
    same = re.match(r"^\s*(?:同上|跟上面一样|和上面一样|跟上面的一样|跟上一个一样|同前|同单位|一样的?|也一样)", text or "")
    text = without_meta((text or "").strip()) or (text or "").strip()  # '前面说了啊。…': the words said again
    place = place or Place()
    p = report.project
    if same and item.field in ("department", "unit") and (p.unit if item.field == "department" else p.department):
        value = p.unit if item.field == "department" else p.department  # '同上' / '跟上面一样': the unit just named
        setattr(out.project, item.field, value)
        return Applied(out, f"已记录{item.label}：{value}（同上）")
    if item.field:
        if item.options:
            value = next((o for o in item.options if o in (selected or [])), None) or _pick(text, item.options)
        else:
            found = facts if facts is not None else facts_in(text, place, _EVERY_FIELD, item.field)
            value = found.fields.get(item.field) if found else None
            if value is None:
                value = _field_value(item.field, text)
        if not value:
            return None
        said_value = value
        if item.field == "eval_type":  # the form's words (淮南: 项目完成结果考评) kept as the core's name
            from ..core.forms import EVAL_TYPES
            value = EVAL_TYPES[0] if "过程" in value else EVAL_TYPES[1]
        setattr(out.project, item.field, value)
        value = said_value
        extra = found.extra if not item.options and found is not None else {}
        said = f"已记录{item.label}：{value}"
        if facts is None and not item.options:  # called alone: the other facts of the message too
            rest = {k: v for k, v in found.fields.items() if k != item.field}
            if rest:
                more = record_facts(out, rest, extra)
                out, said = more.report, said + "；" + more.said.removeprefix("已记录")
        note_too = not item.options and found is not None and found.covered(text) <= 0.5 and \
            len(compact(text)) - sum(b - a for a, b in found.spans) >= 12 and \
            bool(re.search(r"牵头|负责实施|组织实施|具体由|实施的|开展|成立|建立|落实", text))  # a statement besides
        if item.field == "leader" and extra.get("leader_title") is not None:
            out.project.leader_title = extra.get("leader_title") or None
        if item.field == "period_text" and extra.get("period_start"):
            out.project.period_start, out.project.period_end = extra["period_start"], extra["period_end"]
        return Applied(out, said, note_too=note_too)
    if item.section:
        if len(compact(text)) < 2 or (len(compact(text)) < 4 and not re.search(r"专账|专户|招标|验收|采购|磋商|核算", text)) \
                or is_chitchat(text):
            return None
        return Applied(out, f"已记入{item.label.split('：')[0]}", section=item.section, part=item.part)
    if item.id.startswith("goals."):
        if len(compact(text)) < 4 or is_chitchat(text) or (_BUDGET_TALK.search(text) and not lenient):
            return None
        goal = out.goals[0] if out.goals else QualitativeGoal()
        setattr(goal, item.id.split(".", 1)[1], text)
        out.goals = [goal, *out.goals[1:]]
        return Applied(out, f"已记录{item.label}")
    if item.id == "claimed.grade":
        from .facts import grade_total_in
        grade, total = grade_total_in(text, asked=True)
        value = next((o for o in item.options if o in (selected or [])), None) or grade
        if not value and total is not None and selected is None:  # '88吧': the grade its score falls in
            points = Decimal(total)
            value = "优" if points >= 90 else "良" if points >= 80 else "中" if points >= 60 else "差"
        if not value:
            return None
        out.claimed_grade = value
        said = f"已记录{item.label}：{value}"
        if total is not None and out.claimed_total is None:
            out.claimed_total = Decimal(total)
            said += f"；自评得分：{total}分"
        return Applied(out, said)
    if item.id == "claimed.total":
        from .facts import grade_total_in
        grade, total = grade_total_in(text)
        if total is None:
            return None
        out.claimed_total = Decimal(total)
        said = f"已记录{item.label}：{total}分"
        if grade is not None and not out.claimed_grade:
            out.claimed_grade = grade
            said += f"；自评等次：{grade}"
        return Applied(out, said)
    if item.id == "reason.adjustment":
        if len(compact(text)) < 4 or is_chitchat(text):
            return None
        out.funding.adjustment_reason = text
        return Applied(out, "已记录预算调整原因")
    if item.id == "reason.execution":
        if len(compact(text)) < 4 or not (lenient or is_reason(text)):
            return None
        out.funding.execution_reason = text
        return Applied(out, "已记录执行率偏差原因")
    if item.indicator:
        direction = direction_said(text)
        if direction:
            for ind in out.indicators:
                if ind.name == item.indicator:
                    ind.direction = direction
            return Applied(out, f"已把“{item.indicator}”改为{'越低越好（降）' if direction == 'lower' else '越高越好（升）'}"
                                f"，完成率重新计算")
        if len(compact(text)) < 4 or not (lenient or is_reason(text)):
            return None
        for ind in out.indicators:
            if ind.name == item.indicator:
                ind.reason = text
        return Applied(out, f"已记录“{item.indicator}”未达成原因")
    if item.path:
        return _score_answer(item, out, text, selected, _rule(rules, item.path), lenient=lenient or retake,
                             similar=similar)
    return None


_EVERY_FIELD = {"name", "unit", "department", "leader", "phone", "period_text", "report_date", "eval_type"}


def record_facts(report: Report, fields: dict[str, str], extra: dict[str, str] | None = None) -> Applied | None:
    """Project facts said in a message, all recorded at once, with one line naming each."""
    if not fields:
        return None
    out = report.model_copy(deep=True)
    spec = interview_spec()
    said = []
    for name, value in fields.items():
        if not hasattr(out.project, name):
            continue
        setattr(out.project, name, value)
        pf = spec.field(name)
        said.append(f"{pf.label if pf else name}：{value}")
    extra = extra or {}
    if "leader" in fields and extra.get("leader_title") is not None:
        out.project.leader_title = extra.get("leader_title") or None
    if "period_text" in fields and extra.get("period_start"):
        out.project.period_start, out.project.period_end = extra["period_start"], extra["period_end"]
    return Applied(out, "已记录" + "；".join(said)) if said else None


_FIRST_N = re.compile(r"(?:前|头)([一二两三四五1-5])(?:个|条|项)")
_ALL_BUT = re.compile(r"除了?(?P<x>.{1,10}?)(?:以外|之外|外)?[，,]?(?:其他|其余|别的)?(?:都|均|全)")
_ONLY_NOT = re.compile(r"(?:就是|只是|但是?|不过|就)(?:没|没有|不够|未|还没|没怎么|不太)(?P<x>.{1,8})")
_OTHER_N = re.compile(r"(?:改成|选|是)?(?:另外|其他|其余)(?:的)?(?:两|二|三|一)(?:个|条|项)")
_NUMS = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5}


_ORDINAL = re.compile(r"第([一二三四五1-5])(?:个|条|项)")


def _checked_in_words(text: str, options: list[Option]) -> list[Option] | None:
    """'前三个都符合', '除了量化都有', '都有，就是没怎么量化', '改成另外两个' (of those not named), '第三个也算'."""
    key = compact(to_halfwidth(text))
    ordinals = [_NUMS.get(m.group(1)) or int(m.group(1)) for m in _ORDINAL.finditer(key)]
    if ordinals and not re.search(r"不(?:算|符合)|没有", key[key.find("第"):]):
        return [options[n - 1] for n in ordinals if 0 < n <= len(options)]
    m = _FIRST_N.search(key)
    if m:
        n = _NUMS.get(m.group(1)) or int(m.group(1))
        return options[:n]
    m = _ALL_BUT.search(key) or (_ONLY_NOT.search(key) if _ALL.search(key) or re.search(r"都有|都行|都做了", key) else None)
    if m:
        left_out = [o for o in options if _option_says(m.group("x"), o) is not None or
                    any(w and w in m.group("x") for w in (o.label, *o.words))]
        if left_out:
            return [o for o in options if o not in left_out]
    if _OTHER_N.search(key):
        named = [o for o in options if _option_says(key, o) is not None]
        if named:
            return [o for o in options if o not in named]
    return None


_FAMILY_NONE = re.compile(r"^(?:确实|真的|的确|应该|好像)?(?:没有|没|无|不设|没设|未设|不涉及|不适用|没法设|设不了|不需要)|"
                          r"(?:没有|没|无|不设|没设|未设|不涉及|不适用)(?:这个|这类|此类|相关)?(?:的)?(?:指标|效益|效应)|哪来的|哪有")
_SUSTAIN = ((re.compile(r"部分|一部分|有的|还没落实|尚未落实|不完全|一半"), 1),
            (re.compile(r"未实现|没实现|没有实现|没法保障|没保障|无法"), 2),
            (re.compile(r"实现|有保障|保障|长效|每年|持续|长期|稳定|机制|运行正常|正常运行|落实了|有维护|管护"), 0))


def _family_answer(item: Item, out: Report, text: str, rule) -> Applied | None:
    """A family the table does not set: an indicator typed in a line, 'none', or its choices in words."""
    family = rule.families[0] if rule.families else item.label
    from .corrections import find_indicator, reclassify
    named = find_indicator(text, out.indicators) if re.search(r"指标|属于|归到|归为|算(?:作|是)?(?:这类|这个)", text) else None
    if named is not None:  # '有啊 建制村通客车率就是质量指标 目标100% 实际100%': the indicator there is, moved, not added again
        family_words = {"生态效益": "生态效益", "环境效益": "生态效益"}.get(family, family)
        moved = reclassify(out, f"{named.name}是{family_words}指标")
        if moved is not None:
            return Applied(moved.report, moved.said)
    lead = re.match(r"^(?:有啊|有的|有|那就|那|就|好|行)?[，,\s]?(?:漏了|还有|另外|补上)?[，,\s]?(?:再)?(?:帮我)?(?:补|加|增加|新增|添加|添|补充)?(?:上)?(?:一|个)?(?:条|个|项)?"
                    r"(?:吧|啊|呀)?[，,\s]*(?:(?:数量|质量|时效|成本|经济效益|社会效益|生态效益|可持续影响|满意度)(?:类)?指标)?"
                    r"(?:可以写|就写|写|用)?(?:指标)?[:：，,]?\s*", to_halfwidth(text.strip()))
    mid = re.search(r"(?:补|加|增加|新增|添加|添)(?:上)?(?:一|个)(?:条|个|项)(?:指标)?[:：，,\s]*", to_halfwidth(text))
    ind = indicator_line(text[lead.end():] if lead and lead.end() else (text[mid.end():] if mid else text), family)
    if ind is not None:
        out.indicators.append(ind)
        return Applied(out, f"已补充{family}指标：{ind.name}，目标{ind.target}，实际{ind.actual}")
    options = rule.choices
    key = compact(text)
    if len(options) == 1 and _FAMILY_NONE.search(key):
        return _judged(item, out, [options[0]], text, rule)
    if len(options) >= 3:
        for pattern, index in _SUSTAIN:
            if pattern.search(key) and not (index == 0 and re.search(r"没|未|不", key[:4])):
                return _judged(item, out, [options[index]], text, rule)
    one = _choose(text, options)
    return _judged(item, out, [one], text, rule) if one else None


def _judged(item: Item, out: Report, picked: list[Option], text: str, rule) -> Applied:
    out.judgements = [j for j in out.judgements if j.path != item.path]
    words = text if text and compact(text) not in {compact(o.label) for o in picked} else ""
    out.judgements.append(JudgementAnswer(path=item.path, selected=[o.label for o in picked], words=words))  # type: ignore[arg-type]
    said = "、".join(o.label for o in picked) or ("均无" if rule.kind == "deduction" else "均不符合")
    return Applied(out, f"已记录{item.label}：{said}")


def _score_answer(item: Item, out: Report, text: str, selected: list[str] | None, rule_item,
                  lenient: bool = False, similar=None) -> Applied | None:
    if rule_item is None:
        return None
    rule = rule_item.rule
    options = rule.checks if item.kind == "checks" else rule.choices
    if selected is not None:
        picked = [o for o in options if o.label in selected]
        if not picked and not (item.kind == "checks" and (not selected or NONE_OF_THEM in selected)):
            return None
        return _judged(item, out, picked, "", rule)
    if item.kind == "indicator":
        return _family_answer(item, out, text, rule)
    if len(text) > 40 and "。" in text.rstrip("。") and not _ALL.search(text) and not lenient:
        return None  # a statement with sentences is a note, even if it uses an option's word
    if item.kind == "checks" and re.fullmatch(r"(?:都|全都|基本)?没(?:有|啥|什么)?(?:问题|毛病)[的了啊吧。!！]*", compact(text)):
        # '没问题': none of a deduction's situations happened; every criterion of a score item is met
        return _judged(item, out, [] if rule.kind == "deduction" else list(options), text, rule)
    if item.kind == "checks":
        none = _NONE.match(compact(text).replace("木有", "没有").replace("没得", "没有"))
        picked = read_criteria(text, options) if not none else None
        if picked is None:
            picked = _checked_in_words(text, options)
        if picked is None:
            picked = _checked(text, options)
    else:
        one = read_choice(text, options) or _choose(text, options) or _plain_yes_no(text, options)
        picked = [one] if one else None
        if picked is None and similar is not None and 4 <= len(compact(text)) <= 60:
            # no option's words said: the option whose words mean most nearly what was said (the bundled embedder),
            # only with a clear margin; the card says so and the buttons stay to change it
            index = similar(text, [" ".join([o.label, *o.words[:4]]) for o in options])
            if index is not None:
                judged = _judged(item, out, [options[index]], text, rule)
                judged.said += "（按意思判断，如不对请点按钮改选）"
                return judged
    if picked is None:
        return None
    return _judged(item, out, picked, text, rule)


def project_statements(text: str) -> dict[str, str]:
    """Project fields stated in a sentence: '项目单位是某县交通运输局，负责人张三，电话0730-1234567'."""
    from .facts import Place, facts_in

    every = {f.field for f in interview_spec().project}
    return facts_in(text, Place(), every).fields
