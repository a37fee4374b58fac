"""Reading the officer's answers: a choice or the criteria met (by button or in words), a project field
stated in a sentence ("项目单位是…", "负责人张三 电话…"), a reason, an indicator typed as a line."""
from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from ..core.models import Indicator, JudgementAnswer, QualitativeGoal, Report, Where
from ..core.numbers import compact, to_halfwidth
from ..core.scoring import Option, RuleSet
from .items import NONE_OF_THEM, Item, family_level
from .spec import interview_spec

_NEG = re.compile(r"(?:不|未|没有|没|无|非)$")
_TAKEN_BACK = re.compile(r"^(?:方面)?(?:还|仍|也|有点|稍)?(?:不够|不足|欠缺|没做到|不到位|待加强|较弱|不明显|还差|晚了|推迟|滞后|延期|延误|偏晚)")
_ALL = re.compile(r"都(?:符合|满足|有|是|具备|做到|达到|完成)|全部|均符合|均满足|均已完成|全都|以上都|全选|全符合|都对|"
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


def _plain(text: str) -> str:
    """没有 and 没 say the same: '没有影响' is '没影响'."""
    return text.replace("没有", "没")


def _mentioned(text: str, word: str) -> bool | None:
    """True when the text says the word, False when it says it negated (没有量化), None when absent."""
    text, word = _plain(text), _plain(word)
    pos = text.find(word)
    if pos < 0:
        return None
    after = text[pos + len(word):pos + len(word) + 5]
    return not (_NEG.search(text[max(0, pos - 2):pos]) or _TAKEN_BACK.match(after))


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


_YES = re.compile(r"^(?:是|是的|对|有|具备|符合|嗯|好)[。！!]?$")
_NO = re.compile(r"^(?:不是|否|不|没有|没|无|不具备|不符合|不健全)[。！!]?$")


def _plain_yes_no(text: str, options: list[Option]) -> Option | None:
    """'是' / '不是' to a yes-or-no choice: the option that says 是, or the one that says 否."""
    key = compact(text)
    word = "是" if _YES.match(key) else "否" if _NO.match(key) else None
    hits = [o for o in options if word and word in o.words]
    return hits[0] if len(hits) == 1 else None


def _checked(text: str, options: list[Option]) -> list[Option] | None:
    key = compact(text)
    if _NONE.match(key) or key == NONE_OF_THEM:
        return []
    said = {o.label: _option_says(key, o) for o in options}
    if _ALL.search(key):
        return [o for o in options if said[o.label] is not False]
    picked = [o for o in options if said[o.label]]
    if picked or any(v is False for v in said.values()):
        return picked
    return None


def _rule(rules: RuleSet | None, path: list[str]):
    return next((it for it in rules.items if it.path == path), None) if rules else None


_INDICATOR_LINE = re.compile(r"^(?P<name>.+?)[\s,，:：]*(?:目标值?|年度指标值|指标值)\s*[:：]?\s*(?P<target>[^，,；;\s]+?)"
                             r"[\s,，；;]*(?:实际(?:完成)?值?|完成值?)\s*[:：]?\s*(?P<actual>[^，,；;\s]+)")


def indicator_line(text: str, family: str) -> Indicator | None:
    """'带动沿线群众增收 目标5% 实际6%' as an indicator row of a family the table did not set."""
    if len(text) > 300:  # an indicator said in one line is short; the pattern is quadratic in a long one
        return None
    m = _INDICATOR_LINE.search(to_halfwidth(text.strip()))
    if not m:
        return None
    name = re.sub(r"^(?:补充|增加|新增)?(?:一[条项个])?(?:指标)?[:：]?", "", m.group("name").strip())
    return Indicator(level1=family_level(family), level2=f"{family}指标", name=name, target=m.group("target"),
                     actual=m.group("actual"), where=TYPED)


def _pick(text: str, options: list[str]) -> str | None:
    """One of a field's choices said in words: '完成结果评价', '过程评价' for 项目完成结果评价 / 项目实施过程评价."""
    key = compact(text)
    if not key:
        return None
    hits = [o for o in options if key in compact(o) or compact(o) in key]
    if len(hits) == 1:
        return hits[0]
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
    """A greeting, an acknowledgement or talk about the talk ('前面说过了'): nothing to record."""
    return bool(_CHAT.match(text.strip())) or len(compact(text)) < 5 or bool(_META.search(text))


_ORG_IN_TEXT = re.compile(r"([\u4e00-\u9fa5]{2,24}?(?:局|委员会|委|办公室|办|中心|院|所|站|队|公司|学校|政府|馆|部|社|厅))"
                          r"(?=[牵负主承实具组，,。、\s]|$)")
_PHONE = re.compile(r"(?<!\d)(0\d{2,3}-?\d{7,8}|1[3-9]\d{9})(?!\d)")
_GRADES = (("优秀", "优"), ("优", "优"), ("良好", "良"), ("良", "良"), ("中等", "中"), ("合格", "中"), ("中", "中"),
           ("较差", "差"), ("不合格", "差"), ("差", "差"))


_BUDGET_TALK = re.compile(r"(?:追加|调增|调减|调整|拨付|下达)[^。]{0,12}(?:万元|资金|预算)|(?:万元|资金|预算)[^。]{0,6}(?:追加|调增|调减)")
_CAUSE = re.compile(r"因|由于|原因|受|导致|造成|未|没|尚|待|延|推迟|滞后|不足|不够|减少|下降|影响|暂|结余|结转|调整|"
                    r"变更|取消|缩减|节约|审计|结算|质保|尾款|手续|审批|天气|汛期|疫情|晚了|偏少|偏多|超出|超支|不符|"
                    r"不具备|退出|搬迁|外出|流失|截至|年底|次年|下年")
_LOWER_SAID = re.compile(r"越(?:低|小|少)越好|反向指标|应(?:该)?(?:是|为)降|降低类|逆向指标")
_HIGHER_SAID = re.compile(r"越(?:高|大|多)越好|正向指标|应(?:该)?(?:是|为)升")


def gives_cause(text: str) -> bool:
    """A reason says why: '因汛期推迟开工', '尾款待审计结算后支付' — not a description of other work."""
    return bool(_CAUSE.search(text))


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


def org_in(text: str) -> str | None:
    """A unit named inside a sentence: '是我们县卫生健康局牵头…' names 县卫生健康局."""
    for m in _ORG_IN_TEXT.finditer(_LEAD.sub("", text)):
        name = re.sub(r"^(?:我们|我|由|是|在|经|从|该|本)+", "", m.group(1))
        if len(name) >= 3:
            return name
    return None


def phone_in(text: str) -> str | None:
    m = _PHONE.search(to_halfwidth(text))
    return m.group(1) if m else None


def grade_in(text: str) -> str | None:
    """'应该是优吧', '良好' → the grade; None when the text names none or more than one."""
    key = compact(text)
    found = []
    for word, grade in _GRADES:
        if word in key:
            found.append(grade)
            key = key.replace(word, "")
    return found[0] if len(set(found)) == 1 else None


def iso_date(text: str) -> str | None:
    """'2024年3月20日', '2024-3-20', '今天' → '2024-03-20'."""
    if compact(text) in ("今天", "今日", "当天"):
        return date.today().isoformat()
    m = re.search(r"((?:19|20)\d{2})\s*[年.\-/]\s*(\d{1,2})\s*[月.\-/]\s*(\d{1,2})", to_halfwidth(text))
    if not m:
        return None
    try:
        return date(int(m.group(1)), int(m.group(2)), int(m.group(3))).isoformat()
    except ValueError:
        return None


def _field_in_sentence(field: str, text: str) -> str | None:
    """The asked field said inside a longer answer: a unit's name, a phone number, a leading name."""
    if field in ("unit", "department"):
        return org_in(text)
    if field == "phone":
        return phone_in(text)
    if field == "leader":
        m = re.match(r"^\s*(?:是|就是)?([\u4e00-\u9fa5]{2,4}?)(?:同志)?(?=[\s，,。；;（(]|$|电话|手机|联系)", text)
        return m.group(1) if m and _looks_like_a_name(m.group(1)) else None
    return None


# the commonest surnames: a 负责人 answer that does not start with one is not a name ('不对', '就是')
_SURNAMES = set("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
                "姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
                "常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴"
                "霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑"
                "景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝")


def _looks_like_a_name(value: str) -> bool:
    return 2 <= len(value) <= 4 and value[0] in _SURNAMES and not _ORG_END.search(value)


def _field_value(field: str, text: str) -> str | None:
    value = _clean_value(text)
    if not value or len(value) > 80 or _CHAT.match(value) or _META.search(value):
        return None
    period_like = field == "period_text" and len(value) <= 30 and "。" not in value and re.search(
        r"(?:19|20)\d{2}\s*[年.\-/]", value)
    if field != "phone" and not period_like and re.search(r"[，,。；;！!？?]", value):
        return None  # a sentence is a note (or a correction of another field), not a value
    if field == "leader":
        value = re.sub(r"同志$", "", value)
        return value if _looks_like_a_name(value) else None
    if field in ("unit", "department") and not _ORG_END.search(re.sub(r"[（(][^（(）)]*[）)]$", "", value)):
        return None  # a unit is named as one: 某县交通运输局, 某某中心 (its short name in brackets may follow)
    if field == "name" and len(value) < 4:
        return None
    if field == "phone":
        numbers = _PHONE.findall(to_halfwidth(value))
        return "、".join(numbers) if numbers else (value if len(re.findall(r"\d", value)) >= 7 else None)
    if field == "report_date":
        return iso_date(value)
    if field == "period_text":
        return value if re.search(r"(?:19|20)\d{2}|\d{1,2}\s*月|(?<![一二三四五六七八九十])[一二三四五六七八九十]+月|全年", value) else None
    if len(value) > 50 or re.match(r"(?:我|咱|今年|去年|本年|通过|为了)", value):
        return None  # a sentence is a note, not a name
    return value


def apply_answer(item: Item, report: Report, text: str = "", selected: list[str] | None = None,
                 rules: RuleSet | None = None) -> Applied | None:
    """The item's answer recorded on a copy of the report; None when the text does not answer it."""
    out = report.model_copy(deep=True)
    text = (text or "").strip()
    if item.field:
        if item.options:
            value = next((o for o in item.options if o in (selected or [])), None) or _pick(text, item.options)
        else:
            value = _field_value(item.field, text)
            in_sentence = value is None
            value = value or _field_in_sentence(item.field, text)
        if not value:
            return None
        setattr(out.project, item.field, value)
        said = f"已记录{item.label}：{value}"
        phone = phone_in(text) if item.field != "phone" and not out.project.phone else None
        if phone:
            out.project.phone = phone
            said += f"；联系电话：{phone}"
        rest = compact(text).replace(compact(value), "").replace(phone or "", "")
        return Applied(out, said, note_too=not item.options and in_sentence and len(rest) >= 15)
    if item.id.startswith("goals."):
        if len(compact(text)) < 4 or is_chitchat(text) or _BUDGET_TALK.search(text):
            return None
        goal = out.goals[0] if out.goals else QualitativeGoal()
        setattr(goal, item.id.split(".", 1)[1], text)
        out.goals = [goal, *out.goals[1:]]
        return Applied(out, f"已记录{item.label}")
    if item.id == "claimed.grade":
        value = next((o for o in item.options if o in (selected or [])), None) or grade_in(text)
        if not value:
            return None
        out.claimed_grade = value
        return Applied(out, f"已记录{item.label}：{value}")
    if item.id == "claimed.total":
        m = re.search(r"\d+(?:\.\d+)?", to_halfwidth(text))
        if not m or not 0 <= Decimal(m.group(0)) <= 100:
            return None
        out.claimed_total = Decimal(m.group(0))
        return Applied(out, f"已记录{item.label}：{m.group(0)}分")
    if item.id == "reason.adjustment":
        if len(compact(text)) < 4 or is_chitchat(text):
            return None
        out.funding.adjustment_reason = text
        return Applied(out, "已记录预算调整原因")
    if item.id == "reason.execution":
        if len(compact(text)) < 4 or not gives_cause(text):
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
        if len(compact(text)) < 4 or not gives_cause(text):
            return None
        for ind in out.indicators:
            if ind.name == item.indicator:
                ind.reason = text
        return Applied(out, f"已记录“{item.indicator}”未达成原因")
    if item.path:
        return _score_answer(item, out, text, selected, _rule(rules, item.path))
    return None


def _score_answer(item: Item, out: Report, text: str, selected: list[str] | None, rule_item) -> Applied | None:
    if rule_item is None:
        return None
    rule = rule_item.rule
    options = rule.checks if item.kind == "checks" else rule.choices
    if selected is not None:
        picked = [o for o in options if o.label in selected]
        if not picked and not (item.kind == "checks" and (not selected or NONE_OF_THEM in selected)):
            return None
    elif len(text) > 40 and "。" in text.rstrip("。") and not _ALL.search(text):
        picked = None  # a statement with sentences is a note, even if it uses an option's word
    elif item.kind == "checks":
        picked = _checked(text, options)
    else:
        one = _choose(text, options) or _plain_yes_no(text, options)
        picked = [one] if one else None
    if picked is None and item.kind == "indicator":
        family = rule.families[0] if rule.families else item.label
        ind = indicator_line(text, family)
        if ind is None:
            return None
        out.indicators.append(ind)
        return Applied(out, f"已补充{family}指标：{ind.name}，目标{ind.target}，实际{ind.actual}")
    if picked is None:
        return None
    out.judgements = [j for j in out.judgements if j.path != item.path]
    out.judgements.append(JudgementAnswer(path=item.path, selected=[o.label for o in picked]))  # type: ignore[arg-type]
    said = "、".join(o.label for o in picked) or ("均无" if rule.kind == "deduction" else "均不符合")
    return Applied(out, f"已记录{item.label}：{said}")


def project_statements(text: str) -> dict[str, str]:
    """Project fields stated in a sentence: '项目单位是某县交通运输局，负责人张三，电话0730-1234567'."""
    half = to_halfwidth(text)
    spec = interview_spec()
    says = sorted(((w, f.field) for f in spec.project for w in f.says), key=lambda p: -len(p[0]))
    found: dict[str, str] = {}
    starts = []
    read = bytearray(len(half))  # 1 inside a field word already read
    for word, field in says:
        for m in re.finditer(re.escape(word), half):
            if read[m.start()]:
                continue  # '项目负责人' already read: its '负责人' is not a second field
            starts.append((m.start(), m.end(), field))
            read[m.start():m.end()] = b"\x01" * (m.end() - m.start())
    starts.sort()
    for k, (a, b, field) in enumerate(starts):
        end = starts[k + 1][0] if k + 1 < len(starts) else len(half)
        raw = re.split(r"[，,。；;\n]", half[b:end], maxsplit=1)[0]
        copula = bool(re.match(r"\s*(?:应该是|应是|应为|改为|改成|就是|即|是|为|叫|系|：|:)", raw))
        value = _field_value(field, raw)
        if not value or field in found:
            continue
        if not copula and field not in ("leader", "phone", "period_text"):
            continue  # '项目单位高度重视…' says nothing about which unit
        if field == "leader" and not copula and not re.fullmatch(r"[\u4e00-\u9fa5]{2,4}(?:同志)?", value):
            continue
        found[field] = value
    return found
